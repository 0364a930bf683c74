using System;

namespace HPSocket
{
    /// <summary>
    /// What the three ARQ roles (<see cref="UdpArqServer"/>, <see cref="UdpArqClient"/>,
    /// <see cref="UdpArqAgent"/>) share, written once: partial reliability (SendEx, the
    /// OnMessageDropped dispatch) and the waiting-message count. Their settings (KCP's, partial
    /// reliability's switch, the UDP socket buffers) are generated in Families.g.cs. The
    /// public classes derive from unrelated bases, so each keeps its own public members and
    /// forwards them here, to the instance bound to its role's native entry points
    /// (<see cref="Server"/>, <see cref="Client"/>, <see cref="Agent"/>).
    /// </summary>
    internal sealed unsafe class ArqCore
    {
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
        // Named, not looked up by reflection, so the compiler checks each and the coverage
        // check (tools/ffi-gen/coverage) sees them; the client's, without a connection ID,
        // are adapted to the shape of the others.

        internal delegate int WaitingFn(IntPtr h, IntPtr connId, ref int count);
        internal delegate int SendExFn(IntPtr h, IntPtr connId, byte* data, int length, uint deadline, int maxRetransmits, out uint messageId);

        internal static readonly ArqCore Server = new ArqCore(
            NativeMethods.HP_UdpArqServer_GetWaitingSendMessageCount, NativeMethods.HPX_UdpArqServer_SendEx);

        internal static readonly ArqCore Client = new ArqCore(
            (IntPtr h, IntPtr connId, ref int count) => NativeMethods.HP_UdpArqClient_GetWaitingSendMessageCount(h, ref count),
            (IntPtr h, IntPtr connId, byte* data, int length, uint deadline, int maxRetransmits, out uint messageId) =>
                NativeMethods.HPX_UdpArqClient_SendEx(h, data, length, deadline, maxRetransmits, out messageId));

        internal static readonly ArqCore Agent = new ArqCore(
            NativeMethods.HPX_UdpArqAgent_GetWaitingSendMessageCount, NativeMethods.HPX_UdpArqAgent_SendEx);

        private readonly WaitingFn _waiting;
        private readonly SendExFn _sendEx;

        private ArqCore(WaitingFn waiting, SendExFn sendEx)
        {
            _waiting = waiting;
            _sendEx = sendEx;
        }
    }
}
