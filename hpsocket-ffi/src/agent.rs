//! The agent family: `Create_HP_TcpAgent`/`Destroy_HP_TcpAgent` and the `HP_Agent_*`
//! functions, which accept any agent-shaped handle. The connection operations are shared with
//! the server family in `engine.rs`.

use hpsocket_core::{ConnectOptions, ReceiveModel, TcpAgent};

use crate::args;
use crate::boundary;
use crate::handle::{self, Kind};
use crate::last_error::Result;
use crate::listener::{self, Adapter};
use crate::object::{self, Body, Component, Object, Shape};
use crate::types::*;

const AGENT: Shape = Shape::Agent;

/// Creates a agent of `kind` (receive model and TLS) reporting to `listener`, a agent
/// listener: the body of every `Create_HP_*Agent`.
pub(crate) fn create(
    function: &'static str,
    kind: Kind,
    listener: HP_AgentListener,
    model: ReceiveModel,
    secure: bool,
) -> HP_Object {
    boundary::call(function, std::ptr::null_mut(), || {
        let callbacks = listener::agent_callbacks(listener)?;
        let reservation = handle::reserve(kind)?;
        let adapter = Adapter::listener(callbacks, reservation.handle());
        let inner = if secure {
            TcpAgent::new_ssl(adapter, model)
        } else {
            TcpAgent::with_model(adapter, model)
        };
        Ok(Object::publish(
            reservation,
            kind,
            Body::Agent(Component::new(inner)),
        ))
    })
}

/// `Create_HPX_UdpArqAgent`.
pub(crate) fn create_arq(listener: HP_AgentListener) -> HP_Object {
    const FUNCTION: &str = "Create_HPX_UdpArqAgent";
    boundary::call(FUNCTION, std::ptr::null_mut(), || {
        let callbacks = listener::agent_callbacks(listener)?;
        let reservation = handle::reserve(Kind::UdpArqAgent)?;
        let adapter = Adapter::listener(callbacks, reservation.handle());
        let inner = hpsocket_core::UdpArqAgent::new(adapter).into_inner();
        Ok(Object::publish(
            reservation,
            Kind::UdpArqAgent,
            Body::Agent(Component::new(inner)),
        ))
    })
}

/// `HPX_UdpArqAgent_GetWaitingSendMessageCount`.
///
/// `HPX_UdpArqAgent_SendEx`: see `server::arq_send_ex`.
///
/// # Safety
/// `data` is NULL or readable for `len` bytes; `msg_id` is NULL or writable.
pub(crate) unsafe fn arq_send_ex(
    p: HP_Agent,
    id: HP_CONNID,
    data: *const BYTE,
    len: std::ffi::c_int,
    deadline: DWORD,
    max_retransmits: std::ffi::c_int,
    msg_id: *mut DWORD,
) -> Result<BOOL> {
    object::with_agent(Shape::UdpArqAgent, p, |_, c| {
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
/// `count` is NULL or writable.
pub(crate) unsafe fn arq_waiting(
    p: HP_Agent,
    id: HP_CONNID,
    count: *mut std::ffi::c_int,
) -> Result<BOOL> {
    let out = crate::args::out(count, "piCount")?;
    object::with_agent(Shape::UdpArqAgent, p, |_, c| {
        let n = c.inner.waiting_send_message_count(conn_id(id))?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(c_len(n)) };
        Ok(TRUE)
    })
}

/// One `HP_Agent_Connect*`: the new ID goes to `*pdwConnID` (if not NULL), 0 on failure.
///
/// # Safety
/// `remote` and `local` are NULL or NUL-terminated; `id_out` is NULL or writable.
pub(crate) unsafe fn connect(
    agent: HP_Agent,
    remote: LPCTSTR,
    port: USHORT,
    id_out: *mut HP_CONNID,
    extra: PVOID,
    local_port: USHORT,
    local: LPCTSTR,
) -> Result<BOOL> {
    if !id_out.is_null() {
        // SAFETY: non-NULL and writable per this function's contract.
        unsafe { std::ptr::write_unaligned(id_out, 0) };
    }
    let id = object::with_agent(AGENT, agent, |_, c| {
        // SAFETY: per this function's contract.
        let remote = unsafe { args::req_str(remote, "lpszRemoteAddress") }?;
        // SAFETY: per this function's contract.
        let local_address = unsafe { args::opt_str(local, "lpszLocalAddress") }?;
        let options = ConnectOptions {
            extra: extra as usize,
            local_address,
            local_port,
        };
        Ok(c.inner.connect_with(&remote, port, &options)?)
    })?;
    if !id_out.is_null() {
        // SAFETY: as above.
        unsafe { std::ptr::write_unaligned(id_out, c_conn_id(id)) };
    }
    Ok(TRUE)
}
