using System;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace HPSocket
{
    /// <summary>
    /// A TCP agent (PUSH model: <see cref="OnReceive"/> hands over the bytes). The base of every
    /// agent: <see cref="TcpPullAgent"/>, <see cref="TcpPackAgent"/> and the SSL ones.
    /// Callbacks run on the library's worker threads (see docs/abi.md section 8); every
    /// exception a handler throws is caught, reported through <see cref="Component.OnCallbackException"/>
    /// and turned into <see cref="HandleResult.Error"/>.
    /// </summary>
    public partial class TcpAgent : MultiConnectionComponent
    {
        internal const int CbPrepareConnect = 1, CbConnect = 2, CbHandShake = 4, CbSend = 8, CbReceive = 16,
            CbPullReceive = 32, CbClose = 64, CbShutdown = 128, CbDrained = 256;

        /// <summary>Creates a stopped TCP agent.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public TcpAgent() : this(Model.Push, false) { }

        internal TcpAgent(Model model, bool ssl)
            : this(CreateListener(model), l => Create(model, ssl, l), (ssl ? "SSL" : "Tcp") + (model == Model.Push ? "" : model.ToString()) + "Agent")
        {
        }

        /// <summary>An agent of another kind (<see cref="HttpAgent"/>): its listener and constructor.</summary>
        internal TcpAgent(SafeHandle listener, Func<IntPtr, SafeHandle> create, string what)
            : base(listener, create, what, Natives.Agent)
        {
            // OnClose always: it drops the connection's managed extra; OnPrepareConnect always:
            // it attaches the extra given to Connect before the connection's first callback.
            Hook(CbClose, l => NativeMethods.HP_Set_FN_Agent_OnClose(l, s_close));
            Hook(CbPrepareConnect, l => NativeMethods.HP_Set_FN_Agent_OnPrepareConnect(l, s_prepareConnect));
            // ConnectAsync completes on OnConnect or OnHandShake: hooked before any start, not
            // while workers may be delivering events.
            Hook(CbConnect, l => NativeMethods.HP_Set_FN_Agent_OnConnect(l, s_connect));
            Hook(CbHandShake, l => NativeMethods.HP_Set_FN_Agent_OnHandShake(l, s_handShake));
            _async = new AsyncConnects(this, false);
        }

        private readonly AsyncConnects _async;

        private static SafeHandle CreateListener(Model model)
        {
            switch (model)
            {
                case Model.Pull: return NativeMethods.Create_HP_TcpPullAgentListener();
                case Model.Pack: return NativeMethods.Create_HP_TcpPackAgentListener();
                default: return NativeMethods.Create_HP_TcpAgentListener();
            }
        }

        private static SafeHandle Create(Model model, bool ssl, IntPtr listener)
        {
            switch (model)
            {
                case Model.Pull: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLPullAgent(listener) : NativeMethods.Create_HP_TcpPullAgent(listener);
                case Model.Pack: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLPackAgent(listener) : NativeMethods.Create_HP_TcpPackAgent(listener);
                default: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLAgent(listener) : NativeMethods.Create_HP_TcpAgent(listener);
            }
        }

        // ---- events ------------------------------------------------------------------------

        private PrepareConnectEventHandler<TcpAgent> _onPrepareConnect;
        private ConnectEventHandler<TcpAgent> _onConnect;
        private HandShakeEventHandler<TcpAgent> _onHandShake;
        private SendEventHandler<TcpAgent> _onSend;
        private ReceiveEventHandler<TcpAgent> _onReceive;
        internal PullReceiveEventHandler<TcpPullAgent> _onPullReceive;
        private CloseEventHandler<TcpAgent> _onClose;
        private ShutdownEventHandler<TcpAgent> _onShutdown;
        private SendDrainedEventHandler<TcpAgent> _onSendDrained;

        /// <summary>A connection's socket is made, not yet connected (on the thread calling Connect);
        /// Error fails the Connect.</summary>
        public event PrepareConnectEventHandler<TcpAgent> OnPrepareConnect
        {
            add { lock (EventLock) _onPrepareConnect += value; }
            remove { lock (EventLock) _onPrepareConnect -= value; }
        }

        /// <summary>A connection is established (asynchronous agents: on its worker thread).</summary>
        public event ConnectEventHandler<TcpAgent> OnConnect
        {
            add { lock (EventLock) _onConnect += value; Hook(CbConnect, l => NativeMethods.HP_Set_FN_Agent_OnConnect(l, s_connect)); }
            remove { lock (EventLock) _onConnect -= value; }
        }

        /// <summary>The TLS handshake of a connection completed (SSL agents).</summary>
        public event HandShakeEventHandler<TcpAgent> OnHandShake
        {
            add { lock (EventLock) _onHandShake += value; Hook(CbHandShake, l => NativeMethods.HP_Set_FN_Agent_OnHandShake(l, s_handShake)); }
            remove { lock (EventLock) _onHandShake -= value; }
        }

        /// <summary>Bytes were sent on a connection (a copy).</summary>
        public event SendEventHandler<TcpAgent> OnSend
        {
            add { lock (EventLock) _onSend += value; Hook(CbSend, l => NativeMethods.HP_Set_FN_Agent_OnSend(l, s_send)); }
            remove { lock (EventLock) _onSend -= value; }
        }

        /// <summary>Bytes arrived (PUSH) or a whole message arrived (PACK). The array is a copy the
        /// handler may keep. Error closes the connection.</summary>
        public event ReceiveEventHandler<TcpAgent> OnReceive
        {
            add { lock (EventLock) _onReceive += value; Hook(CbReceive, l => NativeMethods.HP_Set_FN_Agent_OnReceive(l, s_receive)); }
            remove { lock (EventLock) _onReceive -= value; }
        }

        /// <summary>A connection closed: its last callback. Its managed extra is still readable here.</summary>
        public event CloseEventHandler<TcpAgent> OnClose
        {
            add { lock (EventLock) _onClose += value; }
            remove { lock (EventLock) _onClose -= value; }
        }

        /// <summary>The agent stopped (on the thread calling Stop or Dispose).</summary>
        public event ShutdownEventHandler<TcpAgent> OnShutdown
        {
            add { lock (EventLock) _onShutdown += value; Hook(CbShutdown, l => NativeMethods.HP_Set_FN_Agent_OnShutdown(l, s_shutdown)); }
            remove { lock (EventLock) _onShutdown -= value; }
        }

        /// <summary>Extension: a full send queue (<see cref="MultiConnectionComponent.MaxSendQueueBytes"/>) drained to its low watermark.</summary>
        public event SendDrainedEventHandler<TcpAgent> OnSendDrained
        {
            add { lock (EventLock) _onSendDrained += value; Hook(CbDrained, l => NativeMethods.HPX_Set_FN_Agent_OnSendDrained(l, s_drained)); }
            remove { lock (EventLock) _onSendDrained -= value; }
        }

        internal void HookPullReceive()
        {
            Hook(CbPullReceive, l => NativeMethods.HP_Set_FN_Agent_OnPullReceive(l, s_pullReceive));
        }

        // ---- trampolines: static delegates (never collected), the object found through the
        // ---- user data; every exception caught and turned into HR_ERROR.

        private static readonly NativeMethods.HP_FN_Agent_OnPrepareConnect s_prepareConnect = PrepareConnectCb;
        private static readonly NativeMethods.HP_FN_Agent_OnConnect s_connect = ConnectCb;
        private static readonly NativeMethods.HP_FN_Agent_OnHandShake s_handShake = HandShakeCb;
        private static readonly NativeMethods.HP_FN_Agent_OnSend s_send = SendCb;
        private static readonly NativeMethods.HP_FN_Agent_OnReceive s_receive = ReceiveCb;
        private static readonly NativeMethods.HP_FN_Agent_OnPullReceive s_pullReceive = PullReceiveCb;
        private static readonly NativeMethods.HP_FN_Agent_OnClose s_close = CloseCb;
        private static readonly NativeMethods.HP_FN_Agent_OnShutdown s_shutdown = ShutdownCb;
        private static readonly NativeMethods.HPX_FN_Agent_OnSendDrained s_drained = DrainedCb;

        private const int Ignore = NativeMethods.HR_IGNORE, Error = NativeMethods.HR_ERROR;

        [ThreadStatic] private static PendingExtra t_pending;

        private sealed class PendingExtra
        {
            public TcpAgent Agent;
            public object Extra;
            public IntPtr ConnId;
        }

        private static int PrepareConnectCb(IntPtr sender, IntPtr connId, IntPtr socket)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                PendingExtra pending = t_pending;
                if (pending != null && ReferenceEquals(pending.Agent, s) && pending.ConnId == IntPtr.Zero)
                {
                    pending.ConnId = connId;
                    s.Extras[connId] = pending.Extra;
                }
                s._async.Prepared(connId);
                Enter(s);
                try
                {
                    PrepareConnectEventHandler<TcpAgent> h = s._onPrepareConnect;
                    return h == null ? Ignore : (int)h(s, connId, socket);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnPrepareConnect", e); return Error; }
        }

        private static int ConnectCb(IntPtr sender, IntPtr connId)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    ConnectEventHandler<TcpAgent> h = s._onConnect;
                    int r = h == null ? Ignore : (int)h(s, connId);
                    if (r != Error) s._async.Ready(connId, false);
                    return r;
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnConnect", e); return Error; }
        }

        private static int HandShakeCb(IntPtr sender, IntPtr connId)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    HandShakeEventHandler<TcpAgent> h = s._onHandShake;
                    int r = h == null ? Ignore : (int)h(s, connId);
                    if (r != Error) s._async.Ready(connId, true);
                    return r;
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnHandShake", e); return Error; }
        }

        private static int SendCb(IntPtr sender, IntPtr connId, IntPtr data, int length)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    SendEventHandler<TcpAgent> h = s._onSend;
                    return h == null ? Ignore : (int)h(s, connId, Copy(data, length));
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnSend", e); return Error; }
        }

        private static int ReceiveCb(IntPtr sender, IntPtr connId, IntPtr data, int length)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    ReceiveEventHandler<TcpAgent> h = s._onReceive;
                    return h == null ? Ignore : (int)h(s, connId, Copy(data, length));
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnReceive", e); return Error; }
        }

        private static int PullReceiveCb(IntPtr sender, IntPtr connId, int length)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                TcpPullAgent p = s as TcpPullAgent;
                if (p == null) return Ignore;
                Enter(s);
                try
                {
                    PullReceiveEventHandler<TcpPullAgent> h = s._onPullReceive;
                    return h == null ? Ignore : (int)h(p, connId, length);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnPullReceive", e); return Error; }
        }

        private static int CloseCb(IntPtr sender, IntPtr connId, int operation, int errorCode)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    CloseEventHandler<TcpAgent> h = s._onClose;
                    return h == null ? Ignore : (int)h(s, connId, (SocketOperation)operation, errorCode);
                }
                finally
                {
                    Leave(s);
                    s.DropExtra(connId);
                    s._async.Closed(connId, (SocketOperation)operation, errorCode);
                }
            }
            catch (Exception e) { Report(s, "OnClose", e); return Error; }
        }

        private static int ShutdownCb(IntPtr sender)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    ShutdownEventHandler<TcpAgent> h = s._onShutdown;
                    return h == null ? Ignore : (int)h(s);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnShutdown", e); return Error; }
        }

        private static int DrainedCb(IntPtr sender, IntPtr connId, int pending)
        {
            TcpAgent s = null;
            try
            {
                s = FromSender<TcpAgent>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    SendDrainedEventHandler<TcpAgent> h = s._onSendDrained;
                    return h == null ? Ignore : (int)h(s, connId, pending);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnSendDrained", e); return Error; }
        }

        // ---- life cycle ----------------------------------------------------------------------

        /// <summary>Starts the agent's workers. <paramref name="bindAddress"/> (null: any) is the local
        /// address of every connect; <paramref name="asyncConnect"/> chooses whether Connect returns
        /// at once (the outcome comes through OnConnect or OnClose) or blocks until connected.</summary>
        public bool Start(string bindAddress = null, bool asyncConnect = true)
        {
            return NativeMethods.HP_Agent_Start(Handle, Utf8.Encode(bindAddress), B(asyncConnect)) != 0;
        }

        /// <summary>Connects to <paramref name="remoteAddress"/> (an IP, a host name or
        /// "address^hostname") and <paramref name="port"/>.</summary>
        public bool Connect(string remoteAddress, ushort port)
        {
            IntPtr id;
            return Connect(remoteAddress, port, out id);
        }

        /// <summary>Connects; the new connection's ID goes to <paramref name="connId"/> (0 on failure).
        /// <paramref name="extra"/> (managed, see <see cref="Component.GetExtra"/>) is attached before
        /// the connection's first callback; <paramref name="localPort"/> and <paramref name="localAddress"/>
        /// (0/null: any, or the address given to Start) bind the local side.</summary>
        public bool Connect(string remoteAddress, ushort port, out IntPtr connId, object extra = null, ushort localPort = 0, string localAddress = null)
        {
            if (remoteAddress == null) throw new ArgumentNullException("remoteAddress");
            IntPtr h = Handle;
            PendingExtra pending = null, saved = t_pending;
            if (extra != null) t_pending = pending = new PendingExtra { Agent = this, Extra = extra };
            try
            {
                bool ok = NativeMethods.HP_Agent_ConnectWithExtraAndLocalAddressPort(h, Utf8.Encode(remoteAddress), port, out connId,
                    IntPtr.Zero, localPort, Utf8.Encode(localAddress)) != 0;
                if (!ok && pending != null && pending.ConnId != IntPtr.Zero && !IsConnectionAlive(pending.ConnId))
                    DropExtra(pending.ConnId);
                return ok;
            }
            finally { t_pending = saved; }
        }

        /// <summary>Start as a Task (an agent's start is synchronous: the Task is already complete,
        /// or faulted with an <see cref="HPSocketException"/> naming the failure). Connects of the
        /// started agent are asynchronous.</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task StartAsync(string bindAddress = null)
        {
            return AsyncConnects.Done(Start(bindAddress, true), this, "StartAsync");
        }

        /// <summary>Connects, and returns a Task of the connection's ID that completes when it is
        /// ready to send: on its OnConnect, or on its OnHandShake for <see cref="UdpArqAgent"/> and
        /// for SSL agents with automatic handshakes; after the agent's own handlers for that event
        /// returned (one returning Error closes the connection). It faults with a
        /// <see cref="ConnectionClosedException"/> carrying the close reason when the connection
        /// closes first (a refused connect: Connect, ECONNREFUSED), and with an
        /// <see cref="HPSocketException"/> when Connect fails at once. Continuations run on the
        /// ThreadPool, never on the library's I/O thread (the Task's source is made with
        /// RunContinuationsAsynchronously). On an agent started with asyncConnect false the
        /// call blocks as Connect does.</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task<IntPtr> ConnectAsync(string remoteAddress, ushort port)
        {
            return ConnectAsync(remoteAddress, port, null, 0, null);
        }

        /// <summary><see cref="ConnectAsync(string, ushort)"/> with the extra and the local side
        /// of <see cref="Connect(string, ushort, out IntPtr, object, ushort, string)"/>.</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task<IntPtr> ConnectAsync(string remoteAddress, ushort port, object extra, ushort localPort = 0, string localAddress = null)
        {
            if (remoteAddress == null) throw new ArgumentNullException("remoteAddress");
            ThrowIfDisposed();
            AsyncConnects.Pending p = _async.Begin(ReadyOnHandShake());
            IntPtr id = IntPtr.Zero;
            bool ok = false;
            try
            {
                ok = Connect(remoteAddress, port, out id, extra, localPort, localAddress);
            }
            catch (Exception e)
            {
                _async.End(p, IntPtr.Zero, e);
                return p.Tcs.Task;
            }
            _async.End(p, id, ok ? null : new HPSocketException(ErrorCode, "ConnectAsync: " + ErrorMessage));
            return p.Tcs.Task;
        }

        /// <summary>Stop as a Task: Stop and Wait run on the ThreadPool; the Task completes once
        /// stopped (every OnClose and OnShutdown returned). Usable from the agent's own handlers
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

        /// <summary>ARQ agents, and SSL ones that shake hands by themselves, can send once OnHandShake.</summary>
        internal virtual bool ReadyOnHandShake()
        {
            return IsSecure && NativeMethods.HP_SSLAgent_IsSSLAutoHandShake(Handle) != 0;
        }

        /// <summary>The host and port given to Connect (the hostname of "address^hostname").</summary>
        public bool GetRemoteHost(IntPtr connId, out string host, out ushort port)
        {
            IntPtr h = Handle;
            return GetAddress((byte[] b, ref int l, out ushort p) => NativeMethods.HP_Agent_GetRemoteHost(h, connId, b, ref l, out p), out host, out port);
        }

        /// <summary>Stops: every connection closes (OnClose each), then OnShutdown. Stopping a
        /// stopped agent succeeds and does nothing; false (with <c>ErrorCode</c>) from the
        /// agent's own callbacks or while another Stop is under way.</summary>
        public bool Stop() { return NativeMethods.HP_Agent_Stop(Handle) != 0 || State == ServiceState.Stopped; }

        /// <summary>True for the SSL agents.</summary>
        public bool IsSecure { get { return NativeMethods.HP_Agent_IsSecure(Handle) != 0; } }

        // ---- settings: the properties of the tables' [[setting]] rows are in Families.g.cs
        // (written by tools/ffi-gen/src/csharp.rs).
    }

    /// <summary>A TCP agent of the PULL model: <see cref="OnPullReceive"/> tells how many bytes
    /// are buffered; the handler takes them with <see cref="Fetch(IntPtr, byte[], int, int)"/> and peeks with Peek.</summary>
    public unsafe class TcpPullAgent : TcpAgent
    {
        /// <summary>Creates a stopped TCP PULL agent.</summary>
        public TcpPullAgent() : this(false) { }

        internal TcpPullAgent(bool ssl) : base(Model.Pull, ssl) { }

        /// <summary>Bytes arrived: <paramref name="length"/> are buffered in all.</summary>
        public event PullReceiveEventHandler<TcpPullAgent> OnPullReceive
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
            fixed (byte* p = buffer) return (FetchResult)NativeMethods.HP_TcpPullAgent_Fetch(h, connId, count == 0 ? null : p + offset, count);
        }

        /// <summary>Fills <paramref name="buffer"/> from the buffered bytes.</summary>
        public FetchResult Fetch(IntPtr connId, byte[] buffer) { return Fetch(connId, buffer, 0, buffer == null ? 0 : buffer.Length); }

        /// <summary>Copies <paramref name="count"/> buffered bytes without taking them.</summary>
        public FetchResult Peek(IntPtr connId, byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            IntPtr h = Handle;
            fixed (byte* p = buffer) return (FetchResult)NativeMethods.HP_TcpPullAgent_Peek(h, connId, count == 0 ? null : p + offset, count);
        }

        /// <summary>Fills <paramref name="buffer"/> without taking the bytes.</summary>
        public FetchResult Peek(IntPtr connId, byte[] buffer) { return Peek(connId, buffer, 0, buffer == null ? 0 : buffer.Length); }
    }

    /// <summary>A TCP agent of the PACK model: every send is framed (a 4-byte header with the
    /// length and <see cref="PackHeaderFlag"/>) and OnReceive gets whole messages.</summary>
    public partial class TcpPackAgent : TcpAgent
    {
        /// <summary>Creates a stopped TCP PACK agent.</summary>
        public TcpPackAgent() : this(false) { }

        internal TcpPackAgent(bool ssl) : base(Model.Pack, ssl) { }
    }

    /// <summary>A TLS agent (PUSH model); set it up with <see cref="Ssl"/> before Start.</summary>
    public class SslAgent : TcpAgent
    {
        /// <summary>Creates a stopped SSL agent.</summary>
        public SslAgent() : base(Model.Push, true) { Ssl = new SslAgentContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslAgentContext Ssl { get; private set; }
    }

    /// <summary>A TLS agent of the PULL model.</summary>
    public class SslPullAgent : TcpPullAgent
    {
        /// <summary>Creates a stopped SSL PULL agent.</summary>
        public SslPullAgent() : base(true) { Ssl = new SslAgentContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslAgentContext Ssl { get; private set; }
    }

    /// <summary>A TLS agent of the PACK model.</summary>
    public class SslPackAgent : TcpPackAgent
    {
        /// <summary>Creates a stopped SSL PACK agent.</summary>
        public SslPackAgent() : base(true) { Ssl = new SslAgentContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslAgentContext Ssl { get; private set; }
    }

    /// <summary>The TLS settings of an SSL agent (<c>HP_SSLAgent_*</c>).</summary>
    public sealed partial class SslAgentContext
    {
        private readonly TcpAgent _s;

        internal SslAgentContext(TcpAgent s) { _s = s; }

        /// <summary>Builds the TLS context: an optional client certificate and key (null: none), the
        /// key's password, trusted CAs (a file or a hashed directory; needed with Peer to verify servers).</summary>
        public bool Setup(SslVerifyMode verifyMode, string certFile = null, string keyFile = null, string keyPassword = null, string caCertFileOrPath = null)
        {
            return NativeMethods.HP_SSLAgent_SetupSSLContext(_s.Handle, (int)verifyMode, Utf8.Encode(certFile), Utf8.Encode(keyFile),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertFileOrPath)) != 0;
        }

        /// <summary><see cref="Setup"/> with PEM text.</summary>
        public bool SetupByMemory(SslVerifyMode verifyMode, string certPem = null, string keyPem = null, string keyPassword = null, string caCertPem = null)
        {
            return NativeMethods.HP_SSLAgent_SetupSSLContextByMemory(_s.Handle, (int)verifyMode, Utf8.Encode(certPem), Utf8.Encode(keyPem),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertPem)) != 0;
        }

        /// <summary>Forgets the TLS context.</summary>
        public void Cleanup() { NativeMethods.HP_SSLAgent_CleanupSSLContext(_s.Handle); }

        /// <summary>With automatic handshakes off: starts TLS on a connection.</summary>
        public bool StartHandShake(IntPtr connId) { return NativeMethods.HP_SSLAgent_StartSSLHandShake(_s.Handle, connId) != 0; }

        /// <summary>The OpenSSL cipher list used by the next Setup.</summary>
        public string CipherList
        {
            get { return Utf8.Decode(NativeMethods.HP_SSLAgent_GetSSLCipherList(_s.Handle)); }
            set { NativeMethods.HP_SSLAgent_SetSSLCipherList(_s.Handle, Utf8.Encode(value)); }
        }

        /// <summary>An OpenSSL object or value of a connection's session (borrowed; never free it).</summary>
        public bool GetSessionInfo(IntPtr connId, SslSessionInfo info, out IntPtr value)
        {
            return NativeMethods.HP_SSLAgent_GetSSLSessionInfo(_s.Handle, connId, (int)info, out value) != 0;
        }

        /// <summary>The negotiated protocol version of a connection, e.g. "TLSv1.3" (null if none).</summary>
        public string GetProtocolVersion(IntPtr connId)
        {
            IntPtr v;
            return GetSessionInfo(connId, SslSessionInfo.Version, out v) ? Utf8.Decode(v) : null;
        }
    }
}
