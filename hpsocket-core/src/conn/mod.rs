//! One connection as every thread sees it. The socket is written only by the owning
//! worker; other threads append to the send queue and ask the owner to flush.

pub(crate) mod marks;
pub(crate) mod table;
pub(crate) mod transport;

use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::arq::ArqSession;
use crate::buffer::{BufferPool, SendQueue};
use crate::http::session::HttpShared;
use crate::model::pull::PullBuffer;
use crate::ssl::session::TlsSession;
use crate::sync::lock;
use crate::types::ConnId;
use marks::{AtomicMark, RemoteAddr};
pub(crate) use transport::{CastSocket, Transport};

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum ConnState {
    /// Connect in progress (agent/client) or accept not yet confirmed.
    Connecting = 0,
    /// Established; sends accepted.
    Connected = 1,
    /// A close was requested; the owner has not processed it yet.
    Closing = 2,
    /// Closed; `OnClose` fired or being fired.
    Closed = 3,
}

pub(crate) struct Conn {
    pub(crate) id: ConnId,
    /// Index of the owning worker.
    pub(crate) worker: usize,
    pub(crate) transport: Transport,
    state: AtomicU8,
    /// Made the first time something is queued (most sends go straight to the socket), then
    /// kept: an idle connection that never queued carries a pointer, not a queue.
    send_queue: Mutex<Option<Box<SendQueue>>>,
    /// Mirror of the queue length readable without the lock.
    pub(crate) pending: AtomicUsize,
    /// SSL: plaintext sent during the handshake, held in the session until it completes
    /// (changed under the session lock). It counts as pending, but only the session can
    /// send it, so it is kept apart from the queue's mirror, which flushes overwrite.
    pub(crate) held: AtomicUsize,
    /// A flush command is on its way to the owner; saves duplicate commands and wake-ups.
    pub(crate) flush_requested: AtomicBool,
    pub(crate) paused: AtomicBool,
    pub(crate) extra: AtomicUsize,
    /// Milliseconds since the engine epoch when the connection was accepted or its connect
    /// started, in 32 bits (see `marks::period`).
    created_ms: u32,
    /// Milliseconds since the engine epoch at the last receive.
    pub(crate) last_active_ms: AtomicMark,
    /// Half the size of a `SocketAddr` (see `RemoteAddr`): read by queries, never by I/O.
    remote_addr: RemoteAddr,
    /// The host and port given to `connect` (agent/client), for `GetRemoteHost`; boxed so a
    /// server's connections do not pay for it.
    pub(crate) remote_host: Option<Box<(String, u16)>>,
    /// Key of the owner's local record, set when the owner adopts the connection.
    pub(crate) local_key: AtomicUsize,
    /// The receive model's state shared between threads (PULL, HTTP, ARQ); none for PUSH and
    /// PACK. One box for the three, since a connection has at most one of them.
    shared: Option<Box<SharedModel>>,
    /// A send was refused for a full queue; `on_send_drained` is owed.
    pub(crate) send_refused: AtomicBool,
    /// SSL components: the connection's TLS session.
    pub(crate) tls: Option<Box<Mutex<TlsSession>>>,
    /// A TCP stream without TLS or ARQ: sends take the shortest path (decided once here,
    /// so the hot path tests one flag instead of three).
    pub(crate) plain_stream: bool,
}

pub(crate) const NO_KEY: usize = usize::MAX;

/// A receive model's state that other threads read too.
enum SharedModel {
    /// PULL: received bytes waiting for `fetch`.
    Pull(Mutex<PullBuffer>),
    /// HTTP: the message state every thread reads.
    Http(HttpShared),
    /// ARQ: the handshake and KCP state (the worker reads and ticks it, any thread sends
    /// through it).
    Arq(Mutex<ArqSession>),
}

/// The receive model's per-connection state to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnModel {
    /// PUSH, PACK (whose decoder the worker keeps): nothing shared.
    Plain,
    /// PULL: the fetch buffer.
    Pull,
    /// HTTP: the message state; `started` unless HTTP waits for `start_http`.
    Http { started: bool },
    /// ARQ: a session with these settings.
    Arq(ArqInit),
}

/// What a new ARQ session is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArqInit {
    pub(crate) config: crate::config::ArqConfig,
    pub(crate) max_datagram_size: u32,
}

impl Conn {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: ConnId,
        worker: usize,
        transport: Transport,
        state: ConnState,
        remote_addr: SocketAddr,
        remote_host: Option<(String, u16)>,
        extra: usize,
        now_ms: u64,
        model: ConnModel,
        tls: Option<TlsSession>,
    ) -> Conn {
        let plain_stream = matches!(transport, Transport::Stream(_))
            && tls.is_none()
            && !matches!(model, ConnModel::Arq(_));
        Conn {
            id,
            worker,
            transport,
            state: AtomicU8::new(state as u8),
            send_queue: Mutex::new(None),
            pending: AtomicUsize::new(0),
            held: AtomicUsize::new(0),
            flush_requested: AtomicBool::new(false),
            paused: AtomicBool::new(false),
            extra: AtomicUsize::new(extra),
            created_ms: now_ms as u32,
            last_active_ms: AtomicMark::new(now_ms),
            remote_addr: RemoteAddr::new(remote_addr),
            remote_host: remote_host.map(Box::new),
            local_key: AtomicUsize::new(NO_KEY),
            shared: match model {
                ConnModel::Plain => None,
                ConnModel::Pull => Some(Box::new(SharedModel::Pull(Mutex::default()))),
                ConnModel::Http { started } => {
                    Some(Box::new(SharedModel::Http(HttpShared::new(started))))
                }
                ConnModel::Arq(init) => {
                    Some(Box::new(SharedModel::Arq(Mutex::new(ArqSession::new(
                        crate::arq::conversation_id(),
                        &init.config,
                        init.max_datagram_size,
                        now_ms as u32,
                    )))))
                }
            },
            send_refused: AtomicBool::new(false),
            plain_stream,
            tls: tls.map(|t| Box::new(Mutex::new(t))),
        }
    }

    pub(crate) fn state(&self) -> ConnState {
        match self.state.load(Ordering::Acquire) {
            0 => ConnState::Connecting,
            1 => ConnState::Connected,
            2 => ConnState::Closing,
            _ => ConnState::Closed,
        }
    }

    pub(crate) fn set_state(&self, s: ConnState) {
        self.state.store(s as u8, Ordering::Release);
    }

    /// Moves to `to` only from `from`; false when another thread got there first.
    pub(crate) fn transition(&self, from: ConnState, to: ConnState) -> bool {
        self.state
            .compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The PULL buffer; `None` outside the PULL model.
    pub(crate) fn pull_buffer(&self) -> Option<MutexGuard<'_, PullBuffer>> {
        // Buffer updates are single calls that cannot leave it half-changed.
        match self.shared.as_deref() {
            Some(SharedModel::Pull(m)) => Some(lock(m)),
            _ => None,
        }
    }

    /// ARQ components: the connection's session.
    pub(crate) fn arq(&self) -> Option<&Mutex<ArqSession>> {
        match self.shared.as_deref() {
            Some(SharedModel::Arq(m)) => Some(m),
            _ => None,
        }
    }

    /// HTTP components: the connection's message state.
    pub(crate) fn http(&self) -> Option<&HttpShared> {
        match self.shared.as_deref() {
            Some(SharedModel::Http(h)) => Some(h),
            _ => None,
        }
    }

    pub(crate) fn remote_addr(&self) -> SocketAddr {
        self.remote_addr.get()
    }

    /// Milliseconds from the accept or connect to `now_ms`.
    pub(crate) fn connected_for(&self, now_ms: u64) -> u64 {
        marks::period(self.created_ms, now_ms)
    }

    /// Bytes accepted by `send` and not yet written: the queue and any held plaintext.
    pub(crate) fn unsent(&self) -> usize {
        self.pending.load(Ordering::Acquire) + self.held.load(Ordering::Acquire)
    }

    pub(crate) fn queue(&self) -> QueueGuard<'_> {
        // Every queue update leaves it consistent before anything that can panic runs.
        QueueGuard(lock(&self.send_queue))
    }
}

/// A connection's send queue, locked: reads see an empty queue until one is made, and the
/// first change makes it.
pub(crate) struct QueueGuard<'a>(MutexGuard<'a, Option<Box<SendQueue>>>);

/// What a connection that never queued reads.
static NO_QUEUE: SendQueue = SendQueue::EMPTY;

impl QueueGuard<'_> {
    /// Empties the queue into `pool` (without making one to empty).
    pub(crate) fn clear(&mut self, pool: &BufferPool) {
        if let Some(queue) = self.0.as_deref_mut() {
            queue.clear(pool);
        }
    }
}

impl Deref for QueueGuard<'_> {
    type Target = SendQueue;
    fn deref(&self) -> &SendQueue {
        self.0.as_deref().unwrap_or(&NO_QUEUE)
    }
}

impl DerefMut for QueueGuard<'_> {
    fn deref_mut(&mut self) -> &mut SendQueue {
        self.0.get_or_insert_with(Box::default)
    }
}
