//! TLS for the engine: context management (`SetupSSLContext` and friends), session creation,
//! manual handshakes, and the session lookups `GetSSLSessionInfo` needs.

use std::sync::Arc;

use super::{Command, Engine, Role, Running};
use crate::conn::Conn;
use crate::error::{Error, ErrorKind, Result};
use crate::ssl::context::{ServerNameCallback, Side, SslContexts, SslSetup};
use crate::ssl::session::{TlsFailure, TlsSession, TlsState};
use crate::sync::lock;
use crate::types::ConnId;

impl Engine {
    fn side(&self) -> Side {
        match self.role() {
            Role::Server | Role::Node => Side::Server,
            Role::Agent | Role::Client => Side::Client,
        }
    }

    fn require_secure(&self, what: &str) -> Result<()> {
        if self.is_secure() {
            Ok(())
        } else {
            Err(Error::invalid_param(format!(
                "{what}: {} is not an SSL component",
                self.name()
            )))
        }
    }

    /// `SetupSSLContext`: builds the default context (and a server's SNI dispatch). Allowed
    /// while running too (an extension): new connections use the new context, existing ones
    /// keep theirs — a certificate reload without restart.
    pub(crate) fn setup_ssl_context(
        &self,
        setup: &SslSetup,
        sni: Option<ServerNameCallback>,
    ) -> Result<()> {
        self.require_secure("SetupSSLContext")?;
        let contexts = SslContexts::new(self.side(), setup, sni)?;
        *lock(&self.shared.ssl) = Some(contexts);
        Ok(())
    }

    fn contexts(&self, what: &str) -> Result<Arc<SslContexts>> {
        self.require_secure(what)?;
        lock(&self.shared.ssl).clone().ok_or_else(|| {
            Error::new(
                ErrorKind::SslEnvNotReady,
                libc::EPERM,
                format!("{what}: call SetupSSLContext first"),
            )
        })
    }

    /// `AddSSLContext` (server SNI): the new context's index, 1 or more.
    pub(crate) fn add_ssl_context(&self, setup: &SslSetup) -> Result<usize> {
        self.contexts("AddSSLContext")?.add_context(setup)
    }

    /// `BindSSLServerName`.
    pub(crate) fn bind_ssl_server_name(&self, name: &str, index: usize) -> Result<()> {
        self.contexts("BindSSLServerName")?
            .bind_server_name(name, index)
    }

    /// `HP_SSL_DefaultServerNameCallback` for this component: the index bound to the name, or 0.
    pub(crate) fn default_server_name_index(&self, name: &str) -> i32 {
        self.contexts("DefaultServerNameCallback")
            .map_or(0, |c| c.default_index(name))
    }

    /// `CleanupSSLContext`: forgets the contexts (running sessions keep theirs).
    pub(crate) fn cleanup_ssl_context(&self) {
        *lock(&self.shared.ssl) = None;
    }

    /// Checked by `start`: an SSL component needs a context.
    pub(super) fn check_ssl_ready(&self) -> Result<()> {
        if self.is_secure() && lock(&self.shared.ssl).is_none() {
            return Err(Error::new(
                ErrorKind::SslEnvNotReady,
                libc::EPERM,
                format!("{}::start: call SetupSSLContext before Start", self.name()),
            ));
        }
        Ok(())
    }

    /// `StartSSLHandShake`: begins TLS on a connection whose automatic handshake is off.
    pub(crate) fn start_ssl_handshake(&self, id: ConnId) -> Result<()> {
        self.require_secure("StartSSLHandShake")?;
        self.with_run("start_ssl_handshake", |run, me| {
            let conn = run
                .table
                .get(id)
                .ok_or_else(|| Error::not_found("StartSSLHandShake", id))?;
            let tls = conn
                .tls()
                .ok_or_else(|| Error::not_found("StartSSLHandShake", id))?;
            let mut session = lock(tls);
            if session.state() != TlsState::Plain {
                return Err(Error::illegal_state(format!(
                    "StartSSLHandShake: the handshake of connection {id} already started"
                )));
            }
            session.start();
            drop(session);
            run.post(conn.worker(), Command::StartTls(conn.clone()), me);
            Ok(())
        })
    }

    /// Runs `f` on a connection's OpenSSL session (`GetSSLSessionInfo`). Refused with
    /// `SE_ILLEGAL_STATE` from inside that session's own handshake (the SNI callback), where
    /// the owning worker holds it.
    pub(crate) fn with_ssl_session<R>(
        &self,
        id: ConnId,
        f: impl FnOnce(&openssl::ssl::SslRef) -> R,
    ) -> Result<R> {
        self.require_secure("GetSSLSessionInfo")?;
        self.with_run("ssl_session", |run, me| {
            let conn = run
                .table
                .get(id)
                .ok_or_else(|| Error::not_found("GetSSLSessionInfo", id))?;
            let tls = conn
                .tls()
                .ok_or_else(|| Error::not_found("GetSSLSessionInfo", id))?;
            let session = match tls.try_lock() {
                Ok(session) => session,
                Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) if me == Some(conn.worker()) => {
                    return Err(Error::illegal_state(format!(
                        "GetSSLSessionInfo: connection {id} is in its own TLS handshake \
                         (called from the SNI callback?)"
                    )));
                }
                Err(std::sync::TryLockError::WouldBlock) => lock(tls),
            };
            Ok(f(session.ssl()))
        })
    }

    /// Runs `f` on the default context (`GetSSLSessionInfo`'s context items).
    pub(crate) fn with_ssl_context<R>(
        &self,
        f: impl FnOnce(&openssl::ssl::SslContextRef) -> R,
    ) -> Result<R> {
        Ok(f(&self.contexts("GetSSLSessionInfo")?.default))
    }
}

impl Running {
    /// A TLS session for a new connection of an SSL component; `None` for plain TCP.
    pub(super) fn new_tls(
        &self,
        host: Option<&str>,
    ) -> std::result::Result<Option<TlsSession>, TlsFailure> {
        if !self.shared.secure {
            return Ok(None);
        }
        let contexts = lock(&self.shared.ssl).clone().ok_or_else(|| TlsFailure {
            code: libc::EPERM,
            message: "the SSL context was cleaned up".into(),
        })?;
        TlsSession::new(
            &contexts,
            host,
            self.config.socket.ssl_auto_handshake,
            self.config.socket.ssl_verify_host_name,
        )
        .map(Some)
    }

    /// Records a failure no call returns, for `GetLastError`/`GetLastErrorDesc`.
    pub(super) fn report(&self, kind: ErrorKind, code: i32, message: String) {
        crate::log!(
            crate::log::Level::Warn,
            ("{}#{}", self.shared.name(), self.shared.uid),
            "{message}"
        );
        let mut last = lock(&self.shared.last_error);
        let seq = last.as_ref().map_or(1, |(n, _)| n + 1);
        *last = Some((seq, Error::new(kind, code, message)));
    }

    /// Moves what the session produced into the send queue, in order (called with the
    /// session locked, so records from different threads cannot interleave).
    pub(super) fn queue_tls_output(&self, conn: &Conn, session: &mut TlsSession) -> bool {
        if session.output().is_empty() {
            return false;
        }
        let mut queue = conn.queue();
        queue.push(session.output(), &self.pool);
        conn.pending
            .store(queue.len(), std::sync::atomic::Ordering::Release);
        // Held plaintext was encrypted into the output once the handshake completed.
        conn.set_held(session.held_len());
        session.clear_output();
        true
    }
}
