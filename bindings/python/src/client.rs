//! `TcpClient`, `TcpPullClient`, `TcpPackClient`.

use std::sync::Arc;

use hpsocket_core::{EventAdapter, ReceiveModel};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::args;
use crate::bridge::{Bridge, Role};
use crate::component;
use crate::errors::OrRaise;
use crate::events::PyEvents;
use crate::settings::{self, impl_configurable, pack_properties, socket_properties};

/// A TCP client (HP-Socket's ``ITcpClient``, PUSH model): one connection on its own worker
/// thread, reported to ``listener`` (see ``TcpClientListener``). When the connection closes
/// (either side) the client stops by itself after ``on_close``; ``start`` it again to
/// reconnect.
///
/// ``TcpClient(listener=None, **settings)``. Use it as a context manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "TcpClient"
)]
pub(crate) struct PyTcpClient {
    pub(crate) core: hpsocket_core::TcpClient,
    pub(crate) bridge: Arc<Bridge>,
}

impl PyTcpClient {
    pub(crate) fn create(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        model: ReceiveModel,
        kwargs: Option<&Bound<'_, PyDict>>,
        class: &str,
        secure: bool,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::new(Role::Client, model, secure));
        bridge.adopt_listener(listener, class)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: true,
        }));
        let core = if secure {
            hpsocket_core::TcpClient::new_ssl(events, model)
        } else {
            hpsocket_core::TcpClient::with_model(events, model)
        };
        let this = PyTcpClient { core, bridge };
        settings::apply_kwargs(&this, py, kwargs, class)?;
        Ok(this)
    }
}

impl_configurable!(PyTcpClient, get_client, set_client);
socket_properties!(PyTcpClient);
settings::settings_properties!(PyTcpClient:
    free_buffer_pool_size / set_free_buffer_pool_size = "Cached send buffers. Default 60.",
    free_buffer_pool_hold / set_free_buffer_pool_hold = "Send-buffer cache threshold. Default 60.",
    sync_connect_timeout / set_sync_connect_timeout =
        "Timeout of a synchronous ``start``, in ms. Default 10000; greater than 0.",
);

#[pymethods]
impl PyTcpClient {
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
            "TcpClient",
            false,
        )
    }
}

/// The methods of every client class (TCP and UDP): everything but the constructor.
macro_rules! client_methods {
    ($cls:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Connects to ``remote_address`` (IP, host name or ``"address^hostname"``) and
            /// ``port``. With ``async_connect`` (the default) it returns at once and the outcome
            /// comes as ``on_connect`` or ``on_close(CONNECT, errno)``; else it blocks (GIL
            /// released) until connected and raises ``HPSocketError`` if the connect fails.
            /// ``bind_address``/``local_port`` bind the local side first.
            #[pyo3(signature = (remote_address, port, async_connect=true, bind_address=None, local_port=None))]
            fn start(
                slf: &Bound<'_, Self>,
                remote_address: &str,
                port: &Bound<'_, PyAny>,
                async_connect: bool,
                bind_address: Option<&str>,
                local_port: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let py = slf.py();
                let port = $crate::args::port(port)?;
                let local_port = local_port.map($crate::args::port).transpose()?.unwrap_or(0);
                let this = slf.get();
                let run = $crate::component::begin(py, slf.as_any(), &this.core, &this.bridge)?;
                let result = py.detach(|| {
                    this.core.start_with(
                        remote_address,
                        port,
                        async_connect,
                        bind_address,
                        local_port,
                    )
                });
                $crate::component::started(py, &this.bridge, run, result)
            }

            /// Sends ``data`` (``bytes``, or any bytes-like object, copied once). PACK clients
            /// send it as one frame, UDP clients as one datagram. Raises ``HPSocketError`` when
            /// not connected.
            fn send(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
                let data = $crate::args::data(data)?;
                self.core.send(data.as_bytes()).or_raise(py)
            }

            /// Sends several buffers, in order, as one send (one frame for PACK, one datagram
            /// for UDP).
            fn send_packets(&self, py: Python<'_>, buffers: &Bound<'_, PyAny>) -> PyResult<()> {
                let held = buffers
                    .try_iter()?
                    .map(|b| $crate::args::data(&b?))
                    .collect::<PyResult<Vec<_>>>()?;
                let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
                self.core.send_packets(&slices).or_raise(py)
            }

            /// Sends ``head``, the file's content and ``tail`` as one send (file of 1 byte to
            /// 4 MiB - 1), reading the file with the GIL released.
            #[pyo3(signature = (path, head=None, tail=None))]
            fn send_small_file(
                &self,
                py: Python<'_>,
                path: std::path::PathBuf,
                head: Option<&Bound<'_, PyAny>>,
                tail: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let head = head.map($crate::args::data).transpose()?;
                let tail = tail.map($crate::args::data).transpose()?;
                let (h, t) = (
                    head.as_ref().map(|b| b.as_bytes()),
                    tail.as_ref().map(|b| b.as_bytes()),
                );
                py.detach(|| self.core.send_small_file(&path, h, t))
                    .or_raise(py)
            }

            /// Stops (``True``) or resumes (``False``) reading.
            #[pyo3(signature = (pause=true))]
            fn pause_receive(&self, py: Python<'_>, pause: bool) -> PyResult<()> {
                self.core.pause_receive(pause).or_raise(py)
            }

            /// Whether reading is paused.
            fn is_pause_receive(&self, py: Python<'_>) -> PyResult<bool> {
                self.core.is_pause_receive().or_raise(py)
            }

            /// Whether the connection is established.
            #[getter]
            fn is_connected(&self) -> bool {
                self.core.is_connected()
            }

            /// The ID of the current (or last) connection; 0 before the first start.
            #[getter]
            fn connection_id(&self) -> u64 {
                self.core.connection_id()
            }

            /// Any Python object attached to the client (``None`` by default).
            #[getter]
            fn extra(&self, py: Python<'_>) -> Option<Py<PyAny>> {
                self.bridge.client_extra(py)
            }

            #[setter]
            fn set_extra(&self, value: Option<Bound<'_, PyAny>>) {
                self.bridge
                    .set_client_extra(value.filter(|v| !v.is_none()).map(Bound::unbind));
            }

            /// The connection's local ``(address, port)``.
            fn local_address(&self, py: Python<'_>) -> PyResult<(String, u16)> {
                Ok($crate::args::address(self.core.local_address().or_raise(py)?))
            }

            /// The connection's peer ``(address, port)``.
            fn remote_address(&self, py: Python<'_>) -> PyResult<(String, u16)> {
                Ok($crate::args::address(self.core.remote_address().or_raise(py)?))
            }

            /// The host and port given to ``start``.
            fn remote_host(&self, py: Python<'_>) -> PyResult<(String, u16)> {
                self.core.remote_host().or_raise(py)
            }

            /// Bytes accepted by ``send`` and not yet written.
            fn pending_data_length(&self, py: Python<'_>) -> PyResult<usize> {
                self.core.pending_data_length().or_raise(py)
            }

            /// The last failure that no call returned (see ``TcpServer.last_error``), or None.
            fn last_error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
                $crate::errors::last_error(py, self.core.last_error())
            }

            /// Closes the connection (``on_close(CLOSE, 0)``) and stops, with the GIL released.
            /// Allowed inside the client's own callbacks, where it finishes in the background.
            fn stop(&self, py: Python<'_>) -> PyResult<()> {
                $crate::component::stop(py, &self.core, &self.bridge)
            }

            /// Waits until stopped, at most ``timeout`` seconds (``None``: for ever), with the GIL
            /// released; True when stopped.
            #[pyo3(signature = (timeout=None))]
            fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
                $crate::component::wait(py, &self.core, timeout)
            }

            /// ``ServiceState``.
            #[getter]
            fn state<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
                $crate::enums::member(py, $crate::enums::E::ServiceState, self.core.state() as i32)
            }

            /// True while starting or started.
            #[getter]
            fn has_started(&self) -> bool {
                self.core.has_started()
            }

            /// False: plain TCP.
            #[getter]
            fn is_secure(&self) -> bool {
                self.core.is_secure()
            }

            /// ``ReceiveModel``, fixed by the class.
            #[getter]
            fn model<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
                $crate::enums::member(py, $crate::enums::E::ReceiveModel, self.bridge.model as i32)
            }

            /// The listener given to the constructor.
            #[getter]
            fn listener(&self, py: Python<'_>) -> Option<Py<PyAny>> {
                self.bridge.listener(py)
            }

            fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
                slf
            }

            /// Stops the client if it is not stopped.
            #[pyo3(signature = (*_exc))]
            fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
                $crate::component::exit(py, &self.core, &self.bridge)
            }

            fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
                let this = slf.get();
                $crate::component::repr(slf.as_any(), this.core.state(), &this.bridge)
            }

            fn __traverse__(&self, visit: pyo3::gc::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
                self.bridge
                    .traverse(&visit, self.core.state() != hpsocket_core::ServiceState::Stopped)
            }

            fn __clear__(&self) {
                self.bridge
                    .clear(self.core.state() != hpsocket_core::ServiceState::Stopped);
            }
        }
    };
}
pub(crate) use client_methods;

client_methods!(PyTcpClient);

/// A PULL client (HP-Socket's ``ITcpPullClient``): ``on_receive(sender, conn_id, length)``
/// reports how many bytes are buffered; take them with ``fetch``/``peek``.
#[pyclass(subclass, frozen, extends = PyTcpClient, module = "hpsocket._native", name = "TcpPullClient")]
pub(crate) struct PyTcpPullClient {}

#[pymethods]
impl PyTcpPullClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = PyTcpClient::create(
            py,
            listener,
            ReceiveModel::Pull,
            settings,
            "TcpPullClient",
            false,
        )?;
        Ok(PyClassInitializer::from(base).add_subclass(PyTcpPullClient {}))
    }

    /// Takes the first ``length`` buffered bytes: ``(FetchResult.OK, data)``, or
    /// ``(LENGTH_TOO_LONG, b"")`` when fewer are buffered (nothing is taken), or
    /// ``(DATA_NOT_FOUND, b"")`` when not connected.
    fn fetch<'py>(
        slf: &Bound<'py, Self>,
        length: &Bound<'_, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyBytes>)> {
        let length = args::length(length)?;
        let core = &slf.as_super().get().core;
        component::fetched(slf.py(), length, |buf| core.fetch(buf))
    }

    /// Like ``fetch``, leaving the bytes buffered.
    fn peek<'py>(
        slf: &Bound<'py, Self>,
        length: &Bound<'_, PyAny>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyBytes>)> {
        let length = args::length(length)?;
        let core = &slf.as_super().get().core;
        component::fetched(slf.py(), length, |buf| core.peek(buf))
    }
}

/// A PACK client (HP-Socket's ``ITcpPackClient``); see ``TcpPackServer``.
#[pyclass(subclass, frozen, extends = PyTcpClient, module = "hpsocket._native", name = "TcpPackClient")]
pub(crate) struct PyTcpPackClient {}

#[pymethods]
impl PyTcpPackClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = PyTcpClient::create(
            py,
            listener,
            ReceiveModel::Pack,
            settings,
            "TcpPackClient",
            false,
        )?;
        Ok(PyClassInitializer::from(base).add_subclass(PyTcpPackClient {}))
    }
}

pack_properties!(PyTcpPackClient);
