//! Helpers of the FFI contract tests: reading library strings, last errors, and a recorder
//! that C callbacks reach through `HPX_Object_GetUserData(pSender)` and that reports events
//! over a channel, so tests wait on events with deadlines instead of sleeping.

#![allow(dead_code)]

pub mod pki;

use std::collections::{HashMap, VecDeque};
use std::ffi::{c_char, c_int, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use hpsocket::*;

/// How long any single expected event may take.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A string the library returned (never NULL by contract; NULL reads as "<NULL>").
pub fn text(p: *const c_char) -> String {
    if p.is_null() {
        return "<NULL>".to_string();
    }
    // SAFETY: the library returns NUL-terminated strings valid until the next call of the same
    // family on this thread; it is copied at once.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// The thread's last error: code, description, errno.
pub fn last() -> (En_HP_SocketError, String, i32) {
    let errno = SYS_GetLastError() as i32;
    (HPX_GetLastError(), text(HPX_GetLastErrorDesc()), errno)
}

/// Asserts the thread's last failure has `code` and a description containing every `parts`.
#[track_caller]
pub fn assert_last(code: En_HP_SocketError, parts: &[&str]) {
    let (c, desc, errno) = last();
    assert_eq!(c, code, "last error code (desc: {desc:?}, errno {errno})");
    for part in parts {
        assert!(
            desc.contains(part),
            "last error description {desc:?} lacks {part:?}"
        );
    }
}

/// A NUL-terminated copy of `s` for the duration of a call.
pub fn c(s: &str) -> std::ffi::CString {
    std::ffi::CString::new(s).expect("no NUL in test strings")
}

/// Something a callback saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ev {
    PrepareListen,
    Accept(HP_CONNID),
    HandShake(HP_CONNID),
    Connect(HP_CONNID),
    Receive(HP_CONNID, usize),
    Close(HP_CONNID, En_HP_SocketOperation, c_int),
    Shutdown,
    /// All bytes expected on a connection arrived.
    Done(HP_CONNID),
    /// A free-form observation: a name and some numbers/text.
    Note(&'static str, i64, String),
}

/// The state of one component in a test, shared with its callbacks.
pub struct Rec {
    tx: Mutex<mpsc::Sender<Ev>>,
    rx: Mutex<mpsc::Receiver<Ev>>,
    /// Events received while waiting for others, oldest first: no event is ever lost.
    pending: Mutex<VecDeque<Ev>>,
    pub received: Mutex<HashMap<HP_CONNID, Vec<u8>>>,
    pub expected: Mutex<HashMap<HP_CONNID, usize>>,
    /// Set by the free function: callbacks check it to prove none runs after it.
    pub freed: AtomicUsize,
    pub after_free: AtomicUsize,
    /// What a callback should do, chosen by each test.
    pub mode: AtomicUsize,
}

impl Rec {
    pub fn new() -> Arc<Rec> {
        let (tx, rx) = mpsc::channel();
        Arc::new(Rec {
            tx: Mutex::new(tx),
            rx: Mutex::new(rx),
            pending: Mutex::default(),
            received: Mutex::default(),
            expected: Mutex::default(),
            freed: AtomicUsize::new(0),
            after_free: AtomicUsize::new(0),
            mode: AtomicUsize::new(0),
        })
    }

    pub fn send(&self, ev: Ev) {
        if self.freed.load(Ordering::SeqCst) != 0 {
            self.after_free.fetch_add(1, Ordering::SeqCst);
        }
        let _ = self.tx.lock().unwrap().send(ev);
    }

    /// The oldest event matching `pred`, within the deadline. Events that do not match stay
    /// queued for later waits, so the order in which unrelated events arrive does not matter.
    #[track_caller]
    pub fn wait_for(&self, what: &str, mut pred: impl FnMut(&Ev) -> bool) -> Ev {
        {
            let mut pending = self.pending.lock().unwrap();
            if let Some(i) = pending.iter().position(&mut pred) {
                return pending.remove(i).expect("index found above");
            }
        }
        let end = Instant::now() + DEADLINE;
        let rx = self.rx.lock().unwrap();
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(ev) if pred(&ev) => return ev,
                Ok(ev) => self.pending.lock().unwrap().push_back(ev),
                Err(_) => panic!(
                    "timed out waiting for {what}; unmatched: {:?}",
                    self.pending.lock().unwrap()
                ),
            }
        }
    }

    /// Every event not yet waited for, oldest first, without waiting.
    pub fn drain(&self) -> Vec<Ev> {
        let mut events: Vec<Ev> = self.pending.lock().unwrap().drain(..).collect();
        events.extend(self.rx.lock().unwrap().try_iter());
        events
    }

    /// Appends received bytes; reports `Done` once the expected count is reached.
    pub fn add_received(&self, id: HP_CONNID, data: &[u8]) {
        let total = {
            let mut r = self.received.lock().unwrap();
            let v = r.entry(id).or_default();
            v.extend_from_slice(data);
            v.len()
        };
        let expected = self.expected.lock().unwrap().get(&id).copied();
        if expected == Some(total) {
            self.send(Ev::Done(id));
        }
    }
}

/// Frees the `Arc<Rec>` attached as user data.
pub unsafe extern "C" fn free_rec(p: PVOID) {
    // SAFETY: `p` came from `Arc::into_raw` in `attach`; the library calls this exactly once.
    let rec = unsafe { Arc::from_raw(p as *const Rec) };
    rec.freed.fetch_add(1, Ordering::SeqCst);
}

/// Attaches `rec` to `object` (the library then owns one reference, released by `free_rec`).
pub fn attach(object: HP_Object, rec: &Arc<Rec>) {
    let raw = Arc::into_raw(rec.clone()) as PVOID;
    assert_eq!(HPX_Object_SetUserData(object, raw, Some(free_rec)), TRUE);
}

/// The recorder of the component sending a callback.
pub fn rec<'a>(sender: HP_Object) -> Option<&'a Rec> {
    let p = HPX_Object_GetUserData(sender) as *const Rec;
    // SAFETY: the tests only attach `Arc<Rec>` pointers, released by `free_rec` after the
    // component's last callback, so the pointer is valid during any callback.
    unsafe { p.as_ref() }
}

/// Starts `server` on 127.0.0.1 and an ephemeral port; returns the port.
#[track_caller]
pub fn start_server(server: HP_Server) -> u16 {
    let addr = c("127.0.0.1");
    // SAFETY: a NUL-terminated string that outlives the call.
    let ok = unsafe { HP_Server_Start(server, addr.as_ptr(), 0) };
    assert_eq!(ok, TRUE, "HP_Server_Start: {:?}", last());
    listen_port(server)
}

/// The listening port of `server`.
#[track_caller]
pub fn listen_port(server: HP_Server) -> u16 {
    let mut buf = [0 as c_char; 64];
    let mut len: c_int = buf.len() as c_int;
    let mut port: USHORT = 0;
    // SAFETY: `buf` holds `len` chars; the out-params are valid locals.
    let ok = unsafe { HP_Server_GetListenAddress(server, buf.as_mut_ptr(), &mut len, &mut port) };
    assert_eq!(ok, TRUE, "HP_Server_GetListenAddress: {:?}", last());
    assert_ne!(port, 0);
    port
}

/// Connects `agent` to 127.0.0.1:`port`; returns the connection ID.
#[track_caller]
pub fn connect(agent: HP_Agent, port: u16) -> HP_CONNID {
    let addr = c("127.0.0.1");
    let mut id: HP_CONNID = 0;
    // SAFETY: a NUL-terminated string and a valid out-param.
    let ok = unsafe { HP_Agent_Connect(agent, addr.as_ptr(), port, &mut id) };
    assert_eq!(ok, TRUE, "HP_Agent_Connect: {:?}", last());
    assert_ne!(id, 0);
    id
}

/// Starts `client` synchronously towards 127.0.0.1:`port`.
#[track_caller]
pub fn start_client(client: HP_Client, port: u16) {
    let addr = c("127.0.0.1");
    // SAFETY: a NUL-terminated string that outlives the call.
    let ok = unsafe { HP_Client_Start(client, addr.as_ptr(), port, FALSE) };
    assert_eq!(ok, TRUE, "HP_Client_Start: {:?}", last());
}

/// The bytes of a callback's `(pData, iLength)`.
pub fn data<'a>(p: *const BYTE, len: c_int) -> &'a [u8] {
    if len <= 0 || p.is_null() {
        return &[];
    }
    // SAFETY: the library passes `len` readable bytes valid for the callback.
    unsafe { std::slice::from_raw_parts(p, len as usize) }
}

/// Deterministic test bytes.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// FNV-1a of `bytes`.
pub fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x1000_0000_01b3)
    })
}
