//! One connection's HTTP state: [`HttpShared`], which any thread reads (the current message,
//! the parse error, whether HTTP started), and [`HttpSession`], which only the owning worker
//! touches (the parser, bytes held while receiving is paused, the upgrade).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use super::message::{c_text, HttpMessage, ParseFailure};
use super::parse::{
    Fed, Flow, Head, HeadVerdict, Limits, MessageKind, ParseError, Parser, Sink, HPE_INVALID_URL,
};
use super::url::parse_url_borrowed;
use super::ws::{Fed as WsFed, FrameDecoder, FrameHead, FrameSink, Step};
use super::ws_deflate::{self, Agreed, Deflater};
use super::ws_mode::{self, Assembler, Policy, WsOut};
use super::{HttpConfig, HttpEvent, HttpParseResult, UpgradeType};
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
    /// The message before that, once nobody else holds it: the next message is written
    /// into it, so a keep-alive connection's messages allocate nothing in steady state.
    spare: Option<Arc<HttpMessage>>,
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
    /// Server: the status of the response sent to the current request (0: none yet).
    answered: AtomicU16,
    /// Client, WebSocket mode: what the upgrade request sent asked for.
    pub(crate) ws_offer: Mutex<Option<WsOffer>>,
    /// WebSocket mode: the subprotocol agreed on in the opening handshake.
    pub(crate) ws_protocol: Mutex<Option<String>>,
    /// WebSocket mode with permessage-deflate agreed: our compressor, held while a message
    /// is compressed and queued so that the peer inflates messages in the order they were
    /// compressed.
    pub(crate) ws_deflater: Mutex<Option<Deflater>>,
    /// WebSocket mode: we sent a close; the peer's close ends it without an answer.
    pub(crate) ws_closing: AtomicBool,
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
            answered: AtomicU16::new(0),
            ws_offer: Mutex::new(None),
            ws_protocol: Mutex::new(None),
            ws_deflater: Mutex::new(None),
            ws_closing: AtomicBool::new(false),
        }
    }

    /// Server: a response with `status` went out for the current request.
    pub(crate) fn response_sent(&self, status: u16) {
        self.answered.store(status, Ordering::Release);
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
        self.answered.store(0, Ordering::Release);
        let mut slot = lock(&self.slot);
        let older = slot.current.replace(message);
        let retired = std::mem::replace(&mut slot.previous, older);
        // A message a caller still holds (an `Arc` clone) is left to it.
        slot.spare = retired.filter(|m| Arc::strong_count(m) == 1 && Arc::weak_count(m) == 0);
    }

    /// A message to write the next head into (see [`Slot::spare`]), or a new one.
    fn recycled(&self) -> Arc<HttpMessage> {
        lock(&self.slot).spare.take().unwrap_or_default()
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
    /// Whether the head events (`MessageBegin` to `HeadersComplete`) are worth firing.
    fn wants_head(&self) -> bool {
        true
    }
    /// Agent, client: a response head arrived; stores its `Set-Cookie` headers when the
    /// component uses cookies, returning the cookies it named.
    fn response_cookies(
        &self,
        id: ConnId,
        path: &str,
        message: &HttpMessage,
    ) -> Vec<(String, String)>;
    /// The HTTP settings when the WebSocket mode is on.
    fn ws_config(&self) -> Option<HttpConfig>;
    /// Queues bytes to the peer (a handshake answer or a control frame).
    fn send(&self, id: ConnId, bytes: &[u8]);
    /// Closes the connection shortly, once what was queued had time to go out; `code` as
    /// the `OnClose` code (0: a plain close, else a receive error with this code).
    fn close_soon(&self, id: ConnId, code: i32);
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
    /// WebSocket messages, in the WebSocket mode.
    WsMessages(Box<Assembler>),
    /// Anything else after an upgrade: bytes go to `on_receive` as they come.
    Raw,
    /// The WebSocket mode failed the connection: its answer (a `400` or a close frame) is
    /// going out and the connection closes shortly; what still arrives is dropped. The
    /// `OnClose` code stands even if the peer hangs up first (0: a plain close).
    Failing(i32),
}

/// The worker's part of a connection's HTTP state.
pub(crate) struct HttpSession {
    parser: Parser,
    kind: MessageKind,
    /// Bytes fed after a pause, kept until receiving resumes.
    held: Vec<u8>,
    mode: Mode,
    /// WebSocket mode: keep-alive rounds since the peer was last heard from.
    ws_silent_rounds: u8,
    /// WebSocket mode: entered since the worker last asked (it arms its ping round).
    ws_entered: bool,
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
            ws_silent_rounds: 0,
            ws_entered: false,
        }
    }

    /// Whether the connection entered the WebSocket mode since the last call.
    pub(crate) fn take_ws_entered(&mut self) -> bool {
        std::mem::take(&mut self.ws_entered)
    }

    /// One keep-alive round: the ping to send after an interval of silence, or `Err` after
    /// two (the peer is gone). Nothing outside the WebSocket mode.
    pub(crate) fn ws_keepalive_round(&mut self) -> Result<Option<Vec<u8>>, ()> {
        if !matches!(self.mode, Mode::WsMessages(_)) {
            return Ok(None);
        }
        self.ws_silent_rounds = self.ws_silent_rounds.saturating_add(1);
        match self.ws_silent_rounds {
            1 => Ok(Some(ws_mode::frame(
                self.kind == MessageKind::Request,
                ws_mode::OP_PING,
                b"",
            ))),
            _ => Err(()),
        }
    }

    /// Whether the connection is in the WebSocket mode.
    pub(crate) fn in_ws_mode(&self) -> bool {
        matches!(self.mode, Mode::WsMessages(_))
    }

    /// The `OnClose` code of a connection the WebSocket mode is failing, to report even if
    /// the peer hangs up before the delayed close.
    pub(crate) fn failing_code(&self) -> Option<i32> {
        match self.mode {
            Mode::Failing(code) if code != 0 => Some(code),
            _ => None,
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
            Mode::WsMessages(_) => {
                self.ws_silent_rounds = 0;
                self.feed_messages(data, id, shared, events, paused)
            }
            Mode::Raw => Delivered::Raw(data.to_vec()),
            Mode::Failing(_) => Delivered::Done,
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
                if self.kind == MessageKind::Request && declined(shared, kind) {
                    // The server already answered without switching (RFC 9110 lets it
                    // ignore `Upgrade`, as with `Upgrade: h2c`): HTTP goes on.
                    self.parser = Parser::new(self.kind, Limits::default());
                    return self.feed_http(&data[n..], id, shared, events, paused);
                }
                let ws_config = events
                    .ws_config()
                    .filter(|_| kind == UpgradeType::WebSocket);
                let prepared = ws_config.as_ref().map(|c| ws_prepare(self.kind, shared, c));
                if let Some(Prepared::Client(Handshake::Failed(code))) = prepared {
                    return Delivered::Failed(code);
                }
                let (result, code) = events.http(id, HttpEvent::Upgrade(kind));
                if result != HttpParseResult::Ok {
                    return Delivered::Failed(code);
                }
                if kind == UpgradeType::WebSocket {
                    if let (Some(config), Some(prepared)) = (ws_config, prepared) {
                        let handshake = match prepared {
                            Prepared::Server(answer) => ws_answer(answer, id, shared, events),
                            Prepared::Client(verdict) => verdict,
                        };
                        let deflate = match handshake {
                            Handshake::Done(deflate) => deflate,
                            Handshake::Answered(code) => {
                                self.mode = Mode::Failing(code);
                                return Delivered::Done;
                            }
                            Handshake::Failed(code) => return Delivered::Failed(code),
                        };
                        let policy = Policy {
                            max_message: config.ws_max_message as usize,
                            server: self.kind == MessageKind::Request,
                            deflate,
                        };
                        self.mode = Mode::WsMessages(Box::new(Assembler::new(policy)));
                        self.ws_entered = true;
                        return self.feed_messages(&data[n..], id, shared, events, paused);
                    }
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
        let fed = decoder.feed(data, &mut sink);
        let close_code = sink.close_code;
        self.settle(fed, data, close_code)
    }

    /// What a frame feed's outcome means for the worker: bytes after a pause are held.
    fn settle(&mut self, fed: WsFed, data: &[u8], close_code: i32) -> Delivered {
        match fed {
            WsFed::Consumed => Delivered::Done,
            WsFed::Paused(n) => {
                self.held = data[n..].to_vec();
                Delivered::Paused
            }
            WsFed::Failed => Delivered::Failed(close_code),
        }
    }

    fn feed_messages(
        &mut self,
        data: &[u8],
        id: ConnId,
        shared: &HttpShared,
        events: &dyn HttpEvents,
        paused: &dyn Fn() -> bool,
    ) -> Delivered {
        let Mode::WsMessages(assembler) = &mut self.mode else {
            return Delivered::Done;
        };
        let mut close_code = libc::EPROTO;
        let mut failing = 0;
        let fed = assembler.feed(data, &mut |out: WsOut<'_>| match out {
            WsOut::Message { opcode, data } => {
                let (result, code) = events.http(id, HttpEvent::WsMessage { opcode, data });
                if result == HttpParseResult::Error {
                    close_code = code;
                    Step::Fail
                } else if paused() {
                    Step::Pause
                } else {
                    Step::Continue
                }
            }
            WsOut::Reply(frame) => {
                // After our own close, the peer's close completes the handshake: no answer.
                let answering_close = frame[0] & 0x0F == ws_mode::OP_CLOSE;
                if !(answering_close && shared.ws_closing.load(Ordering::Acquire)) {
                    events.send(id, &frame);
                }
                Step::Continue
            }
            WsOut::Closed => {
                events.close_soon(id, 0);
                Step::Continue
            }
            WsOut::Failed {
                code,
                reason,
                frame,
            } => {
                // The close frame goes out before the connection closes.
                events.send(id, &frame);
                shared.fail(ParseFailure {
                    code: i32::from(code),
                    description: c_text(reason.as_bytes()),
                });
                failing = errno_of_close(code);
                events.close_soon(id, failing);
                Step::Fail
            }
        });
        if failing != 0 {
            self.mode = Mode::Failing(failing);
            return Delivered::Done;
        }
        self.settle(fed, data, close_code)
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
        if !self.events.wants_head() {
            // Nobody listens: as if each had answered `HPR_OK`.
            return Some(HttpParseResult::Ok);
        }
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
            && parse_url_borrowed(head.target, head.method.eq_ignore_ascii_case("CONNECT"))
                .is_none()
        {
            // llhttp refuses such a target while it reads the request line.
            self.failure = Some(ParseError {
                code: HPE_INVALID_URL,
                reason: "Invalid URL",
            });
            return HeadVerdict::Error;
        }
        let mut message = self.shared.recycled();
        // `recycled` gives an `Arc` nobody else can reach: written in place, never cloned.
        let m = Arc::make_mut(&mut message);
        m.refill(head, self.is_request);
        let asked = (!self.is_request)
            .then(|| self.shared.oldest_asked())
            .flatten();
        let mut tunnel = false;
        if let Some(asked) = &asked {
            tunnel = asked.connect && (200..300).contains(&head.status);
            if tunnel {
                m.set_upgrade(UpgradeType::HttpTunnel);
            }
        }
        if !self.is_request {
            let path = asked.as_ref().map_or("/", |a| a.path.as_str());
            let cookies = self.events.response_cookies(self.id, path, m);
            m.set_cookies(cookies);
            // An interim answer (100 Continue…) leaves the request waiting for its final one.
            if head.status >= 200 || head.status == 101 {
                self.shared.answered();
            }
        }
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
    match conn.remote_host() {
        Some((host, _)) => match host.split_once('^') {
            Some((_, name)) if !name.is_empty() => name.to_string(),
            Some((address, _)) => address.to_string(),
            None => host.clone(),
        },
        None => conn.remote_addr().ip().to_string(),
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

/// Whether the server's answer to an upgrade request, sent before the upgrade took effect,
/// turned it down: anything but `101` (or, for a tunnel, anything but 2xx). No answer yet
/// means the application answers in `OnUpgrade`, as HP-Socket's do.
fn declined(shared: &HttpShared, kind: UpgradeType) -> bool {
    match shared.answered.load(Ordering::Acquire) {
        0 => false,
        status if kind == UpgradeType::HttpTunnel => !(200..300).contains(&status),
        status => status != 101,
    }
}

/// The `OnClose` code of a WebSocket close code we fail a connection with.
fn errno_of_close(code: u16) -> i32 {
    match code {
        ws_mode::CLOSE_TOO_BIG => libc::EMSGSIZE,
        ws_mode::CLOSE_BAD_DATA => libc::EILSEQ,
        _ => libc::EPROTO,
    }
}

/// What a client's upgrade request asked for, kept to check the answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct WsOffer {
    /// Its `Sec-WebSocket-Key`.
    pub(crate) key: String,
    /// The subprotocols offered.
    pub(crate) protocols: Vec<String>,
    /// permessage-deflate offered.
    pub(crate) deflate: bool,
}

/// How the WebSocket mode's opening handshake went.
enum Handshake {
    /// The connection speaks WebSocket now, with permessage-deflate if agreed.
    Done(Option<Agreed>),
    /// Refused with an answer that is going out (`400`, or the application's own); the
    /// connection closes shortly.
    Answered(i32),
    /// Refused: close now with this `OnClose` code.
    Failed(i32),
}

/// The comma-separated tokens of every `name` header of `message`.
fn header_tokens<'m>(message: &'m HttpMessage, name: &'m str) -> Vec<String> {
    message
        .header_values(name)
        .flat_map(|v| {
            v.to_string_lossy()
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The WebSocket mode's opening handshake, the part done before `OnUpgrade` so that the
/// application sees what was agreed (`ws_protocol`) while it decides. A server checks the
/// request and prepares its `101` (or `None`: the request is not a valid one, answered with
/// `400` after `OnUpgrade`); a client checks the server's accept against the key it sent and
/// what the server agreed to against what it offered.
fn ws_prepare(kind: MessageKind, shared: &HttpShared, config: &HttpConfig) -> Prepared {
    let Some(message) = shared.message() else {
        return Prepared::Client(Handshake::Failed(libc::EPROTO));
    };
    let header = |name: &str| {
        message
            .header(name)
            .map(|v| v.to_string_lossy().into_owned())
    };
    if kind == MessageKind::Request {
        let key = header("Sec-WebSocket-Key").filter(|k| ws_mode::valid_key(k));
        let version_ok = header("Sec-WebSocket-Version").is_some_and(|v| v.trim() == "13");
        let get = message.method().to_bytes().eq_ignore_ascii_case(b"GET");
        let Some(key) = key.filter(|_| version_ok && get) else {
            return Prepared::Server(None);
        };
        let mut answer = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n",
            ws_mode::accept_key(&key)
        );
        let offered = header_tokens(&message, "Sec-WebSocket-Protocol");
        if let Some(p) = config.ws_protocols.iter().find(|p| offered.contains(p)) {
            answer.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
            *lock(&shared.ws_protocol) = Some(p.clone());
        }
        let mut agreed = None;
        if config.ws_deflate {
            let offers: Vec<String> = message
                .header_values("Sec-WebSocket-Extensions")
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if let Some((a, response)) = ws_deflate::accept_offer(offers.iter().map(|o| &o[..])) {
                answer.push_str(&format!("Sec-WebSocket-Extensions: {response}\r\n"));
                agreed = Some(a);
            }
        }
        answer.push_str("\r\n");
        return Prepared::Server(Some((answer, agreed)));
    }
    // The application made the request itself: its key, its check.
    let Some(offer) = lock(&shared.ws_offer).take() else {
        return Prepared::Client(Handshake::Done(None));
    };
    let fail = |why: &str| {
        shared.fail(ParseFailure {
            code: i32::from(ws_mode::CLOSE_PROTOCOL),
            description: c_text(why.as_bytes()),
        });
        Prepared::Client(Handshake::Failed(libc::EPROTO))
    };
    if header("Sec-WebSocket-Accept").map(|a| a.trim().to_string())
        != Some(ws_mode::accept_key(&offer.key))
    {
        return fail("Sec-WebSocket-Accept does not match the key sent");
    }
    let protocol = header("Sec-WebSocket-Protocol").map(|p| p.trim().to_string());
    if protocol
        .as_ref()
        .is_some_and(|p| !offer.protocols.contains(p))
    {
        return fail("the server chose a subprotocol that was not offered");
    }
    let mut agreed = None;
    if let Some(ext) = header("Sec-WebSocket-Extensions") {
        if !offer.deflate {
            return fail("the server agreed to an extension that was not offered");
        }
        match ws_deflate::accept_response(&ext) {
            Ok(a) => {
                *lock(&shared.ws_deflater) = Some(a.deflater(false));
                agreed = Some(a);
            }
            Err(why) => return fail(why),
        }
    }
    *lock(&shared.ws_protocol) = protocol;
    Prepared::Client(Handshake::Done(agreed))
}

/// What [`ws_prepare`] found.
enum Prepared {
    /// A server's `101` and what it agrees to, or `None` for a request to refuse.
    Server(Option<(String, Option<Agreed>)>),
    /// A client's verdict on the answer.
    Client(Handshake),
}

/// The server's part after `OnUpgrade`: its `101` goes out unless the application answered
/// itself (its own `101` stands as sent, with nothing agreed beyond it; any other status
/// refuses the upgrade: an Origin check), or the `400` for a request that is not valid.
fn ws_answer(
    prepared: Option<(String, Option<Agreed>)>,
    id: ConnId,
    shared: &HttpShared,
    events: &dyn HttpEvents,
) -> Handshake {
    match shared.answered.load(Ordering::Acquire) {
        0 => {}
        101 => {
            *lock(&shared.ws_protocol) = None;
            return Handshake::Done(None);
        }
        _ => {
            *lock(&shared.ws_protocol) = None;
            events.close_soon(id, 0);
            return Handshake::Answered(0);
        }
    }
    let Some((answer, agreed)) = prepared else {
        events.send(
            id,
            b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\
              Content-Length: 0\r\nConnection: close\r\n\r\n",
        );
        events.close_soon(id, libc::EPROTO);
        return Handshake::Answered(libc::EPROTO);
    };
    if let Some(a) = agreed {
        *lock(&shared.ws_deflater) = Some(a.deflater(true));
    }
    shared.response_sent(101);
    events.send(id, answer.as_bytes());
    Handshake::Done(agreed)
}
