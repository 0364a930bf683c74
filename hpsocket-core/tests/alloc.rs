//! The steady state allocates (almost) nothing per message: counted with a global allocator
//! while a PUSH and a PACK echo pair exchange thousands of messages.

mod util;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use hpsocket_core::{
    AgentListener, ConnId, HandleResult, ReceiveModel, ServerListener, TcpAgent, TcpServer,
};

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Echo;
impl ServerListener for Echo {
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        match s.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
}

/// Pingpong: every echo received is sent back, from inside the callback.
struct Pong {
    received: AtomicUsize,
    limit: usize,
}
impl AgentListener for Pong {
    fn on_receive(&self, a: &TcpAgent, id: ConnId, data: &[u8]) -> HandleResult {
        let n = self.received.fetch_add(1, Ordering::AcqRel) + 1;
        if n < self.limit {
            a.send(id, data).unwrap();
        }
        HandleResult::Ok
    }
}

fn allocations_per_message(model: ReceiveModel, no_delay: bool) -> f64 {
    const MESSAGES: usize = 10_000;
    let server = TcpServer::with_model(Arc::new(Echo), model);
    server
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.socket.no_delay = no_delay;
        })
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    let pong = Arc::new(Pong {
        received: AtomicUsize::new(0),
        limit: MESSAGES,
    });
    let agent = TcpAgent::with_model(pong.clone(), model);
    agent
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.socket.no_delay = no_delay;
        })
        .unwrap();
    agent.start(None, false).unwrap();
    let id = agent.connect("127.0.0.1", port).unwrap();
    // A first pingpong run warms the pools; the second, identical one is counted.
    let mut counted = 0;
    for _ in 0..2 {
        pong.received.store(0, Ordering::Release);
        let before = ALLOCS.load(Ordering::Relaxed);
        agent.send(id, &[7u8; 64]).unwrap();
        util::eventually("pingpong run", || {
            pong.received.load(Ordering::Acquire) >= MESSAGES
        });
        counted = ALLOCS.load(Ordering::Relaxed) - before;
    }
    agent.stop().unwrap();
    server.stop().unwrap();
    counted as f64 / MESSAGES as f64
}

#[test]
fn push_and_pack_echo_allocate_nothing_per_message() {
    // Nagle on: sends inside callbacks are queued and flushed after them; TCP_NODELAY: they
    // are written straight from the callback. Neither allocates.
    for no_delay in [false, true] {
        for model in [ReceiveModel::Push, ReceiveModel::Pack] {
            let per_message = allocations_per_message(model, no_delay);
            eprintln!("{model:?} no_delay={no_delay}: {per_message:.4} allocations per message");
            assert!(
                per_message < 0.05,
                "{model:?}: {per_message} allocations per message"
            );
        }
    }
}
