//! How connections end: the answer to a peer that half-closes is written in full (PUSH, PACK,
//! TLS; server, agent, client), a drain that stalls fails with `ETIMEDOUT`, a reset is
//! `OnClose(SO_CLOSE, ECONNRESET)`, the count and the ID list agree inside every callback,
//! PULL bytes stay fetchable inside `OnClose`, concurrent senders cannot pass the send-queue
//! cap, and a connect that reaches itself counts as refused.

#[path = "util/certs.rs"]
mod certs;
mod util;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use hpsocket_core::{
    AgentListener, ClientListener, ConnId, ConnectOptions, FetchResult, HandleResult, Pem,
    ReceiveModel, ServerListener, SocketOperation, SslSetup, TcpAgent, TcpClient, TcpServer,
};
use openssl::ssl::{ErrorCode, SslConnector, SslMethod, SslVerifyMode};
use util::{Ev, Log};

/// PUSH answer: more than loopback's send and receive buffers hold together (about 10 MB at
/// most), so it can never be written in one go.
const PUSH_ANSWER: usize = 16 << 20;
/// PACK answer: 100 frames of 60,004 bytes (6,000,400 bytes of bodies).
const PACK_FRAMES: usize = 100;
const PACK_BODY: usize = 60_004;

/// Sends the answer to a 4-byte request: PUSH in 64 KiB pieces, PACK as frames.
fn answer(model: ReceiveModel, mut send: impl FnMut(&[u8])) {
    match model {
        ReceiveModel::Pack => {
            for i in 0..PACK_FRAMES {
                send(&util::pattern(i as u64, PACK_BODY));
            }
        }
        _ => {
            let all = util::pattern(7, PUSH_ANSWER);
            for piece in all.chunks(64 * 1024) {
                send(piece);
            }
        }
    }
}

/// Reads everything until end of stream and checks it is the whole answer.
fn check_answer(model: ReceiveModel, stream: &mut TcpStream) {
    let mut got = Vec::new();
    stream.read_to_end(&mut got).unwrap();
    match model {
        ReceiveModel::Pack => {
            let mut rest = &got[..];
            for i in 0..PACK_FRAMES {
                assert!(rest.len() >= 4, "frame {i} of {PACK_FRAMES} missing");
                let header = u32::from_le_bytes(rest[..4].try_into().unwrap());
                let len = (header & 0x3F_FFFF) as usize;
                assert_eq!(len, PACK_BODY, "frame {i}");
                assert_eq!(rest[4..4 + len], util::pattern(i as u64, PACK_BODY)[..]);
                rest = &rest[4 + len..];
            }
            assert!(rest.is_empty());
        }
        _ => {
            assert_eq!(got.len(), PUSH_ANSWER, "bytes of the answer received");
            assert!(got == util::pattern(7, PUSH_ANSWER), "answer corrupted");
        }
    }
}

/// Records closes; answers the first 4 bytes it receives (unless `silent`).
#[derive(Default)]
struct Answerer {
    log: Log,
    model: Mutex<Option<ReceiveModel>>,
    answered: AtomicBool,
    /// Count and ID list taken inside callbacks, with whether the own ID was listed.
    listings: Mutex<Vec<(usize, usize, bool)>>,
}

impl Answerer {
    fn model(&self) -> ReceiveModel {
        self.model.lock().unwrap().unwrap_or(ReceiveModel::Push)
    }
    fn receive(&self, data: &[u8], send: impl FnMut(&[u8])) {
        assert_eq!(data, b"ASK!");
        answer(self.model(), send);
        self.answered.store(true, Ordering::Release);
    }
    fn listing(&self, count: usize, ids: Vec<ConnId>, own: ConnId) {
        let listed = ids.contains(&own);
        self.listings
            .lock()
            .unwrap()
            .push((count, ids.len(), listed));
    }
}

impl ServerListener for Answerer {
    fn on_accept(&self, s: &TcpServer, id: ConnId, _: RawFd) -> HandleResult {
        self.listing(s.connection_count(), s.all_connection_ids(), id);
        HandleResult::Ok
    }
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        self.receive(data, |piece| s.send(id, piece).unwrap());
        HandleResult::Ok
    }
    fn on_close(&self, s: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.listing(s.connection_count(), s.all_connection_ids(), id);
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

impl AgentListener for Answerer {
    fn on_connect(&self, a: &TcpAgent, id: ConnId) -> HandleResult {
        self.listing(a.connection_count(), a.all_connection_ids(), id);
        self.log.push(Ev::Connect(id));
        HandleResult::Ok
    }
    fn on_receive(&self, a: &TcpAgent, id: ConnId, data: &[u8]) -> HandleResult {
        self.receive(data, |piece| a.send(id, piece).unwrap());
        HandleResult::Ok
    }
    fn on_close(&self, a: &TcpAgent, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.listing(a.connection_count(), a.all_connection_ids(), id);
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

impl ClientListener for Answerer {
    fn on_connect(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::Connect(id));
        HandleResult::Ok
    }
    fn on_receive(&self, c: &TcpClient, _: ConnId, data: &[u8]) -> HandleResult {
        self.receive(data, |piece| c.send(piece).unwrap());
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

fn answerer(model: ReceiveModel) -> Arc<Answerer> {
    let rec = Arc::new(Answerer::default());
    *rec.model.lock().unwrap() = Some(model);
    rec
}

fn closes(log: &Log) -> Vec<(SocketOperation, i32)> {
    log.snapshot()
        .into_iter()
        .filter_map(|e| match e {
            Ev::Close(_, op, code) => Some((op, code)),
            _ => None,
        })
        .collect()
}

fn wait_close(log: &Log) -> (SocketOperation, i32) {
    log.wait_for("OnClose", |e| e.iter().any(util::is_close));
    closes(log)[0]
}

/// The raw peer's side of a round: ask, half-close, and (once the answer is queued) read it.
fn ask_and_half_close(stream: &mut TcpStream, answered: &AtomicBool, model: ReceiveModel) {
    stream.set_read_timeout(Some(util::DEADLINE)).unwrap();
    if model == ReceiveModel::Pack {
        stream.write_all(&4u32.to_le_bytes()).unwrap();
    }
    stream.write_all(b"ASK!").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    // Read only once the whole answer was handed to the library: most of it is queued then.
    util::eventually("answer queued", || answered.load(Ordering::Acquire));
    check_answer(model, stream);
}

fn server_answers_half_closed_peer(model: ReceiveModel) {
    for round in 0..3 {
        let rec = answerer(model);
        let server = TcpServer::with_model(rec.clone(), model);
        server.update_config(|c| c.worker_thread_count = 2).unwrap();
        server.start("127.0.0.1", 0).unwrap();
        let mut peer = TcpStream::connect(server.listen_address().unwrap()).unwrap();
        ask_and_half_close(&mut peer, &rec.answered, model);
        assert_eq!(
            wait_close(&rec.log),
            (SocketOperation::Close, 0),
            "round {round}"
        );
        server.stop().unwrap();
        assert_eq!(closes(&rec.log).len(), 1, "OnClose fires once");
    }
}

#[test]
fn server_push_answer_to_half_closed_peer_is_sent_in_full() {
    server_answers_half_closed_peer(ReceiveModel::Push);
}

#[test]
fn server_pack_answer_to_half_closed_peer_is_sent_in_full() {
    server_answers_half_closed_peer(ReceiveModel::Pack);
}

#[test]
fn agent_and_client_answers_to_half_closed_peer_are_sent_in_full() {
    for model in [ReceiveModel::Push, ReceiveModel::Pack] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();

        let rec = answerer(model);
        let agent = TcpAgent::with_model(rec.clone(), model);
        agent.start(None, true).unwrap();
        agent.connect("127.0.0.1", port).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        ask_and_half_close(&mut peer, &rec.answered, model);
        assert_eq!(wait_close(&rec.log), (SocketOperation::Close, 0));
        agent.stop().unwrap();
        assert_eq!(closes(&rec.log).len(), 1);

        let rec = answerer(model);
        let client = TcpClient::with_model(rec.clone(), model);
        client.start("127.0.0.1", port, false).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        ask_and_half_close(&mut peer, &rec.answered, model);
        assert_eq!(wait_close(&rec.log), (SocketOperation::Close, 0));
        assert_eq!(closes(&rec.log).len(), 1);
    }
}

#[test]
fn tls_answer_to_half_closed_peer_is_sent_in_full() {
    let pki = certs::pki();
    // with_notify: the peer says close_notify before its FIN; without: only the FIN.
    for with_notify in [false, true] {
        let rec = answerer(ReceiveModel::Push);
        let server = TcpServer::new_ssl(rec.clone(), ReceiveModel::Push);
        let setup = SslSetup {
            certificate: Some(Pem::Memory(pki.server.cert_pem.clone())),
            private_key: Some(Pem::Memory(pki.server.key_pem.clone())),
            ..SslSetup::default()
        };
        server.setup_ssl_context(&setup, None).unwrap();
        server.start("127.0.0.1", 0).unwrap();
        let tcp = TcpStream::connect(server.listen_address().unwrap()).unwrap();
        tcp.set_read_timeout(Some(util::DEADLINE)).unwrap();
        let mut connector = SslConnector::builder(SslMethod::tls_client()).unwrap();
        connector.set_verify(SslVerifyMode::NONE);
        let mut tls = connector.build().connect("localhost", tcp).unwrap();
        tls.write_all(b"ASK!").unwrap();
        if with_notify {
            tls.shutdown().unwrap();
        }
        tls.get_ref().shutdown(Shutdown::Write).unwrap();
        util::eventually("answer queued", || rec.answered.load(Ordering::Acquire));
        let mut got = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match tls.ssl_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => break,
                Err(e) => panic!("reading the answer: {e}"),
            }
        }
        assert_eq!(got.len(), PUSH_ANSWER, "with close_notify: {with_notify}");
        assert!(got == util::pattern(7, PUSH_ANSWER));
        assert_eq!(wait_close(&rec.log), (SocketOperation::Close, 0));
        server.stop().unwrap();
        assert_eq!(closes(&rec.log).len(), 1);
    }
}

#[test]
fn a_drain_nobody_reads_fails_with_etimedout() {
    let rec = answerer(ReceiveModel::Push);
    let server = TcpServer::new(rec.clone());
    server
        .update_config(|c| c.socket.half_close_drain_timeout = 300)
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let mut peer = TcpStream::connect(server.listen_address().unwrap()).unwrap();
    peer.write_all(b"ASK!").unwrap();
    peer.shutdown(Shutdown::Write).unwrap();
    // The peer never reads: the drain stalls once the socket buffers are full.
    assert_eq!(
        wait_close(&rec.log),
        (SocketOperation::Send, libc::ETIMEDOUT)
    );
    let (_, e) = server.last_error().expect("the stall is described");
    assert!(e.context().contains("has not read"), "{e}");
    drop(peer);
    server.stop().unwrap();
}

#[test]
fn a_peer_that_resets_during_the_drain_is_reported_with_its_error() {
    let rec = answerer(ReceiveModel::Push);
    let server = TcpServer::new(rec.clone());
    server.start("127.0.0.1", 0).unwrap();
    let mut peer = TcpStream::connect(server.listen_address().unwrap()).unwrap();
    peer.write_all(b"ASK!").unwrap();
    peer.shutdown(Shutdown::Write).unwrap();
    util::eventually("answer queued", || rec.answered.load(Ordering::Acquire));
    let mut some = [0u8; 1000];
    peer.read_exact(&mut some).unwrap();
    reset(peer);
    let (op, code) = wait_close(&rec.log);
    assert!(
        matches!(
            (op, code),
            // Linux reports a reset after the peer's FIN as EPIPE (CLOSE_WAIT), else ECONNRESET.
            (
                SocketOperation::Close | SocketOperation::Send,
                libc::ECONNRESET | libc::EPIPE
            )
        ),
        "{op:?} {code}"
    );
    server.stop().unwrap();
}

/// Closes with an RST (linger 0), unread data or not.
fn reset(stream: TcpStream) {
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(stream);
}

#[test]
fn a_reset_is_reported_as_so_close_with_econnreset() {
    let rec = answerer(ReceiveModel::Push);
    let server = TcpServer::new(rec.clone());
    server.start("127.0.0.1", 0).unwrap();
    let peer = TcpStream::connect(server.listen_address().unwrap()).unwrap();
    util::eventually("accepted", || server.connection_count() == 1);
    reset(peer);
    assert_eq!(
        wait_close(&rec.log),
        (SocketOperation::Close, libc::ECONNRESET)
    );
    server.stop().unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let rec = answerer(ReceiveModel::Push);
    let agent = TcpAgent::new(rec.clone());
    agent.start(None, true).unwrap();
    agent
        .connect("127.0.0.1", listener.local_addr().unwrap().port())
        .unwrap();
    let (peer, _) = listener.accept().unwrap();
    rec.log
        .wait_for("connect", |e| e.iter().any(|e| matches!(e, Ev::Connect(_))));
    reset(peer);
    assert_eq!(
        wait_close(&rec.log),
        (SocketOperation::Close, libc::ECONNRESET)
    );
    agent.stop().unwrap();
}

#[test]
fn count_and_ids_agree_inside_every_callback() {
    let rec = answerer(ReceiveModel::Push);
    let server = TcpServer::new(rec.clone());
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let addr = server.listen_address().unwrap();
    for _ in 0..100 {
        drop(TcpStream::connect(addr).unwrap());
    }
    util::eventually("100 closes", || rec.log.count(util::is_close) == 100);
    server.stop().unwrap();

    let arec = answerer(ReceiveModel::Push);
    let agent = TcpAgent::new(arec.clone());
    agent.update_config(|c| c.worker_thread_count = 1).unwrap();
    agent.start(None, true).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    for i in 0..100 {
        // One at a time: a connect made here meanwhile would change the list between the
        // callback's two calls.
        agent.connect("127.0.0.1", port).unwrap();
        drop(listener.accept().unwrap());
        util::eventually("agent close", || arec.log.count(util::is_close) == i + 1);
    }
    agent.stop().unwrap();

    for (who, listings) in [("server", &rec.listings), ("agent", &arec.listings)] {
        let listings = listings.lock().unwrap();
        assert_eq!(listings.len(), 200, "{who}");
        for &(count, listed, own) in listings.iter() {
            assert_eq!(count, listed, "{who}: count vs IDs");
            assert!(own, "{who}: the callback's own connection is listed");
        }
    }
}

#[test]
fn count_polled_from_outside_is_backed_by_the_id_list() {
    let rec = answerer(ReceiveModel::Push);
    let server = TcpServer::new(rec.clone());
    server.update_config(|c| c.worker_thread_count = 4).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let addr = server.listen_address().unwrap();
    for _ in 0..200 {
        let peer = TcpStream::connect(addr).unwrap();
        util::eventually("counted", || server.connection_count() == 1);
        assert!(!server.all_connection_ids().is_empty());
        drop(peer);
        util::eventually("gone", || server.connection_count() == 0);
        assert!(server.all_connection_ids().is_empty());
    }
    server.stop().unwrap();
}

/// PULL: never fetches while receiving; inside `OnClose` peeks and fetches what is buffered.
#[derive(Default)]
struct PullAtClose {
    log: Log,
    at_close: Mutex<Option<(FetchResult, FetchResult, Vec<u8>)>>,
}

impl PullAtClose {
    fn take(
        &self,
        peek: impl Fn(&mut [u8]) -> FetchResult,
        fetch: impl Fn(&mut [u8]) -> FetchResult,
    ) {
        let mut peeked = vec![0u8; 1000];
        let mut fetched = vec![0u8; 1000];
        let p = peek(&mut peeked);
        let f = fetch(&mut fetched);
        assert_eq!(peeked, fetched);
        *self.at_close.lock().unwrap() = Some((p, f, fetched));
    }
    fn check(&self) {
        self.log
            .wait_for("OnClose", |e| e.iter().any(util::is_close));
        let (p, f, data) = self.at_close.lock().unwrap().take().unwrap();
        assert_eq!((p, f), (FetchResult::Ok, FetchResult::Ok));
        assert!(data == util::pattern(3, 1000));
    }
}

impl ServerListener for PullAtClose {
    fn on_close(&self, s: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.take(|b| s.peek(id, b), |b| s.fetch(id, b));
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

impl AgentListener for PullAtClose {
    fn on_close(&self, a: &TcpAgent, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.take(|b| a.peek(id, b), |b| a.fetch(id, b));
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

impl ClientListener for PullAtClose {
    fn on_close(&self, c: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.take(|b| c.peek(b), |b| c.fetch(b));
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

#[test]
fn pull_bytes_buffered_at_close_are_fetchable_in_on_close() {
    let rec = Arc::new(PullAtClose::default());
    let server = TcpServer::with_model(rec.clone(), ReceiveModel::Pull);
    server.start("127.0.0.1", 0).unwrap();
    let mut peer = TcpStream::connect(server.listen_address().unwrap()).unwrap();
    peer.write_all(&util::pattern(3, 1000)).unwrap();
    drop(peer);
    rec.check();
    server.stop().unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let rec = Arc::new(PullAtClose::default());
    let agent = TcpAgent::with_model(rec.clone(), ReceiveModel::Pull);
    agent.start(None, true).unwrap();
    agent.connect("127.0.0.1", port).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(&util::pattern(3, 1000)).unwrap();
    drop(peer);
    rec.check();
    agent.stop().unwrap();

    let rec = Arc::new(PullAtClose::default());
    let client = TcpClient::with_model(rec.clone(), ReceiveModel::Pull);
    client.start("127.0.0.1", port, false).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(&util::pattern(3, 1000)).unwrap();
    drop(peer);
    rec.check();
}

#[derive(Default)]
struct Quiet;
impl ServerListener for Quiet {}

#[test]
fn concurrent_senders_cannot_pass_the_send_queue_cap() {
    const CAP: usize = 1 << 20;
    for _round in 0..3 {
        let server = Arc::new(TcpServer::new(Arc::new(Quiet)));
        server
            .update_config(|c| c.socket.max_send_queue_bytes = CAP as u32)
            .unwrap();
        server.start("127.0.0.1", 0).unwrap();
        let peer = TcpStream::connect(server.listen_address().unwrap()).unwrap();
        socket2::SockRef::from(&peer)
            .set_recv_buffer_size(4096)
            .unwrap();
        util::eventually("accepted", || server.connection_count() == 1);
        let id = server.all_connection_ids()[0];
        let most = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (server, most, start) = (server.clone(), most.clone(), start.clone());
                std::thread::spawn(move || {
                    let piece = [0x5Au8; 1000];
                    let mut refused = 0;
                    start.wait();
                    while refused < 200 {
                        if server.send(id, &piece).is_err() {
                            refused += 1;
                        }
                        let pending = server.pending_data_length(id).unwrap();
                        most.fetch_max(pending, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let most = most.load(Ordering::Relaxed);
        assert!(most <= CAP, "queue reached {most} bytes, cap {CAP}");
        drop(peer);
        server.stop().unwrap();
    }
}

#[test]
fn a_connect_that_reaches_itself_is_refused() {
    // Binding the local port to the destination port makes Linux connect the socket to
    // itself (TCP simultaneous open) when nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for async_connect in [true, false] {
        let rec = answerer(ReceiveModel::Push);
        let agent = TcpAgent::new(rec.clone());
        agent.start(None, async_connect).unwrap();
        let opts = ConnectOptions {
            local_port: port,
            ..ConnectOptions::default()
        };
        match agent.connect_with("127.0.0.1", port, &opts) {
            Ok(_) => {
                assert!(async_connect);
                assert_eq!(
                    wait_close(&rec.log),
                    (SocketOperation::Connect, libc::ECONNREFUSED)
                );
            }
            Err(e) => {
                assert!(!async_connect, "{e}");
                assert_eq!(e.errno(), libc::ECONNREFUSED, "{e}");
            }
        }
        assert!(!rec
            .log
            .snapshot()
            .iter()
            .any(|e| matches!(e, Ev::Connect(_))));
        agent.stop().unwrap();
    }
}

#[test]
fn an_agent_reconnecting_from_on_close_gets_every_refusal() {
    struct Redial {
        port: u16,
        left: AtomicUsize,
        closes: Log,
    }
    impl AgentListener for Redial {
        fn on_close(
            &self,
            a: &TcpAgent,
            id: ConnId,
            op: SocketOperation,
            code: i32,
        ) -> HandleResult {
            self.closes.push(Ev::Close(id, op, code));
            if self.left.fetch_sub(1, Ordering::AcqRel) > 0 {
                a.connect("127.0.0.1", self.port).unwrap();
            }
            HandleResult::Ok
        }
    }
    let dead: SocketAddr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let rec = Arc::new(Redial {
        port: dead.port(),
        left: AtomicUsize::new(300),
        closes: Log::default(),
    });
    let agent = TcpAgent::new(rec.clone());
    agent.start(None, true).unwrap();
    agent.connect("127.0.0.1", dead.port()).unwrap();
    rec.closes.wait_for("301 refusals", |e| e.len() == 301);
    for e in rec.closes.snapshot() {
        assert!(
            matches!(
                e,
                Ev::Close(_, SocketOperation::Connect, libc::ECONNREFUSED)
            ),
            "{e:?}"
        );
    }
    agent.stop().unwrap();
}
