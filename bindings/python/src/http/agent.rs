//! `HttpAgent` and `HttpsAgent`: their construction and the HTTP agent methods (requests,
//! chunks, WebSocket upgrade and frames, the parsed response), per connection id.

use hpsocket_core::ReceiveModel;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::args::{body_arg, close_code, header_refs, headers_arg, ws_payload};
use super::message::{message, parse_error, PyHttpMessage};
use super::requests::agent_request;
use super::settings::{apply_http, split_kwargs, CLIENT_SETTINGS};
use crate::agent::PyTcpAgent;
use crate::errors::OrRaise;
use crate::ssl::PySslAgent;

fn agent_base(
    py: Python<'_>,
    listener: Option<Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
    class: &str,
    secure: bool,
) -> PyResult<PyTcpAgent> {
    let (rest, mine) = split_kwargs(py, kwargs, CLIENT_SETTINGS)?;
    let base = PyTcpAgent::create(
        py,
        listener,
        ReceiveModel::Http,
        rest.as_ref(),
        class,
        secure,
    )?;
    apply_http(py, &base.core, mine)?;
    Ok(base)
}

/// The HTTP methods of the agent classes.
macro_rules! http_agent_methods {
    ($cls:ty) => {
        http_common_properties!($cls, PyTcpAgent);
        http_property!($cls, PyTcpAgent, use_cookie, set_use_cookie, "use_cookie",
            "Send and store cookies through the process-wide cookie manager (default True).");
        request_shorthands!(agent $cls: post "POST" body, put "PUT" body, patch "PATCH" body;
            get "GET", delete "DELETE", head "HEAD", options "OPTIONS", trace "TRACE",
            connect_tunnel "CONNECT");

        #[pyo3::pymethods]
        impl $cls {
            /// Sends a request as one send: ``METHOD path HTTP/x.y``, ``headers`` (a mapping
            /// or ``(name, value)`` pairs), ``Host`` and ``Content-Length`` when missing, the
            /// cookie manager's cookies (``use_cookie``), and ``body``. The response comes
            /// through the HTTP events; read it with ``http_message(conn_id)``.
            #[pyo3(signature = (conn_id, method, path, headers=None, body=None))]
            fn send_request(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                method: &str,
                path: &str,
                headers: Option<&Bound<'_, PyAny>>,
                body: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                agent_request(slf.as_any(), conn_id.0, method, path, headers, body)
            }

            /// Sends one chunk of a chunked request body (``b""``: the last chunk).
            #[pyo3(signature = (conn_id, data, extensions=None))]
            fn send_chunk(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                data: &Bound<'_, PyAny>,
                extensions: Option<String>,
            ) -> PyResult<()> {
                let py = slf.py();
                let core = &slf.as_any().cast::<PyTcpAgent>()?.get().core;
                let data = body_arg(py, Some(data))?;
                core.send_chunk_data(conn_id.0, data.as_bytes(), extensions.as_deref())
                    .or_raise(py)
            }

            /// With ``auto_start`` off: starts parsing HTTP on the connection.
            fn start_http(slf: &Bound<'_, Self>, conn_id: crate::args::Cid) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpAgent>()?.get().core;
                core.start_http(conn_id.0).or_raise(slf.py())
            }

            /// WebSocket mode: asks for the upgrade: ``GET path`` with a fresh
            /// ``Sec-WebSocket-Key`` (and ``headers``, ``Host``, cookies as ``send_request``).
            /// The answer's ``Sec-WebSocket-Accept`` is checked (a wrong one closes the
            /// connection); ``on_upgrade(WEB_SOCKET)`` follows, then ``on_ws_message``.
            #[pyo3(signature = (conn_id, path, headers=None))]
            fn send_ws_upgrade(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                path: &str,
                headers: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpAgent>()?.get().core;
                let headers = headers_arg(headers)?;
                core.send_ws_upgrade(conn_id.0, path, &header_refs(&headers))
                    .or_raise(slf.py())
            }

            /// After a WebSocket upgrade: sends one frame, masked with a random key (as a
            /// client's must be); see ``HttpServer.send_ws_message``.
            #[pyo3(signature = (conn_id, data, opcode=None, fin=true))]
            fn send_ws_message(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                data: &Bound<'_, PyAny>,
                opcode: Option<&Bound<'_, PyAny>>,
                fin: bool,
            ) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpAgent>()?.get().core;
                let (opcode, payload) = ws_payload(data, opcode)?;
                core.send_ws_message(conn_id.0, fin, 0, opcode, None, payload.as_bytes(), 0)
                    .or_raise(slf.py())
            }

            /// See ``HttpServer.ws_close``.
            #[pyo3(signature = (conn_id, code=1000, reason=""))]
            fn ws_close(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                code: i64,
                reason: &str,
            ) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpAgent>()?.get().core;
                core.ws_close(conn_id.0, close_code(slf.py(), code)?, reason)
                    .or_raise(slf.py())
            }

            /// The response the connection parses now or parsed last (``HttpMessage``).
            fn http_message(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
            ) -> PyResult<PyHttpMessage> {
                let core = &slf.as_any().cast::<PyTcpAgent>()?.get().core;
                Ok(message(core.http_message(conn_id.0).or_raise(slf.py())?, None))
            }

            /// See ``HttpServer.parse_error``.
            fn parse_error(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
            ) -> PyResult<Option<(i32, String)>> {
                let core = &slf.as_any().cast::<PyTcpAgent>()?.get().core;
                parse_error(slf.py(), core.http_parse_error(conn_id.0))
            }
        }
    };
}

/// An HTTP agent (``IHttpAgent``): a ``TcpAgent`` whose connections send requests
/// (``send_request``, ``get``, ``post``, ...) and get the responses parsed and reported to
/// ``listener`` (see ``HttpAgentListener``). Settings: the TCP ones plus ``local_version``,
/// ``auto_start`` and ``use_cookie``.
#[pyclass(subclass, frozen, extends = PyTcpAgent, module = "hpsocket._native", name = "HttpAgent")]
pub(super) struct PyHttpAgent {}

#[pymethods]
impl PyHttpAgent {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = agent_base(py, listener, settings, "HttpAgent", false)?;
        Ok(PyClassInitializer::from(base).add_subclass(PyHttpAgent {}))
    }
}
http_agent_methods!(PyHttpAgent);

/// An HTTPS agent (``IHttpsAgent``): an ``SslAgent`` speaking HTTP (see ``HttpAgent``).
#[pyclass(subclass, frozen, extends = PySslAgent, module = "hpsocket._native", name = "HttpsAgent")]
pub(super) struct PyHttpsAgent {}

#[pymethods]
impl PyHttpsAgent {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = agent_base(py, listener, settings, "HttpsAgent", true)?;
        Ok(PyClassInitializer::from(base)
            .add_subclass(PySslAgent {})
            .add_subclass(PyHttpsAgent {}))
    }
}
http_agent_methods!(PyHttpsAgent);
