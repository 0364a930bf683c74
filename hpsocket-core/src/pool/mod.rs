//! A thread pool with HP-Socket's rules (`IHPThreadPool`): a task queue with an optional
//! bound and a policy for a full queue, worker threads that can be added or removed while
//! tasks run, and a listener told about start, shutdown and every worker thread.
//!
//! The queue is a `VecDeque` under the pool's mutex with condition variables, not a channel:
//! a submitter waiting for room (`RejectedPolicy::WaitFor`) must be woken and refused when the
//! pool stops, and a worker decides to exit (shrinking) under the same lock that hands out
//! tasks; a blocked channel send can do neither.
//!
//! Rules (HP-Socket's, from its `HPThreadPool.cpp`, unless noted):
//! - thread count 0 means `CPUs × 2 + 2`; a "negative" count (a `u32` read as `i32`) means
//!   `CPUs × -n`;
//! - `stop` lets the workers run every task still queued, for at most `max_wait`; tasks still
//!   queued then are dropped (a dropped task is destroyed, never leaked) and `stop` reports
//!   `ECANCELED`. HP-Socket then cancels the threads still running a task; Rust cannot, so
//!   they finish that task and exit without taking another;
//! - shrinking (`adjust_thread_count`) never interrupts a task: a surplus worker exits before
//!   taking its next task (HP-Socket's exit only once the queue is empty);
//! - a panic in a task is caught; the worker goes on with the next task.

use std::cell::Cell;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};
use crate::types::ServiceState;

#[cfg(test)]
mod tests;

/// Most worker threads one pool may have: a larger count is almost surely a mistake (a
/// negative count read as unsigned), so it is refused instead of exhausting the process.
pub const MAX_POOL_THREADS: usize = 10_000;

/// What `submit` does when the queue is full (`En_HP_RejectedPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum RejectedPolicy {
    /// `TRP_CALL_FAIL`: fail at once (`EXFULL`).
    #[default]
    CallFail = 0,
    /// `TRP_WAIT_FOR`: wait for room, at most the submit's `max_wait`.
    WaitFor = 1,
    /// `TRP_CALLER_RUN`: run the task on the submitting thread.
    CallerRun = 2,
}

impl RejectedPolicy {
    /// The policy with C value `code`.
    pub fn from_code(code: i32) -> Option<RejectedPolicy> {
        match code {
            0 => Some(RejectedPolicy::CallFail),
            1 => Some(RejectedPolicy::WaitFor),
            2 => Some(RejectedPolicy::CallerRun),
            _ => None,
        }
    }
}

/// A unit of work. Dropping a task that never ran must release what it holds.
pub trait Task: Send + 'static {
    /// Runs the task (on a worker, or on the submitter with `CallerRun`).
    fn run(self: Box<Self>);
}

impl<F: FnOnce() + Send + 'static> Task for F {
    fn run(self: Box<Self>) {
        (*self)()
    }
}

/// Events of a pool (`IHPThreadPoolListener`). Every method has an empty default.
pub trait PoolListener: Send + Sync {
    /// The pool is starting, before its workers (on the thread calling `start`).
    fn on_startup(&self) {}
    /// The pool has stopped: every worker has ended (on the thread calling `stop`).
    fn on_shutdown(&self) {}
    /// A worker thread begins, on that thread.
    fn on_worker_thread_start(&self) {}
    /// A worker thread ends, on that thread.
    fn on_worker_thread_end(&self) {}
}

/// A listener that hears nothing.
pub struct NoPoolListener;
impl PoolListener for NoPoolListener {}

/// A task `submit` did not take, handed back with the reason.
pub struct Refused<T> {
    /// Why: `SE_ILLEGAL_STATE` (not started, stopping), or a full queue (`errno` `EXFULL`).
    pub error: Error,
    /// The task, still the caller's.
    pub task: T,
}

impl<T> std::fmt::Debug for Refused<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refused")
            .field("error", &self.error)
            .finish()
    }
}

static NEXT_POOL_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// The pool whose task or callback runs on this thread (0: none).
    static CURRENT_POOL: Cell<usize> = const { Cell::new(0) };
}

/// Marks this thread as running one of `id`'s tasks or callbacks while alive.
struct Mark(usize);

impl Mark {
    fn enter(id: usize) -> Mark {
        Mark(CURRENT_POOL.with(|c| c.replace(id)))
    }
}

impl Drop for Mark {
    fn drop(&mut self) {
        CURRENT_POOL.with(|c| c.set(self.0));
    }
}

struct Inner {
    state: ServiceState,
    queue: VecDeque<Box<dyn Task>>,
    max_queue: usize,
    policy: RejectedPolicy,
    stack_size: usize,
    /// The thread count asked for.
    target: usize,
    /// Workers counted against `target` (not yet decided to exit).
    live: usize,
    /// Workers of this run whose thread has not ended yet.
    alive: usize,
    /// The run (start) the workers belong to; a stop that timed out starts a new one, so the
    /// workers it abandoned stop taking tasks and counting.
    run: u64,
    next_worker: usize,
}

struct Shared {
    id: usize,
    inner: Mutex<Inner>,
    /// Tasks queued, or workers asked to exit.
    work: Condvar,
    /// Room in the queue, or the pool stopping.
    room: Condvar,
    /// A worker ended, or the state changed.
    changed: Condvar,
    /// Serialises `start` and `stop`.
    life: Mutex<()>,
    running: AtomicUsize,
    listener: Arc<dyn PoolListener>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // No update under these locks can be left half done by a panic (tasks run unlocked).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs a listener method; a panic in it is contained.
fn notify(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

/// The thread pool.
pub struct ThreadPool {
    shared: Arc<Shared>,
}

impl ThreadPool {
    /// A stopped pool reporting to `listener`.
    pub fn new(listener: Arc<dyn PoolListener>) -> ThreadPool {
        ThreadPool {
            shared: Arc::new(Shared {
                id: NEXT_POOL_ID.fetch_add(1, Ordering::Relaxed),
                inner: Mutex::new(Inner {
                    state: ServiceState::Stopped,
                    queue: VecDeque::new(),
                    max_queue: 0,
                    policy: RejectedPolicy::CallFail,
                    stack_size: 0,
                    target: 0,
                    live: 0,
                    alive: 0,
                    run: 0,
                    next_worker: 0,
                }),
                work: Condvar::new(),
                room: Condvar::new(),
                changed: Condvar::new(),
                life: Mutex::new(()),
                running: AtomicUsize::new(0),
                listener,
            }),
        }
    }

    /// The thread count HP-Socket means by `count`: 0 → `CPUs × 2 + 2`, negative (as `i32`)
    /// → `CPUs × -count`.
    pub fn resolve_thread_count(count: u32) -> usize {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        match count as i32 {
            0 => cpus * 2 + 2,
            n if n < 0 => cpus.saturating_mul(n.unsigned_abs() as usize),
            n => n as usize,
        }
    }

    /// Whether this thread is running one of this pool's tasks or listener callbacks: what
    /// would wait for itself there (`stop`, `wait`, a destroy) is refused.
    pub fn in_own_thread(&self) -> bool {
        CURRENT_POOL.with(|c| c.get()) == self.shared.id
    }

    fn refuse_own(&self, what: &str) -> Result<()> {
        if self.in_own_thread() {
            return Err(Error::illegal_state(format!(
                "{what} called from one of the pool's own tasks or callbacks would wait for \
                 itself; call it from another thread"
            )));
        }
        Ok(())
    }

    /// Starts `thread_count` workers (see [`ThreadPool::resolve_thread_count`]) with a queue
    /// of at most `max_queue` tasks (0: unbounded), `policy` for a full queue, and
    /// `stack_size` bytes of stack per worker (0: the default).
    pub fn start(
        &self,
        thread_count: u32,
        max_queue: u32,
        policy: RejectedPolicy,
        stack_size: u32,
    ) -> Result<()> {
        self.refuse_own("Start")?;
        let count = Self::resolve_thread_count(thread_count);
        if count > MAX_POOL_THREADS {
            return Err(Error::invalid_param(format!(
                "thread count {count} is above the limit of {MAX_POOL_THREADS}"
            )));
        }
        let _life = lock(&self.shared.life);
        {
            let mut g = lock(&self.shared.inner);
            if g.state != ServiceState::Stopped {
                return Err(Error::illegal_state("the pool is not stopped"));
            }
            g.state = ServiceState::Starting;
            g.max_queue = max_queue as usize;
            g.policy = policy;
            g.stack_size = stack_size as usize;
        }
        {
            let _mark = Mark::enter(self.shared.id);
            notify(|| self.shared.listener.on_startup());
        }
        let spawned = {
            let mut g = lock(&self.shared.inner);
            g.target = count;
            self.spawn(&mut g, count)
        };
        if let Err(e) = spawned {
            let _ = self.shut_down(None);
            return Err(e);
        }
        lock(&self.shared.inner).state = ServiceState::Started;
        self.shared.changed.notify_all();
        Ok(())
    }

    /// Spawns `n` workers of the current run.
    fn spawn(&self, g: &mut Inner, n: usize) -> Result<()> {
        for _ in 0..n {
            let shared = self.shared.clone();
            let run = g.run;
            g.next_worker += 1;
            let mut builder =
                std::thread::Builder::new().name(format!("hp-pool-{}", g.next_worker));
            if g.stack_size != 0 {
                builder = builder.stack_size(g.stack_size);
            }
            g.live += 1;
            g.alive += 1;
            if let Err(e) = builder.spawn(move || worker(shared, run)) {
                g.live -= 1;
                g.alive -= 1;
                return Err(Error::os(
                    ErrorKind::WorkerThreadCreate,
                    &e,
                    "creating a pool worker thread",
                ));
            }
        }
        Ok(())
    }

    /// Stops the pool: the workers run the tasks still queued and end, for at most
    /// `max_wait` (`None`: for ever); then `on_shutdown`. Tasks still queued when the time is
    /// up are dropped and the result is an error with `ECANCELED`, but the pool is stopped.
    pub fn stop(&self, max_wait: Option<Duration>) -> Result<()> {
        self.refuse_own("Stop")?;
        let _life = lock(&self.shared.life);
        {
            let g = lock(&self.shared.inner);
            if g.state != ServiceState::Started {
                return Err(Error::illegal_state("the pool is not started"));
            }
        }
        self.shut_down(max_wait)
    }

    /// The stop sequence (the `life` lock held).
    fn shut_down(&self, max_wait: Option<Duration>) -> Result<()> {
        let deadline = max_wait.map(|d| Instant::now() + d);
        let mut g = lock(&self.shared.inner);
        g.state = ServiceState::Stopping;
        g.target = 0;
        self.shared.work.notify_all();
        self.shared.room.notify_all();
        let mut timed_out = false;
        while g.alive > 0 {
            match deadline {
                None => {
                    g = self
                        .shared
                        .changed
                        .wait(g)
                        .unwrap_or_else(|e| e.into_inner())
                }
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        timed_out = true;
                        break;
                    }
                    g = self
                        .shared
                        .changed
                        .wait_timeout(g, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
        let dropped: Vec<Box<dyn Task>> = g.queue.drain(..).collect();
        if timed_out {
            g.run += 1;
            g.live = 0;
            g.alive = 0;
        }
        drop(g);
        let dropped_count = dropped.len();
        // Dropping a task runs its destructor (a C task is destroyed): outside the lock.
        drop(dropped);
        self.shared.work.notify_all();
        {
            let _mark = Mark::enter(self.shared.id);
            notify(|| self.shared.listener.on_shutdown());
        }
        {
            let mut g = lock(&self.shared.inner);
            g.state = ServiceState::Stopped;
            g.max_queue = 0;
            g.policy = RejectedPolicy::CallFail;
            g.stack_size = 0;
        }
        self.shared.changed.notify_all();
        if timed_out {
            return Err(Error::new(
                ErrorKind::IllegalState,
                libc::ECANCELED,
                format!(
                    "the workers did not end within the wait: {dropped_count} queued task(s) \
                     dropped, tasks still running finish on their own"
                ),
            ));
        }
        Ok(())
    }

    /// Waits until the pool is stopped, at most `timeout` (`None`: for ever); true once it is.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        self.refuse_own("Wait")?;
        let deadline = timeout.map(|d| Instant::now() + d);
        let mut g = lock(&self.shared.inner);
        while g.state != ServiceState::Stopped {
            match deadline {
                None => {
                    g = self
                        .shared
                        .changed
                        .wait(g)
                        .unwrap_or_else(|e| e.into_inner())
                }
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Ok(false);
                    }
                    g = self
                        .shared
                        .changed
                        .wait_timeout(g, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
        Ok(true)
    }

    /// Submits `task`. With a full queue the pool's policy decides: refuse (`EXFULL`), wait
    /// for room at most `max_wait` (`None`: for ever), or run the task here. A refused task
    /// comes back to the caller.
    pub fn submit<T: Task>(
        &self,
        task: T,
        max_wait: Option<Duration>,
    ) -> std::result::Result<(), Refused<T>> {
        let deadline = max_wait.map(|d| Instant::now() + d);
        let mut g = lock(&self.shared.inner);
        loop {
            if g.state != ServiceState::Started {
                return Err(Refused {
                    error: Error::illegal_state("the pool is not started"),
                    task,
                });
            }
            if g.max_queue == 0 || g.queue.len() < g.max_queue {
                break;
            }
            let bound = g.max_queue;
            let full = || {
                Error::new(
                    ErrorKind::IllegalState,
                    libc::EXFULL,
                    format!("the task queue is full ({bound} tasks)"),
                )
            };
            match g.policy {
                RejectedPolicy::CallFail => {
                    return Err(Refused {
                        error: full(),
                        task,
                    })
                }
                RejectedPolicy::CallerRun => {
                    drop(g);
                    self.run_task(Box::new(task));
                    return Ok(());
                }
                RejectedPolicy::WaitFor => match deadline {
                    None => g = self.shared.room.wait(g).unwrap_or_else(|e| e.into_inner()),
                    Some(d) => {
                        let now = Instant::now();
                        if now >= d {
                            return Err(Refused {
                                error: full(),
                                task,
                            });
                        }
                        g = self
                            .shared
                            .room
                            .wait_timeout(g, d - now)
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                    }
                },
            }
        }
        g.queue.push_back(Box::new(task));
        drop(g);
        self.shared.work.notify_one();
        Ok(())
    }

    /// Runs a task, counted, its panic contained.
    fn run_task(&self, task: Box<dyn Task>) {
        run_counted(&self.shared, task);
    }

    /// Changes the number of workers (see [`ThreadPool::resolve_thread_count`]) while the
    /// pool runs. Removed workers finish the task they run first.
    pub fn adjust_thread_count(&self, thread_count: u32) -> Result<()> {
        let count = Self::resolve_thread_count(thread_count);
        if count > MAX_POOL_THREADS {
            return Err(Error::invalid_param(format!(
                "thread count {count} is above the limit of {MAX_POOL_THREADS}"
            )));
        }
        let mut g = lock(&self.shared.inner);
        if g.state != ServiceState::Started {
            return Err(Error::illegal_state("the pool is not started"));
        }
        g.target = count;
        let missing = count.saturating_sub(g.live);
        let spawned = self.spawn(&mut g, missing);
        drop(g);
        self.shared.work.notify_all();
        spawned
    }

    /// The state.
    pub fn state(&self) -> ServiceState {
        lock(&self.shared.inner).state
    }

    /// Starting or started.
    pub fn has_started(&self) -> bool {
        matches!(self.state(), ServiceState::Starting | ServiceState::Started)
    }

    /// Tasks waiting in the queue.
    pub fn queue_size(&self) -> usize {
        lock(&self.shared.inner).queue.len()
    }

    /// Tasks running now.
    pub fn task_count(&self) -> usize {
        self.shared.running.load(Ordering::Acquire)
    }

    /// The thread count asked for (by `start` or `adjust_thread_count`); 0 when stopped.
    pub fn thread_count(&self) -> usize {
        lock(&self.shared.inner).target
    }

    /// The queue bound of the current run (0: unbounded, or stopped).
    pub fn max_queue_size(&self) -> usize {
        lock(&self.shared.inner).max_queue
    }

    /// The policy of the current run (`CallFail` when stopped).
    pub fn rejected_policy(&self) -> RejectedPolicy {
        lock(&self.shared.inner).policy
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        if self.state() != ServiceState::Stopped && self.stop(None).is_err() {
            // Dropped on one of its own threads: let the workers drain and end on their own.
            lock(&self.shared.inner).target = 0;
            self.shared.work.notify_all();
            self.shared.room.notify_all();
        }
    }
}

fn run_counted(shared: &Shared, task: Box<dyn Task>) {
    shared.running.fetch_add(1, Ordering::AcqRel);
    let _ = catch_unwind(AssertUnwindSafe(|| task.run()));
    shared.running.fetch_sub(1, Ordering::AcqRel);
}

/// A worker of run `run`.
fn worker(shared: Arc<Shared>, run: u64) {
    let _mark = Mark::enter(shared.id);
    notify(|| shared.listener.on_worker_thread_start());
    loop {
        let task = {
            let mut g = lock(&shared.inner);
            loop {
                if g.run != run {
                    break None;
                }
                let surplus = g.live > g.target;
                // Shrinking a running pool: exit before the next task. Stopping: drain first.
                if surplus && g.state == ServiceState::Started {
                    g.live -= 1;
                    break None;
                }
                if let Some(t) = g.queue.pop_front() {
                    shared.room.notify_one();
                    break Some(t);
                }
                if surplus {
                    g.live -= 1;
                    break None;
                }
                g = shared.work.wait(g).unwrap_or_else(|e| e.into_inner());
            }
        };
        match task {
            Some(t) => run_counted(&shared, t),
            None => break,
        }
    }
    notify(|| shared.listener.on_worker_thread_end());
    let mut g = lock(&shared.inner);
    if g.run == run {
        g.alive -= 1;
    }
    drop(g);
    shared.changed.notify_all();
}
