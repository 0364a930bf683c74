//! The HTTP model on a worker: received bytes go through the connection's
//! [`HttpSession`]; what it parses reaches the listener's `on_http`; bytes after an upgrade,
//! or before `start_http`, reach `on_receive` as they are.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::receive::delivering;
use super::{Deadline, Layer, Local, Worker, READ_BLOCKED};
use crate::conn::{Conn, ConnState};
use crate::http::cookie::{cookie_manager, Cookie};
use crate::http::session::{parsing, request_host, Delivered, HttpEvents, HttpSession};
use crate::http::{HttpConfig, HttpEvent, HttpMessage, HttpParseResult};
use crate::reactor::events::guarded;
use crate::reactor::{Command, Role, Running};
use crate::types::{ConnId, SocketOperation};

/// How long after the WebSocket close handshake the connection closes: time for the close
/// frame to go out first.
const WS_CLOSE_DELAY_MS: u32 = 100;

/// The listener of one connection's parse.
struct ConnEvents<'a> {
    run: &'a Running,
    conn: &'a Arc<Conn>,
    use_cookie: bool,
}

impl<'a> ConnEvents<'a> {
    fn new(run: &'a Running, conn: &'a Arc<Conn>) -> ConnEvents<'a> {
        ConnEvents {
            run,
            conn,
            use_cookie: run.shared.role != Role::Server && run.http_use_cookie(),
        }
    }
}

impl HttpEvents for ConnEvents<'_> {
    fn http(&self, id: ConnId, event: HttpEvent<'_>) -> (HttpParseResult, i32) {
        guarded(|| self.run.events.http(id, event))
    }

    fn wants_head(&self) -> bool {
        self.run.events.wants_http_head()
    }

    fn ws_config(&self) -> Option<HttpConfig> {
        Some(self.run.http_settings()).filter(|c| c.ws_mode)
    }

    fn send(&self, _id: ConnId, bytes: &[u8]) {
        // On the owner's thread: queued behind anything the application sent, flushed when
        // the turn ends.
        let _ = self
            .run
            .send_to(self.conn, &[bytes], Some(self.conn.worker()));
    }

    fn close_soon(&self, _id: ConnId, code: i32) {
        self.run.post(
            self.conn.worker(),
            Command::Release(self.conn.clone(), WS_CLOSE_DELAY_MS, code),
            Some(self.conn.worker()),
        );
    }

    fn response_cookies(
        &self,
        _id: ConnId,
        path: &str,
        message: &HttpMessage,
    ) -> Vec<(String, String)> {
        let host = request_host(self.conn);
        message
            .header_values("Set-Cookie")
            .filter_map(|value| {
                let value = value.to_string_lossy();
                if self.use_cookie {
                    cookie_manager().store_set_cookie(&host, path, &value);
                }
                Cookie::parse_set_cookie(&value, &host, path).map(|c| (c.name, c.value))
            })
            .collect()
    }
}

/// Hands `data` to the HTTP model of `local`'s connection.
pub(super) fn deliver_http(
    local: &mut Local,
    data: &[u8],
    run: &Running,
) -> Result<(), (SocketOperation, i32)> {
    let conn = local.conn.clone();
    let Some(shared) = conn.http() else {
        return Ok(());
    };
    let id = conn.id;
    delivering(&conn, |_| {
        if !parsing(shared, Layer::http(&local.layer)) {
            return receive_raw(run, id, data);
        }
        let session = Layer::http_or_insert_with(&mut local.layer, || {
            HttpSession::new(run.shared.role == Role::Server)
        });
        let events = ConnEvents::new(run, &conn);
        let paused = || conn.paused.load(Ordering::Acquire) || conn.state() != ConnState::Connected;
        match session.feed(data, id, shared, &events, &paused) {
            Delivered::Done => Ok(()),
            Delivered::Paused => {
                local.set(READ_BLOCKED, true);
                Ok(())
            }
            Delivered::Raw(rest) if rest.is_empty() => Ok(()),
            Delivered::Raw(rest) => receive_raw(run, id, &rest),
            Delivered::Failed(code) => Err((SocketOperation::Receive, code)),
        }
    })
}

fn receive_raw(run: &Running, id: ConnId, data: &[u8]) -> Result<(), (SocketOperation, i32)> {
    if data.is_empty() {
        return Ok(());
    }
    let (result, code) = guarded(|| run.events.receive(id, data));
    if result.is_error() {
        return Err((SocketOperation::Receive, code));
    }
    Ok(())
}

impl Worker {
    /// Arms the WebSocket keep-alive round if it is off and pings are on.
    pub(super) fn arm_ws_ping(&mut self) {
        if self.ws_ping_armed {
            return;
        }
        let ms = self.run.ws_ping_interval();
        if ms > 0 {
            let at = std::time::Instant::now() + std::time::Duration::from_millis(ms.into());
            self.timers.arm(at, (usize::MAX, 0, Deadline::WsPing));
            self.ws_ping_armed = true;
        }
    }

    /// The WebSocket keep-alive round: a ping to each connection in the mode that was silent
    /// since the last round, a close (`ETIMEDOUT`) for one silent since the round before.
    /// Re-arms while any connection is in the mode.
    pub(super) fn ws_ping_round(&mut self) {
        self.ws_ping_armed = false;
        let mut any = false;
        let mut dead = Vec::new();
        for (key, local) in self.locals.iter_mut() {
            let Some(session) = Layer::http_mut(&mut local.layer) else {
                continue;
            };
            if !session.in_ws_mode() || local.conn.state() != ConnState::Connected {
                continue;
            }
            any = true;
            match session.ws_keepalive_round() {
                Ok(Some(ping)) => {
                    let _ = self.run.send_to(&local.conn, &[&ping], Some(self.index));
                }
                Ok(None) => {}
                Err(()) => dead.push(key),
            }
        }
        for key in dead {
            self.close(key, SocketOperation::Close, libc::ETIMEDOUT);
        }
        if any {
            self.arm_ws_ping();
        }
    }

    /// The peer closed its side: completes a response read until the close. A message cut
    /// short is reported through `OnParseError`; the close itself stays a normal one.
    pub(super) fn http_peer_closed(&mut self, key: usize) {
        let Some(local) = self.locals.get_mut(key) else {
            return;
        };
        let conn = local.conn.clone();
        let (Some(shared), Some(session)) = (conn.http(), Layer::http_mut(&mut local.layer)) else {
            return;
        };
        let events = ConnEvents::new(&self.run, &conn);
        delivering(&conn, |_| session.finish(conn.id, shared, &events));
    }
}
