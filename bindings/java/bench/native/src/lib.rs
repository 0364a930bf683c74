//! The native half of `CodecBench.java`: `hpsocket_core::codec` streams driven from Java with
//! one JNI call per whole buffer. The input is read in `piece`-sized slices (as a streaming
//! binding would hand them over) and the output gathered into one `byte[]`, so the figures
//! include what any binding pays: one copy in, one copy out.

use hpsocket_core::codec::{BrotliParams, Compressor, Decompressor, DeflateParams};
use jni::objects::{JByteArray, JClass};
use jni::sys::{jbyteArray, jint};
use jni::JNIEnv;

/// The output buffer of the streaming objects (the shipped one-shot helpers use 64 KiB too).
const BUF: usize = 64 << 10;

fn compressor(format: jint, level: jint) -> Compressor {
    let r = match format {
        0 => Compressor::deflate(
            &DeflateParams {
                level,
                ..Default::default()
            },
            BUF,
        ),
        1 => Compressor::deflate(
            &DeflateParams {
                level,
                ..DeflateParams::gzip(false)
            },
            BUF,
        ),
        _ => Compressor::brotli(
            &BrotliParams {
                quality: level,
                ..Default::default()
            },
            BUF,
        ),
    };
    r.expect("valid parameters")
}

fn decompressor(format: jint) -> Decompressor {
    let r = match format {
        0 => Decompressor::deflate(&DeflateParams::default(), BUF),
        1 => Decompressor::deflate(&DeflateParams::gzip(true), BUF),
        _ => Decompressor::brotli(BUF),
    };
    r.expect("valid parameters")
}

fn as_i8(buf: &mut [u8]) -> &mut [i8] {
    // SAFETY: u8 and i8 have the same size and alignment and every bit pattern is valid.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<i8>(), buf.len()) }
}

/// Feeds `src` in pieces to `step`, which gets each piece and whether it is the last.
fn pieces(
    env: &mut JNIEnv,
    src: &JByteArray,
    piece: jint,
    mut step: impl FnMut(&[u8], bool),
) -> jni::errors::Result<()> {
    let len = env.get_array_length(src)? as usize;
    let piece = (piece.max(1) as usize).min(len.max(1));
    let mut stage = vec![0u8; piece];
    let mut at = 0;
    loop {
        let n = piece.min(len - at);
        env.get_byte_array_region(src, at as jint, as_i8(&mut stage[..n]))?;
        at += n;
        step(&stage[..n], at == len);
        if at == len {
            return Ok(());
        }
    }
}

/// `static native byte[] compress(int format, int level, byte[] src, int piece)`: format 0
/// zlib, 1 gzip, 2 brotli (level: its quality).
#[no_mangle]
pub extern "system" fn Java_CodecBench_compress(
    mut env: JNIEnv,
    _: JClass,
    format: jint,
    level: jint,
    src: JByteArray,
    piece: jint,
) -> jbyteArray {
    let mut c = compressor(format, level);
    let mut out = Vec::new();
    let fed = pieces(&mut env, &src, piece, |p, last| {
        c.process(p, last, false, &mut |o| {
            out.extend_from_slice(o);
            true
        })
        .expect("compress");
    });
    if fed.is_err() {
        return std::ptr::null_mut();
    }
    env.byte_array_from_slice(&out)
        .map_or(std::ptr::null_mut(), |a| a.into_raw())
}

/// `static native byte[] decompress(int format, byte[] src, int piece, int expected)`; null
/// when the stream is corrupt or does not end.
#[no_mangle]
pub extern "system" fn Java_CodecBench_decompress(
    mut env: JNIEnv,
    _: JClass,
    format: jint,
    src: JByteArray,
    piece: jint,
    expected: jint,
) -> jbyteArray {
    let mut d = decompressor(format);
    let mut out = Vec::with_capacity(expected.max(0) as usize);
    let mut ok = true;
    let mut ended = false;
    let fed = pieces(&mut env, &src, piece, |p, _| {
        if !ok || ended {
            return;
        }
        match d.process(p, &mut |o| {
            out.extend_from_slice(o);
            true
        }) {
            Ok(e) => ended = e,
            Err(_) => ok = false,
        }
    });
    if fed.is_err() || !ok || !ended {
        return std::ptr::null_mut();
    }
    env.byte_array_from_slice(&out)
        .map_or(std::ptr::null_mut(), |a| a.into_raw())
}
