//! The TLS path of a worker: starting handshakes and driving each connection's session
//! through the TLS layer (`protocol::Tls`), one step at a time: a step runs with the session
//! locked (other threads encrypt their sends under the same lock) and takes at most one
//! unit of plaintext, which reaches the receive model after the lock is released, so
//! callbacks may send. Records the session produces join the send queue under the lock, in
//! order with the senders' records.

use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Deadline, Worker, READ_BLOCKED, READ_BUFFER};
use crate::conn::{Conn, ConnState};
use crate::error::ErrorKind;
use crate::protocol::{Fault, Io, Protocol, Status, Tls};
use crate::reactor::Running;
use crate::ssl::session::TlsState;
use crate::sync::lock;
use crate::types::SocketOperation;

impl Worker {
    /// Starts (or continues) a TLS handshake: arms its deadline and sends what it produced.
    pub(super) fn start_tls(&mut self, key: usize) {
        let id = self.locals[key].conn.id;
        self.arm(
            key,
            id,
            Deadline::TlsHandshake,
            self.run.config.socket.ssl_handshake_timeout,
        );
        if let Err(ended) = self.tls_receive(key, None) {
            self.receive_ended(key, ended);
        }
    }

    /// TLS: feeds `fresh` ciphertext bytes from the read buffer (none: only advance), drives
    /// the handshake, and hands decrypted plaintext to the receive model, a unit per step,
    /// until the session needs input, the connection pauses or it ends.
    pub(super) fn tls_receive(
        &mut self,
        key: usize,
        mut fresh: Option<usize>,
    ) -> Result<(), (SocketOperation, i32)> {
        let conn = self.locals[key].conn.clone();
        let Some(tls) = conn.tls() else {
            return Ok(());
        };
        if self.plain_buf.is_empty() {
            self.plain_buf = vec![0; READ_BUFFER].into_boxed_slice();
        }
        loop {
            let step = {
                let mut session = lock(tls);
                let Worker {
                    read_buf,
                    plain_buf,
                    run,
                    now_ms,
                    ..
                } = self;
                let data = fresh.take().map_or(&[][..], |n| &read_buf[..n]);
                let mut io = StepIo::new(run, &conn);
                let status =
                    Tls::borrowed(&mut session, plain_buf).input(data, *now_ms as u32, &mut io);
                if io.queued {
                    // Held plaintext was encrypted into the output once the handshake completed.
                    conn.set_held(session.held_len());
                }
                // Checked under the same lock: after the unit was handed over, a step with
                // nothing left to decrypt would only cost an `SSL_read` that says WANT_READ.
                let drained = io.plain.is_some() && session.drained();
                (status, io, drained)
            };
            let (
                status,
                StepIo {
                    queued,
                    ready,
                    plain,
                    ..
                },
                drained,
            ) = step;
            if queued {
                self.flush(key);
            }
            match status {
                Err(Fault { code, message }) => {
                    self.run.report(
                        ErrorKind::Network,
                        code,
                        format!("connection {}: {message}", conn.id),
                    );
                    return Err((SocketOperation::Receive, code));
                }
                Ok(Status::Closed) => return Err((SocketOperation::Close, 0)),
                Ok(Status::Open) => {}
            }
            if !self.still_connected(key, &conn) {
                return Ok(());
            }
            let progressed = ready || plain.is_some();
            if ready {
                // `OnHandShake` precedes the first plaintext.
                self.handshake_done(key);
            } else if let Some(n) = plain {
                // The unit is in `plain_buf`; the receive model reads the read buffer.
                std::mem::swap(&mut self.read_buf, &mut self.plain_buf);
                let delivered = self.deliver(key, n);
                std::mem::swap(&mut self.read_buf, &mut self.plain_buf);
                delivered?;
            }
            if !self.still_connected(key, &conn) {
                return Ok(());
            }
            if conn.paused.load(Ordering::Acquire) {
                // Plaintext waits inside the session until the receive resumes.
                self.locals[key].set(READ_BLOCKED, true);
                return Ok(());
            }
            if !progressed || drained {
                // The session needs more ciphertext.
                return Ok(());
            }
        }
    }

    /// Whether `conn` is still the connected one at `key` (a callback may have closed it).
    fn still_connected(&self, key: usize, conn: &Arc<Conn>) -> bool {
        self.locals
            .get(key)
            .is_some_and(|l| Arc::ptr_eq(&l.conn, conn))
            && conn.state() == ConnState::Connected
    }
}

/// The [`Io`] of one step of a worker's TLS layer: records join the connection's send queue
/// (under the session lock, so they keep their order with other threads' records), and at
/// most one unit of plaintext is taken, never in the step that completes the handshake.
struct StepIo<'a> {
    run: &'a Running,
    conn: &'a Conn,
    /// Records were queued: the socket needs a flush.
    queued: bool,
    /// The handshake completed in this step.
    ready: bool,
    /// The length of the plaintext unit taken (a prefix of the worker's `plain_buf`).
    plain: Option<usize>,
}

impl<'a> StepIo<'a> {
    fn new(run: &'a Running, conn: &'a Conn) -> Self {
        StepIo {
            run,
            conn,
            queued: false,
            ready: false,
            plain: None,
        }
    }
}

impl Io for StepIo<'_> {
    fn accepting(&self) -> bool {
        !self.ready
            && self.plain.is_none()
            && !self.conn.paused.load(Ordering::Acquire)
            && self.conn.state() == ConnState::Connected
    }

    fn deliver(&mut self, data: &[u8]) -> ControlFlow<()> {
        // Only decrypted units come here: the worker steps a session once it has started
        // (a session not started passes bytes through, and the worker delivers those itself).
        self.plain = Some(data.len());
        ControlFlow::Break(())
    }

    fn transmit(&mut self, data: &[u8]) {
        let mut queue = self.conn.queue();
        queue.push(data, &self.run.pool);
        self.conn.pending.store(queue.len(), Ordering::Release);
        self.queued = true;
    }

    fn ready(&mut self) {
        self.ready = true;
    }
}

/// The TLS state of a connection of an SSL component.
pub(super) fn tls_state(conn: &Conn) -> Option<TlsState> {
    conn.tls().map(|t| lock(t).state())
}
