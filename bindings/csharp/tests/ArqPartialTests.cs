using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>ARQ partial reliability and UDP socket buffers on 127.0.0.1: SendEx with a limit
    /// works when both sides offered PartialReliability and fails (IllegalState, EOPNOTSUPP) when
    /// one did not; a message given up while a relay swallows the client's datagrams is reported
    /// once by OnMessageDropped (id and size) and every other message arrives whole and in order;
    /// SocketRecvBufferSize/SocketSendBufferSize default to 0, round-trip, are refused by Start
    /// outside 1024..1073741824, ignored while started, and applied (getsockopt in
    /// OnPrepareListen/OnPrepareConnect reads twice the value).</summary>
    public static class ArqPartialTests
    {
        private const int EOPNOTSUPP = 95;
        private const int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_RCVBUF = 8;

        [DllImport("libc", SetLastError = true)]
        private static extern int getsockopt(int fd, int level, int name, ref int value, ref int length);

        private static int SockOpt(IntPtr socket, int name)
        {
            int v = -1, len = 4;
            return getsockopt(socket.ToInt32(), SOL_SOCKET, name, ref v, ref len) == 0 ? v : -1;
        }

        private static void Fast(UdpArqServer s) { s.NoDelay = true; s.FlushInterval = 10; s.ResendByAcks = 2; }
        private static void Fast(UdpArqClient c) { c.NoDelay = true; c.FlushInterval = 10; c.ResendByAcks = 2; }
        private static void Fast(UdpArqAgent a) { a.NoDelay = true; a.FlushInterval = 10; a.ResendByAcks = 2; }

        private static byte[] Take(BlockingCollection<byte[]> q, string what)
        {
            byte[] b;
            if (!q.TryTake(out b, TimeSpan.FromSeconds(30)))
                throw new AssertionException("timed out after 30 s waiting for " + what);
            return b;
        }

        private static IntPtr TakeId(BlockingCollection<IntPtr> q, string what)
        {
            IntPtr id;
            if (!q.TryTake(out id, TimeSpan.FromSeconds(30)))
                throw new AssertionException("timed out after 30 s waiting for " + what);
            return id;
        }

        private static void Same(byte[] expected, byte[] actual, string what)
        {
            Assert.True(expected.SequenceEqual(actual), what + ": " + actual.Length + " bytes, expected " + expected.Length);
        }

        [Test]
        public static void Negotiation_client_server_agent()
        {
            using (UdpArqServer server = new UdpArqServer())
            using (UdpArqClient client = new UdpArqClient())
            using (UdpArqClient plain = new UdpArqClient())
            using (UdpArqAgent agent = new UdpArqAgent())
            {
                var got = new BlockingCollection<byte[]>();
                var handshaken = new BlockingCollection<IntPtr>();
                var clientGot = new BlockingCollection<byte[]>();
                var clientReady = new ManualResetEventSlim();
                var plainReady = new ManualResetEventSlim();
                var agentReady = new ManualResetEventSlim();
                server.OnHandShake += (s, id) => { handshaken.Add(id); return HandleResult.Ok; };
                server.OnReceive += (s, id, data) => { got.Add(data); return HandleResult.Ok; };
                client.OnHandShake += (c, id) => { clientReady.Set(); return HandleResult.Ok; };
                client.OnReceive += (c, id, data) => { clientGot.Add(data); return HandleResult.Ok; };
                plain.OnHandShake += (c, id) => { plainReady.Set(); return HandleResult.Ok; };
                agent.OnHandShake += (a, id) => { agentReady.Set(); return HandleResult.Ok; };

                Assert.False(server.PartialReliability, "server default");
                Assert.False(client.PartialReliability, "client default");
                Assert.False(agent.PartialReliability, "agent default");
                server.PartialReliability = true;
                client.PartialReliability = true;
                agent.PartialReliability = true;
                Assert.True(server.PartialReliability, "server round trip");
                Fast(server); Fast(client); Fast(plain); Fast(agent);
                ushort port = Util.Start(server);
                Assert.Throws<HPSocketException>(() => server.PartialReliability = false, "set while started");
                Assert.True(server.PartialReliability, "unchanged while started");

                Assert.True(client.Start("127.0.0.1", port, true), "client Start: " + client.ErrorMessage);
                Assert.Wait(clientReady, "the client's OnHandShake");
                IntPtr toClient = TakeId(handshaken, "the server's first OnHandShake");
                byte[] m1 = Util.Fill(1, 0, 100), m2 = Util.Fill(2, 0, 200), m3 = Util.Fill(3, 0, 300);
                uint msgId;
                Assert.True(client.SendEx(m1, 60000, -1, out msgId), "client SendEx with a deadline: " + client.ErrorMessage);
                Assert.Equal(1u, msgId, "first id");
                Assert.True(client.SendEx(m2, 0, 50, out msgId), "client SendEx with a retransmit limit");
                Assert.Equal(2u, msgId, "second id");
                Assert.True(client.SendEx(m3, 0, -1, out msgId), "client SendEx without a limit");
                Assert.Equal(0u, msgId, "no limit: a plain Send, id 0");
                Same(m1, Take(got, "m1"), "m1");
                Same(m2, Take(got, "m2"), "m2");
                Same(m3, Take(got, "m3"), "m3");
                Assert.True(server.SendEx(toClient, m1, 60000, 100, out msgId), "server SendEx: " + server.ErrorMessage);
                Assert.Equal(1u, msgId, "the server's first id");
                Same(m1, Take(clientGot, "the server's message"), "server to client");

                // One side off: a limit is refused either way, no limit sends.
                Assert.True(plain.Start("127.0.0.1", port, true), "plain Start: " + plain.ErrorMessage);
                Assert.Wait(plainReady, "the plain client's OnHandShake");
                IntPtr toPlain = TakeId(handshaken, "the server's second OnHandShake");
                Assert.False(plain.SendEx(m1, 100, -1, out msgId), "plain SendEx with a deadline");
                Assert.Equal(SocketError.IllegalState, plain.ErrorCode, "plain error code");
                Assert.Equal(EOPNOTSUPP, HP.SysLastError, "plain errno");
                Assert.False(plain.SendEx(m1, 0, 3), "plain SendEx with a retransmit limit");
                Assert.Equal(SocketError.IllegalState, plain.ErrorCode, "plain error code (limit)");
                Assert.False(server.SendEx(toPlain, m1, 100, -1, out msgId), "server SendEx to the plain client");
                Assert.Equal(SocketError.IllegalState, server.ErrorCode, "server error code");
                Assert.Equal(EOPNOTSUPP, HP.SysLastError, "server errno");
                Assert.True(plain.SendEx(m2, 0, -1, out msgId), "plain SendEx without a limit");
                Assert.Equal(0u, msgId, "plain id");
                Same(m2, Take(got, "the plain client's message"), "plain");

                // The agent.
                Assert.True(agent.Start(), "agent Start: " + agent.ErrorMessage);
                IntPtr aid;
                Assert.True(agent.Connect("127.0.0.1", port, out aid), "agent Connect: " + agent.ErrorMessage);
                Assert.Wait(agentReady, "the agent's OnHandShake");
                Assert.True(agent.SendEx(aid, m3, 60000, -1, out msgId), "agent SendEx: " + agent.ErrorMessage);
                Assert.Equal(1u, msgId, "the agent's first id");
                Same(m3, Take(got, "the agent's message"), "agent");
                Assert.True(agent.Stop(), "agent Stop");
                Assert.True(plain.Stop(), "plain Stop");
                Assert.True(client.Stop(), "client Stop");
                Assert.True(server.Stop(), "server Stop");
            }
        }

        /// <summary>A UDP relay between one client and the server; while Blackout is set it
        /// swallows the client's KCP datagrams (24 bytes and more: the 12-byte handshake and the
        /// empty heartbeats pass).</summary>
        private sealed class Relay : IDisposable
        {
            private readonly System.Net.Sockets.Socket _s;
            private readonly IPEndPoint _server;
            private readonly Thread _thread;
            private volatile bool _stop;
            public volatile bool Blackout;
            public int Swallowed;
            public readonly ushort Port;

            public Relay(ushort serverPort)
            {
                _server = new IPEndPoint(IPAddress.Loopback, serverPort);
                _s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
                    System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
                _s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                Port = (ushort)((IPEndPoint)_s.LocalEndPoint).Port;
                _thread = new Thread(Run) { IsBackground = true };
                _thread.Start();
            }

            private void Run()
            {
                byte[] buf = new byte[65536];
                EndPoint client = null;
                while (!_stop)
                {
                    if (!_s.Poll(20000, System.Net.Sockets.SelectMode.SelectRead)) continue;
                    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                    int n;
                    try { n = _s.ReceiveFrom(buf, ref from); }
                    catch (System.Net.Sockets.SocketException) { continue; }
                    bool fromServer = ((IPEndPoint)from).Port == _server.Port;
                    if (!fromServer)
                    {
                        client = from;
                        if (n >= 24 && Blackout) { Interlocked.Increment(ref Swallowed); continue; }
                    }
                    else if (client == null) continue;
                    try { _s.SendTo(buf, n, System.Net.Sockets.SocketFlags.None, fromServer ? client : _server); }
                    catch (System.Net.Sockets.SocketException) { }
                }
            }

            public void Dispose()
            {
                _stop = true;
                _thread.Join();
                _s.Close();
            }
        }

        [Test]
        public static void Message_dropped_in_a_blackout_is_reported_once()
        {
            const int Messages = 30, Big = 3000;
            using (UdpArqServer server = new UdpArqServer())
            using (UdpArqClient client = new UdpArqClient())
            {
                var got = new BlockingCollection<byte[]>();
                var dropped = new BlockingCollection<KeyValuePair<uint, int>>();
                var ready = new ManualResetEventSlim();
                var serverReady = new ManualResetEventSlim();
                server.OnHandShake += (s, id) => { serverReady.Set(); return HandleResult.Ok; };
                server.OnReceive += (s, id, data) => { got.Add(data); return HandleResult.Ok; };
                client.OnHandShake += (c, id) => { ready.Set(); return HandleResult.Ok; };
                client.OnMessageDropped += (c, id, msg, len) => { dropped.Add(new KeyValuePair<uint, int>(msg, len)); return HandleResult.Ok; };
                server.PartialReliability = true;
                client.PartialReliability = true;
                Fast(server); Fast(client);
                // No heartbeats: the blackout must not close the connection.
                server.DetectAttempts = 0;
                client.DetectAttempts = 0;
                ushort port = Util.Start(server);
                using (Relay relay = new Relay(port))
                {
                    Assert.True(client.Start("127.0.0.1", relay.Port, true), "client Start: " + client.ErrorMessage);
                    Assert.Wait(ready, "the client's OnHandShake");
                    Assert.Wait(serverReady, "the server's OnHandShake");

                    var msgs = new List<byte[]>();
                    for (int i = 0; i < Messages; i++) msgs.Add(Util.Fill(i, 0, i == 1 ? Big : 1 + (i * 397) % Big));

                    relay.Blackout = true;
                    uint msgId;
                    Assert.True(client.SendEx(msgs[0], 0, -1, out msgId), "message 0");
                    Assert.Equal(0u, msgId, "message 0 id");
                    Assert.True(client.SendEx(msgs[1], 200, -1, out msgId), "message 1: " + client.ErrorMessage);
                    Assert.Equal(1u, msgId, "message 1 id");
                    Assert.True(client.SendEx(msgs[2], 0, -1), "message 2");
                    KeyValuePair<uint, int> d;
                    Assert.True(dropped.TryTake(out d, TimeSpan.FromSeconds(30)), "OnMessageDropped within 30 s");
                    Assert.Equal(1u, d.Key, "the dropped id");
                    Assert.Equal(Big, d.Value, "the dropped size");
                    Assert.True(Volatile.Read(ref relay.Swallowed) > 0, "the relay swallowed datagrams");
                    relay.Blackout = false;

                    for (int i = 3; i < Messages; i++)
                    {
                        if (i % 2 == 1) Assert.True(client.SendEx(msgs[i], 60000, -1), "SendEx " + i);
                        else Assert.True(client.Send(msgs[i]), "Send " + i);
                    }
                    for (int i = 0; i < Messages; i++)
                    {
                        if (i == 1) continue;
                        Same(msgs[i], Take(got, "message " + i), "message " + i);
                    }
                    int waiting = -1;
                    Assert.Until(() => client.GetWaitingSendMessageCount(out waiting) && waiting == 0, "nothing waiting");
                    Assert.Equal(0, got.Count, "nothing more arrived");
                    Assert.Equal(0, dropped.Count, "one drop only");
                    Assert.True(client.Stop(), "client Stop");
                }
                Assert.True(server.Stop(), "server Stop");
            }
        }

        [Test]
        public static void Socket_buffer_sizes()
        {
            int listenRcv = -1, listenSnd = -1, connectRcv = -1, connectSnd = -1, agentRcv = -1, agentSnd = -1;
            using (UdpArqServer server = new UdpArqServer())
            using (UdpArqClient client = new UdpArqClient())
            using (UdpArqAgent agent = new UdpArqAgent())
            {
                var got = new BlockingCollection<byte[]>();
                var ready = new ManualResetEventSlim();
                var agentReady = new ManualResetEventSlim();
                server.OnPrepareListen += (s, so) =>
                {
                    Volatile.Write(ref listenRcv, SockOpt(so, SO_RCVBUF));
                    Volatile.Write(ref listenSnd, SockOpt(so, SO_SNDBUF));
                    return HandleResult.Ok;
                };
                server.OnReceive += (s, id, data) => { got.Add(data); return HandleResult.Ok; };
                client.OnPrepareConnect += (c, id, so) =>
                {
                    Volatile.Write(ref connectRcv, SockOpt(so, SO_RCVBUF));
                    Volatile.Write(ref connectSnd, SockOpt(so, SO_SNDBUF));
                    return HandleResult.Ok;
                };
                client.OnHandShake += (c, id) => { ready.Set(); return HandleResult.Ok; };
                agent.OnPrepareConnect += (a, id, so) =>
                {
                    Volatile.Write(ref agentRcv, SockOpt(so, SO_RCVBUF));
                    Volatile.Write(ref agentSnd, SockOpt(so, SO_SNDBUF));
                    return HandleResult.Ok;
                };
                agent.OnHandShake += (a, id) => { agentReady.Set(); return HandleResult.Ok; };

                Assert.Equal(0u, server.SocketRecvBufferSize, "server default recv");
                Assert.Equal(0u, server.SocketSendBufferSize, "server default send");
                server.SocketRecvBufferSize = 1023;
                Assert.False(server.Start("127.0.0.1", 0), "Start with 1023");
                Assert.Equal(SocketError.InvalidParam, server.ErrorCode, "1023 refused");
                server.SocketRecvBufferSize = 96 * 1024;
                server.SocketSendBufferSize = 80 * 1024;
                Assert.Equal(96u * 1024, server.SocketRecvBufferSize, "server round trip");
                Fast(server);
                ushort port = Util.Start(server);
                Assert.Equal(2 * 96 * 1024, Volatile.Read(ref listenRcv), "SO_RCVBUF of the listening socket");
                Assert.Equal(2 * 80 * 1024, Volatile.Read(ref listenSnd), "SO_SNDBUF of the listening socket");
                Assert.Throws<HPSocketException>(() => server.SocketRecvBufferSize = 4096, "set while started");
                Assert.Equal(96u * 1024, server.SocketRecvBufferSize, "unchanged while started");

                Assert.Equal(0u, client.SocketRecvBufferSize, "client default recv");
                client.SocketSendBufferSize = 1000;
                Assert.False(client.Start("127.0.0.1", port, true), "client Start with 1000");
                Assert.Equal(SocketError.InvalidParam, client.ErrorCode, "1000 refused");
                client.SocketSendBufferSize = 48 * 1024;
                client.SocketRecvBufferSize = 64 * 1024;
                Fast(client);
                Assert.True(client.Start("127.0.0.1", port, true), "client Start: " + client.ErrorMessage);
                Assert.Wait(ready, "the client's OnHandShake");
                Assert.Equal(2 * 64 * 1024, Volatile.Read(ref connectRcv), "SO_RCVBUF of the client");
                Assert.Equal(2 * 48 * 1024, Volatile.Read(ref connectSnd), "SO_SNDBUF of the client");
                byte[] m = Util.Fill(7, 0, 1000);
                Assert.True(client.Send(m), "client Send");
                Same(m, Take(got, "the client's message"), "through buffers set");

                Assert.Equal(0u, agent.SocketRecvBufferSize, "agent default recv");
                Assert.Equal(0u, agent.SocketSendBufferSize, "agent default send");
                agent.SocketRecvBufferSize = 2000000000u;
                Assert.False(agent.Start(), "agent Start with 2000000000");
                Assert.Equal(SocketError.InvalidParam, agent.ErrorCode, "2000000000 refused");
                agent.SocketRecvBufferSize = 100 * 1024;
                agent.SocketSendBufferSize = 32 * 1024;
                Fast(agent);
                Assert.True(agent.Start(), "agent Start: " + agent.ErrorMessage);
                IntPtr aid;
                Assert.True(agent.Connect("127.0.0.1", port, out aid), "agent Connect: " + agent.ErrorMessage);
                Assert.Wait(agentReady, "the agent's OnHandShake");
                Assert.Equal(2 * 100 * 1024, Volatile.Read(ref agentRcv), "SO_RCVBUF of the agent's socket");
                Assert.Equal(2 * 32 * 1024, Volatile.Read(ref agentSnd), "SO_SNDBUF of the agent's socket");
                Assert.Throws<HPSocketException>(() => agent.SocketSendBufferSize = 4096, "agent set while started");
                Assert.True(agent.Stop(), "agent Stop");
                Assert.True(client.Stop(), "client Stop");
                Assert.True(server.Stop(), "server Stop");
            }

            // The plain UDP server and client take them too.
            int udpRcv = -1, udpSnd = -1;
            using (UdpServer udp = new UdpServer())
            using (UdpClient uc = new UdpClient())
            {
                var connected = new ManualResetEventSlim();
                udp.OnPrepareListen += (s, so) => { Volatile.Write(ref udpRcv, SockOpt(so, SO_RCVBUF)); return HandleResult.Ok; };
                uc.OnPrepareConnect += (c, id, so) => { Volatile.Write(ref udpSnd, SockOpt(so, SO_SNDBUF)); return HandleResult.Ok; };
                uc.OnConnect += (c, id) => { connected.Set(); return HandleResult.Ok; };
                Assert.Equal(0u, udp.SocketSendBufferSize, "UDP server default send");
                udp.SocketRecvBufferSize = 40 * 1024;
                ushort port = Util.Start(udp);
                Assert.Equal(2 * 40 * 1024, Volatile.Read(ref udpRcv), "SO_RCVBUF of the UDP server");
                uc.SocketSendBufferSize = 24 * 1024;
                Assert.Equal(24u * 1024, uc.SocketSendBufferSize, "UDP client round trip");
                Assert.True(uc.Start("127.0.0.1", port, true), "UDP client Start: " + uc.ErrorMessage);
                Assert.Wait(connected, "the UDP client's OnConnect");
                Assert.Equal(2 * 24 * 1024, Volatile.Read(ref udpSnd), "SO_SNDBUF of the UDP client");
                Assert.True(uc.Stop(), "UDP client Stop");
                Assert.True(udp.Stop(), "UDP server Stop");
            }
        }
    }
}
