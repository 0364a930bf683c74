//! Protocol layers, sans-IO, in the shape of quinn-proto, rustls and h11: bytes from below go
//! in with [`Protocol::input`], whole units go up through [`Io::deliver`], a send is framed by
//! [`Protocol::send`] into bytes for below ([`Io::transmit`]), and a layer with timers says
//! when it next needs the clock ([`Protocol::poll_timeout`]) and acts on it
//! ([`Protocol::handle_timeout`]). No layer touches a socket, a thread or the real clock, so
//! the same code runs under a worker and under the in-memory pair harness (`pair.rs`), which
//! drives two endpoints through loss, reordering, duplication, arbitrary splits and timer
//! edges deterministically.
//!
//! A connection is transport x security x protocol: [`Raw`] (PUSH and PULL: bytes as they
//! come; the two differ only in how the application takes them) and [`Pack`] (HP-Socket's
//! frames) over a stream, [`Tls`] as the security layer under either, [`Arq`] (KCP with
//! HP-Socket's handshake) over datagrams; [`Stack`] puts one layer on another. The HTTP
//! parser (`http/session.rs`) and the WebSocket assembler (`http/ws_mode.rs`) are sans-IO
//! with their own richer event sinks.

// The worker runs PACK and TLS through their layers (TLS a step at a time: see
// `reactor/worker/tls.rs`), writes PUSH and PULL out in place (the hot path: see
// `deliver_at`), and drives ARQ sessions itself (it flushes acks once per read batch and
// ticks all its sessions from one timer); `Arq`, `Raw` and `Stack` put the same sessions in
// the harness's hands, and PACK over TLS on one stack, so they are built for tests only.
#[cfg(test)]
mod arq;
mod pack;
#[cfg(test)]
mod raw;
#[cfg(test)]
mod stack;
mod tls;

#[cfg(test)]
mod pair;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) use arq::Arq;
pub(crate) use pack::Pack;
#[cfg(test)]
pub(crate) use raw::Raw;
#[cfg(test)]
pub(crate) use stack::Stack;
pub(crate) use tls::Tls;

use std::ops::ControlFlow;

/// Why a layer gave up: the errno the connection closes with (`OnClose`'s code) and a
/// sentence for the last error. The connection must close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) code: i32,
    pub(crate) message: String,
}

impl Fault {
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Fault {
        Fault {
            code,
            message: message.into(),
        }
    }
}

/// What the peer's input left the layer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// More may come.
    Open,
    /// The peer ended the stream at this layer (TLS close_notify).
    Closed,
}

/// A layer's two neighbours: the layer or application above, which takes whole units, and
/// the transport below, which takes bytes (a stream) or datagrams (one call, one datagram).
pub(crate) trait Io {
    /// Whether the layer above takes units now. A layer that can keep what it has not
    /// delivered (PACK's frames, TLS's plaintext inside the session) asks before each unit
    /// and stops at a unit boundary while this is false (a paused receive, a closing
    /// connection); [`Raw`] hands over what it was given regardless, as PUSH does.
    fn accepting(&self) -> bool {
        true
    }

    /// One unit for the layer above: a PUSH read, a PACK frame body, TLS plaintext, an ARQ
    /// message. `Break`: the unit was taken but nothing more is wanted (the application
    /// failed the connection).
    fn deliver(&mut self, data: &[u8]) -> ControlFlow<()>;

    /// Bytes for the transport: a piece of a stream, or one whole datagram.
    fn transmit(&mut self, data: &[u8]);

    /// The layer's handshake completed (TLS, ARQ): the connection may send.
    fn ready(&mut self) {}
}

/// One protocol layer of one connection.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) trait Protocol {
    /// Bytes received from below (an empty slice: deliver what is held, after a pause).
    /// `now_ms` is the caller's clock; layers without timers ignore it.
    fn input(&mut self, data: &[u8], now_ms: u32, io: &mut impl Io) -> Result<Status, Fault>;

    /// Frames one outgoing message given in parts and hands the result to `io.transmit`.
    fn send(&mut self, parts: &[&[u8]], now_ms: u32, io: &mut impl Io) -> Result<(), Fault>;

    /// When the layer next needs [`Protocol::handle_timeout`], on the caller's clock.
    fn poll_timeout(&self) -> Option<u32> {
        None
    }

    /// The clock reached (or passed) the time [`Protocol::poll_timeout`] gave; calling it
    /// early does nothing that was not due.
    fn handle_timeout(&mut self, _now_ms: u32, _io: &mut impl Io) -> Result<(), Fault> {
        Ok(())
    }
}

/// Whether `now` is at or past `deadline` on a wrapping millisecond clock (HP-Socket's
/// 32-bit tick count).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn due(deadline: u32, now: u32) -> bool {
    (now.wrapping_sub(deadline) as i32) >= 0
}
