//! Life cycle: start, stop and wait follow HP-Socket's states; start failures carry a code and
//! errno; destroying a running server stops it first.

use std::sync::atomic::Ordering;

use hpsocket::*;

use crate::common::*;
use crate::util::*;

#[test]
fn start_stop_wait_follow_hp_socket_states() {
    let server = Server::new();
    let s = server.server;
    assert_eq!(
        HP_Server_Wait(s, 0),
        TRUE,
        "a stopped server has nothing to wait for"
    );
    assert_eq!(HP_Server_Stop(s), FALSE);
    assert_last(SE_ILLEGAL_STATE, &["HP_Server_Stop"]);

    start_server(s);
    server
        .rec
        .wait_for("OnPrepareListen", |e| *e == Ev::PrepareListen);
    assert_eq!(HP_Server_GetState(s), SS_STARTED);
    assert_eq!(HP_Server_HasStarted(s), TRUE);
    let addr = c("127.0.0.1");
    // SAFETY: valid string.
    assert_eq!(unsafe { HP_Server_Start(s, addr.as_ptr(), 0) }, FALSE);
    assert_eq!(HP_Server_GetLastError(s), SE_ILLEGAL_STATE);

    assert_eq!(HP_Server_Wait(s, 10), FALSE);
    assert_eq!(SYS_GetLastError() as i32, libc::ETIMEDOUT);
    assert_last(SE_ILLEGAL_STATE, &["HP_Server_Wait", "timed out"]);

    // Wait(INFINITE) on another thread returns once the server stops.
    let handle = s as usize;
    let waiter = std::thread::spawn(move || HP_Server_Wait(handle as HP_Server, u32::MAX));
    assert_eq!(HP_Server_Stop(s), TRUE);
    assert_eq!(waiter.join().expect("waiter"), TRUE);
    assert_eq!(HP_Server_GetState(s), SS_STOPPED);
    server.rec.wait_for("OnShutdown", |e| *e == Ev::Shutdown);

    // A stopped server starts again.
    start_server(s);
    assert_eq!(HP_Server_Stop(s), TRUE);
}

#[test]
fn start_failures_carry_code_and_errno() {
    let first = Server::new();
    let port = start_server(first.server);
    let second = Server::new();
    let addr = c("127.0.0.1");
    // SAFETY: valid string.
    let r = unsafe { HP_Server_Start(second.server, addr.as_ptr(), port) };
    assert_eq!(r, FALSE);
    assert_eq!(HP_Server_GetLastError(second.server), SE_SOCKET_BIND);
    assert_eq!(SYS_GetLastError() as i32, libc::EADDRINUSE);
    assert!(!text(SYS_GetLastErrorStr()).is_empty());
    assert_eq!(
        SYS_GetLastError() as i32,
        libc::EADDRINUSE,
        "SYS_GetLastErrorStr keeps errno"
    );
    assert_eq!(HP_Server_GetState(second.server), SS_STOPPED);

    // A configuration checked at start.
    HP_Server_SetWorkerThreadCount(second.server, 0);
    // SAFETY: valid string.
    let r = unsafe { HP_Server_Start(second.server, addr.as_ptr(), 0) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Start", "WorkerThreadCount"]);

    // A synchronous client start to a closed port.
    HP_Server_Stop(first.server);
    let client = Client::new();
    // SAFETY: valid string.
    let r = unsafe { HP_Client_Start(client.client, addr.as_ptr(), port, FALSE) };
    assert_eq!(r, FALSE);
    assert_eq!(HP_Client_GetLastError(client.client), SE_CONNECT_SERVER);
    assert_eq!(SYS_GetLastError() as i32, libc::ECONNREFUSED);
    assert!(text(HP_Client_GetLastErrorDesc(client.client)).contains("HP_Client_Start"));
}

#[test]
fn destroying_a_running_server_stops_it_first() {
    let mut server = Server::new();
    let port = start_server(server.server);
    let agent = Agent::started(true);
    let id = connect(agent.agent, port);
    agent.rec.wait_for("OnConnect", |e| *e == Ev::Connect(id));
    server
        .rec
        .wait_for("OnHandShake", |e| matches!(e, Ev::HandShake(_)));
    let rec = server.rec.clone();
    Destroy_HP_TcpServer(server.server);
    // Every callback has returned: OnClose and OnShutdown are already recorded.
    let events = rec.drain();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Ev::Close(_, SO_CLOSE, 0))),
        "{events:?}"
    );
    assert!(events.contains(&Ev::Shutdown), "{events:?}");
    assert_eq!(
        rec.freed.load(Ordering::SeqCst),
        1,
        "user data freed by the destroy"
    );
    assert_eq!(
        rec.after_free.load(Ordering::SeqCst),
        0,
        "no callback after the free"
    );
    agent.rec.wait_for(
        "agent OnClose",
        |e| matches!(e, Ev::Close(i, _, _) if *i == id),
    );
    server.server = std::ptr::null_mut();
}
