//! The HTTP methods of the components. An HTTP component is a TCP component of the
//! [`ReceiveModel::Http`] model (`TcpServer::with_model(listener, ReceiveModel::Http)`,
//! `TcpServer::new_ssl(listener, ReceiveModel::Http)` for HTTPS, and the same for agents and
//! clients); on any other component these methods fail with `SE_INVALID_PARAM`.
//!
//! [`ReceiveModel::Http`]: crate::ReceiveModel::Http

use std::path::Path;
use std::sync::Arc;

use super::write::Header;
use super::{HttpConfig, HttpMessage, ParseFailure, WsFrameState};
use crate::error::Result;
use crate::tcp::{TcpAgent, TcpClient, TcpServer};
use crate::types::ConnId;

/// The methods every HTTP component has, per connection (a client names none).
macro_rules! http_common {
    ($ty:ident, $($conn:ident)?) => {
        impl $ty {
            /// The HTTP settings.
            pub fn http_config(&self) -> Result<HttpConfig> {
                self.engine().http_settings()
            }

            /// Changes HTTP settings; allowed while running (new messages see them).
            pub fn update_http_config(&self, f: impl FnOnce(&mut HttpConfig)) -> Result<()> {
                self.engine().http_settings()?;
                self.engine().update_http_config(f);
                Ok(())
            }

            /// Starts HTTP on a connection when `auto_start` is off (bytes before it went to
            /// `on_receive`).
            pub fn start_http(&self, $($conn: ConnId)?) -> Result<()> {
                self.engine().http_start(http_common!(@id self $($conn)?))
            }

            /// After a WebSocket upgrade: the frame being read, or read last (`None` before
            /// the first), readable from any thread.
            pub fn ws_message_state(&self, $($conn: ConnId)?) -> Result<Option<WsFrameState>> {
                self.engine()
                    .http_ws_state(http_common!(@id self $($conn)?), |s| s.copied())
            }

            /// Runs `f` on the WebSocket frame state in place (the C layer hands out a
            /// pointer to the mask key, which lives as long as the connection).
            pub fn with_ws_message_state<R>(
                &self,
                $($conn: ConnId,)?
                f: impl FnOnce(Option<&WsFrameState>) -> R,
            ) -> Result<R> {
                self.engine().http_ws_state(http_common!(@id self $($conn)?), f)
            }

            /// WebSocket mode: the subprotocol agreed on in the opening handshake, if any.
            pub fn ws_protocol(&self, $($conn: ConnId)?) -> Result<Option<String>> {
                self.engine().http_ws_protocol(http_common!(@id self $($conn)?))
            }

            /// WebSocket mode: starts the closing handshake (`code`, `reason`); the
            /// connection closes when the peer answers, or after `max(release_delay, 1 s)`.
            pub fn ws_close(&self, $($conn: ConnId,)? code: u16, reason: &str) -> Result<()> {
                self.engine()
                    .http_ws_close(http_common!(@id self $($conn)?), code, reason)
            }

            /// Sends one chunk of a chunked body; empty `data` sends the last chunk.
            pub fn send_chunk_data(
                &self,
                $($conn: ConnId,)?
                data: &[u8],
                extensions: Option<&str>,
            ) -> Result<()> {
                self.engine()
                    .http_send_chunk(http_common!(@id self $($conn)?), data, extensions)
            }
        }
    };
    (@id $self:ident $conn:ident) => { $conn };
    (@id $self:ident) => { $self.engine_conn()? };
}

http_common!(TcpServer, conn_id);
http_common!(TcpAgent, conn_id);

/// The message getters of the components with many connections.
macro_rules! conn_messages {
    ($ty:ident) => {
        impl $ty {
            /// What the connection's current (or last) message said: readable from any
            /// thread until the next message on the connection begins.
            pub fn http_message(&self, conn_id: ConnId) -> Result<Arc<HttpMessage>> {
                self.engine().http_message(conn_id)
            }

            /// The parse error that ended the connection's HTTP, if any.
            pub fn http_parse_error(&self, conn_id: ConnId) -> Result<Option<Arc<ParseFailure>>> {
                self.engine().http_parse_error(conn_id)
            }
        }
    };
}

conn_messages!(TcpServer);
conn_messages!(TcpAgent);

impl TcpServer {
    /// Sends a response: `HTTP/x.y status reason` (the local version; `reason` `None`: the
    /// standard phrase), the headers, `Content-Length` unless the headers frame the body,
    /// and `body`, as one send.
    pub fn send_response(
        &self,
        conn_id: ConnId,
        status: u16,
        reason: Option<&str>,
        headers: &[Header<'_>],
        body: &[u8],
    ) -> Result<()> {
        self.engine()
            .http_send_response(conn_id, status, reason, headers, body)
    }

    /// Sends a response whose body is the file at `path`, any size: `Content-Length` is the
    /// file's size, and the body goes from the disk as the connection drains (`sendfile` on
    /// plain TCP, chunks of 64 KiB encrypted in turn under TLS), never read whole into
    /// memory. Sends after it are written after it. Refused (`SE_INVALID_PARAM`, nothing
    /// sent) when the file cannot be opened (`ENOENT`, `EACCES`, ...), is a directory
    /// (`EISDIR`) or is not a regular file (`EBADF`). `on_send` does not report the body. If
    /// the file shrinks before it is sent, the connection closes (`SO_SEND`, `EIO`).
    pub fn send_local_file(
        &self,
        conn_id: ConnId,
        path: impl AsRef<Path>,
        status: u16,
        reason: Option<&str>,
        headers: &[Header<'_>],
    ) -> Result<()> {
        self.engine()
            .http_send_file_response(conn_id, path.as_ref(), status, reason, headers)
    }

    /// Sends one WebSocket frame, never masked (HP-Socket's rule for servers): `body_len` 0
    /// or `data.len()` sends `data` as the whole payload; more announces `body_len` and the
    /// rest follows through [`TcpServer::send`]; less is refused.
    pub fn send_ws_message(
        &self,
        conn_id: ConnId,
        fin: bool,
        reserved: u8,
        opcode: u8,
        data: &[u8],
        body_len: u64,
    ) -> Result<()> {
        self.engine()
            .http_send_ws(conn_id, fin, reserved, opcode, None, data, body_len)
    }

    /// Closes the connection after `release_delay` ms, once the answer had time to drain
    /// (for requests that are not keep-alive).
    pub fn release(&self, conn_id: ConnId) -> Result<()> {
        self.engine().http_release(conn_id)
    }
}

impl TcpAgent {
    /// WebSocket mode: asks for the upgrade (GET `path`, a fresh key; the answer's accept is
    /// checked); `on_http(Upgrade)` follows, then whole messages.
    pub fn send_ws_upgrade(
        &self,
        conn_id: ConnId,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        self.engine().http_ws_upgrade(conn_id, path, headers)
    }

    /// Sends one WebSocket frame masked with `key`, or with a random key when `None` (the
    /// caller's data is never changed); `body_len` as in [`TcpServer::send_ws_message`].
    #[allow(clippy::too_many_arguments)]
    pub fn send_ws_message(
        &self,
        conn_id: ConnId,
        fin: bool,
        reserved: u8,
        opcode: u8,
        key: Option<[u8; 4]>,
        data: &[u8],
        body_len: u64,
    ) -> Result<()> {
        self.engine()
            .http_send_ws(conn_id, fin, reserved, opcode, key, data, body_len)
    }

    /// Sends a request: `METHOD path HTTP/x.y`, the headers, `Host` (from the connect host
    /// and port) and `Content-Length` when missing, the cookie manager's cookies when
    /// `use_cookie` is on, and `body`, as one send.
    pub fn send_request(
        &self,
        conn_id: ConnId,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
        body: &[u8],
    ) -> Result<()> {
        self.engine()
            .http_send_request(conn_id, method, path, headers, body)
    }

    /// Sends a request whose body is the file at `file`, streamed as
    /// [`TcpServer::send_local_file`] streams a response's.
    pub fn send_local_file(
        &self,
        conn_id: ConnId,
        file: impl AsRef<Path>,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        self.engine()
            .http_send_file_request(conn_id, file.as_ref(), method, path, headers)
    }
}

http_common!(TcpClient,);

impl TcpClient {
    /// WebSocket mode: asks for the upgrade (see [`TcpAgent::send_ws_upgrade`]).
    pub fn send_ws_upgrade(&self, path: &str, headers: &[Header<'_>]) -> Result<()> {
        let id = self.engine_conn()?;
        self.engine().http_ws_upgrade(id, path, headers)
    }

    /// What the connection's current (or last) message said; after the connection closed
    /// (the client then stops), what it parsed last, until the next `start`.
    pub fn http_message(&self) -> Result<Arc<HttpMessage>> {
        let live = self
            .engine_conn()
            .and_then(|id| self.engine().http_message(id));
        match (live, self.http_last()) {
            (Ok(m), _) => Ok(m),
            (Err(_), Some((Some(m), _))) => Ok(m),
            (Err(e), _) => Err(e),
        }
    }

    /// The parse error that ended the connection's HTTP, if any (also after it closed).
    pub fn http_parse_error(&self) -> Result<Option<Arc<ParseFailure>>> {
        let live = self
            .engine_conn()
            .and_then(|id| self.engine().http_parse_error(id));
        match (live, self.http_last()) {
            (Ok(f), _) => Ok(f),
            (Err(_), Some((_, f))) => Ok(f),
            (Err(e), _) => Err(e),
        }
    }

    /// Sends one WebSocket frame (see [`TcpAgent::send_ws_message`]).
    pub fn send_ws_message(
        &self,
        fin: bool,
        reserved: u8,
        opcode: u8,
        key: Option<[u8; 4]>,
        data: &[u8],
        body_len: u64,
    ) -> Result<()> {
        let id = self.engine_conn()?;
        self.engine()
            .http_send_ws(id, fin, reserved, opcode, key, data, body_len)
    }

    /// Sends a request (see [`TcpAgent::send_request`]).
    pub fn send_request(
        &self,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
        body: &[u8],
    ) -> Result<()> {
        let id = self.engine_conn()?;
        self.engine()
            .http_send_request(id, method, path, headers, body)
    }

    /// Sends a request whose body is the file at `file` (see [`TcpAgent::send_local_file`]).
    pub fn send_local_file(
        &self,
        file: impl AsRef<Path>,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        let id = self.engine_conn()?;
        self.engine()
            .http_send_file_request(id, file.as_ref(), method, path, headers)
    }
}
