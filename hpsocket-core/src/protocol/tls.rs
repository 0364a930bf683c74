//! TLS as a layer: ciphertext in, plaintext up, records down. The session is
//! [`TlsSession`] (OpenSSL over memory), the same one a worker drives; a worker does not go
//! through this type because it must release the session's lock around every callback
//! (other threads encrypt their sends under it), but it takes the same steps in the same
//! order (`reactor/worker/tls.rs`).

use super::{Fault, Io, Protocol, Status};
use crate::ssl::session::{Plain, TlsFailure, TlsSession, TlsState};

/// Largest plaintext taken from the session at once: one TLS record.
const PLAIN_CHUNK: usize = 16 * 1024;

/// One connection's TLS layer.
pub(crate) struct Tls {
    session: TlsSession,
    /// Plaintext read out of the session (reused).
    plain: Box<[u8]>,
}

impl From<TlsFailure> for Fault {
    fn from(f: TlsFailure) -> Fault {
        Fault::new(f.code, f.message)
    }
}

impl Tls {
    pub(crate) fn new(session: TlsSession) -> Tls {
        Tls {
            session,
            plain: vec![0; PLAIN_CHUNK].into_boxed_slice(),
        }
    }

    /// Starts the handshake: a client's hello goes out at once.
    #[cfg(test)]
    pub(crate) fn start(&mut self, io: &mut impl Io) -> Result<(), Fault> {
        self.session.start();
        self.input(&[], 0, io).map(|_| ())
    }

    pub(crate) fn is_established(&self) -> bool {
        self.session.state() == TlsState::Established
    }

    /// Queues close_notify.
    #[cfg(test)]
    pub(crate) fn close(&mut self, io: &mut impl Io) {
        self.session.close_notify();
        self.flush(io);
    }

    /// Hands the records the session produced to the transport.
    fn flush(&mut self, io: &mut impl Io) {
        if !self.session.output().is_empty() {
            io.transmit(self.session.output());
            self.session.clear_output();
        }
    }
}

impl Protocol for Tls {
    fn input(&mut self, data: &[u8], _now_ms: u32, io: &mut impl Io) -> Result<Status, Fault> {
        if self.session.state() == TlsState::Plain {
            // Not started: bytes pass as they are (HP-Socket's manual handshake mode).
            if !data.is_empty() {
                let _ = io.deliver(data);
            }
            return Ok(Status::Open);
        }
        self.session.feed(data);
        if self.session.state() == TlsState::Handshaking {
            let done = self.session.handshake();
            self.flush(io);
            if !done? {
                return Ok(Status::Open);
            }
            io.ready();
        }
        // Plaintext stays inside the session while the layer above does not take it.
        while io.accepting() {
            let plain = self.session.read_plain(&mut self.plain);
            self.flush(io);
            match plain? {
                Plain::Data(n) => {
                    if io.deliver(&self.plain[..n]).is_break() {
                        break;
                    }
                }
                Plain::NeedInput => break,
                Plain::Closed => return Ok(Status::Closed),
            }
        }
        Ok(Status::Open)
    }

    fn send(&mut self, parts: &[&[u8]], _now_ms: u32, io: &mut impl Io) -> Result<(), Fault> {
        let parts = parts.iter().copied();
        match self.session.state() {
            TlsState::Plain => {
                for part in parts.filter(|p| !p.is_empty()) {
                    io.transmit(part);
                }
            }
            // Kept and encrypted in order once the handshake completes.
            TlsState::Handshaking => self.session.hold(parts),
            TlsState::Established => {
                self.session.encrypt(parts)?;
                self.flush(io);
            }
        }
        Ok(())
    }
}
