//! `HttpServer` and `HttpsServer`: their construction and the HTTP server methods
//! (`send_response`, chunks, files, WebSocket frames, the parsed request).

use hpsocket_core::ReceiveModel;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::args::{body_arg, close_code, header_refs, headers_arg, ws_payload};
use super::message::{message, parse_error, PyHttpMessage};
use super::settings::{apply_http, split_kwargs, SERVER_SETTINGS};
use crate::errors::OrRaise;
use crate::server::PyTcpServer;
use crate::ssl::PySslServer;

fn server_base(
    py: Python<'_>,
    listener: Option<Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
    class: &str,
    secure: bool,
) -> PyResult<PyTcpServer> {
    let (rest, mine) = split_kwargs(py, kwargs, SERVER_SETTINGS)?;
    let base = PyTcpServer::create(
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

/// The HTTP methods of the server classes.
macro_rules! http_server_methods {
    ($cls:ty) => {
        http_common_properties!($cls, PyTcpServer);
        http_property!(
            $cls,
            PyTcpServer,
            release_delay,
            set_release_delay,
            "release_delay",
            "ms between ``release`` and the close (default 3000; kept within 100..=60000)."
        );

        #[pyo3::pymethods]
        impl $cls {
            /// Sends a response as one send: ``HTTP/x.y status reason`` (``reason`` None:
            /// the standard phrase), ``headers`` (a mapping or ``(name, value)`` pairs),
            /// ``Content-Length`` unless the headers frame the body (``Transfer-Encoding:
            /// chunked``: send the body with ``send_chunk``), and ``body`` (bytes-like or
            /// ``str``, sent as UTF-8). A bad header name, or CR/LF in a value, raises
            /// ``HPSocketError`` (``INVALID_PARAM``) and sends nothing.
            #[pyo3(signature = (conn_id, status=200, body=None, headers=None, reason=None))]
            fn send_response(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                status: u16,
                body: Option<&Bound<'_, PyAny>>,
                headers: Option<&Bound<'_, PyAny>>,
                reason: Option<String>,
            ) -> PyResult<()> {
                let py = slf.py();
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                let body = body_arg(py, body)?;
                let headers = headers_arg(headers)?;
                core.send_response(
                    conn_id.0,
                    status,
                    reason.as_deref(),
                    &header_refs(&headers),
                    body.as_bytes(),
                )
                .or_raise(py)
            }

            /// Sends a response whose body is the file at ``path``, streamed by the library (``sendfile``
            /// on plain TCP, read in pieces under TLS; no size limit); the GIL is released.
            #[pyo3(signature = (conn_id, path, status=200, headers=None, reason=None))]
            fn send_local_file(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                path: std::path::PathBuf,
                status: u16,
                headers: Option<&Bound<'_, PyAny>>,
                reason: Option<String>,
            ) -> PyResult<()> {
                let py = slf.py();
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                let headers = headers_arg(headers)?;
                let refs = header_refs(&headers);
                py.detach(|| {
                    core.send_local_file(conn_id.0, &path, status, reason.as_deref(), &refs)
                })
                .or_raise(py)
            }

            /// Sends one chunk of a chunked body (``b""``: the last chunk).
            #[pyo3(signature = (conn_id, data, extensions=None))]
            fn send_chunk(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                data: &Bound<'_, PyAny>,
                extensions: Option<String>,
            ) -> PyResult<()> {
                let py = slf.py();
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                let data = body_arg(py, Some(data))?;
                core.send_chunk_data(conn_id.0, data.as_bytes(), extensions.as_deref())
                    .or_raise(py)
            }

            /// Closes the connection ``release_delay`` ms from now (``on_close(CLOSE, 0)``),
            /// giving the answer time to drain; for requests that are not keep-alive.
            fn release(slf: &Bound<'_, Self>, conn_id: crate::args::Cid) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                core.release(conn_id.0).or_raise(slf.py())
            }

            /// With ``auto_start`` off: starts parsing HTTP on the connection.
            fn start_http(slf: &Bound<'_, Self>, conn_id: crate::args::Cid) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                core.start_http(conn_id.0).or_raise(slf.py())
            }

            /// After a WebSocket upgrade: sends one frame (unmasked, as a server's must be).
            /// ``data``: ``str`` (sent as UTF-8, opcode ``TEXT`` by default) or bytes-like
            /// (``BINARY`` by default); ``opcode`` (a ``WsOpcode`` or int) overrides, e.g.
            /// ``PING``. ``fin=False`` sends a fragment: the next ones go with opcode
            /// ``CONTINUATION``, the last with ``fin=True``.
            #[pyo3(signature = (conn_id, data, opcode=None, fin=true))]
            fn send_ws_message(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                data: &Bound<'_, PyAny>,
                opcode: Option<&Bound<'_, PyAny>>,
                fin: bool,
            ) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                let (opcode, payload) = ws_payload(data, opcode)?;
                core.send_ws_message(conn_id.0, fin, 0, opcode, payload.as_bytes(), 0)
                    .or_raise(slf.py())
            }

            /// WebSocket mode: starts the closing handshake with ``code`` (1000..=1003,
            /// 1007..=1011, 3000..=4999) and ``reason`` (at most 123 bytes as UTF-8); else
            /// ``HPSocketError`` (``INVALID_PARAM``). The peer's answering close comes
            /// through ``on_ws_message`` (``CLOSE``: its code and reason), then the connection
            /// closes (``on_close(CLOSE, 0)``); without an answer it closes after
            /// ``max(release_delay, 1000)`` ms.
            #[pyo3(signature = (conn_id, code=1000, reason=""))]
            fn ws_close(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
                code: i64,
                reason: &str,
            ) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                core.ws_close(conn_id.0, close_code(slf.py(), code)?, reason)
                    .or_raise(slf.py())
            }

            /// The request the connection parses now or parsed last (``HttpMessage``),
            /// from any thread. Raises ``HPSocketError`` before the first request.
            fn http_message(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
            ) -> PyResult<PyHttpMessage> {
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                Ok(message(
                    core.http_message(conn_id.0).or_raise(slf.py())?,
                    None,
                ))
            }

            /// The parse error that ended the connection's HTTP, as ``(code, description)``
            /// (llhttp's ``HPE_*`` number and text), or None.
            fn parse_error(
                slf: &Bound<'_, Self>,
                conn_id: crate::args::Cid,
            ) -> PyResult<Option<(i32, String)>> {
                let core = &slf.as_any().cast::<PyTcpServer>()?.get().core;
                parse_error(slf.py(), core.http_parse_error(conn_id.0))
            }
        }
    };
}

/// An HTTP server (HP-Socket's ``IHttpServer``): a ``TcpServer`` whose connections are
/// parsed as HTTP/1.x requests and reported to ``listener`` (see ``HttpServerListener``)
/// as ``on_message_begin`` ... ``on_message_complete``; answer with ``send_response``.
/// ``HttpServer(listener=None, **settings)``: the TCP settings plus ``local_version``,
/// ``release_delay`` and ``auto_start``.
#[pyclass(subclass, frozen, extends = PyTcpServer, module = "hpsocket._native", name = "HttpServer")]
pub(super) struct PyHttpServer {}

#[pymethods]
impl PyHttpServer {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = server_base(py, listener, settings, "HttpServer", false)?;
        Ok(PyClassInitializer::from(base).add_subclass(PyHttpServer {}))
    }
}
http_server_methods!(PyHttpServer);

/// An HTTPS server (``IHttpsServer``): an ``SslServer`` speaking HTTP (see ``HttpServer``).
/// Call ``setup_ssl_context`` before ``start``.
#[pyclass(subclass, frozen, extends = PySslServer, module = "hpsocket._native", name = "HttpsServer")]
pub(super) struct PyHttpsServer {}

#[pymethods]
impl PyHttpsServer {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = server_base(py, listener, settings, "HttpsServer", true)?;
        Ok(PyClassInitializer::from(base)
            .add_subclass(PySslServer {})
            .add_subclass(PyHttpsServer {}))
    }
}
http_server_methods!(PyHttpsServer);
