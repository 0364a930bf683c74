//! Charset conversion by name, as HP-Socket's `SYS_CharsetConvert` does with iconv: UTF-8,
//! UTF-16LE/BE, UTF-32LE/BE (`WCHAR_T`, `UCS-4LE`: a Linux `wchar_t`), GBK (`GB2312`, `CP936`
//! name it too), GB18030, and every other label `encoding_rs` knows (Big5, Shift_JIS,
//! ISO-8859-x, windows-125x, ...). Malformed input and characters the target cannot
//! represent are errors (no replacement, no transliteration).

use encoding_rs::{EncoderResult, Encoding};

use super::CodecError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Utf16 { big: bool },
    Utf32 { big: bool },
    Other(&'static Encoding),
}

fn charset(name: &str) -> Result<Charset, CodecError> {
    // iconv's suffixes (//TRANSLIT, //IGNORE) ask for leniency this converter does not give.
    let base = name.split("//").next().unwrap_or("").trim();
    let upper = base.to_ascii_uppercase();
    Ok(match upper.as_str() {
        "UTF-8" | "UTF8" => Charset::Utf8,
        "UTF-16LE" | "UTF16LE" | "UCS-2LE" => Charset::Utf16 { big: false },
        "UTF-16BE" | "UTF16BE" | "UCS-2BE" => Charset::Utf16 { big: true },
        "UTF-32LE" | "UTF32LE" | "UCS-4LE" | "WCHAR_T" => Charset::Utf32 { big: false },
        "UTF-32BE" | "UTF32BE" | "UCS-4BE" => Charset::Utf32 { big: true },
        "GBK" | "GB2312" | "CP936" | "EUC-CN" => Charset::Other(encoding_rs::GBK),
        "GB18030" => Charset::Other(encoding_rs::GB18030),
        _ => match Encoding::for_label(base.as_bytes()) {
            Some(e) if e == encoding_rs::UTF_8 => Charset::Utf8,
            Some(e) if e == encoding_rs::UTF_16LE => Charset::Utf16 { big: false },
            Some(e) if e == encoding_rs::UTF_16BE => Charset::Utf16 { big: true },
            Some(e) if e != encoding_rs::REPLACEMENT => Charset::Other(e),
            _ => return Err(CodecError::BadParam(format!("unknown charset \"{name}\""))),
        },
    })
}

fn decode(cs: Charset, input: &[u8]) -> Result<String, CodecError> {
    match cs {
        Charset::Utf8 => String::from_utf8(input.to_vec()).map_err(|_| CodecError::BadInput),
        Charset::Utf16 { big } => {
            if !input.chunks_exact(2).remainder().is_empty() {
                return Err(CodecError::BadInput);
            }
            let units = input.chunks(2).map(|c| {
                let b = [c[0], c[1]];
                if big {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                }
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map_err(|_| CodecError::BadInput)
        }
        Charset::Utf32 { big } => {
            if !input.chunks_exact(4).remainder().is_empty() {
                return Err(CodecError::BadInput);
            }
            input
                .chunks(4)
                .map(|c| {
                    let b = [c[0], c[1], c[2], c[3]];
                    let v = if big {
                        u32::from_be_bytes(b)
                    } else {
                        u32::from_le_bytes(b)
                    };
                    char::from_u32(v).ok_or(CodecError::BadInput)
                })
                .collect()
        }
        Charset::Other(e) => e
            .decode_without_bom_handling_and_without_replacement(input)
            .map(|s| s.into_owned())
            .ok_or(CodecError::BadInput),
    }
}

fn encode(cs: Charset, text: &str) -> Result<Vec<u8>, CodecError> {
    match cs {
        Charset::Utf8 => Ok(text.as_bytes().to_vec()),
        Charset::Utf16 { big } => Ok(text
            .encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()),
        Charset::Utf32 { big } => Ok(text
            .chars()
            .flat_map(|c| {
                let v = c as u32;
                if big {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                }
            })
            .collect()),
        Charset::Other(e) => {
            if e.output_encoding() != e {
                return Err(CodecError::BadParam(format!(
                    "charset {} cannot be written",
                    e.name()
                )));
            }
            let mut encoder = e.new_encoder();
            let mut out = Vec::with_capacity(text.len() * 2 + 16);
            let mut rest = text;
            loop {
                let (r, read) =
                    encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
                rest = &rest[read..];
                match r {
                    EncoderResult::InputEmpty => return Ok(out),
                    EncoderResult::OutputFull => out.reserve(rest.len() * 2 + 16),
                    EncoderResult::Unmappable(_) => return Err(CodecError::BadInput),
                }
            }
        }
    }
}

/// Converts `input` from the charset named `from` to the one named `to`. An unknown name is
/// `BadParam`; malformed input or a character `to` cannot represent is `BadInput`.
pub fn convert(from: &str, to: &str, input: &[u8]) -> Result<Vec<u8>, CodecError> {
    let (from, to) = (charset(from)?, charset(to)?);
    if from == to && from == Charset::Utf8 {
        std::str::from_utf8(input).map_err(|_| CodecError::BadInput)?;
        return Ok(input.to_vec());
    }
    encode(to, &decode(from, input)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_utf8_utf16_utf32() {
        let gbk = b"\xc4\xe3\xba\xc3, HP";
        let utf8 = "你好, HP".as_bytes();
        assert_eq!(convert("GBK", "UTF-8", gbk).unwrap(), utf8);
        assert_eq!(convert("utf-8", "gb2312", utf8).unwrap(), gbk);
        assert_eq!(convert("UTF-8", "GB18030", utf8).unwrap(), gbk);
        let u16le = convert("UTF-8", "UTF-16LE", utf8).unwrap();
        assert_eq!(&u16le[..4], &[0x60, 0x4f, 0x7d, 0x59]);
        assert_eq!(convert("UTF-16LE", "GBK", &u16le).unwrap(), gbk);
        let u32le = convert("GBK", "WCHAR_T", gbk).unwrap();
        assert_eq!(u32le.len(), 6 * 4);
        assert_eq!(convert("UTF-32LE", "UTF-8", &u32le).unwrap(), utf8);
        assert_eq!(
            convert("big5", "UTF-8", b"\xa4\xa4").unwrap(),
            "中".as_bytes()
        );
    }

    #[test]
    fn bad_input_and_names() {
        assert_eq!(convert("UTF-8", "GBK", b"\xff"), Err(CodecError::BadInput));
        assert_eq!(convert("GBK", "UTF-8", b"\x81"), Err(CodecError::BadInput));
        assert_eq!(
            convert("UTF-8", "GBK", "😀".as_bytes()),
            Err(CodecError::BadInput)
        );
        assert_eq!(
            convert("UTF-16LE", "UTF-8", b"\x00"),
            Err(CodecError::BadInput)
        );
        assert_eq!(
            convert("UTF-16LE", "UTF-8", b"\x00\xd8"),
            Err(CodecError::BadInput)
        );
        assert_eq!(
            convert("UTF-32LE", "UTF-8", b"\x00\x00\x11\x00"),
            Err(CodecError::BadInput)
        );
        assert!(matches!(
            convert("NOPE", "UTF-8", b""),
            Err(CodecError::BadParam(_))
        ));
        assert!(convert("GB18030", "UTF-8", b"\x95\x32\x82\x36").is_ok());
    }
}
