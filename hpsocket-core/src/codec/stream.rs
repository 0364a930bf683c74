//! The streaming objects of HP-Socket's compressor API, and the one-shot helpers built on
//! them. Output goes to a sink in pieces of at most the buffer size; a sink returning false
//! aborts the call. After the last piece of a stream, a failure or an abort, the object is
//! reset, ready for a new stream (as HP-Socket's).

use super::br::{self, BrotliDecoder, BrotliEncoder, BrotliParams};
use super::deflate::{DeflateDecoder, DeflateEncoder, DeflateParams};
use super::CodecError;

/// The largest output buffer a streaming object takes (`dwBuffSize`).
pub const MAX_BUFFER: usize = 64 << 20;

fn buffer(size: usize) -> Result<Vec<u8>, CodecError> {
    if size == 0 || size > MAX_BUFFER {
        return Err(CodecError::BadParam(format!(
            "dwBuffSize {size} is not 1..={MAX_BUFFER}"
        )));
    }
    Ok(vec![0; size])
}

enum Encoder {
    Deflate(DeflateEncoder),
    Brotli(Box<BrotliEncoder>),
}

/// A streaming compressor: zlib, gzip, raw deflate or brotli.
pub struct Compressor {
    encoder: Encoder,
    buf: Vec<u8>,
}

impl Compressor {
    /// A zlib, gzip or raw deflate compressor (the format by the window bits).
    pub fn deflate(params: &DeflateParams, buf_size: usize) -> Result<Self, CodecError> {
        Ok(Compressor {
            encoder: Encoder::Deflate(DeflateEncoder::new(params)?),
            buf: buffer(buf_size)?,
        })
    }

    /// A brotli compressor.
    pub fn brotli(params: &BrotliParams, buf_size: usize) -> Result<Self, CodecError> {
        Ok(Compressor {
            encoder: Encoder::Brotli(Box::new(BrotliEncoder::new(params)?)),
            buf: buffer(buf_size)?,
        })
    }

    /// Compresses `data` and hands the output to `sink`. `last` ends the stream (the object
    /// is reset afterwards); `flush` makes everything given so far decodable now.
    pub fn process(
        &mut self,
        data: &[u8],
        last: bool,
        flush: bool,
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), CodecError> {
        let r = match &mut self.encoder {
            Encoder::Deflate(e) => e.process(data, last, flush, &mut self.buf, sink),
            Encoder::Brotli(e) => e.process(data, last, flush, &mut self.buf, sink),
        };
        if r.is_err() || last {
            self.reset();
        }
        r
    }

    /// Drops the current stream.
    pub fn reset(&mut self) {
        match &mut self.encoder {
            Encoder::Deflate(e) => e.reset(),
            Encoder::Brotli(e) => e.reset(),
        }
    }
}

enum Decoder {
    Deflate(DeflateDecoder),
    Brotli(Box<BrotliDecoder>),
}

/// A streaming decompressor: zlib, gzip, raw deflate or brotli.
pub struct Decompressor {
    decoder: Decoder,
    buf: Vec<u8>,
}

impl Decompressor {
    /// A zlib, gzip or raw deflate decompressor (the format by the window bits).
    pub fn deflate(params: &DeflateParams, buf_size: usize) -> Result<Self, CodecError> {
        Ok(Decompressor {
            decoder: Decoder::Deflate(DeflateDecoder::new(params)?),
            buf: buffer(buf_size)?,
        })
    }

    /// A brotli decompressor.
    pub fn brotli(buf_size: usize) -> Result<Self, CodecError> {
        Ok(Decompressor {
            decoder: Decoder::Brotli(Box::new(BrotliDecoder::new())),
            buf: buffer(buf_size)?,
        })
    }

    /// Decompresses `data` and hands the output to `sink`; true when the stream ended in it
    /// (the object is then reset; the rest of `data` is ignored). Corrupt data gives
    /// `BadInput` and resets the object.
    pub fn process(
        &mut self,
        data: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<bool, CodecError> {
        let r = match &mut self.decoder {
            Decoder::Deflate(d) => d.process(data, &mut self.buf, sink),
            Decoder::Brotli(d) => d.process(data, &mut self.buf, sink),
        };
        if !matches!(r, Ok(false)) {
            self.reset();
        }
        r
    }

    /// Drops the current stream.
    pub fn reset(&mut self) {
        match &mut self.decoder {
            Decoder::Deflate(d) => d.reset(),
            Decoder::Brotli(d) => d.reset(),
        }
    }
}

/// Writes pieces into a slice while they fit and counts the whole length.
struct SliceSink<'a> {
    dst: &'a mut [u8],
    len: usize,
}

impl SliceSink<'_> {
    fn push(&mut self, piece: &[u8]) -> bool {
        let end = self.len + piece.len();
        if end <= self.dst.len() {
            self.dst[self.len..end].copy_from_slice(piece);
        }
        self.len = end;
        // Counting stops past what a DWORD length can report.
        end <= u32::MAX as usize
    }

    fn finish(self) -> Result<usize, CodecError> {
        if self.len > self.dst.len() {
            Err(CodecError::BufferTooSmall { needed: self.len })
        } else {
            Ok(self.len)
        }
    }
}

const ONE_SHOT_BUFFER: usize = 64 << 10;

/// Compresses all of `src` into `dst` as one stream; the length written, or the length
/// needed.
pub fn compress(mut c: Compressor, src: &[u8], dst: &mut [u8]) -> Result<usize, CodecError> {
    c.buf.resize(ONE_SHOT_BUFFER, 0);
    let mut out = SliceSink { dst, len: 0 };
    match c.process(src, true, false, &mut |p| out.push(p)) {
        Ok(()) | Err(CodecError::Aborted) => out.finish(),
        Err(e) => Err(e),
    }
}

/// Decompresses one whole stream from `src` into `dst`; a truncated stream is `BadInput`,
/// bytes after its end are ignored.
pub fn decompress(mut d: Decompressor, src: &[u8], dst: &mut [u8]) -> Result<usize, CodecError> {
    d.buf.resize(ONE_SHOT_BUFFER, 0);
    let mut out = SliceSink { dst, len: 0 };
    match d.process(src, &mut |p| out.push(p)) {
        Ok(true) | Err(CodecError::Aborted) => out.finish(),
        Ok(false) => Err(CodecError::BadInput),
        Err(e) => Err(e),
    }
}

/// zlib's `compressBound`, plus 16 for a gzip wrapper (HP-Socket's `GuessCompressBound`).
pub fn zlib_compress_bound(len: usize, gzip: bool) -> usize {
    len + (len >> 12) + (len >> 14) + (len >> 25) + 13 + if gzip { 16 } else { 0 }
}

/// The most a brotli compression of `len` bytes takes.
pub fn brotli_max_compressed_size(len: usize) -> usize {
    br::max_compressed_size(len)
}

/// HP-Socket's `GZipGuessUncompressBound`: the length a gzip stream states in its trailer
/// (modulo 2^32), or 0 when `src` does not start like gzip.
pub fn gzip_guess_uncompressed(src: &[u8]) -> u32 {
    if src.len() < 20 || src[..2] != [0x1f, 0x8b] {
        return 0;
    }
    let t = &src[src.len() - 4..];
    u32::from_le_bytes([t[0], t[1], t[2], t[3]])
}

/// Compresses with brotli in one go (`BrotliEncoderCompress`).
pub fn brotli_compress(p: &BrotliParams, src: &[u8], dst: &mut [u8]) -> Result<usize, CodecError> {
    compress(Compressor::brotli(p, ONE_SHOT_BUFFER)?, src, dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(len: usize) -> Vec<u8> {
        let words = [
            "alpha ",
            "beta ",
            "gamma\n",
            "δέλτα ",
            "0123 ",
            "HP-Socket ",
        ];
        let mut v = Vec::new();
        let mut i = 7usize;
        while v.len() < len {
            i = i.wrapping_mul(1103515245).wrapping_add(12345);
            v.extend_from_slice(words[(i >> 16) % words.len()].as_bytes());
        }
        v.truncate(len);
        v
    }

    fn all_compressors() -> Vec<(&'static str, Compressor, Decompressor)> {
        let p = DeflateParams::default();
        let raw = DeflateParams {
            window_bits: -15,
            ..p
        };
        vec![
            (
                "zlib",
                Compressor::deflate(&p, 1000).unwrap(),
                Decompressor::deflate(&p, 1000).unwrap(),
            ),
            (
                "gzip",
                Compressor::deflate(&DeflateParams::gzip(false), 333).unwrap(),
                Decompressor::deflate(&DeflateParams::gzip(true), 333).unwrap(),
            ),
            (
                "raw",
                Compressor::deflate(&raw, 4096).unwrap(),
                Decompressor::deflate(&raw, 77).unwrap(),
            ),
            (
                "brotli",
                Compressor::brotli(
                    &BrotliParams {
                        quality: 5,
                        ..Default::default()
                    },
                    500,
                )
                .unwrap(),
                Decompressor::brotli(100).unwrap(),
            ),
        ]
    }

    fn pack(c: &mut Compressor, data: &[u8], piece: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let chunks: Vec<&[u8]> = data.chunks(piece).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let last = i + 1 == chunks.len();
            c.process(chunk, last, false, &mut |p| {
                out.extend_from_slice(p);
                true
            })
            .unwrap();
        }
        out
    }

    fn unpack(d: &mut Decompressor, data: &[u8], piece: usize) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let mut ended = false;
        for chunk in data.chunks(piece) {
            ended = d
                .process(chunk, &mut |p| {
                    out.extend_from_slice(p);
                    true
                })
                .unwrap();
        }
        (out, ended)
    }

    #[test]
    fn streams_round_trip_in_pieces_and_objects_are_reusable() {
        let data = text(200_000);
        for (name, mut c, mut d) in all_compressors() {
            for round in 0..2 {
                let packed = pack(&mut c, &data, 7001);
                assert!(packed.len() < data.len() / 2, "{name}");
                let (plain, ended) = unpack(&mut d, &packed, 513);
                assert!(ended, "{name} round {round}");
                assert_eq!(plain, data, "{name} round {round}");
            }
        }
    }

    #[test]
    fn flush_makes_the_prefix_decodable() {
        for (name, mut c, mut d) in all_compressors() {
            let mut packed = Vec::new();
            c.process(b"hello, ", false, true, &mut |p| {
                packed.extend_from_slice(p);
                true
            })
            .unwrap();
            let (plain, ended) = unpack(&mut d, &packed, 3);
            assert_eq!(plain, b"hello, ", "{name}");
            assert!(!ended);
            let mut rest = Vec::new();
            c.process(b"world", true, false, &mut |p| {
                rest.extend_from_slice(p);
                true
            })
            .unwrap();
            let (plain, ended) = unpack(&mut d, &rest, 1);
            assert_eq!(plain, b"world", "{name}");
            assert!(ended, "{name}");
        }
    }

    #[test]
    fn flush_delivers_a_prefix_longer_than_one_output_piece_at_once() {
        // A flushed prefix that decodes to many output pieces comes out in the call that
        // reads it (the brotli decoder used to hand out one piece per call).
        let data = text(60_000);
        for (name, mut c, mut d) in all_compressors() {
            let mut packed = Vec::new();
            c.process(&data, false, true, &mut |p| {
                packed.extend_from_slice(p);
                true
            })
            .unwrap();
            let (plain, ended) = unpack(&mut d, &packed, packed.len());
            assert!(!ended, "{name}");
            assert_eq!(plain.len(), data.len(), "{name}");
            assert_eq!(plain, data, "{name}");
        }
    }

    #[test]
    fn empty_last_call_finishes_the_stream() {
        for (name, mut c, mut d) in all_compressors() {
            let mut packed = pack(&mut c, b"", 1);
            if packed.is_empty() {
                c.process(b"", true, false, &mut |p| {
                    packed.extend_from_slice(p);
                    true
                })
                .unwrap();
            }
            let (plain, ended) = unpack(&mut d, &packed, 5);
            assert!(plain.is_empty() && ended, "{name}");
        }
    }

    #[test]
    fn an_abort_stops_and_resets() {
        let data = text(100_000);
        for (name, mut c, _) in all_compressors() {
            let mut calls = 0;
            let r = c.process(&data, true, false, &mut |_| {
                calls += 1;
                false
            });
            assert_eq!(r, Err(CodecError::Aborted), "{name}");
            assert_eq!(calls, 1, "{name}");
        }
    }

    #[test]
    fn truncated_and_corrupted_streams_rejected() {
        let data = text(50_000);
        type Case = (&'static str, Compressor, fn() -> Decompressor);
        let cases: [Case; 3] = [
            (
                "zlib",
                Compressor::deflate(&DeflateParams::default(), 4096).unwrap(),
                || Decompressor::deflate(&DeflateParams::default(), 4096).unwrap(),
            ),
            (
                "gzip",
                Compressor::deflate(&DeflateParams::gzip(false), 4096).unwrap(),
                || Decompressor::deflate(&DeflateParams::gzip(true), 4096).unwrap(),
            ),
            (
                "brotli",
                Compressor::brotli(&BrotliParams::default(), 4096).unwrap(),
                || Decompressor::brotli(4096).unwrap(),
            ),
        ];
        for (name, c, d) in cases {
            let mut packed = vec![0; 60_000];
            let n = compress(c, &data, &mut packed).unwrap();
            packed.truncate(n);
            let mut out = vec![0; data.len()];
            assert_eq!(decompress(d(), &packed, &mut out), Ok(data.len()), "{name}");
            assert_eq!(out, data);
            assert_eq!(
                decompress(d(), &packed[..n - 5], &mut out),
                Err(CodecError::BadInput),
                "{name} truncated"
            );
            let mut bad = packed.clone();
            for b in bad.iter_mut().skip(n / 2).take(16) {
                *b ^= 0x5a;
            }
            assert!(decompress(d(), &bad, &mut out).is_err(), "{name} corrupted");
            let mut small = vec![0; 100];
            assert_eq!(
                decompress(d(), &packed, &mut small),
                Err(CodecError::BufferTooSmall { needed: data.len() }),
                "{name} short"
            );
        }
        assert_eq!(
            decompress(
                Decompressor::brotli(10).unwrap(),
                b"\xff\xff\xff\xff",
                &mut [0; 10]
            ),
            Err(CodecError::BadInput)
        );
    }

    #[test]
    fn one_shot_short_buffer_reports_the_size() {
        let data = text(10_000);
        let mut big = vec![0; zlib_compress_bound(data.len(), true)];
        let n = compress(
            Compressor::deflate(&DeflateParams::gzip(false), 1).unwrap(),
            &data,
            &mut big,
        )
        .unwrap();
        assert_eq!(gzip_guess_uncompressed(&big[..n]), data.len() as u32);
        let mut small = vec![0; 10];
        assert_eq!(
            compress(
                Compressor::deflate(&DeflateParams::gzip(false), 1).unwrap(),
                &data,
                &mut small
            ),
            Err(CodecError::BufferTooSmall { needed: n })
        );
        let mut br = vec![0; brotli_max_compressed_size(data.len())];
        assert!(brotli_compress(&BrotliParams::default(), &data, &mut br).is_ok());
    }

    #[test]
    fn parameters_checked() {
        for bits in [7, 16, 23, 32, -7, -16, 0] {
            let p = DeflateParams {
                window_bits: bits,
                ..Default::default()
            };
            assert!(Compressor::deflate(&p, 10).is_err(), "{bits}");
        }
        for bits in [0, 47, 40] {
            let p = DeflateParams {
                window_bits: bits,
                ..Default::default()
            };
            assert!(Decompressor::deflate(&p, 10).is_ok(), "{bits}");
        }
        let bad_level = DeflateParams {
            level: 10,
            ..Default::default()
        };
        assert!(Compressor::deflate(&bad_level, 10).is_err());
        assert!(Compressor::deflate(&DeflateParams::default(), 0).is_err());
        let bad = BrotliParams {
            window: 25,
            ..Default::default()
        };
        assert!(Compressor::brotli(&bad, 10).is_err());
    }

    #[test]
    fn auto_detects_zlib_and_gzip() {
        let data = text(5000);
        for enc in [DeflateParams::default(), DeflateParams::gzip(false)] {
            let mut packed = vec![0; 10_000];
            let n = compress(Compressor::deflate(&enc, 100).unwrap(), &data, &mut packed).unwrap();
            let mut out = vec![0; 5000];
            let d = Decompressor::deflate(&DeflateParams::gzip(true), 100).unwrap();
            assert_eq!(decompress(d, &packed[..n], &mut out), Ok(5000));
        }
    }
}
