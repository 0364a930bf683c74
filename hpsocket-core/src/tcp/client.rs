//! [`TcpClient`]: one connection on its own worker thread (HP-Socket's `ITcpClient`).

use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::http::sync_client::SyncState;
use crate::http::{HttpEvent, HttpParseResult};
use crate::http::{HttpMessage, ParseFailure};
use crate::listener::{ClientListener, OnSendProbe};
use crate::model::{FetchResult, ReceiveModel};
use crate::reactor::events::Events;
use crate::reactor::{ConnectOptions, Engine, Role, StartParams, TransportKind};
use crate::sock;
use crate::ssl::SslSetup;
use crate::sync::lock;
use crate::types::{ConnId, HandleResult, ServiceState, SocketOperation};

/// Client connection IDs come from one process-wide counter (HP-Socket's
/// `GenerateConnectionID`), starting at 1.
static NEXT_CLIENT_ID: AtomicU64 = AtomicU64::new(1);

/// A TCP client: one connection. Cheap to clone; see [`crate::TcpServer`]. When its
/// connection closes (either side), the client stops by itself after `on_close`.
#[derive(Clone)]
pub struct TcpClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    engine: Engine,
    listener: Arc<dyn ClientListener>,
    config: Mutex<ClientConfig>,
    /// The ID callbacks and `connection_id` report.
    conn_id: AtomicU64,
    /// The engine's ID of the current connection (0 until `connect` returned).
    engine_id: AtomicU64,
    extra: AtomicUsize,
    /// An HTTP sync client's exchange state (see `HttpSyncClient`).
    sync: OnceLock<Arc<SyncState>>,
    /// HTTP: what the last connection parsed, kept when it closes (the client stops with
    /// it), so the getters still answer about the last response.
    http_last: Mutex<Option<LastHttp>>,
}

/// The message and parse error of a closed HTTP client connection.
pub(crate) type LastHttp = (Option<Arc<HttpMessage>>, Option<Arc<ParseFailure>>);

impl TcpClient {
    /// Makes this client an HTTP sync client's.
    pub(crate) fn set_sync_state(&self, state: Arc<SyncState>) {
        let _ = self.inner.sync.set(state);
    }

    /// The HTTP sync client state, when this client is one's.
    pub(crate) fn sync_state(&self) -> Option<Arc<SyncState>> {
        self.inner.sync.get().cloned()
    }

    /// HTTP: what the connection that closed last parsed.
    pub(crate) fn http_last(&self) -> Option<LastHttp> {
        lock(&self.inner.http_last).clone()
    }

    /// The engine, for operations written once for every role (HTTP).
    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// A stopped PUSH client reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn ClientListener>) -> TcpClient {
        TcpClient::with_model(listener, ReceiveModel::Push)
    }

    /// A stopped client of the given receive model (HP-Socket's `TcpClient`,
    /// `TcpPullClient`, `TcpPackClient`).
    pub fn with_model(listener: Arc<dyn ClientListener>, model: ReceiveModel) -> TcpClient {
        TcpClient::build(listener, model, false, TransportKind::Tcp)
    }

    /// A stopped UDP client (see [`crate::UdpClient`], which wraps it).
    pub(crate) fn new_udp(listener: Arc<dyn ClientListener>) -> TcpClient {
        TcpClient::build(listener, ReceiveModel::Push, false, TransportKind::Udp)
    }

    /// A stopped ARQ client (see [`crate::UdpArqClient`], which wraps it).
    pub(crate) fn new_arq(listener: Arc<dyn ClientListener>) -> TcpClient {
        TcpClient::build(listener, ReceiveModel::Arq, false, TransportKind::Udp)
    }

    /// A stopped UDP cast client (see [`crate::UdpCast`], which wraps it).
    pub(crate) fn new_cast(listener: Arc<dyn ClientListener>) -> TcpClient {
        TcpClient::build(listener, ReceiveModel::Push, false, TransportKind::UdpCast)
    }

    /// A stopped SSL client (HP-Socket's `SSLClient`, `SSLPullClient`, `SSLPackClient`):
    /// call [`TcpClient::setup_ssl_context`] before `start`.
    pub fn new_ssl(listener: Arc<dyn ClientListener>, model: ReceiveModel) -> TcpClient {
        TcpClient::build(listener, model, true, TransportKind::Tcp)
    }

    fn build(
        listener: Arc<dyn ClientListener>,
        model: ReceiveModel,
        secure: bool,
        transport: TransportKind,
    ) -> TcpClient {
        let config = ClientConfig::default();
        TcpClient {
            inner: Arc::new(ClientInner {
                engine: Engine::new(
                    Role::Client,
                    transport,
                    model,
                    secure,
                    config.engine_config(),
                ),
                listener,
                config: Mutex::new(config),
                conn_id: AtomicU64::new(0),
                engine_id: AtomicU64::new(0),
                extra: AtomicUsize::new(0),
                sync: OnceLock::new(),
                http_last: Mutex::new(None),
            }),
        }
    }

    /// Connects to `remote` (IP, host name or `"address^hostname"`) and `port`. With
    /// `async_connect` false this blocks until connected (or `sync_connect_timeout`) and
    /// fails if the connect does.
    pub fn start(&self, remote: &str, port: u16, async_connect: bool) -> Result<()> {
        self.start_with(remote, port, async_connect, None, 0)
    }

    /// Like `start`, binding the local side to `bind_address` and/or `local_port` first.
    pub fn start_with(
        &self,
        remote: &str,
        port: u16,
        async_connect: bool,
        bind_address: Option<&str>,
        local_port: u16,
    ) -> Result<()> {
        let config = self.config();
        config.validate()?;
        let bind_addr = sock::local_address("TcpClient::start", "bind address", bind_address)?;
        let engine = &self.inner.engine;
        engine.update_config(|c| *c = config.engine_config())?;
        self.inner.conn_id.store(
            NEXT_CLIENT_ID.fetch_add(1, Ordering::Relaxed),
            Ordering::Release,
        );
        self.inner.engine_id.store(0, Ordering::Release);
        *lock(&self.inner.http_last) = None;
        let events = Arc::new(ClientEvents {
            sender: self.clone(),
            on_send: OnSendProbe::default(),
        });
        engine.start(StartParams {
            events,
            listen: None,
            bind_addr,
            async_connect,
            cast: None,
        })?;
        let options = ConnectOptions {
            extra: 0,
            local_address: None,
            local_port,
        };
        match engine.connect(remote, port, &options) {
            Ok(id) => {
                self.inner.engine_id.store(id, Ordering::Release);
                Ok(())
            }
            Err(e) => {
                let _ = engine.stop();
                Err(e)
            }
        }
    }

    /// The engine's ID of the connection. Callbacks can run before `connect` returned the
    /// ID; they find it in the table.
    pub(crate) fn engine_conn(&self) -> Result<ConnId> {
        match self.inner.engine_id.load(Ordering::Acquire) {
            0 => self.inner.engine.first_connection(),
            id => Some(id),
        }
        .ok_or_else(|| {
            Error::new(
                ErrorKind::IllegalState,
                libc::ENOTCONN,
                "TcpClient: not connected",
            )
        })
    }

    /// Sends `data` (copied or written before this returns; empty sends succeed).
    pub fn send(&self, data: &[u8]) -> Result<()> {
        self.inner.engine.send(self.engine_conn()?, &[data])
    }

    /// Sends several buffers in order as one send.
    pub fn send_packets(&self, buffers: &[&[u8]]) -> Result<()> {
        self.inner.engine.send(self.engine_conn()?, buffers)
    }

    /// Sends `head`, the file and `tail` as one send (file at most 4 MiB − 1).
    pub fn send_small_file(
        &self,
        path: impl AsRef<std::path::Path>,
        head: Option<&[u8]>,
        tail: Option<&[u8]>,
    ) -> Result<()> {
        let body = crate::tcp::read_small_file(path.as_ref())?;
        self.inner.engine.send(
            self.engine_conn()?,
            &[head.unwrap_or(&[]), &body, tail.unwrap_or(&[])],
        )
    }

    /// The receive model, fixed at creation.
    pub fn model(&self) -> ReceiveModel {
        self.inner.engine.model()
    }

    /// PULL model: copies and removes the first `buf.len()` buffered bytes (see
    /// [`crate::TcpServer::fetch`]).
    pub fn fetch(&self, buf: &mut [u8]) -> FetchResult {
        match self.engine_conn() {
            Ok(id) => self.inner.engine.fetch(id, buf, false),
            Err(_) => FetchResult::DataNotFound,
        }
    }

    /// PULL model: copies the first `buf.len()` buffered bytes, leaving them buffered.
    pub fn peek(&self, buf: &mut [u8]) -> FetchResult {
        match self.engine_conn() {
            Ok(id) => self.inner.engine.fetch(id, buf, true),
            Err(_) => FetchResult::DataNotFound,
        }
    }

    /// Stops (`true`) or resumes (`false`) reading.
    pub fn pause_receive(&self, pause: bool) -> Result<()> {
        self.inner.engine.pause_receive(self.engine_conn()?, pause)
    }

    /// Whether reading is paused.
    pub fn is_pause_receive(&self) -> Result<bool> {
        self.inner.engine.is_pause_receive(self.engine_conn()?)
    }

    /// Whether the connection is established.
    pub fn is_connected(&self) -> bool {
        self.engine_conn()
            .map(|id| self.inner.engine.is_connected(id))
            .unwrap_or(false)
    }

    /// The ID of the current (or last) connection; 0 before the first start.
    pub fn connection_id(&self) -> ConnId {
        self.inner.conn_id.load(Ordering::Acquire)
    }

    /// Attaches an opaque value to the client (never dereferenced by the library).
    pub fn set_extra(&self, extra: usize) {
        self.inner.extra.store(extra, Ordering::Release);
    }

    /// The value set with `set_extra`.
    pub fn extra(&self) -> usize {
        self.inner.extra.load(Ordering::Acquire)
    }

    /// The local address of the connection.
    pub fn local_address(&self) -> Result<SocketAddr> {
        self.inner.engine.local_address(self.engine_conn()?)
    }

    /// The host and port given to `start`.
    pub fn remote_host(&self) -> Result<(String, u16)> {
        self.inner.engine.remote_host(self.engine_conn()?)
    }

    /// The connection's peer address.
    pub fn remote_address(&self) -> Result<SocketAddr> {
        self.inner.engine.remote_address(self.engine_conn()?)
    }

    /// Bytes accepted by `send` and not yet written.
    pub fn pending_data_length(&self) -> Result<usize> {
        self.inner.engine.pending_data_length(self.engine_conn()?)
    }

    /// Closes the connection (`on_close(SO_CLOSE, 0)`) and stops. Allowed inside the
    /// client's own callbacks, where it finishes in the background.
    pub fn stop(&self) -> Result<()> {
        self.inner.engine.stop()
    }

    /// Waits until stopped, at most `timeout` (`None`: for ever); true when stopped.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        self.inner.engine.wait(timeout)
    }

    /// Extension: starts a stop and returns at once (see [`crate::TcpServer::begin_stop`]).
    pub fn begin_stop(&self) -> Result<()> {
        self.inner.engine.begin_stop()
    }

    /// True inside one of this client's callbacks on the current thread.
    pub fn in_callback(&self) -> bool {
        self.inner.engine.in_own_callback()
    }

    /// `SS_STARTING`, `SS_STARTED`, `SS_STOPPING` or `SS_STOPPED`.
    pub fn state(&self) -> ServiceState {
        self.inner.engine.state()
    }

    /// True while starting or started.
    pub fn has_started(&self) -> bool {
        matches!(self.state(), ServiceState::Starting | ServiceState::Started)
    }

    /// True for SSL clients.
    pub fn is_secure(&self) -> bool {
        self.inner.engine.is_secure()
    }

    /// True for UDP clients and cast clients.
    pub fn is_udp(&self) -> bool {
        self.transport() != TransportKind::Tcp
    }

    /// What the client runs over.
    pub fn transport(&self) -> TransportKind {
        self.inner.engine.transport()
    }

    /// UDP cast clients: where the datagram being delivered came from (call it inside
    /// `on_receive`; elsewhere it is the last datagram's source). `None` before the first.
    pub fn cast_remote_address(&self) -> Result<Option<SocketAddr>> {
        self.inner.engine.cast_source(self.engine_conn()?)
    }

    /// UDP: datagrams dropped in the current run for being larger than `max_datagram_size`.
    pub fn dropped_datagrams(&self) -> u64 {
        self.inner.engine.dropped_datagrams()
    }

    /// The last failure that no call returned, such as a failed TLS handshake, with its
    /// sequence number.
    pub fn last_error(&self) -> Option<(u64, Error)> {
        self.inner.engine.last_error()
    }

    /// SSL: builds the TLS context (optional client certificate, verify mode, CAs).
    pub fn setup_ssl_context(&self, setup: &SslSetup) -> Result<()> {
        self.inner.engine.setup_ssl_context(setup, None)
    }

    /// SSL: forgets the TLS context.
    pub fn cleanup_ssl_context(&self) {
        self.inner.engine.cleanup_ssl_context()
    }

    /// SSL with `ssl_auto_handshake` off: starts TLS after a plaintext phase.
    pub fn start_ssl_handshake(&self) -> Result<()> {
        self.inner.engine.start_ssl_handshake(self.engine_conn()?)
    }

    /// SSL: runs `f` on the connection's OpenSSL session.
    pub fn with_ssl_session<R>(&self, f: impl FnOnce(&openssl::ssl::SslRef) -> R) -> Result<R> {
        self.inner.engine.with_ssl_session(self.engine_conn()?, f)
    }

    /// SSL: runs `f` on the default OpenSSL context.
    pub fn with_ssl_context<R>(
        &self,
        f: impl FnOnce(&openssl::ssl::SslContextRef) -> R,
    ) -> Result<R> {
        self.inner.engine.with_ssl_context(f)
    }

    /// The settings.
    pub fn config(&self) -> ClientConfig {
        lock(&self.inner.config).clone()
    }

    /// Changes settings; only while stopped (`SE_ILLEGAL_STATE` otherwise).
    pub fn update_config(&self, f: impl FnOnce(&mut ClientConfig)) -> Result<()> {
        let mut c = lock(&self.inner.config);
        if self.state() != ServiceState::Stopped {
            return Err(Error::illegal_state(
                "TcpClient: settings can only change while stopped",
            ));
        }
        f(&mut c);
        Ok(())
    }
}

/// Adapts the client listener; every engine connection is reported with the client's ID.
struct ClientEvents {
    sender: TcpClient,
    on_send: OnSendProbe,
}

impl ClientEvents {
    fn id(&self) -> ConnId {
        self.sender.connection_id()
    }
    fn listener(&self) -> &dyn ClientListener {
        self.sender.inner.listener.as_ref()
    }
}

impl Events for ClientEvents {
    fn prepare_connect(&self, _id: ConnId, fd: RawFd) -> HandleResult {
        self.listener()
            .on_prepare_connect(&self.sender, self.id(), fd)
    }
    fn connect(&self, _id: ConnId) -> HandleResult {
        self.listener().on_connect(&self.sender, self.id())
    }
    fn handshake(&self, _id: ConnId) -> HandleResult {
        self.listener().on_handshake(&self.sender, self.id())
    }
    fn send(&self, _id: ConnId, data: &[u8]) {
        let listener = self.listener();
        self.on_send.call(listener.__listener_type(), || {
            listener.on_send(&self.sender, self.id(), data);
        });
    }
    fn wants_send(&self) -> bool {
        !self.on_send.skips() && self.listener().wants_on_send()
    }
    fn receive(&self, _id: ConnId, data: &[u8]) -> HandleResult {
        self.listener().on_receive(&self.sender, self.id(), data)
    }
    fn pull_receive(&self, _id: ConnId, total: usize) -> HandleResult {
        self.listener()
            .on_pull_receive(&self.sender, self.id(), total)
    }
    fn worker_started(&self, index: usize) {
        self.listener().on_worker_start(&self.sender, index);
    }
    fn wants_http_head(&self) -> bool {
        self.listener().wants_http_head()
    }
    fn http(&self, _id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        self.listener().on_http(&self.sender, self.id(), event)
    }
    fn worker_exiting(&self, index: usize) {
        self.listener().on_worker_exit(&self.sender, index);
    }
    fn send_drained(&self, _id: ConnId, pending: usize) {
        self.listener()
            .on_send_drained(&self.sender, self.id(), pending);
    }
    fn message_dropped(&self, _id: ConnId, message: u32, size: usize) {
        self.listener()
            .on_message_dropped(&self.sender, self.id(), message, size);
    }
    fn close(&self, id: ConnId, operation: SocketOperation, error_code: i32) {
        if self.sender.model() == ReceiveModel::Http {
            let engine = self.sender.engine();
            let last = (
                engine.http_message(id).ok(),
                engine.http_parse_error(id).ok().flatten(),
            );
            *lock(&self.sender.inner.http_last) = Some(last);
        }
        self.listener()
            .on_close(&self.sender, self.id(), operation, error_code);
    }
}
