//! What the contract tests share: C callbacks as an application would write them, reporting
//! to the recorder of `util`, and TCP components with their listeners, destroyed on drop.

use std::ffi::c_int;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use hpsocket::*;

use crate::util::*;

// ---------------------------------------------------------------------------------------
// Callbacks (C functions, as an application would write them)

pub extern "C" fn s_prepare_listen(s: HP_Server, _so: UINT_PTR) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::PrepareListen);
    }
    HR_OK
}

pub extern "C" fn s_accept(s: HP_Server, id: HP_CONNID, _fd: UINT_PTR) -> En_HP_HandleResult {
    let Some(r) = rec(s) else { return HR_OK };
    if r.mode.load(Ordering::SeqCst) == MODE_REENTER {
        reenter_server(r, s);
    }
    r.send(Ev::Accept(id));
    HR_OK
}

pub extern "C" fn s_handshake(s: HP_Server, id: HP_CONNID) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::HandShake(id));
    }
    HR_OK
}

pub const MODE_ECHO: usize = 0;
pub const MODE_ERROR_WITH_ERRNO: usize = 1;
pub const MODE_ERROR_PLAIN: usize = 2;
pub const MODE_REENTER: usize = 3;

pub extern "C" fn s_receive(
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

pub extern "C" fn s_close(
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

pub extern "C" fn s_shutdown(s: HP_Server) -> En_HP_HandleResult {
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
pub fn reenter_server(r: &Rec, s: HP_Server) {
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

pub extern "C" fn a_connect(a: HP_Agent, id: HP_CONNID) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        let mut extra: PVOID = std::ptr::null_mut();
        // SAFETY: a valid out-param.
        unsafe { HP_Agent_GetConnectionExtra(a, id, &mut extra) };
        r.send(Ev::Note("connect-extra", extra as i64, String::new()));
        r.send(Ev::Connect(id));
    }
    HR_OK
}

pub extern "C" fn a_receive(
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

pub extern "C" fn a_close(
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

pub extern "C" fn a_shutdown(a: HP_Agent) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.send(Ev::Shutdown);
    }
    HR_OK
}

pub const CLIENT_STOP_IN_HANDSHAKE: usize = 1;

pub extern "C" fn c_handshake(k: HP_Client, id: HP_CONNID) -> En_HP_HandleResult {
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

pub extern "C" fn c_receive(
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

pub extern "C" fn c_close(
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

pub struct Server {
    pub listener: HP_TcpServerListener,
    pub server: HP_TcpServer,
    pub rec: Arc<Rec>,
}

impl Server {
    pub fn new() -> Server {
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

pub struct Agent {
    pub listener: HP_TcpAgentListener,
    pub agent: HP_TcpAgent,
    pub rec: Arc<Rec>,
}

impl Agent {
    /// An agent, started (asynchronous connects unless `sync`).
    pub fn started(sync: bool) -> Agent {
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

pub struct Client {
    pub listener: HP_TcpClientListener,
    pub client: HP_TcpClient,
    pub rec: Arc<Rec>,
}

impl Client {
    pub fn new() -> Client {
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

pub fn ptr(v: usize) -> HP_Object {
    v as HP_Object
}
