//! Component settings as keyword arguments and properties, with HP-Socket's names (in
//! snake_case) and defaults. As in HP-Socket they can change only while a component is
//! stopped (else `HPSocketError(ILLEGAL_STATE)`), and are validated by `start`.

use hpsocket_core::settings::{
    self as registry, ComponentRole, Setting, SettingType, SettingValue,
};
use pyo3::exceptions::{PyAttributeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};

use crate::args::int_arg;
use crate::bridge::{Bridge, Role};
use crate::enums::{self, E};
use crate::errors::invalid_param;

/// The setting `name` if the component of `bridge` (its role, model, security and
/// transport) has it. The settings, the names Python knows them by (`no_delay` is KCP's on
/// an ARQ component, `socket_recv_buffer_size` the UDP socket's buffer) and who has them are
/// the core's registry (`hpsocket_core::settings`). The HTTP settings are the HTTP classes'
/// own (`http.rs`), in the component's HTTP configuration.
pub(crate) fn setting_of(bridge: &Bridge, name: &str) -> Option<&'static Setting> {
    let role = match bridge.role {
        Role::Server => ComponentRole::Server,
        Role::Agent => ComponentRole::Agent,
        Role::Client => ComponentRole::Client,
    };
    registry::find_on(name, role, bridge.model, bridge.secure, bridge.udp).filter(|s| !s.is_http())
}

/// A setting's value as Python sees it: an int, a bool, or a member of its IntEnum.
pub(crate) fn to_py(py: Python<'_>, v: SettingValue) -> Bound<'_, PyAny> {
    match v {
        SettingValue::U32(v) => PyInt::new(py, v).into_any(),
        SettingValue::U16(v) => PyInt::new(py, v).into_any(),
        SettingValue::I32(v) => PyInt::new(py, v).into_any(),
        SettingValue::Bool(v) => PyBool::new(py, v).to_owned().into_any(),
        SettingValue::ReuseAddressPolicy(v) => enums::member(py, E::ReuseAddressPolicy, v as i32),
        SettingValue::SendPolicy(v) => enums::member(py, E::SendPolicy, v as i32),
        SettingValue::OnSendSyncPolicy(v) => enums::member(py, E::OnSendSyncPolicy, v as i32),
        // Only casts have it, which Python does not make.
        SettingValue::CastMode(v) => PyInt::new(py, v as i32).into_any(),
    }
}

/// A Python value for the setting `s`: a bool must be a bool, a number must fit its type,
/// a policy must be one of its values.
pub(crate) fn from_py(py: Python<'_>, s: &Setting, v: &Bound<'_, PyAny>) -> PyResult<SettingValue> {
    let name = s.name;
    let policy = |e: &str| -> PyResult<SettingValue> {
        let code: i32 = int_arg(v, name, &format!("a {e} value"))?;
        s.ty.value_from_i64(code.into())
            .ok_or_else(|| invalid_param(py, &format!("{name}: {code} is not a {e} value")))
    };
    Ok(match s.ty {
        SettingType::U32 => SettingValue::U32(int_arg(v, name, "0..=4294967295")?),
        SettingType::U16 => SettingValue::U16(int_arg(v, name, "0..=65535")?),
        SettingType::I32 => SettingValue::I32(int_arg(v, name, "-2147483648..=2147483647")?),
        SettingType::Bool => {
            if !v.is_instance_of::<PyBool>() {
                return Err(PyTypeError::new_err(format!(
                    "{name} must be a bool, not {}",
                    v.get_type().name()?
                )));
            }
            SettingValue::Bool(v.is_truthy()?)
        }
        SettingType::ReuseAddressPolicy => policy("ReuseAddressPolicy")?,
        SettingType::SendPolicy => policy("SendPolicy")?,
        SettingType::OnSendSyncPolicy => policy("OnSendSyncPolicy")?,
        SettingType::CastMode => policy("CastMode")?,
    })
}

pub(crate) fn no_such_setting(name: &str) -> PyErr {
    PyAttributeError::new_err(format!("no setting named {name:?}"))
}

/// The setting `name` of `target`'s kind of component.
pub(crate) fn lookup(target: &impl Configurable, name: &str) -> PyResult<&'static Setting> {
    setting_of(target.bridge(), name).ok_or_else(|| no_such_setting(name))
}

/// Reading and writing settings by name; implemented by every component class.
pub(crate) trait Configurable {
    /// The component's bridge, which knows its kind.
    fn bridge(&self) -> &Bridge;
    fn read<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>>;
    fn write(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()>;
}

/// Implements [`Configurable`] for a class whose `core` has `config()`/`update_config()`;
/// `$get`/`$set` are the registry's accessors for its kind of configuration (`get_engine`
/// and `set_engine`, or `get_client` and `set_client`).
macro_rules! impl_configurable {
    ($cls:ty, $get:ident, $set:ident) => {
        impl $crate::settings::Configurable for $cls {
            fn bridge(&self) -> &$crate::bridge::Bridge {
                &self.bridge
            }
            fn read<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                let s = $crate::settings::lookup(self, name)?;
                let v = s
                    .$get(&self.core.config())
                    .ok_or_else(|| $crate::settings::no_such_setting(name))?;
                Ok($crate::settings::to_py(py, v))
            }
            fn write(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
                use $crate::errors::OrRaise;
                let s = $crate::settings::lookup(self, name)?;
                let v = $crate::settings::from_py(py, s, value)?;
                self.core
                    .update_config(|c| {
                        s.$set(c, v);
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
    for (key, value) in kwargs.iter() {
        let name: String = key.extract()?;
        let bridge = target.bridge();
        if setting_of(bridge, &name).is_none() {
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

/// The socket settings every TCP component has: the TCP-only ones, then the shared ones.
macro_rules! socket_properties {
    ($cls:ty) => {
        $crate::settings::settings_properties!($cls:
            socket_buffer_size / set_socket_buffer_size =
                "Size of one receive buffer block, in bytes. Default 4096; at least 8.",
            keep_alive_time / set_keep_alive_time =
                "TCP keep-alive idle time, in ms. Default 60000; 0 disables keep-alive, \
                 else at least 1000.",
            keep_alive_interval / set_keep_alive_interval =
                "TCP keep-alive probe interval, in ms. Default 20000; 0 disables keep-alive, \
                 else at least 1000.",
            no_delay / set_no_delay = "``TCP_NODELAY``. Default False.",
        );
        $crate::settings::shared_socket_properties!($cls);
    };
}
pub(crate) use socket_properties;

/// The socket settings of every component, TCP and UDP.
macro_rules! shared_socket_properties {
    ($cls:ty) => {
        $crate::settings::settings_properties!($cls:
            reuse_address_policy / set_reuse_address_policy =
                "Address reuse (``ReuseAddressPolicy``). Default ``ADDR_ONLY``.",
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
pub(crate) use shared_socket_properties;

/// The UDP settings of UDP servers and clients (``post_receive_count`` is the server's).
macro_rules! udp_properties {
    ($cls:ty) => {
        $crate::settings::settings_properties!($cls:
            max_datagram_size / set_max_datagram_size =
                "Largest datagram sent or received, in bytes: a bigger ``send`` raises \
                 ``HPSocketError`` (``errno`` EMSGSIZE) and sends nothing, a bigger datagram \
                 received is dropped. Default 1432; 1..=65536.",
            detect_attempts / set_detect_attempts =
                "Heartbeat rounds without news from the peer after which the connection \
                 closes. Default 3; 0: no heartbeats.",
            detect_interval / set_detect_interval =
                "Heartbeat interval, in ms (a client sends an empty datagram this often). \
                 Default 60000; 0: no heartbeats.",
        );
        $crate::settings::udp_buffer_properties!($cls);
    };
}
pub(crate) use udp_properties;

/// Extension: ``SO_RCVBUF``/``SO_SNDBUF`` of a UDP component's sockets (UDP and ARQ servers,
/// clients and the ARQ agent).
macro_rules! udp_buffer_properties {
    ($cls:ty) => {
        $crate::settings::settings_properties!($cls:
            socket_recv_buffer_size / set_socket_recv_buffer_size =
                "Extension: ``SO_RCVBUF`` of every UDP socket the component opens (a server's \
                 per-worker sockets, a client's or an agent session's socket), in bytes, set \
                 at ``start``/``connect`` before ``on_prepare_listen``/``on_prepare_connect`` \
                 (which may still change it). Default 0: the system's default; else \
                 1024..=1073741824, checked by ``start``. The kernel doubles the value and \
                 caps it at ``net.core.rmem_max``: ``getsockopt`` tells what it took.",
            socket_send_buffer_size / set_socket_send_buffer_size =
                "Extension: ``SO_SNDBUF`` of every UDP socket the component opens, as \
                 ``socket_recv_buffer_size`` (capped at ``net.core.wmem_max``). Default 0: \
                 the system's default; else 1024..=1073741824, checked by ``start``.",
        );
    };
}
pub(crate) use udp_buffer_properties;

/// The ARQ (KCP) settings of ``UdpArqServer`` and ``UdpArqClient``.
macro_rules! arq_properties {
    ($cls:ty) => {
        $crate::settings::settings_properties!($cls:
            no_delay / set_no_delay =
                "KCP's nodelay mode (``NoDelay``). Default False.",
            turnoff_congest_ctrl / set_turnoff_congest_ctrl =
                "KCP without congestion control (``TurnoffCongestCtrl``). Default False.",
            flush_interval / set_flush_interval =
                "KCP's update interval, in ms (``FlushInterval``): all sessions of a worker \
                 are ticked this often. Default 60; greater than 0.",
            resend_by_acks / set_resend_by_acks =
                "Fast resend after this many later acks (``ResendByAcks``). Default 0: off.",
            send_wnd_size / set_send_wnd_size =
                "Send window, in segments (``SendWndSize``). Default 128; greater than 0.",
            recv_wnd_size / set_recv_wnd_size =
                "Receive window, in segments (``RecvWndSize``; KCP uses at least 128). \
                 Default 512; greater than 0.",
            min_rto / set_min_rto =
                "Minimum retransmission timeout, in ms (``MinRto``). Default 30; greater \
                 than 0.",
            fast_limit / set_fast_limit =
                "Fast retransmits of one segment before it waits for its timeout \
                 (``FastLimit``). Default 5; 0: no limit.",
            max_trans_unit / set_max_trans_unit =
                "KCP's MTU, in bytes (``MaxTransUnit``). Default 0: ``max_datagram_size``; \
                 else 72..=65536.",
            max_message_size / set_max_message_size =
                "Largest message, in bytes (``MaxMessageSize``): a bigger ``send`` raises \
                 ``HPSocketError`` (``INVALID_PARAM``, ``errno`` EMSGSIZE). Default 4096; \
                 greater than 0 and below 127 * (MTU - 24).",
            handshake_timeout / set_handshake_timeout =
                "ms the 12-byte ARQ handshake may take before ``on_close(CLOSE, ETIMEDOUT)`` \
                 (``HandShakeTimeout``). Default 5000; above 2 * ``min_rto``.",
            partial_reliability / set_partial_reliability =
                "Extension: offer partial reliability in the ARQ handshake (its flag bit \
                 0x02). A connection has it when both sides offer it; then ``send_ex`` may \
                 give messages up. Default False: the handshake is HP-Socket's, bit for bit \
                 (turn it on only towards hpsocket peers).",
        );
    };
}
pub(crate) use arq_properties;

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

/// The server-name check of SSL agents and clients; `$base` is the class that holds the
/// component.
macro_rules! ssl_verify_properties {
    ($cls:ty, $base:ty) => {
        #[pyo3::pymethods]
        impl $cls {
            /// Extension: when the server is verified (``SSL_VM_PEER``), its certificate must
            /// be for the name connected to (subjectAltName DNS/IP entries, RFC 6125
            /// wildcards); a mismatch fails the handshake. Default True; False accepts any
            /// name, as HP-Socket does.
            #[getter]
            fn ssl_verify_host_name<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::settings::Configurable::read(base, slf.py(), "ssl_verify_host_name")
            }
            #[setter]
            fn set_ssl_verify_host_name(
                slf: &Bound<'_, Self>,
                value: &Bound<'_, PyAny>,
            ) -> PyResult<()> {
                let base = slf.as_any().cast::<$base>()?.get();
                $crate::settings::Configurable::write(base, slf.py(), "ssl_verify_host_name", value)
            }
        }
    };
}
pub(crate) use ssl_verify_properties;
