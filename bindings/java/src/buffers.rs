//! Bytes between the Java heap and the core: the per-thread staging buffer sends and fetches
//! of `byte[]` go through, and the checked view of a direct `ByteBuffer`.

use std::cell::RefCell;

use jni::objects::JByteBuffer;
use jni::sys::jint;
use jni::JNIEnv;

use crate::entry::{Fail, R};

thread_local! {
    /// Staging buffer for sends from `byte[]` (copied out of the Java heap first, so no
    /// critical region is held while the core takes its locks).
    static STAGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on a staging buffer of `len` bytes (re-entrant: a nested call gets its own).
pub(crate) fn with_stage<T>(len: usize, f: impl FnOnce(&mut [u8]) -> T) -> T {
    let mut v = STAGE.with_borrow_mut(std::mem::take);
    if v.len() < len {
        v.resize(len, 0);
    }
    let r = f(&mut v[..len]);
    if v.capacity() <= 1 << 20 {
        STAGE.with_borrow_mut(|s| {
            if s.capacity() < v.capacity() {
                *s = v;
            }
        });
    }
    r
}

pub(crate) fn as_i8(buf: &mut [u8]) -> &mut [i8] {
    // SAFETY: u8 and i8 have the same size and alignment and every bit pattern is valid.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<i8>(), buf.len()) }
}

/// The bytes `[off, off + len)` of a direct buffer, checked against its capacity.
pub(crate) fn direct_slice<'b>(
    env: &JNIEnv,
    buf: &JByteBuffer,
    off: jint,
    len: jint,
) -> R<&'b mut [u8]> {
    let addr = env.get_direct_buffer_address(buf)?;
    let cap = env.get_direct_buffer_capacity(buf)?;
    let (off, len) = (off as usize, len as usize);
    if addr.is_null() || off.checked_add(len).map_or(true, |end| end > cap) {
        return Err(Fail::Arg(format!(
            "direct buffer range {off}+{len} exceeds its capacity {cap}"
        )));
    }
    // SAFETY: the range lies within the buffer's memory, which the caller's Java object keeps
    // alive for the duration of the native call.
    Ok(unsafe { std::slice::from_raw_parts_mut(addr.add(off), len) })
}
