//! `send` on an ARQ connection: each message goes through the connection's session (KCP
//! queues it and writes what its window allows at once; the worker's tick writes the rest),
//! and the extension's `send_ex` with a deadline and a retransmit limit.

use crate::conn::Conn;
use crate::error::{Error, ErrorKind, Result};
use crate::reactor::{Engine, Running};
use crate::sync::lock;
use crate::types::ConnId;

impl Running {
    /// ARQ: one message through the connection's session (KCP queues it and writes what its
    /// window allows at once; the worker's tick writes the rest).
    /// `limits`: the extension's deadline (ms, 0: none) and retransmit limit; returns the
    /// message id (0 without limits).
    pub(super) fn send_arq(
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
        let mut out = crate::reactor::worker::arq_output(conn);
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
    pub(in crate::reactor) fn send_arq_ex(
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
}

impl Engine {
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
}
