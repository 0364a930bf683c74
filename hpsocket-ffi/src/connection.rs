//! The operations on a component's connections that every family has: sending, pausing,
//! and the per-connection queries. Servers and agents address a connection by its ID; a client
//! has one connection and ignores the ID (its C functions have none: the tables pass 0).

use std::ffi::c_int;

use crate::args;
use crate::last_error::Result;
use crate::object::{self, Shape};
use crate::types::*;

/// `Send`: `len` bytes at `data`.
///
/// # Safety
/// `data` is NULL or readable for `len` bytes.
pub(crate) unsafe fn send(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    data: *const BYTE,
    len: c_int,
) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        // SAFETY: per this function's contract.
        let data = unsafe { args::bytes(data, len, "pBuffer") }?;
        c.send_packets(conn_id(id), &[data])?;
        Ok(TRUE)
    })
}

/// `SendPart`: `len` bytes at `data + offset`.
///
/// # Safety
/// `data` is NULL or readable for `offset + len` bytes.
pub(crate) unsafe fn send_part(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    data: *const BYTE,
    len: c_int,
    offset: c_int,
) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        // SAFETY: per this function's contract.
        let data = unsafe { args::part(data, len, offset, "pBuffer") }?;
        c.send_packets(conn_id(id), &[data])?;
        Ok(TRUE)
    })
}

/// `SendPackets`: `count` buffers as one send.
///
/// # Safety
/// `bufs` is NULL or points to `count` `WSABUF`s describing readable bytes.
pub(crate) unsafe fn send_packets(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    bufs: *const WSABUF,
    count: c_int,
) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        // SAFETY: per this function's contract.
        let bufs = unsafe { args::wsabufs(bufs, count) }?;
        c.send_packets(conn_id(id), &bufs)?;
        Ok(TRUE)
    })
}

pub(crate) fn pause_receive(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    pause: BOOL,
) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        c.pause_receive(conn_id(id), args::flag(pause))?;
        Ok(TRUE)
    })
}

/// # Safety
/// `out` is NULL or writable for a `BOOL`.
pub(crate) unsafe fn is_pause_receive(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    out: *mut BOOL,
) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        let out = args::out(out, "pbPaused")?;
        let paused = c.is_pause_receive(conn_id(id))?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(to_bool(paused)) };
        Ok(TRUE)
    })
}

pub(crate) fn is_connected(shape: Shape, p: HP_Object, id: HP_CONNID) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| Ok(to_bool(c.is_connected(conn_id(id)))))
}

/// # Safety
/// `out` is NULL or writable for an `int`.
pub(crate) unsafe fn pending_data_length(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    out: *mut c_int,
) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        let out = args::out(out, "piPending")?;
        let n = c.pending_data_length(conn_id(id))?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(c_len(n)) };
        Ok(TRUE)
    })
}

/// Which address of a connection.
#[derive(Clone, Copy)]
pub(crate) enum Side {
    Local,
    Remote,
}

/// `GetLocalAddress` and `GetRemoteAddress`.
///
/// # Safety
/// As [`args::address_out`].
pub(crate) unsafe fn address(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    side: Side,
    buf: *mut TCHAR,
    len: *mut c_int,
    port: *mut USHORT,
) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        let addr = match side {
            Side::Local => c.local_address(conn_id(id))?,
            Side::Remote => c.remote_address(conn_id(id))?,
        };
        // SAFETY: the caller's buffers per this function's contract.
        unsafe {
            args::address_out(
                &addr.ip().to_string(),
                addr.port(),
                buf,
                len,
                port,
                "lpszAddress",
            )
        }?;
        Ok(TRUE)
    })
}
