//! The heartbeat rounds of a UDP engine (every `detect_interval`, one timer per worker for
//! all its connections), which find silent peers as HP-Socket does: a server closes a peer
//! it has not heard from for `detect_attempts` rounds; a client or agent sends a heartbeat
//! each round and gives up after `detect_attempts` without an answer. The heartbeat
//! datagrams themselves are read in `datagram.rs`.

use std::time::{Duration, Instant};

use super::{Deadline, Layer, Worker, CONNECTING};
use crate::conn::ConnState;
use crate::reactor::{Role, TransportKind};
use crate::types::SocketOperation;

impl Worker {
    /// Starts the heartbeat rounds of a UDP engine, if they are on.
    pub(super) fn arm_detect(&mut self) {
        let udp = &self.run.config.udp;
        if self.run.shared.transport == TransportKind::Udp && udp.detects() {
            let at = Instant::now() + Duration::from_millis(udp.detect_interval.into());
            self.timers.arm(at, (usize::MAX, 0, Deadline::Detect));
        }
    }

    /// One heartbeat round over the worker's UDP connections: a server closes those it has
    /// not heard from for `detect_attempts` rounds; a client closes after `detect_attempts`
    /// unanswered heartbeats, else sends the next one.
    pub(super) fn detect_round(&mut self) {
        let attempts = self.run.config.udp.detect_attempts;
        // Clients and agents send the heartbeats; a server only counts what it hears.
        let client = self.run.shared.role != Role::Server;
        let keys: Vec<usize> = self
            .locals
            .iter()
            .filter(|(_, l)| !l.is(CONNECTING) && l.conn.transport.is_datagram())
            .map(|(k, _)| k)
            .collect();
        for key in keys {
            let Some(local) = self.locals.get_mut(key) else {
                continue;
            };
            if local.conn.state() != ConnState::Connected {
                continue;
            }
            if Layer::udp(&local.layer).detect_fails >= attempts {
                let code = if client { libc::ECONNRESET } else { 0 };
                self.close(key, SocketOperation::Close, code);
                continue;
            }
            Layer::udp_mut(&mut local.layer).detect_fails += 1;
            if client {
                let _ = local.conn.transport.send_parts(std::iter::empty());
            }
        }
        self.arm_detect();
    }
}
