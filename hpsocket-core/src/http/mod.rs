//! HTTP/1.x over the TCP components (HP-Socket's `HttpServer`, `HttpAgent`, `HttpClient`,
//! `HttpSyncClient` and their HTTPS variants).
//!
//! An HTTP component is a TCP component whose receive model is [`ReceiveModel::Http`]: its
//! worker feeds what it reads to a sans-IO [`parse::Parser`] per connection (requests for a
//! server, responses for an agent or client) and reports the parse as [`HttpEvent`]s through
//! the listener's `on_http`. What a message said (request line, status, headers, cookies)
//! is kept per connection as an [`HttpMessage`], readable from any thread until the next
//! message on that connection begins. Outgoing heads are written by [`write`](mod@write).
//!
//! [`ReceiveModel::Http`]: crate::ReceiveModel::Http

pub mod cookie;
pub mod encoding;
mod message;
mod ops;
pub mod parse;
pub(crate) mod session;
pub(crate) mod sync_client;
pub mod url;
pub mod write;
pub mod ws;
pub mod ws_deflate;
pub mod ws_mode;

use std::ffi::CStr;

pub use message::{HttpMessage, ParseFailure};
pub use session::WsFrameState;
pub use sync_client::HttpSyncClient;

/// What an HTTP callback tells the parser (`En_HP_HttpParseResult`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum HttpParseResult {
    /// `HPR_OK`: go on.
    #[default]
    Ok = 0,
    /// `HPR_SKIP_BODY` (from `OnHeadersComplete`): the message has no body.
    SkipBody = 1,
    /// `HPR_UPGRADE` (from `OnHeadersComplete`): the connection leaves HTTP after this head.
    Upgrade = 2,
    /// `HPR_ERROR`: a parse error; the connection closes.
    Error = -1,
}

impl HttpParseResult {
    /// The result for a C code; unknown codes count as `HPR_OK`, as in HP-Socket.
    pub fn from_code(code: i32) -> HttpParseResult {
        match code {
            1 => HttpParseResult::SkipBody,
            2 => HttpParseResult::Upgrade,
            -1 => HttpParseResult::Error,
            _ => HttpParseResult::Ok,
        }
    }
}

/// The protocol a connection upgrades to (`En_HP_HttpUpgradeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum UpgradeType {
    /// `HUT_NONE`
    #[default]
    None = 0,
    /// `HUT_WEB_SOCKET`: `Upgrade: websocket`.
    WebSocket = 1,
    /// `HUT_HTTP_TUNNEL`: a `CONNECT` tunnel.
    HttpTunnel = 2,
    /// `HUT_UNKNOWN`: any other upgrade.
    Unknown = -1,
}

/// `HV_1_0`: HTTP/1.0 as `MAKEWORD(major, minor)`.
pub const HTTP_VERSION_1_0: u16 = 0x0001;
/// `HV_1_1`: HTTP/1.1.
pub const HTTP_VERSION_1_1: u16 = 0x0101;

/// One step of an HTTP parse, in HP-Socket's order: `MessageBegin`, `RequestLine` (server) or
/// `StatusLine` (agent, client), `Header`…, `HeadersComplete`, then `Body`… or, chunked,
/// (`ChunkHeader`, `Body`…, `ChunkComplete`)…, then `MessageComplete`; an upgrade adds
/// `Upgrade`; a bad message gives `ParseError` and the connection closes. Strings are valid
/// during the call; the same texts stay readable in the connection's [`HttpMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpEvent<'a> {
    /// A message starts (`OnMessageBegin`).
    MessageBegin,
    /// Server: the request line (`OnRequestLine`); the URL's fields are in the message.
    RequestLine {
        /// The method, verbatim.
        method: &'a CStr,
        /// The request target.
        url: &'a CStr,
    },
    /// Agent, client: the status line (`OnStatusLine`).
    StatusLine {
        /// The status code.
        status: u16,
        /// The reason phrase (may be empty).
        reason: &'a CStr,
    },
    /// One header line (`OnHeader`), in wire order.
    Header {
        /// Its name as sent.
        name: &'a CStr,
        /// Its value.
        value: &'a CStr,
    },
    /// The head is complete (`OnHeadersComplete`): `SkipBody` and `Upgrade` are answers here.
    HeadersComplete,
    /// Body bytes, de-chunked (`OnBody`).
    Body(&'a [u8]),
    /// A chunk of a chunked body starts (`OnChunkHeader`); 0 for the last one.
    ChunkHeader(u64),
    /// A chunk ended (`OnChunkComplete`).
    ChunkComplete,
    /// The message is complete (`OnMessageComplete`).
    MessageComplete,
    /// The connection left HTTP (`OnUpgrade`); anything but `Ok` closes it. Afterwards
    /// bytes arrive through `on_receive`.
    Upgrade(UpgradeType),
    /// The message could not be parsed (`OnParseError`): llhttp's error number and text.
    /// The connection closes after it.
    ParseError {
        /// An `HPE_*` number.
        code: i32,
        /// What was wrong.
        description: &'a CStr,
    },
    /// After a WebSocket upgrade: a frame begins (`OnWSMessageHeader`). Only `Error` (from
    /// C: `HR_ERROR`) matters: it closes the connection.
    WsMessageHeader(ws::FrameHead),
    /// Frame payload, unmasked, in pieces as it arrives (`OnWSMessageBody`).
    WsMessageBody(&'a [u8]),
    /// The frame is complete (`OnWSMessageComplete`), one per frame (no reassembly).
    WsMessageComplete,
    /// Extension, WebSocket mode: a whole message (text 0x1, binary 0x2), or the payload of
    /// a ping (0x9, already answered), a pong (0xA) or the peer's close (0x8: code and
    /// reason; the close is answered and the connection closes). Only `Error` matters.
    WsMessage {
        /// Its opcode.
        opcode: u8,
        /// Its payload, valid during the call.
        data: &'a [u8],
    },
}

/// The HTTP settings of a component; they may change while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// `HV_1_1` or `HV_1_0`: the version written in outgoing start lines. Default `HV_1_1`.
    pub local_version: u16,
    /// Server: ms between `release` and the close (100..=60 000). Default 3000.
    pub release_delay: u32,
    /// Parse from the first byte; false waits for `start_http`. Default true.
    pub auto_start: bool,
    /// Agent, client: send and store cookies through the process-wide cookie manager.
    /// Default true.
    pub use_cookie: bool,
    /// Extension: the WebSocket mode (see [`ws_mode`]): the handshake answered and checked,
    /// control frames answered, whole messages through `WsMessage`. Default false
    /// (HP-Socket's frame events).
    pub ws_mode: bool,
    /// Extension: the largest WebSocket message the mode reassembles, bytes. Default 16 MiB.
    pub ws_max_message: u32,
    /// Extension, WebSocket mode: the subprotocols this side speaks, in order of preference.
    /// A server picks the first of them the client offers; a client offers them all. Default
    /// none.
    pub ws_protocols: Vec<String>,
    /// Extension, WebSocket mode: negotiate permessage-deflate (RFC 7692), compressing
    /// whole messages sent in one frame. Default false.
    pub ws_deflate: bool,
    /// Extension, WebSocket mode: ms of silence from the peer after which a ping goes out;
    /// a second interval without anything from the peer closes the connection
    /// (`ETIMEDOUT`). 0 (the default): no pings.
    pub ws_ping_interval: u32,
    /// Extension, server: responses whose body has at least this many bytes go compressed
    /// (gzip or br, by the request's `Accept-Encoding`) unless they set `Content-Encoding`
    /// themselves. 0 (the default): never.
    pub compress_min_size: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            local_version: HTTP_VERSION_1_1,
            release_delay: 3000,
            auto_start: true,
            use_cookie: true,
            ws_mode: false,
            ws_max_message: 16 << 20,
            ws_protocols: Vec::new(),
            ws_deflate: false,
            ws_ping_interval: 0,
            compress_min_size: 0,
        }
    }
}

/// The bounds of `release_delay` (HP-Socket's).
pub const RELEASE_DELAY_RANGE: std::ops::RangeInclusive<u32> = 100..=60_000;
