using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace HPSocket.Tests
{
    /// <summary>The ARQ agent (extension, Create_HPX_UdpArqAgent): several sessions from one agent to
    /// a UdpArqServer, each message echoed whole and in order on its own connection ID; a bad
    /// connection ID fails with InvalidParam/EBADSLT; the settings keep HP-Socket's ARQ defaults and
    /// freeze while running; after Dispose every call throws ObjectDisposedException.</summary>
    public static class ArqAgentTests
    {
        private const int EBADSLT = 57;
        private const int ENOTCONN = 107;
        private const int Sessions = 4, Messages = 50;

        private static byte[] Message(int s, int m)
        {
            return Util.Fill(s * 1000 + m + 1, 0, 1 + (m * 397 + s * 31) % 2000);
        }

        /// <summary>An ARQ echo server (nodelay, 10 ms flush) counting handshakes and closes.</summary>
        private sealed class Echo : IDisposable
        {
            public readonly UdpArqServer Server = new UdpArqServer();
            public int HandShakes, Closes;
            public readonly ushort Port;

            public Echo()
            {
                Server.NoDelay = true;
                Server.FlushInterval = 10;
                Server.OnHandShake += (s, id) => { Interlocked.Increment(ref HandShakes); return HandleResult.Ok; };
                Server.OnReceive += (s, id, data) => s.Send(id, data) ? HandleResult.Ok : HandleResult.Error;
                Server.OnClose += (s, id, op, e) => { Interlocked.Increment(ref Closes); return HandleResult.Ok; };
                Port = Util.Start(Server);
            }

            public void Dispose() { Server.Dispose(); }
        }

        /// <summary>An agent queueing each connection's messages apart.</summary>
        private sealed class Agent : IDisposable
        {
            public readonly UdpArqAgent A = new UdpArqAgent();
            public readonly ConcurrentDictionary<IntPtr, BlockingCollection<byte[]>> Got = new ConcurrentDictionary<IntPtr, BlockingCollection<byte[]>>();
            public int HandShakes;

            public Agent()
            {
                A.NoDelay = true;
                A.FlushInterval = 10;
                A.OnHandShake += (a, id) => { Interlocked.Increment(ref HandShakes); return HandleResult.Ok; };
                A.OnReceive += (a, id, data) => { Of(id).Add(data); return HandleResult.Ok; };
            }

            public BlockingCollection<byte[]> Of(IntPtr id) { return Got.GetOrAdd(id, k => new BlockingCollection<byte[]>()); }

            public byte[] Next(IntPtr id)
            {
                byte[] d;
                if (!Of(id).TryTake(out d, TimeSpan.FromSeconds(30))) throw new AssertionException("timed out waiting for a message on " + id);
                return d;
            }

            public void Dispose() { A.Dispose(); }
        }

        [Test]
        public static void Several_sessions_echo_whole_and_in_order_on_their_own_ids()
        {
            using (Echo echo = new Echo())
            using (Agent agent = new Agent())
            {
                Assert.True(agent.A.Start(), "Start: " + agent.A.ErrorMessage);
                IntPtr[] ids = new IntPtr[Sessions];
                for (int s = 0; s < Sessions; s++)
                    Assert.True(agent.A.Connect("127.0.0.1", echo.Port, out ids[s]), "Connect: " + agent.A.ErrorMessage);
                Assert.Until(() => Volatile.Read(ref agent.HandShakes) == Sessions && Volatile.Read(ref echo.HandShakes) == Sessions, "every handshake");
                Assert.Equal(Sessions, ids.Distinct().Count(), "distinct IDs");
                Assert.Equal((uint)Sessions, agent.A.ConnectionCount, "agent connections");
                for (int m = 0; m < Messages; m++)
                    for (int s = 0; s < Sessions; s++)
                        Assert.True(agent.A.Send(ids[s], Message(s, m)), "Send: " + agent.A.ErrorMessage);
                for (int s = 0; s < Sessions; s++)
                    for (int m = 0; m < Messages; m++)
                        Assert.True(Message(s, m).SequenceEqual(agent.Next(ids[s])), "session " + s + " message " + m);
                foreach (IntPtr id in ids)
                {
                    int waiting = -1;
                    Assert.Until(() => agent.A.GetWaitingSendMessageCount(id, out waiting) && waiting == 0, "nothing waiting on " + id);
                    Assert.Equal(0, agent.Of(id).Count, "no extra message");
                }
                Assert.True(agent.A.Disconnect(ids[0]), "Disconnect");
                Assert.Until(() => Volatile.Read(ref echo.Closes) == 1, "the server's OnClose");
                Assert.Until(() => agent.A.ConnectionCount == Sessions - 1, "the agent's close");
                Assert.True(agent.A.Send(ids[1], Message(1, Messages)), "Send after another session closed");
                Assert.True(Message(1, Messages).SequenceEqual(agent.Next(ids[1])), "the last message");
            }
        }

        [Test]
        public static void A_bad_connection_id_fails_with_InvalidParam_EBADSLT()
        {
            using (Echo echo = new Echo())
            using (Agent agent = new Agent())
            {
                Assert.True(agent.A.Start(), "Start");
                IntPtr id;
                Assert.True(agent.A.Connect("127.0.0.1", echo.Port, out id), "Connect");
                Assert.Until(() => Volatile.Read(ref agent.HandShakes) == 1, "the handshake");
                foreach (IntPtr bad in new[] { (IntPtr)999999, id + 1000 })
                {
                    Assert.False(agent.A.Send(bad, new byte[1]), "Send on a bad ID");
                    Assert.Equal(SocketError.InvalidParam, agent.A.ErrorCode, "its code");
                    Assert.Equal(EBADSLT, HP.SysLastError, "its errno");
                    Assert.False(agent.A.Disconnect(bad), "Disconnect of a bad ID");
                    int n;
                    Assert.False(agent.A.GetWaitingSendMessageCount(bad, out n), "waiting count of a bad ID");
                    Assert.False(agent.A.IsConnected(bad), "IsConnected of a bad ID");
                }
                Assert.False(agent.A.Send(id, new byte[4097]), "an oversize message");
                Assert.Equal(SocketError.InvalidParam, agent.A.ErrorCode, "its code");
                Assert.True(agent.A.Send(id, Message(0, 0)), "a good message");
                Assert.True(Message(0, 0).SequenceEqual(agent.Next(id)), "echoed");
                Assert.Equal(0, agent.Of(id).Count, "nothing else arrived");
            }
        }

        [Test]
        public static void ConnectAsync_completes_on_the_handshake_and_a_send_before_it_is_ENOTCONN()
        {
            using (Echo echo = new Echo())
            using (Agent agent = new Agent())
            using (UdpServer plain = new UdpServer())
            {
                Task<IntPtr[]> all = ConnectAll(agent.A, echo.Port, 8);
                Assert.True(all.Wait(TimeSpan.FromSeconds(30)), "every ConnectAsync completed");
                IntPtr[] ids = all.Result;
                Assert.Equal(8, ids.Distinct().Count(), "distinct IDs");
                for (int i = 0; i < ids.Length; i++)
                {
                    // Ready means handshaken: a send goes at once.
                    Assert.True(agent.A.Send(ids[i], Message(i, 0)), "Send right after ConnectAsync: " + agent.A.ErrorMessage);
                    Assert.True(Message(i, 0).SequenceEqual(agent.Next(ids[i])), "echo " + i);
                }

                // A plain UDP server never answers the handshake: OnClose(Close, ETIMEDOUT) fails the Task.
                ushort port = Util.Start(plain);
                agent.A.Stop();
                agent.A.HandShakeTimeout = 1500;
                ManualResetEventSlim connected = new ManualResetEventSlim();
                agent.A.OnConnect += (a, cid) => { connected.Set(); return HandleResult.Ok; };
                Assert.True(agent.A.Start(), "restart");
                Task<IntPtr> t = agent.A.ConnectAsync("127.0.0.1", port);
                Assert.Wait(connected, "OnConnect");
                IntPtr id = agent.A.GetAllConnectionIds()[0];
                Assert.False(agent.A.Send(id, new byte[1]), "Send before the handshake");
                Assert.Equal(SocketError.IllegalState, agent.A.ErrorCode, "its code");
                Assert.Equal(ENOTCONN, HP.SysLastError, "its errno");
                ConnectionClosedException e = AsyncTests.Fails<ConnectionClosedException>(t);
                Assert.Equal(SocketOperation.Close, e.Operation, "operation");
                Assert.Equal(110, e.ErrorNumber, "ETIMEDOUT");
                Assert.Equal(id, e.ConnId, "the connection");
            }
        }

        /// <summary>Starts <paramref name="a"/> and awaits <paramref name="n"/> concurrent connects.</summary>
        private static async Task<IntPtr[]> ConnectAll(UdpArqAgent a, ushort port, int n)
        {
            await a.StartAsync();
            Task<IntPtr>[] tasks = new Task<IntPtr>[n];
            for (int i = 0; i < n; i++) tasks[i] = a.ConnectAsync("127.0.0.1", port);
            return await Task.WhenAll(tasks);
        }

        [Test]
        public static void Settings_keep_the_ARQ_defaults_and_freeze_while_running()
        {
            using (UdpArqAgent a = new UdpArqAgent())
            {
                Assert.False(a.NoDelay, "NoDelay");
                Assert.False(a.TurnoffCongestCtrl, "TurnoffCongestCtrl");
                Assert.Equal("60 0 128 512 30 5 0 4096 5000", string.Join(" ", new[] { a.FlushInterval, a.ResendByAcks, a.SendWndSize,
                    a.RecvWndSize, a.MinRto, a.FastLimit, a.MaxTransUnit, a.MaxMessageSize, a.HandShakeTimeout }), "defaults");
                a.NoDelay = true;
                a.FlushInterval = 10;
                Assert.True(a.NoDelay, "NoDelay set");
                Assert.Throws<HPSocketException>(() => a.SocketBufferSize = 8192, "a TCP-only setting");
                Assert.True(a.Start(), "Start");
                Assert.Throws<HPSocketException>(() => a.FlushInterval = 30, "FlushInterval while running");
                Assert.Equal(10u, a.FlushInterval, "unchanged");
            }
            using (UdpArqAgent a = new UdpArqAgent())
            {
                a.MinRto = 0;
                Assert.False(a.Start(), "Start with MinRto 0");
                Assert.Equal(SocketError.InvalidParam, a.ErrorCode, "its code");
            }
        }

        [Test]
        public static void After_Dispose_every_call_throws_ObjectDisposedException()
        {
            using (Echo echo = new Echo())
            {
                Agent agent = new Agent();
                Assert.True(agent.A.Start(), "Start");
                IntPtr id;
                Assert.True(agent.A.Connect("127.0.0.1", echo.Port, out id), "Connect");
                Assert.Until(() => Volatile.Read(ref agent.HandShakes) == 1, "the handshake");
                agent.Dispose();
                Assert.True(agent.A.IsDisposed, "IsDisposed");
                Assert.Throws<ObjectDisposedException>(() => agent.A.Send(id, new byte[1]), "Send");
                Assert.Throws<ObjectDisposedException>(() => agent.A.Connect("127.0.0.1", echo.Port), "Connect");
                Assert.Throws<ObjectDisposedException>(() => agent.A.ConnectAsync("127.0.0.1", echo.Port), "ConnectAsync");
                Assert.Throws<ObjectDisposedException>(() => agent.A.StartAsync(), "StartAsync");
                Assert.Throws<ObjectDisposedException>(() => agent.A.StopAsync(), "StopAsync");
                Assert.Throws<ObjectDisposedException>(() => agent.A.WaitAsync(), "WaitAsync");
                int n;
                Assert.Throws<ObjectDisposedException>(() => agent.A.GetWaitingSendMessageCount(id, out n), "GetWaitingSendMessageCount");
                Assert.Throws<ObjectDisposedException>(() => GC.KeepAlive(agent.A.FlushInterval), "FlushInterval");
                agent.Dispose(); // harmless twice
                Assert.Until(() => Volatile.Read(ref echo.Closes) == 1, "the server saw the session go");
            }
        }
    }
}
