//! The operations the components' public calls run on connections, callable from any
//! thread. This file holds what every operation needs: finding a connection by ID (with the
//! error its state calls for), handing a request to the worker that owns it, and what every
//! send path shares (the `max_send_queue_bytes` cap, `OnSend` for bytes written at once).
//! The operations themselves, one job per module:
//!
//! | module | operations |
//! |---|---|
//! | `send.rs` | `send` on streams: the direct write, queueing, the TLS and PACK paths |
//! | `datagram.rs` | `send` on UDP: one datagram, whole or nothing |
//! | `arq.rs` | `send` through an ARQ session, the extension's `send_ex`, its queue length |
//! | `file.rs` | a file body queued behind a head (`send_local_file`) |
//! | `close.rs` | `disconnect` and the disconnects by age or silence |
//! | `receive.rs` | pausing receipt, PULL `fetch`/`peek` |
//! | `queries.rs` | what a component tells about its connections (addresses, periods, counts) |
//!
//! Only a connection's owner writes its socket or closes it: from any other thread an
//! operation queues its bytes or its request and posts a command to the owner.

mod arq;
mod close;
mod datagram;
mod file;
mod queries;
mod receive;
mod send;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Command, Engine, Running};
use crate::conn::{Conn, ConnState, SEND_REFUSED};
use crate::error::{Error, ErrorKind, Result};
use crate::model::ReceiveModel;
use crate::types::ConnId;

impl Running {
    /// Hands `command` to worker `index`, waking it unless the caller is that worker (which
    /// drains its commands before it polls again). False when the worker is gone.
    pub(super) fn post(&self, index: usize, command: Command, me: Option<usize>) -> bool {
        let worker = &self.workers[index];
        if worker.commands.send(command).is_err() {
            return false;
        }
        if me != Some(index) && !worker.wake_pending.swap(true, Ordering::AcqRel) {
            let _ = worker.waker.wake();
        }
        true
    }

    pub(super) fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn conn(&self, what: &str, id: ConnId) -> Result<Arc<Conn>> {
        self.table.get(id).ok_or_else(|| Error::not_found(what, id))
    }

    pub(super) fn live_conn(&self, what: &str, id: ConnId) -> Result<Arc<Conn>> {
        self.live(what, &self.conn(what, id)?).cloned()
    }

    /// `conn` if it is connected, else the error its state calls for. Inlined: every send
    /// passes here, and the connected case is one load and one compare.
    #[inline]
    fn live<'c>(&self, what: &str, conn: &'c Arc<Conn>) -> Result<&'c Arc<Conn>> {
        if conn.state() == ConnState::Connected {
            return Ok(conn);
        }
        self.not_live(what, conn)
    }

    /// [`Running::live`]'s error for a connection that is not connected.
    #[cold]
    fn not_live<'c>(&self, what: &str, conn: &'c Arc<Conn>) -> Result<&'c Arc<Conn>> {
        let id = conn.id;
        match conn.state() {
            ConnState::Connected => Ok(conn),
            // An ARQ connection is not ready until its handshake completes, which is an
            // illegal state however far the connect got (docs/abi.md section 23).
            ConnState::Connecting if self.shared.model == ReceiveModel::Arq => Err(Error::new(
                ErrorKind::IllegalState,
                libc::ENOTCONN,
                format!("{what}: connection {id}: the ARQ handshake has not completed"),
            )),
            ConnState::Connecting => Err(Error::new(
                ErrorKind::InvalidParam,
                libc::ENOTCONN,
                format!("{what}: connection {id} is not connected yet"),
            )),
            ConnState::Closing | ConnState::Closed => Err(Error::not_found(what, id)),
        }
    }

    /// Extension: refuses a send of `total` bytes onto `pending` queued ones that would pass
    /// `max_send_queue_bytes` (a send into an empty queue always goes, so one large message is
    /// never refused for ever). Callers hold the lock that serialises additions to the queue,
    /// so concurrent senders cannot pass the cap together.
    fn check_queue_cap(&self, conn: &Conn, pending: usize, total: usize) -> Result<()> {
        let cap = self.config.socket.max_send_queue_bytes as usize;
        if cap == 0 || pending == 0 || pending + total <= cap {
            return Ok(());
        }
        conn.swap_flag(SEND_REFUSED, true);
        crate::log!(
            crate::log::Level::Warn,
            ("{}#{}", self.shared.name(), self.shared.uid),
            "connection {}: a send of {total} bytes refused: {pending} queued, \
             MaxSendQueueBytes {cap}",
            conn.id
        );
        Err(Error::new(
            ErrorKind::DataSend,
            libc::ENOBUFS,
            format!(
                "Send: connection {} has {pending} bytes queued; {total} more would pass \
                 MaxSendQueueBytes ({cap})",
                conn.id
            ),
        ))
    }

    /// `OnSend` for the first `written` bytes of `parts`.
    fn report_sent<'a>(
        &self,
        id: ConnId,
        parts: impl Iterator<Item = &'a [u8]>,
        mut written: usize,
    ) {
        for part in parts {
            if written == 0 {
                break;
            }
            let n = written.min(part.len());
            if n > 0 {
                let sent = &part[..n];
                crate::reactor::events::guarded_unit(|| self.events.send(id, sent));
            }
            written -= n;
        }
    }
}

impl Engine {
    pub(crate) fn with_conn<R>(
        &self,
        what: &str,
        id: ConnId,
        f: impl FnOnce(&Conn) -> Result<R>,
    ) -> Result<R> {
        self.with_run(what, |run, _| f(&*run.conn(what, id)?))
    }
}
