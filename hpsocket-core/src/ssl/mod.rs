//! TLS on OpenSSL for every TCP component: contexts (with SNI) and sans-IO sessions.

pub(crate) mod context;
pub(crate) mod session;

pub use context::{
    Pem, ServerNameCallback, SslSetup, SSL_VM_CLIENT_ONCE, SSL_VM_FAIL_IF_NO_PEER_CERT,
    SSL_VM_NONE, SSL_VM_PEER,
};
