//! One I/O worker: its `mio::Poll`, the connections it owns, and the loop that turns
//! readiness into callbacks. This file holds the worker's state and `Worker::run`, the loop,
//! with the dispatch of a connection's readiness; each step the loop takes lives in its own
//! module:
//!
//! | module | job |
//! |---|---|
//! | `sources.rs` | the sockets polled besides connections (listener, UDP sockets) |
//! | `accept.rs` | a TCP server's accept loop |
//! | `adopt.rs` | a connection joins its worker (accepted or connecting) |
//! | `establish.rs` | connect completion, then the handshake or `OnHandShake` |
//! | `commands.rs` | requests from other threads (`Command`) |
//! | `deadline.rs` | the connections' and the worker's timers firing |
//! | `receive.rs`, `datagram.rs`, `node.rs`, `tls.rs`, `http.rs`, `arq.rs` | reading, per transport and model |
//! | `heartbeat.rs` | UDP heartbeat rounds |
//! | `flush.rs`, `file.rs`, `outbox.rs` | writing send queues, file bodies, batched datagrams |
//! | `close.rs` | ending connections and the worker |
//! | `peers.rs` | a UDP server's peer map |

mod accept;
mod adopt;
mod arq;
mod close;
mod commands;
mod datagram;
mod deadline;
mod establish;
mod file;
mod flush;
mod heartbeat;
mod http;
mod node;
mod outbox;
mod peers;
mod receive;
mod sources;
mod tls;

pub(super) use arq::output as arq_output;
pub(in crate::reactor) use flush::defer_flush;
pub(super) use outbox::collect as outbox_collect;
pub(crate) use sources::Source;

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use mio::{Events as MioEvents, Poll, Token};
use slab::Slab;

use super::events::guarded_unit;
use super::timer::{TimerKey, TimerWheel};
use super::{Command, Running, WorkerThread, THREAD};
use crate::conn::{Conn, ConnState};
use crate::http::session::HttpSession;
use crate::protocol::Pack;
use crate::sock;
use crate::types::ConnId;
use close::Drain;

/// Token of each worker's waker. Connections use their slab keys, which stay far below.
pub(super) const WAKER_TOKEN: Token = Token(usize::MAX - 1);
/// Token of a worker's first source; source `i` has `FIRST_SOURCE_TOKEN - i`.
pub(super) const FIRST_SOURCE_TOKEN: usize = usize::MAX - 2;
/// Most sources a worker has.
const MAX_SOURCES: usize = 64;

/// The token of source `index`.
pub(super) fn source_token(index: usize) -> Token {
    Token(FIRST_SOURCE_TOKEN - index)
}

/// Size of the per-worker read buffer: one read takes up to this much.
const READ_BUFFER: usize = 64 * 1024;
/// Reads of one connection per turn before the others get theirs.
pub(super) const READS_PER_TURN: usize = 16;

/// What a timer guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Deadline {
    /// `connect_timeout` of an asynchronous connect.
    Connect,
    /// `ssl_handshake_timeout`.
    TlsHandshake,
    /// Accepting again after running out of descriptors.
    AcceptRetry,
    /// A drain after the peer's close made no progress for `half_close_drain_timeout`.
    Drain,
    /// UDP heartbeat round (every `detect_interval`, for all the worker's connections).
    Detect,
    /// HTTP `release`: the delayed close (its own timer, beside the connection's), with the
    /// `OnClose` code (0: a plain close).
    Release(i32),
    /// ARQ: every session of the worker ticks (every `flush_interval`).
    ArqTick,
    /// WebSocket mode: the keep-alive round (every `ws_ping_interval`).
    WsPing,
}

/// What the worker alone knows about a connection it owns: 16 bytes, a pointer to the
/// connection (whose `owner` byte holds this record's flags: `REGISTERED` ... `READ_BLOCKED`)
/// and one to what only some connections need.
pub(super) struct Local {
    conn: Arc<Conn>,
    /// The protocol state and the deadline, made on first use (see `Layer`).
    layer: Option<Box<Layer>>,
}

/// `Local` flag: the connection's socket is registered with the poll.
const REGISTERED: u8 = 1;
/// `Local` flag: `OnClose` is owed: the connection was accepted or its connect started.
const CLOSE_OWED: u8 = 2;
const CONNECTING: u8 = 4;
/// `Local` flag: the peer closed its side: read until end of stream even after short reads.
const READ_CLOSED: u8 = 8;
/// `Local` flag: data may be waiting while receiving is paused.
const READ_BLOCKED: u8 = 16;

impl Local {
    /// Whether the record's `flag` is set.
    fn is(&self, flag: u8) -> bool {
        owned(&self.conn, flag)
    }

    /// Sets or clears the record's `flag`.
    fn set(&self, flag: u8, on: bool) {
        // Only the owning worker writes these: a load and a store, no atomic update.
        let flags = self.conn.owner.load(Ordering::Relaxed);
        let flags = if on { flags | flag } else { flags & !flag };
        self.conn.owner.store(flags, Ordering::Relaxed);
    }
}

/// Whether a record's `flag` is set, read from its connection (once the record is gone).
fn owned(conn: &Conn, flag: u8) -> bool {
    conn.owner.load(Ordering::Relaxed) & flag != 0
}

/// What the worker keeps for some of its connections only, in one box made on first use:
/// a plain TCP connection (PUSH or PULL, no TLS, no deadline) carries a pointer, and every
/// connection's record stays at 16 bytes (the C1 cell).
struct Layer {
    model: Model,
    /// The deadline the connection waits on, if any (see `Worker::arm`): connects, TLS
    /// handshakes, drains. The box is dropped again when this goes and `model` is `None`.
    deadline: Option<TimerKey>,
}

/// The protocol state the worker alone keeps for a connection: a connection has at most one.
enum Model {
    None,
    /// PACK: the layer holding frames not yet delivered.
    Pack(Pack),
    /// HTTP: the parser and what it holds; boxed again, so that a PACK connection's box is
    /// PACK's size and not the parser's (264 bytes).
    Http(Box<HttpSession>),
    /// UDP (PUSH or ARQ): the heartbeat state, made by the first round the peer is silent
    /// in, or by its close-notify.
    Udp(UdpLayer),
}

/// A UDP connection's heartbeat state (see `heartbeat.rs`); all zero until made.
#[derive(Debug, Clone, Copy, Default)]
struct UdpLayer {
    /// Heartbeat rounds since the peer was last heard from.
    detect_fails: u32,
    /// The peer said goodbye (close-notify), so ours is not sent back.
    notified: bool,
}

/// The accessors take the `Local::layer` field rather than the record, so that the rest of
/// the record (its `conn`) stays borrowable beside the layer.
impl Layer {
    /// The box, made empty the first time.
    fn made(layer: &mut Option<Box<Layer>>) -> &mut Layer {
        layer.get_or_insert_with(|| {
            Box::new(Layer {
                model: Model::None,
                deadline: None,
            })
        })
    }

    fn model(layer: &Option<Box<Layer>>) -> Option<&Model> {
        layer.as_deref().map(|l| &l.model)
    }

    fn model_mut(layer: &mut Option<Box<Layer>>) -> Option<&mut Model> {
        layer.as_deref_mut().map(|l| &mut l.model)
    }

    /// HTTP model: the parser, once made.
    fn http(layer: &Option<Box<Layer>>) -> Option<&HttpSession> {
        match Layer::model(layer) {
            Some(Model::Http(h)) => Some(h),
            _ => None,
        }
    }

    fn http_mut(layer: &mut Option<Box<Layer>>) -> Option<&mut HttpSession> {
        match Layer::model_mut(layer) {
            Some(Model::Http(h)) => Some(h),
            _ => None,
        }
    }

    /// HTTP model: the parser, made by `make` the first time (a connection's model never
    /// changes, so a layer once made is the right one).
    fn http_or_insert_with(
        layer: &mut Option<Box<Layer>>,
        make: impl FnOnce() -> HttpSession,
    ) -> &mut HttpSession {
        let model = &mut Layer::made(layer).model;
        if let Model::None = model {
            *model = Model::Http(Box::new(make()));
        }
        match model {
            Model::Http(h) => h,
            _ => unreachable!("an HTTP connection has no other layer"),
        }
    }

    /// PACK model: the frame layer, made by `make` the first time.
    fn pack_or_insert_with(
        layer: &mut Option<Box<Layer>>,
        make: impl FnOnce() -> Pack,
    ) -> &mut Pack {
        let model = &mut Layer::made(layer).model;
        if let Model::None = model {
            *model = Model::Pack(make());
        }
        match model {
            Model::Pack(p) => p,
            _ => unreachable!("a PACK connection has no other layer"),
        }
    }

    /// UDP: the heartbeat state (all zero until made).
    fn udp(layer: &Option<Box<Layer>>) -> UdpLayer {
        match Layer::model(layer) {
            Some(Model::Udp(u)) => *u,
            _ => UdpLayer::default(),
        }
    }

    /// UDP: the heartbeat state, if made.
    fn udp_made(layer: &mut Option<Box<Layer>>) -> Option<&mut UdpLayer> {
        match Layer::model_mut(layer) {
            Some(Model::Udp(u)) => Some(u),
            _ => None,
        }
    }

    /// UDP: the heartbeat state, made the first time.
    fn udp_mut(layer: &mut Option<Box<Layer>>) -> &mut UdpLayer {
        let model = &mut Layer::made(layer).model;
        if let Model::None = model {
            *model = Model::Udp(UdpLayer::default());
        }
        match model {
            Model::Udp(u) => u,
            _ => unreachable!("a UDP connection has no PACK or HTTP layer"),
        }
    }

    /// The deadline the connection waits on.
    fn deadline(layer: &Option<Box<Layer>>) -> Option<TimerKey> {
        layer.as_deref()?.deadline
    }

    /// Forgets the deadline (fired or to cancel) and returns it; the box goes with it when
    /// it holds nothing else.
    fn take_deadline(layer: &mut Option<Box<Layer>>) -> Option<TimerKey> {
        let l = layer.as_deref_mut()?;
        let key = l.deadline.take();
        if let Model::None = l.model {
            *layer = None;
        }
        key
    }

    fn set_deadline(layer: &mut Option<Box<Layer>>, key: TimerKey) {
        Layer::made(layer).deadline = Some(key);
    }
}

pub(super) struct Worker {
    index: usize,
    run: Arc<Running>,
    poll: Poll,
    commands: Receiver<Command>,
    /// Listeners and shared sockets, registered with `source_token`.
    sources: Vec<Source>,
    /// Sources whose turn ran out with more to read.
    ready_sources: Vec<usize>,
    /// ARQ sessions that took segments during the current read batch and owe acks: written
    /// together once the batch ends (`arq_flush_owed`).
    arq_owed: Vec<(usize, crate::types::ConnId)>,
    /// UDP server: the connection of each peer of this worker's socket (at most
    /// MaxConnectionCount entries: see `peers.rs` on its hash).
    peers: peers::Peers,
    /// A copy of the datagram being reported by `OnSend` (reused).
    scratch: Vec<u8>,
    locals: Slab<Local>,
    read_buf: Box<[u8]>,
    /// Plaintext of the TLS unit being delivered (allocated on first use; swapped with
    /// `read_buf` while the receive model reads it).
    plain_buf: Box<[u8]>,
    /// Connections with more to read after their turn ran out, or un-paused.
    ready: VecDeque<(usize, u64)>,
    /// Blocks written by the flush in progress, on their way back to the pool.
    written_blocks: Vec<Vec<u8>>,
    /// A chunk of a file body being copied or encrypted (reused).
    file_buf: Vec<u8>,
    /// Milliseconds since the engine epoch, read once per turn of the loop (silence marks).
    now_ms: u64,
    /// Deadlines of connections (connects, TLS handshakes, drains) and of the listener.
    timers: TimerWheel<(usize, ConnId, Deadline)>,
    /// Connections whose peer closed its side while the queue still held the answer, by
    /// local key: each is `Closing` and stays open for writing until its queue drains (see
    /// `close.rs`). Few at a time, so kept here rather than in every connection's record.
    drains: Vec<(usize, Drain)>,
    /// Deadlines being fired, kept between turns so expiring allocates nothing.
    due: Vec<(usize, ConnId, Deadline)>,
    /// The WebSocket keep-alive round is armed.
    ws_ping_armed: bool,
    stopping: bool,
}

impl Worker {
    pub(super) fn new(
        index: usize,
        run: Arc<Running>,
        poll: Poll,
        commands: Receiver<Command>,
        sources: Vec<Source>,
    ) -> Worker {
        debug_assert!(sources.len() <= MAX_SOURCES);
        Worker {
            index,
            run,
            poll,
            commands,
            sources,
            ready_sources: Vec::new(),
            arq_owed: Vec::new(),
            peers: peers::new_peers(),
            scratch: Vec::new(),
            locals: Slab::new(),
            read_buf: vec![0; READ_BUFFER].into_boxed_slice(),
            plain_buf: Box::default(),
            ready: VecDeque::new(),
            written_blocks: Vec::new(),
            file_buf: Vec::new(),
            now_ms: 0,
            timers: TimerWheel::new(Instant::now()),
            drains: Vec::new(),
            due: Vec::new(),
            ws_ping_armed: false,
            stopping: false,
        }
    }

    pub(super) fn run(mut self) {
        THREAD.with(|t| {
            *t.worker.borrow_mut() = Some(WorkerThread {
                run: self.run.clone(),
                index: self.index,
                delivering: None,
            })
        });
        let index = self.index;
        guarded_unit(|| self.run.events.worker_started(index));
        let capacity = self.run.config.accept_socket_count.max(16) as usize;
        let mut events = MioEvents::with_capacity(capacity);
        self.arm_detect();
        self.arm_arq();
        while !self.stopping {
            let idle = self.ready.is_empty() && self.ready_sources.is_empty();
            let timeout = if idle && self.commands.is_empty() {
                self.timers.next_timeout(Instant::now())
            } else {
                Some(Duration::ZERO)
            };
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    // epoll_wait only fails on programming errors; stop rather than spin.
                    break;
                }
            }
            if self.run.config.mark_silence {
                self.now_ms = self.run.now_ms();
            }
            for event in events.iter() {
                match event.token() {
                    WAKER_TOKEN => {
                        self.run.workers[self.index]
                            .wake_pending
                            .store(false, Ordering::Release);
                    }
                    Token(t) if t > FIRST_SOURCE_TOKEN - MAX_SOURCES => self.source_event(
                        FIRST_SOURCE_TOKEN - t,
                        event.is_readable() || event.is_error(),
                        event.is_writable(),
                    ),
                    Token(key) => self.conn_event(key, event),
                }
                self.flush_deferred();
            }
            self.drain_commands();
            self.flush_deferred();
            self.read_ready();
            self.read_ready_sources();
            self.flush_deferred();
            self.expire_timers();
            self.flush_deferred();
        }
        self.shut_down();
        guarded_unit(|| self.run.events.worker_exiting(index));
        THREAD.with(|t| *t.worker.borrow_mut() = None);
        let run = self.run.clone();
        drop(self);
        run.worker_exited();
    }

    /// The local key of `conn`, if this worker still owns it.
    fn key_of(&self, conn: &Arc<Conn>) -> Option<usize> {
        let key = conn.local_key.load(Ordering::Acquire) as usize;
        match self.locals.get(key) {
            Some(local) if Arc::ptr_eq(&local.conn, conn) => Some(key),
            _ => None,
        }
    }

    fn conn_event(&mut self, key: usize, event: &mio::event::Event) {
        let Some(local) = self.locals.get_mut(key) else {
            return;
        };
        if event.is_read_closed() {
            local.set(READ_CLOSED, true);
        }
        if local.is(CONNECTING) {
            if event.is_writable() || event.is_error() || event.is_write_closed() {
                self.finish_connect(key);
            }
            // The same edge may also carry data or the peer's FIN (a server that closes at
            // once): with edge triggering it will not be reported again, so read it now.
            match self.locals.get(key) {
                Some(l) if !l.is(CONNECTING) && l.conn.state() == ConnState::Connected => {}
                _ => return,
            }
        }
        if event.is_error() {
            let conn = &self.locals[key].conn;
            let code = match conn.transport.take_error() {
                Ok(Some(e)) | Err(e) => sock::errno(&e),
                Ok(None) => libc::EIO,
            };
            self.close(key, close::error_event_operation(event), code);
            return;
        }
        if event.is_readable() || event.is_read_closed() {
            self.read(key);
        }
        // Edge-triggered sockets report writability with most events; only a queue with
        // something in it needs the lock and the write.
        if event.is_writable()
            && self
                .locals
                .get(key)
                .is_some_and(|l| l.conn.pending.load(Ordering::Acquire) > 0)
        {
            self.flush(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_record_is_16_bytes() {
        // One per connection in the worker's slab (the C1 cell): the deadline, the UDP
        // heartbeat state and the protocol layers live behind `layer`.
        assert_eq!(std::mem::size_of::<Local>(), 16);
        assert_eq!(std::mem::size_of::<Option<Box<Layer>>>(), 8);
        // The slab's entry is this enum: a null `conn` tells a free entry apart, so a
        // record costs the slab nothing more.
        #[allow(dead_code)]
        enum SlabEntry {
            Vacant(usize),
            Occupied(Local),
        }
        assert_eq!(std::mem::size_of::<SlabEntry>(), 16);
    }
}
