using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;

namespace HPSocket
{
    /// <summary>
    /// What every server, agent and client shares: the native component and its listener (each
    /// owned by a SafeHandle whose release calls the matching <c>Destroy_HP_*</c>), the link the
    /// static callback trampolines follow from the native sender back to this object (a GCHandle
    /// stored with <c>HPX_Object_SetUserData</c>, freed by the library after the last callback),
    /// per-connection managed extras, and <see cref="IDisposable"/>.
    /// </summary>
    /// <remarks>
    /// The library keeps the object alive (the GCHandle) until <see cref="Dispose()"/>: always
    /// dispose a component (a <c>using</c> block), as with a thread that runs. Dispose stops the
    /// component and returns when every callback has returned. It may not be called from one of the
    /// component's own callbacks (the library would wait for itself): that throws
    /// <see cref="InvalidOperationException"/>.
    /// </remarks>
    public abstract unsafe class Component : IDisposable
    {
        private readonly SafeHandle _owner;
        private readonly SafeHandle _listenerOwner;
        /// <summary>The raw native handle. The library checks every handle it gets (a destroyed
        /// one is refused, never dereferenced), so using the raw value is memory-safe.</summary>
        private readonly IntPtr _handle;
        internal readonly IntPtr ListenerHandle;
        private int _state; // 0 alive, 1 disposing, 2 disposed
        private ConcurrentDictionary<IntPtr, object> _extras;
        private readonly object _hookLock = new object();
        private int _hooked;

        [ThreadStatic] private static List<Component> t_active;

        private static readonly NativeMethods.HPX_FN_FreeUserData FreeUserData = FreeGCHandle;

        internal Component(SafeHandle listener, Func<IntPtr, SafeHandle> create, string what)
        {
            if (listener == null || listener.IsInvalid)
                throw HPSocketException.FromThread("Create_HP_" + what + "Listener");
            SafeHandle owner = create(listener.DangerousGetHandle());
            if (owner == null || owner.IsInvalid)
            {
                HPSocketException e = HPSocketException.FromThread("Create_HP_" + what);
                listener.Dispose();
                throw e;
            }
            GCHandle self = GCHandle.Alloc(this);
            if (NativeMethods.HPX_Object_SetUserData(owner.DangerousGetHandle(), GCHandle.ToIntPtr(self), FreeUserData) == 0)
            {
                HPSocketException e = HPSocketException.FromThread("HPX_Object_SetUserData");
                self.Free();
                owner.Dispose();
                listener.Dispose();
                throw e;
            }
            _owner = owner;
            _listenerOwner = listener;
            _handle = owner.DangerousGetHandle();
            ListenerHandle = listener.DangerousGetHandle();
        }

        private static void FreeGCHandle(IntPtr p)
        {
            try
            {
                if (p != IntPtr.Zero) GCHandle.FromIntPtr(p).Free();
            }
            catch (Exception)
            {
                // never let an exception reach the native thread
            }
        }

        /// <summary>The native handle (<c>HP_Object</c>) for calls through <see cref="NativeMethods"/>.</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public IntPtr Handle
        {
            get
            {
                if (Volatile.Read(ref _state) == 2) throw new ObjectDisposedException(GetType().Name);
                return _handle;
            }
        }

        /// <summary>The rule of <see cref="Handle"/> for a call that needs no handle yet.</summary>
        internal void ThrowIfDisposed()
        {
            if (Volatile.Read(ref _state) == 2) throw new ObjectDisposedException(GetType().Name);
        }

        /// <summary>True once <see cref="Dispose()"/> has finished.</summary>
        public bool IsDisposed { get { return Volatile.Read(ref _state) == 2; } }

        /// <summary>A handler threw: the library was told HR_ERROR (the connection closes) and goes on.
        /// Without a subscriber the exception is written to standard error.</summary>
        public event CallbackExceptionEventHandler OnCallbackException;

        /// <summary>The code of the component's last failure.</summary>
        public abstract SocketError ErrorCode { get; }

        /// <summary>The text of the component's last failure (names the function and the cause).</summary>
        public abstract string ErrorMessage { get; }

        /// <summary>Stops (if running) and destroys the component; every callback has returned when it
        /// returns. Harmless twice.</summary>
        /// <exception cref="InvalidOperationException">from one of this component's own callbacks.</exception>
        public void Dispose()
        {
            if (IsInOwnCallback())
                throw new InvalidOperationException(GetType().Name +
                    ".Dispose from one of its own callbacks: it would wait for itself (dispose it from another thread)");
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
            try
            {
                _owner.Dispose();
                _listenerOwner.Dispose();
            }
            finally
            {
                Volatile.Write(ref _state, 2);
                ConcurrentDictionary<IntPtr, object> x = _extras;
                if (x != null) x.Clear();
            }
            GC.SuppressFinalize(this);
        }

        // ---- callback plumbing -------------------------------------------------------------

        /// <summary>True when the calling thread is inside one of this component's callbacks.</summary>
        public bool IsInOwnCallback()
        {
            List<Component> a = t_active;
            if (a == null) return false;
            for (int i = 0; i < a.Count; i++)
                if (ReferenceEquals(a[i], this)) return true;
            return false;
        }

        internal static T FromSender<T>(IntPtr sender) where T : Component
        {
            IntPtr p = NativeMethods.HPX_Object_GetUserData(sender);
            if (p == IntPtr.Zero) return null;
            return GCHandle.FromIntPtr(p).Target as T;
        }

        internal static void Enter(Component c)
        {
            List<Component> a = t_active;
            if (a == null) t_active = a = new List<Component>(4);
            a.Add(c);
        }

        internal static void Leave(Component c)
        {
            List<Component> a = t_active;
            if (a != null && a.Count > 0 && ReferenceEquals(a[a.Count - 1], c)) a.RemoveAt(a.Count - 1);
        }

        /// <summary>Reports an exception a handler threw; never throws. The caller returns
        /// HR_ERROR next, so errno is cleared last: the connection then closes with the
        /// library's default code (ECANCELED, docs/abi.md section 17), not with whatever the
        /// report left (the first write to standard error leaves ENOTTY or ENOENT).</summary>
        internal static void Report(Component c, string callback, Exception e)
        {
            try
            {
                CallbackExceptionEventHandler h = c != null ? c.OnCallbackException : null;
                if (h != null) h(c, callback, e);
                else Console.Error.WriteLine("HPSocket: {0} handler threw (connection closed): {1}", callback, e);
            }
            catch (Exception)
            {
                // the exception handler threw too: nothing more to do on a native thread
            }
            finally
            {
                SysError.SetErrno(0);
            }
        }

        internal static byte[] Copy(IntPtr data, int length)
        {
            if (length <= 0 || data == IntPtr.Zero) return Empty;
            byte[] b = new byte[length];
            Marshal.Copy(data, b, 0, length);
            return b;
        }

        internal static readonly byte[] Empty = new byte[0];

        /// <summary>Sets a native callback on the listener once (the first subscriber of its event).</summary>
        internal void Hook(int bit, Action<IntPtr> set)
        {
            if ((Volatile.Read(ref _hooked) & bit) != 0) return;
            lock (_hookLock)
            {
                if ((_hooked & bit) != 0) return;
                set(ListenerHandle);
                Volatile.Write(ref _hooked, _hooked | bit);
            }
        }

        internal object EventLock { get { return _hookLock; } }

        // ---- managed per-connection extras -------------------------------------------------

        /// <summary>Attaches a managed object to a connection; it is dropped after the connection's
        /// OnClose handlers ran (or at Dispose). Returns false for an unknown connection.</summary>
        public bool SetExtra(IntPtr connId, object extra)
        {
            if (!IsConnectionAlive(connId)) return false;
            Extras[connId] = extra;
            if (IsConnectionAlive(connId)) return true;
            DropExtra(connId); // closed meanwhile: its OnClose may have run already
            return false;
        }

        /// <summary>The object attached with <see cref="SetExtra"/> (null if none).</summary>
        public object GetExtra(IntPtr connId)
        {
            object o;
            ConcurrentDictionary<IntPtr, object> x = _extras;
            return x != null && x.TryGetValue(connId, out o) ? o : null;
        }

        /// <summary>The object attached with <see cref="SetExtra"/>, as <typeparamref name="T"/>.</summary>
        public T GetExtra<T>(IntPtr connId) where T : class { return GetExtra(connId) as T; }

        /// <summary>Detaches a connection's managed object; true when there was one.</summary>
        public bool RemoveExtra(IntPtr connId)
        {
            object o;
            ConcurrentDictionary<IntPtr, object> x = _extras;
            return x != null && x.TryRemove(connId, out o);
        }

        internal ConcurrentDictionary<IntPtr, object> Extras
        {
            get
            {
                ConcurrentDictionary<IntPtr, object> x = _extras;
                if (x == null)
                {
                    Interlocked.CompareExchange(ref _extras, new ConcurrentDictionary<IntPtr, object>(), null);
                    x = _extras;
                }
                return x;
            }
        }

        internal void DropExtra(IntPtr connId)
        {
            object o;
            ConcurrentDictionary<IntPtr, object> x = _extras;
            if (x != null) x.TryRemove(connId, out o);
        }

        internal abstract bool IsConnectionAlive(IntPtr connId);

        // ---- helpers for the shapes ---------------------------------------------------------

        internal static int B(bool v) { return v ? 1 : 0; }

        /// <summary>Applies a setting and checks it took; the library ignores settings while the
        /// component runs and refuses bad values, recording why.</summary>
        internal void Check<T>(T wanted, T now, string name)
        {
            if (!EqualityComparer<T>.Default.Equals(wanted, now))
                throw new HPSocketException(ErrorCode, name + " was not changed: " + ErrorMessage);
        }

        internal delegate int AddressFn(byte[] buffer, ref int length, out ushort port);

        /// <summary>Calls an address getter with the buffer convention of docs/abi.md section 6.</summary>
        internal static bool GetAddress(AddressFn fn, out string address, out ushort port)
        {
            byte[] buf = new byte[64];
            int len = buf.Length;
            int ok = fn(buf, ref len, out port);
            if (ok == 0 && len > buf.Length)
            {
                buf = new byte[len];
                len = buf.Length;
                ok = fn(buf, ref len, out port);
            }
            if (ok == 0)
            {
                address = null;
                port = 0;
                return false;
            }
            address = Utf8.Decode(buf, len - 1);
            return true;
        }

        internal static void CheckRange(byte[] buffer, int offset, int count)
        {
            if (buffer == null) throw new ArgumentNullException("buffer");
            if (offset < 0 || count < 0 || offset > buffer.Length - count)
                throw new ArgumentOutOfRangeException("offset", "offset/count outside the buffer");
        }

        internal delegate int PacketsFn(WSABUF[] bufs, int count);

        /// <summary>Pins the buffers and builds the WSABUF array of a gather send.</summary>
        internal static unsafe bool WithPackets(IList<ArraySegment<byte>> buffers, Func<IntPtr, int, int> send)
        {
            if (buffers == null) throw new ArgumentNullException("buffers");
            int n = buffers.Count;
            GCHandle[] pins = new GCHandle[n];
            WSABUF[] bufs = new WSABUF[n];
            try
            {
                for (int i = 0; i < n; i++)
                {
                    ArraySegment<byte> s = buffers[i];
                    if (s.Array == null) throw new ArgumentNullException("buffers", "segment " + i + " has no array");
                    if (s.Count == 0) continue;
                    pins[i] = GCHandle.Alloc(s.Array, GCHandleType.Pinned);
                    bufs[i].len = (uint)s.Count;
                    bufs[i].buf = (byte*)pins[i].AddrOfPinnedObject() + s.Offset;
                }
                fixed (WSABUF* p = bufs)
                    return send((IntPtr)p, n) != 0;
            }
            finally
            {
                for (int i = 0; i < n; i++)
                    if (pins[i].IsAllocated) pins[i].Free();
            }
        }

        internal static IList<ArraySegment<byte>> Segments(byte[][] buffers)
        {
            if (buffers == null) throw new ArgumentNullException("buffers");
            ArraySegment<byte>[] s = new ArraySegment<byte>[buffers.Length];
            for (int i = 0; i < buffers.Length; i++)
            {
                if (buffers[i] == null) throw new ArgumentNullException("buffers", "buffer " + i + " is null");
                s[i] = new ArraySegment<byte>(buffers[i]);
            }
            return s;
        }

        /// <summary>Pins head and tail of SendSmallFile (either may be null: none).</summary>
        internal static unsafe bool WithHeadTail(byte[] head, byte[] tail, Func<IntPtr, IntPtr, int> send)
        {
            WSABUF h = new WSABUF(), t = new WSABUF();
            fixed (byte* ph = head)
            fixed (byte* pt = tail)
            {
                h.len = head == null ? 0u : (uint)head.Length;
                h.buf = ph;
                t.len = tail == null ? 0u : (uint)tail.Length;
                t.buf = pt;
                return send(head == null ? IntPtr.Zero : (IntPtr)(&h), tail == null ? IntPtr.Zero : (IntPtr)(&t)) != 0;
            }
        }
    }
}
