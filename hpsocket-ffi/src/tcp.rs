//! The TCP-only settings and `SendSmallFile`: `HP_TcpServer_*`, `HP_TcpAgent_*` and
//! `HP_TcpClient_*`. Settings change only while the component is stopped (otherwise the call
//! is ignored and the last error says why); values are checked by `Start`.

use std::path::Path;

use crate::args;
use crate::boundary;
use crate::client;
use crate::engine;
use crate::last_error::Result;
use crate::object::{self, Shape};
use crate::types::*;

const TCP_SERVER: Shape = Shape::TcpServer;
const TCP_AGENT: Shape = Shape::TcpAgent;
const TCP_CLIENT: Shape = Shape::TcpClient;

/// The arguments of a `SendSmallFile`.
struct SmallFile<'a> {
    file: String,
    head: Option<&'a [u8]>,
    tail: Option<&'a [u8]>,
}

/// Checks the file name and optional head and tail of a `SendSmallFile`.
///
/// # Safety
/// `file` is NULL or NUL-terminated; `head`/`tail` are NULL or point to `WSABUF`s describing
/// readable bytes.
unsafe fn small_file<'a>(file: LPCTSTR, head: LPWSABUF, tail: LPWSABUF) -> Result<SmallFile<'a>> {
    // SAFETY: per this function's contract.
    let file = unsafe { args::req_str(file, "lpszFileName") }?;
    // SAFETY: per this function's contract.
    let head = unsafe { args::opt_wsabuf(head, "pHead") }?;
    // SAFETY: per this function's contract.
    let tail = unsafe { args::opt_wsabuf(tail, "pTail") }?;
    Ok(SmallFile { file, head, tail })
}

/// Sends `pHead`, the content of the file `lpszFileName` (1 byte to 4 MiB - 1) and `pTail`
/// as one send. `pHead` and `pTail` may be NULL. On a connection of a TCP server.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpServer_SendSmallFile(
    pServer: HP_Server,
    dwConnID: HP_CONNID,
    lpszFileName: LPCTSTR,
    pHead: LPWSABUF,
    pTail: LPWSABUF,
) -> BOOL {
    boundary::call("HP_TcpServer_SendSmallFile", FALSE, || {
        engine::with(TCP_SERVER, pServer, |_, e| {
            // SAFETY: the caller passes a NUL-terminated name and NULL or valid WSABUFs (docs/abi.md).
            let f = unsafe { small_file(lpszFileName, pHead, pTail) }?;
            e.send_small_file(conn_id(dwConnID), Path::new(&f.file), f.head, f.tail)?;
            Ok(TRUE)
        })
    })
}

/// Sends `pHead`, the content of the file `lpszFileName` (1 byte to 4 MiB - 1) and `pTail`
/// as one send. `pHead` and `pTail` may be NULL. On a connection of a TCP agent.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpAgent_SendSmallFile(
    pAgent: HP_Agent,
    dwConnID: HP_CONNID,
    lpszFileName: LPCTSTR,
    pHead: LPWSABUF,
    pTail: LPWSABUF,
) -> BOOL {
    boundary::call("HP_TcpAgent_SendSmallFile", FALSE, || {
        engine::with(TCP_AGENT, pAgent, |_, e| {
            // SAFETY: the caller passes a NUL-terminated name and NULL or valid WSABUFs (docs/abi.md).
            let f = unsafe { small_file(lpszFileName, pHead, pTail) }?;
            e.send_small_file(conn_id(dwConnID), Path::new(&f.file), f.head, f.tail)?;
            Ok(TRUE)
        })
    })
}

/// Sends `pHead`, the content of the file `lpszFileName` (1 byte to 4 MiB - 1) and `pTail`
/// as one send. `pHead` and `pTail` may be NULL. On a TCP client.
#[no_mangle]
pub unsafe extern "C" fn HP_TcpClient_SendSmallFile(
    pClient: HP_Client,
    lpszFileName: LPCTSTR,
    pHead: LPWSABUF,
    pTail: LPWSABUF,
) -> BOOL {
    boundary::call("HP_TcpClient_SendSmallFile", FALSE, || {
        object::with_client(TCP_CLIENT, pClient, |_, c| {
            // SAFETY: the caller passes a NUL-terminated name and NULL or valid WSABUFs (docs/abi.md).
            let f = unsafe { small_file(lpszFileName, pHead, pTail) }?;
            c.inner
                .send_small_file(Path::new(&f.file), f.head, f.tail)?;
            Ok(TRUE)
        })
    })
}

/// Sets the `listen()` backlog (default SOMAXCONN). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpServer_SetSocketListenQueue(
    pServer: HP_TcpServer,
    dwSocketListenQueue: DWORD,
) {
    boundary::call("HP_TcpServer_SetSocketListenQueue", (), || {
        engine::set(TCP_SERVER, pServer, |c| {
            c.socket_listen_queue = dwSocketListenQueue
        })
    })
}

/// Sets readiness events taken per poll (default 64). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpServer_SetAcceptSocketCount(
    pServer: HP_TcpServer,
    dwAcceptSocketCount: DWORD,
) {
    boundary::call("HP_TcpServer_SetAcceptSocketCount", (), || {
        engine::set(TCP_SERVER, pServer, |c| {
            c.accept_socket_count = dwAcceptSocketCount
        })
    })
}

/// Sets the receive block size (default 4096, at least 8). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpServer_SetSocketBufferSize(
    pServer: HP_TcpServer,
    dwSocketBufferSize: DWORD,
) {
    boundary::call("HP_TcpServer_SetSocketBufferSize", (), || {
        engine::set(TCP_SERVER, pServer, |c| {
            c.socket.socket_buffer_size = dwSocketBufferSize
        })
    })
}

/// Sets the TCP keep-alive idle time in ms (default 60000; 0: off). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpServer_SetKeepAliveTime(pServer: HP_TcpServer, dwKeepAliveTime: DWORD) {
    boundary::call("HP_TcpServer_SetKeepAliveTime", (), || {
        engine::set(TCP_SERVER, pServer, |c| {
            c.socket.keep_alive_time = dwKeepAliveTime
        })
    })
}

/// Sets the TCP keep-alive probe interval in ms (default 20000; 0: off). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpServer_SetKeepAliveInterval(
    pServer: HP_TcpServer,
    dwKeepAliveInterval: DWORD,
) {
    boundary::call("HP_TcpServer_SetKeepAliveInterval", (), || {
        engine::set(TCP_SERVER, pServer, |c| {
            c.socket.keep_alive_interval = dwKeepAliveInterval
        })
    })
}

/// Sets `TCP_NODELAY` (default FALSE). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpServer_SetNoDelay(pServer: HP_TcpServer, bNoDelay: BOOL) {
    boundary::call("HP_TcpServer_SetNoDelay", (), || {
        engine::set(TCP_SERVER, pServer, |c| {
            c.socket.no_delay = args::flag(bNoDelay)
        })
    })
}

/// Returns the `listen()` backlog.
#[no_mangle]
pub extern "C" fn HP_TcpServer_GetSocketListenQueue(pServer: HP_TcpServer) -> DWORD {
    boundary::call("HP_TcpServer_GetSocketListenQueue", 0, || {
        engine::get(TCP_SERVER, pServer, |c| c.socket_listen_queue)
    })
}

/// Returns readiness events taken per poll.
#[no_mangle]
pub extern "C" fn HP_TcpServer_GetAcceptSocketCount(pServer: HP_TcpServer) -> DWORD {
    boundary::call("HP_TcpServer_GetAcceptSocketCount", 0, || {
        engine::get(TCP_SERVER, pServer, |c| c.accept_socket_count)
    })
}

/// Returns the receive block size.
#[no_mangle]
pub extern "C" fn HP_TcpServer_GetSocketBufferSize(pServer: HP_TcpServer) -> DWORD {
    boundary::call("HP_TcpServer_GetSocketBufferSize", 0, || {
        engine::get(TCP_SERVER, pServer, |c| c.socket.socket_buffer_size)
    })
}

/// Returns the TCP keep-alive idle time in ms.
#[no_mangle]
pub extern "C" fn HP_TcpServer_GetKeepAliveTime(pServer: HP_TcpServer) -> DWORD {
    boundary::call("HP_TcpServer_GetKeepAliveTime", 0, || {
        engine::get(TCP_SERVER, pServer, |c| c.socket.keep_alive_time)
    })
}

/// Returns the TCP keep-alive probe interval in ms.
#[no_mangle]
pub extern "C" fn HP_TcpServer_GetKeepAliveInterval(pServer: HP_TcpServer) -> DWORD {
    boundary::call("HP_TcpServer_GetKeepAliveInterval", 0, || {
        engine::get(TCP_SERVER, pServer, |c| c.socket.keep_alive_interval)
    })
}

/// Whether `TCP_NODELAY` is set.
#[no_mangle]
pub extern "C" fn HP_TcpServer_IsNoDelay(pServer: HP_TcpServer) -> BOOL {
    boundary::call("HP_TcpServer_IsNoDelay", FALSE, || {
        engine::get(TCP_SERVER, pServer, |c| to_bool(c.socket.no_delay))
    })
}

/// Sets the timeout of a synchronous connect in ms (default 10000). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_SetSyncConnectTimeout(
    pAgent: HP_TcpAgent,
    dwSyncConnectTimeout: DWORD,
) {
    boundary::call("HP_TcpAgent_SetSyncConnectTimeout", (), || {
        engine::set(TCP_AGENT, pAgent, |c| {
            c.sync_connect_timeout = dwSyncConnectTimeout
        })
    })
}

/// Sets the receive block size (default 4096, at least 8). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_SetSocketBufferSize(pAgent: HP_TcpAgent, dwSocketBufferSize: DWORD) {
    boundary::call("HP_TcpAgent_SetSocketBufferSize", (), || {
        engine::set(TCP_AGENT, pAgent, |c| {
            c.socket.socket_buffer_size = dwSocketBufferSize
        })
    })
}

/// Sets the TCP keep-alive idle time in ms (default 60000; 0: off). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_SetKeepAliveTime(pAgent: HP_TcpAgent, dwKeepAliveTime: DWORD) {
    boundary::call("HP_TcpAgent_SetKeepAliveTime", (), || {
        engine::set(TCP_AGENT, pAgent, |c| {
            c.socket.keep_alive_time = dwKeepAliveTime
        })
    })
}

/// Sets the TCP keep-alive probe interval in ms (default 20000; 0: off). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_SetKeepAliveInterval(
    pAgent: HP_TcpAgent,
    dwKeepAliveInterval: DWORD,
) {
    boundary::call("HP_TcpAgent_SetKeepAliveInterval", (), || {
        engine::set(TCP_AGENT, pAgent, |c| {
            c.socket.keep_alive_interval = dwKeepAliveInterval
        })
    })
}

/// Sets `TCP_NODELAY` (default FALSE). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_SetNoDelay(pAgent: HP_TcpAgent, bNoDelay: BOOL) {
    boundary::call("HP_TcpAgent_SetNoDelay", (), || {
        engine::set(TCP_AGENT, pAgent, |c| {
            c.socket.no_delay = args::flag(bNoDelay)
        })
    })
}

/// Returns the timeout of a synchronous connect in ms.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_GetSyncConnectTimeout(pAgent: HP_TcpAgent) -> DWORD {
    boundary::call("HP_TcpAgent_GetSyncConnectTimeout", 0, || {
        engine::get(TCP_AGENT, pAgent, |c| c.sync_connect_timeout)
    })
}

/// Returns the receive block size.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_GetSocketBufferSize(pAgent: HP_TcpAgent) -> DWORD {
    boundary::call("HP_TcpAgent_GetSocketBufferSize", 0, || {
        engine::get(TCP_AGENT, pAgent, |c| c.socket.socket_buffer_size)
    })
}

/// Returns the TCP keep-alive idle time in ms.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_GetKeepAliveTime(pAgent: HP_TcpAgent) -> DWORD {
    boundary::call("HP_TcpAgent_GetKeepAliveTime", 0, || {
        engine::get(TCP_AGENT, pAgent, |c| c.socket.keep_alive_time)
    })
}

/// Returns the TCP keep-alive probe interval in ms.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_GetKeepAliveInterval(pAgent: HP_TcpAgent) -> DWORD {
    boundary::call("HP_TcpAgent_GetKeepAliveInterval", 0, || {
        engine::get(TCP_AGENT, pAgent, |c| c.socket.keep_alive_interval)
    })
}

/// Whether `TCP_NODELAY` is set.
#[no_mangle]
pub extern "C" fn HP_TcpAgent_IsNoDelay(pAgent: HP_TcpAgent) -> BOOL {
    boundary::call("HP_TcpAgent_IsNoDelay", FALSE, || {
        engine::get(TCP_AGENT, pAgent, |c| to_bool(c.socket.no_delay))
    })
}

/// Sets the timeout of a synchronous connect in ms (default 10000). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpClient_SetSyncConnectTimeout(
    pClient: HP_TcpClient,
    dwSyncConnectTimeout: DWORD,
) {
    boundary::call("HP_TcpClient_SetSyncConnectTimeout", (), || {
        client::set(TCP_CLIENT, pClient, |c| {
            c.sync_connect_timeout = dwSyncConnectTimeout
        })
    })
}

/// Sets the receive block size (default 4096, at least 8). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpClient_SetSocketBufferSize(
    pClient: HP_TcpClient,
    dwSocketBufferSize: DWORD,
) {
    boundary::call("HP_TcpClient_SetSocketBufferSize", (), || {
        client::set(TCP_CLIENT, pClient, |c| {
            c.socket.socket_buffer_size = dwSocketBufferSize
        })
    })
}

/// Sets the TCP keep-alive idle time in ms (default 60000; 0: off). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpClient_SetKeepAliveTime(pClient: HP_TcpClient, dwKeepAliveTime: DWORD) {
    boundary::call("HP_TcpClient_SetKeepAliveTime", (), || {
        client::set(TCP_CLIENT, pClient, |c| {
            c.socket.keep_alive_time = dwKeepAliveTime
        })
    })
}

/// Sets the TCP keep-alive probe interval in ms (default 20000; 0: off). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpClient_SetKeepAliveInterval(
    pClient: HP_TcpClient,
    dwKeepAliveInterval: DWORD,
) {
    boundary::call("HP_TcpClient_SetKeepAliveInterval", (), || {
        client::set(TCP_CLIENT, pClient, |c| {
            c.socket.keep_alive_interval = dwKeepAliveInterval
        })
    })
}

/// Sets `TCP_NODELAY` (default FALSE). Ignored while not stopped.
#[no_mangle]
pub extern "C" fn HP_TcpClient_SetNoDelay(pClient: HP_TcpClient, bNoDelay: BOOL) {
    boundary::call("HP_TcpClient_SetNoDelay", (), || {
        client::set(TCP_CLIENT, pClient, |c| {
            c.socket.no_delay = args::flag(bNoDelay)
        })
    })
}

/// Returns the timeout of a synchronous connect in ms.
#[no_mangle]
pub extern "C" fn HP_TcpClient_GetSyncConnectTimeout(pClient: HP_TcpClient) -> DWORD {
    boundary::call("HP_TcpClient_GetSyncConnectTimeout", 0, || {
        client::get(TCP_CLIENT, pClient, |c| c.sync_connect_timeout)
    })
}

/// Returns the receive block size.
#[no_mangle]
pub extern "C" fn HP_TcpClient_GetSocketBufferSize(pClient: HP_TcpClient) -> DWORD {
    boundary::call("HP_TcpClient_GetSocketBufferSize", 0, || {
        client::get(TCP_CLIENT, pClient, |c| c.socket.socket_buffer_size)
    })
}

/// Returns the TCP keep-alive idle time in ms.
#[no_mangle]
pub extern "C" fn HP_TcpClient_GetKeepAliveTime(pClient: HP_TcpClient) -> DWORD {
    boundary::call("HP_TcpClient_GetKeepAliveTime", 0, || {
        client::get(TCP_CLIENT, pClient, |c| c.socket.keep_alive_time)
    })
}

/// Returns the TCP keep-alive probe interval in ms.
#[no_mangle]
pub extern "C" fn HP_TcpClient_GetKeepAliveInterval(pClient: HP_TcpClient) -> DWORD {
    boundary::call("HP_TcpClient_GetKeepAliveInterval", 0, || {
        client::get(TCP_CLIENT, pClient, |c| c.socket.keep_alive_interval)
    })
}

/// Whether `TCP_NODELAY` is set.
#[no_mangle]
pub extern "C" fn HP_TcpClient_IsNoDelay(pClient: HP_TcpClient) -> BOOL {
    boundary::call("HP_TcpClient_IsNoDelay", FALSE, || {
        client::get(TCP_CLIENT, pClient, |c| to_bool(c.socket.no_delay))
    })
}
