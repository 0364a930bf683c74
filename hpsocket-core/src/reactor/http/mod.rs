//! The engine's HTTP operations, one per operation whatever the role: the components'
//! public methods (`crate::http::ops`) only name the connection. This file holds what they
//! share (the HTTP check, a connection's HTTP state), the queries of the message being
//! parsed, `start_http`, `release` and the settings (also those a running engine's workers
//! read, which may change while it runs); `send.rs` sends requests, responses, chunks and
//! file bodies, `ws.rs` the WebSocket frames and the WebSocket mode's handshakes.

mod send;
mod ws;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Command, Engine, Running};
use crate::error::{Error, ErrorKind, Result};
use crate::http::session::HttpShared;
use crate::http::{HttpConfig, HttpMessage, ParseFailure, RELEASE_DELAY_RANGE};
use crate::model::ReceiveModel;
use crate::sync::lock;
use crate::types::ConnId;

impl Running {
    /// HTTP agents and clients: whether responses' cookies go to the cookie manager.
    pub(crate) fn http_use_cookie(&self) -> bool {
        lock(&self.shared.http).use_cookie
    }

    /// The WebSocket mode's keep-alive interval now, ms (0: off).
    pub(crate) fn ws_ping_interval(&self) -> u32 {
        lock(&self.shared.http).ws_ping_interval
    }

    /// The HTTP settings now.
    pub(crate) fn http_settings(&self) -> HttpConfig {
        lock(&self.shared.http).clone()
    }
}

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
            run.post(conn.worker(), Command::Release(conn.clone(), delay, 0), me);
            Ok(())
        })
    }

    /// The HTTP settings (see [`HttpConfig`]).
    pub(crate) fn http_settings(&self) -> Result<HttpConfig> {
        self.require_http("http_config")?;
        Ok(self.http_config())
    }
}
