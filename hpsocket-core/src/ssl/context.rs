//! TLS contexts: building OpenSSL contexts from HP-Socket's `SetupSSLContext` arguments, and
//! the server's SNI table (extra contexts, bound names, an optional user callback).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use openssl::pkey::PKey;
use openssl::ssl::{
    NameType, SniError, SslContext, SslContextBuilder, SslMethod, SslOptions, SslVerifyMode,
    SslVersion,
};
use openssl::x509::X509;

use crate::error::{Error, ErrorKind, Result};
use crate::sync::lock;

/// `SSL_VM_NONE`: no peer verification.
pub const SSL_VM_NONE: i32 = 0x00;
/// `SSL_VM_PEER`: verify the peer (servers ask clients for a certificate).
pub const SSL_VM_PEER: i32 = 0x01;
/// `SSL_VM_FAIL_IF_NO_PEER_CERT`: servers fail a client without a certificate.
pub const SSL_VM_FAIL_IF_NO_PEER_CERT: i32 = 0x02;
/// `SSL_VM_CLIENT_ONCE`: do not ask again on renegotiation.
pub const SSL_VM_CLIENT_ONCE: i32 = 0x04;

/// Where PEM text comes from: a file (HP-Socket's `SetupSSLContext`) or memory (`…ByMemory`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pem {
    /// A PEM file.
    File(PathBuf),
    /// PEM text.
    Memory(String),
}

/// The arguments of `SetupSSLContext` / `AddSSLContext`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SslSetup {
    /// `SSL_VM_*` bits.
    pub verify_mode: i32,
    /// Certificate (chain) in PEM; required for servers, optional for clients.
    pub certificate: Option<Pem>,
    /// Private key in PEM, possibly encrypted with `key_password`.
    pub private_key: Option<Pem>,
    /// Password of an encrypted private key.
    pub key_password: Option<String>,
    /// Trusted CA certificates: a PEM file, a directory of hashed PEM files
    /// (`c_rehash`), or PEM text.
    pub ca: Option<Pem>,
    /// OpenSSL cipher list (TLS 1.2); `None`: OpenSSL's default.
    pub cipher_list: Option<String>,
}

/// The SNI decision of a user callback: 0 = default certificate, > 0 = index returned by
/// `add_context`, < 0 = abort the handshake.
pub type ServerNameCallback = Arc<dyn Fn(&str) -> i32 + Send + Sync>;

/// Whether a context accepts or makes connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Server,
    Client,
}

fn ssl_error(context: impl std::fmt::Display, e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::SslEnvNotReady,
        libc::EINVAL,
        format!("{context}: {e}"),
    )
}

fn pem_bytes(what: &str, pem: &Pem) -> Result<Vec<u8>> {
    match pem {
        Pem::Memory(text) => Ok(text.as_bytes().to_vec()),
        Pem::File(path) => std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorKind::SslEnvNotReady,
                e.raw_os_error().unwrap_or(libc::ENOENT),
                format!("{what} {}: {e}", path.display()),
            )
        }),
    }
}

/// Builds one OpenSSL context. TLS 1.2 is the oldest version accepted. A server's default
/// context gets the SNI dispatch over `sni`.
pub(crate) fn build_context(
    side: Side,
    setup: &SslSetup,
    sni: Option<Arc<Mutex<SniTable>>>,
) -> Result<SslContext> {
    let method = match side {
        Side::Server => SslMethod::tls_server(),
        Side::Client => SslMethod::tls_client(),
    };
    let mut b = SslContextBuilder::new(method).map_err(|e| ssl_error("SSL context", e))?;
    b.set_min_proto_version(Some(SslVersion::TLS1_2))
        .map_err(|e| ssl_error("TLS version", e))?;
    // TLS 1.2 renegotiation is refused both ways (a no_renegotiation alert): it is how the
    // CVE-2009-3555 prefix injection and handshake-flooding CPU attacks work, the sessions
    // never need it, and TLS 1.3 dropped it. OpenSSL 3 servers refuse it already; this makes
    // the rule the same for clients and older OpenSSL.
    b.set_options(SslOptions::NO_RENEGOTIATION);
    let mut verify = SslVerifyMode::NONE;
    if setup.verify_mode & SSL_VM_PEER != 0 {
        verify |= SslVerifyMode::PEER;
    }
    if setup.verify_mode & SSL_VM_FAIL_IF_NO_PEER_CERT != 0 {
        verify |= SslVerifyMode::FAIL_IF_NO_PEER_CERT;
    }
    if setup.verify_mode & !(SSL_VM_PEER | SSL_VM_FAIL_IF_NO_PEER_CERT | SSL_VM_CLIENT_ONCE) != 0 {
        return Err(Error::invalid_param(format!(
            "SSL verify mode {:#x} has unknown bits (SSL_VM_* are 0x1, 0x2, 0x4)",
            setup.verify_mode
        )));
    }
    b.set_verify(verify);

    match (&setup.certificate, &setup.private_key) {
        (Some(cert), Some(key)) => {
            let pem = pem_bytes("certificate", cert)?;
            let mut chain = X509::stack_from_pem(&pem)
                .map_err(|e| ssl_error("certificate: not a PEM certificate", e))?
                .into_iter();
            let leaf = chain
                .next()
                .ok_or_else(|| ssl_error("certificate", "no certificate in the PEM"))?;
            b.set_certificate(&leaf)
                .map_err(|e| ssl_error("certificate", e))?;
            for extra in chain {
                b.add_extra_chain_cert(extra)
                    .map_err(|e| ssl_error("certificate chain", e))?;
            }
            let pem = pem_bytes("private key", key)?;
            let pkey = match &setup.key_password {
                Some(pw) if !pw.is_empty() => {
                    PKey::private_key_from_pem_passphrase(&pem, pw.as_bytes())
                        .map_err(|e| ssl_error("private key: wrong password or not a PEM key", e))?
                }
                _ => PKey::private_key_from_pem(&pem).map_err(|e| {
                    ssl_error(
                        "private key: not a PEM key, or encrypted and no password given",
                        e,
                    )
                })?,
            };
            b.set_private_key(&pkey)
                .map_err(|e| ssl_error("private key", e))?;
            b.check_private_key()
                .map_err(|e| ssl_error("private key does not match the certificate", e))?;
        }
        (None, None) if side == Side::Client => {}
        (None, None) => {
            return Err(ssl_error(
                "SSL server",
                "a certificate and a private key are required",
            ))
        }
        _ => {
            return Err(ssl_error(
                "SSL context",
                "certificate and private key go together",
            ))
        }
    }

    if let Some(ca) = &setup.ca {
        match ca {
            Pem::File(path) if Path::new(path).is_dir() => b
                .load_verify_locations(None, Some(path))
                .map_err(|e| ssl_error(format!("CA directory {}", path.display()), e))?,
            other => {
                let pem = pem_bytes("CA certificates", other)?;
                let certs = X509::stack_from_pem(&pem)
                    .map_err(|e| ssl_error("CA certificates: not PEM certificates", e))?;
                if certs.is_empty() {
                    return Err(ssl_error("CA certificates", "no certificate in the PEM"));
                }
                for c in certs {
                    b.cert_store_mut()
                        .add_cert(c)
                        .map_err(|e| ssl_error("CA certificates", e))?;
                }
            }
        }
    }
    if let Some(list) = &setup.cipher_list {
        b.set_cipher_list(list)
            .map_err(|e| ssl_error(format!("cipher list {list:?}"), e))?;
    }
    if let Some(sni) = sni {
        b.set_servername_callback(move |ssl, _alert| {
            let Some(name) = ssl.servername(NameType::HOST_NAME).map(str::to_string) else {
                return Ok(());
            };
            if let Some(ctx) = select(&sni, &name)? {
                ssl.set_ssl_context(&ctx)
                    .map_err(|_| SniError::ALERT_FATAL)?;
            }
            Ok(())
        });
    }
    Ok(b.build())
}

/// Picks the context for a client's requested name: `Ok(None)` keeps the default. The user
/// callback runs without the table locked, so it may call back into the component.
fn select(
    sni: &Mutex<SniTable>,
    server_name: &str,
) -> std::result::Result<Option<SslContext>, SniError> {
    let callback = lock(sni).callback.clone();
    let index = match callback {
        Some(cb) => cb(server_name),
        None => lookup_name(&lock(sni).names, server_name).map_or(0, |i| i as i32),
    };
    pick(&lock(sni).extra, index)
}

/// Everything a TLS component needs to make sessions: the default context and the server's
/// SNI table (extra contexts, bound names, an optional user callback).
pub(crate) struct SslContexts {
    pub(crate) side: Side,
    pub(crate) default: SslContext,
    sni: Arc<Mutex<SniTable>>,
}

#[derive(Default)]
pub(crate) struct SniTable {
    /// Index 1.. of `add_context`.
    extra: Vec<SslContext>,
    names: Vec<(String, usize)>,
    callback: Option<ServerNameCallback>,
}

impl SslContexts {
    /// Builds the default context (a server's with its SNI dispatch).
    pub(crate) fn new(
        side: Side,
        setup: &SslSetup,
        callback: Option<ServerNameCallback>,
    ) -> Result<Arc<SslContexts>> {
        let sni = Arc::new(Mutex::new(SniTable {
            callback,
            ..SniTable::default()
        }));
        let default = build_context(side, setup, (side == Side::Server).then(|| sni.clone()))?;
        Ok(Arc::new(SslContexts { side, default, sni }))
    }

    /// Adds an SNI context; returns its index (1, 2, …).
    pub(crate) fn add_context(&self, setup: &SslSetup) -> Result<usize> {
        let ctx = build_context(Side::Server, setup, None)?;
        let mut sni = lock(&self.sni);
        sni.extra.push(ctx);
        Ok(sni.extra.len())
    }

    /// Binds a server name (case-insensitive; `*.example.org` matches one label) to an index.
    pub(crate) fn bind_server_name(&self, name: &str, index: usize) -> Result<()> {
        let mut sni = lock(&self.sni);
        if index > sni.extra.len() {
            return Err(Error::invalid_param(format!(
                "BindSSLServerName: no SSL context with index {index} (have {})",
                sni.extra.len()
            )));
        }
        if name.trim().is_empty() {
            return Err(Error::invalid_param("BindSSLServerName: empty server name"));
        }
        sni.names.push((name.trim().to_ascii_lowercase(), index));
        Ok(())
    }

    /// The built-in resolver (`HP_SSL_DefaultServerNameCallback`): the bound index, or 0.
    pub(crate) fn default_index(&self, server_name: &str) -> i32 {
        lookup_name(&lock(&self.sni).names, server_name).map_or(0, |i| i as i32)
    }
}

fn pick(extra: &[SslContext], index: i32) -> std::result::Result<Option<SslContext>, SniError> {
    match index {
        i if i < 0 => Err(SniError::ALERT_FATAL),
        0 => Ok(None),
        i => extra
            .get(i as usize - 1)
            .cloned()
            .map(Some)
            .ok_or(SniError::ALERT_FATAL),
    }
}

fn lookup_name(names: &[(String, usize)], server_name: &str) -> Option<usize> {
    let wanted = server_name.to_ascii_lowercase();
    names.iter().find_map(|(name, index)| {
        let hit = match name.strip_prefix("*.") {
            Some(suffix) => wanted
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
            None => *name == wanted,
        };
        hit.then_some(*index)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_and_exact_names() {
        let names = vec![
            ("a.example.org".to_string(), 1),
            ("*.example.org".to_string(), 2),
        ];
        assert_eq!(lookup_name(&names, "A.Example.ORG"), Some(1));
        assert_eq!(lookup_name(&names, "b.example.org"), Some(2));
        assert_eq!(lookup_name(&names, "x.b.example.org"), None);
        assert_eq!(lookup_name(&names, "example.org"), None);
    }

    #[test]
    fn server_without_certificate_is_refused() {
        let e = build_context(Side::Server, &SslSetup::default(), None)
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::SslEnvNotReady);
        assert!(build_context(Side::Client, &SslSetup::default(), None).is_ok());
        let bad = SslSetup {
            verify_mode: 0x10,
            ..SslSetup::default()
        };
        assert!(build_context(Side::Client, &bad, None).is_err());
    }
}
