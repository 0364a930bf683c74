//! The receive path of a worker: reading the socket, handing bytes to the receive model
//! (PUSH, PULL, PACK), and taking turns between busy connections.

use std::cell::RefCell;
use std::io;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::close::read_error_operation;
use super::tls::tls_state;
use super::{Layer, Local, Worker, CONNECTING, READS_PER_TURN, READ_BLOCKED, READ_CLOSED};
use crate::conn::{Conn, ConnState, Transport};
use crate::model::ReceiveModel;
use crate::protocol::{Fault, Io, Pack, Protocol};
use crate::reactor::events::guarded;
use crate::reactor::{CallbackThread, Running, WorkerThread, THREAD};
use crate::sock;
use crate::ssl::session::TlsState;
use crate::types::SocketOperation;

impl Worker {
    pub(super) fn read(&mut self, key: usize) {
        let conn = self.locals[key].conn.clone();
        if conn.transport.is_datagram() {
            return self.read_datagrams(key);
        }
        let id = conn.id;
        for _ in 0..READS_PER_TURN {
            if conn.state() != ConnState::Connected {
                return;
            }
            if conn.paused.load(Ordering::Acquire) {
                self.locals[key].set(READ_BLOCKED, true);
                return;
            }
            // The stream read inline: this is the hot path of every TCP message.
            let read = match &conn.transport {
                Transport::Stream(s) => sock::recv(s, &mut self.read_buf),
                other => other.read(&mut self.read_buf),
            };
            match read {
                Ok(0) => {
                    self.receive_ended(key, (SocketOperation::Close, 0));
                    return;
                }
                Ok(n) => {
                    if self.run.config.mark_silence {
                        conn.last_active_ms.store(self.now_ms, Ordering::Relaxed);
                    }
                    let received = match tls_state(&conn) {
                        Some(TlsState::Plain) | None => self.deliver(key, n),
                        Some(_) => self.tls_receive(key, Some(n)),
                    };
                    if let Err(ended) = received {
                        self.receive_ended(key, ended);
                        return;
                    }
                    if !self.locals.contains(key) {
                        return;
                    }
                    // A short read took everything there was; new data brings a new event.
                    if n < self.read_buf.len() && !self.locals[key].is(READ_CLOSED) {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let code = sock::errno(&e);
                    self.close(key, read_error_operation(code), code);
                    return;
                }
            }
        }
        self.ready.push_back((key, id));
    }

    /// Hands the `n` bytes just read into the read buffer to the receive model.
    pub(super) fn deliver(&mut self, key: usize, n: usize) -> Result<(), (SocketOperation, i32)> {
        self.deliver_at(key, 0, n)
    }

    /// [`Worker::deliver`] of the `n` bytes at `at` in the read buffer (a batch of datagrams
    /// fills it slot by slot).
    pub(super) fn deliver_at(
        &mut self,
        key: usize,
        at: usize,
        n: usize,
    ) -> Result<(), (SocketOperation, i32)> {
        let Worker {
            locals,
            read_buf,
            run,
            now_ms,
            ..
        } = self;
        let local = &mut locals[key];
        let id = local.conn.id;
        let data = &read_buf[at..at + n];
        let events = &run.events;
        // PUSH and PULL are the identity layer (`protocol::Raw`) written out: this is every
        // plain TCP message's path, and going through the layer's `Io` cost the IR cell ~45
        // instructions per message.
        let (result, code) = match run.shared.model {
            ReceiveModel::Pack => return pack_input(local, data, run, *now_ms),
            ReceiveModel::Http => {
                let delivered = super::http::deliver_http(local, data, run);
                if Layer::http_mut(&mut local.layer).is_some_and(|s| s.take_ws_entered()) {
                    self.arm_ws_ping();
                }
                return delivered;
            }
            // ARQ datagrams go through their session (`arq.rs`), never here.
            ReceiveModel::Push | ReceiveModel::Arq => {
                delivering(&local.conn, |t| t.guarded(|| events.receive(id, data)))
            }
            ReceiveModel::Pull => {
                let total = local.conn.pull_buffer().map_or(0, |mut b| b.append(data));
                delivering(&local.conn, |t| {
                    t.guarded(|| events.pull_receive(id, total))
                })
            }
        };
        if result.is_error() {
            return Err((SocketOperation::Receive, code));
        }
        Ok(())
    }

    /// Reads for connections whose turn ran out or that were un-paused; PACK first delivers
    /// the frames it holds.
    pub(super) fn read_ready(&mut self) {
        for _ in 0..self.ready.len() {
            let Some((key, id)) = self.ready.pop_front() else {
                break;
            };
            let Some(local) = self.locals.get_mut(key) else {
                continue;
            };
            if local.conn.id != id || local.is(CONNECTING) {
                continue;
            }
            local.set(READ_BLOCKED, false);
            if matches!(tls_state(&local.conn), Some(TlsState::Established)) {
                // Plaintext may wait inside the session since the pause.
                if let Err(ended) = self.tls_receive(key, None) {
                    self.receive_ended(key, ended);
                    continue;
                }
                if !self.locals.contains(key) {
                    continue;
                }
            }
            let Some(local) = self.locals.get_mut(key) else {
                continue;
            };
            let held = match self.run.shared.model {
                ReceiveModel::Http => super::http::deliver_http(local, &[], &self.run),
                ReceiveModel::Pack => pack_input(local, &[], &self.run, self.now_ms),
                _ => Ok(()),
            };
            if let Err(ended) = held {
                self.receive_ended(key, ended);
                continue;
            }
            self.read(key);
        }
    }
}

/// Runs `deliver` with `conn` published as the connection whose data the worker hands to the
/// application: a send to it from the callback then needs no table lookup (see
/// `Engine::send`). One thread-local access for the publishing, the withdrawal and, through
/// the state handed to `deliver`, a callback's guard (see [`CallbackThread::guarded`]).
pub(super) fn delivering<R>(conn: &Arc<Conn>, deliver: impl FnOnce(&CallbackThread) -> R) -> R {
    THREAD.with(|t| {
        /// Withdraws the connection however `deliver` ends.
        struct Withdraw<'a>(&'a RefCell<Option<WorkerThread>>);
        impl Drop for Withdraw<'_> {
            fn drop(&mut self) {
                set_delivering(self.0, None);
            }
        }
        set_delivering(&t.worker, Some(conn.clone()));
        let _withdraw = Withdraw(&t.worker);
        deliver(t)
    })
}

/// Sets this worker thread's delivering connection (none on other threads; left alone if
/// a caller up the stack holds the record).
fn set_delivering(w: &RefCell<Option<WorkerThread>>, conn: Option<Arc<Conn>>) {
    if let Ok(mut w) = w.try_borrow_mut() {
        if let Some(t) = w.as_mut() {
            t.delivering = conn;
        }
    }
}

/// PACK: hands bytes read from the stream (after TLS; empty: the frames held, after a
/// pause) to the connection's [`Pack`] layer, created on first use; it stops at a frame
/// boundary while receiving is paused or the connection is closing.
fn pack_input(
    local: &mut Local,
    data: &[u8],
    run: &Running,
    now_ms: u64,
) -> Result<(), (SocketOperation, i32)> {
    let mut io = ConnIo {
        run,
        conn: &local.conn,
        failed: None,
    };
    let layer = Layer::pack_or_insert_with(&mut local.layer, || Pack::new(run.config.pack));
    // The protocol clock is HP-Socket's 32-bit millisecond count.
    let input = delivering(io.conn, |_| layer.input(data, now_ms as u32, &mut io));
    match (input, io.failed) {
        (Err(Fault { code, .. }), _) | (Ok(_), Some(code)) => Err((SocketOperation::Receive, code)),
        (Ok(_), None) => {
            if local.conn.paused.load(Ordering::Acquire) {
                local.set(READ_BLOCKED, true);
            }
            Ok(())
        }
    }
}

/// A worker's [`Io`] for one connection's frames: each reaches `on_receive`.
struct ConnIo<'a> {
    run: &'a Running,
    conn: &'a Arc<Conn>,
    /// The errno a callback's `HR_ERROR` closes the connection with.
    failed: Option<i32>,
}

impl Io for ConnIo<'_> {
    #[inline]
    fn accepting(&self) -> bool {
        !self.conn.paused.load(Ordering::Acquire) && self.conn.state() == ConnState::Connected
    }

    fn deliver(&mut self, data: &[u8]) -> ControlFlow<()> {
        let (id, events) = (self.conn.id, &self.run.events);
        let (result, code) = guarded(|| events.receive(id, data));
        if result.is_error() {
            self.failed = Some(code);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn transmit(&mut self, data: &[u8]) {
        // On the owner's thread: queued behind what the application sent.
        let _ = self
            .run
            .send_to(self.conn, &[data], Some(self.conn.worker()));
    }
}
