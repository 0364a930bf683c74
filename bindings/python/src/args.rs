//! Argument conversions shared by the components. A wrong type raises `TypeError`; a value
//! out of range raises `HPSocketError(SocketError.INVALID_PARAM)`, as HP-Socket would report it.

use std::net::SocketAddr;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyMemoryView, PyString};

use crate::errors::invalid_param;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A connection ID: any `int`; one that cannot be an ID (negative, too large) is just an
/// unknown connection.
pub(crate) struct Cid(pub(crate) u64);

impl<'a, 'py> FromPyObject<'a, 'py> for Cid {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if !obj.is_instance_of::<PyInt>() {
            return Err(PyTypeError::new_err(format!(
                "a connection id must be an int, not {}",
                type_name(&obj)
            )));
        }
        // Connection ids are 1..2**64; a value outside is named as given (not as 0).
        obj.extract::<u64>().map(Cid).map_err(|_| {
            crate::errors::invalid_param(
                obj.py(),
                &format!(
                    "connection id {} is not a connection id (ids are 1..2**64)",
                    obj.as_any()
                ),
            )
        })
    }
}

/// An `int` that must fit `T`; `what` names it in the error.
pub(crate) fn int_arg<T: TryFrom<i128>>(
    obj: &Bound<'_, PyAny>,
    what: &str,
    range: &str,
) -> PyResult<T> {
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            type_name(obj)
        )));
    }
    obj.extract::<i128>()
        .ok()
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| invalid_param(obj.py(), &format!("{what} must be {range}, not {obj}")))
}

/// A port number.
pub(crate) fn port(obj: &Bound<'_, PyAny>) -> PyResult<u16> {
    int_arg(obj, "port", "0..=65535")
}

/// A byte count (`fetch`, `peek`).
pub(crate) fn length(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    int_arg(obj, "length", "a non-negative int")
}

/// A period in milliseconds (HP-Socket's DWORD).
pub(crate) fn millis(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<u32> {
    int_arg(obj, what, "0..=4294967295 ms")
}

/// Data to send: `bytes` are used in place; other bytes-like objects (bytearray,
/// memoryview, array, ...) are copied once into `bytes`. `str` and `int` are refused.
pub(crate) fn data<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.clone());
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "a bytes-like object is required, not {}",
            type_name(obj)
        )));
    }
    // One copy of any buffer; a non-buffer becomes a TypeError.
    let view = PyMemoryView::from(obj).map_err(|_| {
        PyTypeError::new_err(format!(
            "a bytes-like object is required, not {}",
            type_name(obj)
        ))
    })?;
    Ok(view.call_method0("tobytes")?.cast_into::<PyBytes>()?)
}

/// `(host, port)` of a socket address, as Python's `socket` module gives it (IPv6 without
/// brackets).
pub(crate) fn address(addr: SocketAddr) -> (String, u16) {
    (addr.ip().to_string(), addr.port())
}

/// A `wait` timeout in seconds: None waits for ever.
pub(crate) fn timeout(value: Option<f64>) -> PyResult<Option<std::time::Duration>> {
    match value {
        None => Ok(None),
        Some(t) if t.is_nan() || t < 0.0 => Err(PyValueError::new_err(format!(
            "timeout must be None or >= 0 seconds, not {t}"
        ))),
        Some(t) => Ok(Some(std::time::Duration::from_secs_f64(t.min(1e9)))),
    }
}
