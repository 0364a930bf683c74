//! Shared by the `http_request` and `http_response` targets: the HTTP/1.x parser
//! (`hpsocket_core::http::parse`) fed one input whole and then split at fuzzer-chosen points with
//! pauses at fuzzer-chosen events. Input layout:
//!   byte 0      seed of the splits and pauses
//!   byte 1      limits: max_head_bytes = 32 << (b & 7), max_headers = b >> 3
//!   byte 2      head policy: the sink's verdict is picked from it and the head
//!   the rest    wire bytes
//! Checked: no panic; the same events (body bytes merged), the same outcome (consumed, upgraded
//! with the same remaining bytes, or the same error) and the same `finish` result however the
//! bytes arrive; `Paused(n)`/`Upgraded(n)` within the feed; a failed or upgraded parser stays so.

use hpsocket_core::http::parse::{
    Fed, Flow, Head, HeadVerdict, Limits, MessageKind, ParseError, Parser, Sink,
};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    Head(String),
    Body(Vec<u8>),
    Chunk(u64, String),
    ChunkDone,
    Complete,
}

struct Rec {
    ev: Vec<Ev>,
    policy: u8,
    rng: Option<Rng>,
}

impl Rec {
    fn push(&mut self, e: Ev) -> Flow {
        match (self.ev.last_mut(), e) {
            (Some(Ev::Body(b)), Ev::Body(more)) => b.extend_from_slice(&more),
            (_, e) => self.ev.push(e),
        }
        match self.rng.as_mut().map(|r| r.next() % 3) {
            Some(0) => Flow::Pause,
            _ => Flow::Continue,
        }
    }
}

impl Sink for Rec {
    fn head(&mut self, h: &Head<'_>) -> HeadVerdict {
        assert!(h.version == (1, 0) || h.version == (1, 1));
        assert!(h.headers.len() <= 31);
        let text = format!(
            "{} {} {} {} {:?} {:?} {} {} {}",
            h.method, h.target, h.status, h.reason, h.version, h.framing, h.keep_alive, h.upgrade,
            h.headers.len()
        );
        self.ev.push(Ev::Head(text));
        // Deterministic in the head, so every run answers the same.
        let pick = self.policy.wrapping_add(h.headers.len() as u8).wrapping_add(h.status as u8);
        match pick % 8 {
            0 => HeadVerdict::SkipBody,
            1 => HeadVerdict::Upgrade,
            2 if self.policy & 0x80 != 0 => HeadVerdict::Error,
            _ => HeadVerdict::Continue,
        }
    }
    fn body(&mut self, data: &[u8]) -> Flow {
        assert!(!data.is_empty(), "empty body event");
        self.push(Ev::Body(data.to_vec()))
    }
    fn chunk_header(&mut self, size: u64, ext: &str) -> Flow {
        self.push(Ev::Chunk(size, ext.to_owned()))
    }
    fn chunk_complete(&mut self) -> Flow {
        self.push(Ev::ChunkDone)
    }
    fn message_complete(&mut self) -> Flow {
        self.push(Ev::Complete)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Consumed(Result<(), ParseError>),
    Upgraded(Vec<u8>),
    Failed(ParseError),
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64: deterministic per input, so a crash reproduces.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Feeds `wire` in pieces (all of it when `rng` is None), re-feeding after pauses.
fn feed_all(kind: MessageKind, limits: Limits, wire: &[u8], rec: &mut Rec, mut split: Option<Rng>) -> Outcome {
    let mut p = Parser::new(kind, limits);
    let mut at = 0;
    while at < wire.len() {
        let n = match &mut split {
            None => wire.len(),
            Some(r) => match r.next() % 4 {
                0 => 1,
                1 => (r.next() % 8) as usize,
                2 => (r.next() % 300) as usize,
                _ => wire.len() - at,
            },
        }
        .min(wire.len() - at);
        let mut piece = &wire[at..at + n];
        at += n;
        loop {
            match p.feed(piece, rec) {
                Fed::Consumed => break,
                Fed::Paused(k) => {
                    assert!(k <= piece.len());
                    piece = &piece[k..];
                }
                Fed::Upgraded(k) => {
                    assert!(k <= piece.len());
                    assert!(!p.is_idle());
                    let mut rest = piece[k..].to_vec();
                    rest.extend_from_slice(&wire[at..]);
                    assert!(matches!(p.feed(b"x", rec), Fed::Failed(_)));
                    return Outcome::Upgraded(rest);
                }
                Fed::Failed(e) => {
                    assert_eq!(p.feed(b"GET / HTTP/1.1\r\n\r\n", rec), Fed::Failed(e));
                    assert_eq!(p.finish(rec), Err(e));
                    return Outcome::Failed(e);
                }
            }
        }
    }
    let r = p.finish(rec);
    if r.is_ok() {
        assert!(p.is_idle());
    }
    Outcome::Consumed(r)
}

pub fn run(kind: MessageKind, data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let limits = Limits {
        max_head_bytes: 32 << (data[1] & 7),
        max_headers: usize::from(data[1] >> 3),
    };
    let policy = data[2];
    let wire = &data[3..];
    let mut whole = Rec { ev: Vec::new(), policy, rng: None };
    let expected = feed_all(kind, limits, wire, &mut whole, None);
    let mut split = Rec { ev: Vec::new(), policy, rng: Some(Rng(u64::from(data[0]) << 32 | 1)) };
    let got = feed_all(kind, limits, wire, &mut split, Some(Rng(u64::from(data[0]))));
    assert_eq!(split.ev, whole.ev, "events differ with the split");
    assert_eq!(got, expected, "outcome differs with the split");
}
