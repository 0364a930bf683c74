using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>The HTTP components against Mono's own HTTP stack: HttpWebRequest as the client of
    /// HttpServer, System.Net.HttpListener as the server of HttpSyncClient/HttpClient/HttpAgent,
    /// and raw sockets for what a well-behaved peer never sends.</summary>
    public static class HttpTests
    {
        private static KeyValuePair<string, string> H(string n, string v) { return new KeyValuePair<string, string>(n, v); }

        /// <summary>An HTTP server answering every request with what it saw.</summary>
        private sealed class Recorder
        {
            public readonly HttpServer Server = new HttpServer();
            public readonly ConcurrentQueue<string> Events = new ConcurrentQueue<string>();
            public readonly ConcurrentDictionary<IntPtr, MemoryStream> Bodies = new ConcurrentDictionary<IntPtr, MemoryStream>();
            public int Accepts, Chunks;
            public readonly ManualResetEventSlim ParseError = new ManualResetEventSlim(), Closed = new ManualResetEventSlim();
            public string Error;

            public Recorder()
            {
                Server.OnAccept += (s, id, c) => { Interlocked.Increment(ref Accepts); return HandleResult.Ok; };
                Server.OnMessageBegin += (s, id) => { Events.Enqueue("begin"); Bodies[id] = new MemoryStream(); return HttpParseResult.Ok; };
                Server.OnRequestLine += (s, id, m, u) => { Events.Enqueue("line " + m + " " + u); return HttpParseResult.Ok; };
                Server.OnHeader += (s, id, n, v) => { if (n.Equals("x-test", StringComparison.OrdinalIgnoreCase)) Events.Enqueue("header " + n + "=" + v); return HttpParseResult.Ok; };
                Server.OnHeadersComplete += (s, id) => { Events.Enqueue("headers"); return HttpParseResult.Ok; };
                Server.OnChunkHeader += (s, id, n) => { Interlocked.Increment(ref Chunks); return HttpParseResult.Ok; };
                Server.OnBody += (s, id, data) => { Bodies[id].Write(data, 0, data.Length); return HttpParseResult.Ok; };
                Server.OnMessageComplete += (s, id) =>
                {
                    Events.Enqueue("complete");
                    HttpMessage m = s.GetMessage(id);
                    string text = m.Method + " path=" + m.Path + " query=" + m.Query + " x-test=" + m.GetHeader("X-TEST")
                        + " cookies=" + string.Join(",", m.Cookies.Select(kv => kv.Key + "=" + kv.Value)) + " ka=" + m.KeepAlive
                        + " len=" + m.ContentLength + " version=" + m.Version + " body=" + Encoding.UTF8.GetString(Bodies[id].ToArray());
                    bool ok = s.SendResponse(id, 200, null, new[] { H("Content-Type", "text/plain"), H("X-Conn", id.ToString()),
                        H("Set-Cookie", "a=1"), H("Set-Cookie", "b=2") }, Encoding.UTF8.GetBytes(text));
                    if (!m.KeepAlive) s.Release(id);
                    return ok ? HttpParseResult.Ok : HttpParseResult.Error;
                };
                Server.OnParseError += (s, id, code, desc) => { Error = code + " " + desc; ParseError.Set(); return HttpParseResult.Ok; };
                Server.OnClose += (s, id, op, code) => { Closed.Set(); return HandleResult.Ok; };
            }
        }

        private static string Read(WebResponse r)
        {
            using (var sr = new StreamReader(r.GetResponseStream(), Encoding.UTF8)) return sr.ReadToEnd();
        }

        [Test]
        public static void Http_server_answers_HttpWebRequest_get_post_and_keep_alive()
        {
            var rec = new Recorder();
            using (rec.Server)
            {
                ushort port = Util.Start(rec.Server);
                var get = (HttpWebRequest)WebRequest.Create("http://127.0.0.1:" + port + "/a/b?x=1&y=two");
                get.Headers["X-Test"] = "hello";
                get.Headers["Cookie"] = "k=v; k2=v2";
                string conn1;
                using (var r = (HttpWebResponse)get.GetResponse())
                {
                    string body = Read(r);
                    Assert.Equal(200, (int)r.StatusCode, "GET status");
                    Assert.True(body.StartsWith("GET path=/a/b query=x=1&y=two x-test=hello cookies=k=v,k2=v2 ka=True"), body);
                    Assert.Equal("text/plain", r.ContentType, "content type");
                    conn1 = r.Headers["X-Conn"];
                }
                Assert.Equal("begin|line GET /a/b?x=1&y=two|header X-Test=hello|headers|complete", string.Join("|", rec.Events), "events");

                var post = (HttpWebRequest)WebRequest.Create("http://127.0.0.1:" + port + "/submit");
                post.Method = "POST";
                byte[] form = Encoding.ASCII.GetBytes("name=value");
                post.ContentLength = form.Length;
                using (System.IO.Stream s = post.GetRequestStream()) s.Write(form, 0, form.Length);
                using (var r = (HttpWebResponse)post.GetResponse())
                {
                    string body = Read(r);
                    Assert.True(body.StartsWith("POST path=/submit query= "), body);
                    Assert.True(body.EndsWith("len=10 version=1.1 body=name=value"), body);
                    Assert.Equal(conn1, r.Headers["X-Conn"], "keep-alive: the same connection");
                }
                Assert.Equal(1, Volatile.Read(ref rec.Accepts), "one connection");
            }
        }

        [Test]
        public static void Http_server_takes_a_chunked_upload()
        {
            var rec = new Recorder();
            using (rec.Server)
            {
                ushort port = Util.Start(rec.Server);
                var req = (HttpWebRequest)WebRequest.Create("http://127.0.0.1:" + port + "/up");
                req.Method = "PUT";
                req.SendChunked = true;
                byte[] big = Enumerable.Range(0, 100000).Select(i => (byte)('a' + i % 26)).ToArray();
                using (System.IO.Stream s = req.GetRequestStream())
                    for (int at = 0; at < big.Length; at += 30000) s.Write(big, at, Math.Min(30000, big.Length - at));
                using (var r = (HttpWebResponse)req.GetResponse())
                {
                    string body = Read(r);
                    Assert.True(body.EndsWith("len=0 version=1.1 body=" + Encoding.ASCII.GetString(big)), "chunked body echoed");
                }
                Assert.True(Volatile.Read(ref rec.Chunks) >= 2, "chunks: " + rec.Chunks);
            }
        }

        [Test]
        public static void Http_server_reports_a_bad_request_from_a_raw_socket()
        {
            var rec = new Recorder();
            using (rec.Server)
            {
                ushort port = Util.Start(rec.Server);
                using (var c = new System.Net.Sockets.TcpClient("127.0.0.1", port))
                {
                    byte[] bad = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nBad Header\r\n\r\n");
                    c.GetStream().Write(bad, 0, bad.Length);
                    Assert.Wait(rec.ParseError, "OnParseError");
                    Assert.Wait(rec.Closed, "OnClose");
                    Assert.Equal(0, c.GetStream().Read(new byte[16], 0, 16), "the server closed");
                }
                Assert.True(rec.Error != null && rec.Error.Length > 2, "error text: " + rec.Error);
            }
        }

        [Test]
        public static void Http_handler_exception_is_reported_and_closes_the_connection()
        {
            using (var server = new HttpServer())
            {
                var reported = new ManualResetEventSlim();
                var parseError = new ManualResetEventSlim();
                string what = null;
                server.OnRequestLine += (s, id, m, u) => { throw new InvalidOperationException("boom " + u); };
                server.OnParseError += (s, id, code, desc) => { parseError.Set(); return HttpParseResult.Ok; };
                server.OnCallbackException += (s, cb, e) => { what = cb + ": " + e.Message; reported.Set(); };
                ushort port = Util.Start(server);
                using (var c = new System.Net.Sockets.TcpClient("127.0.0.1", port))
                {
                    byte[] req = Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
                    c.GetStream().Write(req, 0, req.Length);
                    Assert.Wait(parseError, "OnParseError");
                    Assert.Equal(0, c.GetStream().Read(new byte[16], 0, 16), "the server closed");
                }
                Assert.Wait(reported, "OnCallbackException");
                Assert.Equal("OnRequestLine: boom /x", what, "reported");
            }
        }

        [Test]
        public static void Http_server_chunked_response_settings_and_errors()
        {
            using (var server = new HttpServer())
            {
                server.OnMessageComplete += (s, id) =>
                {
                    s.SendResponse(id, 200, null, new[] { H("Transfer-Encoding", "chunked") }, null);
                    s.SendChunk(id, Encoding.ASCII.GetBytes("hello "));
                    s.SendChunk(id, Encoding.ASCII.GetBytes("world"), "ext=1");
                    s.SendLastChunk(id);
                    return HttpParseResult.Ok;
                };
                Assert.Equal(HttpVersion.Http11, server.LocalVersion, "default version");
                Assert.Equal(3000u, server.ReleaseDelay, "default release delay");
                Assert.True(server.HttpAutoStart, "auto start");
                ushort port = Util.Start(server);
                server.LocalVersion = HttpVersion.Http10; // allowed while running
                Assert.Equal(HttpVersion.Http10, server.LocalVersion, "version set");
                using (var client = new HttpSyncClient())
                {
                    Assert.True(client.OpenUrl("GET", "http://127.0.0.1:" + port + "/"), "OpenUrl: " + client.ErrorMessage);
                    HttpMessage m = client.GetMessage();
                    Assert.Equal(200, m.StatusCode, "status");
                    Assert.Equal("1.0", m.Version, "version");
                    Assert.Equal("chunked", m.GetHeader("transfer-encoding"), "TE");
                    Assert.Equal("hello world", Encoding.ASCII.GetString(client.GetResponseBody()), "body");
                }
                Assert.False(server.SendResponse(new IntPtr(12345), 200, "gone"), "unknown connection");
                Assert.Throws<ArgumentException>(() => server.SendResponse(new IntPtr(1), 200, null, new[] { H("A", "x\0y") }, null), "NUL in a header");
                Assert.False(server.SendResponse(new IntPtr(1), 200, null, new[] { H("Bad Name", "x") }, null), "bad header name");
            }
        }

        /// <summary>CompressMinSize (generated from the http_ext table): 0 by default; a body of at
        /// least that many bytes goes gzip-compressed to a client accepting gzip, a shorter one as
        /// it is.</summary>
        [Test]
        public static void Http_server_compresses_bodies_from_CompressMinSize()
        {
            using (var server = new HttpServer())
            {
                byte[] big = Encoding.ASCII.GetBytes(new string('a', 1000));
                byte[] small = Encoding.ASCII.GetBytes(new string('b', 50));
                server.OnMessageComplete += (s, id) =>
                    s.SendResponse(id, 200, null, null, s.GetMessage(id).Path == "/big" ? big : small) ? HttpParseResult.Ok : HttpParseResult.Error;
                Assert.Equal(0u, server.CompressMinSize, "off by default");
                server.CompressMinSize = 100;
                Assert.Equal(100u, server.CompressMinSize, "set");
                ushort port = Util.Start(server);
                using (var client = new HttpSyncClient())
                {
                    var gzip = new[] { H("Accept-Encoding", "gzip") };
                    Assert.True(client.OpenUrl("GET", "http://127.0.0.1:" + port + "/big", gzip), "OpenUrl big: " + client.ErrorMessage);
                    Assert.Equal("gzip", client.GetMessage().GetHeader("Content-Encoding"), "a big body goes compressed");
                    byte[] body = client.GetResponseBody();
                    Assert.True(body.Length < big.Length, "compressed: " + body.Length + " bytes");
                    Assert.Equal(Encoding.ASCII.GetString(big), Encoding.ASCII.GetString(HPSocket.Codecs.GZipUncompress(body)), "the body inflates back");
                    Assert.True(client.OpenUrl("GET", "http://127.0.0.1:" + port + "/small", gzip), "OpenUrl small: " + client.ErrorMessage);
                    Assert.Equal(null, client.GetMessage().GetHeader("Content-Encoding"), "a small body goes as it is");
                    Assert.Equal(Encoding.ASCII.GetString(small), Encoding.ASCII.GetString(client.GetResponseBody()), "the small body");
                }
            }
        }

        // ---- System.Net.HttpListener as the peer ---------------------------------------------

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int p = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return p;
        }

        /// <summary>A System.Net.HttpListener that answers "you sent METHOD body" with two X-Reply
        /// headers and a cookie; /chunked answers 201 chunked.</summary>
        private sealed class MonoServer : IDisposable
        {
            public readonly int Port = FreePort();
            public readonly ConcurrentQueue<string> Seen = new ConcurrentQueue<string>();
            private readonly System.Net.HttpListener _l = new System.Net.HttpListener();
            private readonly Thread _t;

            public MonoServer()
            {
                _l.Prefixes.Add("http://127.0.0.1:" + Port + "/");
                _l.Start();
                _t = new Thread(Loop) { IsBackground = true };
                _t.Start();
            }

            private void Loop()
            {
                while (true)
                {
                    HttpListenerContext ctx;
                    try { ctx = _l.GetContext(); }
                    catch (Exception) { return; }
                    string body;
                    using (var sr = new StreamReader(ctx.Request.InputStream)) body = sr.ReadToEnd();
                    Seen.Enqueue(ctx.Request.HttpMethod + " " + ctx.Request.RawUrl + " x-test=" + ctx.Request.Headers["X-Test"] + " body=" + body.Length);
                    byte[] outb = Encoding.UTF8.GetBytes("you sent " + ctx.Request.HttpMethod + " " + body);
                    ctx.Response.Headers.Add("X-Reply", "one");
                    ctx.Response.Headers.Add("X-Reply", "two");
                    ctx.Response.Headers.Add("Set-Cookie", "sid=abc; Path=/");
                    if (ctx.Request.Url.AbsolutePath == "/chunked")
                    {
                        ctx.Response.StatusCode = 201;
                        ctx.Response.SendChunked = true;
                    }
                    else ctx.Response.ContentLength64 = outb.Length;
                    ctx.Response.OutputStream.Write(outb, 0, outb.Length);
                    ctx.Response.Close();
                }
            }

            public void Dispose()
            {
                try { _l.Stop(); _l.Close(); } catch (Exception) { }
            }
        }

        [Test]
        public static void Http_sync_client_against_HttpListener()
        {
            using (var peer = new MonoServer())
            using (var client = new HttpSyncClient())
            {
                var status = new ConcurrentQueue<int>();
                client.OnStatusLine += (c, id, code, reason) => { status.Enqueue(code); return HttpParseResult.Ok; };
                Assert.Equal(5000u, client.ConnectTimeout, "connect timeout");
                Assert.Equal(10000u, client.RequestTimeout, "request timeout");
                string url = "http://127.0.0.1:" + peer.Port;
                Assert.True(client.OpenUrl("GET", url + "/sync?q=1", new[] { H("X-Test", "t1") }), "GET: " + client.ErrorMessage);
                HttpMessage m = client.GetMessage();
                Assert.Equal(200, m.StatusCode, "GET status");
                Assert.Equal("you sent GET ", Encoding.UTF8.GetString(client.GetResponseBody()), "GET body");
                Assert.Equal("one,two", string.Join(",", m.GetHeaders("X-REPLY")), "X-Reply values (any case)");
                Assert.Equal("abc", m.Cookies["sid"], "cookie");
                Assert.True(peer.Seen.Contains("GET /sync?q=1 x-test=t1 body=0"), string.Join("; ", peer.Seen));
                IntPtr conn = client.ConnectionId;

                byte[] payload = Encoding.ASCII.GetBytes(new string('p', 5000));
                Assert.True(client.OpenUrl("POST", url + "/post", null, payload), "POST: " + client.ErrorMessage);
                Assert.Equal("you sent POST " + new string('p', 5000), Encoding.UTF8.GetString(client.GetResponseBody()), "POST body");
                Assert.Equal(conn, client.ConnectionId, "the connection is reused");

                Assert.True(client.OpenUrl("PUT", url + "/chunked", null, Encoding.ASCII.GetBytes("x"), true), "PUT: " + client.ErrorMessage);
                Assert.Equal(201, client.GetMessage().StatusCode, "chunked status");
                Assert.Equal("you sent PUT x", Encoding.UTF8.GetString(client.GetResponseBody()), "chunked body");
                Assert.Equal("200|200|201", string.Join("|", status), "status lines");

                Assert.False(client.OpenUrl("GET", "ftp://x/"), "ftp URL");
                Assert.Equal(SocketError.InvalidParam, client.ErrorCode, "ftp error code");
            }
        }

        [Test]
        public static void Http_sync_client_times_out()
        {
            var silent = new TcpListener(IPAddress.Loopback, 0);
            silent.Start();
            try
            {
                using (var client = new HttpSyncClient())
                {
                    client.RequestTimeout = 300;
                    Assert.False(client.OpenUrl("GET", "http://127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port + "/"), "timeout");
                    Assert.True(client.ErrorMessage.Contains("300"), client.ErrorMessage);
                }
            }
            finally { silent.Stop(); }
        }

        [Test]
        public static void Http_sync_client_reads_a_response_whose_server_closes()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            var t = new Thread(() =>
            {
                try
                {
                    using (var s = l.AcceptTcpClient())
                    {
                        var st = s.GetStream();
                        int state = 0;
                        while (state < 4)
                        {
                            int b = st.ReadByte();
                            if (b < 0) return;
                            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
                        }
                        byte[] r = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi");
                        st.Write(r, 0, r.Length);
                    }
                }
                catch (Exception) { }
            });
            t.Start();
            try
            {
                using (var client = new HttpSyncClient())
                {
                    Assert.True(client.OpenUrl("GET", "http://127.0.0.1:" + ((IPEndPoint)l.LocalEndpoint).Port + "/close"), "OpenUrl: " + client.ErrorMessage);
                    HttpMessage m = client.GetMessage();
                    Assert.True(m != null, "the head outlives the connection");
                    Assert.Equal(200, m.StatusCode, "status");
                    Assert.False(m.KeepAlive, "keep-alive");
                    Assert.Equal("hi", Encoding.ASCII.GetString(client.GetResponseBody()), "body");
                }
            }
            finally { t.Join(5000); l.Stop(); }
        }

        [Test]
        public static void Http_client_and_agent_against_HttpListener()
        {
            using (var peer = new MonoServer())
            {
                var done = new ManualResetEventSlim();
                string seen = null;
                var body = new MemoryStream();
                using (var client = new HttpClient())
                {
                    client.OnConnect += (c, id) => ((HttpClient)c).SendPost("/from-client?z=9", new[] { H("X-Test", "c") }, Encoding.ASCII.GetBytes("abc")) ? HandleResult.Ok : HandleResult.Error;
                    client.OnBody += (c, id, data) => { lock (body) body.Write(data, 0, data.Length); return HttpParseResult.Ok; };
                    client.OnMessageComplete += (c, id) =>
                    {
                        HttpMessage m = c.GetMessage();
                        seen = m.StatusCode + " " + m.GetHeader("x-reply");
                        done.Set();
                        return HttpParseResult.Ok;
                    };
                    Assert.True(client.Start("127.0.0.1", (ushort)peer.Port, false), "client Start: " + client.ErrorMessage);
                    Assert.Wait(done, "the response");
                    Assert.True(seen.StartsWith("200 one"), seen);
                    lock (body) Assert.Equal("you sent POST abc", Encoding.UTF8.GetString(body.ToArray()), "client body");
                    Assert.True(peer.Seen.Contains("POST /from-client?z=9 x-test=c body=3"), string.Join("; ", peer.Seen));
                    Assert.Equal(200, client.GetMessage().StatusCode, "readable after the callbacks");
                    Assert.True(client.UseCookie, "use cookie");
                }

                var two = new CountdownEvent(2);
                var statuses = new ConcurrentQueue<int>();
                using (var agent = new HttpAgent())
                {
                    agent.OnMessageComplete += (a, id) => { statuses.Enqueue(a.GetMessage(id).StatusCode); two.Signal(); return HttpParseResult.Ok; };
                    Assert.True(agent.Start(null, false), "agent Start: " + agent.ErrorMessage);
                    IntPtr a1, a2;
                    Assert.True(agent.Connect("127.0.0.1", (ushort)peer.Port, out a1), "connect 1");
                    Assert.True(agent.Connect("127.0.0.1", (ushort)peer.Port, out a2), "connect 2");
                    Assert.True(agent.SendGet(a1, "/agent-a"), "GET: " + agent.ErrorMessage);
                    Assert.True(agent.SendDelete(a2, "/agent-b", new[] { H("X-Test", "b") }), "DELETE: " + agent.ErrorMessage);
                    Assert.Wait(two, "two responses");
                    Assert.Equal("200|200", string.Join("|", statuses), "statuses");
                    Assert.True(peer.Seen.Contains("DELETE /agent-b x-test=b body=0"), string.Join("; ", peer.Seen));
                }
            }
        }

        [Test]
        public static void Https_server_and_sync_client()
        {
            Util.Pki pki = Util.MakePki();
            using (var server = new HttpsServer())
            {
                server.OnMessageComplete += (s, id) =>
                    s.SendResponse(id, 200, "secure " + s.GetMessage(id).Path + " " + ((HttpsServer)s).Ssl.GetProtocolVersion(id)) ? HttpParseResult.Ok : HttpParseResult.Error;
                Assert.True(server.Ssl.Setup(SslVerifyMode.None, pki.ServerCert, pki.ServerKey), "Setup");
                ushort port = Util.Start(server);
                Assert.True(server.IsSecure, "secure");
                using (var client = new HttpsSyncClient())
                {
                    Assert.True(client.Ssl.Setup(SslVerifyMode.None), "client Setup");
                    Assert.True(client.OpenUrl("GET", "https://127.0.0.1:" + port + "/tls"), "OpenUrl: " + client.ErrorMessage);
                    string body = Encoding.UTF8.GetString(client.GetResponseBody());
                    Assert.True(body.StartsWith("secure /tls TLSv1."), body);
                    Assert.False(client.OpenUrl("GET", "http://127.0.0.1:1/"), "http URL on an HTTPS client");
                }
            }
        }
    }
}
