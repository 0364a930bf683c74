//! [`TcpServer`]: listens and owns many connections (HP-Socket's `ITcpServer`).

use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::Duration;

use crate::config::EngineConfig;
use crate::error::Result;
use crate::http::{HttpEvent, HttpParseResult};
use crate::listener::{OnSendProbe, ServerListener};
use crate::model::{FetchResult, ReceiveModel};
use crate::reactor::events::Events;
use crate::reactor::{Engine, Role, StartParams, TransportKind};
use crate::ssl::{ServerNameCallback, SslSetup};
use crate::types::{ConnId, HandleResult, ServiceState, SocketOperation};

/// A TCP server. Cheap to clone: clones are handles to the same server, and every callback
/// receives one as its `sender`. Dropping handles does not stop it; call [`TcpServer::stop`].
#[derive(Clone)]
pub struct TcpServer {
    engine: Engine,
    listener: Arc<dyn ServerListener>,
}

impl TcpServer {
    /// The engine, for operations written once for every role (HTTP).
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A stopped PUSH server reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn ServerListener>) -> TcpServer {
        TcpServer::with_model(listener, ReceiveModel::Push)
    }

    /// A stopped server of the given receive model (HP-Socket's `TcpServer`,
    /// `TcpPullServer`, `TcpPackServer`).
    pub fn with_model(listener: Arc<dyn ServerListener>, model: ReceiveModel) -> TcpServer {
        TcpServer {
            engine: Engine::new(
                Role::Server,
                TransportKind::Tcp,
                model,
                false,
                EngineConfig::default(),
            ),
            listener,
        }
    }

    /// A stopped UDP server (see [`crate::UdpServer`], which wraps it).
    pub(crate) fn new_udp(listener: Arc<dyn ServerListener>) -> TcpServer {
        TcpServer {
            engine: Engine::new(
                Role::Server,
                TransportKind::Udp,
                ReceiveModel::Push,
                false,
                EngineConfig::default(),
            ),
            listener,
        }
    }

    /// A stopped ARQ server (see [`crate::UdpArqServer`], which wraps it).
    pub(crate) fn new_arq(listener: Arc<dyn ServerListener>) -> TcpServer {
        TcpServer {
            engine: Engine::new(
                Role::Server,
                TransportKind::Udp,
                ReceiveModel::Arq,
                false,
                EngineConfig::default(),
            ),
            listener,
        }
    }

    /// A stopped SSL server (HP-Socket's `SSLServer`, `SSLPullServer`, `SSLPackServer`):
    /// call [`TcpServer::setup_ssl_context`] before `start`.
    pub fn new_ssl(listener: Arc<dyn ServerListener>, model: ReceiveModel) -> TcpServer {
        TcpServer {
            engine: Engine::new(
                Role::Server,
                TransportKind::Tcp,
                model,
                true,
                EngineConfig::default(),
            ),
            listener,
        }
    }

    /// SSL: builds the TLS context (certificate, key, verify mode, CAs). `server_name`
    /// picks a certificate per requested SNI name (0 default, > 0 an `add_ssl_context`
    /// index, < 0 abort); `None` uses the names bound with `bind_ssl_server_name`. Allowed
    /// while running (an extension): new connections get the new context, which reloads a
    /// certificate without a restart.
    pub fn setup_ssl_context(
        &self,
        setup: &SslSetup,
        server_name: Option<ServerNameCallback>,
    ) -> Result<()> {
        self.engine.setup_ssl_context(setup, server_name)
    }

    /// SSL: adds a certificate for SNI; returns its index (1, 2, …).
    pub fn add_ssl_context(&self, setup: &SslSetup) -> Result<usize> {
        self.engine.add_ssl_context(setup)
    }

    /// SSL: serves the context `index` to clients asking for `server_name`
    /// (`*.example.org` matches one label).
    pub fn bind_ssl_server_name(&self, server_name: &str, index: usize) -> Result<()> {
        self.engine.bind_ssl_server_name(server_name, index)
    }

    /// SSL: what the default SNI resolver picks for `server_name` (the bound index, or 0).
    pub fn default_server_name_index(&self, server_name: &str) -> i32 {
        self.engine.default_server_name_index(server_name)
    }

    /// Binds and listens on `address` (empty: IPv4 any; `"::"` for IPv6) and `port` (0: any
    /// free port, see [`TcpServer::listen_address`]), then starts the workers.
    pub fn start(&self, address: &str, port: u16) -> Result<()> {
        let events = Arc::new(ServerEvents {
            listener: self.listener.clone(),
            sender: self.clone(),
            on_send: OnSendProbe::default(),
        });
        self.engine.start(StartParams {
            events,
            listen: Some((address.to_string(), port)),
            bind_addr: None,
            async_connect: true,
            cast: None,
        })
    }

    /// The address the server listens on.
    pub fn listen_address(&self) -> Result<SocketAddr> {
        self.engine.listen_address()
    }
}

super::connection_ops!(TcpServer);

struct ServerEvents {
    listener: Arc<dyn ServerListener>,
    sender: TcpServer,
    on_send: OnSendProbe,
}

impl Events for ServerEvents {
    fn prepare_listen(&self, fd: RawFd) -> HandleResult {
        self.listener.on_prepare_listen(&self.sender, fd)
    }
    fn accept(&self, id: ConnId, fd: RawFd) -> HandleResult {
        self.listener.on_accept(&self.sender, id, fd)
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
