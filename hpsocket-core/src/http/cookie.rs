//! HTTP cookies as HP-Socket keeps them: [`Cookie`] (a `Set-Cookie` parsed per RFC 6265 §5.2,
//! and HP-Socket's `ToString` text), the cookie dates (RFC 6265 §5.1.1 parsing, HP-Socket's
//! `expires` text), and [`CookieManager`], the process-wide store HTTP clients read a request's
//! `Cookie:` header from and write a response's `Set-Cookie` into ([`cookie_manager`]).
//!
//! Paths are kept the way HP-Socket keeps them, as directories ending in `/` (`/docs/` for a
//! request to `/docs/index.html`); a stored path matches a request path when the request path
//! plus `/` starts with it, which is RFC 6265's path-match for such paths.
//!
//! The file format of [`CookieManager::save_to_file`] is HP-Socket's: for each domain and path a
//! line `domain path`, then one line per cookie, `\tname;value;expires;httpOnly;secure;sameSite`
//! (`expires` in Unix seconds, the flags 0 or 1, an empty value written as one space). Session
//! cookies and expired ones are not saved.
//!
//! Self-contained (std only), so the fuzz targets compile this file as it is.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// `expires` of a session cookie (HP-Socket's `-1`): it lives until the process ends.
pub const SESSION: i64 = -1;

/// The last second [`make_expires_str`] can write: 9999-12-31 23:59:59 UTC.
pub const MAX_EXPIRES: i64 = 253_402_300_799;

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The `SameSite` attribute, with HP-Socket's values (`enSameSite`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(i32)]
pub enum SameSite {
    /// No attribute written (`SameSite=None` read from a header is this too).
    #[default]
    None = 0,
    /// `SameSite=Strict` (also a bare `SameSite`).
    Strict = 1,
    /// `SameSite=Lax`.
    Lax = 2,
}

impl SameSite {
    /// The value for HP-Socket's integer code; `None` for an unknown code.
    pub fn from_code(code: i32) -> Option<SameSite> {
        match code {
            0 => Some(SameSite::None),
            1 => Some(SameSite::Strict),
            2 => Some(SameSite::Lax),
            _ => None,
        }
    }
}

/// One cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    /// The name (never empty in a valid cookie).
    pub name: String,
    /// The value, as sent (quotes included).
    pub value: String,
    /// The domain, lower case, without a leading dot.
    pub domain: String,
    /// The path, a directory ending in `/`.
    pub path: String,
    /// When it expires, in Unix seconds; [`SESSION`] (-1) for a session cookie; 0 (or any past
    /// time) for a cookie that is already expired (setting it deletes the stored one).
    pub expires: i64,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Secure`: only sent over TLS.
    pub secure: bool,
    /// `SameSite`.
    pub same_site: SameSite,
    /// Set by a response without a `Domain` attribute: sent to that host only, not to its
    /// subdomains (RFC 6265 §5.3 step 6). Not saved to files (HP-Socket's format has no
    /// field for it), so a loaded cookie is a domain cookie.
    pub host_only: bool,
}

impl Cookie {
    /// A cookie as HP-Socket's `CCookie` constructor makes it: the domain lower-cased without
    /// leading dots, the path cut to its directory ([`adjust_path`]), `max_age` turned into
    /// `expires` ([`max_age_to_expires`]). The result may be invalid ([`Cookie::is_valid`]).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        value: &str,
        domain: &str,
        path: &str,
        max_age: i32,
        http_only: bool,
        secure: bool,
        same_site: SameSite,
    ) -> Cookie {
        Cookie {
            name: name.to_string(),
            value: value.to_string(),
            domain: adjust_domain(domain).unwrap_or_default(),
            path: adjust_path(path).unwrap_or_default(),
            expires: max_age_to_expires(max_age),
            http_only,
            secure,
            same_site,
            host_only: false,
        }
    }

    /// Whether it has a name, a domain and a path (what the manager requires).
    pub fn is_valid(&self) -> bool {
        !self.name.is_empty() && !self.domain.is_empty() && !self.path.is_empty()
    }

    /// Whether it is a session cookie (no expiry time).
    pub fn is_session(&self) -> bool {
        self.expires < 0
    }

    /// Whether it has expired by `now` (Unix seconds); a session cookie never has.
    pub fn is_expired_at(&self, now: i64) -> bool {
        !self.is_session() && self.expires <= now
    }

    /// Whether it has expired by now.
    pub fn is_expired(&self) -> bool {
        self.is_expired_at(current_utc_time())
    }

    /// Parses a response's `Set-Cookie` value (RFC 6265 §5.2) received for `request_path` on
    /// `request_host`: `None` when there is no `name=value` pair or the name is empty.
    /// `Max-Age` wins over `Expires`; an unparsable `Expires` or `Max-Age` is ignored;
    /// without `Domain` the cookie is host-only for `request_host`; without a `Path` starting
    /// with `/`, the path is the request path's directory. Whether the `Domain` may be set
    /// by that host is [`CookieManager::store_set_cookie`]'s business.
    pub fn parse_set_cookie(
        header_value: &str,
        request_host: &str,
        request_path: &str,
    ) -> Option<Cookie> {
        Cookie::parse_set_cookie_at(header_value, request_host, request_path, current_utc_time())
    }

    /// [`Cookie::parse_set_cookie`] with `now` as the current time.
    pub fn parse_set_cookie_at(
        header_value: &str,
        request_host: &str,
        request_path: &str,
        now: i64,
    ) -> Option<Cookie> {
        let mut parts = header_value.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return None;
        }
        let mut expires = None;
        let mut max_age = None;
        let mut domain = None;
        let mut path = None;
        let mut http_only = false;
        let mut secure = false;
        let mut same_site = SameSite::None;
        for attr in parts {
            let (key, val) = match attr.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim()),
                None => (attr.trim(), ""),
            };
            if key.eq_ignore_ascii_case("expires") {
                if let Some(t) = parse_expires(val) {
                    expires = Some(t.max(0));
                }
            } else if key.eq_ignore_ascii_case("max-age") {
                if let Some(delta) = parse_max_age(val) {
                    max_age = Some(if delta <= 0 {
                        0
                    } else {
                        now.saturating_add(delta).min(MAX_EXPIRES)
                    });
                }
            } else if key.eq_ignore_ascii_case("domain") {
                if let Some(d) = adjust_domain(val) {
                    domain = Some(d);
                }
            } else if key.eq_ignore_ascii_case("path") {
                path = val.starts_with('/').then(|| {
                    let mut p = val.to_string();
                    if !p.ends_with('/') {
                        p.push('/');
                    }
                    p
                });
            } else if key.eq_ignore_ascii_case("secure") {
                secure = true;
            } else if key.eq_ignore_ascii_case("httponly") {
                http_only = true;
            } else if key.eq_ignore_ascii_case("samesite") {
                if val.is_empty() || val.eq_ignore_ascii_case("strict") {
                    same_site = SameSite::Strict;
                } else if val.eq_ignore_ascii_case("lax") {
                    same_site = SameSite::Lax;
                }
            }
        }
        let host_only = domain.is_none();
        let domain = match domain {
            Some(d) => d,
            None => adjust_domain(request_host)?,
        };
        let path = path.unwrap_or_else(|| default_path(request_path));
        Some(Cookie {
            name: name.to_string(),
            value: value.to_string(),
            domain,
            path,
            expires: max_age.or(expires).unwrap_or(SESSION),
            http_only,
            secure,
            same_site,
            host_only,
        })
    }

    /// The `Set-Cookie` text HP-Socket's `HP_HttpCookie_HLP_ToString` makes:
    /// `name=value; domain=D; path=P; expires=E; HttpOnly; secure; SameSite=Lax`, each
    /// attribute only when set (an empty domain or path, a session cookie, SameSite none).
    pub fn to_set_cookie_string(&self) -> String {
        let mut s = format!("{}={}", self.name, self.value);
        if !self.domain.is_empty() {
            s.push_str("; domain=");
            s.push_str(&self.domain);
        }
        if !self.path.is_empty() {
            s.push_str("; path=");
            s.push_str(&self.path);
        }
        if self.expires >= 0 {
            s.push_str("; expires=");
            s.push_str(&make_expires_str(self.expires));
        }
        if self.http_only {
            s.push_str("; HttpOnly");
        }
        if self.secure {
            s.push_str("; secure");
        }
        match self.same_site {
            SameSite::None => {}
            SameSite::Strict => s.push_str("; SameSite=Strict"),
            SameSite::Lax => s.push_str("; SameSite=Lax"),
        }
        s
    }
}

/// The `name=value` pairs of a request's `Cookie:` header, in order: pairs are separated by
/// `;`, each trimmed; a pair without `=` or with an empty name is skipped. Values are kept as
/// sent, quotes included (as HP-Socket's server does, and RFC 6265 §5.4 sends them).
pub fn parse_cookie_header(value: &str) -> Vec<(String, String)> {
    value
        .split(';')
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_string(), value.trim().to_string()))
        })
        .collect()
}

// ---- times ------------------------------------------------------------------------------------

/// The current time in Unix seconds (`HP_HttpCookie_HLP_CurrentUTCTime`).
pub fn current_utc_time() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// HP-Socket's `MaxAgeToExpires`: `now + max_age` for a positive age, 0 (expired) for 0,
/// [`SESSION`] for a negative one.
pub fn max_age_to_expires(max_age: i32) -> i64 {
    max_age_to_expires_at(max_age, current_utc_time())
}

/// [`max_age_to_expires`] with `now` as the current time.
pub fn max_age_to_expires_at(max_age: i32, now: i64) -> i64 {
    match max_age {
        a if a > 0 => now.saturating_add(i64::from(a)),
        0 => 0,
        _ => SESSION,
    }
}

/// HP-Socket's `ExpiresToMaxAge`: -1 for a session time (negative), else the seconds left
/// (0 when past), at most `i32::MAX`.
pub fn expires_to_max_age(expires: i64) -> i32 {
    expires_to_max_age_at(expires, current_utc_time())
}

/// [`expires_to_max_age`] with `now` as the current time.
pub fn expires_to_max_age_at(expires: i64, now: i64) -> i32 {
    if expires < 0 {
        return -1;
    }
    let left = expires.saturating_sub(now);
    i32::try_from(left.max(0)).unwrap_or(i32::MAX)
}

/// HP-Socket's `expires` text, `Wed, 21-Oct-2015 07:28:00 GMT`; times before 1 are written as
/// 1 (as HP-Socket does) and times after [`MAX_EXPIRES`] as that.
pub fn make_expires_str(expires: i64) -> String {
    format_date(expires.clamp(1, MAX_EXPIRES), '-')
}

/// The RFC 1123 date HTTP headers carry, `Wed, 21 Oct 2015 07:28:00 GMT`, for a time between
/// 1970 and [`MAX_EXPIRES`] (clamped).
pub fn http_date(time: i64) -> String {
    format_date(time.clamp(0, MAX_EXPIRES), ' ')
}

fn format_date(t: i64, sep: char) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    format!(
        "{weekday}, {d:02}{sep}{}{sep}{y:04} {:02}:{:02}:{:02} GMT",
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Parses a cookie date with RFC 6265 §5.1.1's lenient algorithm: `Wed, 21 Oct 2015 07:28:00
/// GMT`, `Wednesday, 21-Oct-15 07:28:00 GMT`, `Wed Oct 21 07:28:00 2015`, two-digit years
/// (70-99: 19xx, 00-69: 20xx) and the like. As HP-Socket does, a numeric zone after the time
/// (`+0800`, `GMT-05:00`) is applied. Unix seconds (negative before 1970), or `None` when a
/// part is missing or out of range.
pub fn parse_expires(text: &str) -> Option<i64> {
    let mut time = None;
    let mut time_end = 0;
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_date_delimiter(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !is_date_delimiter(bytes[i]) {
            i += 1;
        }
        let token = &bytes[start..i];
        if time.is_none() {
            if let Some(t) = parse_hms(token) {
                time = Some(t);
                time_end = i;
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = leading_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() && token.len() >= 3 {
            if let Some(m) = MONTHS
                .iter()
                .position(|name| token[..3].eq_ignore_ascii_case(name.as_bytes()))
            {
                month = Some(m as i64 + 1);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = leading_digits(token, 2, 4) {
                year = Some(y);
            }
        }
    }
    let (hour, minute, second) = time?;
    let (day, month, mut year) = (day?, month?, year?);
    if (70..=99).contains(&year) {
        year += 1900;
    } else if (0..=69).contains(&year) {
        year += 2000;
    }
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let t = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(t - zone_offset(&bytes[time_end..]))
}

/// RFC 6265's delimiter: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
fn is_date_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2F | 0x3B..=0x40 | 0x5B..=0x60 | 0x7B..=0x7E)
}

/// `min..=max` digits at the start of `token`, then nothing or a non-digit.
fn leading_digits(token: &[u8], min: usize, max: usize) -> Option<i64> {
    let n = token.iter().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    Some(
        token[..n]
            .iter()
            .fold(0, |v, b| v * 10 + i64::from(b - b'0')),
    )
}

/// `1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT ( non-digit *OCTET )`.
fn parse_hms(token: &[u8]) -> Option<(i64, i64, i64)> {
    let mut fields = [0i64; 3];
    let mut rest = token;
    for (k, field) in fields.iter_mut().enumerate() {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > 2 {
            return None;
        }
        *field = leading_digits(rest, 1, 2)?;
        rest = &rest[n..];
        if k < 2 {
            rest = rest.strip_prefix(b":")?;
        }
    }
    Some((fields[0], fields[1], fields[2]))
}

/// Seconds east of UTC of the first `+hh[:]mm` / `-hh[:]mm` / `+hh` after the time, else 0.
fn zone_offset(after_time: &[u8]) -> i64 {
    let Some(pos) = after_time.iter().position(|b| *b == b'+' || *b == b'-') else {
        return 0;
    };
    let sign = if after_time[pos] == b'-' { -1 } else { 1 };
    let digits: Vec<i64> = after_time[pos + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b':')
        .filter(|b| b.is_ascii_digit())
        .map(|b| i64::from(b - b'0'))
        .collect();
    let (hours, minutes) = match digits.as_slice() {
        [h1, h2] => (h1 * 10 + h2, 0),
        [h1, h2, m1, m2] => (h1 * 10 + h2, m1 * 10 + m2),
        _ => return 0,
    };
    if hours > 23 || minutes > 59 {
        return 0;
    }
    sign * (hours * 3600 + minutes * 60)
}

/// `Max-Age`'s value (RFC 6265 §5.2.2): an optional `-` then digits; saturating.
fn parse_max_age(val: &str) -> Option<i64> {
    let (neg, digits) = match val.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, val),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v = digits.bytes().fold(0i64, |v, b| {
        v.saturating_mul(10).saturating_add(i64::from(b - b'0'))
    });
    Some(if neg { -v } else { v })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

// ---- domains and paths -------------------------------------------------------------------------

/// HP-Socket's domain normalisation: leading dots removed, lower case; `None` when nothing
/// is left.
pub fn adjust_domain(domain: &str) -> Option<String> {
    let d = domain
        .trim()
        .trim_start_matches('.')
        .trim()
        .to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

/// HP-Socket's path normalisation: the directory of `path` with its trailing `/`
/// (`/a/b` gives `/a/`, `/a/` stays), a `/` put in front when missing; `None` when no `/`
/// is in it (or it is empty).
pub fn adjust_path(path: &str) -> Option<String> {
    let path = path.trim();
    let dir = &path[..path.rfind('/')? + 1];
    Some(if dir.starts_with('/') {
        dir.to_string()
    } else {
        format!("/{dir}")
    })
}

/// The path a `Set-Cookie` without a usable `Path` gets: the request path's directory, `/`
/// for an empty path or one not starting with `/` (query and fragment ignored).
fn default_path(request_path: &str) -> String {
    let p = request_path.split(['?', '#']).next().unwrap_or("");
    if !p.starts_with('/') {
        return "/".to_string();
    }
    adjust_path(p).unwrap_or_else(|| "/".to_string())
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[')
}

/// RFC 6265 §5.1.3 domain-match: `host` is `domain` or ends with `.domain` (not for an IP).
fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
            && !is_ip(host))
}

/// HP-Socket's `IsSameDomain`: one of the two is the other or a subdomain of it.
fn is_same_domain(a: &str, b: &str) -> bool {
    domain_matches(a, b) || domain_matches(b, a)
}

/// A stored path (a directory ending in `/`) matches `request_path`.
fn path_matches(request_path: &str, cookie_path: &str) -> bool {
    let p = request_path.split(['?', '#']).next().unwrap_or("");
    let p = if p.is_empty() { "/" } else { p };
    match p.strip_prefix(cookie_path.trim_end_matches('/')) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

fn normalize_host(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

// ---- the store ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Entry {
    cookie: Cookie,
    /// Creation order, for RFC 6265 §5.4's tie-break.
    seq: u64,
}

/// domain -> path -> name -> cookie.
type Domains = BTreeMap<String, BTreeMap<String, BTreeMap<String, Entry>>>;

#[derive(Debug, Default)]
struct Store {
    domains: Domains,
    seq: u64,
}

impl Store {
    /// HP-Socket's `SetCookieNoLock`: an expired cookie deletes; a session cookie given
    /// `only_update_value` over a live stored one changes only the value.
    fn set(&mut self, cookie: Cookie, only_update_value: bool, now: i64) -> bool {
        if cookie.is_expired_at(now) {
            return self.delete(&cookie.domain, &cookie.path, &cookie.name);
        }
        let seq = self.seq;
        let names = self
            .domains
            .entry(cookie.domain.clone())
            .or_default()
            .entry(cookie.path.clone())
            .or_default();
        if let Some(old) = names.get_mut(&cookie.name) {
            if only_update_value && !old.cookie.is_expired_at(now) && cookie.is_session() {
                old.cookie.value = cookie.value;
                return true;
            }
            // A replaced cookie keeps its creation time (RFC 6265 §5.3 step 11.3).
            old.cookie = cookie;
            return true;
        }
        self.seq += 1;
        names.insert(cookie.name.clone(), Entry { cookie, seq });
        true
    }

    fn delete(&mut self, domain: &str, path: &str, name: &str) -> bool {
        let Some(paths) = self.domains.get_mut(domain) else {
            return false;
        };
        let Some(names) = paths.get_mut(path) else {
            return false;
        };
        let found = names.remove(name).is_some();
        if names.is_empty() {
            paths.remove(path);
        }
        if paths.is_empty() {
            self.domains.remove(domain);
        }
        found
    }

    fn contains(&self, c: &Cookie) -> bool {
        self.domains
            .get(&c.domain)
            .and_then(|p| p.get(&c.path))
            .is_some_and(|n| n.contains_key(&c.name))
    }

    /// Drops the cookies `keep` refuses among those of `domain`/`path` (`None`: any).
    fn retain(
        &mut self,
        domain: Option<&str>,
        path: Option<&str>,
        mut keep: impl FnMut(&Cookie) -> bool,
    ) {
        for (d, paths) in self.domains.iter_mut() {
            if domain.is_some_and(|want| want != d) {
                continue;
            }
            for (p, names) in paths.iter_mut() {
                if path.is_some_and(|want| want != p) {
                    continue;
                }
                names.retain(|_, e| keep(&e.cookie));
            }
            paths.retain(|_, names| !names.is_empty());
        }
        self.domains.retain(|_, paths| !paths.is_empty());
    }
}

/// The cookie store: thread-safe; HP-Socket keeps one per process ([`cookie_manager`]).
#[derive(Debug)]
pub struct CookieManager {
    store: RwLock<Store>,
    third_party: AtomicBool,
}

impl Default for CookieManager {
    fn default() -> Self {
        CookieManager::new()
    }
}

/// The process-wide cookie manager (HP-Socket's `g_CookieMgr`; third-party cookies allowed).
pub fn cookie_manager() -> &'static CookieManager {
    static MANAGER: OnceLock<CookieManager> = OnceLock::new();
    MANAGER.get_or_init(CookieManager::new)
}

impl CookieManager {
    /// An empty store that accepts third-party cookies (HP-Socket's default).
    pub fn new() -> CookieManager {
        CookieManager {
            store: RwLock::new(Store::default()),
            third_party: AtomicBool::new(true),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `cookie` (`HP_HttpCookie_MGR_SetCookie`): FALSE for an invalid cookie (no name,
    /// domain or path). An expired cookie deletes the stored one of its name (the result says
    /// whether there was one). With `only_update_value_if_exists`, a session cookie replacing
    /// a live stored one changes only its value; otherwise the stored one is replaced.
    pub fn set(&self, cookie: Cookie, only_update_value_if_exists: bool) -> bool {
        if !cookie.is_valid() {
            return false;
        }
        self.write()
            .set(cookie, only_update_value_if_exists, current_utc_time())
    }

    /// Deletes one cookie (`HP_HttpCookie_MGR_DeleteCookie`; domain and path normalised like
    /// [`Cookie::new`]): whether it was there.
    pub fn delete(&self, domain: &str, path: &str, name: &str) -> bool {
        let (Some(d), Some(p)) = (adjust_domain(domain), adjust_path(path)) else {
            return false;
        };
        !name.is_empty() && self.write().delete(&d, &p, name)
    }

    /// Removes the cookies of `domain` and `path` (`None`: every one), as
    /// `HP_HttpCookie_MGR_ClearCookies`: FALSE (nothing removed) when a given domain or path
    /// normalises to nothing.
    pub fn clear(&self, domain: Option<&str>, path: Option<&str>) -> bool {
        let Some((d, p)) = Self::scope(domain, path) else {
            return false;
        };
        self.write().retain(d.as_deref(), p.as_deref(), |_| false);
        true
    }

    /// Removes the expired cookies of `domain` and `path` (`None`: every one), as
    /// `HP_HttpCookie_MGR_RemoveExpiredCookies`.
    pub fn remove_expired(&self, domain: Option<&str>, path: Option<&str>) -> bool {
        let Some((d, p)) = Self::scope(domain, path) else {
            return false;
        };
        let now = current_utc_time();
        self.write()
            .retain(d.as_deref(), p.as_deref(), |c| !c.is_expired_at(now));
        true
    }

    #[allow(clippy::type_complexity)]
    fn scope(domain: Option<&str>, path: Option<&str>) -> Option<(Option<String>, Option<String>)> {
        let d = match domain {
            Some(d) => Some(adjust_domain(d)?),
            None => None,
        };
        let p = match path {
            Some(p) => Some(adjust_path(p)?),
            None => None,
        };
        Some((d, p))
    }

    /// How many cookies are stored (expired ones included until removed).
    pub fn len(&self) -> usize {
        self.read()
            .domains
            .values()
            .flat_map(|p| p.values())
            .map(|n| n.len())
            .sum()
    }

    /// Whether no cookie is stored.
    pub fn is_empty(&self) -> bool {
        self.read().domains.is_empty()
    }

    /// Allows or refuses third-party cookies (`HP_HttpCookie_MGR_SetEnableThirdPartyCookie`).
    pub fn set_enable_third_party(&self, enable: bool) {
        self.third_party.store(enable, Ordering::Relaxed);
    }

    /// Whether third-party cookies are allowed (default: yes).
    pub fn is_enable_third_party(&self) -> bool {
        self.third_party.load(Ordering::Relaxed)
    }

    /// The cookies a request to `path` on `host` carries (`secure`: over TLS), as RFC 6265
    /// §5.4 orders them: longer paths first, then older first. Expired cookies are skipped,
    /// `Secure` ones only go over TLS, host-only ones only to their host.
    pub fn cookies_for(&self, host: &str, path: &str, secure: bool) -> Vec<Cookie> {
        self.cookies_for_at(host, path, secure, current_utc_time())
    }

    fn cookies_for_at(&self, host: &str, path: &str, secure: bool, now: i64) -> Vec<Cookie> {
        let host = normalize_host(host);
        let store = self.read();
        let mut found: Vec<&Entry> = Vec::new();
        let mut candidate = host.as_str();
        loop {
            if let Some(paths) = store.domains.get(candidate) {
                for (p, names) in paths {
                    if !path_matches(path, p) {
                        continue;
                    }
                    found.extend(names.values().filter(|e| {
                        let c = &e.cookie;
                        !c.is_expired_at(now)
                            && (secure || !c.secure)
                            && (!c.host_only || c.domain == host)
                    }));
                }
            }
            if is_ip(&host) {
                break;
            }
            match candidate.split_once('.') {
                Some((_, rest)) if !rest.is_empty() => candidate = rest,
                _ => break,
            }
        }
        found.sort_by(|a, b| {
            b.cookie
                .path
                .len()
                .cmp(&a.cookie.path.len())
                .then(a.seq.cmp(&b.seq))
        });
        found.into_iter().map(|e| e.cookie.clone()).collect()
    }

    /// The `Cookie:` header value for a request to `path` on `host` (`secure`: over TLS):
    /// `a=1; b=2` in [`CookieManager::cookies_for`]'s order, or `None` when no cookie applies.
    pub fn cookie_header(&self, host: &str, path: &str, secure: bool) -> Option<String> {
        self.cookie_header_at(host, path, secure, current_utc_time())
    }

    pub(crate) fn cookie_header_at(
        &self,
        host: &str,
        path: &str,
        secure: bool,
        now: i64,
    ) -> Option<String> {
        let cookies = self.cookies_for_at(host, path, secure, now);
        if cookies.is_empty() {
            return None;
        }
        let pairs: Vec<String> = cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        Some(pairs.join("; "))
    }

    /// Takes a response's `Set-Cookie` value received for a request to `path` on `host`:
    /// whether it was accepted (stored, or, when expired, applied as a deletion). Refused: an
    /// unparsable value; a `Domain` that `host` does not domain-match (RFC 6265 §5.3 step 6,
    /// which HP-Socket leaves out); with third-party cookies off, a cookie whose domain is not
    /// the host's, a parent or a subdomain of it (HP-Socket's rule; after the previous check
    /// every accepted cookie passes it). Stored like HP-Socket's client stores it
    /// (`only_update_value_if_exists`: a session cookie renews only a live cookie's value).
    pub fn store_set_cookie(&self, host: &str, path: &str, header_value: &str) -> bool {
        self.store_set_cookie_at(host, path, header_value, current_utc_time())
    }

    pub(crate) fn store_set_cookie_at(
        &self,
        host: &str,
        path: &str,
        header_value: &str,
        now: i64,
    ) -> bool {
        let host = normalize_host(host);
        let Some(cookie) = Cookie::parse_set_cookie_at(header_value, &host, path, now) else {
            return false;
        };
        if !cookie.host_only && !domain_matches(&host, &cookie.domain) {
            return false;
        }
        if !self.is_enable_third_party() && !is_same_domain(&cookie.domain, &host) {
            return false;
        }
        self.write().set(cookie, true, now);
        true
    }

    // ---- files ------------------------------------------------------------------------------

    /// Loads cookies saved by [`CookieManager::save_to_file`] or HP-Socket
    /// (`HP_HttpCookie_MGR_LoadFromFile`). Expired cookies in the file are skipped. With
    /// `keep_existing`, a stored cookie wins over the file's of the same domain, path and
    /// name; without, the store is emptied first. A malformed file is refused whole
    /// (`InvalidData`) and the store is left unchanged.
    pub fn load_from_file(&self, path: &Path, keep_existing: bool) -> io::Result<()> {
        let bytes = std::fs::read(path)?;
        self.load_from_bytes(&bytes, keep_existing)
    }

    /// [`CookieManager::load_from_file`] from the file's bytes.
    pub fn load_from_bytes(&self, bytes: &[u8], keep_existing: bool) -> io::Result<()> {
        self.load_at(bytes, keep_existing, current_utc_time())
    }

    pub(crate) fn load_at(&self, bytes: &[u8], keep_existing: bool, now: i64) -> io::Result<()> {
        let cookies = parse_file(&String::from_utf8_lossy(bytes))?;
        let mut store = self.write();
        if !keep_existing {
            store.domains.clear();
        }
        for c in cookies {
            if c.is_expired_at(now) || (keep_existing && store.contains(&c)) {
                continue;
            }
            store.set(c, false, now);
        }
        Ok(())
    }

    /// Saves the persistent, unexpired cookies (`HP_HttpCookie_MGR_SaveToFile`), replacing
    /// the file. With `keep_existing`, as in HP-Socket, the file's cookies are first loaded
    /// into the store (stored ones win; a missing file is fine), so cookies saved by another
    /// process are not lost. Cookies whose fields would break the format (a `;`, tab or line
    /// break in a name or value, a space in a domain or path) are left out.
    pub fn save_to_file(&self, path: &Path, keep_existing: bool) -> io::Result<()> {
        if keep_existing {
            match self.load_from_file(path, true) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        std::fs::write(path, self.to_file_text())
    }

    /// The file text [`CookieManager::save_to_file`] writes.
    pub fn to_file_text(&self) -> String {
        self.file_text_at(current_utc_time())
    }

    pub(crate) fn file_text_at(&self, now: i64) -> String {
        let store = self.read();
        let mut out = String::new();
        for (domain, paths) in &store.domains {
            for (path, names) in paths {
                if domain.contains(char::is_whitespace) || path.contains(char::is_whitespace) {
                    continue;
                }
                let mut group = String::new();
                for e in names.values() {
                    let c = &e.cookie;
                    let bad = |s: &str| s.contains([';', '\t', '\r', '\n']);
                    if c.is_session() || c.is_expired_at(now) || bad(&c.name) || bad(&c.value) {
                        continue;
                    }
                    let value = if c.value.is_empty() { " " } else { &c.value };
                    group.push_str(&format!(
                        "\t{};{};{};{};{};{}\n",
                        c.name,
                        value,
                        c.expires,
                        u8::from(c.http_only),
                        u8::from(c.secure),
                        c.same_site as i32
                    ));
                }
                if !group.is_empty() {
                    out.push_str(&format!("{domain} {path}\n"));
                    out.push_str(&group);
                }
            }
        }
        out
    }
}

fn bad_format(line: usize, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("cookie file line {line}: {what}"),
    )
}

/// The cookies of a file in HP-Socket's format (expired ones included).
fn parse_file(text: &str) -> io::Result<Vec<Cookie>> {
    let mut out = Vec::new();
    let mut scope: Option<(String, String)> = None;
    for (n, line) in text.split('\n').enumerate() {
        let n = n + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if let Some(fields) = line.strip_prefix('\t') {
            let Some((domain, path)) = &scope else {
                return Err(bad_format(n, "a cookie before any `domain path` line"));
            };
            let f: Vec<&str> = fields
                .split(['\t', ';'])
                .filter(|f| !f.is_empty())
                .collect();
            if f.len() < 6 {
                return Err(bad_format(n, "a cookie needs 6 fields"));
            }
            let num = |s: &str| s.trim().parse::<i64>().ok();
            let (Some(expires), Some(http_only), Some(secure), Some(same_site)) =
                (num(f[2]), num(f[3]), num(f[4]), num(f[5]))
            else {
                return Err(bad_format(n, "a numeric field is not a number"));
            };
            let same_site = i32::try_from(same_site)
                .ok()
                .and_then(SameSite::from_code)
                .ok_or_else(|| bad_format(n, "unknown SameSite"))?;
            let name = f[0].trim();
            if name.is_empty() || expires <= 0 || http_only < 0 || secure < 0 {
                return Err(bad_format(n, "empty name, or a bad expires or flag"));
            }
            out.push(Cookie {
                name: name.to_string(),
                value: f[1].trim().to_string(),
                domain: domain.clone(),
                path: path.clone(),
                expires,
                http_only: http_only != 0,
                secure: secure != 0,
                same_site,
                host_only: false,
            });
        } else {
            let mut words = line.split(' ').filter(|w| !w.is_empty());
            let domain = words.next().and_then(adjust_domain);
            let path = words.next().and_then(adjust_path);
            match (domain, path) {
                (Some(d), Some(p)) => scope = Some((d, p)),
                _ => return Err(bad_format(n, "expected `domain path`")),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
