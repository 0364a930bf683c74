//! Compact forms of what every connection carries for its queries: the remote address and
//! the millisecond marks (connected at, last active). Each connection object is allocated
//! whole, so bytes saved here are saved once per idle connection (the C1 cell).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::sync::atomic::{AtomicU32, Ordering};

/// A remote address split for `Conn`: IPv4 kept inline (6 bytes, where a `SocketAddr` takes
/// 32), IPv6 (with its flow and scope) returned apart, for the connection's rare fields.
pub(crate) fn split_addr(addr: SocketAddr) -> (SocketAddrV4, Option<SocketAddrV6>) {
    match addr {
        SocketAddr::V4(a) => (a, None),
        SocketAddr::V6(a) => (SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0), Some(a)),
    }
}

/// The address `split_addr` split.
pub(crate) fn join_addr(v4: SocketAddrV4, v6: Option<SocketAddrV6>) -> SocketAddr {
    match v6 {
        Some(a) => SocketAddr::V6(a),
        None => SocketAddr::V4(v4),
    }
}

/// A mark older than `now` by more than this is taken to be newer instead: another thread
/// set it after `now` was read (a query racing a receive), and the period is then zero.
const AHEAD: u32 = 60_000;

/// Milliseconds from `mark` to `now`, both in 32 bits as HP-Socket keeps its tick counts
/// (`GetTickCount`): periods up to 49 days read right across the counter's wrap.
pub(crate) fn period(mark: u32, now_ms: u64) -> u64 {
    match (now_ms as u32).wrapping_sub(mark) {
        d if d > u32::MAX - AHEAD => 0,
        d => d.into(),
    }
}

/// A millisecond mark (since the engine epoch) that any thread may move: the last receive,
/// or send with `silence_counts_send`.
pub(crate) struct AtomicMark(AtomicU32);

impl AtomicMark {
    pub(crate) fn new(now_ms: u64) -> AtomicMark {
        AtomicMark(AtomicU32::new(now_ms as u32))
    }

    pub(crate) fn store(&self, now_ms: u64, order: Ordering) {
        self.0.store(now_ms as u32, order);
    }

    /// Milliseconds from the mark to `now_ms`.
    pub(crate) fn since(&self, now_ms: u64, order: Ordering) -> u64 {
        period(self.0.load(order), now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_across_the_wrap_and_a_mark_set_after_now_is_zero() {
        assert_eq!(period(10, 25), 15);
        let before_wrap = u64::from(u32::MAX) - 4;
        assert_eq!(period(before_wrap as u32, before_wrap + 10), 10);
        assert_eq!(
            period(100, 99),
            0,
            "set by another thread after now was read"
        );
        let m = AtomicMark::new(1_000);
        m.store(2_000, Ordering::Relaxed);
        assert_eq!(m.since(2_500, Ordering::Relaxed), 500);
    }

    #[test]
    fn addresses_come_back_whole() {
        for text in ["127.0.0.1:5555", "[fe80::1%3]:80", "[::1]:65535"] {
            let addr: SocketAddr = text.parse().unwrap();
            let (v4, v6) = split_addr(addr);
            assert_eq!(join_addr(v4, v6), addr);
            assert_eq!(v6.is_some(), addr.is_ipv6(), "IPv6 goes apart");
        }
        let v6 = SocketAddr::V6(SocketAddrV6::new("fe80::2".parse().unwrap(), 9, 7, 3));
        let (v4, rare) = split_addr(v6);
        assert_eq!(join_addr(v4, rare), v6, "flow and scope kept");
        assert_eq!(std::mem::size_of::<SocketAddrV4>(), 6);
    }
}
