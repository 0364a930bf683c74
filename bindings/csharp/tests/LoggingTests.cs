using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>HPSocket.Logging: the library's records in the TraceSource "HPSocket".</summary>
    public static class LoggingTests
    {
        /// <summary>Keeps every record it gets; waits for one that matches.</summary>
        private sealed class Collector : TraceListener
        {
            public readonly List<Tuple<string, TraceEventType, string>> Records = new List<Tuple<string, TraceEventType, string>>();
            private readonly object _lock = new object();

            public override bool IsThreadSafe { get { return true; } }

            public override void TraceEvent(TraceEventCache cache, string source, TraceEventType type, int id, string message)
            {
                lock (_lock)
                {
                    Records.Add(Tuple.Create(source, type, message));
                    Monitor.PulseAll(_lock);
                }
            }

            public override void TraceEvent(TraceEventCache cache, string source, TraceEventType type, int id, string format, params object[] args)
            {
                TraceEvent(cache, source, type, id, args == null ? format : string.Format(format, args));
            }

            public override void Write(string message) { }
            public override void WriteLine(string message) { }

            public Tuple<string, TraceEventType, string> WaitFor(Func<Tuple<string, TraceEventType, string>, bool> match, string what, int seconds = 30)
            {
                DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
                lock (_lock)
                {
                    while (true)
                    {
                        var hit = Records.FirstOrDefault(match);
                        if (hit != null) return hit;
                        TimeSpan left = deadline - DateTime.UtcNow;
                        if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left) && DateTime.UtcNow >= deadline)
                        {
                            hit = Records.FirstOrDefault(match);
                            if (hit != null) return hit;
                            throw new AssertionException("timed out after " + seconds + " s waiting for the record: " + what +
                                "; records: " + string.Join(" | ", Records.Select(r => r.Item2 + " " + r.Item3)));
                        }
                    }
                }
            }

            public List<Tuple<string, TraceEventType, string>> Snapshot()
            {
                lock (_lock) return new List<Tuple<string, TraceEventType, string>>(Records);
            }
        }

        private sealed class Thrower : TraceListener
        {
            private int _calls;
            public int Calls { get { return Volatile.Read(ref _calls); } }
            public override void TraceEvent(TraceEventCache cache, string source, TraceEventType type, int id, string message)
            {
                Interlocked.Increment(ref _calls);
                throw new InvalidOperationException("test: a listener that throws");
            }
            public override void Write(string message) { throw new InvalidOperationException("test: Write throws"); }
            public override void WriteLine(string message) { throw new InvalidOperationException("test: WriteLine throws"); }
        }

        /// <summary>Connects a client to <paramref name="port"/>; returns it and its local port.</summary>
        private static TcpClient Connect(ushort port, out ushort localPort)
        {
            TcpClient c = new TcpClient();
            Assert.True(c.Start("127.0.0.1", port, false), "client Start: " + c.ErrorMessage);
            string address;
            Assert.True(c.GetLocalAddress(out address, out localPort), "client GetLocalAddress");
            return c;
        }

        [Test]
        public static void Accept_and_close_records_reach_the_TraceSource_and_Off_stops_them()
        {
            var collector = new Collector();
            Logging.Source.Listeners.Add(collector);
            try
            {
                Assert.Equal("HPSocket", Logging.Source.Name, "source name");
                Logging.Enable();
                Assert.Equal(SourceLevels.Information, Logging.Source.Switch.Level, "switch level");
                Assert.Equal(NativeMethods.HPX_LOG_INFO, Logging.NativeLevel, "native level");
                using (TcpServer server = new TcpServer())
                {
                    var closed = new SemaphoreSlim(0);
                    var accepted = new SemaphoreSlim(0);
                    server.OnAccept += (s, id, c) => { accepted.Release(); return HandleResult.Ok; };
                    server.OnClose += (s, id, op, code) => { closed.Release(); return HandleResult.Ok; };
                    ushort port = Util.Start(server);

                    ushort local;
                    string peer;
                    Tuple<string, TraceEventType, string> acc;
                    using (TcpClient client = Connect(port, out local))
                    {
                        peer = "127.0.0.1:" + local;
                        acc = collector.WaitFor(r => r.Item3.StartsWith("TcpServer#") && r.Item3.Contains(" accepted from " + peer),
                            "the server's accept of " + peer);
                        Assert.Equal("HPSocket", acc.Item1, "the source the listener sees");
                        Assert.Equal(TraceEventType.Information, acc.Item2, "accept: Information");
                        Assert.True(client.Stop(), "client Stop");
                        Assert.True(closed.Wait(30000), "the server's OnClose");
                    }
                    var cls = collector.WaitFor(r => r.Item3.StartsWith("TcpServer#") && r.Item3.Contains("(" + peer + ") closed: Close, no error"),
                        "the server's close of " + peer);
                    Assert.Equal(TraceEventType.Information, cls.Item2, "close: Information");
                    string tag = acc.Item3.Substring(0, acc.Item3.IndexOf(':'));
                    Assert.True(cls.Item3.StartsWith(tag + ": connection "), "the same component names both: " + tag + " / " + cls.Item3);

                    // Off through the switch itself: the hook goes, nothing more arrives.
                    Logging.Source.Switch.Level = SourceLevels.Off;
                    Assert.Equal(NativeMethods.HPX_LOG_OFF, Logging.NativeLevel, "native level after Off");
                    int before = collector.Snapshot().Count;
                    using (TcpClient quiet = Connect(port, out local))
                    {
                        Assert.True(accepted.Wait(30000), "first accept counted");
                        Assert.True(accepted.Wait(30000), "the quiet client's accept");
                        Assert.True(quiet.Stop(), "quiet client Stop");
                        Assert.True(closed.Wait(30000), "the quiet client's close at the server");
                    }
                    Assert.Equal(before, collector.Snapshot().Count, "no record while Off");

                    // And on again through the switch (no Enable call).
                    Logging.Source.Switch.Level = SourceLevels.Verbose;
                    Assert.Equal(NativeMethods.HPX_LOG_DEBUG, Logging.NativeLevel, "native level at Verbose");
                    using (TcpClient again = Connect(port, out local))
                        collector.WaitFor(r => r.Item3.Contains(" accepted from 127.0.0.1:" + local), "an accept after switching on again");
                }
            }
            finally
            {
                Logging.Disable();
                Logging.Source.Listeners.Remove(collector);
            }
            Assert.Equal(SourceLevels.Off, Logging.Source.Switch.Level, "Disable sets the switch Off");
            Assert.Equal(0, Logging.NativeLevel, "Disable removes the hook");
        }

        /// <summary>At Warning the library sends no Information records, but a connection refused
        /// at MaxConnectionCount arrives as a Warning.</summary>
        [Test]
        public static void Warning_level_gets_refusals_only()
        {
            var collector = new Collector();
            Logging.Source.Listeners.Add(collector);
            try
            {
                Logging.Enable(SourceLevels.Warning);
                Assert.Equal(NativeMethods.HPX_LOG_WARN, Logging.NativeLevel, "native level");
                using (TcpServer server = new TcpServer { MaxConnectionCount = 1 })
                {
                    var accepted = new ManualResetEventSlim(false);
                    server.OnAccept += (s, id, c) => { accepted.Set(); return HandleResult.Ok; };
                    ushort port = Util.Start(server);
                    ushort first, second;
                    using (TcpClient a = Connect(port, out first))
                    {
                        Assert.Wait(accepted, "the first connection's accept");
                        var refusedClosed = new ManualResetEventSlim(false);
                        using (TcpClient b = new TcpClient())
                        {
                            var connected = new ManualResetEventSlim(false);
                            second = 0;
                            // Read in OnConnect: the refusal may close the connection before Start returns.
                            b.OnConnect += (c, id) =>
                            {
                                string address;
                                if (c.GetLocalAddress(out address, out second)) connected.Set();
                                return HandleResult.Ok;
                            };
                            b.OnClose += (c, id, op, code) => { refusedClosed.Set(); return HandleResult.Ok; };
                            Assert.True(b.Start("127.0.0.1", port, false), "second client Start (the kernel accepts it)");
                            Assert.Wait(connected, "the second client's OnConnect with its local address");
                            var w = collector.WaitFor(r => r.Item3.Contains("connection from 127.0.0.1:" + second + " refused: MaxConnectionCount (1) reached"),
                                "the refusal");
                            Assert.Equal(TraceEventType.Warning, w.Item2, "refusal: Warning");
                            Assert.Wait(refusedClosed, "the refused client sees its close");
                        }
                    }
                }
                Assert.Equal(0, collector.Snapshot().Count(r => r.Item2 != TraceEventType.Warning), "only Warning records");
            }
            finally
            {
                Logging.Disable();
                Logging.Source.Listeners.Remove(collector);
            }
        }

        /// <summary>A listener that throws on every record: each exception is caught and counted,
        /// the connections work and close normally, the process goes on.</summary>
        [Test]
        public static void A_throwing_listener_does_not_reach_the_library()
        {
            var thrower = new Thrower();
            Logging.Source.Listeners.Add(thrower);
            long failuresBefore = Logging.ListenerFailureCount;
            try
            {
                Logging.Enable(SourceLevels.All);
                using (TcpServer server = Util.EchoServer())
                {
                    var closed = new CountdownEvent(3);
                    server.OnClose += (s, id, op, code) => { closed.Signal(); return HandleResult.Ok; };
                    ushort port = Util.Start(server);
                    for (int i = 0; i < 3; i++)
                    {
                        var echoed = new ManualResetEventSlim(false);
                        using (TcpClient c = new TcpClient())
                        {
                            c.OnReceive += (cl, id, d) => { echoed.Set(); return HandleResult.Ok; };
                            Assert.True(c.Start("127.0.0.1", port, false), "client Start " + i);
                            Assert.True(c.Send(new byte[] { 1, 2, 3 }), "send " + i);
                            Assert.Wait(echoed, "echo " + i);
                            Assert.True(c.Stop(), "client Stop " + i);
                        }
                    }
                    Assert.Wait(closed, "three closes at the server");
                    // Records of the server's accepts and closes and the clients' own: at least six.
                    Assert.True(thrower.Calls >= 6, "the listener was called: " + thrower.Calls);
                    Assert.True(Logging.ListenerFailureCount - failuresBefore >= 6,
                        "the failures were counted: " + (Logging.ListenerFailureCount - failuresBefore));
                    Assert.True(server.Stop(), "server Stop");
                }
            }
            finally
            {
                Logging.Disable();
                Logging.Source.Listeners.Remove(thrower);
            }
        }

        [Test]
        public static void Level_mapping()
        {
            Assert.Equal(NativeMethods.HPX_LOG_OFF, Logging.NativeLevelFor(SourceLevels.Off), "Off");
            Assert.Equal(NativeMethods.HPX_LOG_OFF, Logging.NativeLevelFor(SourceLevels.Critical), "Critical");
            Assert.Equal(NativeMethods.HPX_LOG_OFF, Logging.NativeLevelFor(SourceLevels.ActivityTracing), "ActivityTracing");
            Assert.Equal(NativeMethods.HPX_LOG_ERROR, Logging.NativeLevelFor(SourceLevels.Error), "Error");
            Assert.Equal(NativeMethods.HPX_LOG_WARN, Logging.NativeLevelFor(SourceLevels.Warning), "Warning");
            Assert.Equal(NativeMethods.HPX_LOG_INFO, Logging.NativeLevelFor(SourceLevels.Information), "Information");
            Assert.Equal(NativeMethods.HPX_LOG_DEBUG, Logging.NativeLevelFor(SourceLevels.Verbose), "Verbose");
            Assert.Equal(NativeMethods.HPX_LOG_DEBUG, Logging.NativeLevelFor(SourceLevels.All), "All");
            Assert.Equal(0, Logging.NativeLevel, "off between tests");
        }
    }
}
