//! The sockets a worker polls besides its connections' own (a TCP listener, a UDP server's
//! socket, a UDP node's socket), and what a readiness event on one of them starts: an
//! accept loop (`accept.rs`), a batch of datagrams (`datagram.rs`), a node's datagrams read
//! or its queue written (`node.rs`).

use std::sync::Arc;

use mio::Interest;

use super::Worker;

/// A socket a worker polls besides its connections' own.
pub(crate) enum Source {
    /// A TCP server's listening socket (worker 0).
    Listener(mio::net::TcpListener),
    /// A UDP server's socket. Every worker has one, bound to the same port (`SO_REUSEPORT`):
    /// the kernel keeps each peer on one socket, so a peer's connection lives on the worker
    /// that reads its datagrams and nothing is handed between threads.
    Datagram(Arc<mio::net::UdpSocket>),
    /// A UDP node's socket (worker 0): read here, written by any thread.
    Node(Arc<crate::reactor::node::NodeSocket>),
}

impl Source {
    pub(crate) fn fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        match self {
            Source::Listener(l) => l.as_raw_fd(),
            Source::Datagram(s) => s.as_raw_fd(),
            Source::Node(n) => n.socket.as_raw_fd(),
        }
    }

    /// What the worker waits for: a node's socket is also written when its queue is full.
    pub(crate) fn interest(&self) -> Interest {
        match self {
            Source::Node(_) => Interest::READABLE | Interest::WRITABLE,
            _ => Interest::READABLE,
        }
    }
}

impl Worker {
    /// A source is ready: accept connections, read datagrams, write a node's queue.
    pub(super) fn source_event(&mut self, index: usize, readable: bool, writable: bool) {
        match self.sources.get(index) {
            Some(Source::Listener(_)) if readable => self.accept(),
            Some(Source::Datagram(_)) if readable => self.receive_datagrams(index),
            Some(Source::Node(_)) => {
                if writable {
                    self.flush_node();
                }
                if readable {
                    self.receive_node(index);
                }
            }
            _ => {}
        }
    }
}
