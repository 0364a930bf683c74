//! Base64 (RFC 4648, standard alphabet, `=` padding) with HP-Socket's length guesses. The
//! decoder skips CR, LF and spaces (as HP-Socket's) and accepts a missing final padding.

use super::{fit, CodecError};

const CODES: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// HP-Socket's `GuessBase64EncodeBound`: the exact encoded length.
pub fn encode_bound(len: usize) -> usize {
    len.div_ceil(3) * 4
}

/// HP-Socket's `GuessBase64DecodeBound`: the decoded length of well-formed input without
/// line breaks (0 below two bytes).
pub fn decode_bound(src: &[u8]) -> usize {
    let mut n = src.len();
    if n < 2 {
        return 0;
    }
    if src[n - 2] == b'=' {
        n -= 2;
    } else if src[n - 1] == b'=' {
        n -= 1;
    }
    let add = match n % 4 {
        2 => 1,
        3 => 2,
        _ => 0,
    };
    3 * (n / 4) + add
}

/// Encodes `src`.
pub fn encode(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encode_bound(src.len()));
    for chunk in src.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(CODES[(n >> 18) as usize & 63]);
        out.push(CODES[(n >> 12) as usize & 63]);
        out.push(if chunk.len() > 1 {
            CODES[(n >> 6) as usize & 63]
        } else {
            b'='
        });
        out.push(if chunk.len() > 2 {
            CODES[n as usize & 63]
        } else {
            b'='
        });
    }
    out
}

/// Encodes `src` into `dst`; the length written.
pub fn encode_into(src: &[u8], dst: &mut [u8]) -> Result<usize, CodecError> {
    let needed = encode_bound(src.len());
    if dst.len() < needed {
        return Err(CodecError::BufferTooSmall { needed });
    }
    fit(&encode(src), dst)
}

fn value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as u32)
}

/// Decodes `src`: `BadInput` for a byte outside the alphabet, padding inside the data, or a
/// length that no encoding has.
pub fn decode(src: &[u8]) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3 + 3);
    let (mut acc, mut n, mut pad) = (0u32, 0usize, 0usize);
    for &c in src {
        match c {
            b'\r' | b'\n' | b' ' => continue,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => {}
        }
        if pad > 0 {
            return Err(CodecError::BadInput);
        }
        acc = (acc << 6) | value(c).ok_or(CodecError::BadInput)?;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            n = 0;
        }
    }
    match (n, pad) {
        (0, 0) => {}
        (2, 0..=2) => out.push((acc >> 4) as u8),
        (3, 0 | 1) => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => return Err(CodecError::BadInput),
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

    const RFC4648: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_vectors() {
        for (plain, coded) in RFC4648 {
            assert_eq!(encode(plain.as_bytes()), coded.as_bytes());
            assert_eq!(decode(coded.as_bytes()).unwrap(), plain.as_bytes());
            assert_eq!(encode_bound(plain.len()), coded.len());
            if coded.len() >= 2 {
                assert_eq!(decode_bound(coded.as_bytes()), plain.len());
            }
        }
    }

    #[test]
    fn round_trip_all_lengths() {
        let data: Vec<u8> = (0..=255u8).collect();
        for len in 0..data.len() {
            assert_eq!(decode(&encode(&data[..len])).unwrap(), &data[..len]);
        }
    }

    #[test]
    fn line_breaks_and_missing_padding_accepted() {
        assert_eq!(decode(b"Zm9v\r\nYmFy").unwrap(), b"foobar");
        assert_eq!(decode(b"Zg").unwrap(), b"f");
        assert_eq!(decode(b"Zm8").unwrap(), b"fo");
    }

    #[test]
    fn bad_input_rejected() {
        for bad in [&b"Z"[..], b"Zm9v!", b"Zg==Zg==", b"Z===", b"Zm9vY", b"=Zg"] {
            assert_eq!(decode(bad), Err(CodecError::BadInput), "{bad:?}");
        }
    }

    #[test]
    fn short_buffers_report_the_size() {
        let mut small = [0u8; 3];
        assert_eq!(
            encode_into(b"foob", &mut small),
            Err(CodecError::BufferTooSmall { needed: 8 })
        );
        assert_eq!(
            decode_into(b"Zm9vYg==", &mut small),
            Err(CodecError::BufferTooSmall { needed: 4 })
        );
        let mut big = [0u8; 8];
        assert_eq!(encode_into(b"foob", &mut big), Ok(8));
        assert_eq!(&big, b"Zm9vYg==");
    }
}
