use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use super::*;

fn pool() -> ThreadPool {
    ThreadPool::new(Arc::new(NoPoolListener))
}

/// A task that records when it is dropped without running.
struct Tracked {
    ran: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
    done: bool,
}

impl Task for Tracked {
    fn run(mut self: Box<Self>) {
        self.ran.fetch_add(1, Ordering::SeqCst);
        self.done = true;
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if !self.done {
            self.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[test]
fn thread_count_rules() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(ThreadPool::resolve_thread_count(0), cpus * 2 + 2);
    assert_eq!(ThreadPool::resolve_thread_count(3), 3);
    assert_eq!(ThreadPool::resolve_thread_count((-2i32) as u32), cpus * 2);
}

#[test]
fn runs_every_task_of_a_bounded_queue() {
    let p = pool();
    p.start(4, 16, RejectedPolicy::WaitFor, 0).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..10_000 {
        let c = count.clone();
        p.submit(
            move || {
                c.fetch_add(1, Ordering::SeqCst);
            },
            None,
        )
        .unwrap();
    }
    p.stop(None).unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 10_000);
    assert_eq!(p.state(), ServiceState::Stopped);
    assert_eq!(p.thread_count(), 0);
}

/// Starts a one-thread pool with a queue of one and fills both: returns the gate that lets
/// the running task finish.
fn blocked(p: &ThreadPool, policy: RejectedPolicy) -> mpsc::Sender<()> {
    p.start(1, 1, policy, 0).unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    p.submit(
        move || {
            started_tx.send(()).unwrap();
            let _ = gate_rx.recv();
        },
        None,
    )
    .unwrap();
    started_rx.recv().unwrap();
    p.submit(|| {}, None).unwrap();
    assert_eq!(p.queue_size(), 1);
    assert_eq!(p.task_count(), 1);
    gate_tx
}

#[test]
fn call_fail_refuses_with_exfull_and_returns_the_task() {
    let p = pool();
    let gate = blocked(&p, RejectedPolicy::CallFail);
    let ran = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    let t = Tracked {
        ran: ran.clone(),
        dropped: dropped.clone(),
        done: false,
    };
    let r = p.submit(t, None).unwrap_err();
    assert_eq!(r.error.errno(), libc::EXFULL);
    assert_eq!(dropped.load(Ordering::SeqCst), 0);
    drop(r);
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    gate.send(()).unwrap();
    p.stop(None).unwrap();
}

#[test]
fn wait_for_times_out_then_succeeds_with_room() {
    let p = pool();
    let gate = blocked(&p, RejectedPolicy::WaitFor);
    let r = p
        .submit(|| {}, Some(Duration::from_millis(20)))
        .unwrap_err();
    assert_eq!(r.error.errno(), libc::EXFULL);
    gate.send(()).unwrap();
    p.submit(|| {}, None).unwrap();
    p.stop(None).unwrap();
}

#[test]
fn caller_runs_on_the_submitting_thread() {
    let p = pool();
    let gate = blocked(&p, RejectedPolicy::CallerRun);
    let me = std::thread::current().id();
    let (tx, rx) = mpsc::channel();
    p.submit(move || tx.send(std::thread::current().id()).unwrap(), None)
        .unwrap();
    assert_eq!(rx.recv().unwrap(), me);
    gate.send(()).unwrap();
    p.stop(None).unwrap();
}

#[test]
fn a_waiting_submitter_is_refused_when_the_pool_stops() {
    let p = Arc::new(pool());
    let gate = blocked(&p, RejectedPolicy::WaitFor);
    let p2 = p.clone();
    let waiter = std::thread::spawn(move || p2.submit(|| {}, None).is_err());
    // The stop cannot finish before the gate opens; open it from another thread once the
    // pool is stopping.
    let p3 = p.clone();
    let opener = std::thread::spawn(move || {
        while p3.state() != ServiceState::Stopping {
            std::thread::yield_now();
        }
        gate.send(()).unwrap();
    });
    p.stop(None).unwrap();
    opener.join().unwrap();
    // Either it got in before the stop (and ran) or it was refused; it never hangs.
    let _ = waiter.join().unwrap();
}

#[test]
fn stop_runs_pending_tasks() {
    let p = Arc::new(pool());
    p.start(1, 0, RejectedPolicy::CallFail, 0).unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    p.submit(
        move || {
            started_tx.send(()).unwrap();
            let _ = gate_rx.recv();
        },
        None,
    )
    .unwrap();
    started_rx.recv().unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        let t = Tracked {
            ran: ran.clone(),
            dropped: dropped.clone(),
            done: false,
        };
        p.submit(t, None).unwrap();
    }
    let p2 = p.clone();
    let opener = std::thread::spawn(move || {
        while p2.state() != ServiceState::Stopping {
            std::thread::yield_now();
        }
        // Stopping: new tasks are refused, queued ones still run.
        assert!(p2.submit(|| {}, None).is_err());
        gate_tx.send(()).unwrap();
    });
    p.stop(None).unwrap();
    opener.join().unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 3);
    assert_eq!(dropped.load(Ordering::SeqCst), 0);
}

#[test]
fn stop_timeout_drops_queued_tasks() {
    let p = pool();
    p.start(1, 0, RejectedPolicy::CallFail, 0).unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    p.submit(
        move || {
            started_tx.send(()).unwrap();
            let _ = gate_rx.recv();
        },
        None,
    )
    .unwrap();
    started_rx.recv().unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        let t = Tracked {
            ran: ran.clone(),
            dropped: dropped.clone(),
            done: false,
        };
        p.submit(t, None).unwrap();
    }
    let e = p.stop(Some(Duration::from_millis(10))).unwrap_err();
    assert_eq!(e.errno(), libc::ECANCELED);
    assert_eq!(dropped.load(Ordering::SeqCst), 3);
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    assert_eq!(p.state(), ServiceState::Stopped);
    gate_tx.send(()).unwrap();
    // Restartable at once; the abandoned worker takes nothing of the new run.
    p.start(2, 0, RejectedPolicy::CallFail, 0).unwrap();
    let (tx, rx) = mpsc::channel();
    p.submit(move || tx.send(()).unwrap(), None).unwrap();
    rx.recv().unwrap();
    p.stop(None).unwrap();
}

#[test]
fn adjust_up_and_down_while_busy() {
    let p = pool();
    p.start(2, 0, RejectedPolicy::CallFail, 0).unwrap();
    let barrier = Arc::new(Barrier::new(3));
    for _ in 0..2 {
        let b = barrier.clone();
        p.submit(
            move || {
                b.wait();
                b.wait();
            },
            None,
        )
        .unwrap();
    }
    barrier.wait();
    assert_eq!(p.task_count(), 2);
    // Grow: a third task runs while both others are busy.
    p.adjust_thread_count(3).unwrap();
    assert_eq!(p.thread_count(), 3);
    let (tx, rx) = mpsc::channel();
    p.submit(move || tx.send(()).unwrap(), None).unwrap();
    rx.recv().unwrap();
    // Shrink while both tasks still run: they finish.
    p.adjust_thread_count(1).unwrap();
    assert_eq!(p.thread_count(), 1);
    barrier.wait();
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let c = count.clone();
        p.submit(
            move || {
                c.fetch_add(1, Ordering::SeqCst);
            },
            None,
        )
        .unwrap();
    }
    p.stop(None).unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 100);
}

#[test]
fn a_panicking_task_leaves_the_worker_alive() {
    let p = pool();
    p.start(1, 0, RejectedPolicy::CallFail, 0).unwrap();
    p.submit(|| panic!("task panics on purpose"), None).unwrap();
    let (tx, rx) = mpsc::channel();
    p.submit(move || tx.send(()).unwrap(), None).unwrap();
    rx.recv().unwrap();
    p.stop(None).unwrap();
}

#[test]
fn own_thread_calls_are_refused() {
    let p = Arc::new(pool());
    p.start(1, 0, RejectedPolicy::CallFail, 0).unwrap();
    let (tx, rx) = mpsc::channel();
    let p2 = p.clone();
    p.submit(
        move || {
            let stop = p2.stop(None).map_err(|e| e.kind());
            let wait = p2.wait(None).map_err(|e| e.kind());
            let adjust = p2.adjust_thread_count(2).is_ok();
            tx.send((stop, wait, adjust, p2.in_own_thread())).unwrap();
        },
        None,
    )
    .unwrap();
    let (stop, wait, adjust, inside) = rx.recv().unwrap();
    assert_eq!(stop, Err(ErrorKind::IllegalState));
    assert_eq!(wait, Err(ErrorKind::IllegalState));
    assert!(adjust);
    assert!(inside);
    assert!(!p.in_own_thread());
    p.stop(None).unwrap();
    assert!(p.wait(Some(Duration::ZERO)).unwrap());
}

#[test]
fn states_and_misuse() {
    let p = pool();
    assert_eq!(p.state(), ServiceState::Stopped);
    assert!(p.submit(|| {}, None).is_err());
    assert!(p.stop(None).is_err());
    assert!(p.adjust_thread_count(1).is_err());
    p.start(1, 5, RejectedPolicy::CallerRun, 0).unwrap();
    assert!(p.has_started());
    assert_eq!(p.max_queue_size(), 5);
    assert_eq!(p.rejected_policy(), RejectedPolicy::CallerRun);
    assert!(p.start(1, 0, RejectedPolicy::CallFail, 0).is_err());
    assert!(!p.wait(Some(Duration::from_millis(1))).unwrap());
    p.stop(None).unwrap();
    assert_eq!(p.max_queue_size(), 0);
    assert_eq!(p.rejected_policy(), RejectedPolicy::CallFail);
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
}

impl PoolListener for Recorder {
    fn on_startup(&self) {
        self.events.lock().unwrap().push("startup".into());
    }
    fn on_shutdown(&self) {
        self.events.lock().unwrap().push("shutdown".into());
    }
    fn on_worker_thread_start(&self) {
        self.events.lock().unwrap().push("start".into());
    }
    fn on_worker_thread_end(&self) {
        self.events.lock().unwrap().push("end".into());
    }
}

#[test]
fn listener_events_in_order() {
    let r = Arc::new(Recorder::default());
    let p = ThreadPool::new(r.clone());
    p.start(3, 0, RejectedPolicy::CallFail, 64 * 1024).unwrap();
    p.stop(None).unwrap();
    let events = r.events.lock().unwrap().clone();
    assert_eq!(events.first().map(String::as_str), Some("startup"));
    assert_eq!(events.last().map(String::as_str), Some("shutdown"));
    assert_eq!(events.iter().filter(|e| *e == "start").count(), 3);
    assert_eq!(events.iter().filter(|e| *e == "end").count(), 3);
}
