//! The request-target split into HP-Socket's URL fields (`En_HP_HttpUrlField`, `GetUrlField`),
//! with http_parser's `http_parser_parse_url` rules, which HP-Socket uses for `OnRequestLine`.
//!
//! Origin form `/a/b?x=1#f`, absolute form `http://user@host:8080/p?q`, asterisk form `*` (path
//! `*`) and, for CONNECT, authority form `host:443` (host and port, nothing else). Fields exclude
//! their delimiters (`?`, `#`, `@`, `://`, `:`); an IPv6 literal host loses its brackets. As in
//! http_parser, the authority of an absolute URL ends only at `/` or `?`, and bytes below 0x21,
//! DEL and `#` inside the authority make the target invalid.

/// `HUF_SCHEMA`.
pub const UF_SCHEMA: usize = 0;
/// `HUF_HOST`.
pub const UF_HOST: usize = 1;
/// `HUF_PORT`.
pub const UF_PORT: usize = 2;
/// `HUF_PATH`.
pub const UF_PATH: usize = 3;
/// `HUF_QUERY`.
pub const UF_QUERY: usize = 4;
/// `HUF_FRAGMENT`.
pub const UF_FRAGMENT: usize = 5;
/// `HUF_USERINFO`.
pub const UF_USERINFO: usize = 6;
/// `HUF_MAX`: the number of fields.
pub const UF_MAX: usize = 7;

/// A request-target split into fields; by default owns its text so the fields outlive the
/// parser's bytes (HP-Socket keeps them until the next message). The parser's own checks
/// borrow it instead (`parse_url_borrowed`): no allocation per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlFields<T = String> {
    text: T,
    ranges: [Option<(usize, usize)>; UF_MAX],
}

impl<T: AsRef<str>> UrlFields<T> {
    /// Field `i` (`UF_*`), `None` when absent or out of range.
    pub fn field(&self, i: usize) -> Option<&str> {
        let (start, end) = (*self.ranges.get(i)?)?;
        self.text.as_ref().get(start..end)
    }

    /// Bit `i` set when field `i` is present (http_parser's `field_set`).
    pub fn field_set(&self) -> u16 {
        self.ranges
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_some())
            .fold(0, |set, (i, _)| set | 1 << i)
    }

    /// The port as a number, when the target has one.
    pub fn port(&self) -> Option<u16> {
        self.field(UF_PORT)?.parse().ok()
    }

    /// The whole target.
    pub fn as_str(&self) -> &str {
        self.text.as_ref()
    }
}

/// States of the URL scanner (http_parser's `s_req_*` subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Start,
    Schema,
    SchemaSlash,
    SchemaSlashSlash,
    ServerStart,
    Server,
    ServerWithAt,
    Path,
    QueryStart,
    Query,
    FragmentStart,
    Fragment,
}

/// Splits `target` as http_parser does; `None` when it is not a valid request-target
/// (HPE_INVALID_URL for the caller). `is_connect`: the target of a CONNECT request.
pub fn parse_url(target: &str, is_connect: bool) -> Option<UrlFields> {
    parse_url_borrowed(target, is_connect).map(|f| UrlFields {
        text: target.to_owned(),
        ranges: f.ranges,
    })
}

/// [`parse_url`] over the caller's `target`, without copying it.
pub(crate) fn parse_url_borrowed(target: &str, is_connect: bool) -> Option<UrlFields<&str>> {
    let bytes = target.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let mut ranges: [Option<(usize, usize)>; UF_MAX] = [None; UF_MAX];
    let mut state = if is_connect {
        St::ServerStart
    } else {
        St::Start
    };
    let mut found_at = false;
    for (i, &c) in bytes.iter().enumerate() {
        state = next(state, c)?;
        let field = match state {
            St::Schema => UF_SCHEMA,
            St::ServerWithAt | St::Server => {
                found_at |= state == St::ServerWithAt;
                UF_HOST
            }
            St::Path => UF_PATH,
            St::Query => UF_QUERY,
            St::Fragment => UF_FRAGMENT,
            _ => continue,
        };
        match &mut ranges[field] {
            Some((_, end)) => *end = i + 1,
            r => *r = Some((i, i + 1)),
        }
    }
    if ranges[UF_SCHEMA].is_some() && ranges[UF_HOST].is_none() {
        return None;
    }
    if let Some(server) = ranges[UF_HOST] {
        split_host(bytes, server, found_at, &mut ranges)?;
    }
    if is_connect
        && ranges
            .iter()
            .enumerate()
            .any(|(i, r)| r.is_some() != (i == UF_HOST || i == UF_PORT))
    {
        return None;
    }
    if let Some((s, e)) = ranges[UF_PORT] {
        let mut v: u32 = 0;
        for &d in &bytes[s..e] {
            v = v.saturating_mul(10).saturating_add(u32::from(d - b'0'));
        }
        if v > 0xffff {
            return None;
        }
    }
    Some(UrlFields {
        text: target,
        ranges,
    })
}

/// One step of http_parser's `parse_url_char`; `None` is its dead state.
fn next(s: St, c: u8) -> Option<St> {
    if c == b' ' || c == b'\r' || c == b'\n' || c == b'\t' || c == 0x0c {
        return None;
    }
    Some(match s {
        St::Start => match c {
            b'/' | b'*' => St::Path,
            _ if c.is_ascii_alphabetic() => St::Schema,
            _ => return None,
        },
        St::Schema => match c {
            _ if c.is_ascii_alphabetic() => St::Schema,
            b':' => St::SchemaSlash,
            _ => return None,
        },
        St::SchemaSlash if c == b'/' => St::SchemaSlashSlash,
        St::SchemaSlashSlash if c == b'/' => St::ServerStart,
        St::SchemaSlash | St::SchemaSlashSlash => return None,
        St::ServerWithAt if c == b'@' => return None,
        St::ServerStart | St::Server | St::ServerWithAt => match c {
            b'/' => St::Path,
            b'?' => St::QueryStart,
            b'@' => St::ServerWithAt,
            b'[' | b']' => St::Server,
            _ if is_userinfo(c) => St::Server,
            _ => return None,
        },
        St::Path => match c {
            b'?' => St::QueryStart,
            b'#' => St::FragmentStart,
            _ if is_url(c) => St::Path,
            _ => return None,
        },
        St::QueryStart | St::Query => match c {
            b'?' => St::Query,
            b'#' => St::FragmentStart,
            _ if is_url(c) => St::Query,
            _ => return None,
        },
        St::FragmentStart => match c {
            b'?' => St::Fragment,
            b'#' => St::FragmentStart,
            _ if is_url(c) => St::Fragment,
            _ => return None,
        },
        St::Fragment => match c {
            b'?' | b'#' => St::Fragment,
            _ if is_url(c) => St::Fragment,
            _ => return None,
        },
    })
}

/// States of the authority splitter (http_parser's `s_http_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hs {
    UserinfoStart,
    Userinfo,
    HostStart,
    Host,
    V6Start,
    V6,
    V6End,
    ZoneStart,
    Zone,
    PortStart,
    Port,
}

/// Splits the authority (`[userinfo@]host[:port]`) held in the HOST range (http_parse_host).
fn split_host(
    b: &[u8],
    (start, end): (usize, usize),
    found_at: bool,
    ranges: &mut [Option<(usize, usize)>; UF_MAX],
) -> Option<()> {
    ranges[UF_HOST] = None;
    let mut s = if found_at {
        Hs::UserinfoStart
    } else {
        Hs::HostStart
    };
    for (i, &c) in b.iter().enumerate().take(end).skip(start) {
        let n = match s {
            Hs::Host if c == b':' => Hs::PortStart,
            Hs::V6End if c == b':' => Hs::PortStart,
            Hs::Host | Hs::HostStart if is_host(c) => Hs::Host,
            Hs::HostStart if c == b'[' => Hs::V6Start,
            Hs::V6 if c == b']' => Hs::V6End,
            Hs::V6 if c == b'%' => Hs::ZoneStart,
            Hs::V6 | Hs::V6Start if c.is_ascii_hexdigit() || c == b':' || c == b'.' => Hs::V6,
            Hs::Zone if c == b']' => Hs::V6End,
            Hs::Zone | Hs::ZoneStart if c.is_ascii_alphanumeric() || b"%.-_~".contains(&c) => {
                Hs::Zone
            }
            Hs::PortStart | Hs::Port if c.is_ascii_digit() => Hs::Port,
            Hs::Userinfo | Hs::UserinfoStart if c == b'@' => Hs::HostStart,
            Hs::Userinfo | Hs::UserinfoStart if is_userinfo(c) => Hs::Userinfo,
            _ => return None,
        };
        let field = match n {
            Hs::Host | Hs::V6 => Some(UF_HOST),
            Hs::Zone => Some(UF_HOST),
            Hs::Port => Some(UF_PORT),
            Hs::Userinfo => Some(UF_USERINFO),
            _ => None,
        };
        if let Some(f) = field {
            match &mut ranges[f] {
                Some((_, e)) => *e = i + 1,
                r => *r = Some((i, i + 1)),
            }
        } else if n == Hs::ZoneStart {
            // The `%` of a zone id belongs to the host, as in http_parser.
            if let Some((_, e)) = &mut ranges[UF_HOST] {
                *e = i + 1;
            }
        }
        s = n;
    }
    match s {
        Hs::Host | Hs::V6End | Hs::Port => Some(()),
        _ => None,
    }
}

/// http_parser's `IS_URL_CHAR` (strict about controls, tab and form feed; any non-ASCII byte).
fn is_url(c: u8) -> bool {
    (0x21..=0x7e).contains(&c) && c != b'#' && c != b'?' || c >= 0x80
}

/// http_parser's `IS_USERINFO_CHAR`.
fn is_userinfo(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-_.!~*'()%;:&=+$,".contains(&c)
}

/// http_parser's `IS_HOST_CHAR` (non-strict: `_` allowed).
fn is_host(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(t: &str, i: usize) -> Option<String> {
        parse_url(t, false).unwrap().field(i).map(str::to_owned)
    }

    #[test]
    fn origin_form() {
        let u = parse_url("/a/b?x=1#f", false).unwrap();
        assert_eq!(u.field(UF_PATH), Some("/a/b"));
        assert_eq!(u.field(UF_QUERY), Some("x=1"));
        assert_eq!(u.field(UF_FRAGMENT), Some("f"));
        assert_eq!(
            u.field_set(),
            1 << UF_PATH | 1 << UF_QUERY | 1 << UF_FRAGMENT
        );
        assert_eq!(u.port(), None);
        assert_eq!(u.field(UF_HOST), None);
        assert_eq!(u.field(99), None);
    }

    #[test]
    fn absolute_form() {
        let u = parse_url("http://user:pw@host:8080/p?q", false).unwrap();
        assert_eq!(u.field(UF_SCHEMA), Some("http"));
        assert_eq!(u.field(UF_USERINFO), Some("user:pw"));
        assert_eq!(u.field(UF_HOST), Some("host"));
        assert_eq!(u.field(UF_PORT), Some("8080"));
        assert_eq!(u.port(), Some(8080));
        assert_eq!(u.field(UF_PATH), Some("/p"));
        assert_eq!(u.field(UF_QUERY), Some("q"));
        assert_eq!(u.field_set(), 0b101_1111);
        let u = parse_url("https://example.com", false).unwrap();
        assert_eq!(u.field_set(), 1 << UF_SCHEMA | 1 << UF_HOST);
        let u = parse_url("http://a.b?x", false).unwrap();
        assert_eq!(
            (u.field(UF_HOST), u.field(UF_QUERY), u.field(UF_PATH)),
            (Some("a.b"), Some("x"), None)
        );
    }

    #[test]
    fn ipv6_hosts() {
        let u = parse_url("http://[::1]:80/", false).unwrap();
        assert_eq!(u.field(UF_HOST), Some("::1"));
        assert_eq!(u.port(), Some(80));
        let u = parse_url("http://[fe80::1%25eth0]/x", false).unwrap();
        assert_eq!(u.field(UF_HOST), Some("fe80::1%25eth0"));
        assert_eq!(
            parse_url("[::1]:443", true).unwrap().field(UF_HOST),
            Some("::1")
        );
        assert!(parse_url("http://[::1/", false).is_none());
        assert!(parse_url("http://[x]/", false).is_none());
    }

    #[test]
    fn authority_form_for_connect() {
        let u = parse_url("host:443", true).unwrap();
        assert_eq!(u.field_set(), 1 << UF_HOST | 1 << UF_PORT);
        assert_eq!((u.field(UF_HOST), u.port()), (Some("host"), Some(443)));
        assert!(parse_url("host", true).is_none(), "CONNECT needs a port");
        assert!(parse_url("host:443/x", true).is_none());
        assert!(parse_url("u@host:443", true).is_none());
        assert!(parse_url("/path", true).is_none());
    }

    #[test]
    fn asterisk_and_odd_but_valid() {
        assert_eq!(field("*", UF_PATH).as_deref(), Some("*"));
        // `//host` is a path in origin form; `??` keeps the second `?` in the query.
        assert_eq!(field("//h/x", UF_PATH).as_deref(), Some("//h/x"));
        assert_eq!(field("/??a", UF_QUERY).as_deref(), Some("?a"));
        assert_eq!(field("/#a?#b", UF_FRAGMENT).as_deref(), Some("a?#b"));
        // An empty query or fragment is absent.
        assert_eq!(parse_url("/p?#", false).unwrap().field_set(), 1 << UF_PATH);
        assert_eq!(field("/caf\u{e9}", UF_PATH).as_deref(), Some("/caf\u{e9}"));
    }

    #[test]
    fn invalid_targets() {
        for t in [
            "",
            " ",
            "a b",
            "/a b",
            "/\t",
            "http:/x",
            "http:x",
            "http://",
            "http:///p",
            "http://:80/",
            "http://h:/",
            "http://h:99999/",
            "http://h:x/",
            "http://u@/",
            "http://a@b@c/",
            "http://h#f",
            "1http://h/",
            "%/",
            "http://h\x7f/",
            "/\x01",
        ] {
            assert!(parse_url(t, false).is_none(), "{t:?} should be invalid");
        }
        assert_eq!(
            parse_url("http://h:65535/", false).unwrap().port(),
            Some(65535)
        );
        assert!(parse_url("http://h:0000000000000000000065536/", false).is_none());
    }
}
