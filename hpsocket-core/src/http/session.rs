//! One connection's HTTP state: [`HttpShared`], which any thread reads (the current message,
//! the parse error, whether HTTP started), and [`HttpSession`], which only the owning worker
//! touches (the parser, bytes held while receiving is paused, the upgrade).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::message::{c_text, HttpMessage, ParseFailure};
use super::parse::{
    Fed, Flow, Head, HeadVerdict, Limits, MessageKind, ParseError, Parser, Sink, HPE_INVALID_URL,
};
use super::url::parse_url;
use super::ws::{Fed as WsFed, FrameDecoder, FrameHead, FrameSink, Step};
use super::{HttpEvent, HttpParseResult, UpgradeType};
use crate::conn::Conn;
use crate::sync::lock;
use crate::types::ConnId;

/// What a request asked, for parsing its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asked {
    /// `HEAD`: the answer has no body.
    pub(crate) head: bool,
    /// `CONNECT`: a 2xx answer opens a tunnel.
    pub(crate) connect: bool,
    /// The path, for the cookies of the answer.
    pub(crate) path: String,
}

#[derive(Default)]
struct Slot {
    current: Option<Arc<HttpMessage>>,
    /// The message before: a pointer C took into it stays valid one message longer.
    previous: Option<Arc<HttpMessage>>,
    error: Option<Arc<ParseFailure>>,
}

/// The part of a connection's HTTP state every thread may read.
pub(crate) struct HttpShared {
    slot: Mutex<Slot>,
    /// Parsing runs (auto-start, or `start_http` was called).
    pub(crate) started: AtomicBool,
    /// Agent, client: requests sent and not answered yet, oldest first.
    asked: Mutex<VecDeque<Asked>>,
    /// After a WebSocket upgrade: the frame being read (`GetWSMessageState`).
    ws: Mutex<Option<WsFrameState>>,
}

/// The WebSocket frame a connection reads now, or read last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsFrameState {
    /// Its head.
    pub head: FrameHead,
    /// Payload bytes still to come.
    pub remaining: u64,
}

impl HttpShared {
    pub(crate) fn new(started: bool) -> HttpShared {
        HttpShared {
            slot: Mutex::default(),
            started: AtomicBool::new(started),
            asked: Mutex::default(),
            ws: Mutex::new(None),
        }
    }

    /// Runs `f` on the stored frame state (C reads the mask key in place).
    pub(crate) fn with_ws_state<R>(&self, f: impl FnOnce(Option<&WsFrameState>) -> R) -> R {
        f(lock(&self.ws).as_ref())
    }

    /// The message now parsed or last parsed.
    pub(crate) fn message(&self) -> Option<Arc<HttpMessage>> {
        lock(&self.slot).current.clone()
    }

    /// The parse error that ended the connection's HTTP, if any.
    pub(crate) fn parse_error(&self) -> Option<Arc<ParseFailure>> {
        lock(&self.slot).error.clone()
    }

    fn publish(&self, message: Arc<HttpMessage>) {
        let mut slot = lock(&self.slot);
        slot.previous = slot.current.replace(message);
    }

    fn fail(&self, failure: ParseFailure) {
        lock(&self.slot).error = Some(Arc::new(failure));
    }

    /// Notes a request sent, so its answer is parsed right.
    pub(crate) fn asked(&self, method: &str, path: &str) {
        lock(&self.asked).push_back(Asked {
            head: method.eq_ignore_ascii_case("HEAD"),
            connect: method.eq_ignore_ascii_case("CONNECT"),
            path: path.to_string(),
        });
    }

    fn oldest_asked(&self) -> Option<Asked> {
        lock(&self.asked).front().cloned()
    }

    fn answered(&self) {
        lock(&self.asked).pop_front();
    }
}

/// Where the events of a parse go, and what the component adds to a response (cookies).
pub(crate) trait HttpEvents {
    fn http(&self, id: ConnId, event: HttpEvent<'_>) -> (HttpParseResult, i32);
    /// Agent, client: a response head arrived; stores its `Set-Cookie` headers when the
    /// component uses cookies, returning the cookies it named.
    fn response_cookies(
        &self,
        id: ConnId,
        path: &str,
        message: &HttpMessage,
    ) -> Vec<(String, String)>;
}

/// How a delivery ended, for the worker.
pub(crate) enum Delivered {
    /// Go on reading.
    Done,
    /// Receiving is paused mid-stream: the rest is held.
    Paused,
    /// Bytes that belong to the protocol the connection upgraded to (delivered raw).
    Raw(Vec<u8>),
    /// The connection must close with this code (`OnClose(SO_RECEIVE, code)`).
    Failed(i32),
}

/// What a connection speaks now.
enum Mode {
    /// HTTP messages.
    Http,
    /// WebSocket frames, after `OnUpgrade(HUT_WEB_SOCKET)`.
    WebSocket(FrameDecoder),
    /// Anything else after an upgrade: bytes go to `on_receive` as they come.
    Raw,
}

/// The worker's part of a connection's HTTP state.
pub(crate) struct HttpSession {
    parser: Parser,
    kind: MessageKind,
    /// Bytes fed after a pause, kept until receiving resumes.
    held: Vec<u8>,
    mode: Mode,
}

impl HttpSession {
    pub(crate) fn new(is_server: bool) -> HttpSession {
        let kind = if is_server {
            MessageKind::Request
        } else {
            MessageKind::Response
        };
        HttpSession {
            parser: Parser::new(kind, Limits::default()),
            kind,
            held: Vec::new(),
            mode: Mode::Http,
        }
    }

    /// The connection left HTTP for a protocol other than WebSocket: bytes go to
    /// `on_receive` as they come.
    pub(crate) fn is_raw(&self) -> bool {
        matches!(self.mode, Mode::Raw)
    }

    /// Feeds `data` (after anything held) to the parser, or to the frame decoder after a
    /// WebSocket upgrade. `paused` says whether the application paused receiving (checked
    /// after every event).
    pub(crate) fn feed(
        &mut self,
        data: &[u8],
        id: ConnId,
        shared: &HttpShared,
        events: &dyn HttpEvents,
        paused: &dyn Fn() -> bool,
    ) -> Delivered {
        let joined;
        let data = if self.held.is_empty() {
            data
        } else {
            self.held.extend_from_slice(data);
            joined = std::mem::take(&mut self.held);
            &joined[..]
        };
        match self.mode {
            Mode::Http => self.feed_http(data, id, shared, events, paused),
            Mode::WebSocket(_) => self.feed_frames(data, id, shared, events, paused),
            Mode::Raw => Delivered::Raw(data.to_vec()),
        }
    }

    fn feed_http(
        &mut self,
        data: &[u8],
        id: ConnId,
        shared: &HttpShared,
        events: &dyn HttpEvents,
        paused: &dyn Fn() -> bool,
    ) -> Delivered {
        let mut sink = EventSink {
            id,
            shared,
            events,
            paused,
            is_request: self.kind == MessageKind::Request,
            close_code: libc::ECANCELED,
            upgrade: UpgradeType::None,
            failure: None,
        };
        match self.parser.feed(data, &mut sink) {
            Fed::Consumed => Delivered::Done,
            Fed::Paused(n) => {
                self.held = data[n..].to_vec();
                Delivered::Paused
            }
            Fed::Upgraded(n) => {
                let kind = match sink.upgrade {
                    UpgradeType::None => UpgradeType::Unknown,
                    kind => kind,
                };
                let (result, code) = events.http(id, HttpEvent::Upgrade(kind));
                if result != HttpParseResult::Ok {
                    return Delivered::Failed(code);
                }
                if kind == UpgradeType::WebSocket {
                    self.mode = Mode::WebSocket(FrameDecoder::new());
                    return self.feed_frames(&data[n..], id, shared, events, paused);
                }
                self.mode = Mode::Raw;
                Delivered::Raw(data[n..].to_vec())
            }
            Fed::Failed(e) => {
                let e = sink.failure.unwrap_or(e);
                let close_code = sink.close_code;
                self.report(id, shared, events, e.code, e.reason);
                Delivered::Failed(close_code)
            }
        }
    }

    fn feed_frames(
        &mut self,
        data: &[u8],
        id: ConnId,
        shared: &HttpShared,
        events: &dyn HttpEvents,
        paused: &dyn Fn() -> bool,
    ) -> Delivered {
        let Mode::WebSocket(decoder) = &mut self.mode else {
            return Delivered::Done;
        };
        let mut sink = FrameEvents {
            id,
            shared,
            events,
            paused,
            close_code: libc::EPROTO,
        };
        match decoder.feed(data, &mut sink) {
            WsFed::Consumed => Delivered::Done,
            WsFed::Paused(n) => {
                self.held = data[n..].to_vec();
                Delivered::Paused
            }
            WsFed::Failed => Delivered::Failed(sink.close_code),
        }
    }

    /// The peer closed its side: a body read until the close is complete now; a message
    /// cut short is a parse error. Returns the close code when it failed.
    pub(crate) fn finish(
        &mut self,
        id: ConnId,
        shared: &HttpShared,
        events: &dyn HttpEvents,
    ) -> Option<i32> {
        if !matches!(self.mode, Mode::Http) {
            return None;
        }
        let never = || false;
        let mut sink = EventSink {
            id,
            shared,
            events,
            paused: &never,
            is_request: self.kind == MessageKind::Request,
            close_code: libc::ECANCELED,
            upgrade: UpgradeType::None,
            failure: None,
        };
        match self.parser.finish(&mut sink) {
            Ok(()) => None,
            Err(e) => {
                let close_code = sink.close_code;
                self.report(id, shared, events, e.code, e.reason);
                Some(close_code)
            }
        }
    }

    fn report(
        &self,
        id: ConnId,
        shared: &HttpShared,
        events: &dyn HttpEvents,
        code: i32,
        reason: &str,
    ) {
        let description = c_text(reason.as_bytes());
        shared.fail(ParseFailure {
            code,
            description: description.clone(),
        });
        let _ = events.http(
            id,
            HttpEvent::ParseError {
                code,
                description: &description,
            },
        );
    }
}

/// Turns the parser's steps into listener events.
struct EventSink<'a> {
    id: ConnId,
    shared: &'a HttpShared,
    events: &'a dyn HttpEvents,
    paused: &'a dyn Fn() -> bool,
    is_request: bool,
    /// The `OnClose` code of a callback's `HPR_ERROR` (its `errno`, else `ECANCELED`).
    close_code: i32,
    /// What the last head upgrades to.
    upgrade: UpgradeType,
    /// A failure found here rather than by the parser (a bad URL), reported in its place.
    failure: Option<ParseError>,
}

impl EventSink<'_> {
    /// Fires `event`: false when the callback failed.
    fn fire(&mut self, event: HttpEvent<'_>) -> Option<HttpParseResult> {
        let (result, code) = self.events.http(self.id, event);
        if result == HttpParseResult::Error {
            self.close_code = code;
            return None;
        }
        Some(result)
    }

    fn flow(&mut self, event: HttpEvent<'_>) -> Flow {
        match self.fire(event) {
            None => Flow::Error,
            Some(_) if (self.paused)() => Flow::Pause,
            Some(_) => Flow::Continue,
        }
    }

    fn head_events(&mut self, message: &HttpMessage) -> Option<HttpParseResult> {
        self.fire(HttpEvent::MessageBegin)?;
        if self.is_request {
            self.fire(HttpEvent::RequestLine {
                method: message.method(),
                url: message.url(),
            })?;
        } else {
            self.fire(HttpEvent::StatusLine {
                status: message.status(),
                reason: message.reason(),
            })?;
        }
        for (name, value) in message.headers() {
            self.fire(HttpEvent::Header { name, value })?;
        }
        self.fire(HttpEvent::HeadersComplete)
    }
}

impl Sink for EventSink<'_> {
    fn head(&mut self, head: &Head<'_>) -> HeadVerdict {
        if self.is_request
            && head.target != "*"
            && parse_url(head.target, head.method.eq_ignore_ascii_case("CONNECT")).is_none()
        {
            // llhttp refuses such a target while it reads the request line.
            self.failure = Some(ParseError {
                code: HPE_INVALID_URL,
                reason: "Invalid URL",
            });
            return HeadVerdict::Error;
        }
        let mut message = HttpMessage::from_head(head, self.is_request);
        let asked = (!self.is_request)
            .then(|| self.shared.oldest_asked())
            .flatten();
        let mut tunnel = false;
        if let Some(asked) = &asked {
            tunnel = asked.connect && (200..300).contains(&head.status);
            if tunnel {
                message.set_upgrade(UpgradeType::HttpTunnel);
            }
        }
        if !self.is_request {
            let path = asked.as_ref().map_or("/", |a| a.path.as_str());
            let cookies = self.events.response_cookies(self.id, path, &message);
            message.set_response_cookies(cookies);
            // An interim answer (100 Continue…) leaves the request waiting for its final one.
            if head.status >= 200 || head.status == 101 {
                self.shared.answered();
            }
        }
        let message = Arc::new(message);
        self.shared.publish(message.clone());
        self.upgrade = message.upgrade_type();
        let Some(result) = self.head_events(&message) else {
            return HeadVerdict::Error;
        };
        match result {
            HttpParseResult::Upgrade => {
                if self.upgrade == UpgradeType::None {
                    self.upgrade = UpgradeType::Unknown;
                }
                HeadVerdict::Upgrade
            }
            HttpParseResult::SkipBody => HeadVerdict::SkipBody,
            HttpParseResult::Error => HeadVerdict::Error,
            HttpParseResult::Ok if tunnel => HeadVerdict::Upgrade,
            HttpParseResult::Ok if asked.as_ref().is_some_and(|a| a.head) => HeadVerdict::SkipBody,
            HttpParseResult::Ok => HeadVerdict::Continue,
        }
    }

    fn body(&mut self, data: &[u8]) -> Flow {
        self.flow(HttpEvent::Body(data))
    }

    fn chunk_header(&mut self, size: u64, _extensions: &str) -> Flow {
        self.flow(HttpEvent::ChunkHeader(size))
    }

    fn chunk_complete(&mut self) -> Flow {
        self.flow(HttpEvent::ChunkComplete)
    }

    fn message_complete(&mut self) -> Flow {
        self.flow(HttpEvent::MessageComplete)
    }
}

/// Whether bytes go to the parser: HTTP started and not left.
pub(crate) fn parsing(shared: &HttpShared, session: Option<&HttpSession>) -> bool {
    shared.started.load(Ordering::Acquire) && !session.is_some_and(HttpSession::is_raw)
}

/// The host an agent's or client's connection asked for: the name after `^` in
/// `address^hostname`, else the host given to connect, else the peer's address.
pub(crate) fn request_host(conn: &Conn) -> String {
    match conn.remote_host.as_deref() {
        Some((host, _)) => match host.split_once('^') {
            Some((_, name)) if !name.is_empty() => name.to_string(),
            Some((address, _)) => address.to_string(),
            None => host.clone(),
        },
        None => conn.remote_addr.ip().to_string(),
    }
}

/// Turns frame steps into listener events and keeps `GetWSMessageState` current.
struct FrameEvents<'a> {
    id: ConnId,
    shared: &'a HttpShared,
    events: &'a dyn HttpEvents,
    paused: &'a dyn Fn() -> bool,
    close_code: i32,
}

impl FrameEvents<'_> {
    fn step(&mut self, event: HttpEvent<'_>) -> Step {
        let (result, code) = self.events.http(self.id, event);
        if result == HttpParseResult::Error {
            self.close_code = code;
            return Step::Fail;
        }
        if (self.paused)() {
            Step::Pause
        } else {
            Step::Continue
        }
    }
}

impl FrameSink for FrameEvents<'_> {
    fn head(&mut self, head: &FrameHead) -> Step {
        *lock(&self.shared.ws) = Some(WsFrameState {
            head: *head,
            remaining: head.len,
        });
        self.step(HttpEvent::WsMessageHeader(*head))
    }

    fn body(&mut self, data: &[u8]) -> Step {
        if let Some(state) = lock(&self.shared.ws).as_mut() {
            state.remaining = state.remaining.saturating_sub(data.len() as u64);
        }
        self.step(HttpEvent::WsMessageBody(data))
    }

    fn complete(&mut self) -> Step {
        self.step(HttpEvent::WsMessageComplete)
    }
}
