//! Global helpers of HPSocket4C: the version, error texts, and `errno` access.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use hpsocket_core::ErrorKind;

use crate::boundary;
use crate::last_error::{description_of, errno, set_errno};
use crate::types::*;

/// The static texts of the `SE_*` codes, plus the text of unknown codes (last).
fn descriptions() -> &'static [(En_HP_SocketError, CString)] {
    static TABLE: OnceLock<Vec<(En_HP_SocketError, CString)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=200)
            .filter(|code| ErrorKind::from_code(*code).is_some())
            .chain(std::iter::once(-1))
            .map(|code| (code, CString::new(description_of(code)).unwrap_or_default()))
            .collect()
    })
}

thread_local! {
    static STRERROR: RefCell<[c_char; 256]> = const { RefCell::new([0; 256]) };
}

fn p_or_empty(p: LPCSTR) -> LPCSTR {
    if p.is_null() {
        b"\0".as_ptr().cast()
    } else {
        p
    }
}

/// `HP_GetSocketErrorDesc`: the static text of `code`.
pub(crate) fn socket_error_desc(code: En_HP_SocketError) -> crate::last_error::Result<LPCTSTR> {
    let table = descriptions();
    let entry = table.iter().find(|(c, _)| *c == code).or(table.last());
    Ok(entry.map_or(std::ptr::null(), |(_, text)| text.as_ptr()))
}

/// `SYS_GetLastErrorStr`: `strerror` of this thread's `errno` into a per-thread buffer,
/// leaving `errno` unchanged; never NULL.
pub(crate) fn last_error_str() -> LPCSTR {
    let code = errno();
    let p = boundary::call("SYS_GetLastErrorStr", std::ptr::null(), || {
        let p = STRERROR.with(|b| {
            let mut b = b.borrow_mut();
            // SAFETY: the buffer is writable for its whole length, which is what is passed.
            let failed = unsafe { libc::strerror_r(code, b.as_mut_ptr(), b.len()) } != 0;
            if failed {
                let text = format!("Unknown error {code}");
                for (dst, src) in b.iter_mut().zip(text.bytes().chain(std::iter::once(0))) {
                    *dst = src as c_char;
                }
            }
            let last = b.len() - 1;
            b[last] = 0;
            b.as_ptr()
        });
        Ok(p)
    });
    set_errno(code);
    p_or_empty(p)
}
