//! The SSL components (HP-Socket's `SSLServer`, `SSLAgent`, `SSLClient` and their PULL and
//! PACK forms): each is a subclass of the matching TCP class, with the TLS context calls and
//! settings added. Certificates, keys and CAs are paths (`str` or `os.PathLike`: HP-Socket's
//! `SetupSSLContext`) or PEM text as `bytes` (`SetupSSLContextByMemory`).

use std::path::PathBuf;
use std::sync::Arc;

use hpsocket_core::{Pem, ReceiveModel, ServerNameCallback, SslSetup};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::agent::{PyTcpAgent, PyTcpPackAgent, PyTcpPullAgent};
use crate::client::{PyTcpClient, PyTcpPackClient, PyTcpPullClient};
use crate::errors::OrRaise;
use crate::server::{PyTcpPackServer, PyTcpPullServer, PyTcpServer};
use crate::settings::ssl_properties;

fn pem(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Pem>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(b) = obj.cast::<PyBytes>() {
        let text = std::str::from_utf8(b.as_bytes())
            .map_err(|_| PyValueError::new_err(format!("{what}: PEM text must be ASCII")))?;
        return Ok(Some(Pem::Memory(text.to_owned())));
    }
    let path: PathBuf = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a path (str or os.PathLike) or PEM text (bytes), not {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    Ok(Some(Pem::File(path)))
}

/// The arguments of `setup_ssl_context` / `add_ssl_context`.
pub(crate) struct SetupArgs<'a, 'py> {
    pub(crate) verify_mode: i32,
    pub(crate) certificate: Option<&'a Bound<'py, PyAny>>,
    pub(crate) private_key: Option<&'a Bound<'py, PyAny>>,
    pub(crate) key_password: Option<String>,
    pub(crate) ca: Option<&'a Bound<'py, PyAny>>,
    pub(crate) cipher_list: Option<String>,
}

impl SetupArgs<'_, '_> {
    fn build(self) -> PyResult<SslSetup> {
        Ok(SslSetup {
            verify_mode: self.verify_mode,
            certificate: pem(self.certificate, "certificate")?,
            private_key: pem(self.private_key, "private_key")?,
            key_password: self.key_password,
            ca: pem(self.ca, "ca")?,
            cipher_list: self.cipher_list,
        })
    }
}

fn server<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a PyTcpServer> {
    Ok(obj.cast::<PyTcpServer>()?.get())
}

fn agent<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a PyTcpAgent> {
    Ok(obj.cast::<PyTcpAgent>()?.get())
}

fn client<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a PyTcpClient> {
    Ok(obj.cast::<PyTcpClient>()?.get())
}

pub(crate) fn server_setup(
    obj: &Bound<'_, PyAny>,
    args: SetupArgs<'_, '_>,
    server_name_callback: Option<Bound<'_, PyAny>>,
) -> PyResult<()> {
    let py = obj.py();
    let this = server(obj)?;
    let setup = args.build()?;
    let callback = server_name_callback.filter(|c| !c.is_none());
    let sni: Option<ServerNameCallback> = match &callback {
        Some(c) if !c.is_callable() => {
            return Err(PyTypeError::new_err(
                "server_name_callback must be callable",
            ));
        }
        Some(_) => {
            let bridge = this.bridge.clone();
            Some(Arc::new(move |name: &str| bridge.server_name(name)))
        }
        None => None,
    };
    // Setting the Python callback first: a handshake under the new context finds it.
    this.bridge
        .set_server_name_callback(callback.map(Bound::unbind));
    py.detach(|| this.core.setup_ssl_context(&setup, sni))
        .or_raise(py)
}

pub(crate) fn server_add(obj: &Bound<'_, PyAny>, args: SetupArgs<'_, '_>) -> PyResult<usize> {
    let py = obj.py();
    let this = server(obj)?;
    let setup = args.build()?;
    py.detach(|| this.core.add_ssl_context(&setup)).or_raise(py)
}

pub(crate) fn server_bind_name(obj: &Bound<'_, PyAny>, name: &str, index: usize) -> PyResult<()> {
    server(obj)?
        .core
        .bind_ssl_server_name(name, index)
        .or_raise(obj.py())
}

pub(crate) fn server_default_index(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<i32> {
    Ok(server(obj)?.core.default_server_name_index(name))
}

pub(crate) fn server_cleanup(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let this = server(obj)?;
    this.core.cleanup_ssl_context();
    this.bridge.set_server_name_callback(None);
    Ok(())
}

pub(crate) fn server_handshake(obj: &Bound<'_, PyAny>, conn_id: u64) -> PyResult<()> {
    server(obj)?
        .core
        .start_ssl_handshake(conn_id)
        .or_raise(obj.py())
}

pub(crate) fn agent_setup(obj: &Bound<'_, PyAny>, args: SetupArgs<'_, '_>) -> PyResult<()> {
    let py = obj.py();
    let this = agent(obj)?;
    let setup = args.build()?;
    py.detach(|| this.core.setup_ssl_context(&setup))
        .or_raise(py)
}

pub(crate) fn agent_cleanup(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    agent(obj)?.core.cleanup_ssl_context();
    Ok(())
}

pub(crate) fn agent_handshake(obj: &Bound<'_, PyAny>, conn_id: u64) -> PyResult<()> {
    agent(obj)?
        .core
        .start_ssl_handshake(conn_id)
        .or_raise(obj.py())
}

pub(crate) fn client_setup(obj: &Bound<'_, PyAny>, args: SetupArgs<'_, '_>) -> PyResult<()> {
    let py = obj.py();
    let this = client(obj)?;
    let setup = args.build()?;
    py.detach(|| this.core.setup_ssl_context(&setup))
        .or_raise(py)
}

pub(crate) fn client_cleanup(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    client(obj)?.core.cleanup_ssl_context();
    Ok(())
}

pub(crate) fn client_handshake(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    client(obj)?.core.start_ssl_handshake().or_raise(obj.py())
}

/// `setup_ssl_context` and the rest for the server classes.
macro_rules! ssl_server_methods {
    ($cls:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Builds the TLS context (HP-Socket's ``SetupSSLContext``): ``verify_mode`` is a
            /// combination of the ``SSL_VM_*`` constants; ``certificate``, ``private_key``
            /// (encrypted with ``key_password``, if any) and ``ca`` (a file, a hashed
            /// directory, or PEM text) are paths or PEM ``bytes``; ``cipher_list`` is
            /// OpenSSL's (TLS 1.2). ``server_name_callback(server_name) -> int`` picks the
            /// certificate for a client's SNI name: 0 the default, > 0 an
            /// ``add_ssl_context`` index, < 0 aborts the handshake (None: the names bound
            /// with ``bind_ssl_server_name``); it runs on a worker thread, and an exception
            /// in it is reported through ``sys.unraisablehook`` and aborts the handshake.
            /// Required before ``start``; allowed while running (a certificate reload).
            #[allow(clippy::too_many_arguments)]
            #[pyo3(signature = (verify_mode=0, certificate=None, private_key=None, key_password=None, ca=None, cipher_list=None, *, server_name_callback=None))]
            fn setup_ssl_context(
                slf: &Bound<'_, Self>,
                verify_mode: i32,
                certificate: Option<&Bound<'_, PyAny>>,
                private_key: Option<&Bound<'_, PyAny>>,
                key_password: Option<String>,
                ca: Option<&Bound<'_, PyAny>>,
                cipher_list: Option<String>,
                server_name_callback: Option<Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let args = $crate::ssl::SetupArgs {
                    verify_mode, certificate, private_key, key_password, ca, cipher_list,
                };
                $crate::ssl::server_setup(slf.as_any(), args, server_name_callback)
            }

            /// Adds a certificate for SNI (``AddSSLContext``); returns its index (1, 2, ...).
            #[pyo3(signature = (verify_mode=0, certificate=None, private_key=None, key_password=None, ca=None, cipher_list=None))]
            fn add_ssl_context(
                slf: &Bound<'_, Self>,
                verify_mode: i32,
                certificate: Option<&Bound<'_, PyAny>>,
                private_key: Option<&Bound<'_, PyAny>>,
                key_password: Option<String>,
                ca: Option<&Bound<'_, PyAny>>,
                cipher_list: Option<String>,
            ) -> PyResult<usize> {
                let args = $crate::ssl::SetupArgs {
                    verify_mode, certificate, private_key, key_password, ca, cipher_list,
                };
                $crate::ssl::server_add(slf.as_any(), args)
            }

            /// Serves the context ``index`` to clients asking for ``server_name``
            /// (``*.example.org`` matches one label).
            fn bind_ssl_server_name(slf: &Bound<'_, Self>, server_name: &str, index: usize) -> PyResult<()> {
                $crate::ssl::server_bind_name(slf.as_any(), server_name, index)
            }

            /// What the default SNI resolver picks for ``server_name``: the bound index, or 0
            /// (``HP_SSL_DefaultServerNameCallback``).
            fn default_server_name_index(slf: &Bound<'_, Self>, server_name: &str) -> PyResult<i32> {
                $crate::ssl::server_default_index(slf.as_any(), server_name)
            }

            /// Forgets the TLS context (``CleanupSSLContext``); running sessions keep theirs.
            fn cleanup_ssl_context(slf: &Bound<'_, Self>) -> PyResult<()> {
                $crate::ssl::server_cleanup(slf.as_any())
            }

            /// With ``ssl_auto_handshake`` off: starts TLS on a connection after its plaintext
            /// phase; ``on_handshake`` follows when it completes.
            fn start_ssl_handshake(slf: &Bound<'_, Self>, conn_id: $crate::args::Cid) -> PyResult<()> {
                $crate::ssl::server_handshake(slf.as_any(), conn_id.0)
            }
        }
    };
}

/// `setup_ssl_context` and the rest for the agent classes.
macro_rules! ssl_agent_methods {
    ($cls:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Builds the TLS context (``SetupSSLContext``): see ``SslServer.setup_ssl_context``
            /// (a client certificate is optional; no SNI callback). Required before ``start``.
            #[pyo3(signature = (verify_mode=0, certificate=None, private_key=None, key_password=None, ca=None, cipher_list=None))]
            fn setup_ssl_context(
                slf: &Bound<'_, Self>,
                verify_mode: i32,
                certificate: Option<&Bound<'_, PyAny>>,
                private_key: Option<&Bound<'_, PyAny>>,
                key_password: Option<String>,
                ca: Option<&Bound<'_, PyAny>>,
                cipher_list: Option<String>,
            ) -> PyResult<()> {
                let args = $crate::ssl::SetupArgs {
                    verify_mode, certificate, private_key, key_password, ca, cipher_list,
                };
                $crate::ssl::agent_setup(slf.as_any(), args)
            }

            /// Forgets the TLS context (``CleanupSSLContext``).
            fn cleanup_ssl_context(slf: &Bound<'_, Self>) -> PyResult<()> {
                $crate::ssl::agent_cleanup(slf.as_any())
            }

            /// With ``ssl_auto_handshake`` off: starts TLS on a connection after its plaintext
            /// phase; ``on_handshake`` follows when it completes.
            fn start_ssl_handshake(slf: &Bound<'_, Self>, conn_id: $crate::args::Cid) -> PyResult<()> {
                $crate::ssl::agent_handshake(slf.as_any(), conn_id.0)
            }
        }
    };
}

/// `setup_ssl_context` and the rest for the client classes.
macro_rules! ssl_client_methods {
    ($cls:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Builds the TLS context (``SetupSSLContext``): see ``SslServer.setup_ssl_context``
            /// (a client certificate is optional; no SNI callback). Required before ``start``.
            /// The server name sent (SNI) is the host of ``start``'s ``"address^hostname"``.
            #[pyo3(signature = (verify_mode=0, certificate=None, private_key=None, key_password=None, ca=None, cipher_list=None))]
            fn setup_ssl_context(
                slf: &Bound<'_, Self>,
                verify_mode: i32,
                certificate: Option<&Bound<'_, PyAny>>,
                private_key: Option<&Bound<'_, PyAny>>,
                key_password: Option<String>,
                ca: Option<&Bound<'_, PyAny>>,
                cipher_list: Option<String>,
            ) -> PyResult<()> {
                let args = $crate::ssl::SetupArgs {
                    verify_mode, certificate, private_key, key_password, ca, cipher_list,
                };
                $crate::ssl::client_setup(slf.as_any(), args)
            }

            /// Forgets the TLS context (``CleanupSSLContext``).
            fn cleanup_ssl_context(slf: &Bound<'_, Self>) -> PyResult<()> {
                $crate::ssl::client_cleanup(slf.as_any())
            }

            /// With ``ssl_auto_handshake`` off: starts TLS after the plaintext phase;
            /// ``on_handshake`` follows when it completes.
            fn start_ssl_handshake(slf: &Bound<'_, Self>) -> PyResult<()> {
                $crate::ssl::client_handshake(slf.as_any())
            }
        }
    };
}

/// An SSL class: its constructor builds the TCP base (secure) and the subclass chain.
macro_rules! ssl_class {
    (
        $(#[$doc:meta])*
        $cls:ident, $name:literal, extends $parent:ty, holder $holder:ty, $model:expr,
        |$base:ident| $init:expr
    ) => {
        $(#[$doc])*
        #[pyclass(subclass, frozen, extends = $parent, module = "hpsocket._native", name = $name)]
        pub(crate) struct $cls {}

        #[pymethods]
        impl $cls {
            #[new]
            #[pyo3(signature = (listener=None, **settings))]
            fn new(
                py: Python<'_>,
                listener: Option<Bound<'_, PyAny>>,
                settings: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<PyClassInitializer<Self>> {
                let $base = <$holder>::create(py, listener, $model, settings, $name, true)?;
                Ok($init)
            }
        }

        ssl_properties!($cls, $holder);
    };
}

ssl_class!(
    /// An SSL server (HP-Socket's ``SSLServer``): a ``TcpServer`` whose connections run TLS.
    /// Call ``setup_ssl_context`` before ``start``; ``on_handshake`` fires when the TLS
    /// handshake completes, and data in both directions is the plaintext.
    PySslServer, "SslServer", extends PyTcpServer, holder PyTcpServer, ReceiveModel::Push,
    |base| PyClassInitializer::from(base).add_subclass(PySslServer {})
);
ssl_server_methods!(PySslServer);

ssl_class!(
    /// An SSL PULL server (``SSLPullServer``): see ``SslServer`` and ``TcpPullServer``.
    PySslPullServer, "SslPullServer", extends PyTcpPullServer, holder PyTcpServer,
    ReceiveModel::Pull,
    |base| PyClassInitializer::from(base)
        .add_subclass(PyTcpPullServer {})
        .add_subclass(PySslPullServer {})
);
ssl_server_methods!(PySslPullServer);

ssl_class!(
    /// An SSL PACK server (``SSLPackServer``): see ``SslServer`` and ``TcpPackServer``.
    PySslPackServer, "SslPackServer", extends PyTcpPackServer, holder PyTcpServer,
    ReceiveModel::Pack,
    |base| PyClassInitializer::from(base)
        .add_subclass(PyTcpPackServer {})
        .add_subclass(PySslPackServer {})
);
ssl_server_methods!(PySslPackServer);

ssl_class!(
    /// An SSL agent (``SSLAgent``): a ``TcpAgent`` whose connections run TLS. Call
    /// ``setup_ssl_context`` before ``start``.
    PySslAgent, "SslAgent", extends PyTcpAgent, holder PyTcpAgent, ReceiveModel::Push,
    |base| PyClassInitializer::from(base).add_subclass(PySslAgent {})
);
ssl_agent_methods!(PySslAgent);

ssl_class!(
    /// An SSL PULL agent (``SSLPullAgent``).
    PySslPullAgent, "SslPullAgent", extends PyTcpPullAgent, holder PyTcpAgent, ReceiveModel::Pull,
    |base| PyClassInitializer::from(base)
        .add_subclass(PyTcpPullAgent {})
        .add_subclass(PySslPullAgent {})
);
ssl_agent_methods!(PySslPullAgent);

ssl_class!(
    /// An SSL PACK agent (``SSLPackAgent``).
    PySslPackAgent, "SslPackAgent", extends PyTcpPackAgent, holder PyTcpAgent, ReceiveModel::Pack,
    |base| PyClassInitializer::from(base)
        .add_subclass(PyTcpPackAgent {})
        .add_subclass(PySslPackAgent {})
);
ssl_agent_methods!(PySslPackAgent);

ssl_class!(
    /// An SSL client (``SSLClient``): a ``TcpClient`` whose connection runs TLS. Call
    /// ``setup_ssl_context`` before ``start``.
    PySslClient, "SslClient", extends PyTcpClient, holder PyTcpClient, ReceiveModel::Push,
    |base| PyClassInitializer::from(base).add_subclass(PySslClient {})
);
ssl_client_methods!(PySslClient);

ssl_class!(
    /// An SSL PULL client (``SSLPullClient``).
    PySslPullClient, "SslPullClient", extends PyTcpPullClient, holder PyTcpClient,
    ReceiveModel::Pull,
    |base| PyClassInitializer::from(base)
        .add_subclass(PyTcpPullClient {})
        .add_subclass(PySslPullClient {})
);
ssl_client_methods!(PySslPullClient);

ssl_class!(
    /// An SSL PACK client (``SSLPackClient``).
    PySslPackClient, "SslPackClient", extends PyTcpPackClient, holder PyTcpClient,
    ReceiveModel::Pack,
    |base| PyClassInitializer::from(base)
        .add_subclass(PyTcpPackClient {})
        .add_subclass(PySslPackClient {})
);
ssl_client_methods!(PySslPackClient);

crate::settings::ssl_verify_properties!(PySslAgent, PyTcpAgent);
crate::settings::ssl_verify_properties!(PySslPullAgent, PyTcpAgent);
crate::settings::ssl_verify_properties!(PySslPackAgent, PyTcpAgent);
crate::settings::ssl_verify_properties!(PySslClient, PyTcpClient);
crate::settings::ssl_verify_properties!(PySslPullClient, PyTcpClient);
crate::settings::ssl_verify_properties!(PySslPackClient, PyTcpClient);
