//! The listener traits: what a component tells its user. Every method has a default body
//! that does nothing and returns [`HandleResult::Ignore`], so a listener implements only the
//! events it cares about.
//!
//! Callbacks run on the worker thread that owns the connection; one connection's callbacks
//! never overlap. A slow callback stalls the other connections of its worker, so hand long
//! work to another thread. Inside a callback a listener may call `send`, `disconnect`,
//! `pause_receive`, the getters and the extra-data setters of the sender; `stop` and `wait` of
//! a server or agent fail there with `SE_ILLEGAL_STATE` instead of deadlocking.
//!
//! A panic inside a callback is caught: it counts as `HR_ERROR` for that connection and the
//! worker lives on.

use std::any::TypeId;
use std::cell::Cell;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::http::{HttpEvent, HttpParseResult};
use crate::tcp::{TcpAgent, TcpClient, TcpServer};
use crate::types::{ConnId, HandleResult, SocketOperation};
use crate::udp::UdpNode;

/// Events of a [`TcpServer`] (HP-Socket's `ITcpServerListener`).
#[allow(unused_variables)]
pub trait ServerListener: Send + Sync + 'static {
    /// The listening socket is bound but not yet listening; set options on `listen_fd`.
    /// `HR_ERROR` makes `start` fail with `SE_SOCKET_PREPARE`.
    fn on_prepare_listen(&self, sender: &TcpServer, listen_fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    /// A connection was accepted. `HR_ERROR` rejects it: the socket is closed, no `on_close`.
    fn on_accept(&self, sender: &TcpServer, conn_id: ConnId, fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    /// The connection is ready for data. `HR_ERROR` closes it.
    fn on_handshake(&self, sender: &TcpServer, conn_id: ConnId) -> HandleResult {
        HandleResult::Ignore
    }
    /// `data` was written to the socket; the result is ignored. When a send is written
    /// straight from a callback, this fires inside that `send` call, on the same thread. A
    /// UDP server's sends from its callbacks while it reads a batch of datagrams are written
    /// together (`sendmmsg`) when the batch is done, and reported then, on the same thread.
    fn on_send(&self, sender: &TcpServer, conn_id: ConnId, data: &[u8]) -> HandleResult {
        default_on_send_ran(TypeId::of::<Self>());
        HandleResult::Ignore
    }
    /// Whether `on_send` should be called at all. Returning false skips its dispatch on
    /// every send (bindings answer false while no handler is set). Default true; a listener
    /// that does not implement `on_send` needs no answer here: the component stops calling
    /// the default `on_send` after its first call.
    fn wants_on_send(&self) -> bool {
        true
    }
    /// The listener's concrete type, which the component compares with the type whose
    /// default `on_send` ran. Not meant to be implemented.
    #[doc(hidden)]
    fn __listener_type(&self) -> TypeId {
        TypeId::of::<Self>()
    }
    /// Bytes arrived (PUSH model). `data` is valid only during the call. `HR_ERROR` closes
    /// the connection with `(SO_RECEIVE, ECANCELED)`.
    fn on_receive(&self, sender: &TcpServer, conn_id: ConnId, data: &[u8]) -> HandleResult {
        HandleResult::Ignore
    }
    /// Extension (`HPX_`): a send was refused because the connection's send queue was full
    /// (`max_send_queue_bytes`), and the queue is now down to the low watermark; `pending`
    /// bytes remain queued. Fired once per refusal episode; the result is ignored.
    fn on_send_drained(&self, sender: &TcpServer, conn_id: ConnId, pending: usize) -> HandleResult {
        HandleResult::Ignore
    }
    /// Extension (`HPX_`), ARQ: a message sent by `send_ex` with a deadline or a retransmit
    /// limit was given up (`message` is the id `send_ex` returned, `size` its bytes); the peer
    /// skips it. Fired once per message, on the connection's worker; the result is ignored.
    fn on_message_dropped(
        &self,
        sender: &TcpServer,
        conn_id: ConnId,
        message: u32,
        size: usize,
    ) -> HandleResult {
        HandleResult::Ignore
    }
    /// PULL model: `total` bytes are now buffered for the connection.
    fn on_pull_receive(&self, sender: &TcpServer, conn_id: ConnId, total: usize) -> HandleResult {
        HandleResult::Ignore
    }
    /// The connection closed: `(SO_CLOSE, 0)` for a normal close, else the failing operation
    /// and an `errno`. Fired exactly once per handshaken or accepted connection; the
    /// connection's extra data is still readable here.
    fn on_close(
        &self,
        sender: &TcpServer,
        conn_id: ConnId,
        operation: SocketOperation,
        error_code: i32,
    ) -> HandleResult {
        HandleResult::Ignore
    }
    /// The server stopped; the last event it sends.
    fn on_shutdown(&self, sender: &TcpServer) -> HandleResult {
        HandleResult::Ignore
    }
    /// Whether `on_http` should get the head events (`MessageBegin`, `RequestLine` or
    /// `StatusLine`, each `Header`, `HeadersComplete`). Returning false skips them (their
    /// result counts as `HPR_OK`): a listener that answers at `MessageComplete` saves their
    /// dispatch on every message (the C layer answers false while none of those callbacks is
    /// set).
    /// The message's getters still see the whole head. Default true.
    fn wants_http_head(&self) -> bool {
        true
    }
    /// HTTP components: one step of a parse (see [`HttpEvent`]); `HPR_ERROR` ends the
    /// connection after `OnParseError`.
    fn on_http(
        &self,
        sender: &TcpServer,
        conn_id: ConnId,
        event: HttpEvent<'_>,
    ) -> HttpParseResult {
        HttpParseResult::Ok
    }
    /// Extension: a worker thread of `sender` starts, before it runs any other callback.
    /// Language bindings use it to prepare per-thread state (the result is ignored).
    fn on_worker_start(&self, sender: &TcpServer, worker: usize) {}
    /// Extension: a worker thread of `sender` exits, after its last callback.
    fn on_worker_exit(&self, sender: &TcpServer, worker: usize) {}
}

/// Events of a [`TcpAgent`] (HP-Socket's `ITcpAgentListener`).
#[allow(unused_variables)]
pub trait AgentListener: Send + Sync + 'static {
    /// The socket exists and is bound, `connect()` not yet called. `HR_ERROR` aborts the connect.
    fn on_prepare_connect(&self, sender: &TcpAgent, conn_id: ConnId, fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    /// The TCP connection is established. `HR_ERROR` fails a synchronous `connect` or closes
    /// an asynchronous one.
    fn on_connect(&self, sender: &TcpAgent, conn_id: ConnId) -> HandleResult {
        HandleResult::Ignore
    }
    /// The connection is ready for data. `HR_ERROR` closes it.
    fn on_handshake(&self, sender: &TcpAgent, conn_id: ConnId) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`ServerListener::on_send`].
    fn on_send(&self, sender: &TcpAgent, conn_id: ConnId, data: &[u8]) -> HandleResult {
        default_on_send_ran(TypeId::of::<Self>());
        HandleResult::Ignore
    }
    /// Whether `on_send` should be called at all. Returning false skips its dispatch on
    /// every send (bindings answer false while no handler is set). Default true; a listener
    /// that does not implement `on_send` needs no answer here: the component stops calling
    /// the default `on_send` after its first call.
    fn wants_on_send(&self) -> bool {
        true
    }
    /// The listener's concrete type, which the component compares with the type whose
    /// default `on_send` ran. Not meant to be implemented.
    #[doc(hidden)]
    fn __listener_type(&self) -> TypeId {
        TypeId::of::<Self>()
    }
    /// See [`ServerListener::on_receive`].
    fn on_receive(&self, sender: &TcpAgent, conn_id: ConnId, data: &[u8]) -> HandleResult {
        HandleResult::Ignore
    }
    /// Extension (`HPX_`): a send was refused because the connection's send queue was full
    /// (`max_send_queue_bytes`), and the queue is now down to the low watermark; `pending`
    /// bytes remain queued. Fired once per refusal episode; the result is ignored.
    fn on_send_drained(&self, sender: &TcpAgent, conn_id: ConnId, pending: usize) -> HandleResult {
        HandleResult::Ignore
    }
    /// Extension (`HPX_`), ARQ: a message sent by `send_ex` with a deadline or a retransmit
    /// limit was given up (`message` is the id `send_ex` returned, `size` its bytes); the peer
    /// skips it. Fired once per message, on the connection's worker; the result is ignored.
    fn on_message_dropped(
        &self,
        sender: &TcpAgent,
        conn_id: ConnId,
        message: u32,
        size: usize,
    ) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`ServerListener::on_pull_receive`].
    fn on_pull_receive(&self, sender: &TcpAgent, conn_id: ConnId, total: usize) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`ServerListener::on_close`]; a failed asynchronous connect reports `SO_CONNECT`.
    fn on_close(
        &self,
        sender: &TcpAgent,
        conn_id: ConnId,
        operation: SocketOperation,
        error_code: i32,
    ) -> HandleResult {
        HandleResult::Ignore
    }
    /// The agent stopped; the last event it sends.
    fn on_shutdown(&self, sender: &TcpAgent) -> HandleResult {
        HandleResult::Ignore
    }
    /// Whether `on_http` should get the head events (`MessageBegin`, `RequestLine` or
    /// `StatusLine`, each `Header`, `HeadersComplete`). Returning false skips them (their
    /// result counts as `HPR_OK`): a listener that answers at `MessageComplete` saves their
    /// dispatch on every message (the C layer answers false while none of those callbacks is
    /// set).
    /// The message's getters still see the whole head. Default true.
    fn wants_http_head(&self) -> bool {
        true
    }
    /// HTTP components: one step of a parse (see [`HttpEvent`]); `HPR_ERROR` ends the
    /// connection after `OnParseError`.
    fn on_http(&self, sender: &TcpAgent, conn_id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        HttpParseResult::Ok
    }
    /// Extension: a worker thread of `sender` starts, before it runs any other callback.
    /// Language bindings use it to prepare per-thread state (the result is ignored).
    fn on_worker_start(&self, sender: &TcpAgent, worker: usize) {}
    /// Extension: a worker thread of `sender` exits, after its last callback.
    fn on_worker_exit(&self, sender: &TcpAgent, worker: usize) {}
}

/// Events of a [`TcpClient`] (HP-Socket's `ITcpClientListener`; a client has no shutdown
/// event).
#[allow(unused_variables)]
pub trait ClientListener: Send + Sync + 'static {
    /// See [`AgentListener::on_prepare_connect`]; `HR_ERROR` makes `start` fail.
    fn on_prepare_connect(&self, sender: &TcpClient, conn_id: ConnId, fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`AgentListener::on_connect`].
    fn on_connect(&self, sender: &TcpClient, conn_id: ConnId) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`AgentListener::on_handshake`].
    fn on_handshake(&self, sender: &TcpClient, conn_id: ConnId) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`ServerListener::on_send`].
    fn on_send(&self, sender: &TcpClient, conn_id: ConnId, data: &[u8]) -> HandleResult {
        default_on_send_ran(TypeId::of::<Self>());
        HandleResult::Ignore
    }
    /// Whether `on_send` should be called at all. Returning false skips its dispatch on
    /// every send (bindings answer false while no handler is set). Default true; a listener
    /// that does not implement `on_send` needs no answer here: the component stops calling
    /// the default `on_send` after its first call.
    fn wants_on_send(&self) -> bool {
        true
    }
    /// The listener's concrete type, which the component compares with the type whose
    /// default `on_send` ran. Not meant to be implemented.
    #[doc(hidden)]
    fn __listener_type(&self) -> TypeId {
        TypeId::of::<Self>()
    }
    /// See [`ServerListener::on_receive`].
    fn on_receive(&self, sender: &TcpClient, conn_id: ConnId, data: &[u8]) -> HandleResult {
        HandleResult::Ignore
    }
    /// Extension (`HPX_`): a send was refused because the connection's send queue was full
    /// (`max_send_queue_bytes`), and the queue is now down to the low watermark; `pending`
    /// bytes remain queued. Fired once per refusal episode; the result is ignored.
    fn on_send_drained(&self, sender: &TcpClient, conn_id: ConnId, pending: usize) -> HandleResult {
        HandleResult::Ignore
    }
    /// Extension (`HPX_`), ARQ: a message sent by `send_ex` with a deadline or a retransmit
    /// limit was given up (`message` is the id `send_ex` returned, `size` its bytes); the peer
    /// skips it. Fired once per message, on the connection's worker; the result is ignored.
    fn on_message_dropped(
        &self,
        sender: &TcpClient,
        conn_id: ConnId,
        message: u32,
        size: usize,
    ) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`ServerListener::on_pull_receive`].
    fn on_pull_receive(&self, sender: &TcpClient, conn_id: ConnId, total: usize) -> HandleResult {
        HandleResult::Ignore
    }
    /// See [`AgentListener::on_close`].
    fn on_close(
        &self,
        sender: &TcpClient,
        conn_id: ConnId,
        operation: SocketOperation,
        error_code: i32,
    ) -> HandleResult {
        HandleResult::Ignore
    }
    /// Whether `on_http` should get the head events (`MessageBegin`, `RequestLine` or
    /// `StatusLine`, each `Header`, `HeadersComplete`). Returning false skips them (their
    /// result counts as `HPR_OK`): a listener that answers at `MessageComplete` saves their
    /// dispatch on every message (the C layer answers false while none of those callbacks is
    /// set).
    /// The message's getters still see the whole head. Default true.
    fn wants_http_head(&self) -> bool {
        true
    }
    /// HTTP components: one step of a parse (see [`HttpEvent`]); `HPR_ERROR` ends the
    /// connection after `OnParseError`.
    fn on_http(
        &self,
        sender: &TcpClient,
        conn_id: ConnId,
        event: HttpEvent<'_>,
    ) -> HttpParseResult {
        HttpParseResult::Ok
    }
    /// Extension: a worker thread of `sender` starts, before it runs any other callback.
    /// Language bindings use it to prepare per-thread state (the result is ignored).
    fn on_worker_start(&self, sender: &TcpClient, worker: usize) {}
    /// Extension: a worker thread of `sender` exits, after its last callback.
    fn on_worker_exit(&self, sender: &TcpClient, worker: usize) {}
}

/// Events of a [`UdpNode`] (HP-Socket's `IUdpNodeListener`): connectionless, every datagram
/// with its peer's address.
#[allow(unused_variables)]
pub trait NodeListener: Send + Sync + 'static {
    /// The socket is bound, not yet in use; set options on `fd`. `HR_ERROR` makes `start` fail
    /// with `SE_SOCKET_PREPARE`.
    fn on_prepare_listen(&self, sender: &UdpNode, fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    /// A datagram went to `remote`; the result is ignored.
    fn on_send(&self, sender: &UdpNode, remote: SocketAddr, data: &[u8]) -> HandleResult {
        HandleResult::Ignore
    }
    /// Whether `on_send` should be called at all (see [`ServerListener::wants_on_send`]).
    fn wants_on_send(&self) -> bool {
        true
    }
    /// A datagram arrived from `remote`; `data` is valid only during the call. The result is
    /// ignored.
    fn on_receive(&self, sender: &UdpNode, remote: SocketAddr, data: &[u8]) -> HandleResult {
        HandleResult::Ignore
    }
    /// One datagram failed: a queued send (`SO_SEND`, with its peer and bytes), or a receive
    /// (`SO_RECEIVE`; an oversize datagram comes with `EMSGSIZE`, its peer and no bytes). The
    /// node keeps running; the result is ignored.
    fn on_error(
        &self,
        sender: &UdpNode,
        operation: SocketOperation,
        error_code: i32,
        remote: Option<SocketAddr>,
        data: &[u8],
    ) -> HandleResult {
        HandleResult::Ignore
    }
    /// The node stopped; its last event.
    fn on_shutdown(&self, sender: &UdpNode) -> HandleResult {
        HandleResult::Ignore
    }
    /// Extension: a worker thread of `sender` starts (see [`ServerListener::on_worker_start`]).
    fn on_worker_start(&self, sender: &UdpNode, worker: usize) {}
    /// Extension: a worker thread of `sender` exits.
    fn on_worker_exit(&self, sender: &UdpNode, worker: usize) {}
}

thread_local! {
    /// The type whose default `on_send` ran last on this thread.
    static DEFAULT_ON_SEND: Cell<Option<TypeId>> = const { Cell::new(None) };
}

fn default_on_send_ran(listener: TypeId) {
    DEFAULT_ON_SEND.with(|d| d.set(Some(listener)));
}

/// Learns, on the first `on_send`, whether the listener kept the default (empty) `on_send`,
/// and from then on spares every send the upcall. Exact: the default body records its
/// `Self`, and only a listener of that very type can run that body through its own
/// `on_send` (a wrapper that forwards to another listener's default has another type).
#[derive(Default)]
pub(crate) struct OnSendProbe {
    default: AtomicBool,
}

impl OnSendProbe {
    /// Whether `on_send` is known to be the default.
    pub(crate) fn skips(&self) -> bool {
        self.default.load(Ordering::Relaxed)
    }

    /// Runs `call` (the listener's `on_send`) unless it is known to do nothing, and learns.
    pub(crate) fn call(&self, listener: TypeId, call: impl FnOnce()) {
        if self.skips() {
            return;
        }
        DEFAULT_ON_SEND.with(|d| d.set(None));
        call();
        if DEFAULT_ON_SEND.with(|d| d.take()) == Some(listener) {
            self.default.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    struct Quiet;
    impl ServerListener for Quiet {}

    /// Forwards `on_send` to a listener that keeps the default, and counts.
    struct Counting {
        inner: Quiet,
        sends: AtomicUsize,
    }
    impl ServerListener for Counting {
        fn on_send(&self, sender: &TcpServer, conn_id: ConnId, data: &[u8]) -> HandleResult {
            self.sends.fetch_add(1, Ordering::Relaxed);
            self.inner.on_send(sender, conn_id, data)
        }
    }

    fn probe_calls(listener: &dyn ServerListener, server: &TcpServer, sends: usize) -> bool {
        let probe = OnSendProbe::default();
        for _ in 0..sends {
            probe.call(listener.__listener_type(), || {
                listener.on_send(server, 1, b"x");
            });
        }
        probe.skips()
    }

    #[test]
    fn the_default_on_send_is_learnt_and_skipped() {
        let server = TcpServer::new(Arc::new(Quiet));
        assert!(probe_calls(&Quiet, &server, 1));
    }

    #[test]
    fn an_on_send_that_forwards_to_a_default_is_still_called() {
        let server = TcpServer::new(Arc::new(Quiet));
        let counting = Counting {
            inner: Quiet,
            sends: AtomicUsize::new(0),
        };
        assert!(!probe_calls(&counting, &server, 3));
        assert_eq!(counting.sends.load(Ordering::Relaxed), 3);
    }
}
