//! The C contract of hpsocket-ffi, exercised through the exported functions only (what a C
//! program sees): handle validation, last errors and errno, out-parameter conventions, enum
//! parsing, re-entrancy from callbacks, the panic boundary, user data, and real echo traffic
//! on loopback sockets. Tests wait for events with deadlines; none sleeps to synchronise.

mod util;

use std::ffi::{c_char, c_int};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hpsocket::*;
use util::*;

// ---------------------------------------------------------------------------------------
// Callbacks (C functions, as an application would write them)

extern "C" fn s_prepare_listen(s: HP_Server, _so: UINT_PTR) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::PrepareListen);
    }
    HR_OK
}

extern "C" fn s_accept(s: HP_Server, id: HP_CONNID, _fd: UINT_PTR) -> En_HP_HandleResult {
    let Some(r) = rec(s) else { return HR_OK };
    if r.mode.load(Ordering::SeqCst) == MODE_REENTER {
        reenter_server(r, s);
    }
    r.send(Ev::Accept(id));
    HR_OK
}

extern "C" fn s_handshake(s: HP_Server, id: HP_CONNID) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::HandShake(id));
    }
    HR_OK
}

const MODE_ECHO: usize = 0;
const MODE_ERROR_WITH_ERRNO: usize = 1;
const MODE_ERROR_PLAIN: usize = 2;
const MODE_REENTER: usize = 3;

extern "C" fn s_receive(
    s: HP_Server,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    let Some(r) = rec(s) else { return HR_OK };
    r.send(Ev::Receive(id, len as usize));
    match r.mode.load(Ordering::SeqCst) {
        MODE_ERROR_WITH_ERRNO => {
            // SAFETY: this thread's errno slot.
            unsafe { *libc::__errno_location() = libc::EPROTO };
            HR_ERROR
        }
        MODE_ERROR_PLAIN => HR_ERROR,
        _ => {
            // SAFETY: `p` holds `len` bytes for the duration of this callback.
            let ok = unsafe { HP_Server_Send(s, id, p, len) };
            if ok == TRUE {
                HR_OK
            } else {
                HR_ERROR
            }
        }
    }
}

extern "C" fn s_close(
    s: HP_Server,
    id: HP_CONNID,
    op: En_HP_SocketOperation,
    code: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        // The connection's extra data is still readable inside OnClose.
        let mut extra: PVOID = std::ptr::null_mut();
        // SAFETY: a valid out-param.
        let ok = unsafe { HP_Server_GetConnectionExtra(s, id, &mut extra) };
        r.send(Ev::Note(
            "close-extra",
            i64::from(ok),
            format!("{}", extra as usize),
        ));
        r.send(Ev::Close(id, op, code));
    }
    HR_OK
}

extern "C" fn s_shutdown(s: HP_Server) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        // Stop from inside OnShutdown (which runs on the stopping thread) must not wait for
        // itself.
        let stopped = HP_Server_Stop(s);
        r.send(Ev::Note(
            "shutdown-stop",
            i64::from(stopped),
            text(HP_Server_GetLastErrorDesc(s)),
        ));
        r.send(Ev::Shutdown);
    }
    HR_OK
}

/// From inside OnAccept: Stop, Wait and Destroy of the same server are refused.
fn reenter_server(r: &Rec, s: HP_Server) {
    let stop = HP_Server_Stop(s);
    r.send(Ev::Note(
        "stop",
        i64::from(stop),
        text(HP_Server_GetLastErrorDesc(s)),
    ));
    r.send(Ev::Note(
        "stop-code",
        i64::from(HP_Server_GetLastError(s)),
        String::new(),
    ));
    let wait = HP_Server_Wait(s, 0);
    r.send(Ev::Note(
        "wait",
        i64::from(wait),
        text(HP_Server_GetLastErrorDesc(s)),
    ));
    Destroy_HP_TcpServer(s);
    r.send(Ev::Note(
        "destroy",
        i64::from(HP_Server_GetLastError(s)),
        text(HP_Server_GetLastErrorDesc(s)),
    ));
    r.send(Ev::Note(
        "state-after",
        i64::from(HP_Server_GetState(s)),
        String::new(),
    ));
}

extern "C" fn a_connect(a: HP_Agent, id: HP_CONNID) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        let mut extra: PVOID = std::ptr::null_mut();
        // SAFETY: a valid out-param.
        unsafe { HP_Agent_GetConnectionExtra(a, id, &mut extra) };
        r.send(Ev::Note("connect-extra", extra as i64, String::new()));
        r.send(Ev::Connect(id));
    }
    HR_OK
}

extern "C" fn a_receive(
    a: HP_Agent,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.add_received(id, data(p, len));
    }
    HR_OK
}

extern "C" fn a_close(
    a: HP_Agent,
    id: HP_CONNID,
    op: En_HP_SocketOperation,
    code: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.send(Ev::Close(id, op, code));
    }
    HR_OK
}

extern "C" fn a_shutdown(a: HP_Agent) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.send(Ev::Shutdown);
    }
    HR_OK
}

const CLIENT_STOP_IN_HANDSHAKE: usize = 1;

extern "C" fn c_handshake(k: HP_Client, id: HP_CONNID) -> En_HP_HandleResult {
    let Some(r) = rec(k) else { return HR_OK };
    if r.mode.load(Ordering::SeqCst) == CLIENT_STOP_IN_HANDSHAKE {
        Destroy_HP_TcpClient(k);
        r.send(Ev::Note(
            "destroy",
            i64::from(HP_Client_GetLastError(k)),
            text(HP_Client_GetLastErrorDesc(k)),
        ));
        let wait = HP_Client_Wait(k, 0);
        r.send(Ev::Note(
            "wait",
            i64::from(wait),
            text(HP_Client_GetLastErrorDesc(k)),
        ));
        let stop = HP_Client_Stop(k);
        r.send(Ev::Note("stop", i64::from(stop), String::new()));
    }
    r.send(Ev::HandShake(id));
    HR_OK
}

extern "C" fn c_receive(
    k: HP_Client,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(k) {
        r.add_received(id, data(p, len));
    }
    HR_OK
}

extern "C" fn c_close(
    k: HP_Client,
    id: HP_CONNID,
    op: En_HP_SocketOperation,
    code: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(k) {
        r.send(Ev::Close(id, op, code));
    }
    HR_OK
}

// ---------------------------------------------------------------------------------------
// Components with their listeners, destroyed on drop

struct Server {
    listener: HP_TcpServerListener,
    server: HP_TcpServer,
    rec: Arc<Rec>,
}

impl Server {
    fn new() -> Server {
        let listener = Create_HP_TcpServerListener();
        assert!(!listener.is_null());
        HP_Set_FN_Server_OnPrepareListen(listener, Some(s_prepare_listen));
        HP_Set_FN_Server_OnAccept(listener, Some(s_accept));
        HP_Set_FN_Server_OnHandShake(listener, Some(s_handshake));
        HP_Set_FN_Server_OnReceive(listener, Some(s_receive));
        HP_Set_FN_Server_OnClose(listener, Some(s_close));
        HP_Set_FN_Server_OnShutdown(listener, Some(s_shutdown));
        let server = Create_HP_TcpServer(listener);
        assert!(!server.is_null(), "{:?}", last());
        HP_Server_SetWorkerThreadCount(server, 2);
        let rec = Rec::new();
        attach(server, &rec);
        Server {
            listener,
            server,
            rec,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        Destroy_HP_TcpServer(self.server);
        Destroy_HP_TcpServerListener(self.listener);
    }
}

struct Agent {
    listener: HP_TcpAgentListener,
    agent: HP_TcpAgent,
    rec: Arc<Rec>,
}

impl Agent {
    /// An agent, started (asynchronous connects unless `sync`).
    fn started(sync: bool) -> Agent {
        let listener = Create_HP_TcpAgentListener();
        HP_Set_FN_Agent_OnConnect(listener, Some(a_connect));
        HP_Set_FN_Agent_OnReceive(listener, Some(a_receive));
        HP_Set_FN_Agent_OnClose(listener, Some(a_close));
        HP_Set_FN_Agent_OnShutdown(listener, Some(a_shutdown));
        let agent = Create_HP_TcpAgent(listener);
        assert!(!agent.is_null(), "{:?}", last());
        HP_Agent_SetWorkerThreadCount(agent, 2);
        let rec = Rec::new();
        attach(agent, &rec);
        // SAFETY: NULL bind address.
        let ok =
            unsafe { HP_Agent_Start(agent, std::ptr::null(), if sync { FALSE } else { TRUE }) };
        assert_eq!(ok, TRUE, "{:?}", last());
        Agent {
            listener,
            agent,
            rec,
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        Destroy_HP_TcpAgent(self.agent);
        Destroy_HP_TcpAgentListener(self.listener);
    }
}

struct Client {
    listener: HP_TcpClientListener,
    client: HP_TcpClient,
    rec: Arc<Rec>,
}

impl Client {
    fn new() -> Client {
        let listener = Create_HP_TcpClientListener();
        HP_Set_FN_Client_OnHandShake(listener, Some(c_handshake));
        HP_Set_FN_Client_OnReceive(listener, Some(c_receive));
        HP_Set_FN_Client_OnClose(listener, Some(c_close));
        let client = Create_HP_TcpClient(listener);
        assert!(!client.is_null(), "{:?}", last());
        let rec = Rec::new();
        attach(client, &rec);
        Client {
            listener,
            client,
            rec,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        Destroy_HP_TcpClient(self.client);
        Destroy_HP_TcpClientListener(self.listener);
    }
}

fn ptr(v: usize) -> HP_Object {
    v as HP_Object
}

// ---------------------------------------------------------------------------------------
// Handles

#[test]
fn null_handles_fail_with_a_named_error() {
    let null = std::ptr::null_mut();
    let addr = c("127.0.0.1");
    // SAFETY: valid strings; the handle is NULL, which the library must refuse.
    assert_eq!(unsafe { HP_Server_Start(null, addr.as_ptr(), 0) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Start", "NULL"]);
    assert_eq!(SYS_GetLastError() as i32, libc::EINVAL);

    assert_eq!(HP_Server_Stop(null), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Stop"]);
    assert_eq!(HP_Server_GetState(null), SS_STOPPED);
    assert_eq!(HP_Server_GetConnectionCount(null), 0);
    assert_eq!(HP_Server_GetLastError(null), SE_INVALID_PARAM);
    assert!(text(HP_Server_GetLastErrorDesc(null)).contains("HP_Server_GetLastErrorDesc"));
    assert_eq!(HP_Agent_HasStarted(null), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Agent_HasStarted"]);
    assert!(HP_Client_GetExtra(null).is_null());
    assert_eq!(HP_Client_GetConnectionID(null), 0);
    assert_eq!(HP_TcpServer_GetSocketBufferSize(null), 0);
    assert_last(SE_INVALID_PARAM, &["HP_TcpServer_GetSocketBufferSize"]);

    let mut id: HP_CONNID = 77;
    // SAFETY: valid string and out-param.
    let r = unsafe { HP_Agent_Connect(null, addr.as_ptr(), 1, &mut id) };
    assert_eq!(r, FALSE);
    assert_eq!(id, 0, "a failed connect writes 0");

    assert!(Create_HP_TcpServer(null).is_null());
    assert_last(SE_INVALID_PARAM, &["Create_HP_TcpServer"]);
    HP_Set_FN_Server_OnReceive(null, Some(s_receive));
    assert_last(SE_INVALID_PARAM, &["HP_Set_FN_Server_OnReceive"]);
    assert!(HPX_Object_GetUserData(null).is_null());
    assert_eq!(HPX_Object_SetUserData(null, ptr(8), None), FALSE);

    // Destroy is NULL-tolerant, like free(NULL).
    Destroy_HP_TcpServer(null);
    Destroy_HP_TcpAgent(null);
    Destroy_HP_TcpClient(null);
    Destroy_HP_TcpServerListener(null);
}

#[test]
fn garbage_handles_are_refused() {
    let local = 5u64;
    let garbage = [
        1usize,
        0xdead_beef,
        &local as *const u64 as usize,
        usize::MAX,
        (0xA5usize << 56) | (1 << 48) | 0x00ff_ffff, // right magic and kind, unknown slot
        (0xA5usize << 56) | (0x7f << 48),            // right magic, unknown kind
    ];
    for g in garbage {
        assert_eq!(HP_Server_Stop(ptr(g)), FALSE, "{g:#x}");
        let (code, desc, _) = last();
        assert_eq!(code, SE_INVALID_PARAM, "{g:#x}: {desc}");
        assert!(
            desc.contains("HP_Server_Stop") && desc.contains(&format!("{g:#x}")),
            "{desc}"
        );
        assert_eq!(HP_Client_IsConnected(ptr(g)), FALSE);
        assert_eq!(HP_Agent_GetConnectionCount(ptr(g)), 0);
        Destroy_HP_TcpServer(ptr(g));
        assert_last(SE_INVALID_PARAM, &["Destroy_HP_TcpServer"]);
    }
}

#[test]
fn destroyed_handles_stay_stale_and_destroy_is_idempotent() {
    let listener = Create_HP_TcpServerListener();
    let first = Create_HP_TcpServer(listener);
    assert_eq!(HP_Server_GetState(first), SS_STOPPED);
    Destroy_HP_TcpServer(first);
    assert_eq!(HP_Server_GetState(first), SS_STOPPED);
    assert_last(SE_INVALID_PARAM, &["destroyed"]);
    Destroy_HP_TcpServer(first); // again: nothing happens
    assert_last(SE_INVALID_PARAM, &["Destroy_HP_TcpServer", "destroyed"]);

    // Slots are reused by new objects; the old handle never reaches them.
    for _ in 0..50 {
        let next = Create_HP_TcpServer(listener);
        assert!(!next.is_null());
        assert_ne!(next, first);
        assert_eq!(HP_Server_GetWorkerThreadCount(first), 0);
        assert_eq!(HP_Server_GetLastError(first), SE_INVALID_PARAM);
        assert!(HP_Server_GetWorkerThreadCount(next) > 0);
        Destroy_HP_TcpServer(next);
    }
    Destroy_HP_TcpServerListener(listener);
    Destroy_HP_TcpServerListener(listener);
    assert!(
        Create_HP_TcpServer(listener).is_null(),
        "a destroyed listener cannot make servers"
    );
}

#[test]
fn wrong_kind_handles_are_refused_and_change_nothing() {
    let server = Server::new();
    let agent = Agent::started(false);
    let client = Client::new();
    let addr = c("127.0.0.1");

    // SAFETY: valid string.
    let r = unsafe { HP_Server_Start(agent.agent, addr.as_ptr(), 0) };
    assert_eq!(r, FALSE);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Server_Start", "HP_TcpAgent", "not a server"],
    );
    assert_eq!(
        HP_Agent_GetLastError(agent.agent),
        SE_OK,
        "wrong-kind errors stay off the object"
    );

    let byte = 1u8;
    // SAFETY: one readable byte.
    assert_eq!(unsafe { HP_Client_Send(server.server, &byte, 1) }, FALSE);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Client_Send", "HP_TcpServer", "not a client"],
    );
    assert_eq!(HP_Agent_Stop(client.client), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Agent_Stop", "not an agent"]);
    assert_eq!(HP_TcpServer_GetSocketListenQueue(agent.agent), 0);
    assert_last(SE_INVALID_PARAM, &["HP_TcpServer_GetSocketListenQueue"]);

    // Listeners and components do not mix.
    HP_Set_FN_Agent_OnConnect(server.listener, Some(a_connect));
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Set_FN_Agent_OnConnect", "HP_TcpServerListener"],
    );
    assert!(Create_HP_TcpServer(agent.listener).is_null());
    assert_last(
        SE_INVALID_PARAM,
        &["Create_HP_TcpServer", "HP_TcpAgentListener"],
    );
    assert_eq!(HP_Server_GetState(server.listener), SS_STOPPED);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Server_GetState", "HP_TcpServerListener"],
    );

    // Destroying through the wrong family is refused: the object lives on.
    Destroy_HP_TcpAgent(server.server);
    assert_last(SE_INVALID_PARAM, &["Destroy_HP_TcpAgent", "HP_TcpServer"]);
    Destroy_HP_TcpServerListener(server.server);
    assert!(
        HP_Server_GetWorkerThreadCount(server.server) > 0,
        "the server survived"
    );
    assert_eq!(HP_Agent_HasStarted(agent.agent), TRUE, "the agent survived");
}

// ---------------------------------------------------------------------------------------
// Settings

#[test]
fn settings_have_hp_socket_defaults_and_round_trip() {
    let server = Server::new();
    let s = server.server;
    assert_eq!(HP_Server_GetMaxConnectionCount(s), 10_000);
    assert_eq!(HP_Server_GetFreeSocketObjLockTime(s), 20_000);
    assert_eq!(
        (
            HP_Server_GetFreeSocketObjPool(s),
            HP_Server_GetFreeSocketObjHold(s)
        ),
        (600, 600)
    );
    assert_eq!(
        (
            HP_Server_GetFreeBufferObjPool(s),
            HP_Server_GetFreeBufferObjHold(s)
        ),
        (1024, 1024)
    );
    assert_eq!(HP_Server_IsMarkSilence(s), TRUE);
    assert_eq!(HP_Server_GetReuseAddressPolicy(s), RAP_ADDR_ONLY);
    assert_eq!(HP_Server_GetSendPolicy(s), SP_PACK);
    assert_eq!(HP_Server_GetOnSendSyncPolicy(s), OSSP_NONE);
    assert_eq!(HP_TcpServer_GetSocketBufferSize(s), 4096);
    assert_eq!(HP_TcpServer_GetKeepAliveTime(s), 60_000);
    assert_eq!(HP_TcpServer_GetKeepAliveInterval(s), 20_000);
    assert_eq!(HP_TcpServer_GetAcceptSocketCount(s), 64);
    assert_eq!(HP_TcpServer_IsNoDelay(s), FALSE);
    assert_eq!(HP_Server_IsSecure(s), FALSE);

    HP_Server_SetMaxConnectionCount(s, 123);
    HP_Server_SetFreeSocketObjLockTime(s, 1000);
    HP_Server_SetFreeSocketObjPool(s, 7);
    HP_Server_SetFreeSocketObjHold(s, 8);
    HP_Server_SetFreeBufferObjPool(s, 9);
    HP_Server_SetFreeBufferObjHold(s, 10);
    HP_Server_SetMarkSilence(s, FALSE);
    HP_Server_SetReuseAddressPolicy(s, RAP_ADDR_AND_PORT);
    HP_Server_SetSendPolicy(s, SP_DIRECT);
    HP_Server_SetOnSendSyncPolicy(s, OSSP_RECEIVE);
    HP_TcpServer_SetSocketListenQueue(s, 77);
    HP_TcpServer_SetAcceptSocketCount(s, 33);
    HP_TcpServer_SetSocketBufferSize(s, 8192);
    HP_TcpServer_SetKeepAliveTime(s, 0);
    HP_TcpServer_SetKeepAliveInterval(s, 5000);
    HP_TcpServer_SetNoDelay(s, 42); // any non-zero BOOL is TRUE
    assert_eq!(HP_Server_GetMaxConnectionCount(s), 123);
    assert_eq!(HP_Server_GetFreeSocketObjLockTime(s), 1000);
    assert_eq!(
        (
            HP_Server_GetFreeSocketObjPool(s),
            HP_Server_GetFreeSocketObjHold(s)
        ),
        (7, 8)
    );
    assert_eq!(
        (
            HP_Server_GetFreeBufferObjPool(s),
            HP_Server_GetFreeBufferObjHold(s)
        ),
        (9, 10)
    );
    assert_eq!(HP_Server_IsMarkSilence(s), FALSE);
    assert_eq!(HP_Server_GetReuseAddressPolicy(s), RAP_ADDR_AND_PORT);
    assert_eq!(HP_Server_GetSendPolicy(s), SP_DIRECT);
    assert_eq!(HP_Server_GetOnSendSyncPolicy(s), OSSP_RECEIVE);
    assert_eq!(HP_TcpServer_GetSocketListenQueue(s), 77);
    assert_eq!(HP_TcpServer_GetAcceptSocketCount(s), 33);
    assert_eq!(HP_TcpServer_GetSocketBufferSize(s), 8192);
    assert_eq!(HP_TcpServer_GetKeepAliveTime(s), 0);
    assert_eq!(HP_TcpServer_GetKeepAliveInterval(s), 5000);
    assert_eq!(HP_TcpServer_IsNoDelay(s), TRUE);
    assert_eq!(HP_Server_GetLastError(s), SE_OK, "no setter failed");

    // Agent and client settings of their own.
    let listener = Create_HP_TcpAgentListener();
    let a = Create_HP_TcpAgent(listener);
    assert_eq!(HP_TcpAgent_GetSyncConnectTimeout(a), 10_000);
    HP_TcpAgent_SetSyncConnectTimeout(a, 2500);
    HP_TcpAgent_SetSocketBufferSize(a, 1024);
    HP_TcpAgent_SetNoDelay(a, TRUE);
    HP_Agent_SetWorkerThreadCount(a, 3);
    assert_eq!(HP_TcpAgent_GetSyncConnectTimeout(a), 2500);
    assert_eq!(HP_TcpAgent_GetSocketBufferSize(a), 1024);
    assert_eq!(HP_TcpAgent_IsNoDelay(a), TRUE);
    assert_eq!(HP_Agent_GetWorkerThreadCount(a), 3);
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(listener);

    let client = Client::new();
    let k = client.client;
    assert_eq!(
        (
            HP_Client_GetFreeBufferPoolSize(k),
            HP_Client_GetFreeBufferPoolHold(k)
        ),
        (60, 60)
    );
    assert_eq!(HP_TcpClient_GetSyncConnectTimeout(k), 10_000);
    assert_eq!(HP_TcpClient_GetKeepAliveTime(k), 60_000);
    HP_Client_SetFreeBufferPoolSize(k, 5);
    HP_Client_SetFreeBufferPoolHold(k, 15);
    HP_Client_SetReuseAddressPolicy(k, RAP_NONE);
    HP_TcpClient_SetKeepAliveInterval(k, 3000);
    assert_eq!(
        (
            HP_Client_GetFreeBufferPoolSize(k),
            HP_Client_GetFreeBufferPoolHold(k)
        ),
        (5, 15)
    );
    assert_eq!(HP_Client_GetReuseAddressPolicy(k), RAP_NONE);
    assert_eq!(HP_TcpClient_GetKeepAliveInterval(k), 3000);
    HP_Client_SetExtra(k, ptr(0x1234));
    assert_eq!(HP_Client_GetExtra(k), ptr(0x1234));
}

#[test]
fn unknown_enum_values_are_refused_and_leave_the_setting() {
    let server = Server::new();
    let s = server.server;
    HP_Server_SetReuseAddressPolicy(s, 99);
    assert_eq!(HP_Server_GetReuseAddressPolicy(s), RAP_ADDR_ONLY);
    assert_eq!(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    let desc = text(HP_Server_GetLastErrorDesc(s));
    assert!(
        desc.contains("HP_Server_SetReuseAddressPolicy") && desc.contains("99"),
        "{desc}"
    );
    assert_eq!(SYS_GetLastError() as i32, libc::EINVAL);

    HP_Server_SetSendPolicy(s, -1);
    assert_eq!(HP_Server_GetSendPolicy(s), SP_PACK);
    assert_last(SE_INVALID_PARAM, &["HP_Server_SetSendPolicy", "-1"]);
    HP_Server_SetOnSendSyncPolicy(s, 3);
    assert_eq!(HP_Server_GetOnSendSyncPolicy(s), OSSP_NONE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_SetOnSendSyncPolicy", "3"]);

    let agent = Agent::started(false);
    HP_Agent_SetReuseAddressPolicy(agent.agent, 3);
    // The agent runs, but the value is refused before the running state is even considered.
    assert_last(SE_INVALID_PARAM, &["HP_Agent_SetReuseAddressPolicy", "3"]);
    let client = Client::new();
    HP_Client_SetReuseAddressPolicy(client.client, i32::MIN);
    assert_eq!(
        HP_Client_GetReuseAddressPolicy(client.client),
        RAP_ADDR_ONLY
    );
    assert_eq!(HP_Client_GetLastError(client.client), SE_INVALID_PARAM);
}

#[test]
fn settings_are_ignored_while_running() {
    let server = Server::new();
    let s = server.server;
    start_server(s);
    let before = HP_Server_GetWorkerThreadCount(s);
    HP_Server_SetWorkerThreadCount(s, before + 5);
    assert_eq!(HP_Server_GetWorkerThreadCount(s), before);
    assert_eq!(HP_Server_GetLastError(s), SE_ILLEGAL_STATE);
    assert!(text(HP_Server_GetLastErrorDesc(s)).contains("HP_Server_SetWorkerThreadCount"));
    HP_TcpServer_SetNoDelay(s, TRUE);
    assert_eq!(HP_TcpServer_IsNoDelay(s), FALSE);
    assert_last(SE_ILLEGAL_STATE, &["HP_TcpServer_SetNoDelay", "stopped"]);
    assert_eq!(HP_Server_Stop(s), TRUE);
    HP_Server_SetWorkerThreadCount(s, before + 5);
    assert_eq!(
        HP_Server_GetWorkerThreadCount(s),
        before + 5,
        "allowed again once stopped"
    );
}

// ---------------------------------------------------------------------------------------
// Life cycle

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

// ---------------------------------------------------------------------------------------
// Out-parameters

#[test]
fn short_address_buffers_report_the_length_needed() {
    let server = Server::new();
    let s = server.server;
    let port = start_server(s);
    let need = "127.0.0.1".len() as c_int + 1;

    let mut buf = [0 as c_char; 64];
    let mut len: c_int = 1;
    let mut out_port: USHORT = 0;
    // SAFETY: `buf` holds at least `len` chars; out-params are locals.
    let r = unsafe { HP_Server_GetListenAddress(s, buf.as_mut_ptr(), &mut len, &mut out_port) };
    assert_eq!(r, FALSE);
    assert_eq!(len, need);
    assert_eq!(buf[0], 0, "nothing written to a short buffer");
    assert_last(SE_INVALID_PARAM, &["HP_Server_GetListenAddress", "needed"]);
    assert_eq!(SYS_GetLastError() as i32, libc::ENOBUFS);

    len = 0;
    // SAFETY: NULL buffer with length 0: a length query.
    let r = unsafe { HP_Server_GetListenAddress(s, std::ptr::null_mut(), &mut len, &mut out_port) };
    assert_eq!(r, FALSE);
    assert_eq!(len, need);
    // SAFETY: NULL length pointer: refused.
    let r = unsafe {
        HP_Server_GetListenAddress(s, buf.as_mut_ptr(), std::ptr::null_mut(), &mut out_port)
    };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["NULL"]);

    len = need;
    // SAFETY: `buf` holds `need` chars.
    let r = unsafe { HP_Server_GetListenAddress(s, buf.as_mut_ptr(), &mut len, &mut out_port) };
    assert_eq!(r, TRUE);
    assert_eq!(text(buf.as_ptr()), "127.0.0.1");
    assert_eq!((len, out_port), (need, port));

    // A connection's addresses, and the agent's remote host in "address^hostname" form.
    let agent = Agent::started(true);
    let target = c("127.0.0.1^example.test");
    let mut id: HP_CONNID = 0;
    // SAFETY: valid string and out-param.
    let r = unsafe { HP_Agent_Connect(agent.agent, target.as_ptr(), port, &mut id) };
    assert_eq!(r, TRUE, "{:?}", last());
    let mut host = [0 as c_char; 64];
    let mut host_len: c_int = 3;
    // SAFETY: `host` holds at least `host_len` chars.
    let r = unsafe {
        HP_Agent_GetRemoteHost(
            agent.agent,
            id,
            host.as_mut_ptr(),
            &mut host_len,
            &mut out_port,
        )
    };
    assert_eq!(r, FALSE);
    assert_eq!(host_len, "example.test".len() as c_int + 1);
    // SAFETY: as above, now large enough.
    let r = unsafe {
        HP_Agent_GetRemoteHost(
            agent.agent,
            id,
            host.as_mut_ptr(),
            &mut host_len,
            &mut out_port,
        )
    };
    assert_eq!(r, TRUE);
    assert_eq!(
        (text(host.as_ptr()), out_port),
        ("example.test".to_string(), port)
    );
    let mut rlen: c_int = 64;
    // SAFETY: `host` holds 64 chars; a NULL port pointer is allowed.
    let r = unsafe {
        HP_Agent_GetRemoteAddress(
            agent.agent,
            id,
            host.as_mut_ptr(),
            &mut rlen,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(r, TRUE);
    assert_eq!(text(host.as_ptr()), "127.0.0.1");
    let mut period: DWORD = DWORD::MAX;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Agent_GetConnectPeriod(agent.agent, id, &mut period) };
    assert_eq!(r, TRUE);
    assert!(period < 60_000);
    // SAFETY: NULL out-param: refused.
    let r = unsafe { HP_Agent_GetConnectPeriod(agent.agent, id, std::ptr::null_mut()) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pdwPeriod", "NULL"]);
}

#[test]
fn all_connection_ids_follow_the_count_query_convention() {
    let server = Server::new();
    let s = server.server;
    let port = start_server(s);
    let agent = Agent::started(true);
    for _ in 0..3 {
        connect(agent.agent, port);
    }
    let mut accepted = Vec::new();
    while accepted.len() < 3 {
        if let Ev::HandShake(id) = server
            .rec
            .wait_for("3 handshakes", |e| matches!(e, Ev::HandShake(_)))
        {
            accepted.push(id);
        }
    }
    accepted.sort_unstable();
    assert_eq!(HP_Server_GetConnectionCount(s), 3);

    let mut count: DWORD = 0;
    // SAFETY: NULL array: a count query.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, std::ptr::null_mut(), &mut count) };
    assert_eq!(r, FALSE);
    assert_eq!(count, 3);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Server_GetAllConnectionIDs", "pIDs is NULL"],
    );

    let mut ids = [0 as HP_CONNID; 8];
    count = 2;
    // SAFETY: `ids` holds 8 >= 2 IDs.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, ids.as_mut_ptr(), &mut count) };
    assert_eq!(r, FALSE);
    assert_eq!(count, 3);
    assert_eq!(ids, [0; 8], "nothing written when the array is too small");

    count = 8;
    // SAFETY: `ids` holds 8 IDs.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, ids.as_mut_ptr(), &mut count) };
    assert_eq!(r, TRUE);
    assert_eq!(count, 3);
    let mut got = ids[..3].to_vec();
    got.sort_unstable();
    assert_eq!(got, accepted);
    // SAFETY: NULL count: refused.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, ids.as_mut_ptr(), std::ptr::null_mut()) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pdwCount"]);

    // Per-connection queries on an accepted ID, then on a closed one.
    let id = accepted[0];
    assert_eq!(HP_Server_IsConnected(s, id), TRUE);
    let mut paused: BOOL = TRUE;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_IsPauseReceive(s, id, &mut paused) };
    assert_eq!(r, TRUE);
    assert_eq!(paused, FALSE);
    assert_eq!(HP_Server_PauseReceive(s, id, TRUE), TRUE);
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_IsPauseReceive(s, id, &mut paused) };
    assert_eq!(r, TRUE);
    assert_eq!(paused, TRUE);
    assert_eq!(HP_Server_SetConnectionExtra(s, id, ptr(0xabc)), TRUE);
    let mut pending: c_int = -1;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_GetPendingDataLength(s, id, &mut pending) };
    assert_eq!(r, TRUE);
    assert_eq!(pending, 0);
    assert_eq!(HP_Server_Disconnect(s, id, TRUE), TRUE);
    server.rec.wait_for(
        "OnClose of the disconnected",
        |e| matches!(e, Ev::Close(i, SO_CLOSE, 0) if *i == id),
    );
    assert_eq!(HP_Server_IsConnected(s, id), FALSE);
    assert_eq!(HP_Server_Disconnect(s, id, TRUE), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Disconnect", &id.to_string()]);
}

// ---------------------------------------------------------------------------------------
// Re-entrancy

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

// ---------------------------------------------------------------------------------------
// Boundary, user data, errors

#[test]
fn a_panic_inside_a_c_function_is_caught() {
    assert_eq!(HPX_Test_Panic(0), FALSE);
    assert_last(SE_DATA_PROC, &["HPX_Test_Panic", "panic", "deliberate"]);
    assert_eq!(SYS_GetLastError() as i32, libc::EIO);
    assert_eq!(HPX_Test_Panic(1), FALSE);
    assert_last(SE_DATA_PROC, &["mode 1"]);
    assert_eq!(HPX_Test_Panic(2), TRUE);
    // The library is fine afterwards.
    let listener = Create_HP_TcpClientListener();
    assert!(!listener.is_null());
    Destroy_HP_TcpClientListener(listener);
}

static FREED: [AtomicUsize; 6] = [const { AtomicUsize::new(0) }; 6];

extern "C" fn count_free(p: PVOID) {
    FREED[p as usize - 1].fetch_add(1, Ordering::SeqCst);
}

#[test]
fn user_data_free_fn_runs_exactly_once() {
    let n = |i: usize| FREED[i - 1].load(Ordering::SeqCst);

    // On a listener: freed by its destroy, once.
    let listener = Create_HP_TcpServerListener();
    assert_eq!(
        HPX_Object_SetUserData(listener, ptr(1), Some(count_free)),
        TRUE
    );
    assert_eq!(HPX_Object_GetUserData(listener), ptr(1));
    Destroy_HP_TcpServerListener(listener);
    Destroy_HP_TcpServerListener(listener);
    assert_eq!(n(1), 1);

    // Replacing frees the old data at once; the new one goes with the object.
    let listener = Create_HP_TcpServerListener();
    let server = Create_HP_TcpServer(listener);
    assert_eq!(
        HPX_Object_SetUserData(server, ptr(2), Some(count_free)),
        TRUE
    );
    assert_eq!(
        HPX_Object_SetUserData(server, ptr(3), Some(count_free)),
        TRUE
    );
    assert_eq!((n(2), n(3)), (1, 0));
    Destroy_HP_TcpServer(server);
    assert_eq!((n(2), n(3)), (1, 1));
    // A destroyed object takes no data; its free function is not called.
    assert_eq!(
        HPX_Object_SetUserData(server, ptr(4), Some(count_free)),
        FALSE
    );
    assert_eq!(n(4), 0);
    // NULL data with no free function clears (frees) what was there.
    assert_eq!(
        HPX_Object_SetUserData(listener, ptr(5), Some(count_free)),
        TRUE
    );
    assert_eq!(
        HPX_Object_SetUserData(listener, std::ptr::null_mut(), None),
        TRUE
    );
    assert_eq!(n(5), 1);
    assert!(HPX_Object_GetUserData(listener).is_null());
    Destroy_HP_TcpServerListener(listener);
    assert_eq!(n(5), 1);

    // On a running agent with live connections: freed after the last callback.
    let server = Server::new();
    let port = start_server(server.server);
    let agent = Agent::started(true);
    let id = connect(agent.agent, port);
    let rec = agent.rec.clone();
    drop(agent);
    assert_eq!(rec.freed.load(Ordering::SeqCst), 1);
    assert_eq!(rec.after_free.load(Ordering::SeqCst), 0);
    let events = rec.drain();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Ev::Close(i, ..) if *i == id)),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&Ev::Shutdown), "{events:?}");
    assert_eq!(
        Arc::strong_count(&rec),
        1,
        "the library released its reference"
    );
}

#[test]
fn the_library_reports_its_own_version_beside_hp_sockets() {
    // The workspace version, the one the file names, hpsocket.pc and the packages carry.
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(text(HPX_GetLibraryVersionString()), version);
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(
        HPX_GetLibraryVersion(),
        (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8)
    );
    // HP-Socket programs compare this one with HP_VERSION_MAJOR...: it stays HP-Socket's.
    assert_eq!(HP_GetHPSocketVersion(), (6 << 24) | 1 << 8 | 3);
}

#[test]
fn errno_and_descriptions_are_readable() {
    assert_eq!(HP_GetHPSocketVersion(), (6 << 24) | 1 << 8 | 3);
    assert_eq!(text(HP_GetSocketErrorDesc(SE_OK)), "SUCCESS");
    assert_eq!(
        text(HP_GetSocketErrorDesc(SE_ILLEGAL_STATE)),
        "Illegal State"
    );
    assert_eq!(
        text(HP_GetSocketErrorDesc(SE_SOCKE_ATTACH_TO_CP)),
        "Attach SOCKET to IOCP Fail"
    );
    assert_eq!(
        text(HP_GetSocketErrorDesc(SE_SSL_ENV_NOT_READY)),
        "SSL environment not ready"
    );
    assert_eq!(text(HP_GetSocketErrorDesc(999)), "UNKNOWN ERROR");
    assert_eq!(text(HP_GetSocketErrorDesc(-5)), "UNKNOWN ERROR");

    let server = Server::new();
    let s = server.server;
    start_server(s);
    let byte = 1u8;
    // SAFETY: one readable byte.
    assert_eq!(unsafe { HP_Server_Send(s, 424_242, &byte, 1) }, FALSE);
    assert_eq!(SYS_GetLastError() as i32, libc::EBADSLT);
    assert!(!text(SYS_GetLastErrorStr()).is_empty());
    assert_eq!(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    let desc = text(HP_Server_GetLastErrorDesc(s));
    assert!(
        desc.contains("HP_Server_Send") && desc.contains("424242"),
        "{desc}"
    );

    // The description pointer is owned by the object: other calls and failures leave it.
    let p = HP_Server_GetLastErrorDesc(s);
    let _ = HP_Server_GetState(std::ptr::null_mut());
    let _ = HP_Server_GetLastErrorDesc(std::ptr::null_mut());
    assert_eq!(text(p), desc);

    // Argument errors name the parameter.
    // SAFETY: NULL with a non-zero length is refused before any read.
    assert_eq!(unsafe { HP_Server_Send(s, 1, std::ptr::null(), 5) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Send", "pBuffer is NULL"]);
    // SAFETY: a negative length is refused before any read.
    assert_eq!(unsafe { HP_Server_Send(s, 1, &byte, -1) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["negative"]);
    // SAFETY: a negative offset is refused before any read.
    assert_eq!(unsafe { HP_Server_SendPart(s, 1, &byte, 1, -1) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["iOffset"]);
    // SAFETY: NULL array with a count is refused.
    let r = unsafe { HP_Server_SendPackets(s, 1, std::ptr::null(), 2) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pBuffers is NULL"]);
    let bad = [WSABUF {
        len: 4,
        buf: std::ptr::null_mut(),
    }];
    // SAFETY: one WSABUF; its NULL buffer is refused.
    let r = unsafe { HP_Server_SendPackets(s, 1, bad.as_ptr(), 1) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pBuffers[0].buf is NULL"]);
    let not_utf8 = [0xffu8 as c_char, 0];
    // SAFETY: a NUL-terminated (non-UTF-8) string.
    let r = unsafe {
        HP_TcpServer_SendSmallFile(
            s,
            1,
            not_utf8.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["lpszFileName", "UTF-8"]);
    let missing = c("/nonexistent/hpsocket-ffi-test-file");
    // SAFETY: a valid string; no head or tail.
    let r = unsafe {
        HP_TcpServer_SendSmallFile(
            s,
            1,
            missing.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(r, FALSE);
    assert_eq!(SYS_GetLastError() as i32, libc::ENOENT);
}

/// Descriptions live with their owner, as in HP-Socket: two objects' descriptions read one
/// after the other are both valid; re-reading returns the same pointer; a failure on another
/// thread does not free a pointer already handed out; the thread's description is separate.
#[test]
fn descriptions_of_two_objects_are_valid_together() {
    let a = Server::new();
    let b = Server::new();
    HP_Server_SetReuseAddressPolicy(a.server, 91);
    HP_Server_SetReuseAddressPolicy(b.server, 92);
    let da = HP_Server_GetLastErrorDesc(a.server);
    let db = HP_Server_GetLastErrorDesc(b.server);
    let dx = HPX_GetLastErrorDesc();
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));
    assert!(text(db).contains("enReusePolicy 92"), "{}", text(db));
    assert_eq!(text(dx), text(db));
    // Reading the same description again hands out the same string.
    assert_eq!(HP_Server_GetLastErrorDesc(a.server), da);
    assert_eq!(HPX_GetLastErrorDesc(), dx);

    // A new failure of `a` on another thread: `da` stays readable, the new text is current,
    // and that thread's description pointer outlives the thread's later calls.
    let (sa, sb) = (a.server as usize, b.server as usize);
    std::thread::spawn(move || {
        let (a, b) = (sa as HP_Server, sb as HP_Server);
        HP_Server_SetReuseAddressPolicy(a, 93);
        let mine = HP_Server_GetLastErrorDesc(a);
        let other = HP_Server_GetLastErrorDesc(b);
        assert!(text(mine).contains("enReusePolicy 93"), "{}", text(mine));
        assert!(text(other).contains("enReusePolicy 92"), "{}", text(other));
    })
    .join()
    .expect("the other thread's checks");
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));
    assert!(text(db).contains("enReusePolicy 92"), "{}", text(db));
    let da2 = HP_Server_GetLastErrorDesc(a.server);
    assert!(text(da2).contains("enReusePolicy 93"), "{}", text(da2));
    // The thread's own description is untouched by the other thread and by object reads.
    assert_eq!(text(dx), text(db));
    assert!(text(HPX_GetLastErrorDesc()).contains("enReusePolicy 92"));

    // An invalid handle: the text of that failure, owned by the thread; HPX_GetLastErrorDesc
    // then hands out the same string, and object descriptions leave it alone.
    let dn = HP_Server_GetLastErrorDesc(std::ptr::null_mut());
    assert!(text(dn).contains("NULL"), "{}", text(dn));
    assert_eq!(HPX_GetLastErrorDesc(), dn);
    let _ = HP_Server_GetLastErrorDesc(a.server);
    let _ = HP_Server_GetLastErrorDesc(b.server);
    assert!(text(dn).contains("NULL"), "{}", text(dn));
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));

    // Up to three later failures of the same object keep an earlier pointer alive.
    for policy in [94, 95] {
        HP_Server_SetReuseAddressPolicy(a.server, policy);
        let now = HP_Server_GetLastErrorDesc(a.server);
        assert!(text(now).contains(&format!("enReusePolicy {policy}")));
    }
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));
    assert!(text(da2).contains("enReusePolicy 93"), "{}", text(da2));
}

// ---------------------------------------------------------------------------------------
// Traffic

#[test]
fn echo_through_c_callbacks_with_checksums() {
    let server = Server::new();
    let port = start_server(server.server);

    // Agent: four connections, each sending 256 KiB in uneven pieces.
    let agent = Agent::started(false);
    const PER_CONN: usize = 256 * 1024;
    let mut ids = Vec::new();
    for i in 0..4usize {
        let addr = c("127.0.0.1");
        let mut id: HP_CONNID = 0;
        // SAFETY: valid string and out-param; the extra is an integer, never dereferenced.
        let ok = unsafe {
            HP_Agent_ConnectWithExtra(agent.agent, addr.as_ptr(), port, &mut id, ptr(100 + i))
        };
        assert_eq!(ok, TRUE, "{:?}", last());
        agent.rec.expected.lock().unwrap().insert(id, PER_CONN);
        ids.push(id);
    }
    let mut extras = Vec::new();
    for _ in &ids {
        if let Ev::Note(_, v, _) = agent.rec.wait_for("connect extra", |e| {
            matches!(e, Ev::Note("connect-extra", ..))
        }) {
            extras.push(v);
        }
        agent
            .rec
            .wait_for("OnConnect", |e| matches!(e, Ev::Connect(_)));
    }
    extras.sort_unstable();
    assert_eq!(
        extras,
        vec![100, 101, 102, 103],
        "extra attached before the first callback"
    );

    let payloads: Vec<Vec<u8>> = (0..ids.len())
        .map(|i| pattern(i as u64 + 1, PER_CONN))
        .collect();
    for (id, payload) in ids.iter().zip(&payloads) {
        let mut at = 0;
        let mut piece = 1;
        while at < payload.len() {
            let n = piece.min(payload.len() - at);
            // SAFETY: `payload` holds `at + n` readable bytes; SendPart reads `n` at offset `at`.
            let ok = unsafe {
                HP_Agent_SendPart(agent.agent, *id, payload.as_ptr(), n as c_int, at as c_int)
            };
            assert_eq!(ok, TRUE, "{:?}", last());
            at += n;
            piece = piece * 7 % 65_521 + 1;
        }
    }
    for _ in &ids {
        agent
            .rec
            .wait_for("all echoed bytes", |e| matches!(e, Ev::Done(_)));
    }
    {
        let received = agent.rec.received.lock().unwrap();
        for (id, payload) in ids.iter().zip(&payloads) {
            let got = &received[id];
            assert_eq!(got.len(), payload.len());
            assert_eq!(checksum(got), checksum(payload), "connection {id}");
        }
    }

    // Client: Send, SendPart, SendPackets and SendSmallFile with head and tail, in order.
    let client = Client::new();
    start_client(client.client, port);
    let cid = HP_Client_GetConnectionID(client.client);
    assert_ne!(cid, 0);
    client
        .rec
        .wait_for("client OnHandShake", |e| *e == Ev::HandShake(cid));
    assert_eq!(HP_Client_IsConnected(client.client), TRUE);

    let file_bytes = pattern(99, 100_000);
    let path = std::env::temp_dir().join(format!("hpsocket-ffi-small-{}.bin", std::process::id()));
    std::fs::write(&path, &file_bytes).expect("temp file");
    let a = pattern(10, 70_000);
    let b = pattern(11, 5_000);
    let (p1, p2) = (pattern(12, 3), pattern(13, 40_000));
    let (head, tail) = (b"HEAD".to_vec(), b"TAIL".to_vec());
    let mut expected = Vec::new();
    for part in [&a, &b[1000..], &p1, &p2, &head, &file_bytes, &tail] {
        expected.extend_from_slice(part);
    }
    client
        .rec
        .expected
        .lock()
        .unwrap()
        .insert(cid, expected.len());
    // SAFETY: each pointer/length pair describes a live Vec.
    unsafe {
        assert_eq!(
            HP_Client_Send(client.client, a.as_ptr(), a.len() as c_int),
            TRUE
        );
        assert_eq!(
            HP_Client_SendPart(client.client, b.as_ptr(), 4000, 1000),
            TRUE
        );
        let bufs = [
            WSABUF {
                len: p1.len() as UINT,
                buf: p1.as_ptr() as *mut BYTE,
            },
            WSABUF {
                len: 0,
                buf: std::ptr::null_mut(),
            },
            WSABUF {
                len: p2.len() as UINT,
                buf: p2.as_ptr() as *mut BYTE,
            },
        ];
        assert_eq!(HP_Client_SendPackets(client.client, bufs.as_ptr(), 3), TRUE);
        let mut h = WSABUF {
            len: head.len() as UINT,
            buf: head.as_ptr() as *mut BYTE,
        };
        let mut t = WSABUF {
            len: tail.len() as UINT,
            buf: tail.as_ptr() as *mut BYTE,
        };
        let name = c(path.to_str().expect("utf-8 temp path"));
        assert_eq!(
            HP_TcpClient_SendSmallFile(client.client, name.as_ptr(), &mut h, &mut t),
            TRUE,
            "{:?}",
            last()
        );
        assert_eq!(
            HP_Client_Send(client.client, std::ptr::null(), 0),
            TRUE,
            "an empty send succeeds"
        );
    }
    client.rec.wait_for("client echo", |e| *e == Ev::Done(cid));
    let _ = std::fs::remove_file(&path);
    let got = client.rec.received.lock().unwrap()[&cid].clone();
    assert_eq!(got.len(), expected.len());
    assert_eq!(checksum(&got), checksum(&expected));

    // The local address of the client, and a clean stop.
    let mut buf = [0 as c_char; 64];
    let mut len: c_int = 64;
    let mut lport: USHORT = 0;
    // SAFETY: `buf` holds 64 chars.
    let r =
        unsafe { HP_Client_GetLocalAddress(client.client, buf.as_mut_ptr(), &mut len, &mut lport) };
    assert_eq!(r, TRUE);
    assert_eq!(text(buf.as_ptr()), "127.0.0.1");
    assert_ne!(lport, 0);
    assert_eq!(HP_Client_Stop(client.client), TRUE);
    client.rec.wait_for(
        "client OnClose",
        |e| matches!(e, Ev::Close(i, SO_CLOSE, 0) if *i == cid),
    );
    assert_eq!(HP_Client_GetState(client.client), SS_STOPPED);
}

// ---------------------------------------------------------------------------------------
// More of the surface

#[test]
fn a_handle_used_while_another_thread_destroys_it_never_misbehaves() {
    let listener = Create_HP_TcpServerListener();
    for _ in 0..20 {
        let server = Create_HP_TcpServer(listener) as usize;
        let users: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(move || {
                    for _ in 0..2000 {
                        if HP_Server_GetWorkerThreadCount(server as HP_Server) == 0 {
                            assert_eq!(HPX_GetLastError(), SE_INVALID_PARAM);
                            assert!(text(HPX_GetLastErrorDesc()).contains("destroyed"));
                        }
                    }
                })
            })
            .collect();
        Destroy_HP_TcpServer(server as HP_Server);
        for u in users {
            u.join().expect("user thread");
        }
        assert_eq!(HP_Server_GetWorkerThreadCount(server as HP_Server), 0);
    }
    // Objects created on several threads at once all get distinct, working handles.
    let makers: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                (0..100)
                    .map(|_| Create_HP_TcpClientListener() as usize)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<usize> = makers
        .into_iter()
        .flat_map(|m| m.join().expect("maker"))
        .collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n);
    for l in all {
        let k = Create_HP_TcpClient(l as HP_Object);
        assert!(!k.is_null(), "{:?}", last());
        Destroy_HP_TcpClient(k);
        Destroy_HP_TcpClientListener(l as HP_Object);
    }
    Destroy_HP_TcpServerListener(listener);
}

#[test]
fn agent_connect_variants() {
    let server = Server::new();
    let port = start_server(server.server);
    let agent = Agent::started(true);
    let a = agent.agent;
    let remote = c("127.0.0.1");
    let local = c("127.0.0.1");
    let mut id: HP_CONNID = 5;

    // SAFETY: NULL remote address: refused before any read.
    let r = unsafe { HP_Agent_Connect(a, std::ptr::null(), port, &mut id) };
    assert_eq!((r, id), (FALSE, 0));
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Agent_Connect", "lpszRemoteAddress is NULL"],
    );
    assert_eq!(HP_Agent_GetLastError(a), SE_INVALID_PARAM);

    // SAFETY: valid strings; a NULL ID pointer is allowed.
    let r = unsafe {
        HP_Agent_ConnectWithLocalAddress(
            a,
            remote.as_ptr(),
            port,
            std::ptr::null_mut(),
            local.as_ptr(),
        )
    };
    assert_eq!(r, TRUE, "{:?}", last());
    // SAFETY: valid strings and out-param.
    let r = unsafe { HP_Agent_ConnectWithLocalPort(a, remote.as_ptr(), port, &mut id, 0) };
    assert_eq!(r, TRUE, "{:?}", last());
    // SAFETY: as above.
    let r = unsafe {
        HP_Agent_ConnectWithExtraAndLocalPort(a, remote.as_ptr(), port, &mut id, ptr(7), 0)
    };
    assert_eq!(r, TRUE, "{:?}", last());
    let mut extra: PVOID = std::ptr::null_mut();
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Agent_GetConnectionExtra(a, id, &mut extra) };
    assert_eq!(r, TRUE);
    assert_eq!(extra, ptr(7));
    // SAFETY: as above.
    let r = unsafe {
        HP_Agent_ConnectWithExtraAndLocalAddressPort(
            a,
            remote.as_ptr(),
            port,
            &mut id,
            ptr(8),
            0,
            local.as_ptr(),
        )
    };
    assert_eq!(r, TRUE, "{:?}", last());
    let mut buf = [0 as c_char; 64];
    let mut len: c_int = 64;
    let mut lport: USHORT = 0;
    // SAFETY: `buf` holds 64 chars.
    let r = unsafe { HP_Agent_GetLocalAddress(a, id, buf.as_mut_ptr(), &mut len, &mut lport) };
    assert_eq!(r, TRUE);
    assert_eq!(text(buf.as_ptr()), "127.0.0.1");
    assert_eq!(HP_Agent_GetConnectionCount(a), 4);

    // A refused connect reports SE_CONNECT_SERVER and the OS errno.
    HP_Server_Stop(server.server);
    // SAFETY: valid strings and out-param.
    let r = unsafe { HP_Agent_Connect(a, remote.as_ptr(), port, &mut id) };
    assert_eq!((r, id), (FALSE, 0));
    assert_eq!(HP_Agent_GetLastError(a), SE_CONNECT_SERVER);
    assert_eq!(SYS_GetLastError() as i32, libc::ECONNREFUSED);
}

#[test]
fn long_and_silent_connections_are_disconnected() {
    let server = Server::new();
    let s = server.server;
    let port = start_server(s);
    let agent = Agent::started(true);
    let ids: Vec<_> = (0..2).map(|_| connect(agent.agent, port)).collect();
    for _ in &ids {
        server
            .rec
            .wait_for("handshake", |e| matches!(e, Ev::HandShake(_)));
    }
    let mut count: DWORD = 4;
    let mut accepted = [0 as HP_CONNID; 4];
    // SAFETY: room for 4 IDs.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, accepted.as_mut_ptr(), &mut count) };
    assert_eq!(r, TRUE);
    let mut silence: DWORD = DWORD::MAX;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_GetSilencePeriod(s, accepted[0], &mut silence) };
    assert_eq!(r, TRUE);
    assert!(silence < 60_000);

    // Nothing is that old or that silent yet.
    assert_eq!(
        HP_Server_DisconnectLongConnections(s, 3_600_000, TRUE),
        TRUE
    );
    assert_eq!(
        HP_Server_DisconnectSilenceConnections(s, 3_600_000, TRUE),
        TRUE
    );
    assert_eq!(HP_Server_GetConnectionCount(s), 2);
    // Everything is at least 0 ms old.
    assert_eq!(HP_Server_DisconnectLongConnections(s, 0, FALSE), TRUE);
    for _ in 0..2 {
        server
            .rec
            .wait_for("OnClose", |e| matches!(e, Ev::Close(_, SO_CLOSE, 0)));
    }
    for id in &ids {
        agent.rec.wait_for(
            "agent OnClose",
            |e| matches!(e, Ev::Close(i, ..) if i == id),
        );
    }

    // Without MarkSilence the silence functions refuse.
    assert_eq!(HP_Agent_Stop(agent.agent), TRUE);
    HP_Agent_SetMarkSilence(agent.agent, FALSE);
    // SAFETY: NULL bind address.
    let r = unsafe { HP_Agent_Start(agent.agent, std::ptr::null(), FALSE) };
    assert_eq!(r, TRUE);
    assert_eq!(
        HP_Agent_DisconnectSilenceConnections(agent.agent, 0, TRUE),
        FALSE
    );
    assert_last(
        SE_ILLEGAL_STATE,
        &["HP_Agent_DisconnectSilenceConnections", "MarkSilence"],
    );
}
