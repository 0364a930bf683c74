//! The HTTP components (HP-Socket's `HttpServer`, `HttpAgent`, `HttpClient`, `HttpSyncClient`
//! and their HTTPS forms): TCP (or SSL) classes of the HTTP receive model, with the parse
//! events (`on_message_begin` ... `on_parse_error`), the messages as [`PyHttpMessage`], and
//! the HTTP sends. The HTTP settings are not in the core's settings registry: the
//! constructors take them out of the keyword arguments and set them through
//! `update_http_config` (they may change while running).

use std::sync::Arc;

use hpsocket_core::http::{
    HttpConfig, HttpMessage, HttpSyncClient, HTTP_VERSION_1_0, HTTP_VERSION_1_1,
    RELEASE_DELAY_RANGE,
};
use hpsocket_core::{EventAdapter, ReceiveModel, ServiceState};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::agent::PyTcpAgent;
use crate::bridge::{Bridge, Role};
use crate::client::PyTcpClient;
use crate::component;
use crate::errors::{invalid_param, OrRaise};
use crate::events::PyEvents;
use crate::server::PyTcpServer;
use crate::settings;
use crate::ssl::{PySslAgent, PySslClient, PySslServer};

// ----- settings -------------------------------------------------------------------------------

/// The HTTP configuration calls the three core components share.
pub(crate) trait HttpCore {
    fn http_config(&self) -> hpsocket_core::Result<HttpConfig>;
    fn update_http(&self, f: &mut dyn FnMut(&mut HttpConfig)) -> hpsocket_core::Result<()>;
}

macro_rules! impl_http_core {
    ($ty:ty) => {
        impl HttpCore for $ty {
            fn http_config(&self) -> hpsocket_core::Result<HttpConfig> {
                <$ty>::http_config(self)
            }
            fn update_http(&self, f: &mut dyn FnMut(&mut HttpConfig)) -> hpsocket_core::Result<()> {
                <$ty>::update_http_config(self, |c| f(c))
            }
        }
    };
}
impl_http_core!(hpsocket_core::TcpServer);
impl_http_core!(hpsocket_core::TcpAgent);
impl_http_core!(hpsocket_core::TcpClient);

/// `(major, minor)` of a `MAKEWORD(major, minor)` version.
fn version_tuple(v: u16) -> (u8, u8) {
    ((v & 0xFF) as u8, (v >> 8) as u8)
}

/// An HTTP setting's value.
pub(crate) fn read_setting<'py>(
    py: Python<'py>,
    core: &impl HttpCore,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let c = core.http_config().or_raise(py)?;
    Ok(match name {
        "local_version" => version_tuple(c.local_version).into_pyobject(py)?.into_any(),
        "release_delay" => c.release_delay.into_pyobject(py)?.into_any(),
        "auto_start" => pyo3::types::PyBool::new(py, c.auto_start)
            .to_owned()
            .into_any(),
        "ws_mode" => pyo3::types::PyBool::new(py, c.ws_mode)
            .to_owned()
            .into_any(),
        "ws_max_message" => c.ws_max_message.into_pyobject(py)?.into_any(),
        _ => pyo3::types::PyBool::new(py, c.use_cookie)
            .to_owned()
            .into_any(),
    })
}

/// Sets an HTTP setting: `local_version` is `(1, 0)` or `(1, 1)` (or `HTTP_VERSION_1_*`),
/// `release_delay` ms (kept within 100..=60000, as HP-Socket does), the others bools.
pub(crate) fn write_setting(
    py: Python<'_>,
    core: &impl HttpCore,
    name: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let bool_of = |v: &Bound<'_, PyAny>| -> PyResult<bool> {
        if !v.is_instance_of::<pyo3::types::PyBool>() {
            return Err(PyTypeError::new_err(format!(
                "{name} must be a bool, not {}",
                v.get_type().name()?
            )));
        }
        v.is_truthy()
    };
    match name {
        "local_version" => {
            let v = if let Ok((major, minor)) = value.extract::<(u8, u8)>() {
                u16::from(major) | (u16::from(minor) << 8)
            } else {
                crate::args::int_arg::<u16>(value, name, "(1, 0) or (1, 1)")?
            };
            if v != HTTP_VERSION_1_0 && v != HTTP_VERSION_1_1 {
                return Err(invalid_param(
                    py,
                    &format!("local_version must be (1, 0) or (1, 1), not {value}"),
                ));
            }
            core.update_http(&mut |c| c.local_version = v).or_raise(py)
        }
        "release_delay" => {
            let ms: u32 = crate::args::millis(value, name)?;
            let ms = ms.clamp(*RELEASE_DELAY_RANGE.start(), *RELEASE_DELAY_RANGE.end());
            core.update_http(&mut |c| c.release_delay = ms).or_raise(py)
        }
        "auto_start" => {
            let b = bool_of(value)?;
            core.update_http(&mut |c| c.auto_start = b).or_raise(py)
        }
        "ws_mode" => {
            let b = bool_of(value)?;
            core.update_http(&mut |c| c.ws_mode = b).or_raise(py)
        }
        "ws_max_message" => {
            // The C ABI's bound (a positive `int`); refused rather than clamped, as there.
            let n: u32 = crate::args::int_arg(value, name, "1..=2147483647 bytes")?;
            if !(1..=i32::MAX as u32).contains(&n) {
                return Err(invalid_param(
                    py,
                    &format!("ws_max_message must be 1..=2147483647 bytes, not {value}"),
                ));
            }
            core.update_http(&mut |c| c.ws_max_message = n).or_raise(py)
        }
        _ => {
            let b = bool_of(value)?;
            core.update_http(&mut |c| c.use_cookie = b).or_raise(py)
        }
    }
}

/// Splits a constructor's keyword arguments: those named in `own` are returned apart, the
/// rest (the registry's settings) stay in a new dict.
#[allow(clippy::type_complexity)]
fn split_kwargs<'py>(
    py: Python<'py>,
    kwargs: Option<&Bound<'py, PyDict>>,
    own: &[&str],
) -> PyResult<(Option<Bound<'py, PyDict>>, Vec<(String, Bound<'py, PyAny>)>)> {
    let Some(kwargs) = kwargs else {
        return Ok((None, Vec::new()));
    };
    let rest = PyDict::new(py);
    let mut mine = Vec::new();
    for (k, v) in kwargs.iter() {
        let name: String = k.extract()?;
        if own.contains(&name.as_str()) {
            mine.push((name, v));
        } else {
            rest.set_item(k, v)?;
        }
    }
    Ok((Some(rest), mine))
}

const SERVER_SETTINGS: &[&str] = &[
    "local_version",
    "release_delay",
    "auto_start",
    "ws_mode",
    "ws_max_message",
];
const CLIENT_SETTINGS: &[&str] = &[
    "local_version",
    "auto_start",
    "use_cookie",
    "ws_mode",
    "ws_max_message",
];
const SYNC_SETTINGS: &[&str] = &[
    "local_version",
    "auto_start",
    "use_cookie",
    "connect_timeout",
    "request_timeout",
];

// ----- arguments -------------------------------------------------------------------------------

/// Headers given to a send: None, a mapping (its `items()`, so a received message's
/// `headers` with repeated names passes every value), or an iterable of `(name, value)`
/// pairs. Values that are not `str` are converted with `str()`.
pub(crate) fn headers_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    let pairs = if obj.hasattr("items")? && !obj.is_instance_of::<PyString>() {
        obj.call_method0("items")?
    } else {
        obj.clone()
    };
    let mut out = Vec::new();
    for pair in pairs.try_iter()? {
        let pair = pair?;
        let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract().map_err(|_| {
            PyTypeError::new_err("headers must be a mapping or an iterable of (name, value) pairs")
        })?;
        let name: String = name
            .extract()
            .map_err(|_| PyTypeError::new_err("a header name must be a str"))?;
        let value: String = if value.is_instance_of::<PyString>() {
            value.extract()?
        } else {
            value.str()?.extract()?
        };
        out.push((name, value));
    }
    Ok(out)
}

/// A body: bytes-like, or `str` (sent as UTF-8); None is empty.
pub(crate) fn body_arg<'py>(
    py: Python<'py>,
    obj: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(PyBytes::new(py, b"")),
        Some(o) => match o.cast::<PyString>() {
            Ok(s) => Ok(PyBytes::new(py, s.extract::<String>()?.as_bytes())),
            Err(_) => crate::args::data(o),
        },
    }
}

pub(crate) fn header_refs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

// ----- messages ----------------------------------------------------------------------------------

/// What one HTTP message said (a request for a server, a response for an agent or client):
/// an immutable snapshot, readable from any thread and kept as long as referenced. Texts are
/// ``str`` (bytes that are not UTF-8 are replaced).
#[pyclass(frozen, module = "hpsocket._native", name = "HttpMessage")]
pub(crate) struct PyHttpMessage {
    msg: Arc<HttpMessage>,
    body: Option<Py<PyBytes>>,
}

fn text(c: &std::ffi::CStr) -> String {
    c.to_string_lossy().into_owned()
}

#[pymethods]
impl PyHttpMessage {
    /// Request method, verbatim (``""`` for a response).
    #[getter]
    fn method(&self) -> String {
        text(self.msg.method())
    }
    /// Request target, verbatim (``""`` for a response).
    #[getter]
    fn url(&self) -> String {
        text(self.msg.url())
    }
    /// The path of the request target (``""`` if it has none).
    #[getter]
    fn path(&self) -> String {
        self.msg.url_field(3).map(text).unwrap_or_default()
    }
    /// The query of the request target, without ``?``; None if it has none.
    #[getter]
    fn query(&self) -> Option<String> {
        self.msg.url_field(4).map(text)
    }
    /// The fragment of the request target; None if it has none.
    #[getter]
    fn fragment(&self) -> Option<String> {
        self.msg.url_field(5).map(text)
    }
    /// The ``Host`` header, else the request target's host; None without either.
    #[getter]
    fn host(&self) -> Option<String> {
        self.msg.host().map(text)
    }
    /// Response status code (0 for a request).
    #[getter]
    fn status(&self) -> u16 {
        self.msg.status()
    }
    /// Response reason phrase (may be empty).
    #[getter]
    fn reason(&self) -> String {
        text(self.msg.reason())
    }
    /// ``(major, minor)``, e.g. ``(1, 1)``.
    #[getter]
    fn version(&self) -> (u8, u8) {
        version_tuple(self.msg.version())
    }
    /// Whether the connection stays open after this message (llhttp's rule).
    #[getter]
    fn keep_alive(&self) -> bool {
        self.msg.is_keep_alive()
    }
    /// Whether the message upgrades the connection.
    #[getter]
    fn is_upgrade(&self) -> bool {
        self.msg.is_upgrade()
    }
    /// ``HttpUpgradeType``.
    #[getter]
    fn upgrade_type<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        crate::enums::member(
            py,
            crate::enums::E::HttpUpgradeType,
            self.msg.upgrade_type() as i32,
        )
    }
    /// ``Content-Length`` (0 when absent or chunked).
    #[getter]
    fn content_length(&self) -> u64 {
        self.msg.content_length()
    }
    /// The headers, in wire order, as a case-insensitive read-only mapping
    /// (``hpsocket.Headers``): ``m.headers["content-type"]`` is the first value,
    /// ``m.headers.getall(name)`` every value.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pairs: Vec<(String, String)> = self
            .msg
            .headers()
            .iter()
            .map(|(n, v)| (text(n), text(v)))
            .collect();
        py.import("hpsocket._http")?
            .getattr("Headers")?
            .call1((pairs,))
    }
    /// The cookies: a request's ``Cookie`` pairs, a response's ``Set-Cookie`` names and
    /// values, as a dict (the first of a repeated name wins).
    #[getter]
    fn cookies<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (n, v) in self.msg.cookies() {
            let n = text(n);
            if !d.contains(&n)? {
                d.set_item(n, text(v))?;
            }
        }
        Ok(d)
    }
    /// The first value of header ``name`` (any case), or ``default``.
    #[pyo3(signature = (name, default=None))]
    fn header(&self, name: &str, default: Option<String>) -> Option<String> {
        self.msg.header(name).map(text).or(default)
    }
    /// A sync client's response body; None for messages reported to listeners (their body
    /// arrives through ``on_body``).
    #[getter]
    fn body(&self, py: Python<'_>) -> Option<Py<PyBytes>> {
        self.body.as_ref().map(|b| b.clone_ref(py))
    }
    /// ``body`` decoded (UTF-8 unless ``encoding``); ``""`` without a body.
    #[pyo3(signature = (encoding="utf-8"))]
    fn text<'py>(&self, py: Python<'py>, encoding: &str) -> PyResult<Bound<'py, PyAny>> {
        match &self.body {
            Some(b) => b.bind(py).call_method1("decode", (encoding,)),
            None => Ok(PyString::new(py, "").into_any()),
        }
    }
    fn __repr__(&self) -> String {
        let (major, minor) = version_tuple(self.msg.version());
        if self.msg.status() == 0 {
            format!(
                "<hpsocket.HttpMessage {} {} HTTP/{major}.{minor}>",
                self.method(),
                self.url()
            )
        } else {
            format!(
                "<hpsocket.HttpMessage HTTP/{major}.{minor} {} {}>",
                self.msg.status(),
                self.reason()
            )
        }
    }
}

fn message(msg: Arc<HttpMessage>, body: Option<Py<PyBytes>>) -> PyHttpMessage {
    PyHttpMessage { msg, body }
}

/// A parse error as `(code, description)`, or None.
fn parse_error(
    py: Python<'_>,
    e: hpsocket_core::Result<Option<Arc<hpsocket_core::http::ParseFailure>>>,
) -> PyResult<Option<(i32, String)>> {
    Ok(e.or_raise(py)?.map(|f| (f.code, text(&f.description))))
}

// ----- component classes -------------------------------------------------------------------------

fn apply_http(
    py: Python<'_>,
    core: &impl HttpCore,
    settings: Vec<(String, Bound<'_, PyAny>)>,
) -> PyResult<()> {
    for (name, value) in settings {
        write_setting(py, core, &name, &value)?;
    }
    Ok(())
}

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

/// A property per HTTP setting; `$base` is the class that holds the component.
macro_rules! http_property {
    ($cls:ty, $base:ty, $get:ident, $set:ident, $name:literal, $doc:literal) => {
        #[pyo3::pymethods]
        impl $cls {
            #[doc = $doc]
            #[getter]
            fn $get<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                let base = slf.as_any().cast::<$base>()?.get();
                read_setting(slf.py(), &base.core, $name)
            }
            #[setter]
            fn $set(slf: &Bound<'_, Self>, value: &Bound<'_, PyAny>) -> PyResult<()> {
                let base = slf.as_any().cast::<$base>()?.get();
                write_setting(slf.py(), &base.core, $name, value)
            }
        }
    };
}

macro_rules! http_common_properties {
    ($cls:ty, $base:ty) => {
        http_property!(
            $cls,
            $base,
            local_version,
            set_local_version,
            "local_version",
            "HTTP version written in outgoing start lines: ``(1, 1)`` (default) or ``(1, 0)``. \
             May change while running."
        );
        http_property!(
            $cls,
            $base,
            auto_start,
            set_auto_start,
            "auto_start",
            "Parse HTTP from a connection's first byte (default True); False delivers bytes \
             through ``on_receive`` until ``start_http``."
        );
        http_property!(
            $cls,
            $base,
            ws_mode,
            set_ws_mode,
            "ws_mode",
            "The WebSocket mode (default False): the library does RFC 6455's work (the \
             opening handshake answered or checked, fragments reassembled, pings and closes \
             answered, protocol errors failed with their close codes) and reports whole \
             messages through ``on_ws_message``. May change while running; applies to later \
             upgrades."
        );
        http_property!(
            $cls,
            $base,
            ws_max_message,
            set_ws_max_message,
            "ws_max_message",
            "The largest message the WebSocket mode reassembles, bytes (default 16 MiB, \
             1..=2**31-1); a larger one fails the connection with close code 1009."
        );
    };
}

/// A close code for `ws_close`; the core checks which codes may be sent, this only that it
/// is one (a wider int would otherwise be an `OverflowError`).
fn close_code(py: Python<'_>, code: i64) -> PyResult<u16> {
    u16::try_from(code).map_err(|_| {
        invalid_param(
            py,
            &format!("code must be 1000..=1003, 1007..=1011 or 3000..=4999, not {code}"),
        )
    })
}

/// The opcode of `send_ws_message`: given, or from the data's type (`str` text, else
/// binary); and the payload (`str` sent as UTF-8).
fn ws_payload<'py>(
    data: &Bound<'py, PyAny>,
    opcode: Option<&Bound<'py, PyAny>>,
) -> PyResult<(u8, Bound<'py, PyBytes>)> {
    let py = data.py();
    let (default, payload) = match data.cast::<PyString>() {
        Ok(s) => (
            hpsocket_core::http::ws_mode::OP_TEXT,
            PyBytes::new(py, s.to_cow()?.as_bytes()),
        ),
        Err(_) => (
            hpsocket_core::http::ws_mode::OP_BINARY,
            crate::args::data(data)?,
        ),
    };
    let opcode = match opcode.filter(|o| !o.is_none()) {
        None => default,
        Some(o) => crate::args::int_arg::<u8>(o, "opcode", "0..=15")?,
    };
    if opcode > 0xF {
        return Err(invalid_param(
            py,
            &format!("opcode must be 0..=15, not {opcode}"),
        ));
    }
    Ok((opcode, payload))
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

/// `get`, `post`, ... as shorthands of `send_request`, for agents (`conn_id` first) and
/// clients.
macro_rules! request_shorthands {
    (agent $cls:ty: $($name:ident $method:literal body),* ; $($name2:ident $method2:literal),*) => {
        #[pyo3::pymethods]
        impl $cls {
            $(
                #[doc = concat!("``send_request(conn_id, \"", $method, "\", path, headers, body)``.")]
                #[pyo3(signature = (conn_id, path, body=None, headers=None))]
                fn $name(
                    slf: &Bound<'_, Self>,
                    conn_id: crate::args::Cid,
                    path: &str,
                    body: Option<&Bound<'_, PyAny>>,
                    headers: Option<&Bound<'_, PyAny>>,
                ) -> PyResult<()> {
                    agent_request(slf.as_any(), conn_id.0, $method, path, headers, body)
                }
            )*
            $(
                #[doc = concat!("``send_request(conn_id, \"", $method2, "\", path, headers)``.")]
                #[pyo3(signature = (conn_id, path, headers=None))]
                fn $name2(
                    slf: &Bound<'_, Self>,
                    conn_id: crate::args::Cid,
                    path: &str,
                    headers: Option<&Bound<'_, PyAny>>,
                ) -> PyResult<()> {
                    agent_request(slf.as_any(), conn_id.0, $method2, path, headers, None)
                }
            )*
        }
    };
    (client $cls:ty: $($name:ident $method:literal body),* ; $($name2:ident $method2:literal),*) => {
        #[pyo3::pymethods]
        impl $cls {
            $(
                #[doc = concat!("``send_request(\"", $method, "\", path, headers, body)``.")]
                #[pyo3(signature = (path, body=None, headers=None))]
                fn $name(
                    slf: &Bound<'_, Self>,
                    path: &str,
                    body: Option<&Bound<'_, PyAny>>,
                    headers: Option<&Bound<'_, PyAny>>,
                ) -> PyResult<()> {
                    client_request(slf.as_any(), $method, path, headers, body)
                }
            )*
            $(
                #[doc = concat!("``send_request(\"", $method2, "\", path, headers)``.")]
                #[pyo3(signature = (path, headers=None))]
                fn $name2(
                    slf: &Bound<'_, Self>,
                    path: &str,
                    headers: Option<&Bound<'_, PyAny>>,
                ) -> PyResult<()> {
                    client_request(slf.as_any(), $method2, path, headers, None)
                }
            )*
        }
    };
}

fn agent_request(
    obj: &Bound<'_, PyAny>,
    conn_id: u64,
    method: &str,
    path: &str,
    headers: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let py = obj.py();
    let core = &obj.cast::<PyTcpAgent>()?.get().core;
    let body = body_arg(py, body)?;
    let headers = headers_arg(headers)?;
    core.send_request(
        conn_id,
        method,
        path,
        &header_refs(&headers),
        body.as_bytes(),
    )
    .or_raise(py)
}

fn client_request(
    obj: &Bound<'_, PyAny>,
    method: &str,
    path: &str,
    headers: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let py = obj.py();
    let core = &obj.cast::<PyTcpClient>()?.get().core;
    let body = body_arg(py, body)?;
    let headers = headers_arg(headers)?;
    core.send_request(method, path, &header_refs(&headers), body.as_bytes())
        .or_raise(py)
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

/// An HTTP server (HP-Socket's ``IHttpServer``): a ``TcpServer`` whose connections are
/// parsed as HTTP/1.x requests and reported to ``listener`` (see ``HttpServerListener``)
/// as ``on_message_begin`` ... ``on_message_complete``; answer with ``send_response``.
/// ``HttpServer(listener=None, **settings)``: the TCP settings plus ``local_version``,
/// ``release_delay`` and ``auto_start``.
#[pyclass(subclass, frozen, extends = PyTcpServer, module = "hpsocket._native", name = "HttpServer")]
pub(crate) struct PyHttpServer {}

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
pub(crate) struct PyHttpsServer {}

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

/// An HTTP agent (``IHttpAgent``): a ``TcpAgent`` whose connections send requests
/// (``send_request``, ``get``, ``post``, ...) and get the responses parsed and reported to
/// ``listener`` (see ``HttpAgentListener``). Settings: the TCP ones plus ``local_version``,
/// ``auto_start`` and ``use_cookie``.
#[pyclass(subclass, frozen, extends = PyTcpAgent, module = "hpsocket._native", name = "HttpAgent")]
pub(crate) struct PyHttpAgent {}

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
pub(crate) struct PyHttpsAgent {}

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

/// An HTTP client (``IHttpClient``): a ``TcpClient`` that sends requests and gets the
/// responses parsed and reported to ``listener`` (see ``HttpClientListener``).
#[pyclass(subclass, frozen, extends = PyTcpClient, module = "hpsocket._native", name = "HttpClient")]
pub(crate) struct PyHttpClient {}

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
pub(crate) struct PyHttpsClient {}

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

// ----- sync clients ------------------------------------------------------------------------------

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
pub(crate) struct PyHttpSyncClient {
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
pub(crate) struct PyHttpsSyncClient {
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

/// Registers the classes and constants.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHttpMessage>()?;
    m.add_class::<PyHttpServer>()?;
    m.add_class::<PyHttpsServer>()?;
    m.add_class::<PyHttpAgent>()?;
    m.add_class::<PyHttpsAgent>()?;
    m.add_class::<PyHttpClient>()?;
    m.add_class::<PyHttpsClient>()?;
    m.add_class::<PyHttpSyncClient>()?;
    m.add_class::<PyHttpsSyncClient>()?;
    m.add("HTTP_VERSION_1_0", HTTP_VERSION_1_0)?;
    m.add("HTTP_VERSION_1_1", HTTP_VERSION_1_1)?;
    Ok(())
}
