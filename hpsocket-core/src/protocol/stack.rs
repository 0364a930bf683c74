//! One layer on another: a protocol over a security layer (PACK over TLS), or any two layers
//! where the lower one's deliveries are the upper one's input and the upper one's sends go
//! out through the lower one.

use std::ops::ControlFlow;

use super::{due, Fault, Io, Protocol, Status};

/// `upper` over `lower`.
pub(crate) struct Stack<L, U> {
    pub(crate) lower: L,
    pub(crate) upper: U,
    /// Bytes the upper layer sent while the lower one was inside its own `input` (an answer
    /// to what it just delivered): sent through the lower layer as soon as it returns.
    deferred: Vec<u8>,
    /// What the upper layer sends, gathered so one send of it is one send of the lower one.
    framed: Vec<u8>,
}

impl<L: Protocol, U: Protocol> Stack<L, U> {
    pub(crate) fn new(lower: L, upper: U) -> Stack<L, U> {
        Stack {
            lower,
            upper,
            deferred: Vec::new(),
            framed: Vec::new(),
        }
    }
}

impl<L: Protocol, U: Protocol> Protocol for Stack<L, U> {
    fn input(&mut self, data: &[u8], now_ms: u32, io: &mut impl Io) -> Result<Status, Fault> {
        let mut fault = None;
        let mut upward = Upward {
            upper: &mut self.upper,
            io: &mut *io,
            now_ms,
            deferred: &mut self.deferred,
            fault: &mut fault,
        };
        let status = self.lower.input(data, now_ms, &mut upward)?;
        if let Some(f) = fault {
            return Err(f);
        }
        if !self.deferred.is_empty() {
            let answer = std::mem::take(&mut self.deferred);
            self.lower.send(&[&answer], now_ms, io)?;
            self.deferred = answer;
            self.deferred.clear();
        }
        Ok(status)
    }

    fn send(&mut self, parts: &[&[u8]], now_ms: u32, io: &mut impl Io) -> Result<(), Fault> {
        self.framed.clear();
        self.upper
            .send(parts, now_ms, &mut Gather(&mut self.framed))?;
        if self.framed.is_empty() {
            return Ok(());
        }
        self.lower.send(&[&self.framed], now_ms, io)
    }

    fn poll_timeout(&self) -> Option<u32> {
        match (self.lower.poll_timeout(), self.upper.poll_timeout()) {
            (Some(a), Some(b)) => Some(if due(a, b) { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    fn handle_timeout(&mut self, now_ms: u32, io: &mut impl Io) -> Result<(), Fault> {
        self.lower.handle_timeout(now_ms, io)?;
        self.framed.clear();
        self.upper
            .handle_timeout(now_ms, &mut Gather(&mut self.framed))?;
        if self.framed.is_empty() {
            return Ok(());
        }
        self.lower.send(&[&self.framed], now_ms, io)
    }
}

/// The lower layer's view of what is above it: its deliveries are the upper layer's input.
struct Upward<'a, U, I> {
    upper: &'a mut U,
    io: &'a mut I,
    now_ms: u32,
    deferred: &'a mut Vec<u8>,
    fault: &'a mut Option<Fault>,
}

impl<U: Protocol, I: Io> Io for Upward<'_, U, I> {
    fn accepting(&self) -> bool {
        self.io.accepting()
    }

    fn deliver(&mut self, data: &[u8]) -> ControlFlow<()> {
        let mut inner = Inner {
            io: &mut *self.io,
            deferred: &mut *self.deferred,
            failed: false,
        };
        match self.upper.input(data, self.now_ms, &mut inner) {
            Ok(_) if inner.failed => ControlFlow::Break(()),
            Ok(_) => ControlFlow::Continue(()),
            Err(f) => {
                *self.fault = Some(f);
                ControlFlow::Break(())
            }
        }
    }

    fn transmit(&mut self, data: &[u8]) {
        self.io.transmit(data);
    }

    fn ready(&mut self) {
        self.io.ready();
    }
}

/// The upper layer's view while the lower one is delivering to it.
struct Inner<'a, I> {
    io: &'a mut I,
    deferred: &'a mut Vec<u8>,
    /// The application failed the connection.
    failed: bool,
}

impl<I: Io> Io for Inner<'_, I> {
    fn accepting(&self) -> bool {
        self.io.accepting()
    }

    fn deliver(&mut self, data: &[u8]) -> ControlFlow<()> {
        let flow = self.io.deliver(data);
        self.failed |= flow.is_break();
        flow
    }

    fn transmit(&mut self, data: &[u8]) {
        self.deferred.extend_from_slice(data);
    }

    fn ready(&mut self) {
        self.io.ready();
    }
}

/// Collects what a layer transmits.
struct Gather<'a>(&'a mut Vec<u8>);

impl Io for Gather<'_> {
    fn deliver(&mut self, _data: &[u8]) -> ControlFlow<()> {
        // Sending and timers only produce output.
        ControlFlow::Continue(())
    }

    fn transmit(&mut self, data: &[u8]) {
        self.0.extend_from_slice(data);
    }
}
