using System;

namespace HPSocket
{
    /// <summary>
    /// A reliable UDP server (HP-Socket's <c>UdpArqServer</c>): a <see cref="UdpServer"/> whose
    /// connections run HP-Socket's 12-byte ARQ handshake, then KCP, so it talks to HP-Socket's own
    /// ARQ clients. OnAccept fires on a peer's first datagram and OnHandShake once the handshake
    /// completes (none within <see cref="HandShakeTimeout"/> ms: OnClose(Close, ETIMEDOUT)). After
    /// it, one Send/SendPackets is one message of 1 to <see cref="MaxMessageSize"/> bytes, delivered
    /// whole and in order by one OnReceive; an empty or bigger one returns false
    /// (<see cref="SocketError.InvalidParam"/>, <see cref="HP.SysLastError"/> EMSGSIZE), and a send
    /// before the handshake returns false (<see cref="SocketError.IllegalState"/>, ENOTCONN). The ARQ
    /// settings have HP-Socket's defaults, change only while stopped and are checked by Start.
    /// </summary>
    public partial class UdpArqServer : UdpServer
    {
        /// <summary>Creates a stopped ARQ server.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public UdpArqServer()
            : base(NativeMethods.Create_HP_UdpArqServerListener(), l => NativeMethods.Create_HP_UdpArqServer(l), "UdpArqServer")
        {
        }

        /// <summary>Messages of a connection queued or in flight (sent and not yet acknowledged);
        /// false for an unknown connection.</summary>
        public bool GetWaitingSendMessageCount(IntPtr connId, out int count) { return Arq.GetWaitingSendMessageCount(this, connId, out count); }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        /// <summary>Extension: sends one message, given up <paramref name="deadlineMs"/> ms after the
        /// call (0: never) or when one of its segments would be retransmitted more than
        /// <paramref name="maxRetransmits"/> times (negative: no limit). <paramref name="messageId"/>
        /// gets its id, 1, 2, ... per connection (0 for a message with neither limit: a plain Send).
        /// A message given up is reported once by <see cref="OnMessageDropped"/> with that id; the
        /// peer skips it whole and delivers the following messages in order. A limit on a
        /// connection without partial reliability on both sides returns false
        /// (<see cref="SocketError.IllegalState"/>, <see cref="HP.SysLastError"/> EOPNOTSUPP).</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits, out uint messageId) { return Arq.SendEx(this, connId, data, deadlineMs, maxRetransmits, out messageId); }

        /// <summary>SendEx of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public bool SendEx(IntPtr connId, byte[] data, int offset, int count, uint deadlineMs, int maxRetransmits, out uint messageId) { return Arq.SendEx(this, connId, data, offset, count, deadlineMs, maxRetransmits, out messageId); }

        /// <summary>SendEx without the message id.</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits) { uint id; return Arq.SendEx(this, connId, data, deadlineMs, maxRetransmits, out id); }

        private MessageDroppedEventHandler<UdpArqServer> _onMessageDropped;

        /// <summary>Extension: a message sent by SendEx with a limit was given up (see
        /// <see cref="MessageDroppedEventHandler{TSender}"/>).</summary>
        public event MessageDroppedEventHandler<UdpArqServer> OnMessageDropped
        {
            add { lock (EventLock) _onMessageDropped += value; Hook(ArqCore.CbMessageDropped, l => NativeMethods.HPX_Set_FN_Server_OnMessageDropped(l, s_messageDropped)); }
            remove { lock (EventLock) _onMessageDropped -= value; }
        }

        private static readonly NativeMethods.HPX_FN_Server_OnMessageDropped s_messageDropped =
            (sender, connId, messageId, length) => ArqCore.Dropped<UdpArqServer>(sender, connId, messageId, length, s => s._onMessageDropped);

        private static ArqCore Arq { get { return ArqCore.Server; } }
    }

    /// <summary>
    /// A reliable UDP client (HP-Socket's <c>UdpArqClient</c>): a <see cref="UdpClient"/> that runs
    /// HP-Socket's 12-byte ARQ handshake with the server, then KCP. OnHandShake fires once the
    /// handshake completes; after it, one Send/SendPackets is one message of 1 to
    /// <see cref="MaxMessageSize"/> bytes, delivered whole and in order (see
    /// <see cref="UdpArqServer"/> for the rules).
    /// </summary>
    public partial class UdpArqClient : UdpClient
    {
        /// <summary>Creates a stopped ARQ client.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public UdpArqClient()
            : base(NativeMethods.Create_HP_UdpArqClientListener(), l => NativeMethods.Create_HP_UdpArqClient(l), "UdpArqClient")
        {
        }

        /// <summary>A connection can send once its ARQ handshake completed.</summary>
        internal override bool ReadyOnHandShake() { return true; }

        /// <summary>Messages queued or in flight (sent and not yet acknowledged); false when not
        /// connected.</summary>
        public bool GetWaitingSendMessageCount(out int count) { return Arq.GetWaitingSendMessageCount(this, IntPtr.Zero, out count); }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        /// <summary>As <see cref="UdpArqServer.SendEx(IntPtr, byte[], uint, int, out uint)"/>.</summary>
        public bool SendEx(byte[] data, uint deadlineMs, int maxRetransmits, out uint messageId) { return Arq.SendEx(this, IntPtr.Zero, data, deadlineMs, maxRetransmits, out messageId); }

        /// <summary>SendEx of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public bool SendEx(byte[] data, int offset, int count, uint deadlineMs, int maxRetransmits, out uint messageId) { return Arq.SendEx(this, IntPtr.Zero, data, offset, count, deadlineMs, maxRetransmits, out messageId); }

        /// <summary>SendEx without the message id.</summary>
        public bool SendEx(byte[] data, uint deadlineMs, int maxRetransmits) { uint id; return Arq.SendEx(this, IntPtr.Zero, data, deadlineMs, maxRetransmits, out id); }

        private MessageDroppedEventHandler<UdpArqClient> _onMessageDropped;

        /// <summary>Extension: a message sent by SendEx with a limit was given up (see
        /// <see cref="MessageDroppedEventHandler{TSender}"/>).</summary>
        public event MessageDroppedEventHandler<UdpArqClient> OnMessageDropped
        {
            add { lock (EventLock) _onMessageDropped += value; Hook(ArqCore.CbMessageDropped, l => NativeMethods.HPX_Set_FN_Client_OnMessageDropped(l, s_messageDropped)); }
            remove { lock (EventLock) _onMessageDropped -= value; }
        }

        private static readonly NativeMethods.HPX_FN_Client_OnMessageDropped s_messageDropped =
            (sender, connId, messageId, length) => ArqCore.Dropped<UdpArqClient>(sender, connId, messageId, length, s => s._onMessageDropped);

        private static ArqCore Arq { get { return ArqCore.Client; } }
    }

    /// <summary>
    /// Extension: a reliable UDP agent, many outgoing ARQ sessions in one object, each with its
    /// connection ID, as <see cref="TcpAgent"/> is for TCP (HP-Socket has none: its users open one
    /// <see cref="UdpArqClient"/> per session). Each Connect opens a UDP socket of its own, runs
    /// HP-Socket's 12-byte handshake (OnHandShake), then KCP with the settings below (HP-Socket's
    /// ARQ defaults, changed only while stopped, checked by Start). After OnHandShake one
    /// Send/SendPackets is one message of 1 to <see cref="MaxMessageSize"/> bytes, delivered whole
    /// and in order (see <see cref="UdpArqServer"/> for the rules); a send before the handshake
    /// returns false (<see cref="SocketError.IllegalState"/>, ENOTCONN), one on an unknown or
    /// closed connection returns false (<see cref="SocketError.InvalidParam"/>, EBADSLT).
    /// <see cref="TcpAgent.ConnectAsync(string, ushort)"/> completes on OnHandShake. The TCP-only
    /// settings (SocketBufferSize, KeepAlive*, SyncConnectTimeout) throw
    /// <see cref="HPSocketException"/> on it; <see cref="NoDelay"/> is KCP's.
    /// </summary>
    public partial class UdpArqAgent : TcpAgent
    {
        /// <summary>Creates a stopped ARQ agent.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public UdpArqAgent()
            : base(NativeMethods.Create_HP_TcpAgentListener(), l => NativeMethods.Create_HPX_UdpArqAgent(l), "UdpArqAgent")
        {
        }

        /// <summary>A connection can send once its ARQ handshake completed.</summary>
        internal override bool ReadyOnHandShake() { return true; }

        /// <summary>KCP segments of a connection queued or in flight (sent and not yet
        /// acknowledged); false for an unknown connection.</summary>
        public bool GetWaitingSendMessageCount(IntPtr connId, out int count) { return Arq.GetWaitingSendMessageCount(this, connId, out count); }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        /// <summary>As <see cref="UdpArqServer.SendEx(IntPtr, byte[], uint, int, out uint)"/>.</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits, out uint messageId) { return Arq.SendEx(this, connId, data, deadlineMs, maxRetransmits, out messageId); }

        /// <summary>SendEx of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public bool SendEx(IntPtr connId, byte[] data, int offset, int count, uint deadlineMs, int maxRetransmits, out uint messageId) { return Arq.SendEx(this, connId, data, offset, count, deadlineMs, maxRetransmits, out messageId); }

        /// <summary>SendEx without the message id.</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits) { uint id; return Arq.SendEx(this, connId, data, deadlineMs, maxRetransmits, out id); }

        private MessageDroppedEventHandler<UdpArqAgent> _onMessageDropped;

        /// <summary>Extension: a message sent by SendEx with a limit was given up (see
        /// <see cref="MessageDroppedEventHandler{TSender}"/>).</summary>
        public event MessageDroppedEventHandler<UdpArqAgent> OnMessageDropped
        {
            add { lock (EventLock) _onMessageDropped += value; Hook(ArqCore.CbMessageDropped, l => NativeMethods.HPX_Set_FN_Agent_OnMessageDropped(l, s_messageDropped)); }
            remove { lock (EventLock) _onMessageDropped -= value; }
        }

        private static readonly NativeMethods.HPX_FN_Agent_OnMessageDropped s_messageDropped =
            (sender, connId, messageId, length) => ArqCore.Dropped<UdpArqAgent>(sender, connId, messageId, length, s => s._onMessageDropped);

        private static ArqCore Arq { get { return ArqCore.Agent; } }
    }
}
