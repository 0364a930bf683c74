// Compressors, decompressors and the SYS_* byte codecs in the C++ wrapper: round trips for
// zlib, gzip and brotli (streaming and one-shot, across the two), streams fed in pieces with
// a flush, corrupt input rejected (and the object usable afterwards), the callback's abort
// and exceptions, parameters out of range, the -5 retry of the one-shot helpers, base64 and
// URL coding, and interop with the system's gzip tool both ways.
#include "test_util.hpp"

#include <errno.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace hptest;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Compressible but not trivial: words from a small vocabulary mixed with pattern bytes.
Bytes sample(std::size_t n, int seed = 1) {
    static const char* words[] = {"alpha ", "beta ", "gamma ", "delta ", "hp-socket ", "compress ", "\n"};
    Bytes out;
    out.reserve(n);
    std::uint64_t i = 0;
    while (out.size() < n) {
        BYTE p = pattern(seed, i++);
        if (p < 40) {
            out.push_back(p);
        } else {
            const char* w = words[p % 7];
            for (; *w && out.size() < n; w++) out.push_back(static_cast<std::uint8_t>(*w));
        }
    }
    return out;
}

// A callback appending to `out`.
hpsocket::CodecCallback into(Bytes& out, int* pieces = nullptr) {
    return [&out, pieces](std::string_view piece) {
        out.insert(out.end(), piece.begin(), piece.end());
        if (pieces) ++*pieces;
        return true;
    };
}

// Feeds `data` in pieces of the sizes in `steps` (cycled).
template <class P>
bool feed(P&& process, const Bytes& data, std::vector<std::size_t> steps) {
    std::size_t pos = 0, k = 0;
    while (pos < data.size()) {
        std::size_t n = std::min(steps[k++ % steps.size()], data.size() - pos);
        if (!process(hpsocket::ByteView(data.data() + pos, n))) return false;
        pos += n;
    }
    return true;
}

enum class Codec { ZLib, GZip, Brotli };

hpsocket::Compressor make_compressor(Codec c, hpsocket::CodecCallback cb) {
    switch (c) {
    case Codec::ZLib: return hpsocket::Compressor::ZLib(std::move(cb));
    case Codec::GZip: return hpsocket::Compressor::GZip(std::move(cb));
    default: return hpsocket::Compressor::Brotli(std::move(cb), 5);
    }
}

hpsocket::Decompressor make_decompressor(Codec c, hpsocket::CodecCallback cb, DWORD piece = 16384) {
    switch (c) {
    case Codec::ZLib: return hpsocket::Decompressor::ZLib(std::move(cb), 15, piece);
    case Codec::GZip: return hpsocket::Decompressor::GZip(std::move(cb), piece);
    default: return hpsocket::Decompressor::Brotli(std::move(cb), piece);
    }
}

// Brotli at quality 5: the default 11 is slow in a debug build of the library
// (BrotliCompress itself is checked on small input in RoundTripEachCodecStreamingAndOneShot).
Bytes one_shot_compress(Codec c, const Bytes& in) {
    switch (c) {
    case Codec::ZLib: return hpsocket::Compress(in);
    case Codec::GZip: return hpsocket::GZipCompress(in);
    default: return hpsocket::BrotliCompressEx(in, 5, 22, 0);
    }
}

Bytes one_shot_uncompress(Codec c, const Bytes& in) {
    switch (c) {
    case Codec::ZLib: return hpsocket::Uncompress(in);
    case Codec::GZip: return hpsocket::GZipUncompress(in);
    default: return hpsocket::BrotliUncompress(in);
    }
}

const char* name(Codec c) { return c == Codec::ZLib ? "zlib" : c == Codec::GZip ? "gzip" : "brotli"; }

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

}  // namespace

TEST(Compress, RoundTripEachCodecStreamingAndOneShot) {
    const Bytes data = sample(200000);
    for (Codec c : {Codec::ZLib, Codec::GZip, Codec::Brotli}) {
        SCOPED_TRACE(name(c));
        // Streaming, whole.
        Bytes z;
        auto comp = make_compressor(c, into(z));
        ASSERT_TRUE(comp) << hpsocket::thread_last_error().message;
        ASSERT_TRUE(comp.Process(data, true)) << comp.last_error().message;
        EXPECT_LT(z.size(), data.size() / 2);
        Bytes back;
        auto dec = make_decompressor(c, into(back));
        ASSERT_TRUE(dec);
        ASSERT_TRUE(dec.Process(z)) << dec.last_error().message;
        EXPECT_EQ(back, data);
        // Across: streaming output through the one-shot helper and back.
        EXPECT_EQ(one_shot_uncompress(c, z), data);
        Bytes z2 = one_shot_compress(c, data);
        back.clear();
        ASSERT_TRUE(dec.Process(z2));
        EXPECT_EQ(back, data);
        // The object is ready for the next stream after `last`.
        z.clear();
        ASSERT_TRUE(comp.Process("second stream", true));
        EXPECT_EQ(one_shot_uncompress(c, z), Bytes({'s', 'e', 'c', 'o', 'n', 'd', ' ', 's', 't', 'r', 'e', 'a', 'm'}));
        // Empty input.
        z.clear();
        ASSERT_TRUE(comp.Finish());
        EXPECT_FALSE(z.empty());
        EXPECT_TRUE(one_shot_uncompress(c, z).empty());
        EXPECT_TRUE(one_shot_uncompress(c, one_shot_compress(c, Bytes())).empty());
    }
    // The default-parameter one-shot brotli (quality 11), on small input.
    const Bytes small = sample(3000);
    EXPECT_EQ(hpsocket::BrotliUncompress(hpsocket::BrotliCompress(small)), small);
}

TEST(Compress, StreamFedInPiecesWithFlush) {
    const Bytes data = sample(120000, 3);
    for (Codec c : {Codec::ZLib, Codec::GZip, Codec::Brotli}) {
        SCOPED_TRACE(name(c));
        Bytes z;
        int pieces = 0;
        auto comp = c == Codec::ZLib ? hpsocket::Compressor::ZLib(into(z, &pieces), 15, 6, 8, 8, 0, 1024)
                  : c == Codec::GZip ? hpsocket::Compressor::GZip(into(z, &pieces), 6, 8, 8, 0, 1024)
                                     : hpsocket::Compressor::Brotli(into(z, &pieces), 5, 22, 0, 1024);
        ASSERT_TRUE(comp);
        Bytes back;
        auto dec = make_decompressor(c, into(back), 777);
        ASSERT_TRUE(dec);

        // The first half in odd pieces, then a flush: everything so far decodes now.
        Bytes first(data.begin(), data.begin() + 60000), second(data.begin() + 60000, data.end());
        ASSERT_TRUE(feed([&](hpsocket::ByteView v) { return comp.Process(v); }, first, {1, 7, 4096, 333, 17000}));
        ASSERT_TRUE(comp.Flush());
        std::size_t flushed = z.size();
        ASSERT_TRUE(feed([&](hpsocket::ByteView v) { return dec.Process(v); }, z, {1, 2, 3, 500}));
        EXPECT_EQ(back, first);

        ASSERT_TRUE(feed([&](hpsocket::ByteView v) { return comp.Process(v); }, second, {65536, 5}));
        ASSERT_TRUE(comp.Finish());
        EXPECT_GT(pieces, 1);
        Bytes rest(z.begin() + static_cast<std::ptrdiff_t>(flushed), z.end());
        ASSERT_TRUE(feed([&](hpsocket::ByteView v) { return dec.Process(v); }, rest, {13}));
        EXPECT_EQ(back, data);
        EXPECT_EQ(one_shot_uncompress(c, z), data);
    }
}

TEST(Compress, CorruptInputRejected) {
    const Bytes data = sample(50000, 5);
    for (Codec c : {Codec::ZLib, Codec::GZip, Codec::Brotli}) {
        SCOPED_TRACE(name(c));
        Bytes z = one_shot_compress(c, data);
        // Invalid whatever follows: a zlib header with another method, a gzip stream without
        // its magic, a brotli window-size code that RFC 7932 reserves (brotli accepts most
        // other garbage as the start of a longer stream, which is not an error yet).
        Bytes bad = z;
        if (c == Codec::Brotli) {
            bad[0] = 0x11;
        } else {
            for (std::size_t i = 0; i < 64 && i < bad.size(); i++) bad[i] = static_cast<std::uint8_t>(bad[i] ^ 0x5A);
        }
        Bytes back;
        auto dec = make_decompressor(c, into(back));
        EXPECT_FALSE(dec.Process(bad));
        EXPECT_EQ(dec.last_error().code, hpsocket::SocketError::InvalidParam) << dec.last_error().message;
        EXPECT_EQ(hpsocket::last_errno(), EBADMSG);
        // Reset by the failure: a good stream decodes afterwards.
        back.clear();
        ASSERT_TRUE(dec.Process(z)) << dec.last_error().message;
        EXPECT_EQ(back, data);

        try {
            (void)one_shot_uncompress(c, bad);
            ADD_FAILURE() << "corrupt input accepted";
        } catch (const hpsocket::CodecError& e) {
            EXPECT_EQ(e.code(), -3);
            EXPECT_EQ(e.error(), hpsocket::SocketError::InvalidParam);
            EXPECT_NE(std::string(e.what()), "");
        }
        // Truncated: the one-shot helpers see the end of the input.
        Bytes cut(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(z.size() / 2));
        EXPECT_THROW((void)one_shot_uncompress(c, cut), hpsocket::CodecError);
    }
}

TEST(Compress, CallbackAbortExceptionsAndParameters) {
    const Bytes data = sample(100000, 7);
    // The callback's false aborts the call (ECANCELED) and resets the stream.
    int calls = 0;
    auto comp = hpsocket::Compressor::GZip([&](std::string_view) { return ++calls < 2; }, -1, 8, 8, 0, 512);
    ASSERT_TRUE(comp);
    EXPECT_FALSE(comp.Process(data, true));
    EXPECT_EQ(hpsocket::last_errno(), ECANCELED);
    EXPECT_EQ(comp.last_error().code, hpsocket::SocketError::IllegalState);
    EXPECT_EQ(calls, 2);
    // An exception from the callback comes out of Process.
    comp.SetCallback([](std::string_view) -> bool { throw std::runtime_error("sink full"); });
    EXPECT_THROW((void)comp.Process(data, true), std::runtime_error);
    // Usable again.
    Bytes z;
    comp.SetCallback(into(z));
    ASSERT_TRUE(comp.Process(data, true));
    EXPECT_EQ(hpsocket::GZipUncompress(z), data);
    // Process from its own callback is refused (EBUSY).
    bool inner = true;
    hpsocket::Compressor* self = &comp;
    comp.SetCallback([&](std::string_view) {
        inner = self->Process("x");
        return true;
    });
    ASSERT_TRUE(comp.Process(data, true));
    EXPECT_FALSE(inner);
    // Moving keeps the stream and the callback.
    Bytes m;
    comp.SetCallback(into(m));
    hpsocket::Compressor moved(std::move(comp));
    EXPECT_FALSE(comp.IsValid());  // NOLINT(bugprone-use-after-move)
    ASSERT_TRUE(moved.Process("moved", true));
    EXPECT_EQ(hpsocket::GZipUncompress<std::string>(m), "moved");

    // Parameters out of range: an invalid object, the reason on the thread.
    EXPECT_FALSE(hpsocket::Compressor::ZLib(into(z), 16));
    EXPECT_EQ(hpsocket::thread_last_error().code, hpsocket::SocketError::InvalidParam);
    EXPECT_FALSE(hpsocket::Compressor::ZLib(into(z), 15, 10));
    EXPECT_FALSE(hpsocket::Compressor::Brotli(into(z), 11, 25));
    EXPECT_FALSE(hpsocket::Compressor::GZip(into(z), -1, 8, 8, 0, 0));
    EXPECT_FALSE(hpsocket::Decompressor::ZLib(into(z), 16));
    hpsocket::Compressor none;
    EXPECT_FALSE(none.Process("x"));
    EXPECT_EQ(none.last_error().code, hpsocket::SocketError::InvalidParam);
    try {
        (void)hpsocket::BrotliCompressEx(data, 12, 22, 0);
        ADD_FAILURE() << "quality 12 accepted";
    } catch (const hpsocket::CodecError& e) {
        EXPECT_EQ(e.code(), -2);
    }
    // Raw deflate and zlib-or-gzip detection through the Ex helpers.
    Bytes raw = hpsocket::CompressEx(data, 9, 8, -15, 8, 0);
    EXPECT_EQ(hpsocket::UncompressEx(raw, -15), data);
    EXPECT_EQ(hpsocket::UncompressEx(hpsocket::GZipCompress(data), 47), data);
    EXPECT_EQ(hpsocket::UncompressEx(hpsocket::Compress(data), 47), data);
}

TEST(Compress, OneShotGrowsTheBuffer) {
    // 2 MB of zeros compress to a few kB: the first guess (4x the input) is far too small, so
    // the helper retries with the length the library reports (-5).
    Bytes zeros(2u << 20, 0);
    for (Codec c : {Codec::ZLib, Codec::GZip, Codec::Brotli}) {
        SCOPED_TRACE(name(c));
        Bytes z = one_shot_compress(c, zeros);
        EXPECT_LT(z.size(), 64u * 1024);
        EXPECT_EQ(one_shot_uncompress(c, z), zeros);
    }
    EXPECT_EQ(hpsocket::GZipGuessUncompressBound(hpsocket::GZipCompress(zeros)), 2u << 20);
    EXPECT_GE(hpsocket::GuessCompressBound(1000), 1000u);
    EXPECT_GE(hpsocket::BrotliGuessCompressBound(1000), 1000u);
    // std::string output.
    EXPECT_EQ(hpsocket::Uncompress<std::string>(hpsocket::Compress(std::string("text"))), "text");
}

TEST(Compress, Base64AndUrl) {
    EXPECT_EQ(hpsocket::Base64Encode(""), "");
    EXPECT_EQ(hpsocket::Base64Encode("f"), "Zg==");
    EXPECT_EQ(hpsocket::Base64Encode("hello"), "aGVsbG8=");
    EXPECT_EQ(hpsocket::Base64Decode<std::string>("aGVsbG8="), "hello");
    EXPECT_EQ(hpsocket::Base64Decode<std::string>("aGVs\r\nbG8"), "hello");  // line break, no padding
    Bytes all(256);
    for (int i = 0; i < 256; i++) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(hpsocket::Base64Decode(hpsocket::Base64Encode(all)), all);
    EXPECT_EQ(hpsocket::GuessBase64EncodeBound(5), 8u);
    try {
        (void)hpsocket::Base64Decode("not base64!");
        ADD_FAILURE() << "bad base64 accepted";
    } catch (const hpsocket::CodecError& e) {
        EXPECT_EQ(e.code(), -3);
    }

    EXPECT_EQ(hpsocket::UrlEncode("a b&c=d/e.f-g_h*i~"), "a+b%26c%3Dd%2Fe.f-g_h*i%7E");
    EXPECT_EQ(hpsocket::UrlDecode("a+b%26c%3dd"), "a b&c=d");
    EXPECT_EQ(hpsocket::UrlDecode<Bytes>(hpsocket::UrlEncode(all)), all);
    EXPECT_THROW((void)hpsocket::UrlDecode("100%"), hpsocket::CodecError);
    EXPECT_THROW((void)hpsocket::UrlDecode("%zz"), hpsocket::CodecError);
}

TEST(Compress, GZipInteropWithTheSystemTool) {
    if (run("command -v gzip >/dev/null 2>&1") != 0) GTEST_SKIP() << "no gzip tool";
    std::string dir = temp_dir("gzip");
    const Bytes data = sample(300000, 9);
    std::string plain(data.begin(), data.end());

    // Ours -> gzip -dc: the one-shot helper and a stream made in pieces.
    Bytes streamed;
    auto comp = hpsocket::Compressor::GZip(into(streamed));
    ASSERT_TRUE(feed([&](hpsocket::ByteView v) { return comp.Process(v); }, data, {1000, 77777}));
    ASSERT_TRUE(comp.Finish());
    int i = 0;
    for (const Bytes& gz : {hpsocket::GZipCompress(data), streamed}) {
        std::string in = dir + "/ours" + std::to_string(i) + ".gz", out = dir + "/ours" + std::to_string(i) + ".txt";
        i++;
        {
            std::ofstream f(in, std::ios::binary);
            f.write(reinterpret_cast<const char*>(gz.data()), static_cast<std::streamsize>(gz.size()));
        }
        ASSERT_EQ(run("gzip -dc '" + in + "' > '" + out + "'"), 0) << in;
        EXPECT_EQ(read_file(out), plain);
    }

    // gzip -c -> ours.
    std::string src = dir + "/theirs.txt";
    {
        std::ofstream f(src, std::ios::binary);
        f.write(plain.data(), static_cast<std::streamsize>(plain.size()));
    }
    ASSERT_EQ(run("gzip -9 -c '" + src + "' > '" + src + ".gz'"), 0);
    std::string theirs = read_file(src + ".gz");
    EXPECT_EQ(hpsocket::GZipUncompress<std::string>(theirs), plain);
    Bytes back;
    auto dec = hpsocket::Decompressor::GZip(into(back));
    ASSERT_TRUE(feed([&](hpsocket::ByteView v) { return dec.Process(v); }, Bytes(theirs.begin(), theirs.end()), {3, 4096}));
    EXPECT_EQ(back, data);
    run("rm -rf '" + dir + "'");
}
