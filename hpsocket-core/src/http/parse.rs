//! The sans-IO HTTP/1.x message parser: bytes in, [`Sink`] events out.
//!
//! It follows llhttp (HP-Socket's parser since 5.8.1) in what it accepts, in the order of its
//! events and in its error codes, so that `OnParseError` reports what HP-Socket reports. Heads are
//! parsed by `httparse` once complete (buffered up to [`Limits::max_head_bytes`]); bodies are
//! streamed to the sink, never buffered. The parser owns no socket and no clock: the connection
//! feeds what it read and acts on the returned [`Fed`].
//!
//! Strictness (llhttp's defaults, no lenient flags): lines end in CRLF (a bare LF is
//! `HPE_CR_EXPECTED`), obs-fold is rejected, a second `Content-Length` is rejected even with the
//! same value, `Content-Length` together with `Transfer-Encoding` is rejected, chunk sizes are bare
//! hex (no `0x`, no sign, no whitespace), and bytes after a message that does not keep the
//! connection alive are `HPE_CLOSED_CONNECTION`.

mod chunk;
mod head;
#[cfg(test)]
mod tests;

use chunk::{SizeLine, SizeStep};
use head::{Collector, HeadInfo, Scan};

pub use head::METHODS;

/// llhttp's `llhttp_errno` values (llhttp 9, `include/llhttp.h`): `OnParseError` carries them.
pub const HPE_OK: i32 = 0;
/// An internal inconsistency (never expected).
pub const HPE_INTERNAL: i32 = 1;
/// A strict-mode check failed (e.g. a bad byte after CR or in chunk extensions).
pub const HPE_STRICT: i32 = 2;
/// A CR was not followed by LF.
pub const HPE_LF_EXPECTED: i32 = 3;
/// A second `Content-Length` header.
pub const HPE_UNEXPECTED_CONTENT_LENGTH: i32 = 4;
/// Data after a message that closes the connection.
pub const HPE_CLOSED_CONNECTION: i32 = 5;
/// A request method outside llhttp's list.
pub const HPE_INVALID_METHOD: i32 = 6;
/// A bad request-target (also what callers report when [`super::url::parse_url`] refuses one).
pub const HPE_INVALID_URL: i32 = 7;
/// An unexpected constant (e.g. not `HTTP/`).
pub const HPE_INVALID_CONSTANT: i32 = 8;
/// A bad or unsupported HTTP version.
pub const HPE_INVALID_VERSION: i32 = 9;
/// A bad header name or value byte, or obs-fold.
pub const HPE_INVALID_HEADER_TOKEN: i32 = 10;
/// A bad, empty or overflowing `Content-Length`, or one after `Transfer-Encoding`.
pub const HPE_INVALID_CONTENT_LENGTH: i32 = 11;
/// A bad or overflowing chunk size.
pub const HPE_INVALID_CHUNK_SIZE: i32 = 12;
/// A bad response status code.
pub const HPE_INVALID_STATUS: i32 = 13;
/// The peer closed in the middle of a message.
pub const HPE_INVALID_EOF_STATE: i32 = 14;
/// A bad `Transfer-Encoding` (empty, with `Content-Length`, or not ending in chunked in a request).
pub const HPE_INVALID_TRANSFER_ENCODING: i32 = 15;
/// `on_message_begin` failed (kept for completeness: [`Sink`] has no such event).
pub const HPE_CB_MESSAGE_BEGIN: i32 = 16;
/// [`Sink::head`] returned [`HeadVerdict::Error`].
pub const HPE_CB_HEADERS_COMPLETE: i32 = 17;
/// [`Sink::message_complete`] returned [`Flow::Error`].
pub const HPE_CB_MESSAGE_COMPLETE: i32 = 18;
/// [`Sink::chunk_header`] returned [`Flow::Error`].
pub const HPE_CB_CHUNK_HEADER: i32 = 19;
/// [`Sink::chunk_complete`] returned [`Flow::Error`].
pub const HPE_CB_CHUNK_COMPLETE: i32 = 20;
/// llhttp's pause code ([`Fed::Paused`] here).
pub const HPE_PAUSED: i32 = 21;
/// llhttp's upgrade pause ([`Fed::Upgraded`] here; feeding after it fails with this code).
pub const HPE_PAUSED_UPGRADE: i32 = 22;
/// llhttp's HTTP/2 preface pause (never produced: `PRI` is refused as a method).
pub const HPE_PAUSED_H2_UPGRADE: i32 = 23;
/// A user error; llhttp reports a failing span callback (`on_body`) with it.
pub const HPE_USER: i32 = 24;
/// A LF was not preceded by CR.
pub const HPE_CR_EXPECTED: i32 = 25;
/// llhttp has no header-size limit and so no overflow code; like Node.js (which reports
/// `HPE_HEADER_OVERFLOW` through llhttp's user error) the head and trailer limits of [`Limits`]
/// report `HPE_USER` with the reason "Header overflow" or "Too many headers".
pub const HPE_HEADER_OVERFLOW: i32 = HPE_USER;

/// What the parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Requests (a server's parser).
    Request,
    /// Responses (an agent's or client's parser).
    Response,
}

/// How a message's body is delimited (RFC 9112 section 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body: a request without `Content-Length` or `Transfer-Encoding`, or a 1xx, 204 or 304
    /// response.
    None,
    /// `Content-Length: n` (n may be 0: no body bytes follow).
    Length(u64),
    /// `Transfer-Encoding` whose last coding is chunked.
    Chunked,
    /// A response without `Content-Length` and without chunked: the body ends when the peer closes.
    UntilClose,
}

/// A parsed head, valid during [`Sink::head`].
#[derive(Debug)]
pub struct Head<'a> {
    /// Request: the method token verbatim; response: "".
    pub method: &'a str,
    /// Request: the request-target verbatim; response: "".
    pub target: &'a str,
    /// Response: the status code; request: 0.
    pub status: u16,
    /// Response: the reason phrase (may be empty); request: "".
    pub reason: &'a str,
    /// `(1, 0)` or `(1, 1)`.
    pub version: (u8, u8),
    /// The header fields in wire order.
    pub headers: &'a [httparse::Header<'a>],
    /// How the body is delimited.
    pub framing: Framing,
    /// llhttp's `llhttp_should_keep_alive` for this message: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`, and never for an [`Framing::UntilClose`]
    /// response.
    pub keep_alive: bool,
    /// A request with `Connection: upgrade` and an `Upgrade` header, or any CONNECT request; a 101
    /// response with both headers.
    pub upgrade: bool,
}

/// What the sink wants after the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadVerdict {
    /// Read the body the head announces (an upgrade head upgrades once its body is read).
    Continue,
    /// The message has no body whatever the head says (a response to HEAD): it completes now.
    SkipBody,
    /// The bytes after this head belong to another protocol.
    Upgrade,
    /// Stop: the parser fails with `HPE_CB_HEADERS_COMPLETE`.
    Error,
}

/// What the sink wants after any other event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Return [`Fed::Paused`] now; the event counts as consumed.
    Pause,
    /// Stop: the parser fails with the event's llhttp callback error code.
    Error,
}

/// Receives a message's events, in llhttp's order: `head`, then for a chunked body
/// (`chunk_header`, `body`*, `chunk_complete`)* ending with the size-0 chunk's `chunk_header` and
/// `chunk_complete` (after the trailers), otherwise `body`*; then `message_complete`.
pub trait Sink {
    /// The head is complete.
    fn head(&mut self, head: &Head<'_>) -> HeadVerdict;
    /// Body bytes (de-chunked); an error here is `HPE_USER`, as for llhttp's span callbacks.
    fn body(&mut self, data: &[u8]) -> Flow;
    /// A chunk-size line: the size, and the text after `;` (trimmed), "" without extensions.
    fn chunk_header(&mut self, size: u64, extensions: &str) -> Flow;
    /// A chunk's data and CRLF (for the last chunk: its trailers) were read.
    fn chunk_complete(&mut self) -> Flow;
    /// The message is complete.
    fn message_complete(&mut self) -> Flow;
}

/// Why parsing stopped: llhttp's error number and a short text close to llhttp's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// One of the `HPE_*` constants.
    pub code: i32,
    /// Readable text for `OnParseError`.
    pub reason: &'static str,
}

impl ParseError {
    pub(crate) const fn new(code: i32, reason: &'static str) -> ParseError {
        ParseError { code, reason }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP parse error {}: {}", self.code, self.reason)
    }
}

impl std::error::Error for ParseError {}

/// What one [`Parser::feed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed {
    /// Every byte was consumed.
    Consumed,
    /// The sink paused after consuming `n` bytes of this feed; feed `data[n..]` again later.
    Paused(usize),
    /// The message's head asked for an upgrade (sink returned `Upgrade`, or `Continue` on an
    /// upgrade head): `data[n..]` belongs to the new protocol; the parser is finished for good
    /// (further feeds are errors).
    Upgraded(usize),
    /// A parse error or a sink `Error`; the parser is finished for good.
    Failed(ParseError),
}

/// Bounds on what the parser buffers: only heads and trailers are buffered.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest head (start line, headers and the empty line), and the largest trailer
    /// section and chunk-extension text. Default 80 KiB (llhttp-based servers' usual 80 KiB).
    pub max_head_bytes: usize,
    /// The most header (or trailer) fields in one message. Default 256.
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_head_bytes: 80 * 1024,
            max_headers: 256,
        }
    }
}

/// Where the parser is.
#[derive(Debug)]
enum State {
    /// Between messages: CR and LF are skipped as llhttp does.
    Idle,
    /// Collecting a head.
    Head,
    /// A `Content-Length` body with this much left.
    Body(u64),
    /// A body read until the peer closes.
    UntilClose,
    /// A chunk-size line.
    ChunkSize(SizeLine),
    /// Chunk data with this much left.
    ChunkData(u64),
    /// The CRLF after chunk data; `true` once the CR was seen.
    ChunkDataEnd(bool),
    /// Collecting the trailer section after the last chunk.
    Trailers,
    /// The body is complete: `message_complete` is next.
    Complete,
    /// After a message that does not keep the connection alive.
    Closed,
    /// After an upgrade.
    Upgraded,
    /// After an error.
    Failed(ParseError),
}

/// An incremental HTTP/1.x parser for one connection's direction.
pub struct Parser {
    kind: MessageKind,
    limits: Limits,
    state: State,
    collector: Collector,
    /// Recycled header storage for httparse (see `head::with_headers`).
    headers: Vec<httparse::Header<'static>>,
    /// The current message: keep the connection after it (llhttp's check after the message).
    keep_alive: bool,
    /// The current message upgrades once complete.
    upgrade: bool,
}

impl Parser {
    /// A parser for requests or responses.
    pub fn new(kind: MessageKind, limits: Limits) -> Parser {
        Parser {
            kind,
            limits,
            state: State::Idle,
            collector: Collector::default(),
            headers: Vec::new(),
            keep_alive: true,
            upgrade: false,
        }
    }

    /// Parses `data`, calling `sink` for each event, until the bytes end, the sink pauses, the
    /// message upgrades, or an error.
    pub fn feed(&mut self, data: &[u8], sink: &mut impl Sink) -> Fed {
        let mut pos = 0;
        loop {
            let step = match &mut self.state {
                State::Failed(e) => return Fed::Failed(*e),
                State::Upgraded => {
                    return Fed::Failed(ParseError::new(
                        HPE_PAUSED_UPGRADE,
                        "Pause on CONNECT/Upgrade",
                    ))
                }
                State::Complete => self.complete(sink),
                _ if pos == data.len() => return Fed::Consumed,
                State::Idle => {
                    match data[pos..].iter().position(|&b| b != b'\r' && b != b'\n') {
                        Some(skip) => {
                            pos += skip;
                            self.collector.start(0);
                            self.state = State::Head;
                        }
                        None => pos = data.len(),
                    }
                    Ok(())
                }
                State::Closed => match data[pos..].iter().position(|&b| b != b'\r' && b != b'\n') {
                    Some(_) => Err(ParseError::new(
                        HPE_CLOSED_CONNECTION,
                        "Data after `Connection: close`",
                    )),
                    None => {
                        pos = data.len();
                        Ok(())
                    }
                }
                .map_err(Stop::from),
                State::Head => self.head(data, &mut pos, sink),
                State::Body(left) => {
                    let n = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(data.len() - pos);
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = State::Complete;
                    }
                    pos += n;
                    flow(sink.body(&data[pos - n..pos]), HPE_USER, BODY_ERR)
                }
                State::UntilClose => {
                    let start = pos;
                    pos = data.len();
                    flow(sink.body(&data[start..]), HPE_USER, BODY_ERR)
                }
                State::ChunkSize(line) => {
                    let limit = self.limits.max_head_bytes;
                    match line.step(&data[pos..], limit) {
                        Err(e) => Err(e.into()),
                        Ok((used, SizeStep::More)) => {
                            pos += used;
                            Ok(())
                        }
                        Ok((used, SizeStep::Done)) => {
                            pos += used;
                            let size = line.size();
                            let r = sink.chunk_header(size, line.extensions());
                            if size == 0 {
                                self.collector.start(2);
                                self.state = State::Trailers;
                            } else {
                                self.state = State::ChunkData(size);
                            }
                            flow(r, HPE_CB_CHUNK_HEADER, "`on_chunk_header` callback error")
                        }
                    }
                }
                State::ChunkData(left) => {
                    let n = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(data.len() - pos);
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = State::ChunkDataEnd(false);
                    }
                    pos += n;
                    flow(sink.body(&data[pos - n..pos]), HPE_USER, BODY_ERR)
                }
                State::ChunkDataEnd(saw_cr) => {
                    let b = data[pos];
                    match (*saw_cr, b) {
                        (false, b'\r') => {
                            *saw_cr = true;
                            pos += 1;
                            Ok(())
                        }
                        (true, b'\n') => {
                            pos += 1;
                            self.state = State::ChunkSize(SizeLine::default());
                            flow(
                                sink.chunk_complete(),
                                HPE_CB_CHUNK_COMPLETE,
                                "`on_chunk_complete` callback error",
                            )
                        }
                        (false, b'\n') => Err(ParseError::new(
                            HPE_CR_EXPECTED,
                            "Missing expected CR after chunk data",
                        )
                        .into()),
                        _ => {
                            Err(ParseError::new(HPE_STRICT, "Expected LF after chunk data").into())
                        }
                    }
                }
                State::Trailers => self.trailers(data, &mut pos, sink),
            };
            match step {
                Ok(()) => {}
                Err(Stop::Pause) => return Fed::Paused(pos),
                Err(Stop::Upgrade) => return Fed::Upgraded(pos),
                Err(Stop::Fail(e)) => {
                    self.fail(e);
                    return Fed::Failed(e);
                }
            }
        }
    }

    /// The peer closed: completes an UntilClose body (message_complete); Ok when between
    /// messages; an error mid-message.
    pub fn finish(&mut self, sink: &mut impl Sink) -> Result<(), ParseError> {
        match &self.state {
            State::Idle | State::Closed | State::Upgraded => Ok(()),
            State::Failed(e) => Err(*e),
            State::UntilClose => {
                self.state = State::Closed;
                if sink.message_complete() == Flow::Error {
                    let e = ParseError::new(HPE_CB_MESSAGE_COMPLETE, MESSAGE_COMPLETE_ERR);
                    self.fail(e);
                    return Err(e);
                }
                Ok(())
            }
            _ => {
                let e = ParseError::new(HPE_INVALID_EOF_STATE, "Invalid EOF state");
                self.fail(e);
                Err(e)
            }
        }
    }

    /// Between messages (no partial head or body buffered): true before the first message, after
    /// a complete one (also one that closes the connection); false mid-message, after an upgrade
    /// and after an error.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle | State::Closed)
    }

    /// What the parser reads.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    fn fail(&mut self, e: ParseError) {
        self.state = State::Failed(e);
        self.collector.reset();
    }

    /// Collects head bytes and, once the head is complete, reports it and picks the body state.
    fn head(&mut self, data: &[u8], pos: &mut usize, sink: &mut impl Sink) -> Result<(), Stop> {
        let cap = self.limits.max_head_bytes;
        let max_headers = self.limits.max_headers;
        let kind = self.kind;
        let avail = &data[*pos..];
        let (scan, used) = self.collector.scan(avail, cap);
        let info = match scan {
            Scan::More => {
                self.collector.push(&avail[..used]);
                *pos += used;
                if kind == MessageKind::Request {
                    head::check_method(self.collector.buffered())?;
                }
                if let Some(w) = self.collector.due_check() {
                    head::check_head(kind, w, None, max_headers, &mut self.headers)?;
                }
                return Ok(());
            }
            Scan::Bad(bad) => {
                let w = self.collector.window(&avail[..used]);
                return Err(
                    head::check_head(kind, w, Some(bad), max_headers, &mut self.headers)
                        .err()
                        .unwrap_or(bad.error())
                        .into(),
                );
            }
            Scan::Overflow => {
                let w = self.collector.window(&avail[..used]);
                head::check_head(kind, w, None, max_headers, &mut self.headers)?;
                return Err(ParseError::new(HPE_HEADER_OVERFLOW, "Header overflow").into());
            }
            Scan::Complete => {
                let w = self.collector.window(&avail[..used]);
                *pos += used;
                let info = head::deliver(kind, w, max_headers, &mut self.headers, sink);
                self.collector.reset();
                info?
            }
        };
        self.begin_body(info)
    }

    /// Picks the state after a delivered head (llhttp's `llhttp__after_headers_complete`).
    fn begin_body(&mut self, info: HeadInfo) -> Result<(), Stop> {
        self.keep_alive = info.keep_alive_after();
        self.upgrade = info.upgrade;
        let has_body = match info.framing {
            Framing::Chunked => true,
            Framing::Length(n) => n > 0,
            _ => false,
        };
        // An upgrade without a body to read (or a CONNECT) completes at once and then upgrades;
        // an upgrade with a body upgrades after it (llhttp).
        let upgrade_now = info.upgrade && (info.connect || !has_body);
        self.state = if upgrade_now || info.skip_body {
            State::Complete
        } else {
            match info.framing {
                Framing::None | Framing::Length(0) => State::Complete,
                Framing::Length(n) => State::Body(n),
                Framing::Chunked => State::ChunkSize(SizeLine::default()),
                Framing::UntilClose => State::UntilClose,
            }
        };
        Ok(())
    }

    /// Collects the trailer section after the last chunk; its end completes the last chunk.
    fn trailers(&mut self, data: &[u8], pos: &mut usize, sink: &mut impl Sink) -> Result<(), Stop> {
        let cap = self.limits.max_head_bytes;
        let max_headers = self.limits.max_headers;
        let avail = &data[*pos..];
        let (scan, used) = self.collector.scan(avail, cap);
        match scan {
            Scan::More => {
                self.collector.push(&avail[..used]);
                *pos += used;
                if let Some(w) = self.collector.due_check() {
                    head::check_trailers(w, None, max_headers, &mut self.headers)?;
                }
                Ok(())
            }
            Scan::Bad(bad) => {
                let w = self.collector.window(&avail[..used]);
                Err(
                    head::check_trailers(w, Some(bad), max_headers, &mut self.headers)
                        .err()
                        .unwrap_or(bad.error())
                        .into(),
                )
            }
            Scan::Overflow => {
                let w = self.collector.window(&avail[..used]);
                head::check_trailers(w, None, max_headers, &mut self.headers)?;
                Err(ParseError::new(HPE_HEADER_OVERFLOW, "Header overflow").into())
            }
            Scan::Complete => {
                let w = self.collector.window(&avail[..used]);
                *pos += used;
                let r = head::check_trailers(w, None, max_headers, &mut self.headers);
                self.collector.reset();
                r?;
                self.state = State::Complete;
                flow(
                    sink.chunk_complete(),
                    HPE_CB_CHUNK_COMPLETE,
                    "`on_chunk_complete` callback error",
                )
            }
        }
    }

    /// Reports `message_complete` and moves to the next message, the closed state or the upgrade.
    fn complete(&mut self, sink: &mut impl Sink) -> Result<(), Stop> {
        let r = sink.message_complete();
        self.state = if self.upgrade {
            State::Upgraded
        } else if self.keep_alive {
            State::Idle
        } else {
            State::Closed
        };
        if r == Flow::Error {
            return Err(ParseError::new(HPE_CB_MESSAGE_COMPLETE, MESSAGE_COMPLETE_ERR).into());
        }
        if self.upgrade {
            return Err(Stop::Upgrade);
        }
        flow(r, HPE_CB_MESSAGE_COMPLETE, MESSAGE_COMPLETE_ERR)
    }
}

const BODY_ERR: &str = "Span callback error in on_body";
const MESSAGE_COMPLETE_ERR: &str = "`on_message_complete` callback error";

/// Why the feed loop stops before the bytes end.
#[derive(Debug)]
enum Stop {
    Pause,
    Upgrade,
    Fail(ParseError),
}

impl From<ParseError> for Stop {
    fn from(e: ParseError) -> Stop {
        Stop::Fail(e)
    }
}

/// A sink's [`Flow`] as the feed loop's step result.
fn flow(f: Flow, code: i32, reason: &'static str) -> Result<(), Stop> {
    match f {
        Flow::Continue => Ok(()),
        Flow::Pause => Err(Stop::Pause),
        Flow::Error => Err(Stop::Fail(ParseError::new(code, reason))),
    }
}
