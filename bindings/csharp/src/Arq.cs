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
    public class UdpArqServer : UdpServer
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

        /// <summary>KCP's nodelay mode (default false). Hides the TCP-only NoDelay: on an ARQ
        /// component it is the ARQ setting, as in HP-Socket.</summary>
        public new bool NoDelay { get { return Arq.Is(this, ArqCore.Flag.NoDelay); } set { Arq.Set(this, ArqCore.Flag.NoDelay, value); } }

        /// <summary>Whether congestion control is off (KCP's <c>nc</c>; default false).</summary>
        public bool TurnoffCongestCtrl { get { return Arq.Is(this, ArqCore.Flag.TurnoffCongestCtrl); } set { Arq.Set(this, ArqCore.Flag.TurnoffCongestCtrl, value); } }

        /// <summary>KCP's update interval in ms (default 60; greater than 0, checked by Start).</summary>
        public uint FlushInterval { get { return Arq.Get(this, ArqCore.U.FlushInterval); } set { Arq.Set(this, ArqCore.U.FlushInterval, value); } }

        /// <summary>Fast resend: a segment is resent after this many later acks (default 0: off).</summary>
        public uint ResendByAcks { get { return Arq.Get(this, ArqCore.U.ResendByAcks); } set { Arq.Set(this, ArqCore.U.ResendByAcks, value); } }

        /// <summary>The send window in segments (default 128; greater than 0, checked by Start).</summary>
        public uint SendWndSize { get { return Arq.Get(this, ArqCore.U.SendWndSize); } set { Arq.Set(this, ArqCore.U.SendWndSize, value); } }

        /// <summary>The receive window in segments (default 512; greater than 0, checked by Start; KCP uses at least 128).</summary>
        public uint RecvWndSize { get { return Arq.Get(this, ArqCore.U.RecvWndSize); } set { Arq.Set(this, ArqCore.U.RecvWndSize, value); } }

        /// <summary>The minimum retransmission timeout in ms (default 30; greater than 0, checked by Start).</summary>
        public uint MinRto { get { return Arq.Get(this, ArqCore.U.MinRto); } set { Arq.Set(this, ArqCore.U.MinRto, value); } }

        /// <summary>Fast resends of one segment before it waits for its timeout (default 5; 0: no limit).</summary>
        public uint FastLimit { get { return Arq.Get(this, ArqCore.U.FastLimit); } set { Arq.Set(this, ArqCore.U.FastLimit, value); } }

        /// <summary>KCP's MTU in bytes (default 0: MaxDatagramSize; else 72..65536, checked by Start).</summary>
        public uint MaxTransUnit { get { return Arq.Get(this, ArqCore.U.MaxTransUnit); } set { Arq.Set(this, ArqCore.U.MaxTransUnit, value); } }

        /// <summary>The largest message in bytes (default 4096; greater than 0 and below 127 x (MTU - 24), checked by Start).</summary>
        public uint MaxMessageSize { get { return Arq.Get(this, ArqCore.U.MaxMessageSize); } set { Arq.Set(this, ArqCore.U.MaxMessageSize, value); } }

        /// <summary>How long the 12-byte handshake may take in ms (default 5000; more than twice MinRto, checked by Start).</summary>
        public uint HandShakeTimeout { get { return Arq.Get(this, ArqCore.U.HandShakeTimeout); } set { Arq.Set(this, ArqCore.U.HandShakeTimeout, value); } }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        /// <summary>Extension: offers partial reliability in the handshake (default false: the
        /// handshake is HP-Socket's, bit for bit). A connection has it when both sides offered it;
        /// then <c>SendEx</c> may give a message a deadline or a retransmit limit. Turn it on only
        /// towards hpsocket peers: a stock HP-Socket peer may refuse a handshake with the bit.</summary>
        public bool PartialReliability { get { return Arq.Is(this, ArqCore.Flag.PartialReliability); } set { Arq.Set(this, ArqCore.Flag.PartialReliability, value); } }

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
    public class UdpArqClient : UdpClient
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

        /// <summary>As <see cref="UdpArqServer.NoDelay"/>.</summary>
        public new bool NoDelay { get { return Arq.Is(this, ArqCore.Flag.NoDelay); } set { Arq.Set(this, ArqCore.Flag.NoDelay, value); } }

        /// <summary>As <see cref="UdpArqServer.TurnoffCongestCtrl"/>.</summary>
        public bool TurnoffCongestCtrl { get { return Arq.Is(this, ArqCore.Flag.TurnoffCongestCtrl); } set { Arq.Set(this, ArqCore.Flag.TurnoffCongestCtrl, value); } }

        /// <summary>As <see cref="UdpArqServer.FlushInterval"/>.</summary>
        public uint FlushInterval { get { return Arq.Get(this, ArqCore.U.FlushInterval); } set { Arq.Set(this, ArqCore.U.FlushInterval, value); } }

        /// <summary>As <see cref="UdpArqServer.ResendByAcks"/>.</summary>
        public uint ResendByAcks { get { return Arq.Get(this, ArqCore.U.ResendByAcks); } set { Arq.Set(this, ArqCore.U.ResendByAcks, value); } }

        /// <summary>As <see cref="UdpArqServer.SendWndSize"/>.</summary>
        public uint SendWndSize { get { return Arq.Get(this, ArqCore.U.SendWndSize); } set { Arq.Set(this, ArqCore.U.SendWndSize, value); } }

        /// <summary>As <see cref="UdpArqServer.RecvWndSize"/>.</summary>
        public uint RecvWndSize { get { return Arq.Get(this, ArqCore.U.RecvWndSize); } set { Arq.Set(this, ArqCore.U.RecvWndSize, value); } }

        /// <summary>As <see cref="UdpArqServer.MinRto"/>.</summary>
        public uint MinRto { get { return Arq.Get(this, ArqCore.U.MinRto); } set { Arq.Set(this, ArqCore.U.MinRto, value); } }

        /// <summary>As <see cref="UdpArqServer.FastLimit"/>.</summary>
        public uint FastLimit { get { return Arq.Get(this, ArqCore.U.FastLimit); } set { Arq.Set(this, ArqCore.U.FastLimit, value); } }

        /// <summary>As <see cref="UdpArqServer.MaxTransUnit"/>.</summary>
        public uint MaxTransUnit { get { return Arq.Get(this, ArqCore.U.MaxTransUnit); } set { Arq.Set(this, ArqCore.U.MaxTransUnit, value); } }

        /// <summary>As <see cref="UdpArqServer.MaxMessageSize"/>.</summary>
        public uint MaxMessageSize { get { return Arq.Get(this, ArqCore.U.MaxMessageSize); } set { Arq.Set(this, ArqCore.U.MaxMessageSize, value); } }

        /// <summary>As <see cref="UdpArqServer.HandShakeTimeout"/>.</summary>
        public uint HandShakeTimeout { get { return Arq.Get(this, ArqCore.U.HandShakeTimeout); } set { Arq.Set(this, ArqCore.U.HandShakeTimeout, value); } }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        /// <summary>As <see cref="UdpArqServer.PartialReliability"/>.</summary>
        public bool PartialReliability { get { return Arq.Is(this, ArqCore.Flag.PartialReliability); } set { Arq.Set(this, ArqCore.Flag.PartialReliability, value); } }

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
    public class UdpArqAgent : TcpAgent
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

        /// <summary>As <see cref="UdpArqServer.NoDelay"/>.</summary>
        public new bool NoDelay { get { return Arq.Is(this, ArqCore.Flag.NoDelay); } set { Arq.Set(this, ArqCore.Flag.NoDelay, value); } }

        /// <summary>As <see cref="UdpArqServer.TurnoffCongestCtrl"/>.</summary>
        public bool TurnoffCongestCtrl { get { return Arq.Is(this, ArqCore.Flag.TurnoffCongestCtrl); } set { Arq.Set(this, ArqCore.Flag.TurnoffCongestCtrl, value); } }

        /// <summary>As <see cref="UdpArqServer.FlushInterval"/>.</summary>
        public uint FlushInterval { get { return Arq.Get(this, ArqCore.U.FlushInterval); } set { Arq.Set(this, ArqCore.U.FlushInterval, value); } }

        /// <summary>As <see cref="UdpArqServer.ResendByAcks"/>.</summary>
        public uint ResendByAcks { get { return Arq.Get(this, ArqCore.U.ResendByAcks); } set { Arq.Set(this, ArqCore.U.ResendByAcks, value); } }

        /// <summary>As <see cref="UdpArqServer.SendWndSize"/>.</summary>
        public uint SendWndSize { get { return Arq.Get(this, ArqCore.U.SendWndSize); } set { Arq.Set(this, ArqCore.U.SendWndSize, value); } }

        /// <summary>As <see cref="UdpArqServer.RecvWndSize"/>.</summary>
        public uint RecvWndSize { get { return Arq.Get(this, ArqCore.U.RecvWndSize); } set { Arq.Set(this, ArqCore.U.RecvWndSize, value); } }

        /// <summary>As <see cref="UdpArqServer.MinRto"/>.</summary>
        public uint MinRto { get { return Arq.Get(this, ArqCore.U.MinRto); } set { Arq.Set(this, ArqCore.U.MinRto, value); } }

        /// <summary>As <see cref="UdpArqServer.FastLimit"/>.</summary>
        public uint FastLimit { get { return Arq.Get(this, ArqCore.U.FastLimit); } set { Arq.Set(this, ArqCore.U.FastLimit, value); } }

        /// <summary>As <see cref="UdpArqServer.MaxTransUnit"/>.</summary>
        public uint MaxTransUnit { get { return Arq.Get(this, ArqCore.U.MaxTransUnit); } set { Arq.Set(this, ArqCore.U.MaxTransUnit, value); } }

        /// <summary>As <see cref="UdpArqServer.MaxMessageSize"/>.</summary>
        public uint MaxMessageSize { get { return Arq.Get(this, ArqCore.U.MaxMessageSize); } set { Arq.Set(this, ArqCore.U.MaxMessageSize, value); } }

        /// <summary>As <see cref="UdpArqServer.HandShakeTimeout"/>.</summary>
        public uint HandShakeTimeout { get { return Arq.Get(this, ArqCore.U.HandShakeTimeout); } set { Arq.Set(this, ArqCore.U.HandShakeTimeout, value); } }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        /// <summary>As <see cref="UdpArqServer.PartialReliability"/>.</summary>
        public bool PartialReliability { get { return Arq.Is(this, ArqCore.Flag.PartialReliability); } set { Arq.Set(this, ArqCore.Flag.PartialReliability, value); } }

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

        /// <summary>Extension: <c>SO_RCVBUF</c> in bytes of each connection's UDP socket, applied by Connect before OnPrepareConnect
        /// (default 0: the system's; else 1024..1073741824, checked by Start:
        /// <see cref="SocketError.InvalidParam"/>). The kernel doubles the value and caps it at
        /// <c>net.core.rmem_max</c> without an error (getsockopt tells what it took). A bigger buffer
        /// absorbs bursts (an ARQ window) the kernel would otherwise drop.</summary>
        public uint SocketRecvBufferSize { get { return Arq.Get(this, ArqCore.U.SocketRecvBufferSize); } set { Arq.Set(this, ArqCore.U.SocketRecvBufferSize, value); } }

        /// <summary>Extension: <c>SO_SNDBUF</c> in bytes, as <see cref="SocketRecvBufferSize"/>
        /// (capped at <c>net.core.wmem_max</c>).</summary>
        public uint SocketSendBufferSize { get { return Arq.Get(this, ArqCore.U.SocketSendBufferSize); } set { Arq.Set(this, ArqCore.U.SocketSendBufferSize, value); } }

        private static ArqCore Arq { get { return ArqCore.Agent; } }
    }
}
