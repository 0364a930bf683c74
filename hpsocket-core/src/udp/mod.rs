//! The UDP components: [`UdpServer`] and [`UdpClient`] (HP-Socket's `IUdpServer` and
//! `IUdpClient`). They run on the same reactor as the TCP components, over datagram
//! transports, and report to the same listener traits: a callback's sender is the
//! underlying [`TcpServer`] or [`TcpClient`] handle, which works on any transport.
//!
//! HP-Socket's rules apply: one send is one datagram of 1..=`max_datagram_size` bytes (a
//! bigger one is refused and nothing is sent); each peer of a server is a connection with
//! its own ID, made by the peer's first datagram; empty datagrams are heartbeats (a client
//! sends one on connect and every `detect_interval`; `detect_attempts` silent rounds close
//! the connection); `disconnect` and `stop` send HP-Socket's 16-byte close-notify datagram,
//! and receiving it closes the connection. UDP components have the PUSH model only.

mod node;

pub use node::UdpNode;

use std::ops::Deref;
use std::sync::Arc;

use crate::config::UdpConfig;
use crate::error::Result;
use crate::listener::{ClientListener, ServerListener};
use crate::tcp::{TcpClient, TcpServer};

/// A UDP server: [`TcpServer`]'s operations (`start`, `send`, `disconnect`, the getters…)
/// over one UDP socket per worker. Settings are in `config().udp`.
#[derive(Clone)]
pub struct UdpServer(TcpServer);

impl UdpServer {
    /// A stopped UDP server reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn ServerListener>) -> UdpServer {
        UdpServer(TcpServer::new_udp(listener))
    }

    /// The server handle callbacks receive as their sender.
    pub fn into_inner(self) -> TcpServer {
        self.0
    }

    /// Changes the UDP settings; only while stopped.
    pub fn update_udp_config(&self, f: impl FnOnce(&mut UdpConfig)) -> Result<()> {
        self.0.update_config(|c| f(&mut c.udp))
    }
}

impl Deref for UdpServer {
    type Target = TcpServer;
    fn deref(&self) -> &TcpServer {
        &self.0
    }
}

/// A UDP cast client (HP-Socket's `IUdpCast`): [`TcpClient`]'s operations over a socket
/// that joins a multicast group (or may broadcast). `start(group_or_broadcast, port, …)`
/// binds the port on any address (the bind address names the interface), joins the group,
/// and `on_connect`/`on_handshake` fire at once; sends go to the group; `on_receive` gets
/// datagrams from anyone in it, and [`TcpClient::cast_remote_address`] says from whom.
/// Settings are in `config().udp` (`cast_mode`, `multicast_ttl`, `multicast_loop`).
#[derive(Clone)]
pub struct UdpCast(TcpClient);

impl UdpCast {
    /// A stopped cast client reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn ClientListener>) -> UdpCast {
        UdpCast(TcpClient::new_cast(listener))
    }

    /// The client handle callbacks receive as their sender.
    pub fn into_inner(self) -> TcpClient {
        self.0
    }
}

impl Deref for UdpCast {
    type Target = TcpClient;
    fn deref(&self) -> &TcpClient {
        &self.0
    }
}

/// A UDP client: [`TcpClient`]'s operations over a UDP socket connected to the server.
/// Settings are in `config().udp`.
#[derive(Clone)]
pub struct UdpClient(TcpClient);

impl UdpClient {
    /// A stopped UDP client reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn ClientListener>) -> UdpClient {
        UdpClient(TcpClient::new_udp(listener))
    }

    /// The client handle callbacks receive as their sender.
    pub fn into_inner(self) -> TcpClient {
        self.0
    }
}

impl Deref for UdpClient {
    type Target = TcpClient;
    fn deref(&self) -> &TcpClient {
        &self.0
    }
}

impl TcpServer {
    /// ARQ: messages of a connection queued or in flight (`GetWaitingSendMessageCount`).
    pub fn waiting_send_message_count(&self, conn_id: crate::ConnId) -> Result<usize> {
        self.engine().arq_waiting(conn_id)
    }

    /// ARQ extension (partial reliability): sends one message that is given up when
    /// `deadline_ms` (0: none) passed or one of its segments would be retransmitted more than
    /// `max_retransmits` times (`None`: no limit), reported by `on_message_dropped`; the peer
    /// skips it and delivers the following messages in order. Needs
    /// `ArqConfig::partial_reliability` on both sides when a limit is given (else
    /// `EOPNOTSUPP`). Returns the message id (0 when no limit was given).
    pub fn send_ex(
        &self,
        conn_id: crate::ConnId,
        data: &[u8],
        deadline_ms: u32,
        max_retransmits: Option<u32>,
    ) -> Result<u32> {
        self.engine()
            .arq_send_ex(conn_id, data, deadline_ms, max_retransmits)
    }
}

impl crate::TcpAgent {
    /// ARQ: messages of a connection queued or in flight (`GetWaitingSendMessageCount`).
    pub fn waiting_send_message_count(&self, conn_id: crate::ConnId) -> Result<usize> {
        self.engine().arq_waiting(conn_id)
    }

    /// ARQ extension (partial reliability): sends one message that is given up when
    /// `deadline_ms` (0: none) passed or one of its segments would be retransmitted more than
    /// `max_retransmits` times (`None`: no limit), reported by `on_message_dropped`; the peer
    /// skips it and delivers the following messages in order. Needs
    /// `ArqConfig::partial_reliability` on both sides when a limit is given (else
    /// `EOPNOTSUPP`). Returns the message id (0 when no limit was given).
    pub fn send_ex(
        &self,
        conn_id: crate::ConnId,
        data: &[u8],
        deadline_ms: u32,
        max_retransmits: Option<u32>,
    ) -> Result<u32> {
        self.engine()
            .arq_send_ex(conn_id, data, deadline_ms, max_retransmits)
    }
}

impl TcpClient {
    /// ARQ: messages queued or in flight (`GetWaitingSendMessageCount`).
    pub fn waiting_send_message_count(&self) -> Result<usize> {
        self.engine().arq_waiting(self.engine_conn()?)
    }

    /// ARQ extension (partial reliability): see [`TcpServer::send_ex`].
    pub fn send_ex(
        &self,
        data: &[u8],
        deadline_ms: u32,
        max_retransmits: Option<u32>,
    ) -> Result<u32> {
        self.engine()
            .arq_send_ex(self.engine_conn()?, data, deadline_ms, max_retransmits)
    }
}

/// A reliable UDP server (HP-Socket's `IUdpArqServer`): a [`UdpServer`] whose connections
/// run HP-Socket's 12-byte handshake, then KCP. `on_handshake` fires once the handshake
/// completes; every send is one message of 1..=`max_message_size` bytes, delivered whole and
/// in order by one `on_receive`. Settings are in `config().udp.arq`.
#[derive(Clone)]
pub struct UdpArqServer(TcpServer);

impl UdpArqServer {
    /// A stopped ARQ server reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn ServerListener>) -> UdpArqServer {
        UdpArqServer(TcpServer::new_arq(listener))
    }

    /// The server handle callbacks receive as their sender.
    pub fn into_inner(self) -> TcpServer {
        self.0
    }

    /// Changes the ARQ settings; only while stopped.
    pub fn update_arq_config(&self, f: impl FnOnce(&mut crate::config::ArqConfig)) -> Result<()> {
        self.0.update_config(|c| f(&mut c.udp.arq))
    }
}

impl Deref for UdpArqServer {
    type Target = TcpServer;
    fn deref(&self) -> &TcpServer {
        &self.0
    }
}

/// A reliable UDP client (HP-Socket's `IUdpArqClient`): see [`UdpArqServer`].
#[derive(Clone)]
pub struct UdpArqClient(TcpClient);

impl UdpArqClient {
    /// A stopped ARQ client reporting to `listener`, with HP-Socket's default settings.
    pub fn new(listener: Arc<dyn ClientListener>) -> UdpArqClient {
        UdpArqClient(TcpClient::new_arq(listener))
    }

    /// The client handle callbacks receive as their sender.
    pub fn into_inner(self) -> TcpClient {
        self.0
    }
}

impl Deref for UdpArqClient {
    type Target = TcpClient;
    fn deref(&self) -> &TcpClient {
        &self.0
    }
}

/// Extension: a reliable UDP agent, many outgoing ARQ sessions in one object with
/// connection IDs, as [`crate::TcpAgent`] is for TCP (HP-Socket has none: its users open
/// one `UdpArqClient` per session). Each `connect` opens a UDP socket of its own, runs the
/// 12-byte handshake (`on_handshake`), then KCP, with the settings of `config().udp.arq`.
#[derive(Clone)]
pub struct UdpArqAgent(crate::TcpAgent);

impl UdpArqAgent {
    /// A stopped ARQ agent reporting to `listener`, with HP-Socket's default ARQ settings.
    pub fn new(listener: Arc<dyn crate::AgentListener>) -> UdpArqAgent {
        UdpArqAgent(crate::TcpAgent::new_arq(listener))
    }

    /// The agent handle callbacks receive as their sender.
    pub fn into_inner(self) -> crate::TcpAgent {
        self.0
    }

    /// Changes the ARQ settings; only while stopped.
    pub fn update_arq_config(&self, f: impl FnOnce(&mut crate::config::ArqConfig)) -> Result<()> {
        self.0.update_config(|c| f(&mut c.udp.arq))
    }
}

impl Deref for UdpArqAgent {
    type Target = crate::TcpAgent;
    fn deref(&self) -> &crate::TcpAgent {
        &self.0
    }
}
