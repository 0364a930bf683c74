//! Sending HTTP: a server's responses (the head written into a per-thread buffer, the body
//! compressed when the request accepts it), an agent's or client's requests (`Host`,
//! `Content-Length` and the cookie manager's cookies added), chunks of a chunked body, and
//! file bodies streamed from the disk behind their head.

use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::http::cookie::cookie_manager;
use crate::http::encoding;
use crate::http::session::request_host;
use crate::http::write::{self, Header, RequestExtras};
use crate::reactor::Engine;
use crate::reactor::Role;
use crate::sync::lock;
use crate::types::ConnId;

thread_local! {
    /// The response head being written on this thread (its allocation reused).
    static RESPONSE_HEAD: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// A head buffer larger than this (a response with huge headers) is not kept.
const MAX_KEPT_HEAD: usize = 16 * 1024;

impl Engine {
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
                .remote_host()
                .map_or(conn.remote_addr().port(), |(_, p)| *p);
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
