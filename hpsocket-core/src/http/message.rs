//! [`HttpMessage`]: what one parsed message said, kept per connection for the getters.
//!
//! Every text is NUL-terminated in one buffer, so the C layer can hand out pointers into it:
//! a message is immutable once built and lives (behind an `Arc`) until two messages later,
//! which keeps a pointer taken during one message valid at least until the next one begins.
//! One buffer rather than a `CString` per text: a small request's head used to cost ten
//! allocations and their frees, an eighth of its instructions (callgrind, bench cell H1).

use std::ffi::{CStr, CString};

use super::parse::Head;
use super::url::parse_url_borrowed;
use super::UpgradeType;

/// Where one text sits in a message's buffer (its NUL at `end`).
#[derive(Debug, Default, Clone, Copy)]
struct Text {
    start: usize,
    end: usize,
}

/// The texts of one message, each followed by a NUL.
#[derive(Debug, Default, Clone)]
struct Texts {
    bytes: Vec<u8>,
}

impl Texts {
    /// Adds `text`, cut at a NUL inside (which no valid head has).
    fn add(&mut self, text: &[u8]) -> Text {
        let text = &text[..text.iter().position(|&b| b == 0).unwrap_or(text.len())];
        let start = self.bytes.len();
        self.bytes.extend_from_slice(text);
        self.bytes.push(0);
        Text {
            start,
            end: start + text.len(),
        }
    }

    fn get(&self, text: Text) -> &CStr {
        self.bytes
            .get(text.start..=text.end)
            .and_then(|b| CStr::from_bytes_with_nul(b).ok())
            .unwrap_or_default()
    }
}

/// Name/value pairs of a message (its headers or its cookies), in order.
#[derive(Clone, Copy)]
pub struct Pairs<'m> {
    texts: &'m Texts,
    pairs: &'m [(Text, Text)],
}

impl<'m> Pairs<'m> {
    /// How many pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pairs as C strings.
    pub fn iter(&self) -> PairsIter<'m> {
        PairsIter {
            texts: self.texts,
            pairs: self.pairs.iter(),
        }
    }
}

impl<'m> IntoIterator for Pairs<'m> {
    type Item = (&'m CStr, &'m CStr);
    type IntoIter = PairsIter<'m>;

    fn into_iter(self) -> PairsIter<'m> {
        self.iter()
    }
}

/// The iterator of [`Pairs`].
pub struct PairsIter<'m> {
    texts: &'m Texts,
    pairs: std::slice::Iter<'m, (Text, Text)>,
}

impl<'m> Iterator for PairsIter<'m> {
    type Item = (&'m CStr, &'m CStr);

    fn next(&mut self) -> Option<Self::Item> {
        let &(name, value) = self.pairs.next()?;
        Some((self.texts.get(name), self.texts.get(value)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.pairs.size_hint()
    }
}

impl ExactSizeIterator for PairsIter<'_> {}

/// A request's or response's head, as parsed.
#[derive(Debug, Default, Clone)]
pub struct HttpMessage {
    texts: Texts,
    method: Text,
    url: Text,
    /// `HUF_*` fields of the URL (server).
    url_fields: [Option<Text>; URL_FIELDS],
    status: u16,
    reason: Text,
    /// `MAKEWORD(major, minor)`.
    version: u16,
    headers: Vec<(Text, Text)>,
    cookies: Vec<(Text, Text)>,
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
    /// Makes this message the one `head` describes (a request's URL fields and cookies are
    /// read too), in place: its buffers keep their allocations (a connection's messages are
    /// recycled: see `HttpShared::publish`).
    pub(crate) fn refill(&mut self, head: &Head<'_>, is_request: bool) {
        let size = head.method.len()
            + head.target.len() * 2
            + head.reason.len()
            + head
                .headers
                .iter()
                .map(|h| h.name.len() + h.value.len() + 2)
                .sum::<usize>()
            + 16;
        let texts = &mut self.texts;
        texts.bytes.clear();
        texts.bytes.reserve(size);
        self.headers.clear();
        self.headers.extend(
            head.headers
                .iter()
                .map(|h| (texts.add(h.name.as_bytes()), texts.add(h.value))),
        );
        self.method = texts.add(head.method.as_bytes());
        self.url = texts.add(head.target.as_bytes());
        self.reason = texts.add(head.reason.as_bytes());
        self.status = head.status;
        self.version = u16::from(head.version.0) | (u16::from(head.version.1) << 8);
        self.keep_alive = head.keep_alive;
        self.content_length = match head.framing {
            super::parse::Framing::Length(n) => n,
            _ => 0,
        };
        self.url_fields = [None; URL_FIELDS];
        self.cookies.clear();
        self.upgrade = UpgradeType::default();
        if is_request {
            let connect = head.method.eq_ignore_ascii_case("CONNECT");
            if let Some(fields) = parse_url_borrowed(head.target, connect) {
                for i in 0..URL_FIELDS {
                    self.url_fields[i] = fields.field(i).map(|f| self.texts.add(f.as_bytes()));
                }
            }
            let cookies: Vec<(String, String)> = self
                .header_values("Cookie")
                .flat_map(|v| super::cookie::parse_cookie_header(&v.to_string_lossy()))
                .collect();
            self.set_cookies(cookies);
        }
        if head.upgrade {
            self.upgrade = self.detect_upgrade(is_request);
        }
    }

    /// Records the cookies (name and value each): a request's `Cookie` pairs, a response's
    /// `Set-Cookie` headers.
    pub(crate) fn set_cookies(&mut self, cookies: Vec<(String, String)>) {
        let texts = &mut self.texts;
        self.cookies.clear();
        self.cookies.extend(
            cookies
                .iter()
                .map(|(n, v)| (texts.add(n.as_bytes()), texts.add(v.as_bytes()))),
        );
    }

    /// The upgrade a head asks for: WebSocket by its header, a tunnel by `CONNECT` (or a
    /// 2xx answer to one), else unknown.
    fn detect_upgrade(&self, is_request: bool) -> UpgradeType {
        let websocket = self
            .header("Upgrade")
            .is_some_and(|v| v.to_bytes().eq_ignore_ascii_case(b"websocket"));
        if websocket {
            UpgradeType::WebSocket
        } else if is_request && self.method().to_bytes().eq_ignore_ascii_case(b"CONNECT") {
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
        self.texts.get(self.method)
    }

    /// The request target (requests).
    pub fn url(&self) -> &CStr {
        self.texts.get(self.url)
    }

    /// URL field `HUF_*` `index`, when present.
    pub fn url_field(&self, index: usize) -> Option<&CStr> {
        Some(self.texts.get((*self.url_fields.get(index)?)?))
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
        self.texts.get(self.reason)
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
    pub fn headers(&self) -> Pairs<'_> {
        Pairs {
            texts: &self.texts,
            pairs: &self.headers,
        }
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&CStr> {
        self.headers()
            .iter()
            .find(|(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// Every value of header `name` (any case), in wire order.
    pub fn header_values<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m CStr> + 'm {
        self.headers()
            .iter()
            .filter(move |(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// The header names, in wire order (repeated names repeat).
    pub fn header_names(&self) -> impl Iterator<Item = &CStr> {
        self.headers().iter().map(|(n, _)| n)
    }

    /// The host: the `Host` header, else the URL's host (server).
    pub fn host(&self) -> Option<&CStr> {
        self.header("Host").or_else(|| self.url_field(1))
    }

    /// The cookies: a request's `Cookie` header pairs, a response's `Set-Cookie` names and
    /// values.
    pub fn cookies(&self) -> Pairs<'_> {
        Pairs {
            texts: &self.texts,
            pairs: &self.cookies,
        }
    }

    /// The value of cookie `name` (exact case).
    pub fn cookie(&self, name: &str) -> Option<&CStr> {
        self.cookies()
            .iter()
            .find(|(n, _)| n.to_bytes() == name.as_bytes())
            .map(|(_, v)| v)
    }
}
