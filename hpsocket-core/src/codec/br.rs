//! Brotli streams (the `brotli` crate, a Rust port of Google's).

use brotli::enc::encode::{
    BrotliEncoderOperation, BrotliEncoderParameter, BrotliEncoderStateStruct,
};
use brotli::enc::{interface, StandardAlloc};
use brotli::{BrotliDecompressStream, BrotliResult, BrotliState};

use super::CodecError;

/// The encoder's parameters, with HP-Socket's defaults (`Default`): quality 11, window 22,
/// mode 0 (generic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrotliParams {
    /// 0..=11.
    pub quality: i32,
    /// The window's log2, 10..=24.
    pub window: i32,
    /// 0 generic, 1 text (UTF-8), 2 font (WOFF 2.0).
    pub mode: i32,
}

impl Default for BrotliParams {
    fn default() -> Self {
        BrotliParams {
            quality: 11,
            window: 22,
            mode: 0,
        }
    }
}

impl BrotliParams {
    fn check(&self) -> Result<(), CodecError> {
        let bad = |what: String| Err(CodecError::BadParam(what));
        if !(0..=11).contains(&self.quality) {
            return bad(format!("iQuality {} is not 0..=11", self.quality));
        }
        if !(10..=24).contains(&self.window) {
            return bad(format!("iWindow {} is not 10..=24", self.window));
        }
        if !(0..=2).contains(&self.mode) {
            return bad(format!("iMode {} is not 0..=2", self.mode));
        }
        Ok(())
    }
}

/// A brotli compressor.
pub(crate) struct BrotliEncoder {
    params: BrotliParams,
    state: BrotliEncoderStateStruct<StandardAlloc>,
}

fn encoder_state(p: &BrotliParams) -> BrotliEncoderStateStruct<StandardAlloc> {
    let mut s = BrotliEncoderStateStruct::new(StandardAlloc::default());
    s.set_parameter(
        BrotliEncoderParameter::BROTLI_PARAM_QUALITY,
        p.quality as u32,
    );
    s.set_parameter(BrotliEncoderParameter::BROTLI_PARAM_LGWIN, p.window as u32);
    s.set_parameter(BrotliEncoderParameter::BROTLI_PARAM_MODE, p.mode as u32);
    s
}

impl BrotliEncoder {
    pub(crate) fn new(p: &BrotliParams) -> Result<Self, CodecError> {
        p.check()?;
        Ok(BrotliEncoder {
            params: *p,
            state: encoder_state(p),
        })
    }

    pub(crate) fn reset(&mut self) {
        self.state = encoder_state(&self.params);
    }

    pub(crate) fn process(
        &mut self,
        data: &[u8],
        last: bool,
        flush: bool,
        buf: &mut [u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), CodecError> {
        let op = if last {
            BrotliEncoderOperation::BROTLI_OPERATION_FINISH
        } else if flush {
            BrotliEncoderOperation::BROTLI_OPERATION_FLUSH
        } else {
            BrotliEncoderOperation::BROTLI_OPERATION_PROCESS
        };
        let mut nop =
            |_: &mut interface::PredictionModeContextMap<interface::InputReferenceMut>,
             _: &mut [interface::StaticCommand],
             _: interface::InputPair,
             _: &mut StandardAlloc| ();
        let (mut avail_in, mut in_off) = (data.len(), 0usize);
        let mut idle = 0;
        loop {
            let (mut avail_out, mut out_off) = (buf.len(), 0usize);
            let before = in_off;
            let ok = self.state.compress_stream(
                op,
                &mut avail_in,
                data,
                &mut in_off,
                &mut avail_out,
                buf,
                &mut out_off,
                &mut None,
                &mut nop,
            );
            if !ok {
                return Err(CodecError::BadInput);
            }
            if out_off > 0 && !sink(&buf[..out_off]) {
                return Err(CodecError::Aborted);
            }
            let settled = avail_in == 0 && !self.state.has_more_output();
            let done = if last {
                self.state.is_finished()
            } else {
                settled
            };
            if done {
                return Ok(());
            }
            // The encoder always moves on; this only guards against a state that would not.
            idle = if out_off == 0 && in_off == before {
                idle + 1
            } else {
                0
            };
            if idle > 8 {
                return Err(CodecError::BadInput);
            }
        }
    }
}

/// A brotli decompressor.
pub(crate) struct BrotliDecoder {
    state: BrotliState<StandardAlloc, StandardAlloc, StandardAlloc>,
}

fn decoder_state() -> BrotliState<StandardAlloc, StandardAlloc, StandardAlloc> {
    BrotliState::new(
        StandardAlloc::default(),
        StandardAlloc::default(),
        StandardAlloc::default(),
    )
}

impl BrotliDecoder {
    pub(crate) fn new() -> Self {
        BrotliDecoder {
            state: decoder_state(),
        }
    }

    pub(crate) fn reset(&mut self) {
        self.state = decoder_state();
    }

    /// Decompresses `data`; true once the stream has ended.
    pub(crate) fn process(
        &mut self,
        data: &[u8],
        buf: &mut [u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<bool, CodecError> {
        let (mut avail_in, mut in_off) = (data.len(), 0usize);
        loop {
            let (mut avail_out, mut out_off, mut total) = (buf.len(), 0usize, 0usize);
            let r = BrotliDecompressStream(
                &mut avail_in,
                &mut in_off,
                data,
                &mut avail_out,
                &mut out_off,
                buf,
                &mut total,
                &mut self.state,
            );
            if out_off > 0 && !sink(&buf[..out_off]) {
                return Err(CodecError::Aborted);
            }
            match r {
                BrotliResult::ResultFailure => return Err(CodecError::BadInput),
                BrotliResult::ResultSuccess => return Ok(true),
                // Once the input is used up the decoder says NeedsMoreInput even when it has
                // just filled `buf` and holds more output (the rest of a flushed block):
                // drain it, or that output would wait for the next call.
                BrotliResult::NeedsMoreInput if out_off < buf.len() => return Ok(false),
                BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => {}
            }
        }
    }
}

/// `BrotliEncoderMaxCompressedSize`: the most a one-shot compression of `len` bytes takes.
pub(crate) fn max_compressed_size(len: usize) -> usize {
    brotli::enc::encode::BrotliEncoderMaxCompressedSize(len)
}
