//! The HTTP methods of the components. An HTTP component is a TCP component of the
//! [`ReceiveModel::Http`] model (`TcpServer::with_model(listener, ReceiveModel::Http)`,
//! `TcpServer::new_ssl(listener, ReceiveModel::Http)` for HTTPS, and the same for agents and
//! clients); on any other component these methods fail with `SE_INVALID_PARAM`.
//!
//! [`ReceiveModel::Http`]: crate::ReceiveModel::Http

use std::path::Path;
use std::sync::Arc;

use super::write::Header;
use super::{HttpConfig, HttpMessage, ParseFailure};
use crate::error::Result;
use crate::tcp::{TcpAgent, TcpClient, TcpServer};
use crate::types::ConnId;

/// Reads a file to send as a body. Unlike HP-Socket's `SendLocalFile` there is no 4 MiB
/// bound; the file is read whole, so its size is the caller's to bound.
fn read_body(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        crate::Error::os(
            crate::ErrorKind::InvalidParam,
            &e,
            format!("send_local_file: {}", path.display()),
        )
    })
}

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

            /// What the connection's current (or last) message said: readable from any
            /// thread until the next message on the connection begins.
            pub fn http_message(&self, $($conn: ConnId)?) -> Result<Arc<HttpMessage>> {
                self.engine().http_message(http_common!(@id self $($conn)?))
            }

            /// The parse error that ended the connection's HTTP, if any.
            pub fn http_parse_error(&self, $($conn: ConnId)?) -> Result<Option<Arc<ParseFailure>>> {
                self.engine().http_parse_error(http_common!(@id self $($conn)?))
            }

            /// Starts HTTP on a connection when `auto_start` is off (bytes before it went to
            /// `on_receive`).
            pub fn start_http(&self, $($conn: ConnId)?) -> Result<()> {
                self.engine().http_start(http_common!(@id self $($conn)?))
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
http_common!(TcpClient,);

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

    /// Sends a response whose body is the file at `path`.
    pub fn send_local_file(
        &self,
        conn_id: ConnId,
        path: impl AsRef<Path>,
        status: u16,
        reason: Option<&str>,
        headers: &[Header<'_>],
    ) -> Result<()> {
        let body = read_body(path.as_ref())?;
        self.send_response(conn_id, status, reason, headers, &body)
    }

    /// Closes the connection after `release_delay` ms, once the answer had time to drain
    /// (for requests that are not keep-alive).
    pub fn release(&self, conn_id: ConnId) -> Result<()> {
        self.engine().http_release(conn_id)
    }
}

impl TcpAgent {
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

    /// Sends a request whose body is the file at `file`.
    pub fn send_local_file(
        &self,
        conn_id: ConnId,
        file: impl AsRef<Path>,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        let body = read_body(file.as_ref())?;
        self.send_request(conn_id, method, path, headers, &body)
    }
}

impl TcpClient {
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

    /// Sends a request whose body is the file at `file`.
    pub fn send_local_file(
        &self,
        file: impl AsRef<Path>,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        let body = read_body(file.as_ref())?;
        self.send_request(method, path, headers, &body)
    }
}
