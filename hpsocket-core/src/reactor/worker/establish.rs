//! How a connection becomes ready for data: an asynchronous connect completes (`OnConnect`,
//! after the checks for an error and for a socket connected to itself), then the ARQ or TLS
//! handshake starts, or `OnHandShake` fires at once for a plain connection.

use std::io;

use super::tls::tls_state;
use super::{Worker, CONNECTING};
use crate::conn::{ConnState, Transport};
use crate::reactor::events::guarded;
use crate::sock;
use crate::ssl::session::TlsState;
use crate::types::SocketOperation;

impl Worker {
    pub(super) fn finish_connect(&mut self, key: usize) {
        let conn = self.locals[key].conn.clone();
        match conn.transport.take_error() {
            Ok(Some(e)) | Err(e) => {
                self.close(key, SocketOperation::Connect, sock::errno(&e));
                return;
            }
            Ok(None) => {}
        }
        match conn.transport.peer_addr() {
            Ok(peer) if conn.transport.is_self_connect(peer) => {
                self.close(key, SocketOperation::Connect, libc::ECONNREFUSED);
                return;
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotConnected => return,
            Err(e) => {
                self.close(key, SocketOperation::Connect, sock::errno(&e));
                return;
            }
        }
        self.locals[key].set(CONNECTING, false);
        if !conn.transition(ConnState::Connecting, ConnState::Connected) {
            return; // a close request is queued and will report it
        }
        let (result, code) = guarded(|| self.run.events.connect(conn.id));
        if result.is_error() {
            self.close(key, SocketOperation::Connect, code);
            return;
        }
        self.established(key);
    }

    /// The TCP connection is up: plain connections are ready (`OnHandShake`); TLS ones start
    /// their handshake unless it is manual.
    pub(super) fn established(&mut self, key: usize) {
        if let Transport::Datagram(_) = self.locals[key].conn.transport {
            // A UDP client announces itself with a heartbeat, as HP-Socket's does: the server
            // sees the connection before any data.
            let _ = self.locals[key]
                .conn
                .transport
                .send_parts(std::iter::empty());
        }
        if self.locals[key].conn.arq().is_some() {
            // OnHandShake waits for the ARQ handshake.
            return self.arq_start(key);
        }
        match tls_state(&self.locals[key].conn) {
            None => self.handshake_done(key),
            Some(TlsState::Plain) => self.flush(key),
            Some(_) => self.start_tls(key),
        }
    }

    /// `OnHandShake`: the connection is ready for data.
    pub(super) fn handshake_done(&mut self, key: usize) {
        let id = self.locals[key].conn.id;
        let (result, code) = guarded(|| self.run.events.handshake(id));
        if result.is_error() {
            self.close(key, self.run.shared.role.handshake_operation(), code);
            return;
        }
        self.flush(key);
    }
}
