using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>UDP: datagrams of 1 and MaxDatagramSize bytes echo whole, OnAccept's sockaddr is the
    /// client's address, an oversize send fails (EMSGSIZE) and sends nothing, SendPackets is one
    /// datagram, a client's Stop closes its server connection, and the UDP settings have
    /// HP-Socket's defaults. Every wait is bounded.</summary>
    public static class UdpTests
    {
        private const int EMSGSIZE = 90;

        /// <summary>A started UDP echo server and a client whose heartbeat made its connection.</summary>
        private sealed class Pair : IDisposable
        {
            public readonly UdpServer Server = new UdpServer();
            public readonly UdpClient Client = new UdpClient();
            public readonly BlockingCollection<byte[]> ServerGot = new BlockingCollection<byte[]>();
            public readonly BlockingCollection<byte[]> ClientGot = new BlockingCollection<byte[]>();
            public readonly ConcurrentQueue<string> ServerCloses = new ConcurrentQueue<string>();
            public readonly ManualResetEventSlim Accepted = new ManualResetEventSlim();
            public readonly ManualResetEventSlim Ready = new ManualResetEventSlim();
            public readonly ManualResetEventSlim ServerClosed = new ManualResetEventSlim();
            public readonly ManualResetEventSlim ClientClosed = new ManualResetEventSlim();
            public IPEndPoint Peer;

            public Pair()
            {
                Server.WorkerThreadCount = 2;
                Server.OnAccept += (s, id, client) =>
                {
                    Peer = UdpServer.PeerAddress(client);
                    Accepted.Set();
                    return HandleResult.Ok;
                };
                Server.OnReceive += (s, id, data) =>
                {
                    ServerGot.Add(data);
                    return s.Send(id, data) ? HandleResult.Ok : HandleResult.Error;
                };
                Server.OnClose += (s, id, op, err) =>
                {
                    ServerCloses.Enqueue(op + "/" + err);
                    ServerClosed.Set();
                    return HandleResult.Ok;
                };
                Client.OnHandShake += (c, id) => { Ready.Set(); return HandleResult.Ok; };
                Client.OnReceive += (c, id, data) => { ClientGot.Add(data); return HandleResult.Ok; };
                Client.OnClose += (c, id, op, err) => { ClientClosed.Set(); return HandleResult.Ok; };
                ushort port = Util.Start(Server);
                Assert.True(Client.Start("127.0.0.1", port, true), "client Start: " + Client.ErrorMessage);
                Assert.Wait(Ready, "the client's handshake");
                Assert.Wait(Accepted, "the server's accept");
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
                if (!q.TryTake(out d, TimeSpan.FromSeconds(30))) throw new AssertionException("timed out waiting for a datagram");
                return d;
            }

            public void Dispose()
            {
                Client.Dispose();
                Server.Dispose();
            }
        }

        [Test]
        public static void Datagrams_echo_whole_and_OnAccept_gets_the_peer()
        {
            using (Pair p = new Pair())
            {
                foreach (int size in new[] { 1, 1432 })
                {
                    byte[] m = Util.Fill(size, 0, size);
                    Assert.True(p.Client.Send(m), "Send " + size + ": " + p.Client.ErrorMessage);
                    Assert.True(m.SequenceEqual(Pair.Next(p.ClientGot)), "echo of " + size);
                }
                string address;
                ushort port;
                Assert.True(p.Client.GetLocalAddress(out address, out port), "client local address");
                Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), p.Peer, "OnAccept's peer");
                Assert.True(p.Server.GetRemoteAddress(p.ConnId(), out address, out port), "remote address");
                Assert.Equal(p.Peer.Port, (int)port, "remote port");
            }
        }

        [Test]
        public static void Oversize_send_fails_and_sends_nothing()
        {
            using (Pair p = new Pair())
            {
                Assert.False(p.Client.Send(new byte[1433]), "oversize client Send");
                Assert.Equal(EMSGSIZE, HP.SysLastError, "errno");
                Assert.Equal(SocketError.InvalidParam, p.Client.ErrorCode, "error code");
                Assert.False(p.Client.SendPackets(new byte[1000], new byte[433]), "oversize SendPackets");
                Assert.Equal(EMSGSIZE, HP.SysLastError, "errno of SendPackets");
                Assert.False(p.Server.Send(p.ConnId(), new byte[1433]), "oversize server Send");
                Assert.Equal(EMSGSIZE, HP.SysLastError, "server errno");
                // Nothing went out: the next datagram each way is the next one sent.
                Assert.True(p.Client.Send(Encoding.ASCII.GetBytes("after")), "Send after");
                Assert.Equal("after", Encoding.ASCII.GetString(Pair.Next(p.ClientGot)), "client got");
                Assert.Equal("after", Encoding.ASCII.GetString(Pair.Next(p.ServerGot)), "server got");
                Assert.Equal(0, p.ServerGot.Count, "nothing else arrived");
                Assert.True(p.Client.IsConnected, "still connected");
            }
        }

        [Test]
        public static void SendPackets_is_one_datagram()
        {
            using (Pair p = new Pair())
            {
                Assert.True(p.Client.SendPackets(Encoding.ASCII.GetBytes("ab"), new byte[0], Encoding.ASCII.GetBytes("cde")), "SendPackets");
                Assert.Equal("abcde", Encoding.ASCII.GetString(Pair.Next(p.ServerGot)), "server got one datagram");
                Assert.Equal("abcde", Encoding.ASCII.GetString(Pair.Next(p.ClientGot)), "echo");
                Assert.True(p.Server.SendPackets(p.ConnId(), Encoding.ASCII.GetBytes("12"), Encoding.ASCII.GetBytes("345")), "server SendPackets");
                Assert.Equal("12345", Encoding.ASCII.GetString(Pair.Next(p.ClientGot)), "client got one datagram");
            }
        }

        [Test]
        public static void Client_Stop_closes_the_server_connection()
        {
            using (Pair p = new Pair())
            {
                Assert.True(p.Client.Stop(), "client Stop");
                Assert.Wait(p.ClientClosed, "the client's OnClose");
                Assert.Wait(p.ServerClosed, "the server's OnClose");
                Assert.Equal("Close/0", string.Join(",", p.ServerCloses), "server close");
                Assert.Equal(ServiceState.Stopped, p.Client.State, "client stopped");
            }
        }

        [Test]
        public static void Udp_settings_defaults_and_tcp_ones_refused()
        {
            using (UdpServer s = new UdpServer())
            using (UdpClient c = new UdpClient())
            {
                Assert.Equal(1432u, s.MaxDatagramSize, "server MaxDatagramSize");
                Assert.Equal(64u, s.PostReceiveCount, "PostReceiveCount");
                Assert.Equal(3u, s.DetectAttempts, "server DetectAttempts");
                Assert.Equal(60000u, s.DetectInterval, "server DetectInterval");
                Assert.Equal(1432u, c.MaxDatagramSize, "client MaxDatagramSize");
                Assert.Equal(3u, c.DetectAttempts, "client DetectAttempts");
                Assert.Equal(60000u, c.DetectInterval, "client DetectInterval");
                Assert.Equal(10000u, s.MaxConnectionCount, "MaxConnectionCount");
                Assert.False(s.IsSecure, "not secure");
                s.MaxDatagramSize = 2000; Assert.Equal(2000u, s.MaxDatagramSize, "MaxDatagramSize set");
                s.PostReceiveCount = 8; Assert.Equal(8u, s.PostReceiveCount, "PostReceiveCount set");
                c.DetectAttempts = 0; Assert.Equal(0u, c.DetectAttempts, "DetectAttempts set");
                c.DetectInterval = 500; Assert.Equal(500u, c.DetectInterval, "DetectInterval set");
                Assert.Throws<HPSocketException>(() => s.SocketListenQueue = 10, "a TCP-only server setting");
                Assert.Throws<HPSocketException>(() => c.NoDelay = true, "a TCP-only client setting");
                s.MaxDatagramSize = 65537; // accepted now, refused by Start
                Assert.False(s.Start("127.0.0.1", 0), "Start with MaxDatagramSize 65537");
                Assert.Equal(SocketError.InvalidParam, s.ErrorCode, "invalid setting");
            }
        }
    }
}
