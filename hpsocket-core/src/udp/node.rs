//! [`UdpNode`]: connectionless UDP (HP-Socket's `IUdpNode`, since 5.7.1).

use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::config::EngineConfig;
use crate::error::Result;
use crate::listener::NodeListener;
use crate::model::ReceiveModel;
use crate::reactor::events::Events;
use crate::reactor::{Engine, Role, StartParams, TransportKind};
use crate::types::{CastMode, ConnId, HandleResult, ServiceState, SocketOperation};

/// A UDP node: one socket that sends datagrams to any address and reports every datagram it
/// receives with its sender; optionally in a multicast group or allowed to broadcast
/// ([`UdpNode::start_with_cast`]). No connections, no heartbeats. Cheap to clone (clones are
/// the same node). Worker 0 reads the socket; settings are in `config()` (`udp.*`,
/// `worker_thread_count`, buffer pools, `socket.reuse_address_policy`).
#[derive(Clone)]
pub struct UdpNode {
    engine: Engine,
    listener: Arc<dyn NodeListener>,
    extra: Arc<AtomicUsize>,
}

impl UdpNode {
    /// A stopped node reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn NodeListener>) -> UdpNode {
        UdpNode {
            engine: Engine::new(
                Role::Node,
                TransportKind::Udp,
                ReceiveModel::Push,
                false,
                EngineConfig::default(),
            ),
            listener,
            extra: Arc::default(),
        }
    }

    /// Binds `address` (empty: IPv4 any) and `port` (0: any free port) and starts.
    pub fn start(&self, address: &str, port: u16) -> Result<()> {
        self.start_inner(address, port, None)
    }

    /// Like `start`, also reaching `cast_address` (a multicast group with `CM_MULTICAST`, a
    /// broadcast address with `CM_BROADCAST`) on the same port: `send_cast` goes there, and
    /// the node receives what is sent there. The socket then binds the port on any address;
    /// `address` names the interface. `CM_UNICAST` is `start`.
    pub fn start_with_cast(
        &self,
        address: &str,
        port: u16,
        mode: CastMode,
        cast_address: &str,
    ) -> Result<()> {
        self.start_inner(address, port, Some((mode, cast_address.to_string())))
    }

    fn start_inner(
        &self,
        address: &str,
        port: u16,
        cast: Option<(CastMode, String)>,
    ) -> Result<()> {
        let events = Arc::new(NodeEvents {
            sender: self.clone(),
        });
        self.engine.start(StartParams {
            events,
            listen: Some((address.to_string(), port)),
            bind_addr: None,
            async_connect: false,
            cast,
        })
    }

    /// Sends `data` as one datagram to `remote` (1..=`max_datagram_size` bytes, else
    /// `EMSGSIZE` and nothing is sent). Queued when the socket is busy; a queued datagram the
    /// socket then refuses is reported by `on_error`.
    pub fn send(&self, remote: SocketAddr, data: &[u8]) -> Result<()> {
        self.engine.node_send(Some(remote), &[data])
    }

    /// Sends `buffers` gathered into one datagram to `remote`.
    pub fn send_packets(&self, remote: SocketAddr, buffers: &[&[u8]]) -> Result<()> {
        self.engine.node_send(Some(remote), buffers)
    }

    /// Sends `data` as one datagram to the cast address (`start_with_cast`).
    pub fn send_cast(&self, data: &[u8]) -> Result<()> {
        self.engine.node_send(None, &[data])
    }

    /// Sends `buffers` gathered into one datagram to the cast address.
    pub fn send_cast_packets(&self, buffers: &[&[u8]]) -> Result<()> {
        self.engine.node_send(None, buffers)
    }

    /// The address the socket is bound to.
    pub fn local_address(&self) -> Result<SocketAddr> {
        self.engine.listen_address()
    }

    /// The cast address given to `start_with_cast` (`None` for a unicast node).
    pub fn cast_address(&self) -> Result<Option<SocketAddr>> {
        self.engine.with_node("cast_address", |_, n, _| Ok(n.cast))
    }

    /// The cast mode the node was started with (`CM_UNICAST` for `start`).
    pub fn cast_mode(&self) -> Result<CastMode> {
        self.engine.with_node("cast_mode", |_, n, _| Ok(n.mode))
    }

    /// Bytes queued and not yet sent.
    pub fn pending_data_length(&self) -> Result<usize> {
        self.engine
            .with_node("pending_data_length", |_, n, _| Ok(n.pending()))
    }

    /// Attaches an opaque value to the node (never dereferenced by the library).
    pub fn set_extra(&self, extra: usize) {
        self.extra.store(extra, Ordering::Release);
    }

    /// The value set with `set_extra`.
    pub fn extra(&self) -> usize {
        self.extra.load(Ordering::Acquire)
    }

    /// Stops: `on_shutdown` follows. Refused (`SE_ILLEGAL_STATE`) when not started or from the
    /// node's own callbacks.
    pub fn stop(&self) -> Result<()> {
        self.engine.stop()
    }

    /// Waits until stopped, at most `timeout` (`None`: for ever); true when stopped.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        self.engine.wait(timeout)
    }

    /// True inside one of this node's callbacks on the current thread.
    pub fn in_callback(&self) -> bool {
        self.engine.in_own_callback()
    }

    /// `SS_STARTING`, `SS_STARTED`, `SS_STOPPING` or `SS_STOPPED`.
    pub fn state(&self) -> ServiceState {
        self.engine.state()
    }

    /// True while starting or started.
    pub fn has_started(&self) -> bool {
        matches!(self.state(), ServiceState::Starting | ServiceState::Started)
    }

    /// Always false: nodes have no TLS.
    pub fn is_secure(&self) -> bool {
        false
    }

    /// Always PUSH.
    pub fn model(&self) -> ReceiveModel {
        ReceiveModel::Push
    }

    /// The last failure no call returned (an oversize datagram dropped, ...), numbered.
    pub fn last_error(&self) -> Option<(u64, crate::Error)> {
        self.engine.last_error()
    }

    /// UDP: datagrams dropped in the current run for being larger than `max_datagram_size`.
    pub fn dropped_datagrams(&self) -> u64 {
        self.engine.dropped_datagrams()
    }

    /// The settings.
    pub fn config(&self) -> EngineConfig {
        self.engine.config()
    }

    /// Changes settings; only while stopped. Values are checked by `start`.
    pub fn update_config(&self, f: impl FnOnce(&mut EngineConfig)) -> Result<()> {
        self.engine.update_config(f)
    }
}

struct NodeEvents {
    sender: UdpNode,
}

impl Events for NodeEvents {
    fn prepare_listen(&self, fd: RawFd) -> HandleResult {
        self.sender.listener.on_prepare_listen(&self.sender, fd)
    }
    fn handshake(&self, _: ConnId) -> HandleResult {
        HandleResult::Ignore
    }
    fn send(&self, _: ConnId, _: &[u8]) {}
    fn wants_send(&self) -> bool {
        self.sender.listener.wants_on_send()
    }
    fn receive(&self, _: ConnId, _: &[u8]) -> HandleResult {
        HandleResult::Ignore
    }
    fn pull_receive(&self, _: ConnId, _: usize) -> HandleResult {
        HandleResult::Ignore
    }
    fn close(&self, _: ConnId, _: SocketOperation, _: i32) {}
    fn node_receive(&self, from: SocketAddr, data: &[u8]) {
        self.sender.listener.on_receive(&self.sender, from, data);
    }
    fn node_send(&self, to: SocketAddr, data: &[u8]) {
        self.sender.listener.on_send(&self.sender, to, data);
    }
    fn node_error(
        &self,
        operation: SocketOperation,
        code: i32,
        peer: Option<SocketAddr>,
        data: &[u8],
    ) {
        self.sender
            .listener
            .on_error(&self.sender, operation, code, peer, data);
    }
    fn shutdown(&self) {
        self.sender.listener.on_shutdown(&self.sender);
    }
    fn worker_started(&self, index: usize) {
        self.sender.listener.on_worker_start(&self.sender, index);
    }
    fn worker_exiting(&self, index: usize) {
        self.sender.listener.on_worker_exit(&self.sender, index);
    }
}
