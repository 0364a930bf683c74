//! The engine under every TCP component: N worker threads, each owning one `mio::Poll` and
//! the connections assigned to it round-robin; a connection table shared by all threads; the
//! start/stop life cycle. Servers, agents and clients are thin layers over it.

mod connect;
pub(crate) mod events;
mod http;
mod node;
mod ops;
mod start;
mod timer;
mod tls;
mod worker;

pub(crate) use start::StartParams;

use std::cell::{Cell, RefCell};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::buffer::BufferPool;
use crate::config::EngineConfig;
use crate::conn::table::ConnTable;
use crate::conn::{ArqInit, Conn, ConnModel};
use crate::error::{Error, Result};
use crate::http::HttpConfig;
use crate::model::ReceiveModel;
use crate::ssl::context::SslContexts;
use crate::sync::lock;
use crate::types::{ServiceState, SocketOperation};
use events::Events;

pub(crate) use connect::ConnectOptions;

/// Which component an engine serves; it decides names in messages and a few behaviours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Server,
    Agent,
    Client,
    /// A UDP node: no connections, datagrams to and from any address.
    Node,
}

/// What a component's connections run over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// TCP streams (and TLS over them).
    Tcp,
    /// UDP datagrams: a server's connections are the peers of its socket, a client's socket
    /// is connected to its server.
    Udp,
    /// UDP multicast or broadcast (a cast client): datagrams go to the group, come from
    /// anyone in it.
    UdpCast,
}

impl Role {
    /// The operation `OnClose` reports when `OnHandShake` returns `HR_ERROR`.
    fn handshake_operation(self) -> SocketOperation {
        match self {
            Role::Server | Role::Node => SocketOperation::Accept,
            Role::Agent | Role::Client => SocketOperation::Connect,
        }
    }
}

/// What a worker is asked to do by other threads (or by itself, from inside a callback).
pub(crate) enum Command {
    /// Take ownership of a new connection.
    Adopt(Arc<Conn>, Adoption),
    /// The connection's send queue has data.
    Flush(Arc<Conn>),
    /// Close the connection and fire `OnClose(operation, code)`.
    Close(Arc<Conn>, SocketOperation, i32),
    /// Receiving was un-paused.
    Resume(Arc<Conn>),
    /// Manual TLS handshake started: send what the session produced.
    StartTls(Arc<Conn>),
    /// A UDP node's send queue has data.
    FlushNode,
    /// HTTP `release` (or the WebSocket mode's close): close the connection after this many
    /// ms, with this `OnClose` code (0: `SO_CLOSE`; else `SO_RECEIVE` and the code).
    Release(Arc<Conn>, u32, i32),
    /// Close everything and exit.
    Stop,
}

/// How a connection reaches its worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Adoption {
    /// Accepted by a server: fire `OnAccept`, then `OnHandShake`.
    Accepted,
    /// Asynchronous connect in progress: wait for writability, then `OnConnect`.
    Connecting,
    /// Synchronous connect done (`OnConnect` already fired on the caller): `OnHandShake`.
    Connected,
}

struct WorkerHandle {
    commands: Sender<Command>,
    waker: mio::Waker,
    /// A wake-up is on its way: later commands need not wake the worker again.
    wake_pending: AtomicBool,
}

/// Everything that exists only while the engine runs.
pub(crate) struct Running {
    shared: Arc<Shared>,
    config: EngineConfig,
    table: ConnTable,
    workers: Box<[WorkerHandle]>,
    events: Arc<dyn Events>,
    next_worker: AtomicUsize,
    pool: BufferPool,
    epoch: Instant,
    listen_addr: Option<std::net::SocketAddr>,
    /// Agent: local address every connect binds to unless told otherwise.
    bind_addr: Option<IpAddr>,
    async_connect: bool,
    threads: Mutex<Vec<JoinHandle<()>>>,
    live_workers: AtomicUsize,
    /// The stop was started from a worker: the last worker out finishes it.
    detached_stop: AtomicBool,
    /// UDP: datagrams dropped for being larger than `max_datagram_size`.
    dropped_datagrams: AtomicU64,
    /// A UDP node's socket (polled by worker 0, written to by any thread).
    node: Option<Arc<node::NodeSocket>>,
}

/// The part of an engine that outlives runs.
pub(crate) struct Shared {
    uid: u64,
    role: Role,
    transport: TransportKind,
    model: ReceiveModel,
    /// An SSL component: connections run TLS with `ssl`.
    secure: bool,
    ssl: Mutex<Option<Arc<SslContexts>>>,
    /// The last failure worth reporting that no call returned (a failed TLS handshake…),
    /// numbered so a binding can tell a new one from one it has seen.
    last_error: Mutex<Option<(u64, Error)>>,
    state: AtomicU8,
    config: Mutex<EngineConfig>,
    /// HTTP components: settings that may change while running.
    http: Mutex<HttpConfig>,
    run: Mutex<Option<Arc<Running>>>,
    stopped: Condvar,
    stopped_lock: Mutex<()>,
}

impl Shared {
    /// The per-connection model state new connections get.
    pub(crate) fn conn_model(&self) -> ConnModel {
        match self.model {
            ReceiveModel::Pull => ConnModel::Pull,
            ReceiveModel::Http => ConnModel::Http {
                started: lock(&self.http).auto_start,
            },
            ReceiveModel::Arq => {
                let udp = lock(&self.config).udp;
                ConnModel::Arq(ArqInit {
                    config: udp.arq,
                    max_datagram_size: udp.max_datagram_size,
                })
            }
            ReceiveModel::Push | ReceiveModel::Pack => ConnModel::Plain,
        }
    }

    /// The component's name in messages.
    pub(crate) fn name(&self) -> &'static str {
        match (self.transport, self.role) {
            (TransportKind::Tcp, Role::Server) => "TcpServer",
            (TransportKind::Tcp, Role::Agent) => "TcpAgent",
            (TransportKind::Tcp, Role::Client) => "TcpClient",
            (TransportKind::Udp, Role::Server) => "UdpServer",
            (TransportKind::Udp, Role::Agent) => "UdpAgent",
            (TransportKind::Udp, Role::Client) => "UdpClient",
            (_, Role::Node) => "UdpNode",
            (TransportKind::UdpCast, _) => "UdpCast",
        }
    }
}

/// A server, agent or client engine; cheap to clone (all clones are the same engine).
#[derive(Clone)]
pub(crate) struct Engine {
    shared: Arc<Shared>,
}

/// What a worker thread knows about itself, for calls made from its callbacks.
pub(crate) struct WorkerThread {
    run: Arc<Running>,
    index: usize,
    /// The connection whose received data the worker is handing over: a send to it from the
    /// callback (the echo case) skips the connection table.
    delivering: Option<Arc<Conn>>,
}

/// What a thread knows while it runs callbacks, in one thread-local: in a shared library each
/// access to a thread-local is a `__tls_get_addr` call, and a delivery needs both fields.
pub(crate) struct CallbackThread {
    /// Set on worker threads.
    pub(crate) worker: RefCell<Option<WorkerThread>>,
    /// The code `OnClose` reports if the callback now running returns `HR_ERROR` (see
    /// `events::set_close_error_code`); 0 outside callbacks.
    pub(crate) close_code: Cell<i32>,
}

thread_local! {
    pub(crate) static THREAD: CallbackThread = const {
        CallbackThread {
            worker: RefCell::new(None),
            close_code: Cell::new(0),
        }
    };
    /// Engines whose callbacks run on this (non-worker) thread right now: `OnPrepareListen`
    /// inside `start`, `OnPrepareConnect`/synchronous `OnConnect` inside `connect`,
    /// `OnShutdown` inside `stop`.
    static CALLING: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Runs a callback of engine `uid` on the calling thread, marked so that a re-entrant
/// `stop`/`wait`/`start` of the same engine is refused instead of waiting for itself.
pub(super) fn marked<R>(uid: u64, f: impl FnOnce() -> R) -> R {
    struct Unmark;
    impl Drop for Unmark {
        fn drop(&mut self) {
            CALLING.with_borrow_mut(|c| {
                c.pop();
            });
        }
    }
    CALLING.with_borrow_mut(|c| c.push(uid));
    let _unmark = Unmark;
    f()
}

impl Engine {
    pub(crate) fn new(
        role: Role,
        transport: TransportKind,
        model: ReceiveModel,
        secure: bool,
        config: EngineConfig,
    ) -> Engine {
        static NEXT_UID: AtomicU64 = AtomicU64::new(1);
        Engine {
            shared: Arc::new(Shared {
                uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
                role,
                transport,
                model,
                secure,
                ssl: Mutex::new(None),
                last_error: Mutex::new(None),
                state: AtomicU8::new(ServiceState::Stopped as u8),
                config: Mutex::new(config),
                http: Mutex::new(HttpConfig::default()),
                run: Mutex::new(None),
                stopped: Condvar::new(),
                stopped_lock: Mutex::new(()),
            }),
        }
    }

    pub(crate) fn role(&self) -> Role {
        self.shared.role
    }

    pub(crate) fn model(&self) -> ReceiveModel {
        self.shared.model
    }

    pub(crate) fn transport(&self) -> TransportKind {
        self.shared.transport
    }

    /// The component's name in messages (`TcpServer`, `UdpClient`, ...).
    pub(crate) fn name(&self) -> &'static str {
        self.shared.name()
    }

    pub(crate) fn is_secure(&self) -> bool {
        self.shared.secure
    }

    /// The last connection-level failure no call returned (a TLS handshake that failed…),
    /// with its sequence number (1, 2, … per engine).
    pub(crate) fn last_error(&self) -> Option<(u64, Error)> {
        lock(&self.shared.last_error).clone()
    }

    pub(crate) fn state(&self) -> ServiceState {
        ServiceState::from_u8(self.shared.state.load(Ordering::Acquire))
    }

    pub(crate) fn config(&self) -> EngineConfig {
        lock(&self.shared.config).clone()
    }

    /// The HTTP settings.
    pub(crate) fn http_config(&self) -> HttpConfig {
        lock(&self.shared.http).clone()
    }

    /// Changes HTTP settings, also while running (as HP-Socket's setters do).
    pub(crate) fn update_http_config(&self, f: impl FnOnce(&mut HttpConfig)) {
        f(&mut lock(&self.shared.http));
    }

    /// Changes settings; only while stopped, as in HP-Socket.
    pub(crate) fn update_config(&self, f: impl FnOnce(&mut EngineConfig)) -> Result<()> {
        let mut c = lock(&self.shared.config);
        if self.state() != ServiceState::Stopped {
            return Err(Error::illegal_state(format!(
                "{}: settings can only change while stopped",
                self.name()
            )));
        }
        f(&mut c);
        Ok(())
    }

    /// True inside one of this engine's callbacks: on its own worker threads, or on a thread
    /// that runs one of its callbacks right now.
    pub(crate) fn in_own_callback(&self) -> bool {
        let uid = self.shared.uid;
        THREAD.with(|t| matches!(&*t.worker.borrow(), Some(w) if w.run.shared.uid == uid))
            || CALLING.with_borrow(|c| c.contains(&uid))
    }

    /// Runs `f` with the current run and, on a worker of this engine, that worker's index.
    /// Worker threads use their own reference, so the common path takes no shared lock.
    fn with_run<R>(
        &self,
        what: &str,
        f: impl FnOnce(&Running, Option<usize>) -> Result<R>,
    ) -> Result<R> {
        self.with_run_delivering(what, |run, me, _| f(run, me))
    }

    /// [`Engine::with_run`], also handing over the connection whose data this worker is
    /// delivering, if any.
    fn with_run_delivering<R>(
        &self,
        what: &str,
        f: impl FnOnce(&Running, Option<usize>, Option<&Arc<Conn>>) -> Result<R>,
    ) -> Result<R> {
        let mut f = Some(f);
        let fast = THREAD.with(|t| match (&*t.worker.borrow(), f.take()) {
            (Some(t), Some(f)) if t.run.shared.uid == self.shared.uid => {
                Ok(f(&t.run, Some(t.index), t.delivering.as_ref()))
            }
            (_, f) => Err(f),
        });
        match fast {
            Ok(result) => result,
            Err(Some(f)) => self.with_shared_run(what, f),
            Err(None) => unreachable!("the closure is only taken by the fast path"),
        }
    }

    /// [`Engine::with_run_delivering`] off this engine's workers, through the shared
    /// reference. Out of line: a worker's send (every echo) then keeps a small frame.
    #[cold]
    #[inline(never)]
    fn with_shared_run<R>(
        &self,
        what: &str,
        f: impl FnOnce(&Running, Option<usize>, Option<&Arc<Conn>>) -> Result<R>,
    ) -> Result<R> {
        let run = lock(&self.shared.run).clone();
        match run {
            Some(run) => f(&run, None, None),
            None => Err(Error::illegal_state(format!(
                "{}::{what}: the component is not started",
                self.name()
            ))),
        }
    }

    /// Blocks until the engine is stopped, or `timeout` passes; true when stopped.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        if self.in_own_callback() {
            return Err(Error::illegal_state(format!(
                "{}::wait called from one of its own callbacks: it would wait for itself",
                self.name()
            )));
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut guard = lock(&self.shared.stopped_lock);
        loop {
            if self.state() == ServiceState::Stopped {
                return Ok(true);
            }
            match deadline {
                None => {
                    guard = self
                        .shared
                        .stopped
                        .wait(guard)
                        .unwrap_or_else(|e| e.into_inner())
                }
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Ok(false);
                    }
                    guard = self
                        .shared
                        .stopped
                        .wait_timeout(guard, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
    }
}
