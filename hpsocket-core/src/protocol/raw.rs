//! The identity layer: PUSH and PULL put no framing on the stream. What a read returned goes
//! up whole, and a send goes down as given.

use super::{Fault, Io, Protocol, Status};

/// Bytes as they come (PUSH, PULL).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Raw;

impl Protocol for Raw {
    fn input(&mut self, data: &[u8], _now_ms: u32, io: &mut impl Io) -> Result<Status, Fault> {
        // Nothing is kept here, so an empty input (a resume) has nothing to hand over.
        if !data.is_empty() {
            let _ = io.deliver(data);
        }
        Ok(Status::Open)
    }

    fn send(&mut self, parts: &[&[u8]], _now_ms: u32, io: &mut impl Io) -> Result<(), Fault> {
        for part in parts.iter().filter(|p| !p.is_empty()) {
            io.transmit(part);
        }
        Ok(())
    }
}
