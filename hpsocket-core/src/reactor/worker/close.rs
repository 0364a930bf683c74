//! How a worker ends connections: the close itself (`OnClose` exactly once, then the slot is
//! released), the drain after the peer's half-close, which `OnClose` operation each way of
//! ending reports, and the stop of the whole worker.
//!
//! What `OnClose` reports, as HP-Socket's Linux sources do:
//!
//! | how the connection ended | operation, code |
//! |---|---|
//! | the peer closed (FIN, or TLS close_notify), once the answer drained | `SO_CLOSE`, 0 |
//! | the peer reset it | `SO_CLOSE`, `ECONNRESET` |
//! | `Disconnect`, `Disconnect*Connections`, `Stop` | `SO_CLOSE`, 0 |
//! | a callback returned `HR_ERROR` | `SO_RECEIVE` (`OnHandShake`: `SO_ACCEPT`/`SO_CONNECT`), its code |
//! | a read or a write failed | `SO_RECEIVE` / `SO_SEND`, errno |
//! | a connect failed or timed out | `SO_CONNECT`, errno |
//! | the answer to a half-closed peer stalled | `SO_SEND`, `ETIMEDOUT` |
//! | UDP: the peer sent close-notify | `SO_CLOSE`, 0 |
//! | UDP server: no datagram for `detect_attempts` heartbeat rounds | `SO_CLOSE`, 0 |
//! | UDP client: no answer to `detect_attempts` heartbeats | `SO_CLOSE`, `ECONNRESET` |

use std::io::IoSlice;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::tls::tls_state;
use super::{owned, Deadline, Layer, Worker, CLOSE_OWED, CONNECTING, REGISTERED};
use crate::conn::transport::UDP_CLOSE_NOTIFY;
use crate::conn::{ConnState, Transport, NO_KEY};
use crate::error::ErrorKind;
use crate::model::ReceiveModel;
use crate::reactor::events::guarded_unit;
use crate::reactor::Role;
use crate::sock::MAX_IOV;
use crate::ssl::session::TlsState;
use crate::sync::lock;
use crate::types::SocketOperation;

/// A connection writing its last answer after the peer closed its side.
pub(super) struct Drain {
    /// When the drain last wrote something; it fails once this is older than the timeout.
    last_progress: Instant,
    /// What `OnClose` reports once everything is written.
    reason: (SocketOperation, i32),
}

/// The `OnClose` operation for a socket error reported with a readiness event, as
/// HP-Socket's dispatcher decides it: a hang-up (a reset) is a close, otherwise the
/// direction that was ready.
pub(super) fn error_event_operation(event: &mio::event::Event) -> SocketOperation {
    if event.is_read_closed() || event.is_write_closed() {
        SocketOperation::Close
    } else if event.is_readable() {
        SocketOperation::Receive
    } else {
        SocketOperation::Send
    }
}

/// The `OnClose` operation for a failed read: a reset is the peer closing, as HP-Socket
/// reports it; anything else is a receive error.
pub(super) fn read_error_operation(code: i32) -> SocketOperation {
    if code == libc::ECONNRESET {
        SocketOperation::Close
    } else {
        SocketOperation::Receive
    }
}

impl Worker {
    /// The receive path ended the connection with `(operation, code)`. `(SO_CLOSE, 0)` from
    /// there is the peer's own close (end of stream, or TLS close_notify): the answer the
    /// application queued still goes out first.
    pub(super) fn receive_ended(&mut self, key: usize, (operation, code): (SocketOperation, i32)) {
        if operation == SocketOperation::Close && code == 0 {
            let failing = self
                .locals
                .get(key)
                .and_then(|l| Layer::http(&l.layer)?.failing_code());
            if let Some(code) = failing {
                // The WebSocket mode failed the connection and the peer hung up before the
                // delayed close: the failure is why it ended.
                self.close(key, SocketOperation::Receive, code);
                return;
            }
            if self.run.shared.model == ReceiveModel::Http {
                self.http_peer_closed(key);
            }
            self.peer_closed(key);
        } else {
            self.close(key, operation, code);
        }
    }

    /// The peer closed its side. What the application already sent, including the answer
    /// its callbacks just queued, is still written: the connection turns `Closing` (no new
    /// sends) and stays open for writing until its queue drains, the peer resets, or the drain
    /// makes no progress for `half_close_drain_timeout`. Then `OnClose` fires, once.
    fn peer_closed(&mut self, key: usize) {
        self.close_after_drain(key, (SocketOperation::Close, 0));
    }

    /// Closes the connection once what is queued has been written (or the drain fails),
    /// reporting `reason`: the peer's close, an HTTP `Release`, the WebSocket mode's close
    /// after its answer.
    pub(super) fn close_after_drain(&mut self, key: usize, reason: (SocketOperation, i32)) {
        // Sends made inside this read's callbacks may still wait for the end of the turn.
        self.flush(key);
        let Some(local) = self.locals.get_mut(key) else {
            return; // the write failed and closed it
        };
        let conn = local.conn.clone();
        let can_drain = matches!(
            tls_state(&conn),
            None | Some(TlsState::Plain | TlsState::Established)
        );
        if conn.pending.load(Ordering::Acquire) == 0
            || !can_drain
            || !conn.transition(ConnState::Connected, ConnState::Closing)
        {
            self.close(key, reason.0, reason.1);
            return;
        }
        let drain = Drain {
            last_progress: Instant::now(),
            reason,
        };
        self.drains.push((key, drain));
        let id = conn.id;
        let timeout = self.run.config.socket.half_close_drain_timeout;
        self.arm(key, id, Deadline::Drain, timeout);
    }

    /// The drain of the connection at `key`, if it is draining.
    pub(super) fn drain_of(&mut self, key: usize) -> Option<&mut Drain> {
        self.drains
            .iter_mut()
            .find_map(|(k, d)| (*k == key).then_some(d))
    }

    /// After a flush of a draining connection: note progress, and close once all is written.
    pub(super) fn drain_progress(&mut self, key: usize, wrote: bool) {
        let Some(local) = self.locals.get(key) else {
            return;
        };
        if local.conn.pending.load(Ordering::Acquire) == 0 {
            let (operation, code) = self
                .drain_of(key)
                .map_or((SocketOperation::Close, 0), |d| d.reason);
            self.close(key, operation, code);
        } else if let (true, Some(drain)) = (wrote, self.drain_of(key)) {
            drain.last_progress = Instant::now();
        }
    }

    /// The drain deadline passed: fail the connection if nothing was written since, or wait
    /// for the rest of the timeout counted from the last write.
    pub(super) fn drain_deadline(&mut self, key: usize) {
        let timeout = Duration::from_millis(self.run.config.socket.half_close_drain_timeout.into());
        let Some(idle) = self.drain_of(key).map(|d| d.last_progress.elapsed()) else {
            return;
        };
        let Some(local) = self.locals.get(key) else {
            return;
        };
        if idle < timeout {
            let id = local.conn.id;
            let rest = (timeout - idle).as_millis().max(1) as u32;
            self.arm(key, id, Deadline::Drain, rest);
            return;
        }
        let conn = local.conn.clone();
        self.run.report(
            ErrorKind::DataSend,
            libc::ETIMEDOUT,
            format!(
                "connection {}: the peer closed its side and has not read the last {} bytes of \
                 the answer for {} ms",
                conn.id,
                conn.pending.load(Ordering::Acquire),
                timeout.as_millis()
            ),
        );
        self.close(key, SocketOperation::Send, libc::ETIMEDOUT);
    }

    /// Closes the connection at `key` and fires `OnClose` if it is owed.
    pub(super) fn close(&mut self, key: usize, operation: SocketOperation, code: i32) {
        if matches!(
            self.locals.get(key).map(|l| &l.conn.transport),
            Some(Transport::Peer(_))
        ) {
            // Datagrams collected for the batch's single write go first (and their OnSend
            // before OnClose).
            super::outbox::flush(&self.run);
        }
        let Some(local) = self.locals.try_remove(key) else {
            return;
        };
        if let Some(deadline) = Layer::deadline(&local.layer) {
            self.timers.cancel(deadline);
        }
        self.drains.retain(|(k, _)| *k != key);
        let conn = local.conn;
        crate::log!(
            crate::log::Level::Info,
            ("{}#{}", self.run.shared.name(), self.run.shared.uid),
            "connection {} ({}) closed: {operation:?}, {}",
            conn.id,
            conn.remote_addr(),
            match code {
                0 => "no error".to_string(),
                c => std::io::Error::from_raw_os_error(c).to_string(),
            }
        );
        conn.set_state(ConnState::Closed);
        conn.local_key.store(NO_KEY, Ordering::Release);
        if owned(&conn, REGISTERED) {
            if let Some(fd) = conn.transport.own_fd() {
                let _ = self
                    .poll
                    .registry()
                    .deregister(&mut mio::unix::SourceFd(&fd));
            }
        }
        if let Transport::Peer(p) = &conn.transport {
            let peer = super::peers::PeerKey(p.peer);
            if self.peers.get(&peer) == Some(&key) {
                self.peers.remove(&peer);
            }
        }
        if conn.transport.is_datagram() {
            if operation == SocketOperation::Close && !owned(&conn, CONNECTING) {
                // What was accepted still goes, as far as the socket takes it now; then the
                // peer hears the close, unless it is the one that said goodbye.
                let mut queue = conn.queue();
                let mut done = Vec::new();
                while let Some(message) = queue.front_message() {
                    if conn.transport.send_parts(std::iter::once(message)).is_err() {
                        break;
                    }
                    queue.pop_message(&mut done);
                }
                queue.clear(&self.run.pool);
                drop(queue);
                for block in done {
                    self.run.pool.put(block);
                }
                if !Layer::udp(&local.layer).notified && conn.transport.says_goodbye() {
                    let _ = conn
                        .transport
                        .send_parts(std::iter::once(&UDP_CLOSE_NOTIFY[..]));
                }
            } else {
                conn.queue().clear(&self.run.pool);
            }
        } else if operation == SocketOperation::Close && !owned(&conn, CONNECTING) {
            // A requested close still sends what was accepted, if the socket takes it now,
            // and a TLS session says goodbye with close_notify.
            if let Some(tls) = conn.tls() {
                let mut session = lock(tls);
                session.close_notify();
                self.run.queue_tls_output(&conn, &mut session);
            }
            let mut queue = conn.queue();
            let mut iov = [IoSlice::new(&[]); MAX_IOV];
            let count = queue.fill_slices(&mut iov);
            if count > 0 {
                let _ = conn.transport.send_slices(&iov[..count]);
            }
            queue.clear(&self.run.pool);
        } else {
            conn.queue().clear(&self.run.pool);
        }
        conn.pending.store(0, Ordering::Release);
        conn.set_held(0);
        if owned(&conn, CLOSE_OWED) {
            let events = &self.run.events;
            guarded_unit(|| events.close(conn.id, operation, code));
        }
        // PULL: what the peer sent last stays fetchable inside `OnClose`, as in HP-Socket.
        if let Some(mut b) = conn.pull_buffer() {
            b.clear();
        }
        self.run.table.release(conn.id);
        // Usually this is the last reference and dropping it closes the socket; when another
        // thread still holds the connection for a moment, shut it down now so the peer sees
        // the close at once.
        if Arc::strong_count(&conn) > 1 {
            conn.transport.shutdown();
        }
        if self.run.shared.role == Role::Client && !self.stopping {
            // A client lives for one connection: when it ends, the client stops.
            self.run.begin_detached_stop();
        }
    }

    /// Stop: close the listener, adopt what is still in flight, close every connection.
    pub(super) fn shut_down(&mut self) {
        self.flush_deferred();
        for source in std::mem::take(&mut self.sources) {
            let fd = source.fd();
            let _ = self
                .poll
                .registry()
                .deregister(&mut mio::unix::SourceFd(&fd));
        }
        self.stopping = true;
        self.drain_commands();
        let keys: Vec<usize> = self.locals.iter().map(|(k, _)| k).collect();
        for key in keys {
            let op = if self.locals[key].is(CONNECTING) {
                SocketOperation::Connect
            } else {
                SocketOperation::Close
            };
            let code = if op == SocketOperation::Connect {
                libc::ECANCELED
            } else {
                0
            };
            self.close(key, op, code);
        }
    }
}
