//! `HttpSyncClient` and `HttpsSyncClient`: the blocking clients, whose `open_url` sends a
//! request and waits, with the GIL released, for the whole response.

use std::sync::Arc;

use hpsocket_core::http::HttpSyncClient;
use hpsocket_core::{EventAdapter, ReceiveModel, ServiceState};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::args::{body_arg, header_refs, headers_arg};
use super::message::{message, PyHttpMessage};
use super::settings::{split_kwargs, write_setting, SYNC_SETTINGS};
use crate::bridge::{Bridge, Role};
use crate::client::PyTcpClient;
use crate::component;
use crate::errors::OrRaise;
use crate::events::PyEvents;
use crate::settings;
use crate::ssl::PySslClient;

/// The base of a sync client and its core.
fn sync_base(
    py: Python<'_>,
    listener: Option<Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
    class: &str,
    secure: bool,
) -> PyResult<(PyTcpClient, HttpSyncClient)> {
    let (rest, mine) = split_kwargs(py, kwargs, SYNC_SETTINGS)?;
    let bridge = Arc::new(Bridge::new(Role::Client, ReceiveModel::Http, secure));
    bridge.adopt_listener(listener, class)?;
    let events = Arc::new(EventAdapter(PyEvents {
        bridge: bridge.clone(),
        client: true,
    }));
    let sync = HttpSyncClient::new(Some(events), secure);
    let base = PyTcpClient {
        core: sync.client().clone(),
        bridge,
    };
    settings::apply_kwargs(&base, py, rest.as_ref(), class)?;
    for (name, value) in mine {
        match name.as_str() {
            "connect_timeout" => sync.set_connect_timeout(crate::args::millis(&value, &name)?),
            "request_timeout" => sync.set_request_timeout(crate::args::millis(&value, &name)?),
            _ => write_setting(py, &base.core, &name, &value)?,
        }
    }
    Ok((base, sync))
}

/// `open_url` of both sync classes: begins a run (the component object is the callbacks'
/// sender and stays alive while connected) unless one is on, then blocks with the GIL
/// released.
fn open_url(
    slf: &Bound<'_, PyAny>,
    sync: &HttpSyncClient,
    method: &str,
    url: &str,
    headers: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    force_reconnect: bool,
) -> PyResult<PyHttpMessage> {
    let py = slf.py();
    let base = slf.cast::<PyTcpClient>()?.get();
    let headers = headers_arg(headers)?;
    let body = body_arg(py, body)?;
    crate::runtime::check_open(py)?;
    // Fails only while a run is on, which then goes on.
    let run = component::begin(py, slf, &base.core, &base.bridge).ok();
    let refs = header_refs(&headers);
    let bytes = body.as_bytes();
    let result = py.detach(|| sync.open_url(method, url, &refs, bytes, force_reconnect));
    if let Some(run) = run {
        base.bridge.start_done(run);
        if base.core.state() == ServiceState::Stopped {
            base.bridge.end_run(Some(run));
        }
    }
    result.or_raise(py)?;
    let msg = sync.http_message().or_raise(py)?;
    let body = sync.with_response_body(|b| PyBytes::new(py, b).unbind());
    Ok(message(msg, Some(body)))
}

macro_rules! sync_methods {
    ($cls:ty) => {
        http_property!(
            $cls,
            PyTcpClient,
            local_version,
            set_local_version,
            "local_version",
            "HTTP version written in request lines: ``(1, 1)`` (default) or ``(1, 0)``."
        );
        http_property!(
            $cls,
            PyTcpClient,
            use_cookie,
            set_use_cookie,
            "use_cookie",
            "Send and store cookies through the process-wide cookie manager (default True)."
        );

        #[pyo3::pymethods]
        impl $cls {
            /// Sends ``method`` to ``url`` (``http(s)://host[:port]/path?query``) and blocks,
            /// with the GIL released, until the whole response arrived; returns it as an
            /// ``HttpMessage`` with ``status``, ``headers`` and ``body``. The connection is
            /// reused when host and port match and it is open (unless ``force_reconnect``).
            /// Raises ``HPSocketError``: ``NETWORK`` with ``errno`` ETIMEDOUT after
            /// ``request_timeout``, ECONNRESET when the connection closed or the response
            /// could not be parsed; ``INVALID_PARAM`` for a URL of the other scheme.
            #[pyo3(signature = (method, url, headers=None, body=None, force_reconnect=false))]
            fn open_url(
                slf: &Bound<'_, Self>,
                method: &str,
                url: &str,
                headers: Option<&Bound<'_, PyAny>>,
                body: Option<&Bound<'_, PyAny>>,
                force_reconnect: bool,
            ) -> PyResult<PyHttpMessage> {
                let sync = &slf.get().sync;
                open_url(
                    slf.as_any(),
                    sync,
                    method,
                    url,
                    headers,
                    body,
                    force_reconnect,
                )
            }

            /// ``open_url("GET", url, headers)``.
            #[pyo3(signature = (url, headers=None))]
            fn get(
                slf: &Bound<'_, Self>,
                url: &str,
                headers: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<PyHttpMessage> {
                open_url(
                    slf.as_any(),
                    &slf.get().sync,
                    "GET",
                    url,
                    headers,
                    None,
                    false,
                )
            }

            /// ``open_url("POST", url, headers, body)``.
            #[pyo3(signature = (url, body=None, headers=None))]
            fn post(
                slf: &Bound<'_, Self>,
                url: &str,
                body: Option<&Bound<'_, PyAny>>,
                headers: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<PyHttpMessage> {
                open_url(
                    slf.as_any(),
                    &slf.get().sync,
                    "POST",
                    url,
                    headers,
                    body,
                    false,
                )
            }

            /// The last response (``HttpMessage`` with its ``body``).
            fn http_message(slf: &Bound<'_, Self>) -> PyResult<PyHttpMessage> {
                let py = slf.py();
                let sync = &slf.get().sync;
                let msg = sync.http_message().or_raise(py)?;
                let body = sync.with_response_body(|b| PyBytes::new(py, b).unbind());
                Ok(message(msg, Some(body)))
            }

            /// The body of the last complete response.
            #[getter]
            fn response_body<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyBytes> {
                slf.get()
                    .sync
                    .with_response_body(|b| PyBytes::new(slf.py(), b))
            }

            /// Forgets the last response's body.
            fn cleanup_request_result(slf: &Bound<'_, Self>) {
                slf.get().sync.cleanup_request_result();
            }

            /// ms a connect may take (default 5000; 0: the system's).
            #[getter]
            fn connect_timeout(slf: &Bound<'_, Self>) -> u32 {
                slf.get().sync.connect_timeout()
            }
            #[setter]
            fn set_connect_timeout(
                slf: &Bound<'_, Self>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let ms = crate::args::millis(value, "connect_timeout")?;
                slf.get().sync.set_connect_timeout(ms);
                Ok(())
            }

            /// ms ``open_url`` waits for the whole response (default 10000; 0: for ever).
            #[getter]
            fn request_timeout(slf: &Bound<'_, Self>) -> u32 {
                slf.get().sync.request_timeout()
            }
            #[setter]
            fn set_request_timeout(
                slf: &Bound<'_, Self>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let ms = crate::args::millis(value, "request_timeout")?;
                slf.get().sync.set_request_timeout(ms);
                Ok(())
            }
        }
    };
}

/// A blocking HTTP client (``IHttpSyncClient``): ``open_url`` connects (or reuses its
/// connection), sends and waits for the whole response. ``HttpSyncClient(listener=None,
/// **settings)``: the listener (optional, an ``HttpClientListener``) sees every event; the
/// settings are the TCP client's plus ``connect_timeout``, ``request_timeout`` (ms),
/// ``local_version`` and ``use_cookie``. Calling ``open_url`` from its own callbacks raises
/// (``ILLEGAL_STATE``).
#[pyclass(subclass, frozen, extends = PyTcpClient, module = "hpsocket._native", name = "HttpSyncClient")]
pub(super) struct PyHttpSyncClient {
    sync: HttpSyncClient,
}

#[pymethods]
impl PyHttpSyncClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (base, sync) = sync_base(py, listener, settings, "HttpSyncClient", false)?;
        Ok(PyClassInitializer::from(base).add_subclass(PyHttpSyncClient { sync }))
    }
}
sync_methods!(PyHttpSyncClient);

/// A blocking HTTPS client (``IHttpsSyncClient``): see ``HttpSyncClient``; call
/// ``setup_ssl_context`` before the first ``open_url``.
#[pyclass(subclass, frozen, extends = PySslClient, module = "hpsocket._native", name = "HttpsSyncClient")]
pub(super) struct PyHttpsSyncClient {
    sync: HttpSyncClient,
}

#[pymethods]
impl PyHttpsSyncClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (base, sync) = sync_base(py, listener, settings, "HttpsSyncClient", true)?;
        Ok(PyClassInitializer::from(base)
            .add_subclass(PySslClient {})
            .add_subclass(PyHttpsSyncClient { sync }))
    }
}
sync_methods!(PyHttpsSyncClient);
