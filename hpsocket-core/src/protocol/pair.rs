//! The in-memory pair harness: two endpoints, each one protocol layer (or a [`Stack`] of
//! them), joined by a simulated link on a simulated clock. A stream link keeps order but
//! splits and coalesces bytes at random; a datagram link loses, duplicates and delays each
//! datagram on its own, so jitter reorders them. Everything follows from one seed: a
//! failing case replays exactly. Nothing here touches a socket or the real clock.
//!
//! [`Stack`]: super::Stack

use std::collections::VecDeque;
use std::ops::ControlFlow;

use super::{due, Fault, Io, Protocol, Status};

/// What the link does to what passes it. Rates are per mille.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Link {
    /// Datagrams: each `transmit` arrives as one input (or not at all). Streams: bytes in
    /// order, re-cut into inputs of 1..=`max_chunk` bytes (0: as many as have arrived).
    pub(crate) datagrams: bool,
    pub(crate) max_chunk: usize,
    pub(crate) loss: u32,
    pub(crate) duplicate: u32,
    /// Every datagram or byte run takes `delay_ms` plus up to `jitter_ms` (datagrams only:
    /// a stream never reorders).
    pub(crate) delay_ms: u32,
    pub(crate) jitter_ms: u32,
}

impl Link {
    /// An in-order byte stream, cut into inputs of at most `max_chunk` bytes.
    pub(crate) fn stream(max_chunk: usize) -> Link {
        Link {
            max_chunk,
            delay_ms: 1,
            ..Link::default()
        }
    }

    /// A datagram path with loss, duplication and jitter (which reorders).
    pub(crate) fn lossy(loss: u32, duplicate: u32, delay_ms: u32, jitter_ms: u32) -> Link {
        Link {
            datagrams: true,
            loss,
            duplicate,
            delay_ms,
            jitter_ms,
            ..Link::default()
        }
    }
}

/// xorshift64*: small, fast, and the same on every machine.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn per_mille(&mut self, rate: u32) -> bool {
        self.below(1000) < rate as u64
    }
}

/// One side of the pair: its layer and what the layer did.
pub(crate) struct Endpoint<P> {
    pub(crate) layer: P,
    /// Units delivered up, in order.
    pub(crate) got: Vec<Vec<u8>>,
    /// The layer reported its handshake complete.
    pub(crate) ready: bool,
    /// The peer closed the stream at this layer.
    pub(crate) closed: bool,
    /// The layer failed; the endpoint takes no more input.
    pub(crate) fault: Option<Fault>,
    /// What the application above says to `Io::accepting` (a paused receive: false).
    pub(crate) accepting: bool,
    /// Outputs not yet on the link.
    out: Vec<Vec<u8>>,
}

impl<P: Protocol> Endpoint<P> {
    fn new(layer: P) -> Endpoint<P> {
        Endpoint {
            layer,
            got: Vec::new(),
            ready: false,
            closed: false,
            fault: None,
            accepting: true,
            out: Vec::new(),
        }
    }

    /// Runs `f` with the layer and this endpoint's `Io`.
    pub(crate) fn with<R>(&mut self, f: impl FnOnce(&mut P, &mut EndIo<'_>) -> R) -> R {
        let mut io = EndIo {
            got: &mut self.got,
            ready: &mut self.ready,
            accepting: self.accepting,
            out: &mut self.out,
        };
        f(&mut self.layer, &mut io)
    }

    /// One message from the application.
    pub(crate) fn send(&mut self, parts: &[&[u8]], now_ms: u32) -> Result<(), Fault> {
        self.with(|layer, io| layer.send(parts, now_ms, io))
    }

    /// Feeds input (empty: hand over what is held, as a worker does on resume).
    pub(crate) fn input(&mut self, data: &[u8], now_ms: u32) {
        if self.fault.is_some() {
            return;
        }
        match self.with(|layer, io| layer.input(data, now_ms, io)) {
            Ok(Status::Open) => {}
            Ok(Status::Closed) => self.closed = true,
            Err(f) => self.fault = Some(f),
        }
    }

    fn tick(&mut self, now_ms: u32) {
        if self.fault.is_some() {
            return;
        }
        if self.layer.poll_timeout().is_some_and(|t| due(t, now_ms)) {
            if let Err(f) = self.with(|layer, io| layer.handle_timeout(now_ms, io)) {
                self.fault = Some(f);
            }
        }
    }

    /// Everything delivered, joined (for stream layers, where unit boundaries are the
    /// link's, not the sender's).
    pub(crate) fn bytes(&self) -> Vec<u8> {
        self.got.concat()
    }
}

/// An endpoint's `Io`: deliveries are recorded, transmits wait for the link.
pub(crate) struct EndIo<'a> {
    got: &'a mut Vec<Vec<u8>>,
    ready: &'a mut bool,
    accepting: bool,
    out: &'a mut Vec<Vec<u8>>,
}

impl Io for EndIo<'_> {
    fn accepting(&self) -> bool {
        self.accepting
    }

    fn deliver(&mut self, data: &[u8]) -> ControlFlow<()> {
        self.got.push(data.to_vec());
        ControlFlow::Continue(())
    }

    fn transmit(&mut self, data: &[u8]) {
        self.out.push(data.to_vec());
    }

    fn ready(&mut self) {
        *self.ready = true;
    }
}

/// Bytes or a datagram on its way, arriving at `at`.
struct Flight {
    at: u32,
    bytes: Vec<u8>,
}

/// Two endpoints, a link each way, a clock.
pub(crate) struct Pair<A, B> {
    pub(crate) a: Endpoint<A>,
    pub(crate) b: Endpoint<B>,
    pub(crate) now: u32,
    link: Link,
    rng: Rng,
    to_a: VecDeque<Flight>,
    to_b: VecDeque<Flight>,
    /// Datagrams or bytes that reached each side, lost ones not counted.
    pub(crate) carried: [usize; 2],
}

impl<A: Protocol, B: Protocol> Pair<A, B> {
    /// `a` and `b` joined by `link`, the clock at `start_ms`, faults drawn from `seed`.
    pub(crate) fn new(a: A, b: B, link: Link, seed: u64, start_ms: u32) -> Pair<A, B> {
        Pair {
            a: Endpoint::new(a),
            b: Endpoint::new(b),
            now: start_ms,
            link,
            rng: Rng::new(seed),
            to_a: VecDeque::new(),
            to_b: VecDeque::new(),
            carried: [0; 2],
        }
    }

    /// Puts what both sides transmitted on the link.
    fn launch(&mut self) {
        let (link, now) = (self.link, self.now);
        for (out, queue) in [
            (&mut self.a.out, &mut self.to_b),
            (&mut self.b.out, &mut self.to_a),
        ] {
            for bytes in out.drain(..) {
                if !link.datagrams {
                    let at = now.wrapping_add(link.delay_ms);
                    queue.push_back(Flight { at, bytes });
                    continue;
                }
                if self.rng.per_mille(link.loss) {
                    continue;
                }
                let copies = if self.rng.per_mille(link.duplicate) {
                    2
                } else {
                    1
                };
                for _ in 0..copies {
                    let jitter = self.rng.below(link.jitter_ms as u64 + 1) as u32;
                    let at = now.wrapping_add(link.delay_ms + jitter);
                    // Kept in arrival order: jitter lets a later datagram pass an earlier one.
                    let i = queue.partition_point(|f| !due(at.wrapping_add(1), f.at));
                    queue.insert(
                        i,
                        Flight {
                            at,
                            bytes: bytes.clone(),
                        },
                    );
                }
            }
        }
    }

    /// Delivers what has arrived by now to each side.
    fn arrive(&mut self) {
        let now = self.now;
        let link = self.link;
        let (a_side, b_side) = (&mut self.a, &mut self.b);
        let [carried_a, carried_b] = &mut self.carried;
        for (queue, carried, to_b) in [
            (&mut self.to_b, carried_b, true),
            (&mut self.to_a, carried_a, false),
        ] {
            let mut arrived = Vec::new();
            while queue.front().is_some_and(|f| due(f.at, now)) {
                arrived.push(queue.pop_front().unwrap().bytes);
            }
            if arrived.is_empty() {
                continue;
            }
            *carried += arrived.len();
            let inputs: Vec<Vec<u8>> = if link.datagrams {
                arrived
            } else {
                // A stream: what arrived together is one run of bytes, re-cut at random.
                let run = arrived.concat();
                let mut cuts = Vec::new();
                let mut at = 0;
                while at < run.len() {
                    let max = if link.max_chunk == 0 {
                        run.len() - at
                    } else {
                        link.max_chunk.min(run.len() - at)
                    };
                    let n = 1 + self.rng.below(max as u64) as usize;
                    cuts.push(run[at..at + n].to_vec());
                    at += n;
                }
                cuts
            };
            for input in inputs {
                if to_b {
                    b_side.input(&input, now);
                } else {
                    a_side.input(&input, now);
                }
            }
        }
    }

    /// One millisecond: what is on its way arrives, due timers fire, outputs leave.
    pub(crate) fn step(&mut self) {
        self.launch();
        self.now = self.now.wrapping_add(1);
        self.arrive();
        let now = self.now;
        self.a.tick(now);
        self.b.tick(now);
        self.launch();
    }

    /// Steps until `done` holds (true) or `limit_ms` pass (false).
    pub(crate) fn run_until(&mut self, limit_ms: u32, mut done: impl FnMut(&Self) -> bool) -> bool {
        for _ in 0..limit_ms {
            if done(self) {
                return true;
            }
            self.step();
        }
        done(self)
    }

    /// Nothing is on its way in either direction.
    pub(crate) fn idle(&self) -> bool {
        self.to_a.is_empty()
            && self.to_b.is_empty()
            && self.a.out.is_empty()
            && self.b.out.is_empty()
    }
}
