//! The macros that give the HTTP classes a Python property per HTTP setting; declared
//! `#[macro_use]` first in `mod.rs` so every class module can use them.

/// A property per HTTP setting; `$base` is the class that holds the component.
macro_rules! http_property {
    ($cls:ty, $base:ty, $get:ident, $set:ident, $name:literal, $doc:literal) => {
        #[pyo3::pymethods]
        impl $cls {
            #[doc = $doc]
            #[getter]
            fn $get<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::http::settings::read_setting(slf.py(), &base.core, $name)
            }
            #[setter]
            fn $set(slf: &Bound<'_, Self>, value: &Bound<'_, PyAny>) -> PyResult<()> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::http::settings::write_setting(slf.py(), &base.core, $name, value)
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
