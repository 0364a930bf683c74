using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace HPSocket.Tests
{
    /// <summary>Issue #15 item 8: StartAsync, ConnectAsync, StopAsync and WaitAsync, awaited from the
    /// tests: connect success and refusal, many concurrent connects, stop, and continuations that
    /// never run on (nor block) the library's I/O worker.</summary>
    public static class AsyncTests
    {
        private const int ECONNREFUSED = 111;

        /// <summary>Runs an async test body to its end (bounded).</summary>
        private static void Run(Func<Task> body, int seconds = 60)
        {
            Task t = Task.Run(body);
            if (!t.Wait(TimeSpan.FromSeconds(seconds))) throw new AssertionException("timed out after " + seconds + " s");
        }

        /// <summary>Waits for <paramref name="t"/> to fault; returns its exception as <typeparamref name="T"/>.</summary>
        public static T Fails<T>(Task t, int seconds = 30) where T : Exception
        {
            try
            {
                if (!t.Wait(TimeSpan.FromSeconds(seconds))) throw new AssertionException("timed out waiting for the Task");
            }
            catch (AggregateException e)
            {
                T x = e.InnerException as T;
                if (x == null) throw new AssertionException("expected " + typeof(T).Name + ", got " + e.InnerException);
                return x;
            }
            throw new AssertionException("expected the Task to fail with " + typeof(T).Name);
        }

        /// <summary>A loopback port nobody listens on (a server bound it, then stopped).</summary>
        private static ushort DeadPort()
        {
            using (TcpServer s = new TcpServer()) return Util.Start(s);
        }

        [Test]
        public static void Client_StartAsync_completes_on_OnConnect_off_the_io_thread()
        {
            using (TcpServer server = Util.EchoServer())
            using (TcpClient client = new TcpClient())
            {
                string workerThread = null;
                client.OnConnect += (c, id) => { workerThread = Thread.CurrentThread.ManagedThreadId.ToString(); return HandleResult.Ok; };
                Run(async () =>
                {
                    await server.StartAsync("127.0.0.1", 0);
                    string address;
                    ushort port;
                    Assert.True(server.GetListenAddress(out address, out port), "listening");
                    Assert.Equal(ServiceState.Started, server.State, "state");
                    HPSocketException again = Fails<HPSocketException>(server.StartAsync("127.0.0.1", 0));
                    Assert.Equal(SocketError.IllegalState, again.ErrorCode, "a second start");
                    IntPtr id = await client.StartAsync("127.0.0.1", port);
                    // The continuation does not run on the worker that delivered OnConnect.
                    Assert.False(Thread.CurrentThread.ManagedThreadId.ToString() == workerThread, "continuation on the I/O thread");
                    Assert.Equal(client.ConnectionId, id, "the connection's ID");
                    Assert.True(client.IsConnected, "connected");
                    await client.StopAsync();
                    Assert.Equal(ServiceState.Stopped, client.State, "client stopped");
                    Assert.True(await client.WaitAsync(1000), "WaitAsync of a stopped client");
                    await server.StopAsync();
                    Assert.Equal(ServiceState.Stopped, server.State, "server stopped");
                    Assert.True(await server.WaitAsync(), "WaitAsync of a stopped server");
                });
            }
        }

        [Test]
        public static void Refused_connects_fault_with_the_close_reason()
        {
            ushort port = DeadPort();
            using (TcpClient client = new TcpClient())
            using (TcpAgent agent = new TcpAgent())
            {
                ConnectionClosedException e = Fails<ConnectionClosedException>(client.StartAsync("127.0.0.1", port));
                Assert.Equal(SocketOperation.Connect, e.Operation, "client: operation");
                Assert.Equal(ECONNREFUSED, e.ErrorNumber, "client: errno");
                Assert.Equal(SocketError.ConnectServer, e.ErrorCode, "client: code");
                Run(async () =>
                {
                    await agent.StartAsync();
                    try
                    {
                        await agent.ConnectAsync("127.0.0.1", port);
                        throw new AssertionException("a refused ConnectAsync completed");
                    }
                    catch (ConnectionClosedException x)
                    {
                        Assert.Equal(SocketOperation.Connect, x.Operation, "agent: operation");
                        Assert.Equal(ECONNREFUSED, x.ErrorNumber, "agent: errno");
                    }
                    // A connect that fails at once faults the Task; it does not throw.
                    Task<IntPtr> bad = agent.ConnectAsync("no such host.invalid", port);
                    Fails<HPSocketException>(bad);
                });
            }
        }

        [Test]
        public static void Many_concurrent_connects_each_complete_with_their_own_id()
        {
            const int n = 200;
            using (TcpServer server = Util.EchoServer())
            using (TcpAgent agent = new TcpAgent())
            {
                ushort port = Util.Start(server);
                agent.WorkerThreadCount = 2;
                Run(async () =>
                {
                    await agent.StartAsync();
                    // From 4 threads at once: each thread's OnPrepareConnect must find its own connect.
                    Task<IntPtr[]>[] batches = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
                        Task.WhenAll(Enumerable.Range(0, n / 4).Select(i => agent.ConnectAsync("127.0.0.1", port)).ToArray()))).ToArray();
                    IntPtr[] ids = (await Task.WhenAll(batches)).SelectMany(x => x).ToArray();
                    Assert.Equal(n, ids.Distinct().Count(), "distinct IDs");
                    foreach (IntPtr id in ids) Assert.True(agent.IsConnected(id), "connected " + id);
                    Assert.Until(() => server.ConnectionCount == n, "the server's accepts");
                    await agent.StopAsync();
                    Assert.Equal(ServiceState.Stopped, agent.State, "agent stopped");
                    Assert.Until(() => server.ConnectionCount == 0, "the server's closes");
                });
            }
        }

        [Test]
        public static void A_blocking_continuation_does_not_stall_the_worker()
        {
            // One worker: were the first Task's continuation run on it, it would block the only
            // thread that delivers the second connection's OnConnect, which it waits for.
            using (TcpServer server = Util.EchoServer())
            using (TcpAgent agent = new TcpAgent())
            {
                ushort port = Util.Start(server);
                agent.WorkerThreadCount = 1;
                ManualResetEventSlim attached = new ManualResetEventSlim();
                agent.OnConnect += (a, id) => { attached.Wait(TimeSpan.FromSeconds(30)); return HandleResult.Ok; };
                Assert.True(agent.Start(), "Start");
                TaskCompletionSource<IntPtr> gate = new TaskCompletionSource<IntPtr>();
                Task<IntPtr> first = agent.ConnectAsync("127.0.0.1", port);
                Task<IntPtr> chained = first.ContinueWith(t => gate.Task.Result, TaskContinuationOptions.ExecuteSynchronously);
                attached.Set();
                Task<IntPtr> second = agent.ConnectAsync("127.0.0.1", port);
                second.ContinueWith(t => gate.TrySetResult(t.Result));
                Assert.True(chained.Wait(TimeSpan.FromSeconds(30)), "the blocking continuation finished");
                Assert.Equal(second.Result, chained.Result, "it saw the second connection");
            }
        }

        [Test]
        public static void StopAsync_works_from_the_components_own_handler()
        {
            using (TcpServer server = Util.EchoServer())
            using (TcpAgent agent = new TcpAgent())
            {
                ushort port = Util.Start(server);
                TaskCompletionSource<Task> stop = new TaskCompletionSource<Task>();
                agent.OnConnect += (a, id) => { stop.TrySetResult(((TcpAgent)a).StopAsync()); return HandleResult.Ok; };
                Run(async () =>
                {
                    await agent.StartAsync();
                    await agent.ConnectAsync("127.0.0.1", port);
                    await await stop.Task;
                    Assert.Equal(ServiceState.Stopped, agent.State, "stopped");
                    Assert.True(await agent.WaitAsync(0), "WaitAsync(0) of a stopped agent");
                });
            }
        }
    }
}
