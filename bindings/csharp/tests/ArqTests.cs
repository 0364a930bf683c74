using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>UDP ARQ (KCP): after OnHandShake on both sides, messages of 1 byte to MaxMessageSize
    /// echo whole and in order; an empty or oversize message fails (EMSGSIZE) and sends nothing; the
    /// ARQ settings have HP-Socket's defaults, round-trip, and bad ones are refused by Start; no
    /// handshake within HandShakeTimeout closes with ETIMEDOUT. Every wait is bounded.</summary>
    public static class ArqTests
    {
        private const int EMSGSIZE = 90;
        private const int ETIMEDOUT = 110;
        private const int ENOTCONN = 107;

        /// <summary>A started ARQ echo server and a client, handshaken on both sides.</summary>
        private sealed class Pair : IDisposable
        {
            public readonly UdpArqServer Server = new UdpArqServer();
            public readonly UdpArqClient Client = new UdpArqClient();
            public readonly BlockingCollection<byte[]> ServerGot = new BlockingCollection<byte[]>();
            public readonly BlockingCollection<byte[]> ClientGot = new BlockingCollection<byte[]>();
            public readonly ManualResetEventSlim ServerReady = new ManualResetEventSlim();
            public readonly ManualResetEventSlim ClientReady = new ManualResetEventSlim();

            public Pair(uint maxMessageSize = 0)
            {
                if (maxMessageSize != 0)
                {
                    Server.MaxMessageSize = maxMessageSize;
                    Client.MaxMessageSize = maxMessageSize;
                }
                Server.WorkerThreadCount = 2;
                Server.OnHandShake += (s, id) => { ServerReady.Set(); return HandleResult.Ok; };
                Server.OnReceive += (s, id, data) =>
                {
                    ServerGot.Add(data);
                    return s.Send(id, data) ? HandleResult.Ok : HandleResult.Error;
                };
                Client.OnHandShake += (c, id) => { ClientReady.Set(); return HandleResult.Ok; };
                Client.OnReceive += (c, id, data) => { ClientGot.Add(data); return HandleResult.Ok; };
                ushort port = Util.Start(Server);
                Assert.True(Client.Start("127.0.0.1", port, true), "client Start: " + Client.ErrorMessage);
                Assert.Wait(ClientReady, "the client's OnHandShake");
                Assert.Wait(ServerReady, "the server's OnHandShake");
            }

            public IntPtr ConnId()
            {
                IntPtr[] ids = Server.GetAllConnectionIds();
                Assert.Equal(1, ids.Length, "one peer, one connection");
                return ids[0];
            }

            public static byte[] Next(BlockingCollection<byte[]> q)
            {
                byte[] d;
                if (!q.TryTake(out d, TimeSpan.FromSeconds(30))) throw new AssertionException("timed out waiting for a message");
                return d;
            }

            public void Dispose()
            {
                Client.Dispose();
                Server.Dispose();
            }
        }

        [Test]
        public static void Messages_of_1_byte_to_MaxMessageSize_echo_whole_and_in_order()
        {
            using (Pair p = new Pair())
            {
                int max = (int)p.Client.MaxMessageSize;
                Assert.Equal(4096, max, "default MaxMessageSize");
                List<int> sizes = Enumerable.Range(1, 100).ToList();
                for (int n = 101; n < max; n += 61) sizes.Add(n);
                sizes.AddRange(new[] { 1431, 1432, 1433, max - 1, max });
                List<byte[]> sent = new List<byte[]>();
                for (int i = 0; i < sizes.Count; i++)
                {
                    byte[] m = Util.Fill(i + 1, 0, sizes[i]);
                    sent.Add(m);
                    Assert.True(p.Client.Send(m), "Send " + sizes[i] + ": " + p.Client.ErrorMessage);
                }
                for (int i = 0; i < sent.Count; i++)
                    Assert.True(sent[i].SequenceEqual(Pair.Next(p.ClientGot)), "echo " + i + " of " + sent[i].Length + " B");
                for (int i = 0; i < sent.Count; i++)
                    Assert.True(sent[i].SequenceEqual(Pair.Next(p.ServerGot)), "server got " + i);
                Assert.Equal(0, p.ServerGot.Count, "nothing else arrived");
                // SendPackets is one message.
                Assert.True(p.Client.SendPackets(Encoding.ASCII.GetBytes("ab"), new byte[3000], Encoding.ASCII.GetBytes("c")), "SendPackets");
                byte[] gathered = Pair.Next(p.ClientGot);
                Assert.Equal(3003, gathered.Length, "one gathered message");
                Assert.Equal((byte)'c', gathered[3002], "its last byte");
                // Everything gets acknowledged.
                IntPtr id = p.ConnId();
                DateTime deadline = DateTime.UtcNow.AddSeconds(30);
                int clientWaiting = -1, serverWaiting = -1;
                while (DateTime.UtcNow < deadline)
                {
                    Assert.True(p.Client.GetWaitingSendMessageCount(out clientWaiting), "client GetWaitingSendMessageCount");
                    Assert.True(p.Server.GetWaitingSendMessageCount(id, out serverWaiting), "server GetWaitingSendMessageCount");
                    if (clientWaiting == 0 && serverWaiting == 0) break;
                    Thread.Sleep(10);
                }
                Assert.Equal(0, clientWaiting, "client messages waiting");
                Assert.Equal(0, serverWaiting, "server messages waiting");
                int none;
                Assert.False(p.Server.GetWaitingSendMessageCount(new IntPtr(987654), out none), "an unknown connection");
                // Settings change only while stopped.
                Assert.Throws<HPSocketException>(() => p.Server.FlushInterval = 10, "FlushInterval while running");
                Assert.Throws<HPSocketException>(() => p.Client.NoDelay = true, "NoDelay while running");
                Assert.Equal(60u, p.Server.FlushInterval, "FlushInterval unchanged");
                Assert.False(p.Client.NoDelay, "NoDelay unchanged");
            }
        }

        [Test]
        public static void A_bigger_MaxMessageSize_carries_bigger_messages()
        {
            using (Pair p = new Pair(100000))
            {
                byte[] m = Util.Fill(9, 0, 100000);
                Assert.True(p.Client.Send(m), "Send 100000: " + p.Client.ErrorMessage);
                Assert.True(m.SequenceEqual(Pair.Next(p.ClientGot)), "echo of 100000");
            }
        }

        [Test]
        public static void Oversize_and_empty_messages_fail_and_send_nothing()
        {
            using (Pair p = new Pair())
            {
                Assert.False(p.Client.Send(new byte[4097]), "oversize client Send");
                Assert.Equal(EMSGSIZE, HP.SysLastError, "errno");
                Assert.Equal(SocketError.InvalidParam, p.Client.ErrorCode, "error code");
                Assert.False(p.Client.Send(new byte[0]), "empty Send");
                Assert.Equal(EMSGSIZE, HP.SysLastError, "errno of the empty Send");
                Assert.False(p.Client.SendPackets(new byte[4000], new byte[97]), "oversize SendPackets");
                Assert.Equal(EMSGSIZE, HP.SysLastError, "errno of SendPackets");
                Assert.False(p.Server.Send(p.ConnId(), new byte[4097]), "oversize server Send");
                Assert.Equal(EMSGSIZE, HP.SysLastError, "server errno");
                int waiting;
                Assert.True(p.Client.GetWaitingSendMessageCount(out waiting), "GetWaitingSendMessageCount");
                Assert.Equal(0, waiting, "nothing queued");
                // Nothing went out: the next message each way is the next one sent.
                Assert.True(p.Client.Send(Encoding.ASCII.GetBytes("after")), "Send after");
                Assert.Equal("after", Encoding.ASCII.GetString(Pair.Next(p.ClientGot)), "client got");
                Assert.Equal("after", Encoding.ASCII.GetString(Pair.Next(p.ServerGot)), "server got");
                Assert.Equal(0, p.ServerGot.Count, "nothing else arrived");
                Assert.True(p.Client.IsConnected, "still connected");
            }
        }

        [Test]
        public static void Arq_settings_defaults_and_round_trip()
        {
            using (UdpArqServer s = new UdpArqServer())
            using (UdpArqClient c = new UdpArqClient())
            {
                Assert.Equal("False,False,60,0,128,512,30,5,0,4096,5000", Settings(s), "server defaults");
                Assert.Equal("False,False,60,0,128,512,30,5,0,4096,5000", Settings(c), "client defaults");
                Assert.Equal(1432u, s.MaxDatagramSize, "the UDP settings apply");
                Assert.Equal(3u, c.DetectAttempts, "client DetectAttempts");
                s.NoDelay = true; s.TurnoffCongestCtrl = true; s.FlushInterval = 10; s.ResendByAcks = 2;
                s.SendWndSize = 256; s.RecvWndSize = 1024; s.MinRto = 20; s.FastLimit = 0;
                s.MaxTransUnit = 1200; s.MaxMessageSize = 8000; s.HandShakeTimeout = 3000;
                Assert.Equal("True,True,10,2,256,1024,20,0,1200,8000,3000", Settings(s), "server set");
                c.NoDelay = true; c.MaxMessageSize = 1;
                Assert.True(c.NoDelay, "client NoDelay set");
                Assert.Equal(1u, c.MaxMessageSize, "client MaxMessageSize set");
                Assert.Throws<HPSocketException>(() => s.SocketListenQueue = 10, "a TCP-only setting");
                int waiting;
                Assert.False(c.GetWaitingSendMessageCount(out waiting), "not connected");
                Assert.False(c.Send(new byte[1]), "Send when not connected");
            }
        }

        [Test]
        public static void Bad_settings_are_refused_by_Start()
        {
            var serverBad = new Action<UdpArqServer>[]
            {
                s => s.FlushInterval = 0, s => s.SendWndSize = 0, s => s.RecvWndSize = 0, s => s.MinRto = 0,
                s => s.HandShakeTimeout = 60, s => s.MaxTransUnit = 71, s => s.MaxTransUnit = 65537,
                s => s.MaxMessageSize = 0, s => s.MaxMessageSize = 127 * (1432 - 24),
            };
            for (int i = 0; i < serverBad.Length; i++)
            {
                using (UdpArqServer s = new UdpArqServer())
                {
                    serverBad[i](s);
                    Assert.False(s.Start("127.0.0.1", 0), "server Start with bad setting " + i);
                    Assert.Equal(SocketError.InvalidParam, s.ErrorCode, "server bad setting " + i);
                    Assert.Equal(ServiceState.Stopped, s.State, "server stopped " + i);
                }
            }
            var clientBad = new Action<UdpArqClient>[]
            {
                c => c.FlushInterval = 0, c => c.MinRto = 0, c => c.HandShakeTimeout = 60,
                c => c.MaxTransUnit = 71, c => c.MaxMessageSize = 0,
            };
            for (int i = 0; i < clientBad.Length; i++)
            {
                using (UdpArqClient c = new UdpArqClient())
                {
                    clientBad[i](c);
                    Assert.False(c.Start("127.0.0.1", 9, true), "client Start with bad setting " + i);
                    Assert.Equal(SocketError.InvalidParam, c.ErrorCode, "client bad setting " + i);
                }
            }
            using (UdpArqServer s = new UdpArqServer())
            {
                s.MinRto = 30; s.HandShakeTimeout = 61; s.MaxTransUnit = 72; s.MaxMessageSize = 127 * (72 - 24) - 1;
                Assert.True(s.Start("127.0.0.1", 0), "Start just inside the limits: " + s.ErrorMessage);
            }
        }

        [Test]
        public static void No_handshake_means_no_Send_then_ETIMEDOUT()
        {
            // A plain UDP server never answers the ARQ handshake.
            using (UdpServer plain = new UdpServer())
            using (UdpArqClient c = new UdpArqClient())
            {
                var closes = new BlockingCollection<string>();
                bool handshaken = false;
                var connected = new ManualResetEventSlim();
                c.OnConnect += (x, id) => { connected.Set(); return HandleResult.Ok; };
                c.OnHandShake += (x, id) => { handshaken = true; return HandleResult.Ok; };
                c.OnClose += (x, id, op, err) => { closes.Add(op + "/" + err); return HandleResult.Ok; };
                ushort port = Util.Start(plain);
                c.HandShakeTimeout = 1500;
                Assert.True(c.Start("127.0.0.1", port, true), "client Start: " + c.ErrorMessage);
                // Connected, not handshaken: a send is refused. (Before OnConnect, just after an
                // asynchronous Start, it is refused as InvalidParam, ENOTCONN: "not connected yet".)
                Assert.Wait(connected, "the client's OnConnect");
                Assert.False(c.Send(new byte[1]), "Send before the handshake");
                Assert.Equal(SocketError.IllegalState, c.ErrorCode, "error code");
                Assert.Equal(ENOTCONN, HP.SysLastError, "errno");
                string close;
                Assert.True(closes.TryTake(out close, TimeSpan.FromSeconds(30)), "the client's OnClose");
                Assert.Equal("Close/" + ETIMEDOUT, close, "closed by the handshake timeout");
                Assert.False(handshaken, "no OnHandShake");
            }
        }

        private static string Settings(UdpArqServer s)
        {
            return string.Join(",", s.NoDelay, s.TurnoffCongestCtrl, s.FlushInterval, s.ResendByAcks, s.SendWndSize,
                s.RecvWndSize, s.MinRto, s.FastLimit, s.MaxTransUnit, s.MaxMessageSize, s.HandShakeTimeout);
        }

        private static string Settings(UdpArqClient c)
        {
            return string.Join(",", c.NoDelay, c.TurnoffCongestCtrl, c.FlushInterval, c.ResendByAcks, c.SendWndSize,
                c.RecvWndSize, c.MinRto, c.FastLimit, c.MaxTransUnit, c.MaxMessageSize, c.HandShakeTimeout);
        }
    }
}
