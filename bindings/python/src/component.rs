//! What every component class shares: start/stop/wait around the bridge's runs, and the
//! connection operations of servers and agents (one macro, two classes).

use std::time::{Duration, Instant};

use hpsocket_core::{ErrorKind, ServiceState, TcpAgent, TcpClient, TcpServer};
use pyo3::prelude::*;

use crate::bridge::Bridge;
use crate::errors::{illegal_state, OrRaise};
use crate::runtime::{self, Stopper};

/// The life-cycle calls of the three core components.
pub(crate) trait Life: Sync {
    fn stop(&self) -> hpsocket_core::Result<()>;
    fn wait(&self, timeout: Option<Duration>) -> hpsocket_core::Result<bool>;
    fn state(&self) -> ServiceState;
    fn stopper(&self) -> Stopper;
}

macro_rules! impl_life {
    ($ty:ty, $variant:ident) => {
        impl Life for $ty {
            fn stop(&self) -> hpsocket_core::Result<()> {
                <$ty>::stop(self)
            }
            fn wait(&self, timeout: Option<Duration>) -> hpsocket_core::Result<bool> {
                <$ty>::wait(self, timeout)
            }
            fn state(&self) -> ServiceState {
                <$ty>::state(self)
            }
            fn stopper(&self) -> Stopper {
                Stopper::$variant(self.clone())
            }
        }
    };
}
impl_life!(TcpServer, Server);
impl_life!(TcpAgent, Agent);
impl_life!(TcpClient, Client);

/// Prepares a run before the core starts: refreshes the handlers and makes `owner` (the
/// component's Python object) the callbacks' sender. Returns the run number.
pub(crate) fn begin(
    py: Python<'_>,
    owner: &Bound<'_, PyAny>,
    core: &impl Life,
    bridge: &Bridge,
) -> PyResult<u64> {
    runtime::check_open(py)?;
    let stopped = core.state() == ServiceState::Stopped;
    if stopped {
        // Workers are not running: the handlers can be looked up again safely.
        bridge.refresh(py)?;
    }
    bridge
        .begin_run(owner.clone().unbind(), core.stopper(), stopped)
        .ok_or_else(|| illegal_state(py, "start: the component is already started"))
}

/// Ends the run begun for a start that failed.
pub(crate) fn started(
    py: Python<'_>,
    bridge: &Bridge,
    run: u64,
    result: hpsocket_core::Result<()>,
) -> PyResult<()> {
    bridge.start_done(run);
    if result.is_err() {
        bridge.end_run(Some(run));
    }
    result.or_raise(py)
}

/// `stop()`, with the GIL released while the workers finish. Stopping a stopped component
/// (a client stops by itself when its connection closes) succeeds and does nothing, as
/// `close()` does on asyncio transports and Python sockets; a stop the core refuses for
/// another reason (from a server's own callback) still raises.
pub(crate) fn stop(py: Python<'_>, core: &impl Life, bridge: &Bridge) -> PyResult<()> {
    let run = bridge.run_number();
    if let Err(e) = py.detach(|| core.stop()) {
        if !(e.kind() == ErrorKind::IllegalState && core.state() == ServiceState::Stopped) {
            return Err(e).or_raise(py);
        }
    }
    if core.state() == ServiceState::Stopped {
        bridge.end_run(Some(run));
    }
    Ok(())
}

/// `wait(timeout)`, with the GIL released, waking every 100 ms to let Python handle signals
/// (Ctrl+C stops a `wait()` without timeout).
pub(crate) fn wait(py: Python<'_>, core: &impl Life, timeout: Option<f64>) -> PyResult<bool> {
    const SLICE: Duration = Duration::from_millis(100);
    let deadline = crate::args::timeout(timeout)?.map(|t| Instant::now() + t);
    loop {
        let slice = match deadline {
            None => SLICE,
            Some(d) => d.saturating_duration_since(Instant::now()).min(SLICE),
        };
        if py.detach(|| core.wait(Some(slice))).or_raise(py)? {
            return Ok(true);
        }
        py.check_signals()?;
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(false);
        }
    }
}

/// `__exit__`: stops the component unless it is stopped.
pub(crate) fn exit(py: Python<'_>, core: &impl Life, bridge: &Bridge) -> PyResult<bool> {
    if core.state() != ServiceState::Stopped {
        if let Err(e) = stop(py, core, bridge) {
            if core.state() != ServiceState::Stopped {
                return Err(e);
            }
        }
    }
    Ok(false)
}

/// `repr()` of a component.
pub(crate) fn repr(
    slf: &Bound<'_, PyAny>,
    state: ServiceState,
    bridge: &Bridge,
) -> PyResult<String> {
    let state = crate::enums::member(slf.py(), crate::enums::E::ServiceState, state as i32);
    let model = crate::enums::member(slf.py(), crate::enums::E::ReceiveModel, bridge.model as i32);
    Ok(format!(
        "<hpsocket.{} state={} model={}>",
        slf.get_type().name()?,
        state.getattr("name")?,
        model.getattr("name")?
    ))
}

/// The methods servers and agents share (HP-Socket's `ITcpServer`/`ITcpAgent` connection
/// operations), the life cycle, the context manager and the garbage-collector hooks.
macro_rules! engine_methods {
    ($cls:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Sends ``data`` (``bytes``, or any bytes-like object, copied once) on a
            /// connection. PACK components send it as one frame (empty or larger than
            /// ``max_pack_size`` fails). Raises ``HPSocketError`` for an unknown or closed
            /// connection.
            fn send(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
                data: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let data = $crate::args::data(data)?;
                self.core.send(conn_id.0, data.as_bytes()).or_raise(py)
            }

            /// Sends several buffers, in order, as one send (one frame for PACK).
            fn send_packets(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
                buffers: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let held = buffers
                    .try_iter()?
                    .map(|b| $crate::args::data(&b?))
                    .collect::<PyResult<Vec<_>>>()?;
                let slices: Vec<&[u8]> = held.iter().map(|b| b.as_bytes()).collect();
                self.core.send_packets(conn_id.0, &slices).or_raise(py)
            }

            /// Sends ``head``, the file's content and ``tail`` as one send; the file must be
            /// 1 byte to 4 MiB - 1. Reads the file with the GIL released.
            #[pyo3(signature = (conn_id, path, head=None, tail=None))]
            fn send_small_file(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
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
                py.detach(|| self.core.send_small_file(conn_id.0, &path, h, t))
                    .or_raise(py)
            }

            /// Closes a connection; ``on_close(CLOSE, 0)`` follows on its worker thread.
            /// (``force`` is accepted for HP-Socket compatibility: every disconnect is forced.)
            #[pyo3(signature = (conn_id, force=true))]
            fn disconnect(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
                force: bool,
            ) -> PyResult<()> {
                self.core.disconnect(conn_id.0, force).or_raise(py)
            }

            /// Disconnects every connection older than ``period`` ms.
            #[pyo3(signature = (period, force=true))]
            fn disconnect_long_connections(
                &self,
                py: Python<'_>,
                period: &Bound<'_, PyAny>,
                force: bool,
            ) -> PyResult<()> {
                let ms = $crate::args::millis(period, "period")?;
                self.core
                    .disconnect_long_connections(std::time::Duration::from_millis(ms.into()), force)
                    .or_raise(py)
            }

            /// Disconnects every connection that received nothing for ``period`` ms (needs
            /// ``mark_silence``).
            #[pyo3(signature = (period, force=true))]
            fn disconnect_silence_connections(
                &self,
                py: Python<'_>,
                period: &Bound<'_, PyAny>,
                force: bool,
            ) -> PyResult<()> {
                let ms = $crate::args::millis(period, "period")?;
                self.core
                    .disconnect_silence_connections(
                        std::time::Duration::from_millis(ms.into()),
                        force,
                    )
                    .or_raise(py)
            }

            /// Stops (``True``) or resumes (``False``) reading a connection.
            #[pyo3(signature = (conn_id, pause=true))]
            fn pause_receive(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
                pause: bool,
            ) -> PyResult<()> {
                self.core.pause_receive(conn_id.0, pause).or_raise(py)
            }

            /// Whether reading the connection is paused.
            fn is_pause_receive(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
            ) -> PyResult<bool> {
                self.core.is_pause_receive(conn_id.0).or_raise(py)
            }

            /// Whether the connection exists and is established.
            fn is_connected(&self, conn_id: $crate::args::Cid) -> bool {
                self.core.is_connected(conn_id.0)
            }

            /// Attaches any Python object to a connection (``None`` detaches); readable with
            /// ``get_connection_extra`` until ``on_close`` returns, then dropped.
            fn set_connection_extra(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
                extra: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                self.core.connection_extra(conn_id.0).or_raise(py)?;
                let value = (!extra.is_none()).then(|| extra.clone().unbind());
                self.bridge.set_extra(conn_id.0, value);
                if self.core.connection_extra(conn_id.0).is_err() {
                    // Closed meanwhile: on_close may already have dropped the extras.
                    self.bridge.set_extra(conn_id.0, None);
                }
                Ok(())
            }

            /// The object attached to a connection, or ``None``.
            fn get_connection_extra(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
            ) -> PyResult<Option<Py<PyAny>>> {
                let token = self.core.connection_extra(conn_id.0).or_raise(py)?;
                Ok(self.bridge.get_extra(py, conn_id.0, token))
            }

            /// Number of connections.
            #[getter]
            fn connection_count(&self) -> usize {
                self.core.connection_count()
            }

            /// IDs of every connection.
            fn all_connection_ids(&self) -> Vec<u64> {
                self.core.all_connection_ids()
            }

            /// ms since the connection was accepted (or its connect started).
            fn connect_period(&self, py: Python<'_>, conn_id: $crate::args::Cid) -> PyResult<u128> {
                Ok(self
                    .core
                    .connect_period(conn_id.0)
                    .or_raise(py)?
                    .as_millis())
            }

            /// ms since the connection last received data (needs ``mark_silence``).
            fn silence_period(&self, py: Python<'_>, conn_id: $crate::args::Cid) -> PyResult<u128> {
                Ok(self
                    .core
                    .silence_period(conn_id.0)
                    .or_raise(py)?
                    .as_millis())
            }

            /// The connection's local ``(address, port)``.
            fn local_address(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
            ) -> PyResult<(String, u16)> {
                Ok($crate::args::address(
                    self.core.local_address(conn_id.0).or_raise(py)?,
                ))
            }

            /// The connection's peer ``(address, port)``.
            fn remote_address(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
            ) -> PyResult<(String, u16)> {
                Ok($crate::args::address(
                    self.core.remote_address(conn_id.0).or_raise(py)?,
                ))
            }

            /// Bytes accepted by ``send`` and not yet written to the socket.
            fn pending_data_length(
                &self,
                py: Python<'_>,
                conn_id: $crate::args::Cid,
            ) -> PyResult<usize> {
                self.core.pending_data_length(conn_id.0).or_raise(py)
            }

            /// The last failure that no call returned -- such as a failed TLS handshake, whose
            /// ``on_close`` carries only an ``errno`` -- as an ``HPSocketError`` with a
            /// ``sequence`` number (1, 2, ...) to tell a new one from one seen before; or None.
            fn last_error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
                $crate::errors::last_error(py, self.core.last_error())
            }

            /// Stops: every connection closes (each gets ``on_close``), then ``on_shutdown``.
            /// Blocks, with the GIL released, until done. On a stopped component it does
            /// nothing. Raises ``HPSocketError`` (``ILLEGAL_STATE``) when called from one of
            /// this component's own callbacks (it would wait for itself).
            fn stop(&self, py: Python<'_>) -> PyResult<()> {
                $crate::component::stop(py, &self.core, &self.bridge)
            }

            /// Waits until stopped, at most ``timeout`` seconds (``None``: for ever), with the
            /// GIL released; True when stopped. Signal handlers (Ctrl+C) still run.
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

            /// Stops the component if it is not stopped.
            #[pyo3(signature = (*_exc))]
            fn __exit__(
                &self,
                py: Python<'_>,
                _exc: &Bound<'_, pyo3::types::PyTuple>,
            ) -> PyResult<bool> {
                $crate::component::exit(py, &self.core, &self.bridge)
            }

            fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
                let this = slf.get();
                $crate::component::repr(slf.as_any(), this.core.state(), &this.bridge)
            }

            fn __traverse__(
                &self,
                visit: pyo3::gc::PyVisit<'_>,
            ) -> Result<(), pyo3::PyTraverseError> {
                let running = self.core.state() != hpsocket_core::ServiceState::Stopped;
                self.bridge.traverse(&visit, running)
            }

            fn __clear__(&self) {
                let running = self.core.state() != hpsocket_core::ServiceState::Stopped;
                self.bridge.clear(running);
            }
        }
    };
}
pub(crate) use engine_methods;

/// `fetch`/`peek` result: a `FetchResult` member and the bytes (empty unless `OK`). The bytes
/// object is allocated first and the core copies straight into it: one copy.
pub(crate) fn fetched<'py>(
    py: Python<'py>,
    length: usize,
    f: impl FnOnce(&mut [u8]) -> hpsocket_core::FetchResult,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, pyo3::types::PyBytes>)> {
    use hpsocket_core::FetchResult;
    let mut result = FetchResult::DataNotFound;
    let data = pyo3::types::PyBytes::new_with(py, length, |buf| {
        result = f(buf);
        Ok(())
    })?;
    let code = match result {
        FetchResult::Ok => 0,
        FetchResult::LengthTooLong => 1,
        FetchResult::DataNotFound => 2,
    };
    let data = if code == 0 {
        data
    } else {
        pyo3::types::PyBytes::new(py, b"")
    };
    Ok((
        crate::enums::member(py, crate::enums::E::FetchResult, code),
        data,
    ))
}
