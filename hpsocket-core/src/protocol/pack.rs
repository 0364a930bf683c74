//! HP-Socket's PACK framing as a layer: [`PackDecoder`] turns the stream into frame bodies,
//! [`PackConfig::header`] frames a send. Frames wholly inside one input go up without a copy.

use std::ops::ControlFlow;

use super::{Fault, Io, Protocol, Status};
use crate::model::pack::{PackConfig, PackDecoder};

/// One connection's PACK state: its settings and the bytes of frames not yet delivered.
#[derive(Default)]
pub(crate) struct Pack {
    config: PackConfig,
    decoder: PackDecoder,
}

impl Pack {
    pub(crate) fn new(config: PackConfig) -> Pack {
        Pack {
            config,
            decoder: PackDecoder::default(),
        }
    }

    /// Bytes received and not yet delivered.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.decoder.buffered()
    }
}

impl Protocol for Pack {
    #[inline]
    fn input(&mut self, data: &[u8], _now_ms: u32, io: &mut impl Io) -> Result<Status, Fault> {
        self.decoder
            .feed(data, &self.config, |body| {
                // Paused or closing: stop at this frame boundary and keep the frame.
                if !io.accepting() {
                    return ControlFlow::Break(());
                }
                io.deliver(body)
            })
            .map_err(|code| Fault::new(code, bad_frame(code)))?;
        Ok(Status::Open)
    }

    fn send(&mut self, parts: &[&[u8]], _now_ms: u32, io: &mut impl Io) -> Result<(), Fault> {
        let len = parts.iter().map(|p| p.len()).sum();
        let header = self
            .config
            .header(len)
            .map_err(|code| Fault::new(code, self.config.refusal(len)))?;
        io.transmit(&header);
        for part in parts.iter().filter(|p| !p.is_empty()) {
            io.transmit(part);
        }
        Ok(())
    }
}

/// The sentence for a frame the decoder refused.
fn bad_frame(code: i32) -> &'static str {
    if code == libc::EBADMSG {
        "PACK header flag does not match PackHeaderFlag"
    } else {
        "PACK frame length is 0 or above MaxPackSize"
    }
}
