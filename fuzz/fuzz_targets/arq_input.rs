//! The ARQ receive path (`hpsocket_core::arq`): a session and a bare KCP block fed arbitrary
//! datagrams (byte 0 picks how the input is cut into datagrams). Checked: no panic; a ready
//! session hands out whole messages no larger than KCP's limit; a handshake parses only from
//! exactly 12 bytes with the magic, command and flag bits right.
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
    let mut kcp = Kcp::new(7);
    let mut now = 0u32;
    for datagram in rest.chunks(size) {
        now = now.wrapping_add(10);
        if let Ok(Inbound::Messages(m)) = session.receive(datagram, now, &mut |_: &[u8]| {}) {
            assert!(m.iter().all(|m| m.len() <= 127 * 1432));
        }
        let _ = session.tick(now, &mut |_: &[u8]| {});
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
