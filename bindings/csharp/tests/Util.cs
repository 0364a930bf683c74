using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>Deterministic byte streams and checksums.</summary>
    public static class Util
    {
        public const ulong FnvInit = 14695981039346656037UL;

        public static ulong Fnv(ulong h, byte[] data, int offset, int count)
        {
            for (int i = offset; i < offset + count; i++)
            {
                h ^= data[i];
                h *= 1099511628211UL;
            }
            return h;
        }

        public static ulong Fnv(ulong h, byte[] data) { return Fnv(h, data, 0, data.Length); }

        /// <summary>Byte <paramref name="pos"/> of stream <paramref name="seed"/>.</summary>
        public static byte Pattern(int seed, long pos)
        {
            unchecked
            {
                ulong x = (ulong)(pos + 1) * 0x9E3779B97F4A7C15UL ^ (ulong)seed * 0xC2B2AE3D27D4EB4FUL;
                x ^= x >> 29;
                return (byte)(x * 0xBF58476D1CE4E5B9UL >> 56);
            }
        }

        public static byte[] Fill(int seed, long pos, int count)
        {
            byte[] b = new byte[count];
            for (int i = 0; i < count; i++) b[i] = Pattern(seed, pos + i);
            return b;
        }

        /// <summary>Starts <paramref name="server"/> on 127.0.0.1 and any free port; returns the port.</summary>
        public static ushort Start(TcpServer server)
        {
            if (!server.Start("127.0.0.1", 0))
                throw new AssertionException("server Start: " + server.ErrorMessage);
            string address;
            ushort port;
            Assert.True(server.GetListenAddress(out address, out port), "GetListenAddress");
            Assert.Equal("127.0.0.1", address, "listen address");
            return port;
        }

        /// <summary>A server that echoes every byte it receives.</summary>
        public static TcpServer EchoServer(uint workers = 2)
        {
            TcpServer s = new TcpServer();
            s.WorkerThreadCount = workers;
            s.OnReceive += (sv, id, data) => sv.Send(id, data) ? HandleResult.Ok : HandleResult.Error;
            return s;
        }

        public static string TempDir(string name)
        {
            string d = Path.Combine(Path.GetTempPath(), "hpsocket-cs-" + Process.GetCurrentProcess().Id + "-" + name);
            Directory.CreateDirectory(d);
            return d;
        }

        public static void Run(string file, string args)
        {
            ProcessStartInfo psi = new ProcessStartInfo(file, args)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (Process p = Process.Start(psi))
            {
                string err = p.StandardError.ReadToEnd();
                p.StandardOutput.ReadToEnd();
                if (!p.WaitForExit(60000)) throw new AssertionException(file + " did not finish");
                if (p.ExitCode != 0) throw new AssertionException(file + " " + args + " failed: " + err);
            }
        }

        /// <summary>A CA, and a server certificate for "localhost" (and "*.example.org" as a
        /// second name) signed by it, made with the openssl tool; cached per process.</summary>
        public sealed class Pki
        {
            public string Dir, CaCert, ServerCert, ServerKey, OtherCert, OtherKey;
            public string ServerCertPem { get { return File.ReadAllText(ServerCert); } }
            public string ServerKeyPem { get { return File.ReadAllText(ServerKey); } }
            public string CaCertPem { get { return File.ReadAllText(CaCert); } }
        }

        private static Pki s_pki;
        private static readonly object s_pkiLock = new object();

        public static Pki MakePki()
        {
            lock (s_pkiLock)
            {
                if (s_pki != null) return s_pki;
                string d = TempDir("pki");
                Pki k = new Pki
                {
                    Dir = d,
                    CaCert = Path.Combine(d, "ca.pem"),
                    ServerCert = Path.Combine(d, "server.pem"),
                    ServerKey = Path.Combine(d, "server.key"),
                    OtherCert = Path.Combine(d, "other.pem"),
                    OtherKey = Path.Combine(d, "other.key"),
                };
                string caKey = Path.Combine(d, "ca.key");
                Run("openssl", "req -x509 -newkey rsa:2048 -nodes -keyout " + caKey + " -out " + k.CaCert +
                    " -days 2 -subj /CN=hpsocket-test-ca");
                foreach (string[] leaf in new[] { new[] { "server", "localhost" }, new[] { "other", "other.example.org" } })
                {
                    string key = Path.Combine(d, leaf[0] + ".key"), csr = Path.Combine(d, leaf[0] + ".csr");
                    string cert = Path.Combine(d, leaf[0] + ".pem"), ext = Path.Combine(d, leaf[0] + ".ext");
                    File.WriteAllText(ext, "subjectAltName=DNS:" + leaf[1] + ",IP:127.0.0.1\n");
                    Run("openssl", "req -newkey rsa:2048 -nodes -keyout " + key + " -out " + csr + " -subj /CN=" + leaf[1]);
                    Run("openssl", "x509 -req -in " + csr + " -CA " + k.CaCert + " -CAkey " + caKey +
                        " -CAcreateserial -out " + cert + " -days 2 -extfile " + ext);
                }
                return s_pki = k;
            }
        }
    }

    /// <summary>One checked stream: what was sent and what came back.</summary>
    public sealed class Stream
    {
        public readonly int Seed;
        public long Sent, Received;
        public ulong SentSum = Util.FnvInit, ReceivedSum = Util.FnvInit;
        public int Messages;
        public string Error;

        public Stream(int seed) { Seed = seed; }

        public byte[] Next(int length)
        {
            byte[] b = Util.Fill(Seed, Sent, length);
            Sent += length;
            SentSum = Util.Fnv(SentSum, b);
            Messages++;
            return b;
        }

        /// <summary>Checks echoed bytes position by position and adds them to the checksum.</summary>
        public void Take(byte[] data)
        {
            for (int i = 0; i < data.Length && Error == null; i++)
                if (data[i] != Util.Pattern(Seed, Received + i))
                    Error = "stream " + Seed + ": byte " + (Received + i) + " differs";
            Received += data.Length;
            ReceivedSum = Util.Fnv(ReceivedSum, data);
        }

        public bool Echoed { get { return Received == Sent; } }
    }
}
