//! `TcpServer`, `TcpPullServer`, `TcpPackServer`.

use std::sync::Arc;

use hpsocket_core::{EventAdapter, ReceiveModel};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::bridge::{Bridge, Role};
use crate::component::{self, engine_methods};
use crate::errors::OrRaise;
use crate::events::PyEvents;
use crate::settings::{
    self, engine_properties, impl_configurable, pack_properties, socket_properties,
};

/// A TCP server (HP-Socket's ``ITcpServer``, PUSH model): listens, accepts connections and
/// reports their events to ``listener`` (see ``TcpServerListener``) on worker threads.
///
/// ``TcpServer(listener=None, **settings)``: settings are keyword arguments with the names of
/// the properties (``worker_thread_count=4, max_connection_count=100, ...``), HP-Socket's
/// defaults otherwise. Use it as a context manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "TcpServer"
)]
pub(crate) struct PyTcpServer {
    pub(crate) core: hpsocket_core::TcpServer,
    pub(crate) bridge: Arc<Bridge>,
}

impl PyTcpServer {
    pub(crate) fn create(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        model: ReceiveModel,
        kwargs: Option<&Bound<'_, PyDict>>,
        class: &str,
        secure: bool,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::new(Role::Server, model, secure));
        bridge.adopt_listener(listener, class)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: false,
        }));
        let core = if secure {
            hpsocket_core::TcpServer::new_ssl(events, model)
        } else {
            hpsocket_core::TcpServer::with_model(events, model)
        };
        let this = PyTcpServer { core, bridge };
        settings::apply_kwargs(&this, py, kwargs, class)?;
        Ok(this)
    }
}

impl_configurable!(PyTcpServer, get_engine, set_engine);
engine_methods!(PyTcpServer);
socket_properties!(PyTcpServer);
engine_properties!(PyTcpServer);
settings::settings_properties!(PyTcpServer:
    socket_listen_queue / set_socket_listen_queue =
        "``listen()`` backlog. Default ``SOMAXCONN``; greater than 0.",
    accept_socket_count / set_accept_socket_count =
        "Readiness events taken per poll. Default 64; greater than 0.",
);

#[pymethods]
impl PyTcpServer {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Self::create(
            py,
            listener,
            ReceiveModel::Push,
            settings,
            "TcpServer",
            false,
        )
    }
}

/// `start` and `listen_address`: the methods of every server class (TCP and UDP) beyond
/// [`engine_methods`](crate::component::engine_methods).
macro_rules! server_methods {
    ($cls:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Binds (TCP: and listens) on ``address`` (``""``: IPv4 any; ``"::"`` for IPv6)
            /// and ``port`` (0: any free port, see ``listen_address()``), then starts the
            /// workers. ``on_prepare_listen`` runs before this returns.
            fn start(
                slf: &Bound<'_, Self>,
                address: &str,
                port: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let py = slf.py();
                let port = $crate::args::port(port)?;
                let this = slf.get();
                let run = $crate::component::begin(py, slf.as_any(), &this.core, &this.bridge)?;
                let result = py.detach(|| this.core.start(address, port));
                $crate::component::started(py, &this.bridge, run, result)
            }

            /// The ``(address, port)`` the server listens on.
            fn listen_address(&self, py: Python<'_>) -> PyResult<(String, u16)> {
                Ok($crate::args::address(
                    self.core.listen_address().or_raise(py)?,
                ))
            }
        }
    };
}
pub(crate) use server_methods;

server_methods!(PyTcpServer);

/// A PULL server (HP-Socket's ``ITcpPullServer``): ``on_receive(sender, conn_id, length)``
/// reports how many bytes are buffered, and the listener takes them with ``fetch``/``peek``.
#[pyclass(subclass, frozen, extends = PyTcpServer, module = "hpsocket._native", name = "TcpPullServer")]
pub(crate) struct PyTcpPullServer {}

#[pymethods]
impl PyTcpPullServer {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = PyTcpServer::create(
            py,
            listener,
            ReceiveModel::Pull,
            settings,
            "TcpPullServer",
            false,
        )?;
        Ok(PyClassInitializer::from(base).add_subclass(PyTcpPullServer {}))
    }

    /// Takes the first ``length`` buffered bytes of a connection: ``(FetchResult.OK, data)``,
    /// or ``(LENGTH_TOO_LONG, b"")`` when fewer are buffered (nothing is taken), or
    /// ``(DATA_NOT_FOUND, b"")`` for an unknown or closed connection.
    fn fetch<'py>(
        slf: &Bound<'py, Self>,
        conn_id: crate::args::Cid,
        length: &Bound<'_, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, pyo3::types::PyBytes>)> {
        let length = crate::args::length(length)?;
        let core = &slf.as_super().get().core;
        component::fetched(slf.py(), length, |buf| core.fetch(conn_id.0, buf))
    }

    /// Like ``fetch``, leaving the bytes buffered.
    fn peek<'py>(
        slf: &Bound<'py, Self>,
        conn_id: crate::args::Cid,
        length: &Bound<'_, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, pyo3::types::PyBytes>)> {
        let length = crate::args::length(length)?;
        let core = &slf.as_super().get().core;
        component::fetched(slf.py(), length, |buf| core.peek(conn_id.0, buf))
    }
}

/// A PACK server (HP-Socket's ``ITcpPackServer``): every message travels as one frame, a
/// 4-byte little-endian header ``(pack_header_flag << 22) | length`` then the body;
/// ``on_receive`` gets one whole body, ``send`` sends one.
#[pyclass(subclass, frozen, extends = PyTcpServer, module = "hpsocket._native", name = "TcpPackServer")]
pub(crate) struct PyTcpPackServer {}

#[pymethods]
impl PyTcpPackServer {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = PyTcpServer::create(
            py,
            listener,
            ReceiveModel::Pack,
            settings,
            "TcpPackServer",
            false,
        )?;
        Ok(PyClassInitializer::from(base).add_subclass(PyTcpPackServer {}))
    }
}

pack_properties!(PyTcpPackServer);
