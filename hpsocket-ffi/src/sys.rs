//! Global helpers of HPSocket4C: the version, error texts, and `errno` access.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use hpsocket_core::ErrorKind;

use crate::boundary;
use crate::last_error::{description_of, errno, set_errno};
use crate::types::*;

/// HP-Socket's version this library mirrors, `major << 24 | minor << 16 | revise << 8 |
/// build` (6.0.1 build 3).
#[no_mangle]
pub extern "C" fn HP_GetHPSocketVersion() -> DWORD {
    (HP_VERSION_MAJOR << 24)
        | (HP_VERSION_MINOR << 16)
        | (HP_VERSION_REVISE << 8)
        | HP_VERSION_BUILD
}

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

/// HP-Socket's description of an error code (`"UNKNOWN ERROR"` for an unknown one). The
/// string is static: it stays valid for the life of the process.
#[no_mangle]
pub extern "C" fn HP_GetSocketErrorDesc(enCode: En_HP_SocketError) -> LPCTSTR {
    boundary::call("HP_GetSocketErrorDesc", std::ptr::null(), || {
        let table = descriptions();
        let entry = table.iter().find(|(c, _)| *c == enCode).or(table.last());
        Ok(entry.map_or(std::ptr::null(), |(_, text)| text.as_ptr()))
    })
}

/// This thread's `errno`: the system error of the last failed call (every failing function of
/// this library sets it).
#[no_mangle]
pub extern "C" fn SYS_GetLastError() -> DWORD {
    errno() as DWORD
}

thread_local! {
    static STRERROR: RefCell<[c_char; 256]> = const { RefCell::new([0; 256]) };
}

/// The system's text for this thread's `errno` (`strerror`). The string stays valid until the
/// next `SYS_GetLastErrorStr` call on this thread; `errno` is left unchanged.
#[no_mangle]
pub extern "C" fn SYS_GetLastErrorStr() -> LPCSTR {
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

fn p_or_empty(p: LPCSTR) -> LPCSTR {
    if p.is_null() {
        b"\0".as_ptr().cast()
    } else {
        p
    }
}
