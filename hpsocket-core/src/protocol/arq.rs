//! ARQ as a layer over datagrams: HP-Socket's handshake, then KCP ([`ArqSession`]). Each
//! input is one datagram; whole messages go up in order; segments, acks and handshakes go
//! down one datagram per `transmit`. The layer ticks every `flush_interval`.

use super::{due, Fault, Io, Protocol, Status};
use crate::arq::session::{ArqSession, Inbound};

/// One ARQ connection.
pub(crate) struct Arq {
    session: ArqSession,
    interval: u32,
    next_tick: u32,
}

impl Arq {
    /// A layer over `session`, ticking every `interval` ms from `now_ms`.
    pub(crate) fn new(session: ArqSession, interval: u32, now_ms: u32) -> Arq {
        Arq {
            session,
            interval: interval.max(1),
            next_tick: now_ms,
        }
    }

    #[cfg(test)]
    pub(crate) fn session(&self) -> &ArqSession {
        &self.session
    }
}

impl Protocol for Arq {
    fn input(&mut self, data: &[u8], now_ms: u32, io: &mut impl Io) -> Result<Status, Fault> {
        let inbound = self
            .session
            .receive(data, now_ms, &mut |d: &[u8]| io.transmit(d))
            .map_err(|f| Fault::new(f.errno(), format!("ARQ: {f:?}")))?;
        match inbound {
            Inbound::Nothing => {}
            Inbound::Ready => io.ready(),
            Inbound::Messages(messages) => {
                for m in &messages {
                    if io.deliver(m).is_break() {
                        break;
                    }
                }
            }
        }
        // Acks owed by this datagram go out now (a worker batches them per read batch).
        if self.session.owes_flush() {
            self.session.flush(now_ms, &mut |d: &[u8]| io.transmit(d));
        }
        Ok(Status::Open)
    }

    fn send(&mut self, parts: &[&[u8]], now_ms: u32, io: &mut impl Io) -> Result<(), Fault> {
        let message = parts.concat();
        self.session
            .send(&message, now_ms, &mut |d: &[u8]| io.transmit(d))
            .map_err(|r| Fault::new(r.errno(), format!("ARQ send refused: {r:?}")))
    }

    fn poll_timeout(&self) -> Option<u32> {
        Some(self.next_tick)
    }

    fn handle_timeout(&mut self, now_ms: u32, io: &mut impl Io) -> Result<(), Fault> {
        if !due(self.next_tick, now_ms) {
            return Ok(());
        }
        self.next_tick = now_ms.wrapping_add(self.interval);
        self.session
            .tick(now_ms, &mut |d: &[u8]| io.transmit(d))
            .map_err(|f| Fault::new(f.errno(), format!("ARQ: {f:?}")))
    }
}
