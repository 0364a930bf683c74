//! The entry points of `org.hpsocket.codec.CodecNative`: `hpsocket_core::codec`'s streaming
//! compressors and decompressors (zlib, gzip, brotli) behind a `long` handle, and one-shot
//! calls. The Java objects serialise their calls and free the handle once (`destroy` under
//! their lock, after which they refuse calls), so a handle is never used after it is freed;
//! the mutex here only keeps a misuse from becoming a data race.
//!
//! Input is copied out of the Java heap first (no critical region while compressing); the
//! output of a call is gathered and returned as one new `byte[]`.

use std::sync::Mutex;

use hpsocket_core::codec::{BrotliParams, CodecError, Compressor, Decompressor, DeflateParams};
use jni::objects::{JByteArray, JClass};
use jni::sys::{jboolean, jbyteArray, jint, jlong};
use jni::JNIEnv;

use crate::args::bool_of;
use crate::buffers::{as_i8, with_stage};
use crate::entry::{run, Fail, R};

/// The output buffer of the streaming objects (the core's one-shot helpers use 64 KiB too).
const BUF: usize = 64 << 10;

// Kinds, as CodecNative numbers them.
const ZLIB: jint = 0;
const GZIP: jint = 1;
const BROTLI: jint = 2;
/// Added to a kind for its decompressor.
const DECODE: jint = 10;

// Compress modes.
const MODE_FINISH: jint = 2;
const MODE_FLUSH: jint = 1;

enum Codec {
    Compress(Compressor),
    /// `ended`: the last call reached the end of the stream.
    Decompress(Decompressor, bool),
}

fn bad_param(e: CodecError) -> Fail {
    match e {
        CodecError::BadParam(what) => Fail::Arg(what),
        other => Fail::Codec(other.to_string()),
    }
}

fn make(kind: jint, level: jint, window: jint, mode: jint) -> R<Codec> {
    let deflate = |base: DeflateParams| DeflateParams { level, ..base };
    Ok(match kind {
        ZLIB => Codec::Compress(
            Compressor::deflate(&deflate(DeflateParams::default()), BUF).map_err(bad_param)?,
        ),
        GZIP => Codec::Compress(
            Compressor::deflate(&deflate(DeflateParams::gzip(false)), BUF).map_err(bad_param)?,
        ),
        BROTLI => {
            let p = BrotliParams {
                quality: level,
                window,
                mode,
            };
            Codec::Compress(Compressor::brotli(&p, BUF).map_err(bad_param)?)
        }
        k if k == ZLIB + DECODE => Codec::Decompress(
            Decompressor::deflate(&DeflateParams::default(), BUF).map_err(bad_param)?,
            false,
        ),
        // HP-Socket's gzip decompressor: window bits 47, gzip or zlib by the first byte.
        k if k == GZIP + DECODE => Codec::Decompress(
            Decompressor::deflate(&DeflateParams::gzip(true), BUF).map_err(bad_param)?,
            false,
        ),
        k if k == BROTLI + DECODE => {
            Codec::Decompress(Decompressor::brotli(BUF).map_err(bad_param)?, false)
        }
        _ => return Err(Fail::Arg(format!("unknown codec kind {kind}"))),
    })
}

/// Gathers output up to `max` bytes; past it the sink stops the stream.
struct Out {
    bytes: Vec<u8>,
    max: usize,
    over: bool,
}

impl Out {
    fn new(max: jint) -> Out {
        Out {
            bytes: Vec::new(),
            max: max.max(0) as usize,
            over: false,
        }
    }

    fn push(&mut self, piece: &[u8]) -> bool {
        if self.bytes.len() + piece.len() > self.max {
            self.over = true;
            return false;
        }
        self.bytes.extend_from_slice(piece);
        true
    }

    /// The error of a failed call: the limit, or what the codec said.
    fn fail(&self, e: CodecError) -> Fail {
        if self.over {
            Fail::Codec(format!(
                "the output exceeds the limit of {} bytes",
                self.max
            ))
        } else {
            bad_param(e)
        }
    }
}

fn codec<'a>(h: jlong) -> R<&'a Mutex<Codec>> {
    // SAFETY: the Java object passes its own live handle, under its lock, and frees it only
    // under that lock after which it passes none (see the module docs).
    unsafe { (h as *const Mutex<Codec>).as_ref() }.ok_or_else(|| Fail::Arg("closed codec".into()))
}

/// Runs `f` on `data[off..off + len]` copied out of the Java array.
fn with_input<T>(
    env: &mut JNIEnv,
    data: &JByteArray,
    off: jint,
    len: jint,
    f: impl FnOnce(&[u8]) -> R<T>,
) -> R<T> {
    let n = usize::try_from(len).map_err(|_| Fail::Arg("negative length".into()))?;
    with_stage(n, |buf| {
        if n > 0 {
            env.get_byte_array_region(data, off, as_i8(buf))?;
        }
        f(buf)
    })
}

fn output(env: &mut JNIEnv, out: &Out) -> R<jbyteArray> {
    Ok(env.byte_array_from_slice(&out.bytes)?.into_raw())
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_create(
    mut env: JNIEnv,
    _: JClass,
    kind: jint,
    level: jint,
    window: jint,
    mode: jint,
) -> jlong {
    run(&mut env, |_| {
        let c = make(kind, level, window, mode)?;
        Ok(Box::into_raw(Box::new(Mutex::new(c))) as jlong)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_destroy(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) {
    run(&mut env, |_| {
        if h != 0 {
            // SAFETY: the Java object calls this once, under its lock, and never passes the
            // handle again.
            drop(unsafe { Box::from_raw(h as *mut Mutex<Codec>) });
        }
        Ok(())
    })
}

/// Drops the current stream (the next call starts a new one).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_reset(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) {
    run(&mut env, |_| {
        match &mut *codec(h)?.lock().unwrap_or_else(|e| e.into_inner()) {
            Codec::Compress(c) => c.reset(),
            Codec::Decompress(d, ended) => {
                d.reset();
                *ended = false;
            }
        }
        Ok(())
    })
}

/// Compresses `data[off..off + len]`; `mode` 0 continues, 1 flushes (what came so far is
/// decodable from the output), 2 finishes the stream (the object is then ready for a new
/// one). Returns the output of this call.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_compress(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    data: JByteArray,
    off: jint,
    len: jint,
    mode: jint,
) -> jbyteArray {
    run(&mut env, |env| {
        let mut out = Out::new(i32::MAX - 8);
        with_input(env, &data, off, len, |input| {
            let mut g = codec(h)?.lock().unwrap_or_else(|e| e.into_inner());
            let Codec::Compress(c) = &mut *g else {
                return Err(Fail::Arg("not a compressor".into()));
            };
            c.process(input, mode == MODE_FINISH, mode == MODE_FLUSH, &mut |p| {
                out.push(p)
            })
            .map_err(|e| out.fail(e))
        })?;
        output(env, &out)
    })
}

/// Decompresses `data[off..off + len]` and returns the output of this call, at most `max`
/// bytes (more fails the stream). Corrupt input fails the stream; either failure resets it.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_decompress(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    data: JByteArray,
    off: jint,
    len: jint,
    max: jint,
) -> jbyteArray {
    run(&mut env, |env| {
        let mut out = Out::new(max);
        with_input(env, &data, off, len, |input| {
            let mut g = codec(h)?.lock().unwrap_or_else(|e| e.into_inner());
            let Codec::Decompress(d, ended) = &mut *g else {
                return Err(Fail::Arg("not a decompressor".into()));
            };
            *ended = false;
            *ended = d
                .process(input, &mut |p| out.push(p))
                .map_err(|e| out.fail(e))?;
            Ok(())
        })?;
        output(env, &out)
    })
}

/// Whether the last `decompress` call reached the end of the stream.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_ended(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jboolean {
    run(&mut env, |_| {
        Ok(bool_of(matches!(
            &*codec(h)?.lock().unwrap_or_else(|e| e.into_inner()),
            Codec::Decompress(_, true)
        )))
    })
}

/// One whole stream: `kind` < 10 compresses `data[off..off + len]`, a decoder kind
/// decompresses it (a stream that does not end there is corrupt) into at most `max` bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_codec_CodecNative_oneShot(
    mut env: JNIEnv,
    _: JClass,
    kind: jint,
    level: jint,
    window: jint,
    mode: jint,
    data: JByteArray,
    off: jint,
    len: jint,
    max: jint,
) -> jbyteArray {
    run(&mut env, |env| {
        let mut out = Out::new(max);
        let mut c = make(kind, level, window, mode)?;
        with_input(env, &data, off, len, |input| match &mut c {
            Codec::Compress(c) => c
                .process(input, true, false, &mut |p| out.push(p))
                .map_err(|e| out.fail(e)),
            Codec::Decompress(d, _) => {
                let ended = d
                    .process(input, &mut |p| out.push(p))
                    .map_err(|e| out.fail(e))?;
                if ended {
                    Ok(())
                } else {
                    Err(Fail::Codec(
                        "the input is corrupt or truncated (the stream does not end)".into(),
                    ))
                }
            }
        })?;
        output(env, &out)
    })
}
