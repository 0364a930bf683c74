//! [`Shell`]: what a Java component's `long handle` points to: the core component and its
//! [`Bridge`]. Created by `Native.create`, freed by `Native.destroy` (the component's
//! `Cleaner`), which the Java side runs only once the object is unreachable, so no call can
//! be using the handle then.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hpsocket_core::http::HttpSyncClient;
use hpsocket_core::{
    ClientListener, Error, EventAdapter, ReceiveModel, TcpAgent, TcpClient, TcpServer, UdpArqAgent,
    UdpArqClient, UdpArqServer, UdpClient, UdpServer,
};
use jni::sys::jlong;

use crate::bridge::{Bridge, JavaEvents};

/// Handles created and not yet destroyed (`Native.liveHandles`, for the leak tests).
pub(crate) static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The core component behind a handle.
#[derive(Clone)]
pub(crate) enum Core {
    Server(TcpServer),
    Agent(TcpAgent),
    Client(TcpClient),
}

/// Matches a [`Core`] whose server and agent share one expression (`$s` is either) and
/// whose client has its own (`$c`): the shape of most connection calls.
macro_rules! multi {
    ($sh:expr, $s:ident => $e:expr, $c:ident => $ce:expr) => {
        match &$sh.core {
            $crate::shell::Core::Server($s) => $e,
            $crate::shell::Core::Agent($s) => $e,
            $crate::shell::Core::Client($c) => $ce,
        }
    };
}
pub(crate) use multi;

pub(crate) struct Shell {
    pub(crate) core: Core,
    pub(crate) bridge: Arc<Bridge>,
    /// The HTTP sync client whose client `core` is (role 5).
    pub(crate) sync: Option<HttpSyncClient>,
}

impl Shell {
    /// `role`: 0 server, 1 agent, 2 client, 3 UDP server, 4 UDP client, 5 HTTP sync client,
    /// 6 UDP ARQ server, 7 UDP ARQ client, 8 UDP ARQ agent (`Component.ROLE_*`; UDP components
    /// are PUSH and plain; model 3 is HTTP).
    pub(crate) fn new(role: i32, model: i32, ssl: bool, bridge: Arc<Bridge>) -> Option<Shell> {
        let model = match model {
            0 => ReceiveModel::Push,
            1 => ReceiveModel::Pull,
            2 => ReceiveModel::Pack,
            3 => ReceiveModel::Http,
            _ => return None,
        };
        // One handler type serves every family (the core's event seam).
        let events = || Arc::new(EventAdapter(JavaEvents(bridge.clone())));
        if role == 5 {
            if model != ReceiveModel::Http {
                return None;
            }
            let listener: Arc<dyn ClientListener> = events();
            let sync = HttpSyncClient::new(Some(listener), ssl);
            *bridge.sync_client.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(sync.client().clone());
            return Some(Shell {
                core: Core::Client(sync.client().clone()),
                bridge,
                sync: Some(sync),
            });
        }
        let core = match (role, ssl) {
            (0, false) => Core::Server(TcpServer::with_model(events(), model)),
            (0, true) => Core::Server(TcpServer::new_ssl(events(), model)),
            (1, false) => Core::Agent(TcpAgent::with_model(events(), model)),
            (1, true) => Core::Agent(TcpAgent::new_ssl(events(), model)),
            (2, false) => Core::Client(TcpClient::with_model(events(), model)),
            (2, true) => Core::Client(TcpClient::new_ssl(events(), model)),
            (3, false) if model == ReceiveModel::Push => {
                Core::Server(UdpServer::new(events()).into_inner())
            }
            (4, false) if model == ReceiveModel::Push => {
                Core::Client(UdpClient::new(events()).into_inner())
            }
            (6, false) if model == ReceiveModel::Push => {
                Core::Server(UdpArqServer::new(events()).into_inner())
            }
            (7, false) if model == ReceiveModel::Push => {
                Core::Client(UdpArqClient::new(events()).into_inner())
            }
            (8, false) if model == ReceiveModel::Push => {
                Core::Agent(UdpArqAgent::new(events()).into_inner())
            }
            _ => return None,
        };
        Some(Shell {
            core,
            bridge,
            sync: None,
        })
    }

    pub(crate) fn into_handle(self) -> jlong {
        LIVE.fetch_add(1, Ordering::Relaxed);
        Box::into_raw(Box::new(self)) as jlong
    }

    /// # Safety
    /// `handle` must come from [`Shell::into_handle`] and not be destroyed yet, and stay so
    /// while the reference is used (the Java side keeps the component reachable during every
    /// native call and destroys it only from its `Cleaner`).
    pub(crate) unsafe fn get<'a>(handle: jlong) -> Option<&'a Shell> {
        // SAFETY: guaranteed by the caller; 0 is refused.
        unsafe { (handle as *const Shell).as_ref() }
    }

    /// # Safety
    /// As [`Shell::get`], and nothing may use the handle afterwards.
    pub(crate) unsafe fn destroy(handle: jlong) {
        if handle == 0 {
            return;
        }
        // SAFETY: guaranteed by the caller.
        let shell = unsafe { Box::from_raw(handle as *mut Shell) };
        shell.core.stop_and_wait();
        let client = shell
            .bridge
            .sync_client
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        drop(client);
        shell.bridge.unpin();
        drop(shell);
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Core {
    pub(crate) fn stop(&self) -> Result<(), Error> {
        match self {
            Core::Server(s) => s.stop(),
            Core::Agent(a) => a.stop(),
            Core::Client(c) => c.stop(),
        }
    }

    pub(crate) fn wait(&self, timeout: Option<Duration>) -> Result<bool, Error> {
        match self {
            Core::Server(s) => s.wait(timeout),
            Core::Agent(a) => a.wait(timeout),
            Core::Client(c) => c.wait(timeout),
        }
    }

    /// Stops if running and waits until stopped; errors (not started) are of no interest.
    pub(crate) fn stop_and_wait(&self) {
        let _ = self.stop();
        let _ = self.wait(None);
    }

    pub(crate) fn state(&self) -> hpsocket_core::ServiceState {
        match self {
            Core::Server(s) => s.state(),
            Core::Agent(a) => a.state(),
            Core::Client(c) => c.state(),
        }
    }

    pub(crate) fn send(&self, conn: u64, buffers: &[&[u8]]) -> Result<(), Error> {
        match self {
            Core::Server(s) => s.send_packets(conn, buffers),
            Core::Agent(a) => a.send_packets(conn, buffers),
            Core::Client(c) => c.send_packets(buffers),
        }
    }

    pub(crate) fn fetch(&self, conn: u64, buf: &mut [u8], peek: bool) -> i32 {
        let r = match (self, peek) {
            (Core::Server(s), false) => s.fetch(conn, buf),
            (Core::Server(s), true) => s.peek(conn, buf),
            (Core::Agent(a), false) => a.fetch(conn, buf),
            (Core::Agent(a), true) => a.peek(conn, buf),
            (Core::Client(c), false) => c.fetch(buf),
            (Core::Client(c), true) => c.peek(buf),
        };
        r as i32
    }

    pub(crate) fn local_address(&self, conn: u64) -> Result<SocketAddr, Error> {
        match self {
            Core::Server(s) => s.local_address(conn),
            Core::Agent(a) => a.local_address(conn),
            Core::Client(c) => c.local_address(),
        }
    }

    pub(crate) fn remote_address(&self, conn: u64) -> Result<SocketAddr, Error> {
        match self {
            Core::Server(s) => s.remote_address(conn),
            Core::Agent(a) => a.remote_address(conn),
            Core::Client(c) => c.remote_address(),
        }
    }

    pub(crate) fn last_error(&self) -> Option<(u64, Error)> {
        match self {
            Core::Server(s) => s.last_error(),
            Core::Agent(a) => a.last_error(),
            Core::Client(c) => c.last_error(),
        }
    }

    pub(crate) fn is_udp(&self) -> bool {
        match self {
            Core::Server(s) => s.is_udp(),
            Core::Agent(a) => a.is_udp(),
            Core::Client(c) => c.is_udp(),
        }
    }

    /// An ARQ (KCP over UDP) component.
    pub(crate) fn is_arq(&self) -> bool {
        match self {
            Core::Server(s) => s.model() == ReceiveModel::Arq,
            Core::Agent(a) => a.model() == ReceiveModel::Arq,
            Core::Client(c) => c.model() == ReceiveModel::Arq,
        }
    }

    pub(crate) fn is_secure(&self) -> bool {
        match self {
            Core::Server(s) => s.is_secure(),
            Core::Agent(a) => a.is_secure(),
            Core::Client(c) => c.is_secure(),
        }
    }
}

/// An address as Java reads it: the IP's bytes (4 or 16), then the port, big-endian.
pub(crate) fn address_bytes(addr: SocketAddr) -> Vec<u8> {
    let mut v = match addr.ip() {
        std::net::IpAddr::V4(ip) => ip.octets().to_vec(),
        std::net::IpAddr::V6(ip) => ip.octets().to_vec(),
    };
    v.extend_from_slice(&addr.port().to_be_bytes());
    v
}
