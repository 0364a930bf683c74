using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using System.Threading;

namespace HPSocket
{
    /// <summary>
    /// A TCP client (PUSH model: <see cref="OnReceive"/> hands over the bytes). The base of every
    /// client: <see cref="TcpPullClient"/>, <see cref="TcpPackClient"/>, the SSL ones and
    /// <see cref="UdpClient"/>.
    /// Callbacks run on the library's worker threads (see docs/abi.md section 8); every
    /// exception a handler throws is caught, reported through <see cref="Component.OnCallbackException"/>
    /// and turned into <see cref="HandleResult.Error"/>.
    /// </summary>
    public unsafe partial class TcpClient : Component
    {
        internal const int CbPrepareConnect = 1, CbConnect = 2, CbHandShake = 4, CbSend = 8, CbReceive = 16,
            CbPullReceive = 32, CbClose = 64, CbShutdown = 128, CbDrained = 256;

        /// <summary>Creates a stopped TCP client.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public TcpClient() : this(Model.Push, false) { }

        internal TcpClient(Model model, bool ssl)
            : this(CreateListener(model), l => Create(model, ssl, l), (ssl ? "SSL" : "Tcp") + (model == Model.Push ? "" : model.ToString()) + "Client")
        {
        }

        /// <summary>A client of another kind (<see cref="UdpClient"/>): its listener and constructor.</summary>
        internal TcpClient(SafeHandle listener, Func<IntPtr, SafeHandle> create, string what)
            : base(listener, create, what)
        {
            // OnClose always: it drops the connection's managed extra.
            Hook(CbClose, l => NativeMethods.HP_Set_FN_Client_OnClose(l, s_close));
            // StartAsync completes on OnConnect or OnHandShake: hooked before any start.
            Hook(CbConnect, l => NativeMethods.HP_Set_FN_Client_OnConnect(l, s_connect));
            Hook(CbHandShake, l => NativeMethods.HP_Set_FN_Client_OnHandShake(l, s_handShake));
            _async = new AsyncConnects(this, true);
        }

        private readonly AsyncConnects _async;

        private static SafeHandle CreateListener(Model model)
        {
            switch (model)
            {
                case Model.Pull: return NativeMethods.Create_HP_TcpPullClientListener();
                case Model.Pack: return NativeMethods.Create_HP_TcpPackClientListener();
                default: return NativeMethods.Create_HP_TcpClientListener();
            }
        }

        private static SafeHandle Create(Model model, bool ssl, IntPtr listener)
        {
            switch (model)
            {
                case Model.Pull: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLPullClient(listener) : NativeMethods.Create_HP_TcpPullClient(listener);
                case Model.Pack: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLPackClient(listener) : NativeMethods.Create_HP_TcpPackClient(listener);
                default: return ssl ? (SafeHandle)NativeMethods.Create_HP_SSLClient(listener) : NativeMethods.Create_HP_TcpClient(listener);
            }
        }

        // ---- events ------------------------------------------------------------------------

        private PrepareConnectEventHandler<TcpClient> _onPrepareConnect;
        private ConnectEventHandler<TcpClient> _onConnect;
        private HandShakeEventHandler<TcpClient> _onHandShake;
        private SendEventHandler<TcpClient> _onSend;
        private ReceiveEventHandler<TcpClient> _onReceive;
        internal PullReceiveEventHandler<TcpPullClient> _onPullReceive;
        private CloseEventHandler<TcpClient> _onClose;
        private SendDrainedEventHandler<TcpClient> _onSendDrained;

        /// <summary>A connection's socket is made, not yet connected (on the thread calling Start);
        /// Error fails the Start.</summary>
        public event PrepareConnectEventHandler<TcpClient> OnPrepareConnect
        {
            add { lock (EventLock) _onPrepareConnect += value; Hook(CbPrepareConnect, l => NativeMethods.HP_Set_FN_Client_OnPrepareConnect(l, s_prepareConnect)); }
            remove { lock (EventLock) _onPrepareConnect -= value; }
        }

        /// <summary>A connection is established (asynchronous start: on the client's worker thread).</summary>
        public event ConnectEventHandler<TcpClient> OnConnect
        {
            add { lock (EventLock) _onConnect += value; Hook(CbConnect, l => NativeMethods.HP_Set_FN_Client_OnConnect(l, s_connect)); }
            remove { lock (EventLock) _onConnect -= value; }
        }

        /// <summary>The TLS handshake of a connection completed (SSL clients).</summary>
        public event HandShakeEventHandler<TcpClient> OnHandShake
        {
            add { lock (EventLock) _onHandShake += value; Hook(CbHandShake, l => NativeMethods.HP_Set_FN_Client_OnHandShake(l, s_handShake)); }
            remove { lock (EventLock) _onHandShake -= value; }
        }

        /// <summary>Bytes were sent on a connection (a copy).</summary>
        public event SendEventHandler<TcpClient> OnSend
        {
            add { lock (EventLock) _onSend += value; Hook(CbSend, l => NativeMethods.HP_Set_FN_Client_OnSend(l, s_send)); }
            remove { lock (EventLock) _onSend -= value; }
        }

        /// <summary>Bytes arrived (PUSH) or a whole message arrived (PACK). The array is a copy the
        /// handler may keep. Error closes the connection.</summary>
        public event ReceiveEventHandler<TcpClient> OnReceive
        {
            add { lock (EventLock) _onReceive += value; Hook(CbReceive, l => NativeMethods.HP_Set_FN_Client_OnReceive(l, s_receive)); }
            remove { lock (EventLock) _onReceive -= value; }
        }

        /// <summary>A connection closed: its last callback. Its managed extra is still readable here.</summary>
        public event CloseEventHandler<TcpClient> OnClose
        {
            add { lock (EventLock) _onClose += value; }
            remove { lock (EventLock) _onClose -= value; }
        }

        /// <summary>Extension: a full send queue (<see cref="MaxSendQueueBytes"/>) drained to its low watermark.</summary>
        public event SendDrainedEventHandler<TcpClient> OnSendDrained
        {
            add { lock (EventLock) _onSendDrained += value; Hook(CbDrained, l => NativeMethods.HPX_Set_FN_Client_OnSendDrained(l, s_drained)); }
            remove { lock (EventLock) _onSendDrained -= value; }
        }

        internal void HookPullReceive()
        {
            Hook(CbPullReceive, l => NativeMethods.HP_Set_FN_Client_OnPullReceive(l, s_pullReceive));
        }

        // ---- trampolines: static delegates (never collected), the object found through the
        // ---- user data; every exception caught and turned into HR_ERROR.

        private static readonly NativeMethods.HP_FN_Client_OnPrepareConnect s_prepareConnect = PrepareConnectCb;
        private static readonly NativeMethods.HP_FN_Client_OnConnect s_connect = ConnectCb;
        private static readonly NativeMethods.HP_FN_Client_OnHandShake s_handShake = HandShakeCb;
        private static readonly NativeMethods.HP_FN_Client_OnSend s_send = SendCb;
        private static readonly NativeMethods.HP_FN_Client_OnReceive s_receive = ReceiveCb;
        private static readonly NativeMethods.HP_FN_Client_OnPullReceive s_pullReceive = PullReceiveCb;
        private static readonly NativeMethods.HP_FN_Client_OnClose s_close = CloseCb;
        private static readonly NativeMethods.HPX_FN_Client_OnSendDrained s_drained = DrainedCb;

        private const int Ignore = NativeMethods.HR_IGNORE, Error = NativeMethods.HR_ERROR;

        private static int PrepareConnectCb(IntPtr sender, IntPtr connId, IntPtr socket)
        {
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    PrepareConnectEventHandler<TcpClient> h = s._onPrepareConnect;
                    return h == null ? Ignore : (int)h(s, connId, socket);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnPrepareConnect", e); return Error; }
        }

        private static int ConnectCb(IntPtr sender, IntPtr connId)
        {
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    ConnectEventHandler<TcpClient> h = s._onConnect;
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
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    HandShakeEventHandler<TcpClient> h = s._onHandShake;
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
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    SendEventHandler<TcpClient> h = s._onSend;
                    return h == null ? Ignore : (int)h(s, connId, Copy(data, length));
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnSend", e); return Error; }
        }

        private static int ReceiveCb(IntPtr sender, IntPtr connId, IntPtr data, int length)
        {
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    ReceiveEventHandler<TcpClient> h = s._onReceive;
                    return h == null ? Ignore : (int)h(s, connId, Copy(data, length));
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnReceive", e); return Error; }
        }

        private static int PullReceiveCb(IntPtr sender, IntPtr connId, int length)
        {
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                TcpPullClient p = s as TcpPullClient;
                if (p == null) return Ignore;
                Enter(s);
                try
                {
                    PullReceiveEventHandler<TcpPullClient> h = s._onPullReceive;
                    return h == null ? Ignore : (int)h(p, connId, length);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnPullReceive", e); return Error; }
        }

        private static int CloseCb(IntPtr sender, IntPtr connId, int operation, int errorCode)
        {
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    CloseEventHandler<TcpClient> h = s._onClose;
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

        private static int DrainedCb(IntPtr sender, IntPtr connId, int pending)
        {
            TcpClient s = null;
            try
            {
                s = FromSender<TcpClient>(sender);
                if (s == null) return Ignore;
                Enter(s);
                try
                {
                    SendDrainedEventHandler<TcpClient> h = s._onSendDrained;
                    return h == null ? Ignore : (int)h(s, connId, pending);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnSendDrained", e); return Error; }
        }

        // ---- life cycle ----------------------------------------------------------------------

        /// <summary>Starts the client and connects to <paramref name="remoteAddress"/> (an IP, a host
        /// name or "address^hostname") and <paramref name="port"/>. Synchronous (<paramref name="asyncConnect"/>
        /// false): blocks until connected and fails if the connect does. <paramref name="bindAddress"/>
        /// and <paramref name="localPort"/> (null/0: none) bind the local side first.</summary>
        public bool Start(string remoteAddress, ushort port, bool asyncConnect = true, string bindAddress = null, ushort localPort = 0)
        {
            if (remoteAddress == null) throw new ArgumentNullException("remoteAddress");
            return NativeMethods.HP_Client_StartWithBindAddressAndLocalPort(Handle, Utf8.Encode(remoteAddress), port, B(asyncConnect),
                Utf8.Encode(bindAddress), localPort) != 0;
        }

        /// <summary>Starts with an asynchronous connect; the Task completes with the connection's ID
        /// when it is ready to send: on OnConnect, or on OnHandShake for <see cref="UdpArqClient"/>
        /// and for SSL clients with automatic handshakes, after the client's own handlers for that
        /// event returned. It faults with a <see cref="ConnectionClosedException"/> carrying the
        /// close reason when the connection closes first (a refused connect: Connect,
        /// ECONNREFUSED), with an <see cref="HPSocketException"/> when Start fails at once, and
        /// with an <see cref="InvalidOperationException"/> while an earlier StartAsync is pending.
        /// Continuations run on the ThreadPool, never on the library's I/O thread.</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task<IntPtr> StartAsync(string remoteAddress, ushort port, string bindAddress = null, ushort localPort = 0)
        {
            if (remoteAddress == null) throw new ArgumentNullException("remoteAddress");
            ThrowIfDisposed();
            AsyncConnects.Pending p = _async.Begin(ReadyOnHandShake());
            if (p == null)
            {
                TaskCompletionSource<IntPtr> busy = new TaskCompletionSource<IntPtr>();
                busy.SetException(new InvalidOperationException("a StartAsync is already pending"));
                return busy.Task;
            }
            bool ok;
            try
            {
                ok = Start(remoteAddress, port, true, bindAddress, localPort);
            }
            catch (Exception e)
            {
                _async.End(p, IntPtr.Zero, e);
                return p.Tcs.Task;
            }
            _async.End(p, IntPtr.Zero, ok ? null : new HPSocketException(ErrorCode, "StartAsync: " + ErrorMessage));
            return p.Tcs.Task;
        }

        /// <summary>Stop as a Task: Stop and Wait run on the ThreadPool; the Task completes once
        /// stopped (OnClose returned).</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task StopAsync()
        {
            ThrowIfDisposed();
            return AsyncConnects.StopAsync(Stop, Wait);
        }

        /// <summary>Wait as a Task: true once stopped, false after <paramref name="milliseconds"/>
        /// (-1: no limit). The wait runs on a thread of its own.</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public Task<bool> WaitAsync(int milliseconds = Timeout.Infinite)
        {
            ThrowIfDisposed();
            return AsyncConnects.WaitAsync(Wait, milliseconds);
        }

        /// <summary>ARQ clients, and SSL ones that shake hands by themselves, can send once OnHandShake.</summary>
        internal virtual bool ReadyOnHandShake()
        {
            return IsSecure && NativeMethods.HP_SSLClient_IsSSLAutoHandShake(Handle) != 0;
        }

        /// <summary>Stops the client (its OnClose follows). Allowed in the client's own callbacks:
        /// the stop then finishes after the callback returns. Stopping a stopped client (it stops
        /// by itself when the peer hangs up) succeeds and does nothing.</summary>
        public bool Stop() { return NativeMethods.HP_Client_Stop(Handle) != 0 || State == ServiceState.Stopped; }

        /// <summary>Waits until stopped, at most <paramref name="milliseconds"/> (-1: for ever).</summary>
        public bool Wait(int milliseconds = Timeout.Infinite) { return NativeMethods.HP_Client_Wait(Handle, unchecked((uint)milliseconds)) != 0; }

        /// <summary>TRUE while starting or started.</summary>
        public bool HasStarted { get { return NativeMethods.HP_Client_HasStarted(Handle) != 0; } }

        /// <summary>The life-cycle state.</summary>
        public ServiceState State { get { return (ServiceState)NativeMethods.HP_Client_GetState(Handle); } }

        /// <summary>True for the SSL clients.</summary>
        public bool IsSecure { get { return NativeMethods.HP_Client_IsSecure(Handle) != 0; } }

        /// <inheritdoc/>
        public override SocketError ErrorCode { get { return (SocketError)NativeMethods.HP_Client_GetLastError(Handle); } }

        /// <inheritdoc/>
        public override string ErrorMessage { get { return Utf8.Decode(NativeMethods.HP_Client_GetLastErrorDesc(Handle)); } }

        /// <summary>The ID of the current (or last) connection; 0 before the first start.</summary>
        public IntPtr ConnectionId { get { return NativeMethods.HP_Client_GetConnectionID(Handle); } }

        /// <summary>True while connected.</summary>
        public bool IsConnected { get { return NativeMethods.HP_Client_IsConnected(Handle) != 0; } }

        /// <summary>A raw pointer attached to the client (never dereferenced or freed by the library).</summary>
        public IntPtr Extra
        {
            get { return NativeMethods.HP_Client_GetExtra(Handle); }
            set { NativeMethods.HP_Client_SetExtra(Handle, value); }
        }

        /// <summary>Any managed object the application wants to keep with the client.</summary>
        public object Tag { get; set; }

        /// <summary>The local address and port.</summary>
        public bool GetLocalAddress(out string address, out ushort port)
        {
            IntPtr h = Handle;
            return GetAddress((byte[] b, ref int l, out ushort p) => NativeMethods.HP_Client_GetLocalAddress(h, b, ref l, out p), out address, out port);
        }

        /// <summary>The host and port given to Start (the hostname of "address^hostname").</summary>
        public bool GetRemoteHost(out string host, out ushort port)
        {
            IntPtr h = Handle;
            return GetAddress((byte[] b, ref int l, out ushort p) => NativeMethods.HP_Client_GetRemoteHost(h, b, ref l, out p), out host, out port);
        }

        /// <summary>Bytes accepted by Send and not yet written.</summary>
        public bool GetPendingDataLength(out int pending) { return NativeMethods.HP_Client_GetPendingDataLength(Handle, out pending) != 0; }

        /// <summary>Stops (true) or resumes (false) reading.</summary>
        public bool PauseReceive(bool pause = true) { return NativeMethods.HP_Client_PauseReceive(Handle, B(pause)) != 0; }

        /// <summary>Whether reading is paused.</summary>
        public bool IsPauseReceive(out bool paused)
        {
            int v;
            bool ok = NativeMethods.HP_Client_IsPauseReceive(Handle, out v) != 0;
            paused = ok && v != 0;
            return ok;
        }

        internal override bool IsConnectionAlive(IntPtr connId)
        {
            return connId != IntPtr.Zero && connId == NativeMethods.HP_Client_GetConnectionID(Handle) && NativeMethods.HP_Client_HasStarted(Handle) != 0;
        }

        // ---- sending -------------------------------------------------------------------------

        /// <summary>Sends <paramref name="data"/> (may be empty: sends nothing, returns true).</summary>
        public bool Send(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            IntPtr h = Handle;
            fixed (byte* p = data) return NativeMethods.HP_Client_Send(h, p, data.Length) != 0;
        }

        /// <summary>Sends <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public bool Send(byte[] data, int offset, int count)
        {
            CheckRange(data, offset, count);
            IntPtr h = Handle;
            fixed (byte* p = data) return NativeMethods.HP_Client_Send(h, count == 0 ? null : p + offset, count) != 0;
        }

        /// <summary>Sends several buffers in order as one send (a gather write).</summary>
        public bool SendPackets(params byte[][] buffers) { return SendPackets(Segments(buffers)); }

        /// <summary>Sends several buffer segments in order as one send.</summary>
        public bool SendPackets(IList<ArraySegment<byte>> buffers)
        {
            IntPtr h = Handle;
            return WithPackets(buffers, (p, n) => NativeMethods.HP_Client_SendPackets(h, (WSABUF*)p, n));
        }

        /// <summary>Sends <paramref name="head"/>, a file (1 byte to 4 MiB - 1) and <paramref name="tail"/> as one send.</summary>
        public bool SendSmallFile(string fileName, byte[] head = null, byte[] tail = null)
        {
            if (fileName == null) throw new ArgumentNullException("fileName");
            IntPtr h = Handle;
            byte[] name = Utf8.Encode(fileName);
            return WithHeadTail(head, tail, (ph, pt) => NativeMethods.HP_TcpClient_SendSmallFile(h, name, (WSABUF*)ph, (WSABUF*)pt));
        }

        // ---- settings: the properties of the tables' [[setting]] rows are in Families.g.cs
        // (written by tools/ffi-gen/src/csharp.rs).
    }

    /// <summary>A TCP client of the PULL model: <see cref="OnPullReceive"/> tells how many bytes
    /// are buffered; the handler takes them with <see cref="Fetch(byte[], int, int)"/> and peeks with Peek.</summary>
    public unsafe class TcpPullClient : TcpClient
    {
        /// <summary>Creates a stopped TCP PULL client.</summary>
        public TcpPullClient() : this(false) { }

        internal TcpPullClient(bool ssl) : base(Model.Pull, ssl) { }

        /// <summary>Bytes arrived: <paramref name="length"/> are buffered in all.</summary>
        public event PullReceiveEventHandler<TcpPullClient> OnPullReceive
        {
            add { lock (EventLock) _onPullReceive += value; HookPullReceive(); }
            remove { lock (EventLock) _onPullReceive -= value; }
        }

        /// <summary>Takes exactly <paramref name="count"/> buffered bytes into <paramref name="buffer"/>
        /// at <paramref name="offset"/>; LengthTooLong (nothing copied) when fewer are buffered.</summary>
        public FetchResult Fetch(byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            IntPtr h = Handle;
            fixed (byte* p = buffer) return (FetchResult)NativeMethods.HP_TcpPullClient_Fetch(h, count == 0 ? null : p + offset, count);
        }

        /// <summary>Fills <paramref name="buffer"/> from the buffered bytes.</summary>
        public FetchResult Fetch(byte[] buffer) { return Fetch(buffer, 0, buffer == null ? 0 : buffer.Length); }

        /// <summary>Copies <paramref name="count"/> buffered bytes without taking them.</summary>
        public FetchResult Peek(byte[] buffer, int offset, int count)
        {
            CheckRange(buffer, offset, count);
            IntPtr h = Handle;
            fixed (byte* p = buffer) return (FetchResult)NativeMethods.HP_TcpPullClient_Peek(h, count == 0 ? null : p + offset, count);
        }

        /// <summary>Fills <paramref name="buffer"/> without taking the bytes.</summary>
        public FetchResult Peek(byte[] buffer) { return Peek(buffer, 0, buffer == null ? 0 : buffer.Length); }
    }

    /// <summary>A TCP client of the PACK model: every send is framed (a 4-byte header with the
    /// length and <see cref="PackHeaderFlag"/>) and OnReceive gets whole messages.</summary>
    public partial class TcpPackClient : TcpClient
    {
        /// <summary>Creates a stopped TCP PACK client.</summary>
        public TcpPackClient() : this(false) { }

        internal TcpPackClient(bool ssl) : base(Model.Pack, ssl) { }
    }

    /// <summary>A TLS client (PUSH model); set it up with <see cref="Ssl"/> before Start.</summary>
    public class SslClient : TcpClient
    {
        /// <summary>Creates a stopped SSL client.</summary>
        public SslClient() : base(Model.Push, true) { Ssl = new SslClientContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslClientContext Ssl { get; private set; }
    }

    /// <summary>A TLS client of the PULL model.</summary>
    public class SslPullClient : TcpPullClient
    {
        /// <summary>Creates a stopped SSL PULL client.</summary>
        public SslPullClient() : base(true) { Ssl = new SslClientContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslClientContext Ssl { get; private set; }
    }

    /// <summary>A TLS client of the PACK model.</summary>
    public class SslPackClient : TcpPackClient
    {
        /// <summary>Creates a stopped SSL PACK client.</summary>
        public SslPackClient() : base(true) { Ssl = new SslClientContext(this); }

        /// <summary>The TLS settings.</summary>
        public SslClientContext Ssl { get; private set; }
    }

    /// <summary>The TLS settings of an SSL client (<c>HP_SSLClient_*</c>).</summary>
    public sealed partial class SslClientContext
    {
        private readonly TcpClient _s;

        internal SslClientContext(TcpClient s) { _s = s; }

        /// <summary>Builds the TLS context: an optional client certificate and key (null: none), the
        /// key's password, trusted CAs (a file or a hashed directory; needed with Peer to verify servers).</summary>
        public bool Setup(SslVerifyMode verifyMode, string certFile = null, string keyFile = null, string keyPassword = null, string caCertFileOrPath = null)
        {
            return NativeMethods.HP_SSLClient_SetupSSLContext(_s.Handle, (int)verifyMode, Utf8.Encode(certFile), Utf8.Encode(keyFile),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertFileOrPath)) != 0;
        }

        /// <summary><see cref="Setup"/> with PEM text.</summary>
        public bool SetupByMemory(SslVerifyMode verifyMode, string certPem = null, string keyPem = null, string keyPassword = null, string caCertPem = null)
        {
            return NativeMethods.HP_SSLClient_SetupSSLContextByMemory(_s.Handle, (int)verifyMode, Utf8.Encode(certPem), Utf8.Encode(keyPem),
                Utf8.Encode(keyPassword), Utf8.Encode(caCertPem)) != 0;
        }

        /// <summary>Forgets the TLS context.</summary>
        public void Cleanup() { NativeMethods.HP_SSLClient_CleanupSSLContext(_s.Handle); }

        /// <summary>With automatic handshakes off: starts TLS after the plaintext phase.</summary>
        public bool StartHandShake() { return NativeMethods.HP_SSLClient_StartSSLHandShake(_s.Handle) != 0; }

        /// <summary>The OpenSSL cipher list used by the next Setup.</summary>
        public string CipherList
        {
            get { return Utf8.Decode(NativeMethods.HP_SSLClient_GetSSLCipherList(_s.Handle)); }
            set { NativeMethods.HP_SSLClient_SetSSLCipherList(_s.Handle, Utf8.Encode(value)); }
        }

        /// <summary>An OpenSSL object or value of the session (borrowed; never free it).</summary>
        public bool GetSessionInfo(SslSessionInfo info, out IntPtr value)
        {
            return NativeMethods.HP_SSLClient_GetSSLSessionInfo(_s.Handle, (int)info, out value) != 0;
        }

        /// <summary>The negotiated protocol version, e.g. "TLSv1.3" (null if none).</summary>
        public string GetProtocolVersion()
        {
            IntPtr v;
            return GetSessionInfo(SslSessionInfo.Version, out v) ? Utf8.Decode(v) : null;
        }
    }
}
