using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>HPThreadPool (docs/abi.md section 21): every submitted delegate runs exactly once or
    /// is refused/dropped, and the binding releases it exactly once (HeldTaskCount back to 0). Busy
    /// workers are held by gates the test opens, never by sleeps, so each outcome is forced.</summary>
    public static class ThreadPoolTests
    {
        private const int EXFULL = 54;
        private const int ECANCELED = 125;
        private const int ETIMEDOUT = 110;

        private sealed class Counters
        {
            public int Startups, Shutdowns, WorkerStarts, WorkerEnds, Exceptions;
            public readonly ConcurrentDictionary<IntPtr, int> Workers = new ConcurrentDictionary<IntPtr, int>();

            public Counters(HPThreadPool pool)
            {
                pool.OnStartup += p => Interlocked.Increment(ref Startups);
                pool.OnShutdown += p => Interlocked.Increment(ref Shutdowns);
                pool.OnWorkerThreadStart += (p, id) => { Workers[id] = 1; Interlocked.Increment(ref WorkerStarts); };
                pool.OnWorkerThreadEnd += (p, id) => Interlocked.Increment(ref WorkerEnds);
                pool.OnCallbackException += (s, what, e) => Interlocked.Increment(ref Exceptions);
            }
        }

        [Test]
        public static void Ten_thousand_tasks_through_a_bounded_queue_run_exactly_once()
        {
            using (var pool = new HPThreadPool())
            {
                var c = new Counters(pool);
                Assert.Equal(ServiceState.Stopped, pool.State, "state before Start");
                Assert.True(pool.Start(4, 16, RejectedPolicy.WaitFor), "Start: " + pool.ErrorMessage);
                Assert.Equal(1, c.Startups, "OnStartup before Start returns");
                Assert.True(pool.HasStarted, "HasStarted");
                Assert.Equal(ServiceState.Started, pool.State, "state");
                Assert.Equal(4u, pool.ThreadCount, "ThreadCount");
                Assert.Equal(16u, pool.MaxQueueSize, "MaxQueueSize");
                Assert.Equal(RejectedPolicy.WaitFor, pool.RejectedPolicy, "RejectedPolicy");
                bool waited = pool.Wait(50);
                int errno = HP.SysLastError;
                Assert.False(waited, "Wait(50) on a running pool");
                Assert.Equal(ETIMEDOUT, errno, "errno of Wait");
                Assert.False(pool.Start(2), "a second Start");
                Assert.Equal(SocketError.IllegalState, pool.ErrorCode, "second Start's error");

                const int N = 10000;
                int[] runs = new int[N];
                uint maxQueued = 0;
                for (int i = 0; i < N; i++)
                {
                    int k = i;
                    Assert.True(pool.Submit(() => Interlocked.Increment(ref runs[k])), "Submit " + i + ": " + pool.ErrorMessage);
                    maxQueued = Math.Max(maxQueued, pool.QueueSize);
                }
                Assert.True(maxQueued <= 16, "the queue never held more than 16 (saw " + maxQueued + ")");
                Assert.True(pool.Stop(), "Stop: " + pool.ErrorMessage);
                for (int i = 0; i < N; i++)
                    if (runs[i] != 1) throw new AssertionException("task " + i + " ran " + runs[i] + " times");
                Assert.Equal(0, pool.HeldTaskCount, "delegates held after Stop");
                Assert.Equal(0L, pool.DroppedTaskCount, "dropped");
                Assert.Equal(1, c.Shutdowns, "OnShutdown before Stop returns");
                Assert.Equal(4, c.WorkerStarts, "OnWorkerThreadStart");
                Assert.Equal(4, c.WorkerEnds, "OnWorkerThreadEnd before Stop returns");
                Assert.Equal(4, c.Workers.Count, "four distinct worker thread IDs");
                Assert.Equal(ServiceState.Stopped, pool.State, "state after Stop");
                Assert.Equal(0u, pool.ThreadCount, "ThreadCount after Stop");
                Assert.Equal(0u, pool.MaxQueueSize, "MaxQueueSize after Stop");
                Assert.Equal(RejectedPolicy.CallFail, pool.RejectedPolicy, "RejectedPolicy after Stop");

                bool ran = false;
                Assert.False(pool.Submit(() => ran = true), "Submit to a stopped pool");
                Assert.Equal(SocketError.IllegalState, pool.ErrorCode, "Submit to a stopped pool: error");
                Assert.False(ran, "a refused task never runs");
                Assert.Equal(0, pool.HeldTaskCount, "a refused delegate is released at once");
                Assert.False(pool.Stop(), "Stop when stopped");
                Assert.True(pool.Wait(), "Wait on a stopped pool");
                Assert.Equal(0, c.Exceptions, "no handler threw");
            }
        }

        [Test]
        public static void Full_queue_policies_call_fail_wait_for_and_caller_run()
        {
            using (var pool = new HPThreadPool())
            using (var gate = new ManualResetEventSlim())
            using (var entered = new ManualResetEventSlim())
            {
                Assert.True(pool.Start(1, 1, RejectedPolicy.CallFail), "Start: " + pool.ErrorMessage);
                int ranB = 0, ranC = 0;
                Assert.True(pool.Submit(() => { entered.Set(); gate.Wait(); }), "Submit A");
                Assert.Wait(entered, "task A running");
                Assert.True(pool.Submit(() => Interlocked.Increment(ref ranB)), "Submit B (queued)");
                Assert.Equal(1u, pool.QueueSize, "B waits in the queue");
                Assert.Equal(1u, pool.TaskCount, "A runs");
                bool ok = pool.Submit(() => Interlocked.Increment(ref ranC));
                int errno = HP.SysLastError;
                SocketError code = pool.ErrorCode;
                Assert.False(ok, "CallFail: Submit C to a full queue");
                Assert.Equal(EXFULL, errno, "errno of the refusal");
                Assert.Equal(SocketError.IllegalState, code, "error of the refusal");
                Assert.Equal(2, pool.HeldTaskCount, "A and B held, C released");
                gate.Set();
                Assert.True(pool.Stop(), "Stop");
                Assert.Equal(1, ranB, "B ran");
                Assert.Equal(0, ranC, "C never ran");
                Assert.Equal(0, pool.HeldTaskCount, "held after Stop");

                // WaitFor with a bounded wait: the queue stays full (the worker is gated), so the
                // wait runs out whatever the machine's speed.
                gate.Reset();
                entered.Reset();
                Assert.True(pool.Start(1, 1, RejectedPolicy.WaitFor), "Start WaitFor");
                Assert.True(pool.Submit(() => { entered.Set(); gate.Wait(); }), "Submit A");
                Assert.Wait(entered, "task A running");
                Assert.True(pool.Submit(() => Interlocked.Increment(ref ranB)), "Submit B (queued)");
                ok = pool.Submit(() => Interlocked.Increment(ref ranC), 50);
                errno = HP.SysLastError;
                Assert.False(ok, "WaitFor: no room within 50 ms");
                Assert.Equal(EXFULL, errno, "errno after the wait");
                // A submitter waiting for ever gets its room once the worker moves on (or at once,
                // should the gate open first: D is queued either way).
                int ranD = 0;
                bool submittedD = false;
                var submitter = new Thread(() => submittedD = pool.Submit(() => Interlocked.Increment(ref ranD)));
                submitter.Start();
                gate.Set();
                Assert.True(submitter.Join(TimeSpan.FromSeconds(30)), "the waiting Submit returns");
                Assert.True(submittedD, "the waiting Submit succeeds");
                Assert.True(pool.Stop(), "Stop");
                Assert.Equal(2, ranB, "B ran (twice in all: once per run)");
                Assert.Equal(1, ranD, "D ran after waiting for room");
                Assert.Equal(0, ranC, "C never ran");

                // CallerRun: the submitting thread runs the task before Submit returns.
                gate.Reset();
                entered.Reset();
                Assert.True(pool.Start(1, 1, RejectedPolicy.CallerRun), "Start CallerRun");
                Assert.True(pool.Submit(() => { entered.Set(); gate.Wait(); }), "Submit A");
                Assert.Wait(entered, "task A running");
                Assert.True(pool.Submit(() => Interlocked.Increment(ref ranB)), "Submit B (queued)");
                int me = Thread.CurrentThread.ManagedThreadId, where = 0;
                bool inOwn = false;
                Assert.True(pool.Submit(() => { where = Thread.CurrentThread.ManagedThreadId; inOwn = pool.IsInOwnCallback(); }), "Submit E (caller runs)");
                Assert.Equal(me, where, "E ran on the submitting thread");
                Assert.True(inOwn, "E counts as the pool's own task");
                gate.Set();
                Assert.True(pool.Stop(), "Stop");
                Assert.Equal(3, ranB, "B ran");
                Assert.Equal(0, pool.HeldTaskCount, "held at the end");
            }
        }

        [Test]
        public static void Stop_with_tasks_pending_drains_or_drops_them()
        {
            using (var pool = new HPThreadPool())
            using (var gate = new ManualResetEventSlim())
            using (var entered = new ManualResetEventSlim())
            {
                var c = new Counters(pool);
                // An unbounded wait: the queued tasks all run before Stop returns; a Submit while
                // the pool stops is refused.
                Assert.True(pool.Start(1), "Start");
                Assert.True(pool.Submit(() => { entered.Set(); gate.Wait(); }), "Submit the gated task");
                Assert.Wait(entered, "the gated task running");
                int ran = 0;
                for (int i = 0; i < 500; i++)
                    Assert.True(pool.Submit(() => Interlocked.Increment(ref ran)), "Submit " + i);
                bool stopped = false;
                var stopper = new Thread(() => stopped = pool.Stop());
                stopper.Start();
                Assert.Until(() => pool.State == ServiceState.Stopping, "the pool stopping");
                Assert.False(pool.Submit(() => Interlocked.Increment(ref ran)), "Submit while stopping");
                gate.Set();
                Assert.True(stopper.Join(TimeSpan.FromSeconds(30)), "Stop returns");
                Assert.True(stopped, "Stop drained the queue");
                Assert.Equal(500, ran, "every queued task ran");
                Assert.Equal(0, pool.HeldTaskCount, "held after the drain");

                // A bounded wait that runs out: the 100 queued tasks are dropped, the gated one
                // finishes on its own afterwards, and the pool can start again.
                gate.Reset();
                entered.Reset();
                ran = 0;
                var finished = new ManualResetEventSlim();
                Assert.True(pool.Start(1), "Start again");
                Assert.True(pool.Submit(() => { entered.Set(); gate.Wait(); finished.Set(); }), "Submit the gated task");
                Assert.Wait(entered, "the gated task running");
                for (int i = 0; i < 100; i++)
                    Assert.True(pool.Submit(() => Interlocked.Increment(ref ran)), "Submit " + i);
                bool ok = pool.Stop(100);
                int errno = HP.SysLastError;
                Assert.False(ok, "Stop(100) with a task that cannot finish");
                Assert.Equal(ECANCELED, errno, "errno of the timed-out Stop");
                Assert.Equal(ServiceState.Stopped, pool.State, "stopped all the same");
                Assert.Equal(100L, pool.DroppedTaskCount, "dropped");
                Assert.Equal(1, pool.HeldTaskCount, "only the running task is held");
                gate.Set();
                Assert.Wait(finished, "the running task finishes after the Stop");
                Assert.Until(() => pool.HeldTaskCount == 0, "the running task's delegate released");
                Assert.Equal(0, ran, "no dropped task ran");
                Assert.Until(() => c.WorkerEnds == c.WorkerStarts, "the abandoned worker ends");

                Assert.True(pool.Start(2), "restartable after a timed-out Stop: " + pool.ErrorMessage);
                for (int i = 0; i < 10; i++)
                    Assert.True(pool.Submit(() => Interlocked.Increment(ref ran)), "Submit after restart " + i);
                Assert.True(pool.Stop(), "Stop");
                Assert.Equal(10, ran, "the new run's tasks ran");
                Assert.Equal(100L, pool.DroppedTaskCount, "nothing more dropped");
                Assert.Equal(0, pool.HeldTaskCount, "held at the end");
            }
        }

        [Test]
        public static void AdjustThreadCount_while_busy()
        {
            using (var pool = new HPThreadPool())
            using (var gate = new ManualResetEventSlim())
            {
                var c = new Counters(pool);
                Assert.True(pool.Start(2), "Start");
                int entered = 0;
                for (int i = 0; i < 4; i++)
                    Assert.True(pool.Submit(() => { Interlocked.Increment(ref entered); gate.Wait(); }), "Submit " + i);
                Assert.Until(() => Volatile.Read(ref entered) == 2, "two workers busy");
                Assert.Equal(2u, pool.QueueSize, "two tasks wait");
                Assert.True(pool.AdjustThreadCount(4), "grow to 4: " + pool.ErrorMessage);
                Assert.Equal(4u, pool.ThreadCount, "ThreadCount after growing");
                Assert.Until(() => Volatile.Read(ref entered) == 4, "the new workers take the waiting tasks");
                Assert.Equal(4u, pool.TaskCount, "four tasks run at once");
                Assert.Equal(4, c.WorkerStarts, "two more workers started");

                Assert.True(pool.AdjustThreadCount(1), "shrink to 1 while all four are busy");
                Assert.Equal(1u, pool.ThreadCount, "ThreadCount after shrinking");
                Assert.Equal(4u, pool.TaskCount, "running tasks are not interrupted");
                gate.Set();
                Assert.Until(() => Volatile.Read(ref c.WorkerEnds) == 3, "three surplus workers end");

                int running = 0, most = 0;
                for (int i = 0; i < 50; i++)
                    Assert.True(pool.Submit(() =>
                    {
                        int now = Interlocked.Increment(ref running);
                        int seen;
                        while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
                        Thread.Yield();
                        Interlocked.Decrement(ref running);
                    }), "Submit " + i);
                Assert.True(pool.Stop(), "Stop");
                Assert.Equal(1, most, "one worker left: tasks ran one at a time");

                // From inside a task: AdjustThreadCount works; Stop, Wait and Dispose are refused.
                Assert.True(pool.Start(1), "Start again");
                bool adjusted = false, stopRefused = false, waitRefused = false, disposeRefused = false;
                SocketError stopError = SocketError.Ok;
                var done = new ManualResetEventSlim();
                Assert.True(pool.Submit(() =>
                {
                    adjusted = pool.AdjustThreadCount(3);
                    stopRefused = !pool.Stop();
                    stopError = pool.ErrorCode;
                    waitRefused = !pool.Wait(10);
                    try { pool.Dispose(); }
                    catch (InvalidOperationException) { disposeRefused = true; }
                    done.Set();
                }), "Submit the re-entrant task");
                Assert.Wait(done, "the re-entrant task");
                Assert.True(adjusted, "AdjustThreadCount inside a task");
                Assert.True(stopRefused, "Stop inside a task is refused");
                Assert.Equal(SocketError.IllegalState, stopError, "Stop inside a task: error");
                Assert.True(waitRefused, "Wait inside a task is refused");
                Assert.True(disposeRefused, "Dispose inside a task throws");
                Assert.True(pool.HasStarted, "the pool still runs");
                Assert.Equal(3u, pool.ThreadCount, "ThreadCount set from the task");
                Assert.True(pool.Stop(), "Stop");
                Assert.Equal(0L, pool.DroppedTaskCount, "the refused Stop dropped nothing");
                Assert.Equal(0, pool.HeldTaskCount, "held at the end");
            }
        }

        /// <summary>Submits from a short-lived thread so that no stack of this test refers to the
        /// delegates; returns weak references to them.</summary>
        private static List<WeakReference> SubmitFromThread(HPThreadPool pool, int count, Func<Action> make, List<bool> results)
        {
            var refs = new List<WeakReference>();
            var t = new Thread(() =>
            {
                for (int i = 0; i < count; i++)
                {
                    Action a = make();
                    refs.Add(new WeakReference(a));
                    results.Add(pool.Submit(a));
                }
            });
            t.Start();
            t.Join();
            return refs;
        }

        [Test]
        public static void Delegates_are_released_exactly_once()
        {
            using (var gate = new ManualResetEventSlim())
            using (var entered = new ManualResetEventSlim())
            {
                var pool = new HPThreadPool();
                var c = new Counters(pool);
                int ran = 0;
                // Tasks that run, some of them throwing: each delegate is released after it ran.
                Assert.True(pool.Start(3), "Start");
                for (int i = 0; i < 1000; i++)
                {
                    int k = i;
                    Assert.True(pool.Submit(() =>
                    {
                        Interlocked.Increment(ref ran);
                        if (k % 10 == 0) throw new InvalidOperationException("task " + k + " throws");
                    }), "Submit " + i);
                }
                Assert.True(pool.Stop(), "Stop");
                Assert.Equal(1000, ran, "ran");
                Assert.Equal(100, c.Exceptions, "thrown exceptions reported");
                Assert.Equal(0, pool.HeldTaskCount, "held after running (throwing ones too)");

                // Refused and dropped delegates: released, and collectable.
                Assert.True(pool.Start(1, 2, RejectedPolicy.CallFail), "Start");
                Assert.True(pool.Submit(() => { entered.Set(); gate.Wait(); }), "Submit the gated task");
                Assert.Wait(entered, "the gated task running");
                var results = new List<bool>();
                List<WeakReference> refs = SubmitFromThread(pool, 10, () => { var box = new byte[1000]; return () => box[0]++; }, results);
                Assert.Equal(2, results.FindAll(r => r).Count, "two queued");
                Assert.Equal(8, results.FindAll(r => !r).Count, "eight refused");
                Assert.Equal(3, pool.HeldTaskCount, "held: the gated task and the two queued");
                Assert.False(pool.Stop(50), "a Stop that runs out");
                Assert.Equal(2L, pool.DroppedTaskCount, "the two queued were dropped");
                Assert.Equal(1, pool.HeldTaskCount, "held: the gated task only");
                gate.Set();
                Assert.Until(() => pool.HeldTaskCount == 0, "the gated task's delegate released");
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                Assert.Equal(0, refs.FindAll(r => r.IsAlive).Count, "refused and dropped delegates collected");

                pool.Dispose();
                pool.Dispose();
                Assert.True(pool.IsDisposed, "IsDisposed");
                Assert.Equal(0, pool.HeldTaskCount, "held after Dispose");
                Assert.Throws<ObjectDisposedException>(() => pool.Submit(() => { }), "Submit after Dispose");

                // Dispose of a running pool runs every queued task first.
                var pool2 = new HPThreadPool();
                ran = 0;
                Assert.True(pool2.Start(2), "Start pool2");
                for (int i = 0; i < 200; i++)
                    Assert.True(pool2.Submit(() => Interlocked.Increment(ref ran)), "Submit " + i);
                pool2.Dispose();
                Assert.Equal(200, ran, "Dispose drained the queue");
                Assert.Equal(0, pool2.HeldTaskCount, "pool2 holds nothing");
            }
        }
    }
}
