using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace HPSocket.Tests
{
    public static class ErrorTests
    {
        /// <summary>Failures come back as false plus ErrorCode/ErrorMessage; settings refused while
        /// running throw; bad arguments throw before reaching the library.</summary>
        [Test]
        public static void Errors_and_life_cycle()
        {
            using (TcpServer a = new TcpServer())
            using (TcpServer b = new TcpServer())
            {
                Assert.Equal(ServiceState.Stopped, a.State, "new server is stopped");
                Assert.True(a.Stop(), "Stop when stopped does nothing and succeeds");
                Assert.Equal(ServiceState.Stopped, a.State, "still stopped");
                Assert.True(a.Wait(0), "Wait when stopped");
                ushort port = Util.Start(a);
                Assert.False(a.Start("127.0.0.1", 0), "Start twice");
                Assert.Equal(SocketError.IllegalState, a.ErrorCode, "Start twice error");
                b.ReuseAddressPolicy = ReuseAddressPolicy.None;
                Assert.False(b.Start("127.0.0.1", port), "Start on a port in use");
                Assert.Equal(SocketError.SocketBind, b.ErrorCode, "bind error");
                Assert.False(a.Send(new IntPtr(424242), new byte[] { 1 }), "Send to an unknown connection");
                Assert.Equal(SocketError.InvalidParam, a.ErrorCode, "unknown connection error");
                Assert.True(a.ErrorMessage.Contains("424242"), "the text names the id: " + a.ErrorMessage);
                Assert.Throws<HPSocketException>(() => a.MaxConnectionCount = 5, "a setting while running");
                Assert.Throws<ArgumentNullException>(() => a.SendPackets(IntPtr.Zero, (byte[][])null), "null packets");
                Assert.False(a.Wait(50), "Wait times out while running");
                Assert.True(a.Stop(), "Stop");
                Assert.True(a.Wait(), "Wait after Stop");
                Assert.True(a.Start("127.0.0.1", 0), "restart after Stop");
            }

            using (TcpServer s = new TcpServer())
            {
                s.WorkerThreadCount = 0; // accepted now, refused by Start with a text naming it
                Assert.False(s.Start("127.0.0.1", 0), "Start with 0 workers");
                Assert.Equal(SocketError.InvalidParam, s.ErrorCode, "invalid setting");
                Assert.True(s.ErrorMessage.Contains("WorkerThreadCount"), s.ErrorMessage);
                Assert.Throws<HPSocketException>(() => s.ReuseAddressPolicy = (ReuseAddressPolicy)99, "unknown enum value");
            }

            using (TcpClient c = new TcpClient())
            using (TcpServer s = new TcpServer())
            {
                ushort port = Util.Start(s);
                s.Stop();
                Assert.False(c.Start("127.0.0.1", port, false), "connect refused");
                Assert.Equal(SocketError.ConnectServer, c.ErrorCode, "refused error");
                Assert.False(c.Send(new byte[] { 1 }), "Send when not connected");
            }
            Assert.Equal("UNKNOWN ERROR", HP.GetSocketErrorDesc((SocketError)12345), "unknown code text");
            Assert.True(HP.Version >> 24 == 6, "HP-Socket 6.x");
        }

        /// <summary>Settings round-trip while stopped.</summary>
        [Test]
        public static void Settings_round_trip()
        {
            using (TcpServer s = new TcpServer())
            using (TcpAgent a = new TcpAgent())
            using (TcpClient c = new TcpClient())
            {
                s.MaxConnectionCount = 77; Assert.Equal(77u, s.MaxConnectionCount, "MaxConnectionCount");
                s.NoDelay = true; Assert.True(s.NoDelay, "NoDelay");
                s.KeepAliveTime = 1234; Assert.Equal(1234u, s.KeepAliveTime, "KeepAliveTime");
                s.SocketBufferSize = 8192; Assert.Equal(8192u, s.SocketBufferSize, "SocketBufferSize");
                s.SendPolicy = SendPolicy.Direct; Assert.Equal(SendPolicy.Direct, s.SendPolicy, "SendPolicy");
                s.MaxSendQueueBytes = 1 << 20; Assert.Equal(1u << 20, s.MaxSendQueueBytes, "MaxSendQueueBytes");
                Assert.Equal(30000u, s.HalfCloseDrainTimeout, "HalfCloseDrainTimeout default");
                s.HalfCloseDrainTimeout = 250; Assert.Equal(250u, s.HalfCloseDrainTimeout, "HalfCloseDrainTimeout");
                a.SyncConnectTimeout = 3000; Assert.Equal(3000u, a.SyncConnectTimeout, "SyncConnectTimeout");
                a.ConnectTimeout = 4000; Assert.Equal(4000u, a.ConnectTimeout, "ConnectTimeout");
                a.MarkSilence = false; Assert.False(a.MarkSilence, "MarkSilence");
                c.FreeBufferPoolSize = 33; Assert.Equal(33u, c.FreeBufferPoolSize, "FreeBufferPoolSize");
                c.KeepAliveInterval = 555; Assert.Equal(555u, c.KeepAliveInterval, "KeepAliveInterval");
                c.Extra = new IntPtr(99); Assert.Equal(new IntPtr(99), c.Extra, "client raw extra");
                Assert.False(s.IsSecure, "plain TCP");
            }
        }
    }

    public static class ExtraTests
    {
        /// <summary>Managed extras: set in OnAccept, read in OnReceive and OnClose, dropped after it;
        /// an agent's Connect extra is there in the first callback; addresses and IDs.</summary>
        [Test]
        public static void Extras_addresses_and_ids()
        {
            var errors = new ConcurrentQueue<string>();
            var closed = new ManualResetEventSlim(false);
            IntPtr serverConn = IntPtr.Zero;
            using (TcpServer server = new TcpServer())
            using (TcpAgent agent = new TcpAgent())
            {
                server.OnAccept += (s, id, client) =>
                {
                    serverConn = id;
                    if (!s.SetExtra(id, new List<string> { "accepted" })) errors.Enqueue("SetExtra in OnAccept");
                    if (!s.SetConnectionExtra(id, new IntPtr(0x1234))) errors.Enqueue("SetConnectionExtra");
                    return HandleResult.Ok;
                };
                server.OnReceive += (s, id, data) =>
                {
                    var l = s.GetExtra<List<string>>(id);
                    if (l == null) errors.Enqueue("extra missing in OnReceive");
                    else lock (l) l.Add("received");
                    return s.Send(id, data) ? HandleResult.Ok : HandleResult.Error;
                };
                server.OnClose += (s, id, op, err) =>
                {
                    var l = s.GetExtra<List<string>>(id);
                    if (l == null || l.Count < 2) errors.Enqueue("extra missing in OnClose");
                    IntPtr raw;
                    if (!s.GetConnectionExtra(id, out raw) || raw != new IntPtr(0x1234)) errors.Enqueue("raw extra in OnClose");
                    closed.Set();
                    return HandleResult.Ok;
                };
                ushort port = Util.Start(server);

                string firstSeen = null;
                var echoed = new ManualResetEventSlim(false);
                agent.OnPrepareConnect += (a, id, so) => { firstSeen = a.GetExtra<string>(id); return HandleResult.Ok; };
                agent.OnReceive += (a, id, d) => { echoed.Set(); return HandleResult.Ok; };
                Assert.True(agent.Start(null, false), "agent Start (synchronous connects)");
                IntPtr conn;
                Assert.True(agent.Connect("127.0.0.1", port, out conn, "my extra"), "Connect");
                Assert.Equal("my extra", firstSeen, "the extra is attached before the first callback");
                Assert.Equal("my extra", agent.GetExtra<string>(conn), "agent extra");
                agent.Send(conn, new byte[] { 1 });
                Assert.Wait(echoed, "echo");

                string addr; ushort p;
                Assert.True(server.GetRemoteAddress(serverConn, out addr, out p), "GetRemoteAddress");
                Assert.Equal("127.0.0.1", addr, "remote address");
                ushort agentLocal;
                Assert.True(agent.GetLocalAddress(conn, out addr, out agentLocal), "agent GetLocalAddress");
                Assert.Equal(p, agentLocal, "the server's remote port is the agent's local port");
                Assert.True(server.GetLocalAddress(serverConn, out addr, out p), "GetLocalAddress");
                Assert.Equal(port, p, "server local port");
                IntPtr[] ids = server.GetAllConnectionIds();
                Assert.Equal(1, ids.Length, "one connection");
                Assert.Equal(serverConn, ids[0], "its id");
                uint period;
                Assert.True(server.GetConnectPeriod(serverConn, out period), "GetConnectPeriod");
                int pending;
                Assert.True(server.GetPendingDataLength(serverConn, out pending), "GetPendingDataLength");
                bool paused;
                Assert.True(server.PauseReceive(serverConn), "PauseReceive");
                Assert.True(server.IsPauseReceive(serverConn, out paused) && paused, "IsPauseReceive");
                Assert.True(server.PauseReceive(serverConn, false), "resume");

                Assert.True(agent.Disconnect(conn), "Disconnect");
                Assert.Wait(closed, "server OnClose");
                // `closed` is set inside OnClose; the connection is gone once OnClose returned.
                Assert.Until(() => server.ConnectionCount == 0, "the connection to be gone");
                Assert.Equal(null, server.GetExtra(serverConn), "dropped after OnClose");
                Assert.False(server.SetExtra(serverConn, "late"), "SetExtra on a closed connection");
                Assert.Equal(0, errors.Count, string.Join("; ", errors));
            }
        }
    }

    public static class Utf8Tests
    {
        /// <summary>Strings cross the boundary as UTF-8 whatever the locale: a host name after '^',
        /// a file name for SendSmallFile, error texts.</summary>
        [Test]
        public static void Utf8_host_names_and_file_names()
        {
            const string Host = "hôte-主机-хост";
            string dir = Util.TempDir("utf8");
            string file = Path.Combine(dir, "données-数据-файл.bin");
            byte[] content = Util.Fill(3, 0, 5000);
            File.WriteAllBytes(file, content);
            var received = new List<byte>();
            var all = new ManualResetEventSlim(false);
            byte[] head = Encoding.UTF8.GetBytes("head:"), tail = Encoding.UTF8.GetBytes(":tail");
            using (TcpServer server = new TcpServer())
            using (TcpAgent agent = new TcpAgent())
            using (TcpClient client = new TcpClient())
            {
                server.OnReceive += (s, id, data) =>
                {
                    lock (received) { received.AddRange(data); if (received.Count == head.Length + content.Length + tail.Length) all.Set(); }
                    return HandleResult.Ok;
                };
                ushort port = Util.Start(server);
                Assert.True(agent.Start(null, false), "agent Start");
                IntPtr conn;
                Assert.True(agent.Connect("127.0.0.1^" + Host, port, out conn), "Connect with a UTF-8 host name: " + agent.ErrorMessage);
                string host; ushort p;
                Assert.True(agent.GetRemoteHost(conn, out host, out p), "GetRemoteHost");
                Assert.Equal(Host, host, "host name round trip");
                Assert.Equal(port, p, "port");

                Assert.True(client.Start("127.0.0.1^" + Host, port, false), "client Start");
                Assert.True(client.GetRemoteHost(out host, out p), "client GetRemoteHost");
                Assert.Equal(Host, host, "client host name round trip");
                Assert.True(client.SendSmallFile(file, head, tail), "SendSmallFile with a UTF-8 name: " + client.ErrorMessage);
                Assert.Wait(all, "file bytes");
                byte[] want = new byte[head.Length + content.Length + tail.Length];
                head.CopyTo(want, 0); content.CopyTo(want, head.Length); tail.CopyTo(want, head.Length + content.Length);
                lock (received) Assert.Equal(Convert.ToBase64String(want), Convert.ToBase64String(received.ToArray()), "head + file + tail");

                Assert.False(client.SendSmallFile(Path.Combine(dir, "manquant-缺失.bin")), "missing file");
                Assert.True(client.ErrorMessage.Contains("缺失"), "the error text keeps the UTF-8 name: " + client.ErrorMessage);
            }
            Directory.Delete(dir, true);
        }
    }

    public static class SslTests
    {
        /// <summary>TLS echo: SSL server and client (PUSH), with OnHandShake and the protocol version;
        /// then SSL PACK server and agent; then SSL PULL server and client; the SNI callback picks a
        /// certificate, and an SNI callback that throws aborts only that handshake.</summary>
        [Test(Timeout = 180)]
        public static void Ssl_echo_push_pack_pull_and_sni()
        {
            Util.Pki pki = Util.MakePki();
            var errors = new ConcurrentQueue<string>();

            using (SslServer server = new SslServer())
            using (SslClient client = new SslClient())
            {
                var sni = new ConcurrentQueue<string>();
                Assert.True(server.Ssl.Setup(SslVerifyMode.None, pki.ServerCert, pki.ServerKey, null, null,
                    name => { sni.Enqueue(name); if (name == "bad.example.org") throw new Exception("no such name"); return 0; }),
                    "server Setup: " + server.ErrorMessage);
                int handShakes = 0;
                server.OnHandShake += (s, id) => { Interlocked.Increment(ref handShakes); return HandleResult.Ok; };
                server.OnReceive += (s, id, d) => s.Send(id, d) ? HandleResult.Ok : HandleResult.Error;
                server.OnCallbackException += (s, cb, e) => { if (cb != "ServerNameCallback") errors.Enqueue(cb + ": " + e.Message); };
                Assert.True(server.IsSecure, "IsSecure");
                ushort port = Util.Start(server);

                Assert.True(client.Ssl.SetupByMemory(SslVerifyMode.Peer, null, null, null, pki.CaCertPem), "client Setup: " + client.ErrorMessage);
                var shaken = new ManualResetEventSlim(false);
                var echoed = new ManualResetEventSlim(false);
                var st = new Stream(77);
                client.OnHandShake += (c, id) => { shaken.Set(); return HandleResult.Ok; };
                client.OnReceive += (c, id, d) => { lock (st) { st.Take(d); if (st.Echoed) echoed.Set(); } return HandleResult.Ok; };
                Assert.True(client.Start("127.0.0.1^localhost", port, false), "client Start: " + client.ErrorMessage);
                Assert.Wait(shaken, "client handshake");
                string version = client.Ssl.GetProtocolVersion();
                Assert.True(version != null && version.StartsWith("TLSv1"), "protocol version: " + version);
                lock (st) client.Send(st.Next(100000));
                Assert.Wait(echoed, "TLS echo");
                Assert.Equal(st.SentSum, st.ReceivedSum, "TLS checksum");
                Assert.True(sni.Contains("localhost"), "SNI callback saw the name: " + string.Join(",", sni));
                Assert.Equal(1, Volatile.Read(ref handShakes), "server OnHandShake");

                using (SslClient bad = new SslClient())
                {
                    var badClosed = new ManualResetEventSlim(false);
                    bool badShaken = false;
                    bad.Ssl.Setup(SslVerifyMode.None);
                    bad.OnHandShake += (c, id) => { badShaken = true; return HandleResult.Ok; };
                    bad.OnClose += (c, id, op, err) => { badClosed.Set(); return HandleResult.Ok; };
                    bad.Start("127.0.0.1^bad.example.org", port, false);
                    Assert.Wait(badClosed, "the throwing SNI callback aborts the handshake");
                    Assert.False(badShaken, "no handshake");
                }
            }

            using (SslPackServer server = new SslPackServer())
            using (SslPackAgent agent = new SslPackAgent())
            {
                Assert.True(server.Ssl.SetupByMemory(SslVerifyMode.None, pki.ServerCertPem, pki.ServerKeyPem), "PACK server Setup");
                server.MaxPackSize = 0xFFFF;
                server.OnReceive += (s, id, m) => s.Send(id, m) ? HandleResult.Ok : HandleResult.Error;
                ushort port = Util.Start(server);
                agent.MaxPackSize = 0xFFFF;
                Assert.True(agent.Ssl.Setup(SslVerifyMode.Peer, null, null, null, pki.CaCert), "PACK agent Setup");
                var done = new ManualResetEventSlim(false);
                int n = 0;
                agent.OnHandShake += (a, id) => a.Send(id, Util.Fill(0, 0, 1000)) ? HandleResult.Ok : HandleResult.Error;
                agent.OnReceive += (a, id, m) =>
                {
                    if (m.Length != 1000 + n) errors.Enqueue("SSL PACK message " + n + " has " + m.Length + " bytes");
                    if (++n == 30) done.Set(); else a.Send(id, Util.Fill(n, 0, 1000 + n));
                    return HandleResult.Ok;
                };
                Assert.True(agent.Start(), "PACK agent Start");
                Assert.True(agent.Connect("127.0.0.1^localhost", port), "PACK agent Connect");
                Assert.Wait(done, "SSL PACK ping-pong");
            }

            using (SslPullServer server = new SslPullServer())
            using (SslPullClient client = new SslPullClient())
            {
                Assert.True(server.Ssl.Setup(SslVerifyMode.None, pki.ServerCert, pki.ServerKey), "PULL server Setup");
                server.OnPullReceive += (s, id, len) =>
                {
                    byte[] all = new byte[len];
                    if (s.Fetch(id, all) != FetchResult.Ok) return HandleResult.Error;
                    return s.Send(id, all) ? HandleResult.Ok : HandleResult.Error;
                };
                ushort port = Util.Start(server);
                Assert.True(client.Ssl.Setup(SslVerifyMode.None), "PULL client Setup");
                var st = new Stream(5);
                var echoed = new ManualResetEventSlim(false);
                client.OnPullReceive += (c, id, len) =>
                {
                    byte[] b = new byte[len];
                    if (c.Fetch(b) != FetchResult.Ok) return HandleResult.Error;
                    lock (st) { st.Take(b); if (st.Echoed) echoed.Set(); }
                    return HandleResult.Ok;
                };
                Assert.True(client.Start("127.0.0.1", port, false), "PULL client Start");
                lock (st) client.Send(st.Next(50000));
                Assert.Wait(echoed, "SSL PULL echo");
                Assert.Equal(st.SentSum, st.ReceivedSum, "SSL PULL checksum");
            }
            Assert.Equal(0, errors.Count, string.Join("; ", errors));
        }

        /// <summary>VerifyHostName (generated from the settings registry): a client verifying its
        /// peer refuses a certificate that is not for the SNI name it asked for, unless the check is
        /// off; an agent's switch round-trips while stopped and a change while started throws.</summary>
        [Test(Timeout = 120)]
        public static void Ssl_verify_host_name_switch()
        {
            Util.Pki pki = Util.MakePki();
            using (SslServer server = new SslServer())
            {
                Assert.True(server.Ssl.Setup(SslVerifyMode.None, pki.ServerCert, pki.ServerKey), "server Setup: " + server.ErrorMessage);
                ushort port = Util.Start(server);
                foreach (bool check in new[] { true, false })
                {
                    using (SslClient client = new SslClient())
                    {
                        Assert.True(client.Ssl.VerifyHostName, "checked by default");
                        client.Ssl.VerifyHostName = check;
                        Assert.Equal(check, client.Ssl.VerifyHostName, "client round trip");
                        Assert.True(client.Ssl.Setup(SslVerifyMode.Peer, null, null, null, pki.CaCert), "client Setup: " + client.ErrorMessage);
                        var done = new ManualResetEventSlim(false);
                        bool shaken = false;
                        int closeErr = 0;
                        client.OnHandShake += (c, id) => { shaken = true; done.Set(); return HandleResult.Ok; };
                        client.OnClose += (c, id, op, err) => { closeErr = err; done.Set(); return HandleResult.Ok; };
                        // The certificate is for localhost and 127.0.0.1, not for the name asked for.
                        Assert.True(client.Start("127.0.0.1^evil.example", port, true), "client Start: " + client.ErrorMessage);
                        Assert.Wait(done, "handshake or close");
                        Assert.Equal(!check, shaken, "handshake with the check " + (check ? "on" : "off"));
                        if (check) Assert.Equal("EKEYREJECTED", SysError.Name(closeErr), "close reason");
                    }
                }
            }
            using (SslAgent agent = new SslAgent())
            {
                Assert.True(agent.Ssl.VerifyHostName, "agent: checked by default");
                agent.Ssl.VerifyHostName = false;
                Assert.False(agent.Ssl.VerifyHostName, "agent round trip");
                agent.Ssl.VerifyHostName = true;
                Assert.True(agent.Ssl.Setup(SslVerifyMode.Peer, null, null, null, pki.CaCert), "agent Setup: " + agent.ErrorMessage);
                Assert.True(agent.Start(), "agent Start: " + agent.ErrorMessage);
                Assert.Throws<HPSocketException>(() => agent.Ssl.VerifyHostName = false, "a change while started is refused");
                Assert.True(agent.Ssl.VerifyHostName, "unchanged while started");
            }
        }
    }
}
