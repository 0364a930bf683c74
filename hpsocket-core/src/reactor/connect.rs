//! Outgoing connections (agent `Connect`, client `Start`): resolving, binding,
//! `OnPrepareConnect`, synchronous or asynchronous connect, and hand-over to a worker.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use socket2::SockRef;

use super::events::guarded;
use super::{Adoption, Command, Engine, Running, TransportKind};
use crate::conn::{CastSocket, Conn, ConnState, Transport};
use crate::error::{Error, ErrorKind, Result};
use crate::sock;
use crate::types::{ConnId, ServiceState};

/// Options of one agent connect (HP-Socket's `Connect*` variants).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ConnectOptions {
    pub(crate) extra: usize,
    pub(crate) local_address: Option<String>,
    pub(crate) local_port: u16,
}

impl Engine {
    /// Opens a connection (agent `Connect`, client `Start`). Synchronous connects block this
    /// thread until connected or `SyncConnectTimeout`, and fire `OnPrepareConnect` and
    /// `OnConnect` on it; asynchronous ones return at once and report the outcome through
    /// the owning worker (`OnConnect`, or `OnClose(SO_CONNECT, errno)`).
    pub(crate) fn connect(
        &self,
        remote: &str,
        port: u16,
        options: &ConnectOptions,
    ) -> Result<ConnId> {
        let name = self.name();
        self.with_run("connect", |run, me| {
            if self.state() != ServiceState::Started && self.state() != ServiceState::Starting {
                return Err(Error::illegal_state(format!(
                    "{name}::connect: the component is not started"
                )));
            }
            let (addr_part, host_part) = sock::split_host(remote);
            let target = sock::resolve(addr_part, port).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidParam,
                    sock::errno(&e),
                    format!("{name}::connect: cannot resolve {addr_part:?}: {e}"),
                )
            })?;
            let id = run.table.reserve().ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidParam,
                    libc::ENOSR,
                    format!(
                        "{name}::connect: MaxConnectionCount ({}) reached",
                        run.table.capacity()
                    ),
                )
            })?;
            let result = run.open(id, target, (host_part, port), options, me);
            if result.is_err() {
                run.table.release(id);
            }
            result.map(|()| id)
        })
    }
}

impl Running {
    fn open(
        &self,
        id: ConnId,
        target: SocketAddr,
        (host, port): (&str, u16),
        options: &ConnectOptions,
        me: Option<usize>,
    ) -> Result<()> {
        let name = self.shared.name();
        let cfg = &self.config.socket;
        let cast = self.shared.transport == TransportKind::UdpCast;
        let udp = self.shared.transport != TransportKind::Tcp;
        let socket = if udp {
            sock::new_datagram_socket(target, cfg.reuse_address_policy, false)
        } else {
            sock::new_socket(target, cfg.reuse_address_policy)
        }
        .map_err(|e| Error::os(ErrorKind::SocketCreate, &e, format!("{name}: socket")))?;
        if udp {
            // Before `OnPrepareConnect`, which may still change them.
            sock::set_datagram_buffers(&socket, &self.config.udp).map_err(|e| {
                Error::os(
                    ErrorKind::SocketCreate,
                    &e,
                    format!("{name}: SO_RCVBUF/SO_SNDBUF"),
                )
            })?;
        }
        let local_ip =
            sock::local_address(name, "local address", options.local_address.as_deref())?
                .or(self.bind_addr);
        let any: IpAddr = match target {
            SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
            SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
        };
        if cast {
            // A cast socket receives on the group's port from any address; the bind address
            // names the interface it joins and sends on.
            let port = if options.local_port != 0 {
                options.local_port
            } else {
                target.port()
            };
            let local = SocketAddr::new(any, port);
            socket.bind(&local.into()).map_err(|e| {
                Error::os(ErrorKind::SocketBind, &e, format!("{name}: bind {local}"))
            })?;
            sock::join_cast(name, &socket, &self.config.udp, target, local_ip)?;
        } else if local_ip.is_some() || options.local_port != 0 {
            let local = SocketAddr::new(local_ip.unwrap_or(any), options.local_port);
            socket.bind(&local.into()).map_err(|e| {
                Error::os(ErrorKind::SocketBind, &e, format!("{name}: bind {local}"))
            })?;
        }
        let uid = self.shared.uid;
        let (prepared, _) = super::marked(uid, || {
            guarded(|| self.events.prepare_connect(id, socket.as_raw_fd()))
        });
        if prepared.is_error() {
            return Err(Error::new(
                ErrorKind::SocketPrepare,
                libc::ECANCELED,
                format!("{name}: OnPrepareConnect returned HR_ERROR"),
            ));
        }
        let connect_error = |e: std::io::Error| {
            Error::new(
                ErrorKind::ConnectServer,
                sock::errno(&e),
                format!("{name}: connect to {target}: {e}"),
            )
        };
        if cast {
            socket.set_nonblocking(true).map_err(connect_error)?;
        } else if udp {
            // A UDP connect only fixes the peer: it never blocks.
            socket.connect(&target.into()).map_err(connect_error)?;
            socket.set_nonblocking(true).map_err(connect_error)?;
        } else if self.async_connect {
            socket.set_nonblocking(true).map_err(connect_error)?;
            match socket.connect(&target.into()) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
                Err(e) => return Err(connect_error(e)),
            }
        } else {
            let timeout = Duration::from_millis(self.config.sync_connect_timeout.into());
            socket
                .connect_timeout(&target.into(), timeout)
                .map_err(connect_error)?;
            if sock::is_self_connect(&socket, target) {
                return Err(connect_error(std::io::Error::from_raw_os_error(
                    libc::ECONNREFUSED,
                )));
            }
            socket.set_nonblocking(true).map_err(connect_error)?;
        }
        if !udp {
            sock::configure_stream(SockRef::from(&socket), cfg).map_err(|e| {
                Error::os(
                    ErrorKind::SocketCreate,
                    &e,
                    format!("{name}: socket options"),
                )
            })?;
        }

        let tls = self.new_tls(Some(host)).map_err(|f| {
            Error::new(
                ErrorKind::SslEnvNotReady,
                f.code,
                format!("{name}: {}", f.message),
            )
        })?;
        let transport = if cast {
            Transport::Cast(Box::new(CastSocket {
                socket: mio::net::UdpSocket::from_std(socket.into()),
                target,
                source: std::sync::Mutex::new(None),
            }))
        } else if udp {
            Transport::Datagram(mio::net::UdpSocket::from_std(socket.into()))
        } else {
            Transport::Stream(mio::net::TcpStream::from_std(socket.into()))
        };
        let worker = self.next_worker.fetch_add(1, Ordering::Relaxed) % self.workers.len();
        let state = if self.async_connect {
            ConnState::Connecting
        } else {
            ConnState::Connected
        };
        let conn = Arc::new(Conn::new(
            id,
            worker,
            transport,
            state,
            target,
            Some((host.to_string(), port)),
            options.extra,
            self.now_ms(),
            self.shared.conn_model(),
            tls,
        ));
        self.table.fill(conn.clone());
        let adoption = if self.async_connect {
            Adoption::Connecting
        } else {
            let (result, code) = super::marked(uid, || guarded(|| self.events.connect(id)));
            if result.is_error() {
                conn.set_state(ConnState::Closed);
                return Err(Error::new(
                    ErrorKind::ConnectServer,
                    code,
                    format!("{name}: OnConnect returned HR_ERROR"),
                ));
            }
            Adoption::Connected
        };
        if !self.post(worker, Command::Adopt(conn.clone(), adoption), me) {
            conn.set_state(ConnState::Closed);
            return Err(Error::illegal_state(format!(
                "{name}: the component is stopping"
            )));
        }
        Ok(())
    }
}
