using System;

namespace HPSocket
{
    /// <summary>
    /// What the three ARQ roles (<see cref="UdpArqServer"/>, <see cref="UdpArqClient"/>,
    /// <see cref="UdpArqAgent"/>) share, written once: KCP's settings, partial reliability
    /// (SendEx, the OnMessageDropped dispatch), the waiting-message count and the UDP socket
    /// buffer sizes (which <see cref="UdpServer"/> and <see cref="UdpClient"/> have too). The
    /// public classes derive from unrelated bases, so each keeps its own public members and
    /// forwards them here, to the instance bound to its role's native entry points
    /// (<see cref="Server"/>, <see cref="Client"/>, <see cref="Agent"/>).
    /// </summary>
    internal sealed unsafe class ArqCore
    {
        /// <summary>The numeric settings, by the name of their native getter and setter.</summary>
        internal enum U
        {
            FlushInterval, ResendByAcks, SendWndSize, RecvWndSize, MinRto, FastLimit, MaxTransUnit,
            MaxMessageSize, HandShakeTimeout, SocketRecvBufferSize, SocketSendBufferSize
        }

        /// <summary>The on/off settings (native <c>Is*</c> and <c>Set*</c>).</summary>
        internal enum Flag { NoDelay, TurnoffCongestCtrl, PartialReliability }

        internal uint Get(Component c, U s) { return _get[(int)s](c.Handle); }

        internal void Set(Component c, U s, uint value)
        {
            _set[(int)s](c.Handle, value);
            c.Check(value, Get(c, s), s.ToString());
        }

        internal bool Is(Component c, Flag f) { return _is[(int)f](c.Handle) != 0; }

        internal void Set(Component c, Flag f, bool value)
        {
            _setFlag[(int)f](c.Handle, Component.B(value));
            c.Check(value, Is(c, f), f.ToString());
        }

        internal bool GetWaitingSendMessageCount(Component c, IntPtr connId, out int count)
        {
            count = 0;
            return _waiting(c.Handle, connId, ref count) != 0;
        }

        internal bool SendEx(Component c, IntPtr connId, byte[] data, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            if (data == null) throw new ArgumentNullException("data");
            return SendEx(c, connId, data, 0, data.Length, deadlineMs, maxRetransmits, out messageId);
        }

        internal bool SendEx(Component c, IntPtr connId, byte[] data, int offset, int count, uint deadlineMs, int maxRetransmits, out uint messageId)
        {
            Component.CheckRange(data, offset, count);
            IntPtr h = c.Handle;
            messageId = 0;
            fixed (byte* p = data)
                return _sendEx(h, connId, count == 0 ? null : p + offset, count, deadlineMs, maxRetransmits, out messageId) != 0;
        }

        /// <summary>The OnMessageDropped trampoline of every role: finds the component behind
        /// <paramref name="sender"/> and calls the handlers <paramref name="handlers"/> reads.</summary>
        internal static int Dropped<T>(IntPtr sender, IntPtr connId, uint messageId, int length,
                                       Func<T, MessageDroppedEventHandler<T>> handlers) where T : Component
        {
            T s = null;
            try
            {
                s = Component.FromSender<T>(sender);
                if (s == null) return NativeMethods.HR_IGNORE;
                Component.Enter(s);
                try
                {
                    MessageDroppedEventHandler<T> h = handlers(s);
                    return h == null ? NativeMethods.HR_IGNORE : (int)h(s, connId, messageId, length);
                }
                finally { Component.Leave(s); }
            }
            catch (Exception e) { Component.Report(s, "OnMessageDropped", e); return NativeMethods.HR_ERROR; }
        }

        /// <summary>The event bit <see cref="Component.Hook"/> uses for OnMessageDropped.</summary>
        internal const int CbMessageDropped = 512;

        // ---- one role's native entry points ----------------------------------------------
        // The settings' entry points in the order of U and Flag: the KCP and partial
        // reliability ones on the ARQ class, the socket buffers on the UDP class the role's
        // socket belongs to. Named, not looked up by reflection, so the compiler checks each
        // and the coverage check (tools/ffi-gen/coverage) sees them.

        internal delegate int WaitingFn(IntPtr h, IntPtr connId, ref int count);
        internal delegate int SendExFn(IntPtr h, IntPtr connId, byte* data, int length, uint deadline, int maxRetransmits, out uint messageId);

        internal static readonly ArqCore Server = new ArqCore(
            new Func<IntPtr, uint>[] {
                NativeMethods.HP_UdpArqServer_GetFlushInterval,
                NativeMethods.HP_UdpArqServer_GetResendByAcks,
                NativeMethods.HP_UdpArqServer_GetSendWndSize,
                NativeMethods.HP_UdpArqServer_GetRecvWndSize,
                NativeMethods.HP_UdpArqServer_GetMinRto,
                NativeMethods.HP_UdpArqServer_GetFastLimit,
                NativeMethods.HP_UdpArqServer_GetMaxTransUnit,
                NativeMethods.HP_UdpArqServer_GetMaxMessageSize,
                NativeMethods.HP_UdpArqServer_GetHandShakeTimeout,
                NativeMethods.HPX_UdpServer_GetSocketRecvBufferSize,
                NativeMethods.HPX_UdpServer_GetSocketSendBufferSize },
            new Action<IntPtr, uint>[] {
                NativeMethods.HP_UdpArqServer_SetFlushInterval,
                NativeMethods.HP_UdpArqServer_SetResendByAcks,
                NativeMethods.HP_UdpArqServer_SetSendWndSize,
                NativeMethods.HP_UdpArqServer_SetRecvWndSize,
                NativeMethods.HP_UdpArqServer_SetMinRto,
                NativeMethods.HP_UdpArqServer_SetFastLimit,
                NativeMethods.HP_UdpArqServer_SetMaxTransUnit,
                NativeMethods.HP_UdpArqServer_SetMaxMessageSize,
                NativeMethods.HP_UdpArqServer_SetHandShakeTimeout,
                NativeMethods.HPX_UdpServer_SetSocketRecvBufferSize,
                NativeMethods.HPX_UdpServer_SetSocketSendBufferSize },
            new Func<IntPtr, int>[] {
                NativeMethods.HP_UdpArqServer_IsNoDelay,
                NativeMethods.HP_UdpArqServer_IsTurnoffCongestCtrl,
                NativeMethods.HPX_UdpArqServer_IsPartialReliability },
            new Action<IntPtr, int>[] {
                NativeMethods.HP_UdpArqServer_SetNoDelay,
                NativeMethods.HP_UdpArqServer_SetTurnoffCongestCtrl,
                NativeMethods.HPX_UdpArqServer_SetPartialReliability },
            NativeMethods.HP_UdpArqServer_GetWaitingSendMessageCount, NativeMethods.HPX_UdpArqServer_SendEx);

        internal static readonly ArqCore Client = new ArqCore(
            new Func<IntPtr, uint>[] {
                NativeMethods.HP_UdpArqClient_GetFlushInterval,
                NativeMethods.HP_UdpArqClient_GetResendByAcks,
                NativeMethods.HP_UdpArqClient_GetSendWndSize,
                NativeMethods.HP_UdpArqClient_GetRecvWndSize,
                NativeMethods.HP_UdpArqClient_GetMinRto,
                NativeMethods.HP_UdpArqClient_GetFastLimit,
                NativeMethods.HP_UdpArqClient_GetMaxTransUnit,
                NativeMethods.HP_UdpArqClient_GetMaxMessageSize,
                NativeMethods.HP_UdpArqClient_GetHandShakeTimeout,
                NativeMethods.HPX_UdpClient_GetSocketRecvBufferSize,
                NativeMethods.HPX_UdpClient_GetSocketSendBufferSize },
            new Action<IntPtr, uint>[] {
                NativeMethods.HP_UdpArqClient_SetFlushInterval,
                NativeMethods.HP_UdpArqClient_SetResendByAcks,
                NativeMethods.HP_UdpArqClient_SetSendWndSize,
                NativeMethods.HP_UdpArqClient_SetRecvWndSize,
                NativeMethods.HP_UdpArqClient_SetMinRto,
                NativeMethods.HP_UdpArqClient_SetFastLimit,
                NativeMethods.HP_UdpArqClient_SetMaxTransUnit,
                NativeMethods.HP_UdpArqClient_SetMaxMessageSize,
                NativeMethods.HP_UdpArqClient_SetHandShakeTimeout,
                NativeMethods.HPX_UdpClient_SetSocketRecvBufferSize,
                NativeMethods.HPX_UdpClient_SetSocketSendBufferSize },
            new Func<IntPtr, int>[] {
                NativeMethods.HP_UdpArqClient_IsNoDelay,
                NativeMethods.HP_UdpArqClient_IsTurnoffCongestCtrl,
                NativeMethods.HPX_UdpArqClient_IsPartialReliability },
            new Action<IntPtr, int>[] {
                NativeMethods.HP_UdpArqClient_SetNoDelay,
                NativeMethods.HP_UdpArqClient_SetTurnoffCongestCtrl,
                NativeMethods.HPX_UdpArqClient_SetPartialReliability },
            (IntPtr h, IntPtr connId, ref int count) => NativeMethods.HP_UdpArqClient_GetWaitingSendMessageCount(h, ref count),
            (IntPtr h, IntPtr connId, byte* data, int length, uint deadline, int maxRetransmits, out uint messageId) =>
                NativeMethods.HPX_UdpArqClient_SendEx(h, data, length, deadline, maxRetransmits, out messageId));

        internal static readonly ArqCore Agent = new ArqCore(
            new Func<IntPtr, uint>[] {
                NativeMethods.HPX_UdpArqAgent_GetFlushInterval,
                NativeMethods.HPX_UdpArqAgent_GetResendByAcks,
                NativeMethods.HPX_UdpArqAgent_GetSendWndSize,
                NativeMethods.HPX_UdpArqAgent_GetRecvWndSize,
                NativeMethods.HPX_UdpArqAgent_GetMinRto,
                NativeMethods.HPX_UdpArqAgent_GetFastLimit,
                NativeMethods.HPX_UdpArqAgent_GetMaxTransUnit,
                NativeMethods.HPX_UdpArqAgent_GetMaxMessageSize,
                NativeMethods.HPX_UdpArqAgent_GetHandShakeTimeout,
                NativeMethods.HPX_UdpArqAgent_GetSocketRecvBufferSize,
                NativeMethods.HPX_UdpArqAgent_GetSocketSendBufferSize },
            new Action<IntPtr, uint>[] {
                NativeMethods.HPX_UdpArqAgent_SetFlushInterval,
                NativeMethods.HPX_UdpArqAgent_SetResendByAcks,
                NativeMethods.HPX_UdpArqAgent_SetSendWndSize,
                NativeMethods.HPX_UdpArqAgent_SetRecvWndSize,
                NativeMethods.HPX_UdpArqAgent_SetMinRto,
                NativeMethods.HPX_UdpArqAgent_SetFastLimit,
                NativeMethods.HPX_UdpArqAgent_SetMaxTransUnit,
                NativeMethods.HPX_UdpArqAgent_SetMaxMessageSize,
                NativeMethods.HPX_UdpArqAgent_SetHandShakeTimeout,
                NativeMethods.HPX_UdpArqAgent_SetSocketRecvBufferSize,
                NativeMethods.HPX_UdpArqAgent_SetSocketSendBufferSize },
            new Func<IntPtr, int>[] {
                NativeMethods.HPX_UdpArqAgent_IsNoDelay,
                NativeMethods.HPX_UdpArqAgent_IsTurnoffCongestCtrl,
                NativeMethods.HPX_UdpArqAgent_IsPartialReliability },
            new Action<IntPtr, int>[] {
                NativeMethods.HPX_UdpArqAgent_SetNoDelay,
                NativeMethods.HPX_UdpArqAgent_SetTurnoffCongestCtrl,
                NativeMethods.HPX_UdpArqAgent_SetPartialReliability },
            NativeMethods.HPX_UdpArqAgent_GetWaitingSendMessageCount, NativeMethods.HPX_UdpArqAgent_SendEx);

        private readonly Func<IntPtr, uint>[] _get;
        private readonly Action<IntPtr, uint>[] _set;
        private readonly Func<IntPtr, int>[] _is;
        private readonly Action<IntPtr, int>[] _setFlag;
        private readonly WaitingFn _waiting;
        private readonly SendExFn _sendEx;

        private ArqCore(Func<IntPtr, uint>[] get, Action<IntPtr, uint>[] set, Func<IntPtr, int>[] isFlag,
                        Action<IntPtr, int>[] setFlag, WaitingFn waiting, SendExFn sendEx)
        {
            if (get.Length != Enum.GetNames(typeof(U)).Length || set.Length != get.Length
                || isFlag.Length != Enum.GetNames(typeof(Flag)).Length || setFlag.Length != isFlag.Length)
                throw new InvalidOperationException("ArqCore: one entry point per setting");
            _get = get;
            _set = set;
            _is = isFlag;
            _setFlag = setFlag;
            _waiting = waiting;
            _sendEx = sendEx;
        }
    }
}
