//! PACK and PULL models on real sockets: frame limits and violations against a raw peer with
//! its own encoder, dribbled bytes, bulk frames with checksums, pause at frame boundaries,
//! PULL fetch/peek; and the extensions: bounded send queue, connect timeout.

mod util;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hpsocket_core::{
    AgentListener, ClientListener, ConnId, FetchResult, HandleResult, ReceiveModel, ServerListener,
    SocketOperation, TcpAgent, TcpClient, TcpServer,
};
use util::{Ev, Log};

/// An encoder written from the reference's description, independent of the library's.
fn encode(flag: u32, body: &[u8]) -> Vec<u8> {
    let header: u32 = (flag << 22) | body.len() as u32;
    let mut v = header.to_le_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

/// Reads one frame with the independent decoder; returns (flag, body).
fn read_frame(s: &mut TcpStream) -> (u32, Vec<u8>) {
    let mut h = [0u8; 4];
    s.read_exact(&mut h).unwrap();
    let h = u32::from_le_bytes(h);
    let mut body = vec![0u8; (h & 0x3F_FFFF) as usize];
    s.read_exact(&mut body).unwrap();
    (h >> 22, body)
}

#[derive(Default)]
struct PackRec {
    log: Log,
    frames: Mutex<Vec<Vec<u8>>>,
    echo: bool,
    pause_after_first: bool,
}

impl ServerListener for PackRec {
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        // Pause before logging: the test reads the pause state once it sees the frame.
        if self.pause_after_first {
            s.pause_receive(id, true).unwrap();
        }
        self.frames.lock().unwrap().push(data.to_vec());
        self.log.push(Ev::Receive(id, data.len()));
        if self.echo {
            s.send(id, data).unwrap();
        }
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

fn pack_server(rec: Arc<PackRec>, max: u32, flag: u16) -> (TcpServer, SocketAddr) {
    let server = TcpServer::with_model(rec, ReceiveModel::Pack);
    server
        .update_config(|c| {
            c.worker_thread_count = 2;
            c.pack.max_pack_size = max;
            c.pack.pack_header_flag = flag;
        })
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let addr = server.listen_address().unwrap();
    (server, addr)
}

fn peer(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(util::DEADLINE)).unwrap();
    s
}

#[test]
fn pack_sizes_one_and_max_round_trip_byte_for_byte() {
    let rec = Arc::new(PackRec {
        echo: true,
        ..PackRec::default()
    });
    let (server, addr) = pack_server(rec.clone(), 0x7FF, 0x169);
    let mut p = peer(addr);
    for len in [1usize, 0x7FF, 2, 1000] {
        let body = util::pattern(len as u64, len);
        p.write_all(&encode(0x169, &body)).unwrap();
        assert_eq!(read_frame(&mut p), (0x169, body));
    }
    // Refused on send: empty and oversize, nothing goes out.
    let id = server.all_connection_ids()[0];
    let e = server.send(id, &[0u8; 0x800]).unwrap_err();
    assert_eq!(e.errno(), libc::EMSGSIZE);
    assert_eq!(server.send(id, &[]).unwrap_err().errno(), libc::EMSGSIZE);
    // SendPackets makes exactly one frame.
    server.send_packets(id, &[b"ab", b"", b"cde"]).unwrap();
    assert_eq!(read_frame(&mut p), (0x169, b"abcde".to_vec()));
    server.stop().unwrap();
}

#[test]
fn pack_violations_close_with_errno() {
    let cases: [(&str, Vec<u8>, i32); 3] = [
        ("flag mismatch", encode(0x16A, b"x"), libc::EBADMSG),
        ("length 0", encode(0x169, b""), libc::EMSGSIZE),
        (
            "over MaxPackSize",
            encode(0x169, &[7u8; 0x800])[..4].to_vec(),
            libc::EMSGSIZE,
        ),
    ];
    for (what, bytes, code) in cases {
        let rec = Arc::new(PackRec::default());
        let (server, addr) = pack_server(rec.clone(), 0x7FF, 0x169);
        let mut p = peer(addr);
        p.write_all(&bytes).unwrap();
        let ev = rec.log.wait_for(what, |e| e.iter().any(util::is_close));
        assert_eq!(
            ev,
            vec![Ev::Close(1, SocketOperation::Receive, code)],
            "{what}"
        );
        let mut buf = [0u8; 1];
        assert_eq!(
            p.read(&mut buf).unwrap_or(0),
            0,
            "{what}: connection closed"
        );
        server.stop().unwrap();
    }
}

#[test]
fn pack_dribbled_one_byte_per_write() {
    let rec = Arc::new(PackRec::default());
    let (server, addr) = pack_server(rec.clone(), 0x40000, 0);
    let mut p = peer(addr);
    p.set_nodelay(true).unwrap();
    let mut wire = Vec::new();
    for i in 0..20u64 {
        wire.extend(encode(0, &util::pattern(i, 1 + i as usize * 3)));
    }
    for b in &wire {
        p.write_all(std::slice::from_ref(b)).unwrap();
    }
    rec.log.wait_for("20 frames", |e| e.len() == 20);
    let frames = rec.frames.lock().unwrap();
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(*f, util::pattern(i as u64, 1 + i * 3));
    }
    drop(frames);
    server.stop().unwrap();
}

#[test]
fn pack_pause_stops_at_frame_boundary_and_resumes_from_buffer() {
    let rec = Arc::new(PackRec {
        pause_after_first: true,
        ..PackRec::default()
    });
    let (server, addr) = pack_server(rec.clone(), 0x40000, 0);
    let mut p = peer(addr);
    let mut wire = Vec::new();
    for body in [&b"first"[..], b"second", b"third"] {
        wire.extend(encode(0, body));
    }
    p.write_all(&wire).unwrap(); // all three frames in one write
    rec.log.wait_for("first frame", |e| e.len() == 1);
    let id = server.all_connection_ids()[0];
    assert!(server.is_pause_receive(id).unwrap());
    // Nothing more is delivered while paused; resuming delivers the buffered frames in order.
    let resume_one = |n: usize| {
        server.pause_receive(id, false).unwrap();
        rec.log.wait_for("next frame", |e| e.len() == n);
    };
    resume_one(2);
    resume_one(3);
    assert_eq!(
        *rec.frames.lock().unwrap(),
        vec![b"first".to_vec(), b"second".to_vec(), b"third".to_vec()]
    );
    server.stop().unwrap();
}

#[test]
fn invalid_pack_settings_fail_start() {
    for (max, flag) in [(0u32, 0u16), (0x40_0000, 0), (100, 0x400)] {
        let server = TcpServer::with_model(Arc::new(PackRec::default()), ReceiveModel::Pack);
        server
            .update_config(|c| {
                c.pack.max_pack_size = max;
                c.pack.pack_header_flag = flag;
            })
            .unwrap();
        let e = server.start("127.0.0.1", 0).unwrap_err();
        assert_eq!(e.kind(), hpsocket_core::ErrorKind::InvalidParam, "{e}");
    }
}

/// Pack agent + pack client against the pack echo server: many frames of random sizes.
#[test]
fn sixty_four_connections_ten_thousand_frames_each() {
    struct Counter {
        sums: Mutex<Vec<(u64, usize)>>,
        done: AtomicUsize,
        frames: usize,
    }
    impl AgentListener for Counter {
        fn on_receive(&self, _: &TcpAgent, id: ConnId, data: &[u8]) -> HandleResult {
            let mut sums = self.sums.lock().unwrap();
            let (h, n) = &mut sums[id as usize - 1];
            *h = util::fnv(&(data.len() as u32).to_le_bytes(), *h);
            *h = util::fnv(data, *h);
            *n += 1;
            if *n == self.frames {
                self.done.fetch_add(1, Ordering::Release);
            }
            HandleResult::Ok
        }
    }
    const CONNS: usize = 64;
    const FRAMES: usize = 10_000;
    let rec = Arc::new(PackRec {
        echo: true,
        ..PackRec::default()
    });
    // Keep the echo server's log small: it records every frame.
    let echo = Arc::new(EchoPack);
    let server = TcpServer::with_model(echo, ReceiveModel::Pack);
    server.update_config(|c| c.worker_thread_count = 2).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    drop(rec);
    let counter = Arc::new(Counter {
        sums: Mutex::new(vec![(util::FNV_START, 0); CONNS]),
        done: AtomicUsize::new(0),
        frames: FRAMES,
    });
    let agent = TcpAgent::with_model(counter.clone(), ReceiveModel::Pack);
    agent.update_config(|c| c.worker_thread_count = 2).unwrap();
    agent.start(None, false).unwrap();
    let ids: Vec<ConnId> = (0..CONNS)
        .map(|_| agent.connect("127.0.0.1", port).unwrap())
        .collect();
    let mut expected = vec![util::FNV_START; CONNS];
    let mut rng = 0x9E3779B97F4A7C15u64;
    let source = util::pattern(99, 4096);
    let mut plan = Vec::with_capacity(CONNS * FRAMES);
    for _ in 0..FRAMES {
        for (i, _) in ids.iter().enumerate() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let len = 1 + (rng % 4000) as usize;
            let off = (rng >> 32) as usize % (source.len() - len);
            plan.push((i, off, len));
            let body = &source[off..off + len];
            expected[i] = util::fnv(&(len as u32).to_le_bytes(), expected[i]);
            expected[i] = util::fnv(body, expected[i]);
        }
    }
    for (i, off, len) in plan {
        agent.send(ids[i], &source[off..off + len]).unwrap();
    }
    util::eventually("all frames echoed", || {
        counter.done.load(Ordering::Acquire) == CONNS
    });
    let sums = counter.sums.lock().unwrap();
    for i in 0..CONNS {
        assert_eq!(sums[i], (expected[i], FRAMES), "connection {}", i + 1);
    }
    drop(sums);
    agent.stop().unwrap();
    server.stop().unwrap();
}

struct EchoPack;
impl ServerListener for EchoPack {
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        match s.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
}

#[test]
fn pack_client_speaks_to_raw_peer() {
    #[derive(Default)]
    struct C {
        got: Mutex<Vec<Vec<u8>>>,
    }
    impl ClientListener for C {
        fn on_receive(&self, _: &TcpClient, _: ConnId, data: &[u8]) -> HandleResult {
            self.got.lock().unwrap().push(data.to_vec());
            HandleResult::Ok
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let c = Arc::new(C::default());
    let client = TcpClient::with_model(c.clone(), ReceiveModel::Pack);
    client
        .update_config(|k| {
            k.pack.max_pack_size = 0x7FF;
            k.pack.pack_header_flag = 0x169;
        })
        .unwrap();
    client.start("127.0.0.1", port, false).unwrap();
    let (mut raw, _) = listener.accept().unwrap();
    raw.set_read_timeout(Some(util::DEADLINE)).unwrap();
    client.send(b"from client").unwrap();
    assert_eq!(read_frame(&mut raw), (0x169, b"from client".to_vec()));
    raw.write_all(&encode(0x169, b"from peer")).unwrap();
    util::eventually("frame at client", || !c.got.lock().unwrap().is_empty());
    assert_eq!(c.got.lock().unwrap()[0], b"from peer");
    client.stop().unwrap();
}

#[derive(Default)]
struct PullRec {
    log: Log,
    bodies: Mutex<Vec<Vec<u8>>>,
    /// Header-then-body state of HP-Socket's pull demo: Some(len) while waiting for a body.
    want_body: Mutex<Option<usize>>,
}

impl ServerListener for PullRec {
    fn on_pull_receive(&self, s: &TcpServer, id: ConnId, total: usize) -> HandleResult {
        self.log.push(Ev::Receive(id, total));
        let mut remain = total;
        let mut want = self.want_body.lock().unwrap();
        loop {
            let need = want.unwrap_or(4);
            if remain < need {
                break;
            }
            let mut buf = vec![0u8; need];
            if want.is_none() {
                // Peek leaves the data in place; the fetch that follows sees the same bytes.
                let mut peeked = [0u8; 4];
                assert_eq!(s.peek(id, &mut peeked), FetchResult::Ok);
                assert_eq!(s.fetch(id, &mut buf), FetchResult::Ok);
                assert_eq!(peeked[..], buf[..]);
                *want = Some(u32::from_le_bytes(peeked) as usize);
            } else {
                assert_eq!(s.fetch(id, &mut buf), FetchResult::Ok);
                self.bodies.lock().unwrap().push(buf);
                *want = None;
            }
            remain -= need;
        }
        let mut too_much = vec![0u8; remain + 1];
        assert_eq!(s.fetch(id, &mut too_much), FetchResult::LengthTooLong);
        HandleResult::Ok
    }
    fn on_close(&self, s: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        // The buffer stays readable inside OnClose (HP-Socket's behaviour); everything was
        // fetched, so asking for one more byte is too long, not "not found".
        assert_eq!(s.fetch(id, &mut [0u8; 1]), FetchResult::LengthTooLong);
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

#[test]
fn pull_header_then_body_fetch_loop() {
    let rec = Arc::new(PullRec::default());
    let server = TcpServer::with_model(rec.clone(), ReceiveModel::Pull);
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let mut p = peer(server.listen_address().unwrap());
    let mut wire = Vec::new();
    let bodies: Vec<Vec<u8>> = (0..200)
        .map(|i| util::pattern(i, (i * 37 % 3000) as usize + 1))
        .collect();
    for b in &bodies {
        wire.extend((b.len() as u32).to_le_bytes());
        wire.extend(b);
    }
    // Odd-sized writes split headers and bodies across notifications.
    for chunk in wire.chunks(777) {
        p.write_all(chunk).unwrap();
    }
    util::eventually("all bodies", || {
        rec.bodies.lock().unwrap().len() == bodies.len()
    });
    assert_eq!(*rec.bodies.lock().unwrap(), bodies);
    assert_eq!(
        server.fetch(12345, &mut [0u8; 1]),
        FetchResult::DataNotFound
    );
    drop(p);
    rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    // Fetchable until OnClose returns; the ID is released right after.
    util::eventually("released", || server.connection_count() == 0);
    assert_eq!(
        server.fetch(1, &mut [0u8; 1]),
        FetchResult::DataNotFound,
        "closed connection"
    );
    server.stop().unwrap();
    // Fetch on a push server finds nothing.
    let push = TcpServer::new(Arc::new(EchoPack));
    assert_eq!(push.fetch(1, &mut [0u8; 1]), FetchResult::DataNotFound);
}

#[derive(Default)]
struct Drained {
    log: Log,
}
impl ServerListener for Drained {
    fn on_send_drained(&self, _: &TcpServer, id: ConnId, pending: usize) -> HandleResult {
        self.log.push(Ev::Send(id, pending));
        HandleResult::Ok
    }
}

#[test]
fn bounded_send_queue_refuses_then_drains() {
    let rec = Arc::new(Drained::default());
    let server = TcpServer::new(rec.clone());
    server
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.socket.max_send_queue_bytes = 1 << 20;
            c.socket.send_queue_low_watermark = 64 * 1024;
        })
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let mut p = peer(server.listen_address().unwrap());
    util::eventually("connected", || server.connection_count() == 1);
    let id = server.all_connection_ids()[0];
    // The peer does not read: the socket buffers fill, then the queue, then sends are refused.
    let chunk = vec![0x5Au8; 64 * 1024];
    let mut sent = 0usize;
    let err = loop {
        match server.send(id, &chunk) {
            Ok(()) => sent += chunk.len(),
            Err(e) => break e,
        }
        assert!(sent < 1 << 30, "send was never refused");
    };
    assert_eq!(err.errno(), libc::ENOBUFS, "{err}");
    let pending = server.pending_data_length(id).unwrap();
    assert!(pending <= 1 << 20, "queue stays bounded: {pending}");
    assert!(server.is_connected(id), "the connection stays usable");
    // The peer reads everything; the queue drains and the notification fires.
    let mut buf = vec![0u8; 1 << 16];
    let mut got = 0;
    while got < sent {
        got += p.read(&mut buf).unwrap();
    }
    let ev = rec.log.wait_for("drained", |e| !e.is_empty());
    assert!(
        matches!(ev[0], Ev::Send(i, n) if i == id && n <= 64 * 1024),
        "{ev:?}"
    );
    server.send(id, b"more").unwrap();
    server.stop().unwrap();
}

#[test]
fn async_connect_timeout_against_full_backlog() {
    // A listener that never accepts, with its backlog filled: further SYNs go unanswered.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    socket.listen(0).unwrap();
    let addr: SocketAddr = socket.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.set_nonblocking(true).unwrap();
        let _ = s.connect(&addr.into());
        fillers.push(s);
    }
    #[derive(Default)]
    struct A {
        log: Log,
    }
    impl AgentListener for A {
        fn on_close(
            &self,
            _: &TcpAgent,
            id: ConnId,
            op: SocketOperation,
            code: i32,
        ) -> HandleResult {
            self.log.push(Ev::Close(id, op, code));
            HandleResult::Ok
        }
    }
    let rec = Arc::new(A::default());
    let agent = TcpAgent::new(rec.clone());
    agent
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.socket.connect_timeout = 300;
        })
        .unwrap();
    agent.start(None, true).unwrap();
    let id = agent.connect("127.0.0.1", addr.port()).unwrap();
    let ev = rec.log.wait_for("timeout", |e| !e.is_empty());
    assert_eq!(
        ev,
        vec![Ev::Close(id, SocketOperation::Connect, libc::ETIMEDOUT)]
    );
    agent.stop().unwrap();
    drop(fillers);
}

#[test]
fn silence_can_count_sends() {
    for counts_send in [false, true] {
        let server = TcpServer::new(Arc::new(EchoPack));
        server
            .update_config(|c| {
                c.worker_thread_count = 1;
                c.socket.silence_counts_send = counts_send;
            })
            .unwrap();
        server.start("127.0.0.1", 0).unwrap();
        let mut p = peer(server.listen_address().unwrap());
        util::eventually("connected", || server.connection_count() == 1);
        let id = server.all_connection_ids()[0];
        // Elapsed time is what is measured here; nothing is synchronised by this sleep.
        std::thread::sleep(Duration::from_millis(60));
        server.send(id, b"x").unwrap();
        let mut b = [0u8; 1];
        p.read_exact(&mut b).unwrap();
        let silence = server.silence_period(id).unwrap();
        if counts_send {
            assert!(
                silence < Duration::from_millis(55),
                "send counted: {silence:?}"
            );
        } else {
            assert!(
                silence >= Duration::from_millis(60),
                "only receives count: {silence:?}"
            );
        }
        server.stop().unwrap();
    }
}
