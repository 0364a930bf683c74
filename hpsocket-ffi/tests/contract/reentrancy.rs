//! Re-entrancy: what a component's own callbacks may and may not call, HR_ERROR, callbacks set
//! after start, client calls before start.

use std::ffi::c_int;
use std::sync::atomic::Ordering;

use hpsocket::*;

use crate::common::*;
use crate::util::*;

#[test]
fn stop_wait_destroy_from_own_callbacks_are_refused() {
    let server = Server::new();
    server.rec.mode.store(MODE_REENTER, Ordering::SeqCst);
    let port = start_server(server.server);
    let agent = Agent::started(true);
    connect(agent.agent, port);

    let note = |name: &'static str| match server
        .rec
        .wait_for(name, |e| matches!(e, Ev::Note(n, ..) if *n == name))
    {
        Ev::Note(_, v, s) => (v, s),
        _ => unreachable!(),
    };
    let (stop, stop_desc) = note("stop");
    assert_eq!(stop, i64::from(FALSE));
    assert!(
        stop_desc.contains("HP_Server_Stop") && stop_desc.contains("own callbacks"),
        "{stop_desc}"
    );
    assert_eq!(note("stop-code").0, i64::from(SE_ILLEGAL_STATE));
    let (wait, wait_desc) = note("wait");
    assert_eq!(wait, i64::from(FALSE));
    assert!(wait_desc.contains("HP_Server_Wait"), "{wait_desc}");
    let (destroy_code, destroy_desc) = note("destroy");
    assert_eq!(destroy_code, i64::from(SE_ILLEGAL_STATE));
    assert!(
        destroy_desc.contains("Destroy_HP_TcpServer") && destroy_desc.contains("own callbacks"),
        "{destroy_desc}"
    );
    assert_eq!(
        note("state-after").0,
        i64::from(SS_STARTED),
        "the server still runs"
    );

    // Stop from another thread works, and Stop inside OnShutdown is refused, not a deadlock.
    server.rec.mode.store(MODE_ECHO, Ordering::SeqCst);
    assert_eq!(HP_Server_Stop(server.server), TRUE);
    let (stopped, desc) = note("shutdown-stop");
    assert_eq!(stopped, i64::from(FALSE));
    assert!(desc.contains("own callbacks"), "{desc}");
}

#[test]
fn a_client_may_stop_itself_from_its_callback_but_not_destroy_or_wait() {
    let server = Server::new();
    let port = start_server(server.server);
    let client = Client::new();
    client
        .rec
        .mode
        .store(CLIENT_STOP_IN_HANDSHAKE, Ordering::SeqCst);
    start_client(client.client, port);
    let note = |name: &'static str| match client
        .rec
        .wait_for(name, |e| matches!(e, Ev::Note(n, ..) if *n == name))
    {
        Ev::Note(_, v, s) => (v, s),
        _ => unreachable!(),
    };
    let (code, desc) = note("destroy");
    assert_eq!(code, i64::from(SE_ILLEGAL_STATE));
    assert!(desc.contains("Destroy_HP_TcpClient"), "{desc}");
    let (wait, desc) = note("wait");
    assert_eq!(wait, i64::from(FALSE));
    assert!(desc.contains("HP_Client_Wait"), "{desc}");
    assert_eq!(note("stop").0, i64::from(TRUE));
    client
        .rec
        .wait_for("client OnClose", |e| matches!(e, Ev::Close(_, SO_CLOSE, 0)));
    assert_eq!(HP_Client_Wait(client.client, u32::MAX), TRUE);
    assert_eq!(HP_Client_GetState(client.client), SS_STOPPED);
}

#[test]
fn hr_error_closes_with_the_callbacks_errno() {
    let server = Server::new();
    let port = start_server(server.server);
    let agent = Agent::started(true);
    let byte = [7u8];

    server
        .rec
        .mode
        .store(MODE_ERROR_WITH_ERRNO, Ordering::SeqCst);
    let id = connect(agent.agent, port);
    // SAFETY: one readable byte.
    let r = unsafe { HP_Agent_Send(agent.agent, id, byte.as_ptr(), 1) };
    assert_eq!(r, TRUE);
    let ev = server
        .rec
        .wait_for("OnClose after HR_ERROR", |e| matches!(e, Ev::Close(..)));
    assert!(
        matches!(ev, Ev::Close(_, SO_RECEIVE, c) if c == libc::EPROTO),
        "{ev:?}"
    );

    server.rec.mode.store(MODE_ERROR_PLAIN, Ordering::SeqCst);
    let id = connect(agent.agent, port);
    // SAFETY: one readable byte.
    let r = unsafe { HP_Agent_Send(agent.agent, id, byte.as_ptr(), 1) };
    assert_eq!(r, TRUE);
    let ev = server.rec.wait_for("OnClose after plain HR_ERROR", |e| {
        matches!(e, Ev::Close(..))
    });
    assert!(
        matches!(ev, Ev::Close(_, SO_RECEIVE, c) if c == libc::ECANCELED),
        "{ev:?}"
    );
}

#[test]
fn callbacks_set_after_start_take_effect() {
    let listener = Create_HP_TcpServerListener();
    let server = Create_HP_TcpServer(listener);
    HP_Server_SetWorkerThreadCount(server, 1);
    let rec = Rec::new();
    attach(server, &rec);
    let port = start_server(server);
    HP_Set_FN_Server_OnHandShake(listener, Some(s_handshake));
    let agent = Agent::started(true);
    connect(agent.agent, port);
    rec.wait_for("OnHandShake set while running", |e| {
        matches!(e, Ev::HandShake(_))
    });

    // The listener may go before its server: the server keeps the callbacks it has.
    Destroy_HP_TcpServerListener(listener);
    HP_Set_FN_Server_OnHandShake(listener, None);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Set_FN_Server_OnHandShake", "destroyed"],
    );
    connect(agent.agent, port);
    rec.wait_for("OnHandShake after the listener's destroy", |e| {
        matches!(e, Ev::HandShake(_))
    });
    Destroy_HP_TcpServer(server);
}

#[test]
fn client_calls_before_start_fail_cleanly() {
    let client = Client::new();
    let k = client.client;
    let byte = 1u8;
    assert_eq!(HP_Client_GetState(k), SS_STOPPED);
    assert_eq!(HP_Client_GetConnectionID(k), 0);
    assert_eq!(HP_Client_IsConnected(k), FALSE);
    // SAFETY: one readable byte.
    let r = unsafe { HP_Client_Send(k, &byte, 1) };
    assert_eq!(r, FALSE);
    assert_eq!(HP_Client_GetLastError(k), SE_ILLEGAL_STATE);
    assert!(text(HP_Client_GetLastErrorDesc(k)).contains("HP_Client_Send"));
    assert_eq!(HP_Client_Stop(k), FALSE);
    assert_last(SE_ILLEGAL_STATE, &["HP_Client_Stop"]);
    assert_eq!(HP_Client_Wait(k, 0), TRUE, "nothing to wait for");
    let mut pending: c_int = 0;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Client_GetPendingDataLength(k, &mut pending) };
    assert_eq!(r, FALSE);
    // SAFETY: a NULL out-param is refused and recorded on the client.
    let r = unsafe { HP_Client_IsPauseReceive(k, std::ptr::null_mut()) };
    assert_eq!(r, FALSE);
    assert_eq!(HP_Client_GetLastError(k), SE_INVALID_PARAM);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Client_IsPauseReceive", "pbPaused is NULL"],
    );
    // SAFETY: a NULL remote address is refused.
    let r = unsafe { HP_Client_Start(k, std::ptr::null(), 1, TRUE) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Client_Start", "lpszRemoteAddress"]);
}
