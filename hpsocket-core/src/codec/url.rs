//! HP-Socket's URL codec (the form encoding of Java's `URLEncoder`): ASCII letters, digits and
//! `.-_*` stay, a space becomes `+`, every other byte `%XX` (upper-case hex). The decoder turns
//! `+` into a space and `%XX` into its byte; a `%` without two hex digits is bad input.

use super::{fit, CodecError};

fn kept(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'*')
}

/// HP-Socket's `GuessUrlEncodeBound`: the exact encoded length.
pub fn encode_bound(src: &[u8]) -> usize {
    src.iter()
        .map(|&c| if kept(c) || c == b' ' { 1 } else { 3 })
        .sum()
}

/// HP-Socket's `GuessUrlDecodeBound`: the decoded length of well-formed input.
pub fn decode_bound(src: &[u8]) -> usize {
    let (mut i, mut percent) = (0, 0);
    while i < src.len() {
        if src[i] == b'%' {
            percent += 1;
            i += 2;
        }
        i += 1;
    }
    src.len().saturating_sub(percent * 2)
}

/// Encodes `src`.
pub fn encode(src: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(encode_bound(src));
    for &c in src {
        if kept(c) {
            out.push(c);
        } else if c == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        }
    }
    out
}

/// Encodes `src` into `dst`; the length written.
pub fn encode_into(src: &[u8], dst: &mut [u8]) -> Result<usize, CodecError> {
    let needed = encode_bound(src);
    if dst.len() < needed {
        return Err(CodecError::BufferTooSmall { needed });
    }
    fit(&encode(src), dst)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|v| v as u8)
}

/// Decodes `src`.
pub fn decode(src: &[u8]) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let (h, l) = match (src.get(i + 1), src.get(i + 2)) {
                    (Some(&h), Some(&l)) => (h, l),
                    _ => return Err(CodecError::BadInput),
                };
                let v = hex(h).zip(hex(l)).ok_or(CodecError::BadInput)?;
                out.push((v.0 << 4) | v.1);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// Decodes `src` into `dst`; the length written.
pub fn decode_into(src: &[u8], dst: &mut [u8]) -> Result<usize, CodecError> {
    fit(&decode(src)?, dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_and_space() {
        assert_eq!(encode(b"a Z.0-_*~/?"), b"a+Z.0-_*%7E%2F%3F");
        assert_eq!(encode("中".as_bytes()), b"%E4%B8%AD");
        assert_eq!(encode_bound(b"a b~"), 6);
    }

    #[test]
    fn round_trip_every_byte() {
        let data: Vec<u8> = (0..=255u8).collect();
        let coded = encode(&data);
        assert_eq!(coded.len(), encode_bound(&data));
        assert_eq!(decode_bound(&coded), data.len());
        assert_eq!(decode(&coded).unwrap(), data);
        assert_eq!(decode(b"%e4%b8%ad+x").unwrap(), "中 x".as_bytes());
    }

    #[test]
    fn bad_escapes_rejected() {
        for bad in [&b"%"[..], b"%4", b"a%G1", b"%%41"] {
            assert_eq!(decode(bad), Err(CodecError::BadInput), "{bad:?}");
        }
    }

    #[test]
    fn short_buffers_report_the_size() {
        let mut small = [0u8; 2];
        assert_eq!(
            encode_into(b"a b/", &mut small),
            Err(CodecError::BufferTooSmall { needed: 6 })
        );
        assert_eq!(
            decode_into(b"%41%42%43", &mut small),
            Err(CodecError::BufferTooSmall { needed: 3 })
        );
    }
}
