//! The sockets a run receives on, opened by `start` before any worker runs: a TCP server's
//! listening socket, a UDP server's sockets (one per worker on the same port), a UDP node's
//! socket (joined to its multicast group, or allowed to broadcast). Each fires
//! `OnPrepareListen` before it is used, and `HR_ERROR` there fails the start.

use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;

use crate::config::EngineConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::reactor::events::{guarded, Events};
use crate::sock;
use crate::types::CastMode;

/// Creates, binds, prepares (`OnPrepareListen`) and listens on the server socket.
pub(super) fn listen(
    name: &str,
    address: &str,
    port: u16,
    config: &EngineConfig,
    events: &dyn Events,
) -> Result<mio::net::TcpListener> {
    let ip = bind_ip(name, address)?;
    let addr = SocketAddr::new(ip, port);
    let socket = sock::new_socket(addr, config.socket.reuse_address_policy)
        .map_err(|e| Error::os(ErrorKind::SocketCreate, &e, format!("{name}: socket")))?;
    socket
        .bind(&addr.into())
        .map_err(|e| Error::os(ErrorKind::SocketBind, &e, format!("{name}: bind {addr}")))?;
    // Set on the listener once, inherited by every accepted socket (saves five system calls
    // per accept).
    sock::configure_stream(socket2::SockRef::from(&socket), &config.socket).map_err(|e| {
        Error::os(
            ErrorKind::SocketCreate,
            &e,
            format!("{name}: socket options"),
        )
    })?;
    prepare_listen(name, &socket, events)?;
    let backlog = config.socket_listen_queue.min(i32::MAX as u32) as i32;
    socket.listen(backlog).map_err(|e| {
        Error::os(
            ErrorKind::SocketListen,
            &e,
            format!("{name}: listen on {addr}"),
        )
    })?;
    socket.set_nonblocking(true).map_err(|e| {
        Error::os(
            ErrorKind::SocketListen,
            &e,
            format!("{name}: listen on {addr}"),
        )
    })?;
    Ok(mio::net::TcpListener::from_std(socket.into()))
}

/// Creates and binds a UDP server's sockets, one per worker on the same address and port
/// (`SO_REUSEPORT` when there are several), firing `OnPrepareListen` for the first.
pub(super) fn bind_datagram(
    name: &str,
    address: &str,
    port: u16,
    config: &EngineConfig,
    events: &dyn Events,
    count: usize,
) -> Result<Vec<mio::net::UdpSocket>> {
    let ip = bind_ip(name, address)?;
    let mut addr = SocketAddr::new(ip, port);
    let mut sockets = Vec::with_capacity(count);
    for i in 0..count {
        let socket = sock::new_datagram_socket(addr, config.socket.reuse_address_policy, count > 1)
            .map_err(|e| Error::os(ErrorKind::SocketCreate, &e, format!("{name}: socket")))?;
        // Before `OnPrepareListen`, which may still change them.
        sock::set_datagram_buffers(&socket, &config.udp).map_err(|e| {
            Error::os(
                ErrorKind::SocketCreate,
                &e,
                format!("{name}: SO_RCVBUF/SO_SNDBUF"),
            )
        })?;
        socket
            .bind(&addr.into())
            .map_err(|e| Error::os(ErrorKind::SocketBind, &e, format!("{name}: bind {addr}")))?;
        if i == 0 {
            // Port 0 picked a free port: the other workers' sockets share it.
            if let Some(bound) = socket.local_addr().ok().and_then(|a| a.as_socket()) {
                addr = bound;
            }
            prepare_listen(name, &socket, events)?;
        }
        socket.set_nonblocking(true).map_err(|e| {
            Error::os(
                ErrorKind::SocketCreate,
                &e,
                format!("{name}: socket options"),
            )
        })?;
        sockets.push(mio::net::UdpSocket::from_std(socket.into()));
    }
    Ok(sockets)
}

/// Creates and binds a UDP node's socket, fires `OnPrepareListen`, and with a cast mode joins
/// the multicast group (or allows broadcast). A casting node binds the port on any address,
/// so group and broadcast datagrams reach it; the bind address names the interface.
pub(super) fn bind_node(
    name: &str,
    address: &str,
    port: u16,
    cast: Option<&(CastMode, String)>,
    config: &EngineConfig,
    events: &dyn Events,
) -> Result<crate::reactor::node::NodeSocket> {
    let invalid = |e: std::io::Error| {
        Error::new(
            ErrorKind::InvalidParam,
            libc::EINVAL,
            format!("{name}::start: {e}"),
        )
    };
    let ip = sock::parse_bind_address(address).map_err(invalid)?;
    let interface = (!address.trim().is_empty()).then_some(ip);
    let cast = match cast {
        Some((mode, to)) if *mode != CastMode::Unicast => {
            Some((*mode, sock::resolve(to, port).map_err(invalid)?))
        }
        _ => None,
    };
    let bind_ip = match (cast, ip) {
        (Some(_), IpAddr::V4(_)) => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        (Some(_), IpAddr::V6(_)) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        (None, ip) => ip,
    };
    let addr = SocketAddr::new(bind_ip, port);
    let socket = sock::new_datagram_socket(addr, config.socket.reuse_address_policy, false)
        .map_err(|e| Error::os(ErrorKind::SocketCreate, &e, format!("{name}: socket")))?;
    socket
        .bind(&addr.into())
        .map_err(|e| Error::os(ErrorKind::SocketBind, &e, format!("{name}: bind {addr}")))?;
    prepare_listen(name, &socket, events)?;
    if let Some((mode, target)) = cast {
        let udp = crate::config::UdpConfig {
            cast_mode: mode,
            ..config.udp
        };
        sock::join_cast(name, &socket, &udp, target, interface)?;
    }
    socket.set_nonblocking(true).map_err(|e| {
        Error::os(
            ErrorKind::SocketCreate,
            &e,
            format!("{name}: socket options"),
        )
    })?;
    let (mode, target) = match cast {
        Some((mode, target)) => (mode, Some(target)),
        None => (CastMode::Unicast, None),
    };
    Ok(crate::reactor::node::NodeSocket::new(
        mio::net::UdpSocket::from_std(socket.into()),
        mode,
        target,
    ))
}

/// `OnPrepareListen` for a bound server or node socket; `HR_ERROR` fails the start.
/// The address a server's socket binds, or the error `start` reports for it.
fn bind_ip(name: &str, address: &str) -> Result<IpAddr> {
    sock::parse_bind_address(address).map_err(|e| {
        Error::new(
            ErrorKind::SocketCreate,
            libc::EINVAL,
            format!("{name}::start: {e}"),
        )
    })
}

fn prepare_listen(name: &str, socket: &socket2::Socket, events: &dyn Events) -> Result<()> {
    let (result, _) = guarded(|| events.prepare_listen(socket.as_raw_fd()));
    if result.is_error() {
        return Err(Error::new(
            ErrorKind::SocketPrepare,
            libc::ECANCELED,
            format!("{name}: OnPrepareListen returned HR_ERROR"),
        ));
    }
    Ok(())
}
