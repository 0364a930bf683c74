//! A UDP node's socket on worker 0: every datagram read goes to `on_receive` with its
//! sender (no connections, no peer map), and the node's own send queue is written here, on
//! a `FlushNode` command or when the socket has room again (a send from worker 0 with
//! nothing queued goes straight to the socket: `reactor/node.rs`).

use std::io;
use std::sync::atomic::Ordering;

use super::{Source, Worker};
use crate::reactor::events::guarded_unit;
use crate::sock;
use crate::types::SocketOperation;

impl Worker {
    /// Reads a UDP node's socket: every datagram goes to `on_receive` with its sender.
    pub(super) fn receive_node(&mut self, source: usize) {
        let Some(Source::Node(node)) = self.sources.get(source) else {
            return;
        };
        let node = node.clone();
        let max = self.run.config.udp.max_datagram_size as usize;
        for _ in 0..self.run.config.udp.post_receive_count {
            match node.socket.recv_from(&mut self.read_buf) {
                // An empty datagram carries nothing to deliver.
                Ok((0, _)) => {}
                Ok((n, from)) if n > max => {
                    self.run.dropped_datagrams.fetch_add(1, Ordering::Relaxed);
                    let events = &self.run.events;
                    guarded_unit(|| {
                        events.node_error(SocketOperation::Receive, libc::EMSGSIZE, Some(from), &[])
                    });
                }
                Ok((n, from)) => {
                    let data = &self.read_buf[..n];
                    let events = &self.run.events;
                    guarded_unit(|| events.node_receive(from, data));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let code = sock::errno(&e);
                    let events = &self.run.events;
                    guarded_unit(|| events.node_error(SocketOperation::Receive, code, None, &[]));
                    return;
                }
            }
            if self.stopping {
                return;
            }
        }
        if !self.ready_sources.contains(&source) {
            self.ready_sources.push(source);
        }
    }

    /// Writes a UDP node's queue (worker 0).
    pub(super) fn flush_node(&mut self) {
        let node = self.sources.iter().find_map(|s| match s {
            Source::Node(n) => Some(n.clone()),
            _ => None,
        });
        if let Some(node) = node {
            let mut done = std::mem::take(&mut self.written_blocks);
            node.flush(&self.run, &mut self.scratch, &mut done);
            done.clear();
            self.written_blocks = done;
        }
    }
}
