//! Entry points that belong to no component: process-wide switches (logging, the close
//! error code) and the errno texts the tests compare `org.hpsocket.Errno` with.

use jni::objects::JClass;
use jni::sys::{jint, jstring};
use jni::JNIEnv;

use crate::entry::run;
use crate::log;

/// The text the core puts in its records for `code` (`io::Error`'s, from the C library), for
/// the test that holds `org.hpsocket.Errno`'s fixed table to it.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_errnoText(
    mut env: JNIEnv,
    _: JClass,
    code: jint,
) -> jstring {
    run(&mut env, |env| {
        let text = std::io::Error::from_raw_os_error(code).to_string();
        let suffix = format!(" (os error {code})");
        let text = text.strip_suffix(&suffix).unwrap_or(&text);
        Ok(env.new_string(text)?.into_raw())
    })
}

/// `Logging.enable`/`disable`: the core's logging hook at `level` (1 ERROR .. 4 DEBUG), or
/// none (0).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_setLogLevel(
    mut env: JNIEnv,
    _: JClass,
    level: jint,
) {
    run(&mut env, |env| Ok(log::set_level(env, level)?))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_setCloseErrorCode(
    _env: JNIEnv,
    _: JClass,
    code: jint,
) {
    hpsocket_core::set_close_error_code(code);
}
