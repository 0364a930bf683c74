//! Socket plumbing on top of `socket2`: addresses, options, and sends that never raise
//! `SIGPIPE` (a C program linking the library keeps the default SIGPIPE action).

use std::io::{self, IoSlice, IoSliceMut};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, RawFd};
use std::time::Duration;

use nix::sys::socket::{recvmmsg, MsgFlags, MultiHeaders, SockaddrStorage};
use socket2::{Domain, SockRef, Socket, TcpKeepalive, Type};

use crate::config::{SocketConfig, UdpConfig};
use crate::types::{CastMode, ReuseAddressPolicy};

/// Keep-alive probes before a peer is declared dead (HP-Socket uses 5 on Linux).
const KEEPALIVE_PROBES: u32 = 5;

/// A bind address: empty means IPv4 any (HP-Socket's rule); otherwise an IP literal or a host
/// name resolved to its first address.
pub(crate) fn parse_bind_address(address: &str) -> io::Result<IpAddr> {
    let address = address.trim();
    if address.is_empty() {
        return Ok(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    }
    resolve(address, 0).map(|a| a.ip())
}

/// An optional local address to bind (agent and client start, per-connect local address):
/// `None`, empty or blank means none. A bad one fails with `SE_SOCKET_BIND` and the message
/// "`{who}: {what} "address": cause`".
pub(crate) fn local_address(
    who: &str,
    what: &str,
    address: Option<&str>,
) -> crate::Result<Option<IpAddr>> {
    let Some(a) = address.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    parse_bind_address(a).map(Some).map_err(|e| {
        crate::Error::new(
            crate::ErrorKind::SocketBind,
            errno(&e),
            format!("{who}: {what} {a:?}: {e}"),
        )
    })
}

/// A connect to a local port nobody listens on can reach the connecting socket itself:
/// Linux completes a TCP simultaneous open when the ephemeral port it picks is the
/// destination port, which gets likelier the more ports are in use. Nothing listens there,
/// so such a connect counts as refused (Go's net package treats it the same way).
pub(crate) fn is_self_connect(stream: &impl AsFd, peer: SocketAddr) -> bool {
    SockRef::from(stream)
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .is_some_and(|local| local == peer)
}

/// Resolves `host` (IP literal, `[v6]` literal or host name) with `port`.
pub(crate) fn resolve(host: &str, port: u16) -> io::Result<SocketAddr> {
    let bare = host.trim().trim_start_matches('[').trim_end_matches(']');
    if bare.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty address"));
    }
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    (bare, port).to_socket_addrs()?.next().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("host name {bare:?} has no address"),
        )
    })
}

/// Splits HP-Socket's `"address^hostname"` form: connect to `address`, report `hostname`.
pub(crate) fn split_host(remote: &str) -> (&str, &str) {
    match remote.split_once('^') {
        Some((addr, host)) if !host.is_empty() => (addr, host),
        Some((addr, _)) => (addr, addr),
        None => (remote, remote),
    }
}

/// A new TCP socket for `addr`'s family with the reuse policy applied.
pub(crate) fn new_socket(addr: SocketAddr, policy: ReuseAddressPolicy) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM.cloexec(), None)?;
    if policy != ReuseAddressPolicy::None {
        socket.set_reuse_address(true)?;
    }
    if policy == ReuseAddressPolicy::AddrAndPort {
        socket.set_reuse_port(true)?;
    }
    Ok(socket)
}

/// Applies `TCP_NODELAY` and keep-alive to a connected socket.
pub(crate) fn configure_stream(socket: SockRef<'_>, config: &SocketConfig) -> io::Result<()> {
    if config.no_delay {
        socket.set_nodelay(true)?;
    }
    if config.keep_alive_time > 0 && config.keep_alive_interval > 0 {
        let keepalive = TcpKeepalive::new()
            .with_time(Duration::from_millis(config.keep_alive_time.into()))
            .with_interval(Duration::from_millis(config.keep_alive_interval.into()))
            .with_retries(KEEPALIVE_PROBES);
        socket.set_tcp_keepalive(&keepalive)?;
    }
    Ok(())
}

/// Most slices one gather-write hands the kernel. Queue blocks are 16 KiB or more, so 16
/// slices fill a socket buffer; the array is small enough that setting it up costs nothing.
pub(crate) const MAX_IOV: usize = 16;

/// Writes the non-empty `parts` in order with one system call (a plain `send` for the common
/// single part, else a gather write of up to `MAX_IOV` parts); returns the bytes written.
/// Always inlined: it is on every echo's send, and the call's frame cost more than the body.
#[inline(always)]
pub(crate) fn send_parts<'a>(
    stream: &mio::net::TcpStream,
    parts: impl Iterator<Item = &'a [u8]>,
) -> io::Result<usize> {
    let mut parts = parts.filter(|p| !p.is_empty());
    let Some(first) = parts.next() else {
        return Ok(0);
    };
    let Some(second) = parts.next() else {
        return send_vectored(stream, &[IoSlice::new(first)]);
    };
    let mut iov = [IoSlice::new(&[]); MAX_IOV];
    iov[0] = IoSlice::new(first);
    iov[1] = IoSlice::new(second);
    let mut n = 2;
    for (slot, part) in iov[2..].iter_mut().zip(parts) {
        *slot = IoSlice::new(part);
        n += 1;
    }
    send_vectored(stream, &iov[..n])
}

/// A new UDP socket for `addr`'s family with the reuse policy applied; `reuse_port` also
/// lets several sockets of one server share its port (one per worker).
pub(crate) fn new_datagram_socket(
    addr: SocketAddr,
    policy: ReuseAddressPolicy,
    reuse_port: bool,
) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM.cloexec(), None)?;
    if policy != ReuseAddressPolicy::None {
        socket.set_reuse_address(true)?;
    }
    if reuse_port || policy == ReuseAddressPolicy::AddrAndPort {
        socket.set_reuse_port(true)?;
    }
    Ok(socket)
}

/// `SO_RCVBUF`/`SO_SNDBUF` of a UDP socket from the settings (0 leaves the system's default).
pub(crate) fn set_datagram_buffers(socket: &Socket, udp: &UdpConfig) -> io::Result<()> {
    if udp.recv_buffer_size > 0 {
        socket.set_recv_buffer_size(udp.recv_buffer_size as usize)?;
    }
    if udp.send_buffer_size > 0 {
        socket.set_send_buffer_size(udp.send_buffer_size as usize)?;
    }
    Ok(())
}

/// Sends the non-empty `parts` as one datagram, to `to` or to the connected peer; an empty
/// list sends an empty datagram (the heartbeat). Returns the bytes sent.
pub(crate) fn send_datagram<'a>(
    socket: SockRef<'_>,
    to: Option<SocketAddr>,
    parts: impl Iterator<Item = &'a [u8]>,
) -> io::Result<usize> {
    let mut iov = [IoSlice::new(&[]); MAX_IOV];
    let mut n = 0;
    let mut more: Vec<IoSlice<'_>> = Vec::new();
    for part in parts.filter(|p| !p.is_empty()) {
        if n < MAX_IOV {
            iov[n] = IoSlice::new(part);
            n += 1;
        } else {
            // Rare: more pieces than the array holds (a long `SendPackets`).
            if more.is_empty() {
                more.extend_from_slice(&iov);
            }
            more.push(IoSlice::new(part));
        }
    }
    let bufs = if more.is_empty() {
        &iov[..n]
    } else {
        &more[..]
    };
    let to = to.map(socket2::SockAddr::from);
    loop {
        let result = match &to {
            Some(addr) => socket.send_to_vectored(bufs, addr),
            None => socket.send_vectored(bufs),
        };
        match result {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Most datagrams one `recvmmsg` or `sendmmsg` moves.
pub(crate) const MMSG_BATCH: usize = 64;
/// Most bytes of receive slots a batch uses (a large MaxDatagramSize gets fewer slots).
const MMSG_RECEIVE_BYTES: usize = 4 << 20;

/// One datagram of a [`RecvBatch`]: its slot in the buffer, its real length (longer than
/// the slot when it was cut: `MSG_TRUNC`) and its sender.
#[derive(Clone, Copy)]
pub(crate) struct Received {
    pub(crate) at: usize,
    pub(crate) len: usize,
    pub(crate) truncated: bool,
    pub(crate) from: Option<SocketAddr>,
}

/// `recvmmsg` of up to [`MMSG_BATCH`] datagrams into slots of one buffer owned by the
/// caller (the worker's read buffer), with the headers kept between calls: no allocation per
/// datagram or per call.
pub(crate) struct RecvBatch {
    headers: MultiHeaders<SockaddrStorage>,
    got: Vec<Received>,
    slot: usize,
    capacity: usize,
}

impl RecvBatch {
    /// Slots of `slot` bytes (the largest datagram that is delivered), as many as
    /// `wanted` (PostReceiveCount) and the limits allow.
    pub(crate) fn new(slot: usize, wanted: usize) -> RecvBatch {
        let slot = slot.max(1);
        let capacity = wanted
            .clamp(1, MMSG_BATCH)
            .min((MMSG_RECEIVE_BYTES / slot).max(1));
        RecvBatch {
            headers: MultiHeaders::preallocate(capacity, None),
            got: Vec::with_capacity(capacity),
            slot,
            capacity,
        }
    }

    /// The buffer the slots need.
    pub(crate) fn buffer_len(&self) -> usize {
        self.slot * self.capacity
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// What the last [`RecvBatch::receive`] got, in arrival order.
    pub(crate) fn received(&self) -> &[Received] {
        &self.got
    }

    /// Reads up to `max` datagrams (at most the capacity) from the non-blocking `fd` into
    /// `buf` (at least [`RecvBatch::buffer_len`] bytes); returns how many. `MSG_TRUNC` makes
    /// each length the datagram's real one, so an oversize datagram is known by its size, as
    /// a single `recvfrom` into a large buffer knows it.
    pub(crate) fn receive(&mut self, fd: RawFd, buf: &mut [u8], max: usize) -> io::Result<usize> {
        let RecvBatch {
            headers,
            got,
            slot,
            capacity,
        } = self;
        got.clear();
        let count = max.clamp(1, *capacity);
        let mut chunks = buf.chunks_mut(*slot);
        let mut iovs: [[IoSliceMut<'_>; 1]; MMSG_BATCH] =
            std::array::from_fn(|_| [IoSliceMut::new(chunks.next().unwrap_or_default())]);
        let flags = MsgFlags::MSG_TRUNC | MsgFlags::MSG_DONTWAIT;
        let results = recvmmsg(fd, headers, iovs[..count].iter_mut(), flags, None)
            .map_err(io::Error::from)?;
        for (i, message) in results.enumerate() {
            got.push(Received {
                at: i * *slot,
                len: message.bytes,
                truncated: message.flags.contains(MsgFlags::MSG_TRUNC) || message.bytes > *slot,
                from: message.address.and_then(|a| socket_addr(&a)),
            });
        }
        Ok(got.len())
    }
}

/// A sender's address as the standard library's.
fn socket_addr(a: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = a.as_sockaddr_in() {
        return Some(SocketAddr::V4((*v4).into()));
    }
    a.as_sockaddr_in6().map(|v6| SocketAddr::V6((*v6).into()))
}

/// Cast sockets: broadcast permission, or the multicast group joined on `interface`
/// (any when `None`) with the TTL and loop settings.
pub(crate) fn join_cast(
    name: &str,
    socket: &Socket,
    udp: &UdpConfig,
    target: SocketAddr,
    interface: Option<IpAddr>,
) -> crate::Result<()> {
    let failed = |e: std::io::Error, what: &str| {
        crate::Error::os(
            crate::ErrorKind::SocketCreate,
            &e,
            format!("{name}: {what}"),
        )
    };
    match (udp.cast_mode, target.ip()) {
        (CastMode::Broadcast, _) => socket
            .set_broadcast(true)
            .map_err(|e| failed(e, "SO_BROADCAST")),
        (CastMode::Multicast, IpAddr::V4(group)) if group.is_multicast() => {
            let iface = match interface {
                Some(IpAddr::V4(a)) => a,
                _ => Ipv4Addr::UNSPECIFIED,
            };
            socket
                .join_multicast_v4(&group, &iface)
                .map_err(|e| failed(e, &format!("join {group} on {iface}")))?;
            if !iface.is_unspecified() {
                socket
                    .set_multicast_if_v4(&iface)
                    .map_err(|e| failed(e, "IP_MULTICAST_IF"))?;
            }
            socket
                .set_multicast_ttl_v4(udp.multicast_ttl as u32)
                .map_err(|e| failed(e, "IP_MULTICAST_TTL"))?;
            socket
                .set_multicast_loop_v4(udp.multicast_loop)
                .map_err(|e| failed(e, "IP_MULTICAST_LOOP"))
        }
        (CastMode::Multicast, IpAddr::V6(group)) if group.is_multicast() => {
            socket
                .join_multicast_v6(&group, 0)
                .map_err(|e| failed(e, &format!("join {group}")))?;
            socket
                .set_multicast_hops_v6(udp.multicast_ttl as u32)
                .map_err(|e| failed(e, "IPV6_MULTICAST_HOPS"))?;
            socket
                .set_multicast_loop_v6(udp.multicast_loop)
                .map_err(|e| failed(e, "IPV6_MULTICAST_LOOP"))
        }
        (mode, ip) => Err(crate::Error::new(
            crate::ErrorKind::InvalidParam,
            libc::EINVAL,
            format!("{name}: cast mode {mode:?} cannot reach {ip} (a multicast group or, with CM_BROADCAST, a broadcast address)"),
        )),
    }
}

/// Gather-writes `bufs` without raising `SIGPIPE`.
///
/// `send`, `sendmsg` and `recv` below are made straight to the kernel (rustix) rather than
/// through glibc, whose socket calls are cancellation points: in a process with threads each
/// call enables and disables asynchronous thread cancellation around the system call, about
/// 60 instructions per call for a feature this library never uses (a third of the user-space
/// cost of an echoed message outside the callback).
pub(crate) fn send_vectored(
    stream: &mio::net::TcpStream,
    bufs: &[IoSlice<'_>],
) -> io::Result<usize> {
    use rustix::net::{SendAncillaryBuffer, SendFlags};
    loop {
        let result = if bufs.len() == 1 {
            rustix::net::send(stream, &bufs[0], SendFlags::NOSIGNAL)
        } else {
            let mut no_control = SendAncillaryBuffer::default();
            rustix::net::sendmsg(stream, bufs, &mut no_control, SendFlags::NOSIGNAL)
        };
        match result {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other.map_err(io::Error::from),
        }
    }
}

/// Reads what a connected socket has into `buf` (a stream's bytes, or one datagram), straight
/// to the kernel like [`send_vectored`]; an interrupted read is retried.
pub(crate) fn recv(socket: impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rustix::net::recv(&socket, &mut *buf, rustix::net::RecvFlags::empty()) {
            Ok((n, _)) => return Ok(n),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The `errno` of an I/O error (EIO when it has none).
pub(crate) fn errno(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(match e.kind() {
        io::ErrorKind::TimedOut => libc::ETIMEDOUT,
        io::ErrorKind::WouldBlock => libc::EAGAIN,
        io::ErrorKind::NotFound => libc::ENOENT,
        io::ErrorKind::InvalidInput => libc::EINVAL,
        _ => libc::EIO,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            parse_bind_address("").unwrap(),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        );
        assert_eq!(parse_bind_address("::").unwrap().to_string(), "::");
        assert_eq!(resolve("[::1]", 80).unwrap().to_string(), "[::1]:80");
        assert_eq!(
            split_host("127.0.0.1^example.org"),
            ("127.0.0.1", "example.org")
        );
        assert_eq!(split_host("localhost"), ("localhost", "localhost"));
        assert!(resolve("", 1).is_err());
    }
}
