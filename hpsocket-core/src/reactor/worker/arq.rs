//! The ARQ side of a worker: datagrams of an ARQ connection go through its session (the
//! handshake, then KCP), and one timer per worker ticks every session it owns at the
//! FlushInterval, so thousands of sessions cost one timer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Deadline, Worker, CONNECTING};
use crate::arq::session::{Failure, Inbound};
use crate::conn::{Conn, ConnState};
use crate::model::ReceiveModel;
use crate::reactor::events::{guarded, guarded_unit};
use crate::sync::lock;
use crate::types::SocketOperation;

/// Writes one datagram of a session; a full socket drops it, and KCP sends it again.
pub(in crate::reactor) fn output(conn: &Conn) -> impl FnMut(&[u8]) + '_ {
    move |d: &[u8]| {
        let _ = conn.transport.send_parts(std::iter::once(d));
    }
}

impl Worker {
    /// The connection's transport is up: the handshake starts (`OnHandShake` waits for it).
    pub(super) fn arq_start(&mut self, key: usize) {
        let conn = self.locals[key].conn.clone();
        self.arq_tick_one(key, &conn);
    }

    /// One datagram (in the read buffer) for the ARQ connection at `key`.
    pub(super) fn arq_datagram(&mut self, key: usize, n: usize) {
        let conn = self.locals[key].conn.clone();
        let Some(session) = conn.arq() else {
            return;
        };
        if conn.state() != ConnState::Connected {
            return;
        }
        let now = self.run.now_ms() as u32;
        let (inbound, owes) = {
            let mut s = lock(session);
            let before = s.owes_flush();
            let inbound = s.receive(&self.read_buf[..n], now, &mut output(&conn));
            (inbound, !before && s.owes_flush())
        };
        if owes {
            self.arq_owed.push((key, conn.id));
        }
        match inbound {
            Ok(Inbound::Nothing) => {}
            Ok(Inbound::Ready) => self.handshake_done(key),
            Ok(Inbound::Messages(messages)) => {
                // The acks wait for the end of the read batch (`arq_flush_owed`), unless an
                // answer sent from `on_receive` carries them first.
                let id = conn.id;
                for m in messages {
                    let (result, code) = guarded(|| self.run.events.receive(id, &m));
                    if result.is_error() {
                        return self.close(key, SocketOperation::Receive, code);
                    }
                    if conn.state() != ConnState::Connected {
                        return;
                    }
                }
            }
            Err(failure) => self.close(key, SocketOperation::Receive, failure.errno()),
        }
    }

    /// The read batch ended: every session that took segments during it writes its acks (all
    /// of them in as few datagrams as the MTU allows, as one `ikcp_flush` does) and what its
    /// window lets out.
    pub(super) fn arq_flush_owed(&mut self) {
        if self.arq_owed.is_empty() {
            return;
        }
        let mut owed = std::mem::take(&mut self.arq_owed);
        let now = self.run.now_ms() as u32;
        for &(key, id) in &owed {
            let Some(local) = self.locals.get(key) else {
                continue;
            };
            let conn = &local.conn;
            if conn.id != id || conn.state() != ConnState::Connected {
                continue;
            }
            if let Some(session) = conn.arq() {
                let dropped = {
                    let mut s = lock(session);
                    if s.owes_flush() {
                        s.flush(now, &mut output(conn));
                    }
                    s.take_dropped()
                };
                self.report_dropped(id, dropped);
            }
        }
        owed.clear();
        self.arq_owed = owed;
    }

    /// Ticks one session; a handshake that timed out closes the connection.
    fn arq_tick_one(&mut self, key: usize, conn: &Arc<Conn>) {
        let Some(session) = conn.arq() else {
            return;
        };
        let now = self.run.now_ms() as u32;
        let (ticked, dropped) = {
            let mut s = lock(session);
            (s.tick(now, &mut output(conn)), s.take_dropped())
        };
        self.report_dropped(conn.id, dropped);
        if let Err(Failure::Timeout) = ticked {
            self.close(key, SocketOperation::Close, libc::ETIMEDOUT);
        }
    }

    /// Extension: `on_message_dropped` for each message the session gave up (a send from
    /// another thread may have given them up: they are reported here, on the owner).
    fn report_dropped(&self, id: crate::types::ConnId, dropped: Vec<(u32, usize)>) {
        for (message, size) in dropped {
            let events = &self.run.events;
            guarded_unit(|| events.message_dropped(id, message, size));
        }
    }

    /// Arms the worker's ARQ tick, for ARQ engines.
    pub(super) fn arm_arq(&mut self) {
        if self.run.shared.model == ReceiveModel::Arq {
            let every = self.run.config.udp.arq.flush_interval.clamp(10, 5000);
            let at = Instant::now() + Duration::from_millis(every.into());
            self.timers.arm(at, (usize::MAX, 0, Deadline::ArqTick));
        }
    }

    /// Ticks every ARQ session of the worker, then re-arms.
    pub(super) fn arq_round(&mut self) {
        let live: Vec<(usize, Arc<Conn>)> = self
            .locals
            .iter()
            .filter(|(_, l)| !l.is(CONNECTING) && l.conn.arq().is_some())
            .map(|(k, l)| (k, l.conn.clone()))
            .collect();
        for (key, conn) in live {
            if conn.state() == ConnState::Connected {
                self.arq_tick_one(key, &conn);
            }
        }
        self.arm_arq();
    }
}
