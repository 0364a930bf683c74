//! The HTTP model on a worker: received bytes go through the connection's
//! [`HttpSession`]; what it parses reaches the listener's `on_http`; bytes after an upgrade,
//! or before `start_http`, reach `on_receive` as they are.

use std::sync::atomic::Ordering;

use super::receive::Delivering;
use super::{Local, Worker};
use crate::conn::{Conn, ConnState};
use crate::http::cookie::{cookie_manager, Cookie};
use crate::http::session::{parsing, request_host, Delivered, HttpEvents, HttpSession};
use crate::http::{HttpEvent, HttpMessage, HttpParseResult};
use crate::reactor::events::{guarded, Events};
use crate::reactor::{Role, Running};
use crate::types::{ConnId, SocketOperation};

/// The listener of one connection's parse.
struct ConnEvents<'a> {
    events: &'a dyn Events,
    conn: &'a Conn,
    use_cookie: bool,
}

impl HttpEvents for ConnEvents<'_> {
    fn http(&self, id: ConnId, event: HttpEvent<'_>) -> (HttpParseResult, i32) {
        guarded(|| self.events.http(id, event))
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
    let _delivering = Delivering::start(&conn);
    if !parsing(shared, local.http.as_deref()) {
        return receive_raw(run, id, data);
    }
    let session = local
        .http
        .get_or_insert_with(|| Box::new(HttpSession::new(run.shared.role == Role::Server)));
    let events = ConnEvents {
        events: &*run.events,
        conn: &conn,
        use_cookie: run.shared.role != Role::Server && run.http_use_cookie(),
    };
    let paused = || conn.paused.load(Ordering::Acquire) || conn.state() != ConnState::Connected;
    match session.feed(data, id, shared, &events, &paused) {
        Delivered::Done => Ok(()),
        Delivered::Paused => {
            local.read_blocked = true;
            Ok(())
        }
        Delivered::Raw(rest) if rest.is_empty() => Ok(()),
        Delivered::Raw(rest) => receive_raw(run, id, &rest),
        Delivered::Failed(code) => Err((SocketOperation::Receive, code)),
    }
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
    /// The peer closed its side: completes a response read until the close. A message cut
    /// short is reported through `OnParseError`; the close itself stays a normal one.
    pub(super) fn http_peer_closed(&mut self, key: usize) {
        let Some(local) = self.locals.get_mut(key) else {
            return;
        };
        let conn = local.conn.clone();
        let (Some(shared), Some(session)) = (conn.http(), local.http.as_deref_mut()) else {
            return;
        };
        let events = ConnEvents {
            events: &*self.run.events,
            conn: &conn,
            use_cookie: self.run.shared.role != Role::Server && self.run.http_use_cookie(),
        };
        let _delivering = Delivering::start(&conn);
        let _ = session.finish(conn.id, shared, &events);
    }
}
