using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace HPSocket
{
    /// <summary>
    /// A connection closed before the Task of <see cref="TcpAgent.ConnectAsync(string, ushort)"/>
    /// or <see cref="TcpClient.StartAsync(string, ushort, string, ushort)"/> completed: the
    /// operation and error code its OnClose got (a refused connect: Connect, ECONNREFUSED).
    /// <see cref="HPSocketException.ErrorCode"/> is <see cref="SocketError.ConnectServer"/> for a
    /// close during the connect, <see cref="SocketError.Network"/> otherwise.
    /// </summary>
    public class ConnectionClosedException : HPSocketException
    {
        /// <summary>The connection (zero when the component stopped).</summary>
        public IntPtr ConnId { get; private set; }

        /// <summary>The operation OnClose named.</summary>
        public SocketOperation Operation { get; private set; }

        /// <summary>The error code (errno) OnClose got.</summary>
        public int ErrorNumber { get; private set; }

        /// <summary>The close of <paramref name="connId"/> during <paramref name="operation"/> with <paramref name="errorNumber"/>.</summary>
        public ConnectionClosedException(IntPtr connId, SocketOperation operation, int errorNumber)
            : base(operation == SocketOperation.Connect ? SocketError.ConnectServer : SocketError.Network,
                "connection " + connId + " closed: OnClose(" + operation + ", " + errorNumber + ")")
        {
            ConnId = connId;
            Operation = operation;
            ErrorNumber = errorNumber;
        }
    }

    /// <summary>
    /// The pending connects of one agent or client and the Tasks of the *Async methods.
    /// Every TaskCompletionSource here is made with RunContinuationsAsynchronously: it is
    /// completed from a callback on the library's I/O worker thread, and without that option
    /// TrySetResult would run the awaiting code (an <c>await</c> continuation, a ContinueWith)
    /// right there, so a continuation that blocks (a .Wait() or .Result on another Task, a
    /// synchronous Connect, a lock) would stall every connection of that worker, or deadlock
    /// waiting for an event only that worker can deliver. With it the continuations go to the
    /// ThreadPool.
    /// </summary>
    internal sealed class AsyncConnects
    {
        internal sealed class Pending
        {
            internal readonly TaskCompletionSource<IntPtr> Tcs =
                new TaskCompletionSource<IntPtr>(TaskCreationOptions.RunContinuationsAsynchronously);
            internal readonly object Owner;
            /// <summary>Ready on OnHandShake (ARQ, SSL with automatic handshakes), else on OnConnect.</summary>
            internal readonly bool OnHandShake;
            internal IntPtr ConnId;

            internal Pending(object owner, bool onHandShake)
            {
                Owner = owner;
                OnHandShake = onHandShake;
            }
        }

        /// <summary>The connect being made on this thread (its OnPrepareConnect names its ID).</summary>
        [ThreadStatic] private static Pending t_preparing;

        private readonly ConcurrentDictionary<IntPtr, Pending> _connects = new ConcurrentDictionary<IntPtr, Pending>();
        private Pending _start;
        private readonly object _owner;
        private readonly bool _client;

        internal AsyncConnects(object owner, bool client)
        {
            _owner = owner;
            _client = client;
        }

        internal Pending Begin(bool onHandShake)
        {
            Pending p = new Pending(_owner, onHandShake);
            if (_client)
            {
                if (Interlocked.CompareExchange(ref _start, p, null) != null) return null;
            }
            else
            {
                t_preparing = p;
            }
            return p;
        }

        /// <summary>The connect call returned; <paramref name="error"/> non-null when it failed at once.</summary>
        internal void End(Pending p, IntPtr connId, Exception error)
        {
            if (ReferenceEquals(t_preparing, p)) t_preparing = null;
            if (error != null)
            {
                if (p.ConnId != IntPtr.Zero) RemoveExact(p.ConnId, p);
                Interlocked.CompareExchange(ref _start, null, p);
                // The Task is not handed out yet: nothing awaits it, nothing runs here.
                p.Tcs.TrySetException(error);
            }
            else if (!_client && p.ConnId == IntPtr.Zero)
            {
                // No OnPrepareConnect seen (not expected): register under the returned ID.
                p.ConnId = connId;
                _connects.TryAdd(connId, p);
            }
        }

        private bool RemoveExact(IntPtr connId, Pending p)
        {
            return ((ICollection<KeyValuePair<IntPtr, Pending>>)_connects).Remove(new KeyValuePair<IntPtr, Pending>(connId, p));
        }

        /// <summary>OnPrepareConnect (on the thread calling Connect).</summary>
        internal void Prepared(IntPtr connId)
        {
            Pending p = t_preparing;
            if (p != null && ReferenceEquals(p.Owner, _owner) && p.ConnId == IntPtr.Zero)
            {
                p.ConnId = connId;
                _connects[connId] = p;
            }
        }

        /// <summary>OnConnect or OnHandShake returned something other than Error.</summary>
        internal void Ready(IntPtr connId, bool handShake)
        {
            Pending p;
            if (_client)
            {
                p = Volatile.Read(ref _start);
                if (p == null || p.OnHandShake != handShake) return;
                if (Interlocked.CompareExchange(ref _start, null, p) != p) return;
            }
            else
            {
                if (!_connects.TryGetValue(connId, out p) || p.OnHandShake != handShake) return;
                if (!RemoveExact(connId, p)) return;
            }
            p.Tcs.TrySetResult(connId);
        }

        /// <summary>OnClose.</summary>
        internal void Closed(IntPtr connId, SocketOperation operation, int errorCode)
        {
            Pending p;
            if (_client) p = Interlocked.Exchange(ref _start, null);
            else if (!_connects.TryRemove(connId, out p)) p = null;
            if (p != null) p.Tcs.TrySetException(new ConnectionClosedException(connId, operation, errorCode));
        }

        /// <summary>Runs <paramref name="stop"/> then <paramref name="wait"/> on the ThreadPool: the
        /// Task completes once stopped. Off the caller's thread, so it also works from the
        /// component's own callbacks (where Stop would refuse to wait for itself).</summary>
        internal static Task StopAsync(Func<bool> stop, Func<int, bool> wait)
        {
            return Task.Factory.StartNew(() => { stop(); wait(Timeout.Infinite); }, CancellationToken.None,
                TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        }

        /// <summary>Wait on a thread of its own (LongRunning): a wait for ever must not hold one of
        /// the ThreadPool's few threads, which the completions above need.</summary>
        internal static Task<bool> WaitAsync(Func<int, bool> wait, int milliseconds)
        {
            return Task.Factory.StartNew(() => wait(milliseconds), CancellationToken.None,
                TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        }

        internal static Task Done(bool ok, Component c, string what)
        {
            if (ok) return Task.CompletedTask;
            TaskCompletionSource<bool> t = new TaskCompletionSource<bool>();
            t.SetException(new HPSocketException(c.ErrorCode, what + ": " + c.ErrorMessage));
            return t.Task;
        }
    }
}
