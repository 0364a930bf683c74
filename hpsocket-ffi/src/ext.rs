//! Extensions HP-Socket lacks, named `HPX_*` so a porter can grep for what is not portable:
//! user data on any object (for wrappers mapping `pSender` back to their own object), the
//! thread's last error (for failures with no valid object, such as a `Create_*` returning
//! NULL), and settings of the core that HP-Socket does not have: a bounded send queue with
//! its `OnSendDrained` event, an asynchronous connect timeout, silence counting sends, and a
//! TLS handshake timeout.

use std::ffi::c_int;

use crate::args;
use crate::boundary;
use crate::client;
use crate::engine;
use crate::last_error::{thread_desc_ptr, thread_error, FfiError};
use crate::listener;
use crate::object::{self, Shape};
use crate::types::*;

/// Attaches `pData` to any object (component or listener), replacing what was attached
/// before; the previous data's `fnFree` (if any) runs now, on this thread. `fnFree(pData)`
/// (may be NULL) runs exactly once: when the data is replaced, or when the object is
/// destroyed, after its last callback has returned. FALSE for an invalid or destroyed
/// object, in which case `fnFree` is not called and the caller keeps `pData`.
#[no_mangle]
pub extern "C" fn HPX_Object_SetUserData(
    pObject: HP_Object,
    pData: PVOID,
    fnFree: HPX_FN_FreeUserData,
) -> BOOL {
    boundary::call("HPX_Object_SetUserData", FALSE, || {
        object::with_object(pObject, |o| {
            if o.set_user_data(pData, fnFree) {
                Ok(TRUE)
            } else {
                Err(FfiError::illegal_state("the object is being destroyed"))
            }
        })
    })
}

/// The data attached with `HPX_Object_SetUserData` (NULL if none or for an invalid handle).
/// Callable from any thread and inside callbacks (`pSender` is the component's handle).
#[no_mangle]
pub extern "C" fn HPX_Object_GetUserData(pObject: HP_Object) -> PVOID {
    boundary::call("HPX_Object_GetUserData", std::ptr::null_mut(), || {
        object::with_object(pObject, |o| Ok(o.user_data()))
    })
}

/// The code of the last failure of any call of this library on this thread (`SE_OK` if
/// none), including failures that had no valid object to record them on.
#[no_mangle]
pub extern "C" fn HPX_GetLastError() -> En_HP_SocketError {
    boundary::call("HPX_GetLastError", SE_OK, || Ok(thread_error().code))
}

/// The description of the thread's last failure, naming the function and the bad parameter
/// or state; never NULL. The text is owned by the calling thread: valid until four other
/// thread descriptions were handed out on it (or it exits); object descriptions
/// (`HP_Server_GetLastErrorDesc`, ...) do not affect it.
#[no_mangle]
pub extern "C" fn HPX_GetLastErrorDesc() -> LPCTSTR {
    boundary::desc_call("HPX_GetLastErrorDesc", || {
        Ok(thread_desc_ptr(&thread_error().description))
    })
}

/// Test hook, not in the header: panics inside the boundary (`iMode` 0: a `&str` payload,
/// 1: a `String` payload) to show that no panic crosses into C. Returns FALSE with
/// `SE_DATA_PROC` then; any other `iMode` returns TRUE.
#[doc(hidden)]
#[no_mangle]
pub extern "C" fn HPX_Test_Panic(iMode: c_int) -> BOOL {
    boundary::call("HPX_Test_Panic", FALSE, || match iMode {
        0 => panic!("HPX_Test_Panic: a deliberate panic"),
        1 => panic!("HPX_Test_Panic: a deliberate panic with mode {iMode}"),
        _ => Ok(TRUE),
    })
}

// ---------------------------------------------------------------------------------------
// Send queue bound and the drained event

/// Sets the most bytes one connection may have queued and unsent (default 0: unbounded, as
/// in HP-Socket). A send that would pass it fails (`SE_DATA_SEND`, `errno` `ENOBUFS`) and
/// leaves the connection usable; a send into an empty queue always goes. Ignored (last error
/// set) while not stopped.
#[no_mangle]
pub extern "C" fn HPX_Server_SetMaxSendQueueBytes(pServer: HP_Server, dwMaxBytes: DWORD) {
    boundary::call("HPX_Server_SetMaxSendQueueBytes", (), || {
        engine::set(Shape::Server, pServer, |c| {
            c.socket.max_send_queue_bytes = dwMaxBytes
        })
    })
}

/// The send queue bound (0: unbounded).
#[no_mangle]
pub extern "C" fn HPX_Server_GetMaxSendQueueBytes(pServer: HP_Server) -> DWORD {
    boundary::call("HPX_Server_GetMaxSendQueueBytes", 0, || {
        engine::get(Shape::Server, pServer, |c| c.socket.max_send_queue_bytes)
    })
}

/// Sets the low watermark (default 0; must be below the bound, checked by Start): after a
/// send was refused for a full queue, `OnSendDrained` fires once the queue is down to this
/// many bytes. Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HPX_Server_SetSendQueueLowWatermark(pServer: HP_Server, dwBytes: DWORD) {
    boundary::call("HPX_Server_SetSendQueueLowWatermark", (), || {
        engine::set(Shape::Server, pServer, |c| {
            c.socket.send_queue_low_watermark = dwBytes
        })
    })
}

/// The low watermark.
#[no_mangle]
pub extern "C" fn HPX_Server_GetSendQueueLowWatermark(pServer: HP_Server) -> DWORD {
    boundary::call("HPX_Server_GetSendQueueLowWatermark", 0, || {
        engine::get(Shape::Server, pServer, |c| {
            c.socket.send_queue_low_watermark
        })
    })
}

/// See `HPX_Server_SetMaxSendQueueBytes`.
#[no_mangle]
pub extern "C" fn HPX_Agent_SetMaxSendQueueBytes(pAgent: HP_Agent, dwMaxBytes: DWORD) {
    boundary::call("HPX_Agent_SetMaxSendQueueBytes", (), || {
        engine::set(Shape::Agent, pAgent, |c| {
            c.socket.max_send_queue_bytes = dwMaxBytes
        })
    })
}

/// The send queue bound (0: unbounded).
#[no_mangle]
pub extern "C" fn HPX_Agent_GetMaxSendQueueBytes(pAgent: HP_Agent) -> DWORD {
    boundary::call("HPX_Agent_GetMaxSendQueueBytes", 0, || {
        engine::get(Shape::Agent, pAgent, |c| c.socket.max_send_queue_bytes)
    })
}

/// See `HPX_Server_SetSendQueueLowWatermark`.
#[no_mangle]
pub extern "C" fn HPX_Agent_SetSendQueueLowWatermark(pAgent: HP_Agent, dwBytes: DWORD) {
    boundary::call("HPX_Agent_SetSendQueueLowWatermark", (), || {
        engine::set(Shape::Agent, pAgent, |c| {
            c.socket.send_queue_low_watermark = dwBytes
        })
    })
}

/// The low watermark.
#[no_mangle]
pub extern "C" fn HPX_Agent_GetSendQueueLowWatermark(pAgent: HP_Agent) -> DWORD {
    boundary::call("HPX_Agent_GetSendQueueLowWatermark", 0, || {
        engine::get(Shape::Agent, pAgent, |c| c.socket.send_queue_low_watermark)
    })
}

/// See `HPX_Server_SetMaxSendQueueBytes`.
#[no_mangle]
pub extern "C" fn HPX_Client_SetMaxSendQueueBytes(pClient: HP_Client, dwMaxBytes: DWORD) {
    boundary::call("HPX_Client_SetMaxSendQueueBytes", (), || {
        client::set(Shape::Client, pClient, |c| {
            c.socket.max_send_queue_bytes = dwMaxBytes
        })
    })
}

/// The send queue bound (0: unbounded).
#[no_mangle]
pub extern "C" fn HPX_Client_GetMaxSendQueueBytes(pClient: HP_Client) -> DWORD {
    boundary::call("HPX_Client_GetMaxSendQueueBytes", 0, || {
        client::get(Shape::Client, pClient, |c| c.socket.max_send_queue_bytes)
    })
}

/// See `HPX_Server_SetSendQueueLowWatermark`.
#[no_mangle]
pub extern "C" fn HPX_Client_SetSendQueueLowWatermark(pClient: HP_Client, dwBytes: DWORD) {
    boundary::call("HPX_Client_SetSendQueueLowWatermark", (), || {
        client::set(Shape::Client, pClient, |c| {
            c.socket.send_queue_low_watermark = dwBytes
        })
    })
}

/// The low watermark.
#[no_mangle]
pub extern "C" fn HPX_Client_GetSendQueueLowWatermark(pClient: HP_Client) -> DWORD {
    boundary::call("HPX_Client_GetSendQueueLowWatermark", 0, || {
        client::get(Shape::Client, pClient, |c| {
            c.socket.send_queue_low_watermark
        })
    })
}

/// Sets the server listener's `OnSendDrained` callback (NULL clears it): a send was refused
/// for a full queue and the queue is now down to the low watermark. Runs on the connection's
/// worker; the result is ignored.
#[no_mangle]
pub extern "C" fn HPX_Set_FN_Server_OnSendDrained(
    pListener: HP_ServerListener,
    fn_: HPX_FN_Server_OnSendDrained,
) {
    boundary::call("HPX_Set_FN_Server_OnSendDrained", (), || {
        listener::server_callbacks(pListener)?.set_send_drained(fn_);
        Ok(())
    })
}

/// The agent form of `HPX_Set_FN_Server_OnSendDrained`.
#[no_mangle]
pub extern "C" fn HPX_Set_FN_Agent_OnSendDrained(
    pListener: HP_AgentListener,
    fn_: HPX_FN_Agent_OnSendDrained,
) {
    boundary::call("HPX_Set_FN_Agent_OnSendDrained", (), || {
        listener::agent_callbacks(pListener)?.set_send_drained(fn_);
        Ok(())
    })
}

/// The client form of `HPX_Set_FN_Server_OnSendDrained`.
#[no_mangle]
pub extern "C" fn HPX_Set_FN_Client_OnSendDrained(
    pListener: HP_ClientListener,
    fn_: HPX_FN_Client_OnSendDrained,
) {
    boundary::call("HPX_Set_FN_Client_OnSendDrained", (), || {
        listener::client_callbacks(pListener)?.set_send_drained(fn_);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Asynchronous connect timeout

/// Sets how many ms an asynchronous connect may take before it fails with
/// `OnClose(SO_CONNECT, ETIMEDOUT)` (default 0: the operating system's timeout). Ignored
/// (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HPX_Agent_SetConnectTimeout(pAgent: HP_Agent, dwMilliseconds: DWORD) {
    boundary::call("HPX_Agent_SetConnectTimeout", (), || {
        engine::set(Shape::Agent, pAgent, |c| {
            c.socket.connect_timeout = dwMilliseconds
        })
    })
}

/// The asynchronous connect timeout in ms (0: the system's).
#[no_mangle]
pub extern "C" fn HPX_Agent_GetConnectTimeout(pAgent: HP_Agent) -> DWORD {
    boundary::call("HPX_Agent_GetConnectTimeout", 0, || {
        engine::get(Shape::Agent, pAgent, |c| c.socket.connect_timeout)
    })
}

/// See `HPX_Agent_SetConnectTimeout` (for `HP_Client_Start` with `bAsyncConnect` TRUE).
#[no_mangle]
pub extern "C" fn HPX_Client_SetConnectTimeout(pClient: HP_Client, dwMilliseconds: DWORD) {
    boundary::call("HPX_Client_SetConnectTimeout", (), || {
        client::set(Shape::Client, pClient, |c| {
            c.socket.connect_timeout = dwMilliseconds
        })
    })
}

/// The asynchronous connect timeout in ms (0: the system's).
#[no_mangle]
pub extern "C" fn HPX_Client_GetConnectTimeout(pClient: HP_Client) -> DWORD {
    boundary::call("HPX_Client_GetConnectTimeout", 0, || {
        client::get(Shape::Client, pClient, |c| c.socket.connect_timeout)
    })
}

// ---------------------------------------------------------------------------------------
// Silence counting sends

/// Sets whether accepted sends also count as activity for `GetSilencePeriod` and
/// `DisconnectSilenceConnections` (default FALSE: only receives, as in HP-Socket). Ignored
/// (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HPX_Server_SetSilenceCountsSend(pServer: HP_Server, bCounts: BOOL) {
    boundary::call("HPX_Server_SetSilenceCountsSend", (), || {
        engine::set(Shape::Server, pServer, |c| {
            c.socket.silence_counts_send = args::flag(bCounts)
        })
    })
}

/// Whether sends count as activity for silence.
#[no_mangle]
pub extern "C" fn HPX_Server_IsSilenceCountsSend(pServer: HP_Server) -> BOOL {
    boundary::call("HPX_Server_IsSilenceCountsSend", FALSE, || {
        engine::get(Shape::Server, pServer, |c| {
            to_bool(c.socket.silence_counts_send)
        })
    })
}

/// See `HPX_Server_SetSilenceCountsSend`.
#[no_mangle]
pub extern "C" fn HPX_Agent_SetSilenceCountsSend(pAgent: HP_Agent, bCounts: BOOL) {
    boundary::call("HPX_Agent_SetSilenceCountsSend", (), || {
        engine::set(Shape::Agent, pAgent, |c| {
            c.socket.silence_counts_send = args::flag(bCounts)
        })
    })
}

/// Whether sends count as activity for silence.
#[no_mangle]
pub extern "C" fn HPX_Agent_IsSilenceCountsSend(pAgent: HP_Agent) -> BOOL {
    boundary::call("HPX_Agent_IsSilenceCountsSend", FALSE, || {
        engine::get(Shape::Agent, pAgent, |c| {
            to_bool(c.socket.silence_counts_send)
        })
    })
}

// ---------------------------------------------------------------------------------------
// TLS handshake timeout

/// SSL components: sets how many ms a TLS handshake may take before the connection closes
/// with `ETIMEDOUT` (default 30000; 0: no limit), so a stalled peer cannot hold a connection
/// for ever. No effect on plain TCP components. Ignored (last error set) while not stopped.
#[no_mangle]
pub extern "C" fn HPX_Server_SetSSLHandShakeTimeout(pServer: HP_Server, dwMilliseconds: DWORD) {
    boundary::call("HPX_Server_SetSSLHandShakeTimeout", (), || {
        engine::set(Shape::Server, pServer, |c| {
            c.socket.ssl_handshake_timeout = dwMilliseconds
        })
    })
}

/// The TLS handshake timeout in ms (0: none).
#[no_mangle]
pub extern "C" fn HPX_Server_GetSSLHandShakeTimeout(pServer: HP_Server) -> DWORD {
    boundary::call("HPX_Server_GetSSLHandShakeTimeout", 0, || {
        engine::get(Shape::Server, pServer, |c| c.socket.ssl_handshake_timeout)
    })
}

/// See `HPX_Server_SetSSLHandShakeTimeout`.
#[no_mangle]
pub extern "C" fn HPX_Agent_SetSSLHandShakeTimeout(pAgent: HP_Agent, dwMilliseconds: DWORD) {
    boundary::call("HPX_Agent_SetSSLHandShakeTimeout", (), || {
        engine::set(Shape::Agent, pAgent, |c| {
            c.socket.ssl_handshake_timeout = dwMilliseconds
        })
    })
}

/// The TLS handshake timeout in ms (0: none).
#[no_mangle]
pub extern "C" fn HPX_Agent_GetSSLHandShakeTimeout(pAgent: HP_Agent) -> DWORD {
    boundary::call("HPX_Agent_GetSSLHandShakeTimeout", 0, || {
        engine::get(Shape::Agent, pAgent, |c| c.socket.ssl_handshake_timeout)
    })
}

/// See `HPX_Server_SetSSLHandShakeTimeout`.
#[no_mangle]
pub extern "C" fn HPX_Client_SetSSLHandShakeTimeout(pClient: HP_Client, dwMilliseconds: DWORD) {
    boundary::call("HPX_Client_SetSSLHandShakeTimeout", (), || {
        client::set(Shape::Client, pClient, |c| {
            c.socket.ssl_handshake_timeout = dwMilliseconds
        })
    })
}

/// The TLS handshake timeout in ms (0: none).
#[no_mangle]
pub extern "C" fn HPX_Client_GetSSLHandShakeTimeout(pClient: HP_Client) -> DWORD {
    boundary::call("HPX_Client_GetSSLHandShakeTimeout", 0, || {
        client::get(Shape::Client, pClient, |c| c.socket.ssl_handshake_timeout)
    })
}
