//! Charset conversion (`hpsocket_core::codec::charset`). Input: byte 0 picks the source
//! charset, the rest is the text. Checked: no panic; what decodes is valid UTF-8 and goes
//! through UTF-16LE and UTF-32LE and back unchanged; what GB18030 and GBK write reads back
//! (not always to the same text: WHATWG's GB18030 index maps a few private-use and
//! compatibility characters one way only, and lacks U+E5E5).
#![no_main]

use hpsocket_core::codec::charset::convert;
use libfuzzer_sys::fuzz_target;

const FROM: [&str; 8] = [
    "GBK", "GB18030", "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "Big5", "Shift_JIS",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, text)) = data.split_first() else {
        return;
    };
    let from = FROM[usize::from(sel) % FROM.len()];
    let Ok(utf8) = convert(from, "UTF-8", text) else {
        return;
    };
    assert!(std::str::from_utf8(&utf8).is_ok());
    for via in ["UTF-16LE", "UTF-32LE"] {
        let there = convert("UTF-8", via, &utf8).expect("every character fits");
        assert_eq!(convert(via, "UTF-8", &there).unwrap(), utf8, "{via}");
    }
    for via in ["GB18030", "GBK"] {
        if let Ok(there) = convert("UTF-8", via, &utf8) {
            convert(via, "UTF-8", &there).expect("what the encoder writes decodes");
        }
    }
});
