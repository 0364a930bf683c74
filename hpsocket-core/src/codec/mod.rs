//! HP-Socket's data codecs, sans-IO: streaming compressors and decompressors (zlib, gzip,
//! brotli) that push their output to a sink, the one-shot helpers built on them, base64
//! (RFC 4648), HP-Socket's URL codec, and charset conversion (GBK, UTF-8, UTF-16, UTF-32 and
//! what `encoding_rs` knows).

pub mod base64;
mod br;
pub mod charset;
mod deflate;
mod stream;
pub mod url;

pub use br::BrotliParams;
pub use deflate::{DeflateFormat, DeflateParams};
pub use stream::{
    brotli_compress, brotli_max_compressed_size, compress, decompress, gzip_guess_uncompressed,
    zlib_compress_bound, Compressor, Decompressor,
};

use std::fmt;

/// Why a codec call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The input is not what the codec reads: corrupt, truncated, or not in its alphabet
    /// (HP-Socket's `-3`).
    BadInput,
    /// The output buffer is too small; `needed` is the size that fits (HP-Socket's `-5`).
    BufferTooSmall {
        /// Bytes (or units) the whole output needs.
        needed: usize,
    },
    /// A parameter out of its range (zlib's `Z_STREAM_ERROR`, `-2`).
    BadParam(String),
    /// The output sink returned false: the caller stopped the stream.
    Aborted,
}

impl CodecError {
    /// HP-Socket's return code of the one-shot helpers: -3, -5, -2 (and -3 for an abort,
    /// which one-shot calls cannot see).
    pub fn code(&self) -> i32 {
        match self {
            CodecError::BadInput | CodecError::Aborted => -3,
            CodecError::BufferTooSmall { .. } => -5,
            CodecError::BadParam(_) => -2,
        }
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::BadInput => f.write_str("the input is corrupt or truncated"),
            CodecError::BufferTooSmall { needed } => {
                write!(f, "the output buffer is too small ({needed} needed)")
            }
            CodecError::BadParam(what) => f.write_str(what),
            CodecError::Aborted => f.write_str("the data callback returned FALSE"),
        }
    }
}

impl std::error::Error for CodecError {}

/// Copies `out` into `dst` when it fits, else reports the size needed.
pub(crate) fn fit(out: &[u8], dst: &mut [u8]) -> Result<usize, CodecError> {
    if out.len() > dst.len() {
        return Err(CodecError::BufferTooSmall { needed: out.len() });
    }
    dst[..out.len()].copy_from_slice(out);
    Ok(out.len())
}
