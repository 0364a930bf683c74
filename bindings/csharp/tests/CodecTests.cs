using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace HPSocket.Tests
{
    /// <summary>Compressors, decompressors and the one-shot SYS codecs (docs/abi.md section 22):
    /// round trips per codec, streams fed in uneven pieces, corrupt input refused, gzip output
    /// read by the system's gzip (and its output read by ours), parameters out of range refused.</summary>
    public static class CodecTests
    {
        private const int ECANCELED = 125;
        private const int EBUSY = 16;

        /// <summary>Compressible but not trivial: text-like runs with pseudo-random bytes mixed in.</summary>
        private static byte[] Sample(int length, int seed)
        {
            byte[] b = new byte[length];
            byte[] words = Encoding.ASCII.GetBytes("the quick brown fox jumps over the lazy dog 0123456789 ");
            for (int i = 0; i < length; i++)
                b[i] = i % 97 < 80 ? words[(i * 7 + seed) % words.Length] : Util.Pattern(seed, i);
            return b;
        }

        private static void Same(byte[] expected, byte[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length, what + ": length");
            for (int i = 0; i < expected.Length; i++)
                if (expected[i] != actual[i]) throw new AssertionException(what + ": byte " + i + " differs");
        }

        private static IEnumerable<Tuple<string, Func<Compressor>, Func<Decompressor>>> Pairs()
        {
            yield return Tuple.Create<string, Func<Compressor>, Func<Decompressor>>("zlib", () => new ZLibCompressor(), () => new ZLibDecompressor());
            yield return Tuple.Create<string, Func<Compressor>, Func<Decompressor>>("raw deflate", () => new ZLibCompressor(-15, 9), () => new ZLibDecompressor(-15));
            yield return Tuple.Create<string, Func<Compressor>, Func<Decompressor>>("gzip", () => new GZipCompressor(), () => new GZipDecompressor());
            yield return Tuple.Create<string, Func<Compressor>, Func<Decompressor>>("zlib window 31 (gzip)", () => new ZLibCompressor(31), () => new ZLibDecompressor(47));
            yield return Tuple.Create<string, Func<Compressor>, Func<Decompressor>>("brotli", () => new BrotliCompressor(), () => new BrotliDecompressor());
            yield return Tuple.Create<string, Func<Compressor>, Func<Decompressor>>("brotli q5", () => new BrotliCompressor(5, 18, 1), () => new BrotliDecompressor());
        }

        [Test]
        public static void Round_trip_per_codec()
        {
            byte[] data = Sample(100000, 1);
            foreach (var codec in Pairs())
            {
                using (Compressor c = codec.Item2())
                using (Decompressor d = codec.Item3())
                {
                    Assert.True(c.IsValid && d.IsValid, codec.Item1 + ": IsValid");
                    byte[] packed = c.Process(data, true);
                    Assert.True(packed.Length < data.Length / 2, codec.Item1 + ": compresses (" + packed.Length + " bytes)");
                    Same(data, d.Process(packed), codec.Item1 + " round trip");
                    // Both reset at the end of a stream: a second one goes through the same objects.
                    byte[] small = Encoding.UTF8.GetBytes("second stream, héllo");
                    Same(small, d.Process(c.Process(small, true)), codec.Item1 + " second stream");
                    // An empty stream: bLast without data finishes it.
                    Same(new byte[0], d.Process(c.Process(null, true)), codec.Item1 + " empty stream");
                }
            }

            // The one-shot helpers, and each read by the streaming decoders and vice versa.
            Same(data, HPSocket.Codecs.Uncompress(HPSocket.Codecs.Compress(data)), "SYS_Compress/Uncompress");
            Same(data, HPSocket.Codecs.GZipUncompress(HPSocket.Codecs.GZipCompress(data)), "SYS_GZip*");
            Same(data, HPSocket.Codecs.BrotliUncompress(HPSocket.Codecs.BrotliCompress(data)), "SYS_Brotli*");
            Same(data, HPSocket.Codecs.UncompressEx(HPSocket.Codecs.CompressEx(data, 9, 8, -15), -15), "SYS_CompressEx raw");
            Same(data, HPSocket.Codecs.BrotliUncompress(HPSocket.Codecs.BrotliCompressEx(data, 4, 16, 0)), "SYS_BrotliCompressEx");
            using (var d = new GZipDecompressor()) Same(data, d.Process(HPSocket.Codecs.GZipCompress(data)), "SYS_GZipCompress by GZipDecompressor");
            using (var d = new GZipDecompressor()) Same(data, d.Process(HPSocket.Codecs.Compress(data)), "GZipDecompressor reads zlib too");
            using (var d = new BrotliDecompressor()) Same(data, d.Process(HPSocket.Codecs.BrotliCompress(data)), "SYS_BrotliCompress by BrotliDecompressor");
            using (var c = new ZLibCompressor()) Same(data, HPSocket.Codecs.Uncompress(c.Process(data, true)), "ZLibCompressor by SYS_Uncompress");
            using (var c = new BrotliCompressor()) Same(data, HPSocket.Codecs.BrotliUncompress(c.Process(data, true)), "BrotliCompressor by SYS_BrotliUncompress");
            byte[] gz = HPSocket.Codecs.GZipCompress(data);
            Assert.Equal((uint)data.Length, HPSocket.Codecs.GZipGuessUncompressBound(gz), "GZipGuessUncompressBound");
            Same(new byte[0], HPSocket.Codecs.Uncompress(HPSocket.Codecs.Compress(new byte[0])), "empty one-shot");
            // Output larger than the first guess (4 x input + 64): the -5 answer sizes the retry.
            byte[] zeros = new byte[5000000];
            byte[] z = HPSocket.Codecs.Compress(zeros);
            Assert.True(z.Length * 4 + 64 < zeros.Length, "zeros compress far");
            Same(zeros, HPSocket.Codecs.Uncompress(z), "a 5 MB output from " + z.Length + " bytes");
            Same(zeros, HPSocket.Codecs.BrotliUncompress(HPSocket.Codecs.BrotliCompressEx(zeros, 1, 22, 0)), "brotli 5 MB of zeros");
        }

        [Test]
        public static void Stream_in_pieces_with_flush()
        {
            byte[] data = Sample(256 << 10, 2);
            foreach (var codec in Pairs())
            {
                // Compress in uneven pieces (1 .. 7919 bytes); every output piece goes through the
                // handler and is at most the buffer size.
                var packed = new MemoryStream();
                int pieces = 0, biggest = 0;
                CodecOutputHandler take = p => { packed.Write(p, 0, p.Length); pieces++; biggest = Math.Max(biggest, p.Length); return true; };
                using (Compressor c = codec.Item2())
                {
                    int pos = 0, step = 1;
                    while (pos < data.Length)
                    {
                        int n = Math.Min(step, data.Length - pos);
                        Assert.True(c.Process(data, pos, n, false, false, take), codec.Item1 + ": Process at " + pos);
                        pos += n;
                        step = step * 31 % 7919 + 1;
                    }
                    Assert.True(c.Process(null, true, take), codec.Item1 + ": the last call");
                }
                Assert.True(pieces > 1 && biggest <= 16384, codec.Item1 + ": " + pieces + " pieces, the biggest " + biggest);

                // Decompress in pieces of 1 .. 997 bytes into small output pieces.
                var plain = new MemoryStream();
                byte[] z = packed.ToArray();
                using (Decompressor d = codec.Item1.StartsWith("brotli") ? (Decompressor)new BrotliDecompressor(1000)
                    : codec.Item1 == "raw deflate" ? new ZLibDecompressor(-15, 1000)
                    : codec.Item1 == "zlib" ? new ZLibDecompressor(15, 1000) : (Decompressor)new GZipDecompressor(1000))
                {
                    int pos = 0, step = 1, most = 0;
                    while (pos < z.Length)
                    {
                        int n = Math.Min(step, z.Length - pos);
                        Assert.True(d.Process(z, pos, n, p => { plain.Write(p, 0, p.Length); most = Math.Max(most, p.Length); return true; }),
                            codec.Item1 + ": decompress at " + pos + ": " + d.ErrorMessage);
                        pos += n;
                        step = step * 17 % 997 + 1;
                    }
                    Assert.True(most <= 1000, codec.Item1 + ": output pieces within 1000 bytes");
                }
                Same(data, plain.ToArray(), codec.Item1 + " in pieces");
            }

            // Flush: what was given so far decodes now, before the stream ends.
            foreach (var codec in Pairs())
            {
                using (Compressor c = codec.Item2())
                using (Decompressor d = codec.Item3())
                {
                    var got = new MemoryStream();
                    for (int i = 0; i < 5; i++)
                    {
                        byte[] part = Sample(10000 + i, 10 + i);
                        byte[] z = c.Process(part, false, true);
                        Assert.True(z.Length > 0, codec.Item1 + ": a flush gives output");
                        byte[] back = d.Process(z);
                        Same(part, back, codec.Item1 + ": part " + i + " decodes after its flush");
                        got.Write(back, 0, back.Length);
                    }
                    d.Process(c.Process(null, true));
                }
            }
        }

        [Test]
        public static void Corrupt_input_is_refused()
        {
            byte[] data = Sample(50000, 3);
            byte[] zlib = HPSocket.Codecs.Compress(data);
            byte[] bad = (byte[])zlib.Clone();
            bad[0] ^= 0xFF; // not a zlib header
            byte[] badBody = (byte[])zlib.Clone();
            for (int i = 10; i < 40; i++) badBody[i] ^= 0x5A;
            byte[] truncated = zlib.Take(zlib.Length / 2).ToArray();

            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.Uncompress(bad), "SYS_Uncompress of a bad header");
            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.Uncompress(badBody), "SYS_Uncompress of a bad body");
            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.Uncompress(truncated), "SYS_Uncompress of a truncated stream");
            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.GZipUncompress(bad), "SYS_GZipUncompress");
            byte[] br = HPSocket.Codecs.BrotliCompress(data);
            byte[] badBr = (byte[])br.Clone();
            for (int i = 3; i < badBr.Length; i += 7) badBr[i] ^= 0xA5;
            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.BrotliUncompress(badBr), "SYS_BrotliUncompress");
            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.BrotliUncompress(br.Take(br.Length / 2).ToArray()), "truncated brotli");

            using (var d = new ZLibDecompressor())
            {
                bool ok = d.Process(bad, p => true);
                Assert.False(ok, "Process of a bad header");
                Assert.Equal(SocketError.InvalidParam, d.ErrorCode, "error code");
                Assert.Throws<InvalidDataException>(() => d.Process(badBody), "Process of a bad body");
                // A truncated stream cannot be told from one still arriving.
                Assert.True(d.Process(truncated, p => true), "half a stream is accepted");
                Assert.True(d.Reset(), "Reset");
                // The object was reset after each refusal: a good stream decodes.
                Same(data, d.Process(zlib), "a good stream after the refusals");
            }
            using (var d = new BrotliDecompressor())
            {
                Assert.Throws<InvalidDataException>(() => d.Process(badBr), "brotli Process of garbage");
                Same(data, d.Process(br), "a good brotli stream after the refusal");
            }

            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.Base64Decode(Encoding.ASCII.GetBytes("ab!d")), "Base64Decode of '!'");
            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.UrlDecode(Encoding.ASCII.GetBytes("a%zzb")), "UrlDecode of %zz");
            Assert.Throws<InvalidDataException>(() => HPSocket.Codecs.UrlDecode(Encoding.ASCII.GetBytes("a%4")), "UrlDecode of a cut escape");
        }

        [Test]
        public static void Handlers_parameters_and_text_codecs()
        {
            // A handler's false stops the call (ECANCELED); its exception comes out of Process.
            byte[] data = Sample(200000, 4);
            using (var c = new ZLibCompressor(bufferSize: 1024))
            {
                int calls = 0;
                bool ok = c.Process(data, true, p => ++calls < 3);
                int errno = HP.SysLastError;
                Assert.False(ok, "a handler returning false");
                Assert.Equal(ECANCELED, errno, "errno");
                Assert.Equal(3, calls, "no piece after the refusal");
                var boom = new FormatException("boom");
                var caught = Assert.Throws<FormatException>(() => c.Process(data, true, p => { throw boom; }), "a throwing handler");
                Assert.True(ReferenceEquals(boom, caught), "the handler's own exception");
                // Re-entry from the handler is refused (EBUSY); Dispose from it is safe.
                bool inner = true;
                int innerErrno = 0;
                Assert.True(c.Process(data, true, p => { if (inner) { inner = c.Process(data, true, q => true); innerErrno = HP.SysLastError; } return true; }), "outer Process");
                Assert.False(inner, "Process from the handler");
                Assert.Equal(EBUSY, innerErrno, "errno of the nested call");
                var packed = new MemoryStream();
                Assert.True(c.Process(data, true, p => { c.Dispose(); packed.Write(p, 0, p.Length); return true; }), "Dispose inside the handler");
                Same(data, HPSocket.Codecs.Uncompress(packed.ToArray()), "the output of the call that disposed");
                Assert.Throws<ObjectDisposedException>(() => c.Process(data, true), "Process after Dispose");
            }

            // Parameters out of range.
            Func<Action, string, HPSocketException> refused = (a, what) =>
            {
                var e = Assert.Throws<HPSocketException>(a, what);
                Assert.Equal(SocketError.InvalidParam, e.ErrorCode, what + ": code");
                return e;
            };
            refused(() => new ZLibCompressor(16), "window bits 16");
            refused(() => new ZLibCompressor(15, 10), "level 10");
            refused(() => new GZipCompressor(bufferSize: 0), "buffer size 0");
            refused(() => new BrotliCompressor(11, 25), "brotli window 25");
            refused(() => new BrotliCompressor(12), "brotli quality 12");
            refused(() => new ZLibDecompressor(7), "inflate window bits 7");
            refused(() => new BrotliDecompressor(64u * 1024 * 1024 + 1), "buffer over 64 MiB");
            Assert.Throws<ArgumentException>(() => HPSocket.Codecs.CompressEx(data, 10), "SYS_CompressEx level 10");
            Assert.Throws<ArgumentException>(() => HPSocket.Codecs.BrotliCompressEx(data, 12, 22, 0), "SYS_BrotliCompressEx quality 12");
            Assert.Throws<ArgumentOutOfRangeException>(() => { using (var c = new ZLibCompressor()) c.Process(data, 10, data.Length, false, false, p => true); }, "a range outside the data");

            // Base64 and URL codes against the framework's and HP-Socket's rules.
            for (int n = 0; n < 20; n++)
            {
                byte[] b = Util.Fill(n, 0, n);
                byte[] text = HPSocket.Codecs.Base64Encode(b);
                Assert.Equal(Convert.ToBase64String(b), Encoding.ASCII.GetString(text), "Base64Encode of " + n + " bytes");
                Same(b, HPSocket.Codecs.Base64Decode(text), "Base64Decode of " + n + " bytes");
            }
            Same(Encoding.ASCII.GetBytes("hello"), HPSocket.Codecs.Base64Decode(Encoding.ASCII.GetBytes("aGVs\r\nbG8")), "base64 with a line break, no padding");
            Assert.Equal("a+b%26c.-_*%2F%C3%A9", Encoding.ASCII.GetString(HPSocket.Codecs.UrlEncode(Encoding.UTF8.GetBytes("a b&c.-_*/é"))), "UrlEncode");
            Assert.Equal("a b&c/é", Encoding.UTF8.GetString(HPSocket.Codecs.UrlDecode(Encoding.ASCII.GetBytes("a+b%26c%2f%C3%A9"))), "UrlDecode");
            byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
            Same(all, HPSocket.Codecs.UrlDecode(HPSocket.Codecs.UrlEncode(all)), "URL round trip of every byte");
            Same(new byte[0], HPSocket.Codecs.Base64Encode(new byte[0]), "Base64Encode of nothing");
        }

        private static byte[] RunGzip(string args, byte[] stdin)
        {
            var psi = new ProcessStartInfo("gzip", args)
            {
                UseShellExecute = false,
                RedirectStandardInput = stdin != null,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (Process p = Process.Start(psi))
            {
                var output = new MemoryStream();
                var reader = new System.Threading.Thread(() => p.StandardOutput.BaseStream.CopyTo(output));
                reader.Start();
                if (stdin != null)
                {
                    p.StandardInput.BaseStream.Write(stdin, 0, stdin.Length);
                    p.StandardInput.Close();
                }
                string err = p.StandardError.ReadToEnd();
                Assert.True(reader.Join(TimeSpan.FromSeconds(60)), "gzip's output read");
                Assert.True(p.WaitForExit(60000), "gzip finished");
                Assert.Equal(0, p.ExitCode, "gzip " + args + " exit code (" + err + ")");
                return output.ToArray();
            }
        }

        [Test]
        public static void Gzip_output_is_read_by_the_system_gzip()
        {
            byte[] data = Sample(400000, 5);
            string dir = Util.TempDir("gzip");
            var files = new List<Tuple<string, byte[]>>();
            using (var c = new GZipCompressor())
            {
                // Streamed in pieces, with a flush in the middle.
                var packed = new MemoryStream();
                CodecOutputHandler take = p => { packed.Write(p, 0, p.Length); return true; };
                Assert.True(c.Process(data, 0, 100000, false, false, take), "piece 1");
                Assert.True(c.Process(data, 100000, 100000, false, true, take), "piece 2 with a flush");
                Assert.True(c.Process(data, 200000, 200000, true, false, take), "last piece");
                files.Add(Tuple.Create("stream.gz", packed.ToArray()));
            }
            files.Add(Tuple.Create("oneshot.gz", HPSocket.Codecs.GZipCompress(data)));
            using (var c = new ZLibCompressor(31, 1)) files.Add(Tuple.Create("zlib31.gz", c.Process(data, true)));
            files.Add(Tuple.Create("compressex.gz", HPSocket.Codecs.CompressEx(data, 6, 8, 31)));
            foreach (var f in files)
            {
                string path = Path.Combine(dir, f.Item1);
                File.WriteAllBytes(path, f.Item2);
                Same(data, RunGzip("-dc " + path, null), "gzip -dc " + f.Item1);
            }

            // And the other way: gzip's own output through ours.
            byte[] fromGzip = RunGzip("-c -9", data);
            using (var d = new GZipDecompressor()) Same(data, d.Process(fromGzip), "GZipDecompressor reads gzip -c");
            Same(data, HPSocket.Codecs.GZipUncompress(fromGzip), "SYS_GZipUncompress reads gzip -c");
        }
    }
}
