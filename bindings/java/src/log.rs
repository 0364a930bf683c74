//! The core's logging hook routed to `org.hpsocket.Logging.dispatch(int, String, String)`,
//! which hands each record to `System.Logger`. Installed only by `Logging.enable`, at the
//! level the Java side asks for, so that while logging is off the library formats nothing.
//!
//! The hook runs on whichever thread logs: a worker (attached to the JVM once, as a daemon,
//! by [`jvm::with_env`], like the callbacks' threads) or an application thread inside a call
//! (a send refused by the queue bound). Nothing the Java side throws comes back here: the
//! exception is cleared.

use std::sync::{Arc, OnceLock};

use hpsocket_core::log::{self, Level, Record};
use jni::objects::{GlobalRef, JClass, JStaticMethodID};
use jni::signature::{Primitive, ReturnType};
use jni::sys::jvalue;
use jni::JNIEnv;

use crate::jvm;

struct Target {
    class: GlobalRef,
    /// `static void Logging.dispatch(int level, String source, String message)`
    dispatch: JStaticMethodID,
}

static TARGET: OnceLock<Target> = OnceLock::new();

/// Installs the hook for `level` (1 ERROR .. 4 DEBUG) and above, or removes it (0). Called
/// on a Java thread, so `Logging` is looked up with the binding's own class loader (a worker
/// thread's `FindClass` would only see the system class loader's classes).
pub(crate) fn set_level(env: &mut JNIEnv, level: i32) -> jni::errors::Result<()> {
    let Some(level) = u8::try_from(level).ok().and_then(Level::from_u8) else {
        log::set_hook(None);
        return Ok(());
    };
    if TARGET.get().is_none() {
        let class = env.find_class("org/hpsocket/Logging")?;
        let dispatch = env.get_static_method_id(
            &class,
            "dispatch",
            "(ILjava/lang/String;Ljava/lang/String;)V",
        )?;
        let class = env.new_global_ref(class)?;
        let _ = TARGET.set(Target { class, dispatch });
    }
    log::set_hook(Some((level, Arc::new(hook))));
    Ok(())
}

fn hook(record: &Record<'_>) {
    let Some(target) = TARGET.get() else {
        return;
    };
    let _ = jvm::with_env(|env| {
        // An application thread that logs from inside a call may already carry an exception
        // that call is about to throw: no JNI call is allowed then, and the record is dropped.
        if env.exception_check().unwrap_or(true) {
            return;
        }
        // A worker never returns to Java, so its local refs are freed with the frame.
        let _ = env.with_local_frame(4, |env| -> jni::errors::Result<()> {
            let source = env.new_string(record.source)?;
            let message = env.new_string(record.message)?;
            let class: &JClass = target.class.as_obj().into();
            // SAFETY: `dispatch` is `Logging.dispatch(ILjava/lang/String;Ljava/lang/String;)V`,
            // a static method of `class`, and the arguments match that signature.
            unsafe {
                env.call_static_method_unchecked(
                    class,
                    target.dispatch,
                    ReturnType::Primitive(Primitive::Void),
                    &[
                        jvalue {
                            i: record.level as i32,
                        },
                        jvalue { l: source.as_raw() },
                        jvalue {
                            l: message.as_raw(),
                        },
                    ],
                )
            }?;
            Ok(())
        });
        // `Logging.dispatch` catches what the logger throws; this is for what it cannot (an
        // OutOfMemoryError making the strings): the library must never see it.
        if env.exception_check().unwrap_or(false) {
            let _ = env.exception_clear();
        }
    });
}
