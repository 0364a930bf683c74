using System;
using System.Threading.Tasks;
using System.Runtime.InteropServices;

namespace HPSocket
{
    internal enum Model { Push, Pull, Pack }

    /// <summary>
    /// A TCP server (PUSH model: <see cref="OnReceive"/> hands over the bytes). The base of every
    /// server: <see cref="TcpPullServer"/>, <see cref="TcpPackServer"/>, the SSL ones and
    /// <see cref="UdpServer"/>.
    /// Callbacks run on the library's worker threads (see docs/abi.md section 8); every
    /// exception a handler throws is caught, reported through <see cref="Component.OnCallbackException"/>
    /// and turned into <see cref="HandleResult.Error"/>.
    /// </summary>
    public partial class TcpServer : MultiConnectionComponent
    {
        internal const int CbPrepareListen = 1, CbAccept = 2, CbHandShake = 4, CbSend = 8, CbReceive = 16,
            CbPullReceive = 32, CbClose = 64, CbShutdown = 128, CbDrained = 256;

        /// <summary>Creates a stopped TCP server.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public TcpServer() : this(Model.Push, false) { }

        internal TcpServer(Model model, bool ssl)
            : this(CreateListener(model), l => Create(model, ssl, l), (ssl ? "SSL" : "Tcp") + (model == Model.Push ? "" : model.ToString()) + "Server")
        {
        }

        /// <summary>A server of another kind (<see cref="UdpServer"/>): its listener and constructor.</summary>
        internal TcpServer(SafeHandle listener, Func<IntPtr, SafeHandle> create, string what)
            : base(listener, create, what, Natives.Server)
        {
            // OnClose always: it drops the connection's managed extra.
            Hook(CbClose, l => NativeMethods.HP_Set_FN_Server_OnClose(l, s_close));
        }

        private static SafeHandle CreateListener(Model model)
        {
            switch (model)
            {
                case Model.Pull: return NativeMethods.Create_HP_TcpPullServerListener();
                case Model.Pack: return NativeMethods.Create_HP_TcpPackServerListener();
                default: return NativeMethods.Create_HP_TcpServerListener();
            }
        }

        private static SafeHandle Create(Model model, bool ssl, IntPtr listener)
        {
            switch (model)
            {
                case Model.Pull: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLPullServer(listener) : NativeMethods.Create_HP_TcpPullServer(listener);
                case Model.Pack: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLPackServer(listener) : NativeMethods.Create_HP_TcpPackServer(listener);
                default: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLServer(listener) : NativeMethods.Create_HP_TcpServer(listener);
            }
        }

        // ---- events ------------------------------------------------------------------------

        private PrepareListenEventHandler<TcpServer> _onPrepareListen;
        private AcceptEventHandler<TcpServer> _onAccept;
        private HandShakeEventHandler<TcpServer> _onHandShake;
        private SendEventHandler<TcpServer> _onSend;
        private ReceiveEventHandler<TcpServer> _onReceive;
        internal PullReceiveEventHandler<TcpPullServer> _onPullReceive;
        private CloseEventHandler<TcpServer> _onClose;
        private ShutdownEventHandler<TcpServer> _onShutdown;
        private SendDrainedEventHandler<TcpServer> _onSendDrained;
        internal ServerNameCallback _serverName;

        /// <summary>The listening socket is made (runs on the thread calling Start); Error fails Start.</summary>
        public event PrepareListenEventHandler<TcpServer> OnPrepareListen
        {
            add { lock (EventLock) _onPrepareListen += value; Hook(CbPrepareListen, l => NativeMethods.HP_Set_FN_Server_OnPrepareListen(l, s_prepareListen)); }
            remove { lock (EventLock) _onPrepareListen -= value; }
        }

        /// <summary>A connection was accepted; Error rejects it (no OnClose follows).</summary>
        public event AcceptEventHandler<TcpServer> OnAccept
        {
            add { lock (EventLock) _onAccept += value; Hook(CbAccept, l => NativeMethods.HP_Set_FN_Server_OnAccept(l, s_accept)); }
            remove { lock (EventLock) _onAccept -= value; }
        }

        /// <summary>The TLS handshake of a connection completed (SSL servers).</summary>
        public event HandShakeEventHandler<TcpServer> OnHandShake
        {
            add { lock (EventLock) _onHandShake += value; Hook(CbHandShake, l => NativeMethods.HP_Set_FN_Server_OnHandShake(l, s_handShake)); }
            remove { lock (EventLock) _onHandShake -= value; }
        }

        /// <summary>Bytes were sent on a connection (a copy).</summary>
        public event SendEventHandler<TcpServer> OnSend
        {
            add { lock (EventLock) _onSend += value; Hook(CbSend, l => NativeMethods.HP_Set_FN_Server_OnSend(l, s_send)); }
            remove { lock (EventLock) _onSend -= value; }
        }

        /// <summary>Bytes arrived (PUSH) or a whole message arrived (PACK). The array is a copy the
        /// handler may keep. Error closes the connection.</summary>
        public event ReceiveEventHandler<TcpServer> OnReceive
        {
            add { lock (EventLock) _onReceive += value; Hook(CbReceive, l => NativeMethods.HP_Set_FN_Server_OnReceive(l, s_receive)); }
            remove { lock (EventLock) _onReceive -= value; }
        }

        /// <summary>A connection closed: its last callback. Its managed extra is still readable here.</summary>
        public event CloseEventHandler<TcpServer> OnClose
        {
            add { lock (EventLock) _onClose += value; }
            remove { lock (EventLock) _onClose -= value; }
        }

        /// <summary>The server stopped (on the thread calling Stop or Dispose).</summary>
        public event ShutdownEventHandler<TcpServer> OnShutdown
        {
            add { lock (EventLock) _onShutdown += value; Hook(CbShutdown, l => NativeMethods.HP_Set_FN_Server_OnShutdown(l, s_shutdown)); }
            remove { lock (EventLock) _onShutdown -= value; }
        }

        /// <summary>Extension: a full send queue (<see cref="MultiConnectionComponent.MaxSendQueueBytes"/>) drained to its low watermark.</summary>
        public event SendDrainedEventHandler<TcpServer> OnSendDrained
        {
            add { lock (EventLock) _onSendDrained += value; Hook(CbDrained, l => NativeMethods.HPX_Set_FN_Server_OnSendDrained(l, s_drained)); }
            remove { lock (EventLock) _onSendDrained -= value; }
        }

        internal void HookPullReceive()
        {
            Hook(CbPullReceive, l => NativeMethods.HP_Set_FN_Server_OnPullReceive(l, s_pullReceive));
        }

        // ---- trampolines: static delegates (never collected), the object found through the
        // ---- user data; every exception caught and turned into HR_ERROR.

        private static readonly NativeMethods.HP_FN_Server_OnPrepareListen s_prepareListen = PrepareListenCb;
        private static readonly NativeMethods.HP_FN_Server_OnAccept s_accept = AcceptCb;
        private static readonly NativeMethods.HP_FN_Server_OnHandShake s_handShake = HandShakeCb;
        private static readonly NativeMethods.HP_FN_Server_OnSend s_send = SendCb;
        private static readonly NativeMethods.HP_FN_Server_OnReceive s_receive = ReceiveCb;
        private static readonly NativeMethods.HP_FN_Server_OnPullReceive s_pullReceive = PullReceiveCb;
        private static readonly NativeMethods.HP_FN_Server_OnClose s_close = CloseCb;
        private static readonly NativeMethods.HP_FN_Server_OnShutdown s_shutdown = ShutdownCb;
        private static readonly NativeMethods.HPX_FN_Server_OnSendDrained s_drained = DrainedCb;
        internal static readonly NativeMethods.HP_Fn_SNI_ServerNameCallback s_serverName = ServerNameCb;

        private const int Ignore = NativeMethods.HR_IGNORE, Error = NativeMethods.HR_ERROR;

        private static int PrepareListenCb(IntPtr sender, IntPtr soListen)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    PrepareListenEventHandler<TcpServer> h = s._onPrepareListen;
                    return h == null ? Ignore : (int)h(s, soListen);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnPrepareListen", e); return Error; }
        }

        private static int AcceptCb(IntPtr sender, IntPtr connId, IntPtr client)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    AcceptEventHandler<TcpServer> h = s._onAccept;
                    int r = h == null ? Ignore : (int)h(s, connId, client);
                    if (r == Error) s.DropExtra(connId); // rejected: no OnClose follows
                    return r;
                }
                finally { Leave(s); }
            }
            catch (Exception e)
            {
                Report(s, "OnAccept", e);
                if (s != null) s.DropExtra(connId);
                return Error;
            }
        }

        private static int HandShakeCb(IntPtr sender, IntPtr connId)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    HandShakeEventHandler<TcpServer> h = s._onHandShake;
                    return h == null ? Ignore : (int)h(s, connId);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnHandShake", e); return Error; }
        }

        private static int SendCb(IntPtr sender, IntPtr connId, IntPtr data, int length)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    SendEventHandler<TcpServer> h = s._onSend;
                    return h == null ? Ignore : (int)h(s, connId, Copy(data, length));
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnSend", e); return Error; }
        }

        private static int ReceiveCb(IntPtr sender, IntPtr connId, IntPtr data, int length)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    ReceiveEventHandler<TcpServer> h = s._onReceive;
                    return h == null ? Ignore : (int)h(s, connId, Copy(data, length));
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnReceive", e); return Error; }
        }

        private static int PullReceiveCb(IntPtr sender, IntPtr connId, int length)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                TcpPullServer p = s as TcpPullServer;
                if (p == null) return Ignore;
                Enter(s);
                try
                {
                    PullReceiveEventHandler<TcpPullServer> h = s._onPullReceive;
                    return h == null ? Ignore : (int)h(p, connId, length);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnPullReceive", e); return Error; }
        }

        private static int CloseCb(IntPtr sender, IntPtr connId, int operation, int errorCode)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    CloseEventHandler<TcpServer> h = s._onClose;
                    return h == null ? Ignore : (int)h(s, connId, (SocketOperation)operation, errorCode);
                }
                finally
                {
                    Leave(s);
                    s.DropExtra(connId);
                }
            }
            catch (Exception e) { Report(s, "OnClose", e); return Error; }
        }

        private static int ShutdownCb(IntPtr sender)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    ShutdownEventHandler<TcpServer> h = s._onShutdown;
                    return h == null ? Ignore : (int)h(s);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnShutdown", e); return Error; }
        }

        private static int DrainedCb(IntPtr sender, IntPtr connId, int pending)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    SendDrainedEventHandler<TcpServer> h = s._onSendDrained;
                    return h == null ? Ignore : (int)h(s, connId, pending);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnSendDrained", e); return Error; }
        }

        private static int ServerNameCb(IntPtr name, IntPtr context)
        {
            TcpServer s = null;
            try
            {
                s = FromSender<TcpServer>(context);
                if (s == null) return 0;
                ServerNameCallback f = s._serverName;
                if (f == null) return NativeMethods.HP_SSL_DefaultServerNameCallback(Utf8.Encode(Utf8.Decode(name)), context);
                Enter(s);
                try { return f(Utf8.Decode(name)); }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "ServerNameCallback", e); return -1; }
        }

        // ---- life cycle ----------------------------------------------------------------------

        /// <summary>Starts listening on <paramref name="bindAddress"/> (null: IPv4 any) and
        /// <paramref name="port"/> (0: any free port, see <see cref="GetListenAddress"/>).</summary>
        public bool Start(string bindAddress, ushort port) { return NativeMethods.HP_Server_Start(Handle, Utf8.Encode(bindAddress), port) != 0; }

        /// <summary>Stops: every connection closes (OnClose each), then OnShutdown. Stopping a
        /// stopped server succeeds and does nothing; false (with <c>ErrorCode</c>) from the
        /// server's own callbacks or while another Stop is under way.</summary>
        public bool Stop() { return NativeMethods.HP_Server_Stop(Handle) != 0 || State == ServiceState.Stopped; }

        /// <summary>Start as a Task (a server's start is synchronous: it listens when Start returns, so
        /// the Task is already complete, or faulted with an <see cref="HPSocketException"/>).</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task StartAsync(string bindAddress, ushort port)
        {
            return AsyncConnects.Done(Start(bindAddress, port), this, "StartAsync");
        }

        /// <summary>Stop as a Task: Stop and Wait run on the ThreadPool; the Task completes once
        /// stopped (every OnClose and OnShutdown returned). Usable from the server's own handlers
        /// (do not wait for the Task there: the stop waits for the handler).</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task StopAsync()
        {
            ThrowIfDisposed();
            return AsyncConnects.StopAsync(Stop, Wait);
        }

        /// <summary>Wait as a Task: true once stopped, false after <paramref name="milliseconds"/>
        /// (-1: no limit). The wait runs on a thread of its own.</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task<bool> WaitAsync(int milliseconds = System.Threading.Timeout.Infinite)
        {
            ThrowIfDisposed();
            return AsyncConnects.WaitAsync(Wait, milliseconds);
        }

        /// <summary>True for the SSL servers.</summary>
        public bool IsSecure { get { return NativeMethods.HP_Server_IsSecure(Handle) != 0; } }

        /// <summary>The address and port the server listens on.</summary>
        public bool GetListenAddress(out string address, out ushort port)
        {
            IntPtr h = Handle;
            return GetAddress((byte[] b, ref int l, out ushort p) => NativeMethods.HP_Server_GetListenAddress(h, b, ref l, out p), out address, out port);
        }

        // ---- settings: the properties of the tables' [[setting]] rows are in Families.g.cs
        // (written by tools/ffi-gen/src/csharp.rs).
    }

    /// <summary>A TCP server of the PULL model: <see cref="OnPullReceive"/> tells how many bytes
    /// are buffered; the handler takes them with <see cref="Fetch(IntPtr, byte[], int, int)"/> and peeks with Peek.</summary>
    public unsafe class TcpPullServer : TcpServer
    {
        /// <summary>Creates a stopped TCP PULL server.</summary>
        public TcpPullServer() : this(false) { }

        internal TcpPullServer(bool ssl) : base(Model.Pull, ssl) { }

        /// <summary>Bytes arrived: <paramref name="length"/> are buffered in all.</summary>
        public event PullReceiveEventHandler<TcpPullServer> OnPullReceive
        {
            add { lock (EventLock) _onPullReceive += value; HookPullReceive(); }
            remove { lock (EventLock) _onPullReceive -= value; }
        }

        /// <summary>Takes exactly <paramref name="count"/> buffered bytes into <paramref name="buffer"/>
        /// at <paramref name="offset"/>; LengthTooLong (nothing copied) when fewer are buffered.</summary>
        public FetchResult Fetch(IntPtr connId, byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            IntPtr h = Handle;
            fixed (byte* p = buffer) return (FetchResult)NativeMethods.HP_TcpPullServer_Fetch(h, connId, count == 0 ? null : p + offset, count);
        }

        /// <summary>Fills <paramref name="buffer"/> from the buffered bytes.</summary>
        public FetchResult Fetch(IntPtr connId, byte[] buffer) { return Fetch(connId, buffer, 0, buffer == null ? 0 : buffer.Length); }

        /// <summary>Copies <paramref name="count"/> buffered bytes without taking them.</summary>
        public FetchResult Peek(IntPtr connId, byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            IntPtr h = Handle;
            fixed (byte* p = buffer) return (FetchResult)NativeMethods.HP_TcpPullServer_Peek(h, connId, count == 0 ? null : p + offset, count);
        }

        /// <summary>Fills <paramref name="buffer"/> without taking the bytes.</summary>
        public FetchResult Peek(IntPtr connId, byte[] buffer) { return Peek(connId, buffer, 0, buffer == null ? 0 : buffer.Length); }
    }

    /// <summary>A TCP server of the PACK model: every send is framed (a 4-byte header with the
    /// length and <see cref="PackHeaderFlag"/>) and OnReceive gets whole messages.</summary>
    public partial class TcpPackServer : TcpServer
    {
        /// <summary>Creates a stopped TCP PACK server.</summary>
        public TcpPackServer() : this(false) { }

        internal TcpPackServer(bool ssl) : base(Model.Pack, ssl) { }
    }

    /// <summary>A TLS server (PUSH model); set it up with <see cref="Ssl"/> before Start.</summary>
    public class SslServer : TcpServer
    {
        /// <summary>Creates a stopped SSL server.</summary>
        public SslServer() : base(Model.Push, true) { Ssl = new SslServerContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslServerContext Ssl { get; private set; }
    }

    /// <summary>A TLS server of the PULL model.</summary>
    public class SslPullServer : TcpPullServer
    {
        /// <summary>Creates a stopped SSL PULL server.</summary>
        public SslPullServer() : base(true) { Ssl = new SslServerContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslServerContext Ssl { get; private set; }
    }

    /// <summary>A TLS server of the PACK model.</summary>
    public class SslPackServer : TcpPackServer
    {
        /// <summary>Creates a stopped SSL PACK server.</summary>
        public SslPackServer() : base(true) { Ssl = new SslServerContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslServerContext Ssl { get; private set; }
    }

    /// <summary>The TLS settings of an SSL server (<c>HP_SSLServer_*</c>).</summary>
    public sealed partial class SslServerContext
    {
        private readonly TcpServer _s;

        internal SslServerContext(TcpServer s) { _s = s; }

        /// <summary>Builds the TLS context from PEM files: the certificate (chain) and key (required),
        /// the key's password, trusted CAs (a file or a hashed directory). <paramref name="serverNameCallback"/>
        /// picks a certificate per SNI name (null: the names bound with <see cref="BindServerName"/>).</summary>
        public bool Setup(SslVerifyMode verifyMode, string certFile, string keyFile, string keyPassword = null,
            string caCertFileOrPath = null, ServerNameCallback serverNameCallback = null)
        {
            _s._serverName = serverNameCallback;
            return NativeMethods.HP_SSLServer_SetupSSLContext(_s.Handle, (int)verifyMode, Utf8.Encode(certFile), Utf8.Encode(keyFile),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertFileOrPath), serverNameCallback == null ? null : TcpServer.s_serverName) != 0;
        }

        /// <summary><see cref="Setup"/> with PEM text instead of file names.</summary>
        public bool SetupByMemory(SslVerifyMode verifyMode, string certPem, string keyPem, string keyPassword = null,
            string caCertPem = null, ServerNameCallback serverNameCallback = null)
        {
            _s._serverName = serverNameCallback;
            return NativeMethods.HP_SSLServer_SetupSSLContextByMemory(_s.Handle, (int)verifyMode, Utf8.Encode(certPem), Utf8.Encode(keyPem),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertPem), serverNameCallback == null ? null : TcpServer.s_serverName) != 0;
        }

        /// <summary>Adds a certificate for SNI; its index (1, 2, ...) or -1.</summary>
        public int AddContext(SslVerifyMode verifyMode, string certFile, string keyFile, string keyPassword = null, string caCertFileOrPath = null)
        {
            return NativeMethods.HP_SSLServer_AddSSLContext(_s.Handle, (int)verifyMode, Utf8.Encode(certFile), Utf8.Encode(keyFile),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertFileOrPath));
        }

        /// <summary><see cref="AddContext"/> with PEM text.</summary>
        public int AddContextByMemory(SslVerifyMode verifyMode, string certPem, string keyPem, string keyPassword = null, string caCertPem = null)
        {
            return NativeMethods.HP_SSLServer_AddSSLContextByMemory(_s.Handle, (int)verifyMode, Utf8.Encode(certPem), Utf8.Encode(keyPem),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertPem));
        }

        /// <summary>Serves certificate <paramref name="contextIndex"/> to clients asking for <paramref name="serverName"/>.</summary>
        public bool BindServerName(string serverName, int contextIndex)
        {
            return NativeMethods.HP_SSLServer_BindSSLServerName(_s.Handle, Utf8.Encode(serverName), contextIndex) != 0;
        }

        /// <summary>The index bound to <paramref name="serverName"/> (0: the default certificate).</summary>
        public int DefaultServerName(string serverName)
        {
            return NativeMethods.HP_SSL_DefaultServerNameCallback(Utf8.Encode(serverName), _s.Handle);
        }

        /// <summary>Forgets the TLS contexts.</summary>
        public void Cleanup() { NativeMethods.HP_SSLServer_CleanupSSLContext(_s.Handle); }

        /// <summary>With automatic handshakes off: starts TLS on a connection.</summary>
        public bool StartHandShake(IntPtr connId) { return NativeMethods.HP_SSLServer_StartSSLHandShake(_s.Handle, connId) != 0; }

        /// <summary>The OpenSSL cipher list used by the next Setup/AddContext.</summary>
        public string CipherList
        {
            get { return Utf8.Decode(NativeMethods.HP_SSLServer_GetSSLCipherList(_s.Handle)); }
            set { NativeMethods.HP_SSLServer_SetSSLCipherList(_s.Handle, Utf8.Encode(value)); }
        }

        /// <summary>An OpenSSL object or value of a connection's session (borrowed; never free it).</summary>
        public bool GetSessionInfo(IntPtr connId, SslSessionInfo info, out IntPtr value)
        {
            return NativeMethods.HP_SSLServer_GetSSLSessionInfo(_s.Handle, connId, (int)info, out value) != 0;
        }

        /// <summary>The negotiated protocol version of a connection, e.g. "TLSv1.3" (null if none).</summary>
        public string GetProtocolVersion(IntPtr connId)
        {
            IntPtr v;
            return GetSessionInfo(connId, SslSessionInfo.Version, out v) ? Utf8.Decode(v) : null;
        }
    }
}
