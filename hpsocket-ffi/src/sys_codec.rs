//! The codec helpers of HPSocket4C (`SYS_Base64*`, `SYS_Url*`, `SYS_Compress*`,
//! `SYS_GZip*`, `SYS_Brotli*`, `SYS_CharsetConvert`, `SYS_*To*[Ex]`) over
//! [`hpsocket_core::codec`].
//!
//! The byte codecs return HP-Socket's codes: 0 ok, -3 bad input, -5 output buffer too small
//! (`*pdwDestLen` then holds the length needed), -2 a parameter out of range. On success
//! `*pdwDestLen` is the length written, and a NUL follows the output when the buffer has
//! room for it (as HP-Socket's). Every failure is recorded like any other (thread last
//! error, `errno`).

use std::ffi::{c_char, c_int};
use std::ptr;

use hpsocket_core::codec::{
    self, base64, charset, url, BrotliParams, CodecError, Compressor, Decompressor, DeflateParams,
};

use crate::args;
use crate::compressor::codec_error;
use crate::last_error::{record, FfiError, Result};
use crate::types::*;

/// `lpszSrc, dwSrcLen` as an owned copy (the destination may overlap it).
///
/// # Safety
/// `src` is NULL or readable for `len` bytes.
unsafe fn source(src: *const BYTE, len: DWORD) -> std::result::Result<Vec<u8>, CodecError> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if src.is_null() {
        return Err(CodecError::BadInput);
    }
    // SAFETY: non-NULL and readable for `len` bytes per this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(src, len as usize) }.to_vec())
}

/// Runs a byte codec from `src` into `dst` with HP-Socket's return codes.
///
/// # Safety
/// `src` is NULL or readable for `src_len` bytes; `dst_len` is NULL or readable and
/// writable; `dst` is NULL or writable for `*dst_len` bytes.
pub(crate) unsafe fn one_shot(
    function: &'static str,
    src: *const BYTE,
    src_len: DWORD,
    dst: *mut BYTE,
    dst_len: *mut DWORD,
    f: impl FnOnce(&[u8], &mut [u8]) -> std::result::Result<usize, CodecError>,
) -> c_int {
    let fail = |e: FfiError, code: c_int| {
        record(function, e);
        code
    };
    let Ok(len_out) = args::out(dst_len, "pdwDestLen") else {
        return fail(FfiError::invalid("pdwDestLen is NULL"), -3);
    };
    // SAFETY: per this function's contract.
    let asked = unsafe { len_out.get() } as usize;
    let room = if dst.is_null() { 0 } else { asked };
    // SAFETY: per this function's contract.
    let input = match unsafe { source(src, src_len) } {
        Ok(v) => v,
        Err(_) => {
            // SAFETY: as above.
            unsafe { len_out.set(0) };
            return fail(
                FfiError::invalid(format!("lpszSrc is NULL but dwSrcLen is {src_len}")),
                -3,
            );
        }
    };
    let out: &mut [u8] = if room == 0 {
        &mut []
    } else {
        // SAFETY: non-NULL and writable for `room` bytes per this function's contract; the
        // input was copied, so nothing else borrows it.
        unsafe { std::slice::from_raw_parts_mut(dst, room) }
    };
    match f(&input, out) {
        Ok(n) => {
            if n < room {
                // SAFETY: `n < room`, within the writable buffer.
                unsafe { *dst.add(n) = 0 };
            }
            // SAFETY: as above.
            unsafe { len_out.set(dword(n)) };
            0
        }
        Err(e) => {
            let code = e.code();
            match &e {
                // SAFETY: as above.
                CodecError::BufferTooSmall { needed } => unsafe { len_out.set(dword(*needed)) },
                // SAFETY: as above.
                CodecError::BadInput | CodecError::Aborted => unsafe { len_out.set(0) },
                CodecError::BadParam(_) => {}
            }
            fail(codec_error(e), code)
        }
    }
}

/// `SYS_GuessBase64DecodeBound` and the URL guesses: 0 for a NULL source.
///
/// # Safety
/// `src` is NULL or readable for `len` bytes.
pub(crate) unsafe fn guess(src: *const BYTE, len: DWORD, f: fn(&[u8]) -> usize) -> DWORD {
    // SAFETY: per this function's contract.
    match unsafe { source(src, len) } {
        Ok(v) => dword(f(&v)),
        Err(_) => 0,
    }
}

pub(crate) fn base64_encode(src: &[u8], dst: &mut [u8]) -> std::result::Result<usize, CodecError> {
    base64::encode_into(src, dst)
}

pub(crate) fn base64_decode(src: &[u8], dst: &mut [u8]) -> std::result::Result<usize, CodecError> {
    base64::decode_into(src, dst)
}

pub(crate) fn url_encode(src: &[u8], dst: &mut [u8]) -> std::result::Result<usize, CodecError> {
    url::encode_into(src, dst)
}

pub(crate) fn url_decode(src: &[u8], dst: &mut [u8]) -> std::result::Result<usize, CodecError> {
    url::decode_into(src, dst)
}

const ONE_SHOT: usize = 1;

/// zlib/gzip/raw compression in one go with `params`.
pub(crate) fn deflate(
    params: DeflateParams,
) -> impl FnOnce(&[u8], &mut [u8]) -> std::result::Result<usize, CodecError> {
    move |src, dst| codec::compress(Compressor::deflate(&params, ONE_SHOT)?, src, dst)
}

/// zlib/gzip/raw decompression in one go with `params`.
pub(crate) fn inflate(
    params: DeflateParams,
) -> impl FnOnce(&[u8], &mut [u8]) -> std::result::Result<usize, CodecError> {
    move |src, dst| codec::decompress(Decompressor::deflate(&params, ONE_SHOT)?, src, dst)
}

/// Brotli compression in one go.
pub(crate) fn brotli(
    params: BrotliParams,
) -> impl FnOnce(&[u8], &mut [u8]) -> std::result::Result<usize, CodecError> {
    move |src, dst| codec::brotli_compress(&params, src, dst)
}

/// Brotli decompression in one go.
pub(crate) fn unbrotli(src: &[u8], dst: &mut [u8]) -> std::result::Result<usize, CodecError> {
    codec::decompress(Decompressor::brotli(ONE_SHOT)?, src, dst)
}

/// `SYS_GZipGuessUncompressBound`.
///
/// # Safety
/// `src` is NULL or readable for `len` bytes.
pub(crate) unsafe fn gzip_guess(src: *const BYTE, len: DWORD) -> DWORD {
    // SAFETY: per this function's contract.
    unsafe { guess(src, len, |s| codec::gzip_guess_uncompressed(s) as usize) }
}

// ---- charsets ----

/// The charset of HP-Socket's "Unicode" (`WCHAR`, a Linux `wchar_t`).
const UNICODE: &str = "UTF-32LE";

/// A text argument of one-byte units: `len < 0` means NUL-terminated, the NUL included (as
/// HP-Socket's non-Ex functions convert it); otherwise exactly `len` bytes.
///
/// # Safety
/// `p` is NULL, or NUL-terminated when `len < 0`, or readable for `len` bytes.
unsafe fn narrow(p: *const c_char, len: c_int) -> Result<Vec<u8>> {
    if p.is_null() {
        return Err(FfiError::invalid("szSrc is NULL"));
    }
    if len < 0 {
        // SAFETY: NUL-terminated per this function's contract.
        let c = unsafe { std::ffi::CStr::from_ptr(p) };
        return Ok(c.to_bytes_with_nul().to_vec());
    }
    // SAFETY: readable for `len` bytes per this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len as usize) }.to_vec())
}

/// A `WCHAR` text argument as UTF-32LE bytes, like [`narrow`] in `WCHAR` units.
///
/// # Safety
/// `p` is NULL, or 0-terminated when `len < 0`, or readable for `len` `WCHAR`s.
unsafe fn wide(p: *const WCHAR, len: c_int) -> Result<Vec<u8>> {
    if p.is_null() {
        return Err(FfiError::invalid("szSrc is NULL"));
    }
    let mut out = Vec::new();
    let mut i = 0usize;
    loop {
        if len >= 0 && i == len as usize {
            break;
        }
        // SAFETY: within the terminated or `len`-long text per this function's contract.
        let c = unsafe { ptr::read_unaligned(p.add(i)) };
        out.extend_from_slice(&c.to_le_bytes());
        i += 1;
        if len < 0 && c == 0 {
            break;
        }
    }
    Ok(out)
}

fn convert(from: &str, to: &str, input: &[u8]) -> Result<Vec<u8>> {
    charset::convert(from, to, input).map_err(codec_error)
}

/// Writes `units` into the caller's buffer of `*len` units of `size` bytes; `*len` becomes the
/// count of units, written or needed.
///
/// # Safety
/// `len` is NULL or readable and writable; `dst` is NULL or writable for `*len` units.
unsafe fn deliver(bytes: &[u8], size: usize, dst: *mut u8, len: *mut c_int) -> Result<BOOL> {
    let len = args::out(len, "piDestLength")?;
    let need = bytes.len() / size;
    // SAFETY: per this function's contract.
    let room = usize::try_from(unsafe { len.get() }).unwrap_or(0);
    // SAFETY: as above.
    unsafe { len.set(c_len(need)) };
    if dst.is_null() || room < need {
        return Err(FfiError::new(
            SE_INVALID_PARAM,
            libc::ENOBUFS,
            format!(
                "the output buffer holds {room} units; {need} are needed (written to the length)"
            ),
        ));
    }
    // SAFETY: `dst` is writable for `room >= need` units of `size` bytes per this function's
    // contract, and `bytes` is the library's own.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len()) };
    Ok(TRUE)
}

/// `SYS_CharsetConvert`.
///
/// # Safety
/// The names are NULL or NUL-terminated; `input` is NULL or readable for `in_len` bytes;
/// `out_len` is NULL or readable and writable; `out` is NULL or writable for `*out_len`.
pub(crate) unsafe fn charset_convert(
    from: LPCSTR,
    to: LPCSTR,
    input: LPCSTR,
    in_len: c_int,
    out: *mut c_char,
    out_len: *mut c_int,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let from = unsafe { args::req_str(from, "lpszFromCharset") }?;
    // SAFETY: per this function's contract.
    let to = unsafe { args::req_str(to, "lpszToCharset") }?;
    if in_len < 0 {
        return Err(FfiError::invalid(format!(
            "iInBufLen is negative ({in_len})"
        )));
    }
    // SAFETY: per this function's contract.
    let input = unsafe { narrow(input, in_len) }?;
    let bytes = convert(&from, &to, &input)?;
    // SAFETY: per this function's contract.
    unsafe { deliver(&bytes, 1, out.cast(), out_len) }
}

/// The source of a conversion: one-byte text or `WCHAR` text.
pub(crate) enum Src {
    Narrow(*const c_char),
    Wide(*const WCHAR),
}

/// The destination: one-byte text or `WCHAR` text.
pub(crate) enum Dst {
    Narrow(*mut c_char),
    Wide(*mut WCHAR),
}

/// `SYS_GbkToUnicode[Ex]` and the rest: `from`/`to` are "GBK", "UTF-8" or `UNICODE`
/// (`""`); `src_len < 0` reads up to and including the terminating NUL.
///
/// # Safety
/// As [`narrow`]/[`wide`] for the source; as [`deliver`] for the destination.
pub(crate) unsafe fn text(
    from: &str,
    src: Src,
    src_len: c_int,
    to: &str,
    dst: Dst,
    dst_len: *mut c_int,
) -> Result<BOOL> {
    let unicode = |c: &str| if c.is_empty() { UNICODE } else { c }.to_owned();
    let input = match src {
        // SAFETY: per this function's contract.
        Src::Narrow(p) => unsafe { narrow(p, src_len) }?,
        // SAFETY: per this function's contract.
        Src::Wide(p) => unsafe { wide(p, src_len) }?,
    };
    let bytes = convert(&unicode(from), &unicode(to), &input)?;
    match dst {
        // SAFETY: per this function's contract.
        Dst::Narrow(p) => unsafe { deliver(&bytes, 1, p.cast(), dst_len) },
        // SAFETY: per this function's contract.
        Dst::Wide(p) => unsafe { deliver(&bytes, 4, p.cast(), dst_len) },
    }
}
