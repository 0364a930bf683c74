//! The PACK decoder (`PackDecoder::feed`, `PackConfig::header`) against a reference model.
//!
//! The decoder's source is compiled into this target as it is (`#[path]`): it is sans-IO and
//! crate-private, so this needs no public hook. Input layout:
//!   byte 0      mode: even = raw wire bytes, odd = bodies framed by `PackConfig::header`
//!   bytes 1..4  MaxPackSize (22 bits, 0 taken as 1), bytes 4..6 PackHeaderFlag (10 bits)
//!   byte 6      seed of the chunking and of the pauses (`ControlFlow::Break`)
//!   the rest    wire bytes (mode 0) or a list of (u16 length, body) records (mode 1)
//! Checked: every frame the decoder delivers is the reference's next frame; a refused frame
//! comes again on the next feed; violations fail with the reference's errno at the same frame;
//! what was buffered is bounded by one frame; after the last feed everything was delivered.
#![no_main]

use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../hpsocket-core/src/model/pack.rs"]
mod pack;

use pack::{PackConfig, PackDecoder, PACK_FLAG_MAX, PACK_HEADER_LEN, PACK_LENGTH_MASK};

/// What the whole stream decodes to, read in one piece: frames, then maybe an errno.
fn reference<'a>(wire: &'a [u8], cfg: &PackConfig) -> (Vec<&'a [u8]>, Option<i32>) {
    let mut frames = Vec::new();
    let mut pos = 0;
    while wire.len() - pos >= PACK_HEADER_LEN {
        let h = u32::from_le_bytes(wire[pos..pos + 4].try_into().unwrap());
        let flag = (h >> 22) as u16;
        let len = h & PACK_LENGTH_MASK;
        if cfg.pack_header_flag != 0 && flag != cfg.pack_header_flag {
            return (frames, Some(libc::EBADMSG));
        }
        if len == 0 || len > cfg.max_pack_size {
            return (frames, Some(libc::EMSGSIZE));
        }
        let end = pos + PACK_HEADER_LEN + len as usize;
        if end > wire.len() {
            break;
        }
        frames.push(&wire[pos + PACK_HEADER_LEN..end]);
        pos = end;
    }
    (frames, None)
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64: deterministic per input, so a crash reproduces.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 7 {
        return;
    }
    let mode = data[0];
    let max = u32::from_le_bytes([data[1], data[2], data[3], 0]) & PACK_LENGTH_MASK;
    // Keep most runs small so frames complete; sometimes use the whole range.
    let max = if mode & 0x80 == 0 { max % 4096 } else { max }.max(1);
    let flag = u16::from_le_bytes([data[4], data[5]]) & PACK_FLAG_MAX;
    let cfg = PackConfig {
        max_pack_size: max,
        pack_header_flag: flag,
    };
    assert!(cfg.validate().is_ok());
    let mut rng = Rng(u64::from(data[6]) | (u64::from(mode) << 8));
    let rest = &data[7..];

    // The bytes on the wire.
    let wire: Vec<u8> = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut w = Vec::new();
        let mut r = rest;
        while r.len() >= 2 {
            let want = u16::from_le_bytes([r[0], r[1]]) as usize;
            r = &r[2..];
            let n = want.min(r.len());
            match cfg.header(n) {
                Ok(h) => {
                    assert!(n >= 1 && n <= max as usize);
                    w.extend_from_slice(&h);
                    w.extend_from_slice(&r[..n]);
                }
                Err(e) => {
                    assert_eq!(e, libc::EMSGSIZE);
                    assert!(n == 0 || n > max as usize);
                }
            }
            r = &r[n..];
        }
        w
    };
    let (expected, expected_err) = reference(&wire, &cfg);
    if mode & 1 == 1 {
        assert_eq!(expected_err, None, "header() made a frame the decoder refuses");
    }

    let mut dec = PackDecoder::default();
    let mut got = 0usize; // frames delivered and accepted
    let mut fed = 0usize;
    let mut error = None;
    let check = |got: &mut usize, body: &[u8]| {
        assert!(*got < expected.len(), "a frame the reference does not have");
        assert_eq!(body, expected[*got], "frame {} differs", *got);
        *got += 1;
    };
    while fed < wire.len() && error.is_none() {
        let n = match rng.next() % 4 {
            0 => 1,
            1 => (rng.next() % 8) as usize,
            2 => (rng.next() % 300) as usize,
            _ => wire.len() - fed,
        }
        .min(wire.len() - fed);
        let chunk = &wire[fed..fed + n];
        fed += n;
        let pause_after = (rng.next() % 6) as usize; // frames taken before a pause
        let mut taken = 0;
        let r = dec.feed(chunk, &cfg, |body| {
            if taken == pause_after {
                return ControlFlow::Break(());
            }
            taken += 1;
            check(&mut got, body);
            ControlFlow::Continue(())
        });
        if let Err(e) = r {
            error = Some(e);
        }
        // Sometimes resume after a pause: an empty feed delivers what is buffered.
        if error.is_none() && rng.next() % 3 == 0 {
            if let Err(e) = dec.feed(&[], &cfg, |body| {
                check(&mut got, body);
                ControlFlow::Continue(())
            }) {
                error = Some(e);
            }
        }
    }
    if error.is_none() {
        // Resume: everything complete is delivered, and a bad header is found.
        if let Err(e) = dec.feed(&[], &cfg, |body| {
            check(&mut got, body);
            ControlFlow::Continue(())
        }) {
            error = Some(e);
        }
    }
    assert_eq!(error, expected_err, "errno differs from the reference");
    assert_eq!(got, expected.len(), "frames delivered: {got} of {}", expected.len());
});
