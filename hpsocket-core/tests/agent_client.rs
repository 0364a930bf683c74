//! TcpAgent and TcpClient against a TcpServer on 127.0.0.1: connect modes, failures,
//! connect options, self-stopping clients, and bulk echo with checksums.

mod util;

use std::net::{SocketAddr, TcpListener};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hpsocket_core::{
    AgentListener, ClientListener, ConnId, ConnectOptions, ErrorKind, HandleResult, ServerListener,
    ServiceState, SocketOperation, TcpAgent, TcpClient, TcpServer,
};
use util::{Ev, Log};

struct Echo;
impl ServerListener for Echo {
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        match s.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
}

fn echo_server(workers: u32) -> (TcpServer, SocketAddr) {
    let server = TcpServer::new(Arc::new(Echo));
    server
        .update_config(|c| c.worker_thread_count = workers)
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let addr = server.listen_address().unwrap();
    (server, addr)
}

/// A port nobody listens on (bound then released).
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[derive(Default)]
struct AgentRec {
    log: Log,
    fail_connect: Mutex<bool>,
    fail_prepare: Mutex<bool>,
    received: Mutex<std::collections::HashMap<ConnId, Vec<u8>>>,
}

impl AgentListener for AgentRec {
    fn on_prepare_connect(&self, _: &TcpAgent, id: ConnId, fd: RawFd) -> HandleResult {
        assert!(fd > 0);
        self.log.push(Ev::PrepareConnect(id));
        if *self.fail_prepare.lock().unwrap() {
            return HandleResult::Error;
        }
        HandleResult::Ok
    }
    fn on_connect(&self, _: &TcpAgent, id: ConnId) -> HandleResult {
        self.log.push(Ev::Connect(id));
        if *self.fail_connect.lock().unwrap() {
            return HandleResult::Error;
        }
        HandleResult::Ok
    }
    fn on_handshake(&self, _: &TcpAgent, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, _: &TcpAgent, id: ConnId, data: &[u8]) -> HandleResult {
        self.received
            .lock()
            .unwrap()
            .entry(id)
            .or_default()
            .extend_from_slice(data);
        self.log.push(Ev::Receive(id, data.len()));
        HandleResult::Ok
    }
    fn on_close(&self, a: &TcpAgent, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        assert!(a.connection_extra(id).is_ok(), "extra readable in on_close");
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
    fn on_shutdown(&self, _: &TcpAgent) -> HandleResult {
        self.log.push(Ev::Shutdown);
        HandleResult::Ok
    }
}

fn agent(async_connect: bool) -> (Arc<AgentRec>, TcpAgent) {
    let rec = Arc::new(AgentRec::default());
    let agent = TcpAgent::new(rec.clone());
    agent.update_config(|c| c.worker_thread_count = 2).unwrap();
    agent.start(None, async_connect).unwrap();
    (rec, agent)
}

#[test]
fn async_agent_event_order_and_echo() {
    let (server, addr) = echo_server(2);
    let (rec, agent) = agent(true);
    let opts = ConnectOptions {
        extra: 7,
        ..ConnectOptions::default()
    };
    let id = agent
        .connect_with("127.0.0.1^example.test", addr.port(), &opts)
        .unwrap();
    assert_eq!(
        agent.connection_extra(id).unwrap(),
        7,
        "extra attached before callbacks"
    );
    rec.log
        .wait_for("handshake", |e| e.contains(&Ev::HandShake(id)));
    assert_eq!(
        agent.remote_host(id).unwrap(),
        ("example.test".to_string(), addr.port())
    );
    assert_eq!(agent.remote_address(id).unwrap(), addr);
    agent.send(id, b"ping").unwrap();
    rec.log
        .wait_for("echo", |e| e.iter().any(|e| matches!(e, Ev::Receive(_, _))));
    assert_eq!(rec.received.lock().unwrap()[&id], b"ping");
    agent.stop().unwrap();
    assert_eq!(
        rec.log.snapshot(),
        vec![
            Ev::PrepareConnect(id),
            Ev::Connect(id),
            Ev::HandShake(id),
            Ev::Receive(id, 4),
            Ev::Close(id, SocketOperation::Close, 0),
            Ev::Shutdown
        ]
    );
    server.stop().unwrap();
}

#[test]
fn async_connect_refused_reports_so_connect() {
    let (rec, agent) = agent(true);
    let id = agent.connect("127.0.0.1", dead_port()).unwrap();
    let ev = rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.contains(&Ev::Close(id, SocketOperation::Connect, libc::ECONNREFUSED)),
        "{ev:?}"
    );
    assert!(!ev.contains(&Ev::Connect(id)));
    agent.stop().unwrap();
}

#[test]
fn sync_connect_refused_fails_the_call() {
    let (rec, agent) = agent(false);
    let err = agent.connect("127.0.0.1", dead_port()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectServer);
    assert_eq!(err.errno(), libc::ECONNREFUSED);
    assert_eq!(agent.connection_count(), 0);
    agent.stop().unwrap();
    assert_eq!(rec.log.count(util::is_close), 0);
}

#[test]
fn sync_connect_runs_connect_before_returning() {
    let (server, addr) = echo_server(1);
    let (rec, agent) = agent(false);
    let id = agent.connect("localhost", addr.port()).unwrap();
    assert!(
        rec.log.snapshot().contains(&Ev::Connect(id)),
        "OnConnect fired before Connect returned"
    );
    assert!(agent.is_connected(id));
    *rec.fail_connect.lock().unwrap() = true;
    let err = agent.connect("127.0.0.1", addr.port()).unwrap_err();
    assert_eq!(err.errno(), libc::ECANCELED);
    *rec.fail_connect.lock().unwrap() = false;
    *rec.fail_prepare.lock().unwrap() = true;
    assert_eq!(
        agent.connect("127.0.0.1", addr.port()).unwrap_err().kind(),
        ErrorKind::SocketPrepare
    );
    agent.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn async_connect_error_in_on_connect_closes() {
    let (server, addr) = echo_server(1);
    let (rec, agent) = agent(true);
    *rec.fail_connect.lock().unwrap() = true;
    let id = agent.connect("127.0.0.1", addr.port()).unwrap();
    let ev = rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.contains(&Ev::Close(id, SocketOperation::Connect, libc::ECANCELED)),
        "{ev:?}"
    );
    agent.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn connect_with_local_port_and_address() {
    let (server, addr) = echo_server(1);
    let (rec, agent) = agent(false);
    let port = dead_port();
    let opts = ConnectOptions {
        local_address: Some("127.0.0.1".into()),
        local_port: port,
        extra: 0,
    };
    let id = agent.connect_with("127.0.0.1", addr.port(), &opts).unwrap();
    assert_eq!(
        agent.local_address(id).unwrap(),
        SocketAddr::from(([127, 0, 0, 1], port))
    );
    agent.stop().unwrap();
    server.stop().unwrap();
    let _ = rec;
}

#[test]
fn ipv6_loopback() {
    let server = TcpServer::new(Arc::new(Echo));
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    if server.start("::1", 0).is_err() {
        eprintln!("no IPv6 loopback here; skipping");
        return;
    }
    let port = server.listen_address().unwrap().port();
    let (rec, agent) = agent(false);
    let id = agent.connect("::1", port).unwrap();
    agent.send(id, b"six").unwrap();
    rec.log
        .wait_for("echo", |e| e.iter().any(|e| matches!(e, Ev::Receive(..))));
    agent.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn send_from_other_threads_while_closing() {
    let (server, addr) = echo_server(2);
    let (rec, agent) = agent(false);
    let ids: Vec<ConnId> = (0..8)
        .map(|_| agent.connect("127.0.0.1", addr.port()).unwrap())
        .collect();
    let errors = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        for &id in &ids {
            let agent = agent.clone();
            let errors = errors.clone();
            s.spawn(move || {
                for i in 0..2000 {
                    if agent.send(id, &[i as u8; 100]).is_err() {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        for &id in &ids {
            agent.disconnect(id, true).unwrap();
        }
    });
    rec.log.wait_for("8 closes", |e| {
        e.iter().filter(|e| util::is_close(e)).count() == 8
    });
    for &id in &ids {
        assert!(agent.send(id, b"x").is_err());
    }
    agent.stop().unwrap();
    server.stop().unwrap();
}

#[derive(Default)]
struct ClientRec {
    log: Log,
    stop_in_receive: Mutex<bool>,
    got: Mutex<Vec<u8>>,
}

impl ClientListener for ClientRec {
    fn on_connect(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::Connect(id));
        HandleResult::Ok
    }
    fn on_handshake(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, c: &TcpClient, id: ConnId, data: &[u8]) -> HandleResult {
        self.got.lock().unwrap().extend_from_slice(data);
        self.log.push(Ev::Receive(id, data.len()));
        if *self.stop_in_receive.lock().unwrap() {
            c.stop().unwrap();
        }
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

#[test]
fn client_echo_and_stop() {
    let (server, addr) = echo_server(1);
    let rec = Arc::new(ClientRec::default());
    let client = TcpClient::new(rec.clone());
    client.start("127.0.0.1", addr.port(), false).unwrap();
    let id = client.connection_id();
    assert!(id > 0);
    assert!(client.is_connected());
    client.send(b"hi there").unwrap();
    rec.log
        .wait_for("echo", |e| e.iter().any(|e| matches!(e, Ev::Receive(..))));
    assert_eq!(
        client.remote_host().unwrap(),
        ("127.0.0.1".to_string(), addr.port())
    );
    client.stop().unwrap();
    assert_eq!(client.state(), ServiceState::Stopped);
    let ev = rec.log.snapshot();
    assert_eq!(ev.first(), Some(&Ev::Connect(id)));
    assert_eq!(ev.last(), Some(&Ev::Close(id, SocketOperation::Close, 0)));
    // A client can start again; it gets a new ID.
    client.start("127.0.0.1", addr.port(), true).unwrap();
    assert!(client.connection_id() > id);
    rec.log.wait_for("second handshake", |e| {
        e.contains(&Ev::HandShake(client.connection_id()))
    });
    client.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn client_stops_itself_from_its_callback_and_when_peer_closes() {
    let (server, addr) = echo_server(1);
    let rec = Arc::new(ClientRec {
        stop_in_receive: Mutex::new(true),
        ..ClientRec::default()
    });
    let client = TcpClient::new(rec.clone());
    client.start("127.0.0.1", addr.port(), false).unwrap();
    client.send(b"bye").unwrap();
    assert!(
        client.wait(Some(util::DEADLINE)).unwrap(),
        "stop from callback completes"
    );
    assert_eq!(rec.log.count(util::is_close), 1);

    // Peer closes: the client stops by itself after on_close.
    *rec.stop_in_receive.lock().unwrap() = false;
    client.start("127.0.0.1", addr.port(), false).unwrap();
    server.stop().unwrap();
    assert!(client.wait(Some(util::DEADLINE)).unwrap());
    assert_eq!(client.state(), ServiceState::Stopped);
    assert!(client.send(b"x").is_err());
}

#[test]
fn client_sync_start_refused() {
    let rec = Arc::new(ClientRec::default());
    let client = TcpClient::new(rec.clone());
    let err = client.start("127.0.0.1", dead_port(), false).unwrap_err();
    assert_eq!(err.errno(), libc::ECONNREFUSED);
    assert_eq!(client.state(), ServiceState::Stopped);
    // Async: the refusal arrives as on_close(SO_CONNECT), then the client stops.
    client.start("127.0.0.1", dead_port(), true).unwrap();
    assert!(client.wait(Some(util::DEADLINE)).unwrap());
    let ev = rec.log.snapshot();
    assert!(
        matches!(ev.last(), Some(Ev::Close(_, SocketOperation::Connect, code)) if *code == libc::ECONNREFUSED),
        "{ev:?}"
    );
}

/// Bulk echo: `conns` agent connections each send `per_conn` bytes in chunks and verify the
/// echo by checksum.
fn bulk_echo(conns: usize, per_conn: usize, chunk: usize) {
    struct Bulk {
        sums: Mutex<Vec<(u64, usize)>>,
        done: AtomicUsize,
        per_conn: usize,
        first_id: AtomicU64,
    }
    impl AgentListener for Bulk {
        fn on_receive(&self, _: &TcpAgent, id: ConnId, data: &[u8]) -> HandleResult {
            let idx = (id - self.first_id.load(Ordering::Relaxed)) as usize;
            let mut sums = self.sums.lock().unwrap();
            let (h, n) = &mut sums[idx];
            *h = util::fnv(data, *h);
            *n += data.len();
            if *n == self.per_conn {
                self.done.fetch_add(1, Ordering::Release);
            }
            HandleResult::Ok
        }
    }
    let (server, addr) = echo_server(2);
    server.stop().unwrap();
    server
        .update_config(|c| c.max_connection_count = conns as u32 + 10)
        .unwrap();
    server.start("127.0.0.1", addr.port()).unwrap();
    let bulk = Arc::new(Bulk {
        sums: Mutex::new(vec![(util::FNV_START, 0); conns]),
        done: AtomicUsize::new(0),
        per_conn,
        first_id: AtomicU64::new(1),
    });
    let agent = TcpAgent::new(bulk.clone());
    agent
        .update_config(|c| {
            c.worker_thread_count = 2;
            c.max_connection_count = conns as u32 + 10;
        })
        .unwrap();
    agent.start(None, false).unwrap();
    let ids: Vec<ConnId> = (0..conns)
        .map(|_| agent.connect("127.0.0.1", addr.port()).unwrap())
        .collect();
    assert_eq!(ids, (1..=conns as u64).collect::<Vec<_>>());
    let payloads: Vec<Vec<u8>> = (0..conns)
        .map(|i| util::pattern(i as u64, per_conn))
        .collect();
    std::thread::scope(|s| {
        for half in [0, 1] {
            let agent = &agent;
            let payloads = &payloads;
            let ids = &ids;
            s.spawn(move || {
                for off in (0..per_conn).step_by(chunk) {
                    for (i, id) in ids.iter().enumerate().skip(half).step_by(2) {
                        let end = (off + chunk).min(per_conn);
                        agent.send(*id, &payloads[i][off..end]).unwrap();
                    }
                }
            });
        }
    });
    util::eventually("all echoes", || bulk.done.load(Ordering::Acquire) == conns);
    let sums = bulk.sums.lock().unwrap();
    for (i, p) in payloads.iter().enumerate() {
        assert_eq!(
            sums[i],
            (util::fnv(p, util::FNV_START), per_conn),
            "connection {}",
            i + 1
        );
    }
    drop(sums);
    agent.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn thousand_connections_each_echo_one_mib() {
    bulk_echo(1000, 1 << 20, 64 * 1024);
}

#[test]
fn few_connections_small_chunks() {
    bulk_echo(4, 200_000, 1000);
}

/// A peer that closes right after accepting: the connect completes and the FIN arrives on the
/// same readiness edge. Every connection must still get its `on_close` (once).
#[test]
fn async_connect_then_immediate_peer_close_reports_on_close() {
    struct Reject;
    impl ServerListener for Reject {
        fn on_accept(&self, _: &TcpServer, _: ConnId, _: RawFd) -> HandleResult {
            HandleResult::Error
        }
    }
    let server = TcpServer::new(Arc::new(Reject));
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    let (rec, agent) = agent(true);
    const N: usize = 200;
    let ids: Vec<ConnId> = (0..N)
        .map(|_| agent.connect("127.0.0.1", port).unwrap())
        .collect();
    rec.log.wait_for("every on_close", |e| {
        e.iter().filter(|e| util::is_close(e)).count() == N
    });
    for id in ids {
        assert_eq!(
            rec.log.count(|e| matches!(e, Ev::Close(i, ..) if *i == id)),
            1,
            "conn {id}"
        );
    }
    agent.stop().unwrap();
    server.stop().unwrap();

    // The same with clients, which stop by themselves after on_close.
    let server = TcpServer::new(Arc::new(Reject));
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    for _ in 0..30 {
        let rec = Arc::new(ClientRec::default());
        let client = TcpClient::new(rec.clone());
        client.start("127.0.0.1", port, true).unwrap();
        assert!(
            client.wait(Some(util::DEADLINE)).unwrap(),
            "client stopped after the close"
        );
        assert_eq!(rec.log.count(util::is_close), 1);
    }
    server.stop().unwrap();
}
