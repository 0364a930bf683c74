//! The conversions of the HTTP sends' Python arguments: headers, bodies, and the WebSocket
//! frames' close codes, opcodes and payloads.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::errors::invalid_param;

/// Headers given to a send: None, a mapping (its `items()`, so a received message's
/// `headers` with repeated names passes every value), or an iterable of `(name, value)`
/// pairs. Values that are not `str` are converted with `str()`.
pub(super) fn headers_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
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
pub(super) fn body_arg<'py>(
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

pub(super) fn header_refs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

/// A close code for `ws_close`; the core checks which codes may be sent, this only that it
/// is one (a wider int would otherwise be an `OverflowError`).
pub(super) fn close_code(py: Python<'_>, code: i64) -> PyResult<u16> {
    u16::try_from(code).map_err(|_| {
        invalid_param(
            py,
            &format!("code must be 1000..=1003, 1007..=1011 or 3000..=4999, not {code}"),
        )
    })
}

/// The opcode of `send_ws_message`: given, or from the data's type (`str` text, else
/// binary); and the payload (`str` sent as UTF-8).
pub(super) fn ws_payload<'py>(
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
