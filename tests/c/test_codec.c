/*
 * The compressors and the codec helpers through HPSocket4C.h, as a program written against
 * HP-Socket would use them: streaming ZLib/GZip/Brotli compressors and decompressors (round
 * trips in pieces, ProcessEx flush, callback abort, truncated and corrupted input), the
 * one-shot SYS_Compress/GZip/Brotli helpers with short buffers (-5), base64 (RFC 4648
 * vectors) and URL codecs, each checked against the system's tools where present: `gzip -dc`
 * and Python's zlib, base64 and urllib.parse (and its brotli module, if installed).
 */
#include "test.h"

#include <sys/stat.h>

static char dir[256];

/* Runs `cmd` with `in` on its standard input (through a file) and reads its output; -1 if
 * the command failed. */
static long pipe_through(const char *cmd, const void *in, size_t in_len, unsigned char *out, size_t cap)
{
    char in_path[300], out_path[300], line[1200];
    snprintf(in_path, sizeof in_path, "%s/in", dir);
    snprintf(out_path, sizeof out_path, "%s/out", dir);
    FILE *f = fopen(in_path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(in, 1, in_len, f) == in_len);
    fclose(f);
    snprintf(line, sizeof line, "%s < %s > %s 2>/dev/null", cmd, in_path, out_path);
    if (system(line) != 0)
        return -1;
    f = fopen(out_path, "rb");
    CHECK(f != NULL);
    size_t n = fread(out, 1, cap, f);
    fclose(f);
    return (long)n;
}

static int have(const char *probe)
{
    char line[400];
    snprintf(line, sizeof line, "%s >/dev/null 2>&1", probe);
    return system(line) == 0;
}

/* Mixed text, deterministic. */
static unsigned char *sample(size_t len)
{
    static const char *words[] = {"alpha ", "beta ", "gamma\n", "\xce\xb4\xce\xad ", "0123 ", "HP-Socket "};
    unsigned char *p = malloc(len);
    CHECK(p != NULL);
    size_t i = 0;
    unsigned r = 7;
    while (i < len) {
        r = r * 1103515245u + 12345u;
        const char *w = words[(r >> 16) % 6];
        for (; *w && i < len; w++)
            p[i++] = (unsigned char)*w;
    }
    return p;
}

/* A growing byte sink for the data callbacks. */
typedef struct {
    unsigned char *p;
    size_t len, cap;
    int calls;
    int stop_after; /* return FALSE on this call (1-based); 0 never */
} sink_t;

static BOOL __HP_CALL collect(const BYTE *data, int len, PVOID ctx)
{
    sink_t *s = ctx;
    CHECK(len > 0);
    s->calls++;
    if (s->stop_after && s->calls >= s->stop_after)
        return FALSE;
    if (s->len + (size_t)len > s->cap) {
        s->cap = (s->len + (size_t)len) * 2;
        s->p = realloc(s->p, s->cap);
        CHECK(s->p != NULL);
    }
    memcpy(s->p + s->len, data, (size_t)len);
    s->len += (size_t)len;
    return TRUE;
}

static void reset(sink_t *s)
{
    free(s->p);
    memset(s, 0, sizeof *s);
}

/* Feeds `data` in pieces of `piece`, the last one with bLast. */
static void compress_all(HP_Compressor c, const unsigned char *data, size_t len, size_t piece, sink_t *out)
{
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        CHECK(HP_Compressor_Process(c, data + off, (int)n, off + n == len, out));
    }
}

static void decompress_all(HP_Decompressor d, const unsigned char *data, size_t len, size_t piece, sink_t *out)
{
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        CHECK(HP_Decompressor_Process(d, data + off, (int)n, out));
    }
}

static void streaming(void)
{
    const size_t len = 300000;
    unsigned char *data = sample(len);
    unsigned char *tool = malloc(len + 16);
    CHECK(tool != NULL);
    int py = have("python3 -c 'import zlib'");
    int pybr = have("python3 -c 'import brotli'");

    struct {
        const char *name;
        HP_Compressor c;
        HP_Decompressor d;
        const char *check; /* a command that decompresses stdin, or NULL */
    } cases[] = {
        {"zlib", Create_HP_ZLibCompressor(collect), Create_HP_ZLibDecompressor(collect),
         py ? "python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))'" : NULL},
        {"gzip", Create_HP_GZipCompressor(collect), Create_HP_GZipDecompressor(collect),
         have("gzip --version") ? "gzip -dc" : NULL},
        {"raw", Create_HP_ZLibCompressorEx(collect, -15, 9, 8, 8, 0, 1000), Create_HP_ZLibDecompressorEx(collect, -15, 777),
         py ? "python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read(), -15))'" : NULL},
        {"brotli", Create_HP_BrotliCompressorEx(collect, 5, 22, 1, 4096), Create_HP_BrotliDecompressor(collect),
         pybr ? "python3 -c 'import sys,brotli; sys.stdout.buffer.write(brotli.decompress(sys.stdin.buffer.read()))'" : NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sink_t packed = {0}, plain = {0};
        CHECK(cases[i].c != NULL && cases[i].d != NULL);
        CHECK(HP_Compressor_IsValid(cases[i].c) && HP_Decompressor_IsValid(cases[i].d));
        /* Twice: the object resets after the last piece. */
        for (int round = 0; round < 2; round++) {
            compress_all(cases[i].c, data, len, 7001, &packed);
            CHECK(packed.len < len / 2);
            decompress_all(cases[i].d, packed.p, packed.len, 513, &plain);
            CHECK_EQ(plain.len, len);
            CHECK(memcmp(plain.p, data, len) == 0);
            if (cases[i].check && round == 0) {
                long n = pipe_through(cases[i].check, packed.p, packed.len, tool, len + 16);
                if (n != (long)len || memcmp(tool, data, len) != 0)
                    FAILF("%s: the system tool does not read our stream back (%ld)", cases[i].name, n);
            }
            reset(&packed);
            reset(&plain);
        }
        printf("%s: round trip ok%s\n", cases[i].name, cases[i].check ? ", read back by the system tool" : "");
        Destroy_HP_Compressor(cases[i].c);
        Destroy_HP_Decompressor(cases[i].d);
    }

    /* What the system tools wrote, we read. */
    if (have("gzip --version")) {
        long n = pipe_through("gzip -c", data, len, tool, len + 16);
        CHECK(n > 0);
        sink_t plain = {0};
        HP_Decompressor d = Create_HP_GZipDecompressorEx(collect, 100);
        decompress_all(d, tool, (size_t)n, 99, &plain);
        CHECK_EQ(plain.len, len);
        CHECK(memcmp(plain.p, data, len) == 0);
        DWORD guess = SYS_GZipGuessUncompressBound(tool, (DWORD)n);
        CHECK_EQ(guess, len);
        reset(&plain);
        Destroy_HP_Decompressor(d);
    }
    if (pybr) {
        long n = pipe_through("python3 -c 'import sys,brotli; sys.stdout.buffer.write(brotli.compress(sys.stdin.buffer.read()))'",
                              data, len, tool, len + 16);
        CHECK(n > 0);
        unsigned char *back = malloc(len);
        DWORD back_len = (DWORD)len;
        CHECK_EQ(SYS_BrotliUncompress(tool, (DWORD)n, back, &back_len), 0);
        CHECK_EQ(back_len, len);
        CHECK(memcmp(back, data, len) == 0);
        free(back);
    }
    free(tool);
    free(data);
}

static void flush_abort_and_bad_input(void)
{
    sink_t out = {0}, plain = {0};
    HP_Compressor c = Create_HP_GZipCompressor(collect);
    HP_Decompressor d = Create_HP_GZipDecompressor(collect);
    /* ProcessEx with bFlush: what was given so far decodes now. */
    CHECK(HP_Compressor_ProcessEx(c, (const BYTE *)"hello, ", 7, FALSE, TRUE, &out));
    decompress_all(d, out.p, out.len, 3, &plain);
    CHECK_EQ(plain.len, 7);
    CHECK(memcmp(plain.p, "hello, ", 7) == 0);
    reset(&out);
    CHECK(HP_Compressor_ProcessEx(c, (const BYTE *)"world", 5, TRUE, FALSE, &out));
    decompress_all(d, out.p, out.len, 1, &plain);
    CHECK_EQ(plain.len, 12);
    CHECK(memcmp(plain.p, "hello, world", 12) == 0);
    reset(&out);
    reset(&plain);

    /* The callback's FALSE aborts: FALSE, ECANCELED; the object is reset and usable. */
    unsigned char *data = sample(200000);
    sink_t stop = {0};
    stop.stop_after = 1;
    CHECK(!HP_Compressor_Process(c, data, 200000, TRUE, &stop));
    CHECK_EQ(SYS_GetLastError(), ECANCELED);
    CHECK_EQ(stop.calls, 1);
    compress_all(c, data, 200000, 50000, &out);
    decompress_all(d, out.p, out.len, 4096, &plain);
    CHECK_EQ(plain.len, 200000);
    reset(&plain);

    /* Corrupted data: FALSE (EBADMSG), and the next stream decodes. */
    unsigned char *bad = malloc(out.len);
    memcpy(bad, out.p, out.len);
    for (size_t i = out.len / 2; i < out.len / 2 + 16; i++)
        bad[i] ^= 0x5a;
    CHECK(!HP_Decompressor_Process(d, bad, (int)out.len, &plain));
    CHECK_EQ(SYS_GetLastError(), EBADMSG);
    reset(&plain);
    CHECK(HP_Decompressor_Process(d, (const BYTE *)"\x1f\x8b\x09\x00\x00\x00\x00\x00\x00\x03", 10, &plain) == FALSE);
    CHECK(HP_Decompressor_Reset(d));
    decompress_all(d, out.p, out.len, 4096, &plain);
    CHECK_EQ(plain.len, 200000);
    reset(&plain);
    free(bad);

    /* Misuse: NULL data with a length, NULL handle, wrong kind, NULL callback, bad params. */
    CHECK(!HP_Compressor_Process(c, NULL, 5, FALSE, NULL));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!HP_Compressor_Process(NULL, data, 5, FALSE, NULL));
    CHECK(!HP_Compressor_Process(d, data, 5, FALSE, NULL));
    CHECK(!HP_Decompressor_IsValid(c));
    CHECK(Create_HP_ZLibCompressor(NULL) == NULL);
    CHECK(Create_HP_ZLibCompressorEx(collect, 16, -1, 8, 8, 0, 16384) == NULL);
    CHECK(Create_HP_ZLibCompressorEx(collect, 15, 10, 8, 8, 0, 16384) == NULL);
    CHECK(Create_HP_BrotliCompressorEx(collect, 12, 22, 0, 16384) == NULL);
    CHECK(Create_HP_GZipDecompressorEx(collect, 0) == NULL);
    Destroy_HP_Compressor(d); /* wrong kind: refused, d lives on */
    CHECK(HP_Decompressor_IsValid(d));
    Destroy_HP_Compressor(c);
    Destroy_HP_Compressor(c);
    CHECK(!HP_Compressor_IsValid(c));
    Destroy_HP_Decompressor(d);
    reset(&out);
    free(data);
    printf("flush, abort, corrupt input and misuse ok\n");
}

static void one_shot(void)
{
    const DWORD len = 100000;
    unsigned char *data = sample(len);
    DWORD bound = SYS_GuessCompressBound(len, TRUE);
    unsigned char *packed = malloc(bound), *plain = malloc(len + 1), *tool = malloc(len + 16);
    int py = have("python3 -c 'import zlib'");

    /* zlib */
    DWORD n = 10;
    CHECK_EQ(SYS_Compress(data, len, packed, &n), -5);
    DWORD needed = n;
    CHECK(needed > 10 && needed <= SYS_GuessCompressBound(len, FALSE));
    n = bound;
    CHECK_EQ(SYS_Compress(data, len, packed, &n), 0);
    CHECK_EQ(n, needed);
    DWORD m = 100;
    CHECK_EQ(SYS_Uncompress(packed, n, plain, &m), -5);
    CHECK_EQ(m, len);
    m = len + 1;
    CHECK_EQ(SYS_Uncompress(packed, n, plain, &m), 0);
    CHECK_EQ(m, len);
    CHECK(memcmp(plain, data, len) == 0);
    CHECK_EQ(plain[len], 0); /* a NUL follows when there is room, as in HP-Socket */
    m = len;
    CHECK_EQ(SYS_Uncompress(packed, n - 3, plain, &m), -3); /* truncated */
    if (py) {
        long t = pipe_through("python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))'",
                              packed, n, tool, len + 16);
        CHECK_EQ(t, len);
        CHECK(memcmp(tool, data, len) == 0);
        t = pipe_through("python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read(), 9))'",
                         data, len, tool, len + 16);
        CHECK(t > 0);
        m = len;
        CHECK_EQ(SYS_Uncompress(tool, (DWORD)t, plain, &m), 0);
        CHECK_EQ(m, len);
    }
    /* Ex: raw deflate; bad parameters -2. */
    n = bound;
    CHECK_EQ(SYS_CompressEx(data, len, packed, &n, 1, 8, -12, 8, 0), 0);
    m = len;
    CHECK_EQ(SYS_UncompressEx(packed, n, plain, &m, -12), 0);
    CHECK_EQ(m, len);
    n = bound;
    CHECK_EQ(SYS_CompressEx(data, len, packed, &n, 1, 7, 15, 8, 0), -2);

    /* gzip */
    n = bound;
    CHECK_EQ(SYS_GZipCompress(data, len, packed, &n), 0);
    CHECK_EQ(SYS_GZipGuessUncompressBound(packed, n), len);
    CHECK_EQ(SYS_GZipGuessUncompressBound(data, 100), 0);
    if (have("gzip --version")) {
        long t = pipe_through("gzip -dc", packed, n, tool, len + 16);
        CHECK_EQ(t, len);
        CHECK(memcmp(tool, data, len) == 0);
    }
    m = len;
    CHECK_EQ(SYS_GZipUncompress(packed, n, plain, &m), 0);
    CHECK_EQ(m, len);
    packed[n / 2] ^= 0xff;
    packed[n / 2 + 1] ^= 0xff;
    m = len;
    CHECK(SYS_GZipUncompress(packed, n, plain, &m) != 0);

    /* brotli */
    DWORD bbound = SYS_BrotliGuessCompressBound(len);
    CHECK(bbound >= len);
    unsigned char *br = malloc(bbound);
    n = bbound;
    CHECK_EQ(SYS_BrotliCompress(data, len, br, &n), 0);
    m = len;
    CHECK_EQ(SYS_BrotliUncompress(br, n, plain, &m), 0);
    CHECK_EQ(m, len);
    CHECK(memcmp(plain, data, len) == 0);
    m = len;
    CHECK_EQ(SYS_BrotliUncompress(br, n - 2, plain, &m), -3);
    DWORD small = 5;
    CHECK_EQ(SYS_BrotliCompressEx(data, len, br, &small, 4, 18, 1), -5);
    CHECK(small > 5);
    small = 5;
    CHECK_EQ(SYS_BrotliCompressEx(data, len, br, &small, 4, 30, 1), -2);
    if (have("python3 -c 'import brotli'")) {
        n = bbound;
        CHECK_EQ(SYS_BrotliCompress(data, len, br, &n), 0);
        long t = pipe_through("python3 -c 'import sys,brotli; sys.stdout.buffer.write(brotli.decompress(sys.stdin.buffer.read()))'",
                              br, n, tool, len + 16);
        CHECK_EQ(t, len);
    }
    /* NULL length pointer or source: -3, never a crash. */
    CHECK_EQ(SYS_Compress(data, len, packed, NULL), -3);
    n = bound;
    CHECK_EQ(SYS_Compress(NULL, len, packed, &n), -3);
    free(br);
    free(packed);
    free(plain);
    free(tool);
    free(data);
    printf("one-shot zlib/gzip/brotli ok\n");
}

static void base64_and_url(void)
{
    static const char *rfc[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},    {"foo", "Zm9v"},
                                   {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    char out[64];
    for (size_t i = 0; i < 7; i++) {
        DWORD sl = (DWORD)strlen(rfc[i][0]), cl = (DWORD)strlen(rfc[i][1]);
        CHECK_EQ(SYS_GuessBase64EncodeBound(sl), cl);
        DWORD n = sizeof out;
        CHECK_EQ(SYS_Base64Encode((const BYTE *)rfc[i][0], sl, (BYTE *)out, &n), 0);
        CHECK_EQ(n, cl);
        CHECK(strcmp(out, rfc[i][1]) == 0);
        n = sizeof out;
        CHECK_EQ(SYS_Base64Decode((const BYTE *)rfc[i][1], cl, (BYTE *)out, &n), 0);
        CHECK_EQ(n, sl);
        CHECK(memcmp(out, rfc[i][0], sl) == 0);
    }
    DWORD n = 3;
    CHECK_EQ(SYS_Base64Encode((const BYTE *)"foob", 4, (BYTE *)out, &n), -5);
    CHECK_EQ(n, 8);
    n = 0;
    CHECK_EQ(SYS_Base64Encode((const BYTE *)"foob", 4, NULL, &n), -5);
    CHECK_EQ(n, 8);
    n = sizeof out;
    CHECK_EQ(SYS_Base64Decode((const BYTE *)"Zm9v!", 5, (BYTE *)out, &n), -3);
    CHECK_EQ(n, 0);
    n = sizeof out;
    CHECK_EQ(SYS_Base64Decode((const BYTE *)"Zm9v\r\nYmFy", 10, (BYTE *)out, &n), 0);
    CHECK_EQ(n, 6);

    /* Every byte value, against Python's base64 and urllib.parse. */
    unsigned char all[256], enc[1024], back[1024];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    DWORD el = sizeof enc;
    CHECK_EQ(SYS_Base64Encode(all, 256, enc, &el), 0);
    if (have("python3 -c 'import base64'")) {
        long t = pipe_through("python3 -c 'import sys,base64; sys.stdout.buffer.write(base64.b64decode(sys.stdin.buffer.read(), validate=True))'",
                              enc, el, back, sizeof back);
        CHECK_EQ(t, 256);
        CHECK(memcmp(back, all, 256) == 0);
    }
    DWORD ul = SYS_GuessUrlEncodeBound(all, 256);
    CHECK_EQ(ul, 256 + 2 * (256 - 62 - 4 - 1));
    DWORD got = ul - 1;
    CHECK_EQ(SYS_UrlEncode(all, 256, enc, &got), -5);
    CHECK_EQ(got, ul);
    CHECK_EQ(SYS_UrlEncode(all, 256, enc, &got), 0);
    CHECK_EQ(got, ul);
    CHECK_EQ(SYS_GuessUrlDecodeBound(enc, got), 256);
    DWORD bl = sizeof back;
    CHECK_EQ(SYS_UrlDecode(enc, got, back, &bl), 0);
    CHECK_EQ(bl, 256);
    CHECK(memcmp(back, all, 256) == 0);
    if (have("python3 -c 'import urllib.parse'")) {
        long t = pipe_through("python3 -c 'import sys,urllib.parse as u; sys.stdout.buffer.write(u.unquote_to_bytes(sys.stdin.buffer.read().replace(b\"+\", b\" \")))'",
                              enc, got, back, sizeof back);
        CHECK_EQ(t, 256);
        CHECK(memcmp(back, all, 256) == 0);
    }
    BYTE sp[] = "a b*~";
    n = sizeof out;
    CHECK_EQ(SYS_UrlEncode(sp, 5, (BYTE *)out, &n), 0);
    CHECK(strcmp(out, "a+b*%7E") == 0);
    BYTE bad[] = "%4";
    n = sizeof out;
    CHECK_EQ(SYS_UrlDecode(bad, 2, (BYTE *)out, &n), -3);
    printf("base64 and URL ok\n");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/hpsocket-codec-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    streaming();
    flush_abort_and_bad_input();
    one_shot();
    base64_and_url();
    char line[300];
    snprintf(line, sizeof line, "rm -rf %s", dir);
    CHECK(system(line) == 0);
    printf("test_codec: ok\n");
    return 0;
}
