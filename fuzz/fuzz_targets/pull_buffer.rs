//! The PULL buffer (`PullBuffer::append/peek/fetch/clear`) against a `VecDeque` model.
//!
//! The buffer's source is compiled into this target as it is (`#[path]`): it is sans-IO and
//! crate-private, so this needs no public hook. Each input is a list of operations:
//!   0: append the next n bytes       1: peek n     2: fetch n     3: clear
//! with n from the input (sometimes up to 64 KiB, sometimes exactly the buffered length).
//! Checked: results (`Ok` / `LengthTooLong`), the bytes copied, `len()` after every step,
//! and that a refused fetch or peek changes nothing.
#![no_main]

use std::collections::VecDeque;

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../hpsocket-core/src/model/pull.rs"]
mod pull;

use pull::{FetchResult, PullBuffer};

fuzz_target!(|data: &[u8]| {
    let mut buf = PullBuffer::default();
    let mut model: VecDeque<u8> = VecDeque::new();
    let mut i = 0;
    let mut out = Vec::new();
    while i + 3 <= data.len() {
        let op = data[i] % 4;
        let raw = u16::from_le_bytes([data[i + 1], data[i + 2]]) as usize;
        i += 3;
        let n = match data[i - 3] >> 6 {
            0 => raw % 64,
            1 => model.len(),
            2 => model.len() + 1,
            _ => raw,
        };
        match op {
            0 => {
                let n = n.min(data.len() - i);
                let bytes = &data[i..i + n];
                i += n;
                let total = buf.append(bytes);
                model.extend(bytes);
                assert_eq!(total, model.len());
            }
            1 | 2 => {
                out.clear();
                out.resize(n, 0xAA);
                let r = if op == 1 {
                    buf.peek(&mut out)
                } else {
                    buf.fetch(&mut out)
                };
                if n > model.len() {
                    assert_eq!(r, FetchResult::LengthTooLong);
                    assert!(out.iter().all(|&b| b == 0xAA), "refused, yet copied");
                } else {
                    assert_eq!(r, FetchResult::Ok);
                    let want: Vec<u8> = model.iter().take(n).copied().collect();
                    assert_eq!(out, want);
                    if op == 2 {
                        model.drain(..n);
                    }
                }
            }
            _ => {
                buf.clear();
                model.clear();
            }
        }
        assert_eq!(buf.len(), model.len());
    }
});
