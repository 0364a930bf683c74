//! [`TcpAgent`]: many outgoing connections on shared workers (HP-Socket's `ITcpAgent`).

use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::Duration;

use crate::config::EngineConfig;
use crate::error::Result;
use crate::http::{HttpEvent, HttpParseResult};
use crate::listener::{AgentListener, OnSendProbe};
use crate::model::{FetchResult, ReceiveModel};
use crate::reactor::events::Events;
use crate::reactor::{self, Engine, Role, StartParams, TransportKind};
use crate::sock;
use crate::ssl::SslSetup;
use crate::types::{ConnId, HandleResult, ServiceState, SocketOperation};

/// Options of one [`TcpAgent::connect_with`] (HP-Socket's `ConnectWith*` variants).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Extra data attached before the first callback of the connection.
    pub extra: usize,
    /// Local address to bind (overrides the agent's start address).
    pub local_address: Option<String>,
    /// Local port to bind (0: any).
    pub local_port: u16,
}

/// A TCP agent: a client of many connections. Cheap to clone; see [`crate::TcpServer`].
#[derive(Clone)]
pub struct TcpAgent {
    engine: Engine,
    listener: Arc<dyn AgentListener>,
}

impl TcpAgent {
    /// The engine, for operations written once for every role (HTTP).
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A stopped PUSH agent reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn AgentListener>) -> TcpAgent {
        TcpAgent::with_model(listener, ReceiveModel::Push)
    }

    /// A stopped agent of the given receive model (HP-Socket's `TcpAgent`, `TcpPullAgent`,
    /// `TcpPackAgent`).
    pub fn with_model(listener: Arc<dyn AgentListener>, model: ReceiveModel) -> TcpAgent {
        TcpAgent {
            engine: Engine::new(
                Role::Agent,
                TransportKind::Tcp,
                model,
                false,
                EngineConfig::default(),
            ),
            listener,
        }
    }

    /// A stopped ARQ agent (see [`crate::UdpArqAgent`], which wraps it).
    pub(crate) fn new_arq(listener: Arc<dyn AgentListener>) -> TcpAgent {
        TcpAgent {
            engine: Engine::new(
                Role::Agent,
                TransportKind::Udp,
                ReceiveModel::Arq,
                false,
                EngineConfig::default(),
            ),
            listener,
        }
    }

    /// A stopped SSL agent (HP-Socket's `SSLAgent`, `SSLPullAgent`, `SSLPackAgent`): call
    /// [`TcpAgent::setup_ssl_context`] before `start`.
    pub fn new_ssl(listener: Arc<dyn AgentListener>, model: ReceiveModel) -> TcpAgent {
        TcpAgent {
            engine: Engine::new(
                Role::Agent,
                TransportKind::Tcp,
                model,
                true,
                EngineConfig::default(),
            ),
            listener,
        }
    }

    /// SSL: builds the TLS context (optional client certificate, verify mode, CAs). Allowed
    /// while running (an extension): new connections use the new context.
    pub fn setup_ssl_context(&self, setup: &SslSetup) -> Result<()> {
        self.engine.setup_ssl_context(setup, None)
    }

    /// Starts the workers. `bind_address` (None or empty: any) is the local address of every
    /// connect; `async_connect` chooses whether `connect` returns at once (outcome through
    /// `on_connect` or `on_close(SO_CONNECT, errno)`) or blocks until connected or
    /// `sync_connect_timeout`.
    pub fn start(&self, bind_address: Option<&str>, async_connect: bool) -> Result<()> {
        let bind_addr = sock::local_address("TcpAgent::start", "bind address", bind_address)?;
        let events = Arc::new(AgentEvents {
            listener: self.listener.clone(),
            sender: self.clone(),
            on_send: OnSendProbe::default(),
        });
        self.engine.start(StartParams {
            events,
            listen: None,
            bind_addr,
            async_connect,
            cast: None,
        })
    }

    /// Connects to `remote` (IP, host name, or HP-Socket's `"address^hostname"`) and `port`.
    pub fn connect(&self, remote: &str, port: u16) -> Result<ConnId> {
        self.connect_with(remote, port, &ConnectOptions::default())
    }

    /// Connects with extra data and/or a local address and port.
    pub fn connect_with(
        &self,
        remote: &str,
        port: u16,
        options: &ConnectOptions,
    ) -> Result<ConnId> {
        let options = reactor::ConnectOptions {
            extra: options.extra,
            local_address: options.local_address.clone(),
            local_port: options.local_port,
        };
        self.engine.connect(remote, port, &options)
    }

    /// The host and port given to `connect` (the `hostname` of `"address^hostname"`).
    pub fn remote_host(&self, conn_id: ConnId) -> Result<(String, u16)> {
        self.engine.remote_host(conn_id)
    }
}

super::connection_ops!(TcpAgent);

struct AgentEvents {
    listener: Arc<dyn AgentListener>,
    sender: TcpAgent,
    on_send: OnSendProbe,
}

impl Events for AgentEvents {
    fn prepare_connect(&self, id: ConnId, fd: RawFd) -> HandleResult {
        self.listener.on_prepare_connect(&self.sender, id, fd)
    }
    fn connect(&self, id: ConnId) -> HandleResult {
        self.listener.on_connect(&self.sender, id)
    }
    fn handshake(&self, id: ConnId) -> HandleResult {
        self.listener.on_handshake(&self.sender, id)
    }
    fn send(&self, id: ConnId, data: &[u8]) {
        let listener = &self.listener;
        self.on_send.call(listener.__listener_type(), || {
            listener.on_send(&self.sender, id, data);
        });
    }
    fn wants_send(&self) -> bool {
        !self.on_send.skips() && self.listener.wants_on_send()
    }
    fn receive(&self, id: ConnId, data: &[u8]) -> HandleResult {
        self.listener.on_receive(&self.sender, id, data)
    }
    fn pull_receive(&self, id: ConnId, total: usize) -> HandleResult {
        self.listener.on_pull_receive(&self.sender, id, total)
    }
    fn send_drained(&self, id: ConnId, pending: usize) {
        self.listener.on_send_drained(&self.sender, id, pending);
    }
    fn message_dropped(&self, id: ConnId, message: u32, size: usize) {
        self.listener
            .on_message_dropped(&self.sender, id, message, size);
    }
    fn close(&self, id: ConnId, operation: SocketOperation, error_code: i32) {
        self.listener
            .on_close(&self.sender, id, operation, error_code);
    }
    fn shutdown(&self) {
        self.listener.on_shutdown(&self.sender);
    }
    fn worker_started(&self, index: usize) {
        self.listener.on_worker_start(&self.sender, index);
    }
    fn wants_http_head(&self) -> bool {
        self.listener.wants_http_head()
    }
    fn http(&self, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        self.listener.on_http(&self.sender, id, event)
    }
    fn worker_exiting(&self, index: usize) {
        self.listener.on_worker_exit(&self.sender, index);
    }
}
