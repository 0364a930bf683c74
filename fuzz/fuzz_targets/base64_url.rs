//! Base64 and HP-Socket's URL codec (`hpsocket_core::codec::{base64, url}`). Checked: no
//! panic; what decodes re-encodes to text that decodes to the same bytes; the decode guesses
//! are exact for what the encoders write; a decode into a buffer one byte short reports the
//! length needed.
#![no_main]

use hpsocket_core::codec::{base64, url, CodecError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = base64::decode_bound(data);
    let _ = url::decode_bound(data);
    let _ = url::encode_bound(data);

    if let Ok(plain) = base64::decode(data) {
        let coded = base64::encode(&plain);
        assert_eq!(coded.len(), base64::encode_bound(plain.len()));
        assert_eq!(base64::decode_bound(&coded), plain.len());
        assert_eq!(base64::decode(&coded).unwrap(), plain);
        if !plain.is_empty() {
            let mut short = vec![0u8; plain.len() - 1];
            assert_eq!(
                base64::decode_into(data, &mut short),
                Err(CodecError::BufferTooSmall { needed: plain.len() })
            );
        }
    }
    let coded = base64::encode(data);
    assert_eq!(base64::decode(&coded).unwrap(), data);

    if let Ok(plain) = url::decode(data) {
        let coded = url::encode(&plain);
        assert_eq!(url::decode_bound(&coded), plain.len());
        assert_eq!(url::decode(&coded).unwrap(), plain);
    }
    let coded = url::encode(data);
    assert_eq!(coded.len(), url::encode_bound(data));
    assert_eq!(url::decode(&coded).unwrap(), data);
});
