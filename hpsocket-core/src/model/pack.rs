//! HP-Socket's PACK framing: every message is a 4-byte little-endian header
//! `(flag << 22) | length` followed by `length` bytes of body. The codec is sans-IO: it turns
//! bytes into frame bodies and back, and knows nothing of sockets.

use std::ops::ControlFlow;

/// Bits of the header that carry the body length.
pub const PACK_LENGTH_BITS: u32 = 22;
/// Mask of the body length (`TCP_PACK_LENGTH_MASK`); also the largest allowed MaxPackSize.
pub const PACK_LENGTH_MASK: u32 = (1 << PACK_LENGTH_BITS) - 1;
/// Largest allowed PackHeaderFlag.
pub const PACK_FLAG_MAX: u16 = 0x3FF;
/// Size of the header.
pub const PACK_HEADER_LEN: usize = 4;

/// PACK settings (HP-Socket reference section 4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackConfig {
    /// Largest body, sent or received. Default 0x40000 (256 KiB); 1..=0x3FFFFF.
    pub max_pack_size: u32,
    /// Flag in the top 10 bits of every header. Default 0 (not checked on receive); 0..=0x3FF.
    pub pack_header_flag: u16,
}

impl Default for PackConfig {
    fn default() -> Self {
        PackConfig {
            max_pack_size: 0x40000,
            pack_header_flag: 0,
        }
    }
}

impl PackConfig {
    /// Checks both settings; the message names the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_pack_size == 0 || self.max_pack_size > PACK_LENGTH_MASK {
            return Err(format!(
                "MaxPackSize must be 1..={PACK_LENGTH_MASK:#x}, not {:#x}",
                self.max_pack_size
            ));
        }
        if self.pack_header_flag > PACK_FLAG_MAX {
            return Err(format!(
                "PackHeaderFlag must be 0..={PACK_FLAG_MAX:#x}, not {:#x}",
                self.pack_header_flag
            ));
        }
        Ok(())
    }

    /// The header for a body of `len` bytes, or `EMSGSIZE` when `len` is 0 or too large.
    pub fn header(&self, len: usize) -> Result<[u8; PACK_HEADER_LEN], i32> {
        if len == 0 || len > self.max_pack_size as usize {
            return Err(libc::EMSGSIZE);
        }
        Ok((((self.pack_header_flag as u32) << PACK_LENGTH_BITS) | len as u32).to_le_bytes())
    }

    /// Why a send of `len` bytes was refused by [`PackConfig::header`].
    pub(crate) fn refusal(&self, len: usize) -> String {
        format!(
            "a PACK send must be 1..={} bytes, not {len}",
            self.max_pack_size
        )
    }

    /// Checks a received header; returns the body length or the errno that closes the
    /// connection (`EBADMSG` for a wrong flag, `EMSGSIZE` for a bad length).
    fn check(&self, header: [u8; PACK_HEADER_LEN]) -> Result<usize, i32> {
        let h = u32::from_le_bytes(header);
        let flag = (h >> PACK_LENGTH_BITS) as u16;
        let len = h & PACK_LENGTH_MASK;
        if self.pack_header_flag != 0 && flag != self.pack_header_flag {
            return Err(libc::EBADMSG);
        }
        if len == 0 || len > self.max_pack_size {
            return Err(libc::EMSGSIZE);
        }
        Ok(len as usize)
    }
}

/// Hands each complete frame body of `input` to `deliver` until it breaks (refusing that
/// frame) or the input runs out; returns the bytes consumed (whole frames only).
fn parse(
    input: &[u8],
    config: &PackConfig,
    deliver: &mut impl FnMut(&[u8]) -> ControlFlow<()>,
) -> Result<usize, i32> {
    let mut pos = 0;
    while input.len() - pos >= PACK_HEADER_LEN {
        let mut header = [0u8; PACK_HEADER_LEN];
        header.copy_from_slice(&input[pos..pos + PACK_HEADER_LEN]);
        let len = config.check(header)?;
        let end = pos + PACK_HEADER_LEN + len;
        if end > input.len() {
            break;
        }
        if deliver(&input[pos + PACK_HEADER_LEN..end]).is_break() {
            return Ok(pos);
        }
        pos = end;
    }
    Ok(pos)
}

/// Per-connection receive state: the bytes of frames not yet delivered.
#[derive(Default)]
pub(crate) struct PackDecoder {
    pending: Vec<u8>,
    start: usize,
}

/// Buffers above this are freed when they empty, so an idle connection holds no big block.
const KEEP_CAPACITY: usize = 64 * 1024;

impl PackDecoder {
    /// Feeds newly received bytes (or none, to deliver what is buffered after a pause) and
    /// delivers every complete frame until `deliver` breaks. Bytes not delivered are kept.
    /// An `Err` carries the errno of a protocol violation; the connection must close.
    pub(crate) fn feed(
        &mut self,
        data: &[u8],
        config: &PackConfig,
        mut deliver: impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<(), i32> {
        if self.start == self.pending.len() {
            // Nothing buffered: frames wholly inside `data` are delivered without a copy.
            self.pending.clear();
            self.start = 0;
            let used = parse(data, config, &mut deliver)?;
            // A header is checked as soon as it is complete, even if its body is not.
            if data.len() - used >= PACK_HEADER_LEN {
                let mut header = [0u8; PACK_HEADER_LEN];
                header.copy_from_slice(&data[used..used + PACK_HEADER_LEN]);
                config.check(header)?;
            }
            self.pending.extend_from_slice(&data[used..]);
        } else {
            self.pending.extend_from_slice(data);
            let used = parse(&self.pending[self.start..], config, &mut deliver)?;
            self.start += used;
            let rest = &self.pending[self.start..];
            if rest.len() >= PACK_HEADER_LEN {
                let mut header = [0u8; PACK_HEADER_LEN];
                header.copy_from_slice(&rest[..PACK_HEADER_LEN]);
                config.check(header)?;
            }
        }
        if self.start == self.pending.len() {
            self.start = 0;
            self.pending.clear();
            if self.pending.capacity() > KEEP_CAPACITY {
                self.pending = Vec::new();
            }
        } else if self.start > self.pending.len() / 2 {
            self.pending.drain(..self.start);
            self.start = 0;
        }
        Ok(())
    }

    /// Bytes received and not yet delivered.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.pending.len() - self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(config: &PackConfig, body: &[u8]) -> Vec<u8> {
        let mut v = config.header(body.len()).unwrap().to_vec();
        v.extend_from_slice(body);
        v
    }

    fn collect(dec: &mut PackDecoder, cfg: &PackConfig, data: &[u8]) -> Result<Vec<Vec<u8>>, i32> {
        let mut out = Vec::new();
        dec.feed(data, cfg, |b| {
            out.push(b.to_vec());
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    #[test]
    fn header_layout_matches_hp_socket() {
        let cfg = PackConfig {
            max_pack_size: 0x7FF,
            pack_header_flag: 0x169,
        };
        // 0x169 << 22 | 5 = 0x5A40_0005, little-endian on the wire.
        assert_eq!(cfg.header(5).unwrap(), [0x05, 0x00, 0x40, 0x5A]);
        assert_eq!(cfg.header(0), Err(libc::EMSGSIZE));
        assert_eq!(cfg.header(0x800), Err(libc::EMSGSIZE));
        assert!(cfg.header(0x7FF).is_ok());
    }

    #[test]
    fn limits_are_validated() {
        assert!(PackConfig::default().validate().is_ok());
        assert!(PackConfig {
            max_pack_size: 0,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(PackConfig {
            max_pack_size: 0x40_0000,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(PackConfig {
            max_pack_size: 0x3F_FFFF,
            ..Default::default()
        }
        .validate()
        .is_ok());
        let e = PackConfig {
            pack_header_flag: 0x400,
            ..Default::default()
        }
        .validate();
        assert!(e.unwrap_err().contains("PackHeaderFlag"));
    }

    #[test]
    fn frames_split_and_batched() {
        let cfg = PackConfig::default();
        let mut wire = Vec::new();
        for i in 1..=50u8 {
            wire.extend(frame(&cfg, &vec![i; i as usize * 7]));
        }
        // All in one read.
        let mut d = PackDecoder::default();
        let all = collect(&mut d, &cfg, &wire).unwrap();
        assert_eq!(all.len(), 50);
        assert_eq!(all[9], vec![10u8; 70]);
        // One byte at a time.
        let mut d = PackDecoder::default();
        let mut got = Vec::new();
        for b in &wire {
            got.extend(collect(&mut d, &cfg, std::slice::from_ref(b)).unwrap());
        }
        assert_eq!(got, all);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn violations_give_errno() {
        let flagged = PackConfig {
            max_pack_size: 100,
            pack_header_flag: 0x169,
        };
        let other = PackConfig {
            max_pack_size: 100,
            pack_header_flag: 0x16A,
        };
        let mut d = PackDecoder::default();
        assert_eq!(
            collect(&mut d, &flagged, &frame(&other, b"x")),
            Err(libc::EBADMSG)
        );
        let mut d = PackDecoder::default();
        assert_eq!(
            collect(&mut d, &flagged, &[0, 0, 0x40, 0x5A]),
            Err(libc::EMSGSIZE),
            "length 0"
        );
        let big = PackConfig {
            max_pack_size: 101,
            pack_header_flag: 0x169,
        };
        let mut d = PackDecoder::default();
        // Refused as soon as the header arrives, before the body.
        assert_eq!(
            collect(&mut d, &flagged, &big.header(101).unwrap()),
            Err(libc::EMSGSIZE)
        );
        // Flag 0 does not check incoming flags.
        let any = PackConfig {
            max_pack_size: 100,
            pack_header_flag: 0,
        };
        let mut d = PackDecoder::default();
        assert_eq!(
            collect(&mut d, &any, &frame(&other, b"ok")).unwrap(),
            vec![b"ok".to_vec()]
        );
    }

    #[test]
    fn break_keeps_the_rest_for_later() {
        let cfg = PackConfig::default();
        let mut wire = frame(&cfg, b"one");
        wire.extend(frame(&cfg, b"two"));
        wire.extend(&frame(&cfg, b"three")[..5]);
        let mut d = PackDecoder::default();
        let mut seen = Vec::new();
        // Break refuses a frame (a pause): it stays buffered for the next feed.
        d.feed(&wire, &cfg, |b| {
            if !seen.is_empty() {
                return ControlFlow::Break(());
            }
            seen.push(b.to_vec());
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(seen, vec![b"one".to_vec()]);
        let rest = collect(&mut d, &cfg, &[]).unwrap();
        assert_eq!(rest, vec![b"two".to_vec()]);
        let last = collect(&mut d, &cfg, &frame(&cfg, b"three")[5..]).unwrap();
        assert_eq!(last, vec![b"three".to_vec()]);
    }
}
