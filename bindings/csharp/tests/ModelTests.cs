using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace HPSocket.Tests
{
    public static class PackTests
    {
        private const ushort Flag = 0x169;
        private const uint Max = 0x7FF;

        /// <summary>PACK with HP-Socket's demo settings: every message arrives whole and in order
        /// (client and agent), an oversized send is refused, a message of exactly MaxPackSize passes.</summary>
        [Test]
        public static void Pack_messages_arrive_whole()
        {
            const int Msgs = 200;
            var errors = new ConcurrentQueue<string>();
            using (TcpPackServer server = new TcpPackServer())
            using (TcpPackClient client = new TcpPackClient())
            using (TcpPackAgent agent = new TcpPackAgent())
            {
                Assert.Equal(0x40000u, server.MaxPackSize, "default MaxPackSize");
                server.MaxPackSize = Max;
                server.PackHeaderFlag = Flag;
                server.WorkerThreadCount = 2;
                Assert.Throws<ArgumentOutOfRangeException>(() => server.PackHeaderFlag = 0x400, "a flag over 0x3FF");
                Assert.Equal(Flag, server.PackHeaderFlag, "the flag is unchanged");
                server.OnReceive += (s, id, msg) => s.Send(id, msg) ? HandleResult.Ok : HandleResult.Error;
                ushort port = Util.Start(server);

                var expected = new Queue<byte[]>();
                var allBack = new ManualResetEventSlim(false);
                int received = 0;
                client.MaxPackSize = Max;
                client.PackHeaderFlag = Flag;
                client.OnReceive += (c, id, msg) =>
                {
                    lock (expected)
                    {
                        byte[] want = expected.Dequeue();
                        if (Convert.ToBase64String(want) != Convert.ToBase64String(msg))
                            errors.Enqueue("message " + received + ": " + msg.Length + " bytes, expected " + want.Length);
                        if (++received == Msgs) allBack.Set();
                    }
                    return HandleResult.Ok;
                };
                Assert.True(client.Start("127.0.0.1", port, false), "client Start: " + client.ErrorMessage);
                for (int i = 0; i < Msgs; i++)
                {
                    int len = i == 0 ? (int)Max : 1 + (i * 613) % (int)Max;
                    byte[] m = Util.Fill(i, 0, len);
                    lock (expected) expected.Enqueue(m);
                    Assert.True(client.Send(m), "PACK send " + i + ": " + client.ErrorMessage);
                }
                Assert.False(client.Send(new byte[Max + 1]), "a message over MaxPackSize is refused");
                Assert.Equal(SocketError.InvalidParam, client.ErrorCode, "oversized send error");
                Assert.Wait(allBack, "every PACK echo");
                Assert.Equal(0, errors.Count, string.Join("; ", errors));
                Assert.True(client.IsConnected, "the refused send did not close the connection");

                // An agent with two connections, checked per connection.
                agent.MaxPackSize = Max;
                agent.PackHeaderFlag = Flag;
                var agentDone = new CountdownEvent(2);
                agent.OnReceive += (a, id, msg) =>
                {
                    int[] n = a.GetExtra<int[]>(id);
                    if (msg.Length != n[0] + 1 || msg[0] != (byte)n[0]) errors.Enqueue("agent message " + n[0] + " wrong");
                    if (++n[0] == 50) agentDone.Signal();
                    else a.Send(id, Fill(n[0]));
                    return HandleResult.Ok;
                };
                agent.OnConnect += (a, id) => a.Send(id, Fill(0)) ? HandleResult.Ok : HandleResult.Error;
                Assert.True(agent.Start(), "agent Start");
                for (int i = 0; i < 2; i++)
                {
                    IntPtr id;
                    Assert.True(agent.Connect("127.0.0.1", port, out id, new int[1]), "agent Connect");
                }
                Assert.Wait(agentDone, "agent PACK ping-pong");
                Assert.Equal(0, errors.Count, string.Join("; ", errors));
            }
        }

        private static byte[] Fill(int n)
        {
            byte[] b = new byte[n + 1];
            for (int i = 0; i < b.Length; i++) b[i] = (byte)n;
            return b;
        }

        /// <summary>A peer whose header flag differs is disconnected by the PACK server.</summary>
        [Test]
        public static void Pack_wrong_flag_closes_the_connection()
        {
            var closed = new ManualResetEventSlim(false);
            int received = 0;
            using (TcpPackServer server = new TcpPackServer())
            using (TcpPackClient client = new TcpPackClient())
            {
                server.PackHeaderFlag = Flag;
                server.OnReceive += (s, id, m) => { Interlocked.Increment(ref received); return HandleResult.Ok; };
                server.OnClose += (s, id, op, err) => { closed.Set(); return HandleResult.Ok; };
                ushort port = Util.Start(server);
                client.PackHeaderFlag = Flag + 1;
                Assert.True(client.Start("127.0.0.1", port, false), "client Start");
                Assert.True(client.Send(new byte[] { 1, 2, 3 }), "send");
                Assert.Wait(closed, "server closes the connection");
                Assert.Equal(0, Volatile.Read(ref received), "no message delivered");
            }
        }
        /// <summary>The setters of MaxPackSize and PackHeaderFlag refuse what Start would refuse
        /// (ArgumentOutOfRangeException, nothing changed) on servers, agents and clients, plain
        /// and TLS; a valid change while running is HPSocketException, as before.</summary>
        [Test]
        public static void Pack_setters_check_the_limits()
        {
            var pack = new Func<object>[]
            {
                () => new TcpPackServer(), () => new SslPackServer(), () => new TcpPackAgent(),
                () => new SslPackAgent(), () => new TcpPackClient(), () => new SslPackClient(),
            };
            foreach (Func<object> make in pack)
            {
                using (IDisposable c = (IDisposable)make())
                {
                    SetPack(c, 1u, (ushort)0);
                    SetPack(c, PackLimits.MaxPackSize, PackLimits.MaxPackHeaderFlag);
                    foreach (uint bad in new[] { 0u, PackLimits.MaxPackSize + 1, uint.MaxValue })
                    {
                        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SetPack(c, bad, null), c.GetType().Name + ".MaxPackSize = " + bad);
                        Assert.True(e.Message.Contains("MaxPackSize") && e.ParamName == "value", "the text names the setting: " + e.Message);
                        Assert.Equal(PackLimits.MaxPackSize, Get(c).Item1, "MaxPackSize unchanged");
                    }
                    foreach (ushort bad in new ushort[] { 0x400, 0xFFFF })
                    {
                        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SetPack(c, null, bad), c.GetType().Name + ".PackHeaderFlag = " + bad);
                        Assert.True(e.Message.Contains("PackHeaderFlag"), "the text names the setting: " + e.Message);
                        Assert.Equal(PackLimits.MaxPackHeaderFlag, Get(c).Item2, "PackHeaderFlag unchanged");
                    }
                }
            }

            // The binding's limits are the library's: through the raw setter, Start accepts
            // exactly what the property accepts.
            foreach (uint size in new[] { 0u, 1u, PackLimits.MaxPackSize, PackLimits.MaxPackSize + 1 })
            {
                bool valid = size >= 1 && size <= PackLimits.MaxPackSize;
                using (TcpPackServer server = new TcpPackServer())
                {
                    NativeMethods.HP_TcpPackServer_SetMaxPackSize(server.Handle, size);
                    Assert.Equal(valid, server.Start("127.0.0.1", 0), "server Start with MaxPackSize " + size + ": " + server.ErrorMessage);
                    if (!valid) Assert.True(server.ErrorMessage.Contains("MaxPackSize"), "named: " + server.ErrorMessage);
                }
                using (TcpPackAgent agent = new TcpPackAgent())
                {
                    NativeMethods.HP_TcpPackAgent_SetMaxPackSize(agent.Handle, size);
                    Assert.Equal(valid, agent.Start(), "agent Start with MaxPackSize " + size + ": " + agent.ErrorMessage);
                }
            }
            foreach (ushort flag in new ushort[] { 0, PackLimits.MaxPackHeaderFlag, PackLimits.MaxPackHeaderFlag + 1 })
            {
                bool valid = flag <= PackLimits.MaxPackHeaderFlag;
                using (TcpPackServer server = new TcpPackServer())
                {
                    NativeMethods.HP_TcpPackServer_SetPackHeaderFlag(server.Handle, flag);
                    Assert.Equal(valid, server.Start("127.0.0.1", 0), "server Start with PackHeaderFlag " + flag + ": " + server.ErrorMessage);
                    if (!valid) Assert.True(server.ErrorMessage.Contains("PackHeaderFlag"), "named: " + server.ErrorMessage);
                }
                using (TcpPackAgent agent = new TcpPackAgent())
                {
                    NativeMethods.HP_TcpPackAgent_SetPackHeaderFlag(agent.Handle, flag);
                    Assert.Equal(valid, agent.Start(), "agent Start with PackHeaderFlag " + flag + ": " + agent.ErrorMessage);
                }
            }

            using (TcpPackServer server = new TcpPackServer())
            using (TcpPackClient client = new TcpPackClient())
            {
                ushort port = Util.Start(server);
                Assert.Throws<HPSocketException>(() => server.MaxPackSize = 0x1000, "a valid MaxPackSize while running");
                Assert.Throws<ArgumentOutOfRangeException>(() => server.MaxPackSize = 0, "an invalid one while running: the range first");
                Assert.Equal(PackLimits.DefaultMaxPackSize, server.MaxPackSize, "unchanged");
                client.MaxPackSize = PackLimits.MaxPackSize;
                Assert.True(client.Start("127.0.0.1", port, false), "client Start at the largest MaxPackSize: " + client.ErrorMessage);
                Assert.Throws<HPSocketException>(() => client.PackHeaderFlag = 1, "a valid PackHeaderFlag while connected");
            }
        }

        /// <summary>Sets MaxPackSize and/or PackHeaderFlag (null: leave) on any PACK component.</summary>
        private static void SetPack(object c, uint? size, ushort? flag)
        {
            if (c is TcpPackServer)
            {
                if (size.HasValue) ((TcpPackServer)c).MaxPackSize = size.Value;
                if (flag.HasValue) ((TcpPackServer)c).PackHeaderFlag = flag.Value;
            }
            else if (c is TcpPackAgent)
            {
                if (size.HasValue) ((TcpPackAgent)c).MaxPackSize = size.Value;
                if (flag.HasValue) ((TcpPackAgent)c).PackHeaderFlag = flag.Value;
            }
            else
            {
                if (size.HasValue) ((TcpPackClient)c).MaxPackSize = size.Value;
                if (flag.HasValue) ((TcpPackClient)c).PackHeaderFlag = flag.Value;
            }
        }

        private static Tuple<uint, ushort> Get(object c)
        {
            if (c is TcpPackServer) return Tuple.Create(((TcpPackServer)c).MaxPackSize, ((TcpPackServer)c).PackHeaderFlag);
            if (c is TcpPackAgent) return Tuple.Create(((TcpPackAgent)c).MaxPackSize, ((TcpPackAgent)c).PackHeaderFlag);
            return Tuple.Create(((TcpPackClient)c).MaxPackSize, ((TcpPackClient)c).PackHeaderFlag);
        }
    }

    public static class PullTests
    {
        // Frames: a 4-byte little-endian length, then the body.
        private static byte[] Frame(byte[] body)
        {
            byte[] f = new byte[4 + body.Length];
            BitConverter.GetBytes(body.Length).CopyTo(f, 0);
            body.CopyTo(f, 4);
            return f;
        }

        /// <summary>Takes every whole frame out of a PULL buffer with Peek then Fetch.</summary>
        private static List<byte[]> Frames(Func<byte[], FetchResult> peek, Func<byte[], FetchResult> fetch, ref int available)
        {
            var frames = new List<byte[]>();
            byte[] head = new byte[4];
            while (available >= 4)
            {
                if (peek(head) != FetchResult.Ok) throw new AssertionException("Peek of a header failed");
                int len = BitConverter.ToInt32(head, 0);
                if (available < 4 + len)
                {
                    // not all there yet: fetching the whole frame must say so and copy nothing
                    byte[] tooLong = new byte[4 + len];
                    if (fetch(tooLong) != FetchResult.LengthTooLong) throw new AssertionException("Fetch past the end did not say LengthTooLong");
                    break;
                }
                byte[] frame = new byte[4 + len];
                if (fetch(frame) != FetchResult.Ok) throw new AssertionException("Fetch of a frame failed");
                byte[] body = new byte[len];
                Array.Copy(frame, 4, body, 0, len);
                frames.Add(body);
                available -= 4 + len;
            }
            return frames;
        }

        /// <summary>A PULL server and a PULL client parse length-prefixed frames with Peek/Fetch;
        /// the server echoes each frame; a PULL agent does the same.</summary>
        [Test]
        public static void Pull_frames_with_fetch_and_peek()
        {
            const int N = 150;
            var errors = new ConcurrentQueue<string>();
            using (TcpPullServer server = new TcpPullServer())
            using (TcpPullClient client = new TcpPullClient())
            using (TcpPullAgent agent = new TcpPullAgent())
            {
                server.WorkerThreadCount = 2;
                server.OnPullReceive += (s, id, length) =>
                {
                    int avail = length;
                    foreach (byte[] body in Frames(b => s.Peek(id, b), b => s.Fetch(id, b), ref avail))
                        if (!s.Send(id, Frame(body))) return HandleResult.Error;
                    return HandleResult.Ok;
                };
                ushort port = Util.Start(server);

                int got = 0;
                var all = new ManualResetEventSlim(false);
                client.OnPullReceive += (c, id, length) =>
                {
                    int avail = length;
                    foreach (byte[] body in Frames(b => c.Peek(b), b => c.Fetch(b), ref avail))
                    {
                        int i = got++;
                        if (body.Length != i % 700 || (body.Length > 0 && body[0] != Util.Pattern(i, 0)))
                            errors.Enqueue("client frame " + i + " wrong");
                    }
                    if (got == N) all.Set();
                    return HandleResult.Ok;
                };
                Assert.True(client.Start("127.0.0.1", port, false), "client Start");
                // Frames split across sends at odd places so the reader sees partial frames.
                var wire = new List<byte>();
                for (int i = 0; i < N; i++) wire.AddRange(Frame(Util.Fill(i, 0, i % 700)));
                byte[] bytes = wire.ToArray();
                for (int off = 0, k = 0; off < bytes.Length; k++)
                {
                    int n = Math.Min(bytes.Length - off, 1 + (k * 389) % 1500);
                    Assert.True(client.Send(bytes, off, n), "client send");
                    off += n;
                }
                Assert.Wait(all, "every frame back");
                Assert.Equal(0, errors.Count, string.Join("; ", errors));

                // Fetch/Peek edge cases on the client: nothing buffered now.
                Assert.Equal(FetchResult.LengthTooLong, client.Fetch(new byte[1]), "Fetch with nothing buffered");
                Assert.Equal(FetchResult.DataNotFound, server.Fetch(new IntPtr(987654), new byte[4]), "Fetch of an unknown connection");
                Assert.Throws<ArgumentOutOfRangeException>(() => client.Fetch(new byte[4], 2, 4), "range check");

                int agentFrames = 0;
                var agentDone = new ManualResetEventSlim(false);
                agent.OnPullReceive += (a, id, length) =>
                {
                    int avail = length;
                    agentFrames += Frames(b => a.Peek(id, b), b => a.Fetch(id, b), ref avail).Count;
                    if (agentFrames == 20) agentDone.Set();
                    return HandleResult.Ok;
                };
                Assert.True(agent.Start(null, false), "agent Start");
                IntPtr conn;
                Assert.True(agent.Connect("127.0.0.1", port, out conn), "agent Connect");
                for (int i = 0; i < 20; i++) Assert.True(agent.Send(conn, Frame(Util.Fill(i, 0, 100 * i))), "agent send");
                Assert.Wait(agentDone, "agent frames");
            }
        }
    }
}
