//! # hpsocket-core
//!
//! HP-Socket's TCP components rebuilt on a mio reactor: [`TcpServer`], [`TcpAgent`] (many
//! outgoing connections) and [`TcpClient`] (one connection), reporting to listener traits
//! ([`ServerListener`], [`AgentListener`], [`ClientListener`]) with HP-Socket's event
//! sequences, result codes and defaults.
//!
//! ```no_run
//! use std::sync::Arc;
//! use hpsocket_core::{ConnId, HandleResult, ServerListener, TcpServer};
//!
//! struct Echo;
//! impl ServerListener for Echo {
//!     fn on_receive(&self, server: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
//!         match server.send(id, data) {
//!             Ok(()) => HandleResult::Ok,
//!             Err(_) => HandleResult::Error,
//!         }
//!     }
//! }
//!
//! let server = TcpServer::new(Arc::new(Echo));
//! server.start("127.0.0.1", 5555).unwrap();
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod arq;
mod buffer;
pub mod codec;
pub mod config;
mod conn;
mod error;
pub mod event;
pub mod http;
mod listener;
pub mod log;
mod model;
pub mod ops;
pub mod pool;
mod protocol;
mod reactor;
pub mod settings;
mod sock;
mod ssl;
mod sync;
mod tcp;
mod types;
mod udp;

pub use config::{ArqConfig, ClientConfig, EngineConfig, SocketConfig, UdpConfig};
pub use error::{Error, ErrorKind, Result};
pub use event::{Event, EventAdapter, EventHandler, EventMask};
pub use listener::{AgentListener, ClientListener, NodeListener, ServerListener};
pub use model::pack::{PACK_FLAG_MAX, PACK_HEADER_LEN, PACK_LENGTH_MASK};
pub use model::{FetchResult, PackConfig, ReceiveModel};
pub use pool::{PoolListener, RejectedPolicy, Task, ThreadPool};
pub use reactor::events::set_close_error_code;
pub use reactor::TransportKind;
pub use ssl::{
    Pem, ServerNameCallback, SslSetup, SSL_VM_CLIENT_ONCE, SSL_VM_FAIL_IF_NO_PEER_CERT,
    SSL_VM_NONE, SSL_VM_PEER,
};
pub use tcp::{ConnectOptions, TcpAgent, TcpClient, TcpServer};
pub use types::{
    CastMode, ConnId, HandleResult, OnSendSyncPolicy, ReuseAddressPolicy, SendPolicy, ServiceState,
    SocketOperation,
};
pub use udp::{UdpArqAgent, UdpArqClient, UdpArqServer, UdpCast, UdpClient, UdpNode, UdpServer};
