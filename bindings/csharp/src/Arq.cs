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
        public bool GetWaitingSendMessageCount(IntPtr connId, out int count)
        {
            count = 0;
            return NativeMethods.HP_UdpArqServer_GetWaitingSendMessageCount(Handle, connId, ref count) != 0;
        }

        /// <summary>KCP's nodelay mode (default false). Hides the TCP-only NoDelay: on an ARQ
        /// component it is the ARQ setting, as in HP-Socket.</summary>
        public new bool NoDelay
        {
            get { return NativeMethods.HP_UdpArqServer_IsNoDelay(Handle) != 0; }
            set { NativeMethods.HP_UdpArqServer_SetNoDelay(Handle, B(value)); Check(value, NoDelay, "NoDelay"); }
        }

        /// <summary>Whether congestion control is off (KCP's <c>nc</c>; default false).</summary>
        public bool TurnoffCongestCtrl
        {
            get { return NativeMethods.HP_UdpArqServer_IsTurnoffCongestCtrl(Handle) != 0; }
            set { NativeMethods.HP_UdpArqServer_SetTurnoffCongestCtrl(Handle, B(value)); Check(value, TurnoffCongestCtrl, "TurnoffCongestCtrl"); }
        }

        /// <summary>KCP's update interval in ms (default 60; greater than 0, checked by Start).</summary>
        public uint FlushInterval
        {
            get { return NativeMethods.HP_UdpArqServer_GetFlushInterval(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetFlushInterval(Handle, value); Check(value, FlushInterval, "FlushInterval"); }
        }

        /// <summary>Fast resend: a segment is resent after this many later acks (default 0: off).</summary>
        public uint ResendByAcks
        {
            get { return NativeMethods.HP_UdpArqServer_GetResendByAcks(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetResendByAcks(Handle, value); Check(value, ResendByAcks, "ResendByAcks"); }
        }

        /// <summary>The send window in segments (default 128; greater than 0, checked by Start).</summary>
        public uint SendWndSize
        {
            get { return NativeMethods.HP_UdpArqServer_GetSendWndSize(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetSendWndSize(Handle, value); Check(value, SendWndSize, "SendWndSize"); }
        }

        /// <summary>The receive window in segments (default 512; greater than 0, checked by Start; KCP uses at least 128).</summary>
        public uint RecvWndSize
        {
            get { return NativeMethods.HP_UdpArqServer_GetRecvWndSize(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetRecvWndSize(Handle, value); Check(value, RecvWndSize, "RecvWndSize"); }
        }

        /// <summary>The minimum retransmission timeout in ms (default 30; greater than 0, checked by Start).</summary>
        public uint MinRto
        {
            get { return NativeMethods.HP_UdpArqServer_GetMinRto(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetMinRto(Handle, value); Check(value, MinRto, "MinRto"); }
        }

        /// <summary>Fast resends of one segment before it waits for its timeout (default 5; 0: no limit).</summary>
        public uint FastLimit
        {
            get { return NativeMethods.HP_UdpArqServer_GetFastLimit(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetFastLimit(Handle, value); Check(value, FastLimit, "FastLimit"); }
        }

        /// <summary>KCP's MTU in bytes (default 0: MaxDatagramSize; else 72..65536, checked by Start).</summary>
        public uint MaxTransUnit
        {
            get { return NativeMethods.HP_UdpArqServer_GetMaxTransUnit(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetMaxTransUnit(Handle, value); Check(value, MaxTransUnit, "MaxTransUnit"); }
        }

        /// <summary>The largest message in bytes (default 4096; greater than 0 and below 127 x (MTU - 24), checked by Start).</summary>
        public uint MaxMessageSize
        {
            get { return NativeMethods.HP_UdpArqServer_GetMaxMessageSize(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetMaxMessageSize(Handle, value); Check(value, MaxMessageSize, "MaxMessageSize"); }
        }

        /// <summary>How long the 12-byte handshake may take in ms (default 5000; more than twice MinRto, checked by Start).</summary>
        public uint HandShakeTimeout
        {
            get { return NativeMethods.HP_UdpArqServer_GetHandShakeTimeout(Handle); }
            set { NativeMethods.HP_UdpArqServer_SetHandShakeTimeout(Handle, value); Check(value, HandShakeTimeout, "HandShakeTimeout"); }
        }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        private const int CbMessageDropped = 512;

        /// <summary>Extension: offers partial reliability in the handshake (default false: the
        /// handshake is HP-Socket's, bit for bit). A connection has it when both sides offered it;
        /// then <c>SendEx</c> may give a message a deadline or a retransmit limit. Turn it on only
        /// towards hpsocket peers: a stock HP-Socket peer may refuse a handshake with the bit.</summary>
        public bool PartialReliability
        {
            get { return NativeMethods.HPX_UdpArqServer_IsPartialReliability(Handle) != 0; }
            set { NativeMethods.HPX_UdpArqServer_SetPartialReliability(Handle, B(value)); Check(value, PartialReliability, "PartialReliability"); }
        }

        /// <summary>Extension: sends one message, given up <paramref name="deadlineMs"/> ms after the
        /// call (0: never) or when one of its segments would be retransmitted more than
        /// <paramref name="maxRetransmits"/> times (negative: no limit). <paramref name="messageId"/>
        /// gets its id, 1, 2, ... per connection (0 for a message with neither limit: a plain Send).
        /// A message given up is reported once by <see cref="OnMessageDropped"/> with that id; the
        /// peer skips it whole and delivers the following messages in order. A limit on a
        /// connection without partial reliability on both sides returns false
        /// (<see cref="SocketError.IllegalState"/>, <see cref="HP.SysLastError"/> EOPNOTSUPP).</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            if (data == null) throw new ArgumentNullException("data");
            return SendEx(connId, data, 0, data.Length, deadlineMs, maxRetransmits, out messageId);
        }

        /// <summary>SendEx of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public unsafe bool SendEx(IntPtr connId, byte[] data, int offset, int count, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            CheckRange(data, offset, count);
            IntPtr h = Handle;
            messageId = 0;
            fixed (byte* p = data)
                return NativeMethods.HPX_UdpArqServer_SendEx(h, connId, count == 0 ? null : p + offset, count, deadlineMs, maxRetransmits, out messageId) != 0;
        }

        /// <summary>SendEx without the message id.</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits)
        {
            uint id;
            return SendEx(connId, data, deadlineMs, maxRetransmits, out id);
        }

        private MessageDroppedEventHandler<UdpArqServer> _onMessageDropped;

        /// <summary>Extension: a message sent by SendEx with a limit was given up (see
        /// <see cref="MessageDroppedEventHandler{TSender}"/>).</summary>
        public event MessageDroppedEventHandler<UdpArqServer> OnMessageDropped
        {
            add { lock (EventLock) _onMessageDropped += value; Hook(CbMessageDropped, l => NativeMethods.HPX_Set_FN_Server_OnMessageDropped(l, s_messageDropped)); }
            remove { lock (EventLock) _onMessageDropped -= value; }
        }

        private static readonly NativeMethods.HPX_FN_Server_OnMessageDropped s_messageDropped = MessageDroppedCb;

        private static int MessageDroppedCb(IntPtr sender, IntPtr connId, uint messageId, int length)
        {
            UdpArqServer s = null;
            try
            {
                s = FromSender<UdpArqServer>(sender);
                if (s == null) return NativeMethods.HR_IGNORE;
                Enter(s);
                try
                {
                    MessageDroppedEventHandler<UdpArqServer> h = s._onMessageDropped;
                    return h == null ? NativeMethods.HR_IGNORE : (int)h(s, connId, messageId, length);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnMessageDropped", e); return NativeMethods.HR_ERROR; }
        }
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
        public bool GetWaitingSendMessageCount(out int count)
        {
            count = 0;
            return NativeMethods.HP_UdpArqClient_GetWaitingSendMessageCount(Handle, ref count) != 0;
        }

        /// <summary>KCP's nodelay mode (default false). Hides the TCP-only NoDelay: on an ARQ
        /// component it is the ARQ setting, as in HP-Socket.</summary>
        public new bool NoDelay
        {
            get { return NativeMethods.HP_UdpArqClient_IsNoDelay(Handle) != 0; }
            set { NativeMethods.HP_UdpArqClient_SetNoDelay(Handle, B(value)); Check(value, NoDelay, "NoDelay"); }
        }

        /// <summary>Whether congestion control is off (KCP's <c>nc</c>; default false).</summary>
        public bool TurnoffCongestCtrl
        {
            get { return NativeMethods.HP_UdpArqClient_IsTurnoffCongestCtrl(Handle) != 0; }
            set { NativeMethods.HP_UdpArqClient_SetTurnoffCongestCtrl(Handle, B(value)); Check(value, TurnoffCongestCtrl, "TurnoffCongestCtrl"); }
        }

        /// <summary>KCP's update interval in ms (default 60; greater than 0, checked by Start).</summary>
        public uint FlushInterval
        {
            get { return NativeMethods.HP_UdpArqClient_GetFlushInterval(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetFlushInterval(Handle, value); Check(value, FlushInterval, "FlushInterval"); }
        }

        /// <summary>Fast resend: a segment is resent after this many later acks (default 0: off).</summary>
        public uint ResendByAcks
        {
            get { return NativeMethods.HP_UdpArqClient_GetResendByAcks(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetResendByAcks(Handle, value); Check(value, ResendByAcks, "ResendByAcks"); }
        }

        /// <summary>The send window in segments (default 128; greater than 0, checked by Start).</summary>
        public uint SendWndSize
        {
            get { return NativeMethods.HP_UdpArqClient_GetSendWndSize(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetSendWndSize(Handle, value); Check(value, SendWndSize, "SendWndSize"); }
        }

        /// <summary>The receive window in segments (default 512; greater than 0, checked by Start; KCP uses at least 128).</summary>
        public uint RecvWndSize
        {
            get { return NativeMethods.HP_UdpArqClient_GetRecvWndSize(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetRecvWndSize(Handle, value); Check(value, RecvWndSize, "RecvWndSize"); }
        }

        /// <summary>The minimum retransmission timeout in ms (default 30; greater than 0, checked by Start).</summary>
        public uint MinRto
        {
            get { return NativeMethods.HP_UdpArqClient_GetMinRto(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetMinRto(Handle, value); Check(value, MinRto, "MinRto"); }
        }

        /// <summary>Fast resends of one segment before it waits for its timeout (default 5; 0: no limit).</summary>
        public uint FastLimit
        {
            get { return NativeMethods.HP_UdpArqClient_GetFastLimit(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetFastLimit(Handle, value); Check(value, FastLimit, "FastLimit"); }
        }

        /// <summary>KCP's MTU in bytes (default 0: MaxDatagramSize; else 72..65536, checked by Start).</summary>
        public uint MaxTransUnit
        {
            get { return NativeMethods.HP_UdpArqClient_GetMaxTransUnit(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetMaxTransUnit(Handle, value); Check(value, MaxTransUnit, "MaxTransUnit"); }
        }

        /// <summary>The largest message in bytes (default 4096; greater than 0 and below 127 x (MTU - 24), checked by Start).</summary>
        public uint MaxMessageSize
        {
            get { return NativeMethods.HP_UdpArqClient_GetMaxMessageSize(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetMaxMessageSize(Handle, value); Check(value, MaxMessageSize, "MaxMessageSize"); }
        }

        /// <summary>How long the 12-byte handshake may take in ms (default 5000; more than twice MinRto, checked by Start).</summary>
        public uint HandShakeTimeout
        {
            get { return NativeMethods.HP_UdpArqClient_GetHandShakeTimeout(Handle); }
            set { NativeMethods.HP_UdpArqClient_SetHandShakeTimeout(Handle, value); Check(value, HandShakeTimeout, "HandShakeTimeout"); }
        }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        private const int CbMessageDropped = 512;

        /// <summary>Extension: offers partial reliability in the handshake (default false: the
        /// handshake is HP-Socket's, bit for bit). A connection has it when both sides offered it;
        /// then <c>SendEx</c> may give a message a deadline or a retransmit limit. Turn it on only
        /// towards hpsocket peers: a stock HP-Socket peer may refuse a handshake with the bit.</summary>
        public bool PartialReliability
        {
            get { return NativeMethods.HPX_UdpArqClient_IsPartialReliability(Handle) != 0; }
            set { NativeMethods.HPX_UdpArqClient_SetPartialReliability(Handle, B(value)); Check(value, PartialReliability, "PartialReliability"); }
        }

        /// <summary>Extension: sends one message, given up <paramref name="deadlineMs"/> ms after the
        /// call (0: never) or when one of its segments would be retransmitted more than
        /// <paramref name="maxRetransmits"/> times (negative: no limit). <paramref name="messageId"/>
        /// gets its id, 1, 2, ... per connection (0 for a message with neither limit: a plain Send).
        /// A message given up is reported once by <see cref="OnMessageDropped"/> with that id; the
        /// peer skips it whole and delivers the following messages in order. A limit on a
        /// connection without partial reliability on both sides returns false
        /// (<see cref="SocketError.IllegalState"/>, <see cref="HP.SysLastError"/> EOPNOTSUPP).</summary>
        public bool SendEx(byte[] data, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            if (data == null) throw new ArgumentNullException("data");
            return SendEx(data, 0, data.Length, deadlineMs, maxRetransmits, out messageId);
        }

        /// <summary>SendEx of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public unsafe bool SendEx(byte[] data, int offset, int count, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            CheckRange(data, offset, count);
            IntPtr h = Handle;
            messageId = 0;
            fixed (byte* p = data)
                return NativeMethods.HPX_UdpArqClient_SendEx(h, count == 0 ? null : p + offset, count, deadlineMs, maxRetransmits, out messageId) != 0;
        }

        /// <summary>SendEx without the message id.</summary>
        public bool SendEx(byte[] data, uint deadlineMs, int maxRetransmits)
        {
            uint id;
            return SendEx(data, deadlineMs, maxRetransmits, out id);
        }

        private MessageDroppedEventHandler<UdpArqClient> _onMessageDropped;

        /// <summary>Extension: a message sent by SendEx with a limit was given up (see
        /// <see cref="MessageDroppedEventHandler{TSender}"/>).</summary>
        public event MessageDroppedEventHandler<UdpArqClient> OnMessageDropped
        {
            add { lock (EventLock) _onMessageDropped += value; Hook(CbMessageDropped, l => NativeMethods.HPX_Set_FN_Client_OnMessageDropped(l, s_messageDropped)); }
            remove { lock (EventLock) _onMessageDropped -= value; }
        }

        private static readonly NativeMethods.HPX_FN_Client_OnMessageDropped s_messageDropped = MessageDroppedCb;

        private static int MessageDroppedCb(IntPtr sender, IntPtr connId, uint messageId, int length)
        {
            UdpArqClient s = null;
            try
            {
                s = FromSender<UdpArqClient>(sender);
                if (s == null) return NativeMethods.HR_IGNORE;
                Enter(s);
                try
                {
                    MessageDroppedEventHandler<UdpArqClient> h = s._onMessageDropped;
                    return h == null ? NativeMethods.HR_IGNORE : (int)h(s, connId, messageId, length);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnMessageDropped", e); return NativeMethods.HR_ERROR; }
        }
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
        public bool GetWaitingSendMessageCount(IntPtr connId, out int count)
        {
            count = 0;
            return NativeMethods.HPX_UdpArqAgent_GetWaitingSendMessageCount(Handle, connId, ref count) != 0;
        }

        /// <summary>KCP's nodelay mode (default false). Hides the TCP-only NoDelay: on an ARQ
        /// component it is the ARQ setting, as in HP-Socket.</summary>
        public new bool NoDelay
        {
            get { return NativeMethods.HPX_UdpArqAgent_IsNoDelay(Handle) != 0; }
            set { NativeMethods.HPX_UdpArqAgent_SetNoDelay(Handle, B(value)); Check(value, NoDelay, "NoDelay"); }
        }

        /// <summary>Whether congestion control is off (KCP's <c>nc</c>; default false).</summary>
        public bool TurnoffCongestCtrl
        {
            get { return NativeMethods.HPX_UdpArqAgent_IsTurnoffCongestCtrl(Handle) != 0; }
            set { NativeMethods.HPX_UdpArqAgent_SetTurnoffCongestCtrl(Handle, B(value)); Check(value, TurnoffCongestCtrl, "TurnoffCongestCtrl"); }
        }

        /// <summary>KCP's update interval in ms (default 60; greater than 0, checked by Start).</summary>
        public uint FlushInterval
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetFlushInterval(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetFlushInterval(Handle, value); Check(value, FlushInterval, "FlushInterval"); }
        }

        /// <summary>Fast resend: a segment is resent after this many later acks (default 0: off).</summary>
        public uint ResendByAcks
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetResendByAcks(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetResendByAcks(Handle, value); Check(value, ResendByAcks, "ResendByAcks"); }
        }

        /// <summary>The send window in segments (default 128; greater than 0, checked by Start).</summary>
        public uint SendWndSize
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetSendWndSize(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetSendWndSize(Handle, value); Check(value, SendWndSize, "SendWndSize"); }
        }

        /// <summary>The receive window in segments (default 512; greater than 0, checked by Start; KCP uses at least 128).</summary>
        public uint RecvWndSize
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetRecvWndSize(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetRecvWndSize(Handle, value); Check(value, RecvWndSize, "RecvWndSize"); }
        }

        /// <summary>The minimum retransmission timeout in ms (default 30; greater than 0, checked by Start).</summary>
        public uint MinRto
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetMinRto(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetMinRto(Handle, value); Check(value, MinRto, "MinRto"); }
        }

        /// <summary>Fast resends of one segment before it waits for its timeout (default 5; 0: no limit).</summary>
        public uint FastLimit
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetFastLimit(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetFastLimit(Handle, value); Check(value, FastLimit, "FastLimit"); }
        }

        /// <summary>KCP's MTU in bytes (default 0: MaxDatagramSize; else 72..65536, checked by Start).</summary>
        public uint MaxTransUnit
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetMaxTransUnit(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetMaxTransUnit(Handle, value); Check(value, MaxTransUnit, "MaxTransUnit"); }
        }

        /// <summary>The largest message in bytes (default 4096; greater than 0 and below 127 x (MTU - 24), checked by Start).</summary>
        public uint MaxMessageSize
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetMaxMessageSize(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetMaxMessageSize(Handle, value); Check(value, MaxMessageSize, "MaxMessageSize"); }
        }

        /// <summary>How long the 12-byte handshake may take in ms (default 5000; more than twice MinRto, checked by Start).</summary>
        public uint HandShakeTimeout
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetHandShakeTimeout(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetHandShakeTimeout(Handle, value); Check(value, HandShakeTimeout, "HandShakeTimeout"); }
        }

        // ---- partial reliability (extension, docs/abi.md section 23) ----------------------

        private const int CbMessageDropped = 512;

        /// <summary>Extension: offers partial reliability in the handshake (default false: the
        /// handshake is HP-Socket's, bit for bit). A connection has it when both sides offered it;
        /// then <c>SendEx</c> may give a message a deadline or a retransmit limit. Turn it on only
        /// towards hpsocket peers: a stock HP-Socket peer may refuse a handshake with the bit.</summary>
        public bool PartialReliability
        {
            get { return NativeMethods.HPX_UdpArqAgent_IsPartialReliability(Handle) != 0; }
            set { NativeMethods.HPX_UdpArqAgent_SetPartialReliability(Handle, B(value)); Check(value, PartialReliability, "PartialReliability"); }
        }

        /// <summary>Extension: sends one message, given up <paramref name="deadlineMs"/> ms after the
        /// call (0: never) or when one of its segments would be retransmitted more than
        /// <paramref name="maxRetransmits"/> times (negative: no limit). <paramref name="messageId"/>
        /// gets its id, 1, 2, ... per connection (0 for a message with neither limit: a plain Send).
        /// A message given up is reported once by <see cref="OnMessageDropped"/> with that id; the
        /// peer skips it whole and delivers the following messages in order. A limit on a
        /// connection without partial reliability on both sides returns false
        /// (<see cref="SocketError.IllegalState"/>, <see cref="HP.SysLastError"/> EOPNOTSUPP).</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            if (data == null) throw new ArgumentNullException("data");
            return SendEx(connId, data, 0, data.Length, deadlineMs, maxRetransmits, out messageId);
        }

        /// <summary>SendEx of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public unsafe bool SendEx(IntPtr connId, byte[] data, int offset, int count, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            CheckRange(data, offset, count);
            IntPtr h = Handle;
            messageId = 0;
            fixed (byte* p = data)
                return NativeMethods.HPX_UdpArqAgent_SendEx(h, connId, count == 0 ? null : p + offset, count, deadlineMs, maxRetransmits, out messageId) != 0;
        }

        /// <summary>SendEx without the message id.</summary>
        public bool SendEx(IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits)
        {
            uint id;
            return SendEx(connId, data, deadlineMs, maxRetransmits, out id);
        }

        private MessageDroppedEventHandler<UdpArqAgent> _onMessageDropped;

        /// <summary>Extension: a message sent by SendEx with a limit was given up (see
        /// <see cref="MessageDroppedEventHandler{TSender}"/>).</summary>
        public event MessageDroppedEventHandler<UdpArqAgent> OnMessageDropped
        {
            add { lock (EventLock) _onMessageDropped += value; Hook(CbMessageDropped, l => NativeMethods.HPX_Set_FN_Agent_OnMessageDropped(l, s_messageDropped)); }
            remove { lock (EventLock) _onMessageDropped -= value; }
        }

        private static readonly NativeMethods.HPX_FN_Agent_OnMessageDropped s_messageDropped = MessageDroppedCb;

        private static int MessageDroppedCb(IntPtr sender, IntPtr connId, uint messageId, int length)
        {
            UdpArqAgent s = null;
            try
            {
                s = FromSender<UdpArqAgent>(sender);
                if (s == null) return NativeMethods.HR_IGNORE;
                Enter(s);
                try
                {
                    MessageDroppedEventHandler<UdpArqAgent> h = s._onMessageDropped;
                    return h == null ? NativeMethods.HR_IGNORE : (int)h(s, connId, messageId, length);
                }
                finally { Leave(s); }
            }
            catch (Exception e) { Report(s, "OnMessageDropped", e); return NativeMethods.HR_ERROR; }
        }

        /// <summary>Extension: <c>SO_RCVBUF</c> in bytes of each connection's UDP socket, applied by Connect before OnPrepareConnect
        /// (default 0: the system's; else 1024..1073741824, checked by Start:
        /// <see cref="SocketError.InvalidParam"/>). The kernel doubles the value and caps it at
        /// <c>net.core.rmem_max</c> without an error (getsockopt tells what it took). A bigger buffer
        /// absorbs bursts (an ARQ window) the kernel would otherwise drop.</summary>
        public uint SocketRecvBufferSize
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetSocketRecvBufferSize(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetSocketRecvBufferSize(Handle, value); Check(value, SocketRecvBufferSize, "SocketRecvBufferSize"); }
        }

        /// <summary>Extension: <c>SO_SNDBUF</c> in bytes, as <see cref="SocketRecvBufferSize"/>
        /// (capped at <c>net.core.wmem_max</c>).</summary>
        public uint SocketSendBufferSize
        {
            get { return NativeMethods.HPX_UdpArqAgent_GetSocketSendBufferSize(Handle); }
            set { NativeMethods.HPX_UdpArqAgent_SetSocketSendBufferSize(Handle, value); Check(value, SocketSendBufferSize, "SocketSendBufferSize"); }
        }
    }
}
