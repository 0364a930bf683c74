//! `HPX_SetLogHandler`: the core's logging hook (`hpsocket_core::log`) for C programs.

use std::ffi::{c_int, CString};
use std::sync::Arc;

use hpsocket_core::log::{self, Level, Record};

use crate::last_error::{FfiError, Result};
use crate::types::*;

/// Installs `f` for records of `level` and above (`HPX_LOG_OFF` or a NULL `f`: logging off).
pub(crate) fn set_handler(level: c_int, f: HPX_FN_Log, context: PVOID) -> Result<BOOL> {
    let level = match u8::try_from(level).ok() {
        Some(0) => None,
        Some(n) => Some(Level::from_u8(n).ok_or(())),
        None => Some(Err(())),
    }
    .transpose()
    .map_err(|()| {
        FfiError::invalid(format!(
            "iLogLevel: {level} is not one of HPX_LOG_OFF..=HPX_LOG_DEBUG (0..=4)"
        ))
    })?;
    let (Some(level), Some(f)) = (level, f) else {
        log::set_hook(None);
        return Ok(TRUE);
    };
    // The context crosses threads as a number: the hook runs on the worker that logs.
    let context = context as usize;
    log::set_hook(Some((
        level,
        Arc::new(move |r: &Record<'_>| {
            let text = |s: &str| CString::new(s.replace('\0', " ")).unwrap_or_default();
            let (source, message) = (text(r.source), text(r.message));
            // SAFETY: the application installed `f` with `context` for exactly this call
            // (docs/abi.md section 10); the texts live until it returns.
            unsafe {
                f(
                    r.level as c_int,
                    source.as_ptr(),
                    message.as_ptr(),
                    context as PVOID,
                )
            }
        }),
    )));
    Ok(TRUE)
}
