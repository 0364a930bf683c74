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

use hpsocket_core::http::{HttpEvent, HttpParseResult};
use hpsocket_core::{
    ConnId, Event, EventAdapter, EventHandler, EventMask, HandleResult, SocketOperation,
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

/// HP-Socket's `HP_SOCKADDR`: an IPv4 or IPv6 socket address, told apart by its family
/// field (the first member of both).
#[repr(C)]
#[derive(Clone, Copy)]
union HpSockAddr {
    v4: libc::sockaddr_in,
    v6: libc::sockaddr_in6,
}

impl HpSockAddr {
    fn new(addr: std::net::SocketAddr) -> HpSockAddr {
        match addr {
            std::net::SocketAddr::V4(a) => HpSockAddr {
                v4: libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                },
            },
            std::net::SocketAddr::V6(a) => HpSockAddr {
                v6: libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                },
            },
        }
    }
}

/// An IP address as a NUL-terminated C string, on the stack: node events name their peer
/// without allocating.
struct CAddress {
    text: [u8; 48],
}

impl CAddress {
    fn new(ip: std::net::IpAddr) -> CAddress {
        use std::io::Write;
        let mut text = [0u8; 48];
        // The longest IPv6 text is 45 bytes: it always fits with its NUL.
        let _ = write!(&mut text[..47], "{ip}");
        CAddress { text }
    }

    fn empty() -> CAddress {
        CAddress { text: [0; 48] }
    }

    fn as_ptr(&self) -> LPCTSTR {
        self.text.as_ptr().cast()
    }
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
    /// The callbacks of a listener (`HP_Set_FN_{Server,Agent,Client}_*`). One table serves
    /// every family: the typedefs of an event are the same C type in each (the sender is an
    /// opaque handle); the events a family lacks are never set on its listener.
    Callbacks {
        prepare_listen / set_prepare_listen: HP_FN_Server_OnPrepareListen,
        accept / set_accept: HP_FN_Server_OnAccept,
        prepare_connect / set_prepare_connect: HP_FN_Agent_OnPrepareConnect,
        connect / set_connect: HP_FN_Agent_OnConnect,
        handshake / set_handshake: HP_FN_Server_OnHandShake,
        send / set_send: HP_FN_Server_OnSend,
        receive / set_receive: HP_FN_Server_OnReceive,
        pull_receive / set_pull_receive: HP_FN_Server_OnPullReceive,
        send_drained / set_send_drained: HPX_FN_Server_OnSendDrained,
        message_dropped / set_message_dropped: HPX_FN_Server_OnMessageDropped,
        close / set_close: HP_FN_Server_OnClose,
        shutdown / set_shutdown: HP_FN_Server_OnShutdown,
        node_send / set_node_send: HP_FN_UdpNode_OnSend,
        node_receive / set_node_receive: HP_FN_UdpNode_OnReceive,
        node_error / set_node_error: HP_FN_UdpNode_OnError,
        message_begin / set_message_begin: HP_FN_Http_OnMessageBegin,
        request_line / set_request_line: HP_FN_Http_OnRequestLine,
        status_line / set_status_line: HP_FN_Http_OnStatusLine,
        header / set_header: HP_FN_Http_OnHeader,
        headers_complete / set_headers_complete: HP_FN_Http_OnHeadersComplete,
        body / set_body: HP_FN_Http_OnBody,
        chunk_header / set_chunk_header: HP_FN_Http_OnChunkHeader,
        chunk_complete / set_chunk_complete: HP_FN_Http_OnChunkComplete,
        message_complete / set_message_complete: HP_FN_Http_OnMessageComplete,
        upgrade / set_upgrade: HP_FN_Http_OnUpgrade,
        parse_error / set_parse_error: HP_FN_Http_OnParseError,
        ws_header / set_ws_header: HP_FN_Http_OnWSMessageHeader,
        ws_body / set_ws_body: HP_FN_Http_OnWSMessageBody,
        ws_complete / set_ws_complete: HP_FN_Http_OnWSMessageComplete,
        ws_message / set_ws_message: HPX_FN_Http_OnWSMessage,
    }
);

/// Delivers a component's events to the C callbacks of its listener, for the component
/// `sender`: the core's event seam, implemented once for every family.
pub(crate) struct Adapter {
    callbacks: Arc<Callbacks>,
    sender: Handle,
}

impl Adapter {
    /// The listener of a new component (`TcpServer::with_model(..)` and the like).
    pub(crate) fn listener(
        callbacks: Arc<Callbacks>,
        sender: Handle,
    ) -> Arc<EventAdapter<Adapter>> {
        Arc::new(EventAdapter(Adapter { callbacks, sender }))
    }
}

impl EventHandler for Adapter {
    fn on_receive(&self, conn: ConnId, data: &[u8]) -> HandleResult {
        match self.callbacks.receive() {
            Some(f) => for_pieces(data, |d| {
                // SAFETY: the application set this callback with its typedef's signature.
                invoke(self.sender, |s| unsafe {
                    f(s, c_conn_id(conn), d.as_ptr(), c_len(d.len()))
                })
            }),
            None => HandleResult::Ignore,
        }
    }

    fn wants(&self, events: EventMask) -> bool {
        // Asked on every send: two loads instead of the whole table's.
        if events == EventMask::SEND {
            let c = &self.callbacks;
            return c.send().is_some() || c.node_send().is_some();
        }
        self.wanted().contains(events)
    }

    fn wanted(&self) -> EventMask {
        // Without an OnSend callback the core skips the dispatch on every send; without a
        // callback for the head of an HTTP message, the parse skips those events.
        let c = &self.callbacks;
        let mut wanted = EventMask::NONE;
        if c.send().is_some() || c.node_send().is_some() {
            wanted = wanted | EventMask::SEND;
        }
        if c.message_begin().is_some()
            || c.request_line().is_some()
            || c.status_line().is_some()
            || c.header().is_some()
            || c.headers_complete().is_some()
        {
            wanted = wanted | EventMask::HTTP_HEAD;
        }
        wanted
    }

    fn on_http(&self, conn: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        self.http(conn, event)
    }

    fn on_event(&self, event: Event<'_>) -> HandleResult {
        let c = &self.callbacks;
        let sender = self.sender;
        match event {
            Event::PrepareListen { fd } => match c.prepare_listen() {
                // SAFETY: the application set this callback with its typedef's signature.
                Some(f) => invoke(sender, |s| unsafe { f(s, fd_arg(fd)) }),
                None => HandleResult::Ignore,
            },
            Event::Accept { conn, fd, peer } => match c.accept() {
                Some(f) => {
                    // A UDP server hands `pClient` as a pointer to the peer's `HP_SOCKADDR`,
                    // valid during the call; a TCP server hands the socket.
                    let addr = peer.map(HpSockAddr::new);
                    let client = match &addr {
                        Some(a) => a as *const HpSockAddr as UINT_PTR,
                        None => fd_arg(fd),
                    };
                    // SAFETY: the application set this callback with its typedef's signature.
                    invoke(sender, |s| unsafe { f(s, c_conn_id(conn), client) })
                }
                None => HandleResult::Ignore,
            },
            Event::PrepareConnect { conn, fd } => match c.prepare_connect() {
                // SAFETY: the application set this callback with its typedef's signature.
                Some(f) => invoke(sender, |s| unsafe { f(s, c_conn_id(conn), fd_arg(fd)) }),
                None => HandleResult::Ignore,
            },
            Event::Connect { conn } => match c.connect() {
                // SAFETY: the application set this callback with its typedef's signature.
                Some(f) => invoke(sender, |s| unsafe { f(s, c_conn_id(conn)) }),
                None => HandleResult::Ignore,
            },
            Event::HandShake { conn } => match c.handshake() {
                // SAFETY: the application set this callback with its typedef's signature.
                Some(f) => invoke(sender, |s| unsafe { f(s, c_conn_id(conn)) }),
                None => HandleResult::Ignore,
            },
            Event::Send { conn, data } => {
                if let Some(f) = c.send() {
                    for_pieces(data, |d| {
                        // SAFETY: the application set this callback with its typedef's signature.
                        invoke(sender, |s| unsafe {
                            f(s, c_conn_id(conn), d.as_ptr(), c_len(d.len()))
                        })
                    });
                }
                HandleResult::Ignore
            }
            Event::Receive { conn, data } => self.on_receive(conn, data),
            Event::PullReceive { conn, total } => match c.pull_receive() {
                // SAFETY: the application set this callback with its typedef's signature.
                Some(f) => invoke(sender, |s| unsafe { f(s, c_conn_id(conn), c_len(total)) }),
                None => HandleResult::Ignore,
            },
            Event::MessageDropped {
                conn,
                message,
                size,
            } => {
                if let Some(f) = c.message_dropped() {
                    // SAFETY: the application set this callback with its typedef's signature.
                    invoke(sender, |s| unsafe {
                        f(s, c_conn_id(conn), message, c_len(size))
                    });
                }
                HandleResult::Ignore
            }
            Event::SendDrained { conn, pending } => {
                if let Some(f) = c.send_drained() {
                    // SAFETY: the application set this callback with its typedef's signature.
                    invoke(sender, |s| unsafe { f(s, c_conn_id(conn), c_len(pending)) });
                }
                HandleResult::Ignore
            }
            Event::Close {
                conn,
                operation,
                error,
                ..
            } => {
                if let Some(f) = c.close() {
                    // SAFETY: the application set this callback with its typedef's signature.
                    invoke(sender, |s| unsafe {
                        f(s, c_conn_id(conn), op_arg(operation), error)
                    });
                }
                HandleResult::Ignore
            }
            Event::Shutdown => {
                if let Some(f) = c.shutdown() {
                    // SAFETY: the application set this callback with its typedef's signature.
                    invoke(sender, |s| unsafe { f(s) });
                }
                HandleResult::Ignore
            }
            Event::NodeReceive { remote, data } => {
                if let Some(f) = c.node_receive() {
                    let (addr, port) = (CAddress::new(remote.ip()), remote.port());
                    for_pieces(data, |d| {
                        // SAFETY: the application set this callback with its typedef's signature;
                        // the address is NUL-terminated and lives during the call.
                        invoke(sender, |s| unsafe {
                            f(s, addr.as_ptr(), port, d.as_ptr(), c_len(d.len()))
                        })
                    });
                }
                HandleResult::Ignore
            }
            Event::NodeSend { remote, data } => {
                if let Some(f) = c.node_send() {
                    let (addr, port) = (CAddress::new(remote.ip()), remote.port());
                    // SAFETY: as for `NodeReceive`.
                    invoke(sender, |s| unsafe {
                        f(s, addr.as_ptr(), port, data.as_ptr(), c_len(data.len()))
                    });
                }
                HandleResult::Ignore
            }
            Event::NodeError {
                operation,
                error,
                remote,
                data,
            } => {
                if let Some(f) = c.node_error() {
                    let addr = remote.map_or_else(CAddress::empty, |r| CAddress::new(r.ip()));
                    let port = remote.map_or(0, |r| r.port());
                    // SAFETY: as for `NodeReceive`.
                    invoke(sender, |s| unsafe {
                        f(
                            s,
                            op_arg(operation),
                            error,
                            addr.as_ptr(),
                            port,
                            data.as_ptr(),
                            c_len(data.len()),
                        )
                    });
                }
                HandleResult::Ignore
            }
            Event::WorkerStart { .. } => {
                block_sigpipe();
                HandleResult::Ignore
            }
            Event::WorkerExit { .. } => HandleResult::Ignore,
            _ => HandleResult::Ignore,
        }
    }
}

/// Blocks `SIGPIPE` on the calling worker thread. The library's own writes pass
/// `MSG_NOSIGNAL`, but `sendfile(2)` (the body of HTTP `SendLocalFile`) has no such flag, and
/// a C program keeps `SIGPIPE`'s default action, which ends the process: a body going to a
/// peer that reset would kill it. Blocked on the worker, the signal stays pending on that
/// thread alone and the call fails with `EPIPE`, which closes the connection.
fn block_sigpipe() {
    // SAFETY: the set is a local initialised by `sigemptyset` before use; `pthread_sigmask`
    // changes only the calling thread's mask and accepts a NULL old-mask pointer.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Calls an HTTP callback of the component `sender` and maps its result; `HPR_ERROR` closes
/// the connection with `errno` as the `OnClose` code when the callback set one.
fn invoke_http(
    sender: Handle,
    call: impl FnOnce(HP_Object) -> En_HP_HttpParseResult,
) -> HttpParseResult {
    set_errno(0);
    let code = call(sender.as_ptr());
    let error = errno();
    let result = HttpParseResult::from_code(code);
    if result == HttpParseResult::Error && error != 0 {
        hpsocket_core::set_close_error_code(error);
    }
    result
}

impl Adapter {
    /// One HTTP event to its C callback; an unset callback counts as `HPR_OK`.
    fn http(&self, conn: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        let c = &self.callbacks;
        let sender = self.sender;
        let id = c_conn_id(conn);
        macro_rules! call {
            ($get:ident, |$f:ident, $s:ident| $call:expr) => {
                match c.$get() {
                    // SAFETY: the application set this callback with its typedef's signature;
                    // every pointer handed over is valid during the call.
                    Some($f) => invoke_http(sender, |$s| unsafe { $call }),
                    None => HttpParseResult::Ok,
                }
            };
        }
        match event {
            HttpEvent::MessageBegin => call!(message_begin, |f, s| f(s, id)),
            HttpEvent::RequestLine { method, url } => {
                call!(request_line, |f, s| f(s, id, method.as_ptr(), url.as_ptr()))
            }
            HttpEvent::StatusLine { status, reason } => {
                call!(status_line, |f, s| f(s, id, status, reason.as_ptr()))
            }
            HttpEvent::Header { name, value } => {
                call!(header, |f, s| f(s, id, name.as_ptr(), value.as_ptr()))
            }
            HttpEvent::HeadersComplete => call!(headers_complete, |f, s| f(s, id)),
            HttpEvent::Body(data) => match c.body() {
                Some(f) => {
                    let mut result = HttpParseResult::Ok;
                    for piece in data.chunks(c_int::MAX as usize) {
                        // SAFETY: as in `call!`.
                        result = invoke_http(sender, |s| unsafe {
                            f(s, id, piece.as_ptr(), c_len(piece.len()))
                        });
                        if result == HttpParseResult::Error {
                            break;
                        }
                    }
                    result
                }
                None => HttpParseResult::Ok,
            },
            HttpEvent::ChunkHeader(size) => {
                let size = c_int::try_from(size).unwrap_or(c_int::MAX);
                call!(chunk_header, |f, s| f(s, id, size))
            }
            HttpEvent::ChunkComplete => call!(chunk_complete, |f, s| f(s, id)),
            HttpEvent::MessageComplete => call!(message_complete, |f, s| f(s, id)),
            HttpEvent::Upgrade(kind) => {
                call!(upgrade, |f, s| f(s, id, kind as En_HP_HttpUpgradeType))
            }
            HttpEvent::ParseError { code, description } => {
                call!(parse_error, |f, s| f(s, id, code, description.as_ptr()))
            }
            // The frame events return `En_HP_HandleResult`: only `HR_ERROR` stops anything.
            HttpEvent::WsMessageHeader(h) => match c.ws_header() {
                Some(f) => {
                    let mask = h.mask.as_ref().map_or(std::ptr::null(), |m| m.as_ptr());
                    // SAFETY: as in `call!`; the mask lives during the call.
                    frame_result(invoke(sender, |s| unsafe {
                        f(
                            s,
                            id,
                            to_bool(h.fin),
                            h.reserved,
                            h.opcode,
                            mask,
                            h.len as ULONGLONG,
                        )
                    }))
                }
                None => HttpParseResult::Ok,
            },
            HttpEvent::WsMessageBody(data) => match c.ws_body() {
                Some(f) => frame_result(for_pieces(data, |d| {
                    // SAFETY: as in `call!`.
                    invoke(sender, |s| unsafe { f(s, id, d.as_ptr(), c_len(d.len())) })
                })),
                None => HttpParseResult::Ok,
            },
            HttpEvent::WsMessageComplete => match c.ws_complete() {
                // SAFETY: as in `call!`.
                Some(f) => frame_result(invoke(sender, |s| unsafe { f(s, id) })),
                None => HttpParseResult::Ok,
            },
            HttpEvent::WsMessage { opcode, data } => match c.ws_message() {
                // SAFETY: as in `call!`; the message is at most `i32::MAX` bytes (the
                // WebSocket mode's largest message is kept below it).
                Some(f) => frame_result(invoke(sender, |s| unsafe {
                    f(s, id, opcode, data.as_ptr(), c_len(data.len()))
                })),
                None => HttpParseResult::Ok,
            },
            _ => HttpParseResult::Ok,
        }
    }
}

/// A frame callback's `En_HP_HandleResult` as the parse result the core expects.
fn frame_result(r: HandleResult) -> HttpParseResult {
    if r == HandleResult::Error {
        HttpParseResult::Error
    } else {
        HttpParseResult::Ok
    }
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

pub(crate) fn server_callbacks(p: HP_ServerListener) -> Result<Arc<Callbacks>> {
    callbacks_of(p, Kind::TcpServerListener, |b| match b {
        Body::ServerListener(c) => Some(c),
        _ => None,
    })
}

pub(crate) fn agent_callbacks(p: HP_AgentListener) -> Result<Arc<Callbacks>> {
    callbacks_of(p, Kind::TcpAgentListener, |b| match b {
        Body::AgentListener(c) => Some(c),
        _ => None,
    })
}

pub(crate) fn node_callbacks(p: HP_UdpNodeListener) -> Result<Arc<Callbacks>> {
    callbacks_of(p, Kind::UdpNodeListener, |b| match b {
        Body::NodeListener(c) => Some(c),
        _ => None,
    })
}

pub(crate) fn client_callbacks(p: HP_ClientListener) -> Result<Arc<Callbacks>> {
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
