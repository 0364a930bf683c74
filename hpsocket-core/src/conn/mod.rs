//! One connection as every thread sees it. The socket is written only by the owning
//! worker; other threads append to the send queue and ask the owner to flush.

pub(crate) mod marks;
pub(crate) mod table;
pub(crate) mod transport;

use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::arq::ArqSession;
use crate::buffer::{BufferPool, SendQueue};
use crate::http::session::HttpShared;
use crate::model::pull::PullBuffer;
use crate::ssl::session::TlsSession;
use crate::sync::lock;
use crate::types::ConnId;
use marks::AtomicMark;
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
    pub(crate) transport: Transport,
    /// Made the first time something is queued (most sends go straight to the socket), then
    /// kept: an idle connection that never queued carries a pointer, not a queue.
    send_queue: Mutex<Option<Box<SendQueue>>>,
    /// Mirror of the queue length readable without the lock.
    pub(crate) pending: AtomicUsize,
    pub(crate) extra: AtomicUsize,
    /// What only some connections have (see `Rare`): none for a plain IPv4 PUSH or PACK
    /// connection.
    rare: Option<Box<Rare>>,
    /// Milliseconds since the engine epoch when the connection was accepted or its connect
    /// started, in 32 bits (see `marks::period`).
    created_ms: u32,
    /// Milliseconds since the engine epoch at the last receive.
    pub(crate) last_active_ms: AtomicMark,
    /// Key of the owner's local record, set when the owner adopts the connection; `NO_KEY`
    /// before and after. 32 bits: the owner never holds more records than the table slots.
    pub(crate) local_key: AtomicU32,
    /// The remote address when it is IPv4 (read by queries, never by I/O); an IPv6 one is
    /// kept in `Rare` instead, and this is then unspecified.
    remote_v4: SocketAddrV4,
    /// Index of the owning worker (`worker()`), in 16 bits: there are at most
    /// `MAX_WORKER_THREAD_COUNT` (512).
    worker: u16,
    state: AtomicU8,
    pub(crate) paused: AtomicBool,
    /// `FLUSH_REQUESTED`, `SEND_REFUSED`, `PLAIN_STREAM`: one byte for the three, which is
    /// what keeps the connection at 88 bytes.
    flags: AtomicU8,
    /// The owning worker's flags for its record of the connection (see `worker::Local`),
    /// read and written by that worker alone: kept in the byte the connection had spare,
    /// they keep the record at 16 bytes.
    pub(crate) owner: AtomicU8,
}

/// `Conn::local_key` of a connection no worker has adopted.
pub(crate) const NO_KEY: u32 = u32::MAX;

/// A flush command is on its way to the owner; saves duplicate commands and wake-ups.
pub(crate) const FLUSH_REQUESTED: u8 = 1;
/// A send was refused for a full queue; `on_send_drained` is owed.
pub(crate) const SEND_REFUSED: u8 = 2;
/// A TCP stream without TLS or ARQ: sends take the shortest path (decided once, at
/// creation, so the hot path tests one flag instead of three). Never changes.
const PLAIN_STREAM: u8 = 4;

/// The fields only some connections use, in one box that only those connections allocate:
/// every connection object is allocated whole, so a field here instead of in `Conn` is
/// saved by each idle plain connection (the C1 cell counts them).
#[derive(Default)]
struct Rare {
    /// SSL components: the connection's TLS session (boxed again, so that an IPv6 or PULL
    /// connection without TLS does not pay for the session's size).
    tls: Option<Box<Mutex<TlsSession>>>,
    /// SSL: plaintext sent during the handshake, held in the session until it completes
    /// (changed under the session lock). It counts as pending, but only the session can
    /// send it, so it is kept apart from the queue's mirror, which flushes overwrite.
    held: AtomicUsize,
    /// The host and port given to `connect` (agent/client), for `GetRemoteHost`: boxed
    /// again, as a server's connections never have one.
    remote_host: Option<Box<(String, u16)>>,
    /// An IPv6 remote address, with its flow and scope.
    remote_v6: Option<SocketAddrV6>,
    /// The receive model's state shared between threads (PULL, HTTP, ARQ); none for PUSH and
    /// PACK.
    shared: Option<SharedModel>,
}

/// A receive model's state that other threads read too. Each boxed on its own, so that a
/// PULL connection allocates a PULL buffer and not the size of an ARQ session (464 bytes).
enum SharedModel {
    /// PULL: received bytes waiting for `fetch`.
    Pull(Box<Mutex<PullBuffer>>),
    /// HTTP: the message state every thread reads.
    Http(Box<HttpShared>),
    /// ARQ: the handshake and KCP state (the worker reads and ticks it, any thread sends
    /// through it).
    Arq(Box<Mutex<ArqSession>>),
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
        let (remote_v4, remote_v6) = marks::split_addr(remote_addr);
        let shared = match model {
            ConnModel::Plain => None,
            ConnModel::Pull => Some(SharedModel::Pull(Box::default())),
            ConnModel::Http { started } => {
                Some(SharedModel::Http(Box::new(HttpShared::new(started))))
            }
            ConnModel::Arq(init) => Some(SharedModel::Arq(Box::new(Mutex::new(ArqSession::new(
                crate::arq::conversation_id(),
                &init.config,
                init.max_datagram_size,
                now_ms as u32,
            ))))),
        };
        let rare = Rare {
            tls: tls.map(|t| Box::new(Mutex::new(t))),
            held: AtomicUsize::new(0),
            remote_host: remote_host.map(Box::new),
            remote_v6,
            shared,
        };
        let rare_needed = rare.tls.is_some()
            || rare.remote_host.is_some()
            || rare.remote_v6.is_some()
            || rare.shared.is_some();
        Conn {
            id,
            worker: u16::try_from(worker).expect("at most MAX_WORKER_THREAD_COUNT workers"),
            transport,
            state: AtomicU8::new(state as u8),
            send_queue: Mutex::new(None),
            pending: AtomicUsize::new(0),
            paused: AtomicBool::new(false),
            extra: AtomicUsize::new(extra),
            created_ms: now_ms as u32,
            last_active_ms: AtomicMark::new(now_ms),
            remote_v4,
            rare: rare_needed.then(|| Box::new(rare)),
            local_key: AtomicU32::new(NO_KEY),
            flags: AtomicU8::new(if plain_stream { PLAIN_STREAM } else { 0 }),
            owner: AtomicU8::new(0),
        }
    }

    /// Sets or clears `flag` (`FLUSH_REQUESTED`, `SEND_REFUSED`) and returns whether it was
    /// set, as `AtomicBool::swap` would.
    pub(crate) fn swap_flag(&self, flag: u8, on: bool) -> bool {
        let old = if on {
            self.flags.fetch_or(flag, Ordering::AcqRel)
        } else {
            self.flags.fetch_and(!flag, Ordering::AcqRel)
        };
        old & flag != 0
    }

    /// A TCP stream without TLS or ARQ.
    pub(crate) fn plain_stream(&self) -> bool {
        // Set once before the connection is shared, never changed.
        self.flags.load(Ordering::Relaxed) & PLAIN_STREAM != 0
    }

    /// Index of the owning worker.
    pub(crate) fn worker(&self) -> usize {
        self.worker as usize
    }

    /// SSL components: the connection's TLS session.
    pub(crate) fn tls(&self) -> Option<&Mutex<TlsSession>> {
        self.rare.as_deref()?.tls.as_deref()
    }

    /// The host and port given to `connect` (agent/client).
    pub(crate) fn remote_host(&self) -> Option<&(String, u16)> {
        self.rare.as_deref()?.remote_host.as_deref()
    }

    /// SSL: the plaintext held during the handshake (zero without TLS).
    pub(crate) fn held(&self) -> usize {
        self.rare
            .as_deref()
            .map_or(0, |r| r.held.load(Ordering::Acquire))
    }

    /// SSL: `n` more bytes of plaintext held (under the session lock; a connection with a
    /// session always has its `Rare`).
    pub(crate) fn add_held(&self, n: usize) {
        if let Some(r) = self.rare.as_deref() {
            r.held.fetch_add(n, Ordering::AcqRel);
        }
    }

    /// SSL: the held plaintext is now `n` bytes.
    pub(crate) fn set_held(&self, n: usize) {
        if let Some(r) = self.rare.as_deref() {
            r.held.store(n, Ordering::Release);
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

    fn shared(&self) -> Option<&SharedModel> {
        self.rare.as_deref()?.shared.as_ref()
    }

    /// The PULL buffer; `None` outside the PULL model.
    pub(crate) fn pull_buffer(&self) -> Option<MutexGuard<'_, PullBuffer>> {
        // Buffer updates are single calls that cannot leave it half-changed.
        match self.shared() {
            Some(SharedModel::Pull(m)) => Some(lock(m)),
            _ => None,
        }
    }

    /// ARQ components: the connection's session.
    pub(crate) fn arq(&self) -> Option<&Mutex<ArqSession>> {
        match self.shared() {
            Some(SharedModel::Arq(m)) => Some(m),
            _ => None,
        }
    }

    /// HTTP components: the connection's message state.
    pub(crate) fn http(&self) -> Option<&HttpShared> {
        match self.shared() {
            Some(SharedModel::Http(h)) => Some(h),
            _ => None,
        }
    }

    pub(crate) fn remote_addr(&self) -> SocketAddr {
        marks::join_addr(
            self.remote_v4,
            self.rare.as_deref().and_then(|r| r.remote_v6),
        )
    }

    /// Milliseconds from the accept or connect to `now_ms`.
    pub(crate) fn connected_for(&self, now_ms: u64) -> u64 {
        marks::period(self.created_ms, now_ms)
    }

    /// Bytes accepted by `send` and not yet written: the queue and any held plaintext.
    pub(crate) fn unsent(&self) -> usize {
        self.pending.load(Ordering::Acquire) + self.held()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_connection_fits_a_112_byte_allocation() {
        // `Arc<Conn>` allocates the connection after two counters: at most 88 bytes keeps
        // the whole at 104, which glibc serves from a 112-byte chunk (the C1 cell). mio's
        // sockets carry a selector ID in debug builds only, so the transport (16 bytes in
        // release builds, those measured) is counted apart.
        let rest = std::mem::size_of::<Conn>() - std::mem::size_of::<Transport>();
        assert!(rest + 16 <= 88, "Conn is {rest} bytes and its transport");
        if !cfg!(debug_assertions) {
            assert_eq!(std::mem::size_of::<Transport>(), 16);
        }
        assert_eq!(std::mem::size_of::<Mutex<Option<Box<SendQueue>>>>(), 16);
        assert_eq!(std::mem::size_of::<SocketAddrV4>(), 6);
        // What a PULL, HTTP, TLS, IPv6 or client connection adds (before its model's or
        // session's own box): a 72-byte `Rare`.
        assert_eq!(std::mem::size_of::<Option<SharedModel>>(), 16);
        assert_eq!(std::mem::size_of::<Rare>(), 72);
    }
}
