//! Checking what C passes in: strings (UTF-8, copied), byte buffers (`(ptr, len)` with
//! `len == 0` accepting NULL), `WSABUF` arrays, and out-parameters (NULL-checked, written
//! unaligned-safe). Every failure names the parameter.

use std::ffi::{c_int, CStr};
use std::ptr;

use crate::last_error::{FfiError, Result};
use crate::types::{BOOL, BYTE, DWORD, LPCTSTR, TCHAR, USHORT, WSABUF};

/// A string argument, copied; NULL gives `None`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string readable for the call.
pub(crate) unsafe fn opt_str(p: LPCTSTR, name: &str) -> Result<Option<String>> {
    // SAFETY: same contract as ours, for the length of this call.
    let text = unsafe { opt_str_ref(p, || name.to_string()) }?;
    Ok(text.map(str::to_owned))
}

/// A string argument borrowed for the call (no copy); NULL gives `None`. `name` is only
/// called to word an error, so a hot path pays nothing for it.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays readable and unchanged for
/// `'a` (the call).
pub(crate) unsafe fn opt_str_ref<'a>(
    p: LPCTSTR,
    name: impl FnOnce() -> String,
) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, NUL-terminated and readable for 'a per this function's contract.
    let bytes = unsafe { CStr::from_ptr::<'a>(p) }.to_bytes();
    if bytes.is_ascii() {
        // Most texts C passes (header names and values, methods, paths) are ASCII: checked a
        // word at a time, they skip the UTF-8 validator, which cost a short header a hundred
        // instructions (callgrind, bench cell H1).
        // SAFETY: ASCII is valid UTF-8.
        return Ok(Some(unsafe { std::str::from_utf8_unchecked(bytes) }));
    }
    std::str::from_utf8(bytes)
        .map(Some)
        .map_err(|_| FfiError::invalid(format!("{} is not valid UTF-8", name())))
}

/// A string argument that must be given.
///
/// # Safety
/// As [`opt_str`].
pub(crate) unsafe fn req_str(p: LPCTSTR, name: &str) -> Result<String> {
    // SAFETY: same contract as ours.
    unsafe { opt_str(p, name) }?.ok_or_else(|| FfiError::invalid(format!("{name} is NULL")))
}

/// `len` bytes at `p`, borrowed for the call. `len == 0` accepts NULL; a negative `len` or a
/// NULL `p` with bytes to read is an error.
///
/// # Safety
/// When `len > 0` and `p` is not NULL, `p` points to `len` readable bytes that stay unchanged
/// during the call.
pub(crate) unsafe fn bytes<'a>(p: *const BYTE, len: c_int, name: &str) -> Result<&'a [u8]> {
    let n = usize::try_from(len)
        .map_err(|_| FfiError::invalid(format!("the length of {name} is negative ({len})")))?;
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(FfiError::invalid(format!(
            "{name} is NULL but its length is {n}"
        )));
    }
    // SAFETY: non-NULL and `n` readable bytes per this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

/// `len` writable bytes at `p`, borrowed for the call (a `Fetch`/`Peek` buffer). `len == 0`
/// accepts NULL; a negative `len` or a NULL `p` with bytes to write is an error.
///
/// # Safety
/// When `len > 0` and `p` is not NULL, `p` points to `len` writable bytes that nothing else
/// reads or writes during the call.
pub(crate) unsafe fn bytes_mut<'a>(p: *mut BYTE, len: c_int, name: &str) -> Result<&'a mut [u8]> {
    let n = usize::try_from(len)
        .map_err(|_| FfiError::invalid(format!("the length of {name} is negative ({len})")))?;
    if n == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(FfiError::invalid(format!(
            "{name} is NULL but its length is {n}"
        )));
    }
    // SAFETY: non-NULL, `n` writable bytes, not aliased, per this function's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, n) })
}

/// `HP_*_SendPart`: the `len` bytes at `p + offset`.
///
/// # Safety
/// When `len > 0`, `p + offset` points to `len` readable bytes inside one allocation.
pub(crate) unsafe fn part<'a>(
    p: *const BYTE,
    len: c_int,
    offset: c_int,
    name: &str,
) -> Result<&'a [u8]> {
    let offset = usize::try_from(offset)
        .map_err(|_| FfiError::invalid(format!("iOffset is negative ({offset})")))?;
    if len <= 0 || p.is_null() {
        // SAFETY: no byte is read (`len` 0), or the NULL is refused inside.
        return unsafe { bytes(p, len, name) };
    }
    // SAFETY: the caller guarantees `p + offset` is inside the allocation holding the part.
    let start = unsafe { p.add(offset) };
    // SAFETY: `len` readable bytes at `start` per this function's contract.
    unsafe { bytes(start, len, name) }
}

/// One `WSABUF`'s bytes.
///
/// # Safety
/// `b.buf` points to `b.len` readable bytes when `b.len > 0`.
unsafe fn wsabuf<'a>(b: WSABUF, name: impl FnOnce() -> String) -> Result<&'a [u8]> {
    if b.len == 0 {
        return Ok(&[]);
    }
    if b.buf.is_null() {
        return Err(FfiError::invalid(format!(
            "{}.buf is NULL but its len is {}",
            name(),
            b.len
        )));
    }
    // SAFETY: non-NULL, `len` readable bytes per this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(b.buf, b.len as usize) })
}

/// The buffers of `HP_*_SendPackets`. `count == 0` accepts NULL.
///
/// # Safety
/// `p` points to `count` `WSABUF`s, each describing readable memory, unchanged during the call.
pub(crate) unsafe fn wsabufs<'a>(p: *const WSABUF, count: c_int) -> Result<Vec<&'a [u8]>> {
    let n = usize::try_from(count)
        .map_err(|_| FfiError::invalid(format!("iCount is negative ({count})")))?;
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(FfiError::invalid(format!(
            "pBuffers is NULL but iCount is {n}"
        )));
    }
    (0..n)
        .map(|i| {
            // SAFETY: `i < count` elements are readable; read unaligned in case C packed them.
            let b = unsafe { ptr::read_unaligned(p.add(i)) };
            // SAFETY: the element describes readable memory per this function's contract.
            // The name is worded only for an error: SendPackets is a hot path.
            unsafe { wsabuf(b, || format!("pBuffers[{i}]")) }
        })
        .collect()
}

/// An optional head or tail of `SendSmallFile` (NULL: none).
///
/// # Safety
/// `p` is NULL or points to a `WSABUF` describing readable memory.
pub(crate) unsafe fn opt_wsabuf<'a>(p: *const WSABUF, name: &str) -> Result<Option<&'a [u8]>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, readable per this function's contract.
    let b = unsafe { ptr::read_unaligned(p) };
    // SAFETY: as above.
    unsafe { wsabuf(b, || name.to_string()) }.map(Some)
}

/// An out-parameter that must be given.
pub(crate) fn out<T>(p: *mut T, name: &str) -> Result<Out<T>> {
    if p.is_null() {
        Err(FfiError::invalid(format!("{name} is NULL")))
    } else {
        Ok(Out(p))
    }
}

/// A checked, non-NULL out-parameter.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Stores `value`.
    ///
    /// # Safety
    /// The pointer given to [`out`] is writable for a `T` (alignment is not required).
    pub(crate) unsafe fn set(&self, value: T) {
        // SAFETY: non-NULL (checked by `out`) and writable per this function's contract.
        unsafe { ptr::write_unaligned(self.0, value) }
    }

    /// Reads the current value (for in/out parameters).
    ///
    /// # Safety
    /// The pointer given to [`out`] is readable for an initialised `T`.
    pub(crate) unsafe fn get(&self) -> T {
        // SAFETY: non-NULL and readable per this function's contract.
        unsafe { ptr::read_unaligned(self.0) }
    }
}

/// HP-Socket's text out-parameter: `buf` holds `*len` chars on entry; on return `*len` is the
/// length needed including the NUL. Too short (or NULL `buf`): FALSE with that length.
///
/// # Safety
/// `len` is NULL or points to a readable, writable `int`; `buf` is NULL or writable for
/// `*len` chars.
pub(crate) unsafe fn text_out(
    text: &str,
    buf: *mut TCHAR,
    len: *mut c_int,
    name: &str,
) -> Result<()> {
    let len = out(len, &format!("the length of {name}"))?;
    let need = text.len() + 1;
    // SAFETY: readable per this function's contract.
    let have = usize::try_from(unsafe { len.get() }).unwrap_or(0);
    // SAFETY: writable per this function's contract.
    unsafe { len.set(crate::types::c_len(need)) };
    if buf.is_null() || have < need {
        return Err(FfiError::new(
            crate::types::SE_INVALID_PARAM,
            libc::ENOBUFS,
            format!("{name} holds {have} chars; {need} are needed (including the NUL)"),
        ));
    }
    // SAFETY: `buf` is writable for `have >= need` chars per this function's contract, and
    // cannot overlap `text`, which the library owns.
    unsafe {
        ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        *buf.add(text.len()) = 0;
    }
    Ok(())
}

/// Writes an address or host and its port (`TCHAR lpszAddress[], int* piAddressLen,
/// USHORT* pusPort`). A NULL `pusPort` is allowed.
///
/// # Safety
/// As [`text_out`]; `port` is NULL or writable.
pub(crate) unsafe fn address_out(
    text: &str,
    port: u16,
    buf: *mut TCHAR,
    len: *mut c_int,
    port_out: *mut USHORT,
    name: &str,
) -> Result<()> {
    // SAFETY: same contract as ours.
    unsafe { text_out(text, buf, len, name) }?;
    if !port_out.is_null() {
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { ptr::write_unaligned(port_out, port) };
    }
    Ok(())
}

/// A `BOOL` from C as `bool` (any non-zero value is true).
pub(crate) fn flag(b: BOOL) -> bool {
    b != 0
}

/// HP-Socket's count query (`T items[], DWORD* pdwCount`): on entry `*count` is the room in
/// `out`; on return it is the number of items. NULL `out`, too little room, or nothing to
/// copy: FALSE (an error with `ENOBUFS`, or `ENOENT` when there is nothing).
///
/// # Safety
/// `count` is NULL or readable and writable; `out` is NULL or writable for `*count` items.
pub(crate) unsafe fn list_out<T: Copy>(
    items: &[T],
    out: *mut T,
    count: *mut DWORD,
    name: &str,
) -> Result<BOOL> {
    let count = self::out(count, "pdwCount")?;
    // SAFETY: readable and writable per this function's contract.
    let room = unsafe { count.get() } as usize;
    // SAFETY: as above.
    unsafe { count.set(crate::types::dword(items.len())) };
    if items.is_empty() {
        return Err(FfiError::new(
            crate::types::SE_INVALID_PARAM,
            libc::ENOENT,
            "there is nothing to copy (0 written to *pdwCount)",
        ));
    }
    if out.is_null() || room < items.len() {
        let why = if out.is_null() {
            format!("{name} is NULL")
        } else {
            format!("{name} holds {room}")
        };
        return Err(FfiError::new(
            crate::types::SE_INVALID_PARAM,
            libc::ENOBUFS,
            format!("{why}; {} are needed (written to *pdwCount)", items.len()),
        ));
    }
    for (i, item) in items.iter().enumerate() {
        // SAFETY: `i < items.len() <= room`, the writable length per this function's contract.
        unsafe { ptr::write_unaligned(out.add(i), *item) };
    }
    Ok(crate::types::TRUE)
}

/// `HPX_UdpArq*_SendEx`'s limits: a negative retransmit count is none.
pub(crate) fn arq_limit(max_retransmits: std::ffi::c_int) -> Option<u32> {
    u32::try_from(max_retransmits).ok()
}
