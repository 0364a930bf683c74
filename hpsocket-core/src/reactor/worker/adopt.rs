//! How a connection joins the worker that owns it for life, whichever way it came (accepted
//! by a server, or an agent's or client's connect, asynchronous or done): its local state,
//! `OnAccept`, its one registration with the poll, then its connect deadline or the step to
//! the handshake (`establish.rs`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use mio::{Interest, Token};

use super::{Deadline, Local, Worker, CLOSE_OWED, CONNECTING, REGISTERED};
use crate::conn::{Conn, ConnState, NO_KEY};
use crate::reactor::events::guarded;
use crate::reactor::Adoption;
use crate::sock;
use crate::types::SocketOperation;

impl Worker {
    pub(super) fn adopt(&mut self, conn: Arc<Conn>, how: Adoption) {
        let id = conn.id;
        if self.stopping && how == Adoption::Accepted {
            self.run.table.release(id);
            return;
        }
        let key = self.locals.insert(Local {
            conn: conn.clone(),
            layer: None,
        });
        self.locals[key].set(CONNECTING, how == Adoption::Connecting);
        conn.local_key
            .store(u32::try_from(key).unwrap_or(NO_KEY), Ordering::Release);
        crate::log!(
            crate::log::Level::Info,
            ("{}#{}", self.run.shared.name(), self.run.shared.uid),
            "connection {id} {} {}",
            if how == Adoption::Accepted {
                "accepted from"
            } else {
                "connecting to"
            },
            conn.remote_addr()
        );
        if how == Adoption::Accepted {
            conn.transition(ConnState::Connecting, ConnState::Connected);
            let fd = conn.transport.fd();
            let (result, _) = guarded(|| self.run.events.accept(id, fd));
            if result.is_error() {
                // Rejected: no OnClose for a connection that was never accepted.
                self.close(key, SocketOperation::Accept, 0);
                return;
            }
        }
        self.locals[key].set(CLOSE_OWED, true);
        let registered = match conn.transport.own_fd() {
            Some(fd) => self.poll.registry().register(
                &mut mio::unix::SourceFd(&fd),
                Token(key),
                Interest::READABLE | Interest::WRITABLE,
            ),
            None => Ok(()),
        };
        if let Err(e) = registered {
            let op = if how == Adoption::Accepted {
                SocketOperation::Accept
            } else {
                SocketOperation::Connect
            };
            self.close(key, op, sock::errno(&e));
            return;
        }
        self.locals[key].set(REGISTERED, conn.transport.own_fd().is_some());
        if conn.state() == ConnState::Closing {
            // Disconnected before this worker got it.
            self.close(key, SocketOperation::Close, 0);
            return;
        }
        if how == Adoption::Connecting {
            self.arm(
                key,
                id,
                Deadline::Connect,
                self.run.config.socket.connect_timeout,
            );
        } else {
            self.established(key);
        }
    }
}
