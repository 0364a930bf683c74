//! The layers driven through the pair harness: every split of a stream, loss, duplication
//! and reordering of datagrams, pauses, faults and timer edges, without a socket.

use std::sync::Arc;

use openssl::asn1::Asn1Time;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::x509::{X509NameBuilder, X509};

use super::pair::{Link, Pair, Rng};
use super::{Arq, Fault, Io, Pack, Protocol, Raw, Stack, Tls};

use crate::arq::session::ArqSession;
use crate::config::ArqConfig;
use crate::model::pack::PackConfig;
use crate::ssl::context::{Side, SslContexts};
use crate::ssl::session::TlsSession;
use crate::ssl::{Pem, SslSetup};

/// A TLS layer owning its session and plaintext buffer, as each harness endpoint has one.
type OwnedTls = Tls<TlsSession, Box<[u8]>>;

/// `count` messages of 1..=`max` pseudo-random bytes.
fn messages(rng: &mut Rng, count: usize, max: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|_| {
            let len = 1 + rng.below(max as u64) as usize;
            (0..len).map(|_| rng.next() as u8).collect()
        })
        .collect()
}

#[test]
fn pack_frames_survive_every_way_of_cutting_the_stream() {
    let config = PackConfig::default();
    for seed in 0..20 {
        let mut rng = Rng::new(seed);
        let sent = messages(&mut rng, 150, 3000);
        // Inputs of 1 byte, of a few bytes, and of whatever arrived together.
        let max_chunk = [1, 7, 0][seed as usize % 3];
        let mut pair = Pair::new(
            Pack::new(config),
            Pack::new(config),
            Link::stream(max_chunk),
            seed,
            0,
        );
        for m in &sent {
            // Header and body as separate parts, as a gather send gives them.
            let (head, tail) = m.split_at(m.len() / 2);
            pair.a.send(&[head, tail], pair.now).unwrap();
            pair.step();
        }
        assert!(pair.run_until(100, |p| p.b.got.len() == sent.len()));
        assert_eq!(pair.b.got, sent, "seed {seed}");
        assert_eq!(pair.b.layer.buffered(), 0);
        assert!(pair.b.fault.is_none());
    }
}

#[test]
fn pack_stops_at_a_frame_boundary_while_paused_and_resumes_in_order() {
    let config = PackConfig::default();
    let mut pair = Pair::new(Pack::new(config), Pack::new(config), Link::stream(5), 1, 0);
    pair.b.accepting = false;
    for i in 1..=5u8 {
        pair.a.send(&[&[i; 10]], pair.now).unwrap();
    }
    pair.run_until(20, |p| p.idle());
    assert!(pair.b.got.is_empty());
    assert_eq!(pair.b.layer.buffered(), 5 * 14);
    // A resume feeds nothing new: the held frames come out, in order.
    pair.b.accepting = true;
    pair.b.input(&[], pair.now);
    let want: Vec<Vec<u8>> = (1..=5u8).map(|i| vec![i; 10]).collect();
    assert_eq!(pair.b.got, want);
}

#[test]
fn pack_refuses_bad_headers_and_bad_sends_with_their_errno() {
    let flagged = PackConfig {
        pack_header_flag: 0x155,
        ..PackConfig::default()
    };
    // A zero-length frame with the right flag, then a wrong flag, each from a raw peer.
    for (header, code) in [(0x155u32 << 22, libc::EMSGSIZE), (5, libc::EBADMSG)] {
        let mut pair = Pair::new(Raw, Pack::new(flagged), Link::stream(1), 2, 0);
        pair.a.send(&[&header.to_le_bytes()], 0).unwrap();
        pair.run_until(20, |p| p.b.fault.is_some());
        assert_eq!(pair.b.fault.as_ref().map(|f| f.code), Some(code));
    }
    // A header is checked as soon as it is complete, before its body arrives.
    let mut pair = Pair::new(Raw, Pack::new(PackConfig::default()), Link::stream(4), 3, 0);
    pair.a.send(&[&0x0010_0000u32.to_le_bytes()], 0).unwrap();
    pair.run_until(20, |p| p.b.fault.is_some());
    assert_eq!(pair.b.fault.unwrap().code, libc::EMSGSIZE);
    // Sends: empty and oversized are refused, nothing goes out.
    let mut pack = Pack::new(PackConfig::default());
    let mut out = Collect::default();
    assert_eq!(
        pack.send(&[], 0, &mut out).unwrap_err().code,
        libc::EMSGSIZE
    );
    let big = vec![0u8; 0x40001];
    assert_eq!(
        pack.send(&[&big], 0, &mut out).unwrap_err().code,
        libc::EMSGSIZE
    );
    assert!(out.sent.is_empty());
}

/// Output of a layer driven directly.
#[derive(Default)]
struct Collect {
    sent: Vec<Vec<u8>>,
    got: Vec<Vec<u8>>,
}

impl Io for Collect {
    fn deliver(&mut self, data: &[u8]) -> std::ops::ControlFlow<()> {
        self.got.push(data.to_vec());
        std::ops::ControlFlow::Continue(())
    }
    fn transmit(&mut self, data: &[u8]) {
        self.sent.push(data.to_vec());
    }
}

/// A server's and a client's TLS layer (a self-signed P-256 certificate made now; the
/// client does not verify it).
fn tls_pair() -> (OwnedTls, OwnedTls) {
    let key = PKey::from_ec_key(
        EcKey::generate(&EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap()).unwrap(),
    )
    .unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "pair.test").unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    let cert = b.build();
    let server_setup = SslSetup {
        certificate: Some(Pem::Memory(
            String::from_utf8(cert.to_pem().unwrap()).unwrap(),
        )),
        private_key: Some(Pem::Memory(
            String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap(),
        )),
        ..SslSetup::default()
    };
    let server: Arc<SslContexts> = SslContexts::new(Side::Server, &server_setup, None).unwrap();
    let client = SslContexts::new(Side::Client, &SslSetup::default(), None).unwrap();
    (
        Tls::new(TlsSession::new(&server, None, true, false).unwrap()),
        Tls::new(TlsSession::new(&client, Some("pair.test"), true, false).unwrap()),
    )
}

#[test]
fn tls_handshakes_and_carries_data_across_one_byte_inputs() {
    let (server, client) = tls_pair();
    let mut pair = Pair::new(client, server, Link::stream(1), 4, 0);
    // Sent before the handshake: held, then encrypted in order once it completes.
    pair.a.send(&[b"early ", b"bird"], 0).unwrap();
    pair.a.with(|tls, io| tls.start(io)).unwrap();
    assert!(pair.run_until(5_000, |p| p.a.ready && p.b.ready));
    assert!(pair.a.layer.is_established() && pair.b.layer.is_established());
    let mut rng = Rng::new(4);
    let sent = messages(&mut rng, 40, 40_000);
    for m in &sent {
        pair.b.send(&[m], pair.now).unwrap();
    }
    let want: Vec<u8> = sent.concat();
    assert!(pair.run_until(200_000, |p| p.a.bytes().len() == want.len()
        && p.b.bytes().len() == 10));
    assert_eq!(pair.a.bytes(), want);
    assert_eq!(pair.b.bytes(), b"early bird");
    // close_notify ends the peer's stream at the TLS layer.
    pair.b.with(|tls, io| tls.close(io));
    assert!(pair.run_until(1_000, |p| p.a.closed));
}

#[test]
fn tls_keeps_plaintext_inside_the_session_while_paused() {
    let (server, client) = tls_pair();
    let mut pair = Pair::new(client, server, Link::stream(0), 5, 0);
    pair.a.with(|tls, io| tls.start(io)).unwrap();
    assert!(pair.run_until(1_000, |p| p.a.ready && p.b.ready));
    pair.b.accepting = false;
    pair.a.send(&[b"one"], pair.now).unwrap();
    pair.a.send(&[b"two"], pair.now).unwrap();
    pair.run_until(20, |p| p.idle());
    assert!(pair.b.got.is_empty());
    pair.b.accepting = true;
    pair.b.input(&[], pair.now);
    assert_eq!(pair.b.bytes(), b"onetwo");
}

#[test]
fn tls_refuses_garbage_with_a_fault() {
    let (server, _) = tls_pair();
    let mut pair = Pair::new(Raw, server, Link::stream(3), 6, 0);
    pair.a
        .send(&[b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"], 0)
        .unwrap();
    pair.run_until(50, |p| p.b.fault.is_some());
    let Fault { code, message } = pair.b.fault.clone().unwrap();
    assert_eq!(code, libc::EPROTO, "{message}");
    assert!(message.contains("TLS handshake failed"), "{message}");
}

#[test]
fn pack_over_tls_survives_splits_and_pauses() {
    let config = PackConfig::default();
    for seed in 0..4 {
        let (server, client) = tls_pair();
        let mut pair = Pair::new(
            Stack::new(client, Pack::new(config)),
            Stack::new(server, Pack::new(config)),
            Link::stream([1, 13, 0, 100][seed as usize]),
            seed,
            0,
        );
        pair.a.with(|s, io| s.lower.start(io)).unwrap();
        assert!(pair.run_until(5_000, |p| p.a.ready && p.b.ready));
        let mut rng = Rng::new(seed);
        let sent = messages(&mut rng, 60, 5000);
        for (i, m) in sent.iter().enumerate() {
            pair.a.send(&[m], pair.now).unwrap();
            if i == 20 {
                pair.b.accepting = false;
            }
            if i == 40 {
                pair.run_until(10_000, |p| p.idle());
                assert!(pair.b.got.len() < sent.len());
                pair.b.accepting = true;
                pair.b.input(&[], pair.now);
            }
            pair.step();
        }
        assert!(
            pair.run_until(100_000, |p| p.b.got.len() == sent.len()),
            "seed {seed}"
        );
        assert_eq!(pair.b.got, sent, "seed {seed}");
    }
}

fn arq_config() -> ArqConfig {
    ArqConfig {
        no_delay: true,
        flush_interval: 10,
        resend_by_acks: 2,
        turnoff_congest_ctrl: true,
        ..ArqConfig::default()
    }
}

fn arq_pair(link: Link, seed: u64, start: u32) -> Pair<Arq, Arq> {
    let config = arq_config();
    let a = ArqSession::new(0x0A0A_0A0A, &config, 1432, start);
    let b = ArqSession::new(0x0B0B_0B0B, &config, 1432, start);
    Pair::new(
        Arq::new(a, config.flush_interval, start),
        Arq::new(b, config.flush_interval, start),
        link,
        seed,
        start,
    )
}

#[test]
fn arq_delivers_every_message_once_in_order_through_loss_duplication_and_reordering() {
    for seed in 0..6 {
        // 10% loss, 5% duplicates, 5..=35 ms per datagram: later ones overtake earlier ones.
        let mut pair = arq_pair(Link::lossy(100, 50, 5, 30), seed, 0);
        assert!(
            pair.run_until(10_000, |p| p.a.ready && p.b.ready),
            "seed {seed}"
        );
        let mut rng = Rng::new(seed);
        let sent = messages(&mut rng, 200, 4000);
        for m in &sent {
            pair.a.send(&[m], pair.now).unwrap();
            if rng.below(4) == 0 {
                pair.step();
            }
        }
        assert!(
            pair.run_until(60_000, |p| p.b.got.len() >= sent.len()),
            "seed {seed}: {} of {}",
            pair.b.got.len(),
            sent.len()
        );
        pair.run_until(500, |_| false);
        assert_eq!(pair.b.got, sent, "seed {seed}");
        assert_eq!(pair.a.layer.session().waiting(), 0);
    }
}

#[test]
fn arq_timers_fire_at_their_deadline_across_the_clock_wrap() {
    let start = u32::MAX - 25;
    // Early: nothing happens and the deadline stays.
    let mut io = Collect::default();
    let mut arq = Arq::new(
        ArqSession::new(1, &arq_config(), 1432, start),
        10,
        start.wrapping_add(10),
    );
    arq.handle_timeout(start.wrapping_add(9), &mut io).unwrap();
    assert!(io.sent.is_empty());
    assert_eq!(arq.poll_timeout(), Some(start.wrapping_add(10)));
    // Due: the handshake goes out and the next tick is one interval on, past the wrap.
    arq.handle_timeout(start.wrapping_add(10), &mut io).unwrap();
    assert_eq!(io.sent.len(), 1);
    assert_eq!(arq.poll_timeout(), Some(start.wrapping_add(20)));
    arq.handle_timeout(start.wrapping_add(31), &mut io).unwrap();
    assert_eq!(arq.poll_timeout(), Some(start.wrapping_add(41)));
    // A pair whose clock wraps during its handshake carries data across the wrap.
    let mut pair = arq_pair(Link::lossy(0, 0, 1, 0), 7, u32::MAX - 2);
    assert_eq!(pair.a.layer.poll_timeout(), Some(u32::MAX - 2));
    assert!(pair.run_until(1_000, |p| p.a.ready && p.b.ready));
    pair.a.send(&[b"over the wrap"], pair.now).unwrap();
    assert!(pair.run_until(1_000, |p| !p.b.got.is_empty()));
    assert!(pair.now < 1_000, "the clock wrapped");
    assert_eq!(pair.b.got, vec![b"over the wrap".to_vec()]);
}

#[test]
fn arq_handshake_gives_up_with_etimedout_when_nothing_comes_back() {
    let mut pair = arq_pair(Link::lossy(1000, 0, 1, 0), 8, 0);
    let limit = arq_config().handshake_timeout;
    assert!(pair.run_until(limit + 100, |p| p.a.fault.is_some()));
    assert_eq!(pair.a.fault.as_ref().unwrap().code, libc::ETIMEDOUT);
    assert!(pair.now > limit);
    // Before the handshake, a send is refused with ENOTCONN.
    let mut fresh = arq_pair(Link::lossy(1000, 0, 1, 0), 9, 0);
    assert_eq!(fresh.a.send(&[b"x"], 0).unwrap_err().code, libc::ENOTCONN);
}

#[test]
fn a_stack_reports_the_earlier_deadline_of_its_layers() {
    let start = u32::MAX - 5;
    let config = arq_config();
    let make = |at: u32| Arq::new(ArqSession::new(1, &config, 1432, start), 10, at);
    // Layers stacked only for their clocks: the earlier deadline wins, wrap or not.
    let stack = Stack::new(make(start.wrapping_add(20)), make(start.wrapping_add(3)));
    assert_eq!(stack.poll_timeout(), Some(start.wrapping_add(3)));
    let stack = Stack::new(make(start.wrapping_add(2)), make(start.wrapping_add(9)));
    assert_eq!(stack.poll_timeout(), Some(start.wrapping_add(2)));
    assert_eq!(Stack::new(Raw, make(7)).poll_timeout(), Some(7));
    assert_eq!(Stack::new(Raw, Raw).poll_timeout(), None);
}
