//! Java arguments as Rust values and back: the component behind a handle, strings, ports,
//! durations and booleans, each checked the same way by every entry point.

use std::time::Duration;

use jni::objects::JString;
use jni::sys::{jboolean, jint, jlong, JNI_FALSE, JNI_TRUE};
use jni::JNIEnv;

use crate::entry::{Fail, R};
use crate::shell::Shell;

pub(crate) fn shell<'a>(handle: jlong) -> R<&'a Shell> {
    // SAFETY: the Java side passes its own live handle and keeps the component reachable
    // (`Reference.reachabilityFence`) for the whole call; it is freed only by its Cleaner.
    unsafe { Shell::get(handle) }.ok_or_else(|| Fail::Arg("closed or null handle".into()))
}

pub(crate) fn jstr(env: &mut JNIEnv, s: &JString) -> R<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    Ok(Some(env.get_string(s)?.into()))
}

/// A `byte[]` range's length, which Java code passes as an `int`.
pub(crate) fn length(len: jint) -> R<usize> {
    usize::try_from(len).map_err(|_| Fail::Arg("negative length".into()))
}

pub(crate) fn port(p: jint) -> R<u16> {
    u16::try_from(p).map_err(|_| Fail::Arg(format!("port {p} is not 0..=65535")))
}

pub(crate) fn millis(ms: jlong) -> Option<Duration> {
    (ms >= 0).then(|| Duration::from_millis(ms as u64))
}

pub(crate) fn bool_of(b: bool) -> jboolean {
    if b {
        JNI_TRUE
    } else {
        JNI_FALSE
    }
}
