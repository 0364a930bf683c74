//! Heads and trailer sections: collecting their bytes (bounded), checking them with httparse
//! (the first error in byte order, whatever the split), and reading the framing headers.

use httparse::{Header, Status, EMPTY_HEADER};

use super::{
    Framing, Head, HeadVerdict, MessageKind, ParseError, Sink, HPE_CB_HEADERS_COMPLETE,
    HPE_CR_EXPECTED, HPE_HEADER_OVERFLOW, HPE_INTERNAL, HPE_INVALID_CONTENT_LENGTH,
    HPE_INVALID_HEADER_TOKEN, HPE_INVALID_METHOD, HPE_INVALID_STATUS,
    HPE_INVALID_TRANSFER_ENCODING, HPE_INVALID_URL, HPE_INVALID_VERSION, HPE_LF_EXPECTED,
    HPE_STRICT, HPE_UNEXPECTED_CONTENT_LENGTH,
};

/// The request methods llhttp accepts (its `HTTP_METHOD_MAP` plus QUERY); any other is
/// `HPE_INVALID_METHOD`, as in HP-Socket.
pub const METHODS: &[&str] = &[
    "DELETE",
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "CONNECT",
    "OPTIONS",
    "TRACE",
    "COPY",
    "LOCK",
    "MKCOL",
    "MOVE",
    "PROPFIND",
    "PROPPATCH",
    "SEARCH",
    "UNLOCK",
    "BIND",
    "REBIND",
    "UNBIND",
    "ACL",
    "REPORT",
    "MKACTIVITY",
    "CHECKOUT",
    "MERGE",
    "M-SEARCH",
    "NOTIFY",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "PATCH",
    "PURGE",
    "MKCALENDAR",
    "LINK",
    "UNLINK",
    "SOURCE",
    "QUERY",
];

/// A line-ending fault found while scanning, before httparse looks at the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bad {
    /// A LF without CR before it (the LF is not part of the window).
    BareLf,
    /// A CR followed by something other than LF (that byte is the window's last).
    LoneCr,
}

impl Bad {
    /// The error when httparse finds nothing earlier.
    pub(super) fn error(self) -> ParseError {
        match self {
            Bad::BareLf => ParseError::new(HPE_CR_EXPECTED, "Missing expected CR before LF"),
            Bad::LoneCr => ParseError::new(HPE_LF_EXPECTED, "Missing expected LF after CR"),
        }
    }
}

/// What scanning new bytes found; the `usize` returned beside it is how many bytes belong to
/// the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scan {
    /// No end yet: all bytes (up to the limit) belong to the block.
    More,
    /// The block ends (CRLF CRLF) within the bytes.
    Complete,
    /// A line-ending fault.
    Bad(Bad),
    /// The block would pass the limit.
    Overflow,
}

/// The bytes of a head or trailer section received so far (empty while the block arrives in one
/// piece: then httparse reads the caller's bytes directly).
#[derive(Debug, Default)]
pub(super) struct Collector {
    buf: Vec<u8>,
    /// CRLF CRLF progress: 0 none, 1 CR, 2 CRLF, 3 CRLF CR.
    crlf: u8,
    /// The next check point of the partial block (see `due_check`).
    next_check: usize,
}

impl Collector {
    /// Starts a block; `crlf` 2 for a trailer section (it follows the last chunk's CRLF).
    pub(super) fn start(&mut self, crlf: u8) {
        self.buf.clear();
        self.crlf = crlf;
        self.next_check = 0;
    }

    /// Forgets the block; a large buffer is released so one big head does not pin memory.
    pub(super) fn reset(&mut self) {
        self.buf.clear();
        if self.buf.capacity() > 16 * 1024 {
            self.buf = Vec::new();
        }
        self.crlf = 0;
        self.next_check = 0;
    }

    /// Scans `avail` (the feed's unread bytes) for the end of the block within `cap` bytes.
    pub(super) fn scan(&mut self, avail: &[u8], cap: usize) -> (Scan, usize) {
        let room = cap.saturating_sub(self.buf.len());
        let look = &avail[..avail.len().min(room)];
        let mut i = 0;
        while i < look.len() {
            let b = look[i];
            if self.crlf == 1 || self.crlf == 3 {
                match b {
                    b'\n' if self.crlf == 3 => return (Scan::Complete, i + 1),
                    b'\n' => self.crlf = 2,
                    _ => return (Scan::Bad(Bad::LoneCr), i + 1),
                }
                i += 1;
                continue;
            }
            match look[i..].iter().position(|&c| c == b'\r' || c == b'\n') {
                None => {
                    self.crlf = 0;
                    i = look.len();
                }
                Some(skip) => {
                    if skip > 0 {
                        self.crlf = 0;
                    }
                    i += skip;
                    if look[i] == b'\n' {
                        return (Scan::Bad(Bad::BareLf), i);
                    }
                    self.crlf += 1;
                    i += 1;
                }
            }
        }
        if avail.len() > look.len() {
            (Scan::Overflow, look.len())
        } else {
            (Scan::More, look.len())
        }
    }

    /// The bytes kept so far.
    pub(super) fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Keeps bytes of an incomplete block.
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The whole block so far with `tail` after it, without copying when nothing was buffered.
    pub(super) fn window<'s>(&'s mut self, tail: &'s [u8]) -> &'s [u8] {
        if self.buf.is_empty() {
            tail
        } else {
            self.buf.extend_from_slice(tail);
            &self.buf
        }
    }

    /// The buffered partial block, cut at the largest check point (64, 128, 256... bytes) it
    /// passed since the last check. Checking prefixes of fixed lengths finds errors early at
    /// linear total cost, and finds the same ones however the bytes were split.
    pub(super) fn due_check(&mut self) -> Option<&[u8]> {
        let len = self.buf.len();
        let mut t = self.next_check.max(64);
        if len < t {
            return None;
        }
        while t.saturating_mul(2) <= len {
            t *= 2;
        }
        self.next_check = t.saturating_mul(2);
        Some(&self.buf[..t])
    }
}

/// Header storage for httparse, kept between messages: the allocation is reused through the
/// in-place `collect` of a `Vec` whose element type only differs in lifetime.
pub(super) fn recycle<'x, 'y>(v: Vec<Header<'x>>, n: usize) -> Vec<Header<'y>> {
    let mut v: Vec<Header<'y>> = v.into_iter().map(|_| EMPTY_HEADER).collect();
    v.resize(n, EMPTY_HEADER);
    v
}

/// The header slots a parse starts with. Most heads have far fewer headers than the limit
/// (256 by default), and every slot is written before and after each parse: starting with all
/// of them cost a fifth of a small request's instructions. A head with more headers is parsed
/// again with `max_headers` slots, so the limit and its error are unchanged.
const FIRST_HEADER_SLOTS: usize = 32;

/// The slots to try after `tried` slots were too few, or `None` when that was the limit.
fn more_slots(tried: usize, max_headers: usize) -> Option<usize> {
    (tried < max_headers).then_some(max_headers)
}

/// Finds the first error of a (partial or complete) head window, in byte order.
pub(super) fn check_head(
    kind: MessageKind,
    w: &[u8],
    bad: Option<Bad>,
    max_headers: usize,
    store: &mut Vec<Header<'static>>,
) -> Result<(), ParseError> {
    if kind == MessageKind::Request {
        check_method(w)?;
    }
    let mut slots = FIRST_HEADER_SLOTS.min(max_headers);
    let r = loop {
        let mut hs = recycle(std::mem::take(store), slots);
        let r = match kind {
            MessageKind::Request => httparse::Request::new(&mut hs).parse(w).map(|_| ()),
            MessageKind::Response => httparse::Response::new(&mut hs).parse(w).map(|_| ()),
        };
        *store = recycle(hs, 0);
        match (r, more_slots(slots, max_headers)) {
            (Err(httparse::Error::TooManyHeaders), Some(more)) => slots = more,
            (r, _) => break r,
        }
    };
    r.map_err(|e| map_error(kind, w, e))?;
    bad.map_or(Ok(()), |b| Err(b.error()))
}

/// Finds the first error of a (partial or complete) trailer section.
pub(super) fn check_trailers(
    w: &[u8],
    bad: Option<Bad>,
    max_headers: usize,
    store: &mut Vec<Header<'static>>,
) -> Result<(), ParseError> {
    let mut slots = FIRST_HEADER_SLOTS.min(max_headers);
    let r = loop {
        let mut hs = recycle(std::mem::take(store), slots);
        let r = httparse::parse_headers(w, &mut hs).map(|_| ());
        *store = recycle(hs, 0);
        match (r, more_slots(slots, max_headers)) {
            (Err(httparse::Error::TooManyHeaders), Some(more)) => slots = more,
            (r, _) => break r,
        }
    };
    r.map_err(|e| map_error(MessageKind::Response, w, e))?;
    bad.map_or(Ok(()), |b| Err(b.error()))
}

/// A request's method, checked as soon as its bytes arrive (llhttp refuses at the first byte
/// that no method continues with). Looks at 16 bytes at most: no method is longer.
pub(super) fn check_method(w: &[u8]) -> Result<(), ParseError> {
    let w = &w[..w.len().min(16)];
    let ok = match w.iter().position(|&b| b == b' ') {
        Some(sp) => METHODS.iter().any(|m| m.as_bytes() == &w[..sp]),
        None => w.len() < 16 && METHODS.iter().any(|m| m.as_bytes().starts_with(w)),
    };
    if ok {
        Ok(())
    } else {
        Err(ParseError::new(HPE_INVALID_METHOD, "Invalid method"))
    }
}

/// httparse's error as the nearest llhttp error.
fn map_error(kind: MessageKind, w: &[u8], e: httparse::Error) -> ParseError {
    use httparse::Error as E;
    let (code, reason) = match e {
        // httparse says NewLine for a bad end of the request line too; llhttp blames the version.
        E::NewLine if kind == MessageKind::Request => match after_version(w) {
            Some((b, _)) if b != b'\r' && b != b'\n' => {
                (HPE_INVALID_VERSION, "Expected CRLF after version")
            }
            Some((b'\r', Some(b))) if b != b'\n' => (HPE_STRICT, "Expected CRLF after version"),
            _ => (HPE_LF_EXPECTED, "Missing expected LF after CR"),
        },
        E::HeaderName => (HPE_INVALID_HEADER_TOKEN, "Invalid header token"),
        E::HeaderValue => (HPE_INVALID_HEADER_TOKEN, "Invalid header value char"),
        E::NewLine => (HPE_LF_EXPECTED, "Missing expected LF after CR"),
        E::Status => (HPE_INVALID_STATUS, "Invalid status code"),
        // A request's method was checked before: a bad token is in the request-target.
        E::Token if kind == MessageKind::Request => (HPE_INVALID_URL, "Invalid characters in url"),
        E::Token => (HPE_INVALID_STATUS, "Invalid status line"),
        E::TooManyHeaders => (HPE_HEADER_OVERFLOW, "Too many headers"),
        E::Version => (HPE_INVALID_VERSION, "Invalid HTTP version"),
    };
    ParseError::new(code, reason)
}

/// The two bytes after a request line's version (`METHOD SP target SP HTTP/1.x`), when present.
fn after_version(w: &[u8]) -> Option<(u8, Option<u8>)> {
    let sp1 = w.iter().position(|&b| b == b' ')?;
    let sp2 = sp1 + 1 + w[sp1 + 1..].iter().position(|&b| b == b' ')?;
    let at = sp2 + 1 + b"HTTP/1.1".len();
    Some((*w.get(at)?, w.get(at + 1).copied()))
}

/// What the parser needs of a delivered head.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeadInfo {
    pub(super) framing: Framing,
    pub(super) upgrade: bool,
    pub(super) connect: bool,
    pub(super) skip_body: bool,
    /// The version and `Connection` rule of keep-alive (without the close-delimited exception).
    keep_rule: bool,
}

impl HeadInfo {
    /// llhttp's `should_keep_alive` once the message is complete: a close-delimited body ends
    /// the connection unless the sink skipped the body.
    pub(super) fn keep_alive_after(&self) -> bool {
        self.keep_rule && (self.framing != Framing::UntilClose || self.skip_body)
    }
}

/// Parses a complete head, reports it to the sink and returns what follows from it.
pub(super) fn deliver(
    kind: MessageKind,
    w: &[u8],
    max_headers: usize,
    store: &mut Vec<Header<'static>>,
    sink: &mut impl Sink,
) -> Result<HeadInfo, ParseError> {
    let mut slots = FIRST_HEADER_SLOTS.min(max_headers);
    loop {
        let mut hs = recycle(std::mem::take(store), slots);
        let retry = more_slots(slots, max_headers);
        let r = deliver_with(kind, w, &mut hs, retry.is_some(), sink);
        *store = recycle(hs, 0);
        match (r, retry) {
            (Err(Delivery::TooFewSlots), Some(more)) => slots = more,
            (Err(Delivery::TooFewSlots), None) => {
                return Err(map_error(kind, w, httparse::Error::TooManyHeaders))
            }
            (Err(Delivery::Failed(e)), _) => return Err(e),
            (Ok(info), _) => return Ok(info),
        }
    }
}

/// Why a head was not delivered.
enum Delivery {
    /// The header slots were too few; nothing was reported, a parse with more may follow.
    TooFewSlots,
    Failed(ParseError),
}

impl From<ParseError> for Delivery {
    fn from(e: ParseError) -> Delivery {
        Delivery::Failed(e)
    }
}

/// Parses and reports the head in `w`. With `can_retry`, too many headers for `hs` is
/// `TooFewSlots` rather than an error.
fn deliver_with<'b>(
    kind: MessageKind,
    w: &'b [u8],
    hs: &mut [Header<'b>],
    can_retry: bool,
    sink: &mut impl Sink,
) -> Result<HeadInfo, Delivery> {
    let internal = ParseError::new(HPE_INTERNAL, "Incomplete head");
    let mapped = |e| match e {
        httparse::Error::TooManyHeaders if can_retry => Delivery::TooFewSlots,
        e => Delivery::Failed(map_error(kind, w, e)),
    };
    match kind {
        MessageKind::Request => {
            check_method(w)?;
            let mut req = httparse::Request::new(hs);
            match req.parse(w).map_err(mapped)? {
                Status::Complete(_) => {}
                Status::Partial => return Err(internal.into()),
            }
            let head = Head {
                method: req.method.unwrap_or(""),
                target: req.path.unwrap_or(""),
                status: 0,
                reason: "",
                version: (1, req.version.unwrap_or(1)),
                headers: req.headers,
                framing: Framing::None,
                keep_alive: false,
                upgrade: false,
            };
            Ok(report(kind, head, sink)?)
        }
        MessageKind::Response => {
            let mut res = httparse::Response::new(hs);
            match res.parse(w).map_err(mapped)? {
                Status::Complete(_) => {}
                Status::Partial => return Err(internal.into()),
            }
            let head = Head {
                method: "",
                target: "",
                status: res.code.unwrap_or(0),
                reason: res.reason.unwrap_or(""),
                version: (1, res.version.unwrap_or(1)),
                headers: res.headers,
                framing: Framing::None,
                keep_alive: false,
                upgrade: false,
            };
            Ok(report(kind, head, sink)?)
        }
    }
}

/// The framing headers of a head (RFC 9112 section 6.3 with llhttp's refusals).
#[derive(Debug, Default)]
struct Fields {
    content_length: Option<u64>,
    transfer_encoding: bool,
    chunked: bool,
    close: bool,
    keep_alive: bool,
    connection_upgrade: bool,
    upgrade: bool,
}

fn read_fields(kind: MessageKind, headers: &[Header<'_>]) -> Result<Fields, ParseError> {
    let err = |code, reason| Err(ParseError::new(code, reason));
    let mut f = Fields::default();
    for h in headers {
        let value = trim(h.value);
        if h.name.eq_ignore_ascii_case("content-length") {
            if f.content_length.is_some() {
                return err(HPE_UNEXPECTED_CONTENT_LENGTH, "Duplicate Content-Length");
            }
            if f.transfer_encoding {
                return err(
                    HPE_INVALID_CONTENT_LENGTH,
                    "Content-Length can't be present with Transfer-Encoding",
                );
            }
            f.content_length = Some(content_length(value)?);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            if f.content_length.is_some() {
                return err(
                    HPE_INVALID_TRANSFER_ENCODING,
                    "Transfer-Encoding can't be present with Content-Length",
                );
            }
            if value.is_empty() {
                return err(HPE_INVALID_TRANSFER_ENCODING, "Empty Transfer-Encoding");
            }
            let bad_te = "Invalid `Transfer-Encoding` header value";
            // In a request nothing may follow chunked (llhttp), in this or a later header.
            if kind == MessageKind::Request && f.chunked {
                return err(HPE_INVALID_TRANSFER_ENCODING, bad_te);
            }
            f.transfer_encoding = true;
            f.chunked = false;
            for coding in value.split(|&b| b == b',') {
                if kind == MessageKind::Request && f.chunked {
                    return err(HPE_INVALID_TRANSFER_ENCODING, bad_te);
                }
                f.chunked = trim(coding).eq_ignore_ascii_case(b"chunked");
            }
        } else if h.name.eq_ignore_ascii_case("connection") {
            for token in value.split(|&b| b == b',') {
                let token = trim(token);
                f.close |= token.eq_ignore_ascii_case(b"close");
                f.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
                f.connection_upgrade |= token.eq_ignore_ascii_case(b"upgrade");
            }
        } else if h.name.eq_ignore_ascii_case("upgrade") {
            f.upgrade |= !value.is_empty();
        }
    }
    Ok(f)
}

/// Completes the head's framing fields, calls the sink and applies its verdict.
fn report(
    kind: MessageKind,
    mut head: Head<'_>,
    sink: &mut impl Sink,
) -> Result<HeadInfo, ParseError> {
    let f = read_fields(kind, head.headers)?;
    let request = kind == MessageKind::Request;
    let status = head.status;
    head.framing = if !request && (status / 100 == 1 || status == 204 || status == 304) {
        Framing::None
    } else if f.chunked {
        Framing::Chunked
    } else if f.transfer_encoding {
        if request {
            return Err(ParseError::new(
                HPE_INVALID_TRANSFER_ENCODING,
                "Request has invalid `Transfer-Encoding`",
            ));
        }
        Framing::UntilClose
    } else if let Some(n) = f.content_length {
        Framing::Length(n)
    } else if request {
        Framing::None
    } else {
        Framing::UntilClose
    };
    let connect = request && head.method == "CONNECT";
    head.upgrade = if f.upgrade && f.connection_upgrade {
        request || status == 101
    } else {
        connect
    };
    let keep_rule = if head.version.1 >= 1 {
        !f.close
    } else {
        f.keep_alive
    };
    head.keep_alive = keep_rule && head.framing != Framing::UntilClose;
    let mut info = HeadInfo {
        framing: head.framing,
        upgrade: head.upgrade,
        connect,
        skip_body: false,
        keep_rule,
    };
    match sink.head(&head) {
        HeadVerdict::Continue => {}
        HeadVerdict::SkipBody => info.skip_body = true,
        HeadVerdict::Upgrade => {
            info.upgrade = true;
            info.skip_body = true;
        }
        HeadVerdict::Error => {
            return Err(ParseError::new(
                HPE_CB_HEADERS_COMPLETE,
                "User callback error",
            ));
        }
    }
    Ok(info)
}

/// A `Content-Length` value: decimal digits only, within u64.
fn content_length(v: &[u8]) -> Result<u64, ParseError> {
    if v.is_empty() {
        return Err(ParseError::new(
            HPE_INVALID_CONTENT_LENGTH,
            "Empty Content-Length",
        ));
    }
    let mut n: u64 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return Err(ParseError::new(
                HPE_INVALID_CONTENT_LENGTH,
                "Invalid character in Content-Length",
            ));
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(ParseError::new(
                HPE_INVALID_CONTENT_LENGTH,
                "Content-Length overflow",
            ))?;
    }
    Ok(n)
}

/// Strips spaces and tabs at both ends.
fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}
