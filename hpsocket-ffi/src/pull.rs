//! The PULL components (`Create_HP_TcpPull*`, their listeners) and `HP_TcpPull*_Fetch/Peek`.
//! A PULL component buffers what it receives and reports the total buffered with
//! `OnPullReceive`; the application takes bytes with `Fetch` (copy and remove) or `Peek`
//! (copy), from any thread. Every other function is the one of its family (`HP_Server_*`,
//! `HP_Agent_*`, `HP_Client_*`, `HP_Tcp*_*`).

use std::ffi::c_int;

use hpsocket_core::FetchResult;

use crate::args;
use crate::last_error::{FfiError, Result};
use crate::object::{self, Family, Shape};
use crate::types::*;

/// A core fetch result as C's; an unknown or closed connection is a failure (recorded, and
/// `FR_DATA_NOT_FOUND` returned by the boundary).
fn result(r: FetchResult, what: &str) -> Result<En_HP_FetchResult> {
    match r {
        FetchResult::Ok => Ok(FR_OK),
        FetchResult::LengthTooLong => Ok(FR_LENGTH_TOO_LONG),
        FetchResult::DataNotFound => Err(FfiError::new(
            SE_INVALID_PARAM,
            libc::EBADSLT,
            format!("no buffered data: {what} is unknown, closed or not connected"),
        )),
    }
}

/// `Fetch`/`Peek` of any PULL component (a client ignores `id`).
///
/// # Safety
/// `data` is NULL or writable for `len` bytes.
pub(crate) unsafe fn fetch(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    data: *mut BYTE,
    len: c_int,
    peek: bool,
) -> Result<En_HP_FetchResult> {
    object::with_component(shape, p, |_, c| {
        // SAFETY: per this function's contract.
        let buf = unsafe { args::bytes_mut(data, len, "pData") }?;
        let what = match shape.family() {
            Family::Client => "the client's connection".to_string(),
            _ => format!("connection id {id}"),
        };
        result(c.fetch_or_peek(conn_id(id), buf, peek), &what)
    })
}
