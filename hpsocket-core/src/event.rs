//! The event seam: everything a component tells its user as one [`Event`] enum, received by
//! one [`EventHandler`] whatever the component. Bindings (C, Python, Java) implement it once
//! for every family and hand it to a component through [`EventAdapter`], which implements
//! the typed listener traits ([`ServerListener`], [`AgentListener`], [`ClientListener`]) that
//! Rust users implement directly. The adapter is generic, so the handler is called without
//! another dynamic dispatch.

use std::net::SocketAddr;
use std::os::fd::RawFd;

use crate::http::{HttpEvent, HttpParseResult};
use crate::listener::{AgentListener, ClientListener, NodeListener, ServerListener};
use crate::tcp::{TcpAgent, TcpClient, TcpServer};
use crate::types::{ConnId, HandleResult, SocketOperation};
use crate::udp::UdpNode;

/// One event of a component, as the listener traits name them. New families add variants:
/// match with a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// Server: the listening socket is bound, not yet listening (`OnPrepareListen`).
    PrepareListen {
        /// The listening socket.
        fd: RawFd,
    },
    /// Server: a connection was accepted (`OnAccept`); `HR_ERROR` rejects it.
    Accept {
        /// The new connection.
        conn: ConnId,
        /// Its socket (a UDP server's: the socket its datagrams arrive on).
        fd: RawFd,
        /// UDP: the peer, whose first datagram made the connection (HP-Socket hands C its
        /// `sockaddr` instead of a socket).
        peer: Option<SocketAddr>,
    },
    /// Agent, client: a connect is about to start (`OnPrepareConnect`).
    PrepareConnect {
        /// The connection.
        conn: ConnId,
        /// Its socket.
        fd: RawFd,
    },
    /// Agent, client: the connect completed (`OnConnect`).
    Connect {
        /// The connection.
        conn: ConnId,
    },
    /// The connection is ready for data (`OnHandShake`).
    HandShake {
        /// The connection.
        conn: ConnId,
    },
    /// Bytes were written (`OnSend`); the result is ignored.
    Send {
        /// The connection.
        conn: ConnId,
        /// What was written, valid during the call.
        data: &'a [u8],
    },
    /// Bytes or a whole PACK message arrived (`OnReceive`).
    Receive {
        /// The connection.
        conn: ConnId,
        /// What arrived, valid during the call.
        data: &'a [u8],
    },
    /// PULL: this many bytes are buffered now (`OnPullReceive`).
    PullReceive {
        /// The connection.
        conn: ConnId,
        /// Bytes buffered in all.
        total: usize,
    },
    /// Extension: a full send queue drained to its low watermark (`OnSendDrained`).
    SendDrained {
        /// The connection.
        conn: ConnId,
        /// Bytes still queued.
        pending: usize,
    },
    /// Extension, ARQ: a message sent with a deadline or a retransmit limit was given up
    /// (`OnMessageDropped`); the result is ignored.
    MessageDropped {
        /// The connection.
        conn: ConnId,
        /// The id `send_ex` returned for it.
        message: u32,
        /// Its size in bytes.
        size: usize,
    },
    /// The connection closed (`OnClose`); the result is ignored.
    Close {
        /// The connection.
        conn: ConnId,
        /// What was going on.
        operation: SocketOperation,
        /// 0 for a normal close, else an `errno`.
        error: i32,
        /// The connection's extra data (a client's: its own), still set: the place to free it.
        extra: usize,
    },
    /// Server, agent, UDP node: the component stopped (`OnShutdown`).
    Shutdown,
    /// UDP node: a datagram arrived (`OnReceive`); the result is ignored.
    NodeReceive {
        /// Its sender.
        remote: SocketAddr,
        /// The datagram, valid during the call.
        data: &'a [u8],
    },
    /// UDP node: a datagram was sent (`OnSend`); the result is ignored.
    NodeSend {
        /// Where it went.
        remote: SocketAddr,
        /// The datagram, valid during the call.
        data: &'a [u8],
    },
    /// UDP node: one datagram failed (`OnError`); the result is ignored.
    NodeError {
        /// `SO_SEND` or `SO_RECEIVE`.
        operation: SocketOperation,
        /// The `errno`.
        error: i32,
        /// The peer, when known.
        remote: Option<SocketAddr>,
        /// The datagram that failed (empty for a receive).
        data: &'a [u8],
    },
    /// A worker thread starts (before its first event); the result is ignored.
    WorkerStart {
        /// Its index.
        index: usize,
    },
    /// A worker thread ends (after its last event); the result is ignored.
    WorkerExit {
        /// Its index.
        index: usize,
    },
}

/// A set of events, for [`EventHandler::wanted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMask(u32);

impl EventMask {
    /// Nothing.
    pub const NONE: EventMask = EventMask(0);
    /// [`Event::Send`], whose dispatch the reactor skips on every send when it is not wanted.
    pub const SEND: EventMask = EventMask(1);
    /// The head events of an HTTP message ([`HttpEvent::MessageBegin`] to
    /// [`HttpEvent::HeadersComplete`]), whose dispatch the HTTP parse skips when not wanted.
    pub const HTTP_HEAD: EventMask = EventMask(2);
    /// Every event.
    pub const ALL: EventMask = EventMask(u32::MAX);

    /// Whether every event of `other` is in this set.
    pub fn contains(self, other: EventMask) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for EventMask {
    type Output = EventMask;
    fn bitor(self, other: EventMask) -> EventMask {
        EventMask(self.0 | other.0)
    }
}

/// Receives every event of a component (see the module's documentation).
pub trait EventHandler: Send + Sync + 'static {
    /// The events worth dispatching; asked again before each costly one (today: `Send`), so
    /// the answer may change while the component runs. Default: all.
    fn wanted(&self) -> EventMask {
        EventMask::ALL
    }
    /// Whether every event of `events` is wanted: asked on every send (for `Send`), so a
    /// handler whose `wanted` is costly can answer one question cheaply. Default: from
    /// `wanted`.
    fn wants(&self, events: EventMask) -> bool {
        self.wanted().contains(events)
    }
    /// One event. The result matters where the listener traits say so (`HR_ERROR` rejects an
    /// accept, fails a prepare, closes a connection); elsewhere it is ignored.
    fn on_event(&self, event: Event<'_>) -> HandleResult;
    /// [`Event::Receive`], the event of every message: a handler may answer it without the
    /// dispatch through `on_event`. Default: `on_event`.
    fn on_receive(&self, conn: ConnId, data: &[u8]) -> HandleResult {
        self.on_event(Event::Receive { conn, data })
    }
    /// HTTP components: one step of a parse of connection `conn`. Default: `HPR_OK`.
    fn on_http(&self, conn: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        let _ = (conn, event);
        HttpParseResult::Ok
    }
}

/// Delivers a component's events to the handler it holds: give `Arc::new(EventAdapter(h))`
/// to `TcpServer`, `TcpAgent` or `TcpClient` as their listener.
pub struct EventAdapter<H>(pub H);

/// The listener methods every family has, mapped onto events.
macro_rules! connection_events {
    ($sender:ty) => {
        fn on_handshake(&self, _: &$sender, conn: ConnId) -> HandleResult {
            self.0.on_event(Event::HandShake { conn })
        }
        fn on_send(&self, _: &$sender, conn: ConnId, data: &[u8]) -> HandleResult {
            self.0.on_event(Event::Send { conn, data })
        }
        fn wants_on_send(&self) -> bool {
            self.0.wants(EventMask::SEND)
        }
        fn wants_http_head(&self) -> bool {
            self.0.wants(EventMask::HTTP_HEAD)
        }
        fn on_receive(&self, _: &$sender, conn: ConnId, data: &[u8]) -> HandleResult {
            self.0.on_receive(conn, data)
        }
        fn on_send_drained(&self, _: &$sender, conn: ConnId, pending: usize) -> HandleResult {
            self.0.on_event(Event::SendDrained { conn, pending })
        }
        fn on_message_dropped(
            &self,
            _: &$sender,
            conn: ConnId,
            message: u32,
            size: usize,
        ) -> HandleResult {
            self.0.on_event(Event::MessageDropped {
                conn,
                message,
                size,
            })
        }
        fn on_pull_receive(&self, _: &$sender, conn: ConnId, total: usize) -> HandleResult {
            self.0.on_event(Event::PullReceive { conn, total })
        }
        fn on_close(
            &self,
            sender: &$sender,
            conn: ConnId,
            operation: SocketOperation,
            error: i32,
        ) -> HandleResult {
            self.0.on_event(Event::Close {
                conn,
                operation,
                error,
                extra: ExtraOf::extra_of(sender, conn),
            })
        }
        fn on_http(&self, _: &$sender, conn: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
            self.0.on_http(conn, event)
        }
        fn on_worker_start(&self, _: &$sender, index: usize) {
            self.0.on_event(Event::WorkerStart { index });
        }
        fn on_worker_exit(&self, _: &$sender, index: usize) {
            self.0.on_event(Event::WorkerExit { index });
        }
    };
}

/// The connect events of agents and clients.
macro_rules! connect_events {
    ($sender:ty) => {
        fn on_prepare_connect(&self, _: &$sender, conn: ConnId, fd: RawFd) -> HandleResult {
            self.0.on_event(Event::PrepareConnect { conn, fd })
        }
        fn on_connect(&self, _: &$sender, conn: ConnId) -> HandleResult {
            self.0.on_event(Event::Connect { conn })
        }
    };
}

/// The extra data of a closing connection.
trait ExtraOf {
    fn extra_of(&self, conn: ConnId) -> usize;
}

impl ExtraOf for TcpServer {
    fn extra_of(&self, conn: ConnId) -> usize {
        self.connection_extra(conn).unwrap_or(0)
    }
}

impl ExtraOf for TcpAgent {
    fn extra_of(&self, conn: ConnId) -> usize {
        self.connection_extra(conn).unwrap_or(0)
    }
}

impl ExtraOf for TcpClient {
    fn extra_of(&self, _: ConnId) -> usize {
        self.extra()
    }
}

impl<H: EventHandler> ServerListener for EventAdapter<H> {
    fn on_prepare_listen(&self, _: &TcpServer, fd: RawFd) -> HandleResult {
        self.0.on_event(Event::PrepareListen { fd })
    }
    fn on_accept(&self, sender: &TcpServer, conn: ConnId, fd: RawFd) -> HandleResult {
        let peer = sender
            .is_udp()
            .then(|| sender.remote_address(conn).ok())
            .flatten();
        self.0.on_event(Event::Accept { conn, fd, peer })
    }
    fn on_shutdown(&self, _: &TcpServer) -> HandleResult {
        self.0.on_event(Event::Shutdown)
    }
    connection_events!(TcpServer);
}

impl<H: EventHandler> AgentListener for EventAdapter<H> {
    connect_events!(TcpAgent);
    fn on_shutdown(&self, _: &TcpAgent) -> HandleResult {
        self.0.on_event(Event::Shutdown)
    }
    connection_events!(TcpAgent);
}

impl<H: EventHandler> ClientListener for EventAdapter<H> {
    connect_events!(TcpClient);
    connection_events!(TcpClient);
}

impl<H: EventHandler> NodeListener for EventAdapter<H> {
    fn on_prepare_listen(&self, _: &UdpNode, fd: RawFd) -> HandleResult {
        self.0.on_event(Event::PrepareListen { fd })
    }
    fn on_send(&self, _: &UdpNode, remote: SocketAddr, data: &[u8]) -> HandleResult {
        self.0.on_event(Event::NodeSend { remote, data })
    }
    fn wants_on_send(&self) -> bool {
        self.0.wants(EventMask::SEND)
    }
    fn on_receive(&self, _: &UdpNode, remote: SocketAddr, data: &[u8]) -> HandleResult {
        self.0.on_event(Event::NodeReceive { remote, data })
    }
    fn on_error(
        &self,
        _: &UdpNode,
        operation: SocketOperation,
        error: i32,
        remote: Option<SocketAddr>,
        data: &[u8],
    ) -> HandleResult {
        self.0.on_event(Event::NodeError {
            operation,
            error,
            remote,
            data,
        })
    }
    fn on_shutdown(&self, _: &UdpNode) -> HandleResult {
        self.0.on_event(Event::Shutdown)
    }
    fn on_worker_start(&self, _: &UdpNode, index: usize) {
        self.0.on_event(Event::WorkerStart { index });
    }
    fn on_worker_exit(&self, _: &UdpNode, index: usize) {
        self.0.on_event(Event::WorkerExit { index });
    }
}
