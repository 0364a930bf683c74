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
use hpsocket_core::{ConnId, Pem, ServerNameCallback, SslSetup, TcpAgent, TcpClient, TcpServer};
use openssl::ssl::{SslContextRef, SslRef};

use crate::args;
use crate::handle::Handle;
use crate::last_error::{FfiError, Result};
use crate::object::{self, CipherList, Component, Family, Object, Shape};
use crate::types::*;

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
pub(crate) trait Secure {
    fn setup(&self, setup: &SslSetup, sni: Option<ServerNameCallback>)
        -> hpsocket_core::Result<()>;
    fn cleanup(&self);
    fn handshake(&self, id: ConnId) -> hpsocket_core::Result<()>;
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
pub(crate) fn with_ssl<T>(
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
pub(crate) enum Source {
    /// File names (`lpszPemCertFile`, ...; the CA may be a directory).
    Files,
    /// PEM text (`...ByMemory`).
    Memory,
}

/// The C arguments of a setup.
pub(crate) struct SetupArgs {
    pub(crate) verify: c_int,
    pub(crate) cert: LPCTSTR,
    pub(crate) key: LPCTSTR,
    pub(crate) password: LPCTSTR,
    pub(crate) ca: LPCTSTR,
    pub(crate) source: Source,
}

/// One optional PEM argument: NULL or empty means none, as in HP-Socket.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn pem(p: LPCTSTR, name: &str, source: Source) -> Result<Option<Pem>> {
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
pub(crate) struct InSni(u64);

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
pub(crate) fn sni(f: HP_Fn_SNI_ServerNameCallback, server: Handle) -> Option<ServerNameCallback> {
    let f = f?;
    Some(Arc::new(move |name: &str| {
        let name = CString::new(name).unwrap_or_default();
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
pub(crate) unsafe fn setup(
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
pub(crate) unsafe fn add_context(p: HP_Object, args: SetupArgs) -> Result<c_int> {
    object::with_server(Shape::SslServer, p, |_, c| {
        let list = c.ciphers().get();
        // SAFETY: per this function's contract.
        let setup = unsafe { args.build(list) }?;
        let index = c.inner.add_ssl_context(&setup)?;
        Ok(c_int::try_from(index).unwrap_or(c_int::MAX))
    })
}

pub(crate) fn cleanup(family: Family, p: HP_Object) -> Result<()> {
    with_ssl(family, p, |_, c| {
        c.cleanup();
        Ok(())
    })
}

pub(crate) fn start_handshake(family: Family, p: HP_Object, id: HP_CONNID) -> Result<BOOL> {
    with_ssl(family, p, |_, c| {
        c.handshake(conn_id(id))?;
        Ok(TRUE)
    })
}

/// # Safety
/// `list` is NULL or NUL-terminated.
pub(crate) unsafe fn set_cipher_list(family: Family, p: HP_Object, list: LPCTSTR) -> Result<()> {
    with_ssl(family, p, |_, c| {
        // SAFETY: per this function's contract.
        let list = unsafe { args::opt_str(list, "lpszCipherList") }?;
        c.ciphers().set(list);
        Ok(())
    })
}

pub(crate) fn cipher_list(family: Family, p: HP_Object) -> Result<LPCTSTR> {
    with_ssl(family, p, |_, c| Ok(c.ciphers().as_ptr()))
}

/// What `GetSSLSessionInfo` returns for an invalid handle: an empty static string.
pub(crate) const NO_TEXT: LPCTSTR = b"\0".as_ptr() as LPCTSTR;

// ---------------------------------------------------------------------------------------
// GetSSLSessionInfo

/// Items 0..=3 describe an `SSL_CTX`.
pub(crate) fn is_context_item(info: En_HP_SSLSessionInfo) -> bool {
    (SSL_SSI_CTX..=SSL_SSI_CTX_CERT_STORE).contains(&info)
}

/// A context item of `ctx`.
pub(crate) fn context_item(info: En_HP_SSLSessionInfo, ctx: &SslContextRef) -> PVOID {
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
pub(crate) fn session_item(info: En_HP_SSLSessionInfo, ssl: &SslRef) -> PVOID {
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
pub(crate) unsafe fn session_info(
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

// ---------------------------------------------------------------------------------------
// Global functions

// ---------------------------------------------------------------------------------------
// HP_SSLServer_*

// ---------------------------------------------------------------------------------------
// HP_SSLAgent_*

// ---------------------------------------------------------------------------------------
// HP_SSLClient_*
