//! The server family: `Create_HP_TcpServer`/`Destroy_HP_TcpServer` and the `HP_Server_*`
//! functions, which accept any server-shaped handle. The connection operations are shared with
//! the agent family in `engine.rs`.

use hpsocket_core::{ReceiveModel, TcpServer, UdpServer};

use crate::boundary;
use crate::handle::{self, Kind};
use crate::listener::{self, Adapter};
use crate::object::{Body, Component, Object};
use crate::types::*;

/// Creates a server of `kind` (receive model and TLS) reporting to `listener`, a server
/// listener: the body of every `Create_HP_*Server`.
pub(crate) fn create(
    function: &'static str,
    kind: Kind,
    listener: HP_ServerListener,
    model: ReceiveModel,
    secure: bool,
) -> HP_Object {
    create_with(function, kind, listener, |adapter| {
        if secure {
            TcpServer::new_ssl(adapter, model)
        } else {
            TcpServer::with_model(adapter, model)
        }
    })
}

/// `Create_HP_UdpServer`.
pub(crate) fn create_udp(listener: HP_ServerListener) -> HP_Object {
    create_with(
        "Create_HP_UdpServer",
        Kind::UdpServer,
        listener,
        |adapter| UdpServer::new(adapter).into_inner(),
    )
}

/// `Create_HP_UdpArqServer`.
pub(crate) fn create_arq(listener: HP_ServerListener) -> HP_Object {
    create_with(
        "Create_HP_UdpArqServer",
        Kind::UdpArqServer,
        listener,
        |adapter| hpsocket_core::UdpArqServer::new(adapter).into_inner(),
    )
}

fn create_with(
    function: &'static str,
    kind: Kind,
    listener: HP_ServerListener,
    make: impl FnOnce(std::sync::Arc<dyn hpsocket_core::ServerListener>) -> TcpServer,
) -> HP_Object {
    boundary::call(function, std::ptr::null_mut(), || {
        let callbacks = listener::server_callbacks(listener)?;
        let reservation = handle::reserve(kind)?;
        let inner = make(Adapter::listener(callbacks, reservation.handle()));
        Ok(Object::publish(
            reservation,
            kind,
            Body::Server(Component::new(inner)),
        ))
    })
}

/// `HP_UdpArqServer_GetWaitingSendMessageCount`.
///
/// `HPX_UdpArqServer_SendEx`: one message with a deadline and a retransmit limit; its id
/// to `*pdwMessageID` when not NULL.
///
/// # Safety
/// `data` is NULL or readable for `len` bytes; `msg_id` is NULL or writable.
pub(crate) unsafe fn arq_send_ex(
    p: HP_Server,
    id: HP_CONNID,
    data: *const BYTE,
    len: std::ffi::c_int,
    deadline: DWORD,
    max_retransmits: std::ffi::c_int,
    msg_id: *mut DWORD,
) -> crate::last_error::Result<BOOL> {
    crate::object::with_server(crate::object::Shape::UdpArqServer, p, |_, c| {
        // SAFETY: per this function's contract.
        let data = unsafe { crate::args::bytes(data, len, "pBuffer") }?;
        let limit = crate::args::arq_limit(max_retransmits);
        let m = c.inner.send_ex(conn_id(id), data, deadline, limit)?;
        if !msg_id.is_null() {
            // SAFETY: non-NULL, writable per this function's contract.
            unsafe { std::ptr::write_unaligned(msg_id, m) };
        }
        Ok(TRUE)
    })
}

/// # Safety
/// `count` is writable.
pub(crate) unsafe fn arq_waiting(
    p: HP_Server,
    id: HP_CONNID,
    count: *mut std::ffi::c_int,
) -> crate::last_error::Result<BOOL> {
    let out = crate::args::out(count, "piCount")?;
    crate::object::with_server(crate::object::Shape::UdpArqServer, p, |_, c| {
        let n = c.inner.waiting_send_message_count(conn_id(id))?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(c_len(n)) };
        Ok(TRUE)
    })
}
