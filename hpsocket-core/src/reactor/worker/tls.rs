//! The TLS path of a worker: starting handshakes, feeding ciphertext to the session, and
//! handing decrypted bytes to the receive model. Callbacks run with the session unlocked.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Deadline, Worker};
use crate::conn::{Conn, ConnState};
use crate::error::ErrorKind;
use crate::ssl::session::{Plain, TlsState};
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
    /// the handshake, and hands decrypted plaintext to the receive model. Callbacks run with
    /// the session unlocked, so they may send.
    pub(super) fn tls_receive(
        &mut self,
        key: usize,
        fresh: Option<usize>,
    ) -> Result<(), (SocketOperation, i32)> {
        let conn = self.locals[key].conn.clone();
        let Some(tls) = conn.tls.as_deref() else {
            return Ok(());
        };
        let mut session = lock(tls);
        if let Some(n) = fresh {
            session.feed(&self.read_buf[..n]);
        }
        if session.state() == TlsState::Handshaking {
            let progress = session.handshake();
            self.run.queue_tls_output(&conn, &mut session);
            drop(session);
            self.flush(key);
            match progress {
                Err(f) => {
                    self.run.report(
                        ErrorKind::Network,
                        f.code,
                        format!("connection {}: {}", conn.id, f.message),
                    );
                    return Err((SocketOperation::Receive, f.code));
                }
                Ok(false) => return Ok(()),
                Ok(true) => {
                    if !self.locals.contains(key) {
                        return Ok(());
                    }
                    self.handshake_done(key);
                }
            }
        } else {
            drop(session);
        }
        loop {
            if !self
                .locals
                .get(key)
                .is_some_and(|l| Arc::ptr_eq(&l.conn, &conn))
                || conn.state() != ConnState::Connected
            {
                return Ok(());
            }
            if conn.paused.load(Ordering::Acquire) {
                self.locals[key].read_blocked = true;
                return Ok(());
            }
            let mut session = lock(tls);
            let plain = session.read_plain(&mut self.read_buf);
            let queued = self.run.queue_tls_output(&conn, &mut session);
            drop(session);
            if queued {
                self.flush(key);
            }
            match plain {
                Ok(Plain::Data(m)) => self.deliver(key, m)?,
                Ok(Plain::NeedInput) => return Ok(()),
                Ok(Plain::Closed) => return Err((SocketOperation::Close, 0)),
                Err(f) => {
                    self.run.report(
                        ErrorKind::Network,
                        f.code,
                        format!("connection {}: {}", conn.id, f.message),
                    );
                    return Err((SocketOperation::Receive, f.code));
                }
            }
        }
    }
}

/// The TLS state of a connection of an SSL component.
pub(super) fn tls_state(conn: &Conn) -> Option<TlsState> {
    conn.tls.as_deref().map(|t| lock(t).state())
}
