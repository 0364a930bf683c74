//! The cookie parsers (`hpsocket_core::http::cookie`): a response's `Set-Cookie`, a request's
//! `Cookie:` header, cookie dates and the cookie file format, all from the same input.
//!
//! The module's source is compiled into this target as it is (`#[path]`): it needs only std.
//! Checked: nothing panics; a parsed Set-Cookie is well formed and reads back the same from
//! its `ToString` text; a parsed date reads back from the text `MakeExpiresStr` writes; a
//! loaded file saves to a text that loads back to the same text; what a response stores, a
//! request's `Cookie:` header reads without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../hpsocket-core/src/http/cookie.rs"]
mod cookie;

use cookie::{
    make_expires_str, parse_cookie_header, parse_expires, Cookie, CookieManager, MAX_EXPIRES,
};

/// A fixed "now" (2020-01-01), so a run does not depend on the clock.
const NOW: i64 = 1_577_836_800;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    if let Some(c) = Cookie::parse_set_cookie_at(&text, "www.example.com", "/a/b", NOW) {
        assert!(!c.name.is_empty() && !c.domain.is_empty());
        assert!(c.path.starts_with('/') && c.path.ends_with('/'), "{:?}", c.path);
        let again = Cookie::parse_set_cookie_at(&c.to_set_cookie_string(), "x", "/", NOW)
            .expect("ToString text reads back");
        assert_eq!(
            (&again.name, &again.value, &again.domain, &again.path),
            (&c.name, &c.value, &c.domain, &c.path)
        );
        assert_eq!(
            (again.http_only, again.secure, again.same_site),
            (c.http_only, c.secure, c.same_site)
        );
        assert_eq!(again.is_expired_at(NOW), c.is_expired_at(NOW));
    }

    if let Some(t) = parse_expires(&text) {
        if (1..=MAX_EXPIRES).contains(&t) {
            assert_eq!(parse_expires(&make_expires_str(t)), Some(t));
        }
    }

    for (name, _) in parse_cookie_header(&text) {
        assert!(!name.is_empty() && !name.contains(';'));
    }

    let m = CookieManager::new();
    if m.load_at(data, false, NOW).is_ok() {
        let saved = m.file_text_at(NOW);
        let n = CookieManager::new();
        n.load_at(saved.as_bytes(), false, NOW).expect("a saved file loads");
        assert_eq!(n.file_text_at(NOW), saved);
    }

    m.store_set_cookie_at("www.example.com", "/a/b", &text, NOW);
    let _ = m.cookie_header_at("www.example.com", "/a/b/c", true, NOW);
    let _ = m.cookie_header_at("example.com", "/", false, NOW);
});
