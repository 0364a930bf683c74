//! The agent family: `Create_HP_TcpAgent`/`Destroy_HP_TcpAgent` and the `HP_Agent_*`
//! functions, which accept any agent-shaped handle. The connection operations are shared with
//! the server family in `engine.rs`.

use std::ffi::c_int;
use std::sync::Arc;

use hpsocket_core::{ConnectOptions, ReceiveModel, TcpAgent};

use crate::args;
use crate::boundary;
use crate::engine::{self, Side};
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
        let adapter = Arc::new(Adapter::new(callbacks, reservation.handle()));
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

/// Creates a TCP agent (PUSH model) reporting to `pListener`, a TCP agent listener. NULL on
/// failure (an invalid listener); the reason is in `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_TcpAgent(pListener: HP_TcpAgentListener) -> HP_TcpAgent {
    create(
        "Create_HP_TcpAgent",
        Kind::TcpAgent,
        pListener,
        ReceiveModel::Push,
        false,
    )
}

/// Destroys a TCP agent: stops it first if it runs (every callback has returned when this
/// returns), then frees its user data. NULL and already destroyed handles are ignored; from
/// one of the agent's own callbacks it is refused (`SE_ILLEGAL_STATE`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpAgent(pAgent: HP_TcpAgent) {
    boundary::call("Destroy_HP_TcpAgent", (), || {
        object::destroy(pAgent, Kind::TcpAgent)
    })
}

/// Starts the agent's workers. `lpszBindAddress` (NULL or empty: any) is the local address of
/// every connect; `bAsyncConnect` chooses whether `Connect` returns at once (the outcome comes
/// through `OnConnect` or `OnClose(SO_CONNECT, errno)`) or blocks until connected.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Start(
    pAgent: HP_Agent,
    lpszBindAddress: LPCTSTR,
    bAsyncConnect: BOOL,
) -> BOOL {
    boundary::call("HP_Agent_Start", FALSE, || {
        object::with_agent(AGENT, pAgent, |o, c| {
            // SAFETY: the caller passes NULL or a NUL-terminated string (docs/abi.md).
            let address = unsafe { args::opt_str(lpszBindAddress, "lpszBindAddress") }?;
            c.start(o, |a| {
                a.start(address.as_deref(), args::flag(bAsyncConnect))
            })?;
            Ok(TRUE)
        })
    })
}

/// One `HP_Agent_Connect*`: the new ID goes to `*pdwConnID` (if not NULL), 0 on failure.
///
/// # Safety
/// `remote` and `local` are NULL or NUL-terminated; `id_out` is NULL or writable.
unsafe fn connect(
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

/// Connects to `lpszRemoteAddress` (an IP, a host name, or `"address^hostname"`) and `usPort`;
/// the new connection ID goes to `*pdwConnID` (may be NULL). A synchronous agent blocks until
/// connected or `SyncConnectTimeout`; an asynchronous one returns at once.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Connect(
    pAgent: HP_Agent,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    pdwConnID: *mut HP_CONNID,
) -> BOOL {
    boundary::call("HP_Agent_Connect", FALSE, || {
        // SAFETY: the caller passes strings and out-params as documented (docs/abi.md).
        unsafe {
            connect(
                pAgent,
                lpszRemoteAddress,
                usPort,
                pdwConnID,
                std::ptr::null_mut(),
                0,
                std::ptr::null(),
            )
        }
    })
}

/// `HP_Agent_Connect` attaching `pExtra` to the connection before its first callback.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtra(
    pAgent: HP_Agent,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    pdwConnID: *mut HP_CONNID,
    pExtra: PVOID,
) -> BOOL {
    boundary::call("HP_Agent_ConnectWithExtra", FALSE, || {
        // SAFETY: the caller passes strings and out-params as documented (docs/abi.md).
        unsafe {
            connect(
                pAgent,
                lpszRemoteAddress,
                usPort,
                pdwConnID,
                pExtra,
                0,
                std::ptr::null(),
            )
        }
    })
}

/// `HP_Agent_Connect` from local port `usLocalPort` (0: any).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithLocalPort(
    pAgent: HP_Agent,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    pdwConnID: *mut HP_CONNID,
    usLocalPort: USHORT,
) -> BOOL {
    boundary::call("HP_Agent_ConnectWithLocalPort", FALSE, || {
        // SAFETY: the caller passes strings and out-params as documented (docs/abi.md).
        unsafe {
            connect(
                pAgent,
                lpszRemoteAddress,
                usPort,
                pdwConnID,
                std::ptr::null_mut(),
                usLocalPort,
                std::ptr::null(),
            )
        }
    })
}

/// `HP_Agent_Connect` from local address `lpszLocalAddress` (NULL: the one given to Start).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithLocalAddress(
    pAgent: HP_Agent,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    pdwConnID: *mut HP_CONNID,
    lpszLocalAddress: LPCTSTR,
) -> BOOL {
    boundary::call("HP_Agent_ConnectWithLocalAddress", FALSE, || {
        // SAFETY: the caller passes strings and out-params as documented (docs/abi.md).
        unsafe {
            connect(
                pAgent,
                lpszRemoteAddress,
                usPort,
                pdwConnID,
                std::ptr::null_mut(),
                0,
                lpszLocalAddress,
            )
        }
    })
}

/// `HP_Agent_Connect` with extra data and a local port.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtraAndLocalPort(
    pAgent: HP_Agent,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    pdwConnID: *mut HP_CONNID,
    pExtra: PVOID,
    usLocalPort: USHORT,
) -> BOOL {
    boundary::call("HP_Agent_ConnectWithExtraAndLocalPort", FALSE, || {
        // SAFETY: the caller passes strings and out-params as documented (docs/abi.md).
        unsafe {
            connect(
                pAgent,
                lpszRemoteAddress,
                usPort,
                pdwConnID,
                pExtra,
                usLocalPort,
                std::ptr::null(),
            )
        }
    })
}

/// `HP_Agent_Connect` with extra data, a local port and a local address.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_ConnectWithExtraAndLocalAddressPort(
    pAgent: HP_Agent,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    pdwConnID: *mut HP_CONNID,
    pExtra: PVOID,
    usLocalPort: USHORT,
    lpszLocalAddress: LPCTSTR,
) -> BOOL {
    boundary::call(
        "HP_Agent_ConnectWithExtraAndLocalAddressPort",
        FALSE,
        || {
            // SAFETY: the caller passes strings and out-params as documented (docs/abi.md).
            unsafe {
                connect(
                    pAgent,
                    lpszRemoteAddress,
                    usPort,
                    pdwConnID,
                    pExtra,
                    usLocalPort,
                    lpszLocalAddress,
                )
            }
        },
    )
}

/// The host and port given to `Connect` (the `hostname` of `"address^hostname"`), with the
/// buffer convention of `HP_Agent_GetLocalAddress`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetRemoteHost(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    lpszHost: *mut TCHAR,
    piHostLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Agent_GetRemoteHost", FALSE, || {
        object::with_agent(AGENT, pAgent, |_, c| {
            let (host, port) = c.inner.remote_host(conn_id(dwConnID))?;
            // SAFETY: the caller passes a buffer of `*piHostLen` chars and writable out-params.
            unsafe { args::address_out(&host, port, lpszHost, piHostLen, pusPort, "lpszHost") }?;
            Ok(TRUE)
        })
    })
}

/// Stops the agent: every connection closes (each gets `OnClose`), then `OnShutdown`.
/// FALSE with `SE_ILLEGAL_STATE` when not started, or when called from one of its own
/// callbacks (it would wait for itself).
#[no_mangle]
pub extern "C" fn HP_Agent_Stop(pAgent: HP_Agent) -> BOOL {
    boundary::call("HP_Agent_Stop", FALSE, || engine::stop(AGENT, pAgent))
}

/// Waits until the agent is stopped, at most `dwMilliseconds` (`INFINITE`, i.e. `(DWORD)-1`:
/// for ever). FALSE on timeout (`errno` `ETIMEDOUT`) or from its own callbacks.
#[no_mangle]
pub extern "C" fn HP_Agent_Wait(pAgent: HP_Agent, dwMilliseconds: DWORD) -> BOOL {
    boundary::call("HP_Agent_Wait", FALSE, || {
        engine::wait(AGENT, pAgent, dwMilliseconds)
    })
}

/// Sends `iLength` bytes on a connection; they are copied or written before this returns.
/// `iLength` 0 sends nothing and succeeds (`pBuffer` may then be NULL). PACK components send
/// one message per call: 0 bytes or more than MaxPackSize is refused (`EMSGSIZE`).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_Send(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    pBuffer: *const BYTE,
    iLength: c_int,
) -> BOOL {
    boundary::call("HP_Agent_Send", FALSE, || {
        engine::with(AGENT, pAgent, |_, e| {
            // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (docs/abi.md).
            let data = unsafe { args::bytes(pBuffer, iLength, "pBuffer") }?;
            engine::send(e, dwConnID, &[data])
        })
    })
}

/// Sends the `iLength` bytes at `pBuffer + iOffset` (`iOffset` >= 0).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SendPart(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    pBuffer: *const BYTE,
    iLength: c_int,
    iOffset: c_int,
) -> BOOL {
    boundary::call("HP_Agent_SendPart", FALSE, || {
        engine::with(AGENT, pAgent, |_, e| {
            // SAFETY: the caller passes `iLength` readable bytes at `pBuffer + iOffset` (docs/abi.md).
            let data = unsafe { args::part(pBuffer, iLength, iOffset, "pBuffer") }?;
            engine::send(e, dwConnID, &[data])
        })
    })
}

/// Sends `iCount` buffers in order as one send (a gather write).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_SendPackets(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    pBuffers: *const WSABUF,
    iCount: c_int,
) -> BOOL {
    boundary::call("HP_Agent_SendPackets", FALSE, || {
        engine::with(AGENT, pAgent, |_, e| {
            // SAFETY: the caller passes `iCount` WSABUFs describing readable bytes (docs/abi.md).
            let bufs = unsafe { args::wsabufs(pBuffers, iCount) }?;
            engine::send(e, dwConnID, &bufs)
        })
    })
}

/// Stops (`TRUE`) or resumes (`FALSE`) reading a connection.
#[no_mangle]
pub extern "C" fn HP_Agent_PauseReceive(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    bPause: BOOL,
) -> BOOL {
    boundary::call("HP_Agent_PauseReceive", FALSE, || {
        engine::pause_receive(AGENT, pAgent, dwConnID, bPause)
    })
}

/// Closes a connection; its `OnClose(SO_CLOSE, 0)` follows on its worker thread, after this
/// returns. Every disconnect is forced (as in HP-Socket since 5.4.2).
#[no_mangle]
pub extern "C" fn HP_Agent_Disconnect(pAgent: HP_Agent, dwConnID: HP_CONNID, bForce: BOOL) -> BOOL {
    boundary::call("HP_Agent_Disconnect", FALSE, || {
        engine::disconnect(AGENT, pAgent, dwConnID, bForce)
    })
}

/// Closes every connection older than `dwPeriod` ms.
#[no_mangle]
pub extern "C" fn HP_Agent_DisconnectLongConnections(
    pAgent: HP_Agent,
    dwPeriod: DWORD,
    bForce: BOOL,
) -> BOOL {
    boundary::call("HP_Agent_DisconnectLongConnections", FALSE, || {
        engine::disconnect_long(AGENT, pAgent, dwPeriod, bForce)
    })
}

/// Closes every connection that received nothing for `dwPeriod` ms (needs MarkSilence).
#[no_mangle]
pub extern "C" fn HP_Agent_DisconnectSilenceConnections(
    pAgent: HP_Agent,
    dwPeriod: DWORD,
    bForce: BOOL,
) -> BOOL {
    boundary::call("HP_Agent_DisconnectSilenceConnections", FALSE, || {
        engine::disconnect_silence(AGENT, pAgent, dwPeriod, bForce)
    })
}

/// Attaches an opaque pointer to a connection; the library never dereferences or frees it.
/// Readable until the end of the connection's `OnClose`.
#[no_mangle]
pub extern "C" fn HP_Agent_SetConnectionExtra(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    pExtra: PVOID,
) -> BOOL {
    boundary::call("HP_Agent_SetConnectionExtra", FALSE, || {
        engine::set_connection_extra(AGENT, pAgent, dwConnID, pExtra)
    })
}

/// Reads the pointer attached with `SetConnectionExtra` (NULL if none) into `*ppExtra`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectionExtra(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    ppExtra: *mut PVOID,
) -> BOOL {
    boundary::call("HP_Agent_GetConnectionExtra", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `PVOID*` (docs/abi.md).
        unsafe { engine::get_connection_extra(AGENT, pAgent, dwConnID, ppExtra) }
    })
}

/// TRUE for SSL components, FALSE for plain TCP.
#[no_mangle]
pub extern "C" fn HP_Agent_IsSecure(pAgent: HP_Agent) -> BOOL {
    boundary::call("HP_Agent_IsSecure", FALSE, || {
        engine::is_secure(AGENT, pAgent)
    })
}

/// TRUE while starting or started.
#[no_mangle]
pub extern "C" fn HP_Agent_HasStarted(pAgent: HP_Agent) -> BOOL {
    boundary::call("HP_Agent_HasStarted", FALSE, || {
        engine::has_started(AGENT, pAgent)
    })
}

/// The life-cycle state (`SS_STOPPED` for an invalid handle).
#[no_mangle]
pub extern "C" fn HP_Agent_GetState(pAgent: HP_Agent) -> En_HP_ServiceState {
    boundary::call("HP_Agent_GetState", SS_STOPPED, || {
        engine::state(AGENT, pAgent)
    })
}

/// The code of the agent's last failure (`SE_OK` if none); `SE_INVALID_PARAM` for an invalid handle.
#[no_mangle]
pub extern "C" fn HP_Agent_GetLastError(pAgent: HP_Agent) -> En_HP_SocketError {
    boundary::call("HP_Agent_GetLastError", SE_INVALID_PARAM, || {
        engine::last_error(AGENT, pAgent)
    })
}

/// The description of the agent's last failure; never NULL. The text is owned by the agent:
/// it stays valid until the agent is destroyed or has handed out four other descriptions
/// (calls on other objects and threads do not affect it). An invalid handle gives the text of
/// that failure, owned by the calling thread (as `HPX_GetLastErrorDesc`).
#[no_mangle]
pub extern "C" fn HP_Agent_GetLastErrorDesc(pAgent: HP_Agent) -> LPCTSTR {
    boundary::desc_call("HP_Agent_GetLastErrorDesc", || {
        engine::last_error_desc(AGENT, pAgent)
    })
}

/// Bytes accepted by `Send` and not yet written, into `*piPending`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetPendingDataLength(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    piPending: *mut c_int,
) -> BOOL {
    boundary::call("HP_Agent_GetPendingDataLength", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `int*` (docs/abi.md).
        unsafe { engine::pending_data_length(AGENT, pAgent, dwConnID, piPending) }
    })
}

/// Whether reading the connection is paused, into `*pbPaused`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_IsPauseReceive(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    pbPaused: *mut BOOL,
) -> BOOL {
    boundary::call("HP_Agent_IsPauseReceive", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `BOOL*` (docs/abi.md).
        unsafe { engine::is_pause_receive(AGENT, pAgent, dwConnID, pbPaused) }
    })
}

/// TRUE when the connection exists and is established.
#[no_mangle]
pub extern "C" fn HP_Agent_IsConnected(pAgent: HP_Agent, dwConnID: HP_CONNID) -> BOOL {
    boundary::call("HP_Agent_IsConnected", FALSE, || {
        engine::is_connected(AGENT, pAgent, dwConnID)
    })
}

/// The number of connections.
#[no_mangle]
pub extern "C" fn HP_Agent_GetConnectionCount(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetConnectionCount", 0, || {
        engine::connection_count(AGENT, pAgent)
    })
}

/// Copies the IDs of every connection. On entry `*pdwCount` is the room in `pIDs`; on return
/// it is the number of connections. NULL `pIDs` or too little room: FALSE (a count query).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetAllConnectionIDs(
    pAgent: HP_Agent,
    pIDs: *mut HP_CONNID,
    pdwCount: *mut DWORD,
) -> BOOL {
    boundary::call("HP_Agent_GetAllConnectionIDs", FALSE, || {
        // SAFETY: the caller passes a readable/writable `*pdwCount` and room for that many IDs.
        unsafe { engine::all_connection_ids(AGENT, pAgent, pIDs, pdwCount) }
    })
}

/// Milliseconds since the connection was set up, into `*pdwPeriod`.
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetConnectPeriod(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    pdwPeriod: *mut DWORD,
) -> BOOL {
    boundary::call("HP_Agent_GetConnectPeriod", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `DWORD*` (docs/abi.md).
        unsafe { engine::connect_period(AGENT, pAgent, dwConnID, pdwPeriod) }
    })
}

/// Milliseconds since the connection last received data (needs MarkSilence).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetSilencePeriod(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    pdwPeriod: *mut DWORD,
) -> BOOL {
    boundary::call("HP_Agent_GetSilencePeriod", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `DWORD*` (docs/abi.md).
        unsafe { engine::silence_period(AGENT, pAgent, dwConnID, pdwPeriod) }
    })
}

/// The connection's local IP address and port. On entry `*piAddressLen` is the size of
/// `lpszAddress` in chars; on return the length needed including the NUL (FALSE when too short).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetLocalAddress(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    lpszAddress: *mut TCHAR,
    piAddressLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Agent_GetLocalAddress", FALSE, || {
        // SAFETY: the caller passes a buffer of `*piAddressLen` chars and writable out-params.
        unsafe {
            engine::address(
                AGENT,
                pAgent,
                dwConnID,
                Side::Local,
                lpszAddress,
                piAddressLen,
                pusPort,
            )
        }
    })
}

/// The connection's remote IP address and port. On entry `*piAddressLen` is the size of
/// `lpszAddress` in chars; on return the length needed including the NUL (FALSE when too short).
#[no_mangle]
pub unsafe extern "C" fn HP_Agent_GetRemoteAddress(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    lpszAddress: *mut TCHAR,
    piAddressLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Agent_GetRemoteAddress", FALSE, || {
        // SAFETY: the caller passes a buffer of `*piAddressLen` chars and writable out-params.
        unsafe {
            engine::address(
                AGENT,
                pAgent,
                dwConnID,
                Side::Remote,
                lpszAddress,
                piAddressLen,
                pusPort,
            )
        }
    })
}

/// Sets the address reuse policy (`RAP_*`; default `RAP_ADDR_ONLY`). Ignored while not stopped; an unknown value is refused.
/// Both leave the setting unchanged and set the last error.
#[no_mangle]
pub extern "C" fn HP_Agent_SetReuseAddressPolicy(
    pAgent: HP_Agent,
    enReusePolicy: En_HP_ReuseAddressPolicy,
) {
    boundary::call("HP_Agent_SetReuseAddressPolicy", (), || {
        engine::set_parsed(
            AGENT,
            pAgent,
            engine::reuse_policy(enReusePolicy),
            |c, v| c.socket.reuse_address_policy = v,
        )
    })
}

/// Sets the send policy (`SP_*`; kept and reported, no effect on Linux). Ignored while not stopped; an unknown value is refused.
/// Both leave the setting unchanged and set the last error.
#[no_mangle]
pub extern "C" fn HP_Agent_SetSendPolicy(pAgent: HP_Agent, enSendPolicy: En_HP_SendPolicy) {
    boundary::call("HP_Agent_SetSendPolicy", (), || {
        engine::set_parsed(AGENT, pAgent, engine::send_policy(enSendPolicy), |c, v| {
            c.send_policy = v
        })
    })
}

/// Sets the `OnSend` sync policy (`OSSP_*`; kept and reported, no effect on Linux). Ignored while not stopped; an unknown value is refused.
/// Both leave the setting unchanged and set the last error.
#[no_mangle]
pub extern "C" fn HP_Agent_SetOnSendSyncPolicy(
    pAgent: HP_Agent,
    enSyncPolicy: En_HP_OnSendSyncPolicy,
) {
    boundary::call("HP_Agent_SetOnSendSyncPolicy", (), || {
        engine::set_parsed(AGENT, pAgent, engine::sync_policy(enSyncPolicy), |c, v| {
            c.on_send_sync_policy = v
        })
    })
}

/// Sets the ms a closed connection's object stays unused (default 20000). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetFreeSocketObjLockTime(
    pAgent: HP_Agent,
    dwFreeSocketObjLockTime: DWORD,
) {
    boundary::call("HP_Agent_SetFreeSocketObjLockTime", (), || {
        engine::set(AGENT, pAgent, |c| {
            c.free_socket_obj_lock_time = dwFreeSocketObjLockTime
        })
    })
}

/// Sets the cached connection objects (default 600). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetFreeSocketObjPool(pAgent: HP_Agent, dwFreeSocketObjPool: DWORD) {
    boundary::call("HP_Agent_SetFreeSocketObjPool", (), || {
        engine::set(AGENT, pAgent, |c| {
            c.free_socket_obj_pool = dwFreeSocketObjPool
        })
    })
}

/// Sets the cached buffers (default 1024). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetFreeBufferObjPool(pAgent: HP_Agent, dwFreeBufferObjPool: DWORD) {
    boundary::call("HP_Agent_SetFreeBufferObjPool", (), || {
        engine::set(AGENT, pAgent, |c| {
            c.free_buffer_obj_pool = dwFreeBufferObjPool
        })
    })
}

/// Sets the connection-object cache threshold (default 600). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetFreeSocketObjHold(pAgent: HP_Agent, dwFreeSocketObjHold: DWORD) {
    boundary::call("HP_Agent_SetFreeSocketObjHold", (), || {
        engine::set(AGENT, pAgent, |c| {
            c.free_socket_obj_hold = dwFreeSocketObjHold
        })
    })
}

/// Sets the buffer cache threshold (default 1024). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetFreeBufferObjHold(pAgent: HP_Agent, dwFreeBufferObjHold: DWORD) {
    boundary::call("HP_Agent_SetFreeBufferObjHold", (), || {
        engine::set(AGENT, pAgent, |c| {
            c.free_buffer_obj_hold = dwFreeBufferObjHold
        })
    })
}

/// Sets the most connections (default 10000; checked by Start). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetMaxConnectionCount(pAgent: HP_Agent, dwMaxConnectionCount: DWORD) {
    boundary::call("HP_Agent_SetMaxConnectionCount", (), || {
        engine::set(AGENT, pAgent, |c| {
            c.max_connection_count = dwMaxConnectionCount
        })
    })
}

/// Sets the I/O worker threads (default 2 x CPUs + 2, at most 512; checked by Start). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetWorkerThreadCount(pAgent: HP_Agent, dwWorkerThreadCount: DWORD) {
    boundary::call("HP_Agent_SetWorkerThreadCount", (), || {
        engine::set(AGENT, pAgent, |c| {
            c.worker_thread_count = dwWorkerThreadCount
        })
    })
}

/// Sets whether the last receive time is recorded (default TRUE; needed by
/// `GetSilencePeriod` and `DisconnectSilenceConnections`). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_Agent_SetMarkSilence(pAgent: HP_Agent, bMarkSilence: BOOL) {
    boundary::call("HP_Agent_SetMarkSilence", (), || {
        engine::set(AGENT, pAgent, |c| c.mark_silence = args::flag(bMarkSilence))
    })
}

/// The address reuse policy.
#[no_mangle]
pub extern "C" fn HP_Agent_GetReuseAddressPolicy(pAgent: HP_Agent) -> En_HP_ReuseAddressPolicy {
    boundary::call("HP_Agent_GetReuseAddressPolicy", 0, || {
        engine::get(AGENT, pAgent, |c| {
            c.socket.reuse_address_policy as En_HP_ReuseAddressPolicy
        })
    })
}

/// The send policy.
#[no_mangle]
pub extern "C" fn HP_Agent_GetSendPolicy(pAgent: HP_Agent) -> En_HP_SendPolicy {
    boundary::call("HP_Agent_GetSendPolicy", 0, || {
        engine::get(AGENT, pAgent, |c| c.send_policy as En_HP_SendPolicy)
    })
}

/// The `OnSend` sync policy.
#[no_mangle]
pub extern "C" fn HP_Agent_GetOnSendSyncPolicy(pAgent: HP_Agent) -> En_HP_OnSendSyncPolicy {
    boundary::call("HP_Agent_GetOnSendSyncPolicy", 0, || {
        engine::get(AGENT, pAgent, |c| {
            c.on_send_sync_policy as En_HP_OnSendSyncPolicy
        })
    })
}

/// The ms a closed connection's object stays unused.
#[no_mangle]
pub extern "C" fn HP_Agent_GetFreeSocketObjLockTime(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetFreeSocketObjLockTime", 0, || {
        engine::get(AGENT, pAgent, |c| c.free_socket_obj_lock_time)
    })
}

/// The cached connection objects.
#[no_mangle]
pub extern "C" fn HP_Agent_GetFreeSocketObjPool(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetFreeSocketObjPool", 0, || {
        engine::get(AGENT, pAgent, |c| c.free_socket_obj_pool)
    })
}

/// The cached buffers.
#[no_mangle]
pub extern "C" fn HP_Agent_GetFreeBufferObjPool(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetFreeBufferObjPool", 0, || {
        engine::get(AGENT, pAgent, |c| c.free_buffer_obj_pool)
    })
}

/// The connection-object cache threshold.
#[no_mangle]
pub extern "C" fn HP_Agent_GetFreeSocketObjHold(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetFreeSocketObjHold", 0, || {
        engine::get(AGENT, pAgent, |c| c.free_socket_obj_hold)
    })
}

/// The buffer cache threshold.
#[no_mangle]
pub extern "C" fn HP_Agent_GetFreeBufferObjHold(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetFreeBufferObjHold", 0, || {
        engine::get(AGENT, pAgent, |c| c.free_buffer_obj_hold)
    })
}

/// The most connections.
#[no_mangle]
pub extern "C" fn HP_Agent_GetMaxConnectionCount(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetMaxConnectionCount", 0, || {
        engine::get(AGENT, pAgent, |c| c.max_connection_count)
    })
}

/// The I/O worker threads.
#[no_mangle]
pub extern "C" fn HP_Agent_GetWorkerThreadCount(pAgent: HP_Agent) -> DWORD {
    boundary::call("HP_Agent_GetWorkerThreadCount", 0, || {
        engine::get(AGENT, pAgent, |c| c.worker_thread_count)
    })
}

/// Whether the last receive time is recorded.
#[no_mangle]
pub extern "C" fn HP_Agent_IsMarkSilence(pAgent: HP_Agent) -> BOOL {
    boundary::call("HP_Agent_IsMarkSilence", FALSE, || {
        engine::get(AGENT, pAgent, |c| to_bool(c.mark_silence))
    })
}
