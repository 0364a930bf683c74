//! What outlives single components: the registry of running components, and interpreter
//! shutdown.
//!
//! At exit (an `atexit` handler, which runs while the interpreter is still whole) every running
//! component is stopped with the GIL released, so that callbacks in flight finish. After that
//! no worker thread calls into Python again, and no component starts: a worker that tried to
//! take the GIL of a finalizing interpreter would be killed or hang.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hpsocket_core::{TcpAgent, TcpClient, TcpServer};
use pyo3::prelude::*;

use crate::errors::illegal_state;

/// `atexit` began: starting is refused.
static CLOSING: AtomicBool = AtomicBool::new(false);
/// Every component was stopped at exit: workers no longer call into Python.
static GONE: AtomicBool = AtomicBool::new(false);
/// Components between `start` and the end of their run, by bridge uid.
static RUNNING: Mutex<Vec<(u64, Stopper)>> = Mutex::new(Vec::new());

/// How long the exit handler waits for running components to stop.
const EXIT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A core handle, enough to stop a component.
#[derive(Clone)]
pub(crate) enum Stopper {
    Server(TcpServer),
    Agent(TcpAgent),
    Client(TcpClient),
}

impl Stopper {
    fn stop(&self) {
        let _ = match self {
            Stopper::Server(c) => c.stop(),
            Stopper::Agent(c) => c.stop(),
            Stopper::Client(c) => c.stop(),
        };
    }
}

fn running() -> MutexGuard<'static, Vec<(u64, Stopper)>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// True once the exit handler has stopped everything: callbacks must not enter Python.
pub(crate) fn python_gone() -> bool {
    GONE.load(Ordering::Acquire)
}

/// Refuses to start a component while the interpreter shuts down.
pub(crate) fn check_open(py: Python<'_>) -> PyResult<()> {
    if CLOSING.load(Ordering::Acquire) {
        return Err(illegal_state(py, "the Python interpreter is shutting down"));
    }
    Ok(())
}

pub(crate) fn register(uid: u64, stopper: Stopper) {
    let mut all = running();
    all.retain(|(u, _)| *u != uid);
    all.push((uid, stopper));
}

/// Forgets a component; its handle is returned so that it is dropped after the lock.
pub(crate) fn unregister(uid: u64) -> Option<Stopper> {
    let mut all = running();
    let index = all.iter().position(|(u, _)| *u == uid)?;
    Some(all.swap_remove(index).1)
}

/// Registered with `atexit` when the module is imported.
#[pyfunction]
pub(crate) fn _atexit(py: Python<'_>) {
    CLOSING.store(true, Ordering::Release);
    let all: Vec<Stopper> = running().iter().map(|(_, s)| s.clone()).collect();
    if !all.is_empty() {
        py.detach(|| stop_all(all));
    }
    crate::logging::shutdown(py);
    GONE.store(true, Ordering::Release);
}

/// Stops every component from helper threads and waits at most `EXIT_STOP_TIMEOUT`: a
/// listener stuck in a callback must not keep the process from exiting.
fn stop_all(all: Vec<Stopper>) {
    let deadline = Instant::now() + EXIT_STOP_TIMEOUT;
    let handles: Vec<_> = all
        .into_iter()
        .filter_map(|s| {
            std::thread::Builder::new()
                .name("hp-py-exit".into())
                .spawn(move || s.stop())
                .ok()
        })
        .collect();
    for h in handles {
        while !h.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if h.is_finished() {
            let _ = h.join();
        }
    }
    // A component still stopping now goes on without Python (see `python_gone`).
}
