//! What a connection's bytes travel over: a TCP stream, a UDP socket connected to one peer
//! (a UDP client), or one peer of a UDP socket shared by many (a UDP server's connections).
//! Streams take any part of a send; datagram transports send each send whole or not at all.

use std::io::{self, IoSlice};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex};

use socket2::SockRef;

use crate::sock;
use crate::sync::lock;

/// HP-Socket's close-notify datagram (5.6.1+): sent by a UDP server or client whose
/// connection is closed by `Disconnect` or `Stop`; receiving it closes the connection.
pub(crate) const UDP_CLOSE_NOTIFY: [u8; 16] = [
    0xBE, 0xB6, 0x1F, 0xEB, 0xDA, 0x52, 0x46, 0xBA, 0x92, 0x33, 0x59, 0xDB, 0xBF, 0xE6, 0xC8, 0xE4,
];

/// Whether `data` is the close-notify datagram.
pub(crate) fn is_close_notify(data: &[u8]) -> bool {
    data == UDP_CLOSE_NOTIFY
}

pub(crate) enum Transport {
    /// A TCP stream, registered with its owner's poll.
    Stream(mio::net::TcpStream),
    /// A UDP socket of its own, connected to the server (UDP client), registered like a
    /// stream.
    Datagram(mio::net::UdpSocket),
    /// One peer of a UDP server's socket. The socket is a source of the owning worker, which
    /// reads it and hands each datagram to its peer's connection.
    /// Boxed, as `Cast` is: inline, the address would make every connection's transport (TCP
    /// ones included) 40 bytes instead of 16.
    Peer(Box<PeerSocket>),
    /// A UDP cast socket: sends go to the group or broadcast address `target`; datagrams
    /// come from anyone, and `source` is where the last one came from.
    /// Boxed: the two addresses would double the size of every connection's transport.
    Cast(Box<CastSocket>),
}

/// A UDP server's socket and the one peer a connection talks to (see [`Transport::Peer`]).
pub(crate) struct PeerSocket {
    pub(crate) socket: Arc<mio::net::UdpSocket>,
    pub(crate) peer: SocketAddr,
}

/// A UDP cast socket and its addresses (see [`Transport::Cast`]).
pub(crate) struct CastSocket {
    pub(crate) socket: mio::net::UdpSocket,
    pub(crate) target: SocketAddr,
    pub(crate) source: Mutex<Option<SocketAddr>>,
}

impl Transport {
    pub(crate) fn fd(&self) -> RawFd {
        match self {
            Transport::Stream(s) => s.as_raw_fd(),
            Transport::Datagram(s) => s.as_raw_fd(),
            Transport::Peer(p) => p.socket.as_raw_fd(),
            Transport::Cast(c) => c.socket.as_raw_fd(),
        }
    }

    /// Whether closing this connection tells the peer (HP-Socket's close-notify): UDP
    /// client and server connections do, a cast socket has no peer to tell.
    pub(crate) fn says_goodbye(&self) -> bool {
        matches!(self, Transport::Datagram(_) | Transport::Peer(_))
    }

    /// Where the last datagram of a cast socket came from.
    pub(crate) fn cast_source(&self) -> Option<SocketAddr> {
        match self {
            Transport::Cast(c) => *lock(&c.source),
            _ => None,
        }
    }

    /// Sends keep their boundaries: one send is one datagram.
    pub(crate) fn is_datagram(&self) -> bool {
        !matches!(self, Transport::Stream(_))
    }

    /// The socket the owner registers for this connection; `None` when the connection
    /// shares its owner's socket.
    pub(crate) fn own_fd(&self) -> Option<RawFd> {
        match self {
            Transport::Peer(_) => None,
            _ => Some(self.fd()),
        }
    }

    /// Writes `parts`: as much of them as the stream takes, or all of them as one datagram
    /// (nothing on `WouldBlock`). Returns the bytes written.
    pub(crate) fn send_parts<'a>(
        &self,
        parts: impl Iterator<Item = &'a [u8]>,
    ) -> io::Result<usize> {
        match self {
            Transport::Stream(s) => sock::send_parts(s, parts),
            Transport::Datagram(s) => sock::send_datagram(SockRef::from(s), None, parts),
            Transport::Peer(p) => {
                sock::send_datagram(SockRef::from(&*p.socket), Some(p.peer), parts)
            }
            Transport::Cast(c) => {
                sock::send_datagram(SockRef::from(&c.socket), Some(c.target), parts)
            }
        }
    }

    /// Gather-writes stream bytes (flushes of the send queue).
    pub(crate) fn send_slices(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Transport::Stream(s) => sock::send_vectored(s, bufs),
            _ => self.send_parts(bufs.iter().map(|b| &b[..])),
        }
    }

    /// Reads what the stream has, or one datagram (a `Peer` has nothing of its own to read).
    pub(crate) fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Stream(s) => sock::recv(s, buf),
            Transport::Datagram(s) => sock::recv(s, buf),
            Transport::Peer(_) => Err(io::ErrorKind::WouldBlock.into()),
            Transport::Cast(c) => {
                let (n, from) = c.socket.recv_from(buf)?;
                *lock(&c.source) = Some(from);
                Ok(n)
            }
        }
    }

    pub(crate) fn take_error(&self) -> io::Result<Option<io::Error>> {
        match self {
            Transport::Stream(s) => s.take_error(),
            Transport::Datagram(s) => s.take_error(),
            Transport::Cast(c) => c.socket.take_error(),
            Transport::Peer(_) => Ok(None),
        }
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Transport::Stream(s) => s.local_addr(),
            Transport::Datagram(s) => s.local_addr(),
            Transport::Peer(p) => p.socket.local_addr(),
            Transport::Cast(c) => c.socket.local_addr(),
        }
    }

    /// The connected peer; `NotConnected` while a TCP connect is in progress.
    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Transport::Stream(s) => s.peer_addr(),
            Transport::Datagram(s) => s.peer_addr(),
            Transport::Peer(p) => Ok(p.peer),
            Transport::Cast(c) => Ok(c.target),
        }
    }

    /// Whether a finished connect reached the connecting socket itself (TCP only: see
    /// [`sock::is_self_connect`]).
    pub(crate) fn is_self_connect(&self, peer: SocketAddr) -> bool {
        match self {
            Transport::Stream(s) => sock::is_self_connect(s, peer),
            _ => false,
        }
    }

    /// Shuts a stream down at once, so the peer sees the close even while another thread
    /// still holds the connection. Datagram transports have nothing to shut down.
    pub(crate) fn shutdown(&self) {
        if let Transport::Stream(s) = self {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}
