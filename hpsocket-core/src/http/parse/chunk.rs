//! The chunk-size line of a chunked body (`1a;name=value\r\n`), read byte by byte as llhttp
//! reads it, so that a line split anywhere gives the same result and nothing but the extension
//! text is kept.

use super::{ParseError, HPE_CR_EXPECTED, HPE_HEADER_OVERFLOW, HPE_INVALID_CHUNK_SIZE, HPE_STRICT};

/// Where in the line the reader is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Hex digits.
    #[default]
    Size,
    /// Just after `;`.
    ExtStart,
    /// An extension name.
    ExtName,
    /// An extension value (token).
    ExtValue,
    /// Inside a quoted extension value.
    Quoted,
    /// After a backslash inside a quoted value.
    QuotedPair,
    /// After the closing quote.
    QuotedDone,
    /// After the CR.
    AlmostDone,
}

/// What [`SizeLine::step`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SizeStep {
    /// All bytes given were consumed; the line goes on.
    More,
    /// The line ended (its LF consumed).
    Done,
}

/// One chunk-size line in progress.
#[derive(Debug, Default)]
pub(super) struct SizeLine {
    size: u64,
    digits: bool,
    phase: Phase,
    /// The extension text as received (bounded by the head limit).
    raw: Vec<u8>,
    /// `raw` as text, set when the line ends.
    text: String,
}

impl SizeLine {
    /// Reads from `bytes`; returns how many were used and whether the line ended.
    pub(super) fn step(
        &mut self,
        bytes: &[u8],
        limit: usize,
    ) -> Result<(usize, SizeStep), ParseError> {
        for (i, &b) in bytes.iter().enumerate() {
            if self.byte(b, limit)? {
                if !self.raw.is_empty() {
                    self.text = String::from_utf8_lossy(&self.raw).trim().to_owned();
                }
                return Ok((i + 1, SizeStep::Done));
            }
        }
        Ok((bytes.len(), SizeStep::More))
    }

    /// The chunk size (valid once the line ended).
    pub(super) fn size(&self) -> u64 {
        self.size
    }

    /// The text after `;`, trimmed; "" without extensions (valid once the line ended).
    pub(super) fn extensions(&self) -> &str {
        &self.text
    }

    /// One byte; `Ok(true)` when it ended the line.
    fn byte(&mut self, b: u8, limit: usize) -> Result<bool, ParseError> {
        let err = |code, reason| Err(ParseError::new(code, reason));
        match self.phase {
            Phase::Size => {
                if let Some(v) = hex(b) {
                    if self.size > u64::MAX >> 4 {
                        return err(HPE_INVALID_CHUNK_SIZE, "Chunk size overflow");
                    }
                    self.size = self.size << 4 | u64::from(v);
                    self.digits = true;
                    return Ok(false);
                }
                match b {
                    _ if !self.digits => {
                        err(HPE_INVALID_CHUNK_SIZE, "Invalid character in chunk size")
                    }
                    b'\r' => self.to(Phase::AlmostDone),
                    b'\n' => err(HPE_CR_EXPECTED, "Missing expected CR after chunk size"),
                    b';' => self.to(Phase::ExtStart),
                    _ => err(HPE_INVALID_CHUNK_SIZE, "Invalid character in chunk size"),
                }
            }
            Phase::ExtStart => match b {
                b' ' | b'\r' => err(HPE_STRICT, "Invalid character in chunk extensions"),
                _ => {
                    self.phase = Phase::ExtName;
                    self.byte(b, limit)
                }
            },
            Phase::ExtName => match b {
                _ if is_token(b) => self.push(b, Phase::ExtName, limit),
                b'=' => self.push(b, Phase::ExtValue, limit),
                b';' => self.push(b, Phase::ExtStart, limit),
                b'\r' => self.to(Phase::AlmostDone),
                b'\n' => err(
                    HPE_CR_EXPECTED,
                    "Missing expected CR after chunk extension name",
                ),
                _ => err(HPE_STRICT, "Invalid character in chunk extensions name"),
            },
            Phase::ExtValue => match b {
                b'"' => self.push(b, Phase::Quoted, limit),
                _ if is_token(b) => self.push(b, Phase::ExtValue, limit),
                b';' => self.push(b, Phase::ExtStart, limit),
                b'\r' => self.to(Phase::AlmostDone),
                b'\n' => err(
                    HPE_CR_EXPECTED,
                    "Missing expected CR after chunk extension value",
                ),
                _ => err(HPE_STRICT, "Invalid character in chunk extensions value"),
            },
            Phase::Quoted => match b {
                b'"' => self.push(b, Phase::QuotedDone, limit),
                b'\\' => self.push(b, Phase::QuotedPair, limit),
                b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff => {
                    self.push(b, Phase::Quoted, limit)
                }
                _ => err(
                    HPE_STRICT,
                    "Invalid character in chunk extensions quoted value",
                ),
            },
            Phase::QuotedPair => match b {
                b'\t' | b' '..=0x7e | 0x80..=0xff => self.push(b, Phase::Quoted, limit),
                _ => err(
                    HPE_STRICT,
                    "Invalid quoted-pair in chunk extensions quoted value",
                ),
            },
            Phase::QuotedDone => match b {
                b';' => self.push(b, Phase::ExtStart, limit),
                b'\r' => self.to(Phase::AlmostDone),
                b'\n' => err(
                    HPE_CR_EXPECTED,
                    "Missing expected CR after chunk extension value",
                ),
                _ => err(
                    HPE_STRICT,
                    "Invalid character in chunk extensions quote value",
                ),
            },
            Phase::AlmostDone => match b {
                b'\n' => Ok(true),
                _ => err(HPE_STRICT, "Expected LF after chunk size"),
            },
        }
    }

    fn to(&mut self, phase: Phase) -> Result<bool, ParseError> {
        self.phase = phase;
        Ok(false)
    }

    /// Keeps an extension byte; the text is bounded like a head.
    fn push(&mut self, b: u8, phase: Phase, limit: usize) -> Result<bool, ParseError> {
        if self.raw.len() >= limit {
            return Err(ParseError::new(
                HPE_HEADER_OVERFLOW,
                "Chunk extensions overflow",
            ));
        }
        self.raw.push(b);
        self.to(phase)
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// RFC 9110 `tchar`.
pub(super) fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
