using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace HPSocket
{
    /// <summary>What <see cref="HPThreadPool.Submit"/> does when the queue is full (<c>En_HP_RejectedPolicy</c>).</summary>
    public enum RejectedPolicy
    {
        /// <summary>Fail at once (<see cref="HP.SysLastError"/> is EXFULL).</summary>
        CallFail = NativeMethods.TRP_CALL_FAIL,
        /// <summary>Wait for room, at most the submit's wait.</summary>
        WaitFor = NativeMethods.TRP_WAIT_FOR,
        /// <summary>Run the task on the submitting thread before Submit returns.</summary>
        CallerRun = NativeMethods.TRP_CALLER_RUN,
    }

    /// <summary>OnStartup, OnShutdown of a thread pool.</summary>
    public delegate void ThreadPoolEventHandler(HPThreadPool pool);
    /// <summary>OnWorkerThreadStart, OnWorkerThreadEnd: on the worker itself; <paramref name="threadId"/> is its <c>pthread_self()</c>.</summary>
    public delegate void WorkerThreadEventHandler(HPThreadPool pool, IntPtr threadId);

    /// <summary>
    /// HP-Socket's thread pool (<c>IHPThreadPool</c>, <c>Create_HP_ThreadPool</c>): worker threads
    /// of the library running the delegates given to <see cref="Submit"/>, with an optional queue
    /// bound and a <see cref="RejectedPolicy"/> for a full queue (docs/abi.md section 21).
    /// </summary>
    /// <remarks>
    /// <para>Named after HP-Socket's own class (<c>CHPThreadPool</c>, the <c>HPThreadPool</c> of
    /// its C# demo SDK) rather than <c>ThreadPool</c>: a program that imports both
    /// <c>System.Threading</c> and <c>HPSocket</c> would otherwise get an ambiguous name (CS0104)
    /// wherever it writes <c>ThreadPool</c>.</para>
    /// <para>Each submitted delegate is held by the binding until it ran, was refused (Submit
    /// returned false) or was dropped by a <see cref="Stop"/> whose wait ran out, and released
    /// exactly once (<see cref="HeldTaskCount"/> counts those held). The native argument of a
    /// task is a ticket number, not a GCHandle: a timed-out Stop drops queued tasks without
    /// telling anyone, so the binding frees them itself, and a worker still holding a dropped
    /// ticket finds nothing where a freed (and maybe reused) GCHandle would be.</para>
    /// <para>An exception from a task or an event handler is caught on the worker and reported
    /// through <see cref="OnCallbackException"/> (standard error without a subscriber); the
    /// worker goes on.</para>
    /// <para>The pool is rooted until <see cref="Dispose"/>, which stops it (every queued task
    /// runs) and may not be called from one of its own tasks or events.</para>
    /// </remarks>
    public sealed class HPThreadPool : IDisposable
    {
        /// <summary>Wait for ever (<c>INFINITE</c>; for Stop and Submit 0 means the same).</summary>
        public const uint Infinite = uint.MaxValue;

        private sealed class Ticket
        {
            internal Action Task;
            internal HPThreadPool Pool;
            /// <summary>Native Submit returned TRUE before a Stop began: if nobody took it by the
            /// time that Stop returns, the Stop dropped it.</summary>
            internal bool Settled;
            /// <summary>The Stop count when Submit began: only a later Stop can have dropped it.</summary>
            internal long Epoch;
        }

        // Native argument -> task: tickets are never reused, so a late or duplicate lookup misses.
        private static readonly ConcurrentDictionary<long, Ticket> s_tickets = new ConcurrentDictionary<long, Ticket>();
        private static long s_nextTicket;
        // Native handle -> pool for the listener trampolines; a handle is never reused either.
        private static readonly ConcurrentDictionary<IntPtr, HPThreadPool> s_pools = new ConcurrentDictionary<IntPtr, HPThreadPool>();

        private static readonly NativeMethods.Fn_TaskProc s_task = TaskCb;
        private static readonly NativeMethods.HP_FN_ThreadPool_OnStartup s_startup = StartupCb;
        private static readonly NativeMethods.HP_FN_ThreadPool_OnShutdown s_shutdown = ShutdownCb;
        private static readonly NativeMethods.HP_FN_ThreadPool_OnWorkerThreadStart s_workerStart = WorkerStartCb;
        private static readonly NativeMethods.HP_FN_ThreadPool_OnWorkerThreadEnd s_workerEnd = WorkerEndCb;

        [ThreadStatic] private static List<HPThreadPool> t_active;

        private readonly ThreadPoolHandle _owner;
        private readonly ThreadPoolListenerHandle _listener;
        private readonly IntPtr _handle;
        private readonly object _sync = new object();
        private long _stopEpoch;
        private int _held;
        private long _dropped;
        private int _state; // 0 alive, 1 disposing, 2 disposed

        /// <summary>Creates a stopped pool.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public HPThreadPool()
        {
            ThreadPoolListenerHandle l = NativeMethods.Create_HP_ThreadPoolListener();
            if (l == null || l.IsInvalid) throw HPSocketException.FromThread("Create_HP_ThreadPoolListener");
            IntPtr lh = l.DangerousGetHandle();
            // Always hooked: the events are plain multicast delegates checked on each call.
            NativeMethods.HP_Set_FN_ThreadPool_OnStartup(lh, s_startup);
            NativeMethods.HP_Set_FN_ThreadPool_OnShutdown(lh, s_shutdown);
            NativeMethods.HP_Set_FN_ThreadPool_OnWorkerThreadStart(lh, s_workerStart);
            NativeMethods.HP_Set_FN_ThreadPool_OnWorkerThreadEnd(lh, s_workerEnd);
            ThreadPoolHandle p = NativeMethods.Create_HP_ThreadPool(lh);
            if (p == null || p.IsInvalid)
            {
                HPSocketException e = HPSocketException.FromThread("Create_HP_ThreadPool");
                l.Dispose();
                throw e;
            }
            _owner = p;
            _listener = l;
            _handle = p.DangerousGetHandle();
            s_pools[_handle] = this;
        }

        /// <summary>The native handle (<c>HP_ThreadPool</c>).</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public IntPtr Handle
        {
            get
            {
                if (Volatile.Read(ref _state) == 2) throw new ObjectDisposedException(GetType().Name);
                return _handle;
            }
        }

        // ---- events ------------------------------------------------------------------------

        /// <summary>Start: on the calling thread, before the workers start.</summary>
        public event ThreadPoolEventHandler OnStartup;
        /// <summary>Stop: on the calling thread, after the workers ended.</summary>
        public event ThreadPoolEventHandler OnShutdown;
        /// <summary>A worker starts (on the worker, before its first task).</summary>
        public event WorkerThreadEventHandler OnWorkerThreadStart;
        /// <summary>A worker ends (on the worker, after its last task).</summary>
        public event WorkerThreadEventHandler OnWorkerThreadEnd;
        /// <summary>A task or an event handler threw; the pool goes on. Without a subscriber the
        /// exception is written to standard error.</summary>
        public event CallbackExceptionEventHandler OnCallbackException;

        // ---- operations --------------------------------------------------------------------

        /// <summary>Starts the workers: <paramref name="threadCount"/> &gt; 0 as given, 0: CPUs × 2 + 2,
        /// negative: CPUs × -n (at most 10 000); <paramref name="maxQueueSize"/> 0: unbounded;
        /// <paramref name="stackSize"/> 0: the default. False when not stopped or for a bad
        /// argument (<see cref="ErrorCode"/>, <see cref="ErrorMessage"/>).</summary>
        public bool Start(int threadCount = 0, uint maxQueueSize = 0, RejectedPolicy policy = RejectedPolicy.CallFail, uint stackSize = 0)
        {
            return NativeMethods.HP_ThreadPool_Start(Handle, unchecked((uint)threadCount), maxQueueSize, (int)policy, stackSize) != 0;
        }

        /// <summary>Queues <paramref name="task"/>. With a full queue the policy decides: CallFail
        /// returns false (EXFULL), WaitFor waits for room at most <paramref name="maxWait"/> ms
        /// (<see cref="Infinite"/> or 0: for ever; a Stop meanwhile refuses it), CallerRun runs the
        /// task here before returning true. False when the pool is not started. A refused task is
        /// never run and its delegate is released at once.</summary>
        public bool Submit(Action task, uint maxWait = Infinite)
        {
            if (task == null) throw new ArgumentNullException("task");
            IntPtr h = Handle;
            long epoch = Volatile.Read(ref _stopEpoch);
            var t = new Ticket { Task = task, Pool = this, Epoch = epoch };
            long id = Interlocked.Increment(ref s_nextTicket);
            s_tickets[id] = t;
            Interlocked.Increment(ref _held);
            if (NativeMethods.HP_ThreadPool_Submit(h, s_task, new IntPtr(id), maxWait) == 0)
            {
                // Refused: nobody else has the ticket. No native call from here on, so the
                // thread's last error and errno stay the submit's.
                Ticket gone;
                if (s_tickets.TryRemove(id, out gone)) Interlocked.Decrement(ref _held);
                return false;
            }
            lock (_sync)
            {
                // Queued before any Stop began: the next Stop either runs it or drops it.
                if (_stopEpoch == epoch) t.Settled = true;
            }
            return true;
        }

        /// <summary>Changes the number of workers of a started pool (as in <see cref="Start"/>):
        /// more start at once, surplus ones exit before taking their next task. Allowed in tasks.</summary>
        public bool AdjustThreadCount(int threadCount)
        {
            return NativeMethods.HP_ThreadPool_AdjustThreadCount(Handle, unchecked((uint)threadCount)) != 0;
        }

        /// <summary>Stops the pool: no new task is taken, the workers run the tasks still queued
        /// and end, then OnShutdown runs here. When <paramref name="maxWait"/> ms (<see cref="Infinite"/>
        /// or 0: for ever) run out first, the tasks still queued are dropped (their delegates
        /// released, counted in <see cref="DroppedTaskCount"/>), tasks running finish on their own,
        /// and the result is false (ECANCELED) with the pool stopped all the same (it may be
        /// started again). False also when not started, and from the pool's own tasks and events.</summary>
        public bool Stop(uint maxWait = Infinite)
        {
            IntPtr h = Handle;
            long epoch;
            lock (_sync) epoch = ++_stopEpoch;
            if (NativeMethods.HP_ThreadPool_Stop(h, maxWait) != 0) return true;
            // Refused from an own task or event: the pool runs on, nothing was dropped. Otherwise
            // the wait ran out (or the pool was stopped already: then nothing is settled).
            // The sweep makes no native call: the thread's last error and errno stay the Stop's.
            if (!IsInOwnCallback()) Sweep(epoch);
            return false;
        }

        /// <summary>Waits until the pool is stopped, at most <paramref name="milliseconds"/>
        /// (<see cref="Infinite"/>: for ever); false when the time ran out (ETIMEDOUT) or from the
        /// pool's own tasks and events.</summary>
        public bool Wait(uint milliseconds = Infinite)
        {
            return NativeMethods.HP_ThreadPool_Wait(Handle, milliseconds) != 0;
        }

        /// <summary>Stops the pool (every queued task runs) and destroys it; harmless twice.</summary>
        /// <exception cref="InvalidOperationException">from one of the pool's own tasks or events
        /// (the pool would wait for itself).</exception>
        public void Dispose()
        {
            if (IsInOwnCallback())
                throw new InvalidOperationException("HPThreadPool.Dispose from one of its own tasks or events: it would wait for itself (dispose it from another thread)");
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
            try
            {
                _owner.Dispose();
                _listener.Dispose();
            }
            finally
            {
                HPThreadPool me;
                s_pools.TryRemove(_handle, out me);
                Volatile.Write(ref _state, 2);
                // Destroy ran every queued task; what is left was dropped by an earlier timed-out
                // Stop and taken by a worker that never got to run it.
                Sweep(long.MaxValue);
            }
        }

        /// <summary>Releases the tickets a Stop numbered <paramref name="epoch"/> dropped: those
        /// queued before it began that nobody took. With <c>long.MaxValue</c> (the pool destroyed,
        /// so no Submit can queue anything any more) every ticket of the pool left.</summary>
        private void Sweep(long epoch)
        {
            bool all = epoch == long.MaxValue;
            lock (_sync)
            {
                foreach (KeyValuePair<long, Ticket> kv in s_tickets)
                {
                    Ticket t = kv.Value;
                    if (!ReferenceEquals(t.Pool, this) || !(all || (t.Settled && t.Epoch < epoch))) continue;
                    Ticket gone;
                    if (s_tickets.TryRemove(kv.Key, out gone))
                    {
                        Interlocked.Decrement(ref _held);
                        Interlocked.Increment(ref _dropped);
                    }
                }
            }
        }

        // ---- state -------------------------------------------------------------------------

        /// <summary>True once <see cref="Dispose"/> has finished.</summary>
        public bool IsDisposed { get { return Volatile.Read(ref _state) == 2; } }
        /// <summary>Starting or started.</summary>
        public bool HasStarted { get { return NativeMethods.HP_ThreadPool_HasStarted(Handle) != 0; } }
        /// <summary>The life-cycle state.</summary>
        public ServiceState State { get { return (ServiceState)NativeMethods.HP_ThreadPool_GetState(Handle); } }
        /// <summary>Tasks waiting in the queue.</summary>
        public uint QueueSize { get { return NativeMethods.HP_ThreadPool_GetQueueSize(Handle); } }
        /// <summary>Tasks running now (caller-run ones included).</summary>
        public uint TaskCount { get { return NativeMethods.HP_ThreadPool_GetTaskCount(Handle); } }
        /// <summary>The number of workers asked for (0 when stopped).</summary>
        public uint ThreadCount { get { return NativeMethods.HP_ThreadPool_GetThreadCount(Handle); } }
        /// <summary>The queue bound given to Start (0: unbounded; 0 when stopped).</summary>
        public uint MaxQueueSize { get { return NativeMethods.HP_ThreadPool_GetMaxQueueSize(Handle); } }
        /// <summary>The policy given to Start (CallFail when stopped).</summary>
        public RejectedPolicy RejectedPolicy { get { return (RejectedPolicy)NativeMethods.HP_ThreadPool_GetRejectedPolicy(Handle); } }

        /// <summary>Delegates the binding holds for this pool: submitted and not yet run to the end,
        /// refused or dropped. 0 once every task ran.</summary>
        public int HeldTaskCount { get { return Volatile.Read(ref _held); } }
        /// <summary>Tasks dropped unrun by Stops whose wait ran out (since creation).</summary>
        public long DroppedTaskCount { get { return Interlocked.Read(ref _dropped); } }

        /// <summary>The calling thread's last failure (the pool has no error record of its own:
        /// HP-Socket's has none); read it right after the call that returned false.</summary>
        public SocketError ErrorCode { get { return HP.ThreadLastError; } }
        /// <summary>The text of the calling thread's last failure.</summary>
        public string ErrorMessage { get { return HP.ThreadLastErrorDesc; } }

        /// <summary>True when the calling thread runs one of this pool's tasks or events.</summary>
        public bool IsInOwnCallback()
        {
            List<HPThreadPool> a = t_active;
            if (a == null) return false;
            for (int i = 0; i < a.Count; i++)
                if (ReferenceEquals(a[i], this)) return true;
            return false;
        }

        // ---- trampolines -------------------------------------------------------------------

        private static void Enter(HPThreadPool p)
        {
            List<HPThreadPool> a = t_active;
            if (a == null) t_active = a = new List<HPThreadPool>(2);
            a.Add(p);
        }

        private static void Leave(HPThreadPool p)
        {
            List<HPThreadPool> a = t_active;
            if (a != null && a.Count > 0 && ReferenceEquals(a[a.Count - 1], p)) a.RemoveAt(a.Count - 1);
        }

        private static void Report(HPThreadPool p, string what, Exception e)
        {
            try
            {
                CallbackExceptionEventHandler h = p != null ? p.OnCallbackException : null;
                if (h != null) h(p, what, e);
                else Console.Error.WriteLine("HPSocket: thread pool {0} threw: {1}", what, e);
            }
            catch (Exception)
            {
                // the exception handler threw too: nothing more to do on a native thread
            }
        }

        private static void TaskCb(IntPtr arg)
        {
            Ticket t;
            // Missing: a Stop dropped it while this worker was taking it; it counts as dropped.
            if (!s_tickets.TryRemove(arg.ToInt64(), out t)) return;
            HPThreadPool p = t.Pool;
            try
            {
                Enter(p);
                try { t.Task(); }
                finally { Leave(p); }
            }
            catch (Exception e) { Report(p, "task", e); }
            finally { Interlocked.Decrement(ref p._held); }
        }

        private static void Fire(IntPtr sender, string what, Action<HPThreadPool> f)
        {
            HPThreadPool p = null;
            try
            {
                if (!s_pools.TryGetValue(sender, out p)) return;
                Enter(p);
                try { f(p); }
                finally { Leave(p); }
            }
            catch (Exception e) { Report(p, what, e); }
        }

        private static void StartupCb(IntPtr pool)
        {
            Fire(pool, "OnStartup", p => { ThreadPoolEventHandler h = p.OnStartup; if (h != null) h(p); });
        }

        private static void ShutdownCb(IntPtr pool)
        {
            Fire(pool, "OnShutdown", p => { ThreadPoolEventHandler h = p.OnShutdown; if (h != null) h(p); });
        }

        private static void WorkerStartCb(IntPtr pool, IntPtr threadId)
        {
            Fire(pool, "OnWorkerThreadStart", p => { WorkerThreadEventHandler h = p.OnWorkerThreadStart; if (h != null) h(p, threadId); });
        }

        private static void WorkerEndCb(IntPtr pool, IntPtr threadId)
        {
            Fire(pool, "OnWorkerThreadEnd", p => { WorkerThreadEventHandler h = p.OnWorkerThreadEnd; if (h != null) h(p, threadId); });
        }
    }
}
