//! Outgoing HTTP/1.x: start lines, heads with the headers HP-Socket adds by itself
//! (`Content-Length`, `Host`, `Cookie`), and chunks. Pure functions over bytes, so they are
//! tested without sockets.

use super::HTTP_VERSION_1_0;

/// One header to send: name and value.
pub type Header<'a> = (&'a str, &'a str);

/// The standard reason phrase of `status` (RFC 9110 and the registered extensions), or ""
/// for a code without one.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    }
}

fn version_text(version: u16) -> &'static str {
    if version == HTTP_VERSION_1_0 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    }
}

fn has_header(headers: &[Header<'_>], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Whether the headers already frame a body (`Content-Length` or `Transfer-Encoding`).
pub fn frames_body(headers: &[Header<'_>]) -> bool {
    has_header(headers, "Content-Length") || has_header(headers, "Transfer-Encoding")
}

/// Refuses texts that would split a head: CR or LF in a name or value, or an empty name.
pub fn check_headers(headers: &[Header<'_>]) -> Result<(), String> {
    for (name, value) in headers {
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == b':' || b == 0x7f) {
            return Err(format!("header name {name:?} is not a token"));
        }
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(format!("header {name:?} has CR, LF or NUL in its value"));
        }
    }
    Ok(())
}

// Heads are built with `push_str` rather than `write!`: formatting machinery was a tenth of
// the instructions of a small keep-alive request (callgrind, bench cell H1).

fn push_header(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

fn push_headers(out: &mut String, headers: &[Header<'_>]) {
    for (name, value) in headers {
        push_header(out, name, value);
    }
}

/// `n` in decimal.
fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

fn push_content_length(out: &mut String, len: u64) {
    out.push_str("Content-Length: ");
    push_decimal(out, len);
    out.push_str("\r\n");
}

/// A response head: `HTTP/x.y status reason`, the headers, and `Content-Length: body_len`
/// unless the headers frame the body themselves or the status has no body (1xx, 204, 304).
/// `reason` `None` takes the standard phrase.
pub fn response_head(
    version: u16,
    status: u16,
    reason: Option<&str>,
    headers: &[Header<'_>],
    body_len: u64,
) -> String {
    let mut out = String::with_capacity(64 + headers.len() * 32);
    write_response_head(&mut out, version, status, reason, headers, body_len);
    out
}

/// [`response_head`] appended to `out` (a buffer the caller reuses).
pub(crate) fn write_response_head(
    out: &mut String,
    version: u16,
    status: u16,
    reason: Option<&str>,
    headers: &[Header<'_>],
    body_len: u64,
) {
    let reason = reason.unwrap_or_else(|| reason_phrase(status));
    out.push_str(version_text(version));
    out.push(' ');
    push_decimal(out, status.into());
    out.push(' ');
    out.push_str(reason);
    out.push_str("\r\n");
    push_headers(out, headers);
    let bodiless = (100..200).contains(&status) || status == 204 || status == 304;
    if !bodiless && !frames_body(headers) {
        push_content_length(out, body_len);
    }
    out.push_str("\r\n");
}

/// What a request head needs besides the caller's headers.
pub struct RequestExtras<'a> {
    /// The `Host` value to add when the caller gave none.
    pub host: &'a str,
    /// The `Cookie` value to add, from the cookie manager.
    pub cookie: Option<&'a str>,
}

/// A request head: `METHOD path HTTP/x.y` (method upper-cased, empty path `/`), the
/// headers, `Host` when missing, `Content-Length` when there is a body (or the method
/// usually carries one) and the headers do not frame it, and the cookies.
pub fn request_head(
    version: u16,
    method: &str,
    path: &str,
    headers: &[Header<'_>],
    body_len: u64,
    extras: &RequestExtras<'_>,
) -> String {
    let mut out = String::with_capacity(64 + headers.len() * 32);
    let method = method.to_ascii_uppercase();
    let path = if path.is_empty() { "/" } else { path };
    for part in [
        method.as_str(),
        " ",
        path,
        " ",
        version_text(version),
        "\r\n",
    ] {
        out.push_str(part);
    }
    push_headers(&mut out, headers);
    if !has_header(headers, "Host") && !extras.host.is_empty() {
        push_header(&mut out, "Host", extras.host);
    }
    let carries_body = matches!(method.as_str(), "POST" | "PUT" | "PATCH");
    if (body_len > 0 || carries_body) && !frames_body(headers) {
        push_content_length(&mut out, body_len);
    }
    if let Some(cookie) = extras.cookie.filter(|c| !c.is_empty()) {
        if !has_header(headers, "Cookie") {
            push_header(&mut out, "Cookie", cookie);
        }
    }
    out.push_str("\r\n");
    out
}

/// The `Host` value for `host` and `port`: the port is left out when it is the scheme's
/// default, and an IPv6 literal gets brackets.
pub fn host_value(host: &str, port: u16, secure: bool) -> String {
    let default_port = if secure { 443 } else { 80 };
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    if port == default_port {
        host
    } else {
        format!("{host}:{port}")
    }
}

/// The head of one chunk of `len` bytes (`len` 0: the last chunk, whose head also ends the
/// empty trailer section). `extensions` without the leading `;` is accepted too.
pub fn chunk_head(len: usize, extensions: Option<&str>) -> String {
    let mut out = format!("{len:x}");
    if let Some(ext) = extensions.map(str::trim).filter(|e| !e.is_empty()) {
        if !ext.starts_with(';') {
            out.push(';');
        }
        out.push_str(ext);
    }
    out.push_str("\r\n");
    if len == 0 {
        out.push_str("\r\n");
    }
    out
}

/// What ends a chunk's data.
pub const CHUNK_TAIL: &[u8] = b"\r\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HTTP_VERSION_1_1;

    #[test]
    fn decimals_are_written_without_fmt() {
        for n in [0, 7, 10, 13, 99, 100, 4096, 1 << 32, u64::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
        let head = response_head(HTTP_VERSION_1_1, 599, None, &[], u64::MAX);
        assert_eq!(
            head,
            format!("HTTP/1.1 599 \r\nContent-Length: {}\r\n\r\n", u64::MAX)
        );
    }

    #[test]
    fn response_heads_add_content_length_unless_framed() {
        let h = response_head(HTTP_VERSION_1_1, 200, None, &[("X-A", "1")], 5);
        assert_eq!(h, "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 5\r\n\r\n");
        let h = response_head(
            HTTP_VERSION_1_0,
            404,
            Some("Nope"),
            &[("transfer-encoding", "chunked")],
            0,
        );
        assert_eq!(h, "HTTP/1.0 404 Nope\r\ntransfer-encoding: chunked\r\n\r\n");
        let h = response_head(HTTP_VERSION_1_1, 204, None, &[], 0);
        assert_eq!(h, "HTTP/1.1 204 No Content\r\n\r\n");
        let h = response_head(HTTP_VERSION_1_1, 599, None, &[], 0);
        assert_eq!(h, "HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n");
    }

    #[test]
    fn request_heads_add_host_length_and_cookies() {
        let extras = RequestExtras {
            host: "example.org:8080",
            cookie: Some("a=1; b=2"),
        };
        let h = request_head(HTTP_VERSION_1_1, "post", "/x?y=1", &[], 3, &extras);
        assert_eq!(
            h,
            "POST /x?y=1 HTTP/1.1\r\nHost: example.org:8080\r\nContent-Length: 3\r\n\
             Cookie: a=1; b=2\r\n\r\n"
        );
        let extras = RequestExtras {
            host: "h",
            cookie: None,
        };
        let h = request_head(
            HTTP_VERSION_1_1,
            "GET",
            "",
            &[("host", "given")],
            0,
            &extras,
        );
        assert_eq!(h, "GET / HTTP/1.1\r\nhost: given\r\n\r\n");
        let h = request_head(HTTP_VERSION_1_1, "PUT", "/", &[], 0, &extras);
        assert_eq!(h, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    }

    #[test]
    fn host_values_and_chunks() {
        assert_eq!(host_value("a.b", 80, false), "a.b");
        assert_eq!(host_value("a.b", 443, false), "a.b:443");
        assert_eq!(host_value("a.b", 443, true), "a.b");
        assert_eq!(host_value("::1", 8080, false), "[::1]:8080");
        assert_eq!(chunk_head(255, None), "ff\r\n");
        assert_eq!(chunk_head(16, Some("a=b")), "10;a=b\r\n");
        assert_eq!(chunk_head(0, Some(";z")), "0;z\r\n\r\n");
    }

    #[test]
    fn header_injection_is_refused() {
        assert!(check_headers(&[("A", "ok")]).is_ok());
        assert!(check_headers(&[("A", "x\r\nEvil: 1")]).is_err());
        assert!(check_headers(&[("A B", "x")]).is_err());
        assert!(check_headers(&[("", "x")]).is_err());
    }
}
