//! Every setting of every component in one table: its names (Rust's and HP-Socket's), its
//! type, whether it is an extension, which components have it, a doc line, and how to read and
//! write it in an [`EngineConfig`] (servers, agents) or a [`ClientConfig`] (clients).
//!
//! The bindings read and write settings through this table instead of keeping their own lists,
//! so a setting added here reaches each of them; defaults come from the configs' `Default`
//! and validation stays in their `validate` (run by `start`).

use crate::config::{ClientConfig, EngineConfig};
use crate::http::HttpConfig;
use crate::types::{CastMode, OnSendSyncPolicy, ReuseAddressPolicy, SendPolicy};
use crate::ReceiveModel;

/// The type of a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingType {
    /// An unsigned 32-bit number (`DWORD`).
    U32,
    /// An unsigned 16-bit number (`USHORT`).
    U16,
    /// A signed 32-bit number (`int`).
    I32,
    /// A flag (`BOOL`).
    Bool,
    /// `En_HP_ReuseAddressPolicy`.
    ReuseAddressPolicy,
    /// `En_HP_SendPolicy`.
    SendPolicy,
    /// `En_HP_OnSendSyncPolicy`.
    OnSendSyncPolicy,
    /// `En_HP_CastMode`.
    CastMode,
}

/// A setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingValue {
    /// See [`SettingType::U32`].
    U32(u32),
    /// See [`SettingType::U16`].
    U16(u16),
    /// See [`SettingType::I32`].
    I32(i32),
    /// See [`SettingType::Bool`].
    Bool(bool),
    /// See [`SettingType::ReuseAddressPolicy`].
    ReuseAddressPolicy(ReuseAddressPolicy),
    /// See [`SettingType::SendPolicy`].
    SendPolicy(SendPolicy),
    /// See [`SettingType::OnSendSyncPolicy`].
    OnSendSyncPolicy(OnSendSyncPolicy),
    /// See [`SettingType::CastMode`].
    CastMode(CastMode),
}

impl SettingValue {
    /// The type of this value.
    pub fn setting_type(self) -> SettingType {
        match self {
            SettingValue::U32(_) => SettingType::U32,
            SettingValue::U16(_) => SettingType::U16,
            SettingValue::I32(_) => SettingType::I32,
            SettingValue::Bool(_) => SettingType::Bool,
            SettingValue::ReuseAddressPolicy(_) => SettingType::ReuseAddressPolicy,
            SettingValue::SendPolicy(_) => SettingType::SendPolicy,
            SettingValue::OnSendSyncPolicy(_) => SettingType::OnSendSyncPolicy,
            SettingValue::CastMode(_) => SettingType::CastMode,
        }
    }

    /// The value as an integer: numbers as they are, flags 0/1, policies their C value.
    pub fn as_i64(self) -> i64 {
        match self {
            SettingValue::U32(v) => v.into(),
            SettingValue::U16(v) => v.into(),
            SettingValue::I32(v) => v.into(),
            SettingValue::Bool(v) => v.into(),
            SettingValue::ReuseAddressPolicy(v) => v as i64,
            SettingValue::SendPolicy(v) => v as i64,
            SettingValue::OnSendSyncPolicy(v) => v as i64,
            SettingValue::CastMode(v) => v as i64,
        }
    }
}

impl SettingType {
    /// A value of this type from an integer (see [`SettingValue::as_i64`]); `None` when it is
    /// out of range or not a value of the policy.
    pub fn value_from_i64(self, v: i64) -> Option<SettingValue> {
        let code = i32::try_from(v).ok();
        Some(match self {
            SettingType::U32 => SettingValue::U32(u32::try_from(v).ok()?),
            SettingType::U16 => SettingValue::U16(u16::try_from(v).ok()?),
            SettingType::I32 => SettingValue::I32(code?),
            SettingType::Bool => SettingValue::Bool(v != 0),
            SettingType::ReuseAddressPolicy => {
                SettingValue::ReuseAddressPolicy(ReuseAddressPolicy::try_from(code?).ok()?)
            }
            SettingType::SendPolicy => SettingValue::SendPolicy(SendPolicy::try_from(code?).ok()?),
            SettingType::OnSendSyncPolicy => {
                SettingValue::OnSendSyncPolicy(OnSendSyncPolicy::try_from(code?).ok()?)
            }
            SettingType::CastMode => SettingValue::CastMode(CastMode::try_from(code?).ok()?),
        })
    }
}

/// A kind of component, for [`Setting::applies_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentRole {
    /// `TcpServer` and its PULL, PACK and SSL variants.
    Server,
    /// `TcpAgent` and its variants.
    Agent,
    /// `TcpClient` and its variants.
    Client,
    /// `UdpNode` (`HP_UdpNode_*`): its configuration is an [`EngineConfig`] of its own
    /// reading (see [`Setting::get_node`]).
    Node,
}

/// A field type a setting can have.
trait Field: Sized + Copy {
    fn into_value(self) -> SettingValue;
    fn from_value(v: SettingValue) -> Option<Self>;
}

macro_rules! field {
    ($ty:ty, $variant:ident) => {
        impl Field for $ty {
            fn into_value(self) -> SettingValue {
                SettingValue::$variant(self)
            }
            fn from_value(v: SettingValue) -> Option<Self> {
                match v {
                    SettingValue::$variant(x) => Some(x),
                    _ => None,
                }
            }
        }
    };
}
field!(u32, U32);
field!(u16, U16);
field!(i32, I32);
field!(bool, Bool);
field!(ReuseAddressPolicy, ReuseAddressPolicy);
field!(SendPolicy, SendPolicy);
field!(OnSendSyncPolicy, OnSendSyncPolicy);
field!(CastMode, CastMode);

/// How a setting is read and written in one kind of configuration.
struct Access<C> {
    get: fn(&C) -> SettingValue,
    set: fn(&mut C, SettingValue) -> bool,
}

/// Which components have a setting.
#[derive(Debug, Clone, Copy)]
struct Who {
    server: bool,
    agent: bool,
    client: bool,
    /// Only PACK components.
    pack: bool,
    /// Only SSL components.
    ssl: bool,
    /// TCP components have it.
    tcp: bool,
    /// UDP components have it.
    udp: bool,
    /// Only ARQ components (KCP over UDP, [`ReceiveModel::Arq`]).
    arq: bool,
    /// Only UDP casts (`HP_UdpCast_*`; no binding has them).
    cast: bool,
    /// Only HTTP components ([`ReceiveModel::Http`]), in their [`HttpConfig`].
    http: bool,
}

const ALL: Who = Who {
    server: true,
    agent: true,
    client: true,
    pack: false,
    ssl: false,
    tcp: true,
    udp: true,
    arq: false,
    cast: false,
    http: false,
};
const SERVER_AGENT: Who = Who {
    client: false,
    ..ALL
};
const SERVER: Who = Who {
    agent: false,
    client: false,
    ..ALL
};
const AGENT_CLIENT: Who = Who {
    server: false,
    ..ALL
};
const CLIENT: Who = Who {
    server: false,
    agent: false,
    ..ALL
};
const PACK: Who = Who {
    pack: true,
    udp: false,
    ..ALL
};
const SSL: Who = Who {
    ssl: true,
    udp: false,
    ..ALL
};
/// The `HP_Tcp*_*` settings: TCP components only.
const TCP_SERVER: Who = Who {
    udp: false,
    ..SERVER
};
const TCP_AGENT_CLIENT: Who = Who {
    udp: false,
    ..AGENT_CLIENT
};
const TCP_ALL: Who = Who { udp: false, ..ALL };
/// The `HP_UdpServer_*`/`HP_UdpClient_*` settings (UDP has no agent).
const UDP: Who = Who {
    agent: false,
    tcp: false,
    ..ALL
};
const UDP_SERVER: Who = Who {
    client: false,
    ..UDP
};
/// The UDP sockets' own settings: every UDP component, the ARQ agent too (its connections
/// are outgoing UDP sockets; the C API has them as `HPX_UdpArqAgent_*`).
const UDP_SOCKET: Who = Who { agent: true, ..UDP };
const SSL_AGENT_CLIENT: Who = Who {
    server: false,
    ..SSL
};
/// The ARQ (KCP) settings: ARQ servers, agents and clients.
const ARQ: Who = Who {
    tcp: false,
    arq: true,
    ..ALL
};
/// The HTTP settings (`HP_Http*_*`, and the WebSocket mode's `HPX_Http*_*`).
const HTTP: Who = Who {
    udp: false,
    http: true,
    ..ALL
};
const HTTP_SERVER: Who = Who {
    agent: false,
    client: false,
    ..HTTP
};
const HTTP_AGENT_CLIENT: Who = Who {
    server: false,
    ..HTTP
};
/// The `HP_UdpCast_*` settings of a cast's own (a cast is a UDP client).
const CAST: Who = Who {
    cast: true,
    tcp: false,
    ..CLIENT
};

/// One setting.
pub struct Setting {
    /// The Rust (and Python) name, e.g. `max_send_queue_bytes`; unique.
    pub name: &'static str,
    /// The name the bindings know it by on the components that have it, where `name` is
    /// taken or reads wrongly there: ARQ's `arq_no_delay` is `no_delay` on an ARQ component
    /// (see [`find_on`]).
    pub alias: Option<&'static str>,
    /// HP-Socket's name, as in `HP_Server_SetMaxConnectionCount`, e.g. `MaxConnectionCount`.
    pub c_name: &'static str,
    /// Not in HP-Socket: its C functions are `HPX_*`.
    pub extension: bool,
    /// The type of its value.
    pub ty: SettingType,
    /// What it does, its default and its range, in one sentence or two.
    pub doc: &'static str,
    who: Who,
    engine: Option<Access<EngineConfig>>,
    client: Option<Access<ClientConfig>>,
    /// In a UDP node's configuration (an [`EngineConfig`], where a node keeps some settings in
    /// other fields than a server: its `FreeBufferPoolSize` is `free_buffer_obj_pool`).
    node: Option<Access<EngineConfig>>,
    /// In an HTTP component's [`HttpConfig`] (HTTP settings may change while it runs).
    http: Option<Access<HttpConfig>>,
}

impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setting")
            .field("name", &self.name)
            .field("c_name", &self.c_name)
            .field("ty", &self.ty)
            .finish_non_exhaustive()
    }
}

impl Setting {
    /// Whether a TCP component of this role, receive model and security has the setting.
    pub fn applies_to(&self, role: ComponentRole, model: ReceiveModel, secure: bool) -> bool {
        self.applies_to_component(role, model, secure, false)
    }

    /// Whether a component of this role, receive model, security and transport (`udp`: a
    /// UDP component, else TCP) has the setting.
    pub fn applies_to_component(
        &self,
        role: ComponentRole,
        model: ReceiveModel,
        secure: bool,
        udp: bool,
    ) -> bool {
        let who = self.who;
        let by_transport = if udp { who.udp } else { who.tcp };
        // No component of a binding is a cast: their `cast` is always false.
        self.applies_to_role(role)
            && (role == ComponentRole::Node
                || by_transport
                    && (!who.pack || model == ReceiveModel::Pack)
                    && (!who.ssl || secure)
                    && (!who.arq || model == ReceiveModel::Arq)
                    && (!who.http || model == ReceiveModel::Http)
                    && !who.cast)
    }

    /// Whether it is an HTTP setting, kept in an [`HttpConfig`] (see [`Setting::get_http`])
    /// rather than in an engine's or a client's configuration.
    pub fn is_http(&self) -> bool {
        self.http.is_some()
    }

    /// Whether only ARQ components have it.
    pub fn arq_only(&self) -> bool {
        self.who.arq
    }

    /// Whether only UDP casts have it (of the clients).
    pub fn cast_only(&self) -> bool {
        self.who.cast
    }

    /// The name the bindings know it by: its alias, else its name.
    pub fn binding_name(&self) -> &'static str {
        self.alias.unwrap_or(self.name)
    }

    /// Its names: the registry's, and its alias (the binding on the core over numbers, Java,
    /// goes by the first; Python by [`binding_name`](Self::binding_name)).
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.alias)
    }

    /// Whether some component of this role has the setting (of any receive model, security
    /// or transport): `tools/ffi-gen` checks each C family it writes the setting for.
    pub fn applies_to_role(&self, role: ComponentRole) -> bool {
        match role {
            ComponentRole::Server => self.who.server,
            ComponentRole::Agent => self.who.agent,
            ComponentRole::Client => self.who.client,
            ComponentRole::Node => self.node.is_some(),
        }
    }
}

/// The reader and writer of each place a setting may live: `get_x` gives its value there
/// (`None` where it does not live), `set_x` sets it (false where it does not live or the
/// value is of another type).
macro_rules! places {
    ($( $get:ident, $set:ident: $field:ident in $c:ty, $whose:literal; )*) => {
        impl Setting {$(
            #[doc = concat!("Its value in ", $whose, "; `None` if it does not live there.")]
            pub fn $get(&self, c: &$c) -> Option<SettingValue> {
                self.$field.as_ref().map(|a| (a.get)(c))
            }

            #[doc = concat!("Sets it in ", $whose, "; false if it does not live there or the \
                             value is of another type.")]
            pub fn $set(&self, c: &mut $c, v: SettingValue) -> bool {
                self.$field.as_ref().is_some_and(|a| (a.set)(c, v))
            }
        )*}
    };
}

places! {
    get_engine, set_engine: engine in EngineConfig, "a server's or agent's configuration";
    get_client, set_client: client in ClientConfig, "a client's configuration";
    get_node, set_node: node in EngineConfig, "a UDP node's configuration";
    get_http, set_http: http in HttpConfig, "an HTTP component's HTTP configuration";
}

/// Reads and writes `$($path).+` of a configuration of type `$c`.
macro_rules! access {
    ($c:ty, $($path:ident).+) => {
        Some(Access::<$c> {
            get: |c| Field::into_value(c.$($path).+),
            set: |c, v| match Field::from_value(v) {
                Some(x) => {
                    c.$($path).+ = x;
                    true
                }
                None => false,
            },
        })
    };
}

/// One row: `name [as alias], "CName", hp|hpx, Type, who, [node: path,] [http: path,]
/// engine: path|none, client: path|none, "doc";`.
macro_rules! settings {
    ($( $name:ident $(as $alias:ident)?, $c_name:literal, $ext:ident, $ty:ident, $who:ident,
        $(node: $($n:ident).+,)? $(http: $($h:ident).+,)? engine: $($e:ident).+, client: $($k:ident).+, $doc:literal; )*) => {
        /// Every setting, in the order of HP-Socket's reference (section 4) with the
        /// extensions after each group.
        pub static SETTINGS: &[Setting] = &[$(
            Setting {
                name: stringify!($name),
                alias: settings!(@alias $($alias)?),
                c_name: $c_name,
                extension: settings!(@ext $ext),
                ty: SettingType::$ty,
                doc: $doc,
                who: $who,
                engine: settings!(@access EngineConfig, $($e).+),
                client: settings!(@access ClientConfig, $($k).+),
                node: settings!(@access EngineConfig, $($($n).+)? none),
                http: settings!(@access HttpConfig, $($($h).+)? none),
            },
        )*];
    };
    (@alias) => { None };
    (@alias $alias:ident) => { Some(stringify!($alias)) };
    (@ext hp) => { false };
    (@ext hpx) => { true };
    (@access $c:ty, none) => { None };
    (@access $c:ty, $($path:ident).+ none) => { access!($c, $($path).+) };
    (@access $c:ty, $($path:ident).+) => { access!($c, $($path).+) };
}

settings! {
    worker_thread_count, "WorkerThreadCount", hp, U32, SERVER_AGENT,
        node: worker_thread_count, engine: worker_thread_count, client: none,
        "I/O worker threads. Default min(2 x CPUs + 2, 512); 1..=512.";
    max_connection_count, "MaxConnectionCount", hp, U32, SERVER_AGENT,
        engine: max_connection_count, client: none,
        "Most simultaneous connections. Default 10000; 1..=5000000.";
    free_socket_obj_lock_time, "FreeSocketObjLockTime", hp, U32, SERVER_AGENT,
        engine: free_socket_obj_lock_time, client: none,
        "ms a closed connection's object stays unused. Default 20000.";
    free_socket_obj_pool, "FreeSocketObjPool", hp, U32, SERVER_AGENT,
        engine: free_socket_obj_pool, client: none,
        "Cached closed-connection objects. Default 600.";
    free_socket_obj_hold, "FreeSocketObjHold", hp, U32, SERVER_AGENT,
        engine: free_socket_obj_hold, client: none,
        "Connection-object cache threshold. Default 600.";
    free_buffer_obj_pool, "FreeBufferObjPool", hp, U32, SERVER_AGENT,
        engine: free_buffer_obj_pool, client: none,
        "Cached send buffers. Default 1024; at most 1048576.";
    free_buffer_obj_hold, "FreeBufferObjHold", hp, U32, SERVER_AGENT,
        engine: free_buffer_obj_hold, client: none,
        "Send-buffer cache threshold. Default 1024; at most 1048576.";
    mark_silence, "MarkSilence", hp, Bool, SERVER_AGENT,
        engine: mark_silence, client: none,
        "Record the time of the last receive (silence periods). Default true.";
    send_policy, "SendPolicy", hp, SendPolicy, SERVER_AGENT,
        engine: send_policy, client: none,
        "Kept and reported; no effect on Linux. Default SP_PACK.";
    on_send_sync_policy, "OnSendSyncPolicy", hp, OnSendSyncPolicy, SERVER_AGENT,
        engine: on_send_sync_policy, client: none,
        "Kept and reported; no effect on Linux. Default OSSP_NONE.";
    socket_listen_queue, "SocketListenQueue", hp, U32, TCP_SERVER,
        engine: socket_listen_queue, client: none,
        "listen() backlog. Default SOMAXCONN; greater than 0.";
    accept_socket_count, "AcceptSocketCount", hp, U32, TCP_SERVER,
        engine: accept_socket_count, client: none,
        "Readiness events taken per poll. Default 64; 1..=65536.";
    sync_connect_timeout, "SyncConnectTimeout", hp, U32, TCP_AGENT_CLIENT,
        engine: sync_connect_timeout, client: sync_connect_timeout,
        "ms a synchronous connect may take. Default 10000; greater than 0.";
    free_buffer_pool_size, "FreeBufferPoolSize", hp, U32, CLIENT,
        node: free_buffer_obj_pool, engine: none, client: free_buffer_pool_size,
        "Cached send buffers of a client. Default 60; at most 1048576.";
    free_buffer_pool_hold, "FreeBufferPoolHold", hp, U32, CLIENT,
        node: free_buffer_obj_hold, engine: none, client: free_buffer_pool_hold,
        "Send-buffer cache threshold of a client. Default 60; at most 1048576.";
    reuse_address_policy, "ReuseAddressPolicy", hp, ReuseAddressPolicy, ALL,
        node: socket.reuse_address_policy, engine: socket.reuse_address_policy, client: socket.reuse_address_policy,
        "Address reuse on listening and connecting sockets. Default RAP_ADDR_ONLY.";
    socket_buffer_size, "SocketBufferSize", hp, U32, TCP_ALL,
        engine: socket.socket_buffer_size, client: socket.socket_buffer_size,
        "Size of one receive buffer block, in bytes. Default 4096; 8..=64 MiB.";
    keep_alive_time, "KeepAliveTime", hp, U32, TCP_ALL,
        engine: socket.keep_alive_time, client: socket.keep_alive_time,
        "TCP keep-alive idle time, ms. Default 60000; 0 disables keep-alive, else at least 1000.";
    keep_alive_interval, "KeepAliveInterval", hp, U32, TCP_ALL,
        engine: socket.keep_alive_interval, client: socket.keep_alive_interval,
        "TCP keep-alive probe interval, ms. Default 20000; 0 disables keep-alive, else at least 1000.";
    no_delay, "NoDelay", hp, Bool, TCP_ALL,
        engine: socket.no_delay, client: socket.no_delay,
        "TCP_NODELAY. Default false.";
    max_send_queue_bytes, "MaxSendQueueBytes", hpx, U32, ALL,
        engine: socket.max_send_queue_bytes, client: socket.max_send_queue_bytes,
        "Most bytes one connection may have queued and unsent; a send that would pass it fails \
         with ENOBUFS and the connection stays usable. Default 0: unbounded.";
    send_queue_low_watermark, "SendQueueLowWatermark", hpx, U32, ALL,
        engine: socket.send_queue_low_watermark, client: socket.send_queue_low_watermark,
        "After a refused send, OnSendDrained fires once the queue is down to this many bytes. \
         Default 0; below MaxSendQueueBytes.";
    connect_timeout, "ConnectTimeout", hpx, U32, ALL,
        engine: socket.connect_timeout, client: socket.connect_timeout,
        "ms an asynchronous connect may take before OnClose(SO_CONNECT, ETIMEDOUT). Default 0: \
         the operating system's timeout.";
    silence_counts_send, "SilenceCountsSend", hpx, Bool, ALL,
        engine: socket.silence_counts_send, client: socket.silence_counts_send,
        "Sends also count as activity for silence periods. Default false.";
    half_close_drain_timeout, "HalfCloseDrainTimeout", hpx, U32, ALL,
        engine: socket.half_close_drain_timeout, client: socket.half_close_drain_timeout,
        "ms the answer to a peer that closed its side may go without progress before \
         OnClose(SO_SEND, ETIMEDOUT). Default 30000; at least 1.";
    max_pack_size, "MaxPackSize", hp, U32, PACK,
        engine: pack.max_pack_size, client: pack.max_pack_size,
        "Largest message body, sent or received. Default 0x40000; 1..=0x3FFFFF.";
    pack_header_flag, "PackHeaderFlag", hp, U16, PACK,
        engine: pack.pack_header_flag, client: pack.pack_header_flag,
        "Top 10 bits of every PACK header; 0 (default) does not check incoming flags; 0..=0x3FF.";
    ssl_auto_handshake, "SSLAutoHandShake", hp, Bool, SSL,
        engine: socket.ssl_auto_handshake, client: socket.ssl_auto_handshake,
        "Start the TLS handshake by itself after connect/accept. Default true.";
    ssl_handshake_timeout, "SSLHandShakeTimeout", hpx, U32, SSL,
        engine: socket.ssl_handshake_timeout, client: socket.ssl_handshake_timeout,
        "ms a TLS handshake may take before the connection closes with ETIMEDOUT. Default \
         30000; 0: no limit.";
    ssl_verify_host_name, "SSLVerifyHostName", hpx, Bool, SSL_AGENT_CLIENT,
        engine: socket.ssl_verify_host_name, client: socket.ssl_verify_host_name,
        "When the peer is verified (SSL_VM_PEER), its certificate must be for the name \
         connected to (subjectAltName DNS/IP, RFC 6125 wildcards). Default true.";
    max_datagram_size, "MaxDatagramSize", hp, U32, UDP,
        node: udp.max_datagram_size, engine: udp.max_datagram_size, client: udp.max_datagram_size,
        "Largest datagram sent or received, bytes; a bigger send is refused (EMSGSIZE), a \
         bigger datagram received is dropped. Default 1432; 1..=65536.";
    post_receive_count, "PostReceiveCount", hp, U32, UDP_SERVER,
        node: udp.post_receive_count, engine: udp.post_receive_count, client: none,
        "Datagrams a worker reads per turn before other work. Default 64; greater than 0.";
    detect_attempts, "DetectAttempts", hp, U32, UDP,
        engine: udp.detect_attempts, client: udp.detect_attempts,
        "Heartbeat rounds without news from the peer after which a connection closes. \
         Default 3; 0: no heartbeats.";
    detect_interval, "DetectInterval", hp, U32, UDP,
        engine: udp.detect_interval, client: udp.detect_interval,
        "Heartbeat interval, ms (a client sends an empty datagram this often). Default \
         60000; 0: no heartbeats.";
    recv_buffer_size as socket_recv_buffer_size, "SocketRecvBufferSize", hpx, U32, UDP_SOCKET,
        engine: udp.recv_buffer_size, client: udp.recv_buffer_size,
        "SO_RCVBUF of the UDP sockets, bytes, set at Start (the kernel doubles it and caps it \
         at net.core.rmem_max). Default 0: the system's; else 1024..=1073741824.";
    send_buffer_size as socket_send_buffer_size, "SocketSendBufferSize", hpx, U32, UDP_SOCKET,
        engine: udp.send_buffer_size, client: udp.send_buffer_size,
        "SO_SNDBUF of the UDP sockets, bytes, set at Start (capped at net.core.wmem_max). \
         Default 0: the system's; else 1024..=1073741824.";
    cast_mode, "CastMode", hp, CastMode, CAST,
        engine: none, client: udp.cast_mode,
        "Multicast (CM_MULTICAST, the default) or broadcast (CM_BROADCAST); CM_UNICAST is \
         for nodes.";
    multicast_ttl, "MultiCastTtl", hp, I32, CAST,
        node: udp.multicast_ttl, engine: none, client: udp.multicast_ttl,
        "TTL of multicast datagrams. Default 1; 0..=255.";
    multicast_loop, "MultiCastLoop", hp, Bool, CAST,
        node: udp.multicast_loop, engine: none, client: udp.multicast_loop,
        "This host receives its own multicast datagrams. Default false.";
    arq_no_delay as no_delay, "NoDelay", hp, Bool, ARQ,
        engine: udp.arq.no_delay, client: udp.arq.no_delay,
        "KCP's nodelay mode. Default false.";
    turnoff_congest_ctrl, "TurnoffCongestCtrl", hp, Bool, ARQ,
        engine: udp.arq.turnoff_congest_ctrl, client: udp.arq.turnoff_congest_ctrl,
        "Congestion control off (KCP's nc). Default false.";
    flush_interval, "FlushInterval", hp, U32, ARQ,
        engine: udp.arq.flush_interval, client: udp.arq.flush_interval,
        "KCP's update interval, ms. Default 60; greater than 0.";
    resend_by_acks, "ResendByAcks", hp, U32, ARQ,
        engine: udp.arq.resend_by_acks, client: udp.arq.resend_by_acks,
        "Fast resend after this many later acks. Default 0: off.";
    send_wnd_size, "SendWndSize", hp, U32, ARQ,
        engine: udp.arq.send_wnd_size, client: udp.arq.send_wnd_size,
        "Send window, segments. Default 128; greater than 0.";
    recv_wnd_size, "RecvWndSize", hp, U32, ARQ,
        engine: udp.arq.recv_wnd_size, client: udp.arq.recv_wnd_size,
        "Receive window, segments (KCP uses at least 128). Default 512; greater than 0.";
    min_rto, "MinRto", hp, U32, ARQ,
        engine: udp.arq.min_rto, client: udp.arq.min_rto,
        "Minimum retransmission timeout, ms. Default 30; greater than 0.";
    fast_limit, "FastLimit", hp, U32, ARQ,
        engine: udp.arq.fast_limit, client: udp.arq.fast_limit,
        "Fast resends of one segment before it waits for its timeout. Default 5; 0: no limit.";
    max_trans_unit, "MaxTransUnit", hp, U32, ARQ,
        engine: udp.arq.max_trans_unit, client: udp.arq.max_trans_unit,
        "KCP's MTU. Default 0: MaxDatagramSize; else 72..=65536.";
    max_message_size, "MaxMessageSize", hp, U32, ARQ,
        engine: udp.arq.max_message_size, client: udp.arq.max_message_size,
        "Largest message, bytes. Default 4096; greater than 0 and below 127 x (MTU - 24).";
    handshake_timeout, "HandShakeTimeout", hp, U32, ARQ,
        engine: udp.arq.handshake_timeout, client: udp.arq.handshake_timeout,
        "ms the 12-byte ARQ handshake may take. Default 5000; more than twice MinRto.";
    partial_reliability, "PartialReliability", hpx, Bool, ARQ,
        engine: udp.arq.partial_reliability, client: udp.arq.partial_reliability,
        "Offer partial reliability in the ARQ handshake (flag bit 0x02). Default false: the \
         handshake is HP-Socket's, bit for bit.";
    release_delay, "ReleaseDelay", hp, U32, HTTP_SERVER,
        http: release_delay, engine: none, client: none,
        "ms between Release and the close. Default 3000; kept within 100..=60000 when used.";
    auto_start, "HttpAutoStart", hp, Bool, HTTP,
        http: auto_start, engine: none, client: none,
        "HTTP runs from the first byte of each new connection; false waits for StartHttp. \
         Default true.";
    use_cookie, "UseCookie", hp, Bool, HTTP_AGENT_CLIENT,
        http: use_cookie, engine: none, client: none,
        "Requests carry, and responses store, cookies of the process-wide cookie manager. \
         Default true.";
    ws_mode, "WebSocketMode", hpx, Bool, HTTP,
        http: ws_mode, engine: none, client: none,
        "The WebSocket mode: handshake, fragments, pings and close done by the library. \
         Default false.";
    ws_deflate, "WSDeflate", hpx, Bool, HTTP,
        http: ws_deflate, engine: none, client: none,
        "permessage-deflate (RFC 7692) offered or accepted in later upgrades. Default false.";
    ws_ping_interval, "WSPingInterval", hpx, U32, HTTP,
        http: ws_ping_interval, engine: none, client: none,
        "Keep-alive ping interval of the WebSocket mode, ms. Default 0: off.";
    compress_min_size, "CompressMinSize", hpx, U32, HTTP_SERVER,
        http: compress_min_size, engine: none, client: none,
        "Responses whose body has at least this many bytes go compressed (gzip or br). \
         Default 0: never.";
}

/// The setting named `name` (the Rust name).
pub fn find(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The setting a binding calls `name` ([`Setting::binding_name`]) on a component of this
/// role, receive model, security and transport (see [`Setting::applies_to_component`]):
/// `no_delay` is TCP's on a TCP component and KCP's (`arq_no_delay`) on an ARQ one.
pub fn find_on(
    name: &str,
    role: ComponentRole,
    model: ReceiveModel,
    secure: bool,
    udp: bool,
) -> Option<&'static Setting> {
    SETTINGS
        .iter()
        .find(|s| s.binding_name() == name && s.applies_to_component(role, model, secure, udp))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of component a binding can make, by role, model, security and transport.
    fn components() -> Vec<(ComponentRole, ReceiveModel, bool, bool)> {
        let mut all = Vec::new();
        for role in [
            ComponentRole::Server,
            ComponentRole::Agent,
            ComponentRole::Client,
            ComponentRole::Node,
        ] {
            for model in [
                ReceiveModel::Push,
                ReceiveModel::Pull,
                ReceiveModel::Pack,
                ReceiveModel::Http,
                ReceiveModel::Arq,
            ] {
                for secure in [false, true] {
                    for udp in [false, true] {
                        all.push((role, model, secure, udp));
                    }
                }
            }
        }
        all
    }

    #[test]
    fn names_are_unique_and_every_setting_reaches_a_config() {
        for (i, s) in SETTINGS.iter().enumerate() {
            for o in &SETTINGS[..i] {
                assert_ne!(o.name, s.name, "{} twice", s.name);
                // One C name may serve two settings (TCP's and KCP's NoDelay), and one
                // binding name two (an alias), only where no component has both.
                let shared = components().into_iter().any(|(r, m, sec, udp)| {
                    s.applies_to_component(r, m, sec, udp) && o.applies_to_component(r, m, sec, udp)
                });
                let same_name = s.names().any(|n| o.names().any(|m| m == n));
                assert!(
                    !shared || (o.c_name != s.c_name && !same_name),
                    "{} and {} share a name on one component",
                    s.name,
                    o.name
                );
            }
            assert!(
                s.engine.is_some() || s.client.is_some() || s.http.is_some(),
                "{} reaches nothing",
                s.name
            );
            // An HTTP setting lives in the HttpConfig only.
            assert_eq!(s.http.is_some(), s.who.http, "{}", s.name);
            assert_eq!(
                s.engine.is_some(),
                (s.who.server || s.who.agent) && !s.who.http,
                "{}",
                s.name
            );
            assert_eq!(
                s.client.is_some(),
                s.who.client && !s.who.http,
                "{}",
                s.name
            );
            assert!(!s.doc.is_empty());
        }
    }

    #[test]
    fn a_binding_name_finds_the_setting_of_its_component() {
        let on = |name, role, model, udp| find_on(name, role, model, false, udp).map(|s| s.name);
        assert_eq!(
            on("no_delay", ComponentRole::Client, ReceiveModel::Push, false),
            Some("no_delay")
        );
        assert_eq!(
            on("no_delay", ComponentRole::Agent, ReceiveModel::Arq, true),
            Some("arq_no_delay")
        );
        assert_eq!(
            on("no_delay", ComponentRole::Server, ReceiveModel::Push, true),
            None
        );
        assert_eq!(
            on(
                "flush_interval",
                ComponentRole::Server,
                ReceiveModel::Push,
                true
            ),
            None
        );
        assert_eq!(
            on(
                "socket_recv_buffer_size",
                ComponentRole::Agent,
                ReceiveModel::Arq,
                true
            ),
            Some("recv_buffer_size")
        );
        // An alias is the binding's only name for it.
        assert_eq!(
            on(
                "recv_buffer_size",
                ComponentRole::Server,
                ReceiveModel::Push,
                true
            ),
            None
        );
        assert_eq!(
            on(
                "arq_no_delay",
                ComponentRole::Client,
                ReceiveModel::Arq,
                true
            ),
            None
        );
        // Casts and nodes are C's alone.
        assert_eq!(
            on(
                "multicast_ttl",
                ComponentRole::Client,
                ReceiveModel::Push,
                true
            ),
            None
        );
        let node = |name: &str| find(name).unwrap().applies_to_role(ComponentRole::Node);
        assert!(node("multicast_ttl") && node("free_buffer_pool_size") && !node("cast_mode"));
        let mut e = EngineConfig::default();
        let pool = find("free_buffer_pool_size").unwrap();
        assert!(pool.set_node(&mut e, SettingValue::U32(77)));
        assert_eq!(e.free_buffer_obj_pool, 77);
        assert_eq!(pool.get_engine(&e), None);
        let ttl = find("multicast_ttl").unwrap();
        assert_eq!(ttl.get_node(&e), Some(SettingValue::I32(1)));
        assert_eq!(
            find("cast_mode")
                .unwrap()
                .get_client(&ClientConfig::default()),
            Some(SettingValue::CastMode(CastMode::Multicast))
        );
        assert_eq!(SettingType::CastMode.value_from_i64(2), None);
        assert_eq!(
            SettingType::I32.value_from_i64(-1),
            Some(SettingValue::I32(-1))
        );
    }

    #[test]
    fn values_round_trip_through_both_configs() {
        let mut e = EngineConfig::default();
        let mut c = ClientConfig::default();
        for s in SETTINGS {
            if let Some(v) = s.get_engine(&e) {
                assert_eq!(v.setting_type(), s.ty, "{}", s.name);
                let other = s.ty.value_from_i64(1).expect("1 is a value of every type");
                assert!(s.set_engine(&mut e, other), "{}", s.name);
                assert_eq!(s.get_engine(&e), Some(other), "{}", s.name);
                assert!(!s.set_engine(&mut e, SettingValue::U16(3)) || s.ty == SettingType::U16);
            }
            let mut h = HttpConfig::default();
            if let Some(v) = s.get_http(&h) {
                assert_eq!(v.setting_type(), s.ty, "{}", s.name);
                let other = s.ty.value_from_i64(1).unwrap();
                assert!(s.set_http(&mut h, other), "{}", s.name);
                assert_eq!(s.get_http(&h), Some(other), "{}", s.name);
            }
            let mut n = EngineConfig::default();
            if let Some(v) = s.get_node(&n) {
                assert_eq!(v.setting_type(), s.ty, "{}", s.name);
                let other = s.ty.value_from_i64(1).unwrap();
                assert!(s.set_node(&mut n, other), "{}", s.name);
                assert_eq!(s.get_node(&n), Some(other), "{}", s.name);
            }
            if let Some(v) = s.get_client(&c) {
                assert_eq!(v.setting_type(), s.ty, "{}", s.name);
                let other = s.ty.value_from_i64(1).unwrap();
                assert!(s.set_client(&mut c, other), "{}", s.name);
                assert_eq!(s.get_client(&c), Some(other), "{}", s.name);
            }
        }
        assert_eq!(
            find("half_close_drain_timeout").and_then(|s| s.get_client(&ClientConfig::default())),
            Some(SettingValue::U32(30_000))
        );
    }

    #[test]
    fn who_has_what() {
        let pack = find("max_pack_size").unwrap();
        assert!(pack.applies_to(ComponentRole::Client, ReceiveModel::Pack, false));
        assert!(!pack.applies_to(ComponentRole::Client, ReceiveModel::Push, true));
        let ssl = find("ssl_auto_handshake").unwrap();
        assert!(ssl.applies_to(ComponentRole::Server, ReceiveModel::Pull, true));
        assert!(!ssl.applies_to(ComponentRole::Server, ReceiveModel::Pull, false));
        let listen = find("socket_listen_queue").unwrap();
        assert!(!listen.applies_to(ComponentRole::Agent, ReceiveModel::Push, false));
        assert!(find("no_such_setting").is_none());
        let udp = |name: &str, role| {
            find(name)
                .unwrap()
                .applies_to_component(role, ReceiveModel::Push, false, true)
        };
        assert!(udp("max_datagram_size", ComponentRole::Server));
        assert!(udp("detect_interval", ComponentRole::Client));
        assert!(!udp("post_receive_count", ComponentRole::Client));
        assert!(!udp("max_datagram_size", ComponentRole::Agent));
        // The ARQ agent's connections are UDP sockets: the C API sets their buffers too.
        assert!(udp("recv_buffer_size", ComponentRole::Agent));
        assert!(udp("send_buffer_size", ComponentRole::Agent));
        assert!(!find("recv_buffer_size").unwrap().applies_to(
            ComponentRole::Agent,
            ReceiveModel::Push,
            false
        ));
        assert!(find("free_buffer_pool_size")
            .unwrap()
            .applies_to_role(ComponentRole::Client));
        assert!(!find("max_connection_count")
            .unwrap()
            .applies_to_role(ComponentRole::Client));
        assert!(!udp("keep_alive_time", ComponentRole::Server));
        assert!(!udp("sync_connect_timeout", ComponentRole::Client));
        assert!(udp("worker_thread_count", ComponentRole::Server));
        assert!(udp("max_send_queue_bytes", ComponentRole::Client));
        let tcp = find("max_datagram_size").unwrap();
        assert!(!tcp.applies_to(ComponentRole::Server, ReceiveModel::Push, false));
        assert!(find("no_delay").unwrap().applies_to(
            ComponentRole::Client,
            ReceiveModel::Push,
            false
        ));
        assert_eq!(SettingType::ReuseAddressPolicy.value_from_i64(99), None);
        assert_eq!(SettingType::U16.value_from_i64(70_000), None);
        assert_eq!(SettingType::U32.value_from_i64(-1), None);
    }
}
