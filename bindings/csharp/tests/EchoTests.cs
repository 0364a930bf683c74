using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace HPSocket.Tests
{
    public static class EchoTests
    {
        private const int Conns = 100, Msgs = 12, MaxMsg = 6000;

        private static int MsgLen(int seed, int i) { return 1 + (seed * 7919 + i * 977) % MaxMsg; }

        /// <summary>100 agent connections, each a ping-pong of messages of varied size through an
        /// echo server; every echoed byte and the checksums are checked.</summary>
        [Test]
        public static void Echo_100_agent_connections_with_checksums()
        {
            int accepts = 0, serverCloses = 0, shutdowns = 0;
            var errors = new ConcurrentQueue<string>();
            var done = new CountdownEvent(Conns);
            var closed = new CountdownEvent(Conns);
            using (TcpServer server = Util.EchoServer())
            using (TcpAgent agent = new TcpAgent())
            {
                server.OnAccept += (s, id, client) => { Interlocked.Increment(ref accepts); return HandleResult.Ok; };
                server.OnClose += (s, id, op, err) => { Interlocked.Increment(ref serverCloses); return HandleResult.Ok; };
                server.OnShutdown += s => { Interlocked.Increment(ref shutdowns); return HandleResult.Ok; };
                server.OnCallbackException += (s, cb, e) => errors.Enqueue("server " + cb + ": " + e);
                ushort port = Util.Start(server);

                agent.WorkerThreadCount = 2;
                agent.OnConnect += (a, id) =>
                {
                    Stream st = a.GetExtra<Stream>(id);
                    return a.Send(id, st.Next(MsgLen(st.Seed, 0))) ? HandleResult.Ok : HandleResult.Error;
                };
                agent.OnReceive += (a, id, data) =>
                {
                    Stream st = a.GetExtra<Stream>(id);
                    lock (st)
                    {
                        st.Take(data);
                        if (st.Error != null) { errors.Enqueue(st.Error); return HandleResult.Error; }
                        if (!st.Echoed) return HandleResult.Ok;
                        if (st.Messages == Msgs) { done.Signal(); return HandleResult.Ok; }
                        return a.Send(id, st.Next(MsgLen(st.Seed, st.Messages))) ? HandleResult.Ok : HandleResult.Error;
                    }
                };
                agent.OnClose += (a, id, op, err) =>
                {
                    Assert.True(a.GetExtra<Stream>(id) != null, "extra readable in OnClose");
                    closed.Signal();
                    return HandleResult.Ok;
                };
                agent.OnCallbackException += (s, cb, e) => errors.Enqueue("agent " + cb + ": " + e);
                Assert.True(agent.Start(null, true), "agent Start: " + agent.ErrorMessage);

                var streams = new List<Stream>();
                for (int i = 0; i < Conns; i++)
                {
                    Stream st = new Stream(i + 1);
                    streams.Add(st);
                    IntPtr id;
                    Assert.True(agent.Connect("127.0.0.1", port, out id, st), "Connect: " + agent.ErrorMessage);
                    Assert.True(id != IntPtr.Zero, "connection id");
                }
                Assert.Wait(done, "every echo");
                Assert.Equal(0, errors.Count, "errors: " + string.Join("; ", errors));
                foreach (Stream st in streams)
                {
                    Assert.Equal(st.Sent, st.Received, "bytes echoed of stream " + st.Seed);
                    Assert.Equal(st.SentSum, st.ReceivedSum, "checksum of stream " + st.Seed);
                }
                Assert.Equal((uint)Conns, agent.ConnectionCount, "agent connections");
                Assert.Equal(Conns, agent.GetAllConnectionIds().Length, "agent connection ids");
                Assert.Equal(Conns, Volatile.Read(ref accepts), "accepts");

                Assert.True(agent.Stop(), "agent Stop");
                Assert.Wait(closed, "agent closes");
                Assert.Equal(ServiceState.Stopped, agent.State, "agent state");
                server.Stop();
                Assert.Equal(Conns, Volatile.Read(ref serverCloses), "server closes");
                Assert.Equal(1, Volatile.Read(ref shutdowns), "server shutdowns");
            }
        }

        /// <summary>Ten clients (half synchronous, half asynchronous) stream 64 KiB each.</summary>
        [Test]
        public static void Echo_clients_sync_and_async()
        {
            const int Clients = 10, Total = 64 * 1024;
            var done = new CountdownEvent(Clients);
            var errors = new ConcurrentQueue<string>();
            var clients = new List<TcpClient>();
            using (TcpServer server = Util.EchoServer())
            {
                ushort port = Util.Start(server);
                try
                {
                    for (int i = 0; i < Clients; i++)
                    {
                        TcpClient c = new TcpClient();
                        clients.Add(c);
                        Stream st = new Stream(1000 + i);
                        c.Tag = st;
                        var connected = new ManualResetEventSlim(false);
                        c.OnConnect += (cl, id) => { connected.Set(); return HandleResult.Ok; };
                        c.OnReceive += (cl, id, data) =>
                        {
                            Stream s = (Stream)cl.Tag;
                            lock (s)
                            {
                                s.Take(data);
                                if (s.Error != null) errors.Enqueue(s.Error);
                                if (s.Received == Total) done.Signal();
                            }
                            return HandleResult.Ok;
                        };
                        bool async = i % 2 == 1;
                        Assert.True(c.Start("127.0.0.1", port, async), "client Start: " + c.ErrorMessage);
                        if (async) Assert.Wait(connected, "async connect");
                        Assert.True(c.IsConnected, "connected");
                        Assert.True(c.ConnectionId != IntPtr.Zero, "ConnectionId");
                        for (int sent = 0; sent < Total;)
                        {
                            int n = Math.Min(Total - sent, 1 + (sent * 31 + i) % 5000);
                            byte[] b;
                            lock (st) b = st.Next(n);
                            Assert.True(c.Send(b), "Send: " + c.ErrorMessage);
                            sent += n;
                        }
                    }
                    Assert.Wait(done, "every client's echo");
                    Assert.Equal(0, errors.Count, string.Join("; ", errors));
                    foreach (TcpClient c in clients)
                    {
                        Stream st = (Stream)c.Tag;
                        Assert.Equal(st.SentSum, st.ReceivedSum, "checksum");
                    }
                }
                finally
                {
                    foreach (TcpClient c in clients) c.Dispose();
                }
            }
        }

        /// <summary>SendPackets gathers several buffers into one send, in order.</summary>
        [Test]
        public static void SendPackets_gathers_in_order()
        {
            var got = new List<byte>();
            var all = new ManualResetEventSlim(false);
            using (TcpServer server = Util.EchoServer())
            using (TcpClient client = new TcpClient())
            {
                ushort port = Util.Start(server);
                client.OnReceive += (c, id, data) =>
                {
                    lock (got) { got.AddRange(data); if (got.Count == 10) all.Set(); }
                    return HandleResult.Ok;
                };
                Assert.True(client.Start("127.0.0.1", port, false), "Start");
                Assert.True(client.SendPackets(new byte[] { 0, 1 }, new byte[0], new byte[] { 2, 3, 4 }), "SendPackets arrays");
                byte[] big = { 9, 9, 5, 6, 7, 8, 9, 9 };
                Assert.True(client.SendPackets(new List<ArraySegment<byte>> { new ArraySegment<byte>(big, 2, 4), new ArraySegment<byte>(big, 7, 1) }),
                    "SendPackets segments");
                Assert.Wait(all, "10 bytes");
                lock (got) Assert.Equal("0,1,2,3,4,5,6,7,8,9", string.Join(",", got), "gathered bytes");
            }
        }
    }
}
