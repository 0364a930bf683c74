using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Text;

namespace HPSocket
{
    /// <summary>What an HTTP event handler tells the parser (<c>En_HP_HttpParseResult</c>).</summary>
    public enum HttpParseResult
    {
        /// <summary>Go on.</summary>
        Ok = 0,
        /// <summary>From OnHeadersComplete: the message has no body.</summary>
        SkipBody = 1,
        /// <summary>From OnHeadersComplete: the connection leaves HTTP after this head.</summary>
        Upgrade = 2,
        /// <summary>A parse error: OnParseError follows and the connection closes.</summary>
        Error = -1,
    }

    /// <summary>What a connection upgrades to (<c>En_HP_HttpUpgradeType</c>).</summary>
    public enum HttpUpgradeType
    {
        /// <summary>No upgrade.</summary>
        None = 0,
        /// <summary><c>Upgrade: websocket</c>.</summary>
        WebSocket = 1,
        /// <summary>A CONNECT tunnel.</summary>
        HttpTunnel = 2,
        /// <summary>Any other upgrade.</summary>
        Unknown = -1,
    }

    /// <summary>The version written in outgoing start lines (<c>MAKEWORD(major, minor)</c>).</summary>
    public enum HttpVersion
    {
        /// <summary>HTTP/1.0.</summary>
        Http10 = 0x0001,
        /// <summary>HTTP/1.1 (the default).</summary>
        Http11 = 0x0101,
    }

    /// <summary>An HTTP event without arguments.</summary>
    public delegate HttpParseResult HttpEventHandler<TSender>(TSender sender, IntPtr connId);
    /// <summary>Servers: the request line.</summary>
    public delegate HttpParseResult HttpRequestLineEventHandler<TSender>(TSender sender, IntPtr connId, string method, string url);
    /// <summary>Agents, clients: the status line.</summary>
    public delegate HttpParseResult HttpStatusLineEventHandler<TSender>(TSender sender, IntPtr connId, int status, string reason);
    /// <summary>One header line.</summary>
    public delegate HttpParseResult HttpHeaderEventHandler<TSender>(TSender sender, IntPtr connId, string name, string value);
    /// <summary>Body bytes (a copy).</summary>
    public delegate HttpParseResult HttpBodyEventHandler<TSender>(TSender sender, IntPtr connId, byte[] data);
    /// <summary>A chunk starts.</summary>
    public delegate HttpParseResult HttpChunkHeaderEventHandler<TSender>(TSender sender, IntPtr connId, int length);
    /// <summary>The connection left HTTP.</summary>
    public delegate HttpParseResult HttpUpgradeEventHandler<TSender>(TSender sender, IntPtr connId, HttpUpgradeType type);
    /// <summary>A parse error.</summary>
    public delegate HttpParseResult HttpParseErrorEventHandler<TSender>(TSender sender, IntPtr connId, int code, string description);

    /// <summary>What the HTTP trampolines call on an HTTP component.</summary>
    internal interface IHttpComponent
    {
        HttpParseResult FireMessageBegin(IntPtr connId);
        HttpParseResult FireRequestLine(IntPtr connId, string method, string url);
        HttpParseResult FireStatusLine(IntPtr connId, int status, string reason);
        HttpParseResult FireHeader(IntPtr connId, string name, string value);
        HttpParseResult FireHeadersComplete(IntPtr connId);
        HttpParseResult FireBody(IntPtr connId, byte[] data);
        HttpParseResult FireChunkHeader(IntPtr connId, int length);
        HttpParseResult FireChunkComplete(IntPtr connId);
        HttpParseResult FireMessageComplete(IntPtr connId);
        HttpParseResult FireUpgrade(IntPtr connId, HttpUpgradeType type);
        HttpParseResult FireParseError(IntPtr connId, int code, string description);
    }
    /// <summary>The HTTP trampolines: static delegates (never collected), shared by every HTTP
    /// family (the callback types are the same); the component found through the user data,
    /// every exception caught and turned into HPR_ERROR.</summary>
    internal static class HttpCallbacks
    {
        internal const int BitMessageBegin = 1 << 16;
        internal const int BitRequestLine = 1 << 17;
        internal const int BitStatusLine = 1 << 18;
        internal const int BitHeader = 1 << 19;
        internal const int BitHeadersComplete = 1 << 20;
        internal const int BitBody = 1 << 21;
        internal const int BitChunkHeader = 1 << 22;
        internal const int BitChunkComplete = 1 << 23;
        internal const int BitMessageComplete = 1 << 24;
        internal const int BitUpgrade = 1 << 25;
        internal const int BitParseError = 1 << 26;
        internal static readonly NativeMethods.HP_FN_Http_OnMessageBegin s_messageBegin = MessageBeginCb;
        internal static readonly NativeMethods.HP_FN_Http_OnRequestLine s_requestLine = RequestLineCb;
        internal static readonly NativeMethods.HP_FN_Http_OnStatusLine s_statusLine = StatusLineCb;
        internal static readonly NativeMethods.HP_FN_Http_OnHeader s_header = HeaderCb;
        internal static readonly NativeMethods.HP_FN_Http_OnHeadersComplete s_headersComplete = HeadersCompleteCb;
        internal static readonly NativeMethods.HP_FN_Http_OnBody s_body = BodyCb;
        internal static readonly NativeMethods.HP_FN_Http_OnChunkHeader s_chunkHeader = ChunkHeaderCb;
        internal static readonly NativeMethods.HP_FN_Http_OnChunkComplete s_chunkComplete = ChunkCompleteCb;
        internal static readonly NativeMethods.HP_FN_Http_OnMessageComplete s_messageComplete = MessageCompleteCb;
        internal static readonly NativeMethods.HP_FN_Http_OnUpgrade s_upgrade = UpgradeCb;
        internal static readonly NativeMethods.HP_FN_Http_OnParseError s_parseError = ParseErrorCb;

        private static int Run(IntPtr sender, string name, Func<IHttpComponent, HttpParseResult> f)
        {
            Component c = null;
            try
            {
                c = Component.FromSender<Component>(sender);
                IHttpComponent h = c as IHttpComponent;
                if (h == null) return NativeMethods.HPR_OK;
                Component.Enter(c);
                try { return (int)f(h); }
                finally { Component.Leave(c); }
            }
            catch (Exception e) { Component.Report(c, name, e); return NativeMethods.HPR_ERROR; }
        }

        private static int MessageBeginCb(IntPtr sender, IntPtr connId)
        {
            return Run(sender, "OnMessageBegin", h => h.FireMessageBegin(connId));
        }

        private static int RequestLineCb(IntPtr sender, IntPtr connId, IntPtr method, IntPtr url)
        {
            return Run(sender, "OnRequestLine", h => h.FireRequestLine(connId, Utf8.Decode(method), Utf8.Decode(url)));
        }

        private static int StatusLineCb(IntPtr sender, IntPtr connId, ushort status, IntPtr reason)
        {
            return Run(sender, "OnStatusLine", h => h.FireStatusLine(connId, status, Utf8.Decode(reason)));
        }

        private static int HeaderCb(IntPtr sender, IntPtr connId, IntPtr name, IntPtr value)
        {
            return Run(sender, "OnHeader", h => h.FireHeader(connId, Utf8.Decode(name), Utf8.Decode(value)));
        }

        private static int HeadersCompleteCb(IntPtr sender, IntPtr connId)
        {
            return Run(sender, "OnHeadersComplete", h => h.FireHeadersComplete(connId));
        }

        private static int BodyCb(IntPtr sender, IntPtr connId, IntPtr data, int length)
        {
            return Run(sender, "OnBody", h => h.FireBody(connId, Component.Copy(data, length)));
        }

        private static int ChunkHeaderCb(IntPtr sender, IntPtr connId, int length)
        {
            return Run(sender, "OnChunkHeader", h => h.FireChunkHeader(connId, length));
        }

        private static int ChunkCompleteCb(IntPtr sender, IntPtr connId)
        {
            return Run(sender, "OnChunkComplete", h => h.FireChunkComplete(connId));
        }

        private static int MessageCompleteCb(IntPtr sender, IntPtr connId)
        {
            return Run(sender, "OnMessageComplete", h => h.FireMessageComplete(connId));
        }

        private static int UpgradeCb(IntPtr sender, IntPtr connId, int type)
        {
            return Run(sender, "OnUpgrade", h => h.FireUpgrade(connId, (HttpUpgradeType)type));
        }

        private static int ParseErrorCb(IntPtr sender, IntPtr connId, int code, IntPtr description)
        {
            return Run(sender, "OnParseError", h => h.FireParseError(connId, code, Utf8.Decode(description)));
        }
    }
    /// <summary>The getters of one family (<c>HP_HttpServer_*</c>, <c>HP_HttpAgent_*</c>, <c>HP_HttpClient_*</c>).</summary>
    internal sealed class HttpReader
    {
        internal delegate int PairsFn(IntPtr h, IntPtr connId, HP_TNVPair[] pairs, ref uint count);

        internal Func<IntPtr, IntPtr, ushort> Version, Status;
        internal Func<IntPtr, IntPtr, IntPtr> Method;
        internal Func<IntPtr, IntPtr, int, IntPtr> UrlField;
        internal Func<IntPtr, IntPtr, IntPtr> Host;
        internal Func<IntPtr, IntPtr, int> KeepAlive, Upgrade;
        internal Func<IntPtr, IntPtr, ulong> ContentLength;
        internal PairsFn Headers, Cookies;

        internal static readonly HttpReader Server = new HttpReader
        {
            Version = NativeMethods.HP_HttpServer_GetVersion,
            Status = (h, c) => 0,
            Method = NativeMethods.HP_HttpServer_GetMethod,
            UrlField = NativeMethods.HP_HttpServer_GetUrlField,
            Host = NativeMethods.HP_HttpServer_GetHost,
            KeepAlive = NativeMethods.HP_HttpServer_IsKeepAlive,
            Upgrade = NativeMethods.HP_HttpServer_GetUpgradeType,
            ContentLength = NativeMethods.HP_HttpServer_GetContentLength,
            Headers = NativeMethods.HP_HttpServer_GetAllHeaders,
            Cookies = NativeMethods.HP_HttpServer_GetAllCookies,
        };

        internal static readonly HttpReader Agent = new HttpReader
        {
            Version = NativeMethods.HP_HttpAgent_GetVersion,
            Status = NativeMethods.HP_HttpAgent_GetStatusCode,
            Method = (h, c) => IntPtr.Zero,
            UrlField = (h, c, f) => IntPtr.Zero,
            Host = (h, c) => IntPtr.Zero,
            KeepAlive = NativeMethods.HP_HttpAgent_IsKeepAlive,
            Upgrade = NativeMethods.HP_HttpAgent_GetUpgradeType,
            ContentLength = NativeMethods.HP_HttpAgent_GetContentLength,
            Headers = NativeMethods.HP_HttpAgent_GetAllHeaders,
            Cookies = NativeMethods.HP_HttpAgent_GetAllCookies,
        };

        internal static readonly HttpReader Client = new HttpReader
        {
            Version = (h, c) => NativeMethods.HP_HttpClient_GetVersion(h),
            Status = (h, c) => NativeMethods.HP_HttpClient_GetStatusCode(h),
            Method = (h, c) => IntPtr.Zero,
            UrlField = (h, c, f) => IntPtr.Zero,
            Host = (h, c) => IntPtr.Zero,
            KeepAlive = (h, c) => NativeMethods.HP_HttpClient_IsKeepAlive(h),
            Upgrade = (h, c) => NativeMethods.HP_HttpClient_GetUpgradeType(h),
            ContentLength = (h, c) => NativeMethods.HP_HttpClient_GetContentLength(h),
            Headers = (IntPtr h, IntPtr c, HP_TNVPair[] p, ref uint n) => NativeMethods.HP_HttpClient_GetAllHeaders(h, p, ref n),
            Cookies = (IntPtr h, IntPtr c, HP_TNVPair[] p, ref uint n) => NativeMethods.HP_HttpClient_GetAllCookies(h, p, ref n),
        };

        /// <summary>Every pair, through the count query (retried when the message grew meanwhile).</summary>
        internal static List<KeyValuePair<string, string>> Pairs(PairsFn f, IntPtr h, IntPtr connId)
        {
            var list = new List<KeyValuePair<string, string>>();
            uint n = 0;
            f(h, connId, null, ref n);
            for (int attempt = 0; n > 0 && attempt < 4; attempt++)
            {
                var arr = new HP_TNVPair[n];
                uint got = n;
                if (f(h, connId, arr, ref got) != 0)
                {
                    for (int i = 0; i < got; i++)
                        list.Add(new KeyValuePair<string, string>(Utf8.Decode(arr[i].name), Utf8.Decode(arr[i].value)));
                    break;
                }
                n = got;
            }
            return list;
        }
    }

    /// <summary>
    /// What one HTTP message said: a request's line (servers) or a response's status (agents,
    /// clients), its headers and cookies. A snapshot taken by <c>GetMessage</c> from any thread
    /// (the library keeps the message the connection parses now or parsed last); headers are
    /// looked up in any case.
    /// </summary>
    public sealed class HttpMessage
    {
        private static readonly IReadOnlyList<string> NoValues = new ReadOnlyCollection<string>(new string[0]);

        /// <summary>The request method (null for a response).</summary>
        public string Method { get; private set; }
        /// <summary>The request target's path (null for a response or when absent).</summary>
        public string Path { get; private set; }
        /// <summary>The request target's query, without '?' (null when absent).</summary>
        public string Query { get; private set; }
        /// <summary>Path and query as requested (null for a response).</summary>
        public string Url { get; private set; }
        /// <summary>The Host header, else the URL's host (servers; null when neither).</summary>
        public string Host { get; private set; }
        /// <summary>The response's status code (0 for a request).</summary>
        public int StatusCode { get; private set; }
        /// <summary>The version, e.g. "1.1".</summary>
        public string Version { get; private set; }
        /// <summary>Whether the connection stays open after this message.</summary>
        public bool KeepAlive { get; private set; }
        /// <summary>What the message upgrades to.</summary>
        public HttpUpgradeType UpgradeType { get; private set; }
        /// <summary>The Content-Length; 0 when absent or chunked.</summary>
        public ulong ContentLength { get; private set; }
        /// <summary>Every header line in wire order (names as sent).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> HeaderLines { get; private set; }
        /// <summary>Every header by name, case-insensitive, values in wire order.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers { get; private set; }
        /// <summary>The cookies: a request's Cookie pairs, a response's Set-Cookie names and values.</summary>
        public IReadOnlyDictionary<string, string> Cookies { get; private set; }

        /// <summary>The first value of a header (any case), or null.</summary>
        public string GetHeader(string name)
        {
            IReadOnlyList<string> v;
            return Headers.TryGetValue(name, out v) ? v[0] : null;
        }

        /// <summary>Every value of a header (any case), empty when absent.</summary>
        public IReadOnlyList<string> GetHeaders(string name)
        {
            IReadOnlyList<string> v;
            return Headers.TryGetValue(name, out v) ? v : NoValues;
        }

        internal static HttpMessage Read(HttpReader r, IntPtr h, IntPtr connId)
        {
            ushort version = r.Version(h, connId);
            if (version == 0) return null; // no message yet, or no such connection
            var m = new HttpMessage();
            m.Version = (version & 0xff) + "." + (version >> 8);
            m.StatusCode = r.Status(h, connId);
            m.Method = Utf8.Decode(r.Method(h, connId));
            m.Path = Utf8.Decode(r.UrlField(h, connId, NativeMethods.HUF_PATH));
            m.Query = Utf8.Decode(r.UrlField(h, connId, NativeMethods.HUF_QUERY));
            if (m.Method != null) m.Url = (m.Path ?? "") + (m.Query != null ? "?" + m.Query : "");
            m.Host = Utf8.Decode(r.Host(h, connId));
            m.KeepAlive = r.KeepAlive(h, connId) != 0;
            m.UpgradeType = (HttpUpgradeType)r.Upgrade(h, connId);
            m.ContentLength = r.ContentLength(h, connId);
            List<KeyValuePair<string, string>> lines = HttpReader.Pairs(r.Headers, h, connId);
            var map = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in lines)
            {
                List<string> l;
                if (!map.TryGetValue(kv.Key, out l)) map[kv.Key] = l = new List<string>();
                l.Add(kv.Value);
            }
            var ro = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in map) ro[kv.Key] = kv.Value.AsReadOnly();
            m.HeaderLines = lines.AsReadOnly();
            m.Headers = new ReadOnlyDictionary<string, IReadOnlyList<string>>(ro);
            var cookies = new Dictionary<string, string>();
            foreach (var kv in HttpReader.Pairs(r.Cookies, h, connId))
                if (!cookies.ContainsKey(kv.Key)) cookies[kv.Key] = kv.Value;
            m.Cookies = new ReadOnlyDictionary<string, string>(cookies);
            return m;
        }

        /// <summary>The start line.</summary>
        public override string ToString()
        {
            return Method != null ? Method + " " + Url + " HTTP/" + Version : "HTTP/" + Version + " " + StatusCode;
        }
    }

    /// <summary>Headers as the library takes them: an HP_TNVPair array over unmanaged UTF-8 copies.</summary>
    internal sealed class NvPairs : IDisposable
    {
        internal readonly HP_TNVPair[] Array;
        internal int Count { get { return Array == null ? 0 : Array.Length; } }

        internal NvPairs(IEnumerable<KeyValuePair<string, string>> headers)
        {
            if (headers == null) return;
            var list = new List<HP_TNVPair>();
            try
            {
                foreach (var kv in headers)
                {
                    if (kv.Key == null) throw new ArgumentException("a header name is null", "headers");
                    var p = new HP_TNVPair();
                    p.name = Alloc(kv.Key);
                    p.value = Alloc(kv.Value ?? "");
                    list.Add(p);
                    Array = null;
                }
            }
            catch
            {
                foreach (var p in list) { Marshal.FreeHGlobal(p.name); Marshal.FreeHGlobal(p.value); }
                throw;
            }
            Array = list.Count == 0 ? null : list.ToArray();
        }

        private static IntPtr Alloc(string s)
        {
            byte[] b = Utf8.Encode(s);
            IntPtr p = Marshal.AllocHGlobal(b.Length);
            Marshal.Copy(b, 0, p, b.Length);
            return p;
        }

        public void Dispose()
        {
            if (Array == null) return;
            foreach (var p in Array) { Marshal.FreeHGlobal(p.name); Marshal.FreeHGlobal(p.value); }
        }
    }

    /// <summary>
    /// An HTTP/1.x server (HP-Socket's <c>HttpServer</c>): a <see cref="TcpServer"/> whose received
    /// bytes go through an HTTP parser, reported through the HTTP events (OnMessageBegin ...
    /// OnMessageComplete, OnParseError). Answer with <see cref="SendResponse(IntPtr, int, string, IEnumerable{KeyValuePair{string, string}}, byte[])"/>.
    /// </summary>
    public unsafe partial class HttpServer : TcpServer, IHttpComponent
    {
        /// <summary>Creates a stopped HTTP server.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public HttpServer() : this(false) { }

        internal HttpServer(bool ssl)
            : base(NativeMethods.Create_HP_HttpServerListener(),
                   l => ssl ? (SafeHandle)NativeMethods.Create_HP_HttpsServer(l) : NativeMethods.Create_HP_HttpServer(l),
                   ssl ? "HttpsServer" : "HttpServer")
        {
        }

        // ---- HTTP events ---------------------------------------------------------------

        private HttpEventHandler<HttpServer> _onMessageBegin;

        /// <summary>HTTP: A message starts.</summary>
        public event HttpEventHandler<HttpServer> OnMessageBegin
        {
            add { lock (EventLock) _onMessageBegin += value; Hook(HttpCallbacks.BitMessageBegin, l => NativeMethods.HP_Set_FN_HttpServer_OnMessageBegin(l, HttpCallbacks.s_messageBegin)); }
            remove { lock (EventLock) _onMessageBegin -= value; }
        }

        private HttpRequestLineEventHandler<HttpServer> _onRequestLine;

        /// <summary>HTTP: Servers: the request line (method verbatim, request target).</summary>
        public event HttpRequestLineEventHandler<HttpServer> OnRequestLine
        {
            add { lock (EventLock) _onRequestLine += value; Hook(HttpCallbacks.BitRequestLine, l => NativeMethods.HP_Set_FN_HttpServer_OnRequestLine(l, HttpCallbacks.s_requestLine)); }
            remove { lock (EventLock) _onRequestLine -= value; }
        }

        private HttpHeaderEventHandler<HttpServer> _onHeader;

        /// <summary>HTTP: One header line, in wire order.</summary>
        public event HttpHeaderEventHandler<HttpServer> OnHeader
        {
            add { lock (EventLock) _onHeader += value; Hook(HttpCallbacks.BitHeader, l => NativeMethods.HP_Set_FN_HttpServer_OnHeader(l, HttpCallbacks.s_header)); }
            remove { lock (EventLock) _onHeader -= value; }
        }

        private HttpEventHandler<HttpServer> _onHeadersComplete;

        /// <summary>HTTP: The head is complete: SkipBody ends the message without a body, Upgrade leaves HTTP after it.</summary>
        public event HttpEventHandler<HttpServer> OnHeadersComplete
        {
            add { lock (EventLock) _onHeadersComplete += value; Hook(HttpCallbacks.BitHeadersComplete, l => NativeMethods.HP_Set_FN_HttpServer_OnHeadersComplete(l, HttpCallbacks.s_headersComplete)); }
            remove { lock (EventLock) _onHeadersComplete -= value; }
        }

        private HttpBodyEventHandler<HttpServer> _onBody;

        /// <summary>HTTP: Body bytes, de-chunked (a copy the handler may keep).</summary>
        public event HttpBodyEventHandler<HttpServer> OnBody
        {
            add { lock (EventLock) _onBody += value; Hook(HttpCallbacks.BitBody, l => NativeMethods.HP_Set_FN_HttpServer_OnBody(l, HttpCallbacks.s_body)); }
            remove { lock (EventLock) _onBody -= value; }
        }

        private HttpChunkHeaderEventHandler<HttpServer> _onChunkHeader;

        /// <summary>HTTP: A chunk of a chunked body starts (0: the last one).</summary>
        public event HttpChunkHeaderEventHandler<HttpServer> OnChunkHeader
        {
            add { lock (EventLock) _onChunkHeader += value; Hook(HttpCallbacks.BitChunkHeader, l => NativeMethods.HP_Set_FN_HttpServer_OnChunkHeader(l, HttpCallbacks.s_chunkHeader)); }
            remove { lock (EventLock) _onChunkHeader -= value; }
        }

        private HttpEventHandler<HttpServer> _onChunkComplete;

        /// <summary>HTTP: A chunk ended.</summary>
        public event HttpEventHandler<HttpServer> OnChunkComplete
        {
            add { lock (EventLock) _onChunkComplete += value; Hook(HttpCallbacks.BitChunkComplete, l => NativeMethods.HP_Set_FN_HttpServer_OnChunkComplete(l, HttpCallbacks.s_chunkComplete)); }
            remove { lock (EventLock) _onChunkComplete -= value; }
        }

        private HttpEventHandler<HttpServer> _onMessageComplete;

        /// <summary>HTTP: The message is complete.</summary>
        public event HttpEventHandler<HttpServer> OnMessageComplete
        {
            add { lock (EventLock) _onMessageComplete += value; Hook(HttpCallbacks.BitMessageComplete, l => NativeMethods.HP_Set_FN_HttpServer_OnMessageComplete(l, HttpCallbacks.s_messageComplete)); }
            remove { lock (EventLock) _onMessageComplete -= value; }
        }

        private HttpUpgradeEventHandler<HttpServer> _onUpgrade;

        /// <summary>HTTP: The connection left HTTP (later bytes arrive through OnReceive); anything but Ok closes it.</summary>
        public event HttpUpgradeEventHandler<HttpServer> OnUpgrade
        {
            add { lock (EventLock) _onUpgrade += value; Hook(HttpCallbacks.BitUpgrade, l => NativeMethods.HP_Set_FN_HttpServer_OnUpgrade(l, HttpCallbacks.s_upgrade)); }
            remove { lock (EventLock) _onUpgrade -= value; }
        }

        private HttpParseErrorEventHandler<HttpServer> _onParseError;

        /// <summary>HTTP: The message could not be parsed (llhttp's HPE_* number and text); the connection closes.</summary>
        public event HttpParseErrorEventHandler<HttpServer> OnParseError
        {
            add { lock (EventLock) _onParseError += value; Hook(HttpCallbacks.BitParseError, l => NativeMethods.HP_Set_FN_HttpServer_OnParseError(l, HttpCallbacks.s_parseError)); }
            remove { lock (EventLock) _onParseError -= value; }
        }

        HttpParseResult IHttpComponent.FireMessageBegin(IntPtr connId) { var h = _onMessageBegin; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireRequestLine(IntPtr connId, string method, string url) { var h = _onRequestLine; return h == null ? HttpParseResult.Ok : h(this, connId, method, url); }
        HttpParseResult IHttpComponent.FireStatusLine(IntPtr connId, int status, string reason) { return HttpParseResult.Ok; }
        HttpParseResult IHttpComponent.FireHeader(IntPtr connId, string name, string value) { var h = _onHeader; return h == null ? HttpParseResult.Ok : h(this, connId, name, value); }
        HttpParseResult IHttpComponent.FireHeadersComplete(IntPtr connId) { var h = _onHeadersComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireBody(IntPtr connId, byte[] data) { var h = _onBody; return h == null ? HttpParseResult.Ok : h(this, connId, data); }
        HttpParseResult IHttpComponent.FireChunkHeader(IntPtr connId, int length) { var h = _onChunkHeader; return h == null ? HttpParseResult.Ok : h(this, connId, length); }
        HttpParseResult IHttpComponent.FireChunkComplete(IntPtr connId) { var h = _onChunkComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireMessageComplete(IntPtr connId) { var h = _onMessageComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireUpgrade(IntPtr connId, HttpUpgradeType type) { var h = _onUpgrade; return h == null ? HttpParseResult.Ok : h(this, connId, type); }
        HttpParseResult IHttpComponent.FireParseError(IntPtr connId, int code, string description) { var h = _onParseError; return h == null ? HttpParseResult.Ok : h(this, connId, code, description); }
        // ---- messages ----------------------------------------------------------------------

        /// <summary>The request the connection parses now or parsed last (null before the first
        /// one, or for an unknown connection); from any thread.</summary>
        public HttpMessage GetMessage(IntPtr connId) { return HttpMessage.Read(HttpReader.Server, Handle, connId); }

        /// <summary>The first value of a request header (any case), or null.</summary>
        public string GetHeader(IntPtr connId, string name)
        {
            IntPtr v;
            return NativeMethods.HP_HttpServer_GetHeader(Handle, connId, Utf8.Encode(name), out v) != 0 ? Utf8.Decode(v) : null;
        }

        /// <summary>The parse error that ended the connection's HTTP (0: none) and its text.</summary>
        public int GetParseError(IntPtr connId, out string description)
        {
            IntPtr d;
            int code = NativeMethods.HP_HttpServer_GetParseErrorCode(Handle, connId, out d);
            description = Utf8.Decode(d);
            return code;
        }

        // ---- sending -----------------------------------------------------------------------

        /// <summary>Sends a response as one send: <c>HTTP/x.y status reason</c> (null reason: the
        /// standard phrase), the headers, Content-Length unless the headers carry Content-Length or
        /// Transfer-Encoding, and the body. False (ErrorCode) when the connection is gone or a
        /// header is malformed.</summary>
        public bool SendResponse(IntPtr connId, int statusCode, string reason, IEnumerable<KeyValuePair<string, string>> headers, byte[] body)
        {
            if (statusCode < 0 || statusCode > ushort.MaxValue) throw new ArgumentOutOfRangeException("statusCode");
            using (var h = new NvPairs(headers))
            fixed (byte* p = body)
            {
                return NativeMethods.HP_HttpServer_SendResponse(Handle, connId, (ushort)statusCode, Utf8.Encode(reason),
                    h.Array, h.Count, p, body == null ? 0 : body.Length) != 0;
            }
        }

        /// <summary>Sends a response with the standard reason phrase.</summary>
        public bool SendResponse(IntPtr connId, int statusCode, byte[] body, IEnumerable<KeyValuePair<string, string>> headers = null)
        {
            return SendResponse(connId, statusCode, null, headers, body);
        }

        /// <summary>Sends a <c>text/plain; charset=utf-8</c> response.</summary>
        public bool SendResponse(IntPtr connId, int statusCode, string text)
        {
            return SendResponse(connId, statusCode, null,
                new[] { new KeyValuePair<string, string>("Content-Type", "text/plain; charset=utf-8") },
                Encoding.UTF8.GetBytes(text ?? ""));
        }

        /// <summary>Sends one chunk of a chunked body (after a response with
        /// <c>Transfer-Encoding: chunked</c>); an empty one is the last.</summary>
        public bool SendChunk(IntPtr connId, byte[] data, string extensions = null)
        {
            fixed (byte* p = data)
            {
                return NativeMethods.HP_HttpServer_SendChunkData(Handle, connId, p, data == null ? 0 : data.Length, Utf8.Encode(extensions)) != 0;
            }
        }

        /// <summary>Sends the last chunk (size 0, empty trailer).</summary>
        public bool SendLastChunk(IntPtr connId) { return SendChunk(connId, null); }

        /// <summary>Closes the connection <see cref="ReleaseDelay"/> ms from now (OnClose(Close, 0)).</summary>
        public bool Release(IntPtr connId) { return NativeMethods.HP_HttpServer_Release(Handle, connId) != 0; }

        /// <summary>Starts HTTP on a connection when <see cref="HttpAutoStart"/> is off; false when it already runs.</summary>
        public bool StartHttp(IntPtr connId) { return NativeMethods.HP_HttpServer_StartHttp(Handle, connId) != 0; }

        // ---- settings (allowed while running): generated in Families.g.cs from the tables'
        // accessor rows (tools/ffi-gen/src/csharp.rs).
    }

    /// <summary>An HTTPS server; set it up with <see cref="Ssl"/> before Start.</summary>
    public class HttpsServer : HttpServer
    {
        /// <summary>Creates a stopped HTTPS server.</summary>
        public HttpsServer() : base(true) { Ssl = new SslServerContext(this); }
        /// <summary>The TLS settings.</summary>
        public SslServerContext Ssl { get; private set; }
    }

    /// <summary>
    /// An HTTP/1.x agent (HP-Socket's <c>HttpAgent</c>): a <see cref="TcpAgent"/> whose connections
    /// send requests (<see cref="SendRequest"/>, <see cref="SendGet"/>, ...) and parse responses.
    /// </summary>
    public unsafe partial class HttpAgent : TcpAgent, IHttpComponent
    {
        /// <summary>Creates a stopped HTTP agent.</summary>
        public HttpAgent() : this(false) { }

        internal HttpAgent(bool ssl)
            : base(NativeMethods.Create_HP_HttpAgentListener(),
                   l => ssl ? (SafeHandle)NativeMethods.Create_HP_HttpsAgent(l) : NativeMethods.Create_HP_HttpAgent(l),
                   ssl ? "HttpsAgent" : "HttpAgent")
        {
        }

        // ---- HTTP events ---------------------------------------------------------------

        private HttpEventHandler<HttpAgent> _onMessageBegin;

        /// <summary>HTTP: A message starts.</summary>
        public event HttpEventHandler<HttpAgent> OnMessageBegin
        {
            add { lock (EventLock) _onMessageBegin += value; Hook(HttpCallbacks.BitMessageBegin, l => NativeMethods.HP_Set_FN_HttpAgent_OnMessageBegin(l, HttpCallbacks.s_messageBegin)); }
            remove { lock (EventLock) _onMessageBegin -= value; }
        }

        private HttpStatusLineEventHandler<HttpAgent> _onStatusLine;

        /// <summary>HTTP: Agents and clients: the status line (code, reason phrase).</summary>
        public event HttpStatusLineEventHandler<HttpAgent> OnStatusLine
        {
            add { lock (EventLock) _onStatusLine += value; Hook(HttpCallbacks.BitStatusLine, l => NativeMethods.HP_Set_FN_HttpAgent_OnStatusLine(l, HttpCallbacks.s_statusLine)); }
            remove { lock (EventLock) _onStatusLine -= value; }
        }

        private HttpHeaderEventHandler<HttpAgent> _onHeader;

        /// <summary>HTTP: One header line, in wire order.</summary>
        public event HttpHeaderEventHandler<HttpAgent> OnHeader
        {
            add { lock (EventLock) _onHeader += value; Hook(HttpCallbacks.BitHeader, l => NativeMethods.HP_Set_FN_HttpAgent_OnHeader(l, HttpCallbacks.s_header)); }
            remove { lock (EventLock) _onHeader -= value; }
        }

        private HttpEventHandler<HttpAgent> _onHeadersComplete;

        /// <summary>HTTP: The head is complete: SkipBody ends the message without a body, Upgrade leaves HTTP after it.</summary>
        public event HttpEventHandler<HttpAgent> OnHeadersComplete
        {
            add { lock (EventLock) _onHeadersComplete += value; Hook(HttpCallbacks.BitHeadersComplete, l => NativeMethods.HP_Set_FN_HttpAgent_OnHeadersComplete(l, HttpCallbacks.s_headersComplete)); }
            remove { lock (EventLock) _onHeadersComplete -= value; }
        }

        private HttpBodyEventHandler<HttpAgent> _onBody;

        /// <summary>HTTP: Body bytes, de-chunked (a copy the handler may keep).</summary>
        public event HttpBodyEventHandler<HttpAgent> OnBody
        {
            add { lock (EventLock) _onBody += value; Hook(HttpCallbacks.BitBody, l => NativeMethods.HP_Set_FN_HttpAgent_OnBody(l, HttpCallbacks.s_body)); }
            remove { lock (EventLock) _onBody -= value; }
        }

        private HttpChunkHeaderEventHandler<HttpAgent> _onChunkHeader;

        /// <summary>HTTP: A chunk of a chunked body starts (0: the last one).</summary>
        public event HttpChunkHeaderEventHandler<HttpAgent> OnChunkHeader
        {
            add { lock (EventLock) _onChunkHeader += value; Hook(HttpCallbacks.BitChunkHeader, l => NativeMethods.HP_Set_FN_HttpAgent_OnChunkHeader(l, HttpCallbacks.s_chunkHeader)); }
            remove { lock (EventLock) _onChunkHeader -= value; }
        }

        private HttpEventHandler<HttpAgent> _onChunkComplete;

        /// <summary>HTTP: A chunk ended.</summary>
        public event HttpEventHandler<HttpAgent> OnChunkComplete
        {
            add { lock (EventLock) _onChunkComplete += value; Hook(HttpCallbacks.BitChunkComplete, l => NativeMethods.HP_Set_FN_HttpAgent_OnChunkComplete(l, HttpCallbacks.s_chunkComplete)); }
            remove { lock (EventLock) _onChunkComplete -= value; }
        }

        private HttpEventHandler<HttpAgent> _onMessageComplete;

        /// <summary>HTTP: The message is complete.</summary>
        public event HttpEventHandler<HttpAgent> OnMessageComplete
        {
            add { lock (EventLock) _onMessageComplete += value; Hook(HttpCallbacks.BitMessageComplete, l => NativeMethods.HP_Set_FN_HttpAgent_OnMessageComplete(l, HttpCallbacks.s_messageComplete)); }
            remove { lock (EventLock) _onMessageComplete -= value; }
        }

        private HttpUpgradeEventHandler<HttpAgent> _onUpgrade;

        /// <summary>HTTP: The connection left HTTP (later bytes arrive through OnReceive); anything but Ok closes it.</summary>
        public event HttpUpgradeEventHandler<HttpAgent> OnUpgrade
        {
            add { lock (EventLock) _onUpgrade += value; Hook(HttpCallbacks.BitUpgrade, l => NativeMethods.HP_Set_FN_HttpAgent_OnUpgrade(l, HttpCallbacks.s_upgrade)); }
            remove { lock (EventLock) _onUpgrade -= value; }
        }

        private HttpParseErrorEventHandler<HttpAgent> _onParseError;

        /// <summary>HTTP: The message could not be parsed (llhttp's HPE_* number and text); the connection closes.</summary>
        public event HttpParseErrorEventHandler<HttpAgent> OnParseError
        {
            add { lock (EventLock) _onParseError += value; Hook(HttpCallbacks.BitParseError, l => NativeMethods.HP_Set_FN_HttpAgent_OnParseError(l, HttpCallbacks.s_parseError)); }
            remove { lock (EventLock) _onParseError -= value; }
        }

        HttpParseResult IHttpComponent.FireMessageBegin(IntPtr connId) { var h = _onMessageBegin; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireRequestLine(IntPtr connId, string method, string url) { return HttpParseResult.Ok; }
        HttpParseResult IHttpComponent.FireStatusLine(IntPtr connId, int status, string reason) { var h = _onStatusLine; return h == null ? HttpParseResult.Ok : h(this, connId, status, reason); }
        HttpParseResult IHttpComponent.FireHeader(IntPtr connId, string name, string value) { var h = _onHeader; return h == null ? HttpParseResult.Ok : h(this, connId, name, value); }
        HttpParseResult IHttpComponent.FireHeadersComplete(IntPtr connId) { var h = _onHeadersComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireBody(IntPtr connId, byte[] data) { var h = _onBody; return h == null ? HttpParseResult.Ok : h(this, connId, data); }
        HttpParseResult IHttpComponent.FireChunkHeader(IntPtr connId, int length) { var h = _onChunkHeader; return h == null ? HttpParseResult.Ok : h(this, connId, length); }
        HttpParseResult IHttpComponent.FireChunkComplete(IntPtr connId) { var h = _onChunkComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireMessageComplete(IntPtr connId) { var h = _onMessageComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireUpgrade(IntPtr connId, HttpUpgradeType type) { var h = _onUpgrade; return h == null ? HttpParseResult.Ok : h(this, connId, type); }
        HttpParseResult IHttpComponent.FireParseError(IntPtr connId, int code, string description) { var h = _onParseError; return h == null ? HttpParseResult.Ok : h(this, connId, code, description); }
        /// <summary>The response the connection parses now or parsed last (null before the first one); from any thread.</summary>
        public HttpMessage GetMessage(IntPtr connId) { return HttpMessage.Read(HttpReader.Agent, Handle, connId); }

        /// <summary>The parse error that ended the connection's HTTP (0: none) and its text.</summary>
        public int GetParseError(IntPtr connId, out string description)
        {
            IntPtr d;
            int code = NativeMethods.HP_HttpAgent_GetParseErrorCode(Handle, connId, out d);
            description = Utf8.Decode(d);
            return code;
        }

        /// <summary>Sends a request as one send: <c>METHOD path HTTP/x.y</c>, the headers, Host,
        /// Content-Length (for a body, and for POST/PUT/PATCH), with <see cref="UseCookie"/> the
        /// cookie manager's cookies, and the body.</summary>
        public bool SendRequest(IntPtr connId, string method, string path, IEnumerable<KeyValuePair<string, string>> headers = null, byte[] body = null)
        {
            using (var h = new NvPairs(headers))
            fixed (byte* p = body)
            {
                return NativeMethods.HP_HttpAgent_SendRequest(Handle, connId, Utf8.Encode(method), Utf8.Encode(path ?? "/"),
                    h.Array, h.Count, p, body == null ? 0 : body.Length) != 0;
            }
        }

        /// <summary>Sends a GET request.</summary>
        public bool SendGet(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest(connId, "GET", path, headers); }
        /// <summary>Sends a POST request.</summary>
        public bool SendPost(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) { return SendRequest(connId, "POST", path, headers, body); }
        /// <summary>Sends a PUT request.</summary>
        public bool SendPut(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) { return SendRequest(connId, "PUT", path, headers, body); }
        /// <summary>Sends a PATCH request.</summary>
        public bool SendPatch(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) { return SendRequest(connId, "PATCH", path, headers, body); }
        /// <summary>Sends a DELETE request.</summary>
        public bool SendDelete(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest(connId, "DELETE", path, headers); }
        /// <summary>Sends a HEAD request.</summary>
        public bool SendHead(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest(connId, "HEAD", path, headers); }
        /// <summary>Sends an OPTIONS request.</summary>
        public bool SendOptions(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest(connId, "OPTIONS", path, headers); }

        /// <summary>Sends one chunk of a chunked request body; an empty one is the last.</summary>
        public bool SendChunk(IntPtr connId, byte[] data, string extensions = null)
        {
            fixed (byte* p = data)
            {
                return NativeMethods.HP_HttpAgent_SendChunkData(Handle, connId, p, data == null ? 0 : data.Length, Utf8.Encode(extensions)) != 0;
            }
        }

        /// <summary>Starts HTTP on a connection when <see cref="HttpAutoStart"/> is off.</summary>
        public bool StartHttp(IntPtr connId) { return NativeMethods.HP_HttpAgent_StartHttp(Handle, connId) != 0; }
    }

    /// <summary>An HTTPS agent; set it up with <see cref="Ssl"/> before Start.</summary>
    public class HttpsAgent : HttpAgent
    {
        /// <summary>Creates a stopped HTTPS agent.</summary>
        public HttpsAgent() : base(true) { Ssl = new SslAgentContext(this); }
        /// <summary>The TLS settings.</summary>
        public SslAgentContext Ssl { get; private set; }
    }

    /// <summary>
    /// An HTTP/1.x client (HP-Socket's <c>HttpClient</c>): a <see cref="TcpClient"/> that sends
    /// requests and parses responses. For a blocking request see <see cref="HttpSyncClient"/>.
    /// </summary>
    public unsafe partial class HttpClient : TcpClient, IHttpComponent
    {
        /// <summary>Creates a stopped HTTP client.</summary>
        public HttpClient() : this(false, false) { }

        internal HttpClient(bool ssl, bool sync)
            : base(NativeMethods.Create_HP_HttpClientListener(), l => Create(ssl, sync, l),
                   (ssl ? "Https" : "Http") + (sync ? "SyncClient" : "Client"))
        {
        }

        private static SafeHandle Create(bool ssl, bool sync, IntPtr l)
        {
            if (sync) return ssl ? (SafeHandle)NativeMethods.Create_HP_HttpsSyncClient(l) : NativeMethods.Create_HP_HttpSyncClient(l);
            return ssl ? (SafeHandle)NativeMethods.Create_HP_HttpsClient(l) : NativeMethods.Create_HP_HttpClient(l);
        }

        // ---- HTTP events ---------------------------------------------------------------

        private HttpEventHandler<HttpClient> _onMessageBegin;

        /// <summary>HTTP: A message starts.</summary>
        public event HttpEventHandler<HttpClient> OnMessageBegin
        {
            add { lock (EventLock) _onMessageBegin += value; Hook(HttpCallbacks.BitMessageBegin, l => NativeMethods.HP_Set_FN_HttpClient_OnMessageBegin(l, HttpCallbacks.s_messageBegin)); }
            remove { lock (EventLock) _onMessageBegin -= value; }
        }

        private HttpStatusLineEventHandler<HttpClient> _onStatusLine;

        /// <summary>HTTP: Agents and clients: the status line (code, reason phrase).</summary>
        public event HttpStatusLineEventHandler<HttpClient> OnStatusLine
        {
            add { lock (EventLock) _onStatusLine += value; Hook(HttpCallbacks.BitStatusLine, l => NativeMethods.HP_Set_FN_HttpClient_OnStatusLine(l, HttpCallbacks.s_statusLine)); }
            remove { lock (EventLock) _onStatusLine -= value; }
        }

        private HttpHeaderEventHandler<HttpClient> _onHeader;

        /// <summary>HTTP: One header line, in wire order.</summary>
        public event HttpHeaderEventHandler<HttpClient> OnHeader
        {
            add { lock (EventLock) _onHeader += value; Hook(HttpCallbacks.BitHeader, l => NativeMethods.HP_Set_FN_HttpClient_OnHeader(l, HttpCallbacks.s_header)); }
            remove { lock (EventLock) _onHeader -= value; }
        }

        private HttpEventHandler<HttpClient> _onHeadersComplete;

        /// <summary>HTTP: The head is complete: SkipBody ends the message without a body, Upgrade leaves HTTP after it.</summary>
        public event HttpEventHandler<HttpClient> OnHeadersComplete
        {
            add { lock (EventLock) _onHeadersComplete += value; Hook(HttpCallbacks.BitHeadersComplete, l => NativeMethods.HP_Set_FN_HttpClient_OnHeadersComplete(l, HttpCallbacks.s_headersComplete)); }
            remove { lock (EventLock) _onHeadersComplete -= value; }
        }

        private HttpBodyEventHandler<HttpClient> _onBody;

        /// <summary>HTTP: Body bytes, de-chunked (a copy the handler may keep).</summary>
        public event HttpBodyEventHandler<HttpClient> OnBody
        {
            add { lock (EventLock) _onBody += value; Hook(HttpCallbacks.BitBody, l => NativeMethods.HP_Set_FN_HttpClient_OnBody(l, HttpCallbacks.s_body)); }
            remove { lock (EventLock) _onBody -= value; }
        }

        private HttpChunkHeaderEventHandler<HttpClient> _onChunkHeader;

        /// <summary>HTTP: A chunk of a chunked body starts (0: the last one).</summary>
        public event HttpChunkHeaderEventHandler<HttpClient> OnChunkHeader
        {
            add { lock (EventLock) _onChunkHeader += value; Hook(HttpCallbacks.BitChunkHeader, l => NativeMethods.HP_Set_FN_HttpClient_OnChunkHeader(l, HttpCallbacks.s_chunkHeader)); }
            remove { lock (EventLock) _onChunkHeader -= value; }
        }

        private HttpEventHandler<HttpClient> _onChunkComplete;

        /// <summary>HTTP: A chunk ended.</summary>
        public event HttpEventHandler<HttpClient> OnChunkComplete
        {
            add { lock (EventLock) _onChunkComplete += value; Hook(HttpCallbacks.BitChunkComplete, l => NativeMethods.HP_Set_FN_HttpClient_OnChunkComplete(l, HttpCallbacks.s_chunkComplete)); }
            remove { lock (EventLock) _onChunkComplete -= value; }
        }

        private HttpEventHandler<HttpClient> _onMessageComplete;

        /// <summary>HTTP: The message is complete.</summary>
        public event HttpEventHandler<HttpClient> OnMessageComplete
        {
            add { lock (EventLock) _onMessageComplete += value; Hook(HttpCallbacks.BitMessageComplete, l => NativeMethods.HP_Set_FN_HttpClient_OnMessageComplete(l, HttpCallbacks.s_messageComplete)); }
            remove { lock (EventLock) _onMessageComplete -= value; }
        }

        private HttpUpgradeEventHandler<HttpClient> _onUpgrade;

        /// <summary>HTTP: The connection left HTTP (later bytes arrive through OnReceive); anything but Ok closes it.</summary>
        public event HttpUpgradeEventHandler<HttpClient> OnUpgrade
        {
            add { lock (EventLock) _onUpgrade += value; Hook(HttpCallbacks.BitUpgrade, l => NativeMethods.HP_Set_FN_HttpClient_OnUpgrade(l, HttpCallbacks.s_upgrade)); }
            remove { lock (EventLock) _onUpgrade -= value; }
        }

        private HttpParseErrorEventHandler<HttpClient> _onParseError;

        /// <summary>HTTP: The message could not be parsed (llhttp's HPE_* number and text); the connection closes.</summary>
        public event HttpParseErrorEventHandler<HttpClient> OnParseError
        {
            add { lock (EventLock) _onParseError += value; Hook(HttpCallbacks.BitParseError, l => NativeMethods.HP_Set_FN_HttpClient_OnParseError(l, HttpCallbacks.s_parseError)); }
            remove { lock (EventLock) _onParseError -= value; }
        }

        HttpParseResult IHttpComponent.FireMessageBegin(IntPtr connId) { var h = _onMessageBegin; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireRequestLine(IntPtr connId, string method, string url) { return HttpParseResult.Ok; }
        HttpParseResult IHttpComponent.FireStatusLine(IntPtr connId, int status, string reason) { var h = _onStatusLine; return h == null ? HttpParseResult.Ok : h(this, connId, status, reason); }
        HttpParseResult IHttpComponent.FireHeader(IntPtr connId, string name, string value) { var h = _onHeader; return h == null ? HttpParseResult.Ok : h(this, connId, name, value); }
        HttpParseResult IHttpComponent.FireHeadersComplete(IntPtr connId) { var h = _onHeadersComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireBody(IntPtr connId, byte[] data) { var h = _onBody; return h == null ? HttpParseResult.Ok : h(this, connId, data); }
        HttpParseResult IHttpComponent.FireChunkHeader(IntPtr connId, int length) { var h = _onChunkHeader; return h == null ? HttpParseResult.Ok : h(this, connId, length); }
        HttpParseResult IHttpComponent.FireChunkComplete(IntPtr connId) { var h = _onChunkComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireMessageComplete(IntPtr connId) { var h = _onMessageComplete; return h == null ? HttpParseResult.Ok : h(this, connId); }
        HttpParseResult IHttpComponent.FireUpgrade(IntPtr connId, HttpUpgradeType type) { var h = _onUpgrade; return h == null ? HttpParseResult.Ok : h(this, connId, type); }
        HttpParseResult IHttpComponent.FireParseError(IntPtr connId, int code, string description) { var h = _onParseError; return h == null ? HttpParseResult.Ok : h(this, connId, code, description); }
        /// <summary>The response parsed now or last (null before the first one); from any thread.</summary>
        public virtual HttpMessage GetMessage() { return HttpMessage.Read(HttpReader.Client, Handle, IntPtr.Zero); }

        /// <summary>The parse error that ended HTTP on the connection (0: none) and its text.</summary>
        public int GetParseError(out string description)
        {
            IntPtr d;
            int code = NativeMethods.HP_HttpClient_GetParseErrorCode(Handle, out d);
            description = Utf8.Decode(d);
            return code;
        }

        /// <summary>Sends a request (see <see cref="HttpAgent.SendRequest"/>).</summary>
        public bool SendRequest(string method, string path, IEnumerable<KeyValuePair<string, string>> headers = null, byte[] body = null)
        {
            using (var h = new NvPairs(headers))
            fixed (byte* p = body)
            {
                return NativeMethods.HP_HttpClient_SendRequest(Handle, Utf8.Encode(method), Utf8.Encode(path ?? "/"),
                    h.Array, h.Count, p, body == null ? 0 : body.Length) != 0;
            }
        }

        /// <summary>Sends a GET request.</summary>
        public bool SendGet(string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest("GET", path, headers); }
        /// <summary>Sends a POST request.</summary>
        public bool SendPost(string path, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) { return SendRequest("POST", path, headers, body); }
        /// <summary>Sends a PUT request.</summary>
        public bool SendPut(string path, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) { return SendRequest("PUT", path, headers, body); }
        /// <summary>Sends a PATCH request.</summary>
        public bool SendPatch(string path, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) { return SendRequest("PATCH", path, headers, body); }
        /// <summary>Sends a DELETE request.</summary>
        public bool SendDelete(string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest("DELETE", path, headers); }
        /// <summary>Sends a HEAD request.</summary>
        public bool SendHead(string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest("HEAD", path, headers); }
        /// <summary>Sends an OPTIONS request.</summary>
        public bool SendOptions(string path, IEnumerable<KeyValuePair<string, string>> headers = null) { return SendRequest("OPTIONS", path, headers); }

        /// <summary>Sends one chunk of a chunked request body; an empty one is the last.</summary>
        public bool SendChunk(byte[] data, string extensions = null)
        {
            fixed (byte* p = data)
            {
                return NativeMethods.HP_HttpClient_SendChunkData(Handle, p, data == null ? 0 : data.Length, Utf8.Encode(extensions)) != 0;
            }
        }

        /// <summary>Starts HTTP when <see cref="HttpAutoStart"/> is off.</summary>
        public bool StartHttp() { return NativeMethods.HP_HttpClient_StartHttp(Handle) != 0; }
    }

    /// <summary>An HTTPS client; set it up with <see cref="Ssl"/> before Start.</summary>
    public class HttpsClient : HttpClient
    {
        /// <summary>Creates a stopped HTTPS client.</summary>
        public HttpsClient() : base(true, false) { Ssl = new SslClientContext(this); }
        /// <summary>The TLS settings.</summary>
        public SslClientContext Ssl { get; private set; }
    }

    /// <summary>
    /// A blocking HTTP client (HP-Socket's <c>HttpSyncClient</c>): <see cref="OpenUrl"/> connects
    /// (or reuses the open connection to the same host and port), sends, and returns once the
    /// whole response is in (read it with <see cref="HttpClient.GetMessage"/> and
    /// <see cref="GetResponseBody"/>), the connection closed, or <see cref="RequestTimeout"/>
    /// passed. The HTTP events fire too. There is no Task variant (the binding has no async
    /// pattern): run OpenUrl on a worker for one.
    /// </summary>
    public partial class HttpSyncClient : HttpClient
    {
        /// <summary>Creates an HTTP sync client (no Start needed).</summary>
        public HttpSyncClient() : this(false) { }

        private volatile HttpMessage _last;

        internal HttpSyncClient(bool ssl) : base(ssl, true)
        {
            // The library forgets the response head once a Connection: close answer closed the
            // connection (before OpenUrl returns): keep a snapshot taken while it is alive.
            OnMessageComplete += (c, id) => { _last = HttpMessage.Read(HttpReader.Client, Handle, IntPtr.Zero); return HttpParseResult.Ok; };
        }

        /// <summary>The head of the last complete response (null when none); unlike a plain
        /// client's, it outlives a connection the server closed after answering.</summary>
        public override HttpMessage GetMessage() { return _last ?? base.GetMessage(); }

        /// <summary>Sends <paramref name="method"/> to <paramref name="url"/>
        /// (<c>http(s)://host[:port]/path?query</c>) and waits for the whole response. False
        /// (ErrorCode, ErrorMessage) for a bad URL, a failed connect, a close before the response
        /// is whole, or the request timeout; from the client's own callbacks too.</summary>
        public unsafe bool OpenUrl(string method, string url, IEnumerable<KeyValuePair<string, string>> headers = null,
            byte[] body = null, bool forceReconnect = false)
        {
            _last = null;
            using (var h = new NvPairs(headers))
            fixed (byte* p = body)
            {
                return NativeMethods.HP_HttpSyncClient_OpenUrl(Handle, Utf8.Encode(method), Utf8.Encode(url), h.Array, h.Count,
                    p, body == null ? 0 : body.Length, B(forceReconnect)) != 0;
            }
        }

        /// <summary>The body of the last complete response (a copy; empty when none).</summary>
        public byte[] GetResponseBody()
        {
            IntPtr p;
            int n = 0;
            if (NativeMethods.HP_HttpSyncClient_GetResponseBody(Handle, out p, ref n) == 0) return Empty;
            return Copy(p, n);
        }

        /// <summary>Forgets the last response (done before each request anyway).</summary>
        public bool CleanupRequestResult() { _last = null; return NativeMethods.HP_HttpSyncClient_CleanupRequestResult(Handle) != 0; }
    }

    /// <summary>A blocking HTTPS client; set it up with <see cref="Ssl"/> before the first OpenUrl.</summary>
    public class HttpsSyncClient : HttpSyncClient
    {
        /// <summary>Creates an HTTPS sync client.</summary>
        public HttpsSyncClient() : base(true) { Ssl = new SslClientContext(this); }
        /// <summary>The TLS settings.</summary>
        public SslClientContext Ssl { get; private set; }
    }
}
