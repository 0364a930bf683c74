//! A UDP node (HP-Socket's `IUdpNode`): one socket, no connections. Any thread sends a
//! datagram to any address (straight to the socket from worker 0 when nothing is queued,
//! else through the node's queue, which worker 0 writes); worker 0 reads the socket and
//! reports every datagram with its sender.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use socket2::SockRef;

use super::events::guarded_unit;
use super::{Command, Engine, Running};
use crate::buffer::{BufferPool, SendQueue};
use crate::error::{Error, ErrorKind, Result};
use crate::sock;
use crate::sync::lock;
use crate::types::{CastMode, SocketOperation};

/// A node's socket and its send queue.
pub(crate) struct NodeSocket {
    pub(crate) socket: mio::net::UdpSocket,
    /// `CM_UNICAST`, or how the node reaches `cast`.
    pub(crate) mode: CastMode,
    /// The multicast group or broadcast address of `start_with_cast`.
    pub(crate) cast: Option<SocketAddr>,
    queue: Mutex<NodeQueue>,
    /// Mirror of the queued bytes, readable without the lock.
    pending: AtomicUsize,
    /// A `FlushNode` command is on its way to worker 0.
    flush_requested: AtomicBool,
}

/// Datagrams waiting for the socket, each with its destination.
#[derive(Default)]
struct NodeQueue {
    messages: SendQueue,
    to: std::collections::VecDeque<SocketAddr>,
}

impl NodeSocket {
    pub(crate) fn new(
        socket: mio::net::UdpSocket,
        mode: CastMode,
        cast: Option<SocketAddr>,
    ) -> NodeSocket {
        NodeSocket {
            socket,
            mode,
            cast,
            queue: Mutex::default(),
            pending: AtomicUsize::new(0),
            flush_requested: AtomicBool::new(false),
        }
    }

    pub(crate) fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    fn send_now<'a>(
        &self,
        to: SocketAddr,
        parts: impl Iterator<Item = &'a [u8]>,
    ) -> io::Result<usize> {
        sock::send_datagram(SockRef::from(&self.socket), Some(to), parts)
    }

    /// Writes queued datagrams until the queue is empty or the socket is full, reporting
    /// each (`on_send`, or `on_error` for one the socket refused). Runs on worker 0.
    pub(crate) fn flush(&self, run: &Running, scratch: &mut Vec<u8>, done: &mut Vec<Vec<u8>>) {
        self.flush_requested.store(false, Ordering::Release);
        let report = run.events.wants_send();
        loop {
            let mut queue = lock(&self.queue);
            let (Some(&to), Some(message)) = (queue.to.front(), queue.messages.front_message())
            else {
                return;
            };
            let sent = self.send_now(to, std::iter::once(message));
            if matches!(&sent, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
                return; // a writable edge continues
            }
            scratch.clear();
            if report || sent.is_err() {
                scratch.extend_from_slice(message);
            }
            queue.messages.pop_message(done);
            queue.to.pop_front();
            self.pending.store(queue.messages.len(), Ordering::Release);
            drop(queue);
            match sent {
                Ok(_) if report => guarded_unit(|| run.events.node_send(to, scratch)),
                Ok(_) => {}
                Err(e) => {
                    let code = sock::errno(&e);
                    guarded_unit(|| {
                        run.events
                            .node_error(SocketOperation::Send, code, Some(to), scratch)
                    });
                }
            }
            for block in done.drain(..) {
                run.pool.put(block);
            }
        }
    }

    fn push<'a>(
        &self,
        to: SocketAddr,
        parts: impl Iterator<Item = &'a [u8]>,
        len: usize,
        pool: &BufferPool,
    ) {
        let mut queue = lock(&self.queue);
        queue.messages.push_message(parts, len, pool);
        queue.to.push_back(to);
        self.pending.store(queue.messages.len(), Ordering::Release);
    }

    fn is_idle(&self) -> bool {
        lock(&self.queue).messages.is_empty()
    }
}

impl Engine {
    /// The running node's socket.
    pub(crate) fn with_node<R>(
        &self,
        what: &str,
        f: impl FnOnce(&Running, &Arc<NodeSocket>, Option<usize>) -> Result<R>,
    ) -> Result<R> {
        self.with_run(what, |run, me| match &run.node {
            Some(node) => f(run, node, me),
            None => Err(Error::illegal_state(format!(
                "{}::{what}: not a UDP node",
                self.name()
            ))),
        })
    }

    /// Sends `bufs` as one datagram to `to`, or to the cast address when `to` is `None`.
    pub(crate) fn node_send(&self, to: Option<SocketAddr>, bufs: &[&[u8]]) -> Result<()> {
        let name = self.name();
        self.with_node("send", |run, node, me| {
            let to = match to.or(node.cast) {
                Some(to) => to,
                None => {
                    return Err(Error::illegal_state(format!(
                        "{name}::SendCast: the node has no cast address (start it with \
                         CM_MULTICAST or CM_BROADCAST)"
                    )))
                }
            };
            let len: usize = bufs.iter().map(|b| b.len()).sum();
            let max = run.config.udp.max_datagram_size as usize;
            if len == 0 || len > max {
                return Err(Error::new(
                    ErrorKind::InvalidParam,
                    libc::EMSGSIZE,
                    format!(
                        "{name}::Send: a datagram must be 1..={max} bytes (MaxDatagramSize), \
                         not {len}; nothing was sent"
                    ),
                ));
            }
            let parts = || bufs.iter().copied().filter(|b| !b.is_empty());
            // Worker 0 writes straight to the socket when nothing is queued ahead; its sends
            // report `on_send` at once, like a connection's.
            if me == Some(0) && node.is_idle() {
                match node.send_now(to, parts()) {
                    Ok(_) => {
                        if run.events.wants_send() {
                            let data = bufs.concat();
                            guarded_unit(|| run.events.node_send(to, &data));
                        }
                        return Ok(());
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => {
                        return Err(Error::os(
                            ErrorKind::DataSend,
                            &e,
                            format!("{name}::Send to {to}"),
                        ))
                    }
                }
            }
            node.push(to, parts(), len, &run.pool);
            if !node.flush_requested.swap(true, Ordering::AcqRel) {
                run.post(0, Command::FlushNode, me);
            }
            Ok(())
        })
    }
}
