//! Deterministic tests: every time-dependent call gets a fixed `NOW`.

use super::*;

/// 2015-10-21 07:28:00 UTC.
const T2015: i64 = 1_445_412_480;
/// A fixed "now": 2020-01-01 00:00:00 UTC.
const NOW: i64 = 1_577_836_800;
/// 2100-01-01 00:00:00 UTC, for cookies that must outlive any real clock running the tests.
const FAR: i64 = 4_102_444_800;

fn parse(h: &str) -> Option<Cookie> {
    Cookie::parse_set_cookie_at(h, "www.example.com", "/docs/index.html", NOW)
}

// ---- dates ----------------------------------------------------------------------------------

#[test]
fn dates_rfc_1123_and_variants() {
    for s in [
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "Wed, 21-Oct-2015 07:28:00 GMT",
        "Wednesday, 21-Oct-15 07:28:00 GMT",
        "Wed Oct 21 07:28:00 2015",
        "21 oct 2015 07:28:00",
        "Wed, 21/OCTOBER/2015 7:28:0 UTC",
        "  Wed, 21 Oct 2015 07:28:00 GMT  ",
    ] {
        assert_eq!(parse_expires(s), Some(T2015), "{s}");
    }
}

#[test]
fn dates_two_digit_years_and_zones() {
    assert_eq!(parse_expires("Thu, 01-Jan-70 00:00:01 GMT"), Some(1));
    assert_eq!(
        parse_expires("Sat, 01-Jan-00 00:00:00 GMT"),
        Some(946_684_800)
    );
    assert_eq!(
        parse_expires("Fri, 31-Dec-99 23:59:59 GMT"),
        Some(946_684_799)
    );
    assert_eq!(
        parse_expires("Wed, 21 Oct 2015 15:28:00 +0800"),
        Some(T2015)
    );
    assert_eq!(
        parse_expires("Wed, 21 Oct 2015 02:28:00 GMT-05:00"),
        Some(T2015)
    );
    assert_eq!(
        parse_expires("Sun, 06 Nov 1960 08:49:37 GMT"),
        Some(-288_803_423)
    );
}

#[test]
fn dates_refused() {
    for s in [
        "",
        "garbage",
        "Wed, 21 Oct 2015 GMT",
        "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 29 Feb 2015 07:28:00 GMT",
        "Wed, 21 Foo 2015 07:28:00 GMT",
        "Wed, 21 Oct 1600 07:28:00 GMT",
        "Wed, 21 Oct 2015 24:00:00 GMT",
        "Wed, 21 Oct 2015 07:60:00 GMT",
        "Wed, 21 Oct 2015 07:28:000 GMT",
        "Wed, 21 Oct 20151 07:28:00 GMT",
    ] {
        assert_eq!(parse_expires(s), None, "{s}");
    }
    assert_eq!(
        parse_expires("Wed, 29 Feb 2016 00:00:00 GMT"),
        Some(1_456_704_000)
    );
}

#[test]
fn dates_written_as_hp_socket_writes_them() {
    assert_eq!(make_expires_str(T2015), "Wed, 21-Oct-2015 07:28:00 GMT");
    assert_eq!(make_expires_str(0), "Thu, 01-Jan-1970 00:00:01 GMT");
    assert_eq!(make_expires_str(-5), "Thu, 01-Jan-1970 00:00:01 GMT");
    assert_eq!(make_expires_str(i64::MAX), "Fri, 31-Dec-9999 23:59:59 GMT");
    assert_eq!(http_date(T2015), "Wed, 21 Oct 2015 07:28:00 GMT");
    for t in [1, 951_782_400, T2015, NOW, FAR, MAX_EXPIRES] {
        assert_eq!(parse_expires(&make_expires_str(t)), Some(t));
        assert_eq!(parse_expires(&http_date(t)), Some(t));
    }
}

#[test]
fn max_age_conversions() {
    assert_eq!(max_age_to_expires_at(100, NOW), NOW + 100);
    assert_eq!(max_age_to_expires_at(0, NOW), 0);
    assert_eq!(max_age_to_expires_at(-1, NOW), SESSION);
    assert_eq!(expires_to_max_age_at(NOW + 100, NOW), 100);
    assert_eq!(expires_to_max_age_at(NOW - 100, NOW), 0);
    assert_eq!(expires_to_max_age_at(-1, NOW), -1);
    assert_eq!(expires_to_max_age_at(i64::MAX, NOW), i32::MAX);
}

// ---- Set-Cookie -------------------------------------------------------------------------------

#[test]
fn set_cookie_rfc_examples() {
    let c = parse("SID=31d4d96e407aad42").unwrap();
    assert_eq!(
        (c.name.as_str(), c.value.as_str()),
        ("SID", "31d4d96e407aad42")
    );
    assert_eq!(
        (c.domain.as_str(), c.path.as_str()),
        ("www.example.com", "/docs/")
    );
    assert!(c.host_only && c.is_session() && !c.secure && !c.http_only);

    let c = parse("SID=31d4d96e407aad42; Path=/; Secure; HttpOnly").unwrap();
    assert_eq!(c.path, "/");
    assert!(c.secure && c.http_only);

    let c = parse("SID=31d4d96e407aad42; Path=/; Domain=.Example.COM").unwrap();
    assert_eq!(c.domain, "example.com");
    assert!(!c.host_only);

    let c = parse("lang=en-US; Expires=Wed, 09 Jun 2021 10:18:14 GMT").unwrap();
    assert_eq!(c.expires, 1_623_233_894);
    let c = parse("lang=; Expires=Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
    assert_eq!(c.value, "");
    assert!(c.is_expired_at(NOW));
}

#[test]
fn set_cookie_attributes() {
    let c = parse("a=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
    assert_eq!(c.expires, NOW + 60, "Max-Age wins whatever the order");
    let c = parse("a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; max-age=60").unwrap();
    assert_eq!(c.expires, NOW + 60);
    assert_eq!(parse("a=1; Max-Age=0").unwrap().expires, 0);
    assert_eq!(parse("a=1; Max-Age=-5").unwrap().expires, 0);
    assert_eq!(parse("a=1; Max-Age=abc").unwrap().expires, SESSION);
    assert_eq!(parse("a=1; Expires=never").unwrap().expires, SESSION);
    assert_eq!(
        parse("a=1; Max-Age=99999999999999999999").unwrap().expires,
        MAX_EXPIRES
    );
    assert_eq!(parse("a=1; Path=/x").unwrap().path, "/x/");
    assert_eq!(parse("a=1; Path=x").unwrap().path, "/docs/");
    assert_eq!(parse("a=1; Path=").unwrap().path, "/docs/");
    assert_eq!(parse("a=1; Domain=").unwrap().domain, "www.example.com");
    assert_eq!(parse("a=1; SameSite=Lax").unwrap().same_site, SameSite::Lax);
    assert_eq!(
        parse("a=1; samesite=strict").unwrap().same_site,
        SameSite::Strict
    );
    assert_eq!(parse("a=1; SameSite").unwrap().same_site, SameSite::Strict);
    assert_eq!(
        parse("a=1; SameSite=None").unwrap().same_site,
        SameSite::None
    );
    let c = parse("  a = \"q v\" ;;; unknown=1; ").unwrap();
    assert_eq!((c.name.as_str(), c.value.as_str()), ("a", "\"q v\""));
    assert_eq!(
        Cookie::parse_set_cookie_at("a=1", "h", "", NOW)
            .unwrap()
            .path,
        "/"
    );
    assert_eq!(
        Cookie::parse_set_cookie_at("a=1", "h", "/a/b?q=/x/y", NOW)
            .unwrap()
            .path,
        "/a/"
    );
}

#[test]
fn set_cookie_refused() {
    for h in ["", "novalue", "=1", " =1; Path=/", ";a=1"] {
        assert_eq!(parse(h), None, "{h:?}");
    }
    assert_eq!(Cookie::parse_set_cookie_at("a=1", "", "/", NOW), None);
}

#[test]
fn to_string_as_hp_socket() {
    let c = Cookie::new(
        "n",
        "v",
        ".Ex.com",
        "/a/b",
        -1,
        false,
        false,
        SameSite::None,
    );
    assert_eq!(c.to_set_cookie_string(), "n=v; domain=ex.com; path=/a/");
    let mut c = Cookie::new("n", "", "", "", -1, true, true, SameSite::Lax);
    assert!(!c.is_valid());
    assert_eq!(
        c.to_set_cookie_string(),
        "n=; HttpOnly; secure; SameSite=Lax"
    );
    c.expires = T2015;
    c.same_site = SameSite::Strict;
    assert_eq!(
        c.to_set_cookie_string(),
        "n=; expires=Wed, 21-Oct-2015 07:28:00 GMT; HttpOnly; secure; SameSite=Strict"
    );
    assert_eq!(
        Cookie::new("n", "v", "", "", 0, false, false, SameSite::None).expires,
        0
    );
    // What the parser reads back from the text is the same cookie.
    let mut c = Cookie::new("n", "v", "ex.com", "/a/", -1, true, false, SameSite::Lax);
    c.expires = FAR;
    let back = Cookie::parse_set_cookie_at(&c.to_set_cookie_string(), "ex.com", "/", NOW).unwrap();
    assert_eq!(back, c);
}

#[test]
fn normalisation() {
    assert_eq!(adjust_path("/a/b").as_deref(), Some("/a/"));
    assert_eq!(adjust_path("/a/").as_deref(), Some("/a/"));
    assert_eq!(adjust_path("/").as_deref(), Some("/"));
    assert_eq!(adjust_path("a/b").as_deref(), Some("/a/"));
    assert_eq!(adjust_path("ab"), None);
    assert_eq!(adjust_path(""), None);
    assert_eq!(adjust_domain("..A.b"), Some("a.b".to_string()));
    assert_eq!(adjust_domain("..."), None);
    // Found by the fuzzer: what is left after the dots is trimmed too.
    assert_eq!(adjust_domain(". g0").as_deref(), Some("g0"));
}

#[test]
fn cookie_header_values() {
    let v = parse_cookie_header(" a=1; b = \"2\" ;noeq; =x; c=; d=e=f");
    let want = [("a", "1"), ("b", "\"2\""), ("c", ""), ("d", "e=f")];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(v, want);
    assert!(parse_cookie_header("").is_empty());
}

// ---- the manager ------------------------------------------------------------------------------

fn store(m: &CookieManager, host: &str, path: &str, h: &str) -> bool {
    m.store_set_cookie_at(host, path, h, NOW)
}

fn header(m: &CookieManager, host: &str, path: &str, secure: bool) -> Option<String> {
    m.cookie_header_at(host, path, secure, NOW)
}

#[test]
fn matching_domains_paths_and_flags() {
    let m = CookieManager::new();
    assert!(store(&m, "www.example.com", "/", "host=1"));
    assert!(store(
        &m,
        "www.example.com",
        "/",
        "dom=2; Domain=example.com"
    ));
    assert!(store(&m, "www.example.com", "/", "sec=3; Secure; Path=/"));
    assert!(store(&m, "www.example.com", "/", "docs=4; Path=/docs"));
    assert_eq!(m.len(), 4);
    assert_eq!(
        header(&m, "www.example.com", "/", false).as_deref(),
        Some("host=1; dom=2")
    );
    assert_eq!(
        header(&m, "WWW.Example.com.", "/", true).as_deref(),
        Some("host=1; dom=2; sec=3")
    );
    // Host-only: not for a subdomain; a domain cookie is.
    assert_eq!(
        header(&m, "a.www.example.com", "/", false).as_deref(),
        Some("dom=2")
    );
    assert_eq!(
        header(&m, "example.com", "/", false).as_deref(),
        Some("dom=2")
    );
    assert_eq!(header(&m, "badexample.com", "/", false), None);
    assert_eq!(header(&m, "other.org", "/", true), None);
    // Paths: /docs matches /docs, /docs/ and below, not /docsx.
    for p in ["/docs", "/docs/", "/docs/a/b?x=1"] {
        let h = header(&m, "www.example.com", p, false).unwrap();
        assert!(h.starts_with("docs=4; "), "{p}: {h}");
    }
    assert_eq!(
        header(&m, "www.example.com", "/docsx", false).as_deref(),
        Some("host=1; dom=2")
    );
}

#[test]
fn ordering_longer_paths_then_older() {
    let m = CookieManager::new();
    assert!(store(&m, "h.com", "/", "z=1; Path=/"));
    assert!(store(&m, "h.com", "/", "y=2; Path=/a/b"));
    assert!(store(&m, "h.com", "/", "x=3; Path=/a"));
    assert!(store(&m, "h.com", "/", "w=4; Path=/"));
    assert_eq!(
        header(&m, "h.com", "/a/b/c", false).as_deref(),
        Some("y=2; x=3; z=1; w=4")
    );
    // Replacing keeps the creation order.
    assert!(store(&m, "h.com", "/", "z=9; Path=/; Max-Age=100"));
    assert_eq!(header(&m, "h.com", "/", false).as_deref(), Some("z=9; w=4"));
}

#[test]
fn expiry_and_deletion() {
    let m = CookieManager::new();
    assert!(store(&m, "h.com", "/", "a=1; Max-Age=10"));
    assert!(store(&m, "h.com", "/", "b=2"));
    assert_eq!(
        m.cookie_header_at("h.com", "/", false, NOW + 11).as_deref(),
        Some("b=2")
    );
    // An expired Set-Cookie deletes the stored one.
    assert!(store(
        &m,
        "h.com",
        "/",
        "b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    ));
    assert_eq!(header(&m, "h.com", "/", false).as_deref(), Some("a=1"));
    // A session cookie over a live persistent one renews only the value (HP-Socket).
    assert!(store(&m, "h.com", "/", "a=2"));
    assert_eq!(m.cookie_header_at("h.com", "/", false, NOW + 11), None);
    assert_eq!(header(&m, "h.com", "/", false).as_deref(), Some("a=2"));
}

#[test]
fn domain_attribute_checks_and_third_party() {
    let m = CookieManager::new();
    assert!(m.is_enable_third_party());
    for third_party in [true, false] {
        m.set_enable_third_party(third_party);
        assert_eq!(m.is_enable_third_party(), third_party);
        assert!(!store(&m, "www.example.com", "/", "a=1; Domain=other.org"));
        assert!(!store(
            &m,
            "example.com",
            "/",
            "a=1; Domain=www.example.com"
        ));
        assert!(!store(&m, "badexample.com", "/", "a=1; Domain=example.com"));
        assert!(!store(&m, "127.0.0.1", "/", "a=1; Domain=0.0.1"));
        assert!(store(&m, "www.example.com", "/", "a=1; Domain=example.com"));
        assert!(store(&m, "127.0.0.1", "/", "a=1"));
        assert!(!store(&m, "www.example.com", "/", "garbage"));
    }
    assert_eq!(m.len(), 2);
    assert_eq!(header(&m, "127.0.0.1", "/", false).as_deref(), Some("a=1"));
    assert!(is_same_domain("a.b.com", "b.com") && is_same_domain("b.com", "a.b.com"));
    assert!(!is_same_domain("ab.com", "b.com"));
}

#[test]
fn manager_calls_as_the_c_api_makes_them() {
    let m = CookieManager::new();
    let c = |name: &str, value: &str, domain: &str, path: &str, age: i32| {
        Cookie::new(name, value, domain, path, age, false, false, SameSite::None)
    };
    assert!(!m.set(c("", "v", "d.com", "/", -1), true));
    assert!(!m.set(c("n", "v", "", "/", -1), true));
    assert!(!m.set(c("n", "v", "d.com", "nopath", -1), true));
    assert!(m.set(c("n", "v", ".D.com", "/a/b", 3600), true));
    assert!(m.set(c("n2", "v", "d.com", "/a/", -1), true));
    assert!(m.set(c("n3", "v", "e.com", "/", -1), true));
    assert_eq!(m.len(), 3);
    assert!(m.delete("d.com", "/a/x", "n2"));
    assert!(!m.delete("d.com", "/a/", "n2"));
    assert!(!m.delete("d.com", "/a/", ""));
    // Max-Age 0 deletes: TRUE only when something was there.
    assert!(m.set(c("n", "", "d.com", "/a/", 0), true));
    assert!(!m.set(c("n", "", "d.com", "/a/", 0), true));
    assert!(m.set(c("p", "1", "d.com", "/", -1), true));
    assert!(!m.clear(Some("..."), None));
    assert!(!m.clear(None, Some("nopath")));
    assert!(m.clear(Some("d.com"), Some("/x/")));
    assert_eq!(m.len(), 2);
    assert!(m.clear(None, Some("/")));
    assert!(m.is_empty());
    assert!(m.set(c("q", "1", "d.com", "/", -1), true));
    assert!(m.remove_expired(None, None));
    assert_eq!(m.len(), 1);
    assert!(m.clear(None, None));
    assert!(m.is_empty());
}

// ---- files ------------------------------------------------------------------------------------

fn temp_file(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hpsocket-cookie-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("cookies.txt")
}

#[test]
fn file_round_trip() {
    let file = temp_file("round");
    let m = CookieManager::new();
    assert!(store(
        &m,
        "www.example.com",
        "/",
        &format!("a=1; Expires={}; HttpOnly", http_date(FAR))
    ));
    assert!(store(
        &m,
        "www.example.com",
        "/",
        &format!("e=; Max-Age={}; Secure; SameSite=Lax", FAR - NOW)
    ));
    assert!(store(
        &m,
        "www.example.com",
        "/",
        &format!(
            "d=x; Domain=example.com; Path=/p; Expires={}",
            http_date(FAR)
        )
    ));
    assert!(store(&m, "www.example.com", "/", "session=1"));
    let text = m.file_text_at(NOW);
    assert_eq!(
        text,
        format!(
            "example.com /p/\n\td;x;{FAR};0;0;0\nwww.example.com /\n\ta;1;{FAR};1;0;0\n\te; ;{FAR};0;1;2\n"
        )
    );
    m.save_to_file(&file, false).unwrap();
    let n = CookieManager::new();
    n.load_from_file(&file, false).unwrap();
    assert_eq!(n.file_text_at(NOW), text);
    assert_eq!(
        n.cookie_header_at("www.example.com", "/p/q", true, NOW)
            .as_deref(),
        Some("d=x; a=1; e=")
    );
    // keep_existing: the stored cookie wins; without, the store is replaced.
    let k = CookieManager::new();
    assert!(k.set(
        Cookie::new(
            "a",
            "mine",
            "www.example.com",
            "/",
            3600,
            false,
            false,
            SameSite::None
        ),
        false
    ));
    assert!(k.set(
        Cookie::new(
            "z",
            "only",
            "z.com",
            "/",
            3600,
            false,
            false,
            SameSite::None
        ),
        false
    ));
    k.load_from_file(&file, true).unwrap();
    assert_eq!(k.len(), 4);
    assert_eq!(
        k.cookie_header_at("www.example.com", "/", false, NOW)
            .as_deref(),
        Some("a=mine")
    );
    k.load_from_file(&file, false).unwrap();
    assert_eq!(k.len(), 3);
    // save with keep_existing merges the file into the store first.
    let s = CookieManager::new();
    assert!(s.set(
        Cookie::new(
            "z",
            "only",
            "z.com",
            "/",
            3600,
            false,
            false,
            SameSite::None
        ),
        false
    ));
    s.save_to_file(&file, true).unwrap();
    assert_eq!(s.len(), 4);
    let t = CookieManager::new();
    t.load_from_file(&file, true).unwrap();
    assert_eq!(t.len(), 4);
    let missing = file.with_file_name("missing.txt");
    assert_eq!(
        t.load_from_file(&missing, true).unwrap_err().kind(),
        io::ErrorKind::NotFound
    );
    t.save_to_file(&missing, true).unwrap();
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn file_lines_refused_and_skipped() {
    let m = CookieManager::new();
    let ok = format!(
        "\r\n.A.com /x/y\r\n\ta;1;{FAR};1;1;1\r\n\tb;2;{};0;0;0\n\n",
        NOW - 1
    );
    m.load_at(ok.as_bytes(), true, NOW).unwrap();
    assert_eq!(m.len(), 1, "the expired cookie is skipped");
    assert_eq!(
        m.file_text_at(NOW),
        format!("a.com /x/\n\ta;1;{FAR};1;1;1\n")
    );
    for bad in [
        format!("\ta;1;{FAR};0;0;0\n"),
        "onlydomain\n".to_string(),
        "d.com nopath\n".to_string(),
        format!("d.com /\n\ta;1;{FAR};0;0\n"),
        format!("d.com /\n\t;1;{FAR};0;0;0\n"),
        "d.com /\n\ta;1;-1;0;0;0\n".to_string(),
        format!("d.com /\n\ta;1;{FAR};x;0;0\n"),
        format!("d.com /\n\ta;1;{FAR};0;-1;0\n"),
        format!("d.com /\n\ta;1;{FAR};0;0;7\n"),
        format!("d.com /\n\ta;1;{FAR};0;0;0\n   \n"),
    ] {
        let err = m.load_at(bad.as_bytes(), false, NOW).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{bad:?}");
        assert_eq!(m.len(), 1, "a refused file changes nothing: {bad:?}");
    }
}

#[test]
fn unsaveable_cookies_are_left_out() {
    let m = CookieManager::new();
    let mut c = Cookie::new("a", "x\ty", "d.com", "/", 10, false, false, SameSite::None);
    c.expires = FAR;
    assert!(m.set(c, false));
    let mut c = Cookie::new("b", "ok", "d.com", "/", 10, false, false, SameSite::None);
    c.expires = FAR;
    assert!(m.set(c, false));
    assert_eq!(
        m.file_text_at(NOW),
        format!("d.com /\n\tb;ok;{FAR};0;0;0\n")
    );
}

#[test]
fn the_process_wide_manager_is_one() {
    assert!(std::ptr::eq(cookie_manager(), cookie_manager()));
}
