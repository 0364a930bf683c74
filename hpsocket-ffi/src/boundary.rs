//! The panic and error boundary. Every `extern "C"` body runs inside [`call`]: a panic is
//! caught (it never unwinds into C), an error is recorded (object, thread, `errno`), and the
//! function's documented default is returned instead (FALSE, 0, NULL, ...).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::last_error::{record, thread_desc_ptr, thread_error, FfiError, Result};
use crate::types::{LPCTSTR, SE_DATA_PROC};

/// Runs the body of the C function `function`; on failure or panic returns `default`.
pub(crate) fn call<T>(function: &'static str, default: T, body: impl FnOnce() -> Result<T>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            record(function, error);
            default
        }
        Err(payload) => {
            // The text goes into the thread's last error; the object's state may be half done,
            // so nothing is recorded on it. SE_DATA_PROC is the closest HP-Socket code.
            let message = format!(
                "internal error (a panic was caught): {}",
                panic_text(&*payload)
            );
            record(function, FfiError::new(SE_DATA_PROC, libc::EIO, message));
            default
        }
    }
}

/// Runs the body of a `*_GetLastErrorDesc`: on failure the result is the description of that
/// failure (never NULL), so C code may print it unconditionally.
pub(crate) fn desc_call(function: &'static str, body: impl FnOnce() -> Result<LPCTSTR>) -> LPCTSTR {
    let text = call(function, std::ptr::null(), body);
    if !text.is_null() {
        return text;
    }
    call(function, std::ptr::null(), || {
        Ok(thread_desc_ptr(&thread_error().description))
    })
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}
