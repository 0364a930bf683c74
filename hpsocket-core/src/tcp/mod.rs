//! The TCP components: [`TcpServer`], [`TcpAgent`] and [`TcpClient`] (PUSH model).

mod agent;
mod client;
mod server;

pub use agent::{ConnectOptions, TcpAgent};
pub use client::TcpClient;
pub use server::TcpServer;

/// Connection-level operations shared by servers and agents, delegating to the engine.
macro_rules! connection_ops {
    ($ty:ident) => {
        impl $ty {
            /// Sends `data` on a connection. The bytes are copied or written before this
            /// returns. PUSH/PULL: an empty send does nothing and succeeds. PACK: the data
            /// goes out as one frame; an empty or oversize send fails with `EMSGSIZE` and
            /// sends nothing.
            pub fn send(&self, conn_id: ConnId, data: &[u8]) -> Result<()> {
                self.engine.send(conn_id, &[data])
            }

            /// Sends several buffers in order as one send (a gather write).
            pub fn send_packets(&self, conn_id: ConnId, buffers: &[&[u8]]) -> Result<()> {
                self.engine.send(conn_id, buffers)
            }

            /// Sends `head`, the file's content and `tail` as one send. The file must be at
            /// most 4 MiB − 1 (`MAX_SMALL_FILE_SIZE`).
            pub fn send_small_file(
                &self,
                conn_id: ConnId,
                path: impl AsRef<std::path::Path>,
                head: Option<&[u8]>,
                tail: Option<&[u8]>,
            ) -> Result<()> {
                let body = crate::tcp::read_small_file(path.as_ref())?;
                self.engine
                    .send(conn_id, &[head.unwrap_or(&[]), &body, tail.unwrap_or(&[])])
            }

            /// Closes a connection. `OnClose(SO_CLOSE, 0)` follows on its worker thread, after
            /// this returns. (`force` is accepted for HP-Socket compatibility: since HP-Socket
            /// 5.4.2 every disconnect is forced.)
            pub fn disconnect(&self, conn_id: ConnId, force: bool) -> Result<()> {
                let _ = force;
                self.engine.disconnect(conn_id)
            }

            /// The receive model, fixed at creation.
            pub fn model(&self) -> ReceiveModel {
                self.engine.model()
            }

            /// PULL model: copies the first `buf.len()` buffered bytes into `buf` and removes
            /// them. `FR_LENGTH_TOO_LONG` (nothing copied) when fewer are buffered,
            /// `FR_DATA_NOT_FOUND` for an unknown or closed connection or a non-PULL component.
            pub fn fetch(&self, conn_id: ConnId, buf: &mut [u8]) -> FetchResult {
                self.engine.fetch(conn_id, buf, false)
            }

            /// PULL model: like `fetch`, leaving the bytes buffered.
            pub fn peek(&self, conn_id: ConnId, buf: &mut [u8]) -> FetchResult {
                self.engine.fetch(conn_id, buf, true)
            }

            /// Disconnects every connection older than `period`.
            pub fn disconnect_long_connections(&self, period: Duration, force: bool) -> Result<()> {
                let _ = force;
                self.engine.disconnect_long_connections(period)
            }

            /// Disconnects every connection that received nothing for `period` (needs
            /// `mark_silence`).
            pub fn disconnect_silence_connections(
                &self,
                period: Duration,
                force: bool,
            ) -> Result<()> {
                let _ = force;
                self.engine.disconnect_silence_connections(period)
            }

            /// Stops (`true`) or resumes (`false`) reading a connection.
            pub fn pause_receive(&self, conn_id: ConnId, pause: bool) -> Result<()> {
                self.engine.pause_receive(conn_id, pause)
            }

            /// Whether reading is paused.
            pub fn is_pause_receive(&self, conn_id: ConnId) -> Result<bool> {
                self.engine.is_pause_receive(conn_id)
            }

            /// Whether the connection exists and is established.
            pub fn is_connected(&self, conn_id: ConnId) -> bool {
                self.engine.is_connected(conn_id)
            }

            /// Attaches an opaque value to a connection (never dereferenced by the library);
            /// readable until the end of `on_close`.
            pub fn set_connection_extra(&self, conn_id: ConnId, extra: usize) -> Result<()> {
                self.engine.set_connection_extra(conn_id, extra)
            }

            /// The value attached with `set_connection_extra` (0 if none).
            pub fn connection_extra(&self, conn_id: ConnId) -> Result<usize> {
                self.engine.connection_extra(conn_id)
            }

            /// Number of connections.
            pub fn connection_count(&self) -> usize {
                self.engine.connection_count()
            }

            /// IDs of every connection.
            pub fn all_connection_ids(&self) -> Vec<ConnId> {
                self.engine.all_connection_ids()
            }

            /// Time since the connection was accepted or its connect started.
            pub fn connect_period(&self, conn_id: ConnId) -> Result<Duration> {
                self.engine.connect_period(conn_id)
            }

            /// Time since the connection last received data (needs `mark_silence`).
            pub fn silence_period(&self, conn_id: ConnId) -> Result<Duration> {
                self.engine.silence_period(conn_id)
            }

            /// The connection's local address.
            pub fn local_address(&self, conn_id: ConnId) -> Result<SocketAddr> {
                self.engine.local_address(conn_id)
            }

            /// The connection's peer address.
            pub fn remote_address(&self, conn_id: ConnId) -> Result<SocketAddr> {
                self.engine.remote_address(conn_id)
            }

            /// Bytes accepted by `send` and not yet written to the socket.
            pub fn pending_data_length(&self, conn_id: ConnId) -> Result<usize> {
                self.engine.pending_data_length(conn_id)
            }

            /// Stops: every connection closes (each gets `on_close`), then `on_shutdown`.
            /// Fails with `SE_ILLEGAL_STATE` when not started, or when called from one of
            /// this component's own callbacks (it would wait for itself).
            pub fn stop(&self) -> Result<()> {
                self.engine.stop()
            }

            /// Waits until stopped, at most `timeout` (`None`: for ever); true when stopped.
            pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
                self.engine.wait(timeout)
            }

            /// Extension: starts a stop and returns at once, even inside this component's
            /// own callbacks. Every connection still gets `on_close` and the last worker fires
            /// `on_shutdown`; [`Self::wait`] (from another thread) blocks until it is done.
            pub fn begin_stop(&self) -> Result<()> {
                self.engine.begin_stop()
            }

            /// True inside one of this component's callbacks on the current thread (where
            /// `stop` and `wait` are refused).
            pub fn in_callback(&self) -> bool {
                self.engine.in_own_callback()
            }

            /// `SS_STARTING`, `SS_STARTED`, `SS_STOPPING` or `SS_STOPPED`.
            pub fn state(&self) -> ServiceState {
                self.engine.state()
            }

            /// True while starting or started.
            pub fn has_started(&self) -> bool {
                matches!(self.state(), ServiceState::Starting | ServiceState::Started)
            }

            /// True for SSL components.
            pub fn is_secure(&self) -> bool {
                self.engine.is_secure()
            }

            /// True for UDP components (made by [`crate::UdpServer::new`]).
            pub fn is_udp(&self) -> bool {
                self.transport() != crate::reactor::TransportKind::Tcp
            }

            /// What the component runs over.
            pub fn transport(&self) -> crate::reactor::TransportKind {
                self.engine.transport()
            }

            /// UDP: datagrams dropped in the current run for being larger than
            /// `max_datagram_size` (each also reported as the last error).
            pub fn dropped_datagrams(&self) -> u64 {
                self.engine.dropped_datagrams()
            }

            /// The last failure that no call returned, such as a failed TLS handshake (its
            /// `OnClose` carries only an errno; this names the cause), with its sequence
            /// number (1, 2, …) so a caller can tell a new failure from one it has seen.
            pub fn last_error(&self) -> Option<(u64, crate::Error)> {
                self.engine.last_error()
            }

            /// SSL components: forgets the TLS context (connections keep their sessions).
            pub fn cleanup_ssl_context(&self) {
                self.engine.cleanup_ssl_context()
            }

            /// SSL components with `ssl_auto_handshake` off: starts TLS on a connection
            /// after its plaintext phase. `on_handshake` follows when it completes.
            pub fn start_ssl_handshake(&self, conn_id: ConnId) -> Result<()> {
                self.engine.start_ssl_handshake(conn_id)
            }

            /// SSL components: runs `f` on a connection's OpenSSL session.
            pub fn with_ssl_session<R>(
                &self,
                conn_id: ConnId,
                f: impl FnOnce(&openssl::ssl::SslRef) -> R,
            ) -> Result<R> {
                self.engine.with_ssl_session(conn_id, f)
            }

            /// SSL components: runs `f` on the default OpenSSL context.
            pub fn with_ssl_context<R>(
                &self,
                f: impl FnOnce(&openssl::ssl::SslContextRef) -> R,
            ) -> Result<R> {
                self.engine.with_ssl_context(f)
            }

            /// The settings.
            pub fn config(&self) -> EngineConfig {
                self.engine.config()
            }

            /// Changes settings; only while stopped (`SE_ILLEGAL_STATE` otherwise). Values
            /// are checked by `start`.
            pub fn update_config(&self, f: impl FnOnce(&mut EngineConfig)) -> Result<()> {
                self.engine.update_config(f)
            }
        }
    };
}
pub(crate) use connection_ops;

/// Reads a file for `send_small_file`, refusing empty paths and files over the limit.
pub(crate) fn read_small_file(path: &std::path::Path) -> crate::Result<Vec<u8>> {
    use crate::error::{Error, ErrorKind};
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::os(
            ErrorKind::InvalidParam,
            &e,
            format!("SendSmallFile: {}", path.display()),
        )
    })?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidParam,
            libc::EBADF,
            format!("SendSmallFile: {} is not a regular file", path.display()),
        ));
    }
    if meta.len() == 0 || meta.len() > crate::config::MAX_SMALL_FILE_SIZE {
        return Err(Error::new(
            ErrorKind::InvalidParam,
            libc::EFBIG,
            format!(
                "SendSmallFile: {} is {} bytes; it must be 1..={} bytes",
                path.display(),
                meta.len(),
                crate::config::MAX_SMALL_FILE_SIZE
            ),
        ));
    }
    std::fs::read(path).map_err(|e| {
        Error::os(
            ErrorKind::InvalidParam,
            &e,
            format!("SendSmallFile: {}", path.display()),
        )
    })
}
