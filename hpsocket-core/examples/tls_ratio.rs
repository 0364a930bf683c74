//! Echo throughput over TLS as a ratio to plain TCP, same load, same run:
//! `cargo run --release -p hpsocket-core --example tls_ratio [conns] [rounds] [size]`
//! (default 100 x 100 x 5000, HP-Socket's testecho-pfm load). A server and an agent in one
//! process, loopback; every echoed byte is counted (and the run fails if one is missing).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hpsocket_core::{
    AgentListener, ConnId, HandleResult, Pem, ReceiveModel, ServerListener, SslSetup, TcpAgent,
    TcpServer,
};
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::{X509NameBuilder, X509};

struct Echo;
impl ServerListener for Echo {
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        match s.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
}

struct Count {
    bytes: AtomicUsize,
    ready: AtomicUsize,
}
impl AgentListener for Count {
    fn on_handshake(&self, _: &TcpAgent, _: ConnId) -> HandleResult {
        self.ready.fetch_add(1, Ordering::Release);
        HandleResult::Ok
    }
    fn on_receive(&self, _: &TcpAgent, _: ConnId, data: &[u8]) -> HandleResult {
        self.bytes.fetch_add(data.len(), Ordering::Release);
        HandleResult::Ok
    }
}

/// A self-signed certificate for the run.
fn identity() -> (String, String) {
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "localhost").unwrap();
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
    let cert = String::from_utf8(b.build().to_pem().unwrap()).unwrap();
    (
        cert,
        String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap(),
    )
}

/// Runs the load; returns MB/s of echoed bytes.
fn run(tls: Option<&(String, String)>, conns: usize, rounds: usize, size: usize) -> f64 {
    let server = match tls {
        Some(_) => TcpServer::new_ssl(Arc::new(Echo), ReceiveModel::Push),
        None => TcpServer::new(Arc::new(Echo)),
    };
    let count = Arc::new(Count {
        bytes: AtomicUsize::new(0),
        ready: AtomicUsize::new(0),
    });
    let agent = match tls {
        Some(_) => TcpAgent::new_ssl(count.clone(), ReceiveModel::Push),
        None => TcpAgent::new(count.clone()),
    };
    server.update_config(|c| c.socket.no_delay = true).unwrap();
    agent.update_config(|c| c.socket.no_delay = true).unwrap();
    if let Some((cert, key)) = tls {
        let setup = SslSetup {
            certificate: Some(Pem::Memory(cert.clone())),
            private_key: Some(Pem::Memory(key.clone())),
            ..SslSetup::default()
        };
        server.setup_ssl_context(&setup, None).unwrap();
        agent.setup_ssl_context(&SslSetup::default()).unwrap();
    }
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    agent.start(None, false).unwrap();
    let ids: Vec<ConnId> = (0..conns)
        .map(|_| agent.connect("127.0.0.1", port).unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while count.ready.load(Ordering::Acquire) < conns {
        assert!(Instant::now() < deadline, "handshakes did not complete");
        std::thread::sleep(Duration::from_millis(1));
    }
    let payload = vec![0x5Au8; size];
    let expected = conns * rounds * size;
    let start = Instant::now();
    for round in 1..=rounds {
        for id in &ids {
            agent.send(*id, &payload).unwrap();
        }
        // testecho-pfm paces rounds; keep at most a few rounds in flight.
        while count.bytes.load(Ordering::Acquire) + 4 * conns * size < round * conns * size {
            assert!(Instant::now() < deadline, "echo stalled");
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    while count.bytes.load(Ordering::Acquire) < expected {
        assert!(Instant::now() < deadline, "echo stalled");
        std::thread::yield_now();
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(
        count.bytes.load(Ordering::Acquire),
        expected,
        "every byte echoed"
    );
    agent.stop().unwrap();
    server.stop().unwrap();
    expected as f64 / secs / 1e6
}

fn main() {
    let arg = |i: usize, d: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(d)
    };
    let (conns, rounds, size) = (arg(1, 100), arg(2, 100), arg(3, 5000));
    let id = identity();
    // Interleave the two kinds three times; report medians.
    let mut plain = Vec::new();
    let mut tls = Vec::new();
    for _ in 0..3 {
        plain.push(run(None, conns, rounds, size));
        tls.push(run(Some(&id), conns, rounds, size));
    }
    plain.sort_by(f64::total_cmp);
    tls.sort_by(f64::total_cmp);
    println!(
        "echo {conns} x {rounds} x {size} B: plain TCP {:.0} MB/s, TLS {:.0} MB/s, TLS/plain = {:.2}",
        plain[1],
        tls[1],
        tls[1] / plain[1]
    );
}
