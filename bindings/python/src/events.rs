//! The core listener traits, implemented over a [`Bridge`]: each event becomes a call of the
//! Python listener's method of the same name, with the component's Python object as `sender`.
//!
//! Data handed to Python (`on_receive`, `on_send`) is copied once into a new `bytes` object,
//! which the listener may keep: the core's slice is valid only during the callback, and a
//! `memoryview` over it could outlive it (a slice of a memoryview survives `release()`).

use std::os::fd::RawFd;
use std::sync::Arc;

use hpsocket_core::{
    AgentListener, ClientListener, ConnId, HandleResult, ReceiveModel, ServerListener,
    SocketOperation, TcpAgent, TcpClient, TcpServer,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::bridge::{Bridge, Ev};

/// Server events.
pub(crate) struct ServerEvents(pub(crate) Arc<Bridge>);
/// Agent events.
pub(crate) struct AgentEvents(pub(crate) Arc<Bridge>);
/// Client events.
pub(crate) struct ClientEvents(pub(crate) Arc<Bridge>);

/// The events every component has; `$sender` is the core component type.
macro_rules! common_events {
    ($sender:ty) => {
        fn on_handshake(&self, _s: &$sender, id: ConnId) -> HandleResult {
            self.0.dispatch(Ev::Handshake, |h, s| h.call1((s, id)))
        }
        fn on_send(&self, _s: &$sender, id: ConnId, data: &[u8]) -> HandleResult {
            self.0.notify(Ev::Send, |h, s| {
                h.call1((s, id, PyBytes::new(h.py(), data)))
            });
            HandleResult::Ignore
        }
        fn on_receive(&self, _s: &$sender, id: ConnId, data: &[u8]) -> HandleResult {
            self.0.dispatch(Ev::Receive, |h, s| {
                h.call1((s, id, PyBytes::new(h.py(), data)))
            })
        }
        fn on_pull_receive(&self, _s: &$sender, id: ConnId, total: usize) -> HandleResult {
            debug_assert_eq!(self.0.model, ReceiveModel::Pull);
            self.0.dispatch(Ev::Receive, |h, s| h.call1((s, id, total)))
        }
        fn on_send_drained(&self, _s: &$sender, id: ConnId, pending: usize) -> HandleResult {
            self.0
                .notify(Ev::SendDrained, |h, s| h.call1((s, id, pending)));
            HandleResult::Ignore
        }
    };
}

impl ServerListener for ServerEvents {
    fn on_prepare_listen(&self, _s: &TcpServer, fd: RawFd) -> HandleResult {
        self.0.dispatch(Ev::PrepareListen, |h, s| h.call1((s, fd)))
    }
    fn on_accept(&self, _s: &TcpServer, id: ConnId, fd: RawFd) -> HandleResult {
        self.0.dispatch(Ev::Accept, |h, s| h.call1((s, id, fd)))
    }
    common_events!(TcpServer);
    fn on_close(&self, s: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.0
            .close(id, op, code, || s.connection_extra(id).unwrap_or(0), false);
        HandleResult::Ignore
    }
    fn on_shutdown(&self, _s: &TcpServer) -> HandleResult {
        self.0.shutdown();
        HandleResult::Ignore
    }
}

impl AgentListener for AgentEvents {
    fn on_prepare_connect(&self, _s: &TcpAgent, id: ConnId, fd: RawFd) -> HandleResult {
        self.0
            .dispatch(Ev::PrepareConnect, |h, s| h.call1((s, id, fd)))
    }
    fn on_connect(&self, _s: &TcpAgent, id: ConnId) -> HandleResult {
        self.0.dispatch(Ev::Connect, |h, s| h.call1((s, id)))
    }
    common_events!(TcpAgent);
    fn on_close(&self, s: &TcpAgent, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.0
            .close(id, op, code, || s.connection_extra(id).unwrap_or(0), false);
        HandleResult::Ignore
    }
    fn on_shutdown(&self, _s: &TcpAgent) -> HandleResult {
        self.0.shutdown();
        HandleResult::Ignore
    }
}

impl ClientListener for ClientEvents {
    fn on_prepare_connect(&self, _s: &TcpClient, id: ConnId, fd: RawFd) -> HandleResult {
        self.0
            .dispatch(Ev::PrepareConnect, |h, s| h.call1((s, id, fd)))
    }
    fn on_connect(&self, _s: &TcpClient, id: ConnId) -> HandleResult {
        self.0.dispatch(Ev::Connect, |h, s| h.call1((s, id)))
    }
    common_events!(TcpClient);
    fn on_close(&self, _s: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        // A client stops when its connection closes: this is its last event.
        self.0.close(id, op, code, || 0, true);
        HandleResult::Ignore
    }
}
