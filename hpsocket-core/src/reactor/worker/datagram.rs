//! The UDP side of a worker: reading a server's socket and handing each datagram to its
//! peer's connection (made on the first datagram from a new peer), reading a client's
//! connected socket, and writing queued datagrams. A node's socket is read in `node.rs`; the
//! heartbeat rounds that find silent peers are in `heartbeat.rs`.
//!
//! As in HP-Socket: an empty datagram is a heartbeat (a server answers it with one; a
//! client sends one on connect and every `detect_interval`); the 16-byte close-notify
//! datagram closes the connection; a datagram over `max_datagram_size` is dropped, counted
//! and reported, never delivered cut.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::peers::PeerKey;
use super::{Layer, Source, Worker, READ_BLOCKED};
use crate::conn::transport::{is_close_notify, PeerSocket};
use crate::conn::{Conn, ConnState, Transport, FLUSH_REQUESTED, SEND_REFUSED};
use crate::error::ErrorKind;
use crate::reactor::events::guarded_unit;
use crate::reactor::{Adoption, TransportKind};
use crate::sock::{self, Received, RecvBatch};
use crate::types::SocketOperation;

/// What one received datagram is.
enum Datagram {
    Heartbeat,
    CloseNotify,
    Oversize,
    Data,
}

thread_local! {
    /// The worker's `recvmmsg` headers (made on its first read of a UDP server socket; kept
    /// here because they hold raw pointers, which a `Worker` moving to its thread cannot).
    static RECV_BATCH: RefCell<Option<RecvBatch>> = const { RefCell::new(None) };
}

impl Worker {
    fn classify(&self, at: usize, n: usize) -> Datagram {
        let cast = self.run.shared.transport == TransportKind::UdpCast;
        if n == 0 {
            // Also on a cast socket, where nothing answers it: an empty datagram has nothing to
            // deliver.
            Datagram::Heartbeat
        } else if n > self.run.config.udp.max_datagram_size as usize {
            Datagram::Oversize
        } else if !cast && is_close_notify(&self.read_buf[at..at + n]) {
            Datagram::CloseNotify
        } else {
            Datagram::Data
        }
    }

    /// Reads the UDP server socket `source`, at most `post_receive_count` datagrams per turn,
    /// a batch (`recvmmsg`) per system call, each delivered in arrival order; the ARQ acks
    /// owed for the turn's datagrams go out after it.
    pub(super) fn receive_datagrams(&mut self, source: usize) {
        self.receive_datagram_batch(source);
        self.arq_flush_owed();
    }

    fn receive_datagram_batch(&mut self, source: usize) {
        let Some(Source::Datagram(socket)) = self.sources.get(source) else {
            return;
        };
        let socket = socket.clone();
        let mut batch = RECV_BATCH.take().unwrap_or_else(|| {
            let udp = &self.run.config.udp;
            RecvBatch::new(
                udp.max_datagram_size as usize,
                udp.post_receive_count as usize,
            )
        });
        if self.read_buf.len() < batch.buffer_len() {
            self.read_buf = vec![0; batch.buffer_len()].into_boxed_slice();
        }
        super::outbox::open(&socket);
        let more = self.receive_batches(&socket, &mut batch);
        super::outbox::close(&self.run);
        RECV_BATCH.set(Some(batch));
        if more && !self.ready_sources.contains(&source) {
            self.ready_sources.push(source);
        }
    }

    /// The batches of one turn; true when the turn ran out before the socket did.
    fn receive_batches(
        &mut self,
        socket: &Arc<mio::net::UdpSocket>,
        batch: &mut RecvBatch,
    ) -> bool {
        let fd = socket.as_raw_fd();
        let mut budget = (self.run.config.udp.post_receive_count as usize).max(1);
        while budget > 0 {
            let count = match batch.receive(fd, &mut self.read_buf, budget) {
                Ok(count) => count,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // An unconnected socket reports no peer's errors; whatever this is, it is
                    // not one connection's, and the socket stays usable.
                    self.run.report(
                        ErrorKind::Network,
                        sock::errno(&e),
                        format!("{}: recvmmsg: {e}", self.run.shared.name()),
                    );
                    return false;
                }
            };
            for i in 0..count {
                let got = batch.received()[i];
                if let Some(peer) = got.from {
                    self.server_datagram(socket, got, peer);
                }
                if self.stopping {
                    return false;
                }
            }
            // The batch's answers, with one system call.
            super::outbox::flush(&self.run);
            budget = budget.saturating_sub(count);
            if count < batch.capacity().min(budget + count) {
                // Fewer than asked: the queue was empty when the call looked (with edge
                // triggering, a datagram that comes later raises a new event).
                return false;
            }
        }
        true
    }

    /// Sources whose turn ran out: read on.
    pub(super) fn read_ready_sources(&mut self) {
        for _ in 0..self.ready_sources.len() {
            let source = self.ready_sources.remove(0);
            self.source_event(source, true, false);
        }
    }

    /// One datagram (in its slot of the read buffer) from `peer` to the server.
    fn server_datagram(
        &mut self,
        socket: &Arc<mio::net::UdpSocket>,
        got: Received,
        peer: SocketAddr,
    ) {
        let (at, n) = (got.at, got.len);
        let kind = if got.truncated {
            Datagram::Oversize
        } else {
            self.classify(at, n)
        };
        let key = match self.peers.get(&PeerKey(peer)) {
            Some(&key) => key,
            None => match kind {
                Datagram::Oversize => return self.dropped(n, peer),
                // A goodbye from a peer we do not know needs no answer.
                Datagram::CloseNotify => return,
                // Data or a client's first heartbeat: a new connection.
                Datagram::Heartbeat | Datagram::Data => match self.accept_peer(socket, peer) {
                    Some(key) => key,
                    None => return,
                },
            },
        };
        self.heard(key);
        match kind {
            Datagram::Heartbeat => {
                let _ = socket.send_to(&[], peer);
            }
            Datagram::Oversize => self.dropped(n, peer),
            Datagram::CloseNotify => self.closed_by_peer(key),
            Datagram::Data => self.deliver_datagram(key, at, n),
        }
    }

    /// A new peer: a connection with `OnAccept` (and `OnHandShake`); `None` when refused
    /// (MaxConnectionCount reached, `OnAccept` returned `HR_ERROR`, stopping).
    fn accept_peer(
        &mut self,
        socket: &Arc<mio::net::UdpSocket>,
        peer: SocketAddr,
    ) -> Option<usize> {
        if self.stopping {
            return None;
        }
        let Some(id) = self.run.table.reserve() else {
            self.run.report(
                ErrorKind::Network,
                libc::ENOSR,
                format!(
                    "{}: datagram from {peer} refused: MaxConnectionCount ({}) reached",
                    self.run.shared.name(),
                    self.run.table.capacity()
                ),
            );
            return None;
        };
        let transport = Transport::Peer(Box::new(PeerSocket {
            socket: socket.clone(),
            peer,
        }));
        let conn = Arc::new(Conn::new(
            id,
            self.index,
            transport,
            ConnState::Connecting,
            peer,
            None,
            0,
            self.run.now_ms(),
            self.run.shared.conn_model(),
            None,
        ));
        self.run.table.fill(conn.clone());
        self.adopt(conn.clone(), Adoption::Accepted);
        let key = self.key_of(&conn)?;
        self.peers.insert(PeerKey(peer), key);
        Some(key)
    }

    /// Anything from the peer resets its heartbeat count and marks it active.
    fn heard(&mut self, key: usize) {
        let local = &mut self.locals[key];
        // Nothing to reset on a connection never silent for a round (no layer made).
        if let Some(u) = Layer::udp_made(&mut local.layer) {
            u.detect_fails = 0;
        }
        if self.run.config.mark_silence {
            local
                .conn
                .last_active_ms
                .store(self.now_ms, Ordering::Relaxed);
        }
    }

    fn closed_by_peer(&mut self, key: usize) {
        Layer::udp_mut(&mut self.locals[key].layer).notified = true;
        self.close(key, SocketOperation::Close, 0);
    }

    /// A datagram over `max_datagram_size`: dropped whole, counted, reported.
    fn dropped(&mut self, n: usize, peer: SocketAddr) {
        self.run.dropped_datagrams.fetch_add(1, Ordering::Relaxed);
        self.run.report(
            ErrorKind::DataProc,
            libc::EMSGSIZE,
            format!(
                "{}: dropped a datagram of {n} bytes from {peer}: larger than MaxDatagramSize ({})",
                self.run.shared.name(),
                self.run.config.udp.max_datagram_size
            ),
        );
    }

    /// Hands the datagram at `at` in the read buffer to the connection at `key`.
    fn deliver_datagram(&mut self, key: usize, at: usize, n: usize) {
        if self.locals[key].conn.arq().is_some() {
            // The ARQ session reads the front of the buffer; the slots before this one were
            // delivered already.
            self.read_buf.copy_within(at..at + n, 0);
            return self.arq_datagram(key, n);
        }
        let conn = &self.locals[key].conn;
        if conn.state() != ConnState::Connected || conn.paused.load(Ordering::Acquire) {
            // A paused UDP connection drops what arrives: a shared socket cannot stop reading
            // for one peer (documented).
            return;
        }
        if let Err((operation, code)) = self.deliver_at(key, at, n) {
            self.close(key, operation, code);
        }
    }

    /// Reads a UDP client's connected socket; the ARQ acks owed for the datagrams read go out
    /// after them.
    pub(super) fn read_datagrams(&mut self, key: usize) {
        self.read_datagram_batch(key);
        self.arq_flush_owed();
    }

    fn read_datagram_batch(&mut self, key: usize) {
        let conn = self.locals[key].conn.clone();
        for _ in 0..self.run.config.udp.post_receive_count {
            if conn.state() != ConnState::Connected {
                return;
            }
            if conn.paused.load(Ordering::Acquire) {
                // Datagrams wait in the socket until receiving resumes.
                self.locals[key].set(READ_BLOCKED, true);
                return;
            }
            match conn.transport.read(&mut self.read_buf) {
                Ok(n) => {
                    self.heard(key);
                    match self.classify(0, n) {
                        Datagram::Heartbeat => {}
                        Datagram::Oversize => {
                            let peer = conn
                                .transport
                                .cast_source()
                                .unwrap_or_else(|| conn.remote_addr());
                            self.dropped(n, peer);
                        }
                        Datagram::CloseNotify => return self.closed_by_peer(key),
                        Datagram::Data if conn.arq().is_some() => {
                            self.arq_datagram(key, n);
                            if !self.locals.contains(key) {
                                return;
                            }
                        }
                        Datagram::Data => {
                            if let Err((operation, code)) = self.deliver(key, n) {
                                return self.close(key, operation, code);
                            }
                            if !self.locals.contains(key) {
                                return;
                            }
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // ECONNREFUSED: the server's port is closed (ICMP port unreachable).
                    return self.close(key, SocketOperation::Receive, sock::errno(&e));
                }
            }
        }
        self.ready.push_back((key, conn.id));
    }

    /// Writes queued datagrams of `conn` (at `key`) until the queue is empty or the socket is
    /// full; true if anything was written.
    pub(super) fn flush_messages(
        &mut self,
        key: usize,
        conn: &Arc<Conn>,
        done: &mut Vec<Vec<u8>>,
    ) -> bool {
        conn.swap_flag(FLUSH_REQUESTED, false);
        let report = self.run.events.wants_send();
        let mut wrote = false;
        loop {
            let mut queue = conn.queue();
            let Some(message) = queue.front_message() else {
                return wrote;
            };
            match conn.transport.send_parts(std::iter::once(message)) {
                Ok(_) => {
                    wrote = true;
                    if report {
                        self.scratch.clear();
                        self.scratch.extend_from_slice(message);
                    }
                    queue.pop_message(done);
                    let pending = queue.len();
                    conn.pending.store(pending, Ordering::Release);
                    drop(queue);
                    if report {
                        let data = &self.scratch;
                        guarded_unit(|| self.run.events.send(conn.id, data));
                    }
                    for block in done.drain(..) {
                        self.run.pool.put(block);
                    }
                    if pending <= self.run.config.socket.send_queue_low_watermark as usize
                        && conn.swap_flag(SEND_REFUSED, false)
                    {
                        guarded_unit(|| self.run.events.send_drained(conn.id, pending));
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
