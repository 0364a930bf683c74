//! [`HttpMessage`]: what one parsed message said, kept per connection for the getters.
//!
//! Every text is a `CString`, so the C layer can hand out pointers into it: a message is
//! immutable once built and lives (behind an `Arc`) until two messages later, which keeps a
//! pointer taken during one message valid at least until the next one begins.

use std::ffi::{CStr, CString};

use super::parse::Head;
use super::url::parse_url;
use super::UpgradeType;

/// A request's or response's head, as parsed.
#[derive(Debug, Default)]
pub struct HttpMessage {
    method: CString,
    url: CString,
    /// `HUF_*` fields of the URL (server).
    url_fields: [Option<CString>; URL_FIELDS],
    status: u16,
    reason: CString,
    /// `MAKEWORD(major, minor)`.
    version: u16,
    headers: Vec<(CString, CString)>,
    cookies: Vec<(CString, CString)>,
    keep_alive: bool,
    upgrade: UpgradeType,
    content_length: u64,
}

/// `HUF_MAX`: the URL fields.
pub const URL_FIELDS: usize = 7;

/// A parse error: llhttp's number and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// An `HPE_*` number.
    pub code: i32,
    /// What was wrong.
    pub description: CString,
}

/// A text as a C string: a NUL byte inside (which no valid head has) ends it.
pub(crate) fn c_text(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap_or_default()
}

impl HttpMessage {
    /// The message `head` describes. `request_method` is what an agent or client asked with
    /// (for a response), `cookie_header` names the header whose cookies are collected.
    pub(crate) fn from_head(head: &Head<'_>, is_request: bool) -> HttpMessage {
        let headers: Vec<(CString, CString)> = head
            .headers
            .iter()
            .map(|h| (c_text(h.name.as_bytes()), c_text(h.value)))
            .collect();
        let mut message = HttpMessage {
            method: c_text(head.method.as_bytes()),
            url: c_text(head.target.as_bytes()),
            status: head.status,
            reason: c_text(head.reason.as_bytes()),
            version: u16::from(head.version.0) | (u16::from(head.version.1) << 8),
            keep_alive: head.keep_alive,
            content_length: match head.framing {
                super::parse::Framing::Length(n) => n,
                _ => 0,
            },
            headers,
            ..HttpMessage::default()
        };
        if is_request {
            let connect = head.method.eq_ignore_ascii_case("CONNECT");
            if let Some(fields) = parse_url(head.target, connect) {
                for (i, slot) in message.url_fields.iter_mut().enumerate() {
                    *slot = fields.field(i).map(|f| c_text(f.as_bytes()));
                }
            }
            message.cookies = message
                .header_values("Cookie")
                .flat_map(|v| super::cookie::parse_cookie_header(&v.to_string_lossy()))
                .map(|(n, v)| (c_text(n.as_bytes()), c_text(v.as_bytes())))
                .collect();
        }
        if head.upgrade {
            message.upgrade = message.detect_upgrade(is_request);
        }
        message
    }

    /// Records the cookies of a response's `Set-Cookie` headers (name and value each).
    pub(crate) fn set_response_cookies(&mut self, cookies: Vec<(String, String)>) {
        self.cookies = cookies
            .into_iter()
            .map(|(n, v)| (c_text(n.as_bytes()), c_text(v.as_bytes())))
            .collect();
    }

    /// The upgrade a head asks for: WebSocket by its header, a tunnel by `CONNECT` (or a
    /// 2xx answer to one), else unknown.
    fn detect_upgrade(&self, is_request: bool) -> UpgradeType {
        let websocket = self
            .header("Upgrade")
            .is_some_and(|v| v.to_bytes().eq_ignore_ascii_case(b"websocket"));
        if websocket {
            UpgradeType::WebSocket
        } else if is_request && self.method.to_bytes().eq_ignore_ascii_case(b"CONNECT") {
            UpgradeType::HttpTunnel
        } else {
            UpgradeType::Unknown
        }
    }

    /// Marks the message as upgraded to `kind` (a sink's `HPR_UPGRADE`, a tunnel answer).
    pub(crate) fn set_upgrade(&mut self, kind: UpgradeType) {
        self.upgrade = kind;
    }

    /// The method, verbatim (requests; empty for responses).
    pub fn method(&self) -> &CStr {
        &self.method
    }

    /// The request target (requests).
    pub fn url(&self) -> &CStr {
        &self.url
    }

    /// URL field `HUF_*` `index`, when present.
    pub fn url_field(&self, index: usize) -> Option<&CStr> {
        self.url_fields.get(index)?.as_deref()
    }

    /// Bit `i` set when URL field `i` is present (`GetUrlFieldSet`).
    pub fn url_field_set(&self) -> u16 {
        self.url_fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_some())
            .fold(0, |set, (i, _)| set | (1 << i))
    }

    /// The status code (responses; 0 for requests).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase (responses).
    pub fn reason(&self) -> &CStr {
        &self.reason
    }

    /// The version as `MAKEWORD(major, minor)` (`HV_1_1` = 0x0101).
    pub fn version(&self) -> u16 {
        self.version
    }

    /// Whether the connection stays open after this message (llhttp's rule).
    pub fn is_keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Whether the message upgrades the connection.
    pub fn is_upgrade(&self) -> bool {
        self.upgrade != UpgradeType::None
    }

    /// What it upgrades to.
    pub fn upgrade_type(&self) -> UpgradeType {
        self.upgrade
    }

    /// The `Content-Length`, 0 when absent or chunked.
    pub fn content_length(&self) -> u64 {
        self.content_length
    }

    /// Every header, in wire order.
    pub fn headers(&self) -> &[(CString, CString)] {
        &self.headers
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&CStr> {
        self.headers
            .iter()
            .find(|(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_c_str())
    }

    /// Every value of header `name` (any case), in wire order.
    pub fn header_values<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m CStr> + 'm {
        self.headers
            .iter()
            .filter(move |(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_c_str())
    }

    /// The header names, in wire order (repeated names repeat).
    pub fn header_names(&self) -> impl Iterator<Item = &CStr> {
        self.headers.iter().map(|(n, _)| n.as_c_str())
    }

    /// The host: the `Host` header, else the URL's host (server).
    pub fn host(&self) -> Option<&CStr> {
        self.header("Host").or_else(|| self.url_field(1))
    }

    /// The cookies: a request's `Cookie` header pairs, a response's `Set-Cookie` names and
    /// values.
    pub fn cookies(&self) -> &[(CString, CString)] {
        &self.cookies
    }

    /// The value of cookie `name` (exact case).
    pub fn cookie(&self, name: &str) -> Option<&CStr> {
        self.cookies
            .iter()
            .find(|(n, _)| n.to_bytes() == name.as_bytes())
            .map(|(_, v)| v.as_c_str())
    }
}
