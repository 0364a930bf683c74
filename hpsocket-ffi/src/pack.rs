//! The PACK components (`Create_HP_TcpPack*`, their listeners) and their settings
//! (`HP_TcpPack*_{Set,Get}{MaxPackSize,PackHeaderFlag}`). A PACK component frames every send
//! as one message (a 4-byte little-endian header `flag << 22 | length`, then the body) and
//! delivers each received message whole to `OnReceive`. Every other function is the one of
//! its family.

use std::sync::Arc;

use hpsocket_core::ReceiveModel;

use crate::boundary;
use crate::client;
use crate::engine;
use crate::handle::Kind;
use crate::listener;
use crate::object::{self, Body, Shape};
use crate::types::*;
use crate::{agent, server};

const PACK_SERVER: Shape = Shape::PackServer;
const PACK_AGENT: Shape = Shape::PackAgent;
const PACK_CLIENT: Shape = Shape::PackClient;

/// Creates a TCP PACK server reporting to `pListener`, a server listener. NULL on failure;
/// the reason is in `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackServer(pListener: HP_TcpServerListener) -> HP_TcpPackServer {
    server::create(
        "Create_HP_TcpPackServer",
        Kind::TcpPackServer,
        pListener,
        ReceiveModel::Pack,
        false,
    )
}

/// Creates a TCP PACK agent reporting to `pListener`, an agent listener.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackAgent(pListener: HP_TcpAgentListener) -> HP_TcpPackAgent {
    agent::create(
        "Create_HP_TcpPackAgent",
        Kind::TcpPackAgent,
        pListener,
        ReceiveModel::Pack,
        false,
    )
}

/// Creates a TCP PACK client reporting to `pListener`, a client listener.
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackClient(pListener: HP_TcpClientListener) -> HP_TcpPackClient {
    client::create(
        "Create_HP_TcpPackClient",
        Kind::TcpPackClient,
        pListener,
        ReceiveModel::Pack,
        false,
    )
}

/// Destroys a TCP PACK server (see `Destroy_HP_TcpServer`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPackServer(pServer: HP_TcpPackServer) {
    boundary::call("Destroy_HP_TcpPackServer", (), || {
        object::destroy(pServer, Kind::TcpPackServer)
    })
}

/// Destroys a TCP PACK agent (see `Destroy_HP_TcpAgent`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPackAgent(pAgent: HP_TcpPackAgent) {
    boundary::call("Destroy_HP_TcpPackAgent", (), || {
        object::destroy(pAgent, Kind::TcpPackAgent)
    })
}

/// Destroys a TCP PACK client (see `Destroy_HP_TcpClient`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPackClient(pClient: HP_TcpPackClient) {
    boundary::call("Destroy_HP_TcpPackClient", (), || {
        object::destroy(pClient, Kind::TcpPackClient)
    })
}

/// Creates a server listener (the same object `Create_HP_TcpServerListener` makes).
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackServerListener() -> HP_TcpPackServerListener {
    listener::create_listener(
        "Create_HP_TcpPackServerListener",
        Kind::TcpServerListener,
        || Body::ServerListener(Arc::default()),
    )
}

/// Creates an agent listener (the same object `Create_HP_TcpAgentListener` makes).
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackAgentListener() -> HP_TcpPackAgentListener {
    listener::create_listener(
        "Create_HP_TcpPackAgentListener",
        Kind::TcpAgentListener,
        || Body::AgentListener(Arc::default()),
    )
}

/// Creates a client listener (the same object `Create_HP_TcpClientListener` makes).
#[no_mangle]
pub extern "C" fn Create_HP_TcpPackClientListener() -> HP_TcpPackClientListener {
    listener::create_listener(
        "Create_HP_TcpPackClientListener",
        Kind::TcpClientListener,
        || Body::ClientListener(Arc::default()),
    )
}

/// Destroys a server listener (see `Destroy_HP_TcpServerListener`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPackServerListener(pListener: HP_TcpPackServerListener) {
    boundary::call("Destroy_HP_TcpPackServerListener", (), || {
        object::destroy(pListener, Kind::TcpServerListener)
    })
}

/// Destroys an agent listener (see `Destroy_HP_TcpServerListener`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPackAgentListener(pListener: HP_TcpPackAgentListener) {
    boundary::call("Destroy_HP_TcpPackAgentListener", (), || {
        object::destroy(pListener, Kind::TcpAgentListener)
    })
}

/// Destroys a client listener (see `Destroy_HP_TcpServerListener`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpPackClientListener(pListener: HP_TcpPackClientListener) {
    boundary::call("Destroy_HP_TcpPackClientListener", (), || {
        object::destroy(pListener, Kind::TcpClientListener)
    })
}

/// Sets the largest message body, sent or received (default 0x40000; valid 1..=0x3FFFFF,
/// checked by Start). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpPackServer_SetMaxPackSize(pServer: HP_TcpPackServer, dwMaxPackSize: DWORD) {
    boundary::call("HP_TcpPackServer_SetMaxPackSize", (), || {
        engine::set(PACK_SERVER, pServer, |c| {
            c.pack.max_pack_size = dwMaxPackSize
        })
    })
}

/// Sets the header flag (top 10 bits of every header; default 0 = incoming flags not
/// checked; valid 0..=0x3FF, checked by Start). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpPackServer_SetPackHeaderFlag(
    pServer: HP_TcpPackServer,
    usPackHeaderFlag: USHORT,
) {
    boundary::call("HP_TcpPackServer_SetPackHeaderFlag", (), || {
        engine::set(PACK_SERVER, pServer, |c| {
            c.pack.pack_header_flag = usPackHeaderFlag
        })
    })
}

/// The largest message body (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn HP_TcpPackServer_GetMaxPackSize(pServer: HP_TcpPackServer) -> DWORD {
    boundary::call("HP_TcpPackServer_GetMaxPackSize", 0, || {
        engine::get(PACK_SERVER, pServer, |c| c.pack.max_pack_size)
    })
}

/// The header flag (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn HP_TcpPackServer_GetPackHeaderFlag(pServer: HP_TcpPackServer) -> USHORT {
    boundary::call("HP_TcpPackServer_GetPackHeaderFlag", 0, || {
        engine::get(PACK_SERVER, pServer, |c| c.pack.pack_header_flag)
    })
}

/// See `HP_TcpPackServer_SetMaxPackSize`.
#[no_mangle]
pub extern "C" fn HP_TcpPackAgent_SetMaxPackSize(pAgent: HP_TcpPackAgent, dwMaxPackSize: DWORD) {
    boundary::call("HP_TcpPackAgent_SetMaxPackSize", (), || {
        engine::set(PACK_AGENT, pAgent, |c| c.pack.max_pack_size = dwMaxPackSize)
    })
}

/// See `HP_TcpPackServer_SetPackHeaderFlag`.
#[no_mangle]
pub extern "C" fn HP_TcpPackAgent_SetPackHeaderFlag(
    pAgent: HP_TcpPackAgent,
    usPackHeaderFlag: USHORT,
) {
    boundary::call("HP_TcpPackAgent_SetPackHeaderFlag", (), || {
        engine::set(PACK_AGENT, pAgent, |c| {
            c.pack.pack_header_flag = usPackHeaderFlag
        })
    })
}

/// The largest message body.
#[no_mangle]
pub extern "C" fn HP_TcpPackAgent_GetMaxPackSize(pAgent: HP_TcpPackAgent) -> DWORD {
    boundary::call("HP_TcpPackAgent_GetMaxPackSize", 0, || {
        engine::get(PACK_AGENT, pAgent, |c| c.pack.max_pack_size)
    })
}

/// The header flag.
#[no_mangle]
pub extern "C" fn HP_TcpPackAgent_GetPackHeaderFlag(pAgent: HP_TcpPackAgent) -> USHORT {
    boundary::call("HP_TcpPackAgent_GetPackHeaderFlag", 0, || {
        engine::get(PACK_AGENT, pAgent, |c| c.pack.pack_header_flag)
    })
}

/// See `HP_TcpPackServer_SetMaxPackSize`.
#[no_mangle]
pub extern "C" fn HP_TcpPackClient_SetMaxPackSize(pClient: HP_TcpPackClient, dwMaxPackSize: DWORD) {
    boundary::call("HP_TcpPackClient_SetMaxPackSize", (), || {
        client::set(PACK_CLIENT, pClient, |c| {
            c.pack.max_pack_size = dwMaxPackSize
        })
    })
}

/// See `HP_TcpPackServer_SetPackHeaderFlag`.
#[no_mangle]
pub extern "C" fn HP_TcpPackClient_SetPackHeaderFlag(
    pClient: HP_TcpPackClient,
    usPackHeaderFlag: USHORT,
) {
    boundary::call("HP_TcpPackClient_SetPackHeaderFlag", (), || {
        client::set(PACK_CLIENT, pClient, |c| {
            c.pack.pack_header_flag = usPackHeaderFlag
        })
    })
}

/// The largest message body.
#[no_mangle]
pub extern "C" fn HP_TcpPackClient_GetMaxPackSize(pClient: HP_TcpPackClient) -> DWORD {
    boundary::call("HP_TcpPackClient_GetMaxPackSize", 0, || {
        client::get(PACK_CLIENT, pClient, |c| c.pack.max_pack_size)
    })
}

/// The header flag.
#[no_mangle]
pub extern "C" fn HP_TcpPackClient_GetPackHeaderFlag(pClient: HP_TcpPackClient) -> USHORT {
    boundary::call("HP_TcpPackClient_GetPackHeaderFlag", 0, || {
        client::get(PACK_CLIENT, pClient, |c| c.pack.pack_header_flag)
    })
}
