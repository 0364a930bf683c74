//! zlib, gzip and raw deflate streams (flate2 over zlib-rs), with zlib's window-bits
//! convention that HP-Socket's Ex functions pass through: 8..=15 a zlib stream, -15..=-8 raw
//! deflate, 24..=31 gzip (16 + bits), and for decoding 40..=47 zlib or gzip by the header
//! (32 + bits) and 0 the window the zlib header names.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::CodecError;

/// The wrapper around the deflate data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeflateFormat {
    /// No header or trailer.
    Raw,
    /// RFC 1950: a 2-byte header and an Adler-32 trailer.
    Zlib,
    /// RFC 1952: the gzip header and a CRC-32 + length trailer.
    Gzip,
    /// Decoding only: zlib or gzip, whichever the first byte says.
    Auto,
}

/// zlib's `deflateInit2` parameters, with HP-Socket's defaults (`Default`): level -1 (6),
/// method 8 (deflate), window bits 15, memory level 8, strategy 0. The memory level and
/// strategy are checked but do not change the output (flate2 does not expose them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// -1 (default, 6) or 0..=9.
    pub level: i32,
    /// 8 (`Z_DEFLATED`), the only method.
    pub method: i32,
    /// The window bits, with the format in zlib's convention (module docs).
    pub window_bits: i32,
    /// 1..=9.
    pub mem_level: i32,
    /// 0..=4 (`Z_DEFAULT_STRATEGY` .. `Z_FIXED`).
    pub strategy: i32,
}

impl Default for DeflateParams {
    fn default() -> Self {
        DeflateParams {
            level: -1,
            method: 8,
            window_bits: 15,
            mem_level: 8,
            strategy: 0,
        }
    }
}

impl DeflateParams {
    /// HP-Socket's gzip: window bits 15 + 16 when compressing, 15 + 32 (zlib or gzip) when
    /// decompressing.
    pub fn gzip(decoding: bool) -> Self {
        DeflateParams {
            window_bits: if decoding { 47 } else { 31 },
            ..Default::default()
        }
    }

    /// The format and window size the window bits name.
    pub fn format(&self, decoding: bool) -> Result<(DeflateFormat, u8), CodecError> {
        let w = self.window_bits;
        let (format, bits) = match w {
            0 if decoding => (DeflateFormat::Zlib, 15),
            8..=15 => (DeflateFormat::Zlib, w),
            -15..=-8 => (DeflateFormat::Raw, -w),
            24..=31 => (DeflateFormat::Gzip, w - 16),
            40..=47 if decoding => (DeflateFormat::Auto, w - 32),
            _ => {
                return Err(CodecError::BadParam(format!(
                    "iWindowBits {w} is not 8..=15, -15..=-8 or 24..=31{}",
                    if decoding { " (or 0, 40..=47)" } else { "" }
                )))
            }
        };
        // zlib itself turns a window of 8 into 9.
        Ok((format, bits.max(9) as u8))
    }

    fn check_encoder(&self) -> Result<(), CodecError> {
        let bad = |what: String| Err(CodecError::BadParam(what));
        if !(-1..=9).contains(&self.level) {
            return bad(format!("iLevel {} is not -1..=9", self.level));
        }
        if self.method != 8 {
            return bad(format!("iMethod {} is not 8 (Z_DEFLATED)", self.method));
        }
        if !(1..=9).contains(&self.mem_level) {
            return bad(format!("iMemLevel {} is not 1..=9", self.mem_level));
        }
        if !(0..=4).contains(&self.strategy) {
            return bad(format!("iStrategy {} is not 0..=4", self.strategy));
        }
        Ok(())
    }
}

fn delta(after: u64, before: u64) -> usize {
    (after - before) as usize
}

/// A deflate compressor.
pub(crate) struct DeflateEncoder {
    inner: Compress,
}

impl DeflateEncoder {
    pub(crate) fn new(p: &DeflateParams) -> Result<Self, CodecError> {
        p.check_encoder()?;
        let (format, bits) = p.format(false)?;
        let level = Compression::new(if p.level < 0 { 6 } else { p.level as u32 });
        let inner = match format {
            DeflateFormat::Gzip => Compress::new_gzip(level, bits),
            f => Compress::new_with_window_bits(level, f == DeflateFormat::Zlib, bits),
        };
        Ok(DeflateEncoder { inner })
    }

    pub(crate) fn reset(&mut self) {
        self.inner.reset();
    }

    /// Compresses `data`; `last` ends the stream, `flush` emits a decodable segment now.
    pub(crate) fn process(
        &mut self,
        mut data: &[u8],
        last: bool,
        flush: bool,
        buf: &mut [u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), CodecError> {
        let mode = if last {
            FlushCompress::Finish
        } else if flush {
            FlushCompress::Sync
        } else {
            FlushCompress::None
        };
        loop {
            let (in0, out0) = (self.inner.total_in(), self.inner.total_out());
            let status = self
                .inner
                .compress(data, buf, mode)
                .map_err(|_| CodecError::BadInput)?;
            let consumed = delta(self.inner.total_in(), in0);
            let produced = delta(self.inner.total_out(), out0);
            data = &data[consumed..];
            if produced > 0 && !sink(&buf[..produced]) {
                return Err(CodecError::Aborted);
            }
            if status == Status::StreamEnd {
                return Ok(());
            }
            let drained = data.is_empty() && produced < buf.len();
            if (drained && !last) || (consumed == 0 && produced == 0) {
                return Ok(());
            }
        }
    }
}

/// A deflate decompressor.
pub(crate) struct DeflateDecoder {
    format: DeflateFormat,
    bits: u8,
    /// None until the first byte of an `Auto` stream has come.
    inner: Option<Decompress>,
}

impl DeflateDecoder {
    pub(crate) fn new(p: &DeflateParams) -> Result<Self, CodecError> {
        let (format, bits) = p.format(true)?;
        let mut d = DeflateDecoder {
            format,
            bits,
            inner: None,
        };
        d.reset();
        Ok(d)
    }

    fn make(format: DeflateFormat, bits: u8) -> Decompress {
        match format {
            DeflateFormat::Gzip => Decompress::new_gzip(bits),
            f => Decompress::new_with_window_bits(f == DeflateFormat::Zlib, bits),
        }
    }

    pub(crate) fn reset(&mut self) {
        self.inner = match self.format {
            DeflateFormat::Auto => None,
            f => Some(Self::make(f, self.bits)),
        };
    }

    /// Decompresses `data`; true once the stream has ended (what follows the end in `data`
    /// is ignored, as zlib's `inflate` leaves it).
    pub(crate) fn process(
        &mut self,
        mut data: &[u8],
        buf: &mut [u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<bool, CodecError> {
        let inner = match &mut self.inner {
            Some(inner) => inner,
            None => {
                let Some(&first) = data.first() else {
                    return Ok(false);
                };
                let format = if first == 0x1f {
                    DeflateFormat::Gzip
                } else {
                    DeflateFormat::Zlib
                };
                self.inner.insert(Self::make(format, self.bits))
            }
        };
        loop {
            let (in0, out0) = (inner.total_in(), inner.total_out());
            let status = inner
                .decompress(data, buf, FlushDecompress::None)
                .map_err(|_| CodecError::BadInput)?;
            let consumed = delta(inner.total_in(), in0);
            let produced = delta(inner.total_out(), out0);
            data = &data[consumed..];
            if produced > 0 && !sink(&buf[..produced]) {
                return Err(CodecError::Aborted);
            }
            if status == Status::StreamEnd {
                return Ok(true);
            }
            if (data.is_empty() && produced < buf.len()) || (consumed == 0 && produced == 0) {
                return Ok(false);
            }
        }
    }
}
