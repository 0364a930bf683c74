//! Operations on connections, callable from any thread: send, disconnect, pause, queries,
//! and the agent/client connect.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::{Command, Engine, Running};
use crate::conn::{Conn, ConnState, Transport, NO_KEY};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{FetchResult, ReceiveModel};
use crate::sock;
use crate::ssl::session::TlsState;
use crate::sync::lock;
use crate::types::{ConnId, SocketOperation};

impl Running {
    /// HTTP agents and clients: whether responses' cookies go to the cookie manager.
    pub(crate) fn http_use_cookie(&self) -> bool {
        lock(&self.shared.http).use_cookie
    }

    /// The WebSocket mode's keep-alive interval now, ms (0: off).
    pub(crate) fn ws_ping_interval(&self) -> u32 {
        lock(&self.shared.http).ws_ping_interval
    }

    /// The HTTP settings now.
    pub(crate) fn http_settings(&self) -> crate::http::HttpConfig {
        lock(&self.shared.http).clone()
    }

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

    /// `conn` if it is connected, else the error its state calls for.
    fn live<'c>(&self, what: &str, conn: &'c Arc<Conn>) -> Result<&'c Arc<Conn>> {
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

    /// Queues or writes `bufs` in order as one send (one frame in PACK, encrypted on SSL).
    pub(super) fn send(&self, id: ConnId, bufs: &[&[u8]], me: Option<usize>) -> Result<()> {
        self.send_to(&self.live_conn("Send", id)?, bufs, me)
    }

    /// [`Running::send`] to a connection at hand, known to be connected.
    pub(super) fn send_to(
        &self,
        conn: &Arc<Conn>,
        bufs: &[&[u8]],
        me: Option<usize>,
    ) -> Result<()> {
        let body: usize = bufs.iter().map(|b| b.len()).sum();
        if conn.plain_stream && self.shared.model != ReceiveModel::Pack {
            // The hot path (plain TCP, no frame header): one flag, no iterator adapters.
            if body == 0 {
                return Ok(());
            }
            if self.config.socket.silence_counts_send {
                conn.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
            }
            return self.send_parts(conn, || bufs.iter().copied(), me, Some(body));
        }
        let id = conn.id;
        if let Some(session) = conn.arq() {
            return self.send_arq(conn, session, bufs, body, None).map(|_| ());
        }
        if conn.transport.is_datagram() {
            return self.send_datagram(conn, bufs, body, me);
        }
        let header = match self.shared.model {
            ReceiveModel::Pack => Some(self.config.pack.header(body).map_err(|code| {
                Error::new(
                    ErrorKind::InvalidParam,
                    code,
                    format!("Send: {}", self.config.pack.refusal(body)),
                )
            })?),
            _ if body == 0 => return Ok(()),
            _ => None,
        };
        let parts = || header.iter().map(|h| &h[..]).chain(bufs.iter().copied());
        let total = body + header.map_or(0, |h| h.len());
        if self.config.socket.silence_counts_send {
            conn.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
        }
        let Some(tls) = conn.tls.as_deref() else {
            return self.send_parts(conn, parts, me, Some(total));
        };
        let mut session = lock(tls);
        let state = session.state();
        if state != TlsState::Plain {
            // Every byte an SSL connection queues is added under its session lock, so the
            // pending count read here can only shrink until the bytes below are added.
            self.check_queue_cap(conn, conn.unsent(), total)?;
            let mut queue = conn.queue();
            if let Some(backlog) = queue.backlog() {
                // A file body is still being encrypted: what follows it waits behind it.
                for part in parts() {
                    backlog.push(part, &self.pool);
                }
                conn.pending.store(queue.len(), Ordering::Release);
                drop(queue);
                self.request_flush(conn, me);
                return Ok(());
            }
        }
        match state {
            TlsState::Plain => self.send_parts(conn, parts, me, Some(total)),
            TlsState::Handshaking => {
                // Held as plaintext and encrypted, in order, once the handshake completes.
                session.hold(parts());
                conn.held.fetch_add(total, Ordering::AcqRel);
                Ok(())
            }
            TlsState::Established => {
                session.encrypt(parts()).map_err(|f| {
                    Error::new(ErrorKind::DataSend, f.code, format!("Send: {}", f.message))
                })?;
                let records = session.take_output();
                let sent = self.send_parts(conn, || std::iter::once(&records[..]), me, None);
                session.restore_output(records);
                drop(session);
                if sent.is_ok() && self.events.wants_send() {
                    // SSL components report the plaintext once it is encrypted and queued.
                    self.report_sent(id, parts(), total);
                }
                sent
            }
        }
    }

    /// Queues `head` and then `len` bytes of `file` (from its start) as one send, behind what
    /// is queued; the owner writes the file with `sendfile`, or, on an SSL connection,
    /// encrypts it a chunk at a time as the queue drains. The body is not reported by
    /// `on_send` (it is never in memory as one piece).
    pub(super) fn send_file_to(
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
        let session = conn.tls.as_deref().map(lock);
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

    /// Asks the owner to write `conn`'s queue, unless a request is already on its way.
    fn request_flush(&self, conn: &Arc<Conn>, me: Option<usize>) {
        if conn.flush_requested.swap(true, Ordering::AcqRel) {
            return;
        }
        let owner = me == Some(conn.worker) && conn.local_key.load(Ordering::Acquire) != NO_KEY;
        if owner {
            super::worker::defer_flush(conn.clone());
        } else {
            self.post(conn.worker, Command::Flush(conn.clone()), me);
        }
    }

    /// ARQ: one message through the connection's session (KCP queues it and writes what its
    /// window allows at once; the worker's tick writes the rest).
    /// `limits`: the extension's deadline (ms, 0: none) and retransmit limit; returns the
    /// message id (0 without limits).
    fn send_arq(
        &self,
        conn: &Conn,
        session: &std::sync::Mutex<crate::arq::ArqSession>,
        bufs: &[&[u8]],
        body: usize,
        limits: Option<(u32, Option<u32>)>,
    ) -> Result<u32> {
        use crate::arq::session::SendRefused;
        let message = bufs.concat();
        let now = self.now_ms() as u32;
        let mut out = super::worker::arq_output(conn);
        let sent = match limits {
            None => lock(session).send(&message, now, &mut out).map(|()| 0),
            Some((deadline, max)) => lock(session).send_ex(&message, now, deadline, max, &mut out),
        };
        match sent {
            Ok(msg) => {
                if self.events.wants_send() {
                    self.report_sent(conn.id, bufs.iter().copied(), body);
                }
                Ok(msg)
            }
            Err(SendRefused::NotNegotiated) => Err(Error::new(
                ErrorKind::IllegalState,
                SendRefused::NotNegotiated.errno(),
                format!(
                    "SendEx: connection {}: the peer did not offer partial reliability (a \
                     deadline or a retransmit limit needs it on both sides)",
                    conn.id
                ),
            )),
            Err(SendRefused::NotReady) => Err(Error::new(
                ErrorKind::IllegalState,
                SendRefused::NotReady.errno(),
                format!(
                    "Send: connection {}: the ARQ handshake has not completed",
                    conn.id
                ),
            )),
            Err(SendRefused::Size) => Err(Error::new(
                ErrorKind::InvalidParam,
                SendRefused::Size.errno(),
                format!(
                    "Send: an ARQ message must be 1..={} bytes (MaxMessageSize), not {body}",
                    self.config.udp.arq.max_message_size
                ),
            )),
        }
    }

    /// ARQ extension: one message with a deadline (ms, 0: none) and a retransmit limit.
    pub(super) fn send_arq_ex(
        &self,
        id: ConnId,
        data: &[u8],
        deadline_ms: u32,
        max_retransmits: Option<u32>,
    ) -> Result<u32> {
        let conn = self.live_conn("SendEx", id)?;
        let Some(session) = conn.arq() else {
            return Err(Error::invalid_param(format!(
                "SendEx: {}: not an ARQ component",
                self.shared.name()
            )));
        };
        let limits = Some((deadline_ms, max_retransmits));
        self.send_arq(&conn, session, &[data], data.len(), limits)
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
        conn.send_refused.store(true, Ordering::Release);
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

    /// Writes `parts` straight to the socket when this is the owner and nothing is queued,
    /// queues the rest, and asks the owner to flush. `plain`: the send is application bytes
    /// (not TLS records) of this many bytes: check the queue cap under the queue lock and fire
    /// `OnSend` for bytes written here.
    fn send_parts<'a, I: Iterator<Item = &'a [u8]>>(
        &self,
        conn: &Arc<Conn>,
        parts: impl Fn() -> I,
        me: Option<usize>,
        plain: Option<usize>,
    ) -> Result<()> {
        let id = conn.id;
        let owner = me == Some(conn.worker) && conn.local_key.load(Ordering::Acquire) != NO_KEY;
        let mut queue = conn.queue();
        if let Some(total) = plain {
            self.check_queue_cap(conn, queue.len(), total)?;
        }
        let report = plain.is_some();
        let mut written = 0;
        // With Nagle on (HP-Socket's default), sends made inside a callback are coalesced and
        // written once it returns: written one by one, a reply sent as several small pieces
        // would wait on the peer's delayed ACK. With TCP_NODELAY they go straight out.
        let direct = owner && self.config.socket.no_delay;
        if direct && queue.is_empty() {
            // Straight to the socket: nobody else writes it, and nothing is queued ahead.
            let sent = match &conn.transport {
                // The stream write inline: the hot path of every TCP echo.
                Transport::Stream(s) => sock::send_parts(s, parts()),
                other => other.send_parts(parts()),
            };
            written = match sent {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
                Err(e) => {
                    drop(queue);
                    let code = sock::errno(&e);
                    self.request_close(conn, SocketOperation::Send, code, me);
                    return Err(Error::new(
                        ErrorKind::DataSend,
                        code,
                        format!("Send: writing to connection {id}: {e}"),
                    ));
                }
            };
        }
        let mut skip = written;
        for part in parts() {
            if skip >= part.len() {
                skip -= part.len();
            } else {
                queue.push(&part[skip..], &self.pool);
                skip = 0;
            }
        }
        conn.pending.store(queue.len(), Ordering::Release);
        let queued = !queue.is_empty();
        drop(queue);
        if report && written > 0 && self.events.wants_send() {
            self.report_sent(id, parts(), written);
        }
        if queued && !conn.flush_requested.swap(true, Ordering::AcqRel) {
            if owner {
                super::worker::defer_flush(conn.clone());
            } else {
                self.post(conn.worker, Command::Flush(conn.clone()), me);
            }
        }
        Ok(())
    }

    /// Sends `bufs` as one datagram of `len` bytes: straight to the socket when this is the
    /// owner and nothing is queued ahead, else queued whole for the owner.
    fn send_datagram(
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
        let owner = me == Some(conn.worker) && conn.local_key.load(Ordering::Acquire) != NO_KEY;
        if owner && conn.pending.load(Ordering::Acquire) == 0 {
            if let Transport::Peer { socket, peer } = &conn.transport {
                // The owner inside a read batch: written with the batch's other answers. An
                // empty queue passes the cap; `pending` only grows under the queue lock, and a
                // send queued by another thread meanwhile is flushed after the batch.
                let fd = std::os::fd::AsRawFd::as_raw_fd(&**socket);
                if super::worker::outbox_collect(self, conn, fd, *peer, bufs, len) {
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
        if !conn.flush_requested.swap(true, Ordering::AcqRel) {
            if owner {
                super::worker::defer_flush(conn.clone());
            } else {
                self.post(conn.worker, Command::Flush(conn.clone()), me);
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
                super::events::guarded_unit(|| self.events.send(id, data));
            }
            _ => {
                let data = bufs.concat();
                super::events::guarded_unit(|| self.events.send(id, &data));
            }
        }
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
                super::events::guarded_unit(|| self.events.send(id, sent));
            }
            written -= n;
        }
    }

    /// Asks the owner to close `conn`; the first request wins.
    pub(super) fn request_close(
        &self,
        conn: &Arc<Conn>,
        operation: SocketOperation,
        code: i32,
        me: Option<usize>,
    ) -> bool {
        let claimed = conn.transition(ConnState::Connected, ConnState::Closing)
            || conn.transition(ConnState::Connecting, ConnState::Closing);
        if claimed {
            self.post(
                conn.worker,
                Command::Close(conn.clone(), operation, code),
                me,
            );
        }
        claimed
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

    pub(crate) fn send(&self, id: ConnId, bufs: &[&[u8]]) -> Result<()> {
        self.with_run_delivering("send", |run, me, delivering| match delivering {
            // The echo case: the connection is at hand, no table lookup.
            Some(conn) if conn.id == id => run.send_to(run.live("Send", conn)?, bufs, me),
            _ => run.send(id, bufs, me),
        })
    }

    pub(crate) fn disconnect(&self, id: ConnId) -> Result<()> {
        self.with_run("disconnect", |run, me| {
            let conn = run.conn("Disconnect", id)?;
            match conn.state() {
                ConnState::Closed => Err(Error::not_found("Disconnect", id)),
                // Already on its way out: asking again is not an error.
                ConnState::Closing => Ok(()),
                _ => {
                    run.request_close(&conn, SocketOperation::Close, 0, me);
                    Ok(())
                }
            }
        })
    }

    /// Disconnects every connection for which `older(conn, now_ms)` holds.
    fn disconnect_where(&self, what: &str, older: impl Fn(&Conn, u64) -> bool) -> Result<()> {
        self.with_run(what, |run, me| {
            let now = run.now_ms();
            for conn in run.table.all() {
                if older(&conn, now) {
                    run.request_close(&conn, SocketOperation::Close, 0, me);
                }
            }
            Ok(())
        })
    }

    pub(crate) fn disconnect_long_connections(&self, period: Duration) -> Result<()> {
        let period = period.as_millis() as u64;
        self.disconnect_where("disconnect_long_connections", |c, now| {
            now.saturating_sub(c.created_ms) >= period
        })
    }

    pub(crate) fn disconnect_silence_connections(&self, period: Duration) -> Result<()> {
        if !self.config().mark_silence {
            return Err(Error::illegal_state(format!(
                "{}::disconnect_silence_connections needs MarkSilence on",
                self.name()
            )));
        }
        let period = period.as_millis() as u64;
        self.disconnect_where("disconnect_silence_connections", |c, now| {
            now.saturating_sub(c.last_active_ms.load(Ordering::Relaxed)) >= period
        })
    }

    pub(crate) fn pause_receive(&self, id: ConnId, pause: bool) -> Result<()> {
        self.with_run("pause_receive", |run, me| {
            let conn = run.live_conn("PauseReceive", id)?;
            if conn.paused.swap(pause, Ordering::AcqRel) && !pause {
                run.post(conn.worker, Command::Resume(conn.clone()), me);
            }
            Ok(())
        })
    }

    /// PULL `fetch` (`peek_only` false) and `peek`.
    pub(crate) fn fetch(&self, id: ConnId, out: &mut [u8], peek_only: bool) -> FetchResult {
        if self.model() != ReceiveModel::Pull {
            return FetchResult::DataNotFound;
        }
        let result = self.with_run("fetch", |run, _| {
            let Some(conn) = run.table.get(id) else {
                return Ok(FetchResult::DataNotFound);
            };
            // A closed connection stays fetchable until its `OnClose` returns (the buffer is
            // cleared then, and the ID released).
            let Some(mut buffer) = conn.pull_buffer() else {
                return Ok(FetchResult::DataNotFound);
            };
            Ok(if peek_only {
                buffer.peek(out)
            } else {
                buffer.fetch(out)
            })
        });
        result.unwrap_or(FetchResult::DataNotFound)
    }

    pub(crate) fn is_pause_receive(&self, id: ConnId) -> Result<bool> {
        self.with_conn("is_pause_receive", id, |c| {
            Ok(c.paused.load(Ordering::Acquire))
        })
    }

    pub(crate) fn is_connected(&self, id: ConnId) -> bool {
        self.with_conn(
            "is_connected",
            id,
            |c| Ok(c.state() == ConnState::Connected),
        )
        .unwrap_or(false)
    }

    pub(crate) fn with_conn<R>(
        &self,
        what: &str,
        id: ConnId,
        f: impl FnOnce(&Conn) -> Result<R>,
    ) -> Result<R> {
        self.with_run(what, |run, _| f(&*run.conn(what, id)?))
    }

    pub(crate) fn set_connection_extra(&self, id: ConnId, extra: usize) -> Result<()> {
        self.with_conn("set_connection_extra", id, |c| {
            c.extra.store(extra, Ordering::Release);
            Ok(())
        })
    }

    pub(crate) fn connection_extra(&self, id: ConnId) -> Result<usize> {
        self.with_conn("connection_extra", id, |c| {
            Ok(c.extra.load(Ordering::Acquire))
        })
    }

    pub(crate) fn connection_count(&self) -> usize {
        self.with_run("connection_count", |run, _| Ok(run.table.count()))
            .unwrap_or(0)
    }

    pub(crate) fn all_connection_ids(&self) -> Vec<ConnId> {
        // Taken with the count from one list: a connection is listed from its accept or
        // connect until its `OnClose` returns, as in HP-Socket.
        self.with_run("all_connection_ids", |run, _| Ok(run.table.ids()))
            .unwrap_or_default()
    }

    pub(crate) fn connect_period(&self, id: ConnId) -> Result<Duration> {
        self.with_run("connect_period", |run, _| {
            let c = run.conn("GetConnectPeriod", id)?;
            Ok(Duration::from_millis(
                run.now_ms().saturating_sub(c.created_ms),
            ))
        })
    }

    pub(crate) fn silence_period(&self, id: ConnId) -> Result<Duration> {
        let name = self.name();
        self.with_run("silence_period", |run, _| {
            if !run.config.mark_silence {
                return Err(Error::illegal_state(format!(
                    "{name}::silence_period needs MarkSilence on"
                )));
            }
            let c = run.conn("GetSilencePeriod", id)?;
            let idle = run
                .now_ms()
                .saturating_sub(c.last_active_ms.load(Ordering::Relaxed));
            Ok(Duration::from_millis(idle))
        })
    }

    pub(crate) fn local_address(&self, id: ConnId) -> Result<SocketAddr> {
        self.with_conn("local_address", id, |c| {
            c.transport
                .local_addr()
                .map_err(|e| Error::os(ErrorKind::Network, &e, "GetLocalAddress"))
        })
    }

    /// A cast client: where the datagram being delivered (or the last one) came from.
    pub(crate) fn cast_source(&self, id: ConnId) -> Result<Option<SocketAddr>> {
        self.with_conn("cast_source", id, |c| Ok(c.transport.cast_source()))
    }

    pub(crate) fn remote_address(&self, id: ConnId) -> Result<SocketAddr> {
        self.with_conn("remote_address", id, |c| Ok(c.remote_addr))
    }

    pub(crate) fn remote_host(&self, id: ConnId) -> Result<(String, u16)> {
        self.with_conn("remote_host", id, |c| {
            Ok(c.remote_host
                .as_deref()
                .cloned()
                .unwrap_or_else(|| (c.remote_addr.ip().to_string(), c.remote_addr.port())))
        })
    }

    /// ARQ extension: one message that may be given up (see `ArqSession::send_ex`).
    pub(crate) fn arq_send_ex(
        &self,
        id: ConnId,
        data: &[u8],
        deadline_ms: u32,
        max_retransmits: Option<u32>,
    ) -> Result<u32> {
        self.with_run("SendEx", |run, _| {
            run.send_arq_ex(id, data, deadline_ms, max_retransmits)
        })
    }

    /// ARQ: messages of connection `id` queued or in flight (`GetWaitingSendMessageCount`).
    pub(crate) fn arq_waiting(&self, id: ConnId) -> Result<usize> {
        self.with_conn("waiting_send_message_count", id, |c| match c.arq() {
            Some(s) => Ok(lock(s).waiting()),
            None => Err(Error::invalid_param(format!(
                "{}: not an ARQ component",
                self.name()
            ))),
        })
    }

    pub(crate) fn pending_data_length(&self, id: ConnId) -> Result<usize> {
        self.with_conn("pending_data_length", id, |c| Ok(c.unsent()))
    }

    pub(crate) fn listen_address(&self) -> Result<SocketAddr> {
        self.with_run("listen_address", |run, _| {
            run.listen_addr
                .ok_or_else(|| Error::illegal_state("no listening socket"))
        })
    }

    /// UDP: datagrams dropped for being larger than `max_datagram_size` in this run.
    pub(crate) fn dropped_datagrams(&self) -> u64 {
        self.with_run("dropped_datagrams", |run, _| {
            Ok(run.dropped_datagrams.load(Ordering::Relaxed))
        })
        .unwrap_or(0)
    }

    /// The one connection of a client engine, if any.
    pub(crate) fn first_connection(&self) -> Option<ConnId> {
        self.all_connection_ids().first().copied()
    }
}
