//! TLS as a layer: ciphertext in, plaintext up, records down. The session is
//! [`TlsSession`] (OpenSSL over memory). A worker drives its connections' sessions through
//! this layer too, borrowing the session under its lock and a plaintext buffer of its own for
//! one step at a time (`reactor/worker/tls.rs`): other threads encrypt their sends under the
//! same lock, so the worker takes one unit of plaintext per step and hands it to the
//! application after unlocking. The harness owns both ([`Tls::new`]).

use std::borrow::BorrowMut;

use super::{Fault, Io, Protocol, Status};
use crate::ssl::session::{Plain, TlsFailure, TlsSession, TlsState};

/// Largest plaintext taken from the session at once: one TLS record.
#[cfg(test)]
const PLAIN_CHUNK: usize = 16 * 1024;

/// One connection's TLS layer: its session `S` and the buffer `B` plaintext is read into
/// (owned, or borrowed for one step).
pub(crate) struct Tls<S, B> {
    session: S,
    plain: B,
}

impl From<TlsFailure> for Fault {
    fn from(f: TlsFailure) -> Fault {
        Fault::new(f.code, f.message)
    }
}

#[cfg(test)]
impl Tls<TlsSession, Box<[u8]>> {
    /// A layer owning its session and buffer (the harness's).
    pub(crate) fn new(session: TlsSession) -> Self {
        Tls {
            session,
            plain: vec![0; PLAIN_CHUNK].into_boxed_slice(),
        }
    }
}

impl<'a> Tls<&'a mut TlsSession, &'a mut [u8]> {
    /// A layer over a session borrowed for one step, reading plaintext into `plain` (a
    /// delivered unit is always a prefix of it).
    pub(crate) fn borrowed(session: &'a mut TlsSession, plain: &'a mut [u8]) -> Self {
        Tls { session, plain }
    }
}

impl<S: BorrowMut<TlsSession>, B: BorrowMut<[u8]>> Tls<S, B> {
    fn session(&mut self) -> &mut TlsSession {
        self.session.borrow_mut()
    }

    /// Starts the handshake: a client's hello goes out at once.
    #[cfg(test)]
    pub(crate) fn start(&mut self, io: &mut impl Io) -> Result<(), Fault> {
        self.session().start();
        self.input(&[], 0, io).map(|_| ())
    }

    #[cfg(test)]
    pub(crate) fn is_established(&self) -> bool {
        self.session.borrow().state() == TlsState::Established
    }

    /// Queues close_notify.
    #[cfg(test)]
    pub(crate) fn close(&mut self, io: &mut impl Io) {
        self.session().close_notify();
        self.flush(io);
    }

    /// Hands the records the session produced to the transport.
    fn flush(&mut self, io: &mut impl Io) {
        let session = self.session();
        if !session.output().is_empty() {
            io.transmit(session.output());
            session.clear_output();
        }
    }
}

impl<S: BorrowMut<TlsSession>, B: BorrowMut<[u8]>> Protocol for Tls<S, B> {
    fn input(&mut self, data: &[u8], _now_ms: u32, io: &mut impl Io) -> Result<Status, Fault> {
        if self.session().state() == TlsState::Plain {
            // Not started: bytes pass as they are (HP-Socket's manual handshake mode).
            if !data.is_empty() {
                let _ = io.deliver(data);
            }
            return Ok(Status::Open);
        }
        self.session().feed(data);
        if self.session().state() == TlsState::Handshaking {
            let done = self.session().handshake();
            // Alerts go out before the failure is reported.
            self.flush(io);
            if !done? {
                return Ok(Status::Open);
            }
            io.ready();
        }
        // Plaintext stays inside the session while the layer above does not take it.
        while io.accepting() {
            let plain = self
                .session
                .borrow_mut()
                .read_plain(self.plain.borrow_mut());
            self.flush(io);
            match plain? {
                Plain::Data(n) => {
                    if io.deliver(&self.plain.borrow()[..n]).is_break() {
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
        match self.session().state() {
            TlsState::Plain => {
                for part in parts.filter(|p| !p.is_empty()) {
                    io.transmit(part);
                }
            }
            // Kept and encrypted in order once the handshake completes.
            TlsState::Handshaking => self.session().hold(parts),
            TlsState::Established => {
                self.session().encrypt(parts)?;
                self.flush(io);
            }
        }
        Ok(())
    }
}
