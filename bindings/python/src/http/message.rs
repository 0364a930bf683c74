//! `HttpMessage`: the Python view of one parsed HTTP message, and the parse error a
//! component reports.

use std::sync::Arc;

use hpsocket_core::http::HttpMessage;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use super::settings::version_tuple;
use crate::errors::OrRaise;

/// What one HTTP message said (a request for a server, a response for an agent or client):
/// an immutable snapshot, readable from any thread and kept as long as referenced. Texts are
/// ``str`` (bytes that are not UTF-8 are replaced).
#[pyclass(frozen, module = "hpsocket._native", name = "HttpMessage")]
pub(super) struct PyHttpMessage {
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

pub(super) fn message(msg: Arc<HttpMessage>, body: Option<Py<PyBytes>>) -> PyHttpMessage {
    PyHttpMessage { msg, body }
}

/// A parse error as `(code, description)`, or None.
pub(super) fn parse_error(
    py: Python<'_>,
    e: hpsocket_core::Result<Option<Arc<hpsocket_core::http::ParseFailure>>>,
) -> PyResult<Option<(i32, String)>> {
    Ok(e.or_raise(py)?.map(|f| (f.code, text(&f.description))))
}
