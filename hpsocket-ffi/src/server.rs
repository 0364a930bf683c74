//! The server family: `Create_HP_TcpServer`/`Destroy_HP_TcpServer` and the `HP_Server_*`
//! functions, which accept any server-shaped handle. The connection operations are shared with
//! the agent family in `engine.rs`.

use std::ffi::c_int;
use std::sync::Arc;

use hpsocket_core::{ReceiveModel, TcpServer};

use crate::args;
use crate::boundary;
use crate::engine::{self, Side};
use crate::handle::{self, Kind};
use crate::listener::{self, Adapter};
use crate::object::{self, Body, Component, Object, Shape};
use crate::types::*;

const SERVER: Shape = Shape::Server;

/// Creates a server of `kind` (receive model and TLS) reporting to `listener`, a server
/// listener: the body of every `Create_HP_*Server`.
pub(crate) fn create(
    function: &'static str,
    kind: Kind,
    listener: HP_ServerListener,
    model: ReceiveModel,
    secure: bool,
) -> HP_Object {
    boundary::call(function, std::ptr::null_mut(), || {
        let callbacks = listener::server_callbacks(listener)?;
        let reservation = handle::reserve(kind)?;
        let adapter = Arc::new(Adapter::new(callbacks, reservation.handle()));
        let inner = if secure {
            TcpServer::new_ssl(adapter, model)
        } else {
            TcpServer::with_model(adapter, model)
        };
        Ok(Object::publish(
            reservation,
            kind,
            Body::Server(Component::new(inner)),
        ))
    })
}

/// Creates a TCP server (PUSH model) reporting to `pListener`, a TCP server listener. NULL on
/// failure (an invalid listener); the reason is in `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_TcpServer(pListener: HP_TcpServerListener) -> HP_TcpServer {
    create(
        "Create_HP_TcpServer",
        Kind::TcpServer,
        pListener,
        ReceiveModel::Push,
        false,
    )
}

/// Destroys a TCP server: stops it first if it runs (every callback has returned when this
/// returns), then frees its user data. NULL and already destroyed handles are ignored; from
/// one of the server's own callbacks it is refused (`SE_ILLEGAL_STATE`).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpServer(pServer: HP_TcpServer) {
    boundary::call("Destroy_HP_TcpServer", (), || {
        object::destroy(pServer, Kind::TcpServer)
    })
}

/// Starts the server: binds and listens on `lpszBindAddress` (NULL or empty: IPv4 any, `"::"`
/// for IPv6) and `usPort` (0: any free port; see `HP_Server_GetListenAddress`).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_Start(
    pServer: HP_Server,
    lpszBindAddress: LPCTSTR,
    usPort: USHORT,
) -> BOOL {
    boundary::call("HP_Server_Start", FALSE, || {
        object::with_server(SERVER, pServer, |o, c| {
            // SAFETY: the caller passes NULL or a NUL-terminated string (docs/abi.md).
            let address =
                unsafe { args::opt_str(lpszBindAddress, "lpszBindAddress") }?.unwrap_or_default();
            c.start(o, |s| s.start(&address, usPort))?;
            Ok(TRUE)
        })
    })
}

/// The address and port the server listens on (see `HP_Server_GetLocalAddress` for the
/// buffer convention).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetListenAddress(
    pServer: HP_Server,
    lpszAddress: *mut TCHAR,
    piAddressLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Server_GetListenAddress", FALSE, || {
        object::with_server(SERVER, pServer, |_, c| {
            let addr = c.inner.listen_address()?;
            // SAFETY: the caller passes a buffer of `*piAddressLen` chars and writable out-params.
            unsafe {
                args::address_out(
                    &addr.ip().to_string(),
                    addr.port(),
                    lpszAddress,
                    piAddressLen,
                    pusPort,
                    "lpszAddress",
                )
            }?;
            Ok(TRUE)
        })
    })
}

/// Stops the server: every connection closes (each gets `OnClose`), then `OnShutdown`.
/// FALSE with `SE_ILLEGAL_STATE` when not started, or when called from one of its own
/// callbacks (it would wait for itself).
#[no_mangle]
pub extern "C" fn HP_Server_Stop(pServer: HP_Server) -> BOOL {
    boundary::call("HP_Server_Stop", FALSE, || engine::stop(SERVER, pServer))
}

/// Waits until the server is stopped, at most `dwMilliseconds` (`INFINITE`, i.e. `(DWORD)-1`:
/// for ever). FALSE on timeout (`errno` `ETIMEDOUT`) or from its own callbacks.
#[no_mangle]
pub extern "C" fn HP_Server_Wait(pServer: HP_Server, dwMilliseconds: DWORD) -> BOOL {
    boundary::call("HP_Server_Wait", FALSE, || {
        engine::wait(SERVER, pServer, dwMilliseconds)
    })
}

/// Sends `iLength` bytes on a connection; they are copied or written before this returns.
/// `iLength` 0 sends nothing and succeeds (`pBuffer` may then be NULL). PACK components send
/// one message per call: 0 bytes or more than MaxPackSize is refused (`EMSGSIZE`).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_Send(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    pBuffer: *const BYTE,
    iLength: c_int,
) -> BOOL {
    boundary::call("HP_Server_Send", FALSE, || {
        engine::with(SERVER, pServer, |_, e| {
            // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (docs/abi.md).
            let data = unsafe { args::bytes(pBuffer, iLength, "pBuffer") }?;
            engine::send(e, dwConnID, &[data])
        })
    })
}

/// Sends the `iLength` bytes at `pBuffer + iOffset` (`iOffset` >= 0).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SendPart(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    pBuffer: *const BYTE,
    iLength: c_int,
    iOffset: c_int,
) -> BOOL {
    boundary::call("HP_Server_SendPart", FALSE, || {
        engine::with(SERVER, pServer, |_, e| {
            // SAFETY: the caller passes `iLength` readable bytes at `pBuffer + iOffset` (docs/abi.md).
            let data = unsafe { args::part(pBuffer, iLength, iOffset, "pBuffer") }?;
            engine::send(e, dwConnID, &[data])
        })
    })
}

/// Sends `iCount` buffers in order as one send (a gather write).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_SendPackets(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    pBuffers: *const WSABUF,
    iCount: c_int,
) -> BOOL {
    boundary::call("HP_Server_SendPackets", FALSE, || {
        engine::with(SERVER, pServer, |_, e| {
            // SAFETY: the caller passes `iCount` WSABUFs describing readable bytes (docs/abi.md).
            let bufs = unsafe { args::wsabufs(pBuffers, iCount) }?;
            engine::send(e, dwConnID, &bufs)
        })
    })
}

/// Stops (`TRUE`) or resumes (`FALSE`) reading a connection.
#[no_mangle]
pub extern "C" fn HP_Server_PauseReceive(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    bPause: BOOL,
) -> BOOL {
    boundary::call("HP_Server_PauseReceive", FALSE, || {
        engine::pause_receive(SERVER, pServer, dwConnID, bPause)
    })
}

/// Closes a connection; its `OnClose(SO_CLOSE, 0)` follows on its worker thread, after this
/// returns. Every disconnect is forced (as in HP-Socket since 5.4.2).
#[no_mangle]
pub extern "C" fn HP_Server_Disconnect(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    bForce: BOOL,
) -> BOOL {
    boundary::call("HP_Server_Disconnect", FALSE, || {
        engine::disconnect(SERVER, pServer, dwConnID, bForce)
    })
}

/// Closes every connection older than `dwPeriod` ms.
#[no_mangle]
pub extern "C" fn HP_Server_DisconnectLongConnections(
    pServer: HP_Server,
    dwPeriod: DWORD,
    bForce: BOOL,
) -> BOOL {
    boundary::call("HP_Server_DisconnectLongConnections", FALSE, || {
        engine::disconnect_long(SERVER, pServer, dwPeriod, bForce)
    })
}

/// Closes every connection that received nothing for `dwPeriod` ms (needs MarkSilence).
#[no_mangle]
pub extern "C" fn HP_Server_DisconnectSilenceConnections(
    pServer: HP_Server,
    dwPeriod: DWORD,
    bForce: BOOL,
) -> BOOL {
    boundary::call("HP_Server_DisconnectSilenceConnections", FALSE, || {
        engine::disconnect_silence(SERVER, pServer, dwPeriod, bForce)
    })
}

/// Attaches an opaque pointer to a connection; the library never dereferences or frees it.
/// Readable until the end of the connection's `OnClose`.
#[no_mangle]
pub extern "C" fn HP_Server_SetConnectionExtra(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    pExtra: PVOID,
) -> BOOL {
    boundary::call("HP_Server_SetConnectionExtra", FALSE, || {
        engine::set_connection_extra(SERVER, pServer, dwConnID, pExtra)
    })
}

/// Reads the pointer attached with `SetConnectionExtra` (NULL if none) into `*ppExtra`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectionExtra(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    ppExtra: *mut PVOID,
) -> BOOL {
    boundary::call("HP_Server_GetConnectionExtra", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `PVOID*` (docs/abi.md).
        unsafe { engine::get_connection_extra(SERVER, pServer, dwConnID, ppExtra) }
    })
}

/// TRUE for SSL components, FALSE for plain TCP.
#[no_mangle]
pub extern "C" fn HP_Server_IsSecure(pServer: HP_Server) -> BOOL {
    boundary::call("HP_Server_IsSecure", FALSE, || {
        engine::is_secure(SERVER, pServer)
    })
}

/// TRUE while starting or started.
#[no_mangle]
pub extern "C" fn HP_Server_HasStarted(pServer: HP_Server) -> BOOL {
    boundary::call("HP_Server_HasStarted", FALSE, || {
        engine::has_started(SERVER, pServer)
    })
}

/// The life-cycle state (`SS_STOPPED` for an invalid handle).
#[no_mangle]
pub extern "C" fn HP_Server_GetState(pServer: HP_Server) -> En_HP_ServiceState {
    boundary::call("HP_Server_GetState", SS_STOPPED, || {
        engine::state(SERVER, pServer)
    })
}

/// The code of the server's last failure (`SE_OK` if none); `SE_INVALID_PARAM` for an invalid handle.
#[no_mangle]
pub extern "C" fn HP_Server_GetLastError(pServer: HP_Server) -> En_HP_SocketError {
    boundary::call("HP_Server_GetLastError", SE_INVALID_PARAM, || {
        engine::last_error(SERVER, pServer)
    })
}

/// The description of the server's last failure; never NULL. The text is owned by the server:
/// it stays valid until the server is destroyed or has handed out four other descriptions
/// (calls on other objects and threads do not affect it). An invalid handle gives the text of
/// that failure, owned by the calling thread (as `HPX_GetLastErrorDesc`).
#[no_mangle]
pub extern "C" fn HP_Server_GetLastErrorDesc(pServer: HP_Server) -> LPCTSTR {
    boundary::desc_call("HP_Server_GetLastErrorDesc", || {
        engine::last_error_desc(SERVER, pServer)
    })
}

/// Bytes accepted by `Send` and not yet written, into `*piPending`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetPendingDataLength(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    piPending: *mut c_int,
) -> BOOL {
    boundary::call("HP_Server_GetPendingDataLength", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `int*` (docs/abi.md).
        unsafe { engine::pending_data_length(SERVER, pServer, dwConnID, piPending) }
    })
}

/// Whether reading the connection is paused, into `*pbPaused`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_IsPauseReceive(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    pbPaused: *mut BOOL,
) -> BOOL {
    boundary::call("HP_Server_IsPauseReceive", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `BOOL*` (docs/abi.md).
        unsafe { engine::is_pause_receive(SERVER, pServer, dwConnID, pbPaused) }
    })
}

/// TRUE when the connection exists and is established.
#[no_mangle]
pub extern "C" fn HP_Server_IsConnected(pServer: HP_Server, dwConnID: HP_CONNID) -> BOOL {
    boundary::call("HP_Server_IsConnected", FALSE, || {
        engine::is_connected(SERVER, pServer, dwConnID)
    })
}

/// The number of connections.
#[no_mangle]
pub extern "C" fn HP_Server_GetConnectionCount(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetConnectionCount", 0, || {
        engine::connection_count(SERVER, pServer)
    })
}

/// Copies the IDs of every connection. On entry `*pdwCount` is the room in `pIDs`; on return
/// it is the number of connections. NULL `pIDs` or too little room: FALSE (a count query).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetAllConnectionIDs(
    pServer: HP_Server,
    pIDs: *mut HP_CONNID,
    pdwCount: *mut DWORD,
) -> BOOL {
    boundary::call("HP_Server_GetAllConnectionIDs", FALSE, || {
        // SAFETY: the caller passes a readable/writable `*pdwCount` and room for that many IDs.
        unsafe { engine::all_connection_ids(SERVER, pServer, pIDs, pdwCount) }
    })
}

/// Milliseconds since the connection was set up, into `*pdwPeriod`.
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetConnectPeriod(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    pdwPeriod: *mut DWORD,
) -> BOOL {
    boundary::call("HP_Server_GetConnectPeriod", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `DWORD*` (docs/abi.md).
        unsafe { engine::connect_period(SERVER, pServer, dwConnID, pdwPeriod) }
    })
}

/// Milliseconds since the connection last received data (needs MarkSilence).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetSilencePeriod(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    pdwPeriod: *mut DWORD,
) -> BOOL {
    boundary::call("HP_Server_GetSilencePeriod", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `DWORD*` (docs/abi.md).
        unsafe { engine::silence_period(SERVER, pServer, dwConnID, pdwPeriod) }
    })
}

/// The connection's local IP address and port. On entry `*piAddressLen` is the size of
/// `lpszAddress` in chars; on return the length needed including the NUL (FALSE when too short).
#[no_mangle]
pub unsafe extern "C" fn HP_Server_GetLocalAddress(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    lpszAddress: *mut TCHAR,
    piAddressLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Server_GetLocalAddress", FALSE, || {
        // SAFETY: the caller passes a buffer of `*piAddressLen` chars and writable out-params.
        unsafe {
            engine::address(
                SERVER,
                pServer,
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
pub unsafe extern "C" fn HP_Server_GetRemoteAddress(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    lpszAddress: *mut TCHAR,
    piAddressLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Server_GetRemoteAddress", FALSE, || {
        // SAFETY: the caller passes a buffer of `*piAddressLen` chars and writable out-params.
        unsafe {
            engine::address(
                SERVER,
                pServer,
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
pub extern "C" fn HP_Server_SetReuseAddressPolicy(
    pServer: HP_Server,
    enReusePolicy: En_HP_ReuseAddressPolicy,
) {
    boundary::call("HP_Server_SetReuseAddressPolicy", (), || {
        engine::set_parsed(
            SERVER,
            pServer,
            engine::reuse_policy(enReusePolicy),
            |c, v| c.socket.reuse_address_policy = v,
        )
    })
}

/// Sets the send policy (`SP_*`; kept and reported, no effect on Linux). Ignored while not stopped; an unknown value is refused.
/// Both leave the setting unchanged and set the last error.
#[no_mangle]
pub extern "C" fn HP_Server_SetSendPolicy(pServer: HP_Server, enSendPolicy: En_HP_SendPolicy) {
    boundary::call("HP_Server_SetSendPolicy", (), || {
        engine::set_parsed(
            SERVER,
            pServer,
            engine::send_policy(enSendPolicy),
            |c, v| c.send_policy = v,
        )
    })
}

/// Sets the `OnSend` sync policy (`OSSP_*`; kept and reported, no effect on Linux). Ignored while not stopped; an unknown value is refused.
/// Both leave the setting unchanged and set the last error.
#[no_mangle]
pub extern "C" fn HP_Server_SetOnSendSyncPolicy(
    pServer: HP_Server,
    enSyncPolicy: En_HP_OnSendSyncPolicy,
) {
    boundary::call("HP_Server_SetOnSendSyncPolicy", (), || {
        engine::set_parsed(
            SERVER,
            pServer,
            engine::sync_policy(enSyncPolicy),
            |c, v| c.on_send_sync_policy = v,
        )
    })
}

/// Sets the ms a closed connection's object stays unused (default 20000). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetFreeSocketObjLockTime(
    pServer: HP_Server,
    dwFreeSocketObjLockTime: DWORD,
) {
    boundary::call("HP_Server_SetFreeSocketObjLockTime", (), || {
        engine::set(SERVER, pServer, |c| {
            c.free_socket_obj_lock_time = dwFreeSocketObjLockTime
        })
    })
}

/// Sets the cached connection objects (default 600). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetFreeSocketObjPool(pServer: HP_Server, dwFreeSocketObjPool: DWORD) {
    boundary::call("HP_Server_SetFreeSocketObjPool", (), || {
        engine::set(SERVER, pServer, |c| {
            c.free_socket_obj_pool = dwFreeSocketObjPool
        })
    })
}

/// Sets the cached buffers (default 1024). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetFreeBufferObjPool(pServer: HP_Server, dwFreeBufferObjPool: DWORD) {
    boundary::call("HP_Server_SetFreeBufferObjPool", (), || {
        engine::set(SERVER, pServer, |c| {
            c.free_buffer_obj_pool = dwFreeBufferObjPool
        })
    })
}

/// Sets the connection-object cache threshold (default 600). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetFreeSocketObjHold(pServer: HP_Server, dwFreeSocketObjHold: DWORD) {
    boundary::call("HP_Server_SetFreeSocketObjHold", (), || {
        engine::set(SERVER, pServer, |c| {
            c.free_socket_obj_hold = dwFreeSocketObjHold
        })
    })
}

/// Sets the buffer cache threshold (default 1024). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetFreeBufferObjHold(pServer: HP_Server, dwFreeBufferObjHold: DWORD) {
    boundary::call("HP_Server_SetFreeBufferObjHold", (), || {
        engine::set(SERVER, pServer, |c| {
            c.free_buffer_obj_hold = dwFreeBufferObjHold
        })
    })
}

/// Sets the most connections (default 10000; checked by Start). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetMaxConnectionCount(pServer: HP_Server, dwMaxConnectionCount: DWORD) {
    boundary::call("HP_Server_SetMaxConnectionCount", (), || {
        engine::set(SERVER, pServer, |c| {
            c.max_connection_count = dwMaxConnectionCount
        })
    })
}

/// Sets the I/O worker threads (default 2 x CPUs + 2, at most 512; checked by Start). Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetWorkerThreadCount(pServer: HP_Server, dwWorkerThreadCount: DWORD) {
    boundary::call("HP_Server_SetWorkerThreadCount", (), || {
        engine::set(SERVER, pServer, |c| {
            c.worker_thread_count = dwWorkerThreadCount
        })
    })
}

/// Sets whether the last receive time is recorded (default TRUE; needed by
/// `GetSilencePeriod` and `DisconnectSilenceConnections`). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_Server_SetMarkSilence(pServer: HP_Server, bMarkSilence: BOOL) {
    boundary::call("HP_Server_SetMarkSilence", (), || {
        engine::set(SERVER, pServer, |c| {
            c.mark_silence = args::flag(bMarkSilence)
        })
    })
}

/// The address reuse policy.
#[no_mangle]
pub extern "C" fn HP_Server_GetReuseAddressPolicy(pServer: HP_Server) -> En_HP_ReuseAddressPolicy {
    boundary::call("HP_Server_GetReuseAddressPolicy", 0, || {
        engine::get(SERVER, pServer, |c| {
            c.socket.reuse_address_policy as En_HP_ReuseAddressPolicy
        })
    })
}

/// The send policy.
#[no_mangle]
pub extern "C" fn HP_Server_GetSendPolicy(pServer: HP_Server) -> En_HP_SendPolicy {
    boundary::call("HP_Server_GetSendPolicy", 0, || {
        engine::get(SERVER, pServer, |c| c.send_policy as En_HP_SendPolicy)
    })
}

/// The `OnSend` sync policy.
#[no_mangle]
pub extern "C" fn HP_Server_GetOnSendSyncPolicy(pServer: HP_Server) -> En_HP_OnSendSyncPolicy {
    boundary::call("HP_Server_GetOnSendSyncPolicy", 0, || {
        engine::get(SERVER, pServer, |c| {
            c.on_send_sync_policy as En_HP_OnSendSyncPolicy
        })
    })
}

/// The ms a closed connection's object stays unused.
#[no_mangle]
pub extern "C" fn HP_Server_GetFreeSocketObjLockTime(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetFreeSocketObjLockTime", 0, || {
        engine::get(SERVER, pServer, |c| c.free_socket_obj_lock_time)
    })
}

/// The cached connection objects.
#[no_mangle]
pub extern "C" fn HP_Server_GetFreeSocketObjPool(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetFreeSocketObjPool", 0, || {
        engine::get(SERVER, pServer, |c| c.free_socket_obj_pool)
    })
}

/// The cached buffers.
#[no_mangle]
pub extern "C" fn HP_Server_GetFreeBufferObjPool(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetFreeBufferObjPool", 0, || {
        engine::get(SERVER, pServer, |c| c.free_buffer_obj_pool)
    })
}

/// The connection-object cache threshold.
#[no_mangle]
pub extern "C" fn HP_Server_GetFreeSocketObjHold(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetFreeSocketObjHold", 0, || {
        engine::get(SERVER, pServer, |c| c.free_socket_obj_hold)
    })
}

/// The buffer cache threshold.
#[no_mangle]
pub extern "C" fn HP_Server_GetFreeBufferObjHold(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetFreeBufferObjHold", 0, || {
        engine::get(SERVER, pServer, |c| c.free_buffer_obj_hold)
    })
}

/// The most connections.
#[no_mangle]
pub extern "C" fn HP_Server_GetMaxConnectionCount(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetMaxConnectionCount", 0, || {
        engine::get(SERVER, pServer, |c| c.max_connection_count)
    })
}

/// The I/O worker threads.
#[no_mangle]
pub extern "C" fn HP_Server_GetWorkerThreadCount(pServer: HP_Server) -> DWORD {
    boundary::call("HP_Server_GetWorkerThreadCount", 0, || {
        engine::get(SERVER, pServer, |c| c.worker_thread_count)
    })
}

/// Whether the last receive time is recorded.
#[no_mangle]
pub extern "C" fn HP_Server_IsMarkSilence(pServer: HP_Server) -> BOOL {
    boundary::call("HP_Server_IsMarkSilence", FALSE, || {
        engine::get(SERVER, pServer, |c| to_bool(c.mark_silence))
    })
}
