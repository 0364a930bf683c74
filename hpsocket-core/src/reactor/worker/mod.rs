//! One I/O worker: its `mio::Poll`, the connections it owns, and the loop that turns
//! readiness into callbacks.

mod arq;
mod close;
pub(super) use arq::output as arq_output;
pub(super) use outbox::collect as outbox_collect;
mod datagram;
mod file;
mod http;
mod outbox;
mod peers;
mod receive;
mod tls;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use mio::{Events as MioEvents, Interest, Poll, Token};
use slab::Slab;

use super::events::{guarded, guarded_unit};
use super::timer::{TimerKey, TimerWheel};
use super::{Adoption, Command, Running, WorkerThread, WORKER};
use crate::buffer::Front;
use crate::conn::{Conn, ConnState, Transport};
use crate::error::ErrorKind;
use crate::http::session::HttpSession;
use crate::protocol::Pack;
use crate::sock::{self, MAX_IOV};
use crate::ssl::session::TlsState;
use crate::types::ConnId;
use crate::types::SocketOperation;
use close::Drain;
use tls::tls_state;

/// Token of each worker's waker. Connections use their slab keys, which stay far below.
pub(super) const WAKER_TOKEN: Token = Token(usize::MAX - 1);
/// Token of a worker's first source; source `i` has `FIRST_SOURCE_TOKEN - i`.
pub(super) const FIRST_SOURCE_TOKEN: usize = usize::MAX - 2;
/// Most sources a worker has.
const MAX_SOURCES: usize = 64;

/// A socket a worker polls besides its connections' own.
pub(crate) enum Source {
    /// A TCP server's listening socket (worker 0).
    Listener(mio::net::TcpListener),
    /// A UDP server's socket. Every worker has one, bound to the same port (`SO_REUSEPORT`):
    /// the kernel keeps each peer on one socket, so a peer's connection lives on the worker
    /// that reads its datagrams and nothing is handed between threads.
    Datagram(Arc<mio::net::UdpSocket>),
    /// A UDP node's socket (worker 0): read here, written by any thread.
    Node(Arc<super::node::NodeSocket>),
}

impl Source {
    pub(crate) fn fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        match self {
            Source::Listener(l) => l.as_raw_fd(),
            Source::Datagram(s) => s.as_raw_fd(),
            Source::Node(n) => n.socket.as_raw_fd(),
        }
    }

    /// What the worker waits for: a node's socket is also written when its queue is full.
    pub(crate) fn interest(&self) -> Interest {
        match self {
            Source::Node(_) => Interest::READABLE | Interest::WRITABLE,
            _ => Interest::READABLE,
        }
    }
}

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

/// How long the listener rests after `accept` ran out of descriptors (or memory): the
/// backlog raises no new edge by itself, so the worker retries on a timer.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// What the worker alone knows about a connection it owns.
pub(super) struct Local {
    conn: Arc<Conn>,
    registered: bool,
    /// `OnClose` is owed: the connection was accepted or its connect started.
    close_owed: bool,
    connecting: bool,
    /// The peer closed its side: read until end of stream even after short reads.
    read_closed: bool,
    /// Data may be waiting while receiving is paused.
    read_blocked: bool,
    /// PACK model: the layer holding frames not yet delivered (created on first use).
    pack: Option<Box<Pack>>,
    /// HTTP model: the parser and what it holds (created on first use).
    http: Option<Box<HttpSession>>,
    /// The peer closed its side and the queue still holds the answer: the connection is
    /// `Closing` and stays open for writing until the queue drains (see `close.rs`).
    draining: Option<Drain>,
    /// The deadline the connection waits on, if any (see `Worker::arm`).
    deadline: Option<TimerKey>,
    /// UDP: heartbeat rounds since the peer was last heard from.
    detect_fails: u32,
    /// UDP: the peer said goodbye (close-notify), so ours is not sent back.
    notified: bool,
}

thread_local! {
    /// Connections of this worker with sends queued inside the callback now running; the
    /// worker writes them when it returns.
    static DEFERRED: RefCell<Vec<Arc<Conn>>> = const { RefCell::new(Vec::new()) };
}

/// Asks the current worker to flush `conn` once the running callback returns.
pub(in crate::reactor) fn defer_flush(conn: Arc<Conn>) {
    DEFERRED.with_borrow_mut(|d| d.push(conn));
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
    /// Connections draining their last answer (so flushes of the others skip the check).
    drains: usize,
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
            drains: 0,
            due: Vec::new(),
            ws_ping_armed: false,
            stopping: false,
        }
    }

    pub(super) fn run(mut self) {
        WORKER.with_borrow_mut(|w| {
            *w = Some(WorkerThread {
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
        WORKER.with_borrow_mut(|w| *w = None);
        let run = self.run.clone();
        drop(self);
        run.worker_exited();
    }

    fn drain_commands(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            match command {
                Command::Adopt(conn, how) => self.adopt(conn, how),
                Command::Flush(conn) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.flush(key);
                    }
                }
                Command::Close(conn, op, code) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.close(key, op, code);
                    }
                }
                Command::Resume(conn) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.ready.push_back((key, conn.id));
                    }
                }
                Command::StartTls(conn) => {
                    if let Some(key) = self.key_of(&conn) {
                        self.start_tls(key);
                    }
                }
                Command::FlushNode => self.flush_node(),
                Command::Release(conn, ms, code) => {
                    if let Some(key) = self.key_of(&conn) {
                        let at = Instant::now() + Duration::from_millis(ms.into());
                        self.timers.arm(at, (key, conn.id, Deadline::Release(code)));
                    }
                }
                Command::Stop => self.stopping = true,
            }
        }
    }

    /// Writes what callbacks queued on this worker's connections.
    fn flush_deferred(&mut self) {
        loop {
            let Some(conn) = DEFERRED.with_borrow_mut(|d| d.pop()) else {
                return;
            };
            if let Some(key) = self.key_of(&conn) {
                self.flush(key);
            } else {
                conn.flush_requested.store(false, Ordering::Release);
            }
        }
    }

    /// The local key of `conn`, if this worker still owns it.
    fn key_of(&self, conn: &Arc<Conn>) -> Option<usize> {
        let key = conn.local_key.load(Ordering::Acquire);
        match self.locals.get(key) {
            Some(local) if Arc::ptr_eq(&local.conn, conn) => Some(key),
            _ => None,
        }
    }

    /// A source is ready: accept connections, read datagrams, write a node's queue.
    fn source_event(&mut self, index: usize, readable: bool, writable: bool) {
        match self.sources.get(index) {
            Some(Source::Listener(_)) if readable => self.accept(),
            Some(Source::Datagram(_)) if readable => self.receive_datagrams(index),
            Some(Source::Node(_)) => {
                if writable {
                    self.flush_node();
                }
                if readable {
                    self.receive_node(index);
                }
            }
            _ => {}
        }
    }

    fn accept(&mut self) {
        loop {
            let Some(Source::Listener(listener)) = self.sources.first() else {
                return;
            };
            let (stream, peer) = match listener.accept() {
                Ok(pair) => pair,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
                    ) =>
                {
                    self.run.report(
                        ErrorKind::Network,
                        sock::errno(&e),
                        format!("accept: {e}; retrying"),
                    );
                    let at = Instant::now() + ACCEPT_RETRY;
                    self.timers.arm(at, (usize::MAX, 0, Deadline::AcceptRetry));
                    return;
                }
                // A connection reset or refused by policy before it was accepted: next one.
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::ECONNABORTED | libc::EPROTO | libc::EPERM)
                    ) =>
                {
                    continue
                }
                Err(_) => return,
            };
            if self.stopping {
                continue;
            }
            // TCP_NODELAY and keep-alive were set on the listener: accepted sockets inherit them.
            let tls = match self.run.new_tls(None) {
                Ok(tls) => tls,
                Err(f) => {
                    self.run.report(
                        ErrorKind::SslEnvNotReady,
                        f.code,
                        format!("accept: {}", f.message),
                    );
                    continue;
                }
            };
            let Some(id) = self.run.table.reserve() else {
                // MaxConnectionCount reached: refuse (the socket closes on drop).
                crate::log!(
                    crate::log::Level::Warn,
                    ("{}#{}", self.run.shared.name(), self.run.shared.uid),
                    "connection from {peer} refused: MaxConnectionCount ({}) reached",
                    self.run.table.capacity()
                );
                continue;
            };
            let worker =
                self.run.next_worker.fetch_add(1, Ordering::Relaxed) % self.run.workers.len();
            let conn = Arc::new(Conn::new(
                id,
                worker,
                Transport::Stream(stream),
                ConnState::Connecting,
                peer,
                None,
                0,
                self.run.now_ms(),
                self.run.shared.conn_model(),
                tls,
            ));
            self.run.table.fill(conn.clone());
            if worker == self.index {
                self.adopt(conn, Adoption::Accepted);
            } else if !self.run.post(
                worker,
                Command::Adopt(conn.clone(), Adoption::Accepted),
                Some(self.index),
            ) {
                self.run.table.release(id);
            }
        }
    }

    fn adopt(&mut self, conn: Arc<Conn>, how: Adoption) {
        let id = conn.id;
        if self.stopping && how == Adoption::Accepted {
            self.run.table.release(id);
            return;
        }
        let key = self.locals.insert(Local {
            conn: conn.clone(),
            registered: false,
            close_owed: false,
            connecting: how == Adoption::Connecting,
            read_closed: false,
            read_blocked: false,
            pack: None,
            http: None,
            draining: None,
            deadline: None,
            detect_fails: 0,
            notified: false,
        });
        conn.local_key.store(key, Ordering::Release);
        crate::log!(
            crate::log::Level::Info,
            ("{}#{}", self.run.shared.name(), self.run.shared.uid),
            "connection {id} {} {}",
            if how == Adoption::Accepted {
                "accepted from"
            } else {
                "connecting to"
            },
            conn.remote_addr
        );
        if how == Adoption::Accepted {
            conn.transition(ConnState::Connecting, ConnState::Connected);
            let fd = conn.transport.fd();
            let (result, _) = guarded(|| self.run.events.accept(id, fd));
            if result.is_error() {
                // Rejected: no OnClose for a connection that was never accepted.
                self.close(key, SocketOperation::Accept, 0);
                return;
            }
        }
        self.locals[key].close_owed = true;
        let registered = match conn.transport.own_fd() {
            Some(fd) => self.poll.registry().register(
                &mut mio::unix::SourceFd(&fd),
                Token(key),
                Interest::READABLE | Interest::WRITABLE,
            ),
            None => Ok(()),
        };
        if let Err(e) = registered {
            let op = if how == Adoption::Accepted {
                SocketOperation::Accept
            } else {
                SocketOperation::Connect
            };
            self.close(key, op, sock::errno(&e));
            return;
        }
        self.locals[key].registered = conn.transport.own_fd().is_some();
        if conn.state() == ConnState::Closing {
            // Disconnected before this worker got it.
            self.close(key, SocketOperation::Close, 0);
            return;
        }
        if how == Adoption::Connecting {
            self.arm(
                key,
                id,
                Deadline::Connect,
                self.run.config.socket.connect_timeout,
            );
        } else {
            self.established(key);
        }
    }

    /// Arms the connection's deadline `what` in `ms` (0: none), replacing the one it had: a
    /// connection waits for one thing at a time (its connect, then its TLS handshake, then
    /// the drain of its last answer).
    fn arm(&mut self, key: usize, id: ConnId, what: Deadline, ms: u32) {
        if let Some(old) = self.locals[key].deadline.take() {
            self.timers.cancel(old);
        }
        if ms > 0 {
            let at = Instant::now() + Duration::from_millis(ms.into());
            self.locals[key].deadline = Some(self.timers.arm(at, (key, id, what)));
        }
    }

    /// Fails connects, TLS handshakes and drains that passed their deadline.
    fn expire_timers(&mut self) {
        if self.timers.is_empty() {
            return; // the common case: no clock read, nothing to walk
        }
        let mut due = std::mem::take(&mut self.due);
        self.timers.expire(Instant::now(), |t| due.push(t));
        for (key, id, what) in due.drain(..) {
            match what {
                Deadline::AcceptRetry => {
                    self.accept();
                    continue;
                }
                Deadline::Detect => {
                    self.detect_round();
                    continue;
                }
                Deadline::ArqTick => {
                    self.arq_round();
                    continue;
                }
                Deadline::WsPing => {
                    self.ws_ping_round();
                    continue;
                }
                Deadline::Release(code) => {
                    if self.locals.get(key).is_some_and(|l| l.conn.id == id) {
                        // What was sent before the release (a response, the WebSocket mode's
                        // close frame) is written before the connection closes.
                        let reason = match code {
                            0 => (SocketOperation::Close, 0),
                            code => (SocketOperation::Receive, code),
                        };
                        self.close_after_drain(key, reason);
                    }
                    continue;
                }
                _ => {}
            }
            let Some(local) = self.locals.get_mut(key).filter(|l| l.conn.id == id) else {
                continue;
            };
            local.deadline = None;
            match what {
                Deadline::Connect if local.connecting => {
                    self.close(key, SocketOperation::Connect, libc::ETIMEDOUT);
                }
                Deadline::Drain if local.draining.is_some() => self.drain_deadline(key),
                Deadline::TlsHandshake if tls_state(&local.conn) == Some(TlsState::Handshaking) => {
                    self.run.report(
                        ErrorKind::Network,
                        libc::ETIMEDOUT,
                        format!("TLS handshake of connection {id} timed out"),
                    );
                    self.close(key, SocketOperation::Receive, libc::ETIMEDOUT);
                }
                _ => {}
            }
        }
        self.due = due;
    }

    /// The TCP connection is up: plain connections are ready (`OnHandShake`); TLS ones start
    /// their handshake unless it is manual.
    fn established(&mut self, key: usize) {
        if let Transport::Datagram(_) = self.locals[key].conn.transport {
            // A UDP client announces itself with a heartbeat, as HP-Socket's does: the server
            // sees the connection before any data.
            let _ = self.locals[key]
                .conn
                .transport
                .send_parts(std::iter::empty());
        }
        if self.locals[key].conn.arq().is_some() {
            // OnHandShake waits for the ARQ handshake.
            return self.arq_start(key);
        }
        match tls_state(&self.locals[key].conn) {
            None => self.handshake_done(key),
            Some(TlsState::Plain) => self.flush(key),
            Some(_) => self.start_tls(key),
        }
    }

    /// `OnHandShake`: the connection is ready for data.
    pub(super) fn handshake_done(&mut self, key: usize) {
        let id = self.locals[key].conn.id;
        let (result, code) = guarded(|| self.run.events.handshake(id));
        if result.is_error() {
            self.close(key, self.run.shared.role.handshake_operation(), code);
            return;
        }
        self.flush(key);
    }

    fn conn_event(&mut self, key: usize, event: &mio::event::Event) {
        let Some(local) = self.locals.get_mut(key) else {
            return;
        };
        if event.is_read_closed() {
            local.read_closed = true;
        }
        if local.connecting {
            if event.is_writable() || event.is_error() || event.is_write_closed() {
                self.finish_connect(key);
            }
            // The same edge may also carry data or the peer's FIN (a server that closes at
            // once): with edge triggering it will not be reported again, so read it now.
            match self.locals.get(key) {
                Some(l) if !l.connecting && l.conn.state() == ConnState::Connected => {}
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

    fn finish_connect(&mut self, key: usize) {
        let conn = self.locals[key].conn.clone();
        match conn.transport.take_error() {
            Ok(Some(e)) | Err(e) => {
                self.close(key, SocketOperation::Connect, sock::errno(&e));
                return;
            }
            Ok(None) => {}
        }
        match conn.transport.peer_addr() {
            Ok(peer) if conn.transport.is_self_connect(peer) => {
                self.close(key, SocketOperation::Connect, libc::ECONNREFUSED);
                return;
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotConnected => return,
            Err(e) => {
                self.close(key, SocketOperation::Connect, sock::errno(&e));
                return;
            }
        }
        self.locals[key].connecting = false;
        if !conn.transition(ConnState::Connecting, ConnState::Connected) {
            return; // a close request is queued and will report it
        }
        let (result, code) = guarded(|| self.run.events.connect(conn.id));
        if result.is_error() {
            self.close(key, SocketOperation::Connect, code);
            return;
        }
        self.established(key);
    }

    /// Writes queued data until the queue is empty or the socket is full.
    fn flush(&mut self, key: usize) {
        // The list of written blocks is kept between calls: no allocation per flush.
        let mut done = std::mem::take(&mut self.written_blocks);
        let wrote = self.flush_with(key, &mut done);
        done.clear();
        self.written_blocks = done;
        if self.drains > 0 && self.locals.get(key).is_some_and(|l| l.draining.is_some()) {
            self.drain_progress(key, wrote);
        }
    }

    /// Writes the queue of the connection at `key`; true if anything was written.
    fn flush_with(&mut self, key: usize, done: &mut Vec<Vec<u8>>) -> bool {
        let conn = self.locals[key].conn.clone();
        if conn.transport.is_datagram() {
            return self.flush_messages(key, &conn, done);
        }
        conn.flush_requested.store(false, Ordering::Release);
        let mut wrote = false;
        loop {
            let mut queue = conn.queue();
            let front = queue.front();
            if front != Front::Bytes {
                let step = match front {
                    Front::Empty => return wrote,
                    Front::File => self.write_file(key, &conn, queue),
                    _ => {
                        drop(queue);
                        self.pump_backlog(key, &conn)
                    }
                };
                match step {
                    file::Step::More => {
                        wrote = true;
                        continue;
                    }
                    _ => return wrote,
                }
            }
            let mut iov = [IoSlice::new(&[]); MAX_IOV];
            let count = queue.fill_slices(&mut iov);
            let offered: usize = iov[..count].iter().map(|s| s.len()).sum();
            match conn.transport.send_slices(&iov[..count]) {
                Ok(n) => {
                    wrote |= n > 0;
                    queue.advance(n, done);
                    let pending = queue.len();
                    conn.pending.store(pending, Ordering::Release);
                    drop(queue);
                    // SSL components reported the plaintext when it was sent.
                    let report = conn.tls.is_none() && self.run.events.wants_send();
                    for block in done.drain(..) {
                        if report {
                            guarded_unit(|| self.run.events.send(conn.id, &block));
                        }
                        self.run.pool.put(block);
                    }
                    self.sent_to_watermark(&conn, pending);
                    if n < offered {
                        return wrote; // socket full: the next writable event continues
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return wrote,
                Err(e) => {
                    drop(queue);
                    self.close(key, SocketOperation::Send, sock::errno(&e));
                    return wrote;
                }
            }
        }
    }
}
