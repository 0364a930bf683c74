using System;
using System.Runtime.InteropServices;
using System.Text;

namespace HPSocket
{
    /// <summary>What a callback tells the library (<c>En_HP_HandleResult</c>).</summary>
    public enum HandleResult
    {
        /// <summary>Go on.</summary>
        Ok = NativeMethods.HR_OK,
        /// <summary>Go on (the callback did nothing of note).</summary>
        Ignore = NativeMethods.HR_IGNORE,
        /// <summary>Close the connection (reject it in OnAccept, fail Start/Connect in OnPrepare*).</summary>
        Error = NativeMethods.HR_ERROR,
    }

    /// <summary><c>En_HP_SocketError</c>: the code of a component's last failure.</summary>
    public enum SocketError
    {
        Ok = NativeMethods.SE_OK,
        IllegalState = NativeMethods.SE_ILLEGAL_STATE,
        InvalidParam = NativeMethods.SE_INVALID_PARAM,
        SocketCreate = NativeMethods.SE_SOCKET_CREATE,
        SocketBind = NativeMethods.SE_SOCKET_BIND,
        SocketPrepare = NativeMethods.SE_SOCKET_PREPARE,
        SocketListen = NativeMethods.SE_SOCKET_LISTEN,
        CPCreate = NativeMethods.SE_CP_CREATE,
        WorkerThreadCreate = NativeMethods.SE_WORKER_THREAD_CREATE,
        DetectThreadCreate = NativeMethods.SE_DETECT_THREAD_CREATE,
        SocketAttachToCP = NativeMethods.SE_SOCKE_ATTACH_TO_CP,
        ConnectServer = NativeMethods.SE_CONNECT_SERVER,
        Network = NativeMethods.SE_NETWORK,
        DataProc = NativeMethods.SE_DATA_PROC,
        DataSend = NativeMethods.SE_DATA_SEND,
        SslEnvNotReady = NativeMethods.SE_SSL_ENV_NOT_READY,
    }

    /// <summary><c>En_HP_SocketOperation</c>: what a connection was doing when it closed.</summary>
    public enum SocketOperation
    {
        Unknown = NativeMethods.SO_UNKNOWN,
        Accept = NativeMethods.SO_ACCEPT,
        Connect = NativeMethods.SO_CONNECT,
        Send = NativeMethods.SO_SEND,
        Receive = NativeMethods.SO_RECEIVE,
        Close = NativeMethods.SO_CLOSE,
    }

    /// <summary>
    /// Why a connection closed: the <see cref="SocketOperation"/> and the <c>errno</c> an OnClose
    /// handler gets, with names and text. <c>new CloseReason(op, errorCode).ToString()</c> is
    /// <c>"Receive: Connection reset by peer (104)"</c> or <c>"Close: no error"</c>.
    /// </summary>
    public struct CloseReason : IEquatable<CloseReason>
    {
        /// <summary>The reason of an OnClose call: its <paramref name="operation"/> and <paramref name="errorCode"/>.</summary>
        public CloseReason(SocketOperation operation, int errorCode)
        {
            Operation = operation;
            ErrorCode = errorCode;
        }

        /// <summary>What the connection was doing (<c>Close</c>: a normal close by either side).</summary>
        public SocketOperation Operation { get; }

        /// <summary>The <c>errno</c> (0: none).</summary>
        public int ErrorCode { get; }

        /// <summary>True when the close carries an error code.</summary>
        public bool IsError { get { return ErrorCode != 0; } }

        /// <summary>The symbolic name of the code (<c>"ECONNRESET"</c>), null for 0 (<see cref="SysError.Name"/>).</summary>
        public string ErrorName { get { return SysError.Name(ErrorCode); } }

        /// <summary>The text of the code (<c>"Connection reset by peer"</c>, <c>"no error"</c>) (<see cref="SysError.Text"/>).</summary>
        public string ErrorText { get { return SysError.Text(ErrorCode); } }

        /// <summary><c>"Receive: Connection reset by peer (104)"</c>, <c>"Close: no error"</c>.</summary>
        public override string ToString() { return Operation + ": " + SysError.Describe(ErrorCode); }

        /// <summary>Same operation and code.</summary>
        public bool Equals(CloseReason other) { return Operation == other.Operation && ErrorCode == other.ErrorCode; }

        /// <summary>Same operation and code.</summary>
        public override bool Equals(object obj) { return obj is CloseReason && Equals((CloseReason)obj); }

        /// <summary>A hash of operation and code.</summary>
        public override int GetHashCode() { return ((int)Operation * 397) ^ ErrorCode; }

        /// <summary>Same operation and code.</summary>
        public static bool operator ==(CloseReason a, CloseReason b) { return a.Equals(b); }

        /// <summary>Another operation or code.</summary>
        public static bool operator !=(CloseReason a, CloseReason b) { return !a.Equals(b); }
    }

    /// <summary><c>En_HP_ServiceState</c>: a component's life-cycle state.</summary>
    public enum ServiceState
    {
        Starting = NativeMethods.SS_STARTING,
        Started = NativeMethods.SS_STARTED,
        Stopping = NativeMethods.SS_STOPPING,
        Stopped = NativeMethods.SS_STOPPED,
    }

    /// <summary><c>En_HP_FetchResult</c>: the outcome of a PULL Fetch or Peek.</summary>
    public enum FetchResult
    {
        /// <summary>The buffer was filled.</summary>
        Ok = NativeMethods.FR_OK,
        /// <summary>Fewer bytes are buffered than asked for; nothing was copied.</summary>
        LengthTooLong = NativeMethods.FR_LENGTH_TOO_LONG,
        /// <summary>Unknown or closed connection (the last error says which).</summary>
        DataNotFound = NativeMethods.FR_DATA_NOT_FOUND,
    }

    /// <summary><c>En_HP_ReuseAddressPolicy</c>.</summary>
    public enum ReuseAddressPolicy
    {
        None = NativeMethods.RAP_NONE,
        AddrOnly = NativeMethods.RAP_ADDR_ONLY,
        AddrAndPort = NativeMethods.RAP_ADDR_AND_PORT,
    }

    /// <summary><c>En_HP_SendPolicy</c> (kept and reported; no effect on Linux).</summary>
    public enum SendPolicy
    {
        Pack = NativeMethods.SP_PACK,
        Safe = NativeMethods.SP_SAFE,
        Direct = NativeMethods.SP_DIRECT,
    }

    /// <summary><c>En_HP_OnSendSyncPolicy</c> (kept and reported; no effect on Linux).</summary>
    public enum OnSendSyncPolicy
    {
        None = NativeMethods.OSSP_NONE,
        Close = NativeMethods.OSSP_CLOSE,
        Receive = NativeMethods.OSSP_RECEIVE,
    }

    /// <summary><c>En_HP_SSLVerifyMode</c> bits.</summary>
    [Flags]
    public enum SslVerifyMode
    {
        None = NativeMethods.SSL_VM_NONE,
        Peer = NativeMethods.SSL_VM_PEER,
        FailIfNoPeerCert = NativeMethods.SSL_VM_FAIL_IF_NO_PEER_CERT,
        ClientOnce = NativeMethods.SSL_VM_CLIENT_ONCE,
    }

    /// <summary><c>En_HP_SSLSessionInfo</c>: the items of <c>GetSessionInfo</c> (OpenSSL pointers, borrowed).</summary>
    public enum SslSessionInfo
    {
        Ctx = NativeMethods.SSL_SSI_CTX,
        CtxMethod = NativeMethods.SSL_SSI_CTX_METHOD,
        CtxCiphers = NativeMethods.SSL_SSI_CTX_CIPHERS,
        CtxCertStore = NativeMethods.SSL_SSI_CTX_CERT_STORE,
        ServerNameType = NativeMethods.SSL_SSI_SERVER_NAME_TYPE,
        ServerName = NativeMethods.SSL_SSI_SERVER_NAME,
        Version = NativeMethods.SSL_SSI_VERSION,
        Method = NativeMethods.SSL_SSI_METHOD,
        Cert = NativeMethods.SSL_SSI_CERT,
        PKey = NativeMethods.SSL_SSI_PKEY,
        CurrentCipher = NativeMethods.SSL_SSI_CURRENT_CIPHER,
        Ciphers = NativeMethods.SSL_SSI_CIPHERS,
        ClientCiphers = NativeMethods.SSL_SSI_CLIENT_CIPHERS,
        PeerCert = NativeMethods.SSL_SSI_PEER_CERT,
        PeerCertChain = NativeMethods.SSL_SSI_PEER_CERT_CHAIN,
        VerifiedChain = NativeMethods.SSL_SSI_VERIFIED_CHAIN,
    }

    // ---- event signatures (HPSocket.Net style: the sender, the connection ID, the data) ----

    /// <summary>OnPrepareListen: the listening socket is made, not yet bound.</summary>
    public delegate HandleResult PrepareListenEventHandler<TSender>(TSender sender, IntPtr listenSocket);
    /// <summary>OnAccept: a connection was accepted; <see cref="HandleResult.Error"/> rejects it.</summary>
    public delegate HandleResult AcceptEventHandler<TSender>(TSender sender, IntPtr connId, IntPtr client);
    /// <summary>OnPrepareConnect: the socket of a new connection is made, not yet connected.</summary>
    public delegate HandleResult PrepareConnectEventHandler<TSender>(TSender sender, IntPtr connId, IntPtr socket);
    /// <summary>OnConnect: a connection is established.</summary>
    public delegate HandleResult ConnectEventHandler<TSender>(TSender sender, IntPtr connId);
    /// <summary>OnHandShake: the TLS handshake of a connection completed.</summary>
    public delegate HandleResult HandShakeEventHandler<TSender>(TSender sender, IntPtr connId);
    /// <summary>OnSend: bytes were sent (a copy; never null, maybe empty).</summary>
    public delegate HandleResult SendEventHandler<TSender>(TSender sender, IntPtr connId, byte[] data);
    /// <summary>OnReceive (PUSH and PACK): bytes (PACK: one whole message) arrived; a copy, never null.</summary>
    public delegate HandleResult ReceiveEventHandler<TSender>(TSender sender, IntPtr connId, byte[] data);
    /// <summary>OnReceive (PULL): <paramref name="length"/> bytes are buffered; take them with Fetch/Peek.</summary>
    public delegate HandleResult PullReceiveEventHandler<TSender>(TSender sender, IntPtr connId, int length);
    /// <summary>OnClose: a connection closed (its last callback).</summary>
    public delegate HandleResult CloseEventHandler<TSender>(TSender sender, IntPtr connId, SocketOperation operation, int errorCode);
    /// <summary>OnShutdown: the component stopped.</summary>
    public delegate HandleResult ShutdownEventHandler<TSender>(TSender sender);
    /// <summary>OnSendDrained (extension): a full send queue drained to its low watermark.</summary>
    public delegate HandleResult SendDrainedEventHandler<TSender>(TSender sender, IntPtr connId, int pending);
    /// <summary>OnMessageDropped (extension, ARQ partial reliability): the message that SendEx gave
    /// <paramref name="messageId"/> was given up (its deadline passed or a segment reached its
    /// retransmit limit); <paramref name="length"/> is its size. The peer skips it whole. Once per
    /// message, on the connection's worker; the result is ignored.</summary>
    public delegate HandleResult MessageDroppedEventHandler<TSender>(TSender sender, IntPtr connId, uint messageId, int length);
    /// <summary>A callback handler threw; the library closed the connection (HR_ERROR) and goes on.</summary>
    public delegate void CallbackExceptionEventHandler(object sender, string callback, Exception exception);
    /// <summary>SNI: the index of the certificate (0: the default one, &lt; 0: abort the handshake).</summary>
    public delegate int ServerNameCallback(string serverName);

    /// <summary>The limits of the PACK settings (docs/abi.md section 14). The setters of
    /// <c>MaxPackSize</c> and <c>PackHeaderFlag</c> check them, so a bad value fails where it is
    /// set instead of at Start.</summary>
    public static class PackLimits
    {
        /// <summary>The largest MaxPackSize (22 bits of the header: 0x3FFFFF).</summary>
        public const uint MaxPackSize = 0x3FFFFF;
        /// <summary>The smallest MaxPackSize.</summary>
        public const uint MinPackSize = 1;
        /// <summary>MaxPackSize's default (0x40000).</summary>
        public const uint DefaultMaxPackSize = 0x40000;
        /// <summary>The largest PackHeaderFlag (10 bits of the header: 0x3FF).</summary>
        public const ushort MaxPackHeaderFlag = 0x3FF;

        internal static void CheckMaxPackSize(uint value)
        {
            if (value < MinPackSize || value > MaxPackSize)
                throw new ArgumentOutOfRangeException("value", value,
                    "MaxPackSize must be 1..0x3FFFFF (4194303); got " + value);
        }

        internal static void CheckPackHeaderFlag(ushort value)
        {
            if (value > MaxPackHeaderFlag)
                throw new ArgumentOutOfRangeException("value", value,
                    "PackHeaderFlag must be 0..0x3FF (1023); got " + value + " (0x" + value.ToString("X") + ")");
        }
    }

    /// <summary>NUL-terminated UTF-8 in and out of the C ABI (never the platform's ANSI code page).</summary>
    public static class Utf8
    {
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>The NUL-terminated UTF-8 bytes of <paramref name="s"/>; null for null.</summary>
        public static byte[] Encode(string s)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0) throw new ArgumentException("the text contains a NUL character", "s");
            int n = Strict.GetByteCount(s);
            byte[] b = new byte[n + 1];
            Strict.GetBytes(s, 0, s.Length, b, 0);
            return b;
        }

        /// <summary>The text of a NUL-terminated UTF-8 string; null for a NULL pointer.</summary>
        public static unsafe string Decode(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            byte* b = (byte*)p;
            int n = 0;
            while (b[n] != 0) n++;
            return n == 0 ? string.Empty : Encoding.UTF8.GetString(b, n);
        }

        /// <summary>The text of the first <paramref name="count"/> bytes of <paramref name="b"/>.</summary>
        public static string Decode(byte[] b, int count)
        {
            if (count <= 0) return string.Empty;
            int n = Array.IndexOf(b, (byte)0, 0, Math.Min(count, b.Length));
            return Encoding.UTF8.GetString(b, 0, n < 0 ? Math.Min(count, b.Length) : n);
        }
    }

    /// <summary>A failure reported by the library: its code and its text.</summary>
    [Serializable]
    public class HPSocketException : Exception
    {
        /// <summary>The library's error code.</summary>
        public SocketError ErrorCode { get; private set; }

        /// <summary>A failure with a code and a text.</summary>
        public HPSocketException(SocketError code, string message) : base(message) { ErrorCode = code; }

        /// <summary>The calling thread's last failure (<c>HPX_GetLastError</c>).</summary>
        public static HPSocketException FromThread(string what)
        {
            return new HPSocketException(HP.ThreadLastError, what + ": " + HP.ThreadLastErrorDesc);
        }
    }

    /// <summary>The library's global functions.</summary>
    public static class HP
    {
        /// <summary>The HP-Socket version the library mirrors (major &lt;&lt; 24 | minor &lt;&lt; 16 | revise &lt;&lt; 8 | build).</summary>
        public static uint Version { get { return NativeMethods.HP_GetHPSocketVersion(); } }

        /// <summary>The version as "major.minor.revise.build".</summary>
        public static string VersionString
        {
            get
            {
                uint v = Version;
                return string.Format("{0}.{1}.{2}.{3}", v >> 24, (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF);
            }
        }

        /// <summary>HP-Socket's fixed text for an error code.</summary>
        public static string GetSocketErrorDesc(SocketError code)
        {
            return Utf8.Decode(NativeMethods.HP_GetSocketErrorDesc((int)code));
        }

        /// <summary>The calling thread's last failure (<c>HPX_GetLastError</c>).</summary>
        public static SocketError ThreadLastError { get { return (SocketError)NativeMethods.HPX_GetLastError(); } }

        /// <summary>The text of the calling thread's last failure (<c>HPX_GetLastErrorDesc</c>).</summary>
        public static string ThreadLastErrorDesc { get { return Utf8.Decode(NativeMethods.HPX_GetLastErrorDesc()); } }

        /// <summary>This thread's errno after the last failing call (<c>SYS_GetLastError</c>). Read it at once:
        /// the runtime may change errno between two P/Invoke calls.</summary>
        public static int SysLastError { get { return (int)NativeMethods.SYS_GetLastError(); } }

        /// <summary>The system text of <see cref="SysLastError"/> (<c>SYS_GetLastErrorStr</c>).</summary>
        public static string SysLastErrorStr { get { return Utf8.Decode(NativeMethods.SYS_GetLastErrorStr()); } }
    }
}
