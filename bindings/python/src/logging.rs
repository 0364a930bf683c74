//! The bridge from the core's logging hook (`hpsocket_core::log`) to Python's `logging`.
//!
//! The hook never takes the GIL: it copies the record into a bounded queue and returns. One
//! Python thread ("hpsocket-log", started by `hpsocket.enable_logging`) takes records from
//! the queue with the GIL released and hands them to `logging`. Taking the GIL in the hook
//! would deadlock: log points run inside the core's critical sections (a send refused by the
//! queue bound is logged under the connection's send lock, a close inside the worker's turn),
//! and a Python thread holding the GIL can wait on those (`send`, `disconnect`, or a
//! logging handler that waits for a lock the thread calling `stop()` holds). With the queue a
//! worker never waits for Python: when the queue is full the record is dropped and counted.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hpsocket_core::log::{self, Level, Record};
use pyo3::prelude::*;

/// One record, copied out of the worker that logged it.
struct Entry {
    level: u8,
    source: String,
    message: String,
    /// Seconds since the epoch, as `LogRecord.created`.
    created: f64,
    /// The logging thread's name (workers are named), for `LogRecord.threadName`.
    thread: Option<String>,
    /// The logging thread's `pthread_self()`, which is what `threading.get_ident()` gives:
    /// Python finds the name of its own threads (a refused `send`) by it.
    ident: u64,
}

#[derive(Default)]
struct Queue {
    entries: VecDeque<Entry>,
    capacity: usize,
    /// Records refused since the drainer last took the queue.
    dropped: u64,
    /// Records queued so far (the sequence number of the last one).
    pushed: u64,
    /// Records taken by the drainer so far.
    taken: u64,
    /// Records the drainer has handed to `logging` (or dropped) so far.
    handled: u64,
    /// `disable_logging`: the drainer empties the queue, then ends.
    stopping: bool,
    /// A drainer thread runs `_log_run` (or is being started for it).
    draining: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the drainer: records, or `stopping`.
    wake: Condvar,
    /// Wakes `flush`: `handled` moved, or the drainer ended.
    progress: Condvar,
}

static SHARED: Shared = Shared {
    queue: Mutex::new(Queue {
        entries: VecDeque::new(),
        capacity: 0,
        dropped: 0,
        pushed: 0,
        taken: 0,
        handled: 0,
        stopping: false,
        draining: false,
    }),
    wake: Condvar::new(),
    progress: Condvar::new(),
};

fn queue() -> MutexGuard<'static, Queue> {
    SHARED.queue.lock().unwrap_or_else(|e| e.into_inner())
}

/// The hook: runs on whichever thread logs, without the GIL.
fn push(record: &Record<'_>) {
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let thread = std::thread::current().name().map(str::to_owned);
    // SAFETY: pthread_self has no preconditions.
    let ident = unsafe { libc::pthread_self() } as u64;
    let entry = Entry {
        level: record.level as u8,
        source: record.source.to_owned(),
        message: record.message.to_owned(),
        created,
        thread,
        ident,
    };
    let mut q = queue();
    if q.entries.len() >= q.capacity {
        q.dropped += 1;
        return;
    }
    q.entries.push_back(entry);
    q.pushed += 1;
    drop(q);
    SHARED.wake.notify_one();
}

/// Installs the hook at `level` (1 ERROR .. 4 DEBUG) with a queue of `capacity` records.
/// Returns True when no drainer thread is running: the caller starts one (`_log_run`).
#[pyfunction]
pub(crate) fn _log_enable(level: u8, capacity: usize) -> PyResult<bool> {
    let level = Level::from_u8(level).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!("log level must be 1..=4, not {level}"))
    })?;
    let need_drainer = {
        let mut q = queue();
        q.capacity = capacity.max(1);
        q.stopping = false;
        // Reserved for the thread the caller starts, so that a second `enable` (or a flush)
        // before that thread runs sees a drainer.
        !std::mem::replace(&mut q.draining, true)
    };
    log::set_hook(Some((level, Arc::new(|r: &Record<'_>| push(r)))));
    Ok(need_drainer)
}

/// Removes the hook; the drainer hands what is queued to `logging`, then ends.
#[pyfunction]
pub(crate) fn _log_disable() {
    log::set_hook(None);
    queue().stopping = true;
    SHARED.wake.notify_all();
}

/// The thread `_log_enable` asked for could not start.
#[pyfunction]
pub(crate) fn _log_abandon() {
    queue().draining = false;
    SHARED.progress.notify_all();
}

/// The drainer thread's body (started when `_log_enable` returned True): hands each record
/// to `emit(level, source, message, created, thread, ident)` (or `emit(None, dropped, ...)`
/// after records were dropped) until logging is disabled and the queue is empty. An
/// exception from `emit` goes to `sys.unraisablehook`; the loop goes on.
#[pyfunction]
pub(crate) fn _log_run(py: Python<'_>, emit: Bound<'_, PyAny>) {
    loop {
        let taken = py.detach(|| {
            let mut q = queue();
            loop {
                // Everything taken before has been emitted.
                if q.handled != q.taken {
                    q.handled = q.taken;
                    SHARED.progress.notify_all();
                }
                if !q.entries.is_empty() || q.dropped > 0 {
                    let entries = std::mem::take(&mut q.entries);
                    q.taken += entries.len() as u64;
                    let dropped = std::mem::take(&mut q.dropped);
                    return Some((entries, dropped));
                }
                if q.stopping {
                    q.draining = false;
                    SHARED.progress.notify_all();
                    return None;
                }
                q = SHARED.wake.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        });
        let Some((entries, dropped)) = taken else {
            return;
        };
        if dropped > 0 {
            report(
                &emit,
                emit.call1((py.None(), dropped, "", 0.0, py.None(), 0)),
            );
        }
        for e in entries {
            let call = emit.call1((e.level, e.source, e.message, e.created, e.thread, e.ident));
            report(&emit, call);
        }
    }
}

fn report(emit: &Bound<'_, PyAny>, result: PyResult<Bound<'_, PyAny>>) {
    if let Err(e) = result {
        e.write_unraisable(emit.py(), Some(emit));
    }
}

/// Waits, with the GIL released, until every record queued before the call has been handed
/// to `logging` (at most `timeout` seconds; None: no limit). True when it has.
#[pyfunction]
#[pyo3(signature = (timeout=None))]
pub(crate) fn _log_flush(py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
    const SLICE: Duration = Duration::from_millis(100);
    let deadline = crate::args::timeout(timeout)?.map(|t| Instant::now() + t);
    let target = queue().pushed;
    loop {
        let done = py.detach(|| {
            let q = queue();
            let wait = match deadline {
                None => SLICE,
                Some(d) => d.saturating_duration_since(Instant::now()).min(SLICE),
            };
            let (q, _) = SHARED
                .progress
                .wait_timeout_while(q, wait, |q| q.handled < target && q.draining)
                .unwrap_or_else(|e| e.into_inner());
            // No drainer left: whatever is still queued will not be emitted by this run.
            q.handled >= target || !q.draining
        });
        if done {
            return Ok(queue().handled >= target);
        }
        py.check_signals()?;
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(false);
        }
    }
}

/// `(records queued so far, a drainer runs)`: for tests.
#[pyfunction]
pub(crate) fn _log_state() -> (u64, bool) {
    let q = queue();
    (q.pushed, q.draining)
}

/// At interpreter exit, after every component stopped: the hook goes, and the drainer gets a
/// bounded time to hand the last records (the closes of that stop) to `logging`, whose own
/// exit handler runs after this one and flushes its handlers.
pub(crate) fn shutdown(py: Python<'_>) {
    _log_disable();
    py.detach(|| {
        let q = queue();
        let _ = SHARED
            .progress
            .wait_timeout_while(q, Duration::from_secs(5), |q| q.draining);
    });
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_log_enable, m)?)?;
    m.add_function(wrap_pyfunction!(_log_disable, m)?)?;
    m.add_function(wrap_pyfunction!(_log_run, m)?)?;
    m.add_function(wrap_pyfunction!(_log_flush, m)?)?;
    m.add_function(wrap_pyfunction!(_log_state, m)?)?;
    m.add_function(wrap_pyfunction!(_log_abandon, m)?)?;
    Ok(())
}
