//! `HttpClient` and `HttpsClient`: their construction and the (asynchronous) HTTP client
//! methods (requests, chunks, WebSocket upgrade and frames, the parsed response).

use hpsocket_core::ReceiveModel;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::args::{body_arg, close_code, header_refs, headers_arg, ws_payload};
use super::message::{message, parse_error, PyHttpMessage};
use super::requests::client_request;
use super::settings::{apply_http, split_kwargs, CLIENT_SETTINGS};
use crate::client::PyTcpClient;
use crate::errors::OrRaise;
use crate::ssl::PySslClient;

fn client_base(
    py: Python<'_>,
    listener: Option<Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
    class: &str,
    secure: bool,
) -> PyResult<PyTcpClient> {
    let (rest, mine) = split_kwargs(py, kwargs, CLIENT_SETTINGS)?;
    let base = PyTcpClient::create(
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

/// The HTTP methods of the (asynchronous) client classes.
macro_rules! http_client_methods {
    ($cls:ty) => {
        http_common_properties!($cls, PyTcpClient);
        http_property!($cls, PyTcpClient, use_cookie, set_use_cookie, "use_cookie",
            "Send and store cookies through the process-wide cookie manager (default True).");
        request_shorthands!(client $cls: post "POST" body, put "PUT" body, patch "PATCH" body;
            get "GET", delete "DELETE", head "HEAD", options "OPTIONS", trace "TRACE",
            connect_tunnel "CONNECT");

        #[pyo3::pymethods]
        impl $cls {
            /// See ``HttpAgent.send_request`` (no connection id).
            #[pyo3(signature = (method, path, headers=None, body=None))]
            fn send_request(
                slf: &Bound<'_, Self>,
                method: &str,
                path: &str,
                headers: Option<&Bound<'_, PyAny>>,
                body: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                client_request(slf.as_any(), method, path, headers, body)
            }

            /// Sends one chunk of a chunked request body (``b""``: the last chunk).
            #[pyo3(signature = (data, extensions=None))]
            fn send_chunk(
                slf: &Bound<'_, Self>,
                data: &Bound<'_, PyAny>,
                extensions: Option<String>,
            ) -> PyResult<()> {
                let py = slf.py();
                let core = &slf.as_any().cast::<PyTcpClient>()?.get().core;
                let data = body_arg(py, Some(data))?;
                core.send_chunk_data(data.as_bytes(), extensions.as_deref())
                    .or_raise(py)
            }

            /// With ``auto_start`` off: starts parsing HTTP on the connection.
            fn start_http(slf: &Bound<'_, Self>) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpClient>()?.get().core;
                core.start_http().or_raise(slf.py())
            }

            /// See ``HttpAgent.send_ws_upgrade`` (no connection id).
            #[pyo3(signature = (path, headers=None))]
            fn send_ws_upgrade(
                slf: &Bound<'_, Self>,
                path: &str,
                headers: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpClient>()?.get().core;
                let headers = headers_arg(headers)?;
                core.send_ws_upgrade(path, &header_refs(&headers))
                    .or_raise(slf.py())
            }

            /// See ``HttpAgent.send_ws_message`` (no connection id).
            #[pyo3(signature = (data, opcode=None, fin=true))]
            fn send_ws_message(
                slf: &Bound<'_, Self>,
                data: &Bound<'_, PyAny>,
                opcode: Option<&Bound<'_, PyAny>>,
                fin: bool,
            ) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpClient>()?.get().core;
                let (opcode, payload) = ws_payload(data, opcode)?;
                core.send_ws_message(fin, 0, opcode, None, payload.as_bytes(), 0)
                    .or_raise(slf.py())
            }

            /// See ``HttpServer.ws_close`` (no connection id).
            #[pyo3(signature = (code=1000, reason=""))]
            fn ws_close(slf: &Bound<'_, Self>, code: i64, reason: &str) -> PyResult<()> {
                let core = &slf.as_any().cast::<PyTcpClient>()?.get().core;
                core.ws_close(close_code(slf.py(), code)?, reason)
                    .or_raise(slf.py())
            }

            /// The response the connection parses now or parsed last (``HttpMessage``).
            fn http_message(slf: &Bound<'_, Self>) -> PyResult<PyHttpMessage> {
                let core = &slf.as_any().cast::<PyTcpClient>()?.get().core;
                Ok(message(core.http_message().or_raise(slf.py())?, None))
            }

            /// See ``HttpServer.parse_error``.
            fn parse_error(slf: &Bound<'_, Self>) -> PyResult<Option<(i32, String)>> {
                let core = &slf.as_any().cast::<PyTcpClient>()?.get().core;
                parse_error(slf.py(), core.http_parse_error())
            }
        }
    };
}

/// An HTTP client (``IHttpClient``): a ``TcpClient`` that sends requests and gets the
/// responses parsed and reported to ``listener`` (see ``HttpClientListener``).
#[pyclass(subclass, frozen, extends = PyTcpClient, module = "hpsocket._native", name = "HttpClient")]
pub(super) struct PyHttpClient {}

#[pymethods]
impl PyHttpClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = client_base(py, listener, settings, "HttpClient", false)?;
        Ok(PyClassInitializer::from(base).add_subclass(PyHttpClient {}))
    }
}
http_client_methods!(PyHttpClient);

/// An HTTPS client (``IHttpsClient``): an ``SslClient`` speaking HTTP (see ``HttpClient``).
#[pyclass(subclass, frozen, extends = PySslClient, module = "hpsocket._native", name = "HttpsClient")]
pub(super) struct PyHttpsClient {}

#[pymethods]
impl PyHttpsClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let base = client_base(py, listener, settings, "HttpsClient", true)?;
        Ok(PyClassInitializer::from(base)
            .add_subclass(PySslClient {})
            .add_subclass(PyHttpsClient {}))
    }
}
http_client_methods!(PyHttpsClient);
