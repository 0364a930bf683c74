//! Component settings as keyword arguments and properties, with HP-Socket's names (in
//! snake_case) and defaults. As in HP-Socket they can change only while a component is
//! stopped (else `HPSocketError(ILLEGAL_STATE)`), and are validated by `start`.

use hpsocket_core::config::SocketConfig;
use hpsocket_core::{
    ClientConfig, EngineConfig, OnSendSyncPolicy, ReceiveModel, ReuseAddressPolicy, SendPolicy,
};
use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};

use crate::args::int_arg;
use crate::bridge::Role;
use crate::enums::{self, E};
use crate::errors::invalid_param;

/// Settings of every component (`SocketConfig`).
pub(crate) const SOCKET: &[&str] = &[
    "reuse_address_policy",
    "socket_buffer_size",
    "keep_alive_time",
    "keep_alive_interval",
    "no_delay",
    "max_send_queue_bytes",
    "send_queue_low_watermark",
    "connect_timeout",
    "silence_counts_send",
    "half_close_drain_timeout",
];
/// Settings of servers and agents (`EngineConfig`).
pub(crate) const ENGINE: &[&str] = &[
    "worker_thread_count",
    "max_connection_count",
    "free_socket_obj_lock_time",
    "free_socket_obj_pool",
    "free_socket_obj_hold",
    "free_buffer_obj_pool",
    "free_buffer_obj_hold",
    "mark_silence",
    "send_policy",
    "on_send_sync_policy",
];
pub(crate) const SERVER: &[&str] = &["socket_listen_queue", "accept_socket_count"];
pub(crate) const AGENT: &[&str] = &["sync_connect_timeout"];
pub(crate) const CLIENT: &[&str] = &[
    "free_buffer_pool_size",
    "free_buffer_pool_hold",
    "sync_connect_timeout",
];
/// Settings of PACK components (`PackConfig`).
pub(crate) const PACK: &[&str] = &["max_pack_size", "pack_header_flag"];
/// Settings of SSL components.
pub(crate) const SSL: &[&str] = &["ssl_auto_handshake", "ssl_handshake_timeout"];

/// Whether a component of `role`, `model` and `secure` has the setting `name`.
pub(crate) fn has_setting(role: Role, model: ReceiveModel, secure: bool, name: &str) -> bool {
    let own: &[&[&str]] = match role {
        Role::Server => &[SOCKET, ENGINE, SERVER],
        Role::Agent => &[SOCKET, ENGINE, AGENT],
        Role::Client => &[SOCKET, CLIENT],
    };
    own.iter().any(|list| list.contains(&name))
        || (model == ReceiveModel::Pack && PACK.contains(&name))
        || (secure && SSL.contains(&name))
}

/// One setting, borrowed from a configuration.
pub(crate) enum Field<'a> {
    U32(&'a mut u32),
    U16(&'a mut u16),
    Bool(&'a mut bool),
    Reuse(&'a mut ReuseAddressPolicy),
    Send(&'a mut SendPolicy),
    OnSendSync(&'a mut OnSendSyncPolicy),
}

/// A parsed value for a [`Field`].
#[derive(Clone, Copy)]
pub(crate) enum Value {
    U32(u32),
    U16(u16),
    Bool(bool),
    Reuse(ReuseAddressPolicy),
    Send(SendPolicy),
    OnSendSync(OnSendSyncPolicy),
}

fn socket_field<'a>(c: &'a mut SocketConfig, name: &str) -> Option<Field<'a>> {
    Some(match name {
        "reuse_address_policy" => Field::Reuse(&mut c.reuse_address_policy),
        "socket_buffer_size" => Field::U32(&mut c.socket_buffer_size),
        "keep_alive_time" => Field::U32(&mut c.keep_alive_time),
        "keep_alive_interval" => Field::U32(&mut c.keep_alive_interval),
        "no_delay" => Field::Bool(&mut c.no_delay),
        "max_send_queue_bytes" => Field::U32(&mut c.max_send_queue_bytes),
        "send_queue_low_watermark" => Field::U32(&mut c.send_queue_low_watermark),
        "connect_timeout" => Field::U32(&mut c.connect_timeout),
        "silence_counts_send" => Field::Bool(&mut c.silence_counts_send),
        "half_close_drain_timeout" => Field::U32(&mut c.half_close_drain_timeout),
        "ssl_auto_handshake" => Field::Bool(&mut c.ssl_auto_handshake),
        "ssl_handshake_timeout" => Field::U32(&mut c.ssl_handshake_timeout),
        _ => return None,
    })
}

pub(crate) fn engine_field<'a>(c: &'a mut EngineConfig, name: &str) -> Option<Field<'a>> {
    Some(match name {
        "worker_thread_count" => Field::U32(&mut c.worker_thread_count),
        "max_connection_count" => Field::U32(&mut c.max_connection_count),
        "free_socket_obj_lock_time" => Field::U32(&mut c.free_socket_obj_lock_time),
        "free_socket_obj_pool" => Field::U32(&mut c.free_socket_obj_pool),
        "free_socket_obj_hold" => Field::U32(&mut c.free_socket_obj_hold),
        "free_buffer_obj_pool" => Field::U32(&mut c.free_buffer_obj_pool),
        "free_buffer_obj_hold" => Field::U32(&mut c.free_buffer_obj_hold),
        "mark_silence" => Field::Bool(&mut c.mark_silence),
        "send_policy" => Field::Send(&mut c.send_policy),
        "on_send_sync_policy" => Field::OnSendSync(&mut c.on_send_sync_policy),
        "socket_listen_queue" => Field::U32(&mut c.socket_listen_queue),
        "accept_socket_count" => Field::U32(&mut c.accept_socket_count),
        "sync_connect_timeout" => Field::U32(&mut c.sync_connect_timeout),
        "max_pack_size" => Field::U32(&mut c.pack.max_pack_size),
        "pack_header_flag" => Field::U16(&mut c.pack.pack_header_flag),
        _ => return socket_field(&mut c.socket, name),
    })
}

pub(crate) fn client_field<'a>(c: &'a mut ClientConfig, name: &str) -> Option<Field<'a>> {
    Some(match name {
        "free_buffer_pool_size" => Field::U32(&mut c.free_buffer_pool_size),
        "free_buffer_pool_hold" => Field::U32(&mut c.free_buffer_pool_hold),
        "sync_connect_timeout" => Field::U32(&mut c.sync_connect_timeout),
        "max_pack_size" => Field::U32(&mut c.pack.max_pack_size),
        "pack_header_flag" => Field::U16(&mut c.pack.pack_header_flag),
        _ => return socket_field(&mut c.socket, name),
    })
}

fn policy<T: TryFrom<i32>>(
    py: Python<'_>,
    name: &str,
    v: &Bound<'_, PyAny>,
    e: &str,
) -> PyResult<T> {
    let code: i32 = int_arg(v, name, &format!("a {e} value"))?;
    T::try_from(code).map_err(|_| invalid_param(py, &format!("{name}: {code} is not a {e} value")))
}

impl Field<'_> {
    pub(crate) fn get<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        match self {
            Field::U32(v) => PyInt::new(py, **v).into_any(),
            Field::U16(v) => PyInt::new(py, **v).into_any(),
            Field::Bool(v) => PyBool::new(py, **v).to_owned().into_any(),
            Field::Reuse(v) => enums::member(py, E::ReuseAddressPolicy, **v as i32),
            Field::Send(v) => enums::member(py, E::SendPolicy, **v as i32),
            Field::OnSendSync(v) => enums::member(py, E::OnSendSyncPolicy, **v as i32),
        }
    }

    pub(crate) fn parse(
        &self,
        py: Python<'_>,
        name: &str,
        v: &Bound<'_, PyAny>,
    ) -> PyResult<Value> {
        Ok(match self {
            Field::U32(_) => Value::U32(int_arg(v, name, "0..=4294967295")?),
            Field::U16(_) => Value::U16(int_arg(v, name, "0..=65535")?),
            Field::Bool(_) => {
                if !v.is_instance_of::<PyBool>() {
                    return Err(PyTypeError::new_err(format!(
                        "{name} must be a bool, not {}",
                        v.get_type().name()?
                    )));
                }
                Value::Bool(v.is_truthy()?)
            }
            Field::Reuse(_) => Value::Reuse(policy(py, name, v, "ReuseAddressPolicy")?),
            Field::Send(_) => Value::Send(policy(py, name, v, "SendPolicy")?),
            Field::OnSendSync(_) => Value::OnSendSync(policy(py, name, v, "OnSendSyncPolicy")?),
        })
    }

    pub(crate) fn set(self, value: Value) {
        match (self, value) {
            (Field::U32(f), Value::U32(v)) => *f = v,
            (Field::U16(f), Value::U16(v)) => *f = v,
            (Field::Bool(f), Value::Bool(v)) => *f = v,
            (Field::Reuse(f), Value::Reuse(v)) => *f = v,
            (Field::Send(f), Value::Send(v)) => *f = v,
            (Field::OnSendSync(f), Value::OnSendSync(v)) => *f = v,
            _ => {}
        }
    }
}

pub(crate) fn no_such_setting(name: &str) -> PyErr {
    PyAttributeError::new_err(format!("no setting named {name:?}"))
}

/// Reading and writing settings by name; implemented by every component class.
pub(crate) trait Configurable {
    fn role_model(&self) -> (Role, ReceiveModel, bool);
    fn read<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>>;
    fn write(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()>;
}

/// Implements [`Configurable`] for a class whose `core` has `config()`/`update_config()`.
macro_rules! impl_configurable {
    ($cls:ty, $field:path) => {
        impl $crate::settings::Configurable for $cls {
            fn role_model(&self) -> ($crate::bridge::Role, hpsocket_core::ReceiveModel, bool) {
                (self.bridge.role, self.bridge.model, self.bridge.secure)
            }
            fn read<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                let mut c = self.core.config();
                let f =
                    $field(&mut c, name).ok_or_else(|| $crate::settings::no_such_setting(name))?;
                Ok(f.get(py))
            }
            fn write(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
                use $crate::errors::OrRaise;
                let mut probe = self.core.config();
                let f = $field(&mut probe, name)
                    .ok_or_else(|| $crate::settings::no_such_setting(name))?;
                let v = f.parse(py, name, value)?;
                self.core
                    .update_config(|c| {
                        if let Some(f) = $field(c, name) {
                            f.set(v);
                        }
                    })
                    .or_raise(py)
            }
        }
    };
}
pub(crate) use impl_configurable;

/// Applies a constructor's keyword arguments.
pub(crate) fn apply_kwargs(
    target: &impl Configurable,
    py: Python<'_>,
    kwargs: Option<&Bound<'_, PyDict>>,
    class: &str,
) -> PyResult<()> {
    let Some(kwargs) = kwargs else {
        return Ok(());
    };
    let (role, model, secure) = target.role_model();
    for (key, value) in kwargs.iter() {
        let name: String = key.extract()?;
        if !has_setting(role, model, secure, &name) {
            return Err(PyTypeError::new_err(format!(
                "{class}() got an unexpected keyword argument '{name}'"
            )));
        }
        target.write(py, &name, &value)?;
    }
    Ok(())
}

/// Properties for settings: `name / set_name = "doc"`.
macro_rules! settings_properties {
    ($cls:ty: $( $prop:ident / $setter:ident = $doc:literal ),* $(,)?) => {
        #[pyo3::pymethods]
        impl $cls {
            $(
                #[doc = $doc]
                #[getter]
                fn $prop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                    $crate::settings::Configurable::read(self, py, stringify!($prop))
                }
                #[setter]
                fn $setter(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
                    $crate::settings::Configurable::write(self, py, stringify!($prop), value)
                }
            )*
        }
    };
}
pub(crate) use settings_properties;

/// The socket settings every component has.
macro_rules! socket_properties {
    ($cls:ty) => {
        $crate::settings::settings_properties!($cls:
            reuse_address_policy / set_reuse_address_policy =
                "Address reuse (``ReuseAddressPolicy``). Default ``ADDR_ONLY``.",
            socket_buffer_size / set_socket_buffer_size =
                "Size of one receive buffer block, in bytes. Default 4096; at least 8.",
            keep_alive_time / set_keep_alive_time =
                "TCP keep-alive idle time, in ms. Default 60000; 0 disables keep-alive, \
                 else at least 1000.",
            keep_alive_interval / set_keep_alive_interval =
                "TCP keep-alive probe interval, in ms. Default 20000; 0 disables keep-alive, \
                 else at least 1000.",
            no_delay / set_no_delay = "``TCP_NODELAY``. Default False.",
            max_send_queue_bytes / set_max_send_queue_bytes =
                "Extension: most bytes one connection may have queued and unsent; a send that \
                 would pass it fails (``errno`` ENOBUFS) and the connection stays usable. \
                 Default 0: unbounded, as in HP-Socket.",
            send_queue_low_watermark / set_send_queue_low_watermark =
                "Extension: after a send was refused for a full queue, ``on_send_drained`` \
                 fires once the queue is down to this many bytes. Default 0; must be below \
                 ``max_send_queue_bytes``.",
            connect_timeout / set_connect_timeout =
                "Extension: ms an asynchronous connect may take before ``on_close(CONNECT, \
                 ETIMEDOUT)``. Default 0: the operating system's timeout.",
            silence_counts_send / set_silence_counts_send =
                "Extension: sends also count as activity for silence periods. Default False.",
            half_close_drain_timeout / set_half_close_drain_timeout =
                "Extension: ms the answer to a peer that closed its side may go without \
                 progress before ``on_close(SEND, ETIMEDOUT)``. Default 30000; at least 1.",
        );
    };
}
pub(crate) use socket_properties;

/// The settings of servers and agents.
macro_rules! engine_properties {
    ($cls:ty) => {
        $crate::settings::settings_properties!($cls:
            worker_thread_count / set_worker_thread_count =
                "I/O worker threads. Default ``min(2 * CPUs + 2, 512)``; 1..=512.",
            max_connection_count / set_max_connection_count =
                "Most simultaneous connections. Default 10000; 1..=5000000.",
            free_socket_obj_lock_time / set_free_socket_obj_lock_time =
                "ms a closed connection's object stays unused. Default 20000.",
            free_socket_obj_pool / set_free_socket_obj_pool =
                "Cached closed-connection objects. Default 600.",
            free_socket_obj_hold / set_free_socket_obj_hold =
                "Connection-object cache threshold. Default 600.",
            free_buffer_obj_pool / set_free_buffer_obj_pool =
                "Cached send buffers. Default 1024.",
            free_buffer_obj_hold / set_free_buffer_obj_hold =
                "Send-buffer cache threshold. Default 1024.",
            mark_silence / set_mark_silence =
                "Record the time of the last receive (for ``silence_period`` and \
                 ``disconnect_silence_connections``). Default True.",
            send_policy / set_send_policy =
                "``SendPolicy``; kept and reported, no effect on Linux. Default ``PACK``.",
            on_send_sync_policy / set_on_send_sync_policy =
                "``OnSendSyncPolicy``; kept and reported, no effect on Linux. Default ``NONE``.",
        );
    };
}
pub(crate) use engine_properties;

/// The PACK settings, on the PACK subclasses (whose base class holds the component).
macro_rules! pack_properties {
    ($cls:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Largest frame body, sent or received, in bytes. Default 0x40000 (256 KiB);
            /// 1..=0x3FFFFF.
            #[getter]
            fn max_pack_size<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                $crate::settings::Configurable::read(
                    slf.as_super().get(),
                    slf.py(),
                    "max_pack_size",
                )
            }
            #[setter]
            fn set_max_pack_size(slf: &Bound<'_, Self>, value: &Bound<'_, PyAny>) -> PyResult<()> {
                $crate::settings::Configurable::write(
                    slf.as_super().get(),
                    slf.py(),
                    "max_pack_size",
                    value,
                )
            }
            /// Flag carried in the top 10 bits of every frame header; when not 0, a received
            /// header with another flag closes the connection. Default 0; 0..=0x3FF.
            #[getter]
            fn pack_header_flag<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                $crate::settings::Configurable::read(
                    slf.as_super().get(),
                    slf.py(),
                    "pack_header_flag",
                )
            }
            #[setter]
            fn set_pack_header_flag(
                slf: &Bound<'_, Self>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                $crate::settings::Configurable::write(
                    slf.as_super().get(),
                    slf.py(),
                    "pack_header_flag",
                    value,
                )
            }
        }
    };
}
pub(crate) use pack_properties;

/// The SSL settings, on the SSL classes; `$base` is the class that holds the component.
macro_rules! ssl_properties {
    ($cls:ty, $base:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Start the TLS handshake by itself after connect/accept. Default True; False
            /// lets the application speak plaintext first, then call
            /// ``start_ssl_handshake``.
            #[getter]
            fn ssl_auto_handshake<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::settings::Configurable::read(base, slf.py(), "ssl_auto_handshake")
            }
            #[setter]
            fn set_ssl_auto_handshake(
                slf: &Bound<'_, Self>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::settings::Configurable::write(base, slf.py(), "ssl_auto_handshake", value)
            }
            /// Extension: ms a TLS handshake may take before the connection closes with
            /// ETIMEDOUT. Default 30000; 0: no limit.
            #[getter]
            fn ssl_handshake_timeout<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::settings::Configurable::read(base, slf.py(), "ssl_handshake_timeout")
            }
            #[setter]
            fn set_ssl_handshake_timeout(
                slf: &Bound<'_, Self>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::settings::Configurable::write(
                    base,
                    slf.py(),
                    "ssl_handshake_timeout",
                    value,
                )
            }
        }
    };
}
pub(crate) use ssl_properties;
