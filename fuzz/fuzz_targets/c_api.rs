//! The C API's argument layer: random sequences of calls with random handles (live, NULL,
//! destroyed, wrong-kind, made-up), connection IDs, lengths, enum values and strings, on real
//! components that may be started and carry loopback traffic.
//!
//! Checked after every call:
//! - no panic reached the boundary (`SE_DATA_PROC` is only ever a caught panic, a bug);
//! - `HPX_GetLastErrorDesc` and every `*_GetLastErrorDesc` are valid C strings, never NULL;
//! - a call on a handle that cannot be right for it (NULL, made-up, destroyed, another kind)
//!   returns the function's documented default and `SE_INVALID_PARAM` (docs/abi.md section 2);
//! - each user-data free function runs exactly once (docs/abi.md section 10).
//! Every input ends by destroying what it created, so inputs do not leak into each other.
//!
//! Safety of the calls: every buffer passed is NULL or valid for the length passed (or the
//! length is negative); that is the contract under test, not memory safety of bad pointers.
//! Addresses are loopback literals only: the fuzzer never reaches another host.
#![no_main]

use std::ffi::{c_char, c_int, CStr};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};

use hpsocket::*;
use libfuzzer_sys::fuzz_target;

// ---- input reader ---------------------------------------------------------------------------

struct In<'a>(&'a [u8]);

impl In<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn i32(&mut self) -> i32 {
        self.u32() as i32
    }
    /// A "sometimes special" 32-bit value: 0, 1, -1, i32::MIN/MAX, small, or anything.
    fn num(&mut self) -> u32 {
        match self.u8() % 8 {
            0 => 0,
            1 => 1,
            2 => u32::MAX,
            3 => i32::MIN as u32,
            4 => i32::MAX as u32,
            5 => u32::from(self.u8()),
            6 => u32::from(self.u16()),
            _ => self.u32(),
        }
    }
    fn bool(&mut self) -> BOOL {
        match self.u8() % 4 {
            0 => 0,
            1 => 1,
            2 => -1,
            _ => 7,
        }
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

// ---- objects ----------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Server,
    Agent,
    Client,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Model {
    Push,
    Pull,
    Pack,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Listener(Role),
    Component(Role, Model, bool),
}

struct Obj {
    h: HP_Object,
    kind: Kind,
    alive: bool,
    port: u16,
}

/// Which handles a function family accepts (docs/abi.md section 2, "Shapes").
#[derive(Clone, Copy)]
enum Fam {
    Any,
    Listener(Role),
    Comp(Role),
    Tcp(Role),
    Pull(Role),
    Pack(Role),
    Ssl(Role),
}

fn fits(kind: Kind, fam: Fam) -> bool {
    match (fam, kind) {
        (Fam::Any, _) => true,
        (Fam::Listener(r), Kind::Listener(k)) => r == k,
        (Fam::Comp(r) | Fam::Tcp(r), Kind::Component(k, _, _)) => r == k,
        (Fam::Pull(r), Kind::Component(k, m, _)) => r == k && m == Model::Pull,
        (Fam::Pack(r), Kind::Component(k, m, _)) => r == k && m == Model::Pack,
        (Fam::Ssl(r), Kind::Component(k, _, ssl)) => r == k && ssl,
        _ => false,
    }
}

/// A handle chosen by the input, and whether the function must refuse it.
#[derive(Clone, Copy)]
struct Pick {
    h: HP_Object,
    bad: bool,
}

struct State {
    objs: Vec<Obj>,
    user_data_set: usize,
    ids: Vec<HP_CONNID>,
}

static FREED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn free_user_data(_p: PVOID) {
    FREED.fetch_add(1, Ordering::SeqCst);
}

// Callbacks that keep data moving: the server echoes, PULL components drain their buffer.
unsafe extern "C" fn s_receive(s: HP_Server, id: HP_CONNID, d: *const BYTE, n: c_int) -> c_int {
    // SAFETY: the library passes `n` readable bytes at `d` for the length of the call.
    unsafe { HP_Server_Send(s, id, d, n) };
    HR_OK
}
unsafe extern "C" fn s_pull(s: HP_Server, id: HP_CONNID, n: c_int) -> c_int {
    let mut buf = vec![0u8; n.max(0) as usize];
    // SAFETY: `buf` has `n` writable bytes.
    unsafe { HP_TcpPullServer_Fetch(s, id, buf.as_mut_ptr(), n) };
    HR_OK
}
unsafe extern "C" fn a_pull(a: HP_Agent, id: HP_CONNID, n: c_int) -> c_int {
    let mut buf = vec![0u8; n.max(0) as usize];
    // SAFETY: as above.
    unsafe { HP_TcpPullAgent_Fetch(a, id, buf.as_mut_ptr(), n) };
    HR_OK
}
unsafe extern "C" fn c_pull(c: HP_Client, _id: HP_CONNID, n: c_int) -> c_int {
    let mut buf = vec![0u8; n.max(0) as usize];
    // SAFETY: as above.
    unsafe { HP_TcpPullClient_Fetch(c, buf.as_mut_ptr(), n) };
    HR_OK
}
unsafe extern "C" fn s_close(s: HP_Server, _id: HP_CONNID, _op: c_int, _e: c_int) -> c_int {
    let _ = HP_Server_GetLastErrorDesc(s);
    HR_OK
}
unsafe extern "C" fn sni(_name: LPCTSTR, _ctx: PVOID) -> c_int {
    0
}

static DATA: [u8; 70_000] = [0x5A; 70_000];

const GARBAGE: [usize; 4] = [0xdead_beef, 0x7f00_0000_0001, usize::MAX, 0x0100_0000_0000_0001];

fn check_thread_error(what: &str) {
    let e = HPX_GetLastError();
    let d = HPX_GetLastErrorDesc();
    assert!(!d.is_null(), "{what}: HPX_GetLastErrorDesc returned NULL");
    // SAFETY: the library returns a NUL-terminated thread-local string (docs/abi.md section 4).
    let text = unsafe { CStr::from_ptr(d) }.to_string_lossy().into_owned();
    assert!(
        e != SE_DATA_PROC,
        "{what}: a panic reached the C boundary: {text}"
    );
}

fn check_desc(p: LPCTSTR, what: &str) {
    assert!(!p.is_null(), "{what}: a GetLastErrorDesc returned NULL");
    // SAFETY: as above.
    let _ = unsafe { CStr::from_ptr(p) };
}

impl State {
    fn pick(&self, r: &mut In, fam: Fam) -> Pick {
        let b = r.u8();
        let (h, kind, alive) = match b % 16 {
            0 => (null_mut(), None, false),
            1 => (GARBAGE[(b >> 4) as usize % 4] as HP_Object, None, false),
            _ if self.objs.is_empty() => (null_mut(), None, false),
            _ => {
                let o = &self.objs[(b as usize / 2) % self.objs.len()];
                (o.h, Some(o.kind), o.alive)
            }
        };
        let bad = !alive || !kind.is_some_and(|k| fits(k, fam));
        Pick { h, bad }
    }

    fn conn_id(&self, r: &mut In) -> HP_CONNID {
        match r.u8() % 6 {
            0 => 0,
            1 => 1,
            2 => HP_CONNID::MAX,
            3 => HP_CONNID::from(r.u32()),
            _ if self.ids.is_empty() => 1,
            _ => self.ids[r.u8() as usize % self.ids.len()],
        }
    }

    fn server_port(&self, r: &mut In) -> u16 {
        let ports: Vec<u16> = self.objs.iter().filter(|o| o.alive && o.port != 0).map(|o| o.port).collect();
        match r.u8() % 4 {
            0 => 1, // nothing listens on loopback port 1: refused at once
            _ if ports.is_empty() => 1,
            _ => ports[r.u8() as usize % ports.len()],
        }
    }
}

/// A read buffer `(ptr, len)`: NULL with any length, or DATA with a length within it or negative.
fn rbuf(r: &mut In) -> (*const BYTE, c_int) {
    match r.u8() % 7 {
        0 => (null(), r.i32()),
        1 => (null(), 0),
        2 => (DATA.as_ptr(), (r.u8() % 65) as c_int),
        3 => (DATA.as_ptr(), (r.u32() % (DATA.len() as u32 + 1)) as c_int),
        4 => (DATA.as_ptr(), -(r.num() as c_int).saturating_abs().max(1)),
        5 => (DATA.as_ptr(), 0),
        _ => (DATA.as_ptr(), (r.u16() % 4096) as c_int),
    }
}

/// A remote address: loopback literals, "localhost", invalid text, or NULL. Never another host.
fn remote(r: &mut In) -> *const c_char {
    const A: [&CStr; 6] = [c"127.0.0.1", c"::1", c"localhost", c"", c"\xff\xfe", c"127.0.0.1^name"];
    match r.u8() % 8 {
        6 | 7 => null(),
        i => A[i as usize].as_ptr(),
    }
}

/// A bind address (servers: loopback only, so no test listens on every interface).
fn bind(r: &mut In) -> *const c_char {
    const A: [&CStr; 4] = [c"127.0.0.1", c"::1", c"\xff", c"[::1]"];
    match r.u8() % 5 {
        4 => null(),
        i => A[i as usize].as_ptr(),
    }
}

/// A NUL-terminated string taken from the input (for PEM text, cipher lists, server names).
fn text(r: &mut In, keep: &mut Vec<Vec<u8>>) -> *const c_char {
    if r.u8() % 5 == 0 {
        return null();
    }
    let n = (r.u8() % 64) as usize;
    let mut s: Vec<u8> = (0..n).map(|_| r.u8()).filter(|&b| b != 0).collect();
    s.push(0);
    keep.push(s);
    keep.last().unwrap().as_ptr() as *const c_char
}

fn file(r: &mut In) -> *const c_char {
    const F: [&CStr; 5] = [c"/etc/hostname", c"/nonexistent/x", c"/tmp", c"/proc/self/status", c""];
    match r.u8() % 6 {
        5 => null(),
        i => F[i as usize].as_ptr(),
    }
}

/// Asserts the documented outcome of a call on a handle that cannot be right.
macro_rules! bad {
    ($p:expr, $ret:expr, $default:expr, $what:expr) => {{
        let ret = $ret;
        if $p.bad {
            assert!(ret == $default, "{}: a bad handle did not give the default", $what);
            assert_eq!(HPX_GetLastError(), SE_INVALID_PARAM, "{}: bad handle", $what);
        }
        check_thread_error($what);
        ret
    }};
}

/// Calls a void function; with a bad handle the thread error must be SE_INVALID_PARAM.
macro_rules! bad_void {
    ($p:expr, $call:expr, $what:expr) => {{
        $call;
        if $p.bad {
            assert_eq!(HPX_GetLastError(), SE_INVALID_PARAM, "{}: bad handle", $what);
        }
        check_thread_error($what);
    }};
}

type Creator = extern "C" fn(HP_Object) -> HP_Object;
type Destroyer = extern "C" fn(HP_Object);

const COMPONENTS: [(Creator, Destroyer, Role, Model, bool); 18] = [
    (Create_HP_TcpServer, Destroy_HP_TcpServer, Role::Server, Model::Push, false),
    (Create_HP_TcpAgent, Destroy_HP_TcpAgent, Role::Agent, Model::Push, false),
    (Create_HP_TcpClient, Destroy_HP_TcpClient, Role::Client, Model::Push, false),
    (Create_HP_TcpPullServer, Destroy_HP_TcpPullServer, Role::Server, Model::Pull, false),
    (Create_HP_TcpPullAgent, Destroy_HP_TcpPullAgent, Role::Agent, Model::Pull, false),
    (Create_HP_TcpPullClient, Destroy_HP_TcpPullClient, Role::Client, Model::Pull, false),
    (Create_HP_TcpPackServer, Destroy_HP_TcpPackServer, Role::Server, Model::Pack, false),
    (Create_HP_TcpPackAgent, Destroy_HP_TcpPackAgent, Role::Agent, Model::Pack, false),
    (Create_HP_TcpPackClient, Destroy_HP_TcpPackClient, Role::Client, Model::Pack, false),
    (Create_HP_SSLServer, Destroy_HP_SSLServer, Role::Server, Model::Push, true),
    (Create_HP_SSLAgent, Destroy_HP_SSLAgent, Role::Agent, Model::Push, true),
    (Create_HP_SSLClient, Destroy_HP_SSLClient, Role::Client, Model::Push, true),
    (Create_HP_SSLPullServer, Destroy_HP_SSLPullServer, Role::Server, Model::Pull, true),
    (Create_HP_SSLPullAgent, Destroy_HP_SSLPullAgent, Role::Agent, Model::Pull, true),
    (Create_HP_SSLPullClient, Destroy_HP_SSLPullClient, Role::Client, Model::Pull, true),
    (Create_HP_SSLPackServer, Destroy_HP_SSLPackServer, Role::Server, Model::Pack, true),
    (Create_HP_SSLPackAgent, Destroy_HP_SSLPackAgent, Role::Agent, Model::Pack, true),
    (Create_HP_SSLPackClient, Destroy_HP_SSLPackClient, Role::Client, Model::Pack, true),
];

fn destroyer_of(kind: Kind) -> Destroyer {
    match kind {
        Kind::Listener(Role::Server) => Destroy_HP_TcpServerListener,
        Kind::Listener(Role::Agent) => Destroy_HP_TcpAgentListener,
        Kind::Listener(Role::Client) => Destroy_HP_TcpClientListener,
        Kind::Component(r, m, s) => {
            COMPONENTS
                .iter()
                .find(|c| c.2 == r && c.3 == m && c.4 == s)
                .expect("every kind has a destroyer")
                .1
        }
    }
}

const MAX_OBJECTS: usize = 24;

/// Pool-sized settings go in unchanged: huge values must be refused by Start with
/// `SE_INVALID_PARAM` (they once aborted the process on allocation failure).
fn pool_size(v: u32) -> u32 {
    v
}

#[allow(unused_unsafe)]
fn step(st: &mut State, r: &mut In) {
    let mut keep = Vec::new();
    let op = r.u8();
    // SAFETY (for every call below): pointers are NULL or valid for the lengths passed.
    unsafe {
        match op % 24 {
            // Create a listener or a component.
            0 | 1 => {
                if st.objs.len() >= MAX_OBJECTS {
                    return;
                }
                let which = r.u8() as usize % (COMPONENTS.len() + 3);
                if which < 3 {
                    let (h, role) = match which {
                        0 => (Create_HP_TcpServerListener(), Role::Server),
                        1 => (Create_HP_TcpAgentListener(), Role::Agent),
                        _ => (Create_HP_TcpClientListener(), Role::Client),
                    };
                    assert!(!h.is_null());
                    match role {
                        Role::Server => {
                            HP_Set_FN_Server_OnReceive(h, Some(s_receive));
                            HP_Set_FN_Server_OnPullReceive(h, Some(s_pull));
                            HP_Set_FN_Server_OnClose(h, Some(s_close));
                        }
                        Role::Agent => HP_Set_FN_Agent_OnPullReceive(h, Some(a_pull)),
                        Role::Client => HP_Set_FN_Client_OnPullReceive(h, Some(c_pull)),
                    }
                    st.objs.push(Obj { h, kind: Kind::Listener(role), alive: true, port: 0 });
                } else {
                    let (create, _, role, model, ssl) = COMPONENTS[which - 3];
                    let l = st.pick(r, Fam::Listener(role));
                    let h = bad!(l, create(l.h), null_mut(), "Create_*");
                    if !h.is_null() {
                        st.objs.push(Obj { h, kind: Kind::Component(role, model, ssl), alive: true, port: 0 });
                    }
                }
            }
            // Destroy with a destroyer of the object's kind, or any destroyer.
            2 => {
                if st.objs.is_empty() {
                    return;
                }
                let i = r.u8() as usize % st.objs.len();
                let kind = st.objs[i].kind;
                let d = if r.u8() % 4 == 0 {
                    destroyer_of(if let Kind::Component(..) = kind { Kind::Listener(Role::Agent) } else { Kind::Component(Role::Server, Model::Pull, false) })
                } else {
                    destroyer_of(kind)
                };
                d(st.objs[i].h);
                check_thread_error("Destroy_*");
                if d as usize == destroyer_of(kind) as usize {
                    st.objs[i].alive = false;
                    st.objs[i].port = 0;
                }
            }
            // Start a server (loopback, port 0 or a taken one).
            3 => {
                let p = st.pick(r, Fam::Comp(Role::Server));
                if r.u8() % 2 == 0 {
                    bad_void!(p, HP_Server_SetWorkerThreadCount(p.h, 1 + DWORD::from(r.u8() % 3)), "SetWorkerThreadCount");
                }
                let port = match st.server_port(r) {
                    1 => 0, // only port 0 or a port a live server holds (EADDRINUSE)
                    p if r.u8() % 4 == 0 => p,
                    _ => 0,
                };
                let ok = bad!(p, HP_Server_Start(p.h, bind(r), port), FALSE, "HP_Server_Start");
                if ok != FALSE {
                    let mut a = [0 as c_char; 64];
                    let mut n = 64;
                    let mut port = 0u16;
                    assert_ne!(HP_Server_GetListenAddress(p.h, a.as_mut_ptr(), &mut n, &mut port), FALSE);
                    if let Some(o) = st.objs.iter_mut().find(|o| o.h == p.h) {
                        o.port = port;
                    }
                }
            }
            // Start an agent and connect it.
            4 => {
                let p = st.pick(r, Fam::Comp(Role::Agent));
                if r.u8() % 2 == 0 {
                    bad_void!(p, HP_Agent_SetWorkerThreadCount(p.h, 1 + DWORD::from(r.u8() % 3)), "SetWorkerThreadCount");
                }
                bad!(p, HP_Agent_Start(p.h, if r.u8() % 2 == 0 { null() } else { bind(r) }, r.bool()), FALSE, "HP_Agent_Start");
                let mut id: HP_CONNID = 99;
                let port = st.server_port(r);
                let out = if r.u8() % 5 == 0 { null_mut() } else { &mut id as *mut _ };
                let ok = match r.u8() % 4 {
                    0 => HP_Agent_Connect(p.h, remote(r), port, out),
                    1 => HP_Agent_ConnectWithExtra(p.h, remote(r), port, out, 7 as PVOID),
                    2 => HP_Agent_ConnectWithLocalAddress(p.h, remote(r), port, out, bind(r)),
                    _ => HP_Agent_ConnectWithExtraAndLocalAddressPort(p.h, remote(r), port, out, null_mut(), 0, bind(r)),
                };
                bad!(p, ok, FALSE, "HP_Agent_Connect*");
                if ok == FALSE && !out.is_null() {
                    assert_eq!(id, 0, "a failed Connect must write 0 to *pdwConnID");
                }
                if ok != FALSE && !out.is_null() {
                    st.ids.push(id);
                }
            }
            // Start a client.
            5 => {
                let p = st.pick(r, Fam::Comp(Role::Client));
                let port = st.server_port(r);
                let ok = match r.u8() % 3 {
                    0 => HP_Client_Start(p.h, remote(r), port, r.bool()),
                    1 => HP_Client_StartWithBindAddress(p.h, remote(r), port, r.bool(), bind(r)),
                    _ => HP_Client_StartWithBindAddressAndLocalPort(p.h, remote(r), port, r.bool(), bind(r), 0),
                };
                bad!(p, ok, FALSE, "HP_Client_Start*");
                if ok != FALSE {
                    st.ids.push(HP_Client_GetConnectionID(p.h));
                }
            }
            // Sends of every shape.
            6 | 7 => {
                let fam = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Comp(fam));
                let id = st.conn_id(r);
                let (b, n) = rbuf(r);
                let form = r.u8() % 4;
                let what = "Send*";
                let ret = match (fam, form) {
                    (Role::Server, 0) => HP_Server_Send(p.h, id, b, n),
                    (Role::Agent, 0) => HP_Agent_Send(p.h, id, b, n),
                    (Role::Client, 0) => HP_Client_Send(p.h, b, n),
                    (_, 1) => {
                        // SendPart: the bytes at b + off; keep them inside DATA when both are sane.
                        let off = match r.u8() % 3 {
                            0 => -(1 + r.u8() as c_int),
                            _ if b.is_null() || n < 0 => r.i32(),
                            _ => (r.u32() % (DATA.len() as u32 - n as u32 + 1)) as c_int,
                        };
                        match fam {
                            Role::Server => HP_Server_SendPart(p.h, id, b, n, off),
                            Role::Agent => HP_Agent_SendPart(p.h, id, b, n, off),
                            Role::Client => HP_Client_SendPart(p.h, b, n, off),
                        }
                    }
                    (_, 2) => {
                        let mut bufs = [WSABUF { len: 0, buf: null_mut() }; 8];
                        for w in bufs.iter_mut() {
                            let (b, n) = rbuf(r);
                            *w = if n < 0 {
                                WSABUF { len: n as u32, buf: null_mut() }
                            } else {
                                WSABUF { len: n as UINT, buf: b as *mut BYTE }
                            };
                        }
                        let count = match r.u8() % 4 {
                            0 => -(r.u8() as c_int),
                            _ => (r.u8() % 9) as c_int,
                        };
                        let arr = if r.u8() % 6 == 0 { null() } else { bufs.as_ptr() };
                        match fam {
                            Role::Server => HP_Server_SendPackets(p.h, id, arr, count),
                            Role::Agent => HP_Agent_SendPackets(p.h, id, arr, count),
                            Role::Client => HP_Client_SendPackets(p.h, arr, count),
                        }
                    }
                    _ => {
                        let mut head = WSABUF { len: 3, buf: DATA.as_ptr() as *mut BYTE };
                        let hp = if r.u8() % 2 == 0 { null_mut() } else { &mut head as *mut WSABUF };
                        match fam {
                            Role::Server => HP_TcpServer_SendSmallFile(p.h, id, file(r), hp, null_mut()),
                            Role::Agent => HP_TcpAgent_SendSmallFile(p.h, id, file(r), null_mut(), hp),
                            Role::Client => HP_TcpClient_SendSmallFile(p.h, file(r), hp, hp),
                        }
                    }
                };
                bad!(p, ret, FALSE, what);
                // A send with a NULL buffer and a positive length, or a negative length, on a
                // good handle must be refused too.
                if !p.bad && form == 0 && ((b.is_null() && n > 0) || n < 0) {
                    assert_eq!(ret, FALSE, "Send accepted NULL/{n}");
                    assert_eq!(HPX_GetLastError(), SE_INVALID_PARAM);
                }
            }
            // Connection operations on a server or agent.
            8 | 9 => {
                let agent = r.u8() % 2 == 1;
                let p = st.pick(r, Fam::Comp(if agent { Role::Agent } else { Role::Server }));
                let id = st.conn_id(r);
                let mut out_dw: DWORD = 0;
                let mut out_i: c_int = 0;
                let mut out_b: BOOL = 0;
                let mut out_p: PVOID = null_mut();
                let sel = r.u8() % 11;
                let null_out = r.u8() % 6 == 0;
                macro_rules! o {
                    ($x:expr) => {
                        if null_out { null_mut() } else { &mut $x as *mut _ }
                    };
                }
                let ret = match (agent, sel) {
                    (false, 0) => HP_Server_Disconnect(p.h, id, r.bool()),
                    (false, 1) => HP_Server_PauseReceive(p.h, id, r.bool()),
                    (false, 2) => HP_Server_SetConnectionExtra(p.h, id, 5 as PVOID),
                    (false, 3) => HP_Server_GetConnectionExtra(p.h, id, o!(out_p)),
                    (false, 4) => HP_Server_GetPendingDataLength(p.h, id, o!(out_i)),
                    (false, 5) => HP_Server_IsPauseReceive(p.h, id, o!(out_b)),
                    (false, 6) => HP_Server_IsConnected(p.h, id),
                    (false, 7) => HP_Server_GetConnectPeriod(p.h, id, o!(out_dw)),
                    (false, 8) => HP_Server_GetSilencePeriod(p.h, id, o!(out_dw)),
                    (false, 9) => HP_Server_DisconnectSilenceConnections(p.h, r.num(), r.bool()),
                    (false, _) => HP_Server_DisconnectLongConnections(p.h, r.num(), r.bool()),
                    (true, 0) => HP_Agent_Disconnect(p.h, id, r.bool()),
                    (true, 1) => HP_Agent_PauseReceive(p.h, id, r.bool()),
                    (true, 2) => HP_Agent_SetConnectionExtra(p.h, id, 5 as PVOID),
                    (true, 3) => HP_Agent_GetConnectionExtra(p.h, id, o!(out_p)),
                    (true, 4) => HP_Agent_GetPendingDataLength(p.h, id, o!(out_i)),
                    (true, 5) => HP_Agent_IsPauseReceive(p.h, id, o!(out_b)),
                    (true, 6) => HP_Agent_IsConnected(p.h, id),
                    (true, 7) => HP_Agent_GetConnectPeriod(p.h, id, o!(out_dw)),
                    (true, 8) => HP_Agent_GetSilencePeriod(p.h, id, o!(out_dw)),
                    (true, 9) => HP_Agent_DisconnectSilenceConnections(p.h, r.num(), r.bool()),
                    (true, _) => HP_Agent_DisconnectLongConnections(p.h, r.num(), r.bool()),
                };
                bad!(p, ret, FALSE, "connection call");
            }
            // Addresses and ID lists: in/out lengths.
            10 => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Comp(role));
                let id = st.conn_id(r);
                let mut a = [0 as c_char; 64];
                let mut n: c_int = match r.u8() % 4 {
                    0 => 0,
                    1 => 1 + (r.u8() % 64) as c_int,
                    2 => 64,
                    _ => -(r.u8() as c_int),
                };
                let ap = if r.u8() % 5 == 0 { null_mut() } else { a.as_mut_ptr() };
                if ap.is_null() {
                    n = n.min(64);
                }
                let np = if r.u8() % 7 == 0 { null_mut() } else { &mut n as *mut c_int };
                let mut port = 0u16;
                let pp = if r.u8() % 3 == 0 { null_mut() } else { &mut port as *mut u16 };
                let sel = r.u8() % 4;
                let ret = match (role, sel) {
                    (Role::Server, 0) => HP_Server_GetListenAddress(p.h, ap, np, pp),
                    (Role::Server, 1) => HP_Server_GetLocalAddress(p.h, id, ap, np, pp),
                    (Role::Server, 2) => HP_Server_GetRemoteAddress(p.h, id, ap, np, pp),
                    (Role::Agent, 0) => HP_Agent_GetRemoteHost(p.h, id, ap, np, pp),
                    (Role::Agent, 1) => HP_Agent_GetLocalAddress(p.h, id, ap, np, pp),
                    (Role::Agent, 2) => HP_Agent_GetRemoteAddress(p.h, id, ap, np, pp),
                    (Role::Client, 0) => HP_Client_GetRemoteHost(p.h, ap, np, pp),
                    (Role::Client, 1 | 2) => HP_Client_GetLocalAddress(p.h, ap, np, pp),
                    (_, _) => {
                        let mut ids = [0 as HP_CONNID; 16];
                        let mut count: DWORD = DWORD::from(r.u8() % 17);
                        let ip = if r.u8() % 4 == 0 { null_mut() } else { ids.as_mut_ptr() };
                        let cp = if r.u8() % 7 == 0 { null_mut() } else { &mut count as *mut DWORD };
                        let ret = match role {
                            Role::Server => HP_Server_GetAllConnectionIDs(p.h, ip, cp),
                            Role::Agent => HP_Agent_GetAllConnectionIDs(p.h, ip, cp),
                            Role::Client => HP_Client_GetConnectionID(p.h) as BOOL & 0,
                        };
                        if ret != FALSE && !ip.is_null() {
                            st.ids.extend_from_slice(&ids[..(count as usize).min(16)]);
                        }
                        if role == Role::Client {
                            check_thread_error("GetConnectionID");
                            return;
                        }
                        ret
                    }
                };
                bad!(p, ret, FALSE, "address call");
                if ret != FALSE && !ap.is_null() {
                    // The text written is NUL-terminated within the buffer.
                    assert!(a.iter().any(|&c| c == 0), "address not terminated");
                }
            }
            // PULL Fetch / Peek.
            11 => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Pull(role));
                let id = st.conn_id(r);
                let mut out = vec![0u8; 4096];
                let (ptr, n) = match r.u8() % 5 {
                    0 => (null_mut(), r.i32()),
                    1 => (null_mut(), 0),
                    2 => (out.as_mut_ptr(), -(1 + r.u8() as c_int)),
                    _ => (out.as_mut_ptr(), (r.u16() % 4097) as c_int),
                };
                let peek = r.u8() % 2 == 0;
                let ret = match (role, peek) {
                    (Role::Server, false) => HP_TcpPullServer_Fetch(p.h, id, ptr, n),
                    (Role::Server, true) => HP_TcpPullServer_Peek(p.h, id, ptr, n),
                    (Role::Agent, false) => HP_TcpPullAgent_Fetch(p.h, id, ptr, n),
                    (Role::Agent, true) => HP_TcpPullAgent_Peek(p.h, id, ptr, n),
                    (Role::Client, false) => HP_TcpPullClient_Fetch(p.h, ptr, n),
                    (Role::Client, true) => HP_TcpPullClient_Peek(p.h, ptr, n),
                };
                bad!(p, ret, FR_DATA_NOT_FOUND, "Fetch/Peek");
                assert!((FR_OK..=FR_DATA_NOT_FOUND).contains(&ret));
                if (ptr.is_null() && n > 0) || n < 0 {
                    assert_eq!(ret, FR_DATA_NOT_FOUND, "Fetch/Peek accepted NULL/{n}");
                }
            }
            // Settings with random values (enums out of range too), then read back.
            12 | 13 => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Comp(role));
                let v = r.num();
                let e = v as c_int;
                let sel = r.u8() % 12;
                match role {
                    Role::Server => match sel {
                        0 => bad_void!(p, HP_Server_SetReuseAddressPolicy(p.h, e), "SetReuseAddressPolicy"),
                        1 => bad_void!(p, HP_Server_SetSendPolicy(p.h, e), "SetSendPolicy"),
                        2 => bad_void!(p, HP_Server_SetOnSendSyncPolicy(p.h, e), "SetOnSendSyncPolicy"),
                        3 => bad_void!(p, HP_Server_SetMaxConnectionCount(p.h, v % 100_000), "SetMaxConnectionCount"),
                        4 => bad_void!(p, HP_Server_SetMarkSilence(p.h, e), "SetMarkSilence"),
                        5 => bad_void!(p, HP_TcpServer_SetSocketBufferSize(p.h, v), "SetSocketBufferSize"),
                        6 => bad_void!(p, HP_TcpServer_SetKeepAliveTime(p.h, v), "SetKeepAliveTime"),
                        7 => bad_void!(p, HP_TcpServer_SetSocketListenQueue(p.h, v), "SetSocketListenQueue"),
                        8 => bad_void!(p, HPX_Server_SetMaxSendQueueBytes(p.h, v), "SetMaxSendQueueBytes"),
                        9 => bad_void!(p, HPX_Server_SetSendQueueLowWatermark(p.h, v), "SetSendQueueLowWatermark"),
                        10 => bad_void!(p, HP_TcpServer_SetNoDelay(p.h, e), "SetNoDelay"),
                        _ => bad_void!(p, HPX_Server_SetSilenceCountsSend(p.h, e), "SetSilenceCountsSend"),
                    },
                    Role::Agent => match sel {
                        0 => bad_void!(p, HP_Agent_SetReuseAddressPolicy(p.h, e), "SetReuseAddressPolicy"),
                        1 => bad_void!(p, HP_Agent_SetSendPolicy(p.h, e), "SetSendPolicy"),
                        2 => bad_void!(p, HP_Agent_SetOnSendSyncPolicy(p.h, e), "SetOnSendSyncPolicy"),
                        3 => bad_void!(p, HP_Agent_SetMaxConnectionCount(p.h, v % 100_000), "SetMaxConnectionCount"),
                        4 => bad_void!(p, HP_Agent_SetMarkSilence(p.h, e), "SetMarkSilence"),
                        5 => bad_void!(p, HP_TcpAgent_SetSocketBufferSize(p.h, v), "SetSocketBufferSize"),
                        6 => bad_void!(p, HP_TcpAgent_SetSyncConnectTimeout(p.h, v % 5000), "SetSyncConnectTimeout"),
                        7 => bad_void!(p, HPX_Agent_SetConnectTimeout(p.h, v % 5000), "SetConnectTimeout"),
                        8 => bad_void!(p, HPX_Agent_SetMaxSendQueueBytes(p.h, v), "SetMaxSendQueueBytes"),
                        9 => bad_void!(p, HPX_Agent_SetSendQueueLowWatermark(p.h, v), "SetSendQueueLowWatermark"),
                        10 => bad_void!(p, HP_TcpAgent_SetNoDelay(p.h, e), "SetNoDelay"),
                        _ => bad_void!(p, HPX_Agent_SetSSLHandShakeTimeout(p.h, v), "SetSSLHandShakeTimeout"),
                    },
                    Role::Client => match sel {
                        0 => bad_void!(p, HP_Client_SetReuseAddressPolicy(p.h, e), "SetReuseAddressPolicy"),
                        1 => bad_void!(p, HP_Client_SetFreeBufferPoolSize(p.h, pool_size(v)), "SetFreeBufferPoolSize"),
                        2 => bad_void!(p, HP_Client_SetFreeBufferPoolHold(p.h, v), "SetFreeBufferPoolHold"),
                        3 => bad_void!(p, HP_Client_SetExtra(p.h, v as usize as PVOID), "SetExtra"),
                        4 => bad_void!(p, HPX_Client_SetConnectTimeout(p.h, v % 5000), "SetConnectTimeout"),
                        5 => bad_void!(p, HP_TcpClient_SetSocketBufferSize(p.h, v), "SetSocketBufferSize"),
                        6 => bad_void!(p, HP_TcpClient_SetSyncConnectTimeout(p.h, v % 5000), "SetSyncConnectTimeout"),
                        7 => bad_void!(p, HP_TcpClient_SetKeepAliveInterval(p.h, v), "SetKeepAliveInterval"),
                        8 => bad_void!(p, HPX_Client_SetMaxSendQueueBytes(p.h, v), "SetMaxSendQueueBytes"),
                        9 => bad_void!(p, HPX_Client_SetSendQueueLowWatermark(p.h, v), "SetSendQueueLowWatermark"),
                        10 => bad_void!(p, HP_TcpClient_SetNoDelay(p.h, e), "SetNoDelay"),
                        _ => bad_void!(p, HPX_Client_SetSSLHandShakeTimeout(p.h, v), "SetSSLHandShakeTimeout"),
                    },
                }
                // Getters: the default (0 / FALSE / SS_STOPPED) on a bad handle.
                match role {
                    Role::Server => {
                        bad!(p, HP_Server_GetReuseAddressPolicy(p.h), 0, "GetReuseAddressPolicy");
                        bad!(p, HP_Server_GetWorkerThreadCount(p.h), 0, "GetWorkerThreadCount");
                        bad!(p, HP_Server_GetState(p.h), SS_STOPPED, "GetState");
                        bad!(p, HP_Server_HasStarted(p.h), FALSE, "HasStarted");
                        bad!(p, HP_Server_GetConnectionCount(p.h), 0, "GetConnectionCount");
                        bad!(p, HPX_Server_GetMaxSendQueueBytes(p.h), 0, "GetMaxSendQueueBytes");
                        bad!(p, HP_Server_GetLastError(p.h), SE_INVALID_PARAM, "GetLastError");
                        check_desc(HP_Server_GetLastErrorDesc(p.h), "HP_Server_GetLastErrorDesc");
                    }
                    Role::Agent => {
                        bad!(p, HP_Agent_GetSendPolicy(p.h), 0, "GetSendPolicy");
                        bad!(p, HP_Agent_GetState(p.h), SS_STOPPED, "GetState");
                        bad!(p, HP_Agent_IsSecure(p.h), FALSE, "IsSecure");
                        bad!(p, HP_TcpAgent_GetSyncConnectTimeout(p.h), 0, "GetSyncConnectTimeout");
                        bad!(p, HP_Agent_GetLastError(p.h), SE_INVALID_PARAM, "GetLastError");
                        check_desc(HP_Agent_GetLastErrorDesc(p.h), "HP_Agent_GetLastErrorDesc");
                    }
                    Role::Client => {
                        bad!(p, HP_Client_GetExtra(p.h), null_mut(), "GetExtra");
                        bad!(p, HP_Client_GetState(p.h), SS_STOPPED, "GetState");
                        bad!(p, HP_Client_IsConnected(p.h), FALSE, "IsConnected");
                        bad!(p, HP_Client_GetConnectionID(p.h), 0, "GetConnectionID");
                        bad!(p, HP_Client_GetLastError(p.h), SE_INVALID_PARAM, "GetLastError");
                        check_desc(HP_Client_GetLastErrorDesc(p.h), "HP_Client_GetLastErrorDesc");
                    }
                }
            }
            // PACK settings.
            14 => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Pack(role));
                let size = r.num();
                let flag = r.u16();
                match role {
                    Role::Server => {
                        bad_void!(p, HP_TcpPackServer_SetMaxPackSize(p.h, size), "SetMaxPackSize");
                        bad_void!(p, HP_TcpPackServer_SetPackHeaderFlag(p.h, flag), "SetPackHeaderFlag");
                        bad!(p, HP_TcpPackServer_GetMaxPackSize(p.h), 0, "GetMaxPackSize");
                        bad!(p, HP_TcpPackServer_GetPackHeaderFlag(p.h), 0, "GetPackHeaderFlag");
                    }
                    Role::Agent => {
                        bad_void!(p, HP_TcpPackAgent_SetMaxPackSize(p.h, size), "SetMaxPackSize");
                        bad_void!(p, HP_TcpPackAgent_SetPackHeaderFlag(p.h, flag), "SetPackHeaderFlag");
                        bad!(p, HP_TcpPackAgent_GetMaxPackSize(p.h), 0, "GetMaxPackSize");
                    }
                    Role::Client => {
                        bad_void!(p, HP_TcpPackClient_SetMaxPackSize(p.h, size), "SetMaxPackSize");
                        bad_void!(p, HP_TcpPackClient_SetPackHeaderFlag(p.h, flag), "SetPackHeaderFlag");
                        bad!(p, HP_TcpPackClient_GetPackHeaderFlag(p.h), 0, "GetPackHeaderFlag");
                    }
                }
            }
            // SSL setup and session calls, with PEM text and names from the input.
            15 | 16 => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Ssl(role));
                let mode = match r.u8() % 3 {
                    0 => 0,
                    1 => (r.u8() % 8) as c_int,
                    _ => r.i32(),
                };
                let sel = r.u8() % 8;
                let id = st.conn_id(r);
                let mut info: PVOID = 7 as PVOID;
                let ip = if r.u8() % 5 == 0 { null_mut() } else { &mut info as *mut PVOID };
                let item = match r.u8() % 3 {
                    0 => r.i32(),
                    _ => (r.u8() % 17) as c_int,
                };
                let cb = if r.u8() % 2 == 0 { Some(sni as unsafe extern "C" fn(_, _) -> _) } else { None };
                let (a, b, c, d) = (text(r, &mut keep), text(r, &mut keep), text(r, &mut keep), text(r, &mut keep));
                match (role, sel) {
                    (Role::Server, 0) => { bad!(p, HP_SSLServer_SetupSSLContextByMemory(p.h, mode, a, b, c, d, cb), FALSE, "SetupSSLContextByMemory"); }
                    (Role::Server, 1) => { bad!(p, HP_SSLServer_SetupSSLContext(p.h, mode, file(r), file(r), c, file(r), cb), FALSE, "SetupSSLContext"); }
                    (Role::Server, 2) => { bad!(p, HP_SSLServer_AddSSLContextByMemory(p.h, mode, a, b, c, d), -1, "AddSSLContextByMemory"); }
                    (Role::Server, 3) => { bad!(p, HP_SSLServer_BindSSLServerName(p.h, a, r.i32()), FALSE, "BindSSLServerName"); }
                    (Role::Server, 4) => { bad!(p, HP_SSLServer_StartSSLHandShake(p.h, id), FALSE, "StartSSLHandShake"); }
                    (Role::Server, 5) => {
                        bad_void!(p, HP_SSLServer_SetSSLCipherList(p.h, a), "SetSSLCipherList");
                        let l = HP_SSLServer_GetSSLCipherList(p.h);
                        check_desc(l, "GetSSLCipherList");
                    }
                    (Role::Server, 6) => { bad!(p, HP_SSLServer_GetSSLSessionInfo(p.h, id, item, ip), FALSE, "GetSSLSessionInfo"); }
                    (Role::Server, _) => {
                        bad_void!(p, HP_SSLServer_CleanupSSLContext(p.h), "CleanupSSLContext");
                        bad_void!(p, HP_SSLServer_SetSSLAutoHandShake(p.h, r.bool()), "SetSSLAutoHandShake");
                        let _ = HP_SSL_DefaultServerNameCallback(a, p.h);
                        check_thread_error("HP_SSL_DefaultServerNameCallback");
                    }
                    (Role::Agent, 0 | 1) => { bad!(p, HP_SSLAgent_SetupSSLContextByMemory(p.h, mode, a, b, c, d), FALSE, "SetupSSLContextByMemory"); }
                    (Role::Agent, 2) => { bad!(p, HP_SSLAgent_SetupSSLContext(p.h, mode, file(r), file(r), c, file(r)), FALSE, "SetupSSLContext"); }
                    (Role::Agent, 3 | 4) => { bad!(p, HP_SSLAgent_StartSSLHandShake(p.h, id), FALSE, "StartSSLHandShake"); }
                    (Role::Agent, 5) => {
                        bad_void!(p, HP_SSLAgent_SetSSLCipherList(p.h, a), "SetSSLCipherList");
                        check_desc(HP_SSLAgent_GetSSLCipherList(p.h), "GetSSLCipherList");
                    }
                    (Role::Agent, 6) => { bad!(p, HP_SSLAgent_GetSSLSessionInfo(p.h, id, item, ip), FALSE, "GetSSLSessionInfo"); }
                    (Role::Agent, _) => bad_void!(p, HP_SSLAgent_CleanupSSLContext(p.h), "CleanupSSLContext"),
                    (Role::Client, 0 | 1) => { bad!(p, HP_SSLClient_SetupSSLContextByMemory(p.h, mode, a, b, c, d), FALSE, "SetupSSLContextByMemory"); }
                    (Role::Client, 2) => { bad!(p, HP_SSLClient_SetupSSLContext(p.h, mode, file(r), file(r), c, file(r)), FALSE, "SetupSSLContext"); }
                    (Role::Client, 3 | 4) => { bad!(p, HP_SSLClient_StartSSLHandShake(p.h), FALSE, "StartSSLHandShake"); }
                    (Role::Client, 5) => {
                        bad_void!(p, HP_SSLClient_SetSSLCipherList(p.h, a), "SetSSLCipherList");
                        check_desc(HP_SSLClient_GetSSLCipherList(p.h), "GetSSLCipherList");
                    }
                    (Role::Client, 6) => { bad!(p, HP_SSLClient_GetSSLSessionInfo(p.h, item, ip), FALSE, "GetSSLSessionInfo"); }
                    (Role::Client, _) => bad_void!(p, HP_SSLClient_CleanupSSLContext(p.h), "CleanupSSLContext"),
                }
                if sel == 6 && !p.bad && !ip.is_null() {
                    // docs/abi.md section 15: *lppInfo is set to NULL first.
                    assert!(info != 7 as PVOID, "GetSSLSessionInfo left *lppInfo unset");
                }
            }
            // Stop and Wait (short waits only: the fuzzer's thread must not block for long).
            17 => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Comp(role));
                let ms = DWORD::from(r.u8() % 20);
                match (role, r.u8() % 2) {
                    (Role::Server, 0) => { bad!(p, HP_Server_Stop(p.h), FALSE, "HP_Server_Stop"); }
                    (Role::Server, _) => { bad!(p, HP_Server_Wait(p.h, ms), FALSE, "HP_Server_Wait"); }
                    (Role::Agent, 0) => { bad!(p, HP_Agent_Stop(p.h), FALSE, "HP_Agent_Stop"); }
                    (Role::Agent, _) => { bad!(p, HP_Agent_Wait(p.h, ms), FALSE, "HP_Agent_Wait"); }
                    (Role::Client, 0) => { bad!(p, HP_Client_Stop(p.h), FALSE, "HP_Client_Stop"); }
                    (Role::Client, _) => { bad!(p, HP_Client_Wait(p.h, ms), FALSE, "HP_Client_Wait"); }
                }
                if !p.bad && role == Role::Server {
                    if let Some(o) = st.objs.iter_mut().find(|o| o.h == p.h) {
                        if HP_Server_HasStarted(p.h) == FALSE {
                            o.port = 0;
                        }
                    }
                }
            }
            // Listener callbacks on any handle.
            18 => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Listener(role));
                let set = r.u8() % 2 == 0;
                match role {
                    Role::Server => {
                        bad_void!(p, HP_Set_FN_Server_OnReceive(p.h, if set { Some(s_receive) } else { None }), "HP_Set_FN_Server_OnReceive");
                        bad_void!(p, HP_Set_FN_Server_OnPullReceive(p.h, if set { Some(s_pull) } else { None }), "HP_Set_FN_Server_OnPullReceive");
                        bad_void!(p, HPX_Set_FN_Server_OnSendDrained(p.h, None), "HPX_Set_FN_Server_OnSendDrained");
                    }
                    Role::Agent => {
                        bad_void!(p, HP_Set_FN_Agent_OnPullReceive(p.h, if set { Some(a_pull) } else { None }), "HP_Set_FN_Agent_OnPullReceive");
                        bad_void!(p, HP_Set_FN_Agent_OnConnect(p.h, None), "HP_Set_FN_Agent_OnConnect");
                    }
                    Role::Client => {
                        bad_void!(p, HP_Set_FN_Client_OnPullReceive(p.h, if set { Some(c_pull) } else { None }), "HP_Set_FN_Client_OnPullReceive");
                        bad_void!(p, HP_Set_FN_Client_OnClose(p.h, None), "HP_Set_FN_Client_OnClose");
                    }
                }
            }
            // User data on any object.
            19 => {
                let p = st.pick(r, Fam::Any);
                let clear = r.u8() % 4 == 0;
                let (d, f): (PVOID, HPX_FN_FreeUserData) = if clear {
                    (null_mut(), None)
                } else {
                    (0x1234 as PVOID, Some(free_user_data))
                };
                let ok = bad!(p, HPX_Object_SetUserData(p.h, d, f), FALSE, "HPX_Object_SetUserData");
                if ok != FALSE && !clear {
                    st.user_data_set += 1;
                }
                let got = bad!(p, HPX_Object_GetUserData(p.h), null_mut(), "HPX_Object_GetUserData");
                if ok != FALSE {
                    assert_eq!(got, d);
                }
            }
            // Global helpers.
            20 => {
                let code = match r.u8() % 2 {
                    0 => (r.u8() % 24) as c_int,
                    _ => r.i32(),
                };
                let d = HP_GetSocketErrorDesc(code);
                check_desc(d, "HP_GetSocketErrorDesc");
                check_desc(SYS_GetLastErrorStr(), "SYS_GetLastErrorStr");
                let _ = SYS_GetLastError();
                let _ = HP_GetHPSocketVersion();
                HP_SSL_RemoveThreadLocalState(r.u32().into());
                let _ = HP_SSL_DefaultServerNameCallback(text(r, &mut keep), st.pick(r, Fam::Any).h);
                check_thread_error("globals");
            }
            // TCP getters and remaining setters.
            _ => {
                let role = match r.u8() % 3 {
                    0 => Role::Server,
                    1 => Role::Agent,
                    _ => Role::Client,
                };
                let p = st.pick(r, Fam::Tcp(role));
                match role {
                    Role::Server => {
                        bad!(p, HP_TcpServer_GetSocketListenQueue(p.h), 0, "GetSocketListenQueue");
                        bad!(p, HP_TcpServer_GetKeepAliveInterval(p.h), 0, "GetKeepAliveInterval");
                        bad!(p, HP_TcpServer_IsNoDelay(p.h), FALSE, "IsNoDelay");
                        bad!(p, HPX_Server_GetSSLHandShakeTimeout(p.h), 0, "GetSSLHandShakeTimeout");
                        bad_void!(p, HP_TcpServer_SetAcceptSocketCount(p.h, pool_size(r.num())), "SetAcceptSocketCount");
                        bad_void!(p, HP_Server_SetFreeBufferObjPool(p.h, pool_size(r.num())), "SetFreeBufferObjPool");
                        bad_void!(p, HP_Server_SetFreeSocketObjPool(p.h, r.num()), "SetFreeSocketObjPool");
                    }
                    Role::Agent => {
                        bad!(p, HP_TcpAgent_GetKeepAliveTime(p.h), 0, "GetKeepAliveTime");
                        bad!(p, HP_Agent_GetConnectionCount(p.h), 0, "GetConnectionCount");
                        bad!(p, HPX_Agent_IsSilenceCountsSend(p.h), FALSE, "IsSilenceCountsSend");
                        bad_void!(p, HP_Agent_SetFreeBufferObjHold(p.h, r.num()), "SetFreeBufferObjHold");
                    }
                    Role::Client => {
                        bad!(p, HP_TcpClient_GetSocketBufferSize(p.h), 0, "GetSocketBufferSize");
                        bad!(p, HP_Client_GetFreeBufferPoolSize(p.h), 0, "GetFreeBufferPoolSize");
                        bad!(p, HPX_Client_GetConnectTimeout(p.h), 0, "GetConnectTimeout");
                        let mut pend: c_int = 0;
                        let mut paused: BOOL = 0;
                        bad!(p, HP_Client_GetPendingDataLength(p.h, &mut pend), FALSE, "GetPendingDataLength");
                        bad!(p, HP_Client_IsPauseReceive(p.h, &mut paused), FALSE, "IsPauseReceive");
                        bad!(p, HP_Client_PauseReceive(p.h, r.bool()), FALSE, "PauseReceive");
                    }
                }
            }
        }
    }
    drop(keep);
}

fuzz_target!(|data: &[u8]| {
    let mut r = In(data);
    let mut st = State { objs: Vec::new(), user_data_set: 0, ids: Vec::new() };
    let freed_before = FREED.load(Ordering::SeqCst);
    let mut steps = 0;
    while !r.is_empty() && steps < 200 {
        step(&mut st, &mut r);
        steps += 1;
    }
    // Destroy what is left: components first (each stops itself), then listeners.
    for pass in 0..2 {
        for o in st.objs.iter_mut().filter(|o| o.alive) {
            let is_listener = matches!(o.kind, Kind::Listener(_));
            if is_listener == (pass == 1) {
                destroyer_of(o.kind)(o.h);
                o.alive = false;
            }
        }
    }
    // Every user data attached was freed exactly once (replaced, cleared or destroyed).
    assert_eq!(
        FREED.load(Ordering::SeqCst) - freed_before,
        st.user_data_set,
        "user data freed {} times for {} attached",
        FREED.load(Ordering::SeqCst) - freed_before,
        st.user_data_set
    );
    // The handles are stale now.
    for o in &st.objs {
        assert!(HPX_Object_GetUserData(o.h).is_null());
        assert_eq!(HPX_GetLastError(), SE_INVALID_PARAM);
    }
});
