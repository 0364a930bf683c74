//! HP-Socket's compressor objects (`Create_HP_{ZLib,GZip,Brotli}{Compressor,Decompressor}`,
//! `HP_Compressor_*`, `HP_Decompressor_*`) over [`hpsocket_core::codec`]: a handle holds the
//! streaming object and the C data callback, which gets every output piece with the
//! `pContext` of the call.

use std::ffi::c_int;
use std::sync::{Mutex, TryLockError};

use hpsocket_core::codec::{BrotliParams, CodecError, Compressor, Decompressor, DeflateParams};

use crate::args::{self, flag};
use crate::boundary;
use crate::handle::{self, Kind};
use crate::last_error::{FfiError, Result};
use crate::object::{Body, Object};
use crate::types::*;

/// HP-Socket's default output buffer of a streaming object.
pub(crate) const DEFAULT_BUFFER: DWORD = 16384;

type DataFn = unsafe extern "C" fn(*const BYTE, c_int, PVOID) -> BOOL;

/// A streaming object and its data callback.
pub(crate) struct Held<T> {
    state: Mutex<T>,
    callback: DataFn,
}

/// What a core codec error is for C: bad data `EBADMSG`, an abort `ECANCELED`, a bad
/// parameter `EINVAL`.
pub(crate) fn codec_error(e: CodecError) -> FfiError {
    match e {
        CodecError::BadInput => FfiError::new(SE_INVALID_PARAM, libc::EBADMSG, e.to_string()),
        CodecError::Aborted => FfiError::new(SE_ILLEGAL_STATE, libc::ECANCELED, e.to_string()),
        CodecError::BadParam(what) => FfiError::invalid(what),
        CodecError::BufferTooSmall { .. } => {
            FfiError::new(SE_INVALID_PARAM, libc::ENOBUFS, e.to_string())
        }
    }
}

fn callback(fn_: Fn_DataCallback) -> Result<DataFn> {
    fn_.ok_or_else(|| FfiError::invalid("fnCallback is NULL"))
}

fn publish(kind: Kind, body: impl FnOnce() -> Result<Body>) -> Result<HP_Object> {
    let body = body()?;
    let reservation = handle::reserve(kind)?;
    Ok(Object::publish(reservation, kind, body))
}

fn held<T>(state: T, callback: DataFn) -> Held<T> {
    Held {
        state: Mutex::new(state),
        callback,
    }
}

/// `Create_HP_ZLibCompressorEx` (and the plain and gzip creators with their parameters).
pub(crate) fn create_deflate_compressor(
    function: &'static str,
    fn_: Fn_DataCallback,
    params: DeflateParams,
    buf: DWORD,
) -> HP_Compressor {
    boundary::call(function, std::ptr::null_mut(), || {
        let cb = callback(fn_)?;
        publish(Kind::Compressor, || {
            let c = Compressor::deflate(&params, buf as usize).map_err(codec_error)?;
            Ok(Body::Compressor(held(c, cb)))
        })
    })
}

/// `Create_HP_BrotliCompressor[Ex]`.
pub(crate) fn create_brotli_compressor(
    function: &'static str,
    fn_: Fn_DataCallback,
    params: BrotliParams,
    buf: DWORD,
) -> HP_Compressor {
    boundary::call(function, std::ptr::null_mut(), || {
        let cb = callback(fn_)?;
        publish(Kind::Compressor, || {
            let c = Compressor::brotli(&params, buf as usize).map_err(codec_error)?;
            Ok(Body::Compressor(held(c, cb)))
        })
    })
}

/// `Create_HP_{ZLib,GZip}Decompressor[Ex]`.
pub(crate) fn create_deflate_decompressor(
    function: &'static str,
    fn_: Fn_DataCallback,
    params: DeflateParams,
    buf: DWORD,
) -> HP_Decompressor {
    boundary::call(function, std::ptr::null_mut(), || {
        let cb = callback(fn_)?;
        publish(Kind::Decompressor, || {
            let d = Decompressor::deflate(&params, buf as usize).map_err(codec_error)?;
            Ok(Body::Decompressor(held(d, cb)))
        })
    })
}

/// `Create_HP_BrotliDecompressor[Ex]`.
pub(crate) fn create_brotli_decompressor(
    function: &'static str,
    fn_: Fn_DataCallback,
    buf: DWORD,
) -> HP_Decompressor {
    boundary::call(function, std::ptr::null_mut(), || {
        let cb = callback(fn_)?;
        publish(Kind::Decompressor, || {
            let d = Decompressor::brotli(buf as usize).map_err(codec_error)?;
            Ok(Body::Decompressor(held(d, cb)))
        })
    })
}

/// zlib parameters from the Ex arguments.
pub(crate) fn deflate_params(
    window_bits: c_int,
    level: c_int,
    method: c_int,
    mem_level: c_int,
    strategy: c_int,
) -> DeflateParams {
    DeflateParams {
        level,
        method,
        window_bits,
        mem_level,
        strategy,
    }
}

/// zlib decoding parameters with `window_bits`.
pub(crate) fn window(window_bits: c_int) -> DeflateParams {
    DeflateParams {
        window_bits,
        ..Default::default()
    }
}

/// Locks the object's state; a call from inside its own data callback (or racing another
/// thread's call) is refused rather than blocked.
fn busy<T>(h: &Held<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    match h.state.try_lock() {
        Ok(g) => Ok(g),
        Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
        Err(TryLockError::WouldBlock) => Err(FfiError::new(
            SE_ILLEGAL_STATE,
            libc::EBUSY,
            "the object is processing (a call from its own data callback, or from two threads \
             at once)",
        )),
    }
}

/// Runs the C callback for each piece.
fn sink(callback: DataFn, context: PVOID) -> impl FnMut(&[u8]) -> bool {
    move |piece: &[u8]| {
        // SAFETY: the callback is the C function the creator was given, called with a
        // buffer valid for the call and the caller's own context, as HP-Socket does.
        unsafe { callback(piece.as_ptr(), c_len(piece.len()), context) != FALSE }
    }
}

fn with_compressor<T>(
    p: HP_Compressor,
    f: impl FnOnce(&Held<Compressor>) -> Result<T>,
) -> Result<T> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::Compressor(h) => f(h),
        _ => Err(FfiError::invalid(format!(
            "handle {:#x} is an {}, not an HP_Compressor",
            p as usize,
            object.kind().name()
        ))),
    }
}

fn with_decompressor<T>(
    p: HP_Decompressor,
    f: impl FnOnce(&Held<Decompressor>) -> Result<T>,
) -> Result<T> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::Decompressor(h) => f(h),
        _ => Err(FfiError::invalid(format!(
            "handle {:#x} is an {}, not an HP_Decompressor",
            p as usize,
            object.kind().name()
        ))),
    }
}

/// `HP_Compressor_Process[Ex]`.
///
/// # Safety
/// `data` is NULL or readable for `len` bytes.
pub(crate) unsafe fn compress(
    p: HP_Compressor,
    data: *const BYTE,
    len: c_int,
    last: BOOL,
    flush: BOOL,
    context: PVOID,
) -> Result<BOOL> {
    with_compressor(p, |h| {
        // SAFETY: per this function's contract.
        let data = unsafe { args::bytes(data, len, "pData") }?;
        let mut c = busy(h)?;
        c.process(
            data,
            flag(last),
            flag(flush),
            &mut sink(h.callback, context),
        )
        .map_err(codec_error)?;
        Ok(TRUE)
    })
}

/// `HP_Decompressor_Process`.
///
/// # Safety
/// `data` is NULL or readable for `len` bytes.
pub(crate) unsafe fn decompress(
    p: HP_Decompressor,
    data: *const BYTE,
    len: c_int,
    context: PVOID,
) -> Result<BOOL> {
    with_decompressor(p, |h| {
        // SAFETY: per this function's contract.
        let data = unsafe { args::bytes(data, len, "pData") }?;
        let mut d = busy(h)?;
        d.process(data, &mut sink(h.callback, context))
            .map_err(codec_error)?;
        Ok(TRUE)
    })
}

pub(crate) fn reset_compressor(p: HP_Compressor) -> Result<BOOL> {
    with_compressor(p, |h| {
        busy(h)?.reset();
        Ok(TRUE)
    })
}

pub(crate) fn reset_decompressor(p: HP_Decompressor) -> Result<BOOL> {
    with_decompressor(p, |h| {
        busy(h)?.reset();
        Ok(TRUE)
    })
}

pub(crate) fn compressor_valid(p: HP_Compressor) -> Result<BOOL> {
    with_compressor(p, |_| Ok(TRUE))
}

pub(crate) fn decompressor_valid(p: HP_Decompressor) -> Result<BOOL> {
    with_decompressor(p, |_| Ok(TRUE))
}
