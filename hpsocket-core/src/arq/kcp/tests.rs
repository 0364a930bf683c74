//! KCP without sockets: the wire bytes of a first segment, and two control blocks over a
//! simulated link with loss, reordering and duplication, every message whole and in order.

use super::*;

/// A tiny deterministic generator (xorshift), so every run sees the same losses.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn percent(&mut self) -> u64 {
        self.next() % 100
    }
}

#[test]
fn a_first_segment_is_ikcps_bytes() {
    let mut k = Kcp::new(0x1122_3344);
    k.send(b"hi").unwrap();
    let mut out = Vec::new();
    // ikcp's congestion window starts at 0: the first flush sends nothing and opens it.
    k.update(0, &mut |d: &[u8]| out.push(d.to_vec()));
    assert!(out.is_empty());
    k.update(100, &mut |d: &[u8]| out.push(d.to_vec()));
    assert_eq!(out.len(), 1);
    let d = &out[0];
    assert_eq!(
        d[..],
        [
            0x44, 0x33, 0x22, 0x11, // conv
            81, 0, // PUSH, frg
            128, 0, // wnd
            100, 0, 0, 0, // ts
            0, 0, 0, 0, // sn
            0, 0, 0, 0, // una
            2, 0, 0, 0, // len
            b'h', b'i'
        ]
    );
    assert_eq!(Kcp::conv_of(d), Some(0x1122_3344));
}

#[test]
fn input_refuses_other_conversations_and_bad_lengths() {
    let mut k = Kcp::new(7);
    assert_eq!(k.input(&[0; 10]), Err(InputError::Conv));
    let mut seg = vec![0u8; 24];
    seg[0] = 8;
    assert_eq!(k.input(&seg), Err(InputError::Conv));
    seg[0] = 7;
    seg[4] = 81;
    seg[20] = 5; // claims 5 bytes, has none
    assert_eq!(k.input(&seg), Err(InputError::Length));
    seg[20] = 0;
    seg[4] = 99;
    assert_eq!(k.input(&seg), Err(InputError::Command));
}

#[test]
fn too_many_fragments_are_refused() {
    let mut k = Kcp::new(1);
    let max = k.max_message();
    assert!(k.send(&vec![0; max]).is_ok());
    assert_eq!(k.send(&vec![0; max + 1]), Err(SendError::TooLarge));
}

/// Runs two control blocks over a link with `loss`% loss each way (plus reordering and
/// duplication when `chaos`), sending `messages` from a to b; returns what b received.
fn run(loss: u64, chaos: bool, messages: &[Vec<u8>], nodelay: bool) -> Vec<Vec<u8>> {
    let mut a = Kcp::new(9);
    let mut b = Kcp::new(9);
    for k in [&mut a, &mut b] {
        if nodelay {
            k.set_nodelay(1, 10, 2, 1);
        }
        k.set_wndsize(128, 128);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut to_b: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut to_a: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut got = Vec::new();
    let mut next = 0;
    let mut buf = Vec::new();
    for now in (0u32..600_000).step_by(5) {
        while next < messages.len() && a.wait_snd() < 256 {
            a.send(&messages[next]).unwrap();
            next += 1;
        }
        let mut sent_ab = Vec::new();
        a.update(now, &mut |d: &[u8]| sent_ab.push(d.to_vec()));
        let mut sent_ba = Vec::new();
        b.update(now, &mut |d: &[u8]| sent_ba.push(d.to_vec()));
        for (queue, sent) in [(&mut to_b, sent_ab), (&mut to_a, sent_ba)] {
            for d in sent {
                if rng.percent() < loss {
                    continue;
                }
                let delay = if chaos {
                    10 + (rng.next() % 40) as u32
                } else {
                    10
                };
                if chaos && rng.percent() < 5 {
                    queue.push((now + delay + 7, d.clone()));
                }
                queue.push((now + delay, d));
            }
        }
        for (queue, k) in [(&mut to_b, &mut b), (&mut to_a, &mut a)] {
            let mut i = 0;
            while i < queue.len() {
                if queue[i].0 <= now {
                    let (_, d) = queue.swap_remove(i);
                    k.input(&d).unwrap();
                } else {
                    i += 1;
                }
            }
        }
        while b.recv(&mut buf) {
            got.push(buf.clone());
        }
        if got.len() == messages.len() && a.wait_snd() == 0 {
            break;
        }
        assert!(!a.is_dead(), "dead link at {now} ms");
    }
    got
}

fn messages(n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let len = 1 + (rng.next() % 6000) as usize;
            (0..len).map(|j| (i * 31 + j) as u8).collect()
        })
        .collect()
}

#[test]
fn messages_arrive_whole_and_in_order_without_loss() {
    let m = messages(300, 1);
    assert_eq!(run(0, false, &m, false), m);
}

#[test]
fn messages_arrive_whole_and_in_order_with_10_percent_loss() {
    let m = messages(300, 2);
    assert_eq!(run(10, false, &m, true), m);
}

#[test]
fn messages_arrive_whole_and_in_order_with_30_percent_loss_reordering_and_duplicates() {
    let m = messages(200, 3);
    assert_eq!(run(30, true, &m, true), m);
}

#[test]
fn check_says_when_to_come_back() {
    let mut k = Kcp::new(3);
    assert_eq!(k.check(1000), 1000, "before the first update: now");
    k.update(1000, &mut |_: &[u8]| {});
    let next = k.check(1000);
    assert!(next > 1000 && next <= 1100, "{next}");
}

#[test]
fn acks_with_absurd_timestamps_do_not_overflow() {
    // Found by the arq_input fuzz target: rtt near i32::MAX overflowed ikcp's formulas.
    let mut k = Kcp::new(5);
    k.send(b"x").unwrap();
    k.update(0, &mut |_: &[u8]| {});
    k.update(100, &mut |_: &[u8]| {});
    for ts in [0x8000_0001u32, 0x7FFF_FFFF, 1, 0xFFFF_FFFF, 0x4000_0000] {
        let mut seg = Vec::new();
        seg.extend_from_slice(&5u32.to_le_bytes());
        seg.extend_from_slice(&[82, 0, 128, 0]);
        seg.extend_from_slice(&ts.to_le_bytes());
        seg.extend_from_slice(&[0; 12]);
        k.set_current(0x7FFF_FFFE);
        k.input(&seg).unwrap();
    }
    k.update(0x7FFF_FFFF, &mut |_: &[u8]| {});
}
