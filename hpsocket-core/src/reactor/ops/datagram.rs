//! `send` on a UDP connection: each send is one datagram, sent whole or refused
//! (`max_datagram_size`), never cut. The owner writes it at once when nothing is queued
//! (inside a read batch of a server's socket, with the batch's other answers: `outbox.rs`);
//! otherwise it is queued whole, in message mode, for the owner.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::conn::{Conn, Transport, FLUSH_REQUESTED, NO_KEY};
use crate::error::{Error, ErrorKind, Result};
use crate::reactor::{Command, Running};
use crate::sock;
use crate::types::{ConnId, SocketOperation};

impl Running {
    /// Sends `bufs` as one datagram of `len` bytes: straight to the socket when this is the
    /// owner and nothing is queued ahead, else queued whole for the owner.
    pub(super) fn send_datagram(
        &self,
        conn: &Arc<Conn>,
        bufs: &[&[u8]],
        len: usize,
        me: Option<usize>,
    ) -> Result<()> {
        let max = self.config.udp.max_datagram_size as usize;
        if len == 0 || len > max {
            return Err(Error::new(
                ErrorKind::InvalidParam,
                libc::EMSGSIZE,
                format!(
                    "Send: a datagram must be 1..={max} bytes (MaxDatagramSize), not {len}; \
                     nothing was sent"
                ),
            ));
        }
        let id = conn.id;
        if self.config.socket.silence_counts_send {
            conn.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
        }
        let parts = || bufs.iter().copied();
        let owner = me == Some(conn.worker()) && conn.local_key.load(Ordering::Acquire) != NO_KEY;
        if owner && conn.pending.load(Ordering::Acquire) == 0 {
            if let Transport::Peer(p) = &conn.transport {
                // The owner inside a read batch: written with the batch's other answers. An
                // empty queue passes the cap; `pending` only grows under the queue lock, and a
                // send queued by another thread meanwhile is flushed after the batch.
                let fd = std::os::fd::AsRawFd::as_raw_fd(&*p.socket);
                if crate::reactor::worker::outbox_collect(self, conn, fd, p.peer, bufs, len) {
                    return Ok(());
                }
            }
        }
        let mut queue = conn.queue();
        self.check_queue_cap(conn, queue.len(), len)?;
        if owner && queue.is_empty() {
            match conn.transport.send_parts(parts()) {
                Ok(_) => {
                    drop(queue);
                    if self.events.wants_send() {
                        self.report_datagram(id, bufs);
                    }
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    drop(queue);
                    let code = sock::errno(&e);
                    self.request_close(conn, SocketOperation::Send, code, me);
                    return Err(Error::new(
                        ErrorKind::DataSend,
                        code,
                        format!("Send: datagram to connection {id}: {e}"),
                    ));
                }
            }
        }
        queue.push_message(parts(), len, &self.pool);
        conn.pending.store(queue.len(), Ordering::Release);
        drop(queue);
        if !conn.swap_flag(FLUSH_REQUESTED, true) {
            if owner {
                crate::reactor::worker::defer_flush(conn.clone());
            } else {
                self.post(conn.worker(), Command::Flush(conn.clone()), me);
            }
        }
        Ok(())
    }

    /// `OnSend` for a datagram sent at once: one event with the whole datagram, as the
    /// worker reports queued ones.
    fn report_datagram(&self, id: ConnId, bufs: &[&[u8]]) {
        match bufs.iter().filter(|b| !b.is_empty()).count() {
            1 => {
                let data = bufs.iter().find(|b| !b.is_empty()).copied().unwrap_or(&[]);
                crate::reactor::events::guarded_unit(|| self.events.send(id, data));
            }
            _ => {
                let data = bufs.concat();
                crate::reactor::events::guarded_unit(|| self.events.send(id, &data));
            }
        }
    }
}
