//! The engine's HTTP operations, one per operation whatever the role: the components'
//! public methods (`crate::http::ops`) only name the connection.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Command, Engine, Role};
use crate::error::{Error, ErrorKind, Result};
use crate::http::cookie::cookie_manager;
use crate::http::encoding;
use crate::http::session::{request_host, HttpShared, WsOffer};
use crate::http::write::{self, Header, RequestExtras};
use crate::http::{
    ws, ws_deflate, ws_mode, HttpConfig, HttpMessage, ParseFailure, WsFrameState,
    RELEASE_DELAY_RANGE,
};
use crate::model::ReceiveModel;
use crate::sync::lock;
use crate::types::ConnId;

thread_local! {
    /// The response head being written on this thread (its allocation reused).
    static RESPONSE_HEAD: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// A head buffer larger than this (a response with huge headers) is not kept.
const MAX_KEPT_HEAD: usize = 16 * 1024;

impl Engine {
    fn require_http(&self, what: &str) -> Result<()> {
        if self.model() == ReceiveModel::Http {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidParam,
            libc::EINVAL,
            format!("{}::{what}: not an HTTP component", self.name()),
        ))
    }

    /// Runs `f` on connection `id`'s HTTP state.
    fn with_http<R>(
        &self,
        what: &str,
        id: ConnId,
        f: impl FnOnce(&crate::conn::Conn, &HttpShared) -> Result<R>,
    ) -> Result<R> {
        self.require_http(what)?;
        self.with_conn(what, id, |conn| match conn.http() {
            Some(shared) => f(conn, shared),
            None => Err(Error::not_found(what, id)),
        })
    }

    /// The message connection `id` parses now, or parsed last.
    pub(crate) fn http_message(&self, id: ConnId) -> Result<Arc<HttpMessage>> {
        self.with_http("http_message", id, |_, shared| {
            shared.message().ok_or_else(|| {
                Error::new(
                    ErrorKind::IllegalState,
                    libc::ENODATA,
                    format!("http_message: connection {id} has received no message yet"),
                )
            })
        })
    }

    /// The parse error of connection `id`, if its HTTP failed.
    pub(crate) fn http_parse_error(&self, id: ConnId) -> Result<Option<Arc<ParseFailure>>> {
        self.with_http("http_parse_error", id, |_, shared| Ok(shared.parse_error()))
    }

    /// Starts parsing on a connection of a component whose `auto_start` is off. Bytes that
    /// arrived before went to `on_receive`.
    pub(crate) fn http_start(&self, id: ConnId) -> Result<()> {
        self.with_http("start_http", id, |_, shared| {
            if shared.started.swap(true, Ordering::AcqRel) {
                return Err(Error::new(
                    ErrorKind::IllegalState,
                    libc::EALREADY,
                    format!("start_http: HTTP already runs on connection {id}"),
                ));
            }
            Ok(())
        })
    }

    /// Server: closes connection `id` after `release_delay` ms, so the answer drains first.
    pub(crate) fn http_release(&self, id: ConnId) -> Result<()> {
        self.require_http("release")?;
        let delay = self.http_config().release_delay;
        let delay = delay.clamp(*RELEASE_DELAY_RANGE.start(), *RELEASE_DELAY_RANGE.end());
        self.with_run("release", |run, me| {
            let conn = run.live_conn("Release", id)?;
            run.post(conn.worker, Command::Release(conn.clone(), delay, 0), me);
            Ok(())
        })
    }

    /// Server: sends a response head and `body` as one send.
    pub(crate) fn http_send_response(
        &self,
        id: ConnId,
        status: u16,
        reason: Option<&str>,
        headers: &[Header<'_>],
        body: &[u8],
    ) -> Result<()> {
        self.require_http("send_response")?;
        check_headers("send_response", headers)?;
        // Two fields, read under the lock: cloning the whole config cost every response ~90
        // instructions.
        let (local_version, min) = {
            let http = lock(&self.shared.http);
            (http.local_version, http.compress_min_size as usize)
        };
        let compressible = min > 0
            && body.len() >= min
            && encoding::status_has_body(status)
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("Content-Encoding"));
        let accept = self.with_http("send_response", id, |_, shared| {
            shared.response_sent(status);
            Ok(compressible
                .then(|| shared.message())
                .flatten()
                .and_then(|m| {
                    m.header("Accept-Encoding")
                        .map(|v| v.to_string_lossy().into_owned())
                }))
        })?;
        let coding = accept.as_deref().and_then(encoding::choose);
        let coded;
        let mut all: Vec<Header<'_>>;
        let (headers, body) = match coding {
            Some(coding) => {
                coded = encoding::encode(coding, body);
                all = headers.to_vec();
                all.push(("Content-Encoding", coding.token()));
                all.push(("Vary", "Accept-Encoding"));
                (&all[..], &coded[..])
            }
            None => (headers, body),
        };
        // The head is written into this thread's buffer, reused from response to response
        // (taken out while in use: a callback the send runs may send a response too).
        let mut head = RESPONSE_HEAD.take();
        head.clear();
        write::write_response_head(
            &mut head,
            local_version,
            status,
            reason,
            headers,
            body.len() as u64,
        );
        let sent = self.send(id, &[head.as_bytes(), body]);
        if head.capacity() <= MAX_KEPT_HEAD {
            RESPONSE_HEAD.set(head);
        }
        sent
    }

    /// Server: sends a response head with `Content-Length` the size of the file at `path`,
    /// then the file, streamed from the disk as the connection drains (see
    /// [`Engine::send_file`]); never compressed.
    pub(crate) fn http_send_file_response(
        &self,
        id: ConnId,
        path: &Path,
        status: u16,
        reason: Option<&str>,
        headers: &[Header<'_>],
    ) -> Result<()> {
        self.require_http("send_local_file")?;
        check_headers("send_local_file", headers)?;
        let (file, len) = open_body(path)?;
        let config = self.http_config();
        self.with_http("send_local_file", id, |_, shared| {
            shared.response_sent(status);
            Ok(())
        })?;
        let head = write::response_head(config.local_version, status, reason, headers, len);
        self.send_file(id, head.as_bytes(), file, len)
    }

    /// Agent, client: sends a request whose body is the file at `file` (see
    /// [`Engine::http_send_file_response`]).
    pub(crate) fn http_send_file_request(
        &self,
        id: ConnId,
        file: &Path,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        let (file, len) = open_body(file)?;
        let head = self.request_head(id, method, path, headers, len)?;
        self.send_file(id, head.as_bytes(), file, len)
    }

    /// Agent, client: sends a request head and `body` as one send, adding `Host`,
    /// `Content-Length` and the cookie manager's cookies.
    pub(crate) fn http_send_request(
        &self,
        id: ConnId,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
        body: &[u8],
    ) -> Result<()> {
        let head = self.request_head(id, method, path, headers, body.len() as u64)?;
        self.send(id, &[head.as_bytes(), body])
    }

    /// A request head for a body of `len` bytes; the request is recorded as asked.
    fn request_head(
        &self,
        id: ConnId,
        method: &str,
        path: &str,
        headers: &[Header<'_>],
        len: u64,
    ) -> Result<String> {
        self.require_http("send_request")?;
        check_headers("send_request", headers)?;
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_param(format!(
                "send_request: {method:?} is not a method"
            )));
        }
        if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(Error::invalid_param(format!(
                "send_request: {path:?} has spaces or control characters"
            )));
        }
        let secure = self.is_secure();
        let config = self.http_config();
        let (host, cookie_host) = self.with_http("send_request", id, |conn, shared| {
            let name = request_host(conn);
            let port = conn
                .remote_host
                .as_deref()
                .map_or(conn.remote_addr.port(), |(_, p)| *p);
            shared.asked(method, path);
            Ok((write::host_value(&name, port, secure), name))
        })?;
        let cookie = if config.use_cookie && self.role() != Role::Server {
            let path_only = path.split(['?', '#']).next().unwrap_or("/");
            cookie_manager().cookie_header(&cookie_host, path_only, secure)
        } else {
            None
        };
        let extras = RequestExtras {
            host: &host,
            cookie: cookie.as_deref(),
        };
        Ok(write::request_head(
            config.local_version,
            method,
            path,
            headers,
            len,
            &extras,
        ))
    }

    /// Sends one chunk of a chunked body (`data` empty: the last chunk).
    pub(crate) fn http_send_chunk(
        &self,
        id: ConnId,
        data: &[u8],
        extensions: Option<&str>,
    ) -> Result<()> {
        self.require_http("send_chunk_data")?;
        if extensions.is_some_and(|e| e.bytes().any(|b| b == b'\r' || b == b'\n')) {
            return Err(Error::invalid_param(
                "send_chunk_data: the extensions have CR or LF",
            ));
        }
        let head = write::chunk_head(data.len(), extensions);
        if data.is_empty() {
            return self.send(id, &[head.as_bytes()]);
        }
        self.send(id, &[head.as_bytes(), data, write::CHUNK_TAIL])
    }

    /// Runs `f` on connection `id`'s WebSocket frame state (`None` before the first frame).
    pub(crate) fn http_ws_state<R>(
        &self,
        id: ConnId,
        f: impl FnOnce(Option<&WsFrameState>) -> R,
    ) -> Result<R> {
        self.with_http("ws_message_state", id, |_, shared| {
            Ok(shared.with_ws_state(f))
        })
    }

    /// Sends one WebSocket frame: its head announces `body_len` (0: `data.len()`; more: the
    /// rest follows through plain sends), then `data`. A server's frames are never masked;
    /// an agent's or client's are masked with `key`, or a random key when `None`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn http_send_ws(
        &self,
        id: ConnId,
        fin: bool,
        reserved: u8,
        opcode: u8,
        key: Option<[u8; 4]>,
        data: &[u8],
        body_len: u64,
    ) -> Result<()> {
        self.require_http("send_ws_message")?;
        if reserved > 7 || opcode > 0x0F {
            return Err(Error::invalid_param(format!(
                "send_ws_message: reserved bits {reserved:#x} (0..=7) or opcode {opcode:#x} \
                 (0..=0xF) out of range"
            )));
        }
        let len = match body_len {
            0 => data.len() as u64,
            n if n < data.len() as u64 => {
                return Err(Error::invalid_param(format!(
                    "send_ws_message: ullBodyLen {n} is less than the {} bytes given",
                    data.len()
                )))
            }
            n => n,
        };
        let key = match self.role() {
            Role::Server => None,
            _ => Some(match key {
                Some(k) => k,
                None => random_key()?,
            }),
        };
        // With permessage-deflate agreed, a whole text or binary message in one frame goes
        // compressed (RSV1); fragments and frames whose payload follows later go as they are.
        let whole = fin && reserved == 0 && matches!(opcode, 0x1 | 0x2) && len == data.len() as u64;
        if whole {
            let sent = self.with_http("send_ws_message", id, |_, shared| {
                let mut deflater = crate::sync::lock(&shared.ws_deflater);
                let Some(deflater) = deflater.as_mut() else {
                    return Ok(None);
                };
                let payload = deflater.compress(data);
                // Queued before the lock goes: the peer inflates in compression order.
                let len = payload.len() as u64;
                Ok(Some(
                    self.send_ws_frame(id, fin, 0b100, opcode, key, &payload, len),
                ))
            })?;
            if let Some(sent) = sent {
                return sent;
            }
        }
        self.send_ws_frame(id, fin, reserved, opcode, key, data, len)
    }

    /// Writes one frame's head announcing `len` and `data`, masked with `key` if any.
    #[allow(clippy::too_many_arguments)]
    fn send_ws_frame(
        &self,
        id: ConnId,
        fin: bool,
        reserved: u8,
        opcode: u8,
        key: Option<[u8; 4]>,
        data: &[u8],
        len: u64,
    ) -> Result<()> {
        let (head, n) = ws::frame_head(fin, reserved, opcode, key, len);
        match key {
            None => self.send(id, &[&head[..n], data]),
            Some(k) => {
                let mut masked = data.to_vec();
                ws::mask(&mut masked, k, 0);
                self.send(id, &[&head[..n], &masked])
            }
        }
    }

    /// WebSocket mode: the subprotocol agreed on in the opening handshake, if any.
    pub(crate) fn http_ws_protocol(&self, id: ConnId) -> Result<Option<String>> {
        self.with_http("ws_protocol", id, |_, shared| {
            Ok(crate::sync::lock(&shared.ws_protocol).clone())
        })
    }

    /// WebSocket mode, agent or client: sends the upgrade request (GET `path` with a fresh
    /// `Sec-WebSocket-Key`), whose answer's accept the mode checks.
    pub(crate) fn http_ws_upgrade(
        &self,
        id: ConnId,
        path: &str,
        headers: &[Header<'_>],
    ) -> Result<()> {
        self.require_http("send_ws_upgrade")?;
        if self.role() == Role::Server {
            return Err(Error::invalid_param(
                "send_ws_upgrade: a server answers upgrades, it does not ask for them",
            ));
        }
        let config = self.http_config();
        let offer = WsOffer {
            key: ws_mode::new_key(),
            protocols: config.ws_protocols.clone(),
            deflate: config.ws_deflate,
        };
        let protocols = offer.protocols.join(", ");
        let mut all: Vec<Header<'_>> = vec![
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", &offer.key),
            ("Sec-WebSocket-Version", "13"),
        ];
        if !protocols.is_empty() {
            all.push(("Sec-WebSocket-Protocol", &protocols));
        }
        if offer.deflate {
            all.push(("Sec-WebSocket-Extensions", ws_deflate::CLIENT_OFFER));
        }
        all.extend_from_slice(headers);
        let offer = offer.clone();
        self.with_http("send_ws_upgrade", id, |_, shared| {
            *crate::sync::lock(&shared.ws_offer) = Some(offer);
            Ok(())
        })?;
        self.http_send_request(id, "GET", path, &all, b"")
    }

    /// WebSocket mode: starts the closing handshake with `code` and `reason`; the connection
    /// closes when the peer answers, or `close_timeout` ms later.
    pub(crate) fn http_ws_close(&self, id: ConnId, code: u16, reason: &str) -> Result<()> {
        self.require_http("ws_close")?;
        if !ws_mode::valid_close_code(code) {
            return Err(Error::invalid_param(format!(
                "ws_close: {code} is not a close code that may be sent \
                 (1000..=1003, 1007..=1011, 3000..=4999)"
            )));
        }
        if reason.len() > 123 {
            return Err(Error::invalid_param(format!(
                "ws_close: the reason is {} bytes; a close frame holds at most 123",
                reason.len()
            )));
        }
        let server = self.role() == Role::Server;
        let timeout = self.http_config().release_delay.max(1000);
        let frame = ws_mode::close_frame(server, code, reason);
        // One lookup for the send and the delayed close: a peer that answers at once may
        // close the connection before a second lookup, after the close already went out.
        self.with_run("ws_close", |run, me| {
            let conn = run.live_conn("ws_close", id)?;
            let Some(shared) = conn.http() else {
                return Err(Error::not_found("ws_close", id));
            };
            shared
                .ws_closing
                .store(true, std::sync::atomic::Ordering::Release);
            run.send_to(&conn, &[&frame], me)?;
            run.post(conn.worker, Command::Release(conn.clone(), timeout, 0), me);
            Ok(())
        })
    }

    /// The HTTP settings (see [`HttpConfig`]).
    pub(crate) fn http_settings(&self) -> Result<HttpConfig> {
        self.require_http("http_config")?;
        Ok(self.http_config())
    }
}

/// Opens a file to send as a body: a regular file HP-Socket's `ReadSmallFile` would accept,
/// without its 4 MiB bound (an empty file is an empty body). The open does not block on a
/// FIFO; what is not a regular file is refused.
fn open_body(path: &Path) -> Result<(std::fs::File, u64)> {
    use std::os::unix::fs::OpenOptionsExt;
    let failed = |e: &std::io::Error| {
        Error::os(
            ErrorKind::InvalidParam,
            e,
            format!("send_local_file: {}", path.display()),
        )
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| failed(&e))?;
    let meta = file.metadata().map_err(|e| failed(&e))?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::InvalidParam,
            libc::EISDIR,
            format!("send_local_file: {} is a directory", path.display()),
        ));
    }
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidParam,
            libc::EBADF,
            format!("send_local_file: {} is not a regular file", path.display()),
        ));
    }
    Ok((file, meta.len()))
}

fn check_headers(what: &str, headers: &[Header<'_>]) -> Result<()> {
    write::check_headers(headers).map_err(|e| Error::invalid_param(format!("{what}: {e}")))
}

/// A masking key from OpenSSL's generator (RFC 6455 asks for an unpredictable one).
fn random_key() -> Result<[u8; 4]> {
    let mut key = [0u8; 4];
    openssl::rand::rand_bytes(&mut key).map_err(|e| {
        Error::new(
            ErrorKind::SslEnvNotReady,
            libc::EIO,
            format!("send_ws_message: no random masking key: {e}"),
        )
    })?;
    Ok(key)
}
