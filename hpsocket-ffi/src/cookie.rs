//! The cookie manager and helpers of HPSocket4C (`HP_HttpCookie_MGR_*`, `HP_HttpCookie_HLP_*`)
//! over [`hpsocket_core::http::cookie`]: one function per export, checking what C passes.

use std::ffi::{c_char, c_int};
use std::io;
use std::path::Path;

use hpsocket_core::http::cookie::{self as core, cookie_manager, Cookie, SameSite};

use crate::args::{self, flag};
use crate::last_error::{FfiError, Result};
use crate::types::{__time64_t, BOOL, FALSE, LPCSTR, SE_INVALID_PARAM, TRUE};

fn b(v: bool) -> BOOL {
    if v {
        TRUE
    } else {
        FALSE
    }
}

fn same_site(code: c_int) -> Result<SameSite> {
    SameSite::from_code(code).ok_or_else(|| {
        FfiError::invalid(format!(
            "enSameSite {code} is not 0 (none), 1 (Strict) or 2 (Lax)"
        ))
    })
}

/// A file failure as C sees it: SE_INVALID_PARAM with the system's errno (`EBADMSG` for a
/// malformed file).
fn file_error(file: &str, e: &io::Error) -> FfiError {
    let errno = match e.kind() {
        io::ErrorKind::InvalidData => libc::EBADMSG,
        _ => e.raw_os_error().unwrap_or(libc::EIO),
    };
    FfiError::new(SE_INVALID_PARAM, errno, format!("{file}: {e}"))
}

/// # Safety
/// `file` is NULL or a NUL-terminated string.
pub(crate) unsafe fn load_from_file(file: LPCSTR, keep: BOOL) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let file = unsafe { args::req_str(file, "lpszFile") }?;
    cookie_manager()
        .load_from_file(Path::new(&file), flag(keep))
        .map_err(|e| file_error(&file, &e))?;
    Ok(TRUE)
}

/// # Safety
/// `file` is NULL or a NUL-terminated string.
pub(crate) unsafe fn save_to_file(file: LPCSTR, keep: BOOL) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let file = unsafe { args::req_str(file, "lpszFile") }?;
    cookie_manager()
        .save_to_file(Path::new(&file), flag(keep))
        .map_err(|e| file_error(&file, &e))?;
    Ok(TRUE)
}

/// `ClearCookies` (`expired_only` false) and `RemoveExpiredCookies` (true).
///
/// # Safety
/// `domain` and `path` are NULL or NUL-terminated strings.
pub(crate) unsafe fn clear(domain: LPCSTR, path: LPCSTR, expired_only: bool) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let domain = unsafe { args::opt_str(domain, "lpszDomain") }?;
    // SAFETY: per this function's contract.
    let path = unsafe { args::opt_str(path, "lpszPath") }?;
    let m = cookie_manager();
    let done = if expired_only {
        m.remove_expired(domain.as_deref(), path.as_deref())
    } else {
        m.clear(domain.as_deref(), path.as_deref())
    };
    if !done {
        return Err(FfiError::invalid(
            "lpszDomain or lpszPath is not a domain or path (empty, or a path without '/')",
        ));
    }
    Ok(TRUE)
}

/// Name, value, domain and path; NULL reads as empty, as in HP-Socket.
///
/// # Safety
/// Each pointer is NULL or a NUL-terminated string.
unsafe fn strings(p: [LPCSTR; 4]) -> Result<[String; 4]> {
    let names = ["lpszName", "lpszValue", "lpszDomain", "lpszPath"];
    let mut out: [String; 4] = Default::default();
    for i in 0..4 {
        // SAFETY: per this function's contract.
        out[i] = unsafe { args::opt_str(p[i], names[i]) }?.unwrap_or_default();
    }
    Ok(out)
}

/// # Safety
/// Each string pointer is NULL or a NUL-terminated string.
pub(crate) unsafe fn set_cookie(
    s: [LPCSTR; 4],
    max_age: c_int,
    http_only: BOOL,
    secure: BOOL,
    same: c_int,
    only_update_value: BOOL,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let [name, value, domain, path] = unsafe { strings(s) }?;
    let same = same_site(same)?;
    let c = Cookie::new(
        &name,
        &value,
        &domain,
        &path,
        max_age,
        flag(http_only),
        flag(secure),
        same,
    );
    if !c.is_valid() {
        return Err(FfiError::invalid(
            "lpszName, lpszDomain or lpszPath is NULL or empty (a path needs a '/')",
        ));
    }
    let expired = c.expires == 0;
    if !cookie_manager().set(c, flag(only_update_value)) {
        // Only a deletion (iMaxAge 0) of an absent cookie gets here.
        debug_assert!(expired);
        return Err(FfiError::new(
            SE_INVALID_PARAM,
            libc::ENOENT,
            format!("iMaxAge is 0 (delete) and no cookie {name} is stored for {domain} {path}"),
        ));
    }
    Ok(TRUE)
}

/// # Safety
/// Each pointer is NULL or a NUL-terminated string.
pub(crate) unsafe fn delete_cookie(domain: LPCSTR, path: LPCSTR, name: LPCSTR) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let [name, _, domain, path] = unsafe { strings([name, std::ptr::null(), domain, path]) }?;
    if name.is_empty()
        || core::adjust_domain(&domain).is_none()
        || core::adjust_path(&path).is_none()
    {
        return Err(FfiError::invalid(
            "lpszDomain, lpszPath or lpszName is NULL or empty (a path needs a '/')",
        ));
    }
    if !cookie_manager().delete(&domain, &path, &name) {
        return Err(FfiError::new(
            SE_INVALID_PARAM,
            libc::ENOENT,
            format!("no cookie {name} is stored for {domain} {path}"),
        ));
    }
    Ok(TRUE)
}

pub(crate) fn set_enable_third_party(enable: BOOL) -> Result<()> {
    cookie_manager().set_enable_third_party(flag(enable));
    Ok(())
}

pub(crate) fn is_enable_third_party() -> Result<BOOL> {
    Ok(b(cookie_manager().is_enable_third_party()))
}

/// # Safety
/// `text` is NULL or a NUL-terminated string; `out` is NULL or writable.
pub(crate) unsafe fn parse_expires(text: LPCSTR, out: *mut __time64_t) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let text = unsafe { args::req_str(text, "lpszExpires") }?;
    let out = args::out(out, "ptmExpires")?;
    match core::parse_expires(&text) {
        Some(t) if t >= 0 => {
            // SAFETY: checked non-NULL; writable per this function's contract.
            unsafe { out.set(t) };
            Ok(TRUE)
        }
        Some(_) => Err(FfiError::invalid(format!(
            "lpszExpires \"{text}\" is before 1970"
        ))),
        None => Err(FfiError::invalid(format!(
            "lpszExpires \"{text}\" is not a cookie date"
        ))),
    }
}

/// # Safety
/// As [`args::text_out`].
pub(crate) unsafe fn make_expires_str(
    buf: *mut c_char,
    len: *mut c_int,
    expires: __time64_t,
) -> Result<BOOL> {
    let text = core::make_expires_str(expires);
    // SAFETY: per this function's contract.
    unsafe { args::text_out(&text, buf, len, "lpszBuff") }?;
    Ok(TRUE)
}

/// # Safety
/// As [`args::text_out`]; each string pointer is NULL or a NUL-terminated string.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn to_string(
    buf: *mut c_char,
    len: *mut c_int,
    s: [LPCSTR; 4],
    max_age: c_int,
    http_only: BOOL,
    secure: BOOL,
    same: c_int,
) -> Result<BOOL> {
    // Checked first, so that a bad call never reports a length.
    args::out(len, "piBuffLen")?;
    // SAFETY: per this function's contract.
    let [name, value, domain, path] = unsafe { strings(s) }?;
    if name.is_empty() {
        return Err(FfiError::invalid("lpszName is NULL or empty"));
    }
    let same = same_site(same)?;
    let c = Cookie::new(
        &name,
        &value,
        &domain,
        &path,
        max_age,
        flag(http_only),
        flag(secure),
        same,
    );
    // SAFETY: per this function's contract.
    unsafe { args::text_out(&c.to_set_cookie_string(), buf, len, "lpszBuff") }?;
    Ok(TRUE)
}

pub(crate) fn current_utc_time() -> __time64_t {
    core::current_utc_time()
}

pub(crate) fn max_age_to_expires(max_age: c_int) -> __time64_t {
    core::max_age_to_expires(max_age)
}

pub(crate) fn expires_to_max_age(expires: __time64_t) -> c_int {
    core::expires_to_max_age(expires)
}
