//! The client family: `Create_HP_TcpClient`/`Destroy_HP_TcpClient` and the `HP_Client_*`
//! functions, which accept any client-shaped handle. A client owns one connection on its own
//! worker thread and stops by itself when that connection closes.

use std::ffi::c_int;
use std::sync::Arc;

use hpsocket_core::{ClientConfig, ReceiveModel, TcpClient};

use crate::args;
use crate::boundary;
use crate::engine;
use crate::handle::{self, Kind};
use crate::last_error::Result;
use crate::listener::{self, Adapter};
use crate::object::{self, Body, Component, Object, Shape};
use crate::types::*;

const CLIENT: Shape = Shape::Client;

/// Changes a client setting; refused (unchanged, last error set) while not stopped.
pub(crate) fn set(shape: Shape, p: HP_Client, f: impl FnOnce(&mut ClientConfig)) -> Result<()> {
    object::with_client(shape, p, |_, c| Ok(c.inner.update_config(f)?))
}

/// Reads a client setting.
pub(crate) fn get<T>(shape: Shape, p: HP_Client, f: impl FnOnce(&ClientConfig) -> T) -> Result<T> {
    object::with_client(shape, p, |_, c| Ok(f(&c.inner.config())))
}

/// Creates a client of `kind` (receive model and TLS) reporting to `listener`, a client
/// listener: the body of every `Create_HP_*Client`.
pub(crate) fn create(
    function: &'static str,
    kind: Kind,
    listener: HP_ClientListener,
    model: ReceiveModel,
    secure: bool,
) -> HP_Object {
    boundary::call(function, std::ptr::null_mut(), || {
        let callbacks = listener::client_callbacks(listener)?;
        let reservation = handle::reserve(kind)?;
        let adapter = Arc::new(Adapter::new(callbacks, reservation.handle()));
        let inner = if secure {
            TcpClient::new_ssl(adapter, model)
        } else {
            TcpClient::with_model(adapter, model)
        };
        Ok(Object::publish(
            reservation,
            kind,
            Body::Client(Component::new(inner)),
        ))
    })
}

/// Creates a TCP client (PUSH model) reporting to `pListener`, a TCP client listener. NULL on
/// failure (an invalid listener); the reason is in `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_TcpClient(pListener: HP_TcpClientListener) -> HP_TcpClient {
    create(
        "Create_HP_TcpClient",
        Kind::TcpClient,
        pListener,
        ReceiveModel::Push,
        false,
    )
}

/// Destroys a TCP client: stops it first if it runs (every callback has returned when this
/// returns), then frees its user data. NULL and already destroyed handles are ignored; from
/// one of the client's own callbacks it is refused (`SE_ILLEGAL_STATE`; `HP_Client_Stop` is
/// allowed there).
#[no_mangle]
pub extern "C" fn Destroy_HP_TcpClient(pClient: HP_TcpClient) {
    boundary::call("Destroy_HP_TcpClient", (), || {
        object::destroy(pClient, Kind::TcpClient)
    })
}

/// One `HP_Client_Start*`.
///
/// # Safety
/// `remote` and `bind` are NULL or NUL-terminated strings.
unsafe fn start(
    client: HP_Client,
    remote: LPCTSTR,
    port: USHORT,
    async_connect: BOOL,
    bind: LPCTSTR,
    local_port: USHORT,
) -> Result<BOOL> {
    object::with_client(CLIENT, client, |o, c| {
        // SAFETY: per this function's contract.
        let remote = unsafe { args::req_str(remote, "lpszRemoteAddress") }?;
        // SAFETY: per this function's contract.
        let bind = unsafe { args::opt_str(bind, "lpszBindAddress") }?;
        c.start(o, |k| {
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

/// Starts the client and connects to `lpszRemoteAddress` (an IP, a host name or
/// `"address^hostname"`) and `usPort`. With `bAsyncConnect` FALSE it blocks until connected
/// (or `SyncConnectTimeout`) and fails if the connect does.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_Start(
    pClient: HP_Client,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    bAsyncConnect: BOOL,
) -> BOOL {
    boundary::call("HP_Client_Start", FALSE, || {
        // SAFETY: the caller passes NUL-terminated strings (docs/abi.md).
        unsafe {
            start(
                pClient,
                lpszRemoteAddress,
                usPort,
                bAsyncConnect,
                std::ptr::null(),
                0,
            )
        }
    })
}

/// `HP_Client_Start`, binding the local side to `lpszBindAddress` (NULL: no bind) first.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_StartWithBindAddress(
    pClient: HP_Client,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    bAsyncConnect: BOOL,
    lpszBindAddress: LPCTSTR,
) -> BOOL {
    boundary::call("HP_Client_StartWithBindAddress", FALSE, || {
        // SAFETY: the caller passes NUL-terminated strings (docs/abi.md).
        unsafe {
            start(
                pClient,
                lpszRemoteAddress,
                usPort,
                bAsyncConnect,
                lpszBindAddress,
                0,
            )
        }
    })
}

/// `HP_Client_Start`, binding to `lpszBindAddress` and local port `usLocalPort` (0: any).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_StartWithBindAddressAndLocalPort(
    pClient: HP_Client,
    lpszRemoteAddress: LPCTSTR,
    usPort: USHORT,
    bAsyncConnect: BOOL,
    lpszBindAddress: LPCTSTR,
    usLocalPort: USHORT,
) -> BOOL {
    boundary::call("HP_Client_StartWithBindAddressAndLocalPort", FALSE, || {
        // SAFETY: the caller passes NUL-terminated strings (docs/abi.md).
        unsafe {
            start(
                pClient,
                lpszRemoteAddress,
                usPort,
                bAsyncConnect,
                lpszBindAddress,
                usLocalPort,
            )
        }
    })
}

/// The description of the client's last failure; never NULL. The text is owned by the client:
/// it stays valid until the client is destroyed or has handed out four other descriptions
/// (calls on other objects and threads do not affect it). An invalid handle gives the text of
/// that failure, owned by the calling thread (as `HPX_GetLastErrorDesc`).
#[no_mangle]
pub extern "C" fn HP_Client_GetLastErrorDesc(pClient: HP_Client) -> LPCTSTR {
    boundary::desc_call("HP_Client_GetLastErrorDesc", || {
        object::with_client(CLIENT, pClient, |o, _| Ok(o.last_error_desc()))
    })
}

/// Closes the connection (`OnClose(SO_CLOSE, 0)`) and stops. Allowed inside the client's own
/// callbacks, where the stop finishes in the background.
#[no_mangle]
pub extern "C" fn HP_Client_Stop(pClient: HP_Client) -> BOOL {
    boundary::call("HP_Client_Stop", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            c.inner.stop()?;
            Ok(TRUE)
        })
    })
}

/// Waits until the client is stopped, at most `dwMilliseconds` (`INFINITE`: for ever).
#[no_mangle]
pub extern "C" fn HP_Client_Wait(pClient: HP_Client, dwMilliseconds: DWORD) -> BOOL {
    boundary::call("HP_Client_Wait", FALSE, || {
        object::with_client(CLIENT, pClient, |o, c| {
            object::refuse_in_own_callback(o, "Wait")?;
            engine::waited(
                c.inner.wait(engine::timeout(dwMilliseconds)),
                dwMilliseconds,
                c.inner.state(),
            )
        })
    })
}

/// Sends `iLength` bytes; they are copied or written before this returns.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_Send(
    pClient: HP_Client,
    pBuffer: *const BYTE,
    iLength: c_int,
) -> BOOL {
    boundary::call("HP_Client_Send", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            // SAFETY: the caller passes `iLength` readable bytes at `pBuffer` (docs/abi.md).
            let data = unsafe { args::bytes(pBuffer, iLength, "pBuffer") }?;
            c.inner.send(data)?;
            Ok(TRUE)
        })
    })
}

/// Sends the `iLength` bytes at `pBuffer + iOffset`.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SendPart(
    pClient: HP_Client,
    pBuffer: *const BYTE,
    iLength: c_int,
    iOffset: c_int,
) -> BOOL {
    boundary::call("HP_Client_SendPart", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            // SAFETY: the caller passes `iLength` readable bytes at `pBuffer + iOffset` (docs/abi.md).
            let data = unsafe { args::part(pBuffer, iLength, iOffset, "pBuffer") }?;
            c.inner.send(data)?;
            Ok(TRUE)
        })
    })
}

/// Sends `iCount` buffers in order as one send.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_SendPackets(
    pClient: HP_Client,
    pBuffers: *const WSABUF,
    iCount: c_int,
) -> BOOL {
    boundary::call("HP_Client_SendPackets", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            // SAFETY: the caller passes `iCount` WSABUFs describing readable bytes (docs/abi.md).
            let bufs = unsafe { args::wsabufs(pBuffers, iCount) }?;
            c.inner.send_packets(&bufs)?;
            Ok(TRUE)
        })
    })
}

/// Stops (`TRUE`) or resumes (`FALSE`) reading.
#[no_mangle]
pub extern "C" fn HP_Client_PauseReceive(pClient: HP_Client, bPause: BOOL) -> BOOL {
    boundary::call("HP_Client_PauseReceive", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            c.inner.pause_receive(args::flag(bPause))?;
            Ok(TRUE)
        })
    })
}

/// Attaches an opaque pointer to the client (never dereferenced or freed by the library).
#[no_mangle]
pub extern "C" fn HP_Client_SetExtra(pClient: HP_Client, pExtra: PVOID) {
    boundary::call("HP_Client_SetExtra", (), || {
        object::with_client(CLIENT, pClient, |_, c| {
            c.inner.set_extra(pExtra as usize);
            Ok(())
        })
    })
}

/// The pointer set with `HP_Client_SetExtra` (NULL if none or for an invalid handle).
#[no_mangle]
pub extern "C" fn HP_Client_GetExtra(pClient: HP_Client) -> PVOID {
    boundary::call("HP_Client_GetExtra", std::ptr::null_mut(), || {
        object::with_client(CLIENT, pClient, |_, c| Ok(c.inner.extra() as PVOID))
    })
}

/// TRUE for SSL components, FALSE for plain TCP.
#[no_mangle]
pub extern "C" fn HP_Client_IsSecure(pClient: HP_Client) -> BOOL {
    boundary::call("HP_Client_IsSecure", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| Ok(to_bool(c.inner.is_secure())))
    })
}

/// TRUE while starting or started.
#[no_mangle]
pub extern "C" fn HP_Client_HasStarted(pClient: HP_Client) -> BOOL {
    boundary::call("HP_Client_HasStarted", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| Ok(to_bool(c.inner.has_started())))
    })
}

/// The life-cycle state (`SS_STOPPED` for an invalid handle).
#[no_mangle]
pub extern "C" fn HP_Client_GetState(pClient: HP_Client) -> En_HP_ServiceState {
    boundary::call("HP_Client_GetState", SS_STOPPED, || {
        object::with_client(CLIENT, pClient, |_, c| {
            Ok(c.inner.state() as En_HP_ServiceState)
        })
    })
}

/// The code of the client's last failure (`SE_OK` if none).
#[no_mangle]
pub extern "C" fn HP_Client_GetLastError(pClient: HP_Client) -> En_HP_SocketError {
    boundary::call("HP_Client_GetLastError", SE_INVALID_PARAM, || {
        object::with_client(CLIENT, pClient, |o, _| Ok(o.last_error().code))
    })
}

/// The ID of the current (or last) connection; 0 before the first start.
#[no_mangle]
pub extern "C" fn HP_Client_GetConnectionID(pClient: HP_Client) -> HP_CONNID {
    boundary::call("HP_Client_GetConnectionID", 0, || {
        object::with_client(CLIENT, pClient, |_, c| {
            Ok(c_conn_id(c.inner.connection_id()))
        })
    })
}

/// The local IP address and port. On entry `*piAddressLen` is the size of `lpszAddress` in
/// chars; on return the length needed including the NUL (FALSE when too short).
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetLocalAddress(
    pClient: HP_Client,
    lpszAddress: *mut TCHAR,
    piAddressLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Client_GetLocalAddress", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            let addr = c.inner.local_address()?;
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

/// The host and port given to `Start`, with the buffer convention of `GetLocalAddress`.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetRemoteHost(
    pClient: HP_Client,
    lpszHost: *mut TCHAR,
    piHostLen: *mut c_int,
    pusPort: *mut USHORT,
) -> BOOL {
    boundary::call("HP_Client_GetRemoteHost", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            let (host, port) = c.inner.remote_host()?;
            // SAFETY: the caller passes a buffer of `*piHostLen` chars and writable out-params.
            unsafe { args::address_out(&host, port, lpszHost, piHostLen, pusPort, "lpszHost") }?;
            Ok(TRUE)
        })
    })
}

/// Bytes accepted by `Send` and not yet written, into `*piPending`.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_GetPendingDataLength(
    pClient: HP_Client,
    piPending: *mut c_int,
) -> BOOL {
    boundary::call("HP_Client_GetPendingDataLength", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            let out = args::out(piPending, "piPending")?;
            let n = c.inner.pending_data_length()?;
            // SAFETY: the caller passes a writable `int*` (docs/abi.md).
            unsafe { out.set(c_len(n)) };
            Ok(TRUE)
        })
    })
}

/// Whether reading is paused, into `*pbPaused`.
#[no_mangle]
pub unsafe extern "C" fn HP_Client_IsPauseReceive(pClient: HP_Client, pbPaused: *mut BOOL) -> BOOL {
    boundary::call("HP_Client_IsPauseReceive", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| {
            let out = args::out(pbPaused, "pbPaused")?;
            let paused = c.inner.is_pause_receive()?;
            // SAFETY: the caller passes a writable `BOOL*` (docs/abi.md).
            unsafe { out.set(to_bool(paused)) };
            Ok(TRUE)
        })
    })
}

/// TRUE when the connection is established.
#[no_mangle]
pub extern "C" fn HP_Client_IsConnected(pClient: HP_Client) -> BOOL {
    boundary::call("HP_Client_IsConnected", FALSE, || {
        object::with_client(CLIENT, pClient, |_, c| Ok(to_bool(c.inner.is_connected())))
    })
}

/// Sets the address reuse policy (`RAP_*`). Ignored while not stopped; an unknown value is
/// refused. Both leave the setting unchanged and set the last error.
#[no_mangle]
pub extern "C" fn HP_Client_SetReuseAddressPolicy(
    pClient: HP_Client,
    enReusePolicy: En_HP_ReuseAddressPolicy,
) {
    boundary::call("HP_Client_SetReuseAddressPolicy", (), || {
        object::with_client(CLIENT, pClient, |_, c| {
            let policy = engine::reuse_policy(enReusePolicy)?;
            Ok(c.inner
                .update_config(|k| k.socket.reuse_address_policy = policy)?)
        })
    })
}

/// Sets the number of cached buffers (default 60). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_Client_SetFreeBufferPoolSize(pClient: HP_Client, dwFreeBufferPoolSize: DWORD) {
    boundary::call("HP_Client_SetFreeBufferPoolSize", (), || {
        set(CLIENT, pClient, |k| {
            k.free_buffer_pool_size = dwFreeBufferPoolSize
        })
    })
}

/// Sets the buffer cache threshold (default 60). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_Client_SetFreeBufferPoolHold(pClient: HP_Client, dwFreeBufferPoolHold: DWORD) {
    boundary::call("HP_Client_SetFreeBufferPoolHold", (), || {
        set(CLIENT, pClient, |k| {
            k.free_buffer_pool_hold = dwFreeBufferPoolHold
        })
    })
}

/// The address reuse policy.
#[no_mangle]
pub extern "C" fn HP_Client_GetReuseAddressPolicy(pClient: HP_Client) -> En_HP_ReuseAddressPolicy {
    boundary::call("HP_Client_GetReuseAddressPolicy", 0, || {
        get(CLIENT, pClient, |k| {
            k.socket.reuse_address_policy as En_HP_ReuseAddressPolicy
        })
    })
}

/// The number of cached buffers.
#[no_mangle]
pub extern "C" fn HP_Client_GetFreeBufferPoolSize(pClient: HP_Client) -> DWORD {
    boundary::call("HP_Client_GetFreeBufferPoolSize", 0, || {
        get(CLIENT, pClient, |k| k.free_buffer_pool_size)
    })
}

/// The buffer cache threshold.
#[no_mangle]
pub extern "C" fn HP_Client_GetFreeBufferPoolHold(pClient: HP_Client) -> DWORD {
    boundary::call("HP_Client_GetFreeBufferPoolHold", 0, || {
        get(CLIENT, pClient, |k| k.free_buffer_pool_hold)
    })
}
