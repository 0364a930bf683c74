//! Last errors, HP-Socket's way: a code (`En_HP_SocketError`) and a readable description per
//! object, plus the same pair per thread for every failure (including those with no valid
//! object), plus `errno` for `SYS_GetLastError`.
//!
//! Description strings handed to C live where HP-Socket keeps them: an object's description
//! (`HP_Server_GetLastErrorDesc` and the like) in the object itself, in a small ring
//! ([`DescRing`]) of its last few distinct texts, so a pointer outlives later calls on other
//! objects and threads; the thread's description (`HPX_GetLastErrorDesc`, and the text a
//! `*_GetLastErrorDesc` returns for an invalid handle) in a thread-local ring of the same kind.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::{c_int, CString};
use std::sync::Arc;

use hpsocket_core::ErrorKind;

use crate::object::Object;
use crate::types::{En_HP_SocketError, LPCTSTR, SE_ILLEGAL_STATE, SE_INVALID_PARAM, SE_OK};

/// A failure on its way to the caller: what to report, and on which object if any.
pub(crate) struct FfiError {
    pub(crate) code: En_HP_SocketError,
    pub(crate) errno: c_int,
    pub(crate) message: String,
    pub(crate) target: Option<Arc<Object>>,
}

/// `Result` of the bodies run by the boundary.
pub(crate) type Result<T> = std::result::Result<T, FfiError>;

impl FfiError {
    pub(crate) fn new(code: En_HP_SocketError, errno: c_int, message: impl Into<String>) -> Self {
        FfiError {
            code,
            errno,
            message: message.into(),
            target: None,
        }
    }

    /// `SE_INVALID_PARAM` with `EINVAL`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        FfiError::new(SE_INVALID_PARAM, libc::EINVAL, message)
    }

    /// `SE_ILLEGAL_STATE` with `EPERM`.
    pub(crate) fn illegal_state(message: impl Into<String>) -> Self {
        FfiError::new(SE_ILLEGAL_STATE, libc::EPERM, message)
    }

    /// Records the error on `object` too (unless it already names one).
    pub(crate) fn on(mut self, object: &Arc<Object>) -> Self {
        if self.target.is_none() {
            self.target = Some(object.clone());
        }
        self
    }
}

impl From<hpsocket_core::Error> for FfiError {
    fn from(e: hpsocket_core::Error) -> Self {
        FfiError::new(e.kind() as En_HP_SocketError, e.errno(), e.context())
    }
}

/// One recorded failure.
#[derive(Debug, Clone)]
pub(crate) struct ErrorRecord {
    pub(crate) code: En_HP_SocketError,
    pub(crate) description: String,
    /// The sequence number of the core's last connection-level error when this was recorded
    /// (0: none yet), so a later core error (a failed TLS handshake) is known to be newer.
    pub(crate) core_seq: u64,
}

impl Default for ErrorRecord {
    fn default() -> Self {
        ErrorRecord {
            code: SE_OK,
            description: description_of(SE_OK).to_string(),
            core_seq: 0,
        }
    }
}

thread_local! {
    /// The last failure of any call on this thread.
    static THREAD_ERROR: RefCell<ErrorRecord> = RefCell::new(ErrorRecord::default());
    /// Backing store of the thread's descriptions (`HPX_GetLastErrorDesc`, and the text of a
    /// failed `*_GetLastErrorDesc`).
    static THREAD_DESCS: RefCell<DescRing> = RefCell::new(DescRing::default());
}

/// Records a failure of `function`: on its object (if any), on this thread, and in `errno`.
pub(crate) fn record(function: &str, error: FfiError) {
    let description = format!("{function}: {}", error.message);
    let record = ErrorRecord {
        code: error.code,
        description,
        core_seq: 0,
    };
    if let Some(object) = &error.target {
        object.set_last_error(record.clone());
    }
    THREAD_ERROR.with(|t| *t.borrow_mut() = record);
    set_errno(error.errno);
}

/// The last failure recorded on this thread.
pub(crate) fn thread_error() -> ErrorRecord {
    THREAD_ERROR.with(|t| t.borrow().clone())
}

/// How many distinct description texts a [`DescRing`] keeps alive.
pub(crate) const DESC_RING_LEN: usize = 4;

/// The description strings handed to C by one owner (an object, or a thread): its last
/// [`DESC_RING_LEN`] distinct texts, most recently handed out last. Asking again for a text
/// that is still kept returns the same pointer (and makes it the newest), so reading the same
/// last error repeatedly never invalidates an earlier pointer; a new text evicts the oldest.
/// A pointer therefore stays valid until `DESC_RING_LEN` other texts were handed out by the
/// same owner after it, or the owner goes away.
#[derive(Default)]
pub(crate) struct DescRing {
    texts: VecDeque<CString>,
}

impl DescRing {
    /// A NUL-terminated copy of `text` owned by the ring. Interior NULs (never produced by
    /// the library) cut the text.
    pub(crate) fn ptr(&mut self, text: &str) -> LPCTSTR {
        let bytes: Vec<u8> = text.bytes().take_while(|b| *b != 0).collect();
        let kept = match self
            .texts
            .iter()
            .position(|t| t.as_bytes() == bytes.as_slice())
        {
            // Moving a CString moves its handle, not its heap buffer: the pointer stays valid.
            Some(i) => self.texts.remove(i),
            None => None,
        };
        let entry = kept.unwrap_or_else(|| CString::new(bytes).unwrap_or_default());
        if self.texts.len() >= DESC_RING_LEN {
            self.texts.pop_front();
        }
        self.texts.push_back(entry);
        self.texts.back().map_or(std::ptr::null(), |t| t.as_ptr())
    }
}

/// `text` as a description owned by this thread's ring (see [`DescRing`]): valid until
/// [`DESC_RING_LEN`] other thread descriptions were handed out on this thread, or it exits.
pub(crate) fn thread_desc_ptr(text: &str) -> LPCTSTR {
    THREAD_DESCS.with(|d| d.borrow_mut().ptr(text))
}

/// HP-Socket's text for an error code (`HP_GetSocketErrorDesc`).
pub(crate) fn description_of(code: En_HP_SocketError) -> &'static str {
    ErrorKind::from_code(code)
        .map(ErrorKind::description)
        .unwrap_or("UNKNOWN ERROR")
}

/// Sets this thread's `errno`.
pub(crate) fn set_errno(code: c_int) {
    // SAFETY: `__errno_location` returns the calling thread's errno slot, always valid.
    unsafe { *libc::__errno_location() = code }
}

/// This thread's `errno`.
pub(crate) fn errno() -> c_int {
    // SAFETY: as in `set_errno`.
    unsafe { *libc::__errno_location() }
}
