//! `send` on a stream connection, from any thread. On the owning worker with nothing queued
//! (the echo case) the bytes go straight to the socket in one gather write; otherwise they
//! join the connection's queue and the owner is asked to flush it. PACK adds its header as
//! one more slice; an SSL connection encrypts under its session lock (or holds the
//! plaintext until its handshake completes), so records join the queue in order. The
//! extension's `max_send_queue_bytes` cap (`mod.rs`) is checked under the lock that
//! serialises additions to the queue.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::conn::{Conn, Transport, FLUSH_REQUESTED, NO_KEY};
use crate::error::{Error, ErrorKind, Result};
use crate::model::ReceiveModel;
use crate::reactor::{Command, Engine, Running};
use crate::sock;
use crate::ssl::session::TlsState;
use crate::sync::lock;
use crate::types::{ConnId, SocketOperation};

impl Running {
    /// Queues or writes `bufs` in order as one send (one frame in PACK, encrypted on SSL).
    pub(in crate::reactor) fn send(
        &self,
        id: ConnId,
        bufs: &[&[u8]],
        me: Option<usize>,
    ) -> Result<()> {
        self.send_to(&self.live_conn("Send", id)?, bufs, me)
    }

    /// [`Running::send`] to a connection at hand, known to be connected.
    pub(in crate::reactor) fn send_to(
        &self,
        conn: &Arc<Conn>,
        bufs: &[&[u8]],
        me: Option<usize>,
    ) -> Result<()> {
        let body: usize = bufs.iter().map(|b| b.len()).sum();
        if conn.plain_stream() && self.shared.model != ReceiveModel::Pack {
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
        let Some(tls) = conn.tls() else {
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
                conn.add_held(total);
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

    /// Asks the owner to write `conn`'s queue, unless a request is already on its way.
    pub(super) fn request_flush(&self, conn: &Arc<Conn>, me: Option<usize>) {
        if conn.swap_flag(FLUSH_REQUESTED, true) {
            return;
        }
        let owner = me == Some(conn.worker()) && conn.local_key.load(Ordering::Acquire) != NO_KEY;
        if owner {
            crate::reactor::worker::defer_flush(conn.clone());
        } else {
            self.post(conn.worker(), Command::Flush(conn.clone()), me);
        }
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
        let owner = me == Some(conn.worker()) && conn.local_key.load(Ordering::Acquire) != NO_KEY;
        // With Nagle on (HP-Socket's default), sends made inside a callback are coalesced and
        // written once it returns: written one by one, a reply sent as several small pieces
        // would wait on the peer's delayed ACK. With TCP_NODELAY they go straight out.
        let direct = owner && self.config.socket.no_delay;
        if let Some(total) = plain.filter(|_| direct) {
            if conn.pending.load(Ordering::Acquire) == 0 {
                return self.send_unlocked(conn, parts, total);
            }
        }
        let mut queue = conn.queue();
        if let Some(total) = plain {
            self.check_queue_cap(conn, queue.len(), total)?;
        }
        let mut written = 0;
        if direct && queue.is_empty() {
            // Straight to the socket: nobody else writes it, and nothing is queued ahead.
            written = self.write_now(conn, &parts)?;
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
        if plain.is_some() && written > 0 && self.events.wants_send() {
            self.report_sent(conn.id, parts(), written);
        }
        if queued {
            self.request_flush(conn, me);
        }
        Ok(())
    }

    /// The owner's send of `total` application bytes while nothing is queued (the echo
    /// case), without taking the queue lock: only the owner writes the socket, so no write
    /// can start between the empty queue seen here and this one. Other threads may append
    /// whole sends to the queue meanwhile (their order against this send is undefined, as
    /// for any two threads' sends); what the socket does not take goes to the front of the
    /// queue, ahead of them, since its first bytes are already on the wire. Always inlined,
    /// with `write_now`: about 30 instructions of frames per echoed message (bench IR).
    #[inline(always)]
    fn send_unlocked<'a, I: Iterator<Item = &'a [u8]>>(
        &self,
        conn: &Arc<Conn>,
        parts: impl Fn() -> I,
        total: usize,
    ) -> Result<()> {
        let written = self.write_now(conn, &parts)?;
        if written < total {
            let mut queue = conn.queue();
            queue.push_front_parts(parts(), written, &self.pool);
            conn.pending.store(queue.len(), Ordering::Release);
            drop(queue);
            // From the owner itself: deferred until the callback returns.
            self.request_flush(conn, Some(conn.worker()));
        }
        if written > 0 && self.events.wants_send() {
            self.report_sent(conn.id, parts(), written);
        }
        Ok(())
    }

    /// One write of `parts` to the socket by its owner: the bytes written (0 when the
    /// socket is full); an error closes the connection.
    #[inline(always)]
    fn write_now<'a, I: Iterator<Item = &'a [u8]>>(
        &self,
        conn: &Arc<Conn>,
        parts: &impl Fn() -> I,
    ) -> Result<usize> {
        let sent = match &conn.transport {
            // The stream write inline: the hot path of every TCP echo.
            Transport::Stream(s) => sock::send_parts(s, parts()),
            other => other.send_parts(parts()),
        };
        match sent {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => {
                let code = sock::errno(&e);
                self.request_close(conn, SocketOperation::Send, code, Some(conn.worker()));
                Err(Error::new(
                    ErrorKind::DataSend,
                    code,
                    format!("Send: writing to connection {}: {e}", conn.id),
                ))
            }
        }
    }
}

impl Engine {
    pub(crate) fn send(&self, id: ConnId, bufs: &[&[u8]]) -> Result<()> {
        self.with_run_delivering("send", |run, me, delivering| match delivering {
            // The echo case: the connection is at hand, no table lookup.
            Some(conn) if conn.id == id => run.send_to(run.live("Send", conn)?, bufs, me),
            _ => run.send(id, bufs, me),
        })
    }
}
