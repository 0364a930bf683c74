//! `HPSocketError`, and the conversion of the core's errors and of bad arguments into it.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyInt;

use crate::enums::{self, E};

pyo3::create_exception!(
    hpsocket,
    HPSocketError,
    PyException,
    "A failed hpsocket operation.\n\n\
     Attributes:\n\
     \x20   code (SocketError): HP-Socket's error code, e.g. ``SocketError.INVALID_PARAM``.\n\
     \x20   text (str): HP-Socket's description of the code (``HP_GetSocketErrorDesc``).\n\
     \x20   errno (Errno): the operating-system error number that goes with it (0 if none), an\n\
     \x20       ``int`` whose ``str()`` names it (``ECONNRESET (Connection reset by peer)``).\n\
     \x20   context (str): what failed, naming the bad parameter or state.\n\n\
     ``str(error)`` is ``\"<context> (<text>)\"``."
);

/// An `HPSocketError` instance with its attributes set.
pub(crate) fn error_value<'py>(
    py: Python<'py>,
    kind: hpsocket_core::ErrorKind,
    errno: i32,
    context: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let text = kind.description();
    let err = py
        .get_type::<HPSocketError>()
        .call1((format!("{context} ({text})"),))?;
    err.setattr("code", enums::member(py, E::SocketError, kind as i32))?;
    err.setattr("text", text)?;
    err.setattr("errno", errno_value(py, errno))?;
    err.setattr("context", context)?;
    Ok(err)
}

static ERRNO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// An `errno` as Python code gets it: an `hpsocket.Errno` (an `int` subclass whose `str()`
/// names it), or a plain `int` if the class cannot be loaded.
pub(crate) fn errno_value(py: Python<'_>, code: i32) -> Bound<'_, PyAny> {
    ERRNO
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("hpsocket._errno")?.getattr("Errno")?.unbind())
        })
        .and_then(|class| class.bind(py).call1((code,)))
        .unwrap_or_else(|_| PyInt::new(py, code).into_any())
}

/// An `HPSocketError` with its attributes set.
pub(crate) fn hp_error(
    py: Python<'_>,
    kind: hpsocket_core::ErrorKind,
    errno: i32,
    context: &str,
) -> PyErr {
    match error_value(py, kind, errno, context) {
        Ok(err) => PyErr::from_value(err),
        Err(e) => e,
    }
}

/// A component's `last_error()`: the numbered failure no call returned, as an
/// `HPSocketError` with a `sequence` attribute.
pub(crate) fn last_error(
    py: Python<'_>,
    last: Option<(u64, hpsocket_core::Error)>,
) -> PyResult<Option<Bound<'_, PyAny>>> {
    let Some((sequence, e)) = last else {
        return Ok(None);
    };
    let err = error_value(py, e.kind(), e.errno(), e.context())?;
    err.setattr("sequence", sequence)?;
    Ok(Some(err))
}

/// `SE_INVALID_PARAM` with `EINVAL`, for an argument out of range.
pub(crate) fn invalid_param(py: Python<'_>, context: &str) -> PyErr {
    hp_error(
        py,
        hpsocket_core::ErrorKind::InvalidParam,
        libc::EINVAL,
        context,
    )
}

/// `SE_ILLEGAL_STATE` with `EPERM`.
pub(crate) fn illegal_state(py: Python<'_>, context: &str) -> PyErr {
    hp_error(
        py,
        hpsocket_core::ErrorKind::IllegalState,
        libc::EPERM,
        context,
    )
}

/// Turns a core result into a Python one.
pub(crate) trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for hpsocket_core::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| hp_error(py, e.kind(), e.errno(), e.context()))
    }
}
