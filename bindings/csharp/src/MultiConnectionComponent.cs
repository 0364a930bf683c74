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
    public abstract unsafe partial class MultiConnectionComponent : Component
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

        // ---- settings: the properties of the tables' [[setting]] rows are in Families.g.cs
        // (written by tools/ffi-gen/src/csharp.rs).
    }
}
