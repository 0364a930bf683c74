//! `send_local_file`: a head and a file body queued as one send, behind what is queued. The
//! owner writes the body with `sendfile`, or, on an SSL connection, encrypts it a chunk at a
//! time as the queue drains (`worker/file.rs`), so the file is never in memory as one piece.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::conn::{Conn, Transport};
use crate::error::{Error, Result};
use crate::reactor::{Engine, Running};
use crate::ssl::session::TlsState;
use crate::sync::lock;
use crate::types::ConnId;

impl Running {
    /// Queues `head` and then `len` bytes of `file` (from its start) as one send, behind what
    /// is queued; the owner writes the file with `sendfile`, or, on an SSL connection,
    /// encrypts it a chunk at a time as the queue drains. The body is not reported by
    /// `on_send` (it is never in memory as one piece).
    pub(in crate::reactor) fn send_file_to(
        &self,
        conn: &Arc<Conn>,
        head: &[u8],
        file: std::fs::File,
        len: u64,
        me: Option<usize>,
    ) -> Result<()> {
        if !matches!(conn.transport, Transport::Stream(_)) || conn.arq().is_some() {
            return Err(Error::invalid_param(format!(
                "send_local_file: connection {} is not a TCP stream",
                conn.id
            )));
        }
        let total = head
            .len()
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX));
        if self.config.socket.silence_counts_send {
            conn.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
        }
        let session = conn.tls().map(lock);
        let encrypted = session
            .as_ref()
            .is_some_and(|s| s.state() != TlsState::Plain);
        let mut queue = conn.queue();
        if encrypted {
            // Held plaintext counts, as in `send_to`; the session lock keeps it from growing.
            self.check_queue_cap(conn, conn.unsent(), total)?;
            let backlog = queue.backlog_or_new();
            backlog.push(head, &self.pool);
            backlog.push_file(file, 0, len);
        } else {
            self.check_queue_cap(conn, queue.len(), total)?;
            queue.push(head, &self.pool);
            queue.push_file(file, 0, len);
        }
        queue.trim_backlog(&self.pool);
        conn.pending.store(queue.len(), Ordering::Release);
        drop(queue);
        drop(session);
        self.request_flush(conn, me);
        Ok(())
    }
}

impl Engine {
    /// Sends `head`, then `len` bytes of `file`, as one send (see [`Running::send_file_to`]).
    pub(crate) fn send_file(
        &self,
        id: ConnId,
        head: &[u8],
        file: std::fs::File,
        len: u64,
    ) -> Result<()> {
        self.with_run("send_local_file", |run, me| {
            let conn = run.live_conn("Send", id)?;
            run.send_file_to(&conn, head, file, len, me)
        })
    }
}
