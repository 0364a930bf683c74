//! What a handle stands for: a component (server, agent, client) or a listener, with its last
//! error and the extension's user data; lookups by shape (`HP_Server_*` accepts any
//! server-shaped object, and so on); and the destroy sequence.

use std::ffi::CString;
use std::sync::{Arc, Mutex, MutexGuard};

use hpsocket_core::{
    ReceiveModel, ServiceState, TcpAgent, TcpClient, TcpServer, TransportKind, UdpNode,
};

use crate::handle::{self, Handle, Kind, Reservation};
use crate::last_error::{DescRing, ErrorRecord, FfiError, Result};
use crate::listener::Callbacks;
use crate::types::{HPX_FN_FreeUserData, HP_Object, LPCTSTR, PVOID};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update under these locks is a single assignment: a poisoned lock is still sound.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The extension's user data: an opaque pointer and the function that frees it.
struct UserData {
    /// The pointer as an integer: the library never dereferences it.
    data: usize,
    free: HPX_FN_FreeUserData,
}

impl UserData {
    fn release(self) {
        if let Some(free) = self.free {
            // SAFETY: `free` was given with `data` by `HPX_Object_SetUserData`, whose contract is
            // that `free(data)` may be called once; `take`-ing the data ensures it is called once.
            unsafe { free(self.data as PVOID) }
        }
    }
}

/// The user data slot; closed once the object's destroy has freed it.
#[derive(Default)]
struct UserSlot {
    data: Option<UserData>,
    closed: bool,
}

/// One object of the library.
pub(crate) struct Object {
    handle: Handle,
    kind: Kind,
    last_error: Mutex<ErrorRecord>,
    /// The description strings `*_GetLastErrorDesc` handed out for this object.
    descriptions: Mutex<DescRing>,
    user_data: Mutex<UserSlot>,
    pub(crate) body: Body,
}

/// The object itself.
pub(crate) enum Body {
    Server(Component<TcpServer>),
    Agent(Component<TcpAgent>),
    Client(Component<TcpClient>),
    Node(Component<UdpNode>),
    ServerListener(Arc<Callbacks>),
    AgentListener(Arc<Callbacks>),
    ClientListener(Arc<Callbacks>),
    NodeListener(Arc<Callbacks>),
    ThreadPool(crate::threadpool::PoolObject),
    ThreadPoolListener(Arc<crate::threadpool::PoolCallbacks>),
    Compressor(crate::compressor::Held<hpsocket_core::codec::Compressor>),
    Decompressor(crate::compressor::Held<hpsocket_core::codec::Decompressor>),
}

impl Object {
    /// Builds the object for `reservation` and publishes its handle.
    pub(crate) fn publish(reservation: Reservation, kind: Kind, body: Body) -> HP_Object {
        let handle = reservation.handle();
        let object = Arc::new(Object {
            handle,
            kind,
            last_error: Mutex::new(ErrorRecord::default()),
            descriptions: Mutex::new(DescRing::default()),
            user_data: Mutex::new(UserSlot::default()),
            body,
        });
        reservation.fill(object);
        handle.as_ptr()
    }

    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    pub(crate) fn handle(&self) -> Handle {
        self.handle
    }

    /// Records a failure of a call on this object, noting which core error it follows.
    pub(crate) fn set_last_error(&self, mut record: ErrorRecord) {
        record.core_seq = self.core_last_error().map_or(0, |(seq, _)| seq);
        *lock(&self.last_error) = record;
    }

    /// The object's last error: the last failed call on it, or the core's last
    /// connection-level failure (a TLS handshake that failed, a timeout...) when that one
    /// happened later.
    pub(crate) fn last_error(&self) -> ErrorRecord {
        let own = lock(&self.last_error).clone();
        match self.core_last_error() {
            Some((seq, e)) if seq > own.core_seq => ErrorRecord {
                code: e.kind() as crate::types::En_HP_SocketError,
                description: e.context().to_string(),
                core_seq: seq,
            },
            _ => own,
        }
    }

    /// The description of [`Object::last_error`] for C, owned by the object: valid until the
    /// object is destroyed, or until it has handed out `DESC_RING_LEN` other descriptions
    /// (so at least three later failures of the object).
    pub(crate) fn last_error_desc(&self) -> LPCTSTR {
        let text = self.last_error().description;
        lock(&self.descriptions).ptr(&text)
    }

    /// The component's numbered last error as the core reports it.
    fn core_last_error(&self) -> Option<(u64, hpsocket_core::Error)> {
        match &self.body {
            Body::Server(c) => c.inner.last_error(),
            Body::Agent(c) => c.inner.last_error(),
            Body::Client(c) => c.inner.last_error(),
            Body::Node(c) => c.inner.last_error(),
            Body::ServerListener(_)
            | Body::AgentListener(_)
            | Body::ClientListener(_)
            | Body::NodeListener(_)
            | Body::ThreadPool(_)
            | Body::ThreadPoolListener(_)
            | Body::Compressor(_)
            | Body::Decompressor(_) => None,
        }
    }

    /// Replaces the user data; the previous data, if any, is freed now (outside the lock, so
    /// its free function may call back into the library). False once the object's destroy
    /// has freed its data: the new data is then not taken.
    pub(crate) fn set_user_data(&self, data: PVOID, free: HPX_FN_FreeUserData) -> bool {
        let new = (!data.is_null() || free.is_some()).then_some(UserData {
            data: data as usize,
            free,
        });
        let old = {
            let mut slot = lock(&self.user_data);
            if slot.closed {
                return false;
            }
            std::mem::replace(&mut slot.data, new)
        };
        if let Some(old) = old {
            old.release();
        }
        true
    }

    pub(crate) fn user_data(&self) -> PVOID {
        lock(&self.user_data)
            .data
            .as_ref()
            .map_or(std::ptr::null_mut(), |u| u.data as PVOID)
    }

    /// Frees the user data for good (the destroy sequence).
    fn free_user_data(&self) {
        let taken = {
            let mut slot = lock(&self.user_data);
            slot.closed = true;
            slot.data.take()
        };
        if let Some(data) = taken {
            data.release();
        }
    }

    /// The names of the shapes, for messages.
    fn describe(&self) -> String {
        format!("{:#x} is an {}", self.handle.value(), self.kind.name())
    }
}

/// The families of `HP_<Scope>_*` functions, each accepting any object of its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Server,
    Agent,
    Client,
    /// `HP_TcpServer_*`: TCP servers (every server of this library is one: PUSH, PULL, PACK,
    /// SSL).
    TcpServer,
    TcpAgent,
    TcpClient,
    /// `HP_TcpPullServer_*`: PULL servers, TCP or SSL.
    PullServer,
    PullAgent,
    PullClient,
    /// `HP_TcpPackServer_*`: PACK servers, TCP or SSL.
    PackServer,
    PackAgent,
    PackClient,
    /// `HP_SSLServer_*`: SSL servers of any receive model.
    SslServer,
    SslAgent,
    SslClient,
    /// `HP_UdpServer_*`: UDP servers.
    UdpServer,
    UdpClient,
    /// `HP_UdpCast_*`: UDP cast clients.
    UdpCast,
    /// `HP_HttpServer_*`: HTTP servers, plain or HTTPS.
    HttpServer,
    HttpAgent,
    HttpClient,
    /// `HP_HttpSyncClient_*`: HTTP sync clients (whose `HP_HttpClient_*` getters work too).
    HttpSyncClient,
    /// `HP_UdpArqServer_*`: ARQ servers (also UDP servers: `HP_UdpServer_*` work on them).
    UdpArqServer,
    UdpArqClient,
    /// `HPX_UdpArqAgent_*`: ARQ agents (an extension).
    UdpArqAgent,
}

/// The component families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Server,
    Agent,
    Client,
}

impl Shape {
    pub(crate) fn family(self) -> Family {
        use Shape::*;
        match self {
            Server | TcpServer | PullServer | PackServer | SslServer | UdpServer | HttpServer
            | UdpArqServer => Family::Server,
            Agent | TcpAgent | PullAgent | PackAgent | SslAgent | HttpAgent | UdpArqAgent => {
                Family::Agent
            }
            Client | TcpClient | PullClient | PackClient | SslClient | UdpClient | UdpCast
            | HttpClient | HttpSyncClient | UdpArqClient => Family::Client,
        }
    }

    /// Whether a component of this family with `model`, `secure` and `transport` fits the
    /// shape.
    fn accepts(self, model: ReceiveModel, secure: bool, transport: TransportKind) -> bool {
        use Shape::*;
        match self {
            Server | Agent | Client => true,
            TcpServer | TcpAgent | TcpClient => transport == TransportKind::Tcp,
            PullServer | PullAgent | PullClient => model == ReceiveModel::Pull,
            PackServer | PackAgent | PackClient => model == ReceiveModel::Pack,
            SslServer | SslAgent | SslClient => secure,
            UdpServer | UdpClient => transport == TransportKind::Udp,
            UdpCast => transport == TransportKind::UdpCast,
            HttpServer | HttpAgent | HttpClient | HttpSyncClient => model == ReceiveModel::Http,
            UdpArqServer | UdpArqClient | UdpArqAgent => model == ReceiveModel::Arq,
        }
    }

    fn wanted(self) -> &'static str {
        match self {
            Shape::Server => "a server",
            Shape::Agent => "an agent",
            Shape::Client => "a client",
            Shape::TcpServer => "a TCP server",
            Shape::TcpAgent => "a TCP agent",
            Shape::TcpClient => "a TCP client",
            Shape::PullServer => "a PULL server",
            Shape::PullAgent => "a PULL agent",
            Shape::PullClient => "a PULL client",
            Shape::PackServer => "a PACK server",
            Shape::PackAgent => "a PACK agent",
            Shape::PackClient => "a PACK client",
            Shape::SslServer => "an SSL server",
            Shape::SslAgent => "an SSL agent",
            Shape::SslClient => "an SSL client",
            Shape::UdpServer => "a UDP server",
            Shape::UdpClient => "a UDP client",
            Shape::UdpCast => "a UDP cast",
            Shape::HttpServer => "an HTTP server",
            Shape::HttpAgent => "an HTTP agent",
            Shape::HttpClient => "an HTTP client",
            Shape::HttpSyncClient => "an HTTP sync client",
            Shape::UdpArqServer => "a UDP ARQ server",
            Shape::UdpArqClient => "a UDP ARQ client",
            Shape::UdpArqAgent => "a UDP ARQ agent",
        }
    }
}

/// A wrong-kind error. It goes to the thread only: the object named is not the one the
/// caller meant, so its own last error is left alone.
fn wrong_shape(object: &Object, wanted: &str) -> FfiError {
    FfiError::invalid(format!("handle {}, not {wanted}", object.describe()))
}

/// Runs `f` on the component `p` of `shape`'s family, whatever that family is: the
/// operations every component has (life cycle, last error, per-connection operations; a
/// client ignores connection IDs).
pub(crate) fn with_component<T>(
    shape: Shape,
    p: HP_Object,
    f: impl FnOnce(&Arc<Object>, &dyn Connections) -> Result<T>,
) -> Result<T> {
    match shape.family() {
        Family::Server => with_server(shape, p, |o, c| f(o, &c.inner)),
        Family::Agent => with_agent(shape, p, |o, c| f(o, &c.inner)),
        Family::Client => with_client(shape, p, |o, c| f(o, &c.inner)),
    }
}

/// Runs `f` on the server-shaped object `p`; its errors are recorded on the object too.
pub(crate) fn with_server<T>(
    shape: Shape,
    p: HP_Object,
    f: impl FnOnce(&Arc<Object>, &Component<TcpServer>) -> Result<T>,
) -> Result<T> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::Server(c)
            if shape.family() == Family::Server
                && shape.accepts(c.inner.model(), c.inner.is_secure(), c.inner.transport()) =>
        {
            f(&object, c).map_err(|e| e.on(&object))
        }
        _ => Err(wrong_shape(&object, shape.wanted())),
    }
}

/// Runs `f` on the agent-shaped object `p`.
pub(crate) fn with_agent<T>(
    shape: Shape,
    p: HP_Object,
    f: impl FnOnce(&Arc<Object>, &Component<TcpAgent>) -> Result<T>,
) -> Result<T> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::Agent(c)
            if shape.family() == Family::Agent
                && shape.accepts(c.inner.model(), c.inner.is_secure(), c.inner.transport()) =>
        {
            f(&object, c).map_err(|e| e.on(&object))
        }
        _ => Err(wrong_shape(&object, shape.wanted())),
    }
}

/// Runs `f` on the client-shaped object `p`.
pub(crate) fn with_client<T>(
    shape: Shape,
    p: HP_Object,
    f: impl FnOnce(&Arc<Object>, &Component<TcpClient>) -> Result<T>,
) -> Result<T> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::Client(c)
            if shape.family() == Family::Client
                && shape.accepts(c.inner.model(), c.inner.is_secure(), c.inner.transport()) =>
        {
            f(&object, c).map_err(|e| e.on(&object))
        }
        _ => Err(wrong_shape(&object, shape.wanted())),
    }
}

/// Runs `f` on the UDP node `p`; its errors are recorded on the node too.
pub(crate) fn with_node<T>(
    p: HP_Object,
    f: impl FnOnce(&Arc<Object>, &Component<UdpNode>) -> Result<T>,
) -> Result<T> {
    let object = handle::resolve(p)?;
    match &object.body {
        Body::Node(c) => f(&object, c).map_err(|e| e.on(&object)),
        _ => Err(wrong_shape(&object, "a UDP node")),
    }
}

/// Runs `f` on any object.
pub(crate) fn with_object<T>(p: HP_Object, f: impl FnOnce(&Arc<Object>) -> Result<T>) -> Result<T> {
    let object = handle::resolve(p)?;
    f(&object).map_err(|e| e.on(&object))
}

/// Refuses an operation that would wait for the component's own callbacks to end.
pub(crate) fn refuse_in_own_callback(object: &Object, what: &str) -> Result<()> {
    let inside = match &object.body {
        Body::Server(c) => c.inner.in_callback(),
        Body::Agent(c) => c.inner.in_callback(),
        Body::Client(c) => c.inner.in_callback(),
        Body::Node(c) => c.inner.in_callback(),
        Body::ThreadPool(p) => p.pool.in_own_thread(),
        _ => false,
    };
    if inside {
        return Err(FfiError::illegal_state(format!(
            "{what} called from one of the component's own callbacks would wait for itself; \
             call it from another thread"
        )));
    }
    Ok(())
}

use hpsocket_core::ops::Connections;
/// What every component has (the core's trait): the destroy sequence and the generic
/// operations need nothing else.
pub(crate) use hpsocket_core::ops::Lifecycle;

/// The cipher list an SSL component keeps for C (`SetSSLCipherList`): handed to the core
/// at the next `SetupSSLContext`/`AddSSLContext`. Every text handed out by
/// `GetSSLCipherList` stays allocated until the component is destroyed, so a pointer
/// returned earlier never dangles.
#[derive(Default)]
pub(crate) struct CipherList {
    texts: Vec<CString>,
    current: Option<usize>,
}

impl CipherList {
    /// Sets the list (`None` or empty: OpenSSL's default).
    pub(crate) fn set(&mut self, list: Option<String>) {
        self.current = match list.filter(|l| !l.trim().is_empty()) {
            None => None,
            Some(l) => {
                let c = CString::new(l).unwrap_or_default();
                Some(match self.texts.iter().position(|t| *t == c) {
                    Some(i) => i,
                    None => {
                        self.texts.push(c);
                        self.texts.len() - 1
                    }
                })
            }
        };
    }

    /// The list for `SslSetup` (`None`: OpenSSL's default).
    pub(crate) fn get(&self) -> Option<String> {
        self.current
            .map(|i| self.texts[i].to_string_lossy().into_owned())
    }

    /// The list for C: valid until the component is destroyed; `"DEFAULT"` (OpenSSL's
    /// name for its default list) when none was set.
    pub(crate) fn as_ptr(&self) -> *const std::ffi::c_char {
        match self.current {
            Some(i) => self.texts[i].as_ptr(),
            None => b"DEFAULT\0".as_ptr().cast(),
        }
    }
}

/// A component and the lock that orders its `Start` against its `Destroy`.
pub(crate) struct Component<C> {
    pub(crate) inner: C,
    /// True once destroyed. Held by `Start` while it runs and by `Destroy` while it stops the
    /// component, so a start racing a destroy either finishes before it or is refused.
    destroyed: Mutex<bool>,
    /// SSL components: the cipher list of `SetSSLCipherList`.
    ciphers: Mutex<CipherList>,
}

impl<C: Lifecycle> Component<C> {
    pub(crate) fn new(inner: C) -> Self {
        Component {
            inner,
            destroyed: Mutex::new(false),
            ciphers: Mutex::new(CipherList::default()),
        }
    }

    /// The cipher list kept for the next SSL setup.
    pub(crate) fn ciphers(&self) -> MutexGuard<'_, CipherList> {
        lock(&self.ciphers)
    }

    /// Runs a start of the component.
    pub(crate) fn start(&self, start: impl FnOnce(&C) -> hpsocket_core::Result<()>) -> Result<()> {
        if self.inner.in_callback() {
            return Err(FfiError::illegal_state(
                "called from one of the component's own callbacks; start it from another thread",
            ));
        }
        let destroyed = lock(&self.destroyed);
        if *destroyed {
            return Err(FfiError::illegal_state("the component is being destroyed"));
        }
        start(&self.inner)?;
        Ok(())
    }

    /// Stops the component for good before it is destroyed; false when another destroy of
    /// the same object already did.
    fn shut_down(&self, object: &Object) -> Result<bool> {
        refuse_in_own_callback(object, "Destroy")?;
        let mut destroyed = lock(&self.destroyed);
        if *destroyed {
            return Ok(false);
        }
        *destroyed = true;
        if self.inner.state() != ServiceState::Stopped {
            // Stopping elsewhere already is fine: the wait below covers it.
            let _ = self.inner.stop();
            let _ = self.inner.wait(None);
        }
        Ok(true)
    }
}

/// Destroys the object `p` of kind `kind`: NULL is ignored; a component is stopped first
/// (every callback has returned when this returns); the handle goes stale; the user data is
/// freed. Wrong kinds and stale handles are errors and change nothing.
pub(crate) fn destroy(p: HP_Object, kind: Kind) -> Result<()> {
    if p.is_null() {
        return Ok(());
    }
    let object = handle::resolve(p)?;
    // Any component of the right role goes (a PACK server through `Destroy_HP_TcpServer`);
    // another role is refused, loudly, and lives on.
    if object.kind().role() != kind.role() {
        return Err(wrong_shape(
            &object,
            &format!(
                "{} (nor any other {}: {} destroys those)",
                kind.name(),
                kind.role(),
                kind.name()
            ),
        ));
    }
    let first = match &object.body {
        Body::Server(c) => c.shut_down(&object),
        Body::Agent(c) => c.shut_down(&object),
        Body::Client(c) => c.shut_down(&object),
        Body::Node(c) => c.shut_down(&object),
        Body::ThreadPool(p) => p.shut_down(),
        Body::ServerListener(_)
        | Body::AgentListener(_)
        | Body::ClientListener(_)
        | Body::NodeListener(_)
        | Body::ThreadPoolListener(_)
        | Body::Compressor(_)
        | Body::Decompressor(_) => Ok(true),
    }
    .map_err(|e| e.on(&object))?;
    if first {
        handle::remove(object.handle());
    }
    object.free_user_data();
    Ok(())
}
