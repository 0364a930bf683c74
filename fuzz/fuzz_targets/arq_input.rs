//! The ARQ receive path (`hpsocket_core::arq`): a session and a bare KCP block fed arbitrary
//! datagrams (byte 0 picks how the input is cut into datagrams). Checked: no panic; a ready
//! session hands out whole messages no larger than KCP's limit; a handshake parses only from
//! exactly 12 bytes with the magic, command and flag bits right. A second session agreed on
//! partial reliability (the extension: `CMD_SKIP` tombstones) takes the same datagrams while
//! it sends messages with deadlines and retransmit limits: each message it gives up is
//! reported once, and what it delivers is whole.
#![no_main]

use hpsocket_core::arq::kcp::Kcp;
use hpsocket_core::arq::session::{ArqSession, Handshake, Inbound};
use hpsocket_core::ArqConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let size = 1 + usize::from(cut) * 8;
    let config = ArqConfig::default();
    let mut session = ArqSession::new(7, &config, 1432, 0);
    // Make it ready the way a peer would: its handshake naming our id.
    let hs = Handshake { flag: 1, self_id: 9, peer_id: 7 }.encode();
    assert_eq!(session.receive(&hs, 0, &mut |_: &[u8]| {}), Ok(Inbound::Ready));
    let partial = ArqConfig {
        partial_reliability: true,
        ..ArqConfig::default()
    };
    let mut limited = ArqSession::new(7, &partial, 1432, 0);
    let hs = Handshake { flag: 3, self_id: 9, peer_id: 7 }.encode();
    assert_eq!(limited.receive(&hs, 0, &mut |_: &[u8]| {}), Ok(Inbound::Ready));
    assert!(limited.is_partial());
    let mut sent = std::collections::HashSet::new();
    let mut reported = std::collections::HashSet::new();
    let mut kcp = Kcp::new(7);
    let mut now = 0u32;
    for datagram in rest.chunks(size) {
        now = now.wrapping_add(10);
        if let Ok(Inbound::Messages(m)) = session.receive(datagram, now, &mut |_: &[u8]| {}) {
            assert!(m.iter().all(|m| m.len() <= 127 * 1432));
        }
        let _ = session.tick(now, &mut |_: &[u8]| {});
        if let Ok(Inbound::Messages(m)) = limited.receive(datagram, now, &mut |_: &[u8]| {}) {
            assert!(m.iter().all(|m| m.len() <= 127 * 1432));
        }
        let len = 1 + usize::from(datagram.first().copied().unwrap_or(0)) * 11;
        let deadline = u32::from(datagram.get(1).copied().unwrap_or(0) % 4) * 15;
        let max = datagram.get(2).and_then(|&b| (b < 128).then_some(u32::from(b % 3)));
        if let Ok(id) = limited.send_ex(&vec![1; len], now, deadline, max, &mut |_: &[u8]| {}) {
            if id != 0 {
                assert!(sent.insert(id));
            }
        }
        let _ = limited.tick(now, &mut |_: &[u8]| {});
        for (id, size) in limited.take_dropped() {
            assert!(sent.contains(&id) && reported.insert(id) && size >= 1);
        }
        let _ = kcp.input(datagram);
        let mut out = Vec::new();
        while kcp.recv(&mut out) {}
        kcp.update(now, &mut |_: &[u8]| {});
        if let Some(h) = Handshake::parse(datagram) {
            assert_eq!(datagram.len(), 12);
            assert_eq!(h.encode()[..], datagram[..]);
        }
    }
});
