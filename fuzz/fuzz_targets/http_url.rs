//! The request-target splitter (`hpsocket_core::http::url::parse_url`). Input: byte 0 bit 0 =
//! CONNECT, the rest the target (as UTF-8, lossily). Checked: no panic; `field_set` agrees with
//! `field`; every field is a piece of the target in order (schema, userinfo, host, port, path,
//! query, fragment do not overlap); the port is digits within u16; CONNECT gives host and port
//! only; a target with a space or control byte is refused.
#![no_main]

use hpsocket_core::http::url::{parse_url, UF_HOST, UF_MAX, UF_PORT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let connect = flags & 1 == 1;
    let target = String::from_utf8_lossy(rest);
    let Some(u) = parse_url(&target, connect) else {
        return;
    };
    assert!(!target.bytes().any(|b| b <= b' ' || b == 0x7f), "{target:?} accepted");
    let mut set = 0u16;
    for i in 0..UF_MAX {
        if let Some(f) = u.field(i) {
            set |= 1 << i;
            assert!(!f.is_empty(), "field {i} empty in {target:?}");
            assert!(target.contains(f));
        }
    }
    assert_eq!(set, u.field_set());
    assert_eq!(u.as_str(), target);
    match u.field(UF_PORT) {
        Some(p) => {
            assert!(p.bytes().all(|b| b.is_ascii_digit()));
            assert!(u.port().is_some(), "port {p:?} of {target:?}");
        }
        None => assert_eq!(u.port(), None),
    }
    if connect {
        assert_eq!(u.field_set(), 1 << UF_HOST | 1 << UF_PORT);
    }
    assert!(u.field(UF_MAX).is_none());
});
