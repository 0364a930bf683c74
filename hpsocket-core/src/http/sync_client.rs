//! [`HttpSyncClient`]: one blocking call per request (HP-Socket's `IHttpSyncClient`).
//! `open_url` connects (or reuses the connection), sends, and waits until the response is
//! complete, the connection closes, or the request timeout passes; the response's head
//! stays readable through the client's getters and its body through `response_body`.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::write::Header;
use super::{HttpEvent, HttpParseResult};
use crate::error::{Error, ErrorKind, Result};
use crate::listener::ClientListener;
use crate::model::ReceiveModel;
use crate::tcp::TcpClient;
use crate::types::{ConnId, HandleResult, ServiceState, SocketOperation};

/// Where the response of the request in flight stands.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Progress {
    /// No request, or its result was cleaned up.
    #[default]
    Idle,
    /// Sent; waiting for the response.
    Waiting,
    /// The response is complete.
    Complete,
    /// The connection closed or the parse failed first.
    Failed,
}

#[derive(Default)]
struct Exchange {
    progress: Progress,
    body: Vec<u8>,
    connect_timeout: u32,
    request_timeout: u32,
    /// Where the current connection goes: scheme-secure, host, port.
    target: Option<(String, u16)>,
}

/// What the client's own listener shares with `open_url`.
pub(crate) struct SyncState {
    exchange: Mutex<Exchange>,
    changed: Condvar,
}

impl SyncState {
    fn lock(&self) -> MutexGuard<'_, Exchange> {
        crate::sync::lock(&self.exchange)
    }

    fn settle(&self, progress: Progress) {
        let mut x = self.lock();
        if x.progress == Progress::Waiting {
            x.progress = progress;
            self.changed.notify_all();
        }
    }
}

/// The listener the client runs with: it records the response and then hands every event
/// to the user's listener, if any.
struct Recorder {
    state: Arc<SyncState>,
    user: Option<Arc<dyn ClientListener>>,
}

impl ClientListener for Recorder {
    fn on_prepare_connect(&self, s: &TcpClient, id: ConnId, fd: i32) -> HandleResult {
        self.user
            .as_ref()
            .map_or(HandleResult::Ignore, |u| u.on_prepare_connect(s, id, fd))
    }
    fn on_connect(&self, s: &TcpClient, id: ConnId) -> HandleResult {
        self.user
            .as_ref()
            .map_or(HandleResult::Ignore, |u| u.on_connect(s, id))
    }
    fn on_handshake(&self, s: &TcpClient, id: ConnId) -> HandleResult {
        self.user
            .as_ref()
            .map_or(HandleResult::Ignore, |u| u.on_handshake(s, id))
    }
    fn on_send(&self, s: &TcpClient, id: ConnId, data: &[u8]) -> HandleResult {
        self.user
            .as_ref()
            .map_or(HandleResult::Ignore, |u| u.on_send(s, id, data))
    }
    fn wants_on_send(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.wants_on_send())
    }
    fn on_receive(&self, s: &TcpClient, id: ConnId, data: &[u8]) -> HandleResult {
        self.user
            .as_ref()
            .map_or(HandleResult::Ignore, |u| u.on_receive(s, id, data))
    }
    fn on_close(&self, s: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.state.settle(Progress::Failed);
        self.user
            .as_ref()
            .map_or(HandleResult::Ignore, |u| u.on_close(s, id, op, code))
    }
    fn on_http(&self, s: &TcpClient, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        match event {
            HttpEvent::MessageBegin => self.state.lock().body.clear(),
            HttpEvent::Body(data) => self.state.lock().body.extend_from_slice(data),
            _ => {}
        }
        let result = self
            .user
            .as_ref()
            .map_or(HttpParseResult::Ok, |u| u.on_http(s, id, event));
        match event {
            // An interim response (100 Continue) is not the answer.
            HttpEvent::MessageComplete
                if s.http_message()
                    .is_ok_and(|m| !(100..200).contains(&m.status())) =>
            {
                self.state.settle(Progress::Complete)
            }
            HttpEvent::Upgrade(_) => self.state.settle(Progress::Complete),
            HttpEvent::ParseError { .. } => self.state.settle(Progress::Failed),
            _ => {}
        }
        result
    }
    fn on_worker_start(&self, s: &TcpClient, index: usize) {
        if let Some(u) = &self.user {
            u.on_worker_start(s, index);
        }
    }
    fn on_worker_exit(&self, s: &TcpClient, index: usize) {
        if let Some(u) = &self.user {
            u.on_worker_exit(s, index);
        }
    }
}

/// A blocking HTTP(S) client. Cheap to clone; derefs to its [`TcpClient`], whose HTTP getters
/// read the last response.
#[derive(Clone)]
pub struct HttpSyncClient {
    client: TcpClient,
    state: Arc<SyncState>,
}

/// `http://host[:port]/path?query` split: secure, host, port, path with query.
fn split_url(url: &str) -> Result<(bool, String, u16, String)> {
    let bad = || Error::invalid_param(format!("open_url: {url:?} is not an http(s) URL"));
    let (secure, rest) = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (false, rest),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (true, rest),
        _ => return Err(bad()),
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split('#').next().unwrap_or("/");
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_string()
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let default_port = if secure { 443 } else { 80 };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(bad)?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None if after.is_empty() => default_port,
            None => return Err(bad()),
        };
        (host.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().map_err(|_| bad())?),
            None => (authority.to_string(), default_port),
        }
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((secure, host, port, path))
}

impl HttpSyncClient {
    /// A sync client; `listener` (optional) also receives every event. `secure` makes an
    /// HTTPS client: set its TLS context before the first `open_url`.
    pub fn new(listener: Option<Arc<dyn ClientListener>>, secure: bool) -> HttpSyncClient {
        let state = Arc::new(SyncState {
            exchange: Mutex::new(Exchange {
                connect_timeout: 5000,
                request_timeout: 10_000,
                ..Exchange::default()
            }),
            changed: Condvar::new(),
        });
        let recorder = Arc::new(Recorder {
            state: state.clone(),
            user: listener,
        });
        let client = if secure {
            TcpClient::new_ssl(recorder, ReceiveModel::Http)
        } else {
            TcpClient::with_model(recorder, ReceiveModel::Http)
        };
        client.set_sync_state(state.clone());
        HttpSyncClient { client, state }
    }

    /// The sync client behind `client`, if it is one.
    pub fn from_client(client: &TcpClient) -> Option<HttpSyncClient> {
        client.sync_state().map(|state| HttpSyncClient {
            client: client.clone(),
            state,
        })
    }

    /// The client handle callbacks receive.
    pub fn client(&self) -> &TcpClient {
        &self.client
    }

    /// Connect timeout in ms (default 5000; 0: the system's).
    pub fn connect_timeout(&self) -> u32 {
        self.state.lock().connect_timeout
    }

    /// Sets the connect timeout in ms.
    pub fn set_connect_timeout(&self, ms: u32) {
        self.state.lock().connect_timeout = ms;
    }

    /// Request timeout in ms (default 10 000; 0: wait for ever).
    pub fn request_timeout(&self) -> u32 {
        self.state.lock().request_timeout
    }

    /// Sets the request timeout in ms.
    pub fn set_request_timeout(&self, ms: u32) {
        self.state.lock().request_timeout = ms;
    }

    /// Forgets the last response's body and state (done before each request).
    pub fn cleanup_request_result(&self) {
        let mut x = self.state.lock();
        x.progress = Progress::Idle;
        x.body = Vec::new();
    }

    /// The body of the last complete response.
    pub fn response_body(&self) -> Vec<u8> {
        self.state.lock().body.clone()
    }

    /// Runs `f` on the body of the last response without copying it.
    pub fn with_response_body<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(&self.state.lock().body)
    }

    /// Sends `method` to `url` (`http(s)://host[:port]/path?query`) and waits for the whole
    /// response. Reconnects when the host or port differ from the current connection's, when
    /// it closed, or when `force_reconnect`.
    pub fn open_url(
        &self,
        method: &str,
        url: &str,
        headers: &[Header<'_>],
        body: &[u8],
        force_reconnect: bool,
    ) -> Result<()> {
        if self.client.engine().in_own_callback() {
            return Err(Error::illegal_state(
                "open_url called from the client's own callback would wait for itself",
            ));
        }
        let (secure, host, port, path) = split_url(url)?;
        if secure != self.client.is_secure() {
            return Err(Error::invalid_param(format!(
                "open_url: {url:?} needs an {} client",
                if secure { "HTTPS" } else { "HTTP" }
            )));
        }
        self.cleanup_request_result();
        let target = Some((host.clone(), port));
        // The last answer said whether the server keeps the connection: after `Connection:
        // close` (or HTTP/1.0) the close may still be on its way, so do not reuse it.
        let kept_alive = self
            .client
            .http_message()
            .map_or(true, |m| m.is_keep_alive());
        let reuse = !force_reconnect
            && kept_alive
            && self.client.state() == ServiceState::Started
            && self.state.lock().target == target;
        if !reuse {
            self.connect(&host, port)?;
            self.state.lock().target = target;
        }
        self.state.lock().progress = Progress::Waiting;
        if let Err(e) = self.client.send_request(method, &path, headers, body) {
            self.state.lock().progress = Progress::Failed;
            return Err(e);
        }
        self.wait_response()
    }

    fn connect(&self, host: &str, port: u16) -> Result<()> {
        if self.client.state() != ServiceState::Stopped {
            let _ = self.client.stop();
            let _ = self.client.wait(None);
        }
        let timeout = self.connect_timeout();
        if timeout > 0 {
            self.client
                .update_config(|c| c.sync_connect_timeout = timeout)?;
        }
        self.client.start(host, port, false)
    }

    fn wait_response(&self) -> Result<()> {
        let timeout = self.request_timeout();
        let deadline =
            (timeout > 0).then(|| Instant::now() + Duration::from_millis(timeout.into()));
        let mut x = self.state.lock();
        while x.progress == Progress::Waiting {
            match deadline {
                None => {
                    x = self
                        .state
                        .changed
                        .wait(x)
                        .unwrap_or_else(|e| e.into_inner())
                }
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        x.progress = Progress::Failed;
                        drop(x);
                        let _ = self.client.stop();
                        return Err(Error::new(
                            ErrorKind::Network,
                            libc::ETIMEDOUT,
                            format!("open_url: no complete response within {timeout} ms"),
                        ));
                    }
                    x = self
                        .state
                        .changed
                        .wait_timeout(x, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
        match x.progress {
            Progress::Complete => Ok(()),
            _ => Err(Error::new(
                ErrorKind::Network,
                libc::ECONNRESET,
                "open_url: the connection closed or the response could not be parsed",
            )),
        }
    }
}

impl std::ops::Deref for HttpSyncClient {
    type Target = TcpClient;
    fn deref(&self) -> &TcpClient {
        &self.client
    }
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn urls_split_into_host_port_and_path() {
        let s = |u| split_url(u).unwrap();
        assert_eq!(
            s("http://a.b/x?y"),
            (false, "a.b".into(), 80, "/x?y".into())
        );
        assert_eq!(s("https://a.b"), (true, "a.b".into(), 443, "/".into()));
        assert_eq!(
            s("HTTP://u:p@h:8080?q#f"),
            (false, "h".into(), 8080, "/?q".into())
        );
        assert_eq!(
            s("http://[::1]:81/p#f"),
            (false, "::1".into(), 81, "/p".into())
        );
        assert!(split_url("ftp://a").is_err());
        assert!(split_url("http://:80/").is_err());
        assert!(split_url("http://h:99999/").is_err());
    }
}
