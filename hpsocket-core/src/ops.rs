//! The operations of the components as traits, for code that works on any of them (the C
//! layer and the bindings dispatch on these instead of on each component type):
//! [`Lifecycle`], what every component has, and [`Connections`], the per-connection
//! operations, which a server and an agent address by ID and a client, which has one
//! connection, ignores the ID for.
//!
//! Each method is the inherent method of the same name on [`TcpServer`], [`TcpAgent`] and
//! [`TcpClient`]; see those for what it does.

use std::net::SocketAddr;
use std::time::Duration;

use crate::error::Result;
use crate::model::{FetchResult, ReceiveModel};
use crate::tcp::{TcpAgent, TcpClient, TcpServer};
use crate::types::{ConnId, ServiceState};
use crate::udp::UdpNode;

/// What every component has: its life cycle and what it was made as.
pub trait Lifecycle: Send + Sync {
    /// The life-cycle state.
    fn state(&self) -> ServiceState;
    /// Stops the component (every connection gets its `on_close`).
    fn stop(&self) -> Result<()>;
    /// Waits until stopped, at most `timeout` (`None`: for ever); true when stopped.
    fn wait(&self, timeout: Option<Duration>) -> Result<bool>;
    /// One of the component's callbacks runs on this thread.
    fn in_callback(&self) -> bool;
    /// An SSL component.
    fn is_secure(&self) -> bool;
    /// The receive model, fixed at creation.
    fn model(&self) -> ReceiveModel;
}

/// The operations on a component's connections.
pub trait Connections: Lifecycle {
    /// Sends `buffers` in order as one send.
    fn send_packets(&self, conn_id: ConnId, buffers: &[&[u8]]) -> Result<()>;
    /// Stops (true) or resumes reading a connection.
    fn pause_receive(&self, conn_id: ConnId, pause: bool) -> Result<()>;
    /// Whether reading a connection is paused.
    fn is_pause_receive(&self, conn_id: ConnId) -> Result<bool>;
    /// Whether the connection exists and is established.
    fn is_connected(&self, conn_id: ConnId) -> bool;
    /// Bytes accepted by a send and not yet written.
    fn pending_data_length(&self, conn_id: ConnId) -> Result<usize>;
    /// The connection's local address.
    fn local_address(&self, conn_id: ConnId) -> Result<SocketAddr>;
    /// The connection's remote address.
    fn remote_address(&self, conn_id: ConnId) -> Result<SocketAddr>;
    /// PULL: copies the first `buf.len()` buffered bytes into `buf`, and removes them unless
    /// `peek`.
    fn fetch_or_peek(&self, conn_id: ConnId, buf: &mut [u8], peek: bool) -> FetchResult;
}

macro_rules! lifecycle {
    ($($ty:ty),*) => {$(
        impl Lifecycle for $ty {
            fn state(&self) -> ServiceState {
                <$ty>::state(self)
            }
            fn stop(&self) -> Result<()> {
                <$ty>::stop(self)
            }
            fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
                <$ty>::wait(self, timeout)
            }
            fn in_callback(&self) -> bool {
                <$ty>::in_callback(self)
            }
            fn is_secure(&self) -> bool {
                <$ty>::is_secure(self)
            }
            fn model(&self) -> ReceiveModel {
                <$ty>::model(self)
            }
        }
    )*};
}
lifecycle!(TcpServer, TcpAgent, TcpClient, UdpNode);

macro_rules! connections_by_id {
    ($($ty:ty),*) => {$(
        impl Connections for $ty {
            fn send_packets(&self, conn_id: ConnId, buffers: &[&[u8]]) -> Result<()> {
                <$ty>::send_packets(self, conn_id, buffers)
            }
            fn pause_receive(&self, conn_id: ConnId, pause: bool) -> Result<()> {
                <$ty>::pause_receive(self, conn_id, pause)
            }
            fn is_pause_receive(&self, conn_id: ConnId) -> Result<bool> {
                <$ty>::is_pause_receive(self, conn_id)
            }
            fn is_connected(&self, conn_id: ConnId) -> bool {
                <$ty>::is_connected(self, conn_id)
            }
            fn pending_data_length(&self, conn_id: ConnId) -> Result<usize> {
                <$ty>::pending_data_length(self, conn_id)
            }
            fn local_address(&self, conn_id: ConnId) -> Result<SocketAddr> {
                <$ty>::local_address(self, conn_id)
            }
            fn remote_address(&self, conn_id: ConnId) -> Result<SocketAddr> {
                <$ty>::remote_address(self, conn_id)
            }
            fn fetch_or_peek(&self, conn_id: ConnId, buf: &mut [u8], peek: bool) -> FetchResult {
                if peek {
                    <$ty>::peek(self, conn_id, buf)
                } else {
                    <$ty>::fetch(self, conn_id, buf)
                }
            }
        }
    )*};
}
connections_by_id!(TcpServer, TcpAgent);

/// A client has one connection: the ID is not needed.
impl Connections for TcpClient {
    fn send_packets(&self, _: ConnId, buffers: &[&[u8]]) -> Result<()> {
        TcpClient::send_packets(self, buffers)
    }
    fn pause_receive(&self, _: ConnId, pause: bool) -> Result<()> {
        TcpClient::pause_receive(self, pause)
    }
    fn is_pause_receive(&self, _: ConnId) -> Result<bool> {
        TcpClient::is_pause_receive(self)
    }
    fn is_connected(&self, _: ConnId) -> bool {
        TcpClient::is_connected(self)
    }
    fn pending_data_length(&self, _: ConnId) -> Result<usize> {
        TcpClient::pending_data_length(self)
    }
    fn local_address(&self, _: ConnId) -> Result<SocketAddr> {
        TcpClient::local_address(self)
    }
    fn remote_address(&self, _: ConnId) -> Result<SocketAddr> {
        TcpClient::remote_address(self)
    }
    fn fetch_or_peek(&self, _: ConnId, buf: &mut [u8], peek: bool) -> FetchResult {
        if peek {
            TcpClient::peek(self, buf)
        } else {
            TcpClient::fetch(self, buf)
        }
    }
}
