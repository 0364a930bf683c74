//! The SSL components of `HPSocket4C-SSL.h`: `Create_HP_SSL{,Pull,Pack}{Server,Agent,Client}`
//! and the `HP_SSLServer_*`, `HP_SSLAgent_*`, `HP_SSLClient_*` functions, over the core's
//! OpenSSL-backed TLS. SSL components take the TCP listeners and are also servers, agents and
//! clients of their model (`HP_Server_*`, `HP_TcpPullServer_Fetch`, `HP_TcpPackServer_*`, ...
//! accept them).
//!
//! `GetSSLSessionInfo` returns OpenSSL's own objects (`SSL_CTX*`, `X509*`, ...), borrowed
//! exactly as HP-Socket returns them: the caller never frees them.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::{Arc, MutexGuard};

use foreign_types::ForeignTypeRef;
use hpsocket_core::openssl::ssl::{SslContextRef, SslRef};
use hpsocket_core::{
    ConnId, Pem, ReceiveModel, ServerNameCallback, SslSetup, TcpAgent, TcpClient, TcpServer,
};

use crate::args;
use crate::boundary;
use crate::handle::{Handle, Kind};
use crate::last_error::{FfiError, Result};
use crate::listener::Active;
use crate::object::{self, CipherList, Component, Family, Object, Shape};
use crate::types::*;
use crate::{agent, client, server};

// Getters of libssl (linked through the `openssl` crate) that the `openssl` crate does not
// wrap. All of them only read the object they are given.
extern "C" {
    fn SSL_CTX_get_ssl_method(ctx: *const c_void) -> *const c_void;
    fn SSL_CTX_get_ciphers(ctx: *const c_void) -> *mut c_void;
    fn SSL_CTX_get_cert_store(ctx: *const c_void) -> *mut c_void;
    fn SSL_get_servername_type(ssl: *const c_void) -> c_int;
    fn SSL_get_servername(ssl: *const c_void, name_type: c_int) -> *const c_char;
    fn SSL_get_version(ssl: *const c_void) -> *const c_char;
    fn SSL_get_ssl_method(ssl: *const c_void) -> *const c_void;
    fn SSL_get_ciphers(ssl: *const c_void) -> *mut c_void;
    fn SSL_get_client_ciphers(ssl: *const c_void) -> *mut c_void;
    fn SSL_get0_verified_chain(ssl: *const c_void) -> *mut c_void;
}

// ---------------------------------------------------------------------------------------
// What the three families share

/// The TLS operations of an SSL server, agent or client.
trait Secure {
    fn setup(&self, setup: &SslSetup, sni: Option<ServerNameCallback>)
        -> hpsocket_core::Result<()>;
    fn cleanup(&self);
    fn handshake(&self, id: ConnId) -> hpsocket_core::Result<()>;
    fn auto_handshake(&self) -> bool;
    fn set_auto_handshake(&self, on: bool) -> hpsocket_core::Result<()>;
    /// Runs `f` on the session of connection `id` (a client's own connection: `id` unused).
    fn session(&self, id: ConnId, f: &mut dyn FnMut(&SslRef)) -> hpsocket_core::Result<()>;
    fn context(&self, f: &mut dyn FnMut(&SslContextRef)) -> hpsocket_core::Result<()>;
    fn ciphers(&self) -> MutexGuard<'_, CipherList>;
}

impl Secure for Component<TcpServer> {
    fn setup(
        &self,
        setup: &SslSetup,
        sni: Option<ServerNameCallback>,
    ) -> hpsocket_core::Result<()> {
        self.inner.setup_ssl_context(setup, sni)
    }
    fn cleanup(&self) {
        self.inner.cleanup_ssl_context()
    }
    fn handshake(&self, id: ConnId) -> hpsocket_core::Result<()> {
        self.inner.start_ssl_handshake(id)
    }
    fn auto_handshake(&self) -> bool {
        self.inner.config().socket.ssl_auto_handshake
    }
    fn set_auto_handshake(&self, on: bool) -> hpsocket_core::Result<()> {
        self.inner
            .update_config(|c| c.socket.ssl_auto_handshake = on)
    }
    fn session(&self, id: ConnId, f: &mut dyn FnMut(&SslRef)) -> hpsocket_core::Result<()> {
        self.inner.with_ssl_session(id, |s| f(s))
    }
    fn context(&self, f: &mut dyn FnMut(&SslContextRef)) -> hpsocket_core::Result<()> {
        self.inner.with_ssl_context(|c| f(c))
    }
    fn ciphers(&self) -> MutexGuard<'_, CipherList> {
        Component::ciphers(self)
    }
}

impl Secure for Component<TcpAgent> {
    fn setup(&self, setup: &SslSetup, _: Option<ServerNameCallback>) -> hpsocket_core::Result<()> {
        self.inner.setup_ssl_context(setup)
    }
    fn cleanup(&self) {
        self.inner.cleanup_ssl_context()
    }
    fn handshake(&self, id: ConnId) -> hpsocket_core::Result<()> {
        self.inner.start_ssl_handshake(id)
    }
    fn auto_handshake(&self) -> bool {
        self.inner.config().socket.ssl_auto_handshake
    }
    fn set_auto_handshake(&self, on: bool) -> hpsocket_core::Result<()> {
        self.inner
            .update_config(|c| c.socket.ssl_auto_handshake = on)
    }
    fn session(&self, id: ConnId, f: &mut dyn FnMut(&SslRef)) -> hpsocket_core::Result<()> {
        self.inner.with_ssl_session(id, |s| f(s))
    }
    fn context(&self, f: &mut dyn FnMut(&SslContextRef)) -> hpsocket_core::Result<()> {
        self.inner.with_ssl_context(|c| f(c))
    }
    fn ciphers(&self) -> MutexGuard<'_, CipherList> {
        Component::ciphers(self)
    }
}

impl Secure for Component<TcpClient> {
    fn setup(&self, setup: &SslSetup, _: Option<ServerNameCallback>) -> hpsocket_core::Result<()> {
        self.inner.setup_ssl_context(setup)
    }
    fn cleanup(&self) {
        self.inner.cleanup_ssl_context()
    }
    fn handshake(&self, _: ConnId) -> hpsocket_core::Result<()> {
        self.inner.start_ssl_handshake()
    }
    fn auto_handshake(&self) -> bool {
        self.inner.config().socket.ssl_auto_handshake
    }
    fn set_auto_handshake(&self, on: bool) -> hpsocket_core::Result<()> {
        self.inner
            .update_config(|c| c.socket.ssl_auto_handshake = on)
    }
    fn session(&self, _: ConnId, f: &mut dyn FnMut(&SslRef)) -> hpsocket_core::Result<()> {
        self.inner.with_ssl_session(|s| f(s))
    }
    fn context(&self, f: &mut dyn FnMut(&SslContextRef)) -> hpsocket_core::Result<()> {
        self.inner.with_ssl_context(|c| f(c))
    }
    fn ciphers(&self) -> MutexGuard<'_, CipherList> {
        Component::ciphers(self)
    }
}

/// Runs `f` on the SSL component `p` of `family`; its errors are recorded on it too.
fn with_ssl<T>(
    family: Family,
    p: HP_Object,
    f: impl FnOnce(&Arc<Object>, &dyn Secure) -> Result<T>,
) -> Result<T> {
    match family {
        Family::Server => object::with_server(Shape::SslServer, p, |o, c| f(o, c)),
        Family::Agent => object::with_agent(Shape::SslAgent, p, |o, c| f(o, c)),
        Family::Client => object::with_client(Shape::SslClient, p, |o, c| f(o, c)),
    }
}

/// Where the PEM arguments of a `SetupSSLContext`/`AddSSLContext` come from.
#[derive(Clone, Copy)]
enum Source {
    /// File names (`lpszPemCertFile`, ...; the CA may be a directory).
    Files,
    /// PEM text (`...ByMemory`).
    Memory,
}

/// The C arguments of a setup.
struct SetupArgs {
    verify: c_int,
    cert: LPCTSTR,
    key: LPCTSTR,
    password: LPCTSTR,
    ca: LPCTSTR,
    source: Source,
}

/// One optional PEM argument: NULL or empty means none, as in HP-Socket.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn pem(p: LPCTSTR, name: &str, source: Source) -> Result<Option<Pem>> {
    // SAFETY: per this function's contract.
    let text = unsafe { args::opt_str(p, name) }?.filter(|t| !t.is_empty());
    Ok(text.map(|t| match source {
        Source::Files => Pem::File(t.into()),
        Source::Memory => Pem::Memory(t),
    }))
}

impl SetupArgs {
    /// The core's setup, with the cipher list kept by the component.
    ///
    /// # Safety
    /// Every string is NULL or NUL-terminated.
    unsafe fn build(&self, cipher_list: Option<String>) -> Result<SslSetup> {
        let (cert_name, key_name, ca_name) = match self.source {
            Source::Files => (
                "lpszPemCertFile",
                "lpszPemKeyFile",
                "lpszCAPemCertFileOrPath",
            ),
            Source::Memory => ("lpszPemCert", "lpszPemKey", "lpszCAPemCert"),
        };
        Ok(SslSetup {
            verify_mode: self.verify,
            // SAFETY: per this function's contract (all four).
            certificate: unsafe { pem(self.cert, cert_name, self.source) }?,
            // SAFETY: as above.
            private_key: unsafe { pem(self.key, key_name, self.source) }?,
            // SAFETY: as above.
            key_password: unsafe { args::opt_str(self.password, "lpszKeyPassword") }?
                .filter(|p| !p.is_empty()),
            // SAFETY: as above.
            ca: unsafe { pem(self.ca, ca_name, self.source) }?,
            cipher_list,
        })
    }
}

thread_local! {
    /// The server whose SNI callback runs on this thread (0: none). Its connection's TLS
    /// session is locked meanwhile, so session lookups of that server are refused instead of
    /// waiting for themselves.
    static IN_SNI: Cell<u64> = const { Cell::new(0) };
}

/// Marks an SNI callback of `server` as running on this thread until dropped.
struct InSni(u64);

impl InSni {
    fn enter(server: Handle) -> InSni {
        InSni(IN_SNI.with(|c| c.replace(server.value())))
    }
}

impl Drop for InSni {
    fn drop(&mut self) {
        IN_SNI.with(|c| c.set(self.0));
    }
}

/// Wraps the C SNI callback for the core; `pContext` is the server's handle. The call is
/// marked as one of the server's callbacks, so Stop/Wait/Destroy of it inside are refused.
fn sni(f: HP_Fn_SNI_ServerNameCallback, server: Handle) -> Option<ServerNameCallback> {
    let f = f?;
    Some(Arc::new(move |name: &str| {
        let name = CString::new(name).unwrap_or_default();
        let _active = Active::enter(server);
        let _sni = InSni::enter(server);
        // SAFETY: a callback the application set with the signature of its typedef; `name`
        // is a NUL-terminated string alive for the call.
        unsafe { f(name.as_ptr(), server.as_ptr()) }
    }))
}

/// `SetupSSLContext` and `...ByMemory` of any family (`sni`: servers only).
///
/// # Safety
/// The strings of `args` are NULL or NUL-terminated.
unsafe fn setup(
    family: Family,
    p: HP_Object,
    args: SetupArgs,
    sni_fn: HP_Fn_SNI_ServerNameCallback,
) -> Result<BOOL> {
    with_ssl(family, p, |o, c| {
        let list = c.ciphers().get();
        // SAFETY: per this function's contract.
        let setup = unsafe { args.build(list) }?;
        c.setup(&setup, sni(sni_fn, o.handle()))?;
        Ok(TRUE)
    })
}

/// `AddSSLContext` and `...ByMemory`: the new index (1, 2, ...).
///
/// # Safety
/// The strings of `args` are NULL or NUL-terminated.
unsafe fn add_context(p: HP_Object, args: SetupArgs) -> Result<c_int> {
    object::with_server(Shape::SslServer, p, |_, c| {
        let list = c.ciphers().get();
        // SAFETY: per this function's contract.
        let setup = unsafe { args.build(list) }?;
        let index = c.inner.add_ssl_context(&setup)?;
        Ok(c_int::try_from(index).unwrap_or(c_int::MAX))
    })
}

fn cleanup(family: Family, p: HP_Object) -> Result<()> {
    with_ssl(family, p, |_, c| {
        c.cleanup();
        Ok(())
    })
}

fn start_handshake(family: Family, p: HP_Object, id: HP_CONNID) -> Result<BOOL> {
    with_ssl(family, p, |_, c| {
        c.handshake(conn_id(id))?;
        Ok(TRUE)
    })
}

fn set_auto_handshake(family: Family, p: HP_Object, on: BOOL) -> Result<()> {
    with_ssl(family, p, |_, c| Ok(c.set_auto_handshake(args::flag(on))?))
}

fn is_auto_handshake(family: Family, p: HP_Object) -> Result<BOOL> {
    with_ssl(family, p, |_, c| Ok(to_bool(c.auto_handshake())))
}

/// # Safety
/// `list` is NULL or NUL-terminated.
unsafe fn set_cipher_list(family: Family, p: HP_Object, list: LPCTSTR) -> Result<()> {
    with_ssl(family, p, |_, c| {
        // SAFETY: per this function's contract.
        let list = unsafe { args::opt_str(list, "lpszCipherList") }?;
        c.ciphers().set(list);
        Ok(())
    })
}

fn cipher_list(family: Family, p: HP_Object) -> Result<LPCTSTR> {
    with_ssl(family, p, |_, c| Ok(c.ciphers().as_ptr()))
}

/// What `GetSSLSessionInfo` returns for an invalid handle: an empty static string.
const NO_TEXT: LPCTSTR = b"\0".as_ptr() as LPCTSTR;

// ---------------------------------------------------------------------------------------
// GetSSLSessionInfo

/// Items 0..=3 describe an `SSL_CTX`.
fn is_context_item(info: En_HP_SSLSessionInfo) -> bool {
    (SSL_SSI_CTX..=SSL_SSI_CTX_CERT_STORE).contains(&info)
}

/// A context item of `ctx`.
fn context_item(info: En_HP_SSLSessionInfo, ctx: &SslContextRef) -> PVOID {
    let p = ctx.as_ptr().cast::<c_void>();
    // SAFETY: `p` is a live `SSL_CTX` for the duration of this call (borrowed from the core,
    // which keeps it referenced); the getters only read it and return objects it owns.
    unsafe {
        match info {
            SSL_SSI_CTX => p,
            SSL_SSI_CTX_METHOD => SSL_CTX_get_ssl_method(p).cast_mut(),
            SSL_SSI_CTX_CIPHERS => SSL_CTX_get_ciphers(p),
            SSL_SSI_CTX_CERT_STORE => SSL_CTX_get_cert_store(p),
            _ => std::ptr::null_mut(),
        }
    }
}

/// A session (or its context's) item of `ssl`.
fn session_item(info: En_HP_SSLSessionInfo, ssl: &SslRef) -> PVOID {
    if is_context_item(info) {
        return context_item(info, ssl.ssl_context());
    }
    let p = ssl.as_ptr().cast::<c_void>();
    let null = std::ptr::null_mut::<c_void>();
    match info {
        SSL_SSI_SERVER_NAME_TYPE => {
            // SAFETY: `p` is the live session the core lent us; the getter only reads it.
            let kind = unsafe { SSL_get_servername_type(p) };
            // HP-Socket stores the int in the pointer itself.
            kind as isize as PVOID
        }
        SSL_SSI_SERVER_NAME => {
            // SAFETY: as above; the name is owned by the session.
            unsafe {
                match SSL_get_servername_type(p) {
                    -1 => null,
                    kind => SSL_get_servername(p, kind).cast_mut().cast(),
                }
            }
        }
        // SAFETY: as above; the version text is a static string of OpenSSL.
        SSL_SSI_VERSION => unsafe { SSL_get_version(p) }.cast_mut().cast(),
        // SAFETY: as above.
        SSL_SSI_METHOD => unsafe { SSL_get_ssl_method(p) }.cast_mut(),
        SSL_SSI_CERT => ssl.certificate().map_or(null, |c| c.as_ptr().cast()),
        SSL_SSI_PKEY => ssl.private_key().map_or(null, |k| k.as_ptr().cast()),
        SSL_SSI_CURRENT_CIPHER => ssl.current_cipher().map_or(null, |c| c.as_ptr().cast()),
        // SAFETY: as above.
        SSL_SSI_CIPHERS => unsafe { SSL_get_ciphers(p) },
        // SAFETY: as above.
        SSL_SSI_CLIENT_CIPHERS => unsafe { SSL_get_client_ciphers(p) },
        // The session keeps its own reference to the peer's certificate, so the pointer stays
        // valid after the reference taken here is dropped (HP-Socket does the same).
        SSL_SSI_PEER_CERT => ssl.peer_certificate().map_or(null, |c| c.as_ptr().cast()),
        SSL_SSI_PEER_CERT_CHAIN => ssl.peer_cert_chain().map_or(null, |c| c.as_ptr().cast()),
        // SAFETY: as above; the chain is owned by the session.
        SSL_SSI_VERIFIED_CHAIN => unsafe { SSL_get0_verified_chain(p) },
        _ => null,
    }
}

/// `GetSSLSessionInfo` of any family. `id` is `None` for a client (its own connection).
/// Context items of a server or agent with `dwConnID` 0, or of a client without a
/// connection, describe the component's default context.
///
/// # Safety
/// `out` is NULL or writable for a `PVOID`.
unsafe fn session_info(
    family: Family,
    p: HP_Object,
    id: Option<HP_CONNID>,
    info: En_HP_SSLSessionInfo,
    out: *mut PVOID,
) -> Result<BOOL> {
    let out = args::out(out, "lppInfo")?;
    // SAFETY: writable per this function's contract.
    unsafe { out.set(std::ptr::null_mut()) };
    with_ssl(family, p, |o, c| {
        if !(SSL_SSI_MIN..=SSL_SSI_MAX).contains(&info) {
            return Err(FfiError::invalid(format!(
                "enInfo {info} is not an En_HP_SSLSessionInfo value \
                 ({SSL_SSI_MIN}..={SSL_SSI_MAX})"
            )));
        }
        let mut value = std::ptr::null_mut();
        let context_only = is_context_item(info) && id == Some(0);
        if !context_only && IN_SNI.with(Cell::get) == o.handle().value() {
            return Err(FfiError::illegal_state(
                "called from the server's SNI callback: the session being handshaken is \
                 locked until the callback returns (context items with dwConnID 0 work)",
            ));
        }
        let from_session = if context_only {
            None
        } else {
            Some(c.session(conn_id(id.unwrap_or(0)), &mut |s| {
                value = session_item(info, s)
            }))
        };
        match from_session {
            Some(Ok(())) => {}
            Some(Err(e)) if !(is_context_item(info) && id.is_none()) => return Err(e.into()),
            // A server/agent asked with connection 0, or a client with no session: the
            // default context.
            _ => c.context(&mut |ctx| value = context_item(info, ctx))?,
        }
        // SAFETY: writable per this function's contract.
        unsafe { out.set(value) };
        Ok(TRUE)
    })
}

// ---------------------------------------------------------------------------------------
// Create and Destroy

/// Creates an SSL server (PUSH model) reporting to `pListener`, a server listener. Call
/// `HP_SSLServer_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLServer(pListener: HP_TcpServerListener) -> HP_SSLServer {
    server::create(
        "Create_HP_SSLServer",
        Kind::SslServer,
        pListener,
        ReceiveModel::Push,
        true,
    )
}

/// Destroys an SSL server (PUSH model): stops it first if it runs (see `Destroy_HP_TcpServer`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLServer(pServer: HP_SSLServer) {
    boundary::call("Destroy_HP_SSLServer", (), || {
        object::destroy(pServer, Kind::SslServer)
    })
}

/// Creates an SSL agent (PUSH model) reporting to `pListener`, an agent listener. Call
/// `HP_SSLAgent_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLAgent(pListener: HP_TcpAgentListener) -> HP_SSLAgent {
    agent::create(
        "Create_HP_SSLAgent",
        Kind::SslAgent,
        pListener,
        ReceiveModel::Push,
        true,
    )
}

/// Destroys an SSL agent (PUSH model): stops it first if it runs (see `Destroy_HP_TcpAgent`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLAgent(pAgent: HP_SSLAgent) {
    boundary::call("Destroy_HP_SSLAgent", (), || {
        object::destroy(pAgent, Kind::SslAgent)
    })
}

/// Creates an SSL client (PUSH model) reporting to `pListener`, a client listener. Call
/// `HP_SSLClient_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLClient(pListener: HP_TcpClientListener) -> HP_SSLClient {
    client::create(
        "Create_HP_SSLClient",
        Kind::SslClient,
        pListener,
        ReceiveModel::Push,
        true,
    )
}

/// Destroys an SSL client (PUSH model): stops it first if it runs (see `Destroy_HP_TcpClient`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLClient(pClient: HP_SSLClient) {
    boundary::call("Destroy_HP_SSLClient", (), || {
        object::destroy(pClient, Kind::SslClient)
    })
}

/// Creates an SSL PULL server reporting to `pListener`, a server listener. Call
/// `HP_SSLServer_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLPullServer(pListener: HP_TcpPullServerListener) -> HP_SSLPullServer {
    server::create(
        "Create_HP_SSLPullServer",
        Kind::SslPullServer,
        pListener,
        ReceiveModel::Pull,
        true,
    )
}

/// Destroys an SSL PULL server: stops it first if it runs (see `Destroy_HP_TcpServer`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLPullServer(pServer: HP_SSLPullServer) {
    boundary::call("Destroy_HP_SSLPullServer", (), || {
        object::destroy(pServer, Kind::SslPullServer)
    })
}

/// Creates an SSL PULL agent reporting to `pListener`, an agent listener. Call
/// `HP_SSLAgent_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLPullAgent(pListener: HP_TcpPullAgentListener) -> HP_SSLPullAgent {
    agent::create(
        "Create_HP_SSLPullAgent",
        Kind::SslPullAgent,
        pListener,
        ReceiveModel::Pull,
        true,
    )
}

/// Destroys an SSL PULL agent: stops it first if it runs (see `Destroy_HP_TcpAgent`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLPullAgent(pAgent: HP_SSLPullAgent) {
    boundary::call("Destroy_HP_SSLPullAgent", (), || {
        object::destroy(pAgent, Kind::SslPullAgent)
    })
}

/// Creates an SSL PULL client reporting to `pListener`, a client listener. Call
/// `HP_SSLClient_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLPullClient(pListener: HP_TcpPullClientListener) -> HP_SSLPullClient {
    client::create(
        "Create_HP_SSLPullClient",
        Kind::SslPullClient,
        pListener,
        ReceiveModel::Pull,
        true,
    )
}

/// Destroys an SSL PULL client: stops it first if it runs (see `Destroy_HP_TcpClient`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLPullClient(pClient: HP_SSLPullClient) {
    boundary::call("Destroy_HP_SSLPullClient", (), || {
        object::destroy(pClient, Kind::SslPullClient)
    })
}

/// Creates an SSL PACK server reporting to `pListener`, a server listener. Call
/// `HP_SSLServer_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLPackServer(pListener: HP_TcpServerListener) -> HP_SSLPackServer {
    server::create(
        "Create_HP_SSLPackServer",
        Kind::SslPackServer,
        pListener,
        ReceiveModel::Pack,
        true,
    )
}

/// Destroys an SSL PACK server: stops it first if it runs (see `Destroy_HP_TcpServer`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLPackServer(pServer: HP_SSLPackServer) {
    boundary::call("Destroy_HP_SSLPackServer", (), || {
        object::destroy(pServer, Kind::SslPackServer)
    })
}

/// Creates an SSL PACK agent reporting to `pListener`, an agent listener. Call
/// `HP_SSLAgent_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLPackAgent(pListener: HP_TcpAgentListener) -> HP_SSLPackAgent {
    agent::create(
        "Create_HP_SSLPackAgent",
        Kind::SslPackAgent,
        pListener,
        ReceiveModel::Pack,
        true,
    )
}

/// Destroys an SSL PACK agent: stops it first if it runs (see `Destroy_HP_TcpAgent`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLPackAgent(pAgent: HP_SSLPackAgent) {
    boundary::call("Destroy_HP_SSLPackAgent", (), || {
        object::destroy(pAgent, Kind::SslPackAgent)
    })
}

/// Creates an SSL PACK client reporting to `pListener`, a client listener. Call
/// `HP_SSLClient_SetupSSLContext` before starting it. NULL on failure; the reason is in
/// `HPX_GetLastError`.
#[no_mangle]
pub extern "C" fn Create_HP_SSLPackClient(pListener: HP_TcpClientListener) -> HP_SSLPackClient {
    client::create(
        "Create_HP_SSLPackClient",
        Kind::SslPackClient,
        pListener,
        ReceiveModel::Pack,
        true,
    )
}

/// Destroys an SSL PACK client: stops it first if it runs (see `Destroy_HP_TcpClient`).
#[no_mangle]
pub extern "C" fn Destroy_HP_SSLPackClient(pClient: HP_SSLPackClient) {
    boundary::call("Destroy_HP_SSLPackClient", (), || {
        object::destroy(pClient, Kind::SslPackClient)
    })
}

// ---------------------------------------------------------------------------------------
// Global functions

/// The built-in SNI resolver: the index bound to `lpszServerName` with
/// `HP_SSLServer_BindSSLServerName` on the SSL server `pContext` (its handle), or 0 (the
/// default certificate) when none is bound or on failure. An SNI callback may call it to fall
/// back on the bound names.
#[no_mangle]
pub unsafe extern "C" fn HP_SSL_DefaultServerNameCallback(
    lpszServerName: LPCTSTR,
    pContext: PVOID,
) -> c_int {
    boundary::call("HP_SSL_DefaultServerNameCallback", 0, || {
        object::with_server(Shape::SslServer, pContext, |_, c| {
            // SAFETY: the caller passes a NUL-terminated string (docs/abi.md).
            let name = unsafe { args::req_str(lpszServerName, "lpszServerName") }?;
            Ok(c.inner.default_server_name_index(&name))
        })
    })
}

/// Does nothing: OpenSSL 1.1 and later free their per-thread state by themselves, so no
/// thread ever needs this call (kept for HP-Socket programs that make it).
#[no_mangle]
pub extern "C" fn HP_SSL_RemoveThreadLocalState(dwThreadID: THR_ID) {
    let _ = dwThreadID;
}

// ---------------------------------------------------------------------------------------
// HP_SSLServer_*

/// Builds the server's TLS context from PEM files: its certificate (chain) and private key
/// (required), the key's password (NULL or empty: none), trusted CAs (a file or a hashed
/// directory; needed to verify client certificates) and `iVerifyMode` (`SSL_VM_*` bits).
/// `fnServerNameCallback` picks a certificate per SNI name (NULL: the names bound with
/// `BindSSLServerName`). Uses the cipher list of `SetSSLCipherList`. Must precede Start
/// (Start fails with `SE_SSL_ENV_NOT_READY` otherwise); allowed while running (new
/// connections get the new context).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_SetupSSLContext(
    pServer: HP_SSLServer,
    iVerifyMode: c_int,
    lpszPemCertFile: LPCTSTR,
    lpszPemKeyFile: LPCTSTR,
    lpszKeyPassword: LPCTSTR,
    lpszCAPemCertFileOrPath: LPCTSTR,
    fnServerNameCallback: HP_Fn_SNI_ServerNameCallback,
) -> BOOL {
    boundary::call("HP_SSLServer_SetupSSLContext", FALSE, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCertFile,
            key: lpszPemKeyFile,
            password: lpszKeyPassword,
            ca: lpszCAPemCertFileOrPath,
            source: Source::Files,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { setup(Family::Server, pServer, args, fnServerNameCallback) }
    })
}

/// `HP_SSLServer_SetupSSLContext` with PEM text instead of file names.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_SetupSSLContextByMemory(
    pServer: HP_SSLServer,
    iVerifyMode: c_int,
    lpszPemCert: LPCSTR,
    lpszPemKey: LPCSTR,
    lpszKeyPassword: LPCSTR,
    lpszCAPemCert: LPCSTR,
    fnServerNameCallback: HP_Fn_SNI_ServerNameCallback,
) -> BOOL {
    boundary::call("HP_SSLServer_SetupSSLContextByMemory", FALSE, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCert,
            key: lpszPemKey,
            password: lpszKeyPassword,
            ca: lpszCAPemCert,
            source: Source::Memory,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { setup(Family::Server, pServer, args, fnServerNameCallback) }
    })
}

/// Adds a certificate for SNI (after `SetupSSLContext`); returns its index (1, 2, ...) for
/// the SNI callback and `BindSSLServerName`, or -1 on failure.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_AddSSLContext(
    pServer: HP_SSLServer,
    iVerifyMode: c_int,
    lpszPemCertFile: LPCTSTR,
    lpszPemKeyFile: LPCTSTR,
    lpszKeyPassword: LPCTSTR,
    lpszCAPemCertFileOrPath: LPCTSTR,
) -> c_int {
    boundary::call("HP_SSLServer_AddSSLContext", -1, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCertFile,
            key: lpszPemKeyFile,
            password: lpszKeyPassword,
            ca: lpszCAPemCertFileOrPath,
            source: Source::Files,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { add_context(pServer, args) }
    })
}

/// `HP_SSLServer_AddSSLContext` with PEM text.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_AddSSLContextByMemory(
    pServer: HP_SSLServer,
    iVerifyMode: c_int,
    lpszPemCert: LPCSTR,
    lpszPemKey: LPCSTR,
    lpszKeyPassword: LPCSTR,
    lpszCAPemCert: LPCSTR,
) -> c_int {
    boundary::call("HP_SSLServer_AddSSLContextByMemory", -1, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCert,
            key: lpszPemKey,
            password: lpszKeyPassword,
            ca: lpszCAPemCert,
            source: Source::Memory,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { add_context(pServer, args) }
    })
}

/// Serves the certificate `iContextIndex` (0: the default one) to clients asking for
/// `lpszServerName` (case-insensitive; `*.example.org` matches one label), when no SNI
/// callback was given (or the callback calls `HP_SSL_DefaultServerNameCallback`).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_BindSSLServerName(
    pServer: HP_SSLServer,
    lpszServerName: LPCTSTR,
    iContextIndex: c_int,
) -> BOOL {
    boundary::call("HP_SSLServer_BindSSLServerName", FALSE, || {
        object::with_server(Shape::SslServer, pServer, |_, c| {
            // SAFETY: the caller passes a NUL-terminated string (docs/abi.md).
            let name = unsafe { args::req_str(lpszServerName, "lpszServerName") }?;
            let index = usize::try_from(iContextIndex).map_err(|_| {
                FfiError::invalid(format!("iContextIndex is negative ({iContextIndex})"))
            })?;
            c.inner.bind_ssl_server_name(&name, index)?;
            Ok(TRUE)
        })
    })
}

/// Forgets the TLS contexts (connections keep their sessions); call before a new setup.
#[no_mangle]
pub extern "C" fn HP_SSLServer_CleanupSSLContext(pServer: HP_SSLServer) {
    boundary::call("HP_SSLServer_CleanupSSLContext", (), || {
        cleanup(Family::Server, pServer)
    })
}

/// With automatic handshakes off: starts TLS on a connection after its plaintext phase;
/// `OnHandShake` follows when it completes.
#[no_mangle]
pub extern "C" fn HP_SSLServer_StartSSLHandShake(
    pServer: HP_SSLServer,
    dwConnID: HP_CONNID,
) -> BOOL {
    boundary::call("HP_SSLServer_StartSSLHandShake", FALSE, || {
        start_handshake(Family::Server, pServer, dwConnID)
    })
}

/// Whether TLS starts by itself on every connection (default TRUE). FALSE lets the
/// application speak plaintext first, then call `StartSSLHandShake`. Ignored (last error set)
/// while not stopped.
#[no_mangle]
pub extern "C" fn HP_SSLServer_SetSSLAutoHandShake(pServer: HP_SSLServer, bAutoHandShake: BOOL) {
    boundary::call("HP_SSLServer_SetSSLAutoHandShake", (), || {
        set_auto_handshake(Family::Server, pServer, bAutoHandShake)
    })
}

/// Whether TLS starts by itself.
#[no_mangle]
pub extern "C" fn HP_SSLServer_IsSSLAutoHandShake(pServer: HP_SSLServer) -> BOOL {
    boundary::call("HP_SSLServer_IsSSLAutoHandShake", FALSE, || {
        is_auto_handshake(Family::Server, pServer)
    })
}

/// Sets the OpenSSL cipher list (TLS 1.2 and older; NULL or empty: OpenSSL's default) used
/// by the next `SetupSSLContext`/`AddSSLContext`. An invalid list makes that setup fail.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_SetSSLCipherList(
    pServer: HP_SSLServer,
    lpszCipherList: LPCTSTR,
) {
    boundary::call("HP_SSLServer_SetSSLCipherList", (), || {
        // SAFETY: the caller passes NULL or a NUL-terminated string (docs/abi.md).
        unsafe { set_cipher_list(Family::Server, pServer, lpszCipherList) }
    })
}

/// The cipher list (`"DEFAULT"` when none was set; `""` for an invalid handle). The text
/// belongs to the component and stays valid until it is destroyed.
#[no_mangle]
pub extern "C" fn HP_SSLServer_GetSSLCipherList(pServer: HP_SSLServer) -> LPCTSTR {
    boundary::call("HP_SSLServer_GetSSLCipherList", NO_TEXT, || {
        cipher_list(Family::Server, pServer)
    })
}

/// Writes an OpenSSL object or value of a connection's TLS session to `*lppInfo` (type per
/// `En_HP_SSLSessionInfo`; borrowed, never free it). FALSE for an unknown item, an unknown
/// connection or one without a session. Inside the SNI callback only context items with
/// `dwConnID` 0 work (the session being handshaken is locked; the call is refused).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLServer_GetSSLSessionInfo(
    pServer: HP_SSLServer,
    dwConnID: HP_CONNID,
    enInfo: En_HP_SSLSessionInfo,
    lppInfo: *mut PVOID,
) -> BOOL {
    boundary::call("HP_SSLServer_GetSSLSessionInfo", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `LPVOID*` (docs/abi.md).
        unsafe { session_info(Family::Server, pServer, Some(dwConnID), enInfo, lppInfo) }
    })
}

// ---------------------------------------------------------------------------------------
// HP_SSLAgent_*

/// Builds the agent's TLS context: an optional client certificate and key (NULL or empty:
/// none), the key's password, trusted CAs (a file or a hashed directory; needed with
/// `SSL_VM_PEER` to verify servers) and `iVerifyMode`. Must precede Start.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_SetupSSLContext(
    pAgent: HP_SSLAgent,
    iVerifyMode: c_int,
    lpszPemCertFile: LPCTSTR,
    lpszPemKeyFile: LPCTSTR,
    lpszKeyPassword: LPCTSTR,
    lpszCAPemCertFileOrPath: LPCTSTR,
) -> BOOL {
    boundary::call("HP_SSLAgent_SetupSSLContext", FALSE, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCertFile,
            key: lpszPemKeyFile,
            password: lpszKeyPassword,
            ca: lpszCAPemCertFileOrPath,
            source: Source::Files,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { setup(Family::Agent, pAgent, args, None) }
    })
}

/// `HP_SSLAgent_SetupSSLContext` with PEM text.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_SetupSSLContextByMemory(
    pAgent: HP_SSLAgent,
    iVerifyMode: c_int,
    lpszPemCert: LPCSTR,
    lpszPemKey: LPCSTR,
    lpszKeyPassword: LPCSTR,
    lpszCAPemCert: LPCSTR,
) -> BOOL {
    boundary::call("HP_SSLAgent_SetupSSLContextByMemory", FALSE, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCert,
            key: lpszPemKey,
            password: lpszKeyPassword,
            ca: lpszCAPemCert,
            source: Source::Memory,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { setup(Family::Agent, pAgent, args, None) }
    })
}

/// Forgets the TLS context (connections keep their sessions).
#[no_mangle]
pub extern "C" fn HP_SSLAgent_CleanupSSLContext(pAgent: HP_SSLAgent) {
    boundary::call("HP_SSLAgent_CleanupSSLContext", (), || {
        cleanup(Family::Agent, pAgent)
    })
}

/// See `HP_SSLServer_StartSSLHandShake`.
#[no_mangle]
pub extern "C" fn HP_SSLAgent_StartSSLHandShake(pAgent: HP_SSLAgent, dwConnID: HP_CONNID) -> BOOL {
    boundary::call("HP_SSLAgent_StartSSLHandShake", FALSE, || {
        start_handshake(Family::Agent, pAgent, dwConnID)
    })
}

/// See `HP_SSLServer_SetSSLAutoHandShake`.
#[no_mangle]
pub extern "C" fn HP_SSLAgent_SetSSLAutoHandShake(pAgent: HP_SSLAgent, bAutoHandShake: BOOL) {
    boundary::call("HP_SSLAgent_SetSSLAutoHandShake", (), || {
        set_auto_handshake(Family::Agent, pAgent, bAutoHandShake)
    })
}

/// Whether TLS starts by itself.
#[no_mangle]
pub extern "C" fn HP_SSLAgent_IsSSLAutoHandShake(pAgent: HP_SSLAgent) -> BOOL {
    boundary::call("HP_SSLAgent_IsSSLAutoHandShake", FALSE, || {
        is_auto_handshake(Family::Agent, pAgent)
    })
}

/// See `HP_SSLServer_SetSSLCipherList`.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_SetSSLCipherList(
    pAgent: HP_SSLAgent,
    lpszCipherList: LPCTSTR,
) {
    boundary::call("HP_SSLAgent_SetSSLCipherList", (), || {
        // SAFETY: the caller passes NULL or a NUL-terminated string (docs/abi.md).
        unsafe { set_cipher_list(Family::Agent, pAgent, lpszCipherList) }
    })
}

/// See `HP_SSLServer_GetSSLCipherList`.
#[no_mangle]
pub extern "C" fn HP_SSLAgent_GetSSLCipherList(pAgent: HP_SSLAgent) -> LPCTSTR {
    boundary::call("HP_SSLAgent_GetSSLCipherList", NO_TEXT, || {
        cipher_list(Family::Agent, pAgent)
    })
}

/// See `HP_SSLServer_GetSSLSessionInfo`.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLAgent_GetSSLSessionInfo(
    pAgent: HP_SSLAgent,
    dwConnID: HP_CONNID,
    enInfo: En_HP_SSLSessionInfo,
    lppInfo: *mut PVOID,
) -> BOOL {
    boundary::call("HP_SSLAgent_GetSSLSessionInfo", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `LPVOID*` (docs/abi.md).
        unsafe { session_info(Family::Agent, pAgent, Some(dwConnID), enInfo, lppInfo) }
    })
}

// ---------------------------------------------------------------------------------------
// HP_SSLClient_*

/// See `HP_SSLAgent_SetupSSLContext`.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_SetupSSLContext(
    pClient: HP_SSLClient,
    iVerifyMode: c_int,
    lpszPemCertFile: LPCTSTR,
    lpszPemKeyFile: LPCTSTR,
    lpszKeyPassword: LPCTSTR,
    lpszCAPemCertFileOrPath: LPCTSTR,
) -> BOOL {
    boundary::call("HP_SSLClient_SetupSSLContext", FALSE, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCertFile,
            key: lpszPemKeyFile,
            password: lpszKeyPassword,
            ca: lpszCAPemCertFileOrPath,
            source: Source::Files,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { setup(Family::Client, pClient, args, None) }
    })
}

/// `HP_SSLClient_SetupSSLContext` with PEM text.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_SetupSSLContextByMemory(
    pClient: HP_SSLClient,
    iVerifyMode: c_int,
    lpszPemCert: LPCSTR,
    lpszPemKey: LPCSTR,
    lpszKeyPassword: LPCSTR,
    lpszCAPemCert: LPCSTR,
) -> BOOL {
    boundary::call("HP_SSLClient_SetupSSLContextByMemory", FALSE, || {
        let args = SetupArgs {
            verify: iVerifyMode,
            cert: lpszPemCert,
            key: lpszPemKey,
            password: lpszKeyPassword,
            ca: lpszCAPemCert,
            source: Source::Memory,
        };
        // SAFETY: the caller passes NULL or NUL-terminated strings (docs/abi.md).
        unsafe { setup(Family::Client, pClient, args, None) }
    })
}

/// Forgets the TLS context.
#[no_mangle]
pub extern "C" fn HP_SSLClient_CleanupSSLContext(pClient: HP_SSLClient) {
    boundary::call("HP_SSLClient_CleanupSSLContext", (), || {
        cleanup(Family::Client, pClient)
    })
}

/// With automatic handshakes off: starts TLS after the plaintext phase.
#[no_mangle]
pub extern "C" fn HP_SSLClient_StartSSLHandShake(pClient: HP_SSLClient) -> BOOL {
    boundary::call("HP_SSLClient_StartSSLHandShake", FALSE, || {
        start_handshake(Family::Client, pClient, 0)
    })
}

/// See `HP_SSLServer_SetSSLAutoHandShake`.
#[no_mangle]
pub extern "C" fn HP_SSLClient_SetSSLAutoHandShake(pClient: HP_SSLClient, bAutoHandShake: BOOL) {
    boundary::call("HP_SSLClient_SetSSLAutoHandShake", (), || {
        set_auto_handshake(Family::Client, pClient, bAutoHandShake)
    })
}

/// Whether TLS starts by itself.
#[no_mangle]
pub extern "C" fn HP_SSLClient_IsSSLAutoHandShake(pClient: HP_SSLClient) -> BOOL {
    boundary::call("HP_SSLClient_IsSSLAutoHandShake", FALSE, || {
        is_auto_handshake(Family::Client, pClient)
    })
}

/// See `HP_SSLServer_SetSSLCipherList`.
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_SetSSLCipherList(
    pClient: HP_SSLClient,
    lpszCipherList: LPCTSTR,
) {
    boundary::call("HP_SSLClient_SetSSLCipherList", (), || {
        // SAFETY: the caller passes NULL or a NUL-terminated string (docs/abi.md).
        unsafe { set_cipher_list(Family::Client, pClient, lpszCipherList) }
    })
}

/// See `HP_SSLServer_GetSSLCipherList`.
#[no_mangle]
pub extern "C" fn HP_SSLClient_GetSSLCipherList(pClient: HP_SSLClient) -> LPCTSTR {
    boundary::call("HP_SSLClient_GetSSLCipherList", NO_TEXT, || {
        cipher_list(Family::Client, pClient)
    })
}

/// `HP_SSLServer_GetSSLSessionInfo` for the client's connection (context items work
/// without one: they then describe the client's context).
#[no_mangle]
pub unsafe extern "C" fn HP_SSLClient_GetSSLSessionInfo(
    pClient: HP_SSLClient,
    enInfo: En_HP_SSLSessionInfo,
    lppInfo: *mut PVOID,
) -> BOOL {
    boundary::call("HP_SSLClient_GetSSLSessionInfo", FALSE, || {
        // SAFETY: the caller passes NULL or a writable `LPVOID*` (docs/abi.md).
        unsafe { session_info(Family::Client, pClient, None, enInfo, lppInfo) }
    })
}
