//! Settings of the components, with HP-Socket's defaults, and their validation at `start`.
//!
//! As in HP-Socket, settings can only change while a component is stopped, and are checked
//! when it starts: an invalid value makes `start` fail with `SE_INVALID_PARAM` and a message
//! naming the setting.

use crate::error::{Error, Result};
use crate::model::PackConfig;
use crate::types::{CastMode, OnSendSyncPolicy, ReuseAddressPolicy, SendPolicy};

/// Most worker threads a server or agent may have (`MAX_WORKER_THREAD_COUNT`).
pub const MAX_WORKER_THREAD_COUNT: u32 = 512;
/// Most connections a server or agent may be configured for.
pub const MAX_CONNECTION_COUNT: u32 = 5_000_000;
/// Largest `SocketBufferSize`: a block of the send queue is at least this big.
pub const MAX_SOCKET_BUFFER_SIZE: u32 = 64 << 20;
/// Largest buffer pool (`FreeBufferObjPool`/`Hold`, client `FreeBufferPool*`): more cached
/// blocks than this would only pin memory.
pub const MAX_BUFFER_POOL: u32 = 1 << 20;
/// Largest `AcceptSocketCount` (readiness events taken per poll).
pub const MAX_ACCEPT_SOCKET_COUNT: u32 = 1 << 16;

/// Largest file `send_small_file` accepts (`MAX_SMALL_FILE_SIZE`).
pub const MAX_SMALL_FILE_SIZE: u64 = 0x3F_FFFF;

/// HP-Socket's default worker count: `min(2 × CPUs + 2, 512)`.
pub fn default_worker_thread_count() -> u32 {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1) as u32;
    (cpus * 2 + 2).min(MAX_WORKER_THREAD_COUNT)
}

/// TCP socket settings shared by servers, agents and clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketConfig {
    /// Address reuse on listening/connecting sockets. Default `RAP_ADDR_ONLY`.
    pub reuse_address_policy: ReuseAddressPolicy,
    /// Size of one receive buffer block, and `SO_RCVBUF`/`SO_SNDBUF` hint. Default 4096; ≥ 8.
    pub socket_buffer_size: u32,
    /// TCP keep-alive idle time in ms. Default 60 000; 0 disables keep-alive, else ≥ 1000.
    pub keep_alive_time: u32,
    /// TCP keep-alive probe interval in ms. Default 20 000; 0 disables keep-alive, else ≥ 1000.
    pub keep_alive_interval: u32,
    /// `TCP_NODELAY`. Default false.
    pub no_delay: bool,
    /// Extension (`HPX_`): most bytes one connection may have queued and unsent; a send that
    /// would pass it fails with `ENOBUFS` and leaves the connection usable. 0 (default):
    /// unbounded, as in HP-Socket.
    pub max_send_queue_bytes: u32,
    /// Extension: after a send was refused for a full queue, `on_send_drained` fires once the
    /// queue is down to this many bytes. Default 0; must be below `max_send_queue_bytes`.
    pub send_queue_low_watermark: u32,
    /// Extension: milliseconds an asynchronous connect may take before it fails with
    /// `OnClose(SO_CONNECT, ETIMEDOUT)`. 0 (default): the operating system's timeout.
    pub connect_timeout: u32,
    /// SSL components: start the TLS handshake by itself after connect/accept. Default true;
    /// false lets the application speak plaintext first, then call `start_ssl_handshake`.
    pub ssl_auto_handshake: bool,
    /// Extension: milliseconds a TLS handshake may take before the connection closes with
    /// `ETIMEDOUT`, so a stalled peer cannot hold it forever. Default 30 000; 0: no limit.
    pub ssl_handshake_timeout: u32,
    /// Extension, SSL agents and clients: when the peer is verified (`SSL_VM_PEER`), also
    /// check that its certificate is for the name connected to (the `hostname` of
    /// `"address^hostname"`, else the host name or IP given), against the subjectAltName
    /// DNS and IP entries (RFC 6125 wildcards). Default true; false: HP-Socket's behaviour
    /// (any name accepted).
    pub ssl_verify_host_name: bool,
    /// Extension: accepted sends also count as activity for silence (`silence_period`,
    /// `disconnect_silence_connections`). Default false: only receives, as in HP-Socket.
    pub silence_counts_send: bool,
    /// Extension: when the peer closes its side while the answer is still queued, the
    /// connection keeps writing it; a drain that writes nothing for this many milliseconds
    /// fails with `OnClose(SO_SEND, ETIMEDOUT)`. Default 30 000; at least 1.
    pub half_close_drain_timeout: u32,
}

impl Default for SocketConfig {
    fn default() -> Self {
        SocketConfig {
            reuse_address_policy: ReuseAddressPolicy::AddrOnly,
            socket_buffer_size: 4096,
            keep_alive_time: 60_000,
            keep_alive_interval: 20_000,
            no_delay: false,
            max_send_queue_bytes: 0,
            send_queue_low_watermark: 0,
            connect_timeout: 0,
            ssl_auto_handshake: true,
            ssl_handshake_timeout: 30_000,
            ssl_verify_host_name: true,
            silence_counts_send: false,
            half_close_drain_timeout: 30_000,
        }
    }
}

impl SocketConfig {
    fn validate(&self) -> Result<()> {
        if !(8..=MAX_SOCKET_BUFFER_SIZE).contains(&self.socket_buffer_size) {
            return Err(Error::invalid_param(format!(
                "SocketBufferSize must be 8..={MAX_SOCKET_BUFFER_SIZE}, not {}",
                self.socket_buffer_size
            )));
        }
        for (name, v) in [
            ("KeepAliveTime", self.keep_alive_time),
            ("KeepAliveInterval", self.keep_alive_interval),
        ] {
            if v != 0 && v < 1000 {
                return Err(Error::invalid_param(format!(
                    "{name} must be 0 (off) or at least 1000 ms, not {v}"
                )));
            }
        }
        if self.half_close_drain_timeout == 0 {
            return Err(Error::invalid_param(
                "HalfCloseDrainTimeout must be at least 1 ms",
            ));
        }
        if self.max_send_queue_bytes != 0
            && self.send_queue_low_watermark >= self.max_send_queue_bytes
        {
            return Err(Error::invalid_param(format!(
                "SendQueueLowWatermark ({}) must be below MaxSendQueueBytes ({})",
                self.send_queue_low_watermark, self.max_send_queue_bytes
            )));
        }
        Ok(())
    }
}

/// Largest `MaxDatagramSize` (HP-Socket's `MAXIMUM_UDP_MAX_DATAGRAM_SIZE`, 16 × 4096).
pub const MAX_DATAGRAM_SIZE: u32 = 16 * 4096;

/// Settings of the UDP components (HP-Socket reference section 4.3); TCP components ignore
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpConfig {
    /// Largest datagram sent or received, bytes. Default 1432; 1..=65536. A bigger send is
    /// refused and nothing is sent; a bigger datagram received is dropped (and counted).
    pub max_datagram_size: u32,
    /// Server: datagrams read per readiness event before other work gets a turn. Default 64;
    /// > 0.
    pub post_receive_count: u32,
    /// Heartbeat: intervals of silence after which a UDP connection is closed. Default 3; 0
    /// disables detection.
    pub detect_attempts: u32,
    /// Heartbeat interval, ms (a client sends a zero-length datagram this often). Default
    /// 60 000; 0 disables detection.
    pub detect_interval: u32,
    /// Cast components: multicast or broadcast. Default `CM_MULTICAST`.
    pub cast_mode: CastMode,
    /// Cast components: the TTL of multicast datagrams, 0..=255. Default 1.
    pub multicast_ttl: i32,
    /// Cast components: whether this host's own multicast datagrams come back. Default false.
    pub multicast_loop: bool,
    /// Extension: `SO_RCVBUF` of the component's UDP sockets, bytes, set at `start` (the
    /// kernel doubles it and caps it at `net.core.rmem_max`). Default 0: the system's
    /// default; else 1024..=1 GiB.
    pub recv_buffer_size: u32,
    /// Extension: `SO_SNDBUF` of the component's UDP sockets, as `recv_buffer_size`
    /// (capped at `net.core.wmem_max`).
    pub send_buffer_size: u32,
    /// ARQ components (KCP over UDP): their settings.
    pub arq: ArqConfig,
}

/// The largest `recv_buffer_size`/`send_buffer_size` (the kernel takes an `int` and
/// doubles it).
pub const MAX_UDP_SOCKET_BUFFER: u32 = 1 << 30;

/// The settings of the ARQ (KCP) components, HP-Socket's names and defaults; checked by
/// `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArqConfig {
    /// KCP's nodelay mode. Default false.
    pub no_delay: bool,
    /// Congestion control off (KCP's `nc`). Default false.
    pub turnoff_congest_ctrl: bool,
    /// KCP's update interval, ms. Default 60; > 0.
    pub flush_interval: u32,
    /// Fast resend after this many later acks (0: off). Default 0.
    pub resend_by_acks: u32,
    /// Send window, segments. Default 128; > 0.
    pub send_wnd_size: u32,
    /// Receive window, segments (KCP uses at least 128). Default 512; > 0.
    pub recv_wnd_size: u32,
    /// Minimum retransmission timeout, ms. Default 30; > 0.
    pub min_rto: u32,
    /// Fast retransmits of one segment before it waits for its timeout (0: no limit).
    /// Default 5.
    pub fast_limit: u32,
    /// KCP's MTU; 0: MaxDatagramSize. Default 0; else 72..=65536.
    pub max_trans_unit: u32,
    /// Largest message, bytes. Default 4096; > 0 and below 127 × (MTU − 24).
    pub max_message_size: u32,
    /// How long the 12-byte handshake may take, ms. Default 5000; > 2 × MinRto.
    pub handshake_timeout: u32,
    /// Extension: offer partial reliability in the handshake (its flag bit 0x02), so that
    /// messages sent with a deadline or a retransmit limit may be given up when the peer
    /// offers it too. Default false: the handshake is HP-Socket's, bit for bit.
    pub partial_reliability: bool,
}

impl Default for ArqConfig {
    fn default() -> Self {
        ArqConfig {
            no_delay: false,
            turnoff_congest_ctrl: false,
            flush_interval: 60,
            resend_by_acks: 0,
            send_wnd_size: 128,
            recv_wnd_size: 512,
            min_rto: 30,
            fast_limit: 5,
            max_trans_unit: 0,
            max_message_size: 4096,
            handshake_timeout: 5000,
            partial_reliability: false,
        }
    }
}

impl ArqConfig {
    /// The MTU KCP uses: `max_trans_unit`, or the datagram size when it is 0.
    pub fn mtu(&self, max_datagram_size: u32) -> u32 {
        if self.max_trans_unit == 0 {
            max_datagram_size
        } else {
            self.max_trans_unit
        }
    }

    fn validate(&self, max_datagram_size: u32) -> Result<()> {
        let mtu = self.mtu(max_datagram_size);
        let checks: [(bool, &str); 8] = [
            (
                self.flush_interval > 0,
                "FlushInterval must be greater than 0",
            ),
            (self.send_wnd_size > 0, "SendWndSize must be greater than 0"),
            (self.recv_wnd_size > 0, "RecvWndSize must be greater than 0"),
            (self.min_rto > 0, "MinRto must be greater than 0"),
            (
                (self.resend_by_acks as i32) >= 0 && (self.fast_limit as i32) >= 0,
                "ResendByAcks and FastLimit must not be negative",
            ),
            (
                u64::from(self.handshake_timeout) > 2 * u64::from(self.min_rto),
                "HandShakeTimeout must be more than twice MinRto",
            ),
            (
                (72..=MAX_DATAGRAM_SIZE).contains(&mtu),
                "MaxTransUnit must be 72..=65536",
            ),
            (
                self.max_message_size > 0
                    && u64::from(self.max_message_size) < 127 * u64::from(mtu.saturating_sub(24)),
                "MaxMessageSize must be greater than 0 and below 127 x (MTU - 24)",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, why)) => Err(Error::invalid_param(format!("{why} ({self:?}, MTU {mtu})"))),
            None => Ok(()),
        }
    }
}

impl Default for UdpConfig {
    fn default() -> Self {
        UdpConfig {
            max_datagram_size: 1432,
            post_receive_count: 64,
            detect_attempts: 3,
            detect_interval: 60_000,
            cast_mode: CastMode::Multicast,
            multicast_ttl: 1,
            multicast_loop: false,
            recv_buffer_size: 0,
            send_buffer_size: 0,
            arq: ArqConfig::default(),
        }
    }
}

impl UdpConfig {
    /// Whether heartbeats run (both settings above 0).
    pub fn detects(&self) -> bool {
        self.detect_attempts > 0 && self.detect_interval > 0
    }

    fn validate(&self) -> Result<()> {
        if !(1..=MAX_DATAGRAM_SIZE).contains(&self.max_datagram_size) {
            return Err(Error::invalid_param(format!(
                "MaxDatagramSize must be 1..={MAX_DATAGRAM_SIZE}, not {}",
                self.max_datagram_size
            )));
        }
        if !(0..=255).contains(&self.multicast_ttl) {
            return Err(Error::invalid_param(format!(
                "MultiCastTtl must be 0..=255, not {}",
                self.multicast_ttl
            )));
        }
        if self.post_receive_count == 0 {
            return Err(Error::invalid_param(
                "PostReceiveCount must be greater than 0",
            ));
        }
        for (name, v) in [
            ("SocketRecvBufferSize", self.recv_buffer_size),
            ("SocketSendBufferSize", self.send_buffer_size),
        ] {
            if v != 0 && !(1024..=MAX_UDP_SOCKET_BUFFER).contains(&v) {
                return Err(Error::invalid_param(format!(
                    "{name} must be 0 (the system's default) or 1024..={MAX_UDP_SOCKET_BUFFER}, not {v}"
                )));
            }
        }
        self.arq.validate(self.max_datagram_size)
    }
}

/// Settings of a server or an agent (HP-Socket reference section 4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// I/O worker threads. Default `min(2 × CPUs + 2, 512)`; 1..=512.
    pub worker_thread_count: u32,
    /// Most simultaneous connections. Default 10 000; 1..=5 000 000.
    pub max_connection_count: u32,
    /// How long (ms) a closed connection's object stays unused. Default 20 000. Connection IDs
    /// carry a generation, so a stale ID is refused whatever this value is.
    pub free_socket_obj_lock_time: u32,
    /// Cached closed-connection objects. Default 600.
    pub free_socket_obj_pool: u32,
    /// Connection-object cache threshold. Default 600.
    pub free_socket_obj_hold: u32,
    /// Cached send buffers. Default 1024.
    pub free_buffer_obj_pool: u32,
    /// Send-buffer cache threshold. Default 1024.
    pub free_buffer_obj_hold: u32,
    /// Record the time of the last receive (needed by `silence_period` and
    /// `disconnect_silence_connections`). Default true.
    pub mark_silence: bool,
    /// Kept and reported; no effect on Linux. Default `SP_PACK`.
    pub send_policy: SendPolicy,
    /// Kept and reported; no effect on Linux. Default `OSSP_NONE`.
    pub on_send_sync_policy: OnSendSyncPolicy,
    /// `listen()` backlog (server). Default `SOMAXCONN`; > 0.
    pub socket_listen_queue: u32,
    /// Readiness events taken per poll (server; HP-Socket's Linux meaning). Default 64; > 0.
    pub accept_socket_count: u32,
    /// Timeout of a synchronous agent connect, ms. Default 10 000; > 0.
    pub sync_connect_timeout: u32,
    /// Socket settings.
    pub socket: SocketConfig,
    /// PACK settings (used by PACK components).
    pub pack: PackConfig,
    /// UDP settings (used by UDP components).
    pub udp: UdpConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            worker_thread_count: default_worker_thread_count(),
            max_connection_count: 10_000,
            free_socket_obj_lock_time: 20_000,
            free_socket_obj_pool: 600,
            free_socket_obj_hold: 600,
            free_buffer_obj_pool: 1024,
            free_buffer_obj_hold: 1024,
            mark_silence: true,
            send_policy: SendPolicy::Pack,
            on_send_sync_policy: OnSendSyncPolicy::None,
            socket_listen_queue: libc::SOMAXCONN as u32,
            accept_socket_count: 64,
            sync_connect_timeout: 10_000,
            socket: SocketConfig::default(),
            pack: PackConfig::default(),
            udp: UdpConfig::default(),
        }
    }
}

impl EngineConfig {
    /// Checks every setting; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        if self.worker_thread_count == 0 || self.worker_thread_count > MAX_WORKER_THREAD_COUNT {
            return Err(Error::invalid_param(format!(
                "WorkerThreadCount must be 1..={MAX_WORKER_THREAD_COUNT}, not {}",
                self.worker_thread_count
            )));
        }
        if self.max_connection_count == 0 || self.max_connection_count > MAX_CONNECTION_COUNT {
            return Err(Error::invalid_param(format!(
                "MaxConnectionCount must be 1..={MAX_CONNECTION_COUNT}, not {}",
                self.max_connection_count
            )));
        }
        for (name, v) in [
            ("SocketListenQueue", self.socket_listen_queue),
            ("AcceptSocketCount", self.accept_socket_count),
            ("SyncConnectTimeout", self.sync_connect_timeout),
        ] {
            if v == 0 {
                return Err(Error::invalid_param(format!(
                    "{name} must be greater than 0"
                )));
            }
        }
        if self.accept_socket_count > MAX_ACCEPT_SOCKET_COUNT {
            return Err(Error::invalid_param(format!(
                "AcceptSocketCount must be 1..={MAX_ACCEPT_SOCKET_COUNT}, not {}",
                self.accept_socket_count
            )));
        }
        check_pool("FreeBufferObjPool", self.free_buffer_obj_pool)?;
        check_pool("FreeBufferObjHold", self.free_buffer_obj_hold)?;
        self.udp.validate()?;
        self.socket.validate()
    }
}

/// Settings of a client (HP-Socket reference section 4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Cached send buffers. Default 60.
    pub free_buffer_pool_size: u32,
    /// Send-buffer cache threshold. Default 60.
    pub free_buffer_pool_hold: u32,
    /// Timeout of a synchronous connect, ms. Default 10 000; > 0.
    pub sync_connect_timeout: u32,
    /// Socket settings.
    pub socket: SocketConfig,
    /// PACK settings (used by PACK clients).
    pub pack: PackConfig,
    /// UDP settings (used by UDP clients).
    pub udp: UdpConfig,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            free_buffer_pool_size: 60,
            free_buffer_pool_hold: 60,
            sync_connect_timeout: 10_000,
            socket: SocketConfig::default(),
            pack: PackConfig::default(),
            udp: UdpConfig::default(),
        }
    }
}

impl ClientConfig {
    /// Checks every setting; the error names the first bad one.
    pub fn validate(&self) -> Result<()> {
        if self.sync_connect_timeout == 0 {
            return Err(Error::invalid_param(
                "SyncConnectTimeout must be greater than 0",
            ));
        }
        check_pool("FreeBufferPoolSize", self.free_buffer_pool_size)?;
        check_pool("FreeBufferPoolHold", self.free_buffer_pool_hold)?;
        self.udp.validate()?;
        self.socket.validate()
    }

    /// The engine settings a client runs on: one worker, one connection.
    pub(crate) fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            worker_thread_count: 1,
            max_connection_count: 1,
            free_buffer_obj_pool: self.free_buffer_pool_size,
            free_buffer_obj_hold: self.free_buffer_pool_hold,
            sync_connect_timeout: self.sync_connect_timeout,
            socket: self.socket.clone(),
            pack: self.pack,
            udp: self.udp,
            ..EngineConfig::default()
        }
    }
}

fn check_pool(name: &str, v: u32) -> Result<()> {
    if v > MAX_BUFFER_POOL {
        return Err(Error::invalid_param(format!(
            "{name} must be at most {MAX_BUFFER_POOL}, not {v}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_hp_socket() {
        let c = EngineConfig::default();
        assert_eq!(c.max_connection_count, 10_000);
        assert_eq!(c.free_socket_obj_lock_time, 20_000);
        assert_eq!((c.free_socket_obj_pool, c.free_socket_obj_hold), (600, 600));
        assert_eq!(
            (c.free_buffer_obj_pool, c.free_buffer_obj_hold),
            (1024, 1024)
        );
        assert_eq!(c.socket.socket_buffer_size, 4096);
        assert_eq!(
            (c.socket.keep_alive_time, c.socket.keep_alive_interval),
            (60_000, 20_000)
        );
        assert_eq!(c.accept_socket_count, 64);
        assert!(c.mark_silence && !c.socket.no_delay);
        assert!(c.validate().is_ok());
        let k = ClientConfig::default();
        assert_eq!((k.free_buffer_pool_size, k.free_buffer_pool_hold), (60, 60));
        assert!(k.validate().is_ok());
    }

    #[test]
    fn validation_names_the_setting() {
        let mut c = EngineConfig {
            worker_thread_count: 513,
            ..EngineConfig::default()
        };
        assert!(c
            .validate()
            .unwrap_err()
            .context()
            .contains("WorkerThreadCount"));
        c.worker_thread_count = 1;
        c.socket.keep_alive_time = 999;
        assert!(c
            .validate()
            .unwrap_err()
            .context()
            .contains("KeepAliveTime"));
        c.socket.keep_alive_time = 0;
        c.socket.socket_buffer_size = 7;
        assert!(c
            .validate()
            .unwrap_err()
            .context()
            .contains("SocketBufferSize"));
    }

    #[test]
    fn huge_values_are_refused_up_front() {
        // Refused by `start` instead of attempting the allocations they imply.
        let refused = |f: fn(&mut EngineConfig)| {
            let mut c = EngineConfig::default();
            f(&mut c);
            c.validate().unwrap_err().context().to_string()
        };
        assert!(refused(|c| c.socket.socket_buffer_size = u32::MAX).contains("SocketBufferSize"));
        assert!(refused(|c| c.free_buffer_obj_pool = u32::MAX).contains("FreeBufferObjPool"));
        assert!(refused(|c| c.free_buffer_obj_hold = u32::MAX).contains("FreeBufferObjHold"));
        assert!(refused(|c| c.accept_socket_count = u32::MAX).contains("AcceptSocketCount"));
        let k = ClientConfig {
            free_buffer_pool_size: u32::MAX,
            ..ClientConfig::default()
        };
        assert!(k
            .validate()
            .unwrap_err()
            .context()
            .contains("FreeBufferPoolSize"));
    }
}
