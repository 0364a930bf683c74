//! The core's event seam, implemented over a [`Bridge`]: each event becomes a call of the
//! Python listener's method of the same name, with the component's Python object as `sender`.
//!
//! Data handed to Python (`on_receive`, `on_send`) is copied once into a new `bytes` object,
//! which the listener may keep: the core's slice is valid only during the callback, and a
//! `memoryview` over it could outlive it (a slice of a memoryview survives `release()`).

use std::sync::Arc;

use hpsocket_core::http::{HttpEvent, HttpParseResult};
use hpsocket_core::{ConnId, Event, EventHandler, EventMask, HandleResult, ReceiveModel};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::bridge::{Bridge, Ev};
use crate::enums::{self, E};

/// The core's event seam over a [`Bridge`]: one handler for every family. `client`: the
/// component is a client, whose close is its last event (it stops by itself after it).
pub(crate) struct PyEvents {
    pub(crate) bridge: Arc<Bridge>,
    pub(crate) client: bool,
}

impl EventHandler for PyEvents {
    fn wanted(&self) -> EventMask {
        // The HTTP head events always: the Python handlers decide what to do with them.
        if self.bridge.wants(Ev::Send) {
            EventMask::ALL
        } else {
            EventMask::HTTP_HEAD
        }
    }

    fn on_event(&self, event: Event<'_>) -> HandleResult {
        let b = &self.bridge;
        match event {
            Event::PrepareListen { fd } => b.dispatch(Ev::PrepareListen, |h, s| h.call1((s, fd))),
            // TCP: the accepted socket; UDP: the peer's `(host, port)`, as `socket` gives it.
            Event::Accept { conn, fd, peer } => b.dispatch(Ev::Accept, |h, s| match peer {
                Some(peer) => h.call1((s, conn, crate::args::address(peer))),
                None => h.call1((s, conn, fd)),
            }),
            Event::PrepareConnect { conn, fd } => {
                b.dispatch(Ev::PrepareConnect, |h, s| h.call1((s, conn, fd)))
            }
            Event::Connect { conn } => b.dispatch(Ev::Connect, |h, s| h.call1((s, conn))),
            Event::HandShake { conn } => b.dispatch(Ev::Handshake, |h, s| h.call1((s, conn))),
            Event::Send { conn, data } => {
                b.notify(Ev::Send, |h, s| {
                    h.call1((s, conn, PyBytes::new(h.py(), data)))
                });
                HandleResult::Ignore
            }
            Event::Receive { conn, data } => b.dispatch(Ev::Receive, |h, s| {
                h.call1((s, conn, PyBytes::new(h.py(), data)))
            }),
            Event::PullReceive { conn, total } => {
                debug_assert_eq!(b.model, ReceiveModel::Pull);
                b.dispatch(Ev::Receive, |h, s| h.call1((s, conn, total)))
            }
            Event::SendDrained { conn, pending } => {
                b.notify(Ev::SendDrained, |h, s| h.call1((s, conn, pending)));
                HandleResult::Ignore
            }
            Event::MessageDropped {
                conn,
                message,
                size,
            } => {
                b.notify(Ev::MessageDropped, |h, s| h.call1((s, conn, message, size)));
                HandleResult::Ignore
            }
            Event::Close {
                conn,
                operation,
                error,
                extra,
            } => {
                // A client's extra is not a connection's: it keeps no connection attachment.
                let token = if self.client { 0 } else { extra };
                b.close(conn, operation, error, || token, self.client);
                HandleResult::Ignore
            }
            Event::Shutdown => {
                b.shutdown();
                HandleResult::Ignore
            }
            Event::WorkerStart { .. } => {
                crate::tstate::keep();
                HandleResult::Ignore
            }
            Event::WorkerExit { .. } => {
                crate::tstate::release();
                HandleResult::Ignore
            }
            // UDP node events: no Python node yet.
            _ => HandleResult::Ignore,
        }
    }

    /// HTTP components: each parse step becomes the listener method of the same name.
    /// Texts arrive as `str` (bytes that are not UTF-8 are replaced), bodies as `bytes`.
    fn on_http(&self, conn: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        let b = &self.bridge;
        match event {
            HttpEvent::MessageBegin => b.dispatch_http(Ev::MessageBegin, |h, s| h.call1((s, conn))),
            HttpEvent::RequestLine { method, url } => b.dispatch_http(Ev::RequestLine, |h, s| {
                h.call1((s, conn, method.to_string_lossy(), url.to_string_lossy()))
            }),
            HttpEvent::StatusLine { status, reason } => b.dispatch_http(Ev::StatusLine, |h, s| {
                h.call1((s, conn, status, reason.to_string_lossy()))
            }),
            HttpEvent::Header { name, value } => b.dispatch_http(Ev::Header, |h, s| {
                h.call1((s, conn, name.to_string_lossy(), value.to_string_lossy()))
            }),
            HttpEvent::HeadersComplete => {
                b.dispatch_http(Ev::HeadersComplete, |h, s| h.call1((s, conn)))
            }
            HttpEvent::Body(data) => b.dispatch_http(Ev::Body, |h, s| {
                h.call1((s, conn, PyBytes::new(h.py(), data)))
            }),
            HttpEvent::ChunkHeader(length) => {
                b.dispatch_http(Ev::ChunkHeader, |h, s| h.call1((s, conn, length)))
            }
            HttpEvent::ChunkComplete => {
                b.dispatch_http(Ev::ChunkComplete, |h, s| h.call1((s, conn)))
            }
            HttpEvent::MessageComplete => {
                b.dispatch_http(Ev::MessageComplete, |h, s| h.call1((s, conn)))
            }
            HttpEvent::Upgrade(kind) => b.dispatch_http(Ev::Upgrade, |h, s| {
                let kind = enums::member(h.py(), E::HttpUpgradeType, kind as i32);
                h.call1((s, conn, kind))
            }),
            HttpEvent::ParseError { code, description } => b
                .dispatch_http(Ev::ParseError, |h, s| {
                    h.call1((s, conn, code, description.to_string_lossy()))
                }),
            HttpEvent::WsMessage { opcode, data } => b.dispatch_http(Ev::WsMessage, |h, s| {
                let opcode = enums::member(h.py(), E::WsOpcode, i32::from(opcode));
                h.call1((s, conn, opcode, PyBytes::new(h.py(), data)))
            }),
            // The frame events (outside the WebSocket mode) have no Python listener methods.
            _ => HttpParseResult::Ok,
        }
    }
}
