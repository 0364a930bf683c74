//! Listener objects and the callbacks in them. A C listener holds one function pointer per
//! event, in atomics, so a callback may be set (or changed) at any time, also while its
//! component runs. An adapter per family implements the core's listener trait by calling the
//! C function with the component's handle as `pSender`; an unset callback counts as
//! `HR_IGNORE`.
//!
//! `HR_ERROR` closes the connection with `errno` as the `OnClose` code when the callback set
//! one (errno is cleared before each call), else `ECANCELED`, as in HP-Socket.
//!
//! While a callback runs, its component's handle is on this thread's "active" list: `Stop`,
//! `Wait` and `Destroy` of that component from inside it are refused instead of waiting for
//! themselves.

use std::ffi::{c_int, c_void};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hpsocket_core::{
    AgentListener, ClientListener, ConnId, HandleResult, ServerListener, SocketOperation, TcpAgent,
    TcpClient, TcpServer,
};

use crate::boundary;
use crate::handle::{self, Handle, Kind};
use crate::last_error::{errno, set_errno, FfiError, Result};
use crate::object::{Body, Object};
use crate::types::*;

/// Calls a C callback of the component `sender` and maps its result.
fn invoke(sender: Handle, call: impl FnOnce(HP_Object) -> En_HP_HandleResult) -> HandleResult {
    set_errno(0);
    let code = call(sender.as_ptr());
    let error = errno();
    let result = HandleResult::from_code(code);
    if result == HandleResult::Error && error != 0 {
        hpsocket_core::set_close_error_code(error);
    }
    result
}

/// Calls `call` for `data` in pieces an `int` can measure (one piece in practice), stopping at
/// the first `HR_ERROR`.
fn for_pieces(data: &[u8], mut call: impl FnMut(&[u8]) -> HandleResult) -> HandleResult {
    if data.len() <= c_int::MAX as usize {
        return call(data);
    }
    for piece in data.chunks(c_int::MAX as usize) {
        if call(piece) == HandleResult::Error {
            return HandleResult::Error;
        }
    }
    HandleResult::Ok
}

fn fd_arg(fd: RawFd) -> UINT_PTR {
    UINT_PTR::try_from(fd).unwrap_or(UINT_PTR::MAX)
}

fn op_arg(op: SocketOperation) -> En_HP_SocketOperation {
    op as En_HP_SocketOperation
}

/// Declares a listener's callback table: one atomic per event, with a getter and a setter.
macro_rules! callbacks {
    ($(#[$doc:meta])* $name:ident { $($get:ident / $set:ident : $fnty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Default)]
        pub(crate) struct $name {
            $($get: AtomicUsize,)*
        }

        impl $name {
            $(
                pub(crate) fn $get(&self) -> $fnty {
                    let raw = self.$get.load(Ordering::Acquire);
                    // SAFETY: the slot only ever holds 0 or a function pointer of exactly this
                    // type, stored by the setter below; `Option<fn>` is pointer-sized with 0
                    // meaning `None`.
                    unsafe { std::mem::transmute::<usize, $fnty>(raw) }
                }

                pub(crate) fn $set(&self, f: $fnty) {
                    self.$get.store(f.map_or(0, |f| f as usize), Ordering::Release);
                }
            )*
        }
    };
}

callbacks!(
    /// The callbacks of a server listener (`HP_Set_FN_Server_*`).
    ServerCallbacks {
        prepare_listen / set_prepare_listen: HP_FN_Server_OnPrepareListen,
        accept / set_accept: HP_FN_Server_OnAccept,
        handshake / set_handshake: HP_FN_Server_OnHandShake,
        send / set_send: HP_FN_Server_OnSend,
        receive / set_receive: HP_FN_Server_OnReceive,
        pull_receive / set_pull_receive: HP_FN_Server_OnPullReceive,
        send_drained / set_send_drained: HPX_FN_Server_OnSendDrained,
        close / set_close: HP_FN_Server_OnClose,
        shutdown / set_shutdown: HP_FN_Server_OnShutdown,
    }
);

callbacks!(
    /// The callbacks of an agent listener (`HP_Set_FN_Agent_*`).
    AgentCallbacks {
        prepare_connect / set_prepare_connect: HP_FN_Agent_OnPrepareConnect,
        connect / set_connect: HP_FN_Agent_OnConnect,
        handshake / set_handshake: HP_FN_Agent_OnHandShake,
        send / set_send: HP_FN_Agent_OnSend,
        receive / set_receive: HP_FN_Agent_OnReceive,
        pull_receive / set_pull_receive: HP_FN_Agent_OnPullReceive,
        send_drained / set_send_drained: HPX_FN_Agent_OnSendDrained,
        close / set_close: HP_FN_Agent_OnClose,
        shutdown / set_shutdown: HP_FN_Agent_OnShutdown,
    }
);

callbacks!(
    /// The callbacks of a client listener (`HP_Set_FN_Client_*`).
    ClientCallbacks {
        prepare_connect / set_prepare_connect: HP_FN_Client_OnPrepareConnect,
        connect / set_connect: HP_FN_Client_OnConnect,
        handshake / set_handshake: HP_FN_Client_OnHandShake,
        send / set_send: HP_FN_Client_OnSend,
        receive / set_receive: HP_FN_Client_OnReceive,
        pull_receive / set_pull_receive: HP_FN_Client_OnPullReceive,
        send_drained / set_send_drained: HPX_FN_Client_OnSendDrained,
        close / set_close: HP_FN_Client_OnClose,
    }
);

/// Adapts a C listener to a core listener trait, for the component `sender`.
pub(crate) struct Adapter<C> {
    callbacks: Arc<C>,
    sender: Handle,
}

impl<C> Adapter<C> {
    pub(crate) fn new(callbacks: Arc<C>, sender: Handle) -> Self {
        Adapter { callbacks, sender }
    }
}

/// The callbacks every family shares: connection events keyed by a connection ID.
macro_rules! connection_events {
    ($sender_ty:ty) => {
        fn on_handshake(&self, _: &$sender_ty, id: ConnId) -> HandleResult {
            let Some(f) = self.callbacks.handshake() else {
                return HandleResult::Ignore;
            };
            // SAFETY: a callback set by the application with the signature of its typedef.
            invoke(self.sender, |s| unsafe { f(s, c_conn_id(id)) })
        }

        fn on_send(&self, _: &$sender_ty, id: ConnId, data: &[u8]) -> HandleResult {
            let Some(f) = self.callbacks.send() else {
                return HandleResult::Ignore;
            };
            for_pieces(data, |d| {
                // SAFETY: as above; `d` is readable for the call.
                invoke(self.sender, |s| unsafe {
                    f(s, c_conn_id(id), d.as_ptr(), c_len(d.len()))
                })
            });
            HandleResult::Ignore
        }

        fn wants_on_send(&self) -> bool {
            // Without an OnSend callback the core skips the dispatch on every send.
            self.callbacks.send().is_some()
        }

        fn on_receive(&self, _: &$sender_ty, id: ConnId, data: &[u8]) -> HandleResult {
            let Some(f) = self.callbacks.receive() else {
                return HandleResult::Ignore;
            };
            for_pieces(data, |d| {
                // SAFETY: as above; `d` is readable for the call.
                invoke(self.sender, |s| unsafe {
                    f(s, c_conn_id(id), d.as_ptr(), c_len(d.len()))
                })
            })
        }

        fn on_pull_receive(&self, _: &$sender_ty, id: ConnId, total: usize) -> HandleResult {
            let Some(f) = self.callbacks.pull_receive() else {
                return HandleResult::Ignore;
            };
            // SAFETY: as above.
            invoke(self.sender, |s| unsafe {
                f(s, c_conn_id(id), c_len(total))
            })
        }

        fn on_send_drained(&self, _: &$sender_ty, id: ConnId, pending: usize) -> HandleResult {
            let Some(f) = self.callbacks.send_drained() else {
                return HandleResult::Ignore;
            };
            // SAFETY: as above.
            invoke(self.sender, |s| unsafe {
                f(s, c_conn_id(id), c_len(pending))
            });
            HandleResult::Ignore
        }

        fn on_close(
            &self,
            _: &$sender_ty,
            id: ConnId,
            op: SocketOperation,
            code: i32,
        ) -> HandleResult {
            let Some(f) = self.callbacks.close() else {
                return HandleResult::Ignore;
            };
            // SAFETY: as above.
            invoke(self.sender, |s| unsafe {
                f(s, c_conn_id(id), op_arg(op), code)
            });
            HandleResult::Ignore
        }
    };
}

impl ServerListener for Adapter<ServerCallbacks> {
    fn on_prepare_listen(&self, _: &TcpServer, fd: RawFd) -> HandleResult {
        let Some(f) = self.callbacks.prepare_listen() else {
            return HandleResult::Ignore;
        };
        // SAFETY: a callback set by the application with the signature of its typedef.
        invoke(self.sender, |s| unsafe { f(s, fd_arg(fd)) })
    }

    fn on_accept(&self, _: &TcpServer, id: ConnId, fd: RawFd) -> HandleResult {
        let Some(f) = self.callbacks.accept() else {
            return HandleResult::Ignore;
        };
        // SAFETY: as above.
        invoke(self.sender, |s| unsafe { f(s, c_conn_id(id), fd_arg(fd)) })
    }

    connection_events!(TcpServer);

    fn on_shutdown(&self, _: &TcpServer) -> HandleResult {
        let Some(f) = self.callbacks.shutdown() else {
            return HandleResult::Ignore;
        };
        // SAFETY: as above.
        invoke(self.sender, |s| unsafe { f(s) });
        HandleResult::Ignore
    }
}

impl AgentListener for Adapter<AgentCallbacks> {
    fn on_prepare_connect(&self, _: &TcpAgent, id: ConnId, fd: RawFd) -> HandleResult {
        let Some(f) = self.callbacks.prepare_connect() else {
            return HandleResult::Ignore;
        };
        // SAFETY: a callback set by the application with the signature of its typedef.
        invoke(self.sender, |s| unsafe { f(s, c_conn_id(id), fd_arg(fd)) })
    }

    fn on_connect(&self, _: &TcpAgent, id: ConnId) -> HandleResult {
        let Some(f) = self.callbacks.connect() else {
            return HandleResult::Ignore;
        };
        // SAFETY: as above.
        invoke(self.sender, |s| unsafe { f(s, c_conn_id(id)) })
    }

    connection_events!(TcpAgent);

    fn on_shutdown(&self, _: &TcpAgent) -> HandleResult {
        let Some(f) = self.callbacks.shutdown() else {
            return HandleResult::Ignore;
        };
        // SAFETY: as above.
        invoke(self.sender, |s| unsafe { f(s) });
        HandleResult::Ignore
    }
}

impl ClientListener for Adapter<ClientCallbacks> {
    fn on_prepare_connect(&self, _: &TcpClient, id: ConnId, fd: RawFd) -> HandleResult {
        let Some(f) = self.callbacks.prepare_connect() else {
            return HandleResult::Ignore;
        };
        // SAFETY: a callback set by the application with the signature of its typedef.
        invoke(self.sender, |s| unsafe { f(s, c_conn_id(id), fd_arg(fd)) })
    }

    fn on_connect(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        let Some(f) = self.callbacks.connect() else {
            return HandleResult::Ignore;
        };
        // SAFETY: as above.
        invoke(self.sender, |s| unsafe { f(s, c_conn_id(id)) })
    }

    connection_events!(TcpClient);
}

/// The callback table of the listener `p`, which must be of `kind`.
fn callbacks_of<T>(
    p: HP_Listener,
    kind: Kind,
    get: impl FnOnce(&Body) -> Option<&Arc<T>>,
) -> Result<Arc<T>> {
    let object = handle::resolve(p)?;
    match get(&object.body) {
        Some(c) => Ok(c.clone()),
        None => Err(FfiError::invalid(format!(
            "handle {:#x} is an {}, not an {}",
            object.handle().value(),
            object.kind().name(),
            kind.name()
        ))),
    }
}

pub(crate) fn server_callbacks(p: HP_ServerListener) -> Result<Arc<ServerCallbacks>> {
    callbacks_of(p, Kind::TcpServerListener, |b| match b {
        Body::ServerListener(c) => Some(c),
        _ => None,
    })
}

pub(crate) fn agent_callbacks(p: HP_AgentListener) -> Result<Arc<AgentCallbacks>> {
    callbacks_of(p, Kind::TcpAgentListener, |b| match b {
        Body::AgentListener(c) => Some(c),
        _ => None,
    })
}

pub(crate) fn client_callbacks(p: HP_ClientListener) -> Result<Arc<ClientCallbacks>> {
    callbacks_of(p, Kind::TcpClientListener, |b| match b {
        Body::ClientListener(c) => Some(c),
        _ => None,
    })
}

pub(crate) fn create_listener(
    function: &'static str,
    kind: Kind,
    body: impl FnOnce() -> Body,
) -> *mut c_void {
    boundary::call(function, std::ptr::null_mut(), || {
        let reservation = handle::reserve(kind)?;
        Ok(Object::publish(reservation, kind, body()))
    })
}
