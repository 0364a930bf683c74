//! Shared test helpers: a recording listener and waiting with deadlines (never sleeping to
//! synchronise).

#![allow(dead_code)]

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use hpsocket_core::{ConnId, SocketOperation};

/// How long any single expectation may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    PrepareListen,
    Accept(ConnId),
    PrepareConnect(ConnId),
    Connect(ConnId),
    HandShake(ConnId),
    Receive(ConnId, usize),
    Send(ConnId, usize),
    Close(ConnId, SocketOperation, i32),
    Shutdown,
}

/// A thread-safe event log one can wait on.
#[derive(Default)]
pub struct Log {
    events: Mutex<Vec<Ev>>,
    changed: Condvar,
}

impl Log {
    pub fn push(&self, e: Ev) {
        self.events.lock().unwrap().push(e);
        self.changed.notify_all();
    }

    pub fn snapshot(&self) -> Vec<Ev> {
        self.events.lock().unwrap().clone()
    }

    /// Waits until `pred` holds for the log; panics with the log after the deadline.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&[Ev]) -> bool) -> Vec<Ev> {
        let deadline = Instant::now() + DEADLINE;
        let mut g = self.events.lock().unwrap();
        loop {
            if pred(&g) {
                return g.clone();
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "timed out waiting for {what}; events: {:?}",
                *g
            );
            g = self.changed.wait_timeout(g, deadline - now).unwrap().0;
        }
    }

    pub fn count(&self, pred: impl Fn(&Ev) -> bool) -> usize {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| pred(e))
            .count()
    }
}

/// Waits until `f` returns true, polling; for conditions outside a log.
pub fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

pub fn is_close(e: &Ev) -> bool {
    matches!(e, Ev::Close(..))
}

/// A simple checksum of a byte stream.
pub fn fnv(data: &[u8], mut h: u64) -> u64 {
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

pub const FNV_START: u64 = 0xcbf29ce484222325;

/// Deterministic pseudo-random bytes for connection `seed`.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}
