using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;

namespace HPSocket
{
    /// <summary>
    /// What servers and agents share: many connections, each named by its ID, on a pool of worker
    /// threads (HP-Socket's <c>IComplexSocket</c>): sending, disconnecting, pausing, the connection
    /// queries, raw extras and the settings both have. The base of <see cref="TcpServer"/> and
    /// <see cref="TcpAgent"/>; one implementation, bound to the family's native entry points
    /// (<c>HP_Server_*</c> or <c>HP_Agent_*</c>).
    /// </summary>
    public abstract unsafe class MultiConnectionComponent : Component
    {
        private readonly Natives _native;

        internal MultiConnectionComponent(SafeHandle listener, Func<IntPtr, SafeHandle> create, string what, Natives native)
            : base(listener, create, what)
        {
            _native = native;
        }

        // ---- life cycle ----------------------------------------------------------------------

        /// <summary>Waits until stopped, at most <paramref name="milliseconds"/> (-1: for ever).</summary>
        public bool Wait(int milliseconds = Timeout.Infinite) { return _native.Wait(Handle, unchecked((uint)milliseconds)) != 0; }

        /// <summary>TRUE while starting or started.</summary>
        public bool HasStarted { get { return _native.HasStarted(Handle) != 0; } }

        /// <summary>The life-cycle state.</summary>
        public ServiceState State { get { return (ServiceState)_native.GetState(Handle); } }

        /// <inheritdoc/>
        public override SocketError ErrorCode { get { return (SocketError)_native.GetLastError(Handle); } }

        /// <inheritdoc/>
        public override string ErrorMessage { get { return Utf8.Decode(_native.GetLastErrorDesc(Handle)); } }

        // ---- sending -------------------------------------------------------------------------

        /// <summary>Sends <paramref name="data"/> (may be empty: sends nothing, returns true).</summary>
        public bool Send(IntPtr connId, byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            IntPtr h = Handle;
            fixed (byte* p = data) return _native.Send(h, connId, p, data.Length) != 0;
        }

        /// <summary>Sends <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public bool Send(IntPtr connId, byte[] data, int offset, int count)
        {
            CheckRange(data, offset, count);
            IntPtr h = Handle;
            fixed (byte* p = data) return _native.Send(h, connId, count == 0 ? null : p + offset, count) != 0;
        }

        /// <summary>Sends several buffers in order as one send (a gather write).</summary>
        public bool SendPackets(IntPtr connId, params byte[][] buffers) { return SendPackets(connId, Segments(buffers)); }

        /// <summary>Sends several buffer segments in order as one send.</summary>
        public bool SendPackets(IntPtr connId, IList<ArraySegment<byte>> buffers)
        {
            IntPtr h = Handle;
            return WithPackets(buffers, (p, n) => _native.SendPackets(h, connId, (WSABUF*)p, n));
        }

        /// <summary>Sends <paramref name="head"/>, a file (1 byte to 4 MiB - 1) and <paramref name="tail"/> as one send.</summary>
        public bool SendSmallFile(IntPtr connId, string fileName, byte[] head = null, byte[] tail = null)
        {
            if (fileName == null) throw new ArgumentNullException("fileName");
            IntPtr h = Handle;
            byte[] name = Utf8.Encode(fileName);
            return WithHeadTail(head, tail, (ph, pt) => _native.SendSmallFile(h, connId, name, (WSABUF*)ph, (WSABUF*)pt));
        }

        // ---- connections ---------------------------------------------------------------------

        /// <summary>Closes a connection; its OnClose follows on its worker thread.</summary>
        public bool Disconnect(IntPtr connId, bool force = true) { return _native.Disconnect(Handle, connId, B(force)) != 0; }

        /// <summary>Closes every connection older than <paramref name="period"/> ms.</summary>
        public bool DisconnectLongConnections(uint period, bool force = true) { return _native.DisconnectLongConnections(Handle, period, B(force)) != 0; }

        /// <summary>Closes every connection silent for <paramref name="period"/> ms (needs MarkSilence).</summary>
        public bool DisconnectSilenceConnections(uint period, bool force = true) { return _native.DisconnectSilenceConnections(Handle, period, B(force)) != 0; }

        /// <summary>Stops (true) or resumes (false) reading a connection.</summary>
        public bool PauseReceive(IntPtr connId, bool pause = true) { return _native.PauseReceive(Handle, connId, B(pause)) != 0; }

        /// <summary>Whether reading a connection is paused.</summary>
        public bool IsPauseReceive(IntPtr connId, out bool paused)
        {
            int v;
            bool ok = _native.IsPauseReceive(Handle, connId, out v) != 0;
            paused = ok && v != 0;
            return ok;
        }

        /// <summary>True when the connection exists and is established.</summary>
        public bool IsConnected(IntPtr connId) { return _native.IsConnected(Handle, connId) != 0; }

        /// <summary>The number of connections.</summary>
        public uint ConnectionCount { get { return _native.GetConnectionCount(Handle); } }

        /// <summary>The IDs of every connection (a snapshot).</summary>
        public IntPtr[] GetAllConnectionIds()
        {
            IntPtr h = Handle;
            for (int tries = 0; ; tries++)
            {
                uint n = 0;
                _native.GetAllConnectionIDs(h, null, ref n);
                IntPtr[] ids = new IntPtr[n + 16];
                uint count = (uint)ids.Length;
                if (_native.GetAllConnectionIDs(h, ids, ref count) != 0)
                {
                    Array.Resize(ref ids, (int)count);
                    return ids;
                }
                if (tries >= 8) return new IntPtr[0];
            }
        }

        /// <summary>Bytes accepted by Send and not yet written.</summary>
        public bool GetPendingDataLength(IntPtr connId, out int pending) { return _native.GetPendingDataLength(Handle, connId, out pending) != 0; }

        /// <summary>Milliseconds since the connection was set up.</summary>
        public bool GetConnectPeriod(IntPtr connId, out uint milliseconds) { return _native.GetConnectPeriod(Handle, connId, out milliseconds) != 0; }

        /// <summary>Milliseconds since the connection last received data (needs MarkSilence).</summary>
        public bool GetSilencePeriod(IntPtr connId, out uint milliseconds) { return _native.GetSilencePeriod(Handle, connId, out milliseconds) != 0; }

        /// <summary>The connection's local address and port.</summary>
        public bool GetLocalAddress(IntPtr connId, out string address, out ushort port)
        {
            IntPtr h = Handle;
            return GetAddress((byte[] b, ref int l, out ushort p) => _native.GetLocalAddress(h, connId, b, ref l, out p), out address, out port);
        }

        /// <summary>The connection's remote address and port.</summary>
        public bool GetRemoteAddress(IntPtr connId, out string address, out ushort port)
        {
            IntPtr h = Handle;
            return GetAddress((byte[] b, ref int l, out ushort p) => _native.GetRemoteAddress(h, connId, b, ref l, out p), out address, out port);
        }

        /// <summary>Attaches a raw pointer to a connection (never dereferenced or freed by the library).
        /// For managed objects use <see cref="Component.SetExtra"/>.</summary>
        public bool SetConnectionExtra(IntPtr connId, IntPtr extra) { return _native.SetConnectionExtra(Handle, connId, extra) != 0; }

        /// <summary>The raw pointer attached with <see cref="SetConnectionExtra"/>.</summary>
        public bool GetConnectionExtra(IntPtr connId, out IntPtr extra) { return _native.GetConnectionExtra(Handle, connId, out extra) != 0; }

        internal override bool IsConnectionAlive(IntPtr connId)
        {
            IntPtr x;
            return _native.GetConnectionExtra(Handle, connId, out x) != 0;
        }

        // ---- settings (changed only while stopped; a refused change throws HPSocketException) --

        /// <summary>The address reuse policy (default AddrOnly).</summary>
        public ReuseAddressPolicy ReuseAddressPolicy
        {
            get { return (ReuseAddressPolicy)_native.GetReuseAddressPolicy(Handle); }
            set { _native.SetReuseAddressPolicy(Handle, (int)value); Check(value, ReuseAddressPolicy, "ReuseAddressPolicy"); }
        }

        /// <summary>The send policy (no effect on Linux).</summary>
        public SendPolicy SendPolicy
        {
            get { return (SendPolicy)_native.GetSendPolicy(Handle); }
            set { _native.SetSendPolicy(Handle, (int)value); Check(value, SendPolicy, "SendPolicy"); }
        }

        /// <summary>The OnSend sync policy (no effect on Linux).</summary>
        public OnSendSyncPolicy OnSendSyncPolicy
        {
            get { return (OnSendSyncPolicy)_native.GetOnSendSyncPolicy(Handle); }
            set { _native.SetOnSendSyncPolicy(Handle, (int)value); Check(value, OnSendSyncPolicy, "OnSendSyncPolicy"); }
        }

        /// <summary>Ms a closed connection's object stays unused.</summary>
        public uint FreeSocketObjLockTime
        {
            get { return _native.GetFreeSocketObjLockTime(Handle); }
            set { _native.SetFreeSocketObjLockTime(Handle, value); Check(value, FreeSocketObjLockTime, "FreeSocketObjLockTime"); }
        }

        /// <summary>Cached connection objects.</summary>
        public uint FreeSocketObjPool
        {
            get { return _native.GetFreeSocketObjPool(Handle); }
            set { _native.SetFreeSocketObjPool(Handle, value); Check(value, FreeSocketObjPool, "FreeSocketObjPool"); }
        }

        /// <summary>Cached buffers.</summary>
        public uint FreeBufferObjPool
        {
            get { return _native.GetFreeBufferObjPool(Handle); }
            set { _native.SetFreeBufferObjPool(Handle, value); Check(value, FreeBufferObjPool, "FreeBufferObjPool"); }
        }

        /// <summary>Connection-object cache threshold.</summary>
        public uint FreeSocketObjHold
        {
            get { return _native.GetFreeSocketObjHold(Handle); }
            set { _native.SetFreeSocketObjHold(Handle, value); Check(value, FreeSocketObjHold, "FreeSocketObjHold"); }
        }

        /// <summary>Buffer cache threshold.</summary>
        public uint FreeBufferObjHold
        {
            get { return _native.GetFreeBufferObjHold(Handle); }
            set { _native.SetFreeBufferObjHold(Handle, value); Check(value, FreeBufferObjHold, "FreeBufferObjHold"); }
        }

        /// <summary>The most connections (default 10000; checked by Start).</summary>
        public uint MaxConnectionCount
        {
            get { return _native.GetMaxConnectionCount(Handle); }
            set { _native.SetMaxConnectionCount(Handle, value); Check(value, MaxConnectionCount, "MaxConnectionCount"); }
        }

        /// <summary>I/O worker threads (default 2 x CPUs + 2; checked by Start).</summary>
        public uint WorkerThreadCount
        {
            get { return _native.GetWorkerThreadCount(Handle); }
            set { _native.SetWorkerThreadCount(Handle, value); Check(value, WorkerThreadCount, "WorkerThreadCount"); }
        }

        /// <summary>Whether the last receive time is recorded (default true).</summary>
        public bool MarkSilence
        {
            get { return _native.IsMarkSilence(Handle) != 0; }
            set { _native.SetMarkSilence(Handle, B(value)); Check(value, MarkSilence, "MarkSilence"); }
        }

        /// <summary>The receive block size (default 4096).</summary>
        public uint SocketBufferSize
        {
            get { return _native.GetSocketBufferSize(Handle); }
            set { _native.SetSocketBufferSize(Handle, value); Check(value, SocketBufferSize, "SocketBufferSize"); }
        }

        /// <summary>TCP keep-alive idle time in ms (0: off).</summary>
        public uint KeepAliveTime
        {
            get { return _native.GetKeepAliveTime(Handle); }
            set { _native.SetKeepAliveTime(Handle, value); Check(value, KeepAliveTime, "KeepAliveTime"); }
        }

        /// <summary>TCP keep-alive probe interval in ms (0: off).</summary>
        public uint KeepAliveInterval
        {
            get { return _native.GetKeepAliveInterval(Handle); }
            set { _native.SetKeepAliveInterval(Handle, value); Check(value, KeepAliveInterval, "KeepAliveInterval"); }
        }

        /// <summary>TCP_NODELAY (default false).</summary>
        public bool NoDelay
        {
            get { return _native.IsNoDelay(Handle) != 0; }
            set { _native.SetNoDelay(Handle, B(value)); Check(value, NoDelay, "NoDelay"); }
        }

        /// <summary>Extension: the most bytes queued per connection before Send fails (0: no limit).</summary>
        public uint MaxSendQueueBytes
        {
            get { return _native.GetMaxSendQueueBytes(Handle); }
            set { _native.SetMaxSendQueueBytes(Handle, value); Check(value, MaxSendQueueBytes, "MaxSendQueueBytes"); }
        }

        /// <summary>Extension: ms the answer to a peer that closed its side may go without progress before OnClose(Send, ETIMEDOUT) (default 30000).</summary>
        public uint HalfCloseDrainTimeout
        {
            get { return _native.GetHalfCloseDrainTimeout(Handle); }
            set { _native.SetHalfCloseDrainTimeout(Handle, value); Check(value, HalfCloseDrainTimeout, "HalfCloseDrainTimeout"); }
        }

        /// <summary>Extension: the queue level at which OnSendDrained fires.</summary>
        public uint SendQueueLowWatermark
        {
            get { return _native.GetSendQueueLowWatermark(Handle); }
            set { _native.SetSendQueueLowWatermark(Handle, value); Check(value, SendQueueLowWatermark, "SendQueueLowWatermark"); }
        }

        /// <summary>Extension: whether sends count as activity for the silence period.</summary>
        public bool SilenceCountsSend
        {
            get { return _native.IsSilenceCountsSend(Handle) != 0; }
            set { _native.SetSilenceCountsSend(Handle, B(value)); Check(value, SilenceCountsSend, "SilenceCountsSend"); }
        }
        // ---- the family's native entry points --------------------------------------------------

        /// <summary>
        /// The native functions of one family (<c>HP_Server_*</c>, <c>HP_TcpServer_*</c>,
        /// <c>HPX_Server_*</c>, or the <c>Agent</c> ones): the same signatures, a different prefix.
        /// One immutable instance per family; the delegates are made once, so a call costs a
        /// delegate invocation and allocates nothing.
        /// </summary>
        internal sealed class Natives
        {
            internal delegate int SendFn(IntPtr h, IntPtr connId, byte* data, int length);
            internal delegate int SendPacketsFn(IntPtr h, IntPtr connId, WSABUF* buffers, int count);
            internal delegate int SendSmallFileFn(IntPtr h, IntPtr connId, byte[] fileName, WSABUF* head, WSABUF* tail);
            internal delegate int OutIntFn(IntPtr h, IntPtr connId, out int value);
            internal delegate int OutUIntFn(IntPtr h, IntPtr connId, out uint value);
            internal delegate int OutPtrFn(IntPtr h, IntPtr connId, out IntPtr value);
            internal delegate int ConnAddressFn(IntPtr h, IntPtr connId, byte[] buffer, ref int length, out ushort port);
            internal delegate int ConnIdsFn(IntPtr h, IntPtr[] ids, ref uint count);

            internal static readonly Natives Server = new Natives(true);
            internal static readonly Natives Agent = new Natives(false);

            internal readonly Func<IntPtr, uint, int> Wait;
            internal readonly Func<IntPtr, int> HasStarted, GetState, GetLastError;
            internal readonly Func<IntPtr, IntPtr> GetLastErrorDesc;
            internal readonly SendFn Send;
            internal readonly SendPacketsFn SendPackets;
            internal readonly SendSmallFileFn SendSmallFile;
            internal readonly Func<IntPtr, IntPtr, int, int> Disconnect, PauseReceive;
            internal readonly Func<IntPtr, uint, int, int> DisconnectLongConnections, DisconnectSilenceConnections;
            internal readonly Func<IntPtr, IntPtr, int> IsConnected;
            internal readonly Func<IntPtr, uint> GetConnectionCount;
            internal readonly ConnIdsFn GetAllConnectionIDs;
            internal readonly OutIntFn IsPauseReceive, GetPendingDataLength;
            internal readonly OutUIntFn GetConnectPeriod, GetSilencePeriod;
            internal readonly ConnAddressFn GetLocalAddress, GetRemoteAddress;
            internal readonly Func<IntPtr, IntPtr, IntPtr, int> SetConnectionExtra;
            internal readonly OutPtrFn GetConnectionExtra;
            internal readonly Func<IntPtr, int> GetReuseAddressPolicy, GetSendPolicy, GetOnSendSyncPolicy, IsMarkSilence, IsNoDelay, IsSilenceCountsSend;
            internal readonly Action<IntPtr, int> SetReuseAddressPolicy, SetSendPolicy, SetOnSendSyncPolicy, SetMarkSilence, SetNoDelay, SetSilenceCountsSend;
            internal readonly Func<IntPtr, uint> GetFreeSocketObjLockTime, GetFreeSocketObjPool, GetFreeBufferObjPool, GetFreeSocketObjHold,
                GetFreeBufferObjHold, GetMaxConnectionCount, GetWorkerThreadCount, GetSocketBufferSize, GetKeepAliveTime, GetKeepAliveInterval,
                GetMaxSendQueueBytes, GetHalfCloseDrainTimeout, GetSendQueueLowWatermark;
            internal readonly Action<IntPtr, uint> SetFreeSocketObjLockTime, SetFreeSocketObjPool, SetFreeBufferObjPool, SetFreeSocketObjHold,
                SetFreeBufferObjHold, SetMaxConnectionCount, SetWorkerThreadCount, SetSocketBufferSize, SetKeepAliveTime, SetKeepAliveInterval,
                SetMaxSendQueueBytes, SetHalfCloseDrainTimeout, SetSendQueueLowWatermark;

            // One line per function: the server's entry point, then the agent's.
            private Natives(bool s)
            {
                Wait = s ? (Func<IntPtr, uint, int>)NativeMethods.HP_Server_Wait : NativeMethods.HP_Agent_Wait;
                HasStarted = s ? (Func<IntPtr, int>)NativeMethods.HP_Server_HasStarted : NativeMethods.HP_Agent_HasStarted;
                GetState = s ? (Func<IntPtr, int>)NativeMethods.HP_Server_GetState : NativeMethods.HP_Agent_GetState;
                GetLastError = s ? (Func<IntPtr, int>)NativeMethods.HP_Server_GetLastError : NativeMethods.HP_Agent_GetLastError;
                GetLastErrorDesc = s ? (Func<IntPtr, IntPtr>)NativeMethods.HP_Server_GetLastErrorDesc : NativeMethods.HP_Agent_GetLastErrorDesc;

                Send = s ? (SendFn)NativeMethods.HP_Server_Send : NativeMethods.HP_Agent_Send;
                SendPackets = s ? (SendPacketsFn)NativeMethods.HP_Server_SendPackets : NativeMethods.HP_Agent_SendPackets;
                SendSmallFile = s ? (SendSmallFileFn)NativeMethods.HP_TcpServer_SendSmallFile : NativeMethods.HP_TcpAgent_SendSmallFile;

                Disconnect = s ? (Func<IntPtr, IntPtr, int, int>)NativeMethods.HP_Server_Disconnect : NativeMethods.HP_Agent_Disconnect;
                DisconnectLongConnections = s ? (Func<IntPtr, uint, int, int>)NativeMethods.HP_Server_DisconnectLongConnections : NativeMethods.HP_Agent_DisconnectLongConnections;
                DisconnectSilenceConnections = s ? (Func<IntPtr, uint, int, int>)NativeMethods.HP_Server_DisconnectSilenceConnections : NativeMethods.HP_Agent_DisconnectSilenceConnections;
                PauseReceive = s ? (Func<IntPtr, IntPtr, int, int>)NativeMethods.HP_Server_PauseReceive : NativeMethods.HP_Agent_PauseReceive;
                IsPauseReceive = s ? (OutIntFn)NativeMethods.HP_Server_IsPauseReceive : NativeMethods.HP_Agent_IsPauseReceive;
                IsConnected = s ? (Func<IntPtr, IntPtr, int>)NativeMethods.HP_Server_IsConnected : NativeMethods.HP_Agent_IsConnected;
                GetConnectionCount = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetConnectionCount : NativeMethods.HP_Agent_GetConnectionCount;
                GetAllConnectionIDs = s ? (ConnIdsFn)NativeMethods.HP_Server_GetAllConnectionIDs : NativeMethods.HP_Agent_GetAllConnectionIDs;
                GetPendingDataLength = s ? (OutIntFn)NativeMethods.HP_Server_GetPendingDataLength : NativeMethods.HP_Agent_GetPendingDataLength;
                GetConnectPeriod = s ? (OutUIntFn)NativeMethods.HP_Server_GetConnectPeriod : NativeMethods.HP_Agent_GetConnectPeriod;
                GetSilencePeriod = s ? (OutUIntFn)NativeMethods.HP_Server_GetSilencePeriod : NativeMethods.HP_Agent_GetSilencePeriod;
                GetLocalAddress = s ? (ConnAddressFn)NativeMethods.HP_Server_GetLocalAddress : NativeMethods.HP_Agent_GetLocalAddress;
                GetRemoteAddress = s ? (ConnAddressFn)NativeMethods.HP_Server_GetRemoteAddress : NativeMethods.HP_Agent_GetRemoteAddress;
                SetConnectionExtra = s ? (Func<IntPtr, IntPtr, IntPtr, int>)NativeMethods.HP_Server_SetConnectionExtra : NativeMethods.HP_Agent_SetConnectionExtra;
                GetConnectionExtra = s ? (OutPtrFn)NativeMethods.HP_Server_GetConnectionExtra : NativeMethods.HP_Agent_GetConnectionExtra;

                GetReuseAddressPolicy = s ? (Func<IntPtr, int>)NativeMethods.HP_Server_GetReuseAddressPolicy : NativeMethods.HP_Agent_GetReuseAddressPolicy;
                SetReuseAddressPolicy = s ? (Action<IntPtr, int>)NativeMethods.HP_Server_SetReuseAddressPolicy : NativeMethods.HP_Agent_SetReuseAddressPolicy;
                GetSendPolicy = s ? (Func<IntPtr, int>)NativeMethods.HP_Server_GetSendPolicy : NativeMethods.HP_Agent_GetSendPolicy;
                SetSendPolicy = s ? (Action<IntPtr, int>)NativeMethods.HP_Server_SetSendPolicy : NativeMethods.HP_Agent_SetSendPolicy;
                GetOnSendSyncPolicy = s ? (Func<IntPtr, int>)NativeMethods.HP_Server_GetOnSendSyncPolicy : NativeMethods.HP_Agent_GetOnSendSyncPolicy;
                SetOnSendSyncPolicy = s ? (Action<IntPtr, int>)NativeMethods.HP_Server_SetOnSendSyncPolicy : NativeMethods.HP_Agent_SetOnSendSyncPolicy;
                GetFreeSocketObjLockTime = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetFreeSocketObjLockTime : NativeMethods.HP_Agent_GetFreeSocketObjLockTime;
                SetFreeSocketObjLockTime = s ? (Action<IntPtr, uint>)NativeMethods.HP_Server_SetFreeSocketObjLockTime : NativeMethods.HP_Agent_SetFreeSocketObjLockTime;
                GetFreeSocketObjPool = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetFreeSocketObjPool : NativeMethods.HP_Agent_GetFreeSocketObjPool;
                SetFreeSocketObjPool = s ? (Action<IntPtr, uint>)NativeMethods.HP_Server_SetFreeSocketObjPool : NativeMethods.HP_Agent_SetFreeSocketObjPool;
                GetFreeBufferObjPool = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetFreeBufferObjPool : NativeMethods.HP_Agent_GetFreeBufferObjPool;
                SetFreeBufferObjPool = s ? (Action<IntPtr, uint>)NativeMethods.HP_Server_SetFreeBufferObjPool : NativeMethods.HP_Agent_SetFreeBufferObjPool;
                GetFreeSocketObjHold = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetFreeSocketObjHold : NativeMethods.HP_Agent_GetFreeSocketObjHold;
                SetFreeSocketObjHold = s ? (Action<IntPtr, uint>)NativeMethods.HP_Server_SetFreeSocketObjHold : NativeMethods.HP_Agent_SetFreeSocketObjHold;
                GetFreeBufferObjHold = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetFreeBufferObjHold : NativeMethods.HP_Agent_GetFreeBufferObjHold;
                SetFreeBufferObjHold = s ? (Action<IntPtr, uint>)NativeMethods.HP_Server_SetFreeBufferObjHold : NativeMethods.HP_Agent_SetFreeBufferObjHold;
                GetMaxConnectionCount = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetMaxConnectionCount : NativeMethods.HP_Agent_GetMaxConnectionCount;
                SetMaxConnectionCount = s ? (Action<IntPtr, uint>)NativeMethods.HP_Server_SetMaxConnectionCount : NativeMethods.HP_Agent_SetMaxConnectionCount;
                GetWorkerThreadCount = s ? (Func<IntPtr, uint>)NativeMethods.HP_Server_GetWorkerThreadCount : NativeMethods.HP_Agent_GetWorkerThreadCount;
                SetWorkerThreadCount = s ? (Action<IntPtr, uint>)NativeMethods.HP_Server_SetWorkerThreadCount : NativeMethods.HP_Agent_SetWorkerThreadCount;
                IsMarkSilence = s ? (Func<IntPtr, int>)NativeMethods.HP_Server_IsMarkSilence : NativeMethods.HP_Agent_IsMarkSilence;
                SetMarkSilence = s ? (Action<IntPtr, int>)NativeMethods.HP_Server_SetMarkSilence : NativeMethods.HP_Agent_SetMarkSilence;
                GetSocketBufferSize = s ? (Func<IntPtr, uint>)NativeMethods.HP_TcpServer_GetSocketBufferSize : NativeMethods.HP_TcpAgent_GetSocketBufferSize;
                SetSocketBufferSize = s ? (Action<IntPtr, uint>)NativeMethods.HP_TcpServer_SetSocketBufferSize : NativeMethods.HP_TcpAgent_SetSocketBufferSize;
                GetKeepAliveTime = s ? (Func<IntPtr, uint>)NativeMethods.HP_TcpServer_GetKeepAliveTime : NativeMethods.HP_TcpAgent_GetKeepAliveTime;
                SetKeepAliveTime = s ? (Action<IntPtr, uint>)NativeMethods.HP_TcpServer_SetKeepAliveTime : NativeMethods.HP_TcpAgent_SetKeepAliveTime;
                GetKeepAliveInterval = s ? (Func<IntPtr, uint>)NativeMethods.HP_TcpServer_GetKeepAliveInterval : NativeMethods.HP_TcpAgent_GetKeepAliveInterval;
                SetKeepAliveInterval = s ? (Action<IntPtr, uint>)NativeMethods.HP_TcpServer_SetKeepAliveInterval : NativeMethods.HP_TcpAgent_SetKeepAliveInterval;
                IsNoDelay = s ? (Func<IntPtr, int>)NativeMethods.HP_TcpServer_IsNoDelay : NativeMethods.HP_TcpAgent_IsNoDelay;
                SetNoDelay = s ? (Action<IntPtr, int>)NativeMethods.HP_TcpServer_SetNoDelay : NativeMethods.HP_TcpAgent_SetNoDelay;
                GetMaxSendQueueBytes = s ? (Func<IntPtr, uint>)NativeMethods.HPX_Server_GetMaxSendQueueBytes : NativeMethods.HPX_Agent_GetMaxSendQueueBytes;
                SetMaxSendQueueBytes = s ? (Action<IntPtr, uint>)NativeMethods.HPX_Server_SetMaxSendQueueBytes : NativeMethods.HPX_Agent_SetMaxSendQueueBytes;
                GetHalfCloseDrainTimeout = s ? (Func<IntPtr, uint>)NativeMethods.HPX_Server_GetHalfCloseDrainTimeout : NativeMethods.HPX_Agent_GetHalfCloseDrainTimeout;
                SetHalfCloseDrainTimeout = s ? (Action<IntPtr, uint>)NativeMethods.HPX_Server_SetHalfCloseDrainTimeout : NativeMethods.HPX_Agent_SetHalfCloseDrainTimeout;
                GetSendQueueLowWatermark = s ? (Func<IntPtr, uint>)NativeMethods.HPX_Server_GetSendQueueLowWatermark : NativeMethods.HPX_Agent_GetSendQueueLowWatermark;
                SetSendQueueLowWatermark = s ? (Action<IntPtr, uint>)NativeMethods.HPX_Server_SetSendQueueLowWatermark : NativeMethods.HPX_Agent_SetSendQueueLowWatermark;
                IsSilenceCountsSend = s ? (Func<IntPtr, int>)NativeMethods.HPX_Server_IsSilenceCountsSend : NativeMethods.HPX_Agent_IsSilenceCountsSend;
                SetSilenceCountsSend = s ? (Action<IntPtr, int>)NativeMethods.HPX_Server_SetSilenceCountsSend : NativeMethods.HPX_Agent_SetSilenceCountsSend;
            }
        }
    }
}
