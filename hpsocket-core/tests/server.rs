//! TcpServer against raw std sockets on 127.0.0.1: event order, HR_ERROR effects,
//! re-entrant calls, stop and restart.

mod util;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hpsocket_core::{
    ConnId, ErrorKind, HandleResult, ServerListener, ServiceState, SocketOperation, TcpServer,
};
use util::{Ev, Log};

/// Which callback returns `HR_ERROR`, and what `on_receive` does.
#[derive(Default, Clone, Copy, PartialEq)]
enum Mode {
    #[default]
    Echo,
    FailPrepareListen,
    RejectAccept,
    FailHandShake,
    FailReceive,
    DisconnectInReceive,
    StopInReceive,
    PanicInReceive,
    CloseCodeInReceive,
}

#[derive(Default)]
struct Rec {
    log: Log,
    mode: Mutex<Mode>,
    stop_result: Mutex<Option<ErrorKind>>,
}

impl Rec {
    fn mode(&self) -> Mode {
        *self.mode.lock().unwrap()
    }
}

impl ServerListener for Rec {
    fn on_prepare_listen(&self, _: &TcpServer, fd: RawFd) -> HandleResult {
        assert!(fd > 0);
        self.log.push(Ev::PrepareListen);
        if self.mode() == Mode::FailPrepareListen {
            return HandleResult::Error;
        }
        HandleResult::Ok
    }
    fn on_accept(&self, _: &TcpServer, id: ConnId, _fd: RawFd) -> HandleResult {
        self.log.push(Ev::Accept(id));
        if self.mode() == Mode::RejectAccept {
            return HandleResult::Error;
        }
        HandleResult::Ok
    }
    fn on_handshake(&self, _: &TcpServer, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        if self.mode() == Mode::FailHandShake {
            return HandleResult::Error;
        }
        HandleResult::Ok
    }
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        self.log.push(Ev::Receive(id, data.len()));
        match self.mode() {
            Mode::FailReceive => HandleResult::Error,
            Mode::DisconnectInReceive => {
                s.send(id, b"bye").unwrap();
                s.disconnect(id, true).unwrap();
                // The close is asynchronous: the connection is closing, sends now fail.
                assert!(s.send(id, b"late").is_err());
                HandleResult::Ok
            }
            Mode::StopInReceive => {
                *self.stop_result.lock().unwrap() = s.stop().err().map(|e| e.kind());
                s.send(id, data).unwrap();
                HandleResult::Ok
            }
            Mode::PanicInReceive => panic!("listener bug"),
            Mode::CloseCodeInReceive => {
                hpsocket_core::set_close_error_code(libc::EPROTO);
                HandleResult::Error
            }
            _ => {
                s.send(id, data).unwrap();
                HandleResult::Ok
            }
        }
    }
    fn on_close(&self, s: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        // Extra data is still readable inside OnClose; the connection no longer counts as connected.
        assert!(s.connection_extra(id).is_ok());
        assert!(!s.is_connected(id));
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
    fn on_shutdown(&self, _: &TcpServer) -> HandleResult {
        self.log.push(Ev::Shutdown);
        HandleResult::Ok
    }
}

fn server(mode: Mode) -> (Arc<Rec>, TcpServer, SocketAddr) {
    let rec = Arc::new(Rec {
        mode: Mutex::new(mode),
        ..Rec::default()
    });
    let server = TcpServer::new(rec.clone());
    server.update_config(|c| c.worker_thread_count = 2).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let addr = server.listen_address().unwrap();
    (rec, server, addr)
}

fn peer(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(util::DEADLINE)).unwrap();
    s
}

#[test]
fn event_order_echo_and_shutdown() {
    let (rec, server, addr) = server(Mode::Echo);
    assert_eq!(server.state(), ServiceState::Started);
    let mut p = peer(addr);
    p.write_all(b"hello").unwrap();
    let mut buf = [0u8; 5];
    p.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello");
    drop(p);
    rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    server.stop().unwrap();
    assert_eq!(server.state(), ServiceState::Stopped);
    let ev = rec.log.snapshot();
    assert_eq!(
        ev,
        vec![
            Ev::PrepareListen,
            Ev::Accept(1),
            Ev::HandShake(1),
            Ev::Receive(1, 5),
            Ev::Close(1, SocketOperation::Close, 0),
            Ev::Shutdown
        ]
    );
}

#[test]
fn prepare_listen_error_fails_start() {
    let rec = Arc::new(Rec {
        mode: Mutex::new(Mode::FailPrepareListen),
        ..Rec::default()
    });
    let server = TcpServer::new(rec.clone());
    let err = server.start("127.0.0.1", 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SocketPrepare);
    assert_eq!(server.state(), ServiceState::Stopped);
}

#[test]
fn rejected_accept_closes_without_on_close() {
    let (rec, server, addr) = server(Mode::RejectAccept);
    let mut p = peer(addr);
    let mut buf = [0u8; 1];
    assert_eq!(
        p.read(&mut buf).unwrap_or(0),
        0,
        "rejected socket is closed"
    );
    rec.log
        .wait_for("accept", |e| e.iter().any(|e| matches!(e, Ev::Accept(_))));
    server.stop().unwrap();
    assert_eq!(rec.log.count(util::is_close), 0);
    assert_eq!(rec.log.count(|e| matches!(e, Ev::HandShake(_))), 0);
}

#[test]
fn handshake_error_closes_with_accept_operation() {
    let (rec, server, addr) = server(Mode::FailHandShake);
    let _p = peer(addr);
    let ev = rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.contains(&Ev::Close(1, SocketOperation::Accept, libc::ECANCELED)),
        "{ev:?}"
    );
    server.stop().unwrap();
}

#[test]
fn receive_error_closes_with_ecanceled() {
    let (rec, server, addr) = server(Mode::FailReceive);
    let mut p = peer(addr);
    p.write_all(b"x").unwrap();
    let ev = rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.contains(&Ev::Close(1, SocketOperation::Receive, libc::ECANCELED)),
        "{ev:?}"
    );
    let mut buf = [0u8; 1];
    assert_eq!(p.read(&mut buf).unwrap_or(0), 0);
    server.stop().unwrap();
}

#[test]
fn close_code_set_by_listener_is_reported() {
    let (rec, server, addr) = server(Mode::CloseCodeInReceive);
    let mut p = peer(addr);
    p.write_all(b"x").unwrap();
    let ev = rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.contains(&Ev::Close(1, SocketOperation::Receive, libc::EPROTO)),
        "{ev:?}"
    );
    server.stop().unwrap();
}

#[test]
fn panic_in_callback_is_hr_error_and_worker_lives() {
    let (rec, server, addr) = server(Mode::PanicInReceive);
    let mut p = peer(addr);
    p.write_all(b"x").unwrap();
    rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    *rec.mode.lock().unwrap() = Mode::Echo;
    // Both workers still serve connections.
    for _ in 0..4 {
        let mut p = peer(addr);
        p.write_all(b"ok").unwrap();
        let mut buf = [0u8; 2];
        p.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ok");
    }
    server.stop().unwrap();
}

#[test]
fn send_and_disconnect_inside_receive() {
    let (rec, server, addr) = server(Mode::DisconnectInReceive);
    let mut p = peer(addr);
    p.write_all(b"x").unwrap();
    let mut got = Vec::new();
    p.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"bye", "data sent before Disconnect still arrives");
    let ev = rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.contains(&Ev::Close(1, SocketOperation::Close, 0)),
        "{ev:?}"
    );
    server.stop().unwrap();
}

#[test]
fn stop_inside_callback_is_illegal_state_not_a_hang() {
    let (rec, server, addr) = server(Mode::StopInReceive);
    let mut p = peer(addr);
    p.write_all(b"x").unwrap();
    let mut buf = [0u8; 1];
    p.read_exact(&mut buf).unwrap();
    assert_eq!(
        *rec.stop_result.lock().unwrap(),
        Some(ErrorKind::IllegalState)
    );
    assert!(!server.wait(Some(Duration::ZERO)).unwrap());
    server.stop().unwrap();
}

#[test]
fn stop_with_live_connections_closes_each_then_shuts_down() {
    let (rec, server, addr) = server(Mode::Echo);
    let peers: Vec<_> = (0..10).map(|_| peer(addr)).collect();
    rec.log.wait_for("10 handshakes", |e| {
        e.iter().filter(|e| matches!(e, Ev::HandShake(_))).count() == 10
    });
    assert_eq!(server.connection_count(), 10);
    let mut ids = server.all_connection_ids();
    ids.sort();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    server.stop().unwrap();
    let ev = rec.log.snapshot();
    assert_eq!(ev.iter().filter(|e| util::is_close(e)).count(), 10);
    assert_eq!(ev.last(), Some(&Ev::Shutdown));
    for mut p in peers {
        let mut buf = [0u8; 1];
        assert_eq!(p.read(&mut buf).unwrap_or(0), 0);
    }
    assert!(server.stop().is_err(), "second stop is illegal");
}

#[test]
fn restart_after_stop() {
    let (rec, server, addr) = server(Mode::Echo);
    assert_eq!(
        server.start("127.0.0.1", 0).unwrap_err().kind(),
        ErrorKind::IllegalState
    );
    assert!(
        server
            .update_config(|c| c.max_connection_count = 5)
            .is_err(),
        "running"
    );
    server.stop().unwrap();
    assert!(server.wait(Some(Duration::ZERO)).unwrap());
    server.start("127.0.0.1", addr.port()).unwrap();
    let mut p = peer(addr);
    p.write_all(b"again").unwrap();
    let mut buf = [0u8; 5];
    p.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"again");
    server.stop().unwrap();
    assert_eq!(rec.log.count(|e| *e == Ev::Shutdown), 2);
}

#[test]
fn queries_and_stale_ids() {
    let (rec, server, addr) = server(Mode::Echo);
    let mut p = peer(addr);
    p.write_all(b"abc").unwrap();
    let mut buf = [0u8; 3];
    p.read_exact(&mut buf).unwrap();
    let id = 1;
    assert!(server.is_connected(id));
    assert_eq!(server.remote_address(id).unwrap(), p.local_addr().unwrap());
    assert_eq!(server.local_address(id).unwrap(), addr);
    server.set_connection_extra(id, 42).unwrap();
    assert_eq!(server.connection_extra(id).unwrap(), 42);
    assert!(server.connect_period(id).unwrap() < util::DEADLINE);
    assert!(server.silence_period(id).unwrap() < util::DEADLINE);
    // The echo was queued inside the callback (Nagle on) and written after it; the count
    // drops to 0 once the write returned, which may be just after the peer got the bytes.
    util::eventually("nothing pending", || {
        server.pending_data_length(id).unwrap() == 0
    });
    assert!(!server.is_pause_receive(id).unwrap());
    // Unknown IDs are errors, never another connection.
    for bad in [0, 2, 10_001, u64::MAX] {
        let e = server.send(bad, b"x").unwrap_err();
        assert_eq!(e.errno(), libc::EBADSLT, "{e}");
        assert!(e.context().contains(&bad.to_string()));
    }
    drop(p);
    rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    // The stale ID of a closed connection does not reach the next one in the same slot.
    let mut q = peer(addr);
    q.write_all(b"z").unwrap();
    q.read_exact(&mut buf[..1]).unwrap();
    assert!(server.send(id, b"x").is_err());
    assert!(server.connection_extra(id).is_err());
    assert_eq!(server.all_connection_ids().len(), 1);
    assert_ne!(server.all_connection_ids()[0], id);
    server.stop().unwrap();
}

/// Callbacks that run on the caller's thread (`OnPrepareListen` inside `start`, `OnShutdown`
/// inside `stop`) must refuse a re-entrant stop/wait/start too, not hang.
#[test]
fn reentrant_calls_from_caller_thread_callbacks_are_refused() {
    #[derive(Default)]
    struct Reentrant {
        results: Mutex<Vec<(&'static str, Option<ErrorKind>)>>,
    }
    impl ServerListener for Reentrant {
        fn on_prepare_listen(&self, s: &TcpServer, _: RawFd) -> HandleResult {
            let mut r = self.results.lock().unwrap();
            r.push(("stop in prepare_listen", s.stop().err().map(|e| e.kind())));
            r.push((
                "start in prepare_listen",
                s.start("127.0.0.1", 0).err().map(|e| e.kind()),
            ));
            HandleResult::Ok
        }
        fn on_shutdown(&self, s: &TcpServer) -> HandleResult {
            let mut r = self.results.lock().unwrap();
            r.push(("stop in shutdown", s.stop().err().map(|e| e.kind())));
            r.push(("wait in shutdown", s.wait(None).err().map(|e| e.kind())));
            HandleResult::Ok
        }
    }
    let rec = Arc::new(Reentrant::default());
    let server = TcpServer::new(rec.clone());
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    server.stop().unwrap();
    let results = rec.results.lock().unwrap();
    assert_eq!(results.len(), 4);
    for (what, kind) in results.iter() {
        assert_eq!(*kind, Some(ErrorKind::IllegalState), "{what}");
    }
}

/// Extension hooks: each worker thread reports its start before any event and its exit after
/// the last one, on that thread.
#[test]
fn worker_start_and_exit_hooks() {
    #[derive(Default)]
    struct Hooks {
        seen: Mutex<Vec<(&'static str, usize, String)>>,
    }
    impl ServerListener for Hooks {
        fn on_worker_start(&self, _: &TcpServer, worker: usize) {
            let name = std::thread::current().name().unwrap_or("").to_string();
            self.seen.lock().unwrap().push(("start", worker, name));
        }
        fn on_worker_exit(&self, _: &TcpServer, worker: usize) {
            let name = std::thread::current().name().unwrap_or("").to_string();
            self.seen.lock().unwrap().push(("exit", worker, name));
        }
    }
    let hooks = Arc::new(Hooks::default());
    let server = TcpServer::new(hooks.clone());
    server.update_config(|c| c.worker_thread_count = 3).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    server.stop().unwrap();
    let mut seen = hooks.seen.lock().unwrap().clone();
    seen.sort();
    let want: Vec<_> = ["exit", "start"]
        .iter()
        .flat_map(|k| (0..3).map(move |i| (*k, i, format!("hp-worker-{i}"))))
        .collect();
    assert_eq!(seen, want);
}

/// Extension: `begin_stop` from inside a callback returns at once; the stop completes on the
/// workers (every `on_close`, then `on_shutdown`) and `wait` sees it.
#[test]
fn begin_stop_from_a_callback() {
    #[derive(Default)]
    struct Stopper {
        log: Log,
        in_callback: Mutex<Option<bool>>,
    }
    impl ServerListener for Stopper {
        fn on_receive(&self, s: &TcpServer, _: ConnId, _: &[u8]) -> HandleResult {
            *self.in_callback.lock().unwrap() = Some(s.in_callback());
            s.begin_stop().unwrap();
            HandleResult::Ok
        }
        fn on_close(
            &self,
            _: &TcpServer,
            id: ConnId,
            op: SocketOperation,
            code: i32,
        ) -> HandleResult {
            self.log.push(Ev::Close(id, op, code));
            HandleResult::Ok
        }
        fn on_shutdown(&self, _: &TcpServer) -> HandleResult {
            self.log.push(Ev::Shutdown);
            HandleResult::Ok
        }
    }
    let rec = Arc::new(Stopper::default());
    let server = TcpServer::new(rec.clone());
    server.update_config(|c| c.worker_thread_count = 2).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    assert!(!server.in_callback());
    let mut p = peer(server.listen_address().unwrap());
    p.write_all(b"stop please").unwrap();
    assert!(
        server.wait(Some(util::DEADLINE)).unwrap(),
        "the stop completes"
    );
    assert_eq!(*rec.in_callback.lock().unwrap(), Some(true));
    assert_eq!(
        rec.log.snapshot(),
        vec![Ev::Close(1, SocketOperation::Close, 0), Ev::Shutdown]
    );
    assert!(server.begin_stop().is_err(), "not started any more");
    // It can start again.
    server.start("127.0.0.1", 0).unwrap();
    server.stop().unwrap();
}

/// Socket options set on the listener reach every accepted socket (the server sets them once,
/// not per accept): TCP_NODELAY and keep-alive with its idle time and interval.
#[test]
fn accepted_sockets_carry_the_configured_options() {
    #[derive(Default)]
    struct Opts {
        seen: Mutex<Option<(i32, i32, i32, i32)>>,
    }
    fn opt(fd: RawFd, level: i32, name: i32) -> i32 {
        let mut v: libc::c_int = -1;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `fd` is the live socket passed to on_accept; `v`/`len` are valid out-params.
        let r = unsafe {
            libc::getsockopt(
                fd,
                level,
                name,
                (&mut v as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        assert_eq!(r, 0);
        v
    }
    impl ServerListener for Opts {
        fn on_accept(&self, _: &TcpServer, _: ConnId, fd: RawFd) -> HandleResult {
            *self.seen.lock().unwrap() = Some((
                opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY),
                opt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE),
                opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE),
                opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL),
            ));
            HandleResult::Ok
        }
    }
    let rec = Arc::new(Opts::default());
    let server = TcpServer::new(rec.clone());
    server
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.socket.no_delay = true;
            c.socket.keep_alive_time = 7_000;
            c.socket.keep_alive_interval = 3_000;
        })
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let _p = peer(server.listen_address().unwrap());
    util::eventually("accepted", || rec.seen.lock().unwrap().is_some());
    let (nodelay, keepalive, idle, interval) = rec.seen.lock().unwrap().unwrap();
    assert!(
        nodelay != 0 && keepalive != 0,
        "nodelay {nodelay}, keepalive {keepalive}"
    );
    assert_eq!((idle, interval), (7, 3), "seconds");
    server.stop().unwrap();
}

/// `on_send` reports what was written (Nagle on: after the callback; TCP_NODELAY: from the
/// direct write); a listener answering `wants_on_send() == false` is never asked.
#[test]
fn on_send_reports_written_bytes_unless_unwanted() {
    struct Sends {
        wanted: bool,
        bytes: Mutex<usize>,
    }
    impl ServerListener for Sends {
        fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
            s.send(id, data).unwrap();
            HandleResult::Ok
        }
        fn on_send(&self, _: &TcpServer, _: ConnId, data: &[u8]) -> HandleResult {
            *self.bytes.lock().unwrap() += data.len();
            HandleResult::Ok
        }
        fn wants_on_send(&self) -> bool {
            self.wanted
        }
    }
    for (wanted, no_delay) in [(true, false), (true, true), (false, false), (false, true)] {
        let rec = Arc::new(Sends {
            wanted,
            bytes: Mutex::new(0),
        });
        let server = TcpServer::new(rec.clone());
        server
            .update_config(|c| {
                c.worker_thread_count = 1;
                c.socket.no_delay = no_delay;
            })
            .unwrap();
        server.start("127.0.0.1", 0).unwrap();
        let mut p = peer(server.listen_address().unwrap());
        p.write_all(b"twelve bytes").unwrap();
        let mut buf = [0u8; 12];
        p.read_exact(&mut buf).unwrap();
        server.stop().unwrap(); // joins the workers: every on_send has run
        let expected = if wanted { 12 } else { 0 };
        assert_eq!(
            *rec.bytes.lock().unwrap(),
            expected,
            "wanted {wanted}, no_delay {no_delay}"
        );
    }
}
