//! The request sends of agents and clients, and the `get`, `post`, ... shorthands their
//! classes get from `request_shorthands!`; declared `#[macro_use]` in `mod.rs` before the
//! agent and client modules that use the macro.

use pyo3::prelude::*;

use super::args::{body_arg, header_refs, headers_arg};
use crate::agent::PyTcpAgent;
use crate::client::PyTcpClient;
use crate::errors::OrRaise;

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

pub(super) fn agent_request(
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

pub(super) fn client_request(
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
