//! The client family: `Create_HP_TcpClient`/`Destroy_HP_TcpClient` and the `HP_Client_*`
//! functions, which accept any client-shaped handle. A client owns one connection on its own
//! worker thread and stops by itself when that connection closes.

use std::ffi::c_int;

use hpsocket_core::{CastMode, ReceiveModel, TcpClient, UdpCast, UdpClient};

use crate::args;
use crate::boundary;
use crate::handle::{self, Kind};
use crate::last_error::Result;
use crate::listener::{self, Adapter};
use crate::object::{self, Body, Component, Object, Shape};
use crate::types::*;

const CLIENT: Shape = Shape::Client;

/// Creates a client of `kind` (receive model and TLS) reporting to `listener`, a client
/// listener: the body of every `Create_HP_*Client`.
pub(crate) fn create(
    function: &'static str,
    kind: Kind,
    listener: HP_ClientListener,
    model: ReceiveModel,
    secure: bool,
) -> HP_Object {
    create_with(function, kind, listener, |adapter| {
        if secure {
            TcpClient::new_ssl(adapter, model)
        } else {
            TcpClient::with_model(adapter, model)
        }
    })
}

/// `Create_HP_UdpClient`.
pub(crate) fn create_udp(listener: HP_ClientListener) -> HP_Object {
    create_with(
        "Create_HP_UdpClient",
        Kind::UdpClient,
        listener,
        |adapter| UdpClient::new(adapter).into_inner(),
    )
}

/// `Create_HP_UdpArqClient`.
pub(crate) fn create_arq(listener: HP_ClientListener) -> HP_Object {
    create_with(
        "Create_HP_UdpArqClient",
        Kind::UdpArqClient,
        listener,
        |adapter| hpsocket_core::UdpArqClient::new(adapter).into_inner(),
    )
}

/// `Create_HP_UdpCast`.
pub(crate) fn create_cast(listener: HP_ClientListener) -> HP_Object {
    create_with("Create_HP_UdpCast", Kind::UdpCast, listener, |adapter| {
        UdpCast::new(adapter).into_inner()
    })
}

/// Parses an `En_HP_CastMode` from C.
pub(crate) fn cast_mode(v: En_HP_CastMode) -> Result<CastMode> {
    CastMode::try_from(v).map_err(|v| {
        crate::last_error::FfiError::invalid(format!(
            "enCastMode {v} is not an En_HP_CastMode value (-1..=1)"
        ))
    })
}

fn create_with(
    function: &'static str,
    kind: Kind,
    listener: HP_ClientListener,
    make: impl FnOnce(std::sync::Arc<dyn hpsocket_core::ClientListener>) -> TcpClient,
) -> HP_Object {
    build(
        function,
        kind,
        || listener::client_callbacks(listener),
        make,
    )
}

/// Creates a client whose listener may be NULL (the HTTP sync clients): no callbacks then.
pub(crate) fn create_with_optional(
    function: &'static str,
    kind: Kind,
    listener: HP_ClientListener,
    make: impl FnOnce(Option<std::sync::Arc<dyn hpsocket_core::ClientListener>>) -> TcpClient,
) -> HP_Object {
    let callbacks = || match listener.is_null() {
        true => Ok(std::sync::Arc::default()),
        false => listener::client_callbacks(listener),
    };
    build(function, kind, callbacks, |adapter| make(Some(adapter)))
}

fn build(
    function: &'static str,
    kind: Kind,
    callbacks: impl FnOnce() -> Result<std::sync::Arc<listener::Callbacks>>,
    make: impl FnOnce(std::sync::Arc<dyn hpsocket_core::ClientListener>) -> TcpClient,
) -> HP_Object {
    boundary::call(function, std::ptr::null_mut(), || {
        let callbacks = callbacks()?;
        let reservation = handle::reserve(kind)?;
        let inner = make(Adapter::listener(callbacks, reservation.handle()));
        Ok(Object::publish(
            reservation,
            kind,
            Body::Client(Component::new(inner)),
        ))
    })
}

/// One `HP_Client_Start*`.
///
/// # Safety
/// `remote` and `bind` are NULL or NUL-terminated strings.
pub(crate) unsafe fn start(
    client: HP_Client,
    remote: LPCTSTR,
    port: USHORT,
    async_connect: BOOL,
    bind: LPCTSTR,
    local_port: USHORT,
) -> Result<BOOL> {
    object::with_client(CLIENT, client, |_, c| {
        // SAFETY: per this function's contract.
        let remote = unsafe { args::req_str(remote, "lpszRemoteAddress") }?;
        // SAFETY: per this function's contract.
        let bind = unsafe { args::opt_str(bind, "lpszBindAddress") }?;
        c.start(|k| {
            k.start_with(
                &remote,
                port,
                args::flag(async_connect),
                bind.as_deref(),
                local_port,
            )
        })?;
        Ok(TRUE)
    })
}

/// `HP_UdpArqClient_GetWaitingSendMessageCount`.
///
/// `HPX_UdpArqClient_SendEx`: see `server::arq_send_ex`.
///
/// # Safety
/// `data` is NULL or readable for `len` bytes; `msg_id` is NULL or writable.
pub(crate) unsafe fn arq_send_ex(
    p: HP_Client,
    data: *const BYTE,
    len: c_int,
    deadline: DWORD,
    max_retransmits: c_int,
    msg_id: *mut DWORD,
) -> Result<BOOL> {
    object::with_client(Shape::UdpArqClient, p, |_, c| {
        // SAFETY: per this function's contract.
        let data = unsafe { args::bytes(data, len, "pBuffer") }?;
        let m = c
            .inner
            .send_ex(data, deadline, args::arq_limit(max_retransmits))?;
        if !msg_id.is_null() {
            // SAFETY: non-NULL, writable per this function's contract.
            unsafe { std::ptr::write_unaligned(msg_id, m) };
        }
        Ok(TRUE)
    })
}

/// # Safety
/// `count` is writable.
pub(crate) unsafe fn arq_waiting(p: HP_Client, count: *mut c_int) -> Result<BOOL> {
    let out = args::out(count, "piCount")?;
    object::with_client(Shape::UdpArqClient, p, |_, c| {
        let n = c.inner.waiting_send_message_count()?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(c_len(n)) };
        Ok(TRUE)
    })
}
