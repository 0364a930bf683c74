//! The bridge between a component's core listener (called on worker threads) and its Python
//! listener object.
//!
//! One [`Bridge`] per component holds every Python object the Rust side keeps: the listener,
//! its bound handler methods, the component's own Python object while it runs (the `sender`
//! of callbacks), and per-connection extra objects. The Python component object traverses and
//! clears it for the garbage collector.
//!
//! Rules that keep it deadlock-free:
//! - `state` is locked only briefly and never while waiting for the GIL or running Python code
//!   (a `Py` that may be the last reference is dropped after the lock is released);
//! - `__traverse__` only `try_lock`s it;
//! - an event whose handler is not set costs one atomic load: no GIL, no allocation.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

use hpsocket_core::http::HttpParseResult;
use hpsocket_core::{ConnId, HandleResult, ReceiveModel, SocketOperation};
use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::PyTraverseError;

use crate::enums::{self, E};
use crate::runtime::{self, Stopper};

/// Which kind of component a bridge serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Server,
    Agent,
    Client,
}

/// Listener events, as bits of [`Bridge::mask`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ev {
    PrepareListen = 0,
    PrepareConnect,
    Accept,
    Connect,
    Handshake,
    Send,
    Receive,
    SendDrained,
    // ARQ components only (partial reliability).
    MessageDropped,
    Close,
    Shutdown,
    // HTTP components only.
    MessageBegin,
    RequestLine,
    StatusLine,
    Header,
    HeadersComplete,
    Body,
    ChunkHeader,
    ChunkComplete,
    MessageComplete,
    Upgrade,
    ParseError,
    WsMessage,
}

const EVENTS: [Ev; 23] = [
    Ev::PrepareListen,
    Ev::PrepareConnect,
    Ev::Accept,
    Ev::Connect,
    Ev::Handshake,
    Ev::Send,
    Ev::Receive,
    Ev::SendDrained,
    Ev::MessageDropped,
    Ev::Close,
    Ev::Shutdown,
    Ev::MessageBegin,
    Ev::RequestLine,
    Ev::StatusLine,
    Ev::Header,
    Ev::HeadersComplete,
    Ev::Body,
    Ev::ChunkHeader,
    Ev::ChunkComplete,
    Ev::MessageComplete,
    Ev::Upgrade,
    Ev::ParseError,
    Ev::WsMessage,
];

impl Ev {
    /// The listener method's name.
    pub(crate) fn method(self) -> &'static str {
        match self {
            Ev::PrepareListen => "on_prepare_listen",
            Ev::PrepareConnect => "on_prepare_connect",
            Ev::Accept => "on_accept",
            Ev::Connect => "on_connect",
            Ev::Handshake => "on_handshake",
            Ev::Send => "on_send",
            Ev::Receive => "on_receive",
            Ev::SendDrained => "on_send_drained",
            Ev::MessageDropped => "on_message_dropped",
            Ev::Close => "on_close",
            Ev::Shutdown => "on_shutdown",
            Ev::MessageBegin => "on_message_begin",
            Ev::RequestLine => "on_request_line",
            Ev::StatusLine => "on_status_line",
            Ev::Header => "on_header",
            Ev::HeadersComplete => "on_headers_complete",
            Ev::Body => "on_body",
            Ev::ChunkHeader => "on_chunk_header",
            Ev::ChunkComplete => "on_chunk_complete",
            Ev::MessageComplete => "on_message_complete",
            Ev::Upgrade => "on_upgrade",
            Ev::ParseError => "on_parse_error",
            Ev::WsMessage => "on_ws_message",
        }
    }

    fn bit(self) -> u32 {
        1 << self as u32
    }

    /// Whether a component of `role` has the event; the HTTP events only with `http` (the
    /// HTTP receive model).
    fn applies_to(self, role: Role, http: bool) -> bool {
        match self {
            Ev::RequestLine => http && role == Role::Server,
            Ev::StatusLine => http && role != Role::Server,
            Ev::MessageBegin
            | Ev::Header
            | Ev::HeadersComplete
            | Ev::Body
            | Ev::ChunkHeader
            | Ev::ChunkComplete
            | Ev::MessageComplete
            | Ev::Upgrade
            | Ev::ParseError
            | Ev::WsMessage => http,
            Ev::PrepareListen | Ev::Accept => role == Role::Server,
            Ev::PrepareConnect | Ev::Connect => role != Role::Server,
            Ev::Shutdown => role != Role::Client,
            _ => true,
        }
    }
}

/// Marks a listener base-class method that does nothing: such a handler counts as not set.
const DEFAULT_MARK: &str = "_hpsocket_default";

#[derive(Default)]
struct State {
    listener: Option<Py<PyAny>>,
    handlers: [Option<Py<PyAny>>; EVENTS.len()],
    /// The component's Python object, from `start` to the end of the run: callbacks get it
    /// as `sender`, and it keeps a running component alive without a Python reference.
    owner: Option<Py<PyAny>>,
    /// Counts runs, so a late `stop` does not end a newer run.
    run: u64,
    /// Between `begin_run` and `start_done`: another start is refused.
    starting: bool,
    /// Objects attached with `set_connection_extra` (or `connect(extra=...)` once adopted).
    extras: HashMap<ConnId, Py<PyAny>>,
    /// `connect(extra=...)` objects, by the token stored as the core connection extra,
    /// until the connection ID is known.
    pending: HashMap<usize, Py<PyAny>>,
    /// A client's `extra`.
    client_extra: Option<Py<PyAny>>,
    /// An SSL server's `server_name_callback`.
    sni: Option<Py<PyAny>>,
}

/// Everything in a [`State`] that holds Python references, taken out to be dropped unlocked.
type Taken = Vec<Py<PyAny>>;

pub(crate) struct Bridge {
    pub(crate) role: Role,
    pub(crate) model: ReceiveModel,
    /// An SSL component.
    pub(crate) secure: bool,
    /// A UDP component (else TCP).
    pub(crate) udp: bool,
    /// Unique per component (registry key).
    pub(crate) uid: u64,
    /// Bits of the events whose handler is set.
    mask: AtomicU32,
    /// Number of entries in `extras` and `pending`: zero means closes need no cleanup.
    extras_live: AtomicUsize,
    state: Mutex<State>,
}

impl Bridge {
    /// The bridge of a TCP component.
    pub(crate) fn new(role: Role, model: ReceiveModel, secure: bool) -> Bridge {
        Bridge::with_transport(role, model, secure, false)
    }

    /// The bridge of a component over TCP, or UDP (`udp`).
    pub(crate) fn with_transport(
        role: Role,
        model: ReceiveModel,
        secure: bool,
        udp: bool,
    ) -> Bridge {
        static NEXT_UID: AtomicU64 = AtomicU64::new(1);
        Bridge {
            role,
            model,
            secure,
            udp,
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            mask: AtomicU32::new(0),
            extras_live: AtomicUsize::new(0),
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ----- listener -------------------------------------------------------------------------

    /// Takes the constructor's listener: None, an instance of the role's listener base class
    /// (`TcpServerListener`, ...), or a duck-typed object with `on_*` methods. An object
    /// without any `on_*` attribute (`listener=42`) is a `TypeError`. A `UserWarning` is
    /// raised for a listener of another role's base class, and for each `on_*` attribute
    /// that matches no event of the component (a misspelt name, with the closest event name
    /// from `difflib`): it would never be called.
    pub(crate) fn adopt_listener(
        &self,
        listener: Option<Bound<'_, PyAny>>,
        class: &str,
    ) -> PyResult<()> {
        if let Some(l) = &listener {
            self.check_listener(l, class)?;
        }
        self.set_listener(listener)
    }

    fn check_listener(&self, l: &Bound<'_, PyAny>, class: &str) -> PyResult<()> {
        let py = l.py();
        let warn = |message: String| -> PyResult<()> {
            let message = std::ffi::CString::new(message).unwrap_or_default();
            let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
            PyErr::warn(py, &category, &message, 1)
        };
        let bases = py.import("hpsocket._listeners")?;
        let all = [
            (Role::Server, "TcpServerListener"),
            (Role::Agent, "TcpAgentListener"),
            (Role::Client, "TcpClientListener"),
        ];
        let mine = all
            .iter()
            .find(|(r, _)| *r == self.role)
            .map_or("", |(_, n)| *n);
        let type_name = l.get_type().name()?.to_string();
        let names: Vec<String> = l
            .dir()?
            .iter()
            .filter_map(|n| n.extract::<String>().ok())
            .filter(|n| n.starts_with("on_"))
            .collect();
        let http = self.model == ReceiveModel::Http;
        let events_of = |role: Option<Role>| -> Vec<&'static str> {
            EVENTS
                .iter()
                .filter(|e| role.is_none_or(|r| e.applies_to(r, http)))
                .map(|e| e.method())
                .collect()
        };
        let mut known = events_of(Some(self.role));
        if !l.is_instance(&bases.getattr(mine)?)? {
            let mut other_role = None;
            for (_, other) in all.iter().filter(|(r, _)| *r != self.role) {
                if l.is_instance(&bases.getattr(*other)?)? {
                    other_role = Some(*other);
                }
            }
            match other_role {
                Some(other) => {
                    warn(format!(
                        "a {class} got a {other} ({type_name}), not a {mine}: only its methods \
                         named like {class} events are called"
                    ))?;
                    // Its base class's other methods are not typos.
                    known = events_of(None);
                }
                None if names.is_empty() => {
                    return Err(PyTypeError::new_err(format!(
                        "listener must be a {mine} (or an object with on_* methods), not \
                         {type_name}"
                    )));
                }
                None => {}
            }
        }
        let mine_events = events_of(Some(self.role));
        let events = mine_events.join(", ");
        for name in names.iter().filter(|n| !known.contains(&n.as_str())) {
            let hint = if let Some(ev) = EVENTS.iter().find(|e| e.method() == name) {
                let kinds: Vec<&str> = [
                    (Role::Server, "servers"),
                    (Role::Agent, "agents"),
                    (Role::Client, "clients"),
                ]
                .iter()
                .filter(|(r, _)| ev.applies_to(*r, true))
                .map(|(_, k)| *k)
                .collect();
                let http_only = [Role::Server, Role::Agent, Role::Client]
                    .iter()
                    .all(|r| !ev.applies_to(*r, false));
                let http = if http_only { " (HTTP components)" } else { "" };
                format!("{name} is an event of {}{http} only", kinds.join(" and "))
            } else {
                let close = py
                    .import("difflib")?
                    .call_method1("get_close_matches", (name, mine_events.clone(), 1))?;
                match close.get_item(0).ok() {
                    Some(m) => format!("did you mean {m}?"),
                    None => "no event has a close name".to_string(),
                }
            };
            warn(format!(
                "{type_name}.{name} matches no event of a {class} and is never called: \
                 {hint} (events: {events})"
            ))?;
        }
        Ok(())
    }

    /// Sets the listener (None: no events) and resolves its handlers.
    pub(crate) fn set_listener(&self, listener: Option<Bound<'_, PyAny>>) -> PyResult<()> {
        let handlers = match &listener {
            Some(l) => self.resolve(l)?,
            None => Default::default(),
        };
        let old = {
            let mut st = self.lock();
            let old_listener = std::mem::replace(&mut st.listener, listener.map(Bound::unbind));
            let old_handlers = std::mem::replace(&mut st.handlers, handlers.0);
            self.mask.store(handlers.1, Ordering::Release);
            (old_listener, old_handlers)
        };
        drop(old);
        Ok(())
    }

    /// Looks the handlers up again (the listener's class may have changed since).
    pub(crate) fn refresh(&self, py: Python<'_>) -> PyResult<()> {
        let listener = self.listener(py);
        self.set_listener(listener.map(|l| l.into_bound(py)))
    }

    pub(crate) fn listener(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.lock().listener.as_ref().map(|l| l.clone_ref(py))
    }

    /// The bound method for each event the listener really implements, and their bits.
    #[allow(clippy::type_complexity)]
    fn resolve(
        &self,
        listener: &Bound<'_, PyAny>,
    ) -> PyResult<([Option<Py<PyAny>>; EVENTS.len()], u32)> {
        let mut handlers: [Option<Py<PyAny>>; EVENTS.len()] = Default::default();
        let mut mask = 0;
        for ev in EVENTS {
            if !ev.applies_to(self.role, self.model == ReceiveModel::Http) {
                continue;
            }
            let method = match listener.getattr(ev.method()) {
                Ok(method) => method,
                Err(e) if e.is_instance_of::<PyAttributeError>(listener.py()) => continue,
                Err(e) => return Err(e),
            };
            if method.is_none() {
                continue;
            }
            if let Ok(mark) = method.getattr(DEFAULT_MARK) {
                if mark.is_truthy()? {
                    continue;
                }
            }
            if !method.is_callable() {
                return Err(PyTypeError::new_err(format!(
                    "listener attribute {:?} must be callable, not {}",
                    ev.method(),
                    method.get_type().name()?
                )));
            }
            handlers[ev as usize] = Some(method.unbind());
            mask |= ev.bit();
        }
        Ok((handlers, mask))
    }

    // ----- runs -----------------------------------------------------------------------------

    /// Marks the start of a run: `owner` becomes the callbacks' `sender`, and the component is
    /// registered for the exit handler. None if a run is already on or being started
    /// (`stopped` says whether the core is stopped: an owner left from a run whose end went
    /// unseen is replaced). [`Bridge::start_done`] must follow.
    pub(crate) fn begin_run(
        &self,
        owner: Py<PyAny>,
        stopper: Stopper,
        stopped: bool,
    ) -> Option<u64> {
        let (run, old) = {
            let mut st = self.lock();
            if st.starting || (st.owner.is_some() && !stopped) {
                return None;
            }
            st.run += 1;
            st.starting = true;
            (st.run, st.owner.replace(owner))
        };
        drop(old);
        runtime::register(self.uid, stopper);
        Some(run)
    }

    /// The core's `start` for `run` returned.
    pub(crate) fn start_done(&self, run: u64) {
        let mut st = self.lock();
        if st.run == run {
            st.starting = false;
        }
    }

    /// The current run's number.
    pub(crate) fn run_number(&self) -> u64 {
        self.lock().run
    }

    /// Ends a run (only `run` if given): drops the owner and the per-connection objects.
    pub(crate) fn end_run(&self, run: Option<u64>) {
        let taken: Taken = {
            let mut st = self.lock();
            if run.is_some_and(|r| r != st.run) || st.owner.is_none() {
                return;
            }
            let mut taken: Taken = st.owner.take().into_iter().collect();
            taken.extend(st.extras.drain().map(|(_, v)| v));
            taken.extend(st.pending.drain().map(|(_, v)| v));
            self.extras_live.store(0, Ordering::Release);
            taken
        };
        let stopper = runtime::unregister(self.uid);
        drop(stopper);
        drop(taken);
    }

    // ----- callbacks --------------------------------------------------------------------------

    pub(crate) fn wants(&self, ev: Ev) -> bool {
        self.mask.load(Ordering::Acquire) & ev.bit() != 0 && !runtime::python_gone()
    }

    /// The handler of `ev` and the sender to pass it.
    fn handler<'py>(
        &self,
        py: Python<'py>,
        ev: Ev,
    ) -> Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let (handler, owner) = {
            let st = self.lock();
            let handler = st.handlers[ev as usize].as_ref()?.clone_ref(py);
            (handler, st.owner.as_ref().map(|o| o.clone_ref(py)))
        };
        let owner = match owner {
            Some(o) => o.into_bound(py),
            None => py.None().into_bound(py),
        };
        Some((handler.into_bound(py), owner))
    }

    /// Runs the handler of an event whose result matters. Unset: `HR_IGNORE` at the cost of
    /// one atomic load. An exception (or a result that is not a `HandleResult`, an `int` or
    /// `None`) goes to `sys.unraisablehook` and counts as `HR_ERROR`.
    pub(crate) fn dispatch<F>(&self, ev: Ev, call: F) -> HandleResult
    where
        F: for<'py> FnOnce(&Bound<'py, PyAny>, Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    {
        self.run(
            ev,
            HandleResult::Ignore,
            HandleResult::Error,
            handle_result,
            call,
        )
    }

    /// Runs the handler of an HTTP event: unset, `HPR_OK`; an exception (or a result that is
    /// not an `HttpParseResult`, an `int` or `None`) is reported and counts as `HPR_ERROR`.
    pub(crate) fn dispatch_http<F>(&self, ev: Ev, call: F) -> HttpParseResult
    where
        F: for<'py> FnOnce(&Bound<'py, PyAny>, Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    {
        self.run(
            ev,
            HttpParseResult::Ok,
            HttpParseResult::Error,
            parse_result,
            call,
        )
    }

    fn run<R, F>(
        &self,
        ev: Ev,
        unset: R,
        failed: R,
        convert: fn(&Bound<'_, PyAny>) -> PyResult<R>,
        call: F,
    ) -> R
    where
        R: Copy,
        F: for<'py> FnOnce(&Bound<'py, PyAny>, Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    {
        if !self.wants(ev) {
            return unset;
        }
        Python::try_attach(|py| {
            let Some((handler, sender)) = self.handler(py, ev) else {
                return unset;
            };
            match call(&handler, sender).and_then(|v| convert(&v)) {
                Ok(result) => result,
                Err(e) => {
                    e.write_unraisable(py, Some(&handler));
                    failed
                }
            }
        })
        .unwrap_or(unset)
    }

    /// Runs the handler of an event whose result is ignored.
    pub(crate) fn notify<F>(&self, ev: Ev, call: F)
    where
        F: for<'py> FnOnce(&Bound<'py, PyAny>, Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    {
        if !self.wants(ev) {
            return;
        }
        Python::try_attach(|py| self.notify_attached(py, ev, call));
    }

    fn notify_attached<F>(&self, py: Python<'_>, ev: Ev, call: F)
    where
        F: for<'py> FnOnce(&Bound<'py, PyAny>, Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>>,
    {
        if let Some((handler, sender)) = self.handler(py, ev) {
            if let Err(e) = call(&handler, sender) {
                e.write_unraisable(py, Some(&handler));
            }
        }
    }

    /// `on_close`: the handler, then the connection's extra objects are dropped; for a client
    /// (`ends_run`) the run ends too, since a client stops when its connection closes.
    /// `token` reads the core connection extra (a pending `connect(extra=...)` token).
    pub(crate) fn close(
        &self,
        id: ConnId,
        operation: SocketOperation,
        code: i32,
        token: impl FnOnce() -> usize,
        ends_run: bool,
    ) {
        let call = self.wants(Ev::Close);
        let extras = self.extras_live.load(Ordering::Acquire) > 0;
        if !(call || extras || ends_run) || runtime::python_gone() {
            return;
        }
        let token = if extras { token() } else { 0 };
        Python::try_attach(|py| {
            if call {
                self.notify_attached(py, Ev::Close, |h, sender| {
                    let op = enums::member(h.py(), E::SocketOperation, operation as i32);
                    let code = crate::errors::errno_value(h.py(), code);
                    h.call1((sender, id, op, code))
                });
            }
            if extras {
                self.forget_connection(id, token);
            }
            if ends_run {
                self.end_run(None);
            }
        });
    }

    /// `on_shutdown`, the last event of a server or agent run: the handler, then the run ends.
    pub(crate) fn shutdown(&self) {
        if runtime::python_gone() {
            return;
        }
        let call = self.wants(Ev::Shutdown);
        Python::try_attach(|py| {
            if call {
                self.notify_attached(py, Ev::Shutdown, |h, sender| h.call1((sender,)));
            }
            self.end_run(None);
        });
    }

    // ----- per-connection objects -------------------------------------------------------------

    fn count_extras(&self, st: &State) {
        self.extras_live
            .store(st.extras.len() + st.pending.len(), Ordering::Release);
    }

    /// Attaches `value` to a connection (None: detaches).
    pub(crate) fn set_extra(&self, id: ConnId, value: Option<Py<PyAny>>) {
        let old = {
            let mut st = self.lock();
            let old = match value {
                Some(v) => st.extras.insert(id, v),
                None => st.extras.remove(&id),
            };
            self.count_extras(&st);
            old
        };
        drop(old);
    }

    /// The object attached to a connection; `token` reads the core connection extra, to adopt
    /// an object given to `connect(extra=...)`.
    pub(crate) fn get_extra(&self, py: Python<'_>, id: ConnId, token: usize) -> Option<Py<PyAny>> {
        let mut st = self.lock();
        if let Some(v) = st.extras.get(&id) {
            return Some(v.clone_ref(py));
        }
        let v = st.pending.remove(&token)?;
        let out = v.clone_ref(py);
        st.extras.insert(id, v);
        self.count_extras(&st);
        Some(out)
    }

    /// Keeps `value` until the connection being made gets its ID; returns the token to store
    /// as the core connection extra.
    pub(crate) fn add_pending(&self, value: Py<PyAny>) -> usize {
        static NEXT_TOKEN: AtomicUsize = AtomicUsize::new(1);
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed).max(1);
        let mut st = self.lock();
        st.pending.insert(token, value);
        self.count_extras(&st);
        token
    }

    /// After `connect` returned: files the pending object under the connection ID (unless the
    /// connection already closed, or failed: then it is dropped).
    pub(crate) fn settle_pending(&self, token: usize, id: Option<ConnId>, alive: bool) {
        let old = {
            let mut st = self.lock();
            let old = st.pending.remove(&token);
            let old = match (old, id) {
                (Some(v), Some(id)) if alive => st.extras.insert(id, v),
                (v, _) => v,
            };
            self.count_extras(&st);
            old
        };
        drop(old);
    }

    fn forget_connection(&self, id: ConnId, token: usize) {
        let old = {
            let mut st = self.lock();
            let a = st.extras.remove(&id);
            let b = if token != 0 {
                st.pending.remove(&token)
            } else {
                None
            };
            self.count_extras(&st);
            (a, b)
        };
        drop(old);
    }

    pub(crate) fn client_extra(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.lock().client_extra.as_ref().map(|v| v.clone_ref(py))
    }

    pub(crate) fn set_client_extra(&self, value: Option<Py<PyAny>>) {
        let old = std::mem::replace(&mut self.lock().client_extra, value);
        drop(old);
    }

    // ----- SSL server names ------------------------------------------------------------------

    /// Sets (or clears) the Python SNI callback.
    pub(crate) fn set_server_name_callback(&self, callback: Option<Py<PyAny>>) {
        let old = std::mem::replace(&mut self.lock().sni, callback);
        drop(old);
    }

    /// The core's SNI callback: runs the Python one on the worker doing the handshake. Its
    /// result is the context index (0 default, > 0 from `add_ssl_context`, < 0 abort); an
    /// exception (or a result that is not an int) is reported and aborts the handshake.
    pub(crate) fn server_name(&self, name: &str) -> i32 {
        if runtime::python_gone() {
            return -1;
        }
        Python::try_attach(|py| {
            let Some(callback) = self.lock().sni.as_ref().map(|c| c.clone_ref(py)) else {
                return 0;
            };
            let callback = callback.into_bound(py);
            match callback.call1((name,)).and_then(|v| v.extract::<i32>()) {
                Ok(index) => index,
                Err(e) => {
                    e.write_unraisable(py, Some(&callback));
                    -1
                }
            }
        })
        .unwrap_or(-1)
    }

    // ----- garbage collector --------------------------------------------------------------------

    /// Visits every Python object held, unless the component runs: a running component is
    /// referenced by its worker threads, so it and what it holds are alive whatever Python
    /// code references. (Not visiting an edge only makes the collector more conservative.)
    pub(crate) fn traverse(
        &self,
        visit: &PyVisit<'_>,
        running: bool,
    ) -> Result<(), PyTraverseError> {
        if running {
            return Ok(());
        }
        let st = match self.state.try_lock() {
            Ok(st) => st,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return Ok(()),
        };
        visit.call(&st.listener)?;
        for h in &st.handlers {
            visit.call(h)?;
        }
        visit.call(&st.owner)?;
        for v in st.extras.values() {
            visit.call(v)?;
        }
        for v in st.pending.values() {
            visit.call(v)?;
        }
        visit.call(&st.client_extra)?;
        visit.call(&st.sni)?;
        Ok(())
    }

    /// Drops every Python object held (the collector breaking a cycle); a running component
    /// keeps its owner and listener.
    pub(crate) fn clear(&self, running: bool) {
        if running {
            return;
        }
        let taken: Taken = {
            let mut st = self.lock();
            self.mask.store(0, Ordering::Release);
            let mut taken: Taken = Vec::new();
            taken.extend(st.listener.take());
            taken.extend(st.handlers.iter_mut().filter_map(Option::take));
            taken.extend(st.owner.take());
            taken.extend(st.extras.drain().map(|(_, v)| v));
            taken.extend(st.pending.drain().map(|(_, v)| v));
            taken.extend(st.client_extra.take());
            taken.extend(st.sni.take());
            self.extras_live.store(0, Ordering::Release);
            taken
        };
        let stopper = runtime::unregister(self.uid);
        drop(stopper);
        drop(taken);
    }
}

/// A handler's return value: None is `HR_OK`; any int (a `HandleResult` member included)
/// follows HP-Socket (only `HR_ERROR` is an error).
fn handle_result(value: &Bound<'_, PyAny>) -> PyResult<HandleResult> {
    if value.is_none() {
        return Ok(HandleResult::Ok);
    }
    match value.extract::<i64>() {
        Ok(code) => Ok(HandleResult::from_code(
            code.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
        )),
        Err(_) => Err(PyTypeError::new_err(format!(
            "a listener method must return a HandleResult or None, not {}",
            value.get_type().name()?
        ))),
    }
}

/// An HTTP handler's return value: None is `HPR_OK`; any int (an `HttpParseResult` member
/// included) follows HP-Socket (unknown codes count as `HPR_OK`).
fn parse_result(value: &Bound<'_, PyAny>) -> PyResult<HttpParseResult> {
    if value.is_none() {
        return Ok(HttpParseResult::Ok);
    }
    match value.extract::<i64>() {
        Ok(code) => Ok(HttpParseResult::from_code(
            code.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
        )),
        Err(_) => Err(PyTypeError::new_err(format!(
            "an HTTP listener method must return an HttpParseResult or None, not {}",
            value.get_type().name()?
        ))),
    }
}
