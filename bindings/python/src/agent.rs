//! `TcpAgent`, `TcpPullAgent`, `TcpPackAgent`.

use std::sync::Arc;

use hpsocket_core::{ConnectOptions, EventAdapter, ReceiveModel};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::bridge::{Bridge, Role};
use crate::component::{self, engine_methods};
use crate::errors::OrRaise;
use crate::events::PyEvents;
use crate::settings::{
    self, engine_properties, impl_configurable, pack_properties, socket_properties,
};

/// A TCP agent (HP-Socket's ``ITcpAgent``, PUSH model): many outgoing connections sharing
/// worker threads, reported to ``listener`` (see ``TcpAgentListener``).
///
/// ``TcpAgent(listener=None, **settings)``; ``start()`` it, then ``connect()`` as often as
/// needed. Use it as a context manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "TcpAgent"
)]
pub(crate) struct PyTcpAgent {
    pub(crate) core: hpsocket_core::TcpAgent,
    pub(crate) bridge: Arc<Bridge>,
}

impl PyTcpAgent {
    pub(crate) fn create(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        model: ReceiveModel,
        kwargs: Option<&Bound<'_, PyDict>>,
        class: &str,
        secure: bool,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::new(Role::Agent, model, secure));
        bridge.adopt_listener(listener, class)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: false,
        }));
        let core = if secure {
            hpsocket_core::TcpAgent::new_ssl(events, model)
        } else {
            hpsocket_core::TcpAgent::with_model(events, model)
        };
        let this = PyTcpAgent { core, bridge };
        settings::apply_kwargs(&this, py, kwargs, class)?;
        Ok(this)
    }
}

impl_configurable!(PyTcpAgent, get_engine, set_engine);
engine_methods!(PyTcpAgent);
socket_properties!(PyTcpAgent);
engine_properties!(PyTcpAgent);
settings::settings_properties!(PyTcpAgent:
    sync_connect_timeout / set_sync_connect_timeout =
        "Timeout of a synchronous ``connect``, in ms. Default 10000; greater than 0.",
);

#[pymethods]
impl PyTcpAgent {
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
            "TcpAgent",
            false,
        )
    }

    /// Starts the workers. ``bind_address`` (None: any) is the local address of every
    /// connect; with ``async_connect`` (the default) ``connect`` returns at once and the
    /// outcome comes as ``on_connect`` or ``on_close(CONNECT, errno)``, else ``connect``
    /// blocks (GIL released) until connected or ``sync_connect_timeout``.
    #[pyo3(signature = (bind_address=None, async_connect=true))]
    fn start(
        slf: &Bound<'_, Self>,
        bind_address: Option<&str>,
        async_connect: bool,
    ) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        let run = component::begin(py, slf.as_any(), &this.core, &this.bridge)?;
        let result = py.detach(|| this.core.start(bind_address, async_connect));
        component::started(py, &this.bridge, run, result)
    }

    /// Connects to ``remote_address`` (IP, host name, or ``"address^hostname"``) and
    /// ``port``; returns the new connection ID. ``extra`` is attached to the connection
    /// before its first event (see ``get_connection_extra``); ``local_address`` and
    /// ``local_port`` bind the local side.
    #[pyo3(signature = (remote_address, port, *, extra=None, local_address=None, local_port=None))]
    fn connect(
        &self,
        py: Python<'_>,
        remote_address: &str,
        port: &Bound<'_, PyAny>,
        extra: Option<Bound<'_, PyAny>>,
        local_address: Option<String>,
        local_port: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let port = crate::args::port(port)?;
        let local_port = local_port.map(crate::args::port).transpose()?.unwrap_or(0);
        let token = match extra {
            Some(e) if !e.is_none() => self.bridge.add_pending(e.unbind()),
            _ => 0,
        };
        let options = ConnectOptions {
            extra: token,
            local_address,
            local_port,
        };
        let result = py.detach(|| self.core.connect_with(remote_address, port, &options));
        if token != 0 {
            let id = result.as_ref().ok().copied();
            let alive = id.is_some_and(|id| self.core.connection_extra(id).is_ok());
            self.bridge.settle_pending(token, id, alive);
        }
        result.or_raise(py)
    }

    /// The host and port given to ``connect`` for the connection.
    fn remote_host(&self, py: Python<'_>, conn_id: crate::args::Cid) -> PyResult<(String, u16)> {
        self.core.remote_host(conn_id.0).or_raise(py)
    }
}

/// A PULL agent (HP-Socket's ``ITcpPullAgent``); see ``TcpPullServer``.
#[pyclass(subclass, frozen, extends = PyTcpAgent, module = "hpsocket._native", name = "TcpPullAgent")]
pub(crate) struct PyTcpPullAgent {}

#[pymethods]
impl PyTcpPullAgent {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = PyTcpAgent::create(
            py,
            listener,
            ReceiveModel::Pull,
            settings,
            "TcpPullAgent",
            false,
        )?;
        Ok(PyClassInitializer::from(base).add_subclass(PyTcpPullAgent {}))
    }

    /// See ``TcpPullServer.fetch``.
    fn fetch<'py>(
        slf: &Bound<'py, Self>,
        conn_id: crate::args::Cid,
        length: &Bound<'_, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, pyo3::types::PyBytes>)> {
        let length = crate::args::length(length)?;
        let core = &slf.as_super().get().core;
        component::fetched(slf.py(), length, |buf| core.fetch(conn_id.0, buf))
    }

    /// See ``TcpPullServer.peek``.
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

/// A PACK agent (HP-Socket's ``ITcpPackAgent``); see ``TcpPackServer``.
#[pyclass(subclass, frozen, extends = PyTcpAgent, module = "hpsocket._native", name = "TcpPackAgent")]
pub(crate) struct PyTcpPackAgent {}

#[pymethods]
impl PyTcpPackAgent {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = PyTcpAgent::create(
            py,
            listener,
            ReceiveModel::Pack,
            settings,
            "TcpPackAgent",
            false,
        )?;
        Ok(PyClassInitializer::from(base).add_subclass(PyTcpPackAgent {}))
    }
}

pack_properties!(PyTcpPackAgent);
