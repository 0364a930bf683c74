//! The PULL components (`Create_HP_TcpPull*`, their listeners) and `HP_TcpPull*_Fetch/Peek`.
//! A PULL component buffers what it receives and reports the total buffered with
//! `OnPullReceive`; the application takes bytes with `Fetch` (copy and remove) or `Peek`
//! (copy), from any thread. Every other function is the one of its family (`HP_Server_*`,
//! `HP_Agent_*`, `HP_Client_*`, `HP_Tcp*_*`).

use std::ffi::c_int;
use std::sync::Arc;

use hpsocket_core::{FetchResult, ReceiveModel};

use crate::args;
use crate::boundary;
use crate::engine;
use crate::handle::Kind;
use crate::last_error::{FfiError, Result};
use crate::listener;
use crate::object::{self, Body, Shape};
use crate::types::*;
use crate::{agent, client, server};

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

/// `Fetch`/`Peek` of a PULL server or agent.
///
/// # Safety
/// `data` is NULL or writable for `len` bytes.
unsafe fn fetch(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    data: *mut BYTE,
    len: c_int,
    peek: bool,
) -> Result<En_HP_FetchResult> {
    engine::with(shape, p, |_, e| {
        // SAFETY: per this function's contract.
        let buf = unsafe { args::bytes_mut(data, len, "pData") }?;
        result(
            e.fetch(conn_id(id), buf, peek),
            &format!("connection id {id}"),
        )
    })
}

/// `Fetch`/`Peek` of a PULL client.
///
/// # Safety
/// `data` is NULL or writable for `len` bytes.
unsafe fn fetch_client(
    p: HP_Object,
    data: *mut BYTE,
    len: c_int,
    peek: bool,
) -> Result<En_HP_FetchResult> {
    object::with_client(Shape::PullClient, p, |_, c| {
        // SAFETY: per this function's contract.
        let buf = unsafe { args::bytes_mut(data, len, "pData") }?;
        let r = if peek {
            c.inner.peek(buf)
        } else {
            c.inner.fetch(buf)
        };
        result(r, "the client's connection")
    })
}

/// Creates a TCP PULL server reporting to `pListener`, a server listener (set its
/// `OnPullReceive`). NULL on failure; the reason is in `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullServer(pListener: HP_TcpPullServerListener) -> HP_TcpPullServer {
    server::create(
        "Create_HP_TcpPullServer",
        Kind::TcpPullServer,
        pListener,
        ReceiveModel::Pull,
        false,
    )
}

/// Creates a TCP PULL agent reporting to `pListener`, an agent listener.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullAgent(pListener: HP_TcpPullAgentListener) -> HP_TcpPullAgent {
    agent::create(
        "Create_HP_TcpPullAgent",
        Kind::TcpPullAgent,
        pListener,
        ReceiveModel::Pull,
        false,
    )
}

/// Creates a TCP PULL client reporting to `pListener`, a client listener.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullClient(pListener: HP_TcpPullClientListener) -> HP_TcpPullClient {
    client::create(
        "Create_HP_TcpPullClient",
        Kind::TcpPullClient,
        pListener,
        ReceiveModel::Pull,
        false,
    )
}

/// Destroys a TCP PULL server (see `Destroy_HP_TcpServer`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPullServer(pServer: HP_TcpPullServer) {
    boundary::call("Destroy_HP_TcpPullServer", (), || {
        object::destroy(pServer, Kind::TcpPullServer)
    })
}

/// Destroys a TCP PULL agent (see `Destroy_HP_TcpAgent`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPullAgent(pAgent: HP_TcpPullAgent) {
    boundary::call("Destroy_HP_TcpPullAgent", (), || {
        object::destroy(pAgent, Kind::TcpPullAgent)
    })
}

/// Destroys a TCP PULL client (see `Destroy_HP_TcpClient`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPullClient(pClient: HP_TcpPullClient) {
    boundary::call("Destroy_HP_TcpPullClient", (), || {
        object::destroy(pClient, Kind::TcpPullClient)
    })
}

/// Creates a server listener (the same object `Create_HP_TcpServerListener` makes; it fits
/// any server).
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullServerListener() -> HP_TcpPullServerListener {
    listener::create_listener(
        "Create_HP_TcpPullServerListener",
        Kind::TcpServerListener,
        || Body::ServerListener(Arc::default()),
    )
}

/// Creates an agent listener (the same object `Create_HP_TcpAgentListener` makes).
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullAgentListener() -> HP_TcpPullAgentListener {
    listener::create_listener(
        "Create_HP_TcpPullAgentListener",
        Kind::TcpAgentListener,
        || Body::AgentListener(Arc::default()),
    )
}

/// Creates a client listener (the same object `Create_HP_TcpClientListener` makes).
#[no_mangle]
pub extern "C" fn Create_HP_TcpPullClientListener() -> HP_TcpPullClientListener {
    listener::create_listener(
        "Create_HP_TcpPullClientListener",
        Kind::TcpClientListener,
        || Body::ClientListener(Arc::default()),
    )
}

/// Destroys a server listener (see `Destroy_HP_TcpServerListener`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPullServerListener(pListener: HP_TcpPullServerListener) {
    boundary::call("Destroy_HP_TcpPullServerListener", (), || {
        object::destroy(pListener, Kind::TcpServerListener)
    })
}

/// Destroys an agent listener (see `Destroy_HP_TcpServerListener`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPullAgentListener(pListener: HP_TcpPullAgentListener) {
    boundary::call("Destroy_HP_TcpPullAgentListener", (), || {
        object::destroy(pListener, Kind::TcpAgentListener)
    })
}

/// Destroys a client listener (see `Destroy_HP_TcpServerListener`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPullClientListener(pListener: HP_TcpPullClientListener) {
    boundary::call("Destroy_HP_TcpPullClientListener", (), || {
        object::destroy(pListener, Kind::TcpClientListener)
    })
}

/// Copies the first `iLength` buffered bytes of a connection into `pData` and removes them.
/// `FR_LENGTH_TOO_LONG` (nothing copied) when fewer are buffered; `FR_DATA_NOT_FOUND` for an
/// unknown or closed connection or a handle that is not a PULL server (the last error says
/// which). Any thread, also inside `OnPullReceive`.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullServer_Fetch(
    pServer: HP_TcpPullServer,
    dwConnID: HP_CONNID,
    pData: *mut BYTE,
    iLength: c_int,
) -> En_HP_FetchResult {
    boundary::call("HP_TcpPullServer_Fetch", FR_DATA_NOT_FOUND, || {
        // SAFETY: the caller passes `iLength` writable bytes at `pData` (docs/abi.md).
        unsafe { fetch(Shape::PullServer, pServer, dwConnID, pData, iLength, false) }
    })
}

/// Like `HP_TcpPullServer_Fetch`, leaving the bytes buffered.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullServer_Peek(
    pServer: HP_TcpPullServer,
    dwConnID: HP_CONNID,
    pData: *mut BYTE,
    iLength: c_int,
) -> En_HP_FetchResult {
    boundary::call("HP_TcpPullServer_Peek", FR_DATA_NOT_FOUND, || {
        // SAFETY: the caller passes `iLength` writable bytes at `pData` (docs/abi.md).
        unsafe { fetch(Shape::PullServer, pServer, dwConnID, pData, iLength, true) }
    })
}

/// `HP_TcpPullServer_Fetch` for a connection of a PULL agent.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullAgent_Fetch(
    pAgent: HP_TcpPullAgent,
    dwConnID: HP_CONNID,
    pData: *mut BYTE,
    iLength: c_int,
) -> En_HP_FetchResult {
    boundary::call("HP_TcpPullAgent_Fetch", FR_DATA_NOT_FOUND, || {
        // SAFETY: the caller passes `iLength` writable bytes at `pData` (docs/abi.md).
        unsafe { fetch(Shape::PullAgent, pAgent, dwConnID, pData, iLength, false) }
    })
}

/// `HP_TcpPullServer_Peek` for a connection of a PULL agent.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullAgent_Peek(
    pAgent: HP_TcpPullAgent,
    dwConnID: HP_CONNID,
    pData: *mut BYTE,
    iLength: c_int,
) -> En_HP_FetchResult {
    boundary::call("HP_TcpPullAgent_Peek", FR_DATA_NOT_FOUND, || {
        // SAFETY: the caller passes `iLength` writable bytes at `pData` (docs/abi.md).
        unsafe { fetch(Shape::PullAgent, pAgent, dwConnID, pData, iLength, true) }
    })
}

/// `HP_TcpPullServer_Fetch` for the connection of a PULL client.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullClient_Fetch(
    pClient: HP_TcpPullClient,
    pData: *mut BYTE,
    iLength: c_int,
) -> En_HP_FetchResult {
    boundary::call("HP_TcpPullClient_Fetch", FR_DATA_NOT_FOUND, || {
        // SAFETY: the caller passes `iLength` writable bytes at `pData` (docs/abi.md).
        unsafe { fetch_client(pClient, pData, iLength, false) }
    })
}

/// `HP_TcpPullServer_Peek` for the connection of a PULL client.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpPullClient_Peek(
    pClient: HP_TcpPullClient,
    pData: *mut BYTE,
    iLength: c_int,
) -> En_HP_FetchResult {
    boundary::call("HP_TcpPullClient_Peek", FR_DATA_NOT_FOUND, || {
        // SAFETY: the caller passes `iLength` writable bytes at `pData` (docs/abi.md).
        unsafe { fetch_client(pClient, pData, iLength, true) }
    })
}
