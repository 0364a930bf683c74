//! What happens when one of a worker's timers passes, and how a connection's deadline is
//! armed (`Deadline`, in `mod.rs` with the other types every step shares, names what each
//! timer guards). A connection waits for one deadline at a time (its connect, then its TLS
//! handshake, then the drain of its last answer); an HTTP release has its own timer beside
//! it, and the per-worker rounds (UDP heartbeats, ARQ ticks, WebSocket pings) and the
//! listener's accept retry share the same wheel (`reactor/timer.rs`).

use std::time::{Duration, Instant};

use super::tls::tls_state;
use super::{Deadline, Layer, Worker, CONNECTING};
use crate::error::ErrorKind;
use crate::ssl::session::TlsState;
use crate::types::{ConnId, SocketOperation};

impl Worker {
    /// Arms the connection's deadline `what` in `ms` (0: none), replacing the one it had: a
    /// connection waits for one thing at a time (its connect, then its TLS handshake, then
    /// the drain of its last answer).
    pub(super) fn arm(&mut self, key: usize, id: ConnId, what: Deadline, ms: u32) {
        if let Some(old) = Layer::take_deadline(&mut self.locals[key].layer) {
            self.timers.cancel(old);
        }
        if ms > 0 {
            let at = Instant::now() + Duration::from_millis(ms.into());
            let timer = self.timers.arm(at, (key, id, what));
            Layer::set_deadline(&mut self.locals[key].layer, timer);
        }
    }

    /// Fails connects, TLS handshakes and drains that passed their deadline.
    pub(super) fn expire_timers(&mut self) {
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
            Layer::take_deadline(&mut local.layer);
            match what {
                Deadline::Connect if local.is(CONNECTING) => {
                    self.close(key, SocketOperation::Connect, libc::ETIMEDOUT);
                }
                Deadline::Drain => self.drain_deadline(key),
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
}
