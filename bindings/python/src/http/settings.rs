//! The HTTP settings: they are not in the core's settings registry, so the constructors take
//! them out of the keyword arguments (`split_kwargs`) and the properties read and write them
//! here through the core's `http_config` / `update_http_config`.

use hpsocket_core::http::{HttpConfig, HTTP_VERSION_1_0, HTTP_VERSION_1_1, RELEASE_DELAY_RANGE};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{invalid_param, OrRaise};

/// The HTTP configuration calls the three core components share.
pub(super) trait HttpCore {
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
pub(super) fn version_tuple(v: u16) -> (u8, u8) {
    ((v & 0xFF) as u8, (v >> 8) as u8)
}

/// An HTTP setting's value.
pub(super) fn read_setting<'py>(
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
pub(super) fn write_setting(
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
pub(super) fn split_kwargs<'py>(
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

pub(super) const SERVER_SETTINGS: &[&str] = &[
    "local_version",
    "release_delay",
    "auto_start",
    "ws_mode",
    "ws_max_message",
];
pub(super) const CLIENT_SETTINGS: &[&str] = &[
    "local_version",
    "auto_start",
    "use_cookie",
    "ws_mode",
    "ws_max_message",
];
pub(super) const SYNC_SETTINGS: &[&str] = &[
    "local_version",
    "auto_start",
    "use_cookie",
    "connect_timeout",
    "request_timeout",
];

pub(super) fn apply_http(
    py: Python<'_>,
    core: &impl HttpCore,
    settings: Vec<(String, Bound<'_, PyAny>)>,
) -> PyResult<()> {
    for (name, value) in settings {
        write_setting(py, core, &name, &value)?;
    }
    Ok(())
}
