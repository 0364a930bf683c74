//! A TCP server's accept loop (worker 0 owns the listener): each accepted socket becomes a
//! `Conn` in the table and goes round-robin to a worker, this one included, which adopts it
//! (`adopt.rs`). Running out of descriptors does not spin: accepting rests on a timer.

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Deadline, Source, Worker};
use crate::conn::{Conn, ConnState, Transport};
use crate::error::ErrorKind;
use crate::reactor::{Adoption, Command};
use crate::sock;

/// How long the listener rests after `accept` ran out of descriptors (or memory): the
/// backlog raises no new edge by itself, so the worker retries on a timer.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

impl Worker {
    pub(super) fn accept(&mut self) {
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
}
