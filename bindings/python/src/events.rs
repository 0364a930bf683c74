//! The core's event seam, implemented over a [`Bridge`]: each event becomes a call of the
//! Python listener's method of the same name, with the component's Python object as `sender`.
//!
//! Data handed to Python (`on_receive`, `on_send`) is copied once into a new `bytes` object,
//! which the listener may keep: the core's slice is valid only during the callback, and a
//! `memoryview` over it could outlive it (a slice of a memoryview survives `release()`).

use std::sync::Arc;

use hpsocket_core::{Event, EventHandler, EventMask, HandleResult, ReceiveModel};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::bridge::{Bridge, Ev};

/// The core's event seam over a [`Bridge`]: one handler for every family. `client`: the
/// component is a client, whose close is its last event (it stops by itself after it).
pub(crate) struct PyEvents {
    pub(crate) bridge: Arc<Bridge>,
    pub(crate) client: bool,
}

impl EventHandler for PyEvents {
    fn wanted(&self) -> EventMask {
        if self.bridge.wants(Ev::Send) {
            EventMask::ALL
        } else {
            EventMask::NONE
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
            Event::WorkerStart { .. } | Event::WorkerExit { .. } => HandleResult::Ignore,
            // UDP node events: no Python node yet.
            _ => HandleResult::Ignore,
        }
    }
}
