//! The frame every JNI entry point runs in: [`run`] turns a [`Fail`] into the matching Java
//! exception and a panic into `java.lang.Error`, so neither unwinds into the JVM.

use std::panic::{catch_unwind, AssertUnwindSafe};

use hpsocket_core::Error;
use jni::objects::{JClass, JObject};
use jni::sys::jvalue;
use jni::JNIEnv;

use crate::jvm;

/// Why an entry point failed; turned into a Java exception by [`run`].
pub(crate) enum Fail {
    /// The core refused: `HPSocketException` with its code and errno.
    Core(Error),
    /// A bad argument the Java side did not catch: `IllegalArgumentException`.
    Arg(String),
    /// Corrupt or truncated codec input, or output over its limit:
    /// `org.hpsocket.codec.CodecException`.
    Codec(String),
    /// A Java exception is already pending (a JNI call failed).
    Pending,
    /// Any other JNI failure: `java.lang.Error`.
    Jni(String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Core(e)
    }
}

impl From<jni::errors::Error> for Fail {
    fn from(e: jni::errors::Error) -> Fail {
        match e {
            jni::errors::Error::JavaException => Fail::Pending,
            other => Fail::Jni(other.to_string()),
        }
    }
}

pub(crate) type R<T> = Result<T, Fail>;

/// Creates (does not throw) an `HPSocketException` for `e`.
pub(crate) fn new_exception<'l>(env: &mut JNIEnv<'l>, e: &Error) -> R<JObject<'l>> {
    let ids = jvm::ids();
    let message = env.new_string(e.to_string())?;
    let class: &JClass = ids.exception_class.as_obj().into();
    // SAFETY: the constructor ID belongs to `class` and takes (int, int, String).
    let obj = unsafe {
        env.new_object_unchecked(
            class,
            ids.exception_ctor,
            &[
                jvalue { i: e.kind() as i32 },
                jvalue { i: e.errno() },
                jvalue {
                    l: message.as_raw(),
                },
            ],
        )
    }?;
    let _ = env.delete_local_ref(message);
    Ok(obj)
}

fn throw(env: &mut JNIEnv, fail: Fail) {
    if env.exception_check().unwrap_or(false) {
        return;
    }
    match fail {
        Fail::Pending => {}
        Fail::Core(e) => match new_exception(env, &e) {
            Ok(obj) => {
                let _ = env.throw(jni::objects::JThrowable::from(obj));
            }
            Err(_) => {
                if !env.exception_check().unwrap_or(false) {
                    let _ = env.throw_new("java/lang/Error", e.to_string());
                }
            }
        },
        Fail::Arg(m) => {
            let _ = env.throw_new("java/lang/IllegalArgumentException", m);
        }
        Fail::Codec(m) => {
            let _ = env.throw_new("org/hpsocket/codec/CodecException", m);
        }
        Fail::Jni(m) => {
            let _ = env.throw_new("java/lang/Error", format!("hpsocket: JNI failure: {m}"));
        }
    }
}

/// Runs an entry point: a failure becomes a Java exception and the default value is
/// returned; a panic becomes `java.lang.Error` (it never unwinds into the JVM).
pub(crate) fn run<'l, T: Default>(
    env: &mut JNIEnv<'l>,
    f: impl FnOnce(&mut JNIEnv<'l>) -> R<T>,
) -> T {
    match catch_unwind(AssertUnwindSafe(|| f(env))) {
        Ok(Ok(v)) => v,
        Ok(Err(fail)) => {
            throw(env, fail);
            T::default()
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            if !env.exception_check().unwrap_or(false) {
                let _ = env.throw_new(
                    "java/lang/Error",
                    format!("hpsocket: internal error: {msg}"),
                );
            }
            T::default()
        }
    }
}
