//! The TCP-only settings and `SendSmallFile`: `HP_TcpServer_*`, `HP_TcpAgent_*` and
//! `HP_TcpClient_*`. Settings change only while the component is stopped (otherwise the call
//! is ignored and the last error says why); values are checked by `Start`.

use crate::args;
use crate::last_error::Result;
use crate::types::*;

/// The arguments of a `SendSmallFile`.
pub(crate) struct SmallFile<'a> {
    pub(crate) file: String,
    pub(crate) head: Option<&'a [u8]>,
    pub(crate) tail: Option<&'a [u8]>,
}

/// Checks the file name and optional head and tail of a `SendSmallFile`.
///
/// # Safety
/// `file` is NULL or NUL-terminated; `head`/`tail` are NULL or point to `WSABUF`s describing
/// readable bytes.
pub(crate) unsafe fn small_file<'a>(
    file: LPCTSTR,
    head: LPWSABUF,
    tail: LPWSABUF,
) -> Result<SmallFile<'a>> {
    // SAFETY: per this function's contract.
    let file = unsafe { args::req_str(file, "lpszFileName") }?;
    // SAFETY: per this function's contract.
    let head = unsafe { args::opt_wsabuf(head, "pHead") }?;
    // SAFETY: per this function's contract.
    let tail = unsafe { args::opt_wsabuf(tail, "pTail") }?;
    Ok(SmallFile { file, head, tail })
}
