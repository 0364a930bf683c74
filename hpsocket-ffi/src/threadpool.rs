//! The thread pool: `Create_HP_ThreadPool`, its listener, the socket task objects
//! (`Create_HP_SocketTaskObj`), and the `HP_ThreadPool_*` operations that need more than a
//! line.
//!
//! A socket task is a real C struct (HP-Socket's `TSocketTask`; the task procedure reads its
//! fields), so its pointer cannot be a checked handle. Instead every live task is in a
//! registry: destroying or submitting a pointer that is not a live task (destroyed already,
//! or never made here) is refused instead of freeing twice, and the buffer freed is the one
//! recorded at creation, whatever the program wrote into the struct since.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hpsocket_core::pool::{PoolListener, RejectedPolicy, Task, ThreadPool};

use crate::boundary;
use crate::handle::{self, Handle, Kind};
use crate::last_error::{FfiError, Result};
use crate::object::{Body, Object};
use crate::types::*;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update under these locks is a single insert, remove or assignment.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The callbacks of a thread pool listener; settable at any time.
#[derive(Default)]
pub(crate) struct PoolCallbacks {
    fns: Mutex<PoolFns>,
}

#[derive(Default, Clone, Copy)]
struct PoolFns {
    startup: HP_FN_ThreadPool_OnStartup,
    shutdown: HP_FN_ThreadPool_OnShutdown,
    worker_start: HP_FN_ThreadPool_OnWorkerThreadStart,
    worker_end: HP_FN_ThreadPool_OnWorkerThreadEnd,
}

impl PoolCallbacks {
    pub(crate) fn set_startup(&self, f: HP_FN_ThreadPool_OnStartup) {
        lock(&self.fns).startup = f;
    }
    pub(crate) fn set_shutdown(&self, f: HP_FN_ThreadPool_OnShutdown) {
        lock(&self.fns).shutdown = f;
    }
    pub(crate) fn set_worker_start(&self, f: HP_FN_ThreadPool_OnWorkerThreadStart) {
        lock(&self.fns).worker_start = f;
    }
    pub(crate) fn set_worker_end(&self, f: HP_FN_ThreadPool_OnWorkerThreadEnd) {
        lock(&self.fns).worker_end = f;
    }
    fn get(&self) -> PoolFns {
        *lock(&self.fns)
    }
}

/// The core listener of a C pool: calls the C callbacks with the pool's handle.
struct PoolAdapter {
    callbacks: Option<Arc<PoolCallbacks>>,
    sender: Handle,
}

impl PoolAdapter {
    fn fns(&self) -> PoolFns {
        self.callbacks.as_ref().map(|c| c.get()).unwrap_or_default()
    }
}

fn thread_id() -> THR_ID {
    // SAFETY: `pthread_self` has no preconditions and always succeeds.
    let id = unsafe { libc::pthread_self() };
    id as THR_ID
}

impl PoolListener for PoolAdapter {
    fn on_startup(&self) {
        if let Some(f) = self.fns().startup {
            // SAFETY: a C callback set by the program, called with the pool's handle as its
            // typedef declares.
            unsafe { f(self.sender.as_ptr()) }
        }
    }
    fn on_shutdown(&self) {
        if let Some(f) = self.fns().shutdown {
            // SAFETY: as in `on_startup`.
            unsafe { f(self.sender.as_ptr()) }
        }
    }
    fn on_worker_thread_start(&self) {
        if let Some(f) = self.fns().worker_start {
            // SAFETY: as in `on_startup`.
            unsafe { f(self.sender.as_ptr(), thread_id()) }
        }
    }
    fn on_worker_thread_end(&self) {
        if let Some(f) = self.fns().worker_end {
            // SAFETY: as in `on_startup`.
            unsafe { f(self.sender.as_ptr(), thread_id()) }
        }
    }
}

/// A pool object: the core pool and the flag that orders `Start` against `Destroy`.
pub(crate) struct PoolObject {
    pub(crate) pool: ThreadPool,
    destroyed: Mutex<bool>,
}

impl PoolObject {
    /// Stops the pool for good before it is destroyed; false when another destroy did.
    pub(crate) fn shut_down(&self) -> Result<bool> {
        if self.pool.in_own_thread() {
            return Err(FfiError::illegal_state(
                "Destroy called from one of the pool's own tasks or callbacks would wait for \
                 itself; call it from another thread",
            ));
        }
        let mut destroyed = lock(&self.destroyed);
        if *destroyed {
            return Ok(false);
        }
        *destroyed = true;
        // Not started (or stopped meanwhile) is fine.
        let _ = self.pool.stop(None);
        Ok(true)
    }
}

/// `Create_HP_ThreadPool` (`listener` may be NULL: no callbacks).
pub(crate) fn create(listener: HP_ThreadPoolListener) -> HP_ThreadPool {
    boundary::call("Create_HP_ThreadPool", std::ptr::null_mut(), || {
        let callbacks = if listener.is_null() {
            None
        } else {
            Some(callbacks(listener)?)
        };
        let reservation = handle::reserve(Kind::ThreadPool)?;
        let adapter = PoolAdapter {
            callbacks,
            sender: reservation.handle(),
        };
        Ok(Object::publish(
            reservation,
            Kind::ThreadPool,
            Body::ThreadPool(PoolObject {
                pool: ThreadPool::new(Arc::new(adapter)),
                destroyed: Mutex::new(false),
            }),
        ))
    })
}

/// The callback table of the thread pool listener `p`.
pub(crate) fn callbacks(p: HP_ThreadPoolListener) -> Result<Arc<PoolCallbacks>> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::ThreadPoolListener(c) => Ok(c.clone()),
        _ => Err(FfiError::invalid(format!(
            "handle {:#x} is an {}, not an HP_ThreadPoolListener",
            object.handle().value(),
            object.kind().name()
        ))),
    }
}

/// Runs `f` on the thread pool `p`.
pub(crate) fn with_pool<T>(
    p: HP_ThreadPool,
    f: impl FnOnce(&ThreadPool) -> Result<T>,
) -> Result<T> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::ThreadPool(o) => f(&o.pool).map_err(|e| e.on(&object)),
        _ => Err(FfiError::invalid(format!(
            "handle {:#x} is an {}, not an HP_ThreadPool",
            object.handle().value(),
            object.kind().name()
        ))),
    }
}

/// HP-Socket's wait of `Stop` and `Submit`: 0 and `INFINITE` both mean for ever.
pub(crate) fn max_wait(ms: DWORD) -> Option<Duration> {
    (ms != 0 && ms != DWORD::MAX).then(|| Duration::from_millis(ms.into()))
}

/// `HP_ThreadPool_Start`.
pub(crate) fn start(
    p: HP_ThreadPool,
    threads: DWORD,
    max_queue: DWORD,
    policy: En_HP_RejectedPolicy,
    stack: DWORD,
) -> Result<BOOL> {
    let object = handle::resolve(p)?;
    let Body::ThreadPool(o) = &object.body else {
        return with_pool(p, |_| Ok(FALSE));
    };
    let run = || -> Result<BOOL> {
        let policy = RejectedPolicy::from_code(policy)
            .ok_or_else(|| FfiError::invalid(format!("unknown enRejectedPolicy {policy}")))?;
        let destroyed = lock(&o.destroyed);
        if *destroyed {
            return Err(FfiError::illegal_state("the pool is being destroyed"));
        }
        o.pool.start(threads, max_queue, policy, stack)?;
        Ok(TRUE)
    };
    run().map_err(|e| e.on(&object))
}

/// `HP_ThreadPool_Submit`.
pub(crate) fn submit(p: HP_ThreadPool, f: HP_Fn_TaskProc, arg: PVOID, ms: DWORD) -> Result<BOOL> {
    let arg = arg as usize;
    // The handle is checked first, as by every other call: a NULL pool names the pool.
    with_pool(p, |pool| {
        let f = f.ok_or_else(|| FfiError::invalid("fnTaskProc is NULL"))?;
        pool.submit(
            move || {
                // SAFETY: the program's task procedure, called with its argument as
                // `HP_Fn_TaskProc` declares.
                unsafe { f(arg as PVOID) }
            },
            max_wait(ms),
        )
        .map_err(|r| FfiError::from(r.error))?;
        Ok(TRUE)
    })
}

// ---- Socket tasks --------------------------------------------------------------------------

/// What the registry knows of a live task.
struct TaskEntry {
    /// The buffer the task owns (`TBT_COPY`, `TBT_ATTACH`), as an address; 0: none.
    owned: usize,
    /// Submitted: the pool owns the task and destroys it after running it.
    submitted: bool,
}

static TASKS: Mutex<Option<HashMap<usize, TaskEntry>>> = Mutex::new(None);

fn tasks() -> MutexGuard<'static, Option<HashMap<usize, TaskEntry>>> {
    lock(&TASKS)
}

/// `Create_HP_SocketTaskObj`.
///
/// # Safety
/// `buf` is NULL or readable for `len` bytes; with `TBT_ATTACH` it comes from `malloc`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn create_task(
    f: Fn_SocketTaskProc,
    sender: PVOID,
    conn_id: HP_CONNID,
    buf: LPCBYTE,
    len: std::ffi::c_int,
    kind: En_HP_TaskBufferType,
    wparam: WPARAM,
    lparam: LPARAM,
) -> HP_LPTSocketTask {
    boundary::call("Create_HP_SocketTaskObj", std::ptr::null_mut(), || {
        if f.is_none() {
            return Err(FfiError::invalid("fnTaskProc is NULL"));
        }
        if len < 0 {
            return Err(FfiError::invalid(format!("iBuffLen {len} is negative")));
        }
        if buf.is_null() && len > 0 {
            return Err(FfiError::invalid(format!(
                "pBuffer is NULL but iBuffLen is {len}"
            )));
        }
        let (data, owned) = match kind {
            TBT_COPY if !buf.is_null() => {
                let n = (len as usize).max(1);
                // SAFETY: malloc of a non-zero size; the result is checked for NULL below.
                let copy = unsafe { libc::malloc(n) }.cast::<BYTE>();
                if copy.is_null() {
                    return Err(FfiError::new(
                        SE_INVALID_PARAM,
                        libc::ENOMEM,
                        format!("no memory for a copy of {len} bytes"),
                    ));
                }
                // SAFETY: `buf` is readable for `len` bytes (this function's contract) and
                // `copy` writable for at least that many; they do not overlap.
                unsafe { std::ptr::copy_nonoverlapping(buf, copy, len as usize) };
                (copy.cast_const(), copy as usize)
            }
            TBT_COPY | TBT_REFER => (buf, 0),
            TBT_ATTACH => (buf, buf as usize),
            other => return Err(FfiError::invalid(format!("unknown enBuffType {other}"))),
        };
        let task = Box::into_raw(Box::new(TSocketTask {
            r#fn: f,
            sender,
            connID: conn_id,
            buf: data,
            bufLen: len,
            bufType: kind,
            wparam,
            lparam,
        }));
        tasks().get_or_insert_with(HashMap::new).insert(
            task as usize,
            TaskEntry {
                owned,
                submitted: false,
            },
        );
        Ok(task)
    })
}

/// Frees a task taken out of the registry.
fn free_task(task: usize, owned: usize) {
    // SAFETY: `task` came from `Box::into_raw` in `create_task` and was just removed from the
    // registry, so it is freed once.
    drop(unsafe { Box::from_raw(task as *mut TSocketTask) });
    if owned != 0 {
        // SAFETY: `owned` is our `malloc` copy or a buffer the program attached (from
        // `SYS_Malloc`, i.e. `malloc`); the task owned it, and is freed once.
        unsafe { libc::free(owned as *mut libc::c_void) };
    }
}

/// `Destroy_HP_SocketTaskObj`.
pub(crate) fn destroy_task(task: HP_LPTSocketTask) -> Result<()> {
    if task.is_null() {
        return Ok(());
    }
    let owned = {
        let mut guard = tasks();
        let map = guard.get_or_insert_with(HashMap::new);
        match map.get(&(task as usize)) {
            None => {
                return Err(FfiError::invalid(format!(
                    "{task:p} is not a live socket task (destroyed already, or not made by \
                     Create_HP_SocketTaskObj)"
                )))
            }
            Some(e) if e.submitted => {
                return Err(FfiError::illegal_state(format!(
                    "socket task {task:p} was submitted: the pool destroys it after running it"
                )))
            }
            Some(_) => map.remove(&(task as usize)).map_or(0, |e| e.owned),
        }
    };
    free_task(task as usize, owned);
    Ok(())
}

/// Destroys a submitted task (after it ran, or when the pool drops it).
fn release(task: usize) {
    let entry = tasks().as_mut().and_then(|m| m.remove(&task));
    if let Some(e) = entry {
        free_task(task, e.owned);
    }
}

/// A submitted socket task: destroyed after it runs, or when dropped unrun.
struct SocketJob {
    task: Option<usize>,
    f: unsafe extern "C" fn(*mut TSocketTask),
}

impl Task for SocketJob {
    fn run(mut self: Box<Self>) {
        if let Some(task) = self.task.take() {
            // Destroyed even if the procedure unwinds (it cannot from C, but be sure).
            struct Release(usize);
            impl Drop for Release {
                fn drop(&mut self) {
                    release(self.0);
                }
            }
            let _release = Release(task);
            // SAFETY: the program's task procedure, called with its live task.
            unsafe { (self.f)(task as *mut TSocketTask) }
        }
    }
}

impl Drop for SocketJob {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            release(task);
        }
    }
}

/// `HP_ThreadPool_Submit_Task`: on success the pool owns the task; refused, it stays the
/// caller's.
pub(crate) fn submit_task(p: HP_ThreadPool, task: HP_LPTSocketTask, ms: DWORD) -> Result<BOOL> {
    with_pool(p, |pool| {
        if task.is_null() {
            return Err(FfiError::invalid("pTask is NULL"));
        }
        let key = task as usize;
        let f = {
            let mut guard = tasks();
            let map = guard.get_or_insert_with(HashMap::new);
            let entry = map.get_mut(&key).ok_or_else(|| {
                FfiError::invalid(format!(
                    "{task:p} is not a live socket task (destroyed already, or not made by \
                     Create_HP_SocketTaskObj)"
                ))
            })?;
            if entry.submitted {
                return Err(FfiError::illegal_state(format!(
                    "socket task {task:p} is submitted already"
                )));
            }
            // SAFETY: `task` is a live task of the registry: our allocation, valid to read.
            let f =
                unsafe { (*task).r#fn }.ok_or_else(|| FfiError::invalid("pTask->fn is NULL"))?;
            entry.submitted = true;
            f
        };
        let job = SocketJob { task: Some(key), f };
        // The registry is unlocked here: a caller-run task releases itself at once.
        match pool.submit(job, max_wait(ms)) {
            Ok(()) => Ok(TRUE),
            Err(mut refused) => {
                refused.task.task = None;
                if let Some(e) = tasks().as_mut().and_then(|m| m.get_mut(&key)) {
                    e.submitted = false;
                }
                Err(FfiError::from(refused.error))
            }
        }
    })
}
