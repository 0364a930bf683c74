//! Settings by number: `Native.getSetting/setSetting(handle, key, value)` with the keys of
//! `org.hpsocket.Component` (`S_*`), mapped onto the core's settings registry
//! (`hpsocket_core::settings`), which knows each setting's type and where it lives. Setting
//! is allowed only while stopped (the core refuses otherwise); values are checked by `start`,
//! as in HP-Socket.

use hpsocket_core::config::UdpConfig;
use hpsocket_core::settings::{self as registry, ComponentRole, Setting};
use hpsocket_core::{ArqConfig, Error, ReceiveModel};

use jni::objects::JClass;
use jni::sys::{jint, jlong};
use jni::JNIEnv;

use crate::args::shell;
use crate::entry::run;
use crate::shell::Core;

/// The keys of `org.hpsocket.Component` and the registry's names for them. A client's
/// buffer pool goes by the server's keys (`getFreeBufferObjPool`), see [`setting`].
const KEYS: &[(i32, &str)] = &[
    (0, "worker_thread_count"),
    (1, "max_connection_count"),
    (2, "free_socket_obj_lock_time"),
    (3, "free_socket_obj_pool"),
    (4, "free_socket_obj_hold"),
    (5, "free_buffer_obj_pool"),
    (6, "free_buffer_obj_hold"),
    (7, "mark_silence"),
    (8, "send_policy"),
    (9, "on_send_sync_policy"),
    (10, "socket_listen_queue"),
    (11, "accept_socket_count"),
    (12, "sync_connect_timeout"),
    (20, "reuse_address_policy"),
    (21, "socket_buffer_size"),
    (22, "keep_alive_time"),
    (23, "keep_alive_interval"),
    (24, "no_delay"),
    (25, "max_send_queue_bytes"),
    (26, "send_queue_low_watermark"),
    (27, "connect_timeout"),
    (28, "ssl_auto_handshake"),
    (29, "ssl_handshake_timeout"),
    (30, "silence_counts_send"),
    (31, "half_close_drain_timeout"),
    (32, "ssl_verify_host_name"),
    (40, "max_pack_size"),
    (41, "pack_header_flag"),
    (50, "max_datagram_size"),
    (51, "post_receive_count"),
    (52, "detect_attempts"),
    (53, "detect_interval"),
];

/// The ARQ settings (`Component.S_ARQ_*`), which the registry does not list: keys 60..=71,
/// on ARQ components only (`config.udp.arq`).
type ArqField = (fn(&ArqConfig) -> u32, fn(&mut ArqConfig, u32));

const ARQ_KEYS: &[(i32, ArqField)] = &[
    (60, (|a| a.no_delay.into(), |a, v| a.no_delay = v != 0)),
    (
        61,
        (
            |a| a.turnoff_congest_ctrl.into(),
            |a, v| a.turnoff_congest_ctrl = v != 0,
        ),
    ),
    (62, (|a| a.flush_interval, |a, v| a.flush_interval = v)),
    (63, (|a| a.resend_by_acks, |a, v| a.resend_by_acks = v)),
    (64, (|a| a.send_wnd_size, |a, v| a.send_wnd_size = v)),
    (65, (|a| a.recv_wnd_size, |a, v| a.recv_wnd_size = v)),
    (66, (|a| a.min_rto, |a, v| a.min_rto = v)),
    (67, (|a| a.fast_limit, |a, v| a.fast_limit = v)),
    (68, (|a| a.max_trans_unit, |a, v| a.max_trans_unit = v)),
    (69, (|a| a.max_message_size, |a, v| a.max_message_size = v)),
    (
        70,
        (|a| a.handshake_timeout, |a, v| a.handshake_timeout = v),
    ),
    (
        71,
        (
            |a| a.partial_reliability.into(),
            |a, v| a.partial_reliability = v != 0,
        ),
    ),
];

/// The UDP socket buffer sizes (`Component.S_SOCKET_{RECV,SEND}_BUFFER_SIZE`): the registry
/// lists them for UDP servers and clients, not for the ARQ agent, whose sessions open UDP
/// sockets too; kept here for every UDP component (`config.udp`).
type UdpField = (fn(&UdpConfig) -> u32, fn(&mut UdpConfig, u32));

const UDP_KEYS: &[(i32, UdpField)] = &[
    (54, (|u| u.recv_buffer_size, |u, v| u.recv_buffer_size = v)),
    (55, (|u| u.send_buffer_size, |u, v| u.send_buffer_size = v)),
];

/// The UDP setting of `key`: `None` when `key` is not one; an error when `core` is no UDP
/// component.
fn udp_field(core: &Core, key: i32) -> Option<Result<&'static UdpField, Error>> {
    let (_, field) = UDP_KEYS.iter().find(|(k, _)| *k == key)?;
    Some(if core.is_udp() {
        Ok(field)
    } else {
        Err(unknown(key))
    })
}

/// The ARQ setting of `key`: `None` when `key` is not one; an error when `core` is no ARQ
/// component.
fn arq_field(core: &Core, key: i32) -> Option<Result<&'static ArqField, Error>> {
    let (_, field) = ARQ_KEYS.iter().find(|(k, _)| *k == key)?;
    Some(if core.is_arq() {
        Ok(field)
    } else {
        Err(unknown(key))
    })
}

fn unknown(key: i32) -> Error {
    Error::invalid_param(format!("setting {key} does not apply to this component"))
}

/// The setting of `key` on a component of `core`'s kind. A UDP component has only the
/// settings the registry gives UDP (`HP_Tcp*_*` ones are refused), a TCP one has no UDP ones.
fn setting_of(core: &Core, key: i32) -> Result<&'static Setting, Error> {
    let (role, client) = match core {
        Core::Server(_) => (ComponentRole::Server, false),
        Core::Agent(_) => (ComponentRole::Agent, false),
        Core::Client(_) => (ComponentRole::Client, true),
    };
    let s = setting(key, client)?;
    // Role, model and security are left to the Java classes, which offer only their settings;
    // the transport is checked here.
    let has = if core.is_udp() {
        s.applies_to_component(role, ReceiveModel::Push, false, true)
    } else {
        [
            ComponentRole::Server,
            ComponentRole::Agent,
            ComponentRole::Client,
        ]
        .into_iter()
        .any(|r| s.applies_to(r, ReceiveModel::Pack, true))
    };
    if has {
        Ok(s)
    } else {
        Err(unknown(key))
    }
}

/// The setting of `key` on a server or agent (`client` false) or a client.
fn setting(key: i32, client: bool) -> Result<&'static Setting, Error> {
    let name = match (key, client) {
        (5, true) => "free_buffer_pool_size",
        (6, true) => "free_buffer_pool_hold",
        _ => KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, n)| *n)
            .ok_or_else(|| unknown(key))?,
    };
    registry::find(name).ok_or_else(|| unknown(key))
}

pub(crate) fn get(core: &Core, key: i32) -> Result<i64, Error> {
    if let Some(field) = udp_field(core, key) {
        let (get, _) = field?;
        let udp = match core {
            Core::Server(x) => x.config().udp,
            Core::Agent(x) => x.config().udp,
            Core::Client(x) => x.config().udp,
        };
        return Ok(get(&udp).into());
    }
    if let Some(field) = arq_field(core, key) {
        let (get, _) = field?;
        let arq = match core {
            Core::Server(x) => x.config().udp.arq,
            Core::Agent(x) => x.config().udp.arq,
            Core::Client(x) => x.config().udp.arq,
        };
        return Ok(get(&arq).into());
    }
    let s = setting_of(core, key)?;
    let v = match core {
        Core::Server(x) => s.get_engine(&x.config()),
        Core::Agent(x) => s.get_engine(&x.config()),
        Core::Client(x) => s.get_client(&x.config()),
    };
    v.map(|v| v.as_i64()).ok_or_else(|| unknown(key))
}

pub(crate) fn set(core: &Core, key: i32, value: i64) -> Result<(), Error> {
    if let Some(field) = udp_field(core, key) {
        let (_, set) = *field?;
        let v = u32::try_from(value).map_err(|_| {
            Error::invalid_param(format!("UDP setting {key}: {value} is out of range"))
        })?;
        return match core {
            Core::Server(x) => x.update_config(|c| set(&mut c.udp, v)),
            Core::Agent(x) => x.update_config(|c| set(&mut c.udp, v)),
            Core::Client(x) => x.update_config(|c| set(&mut c.udp, v)),
        };
    }
    if let Some(field) = arq_field(core, key) {
        let (_, set) = *field?;
        let v = u32::try_from(value).map_err(|_| {
            Error::invalid_param(format!("ARQ setting {key}: {value} is out of range"))
        })?;
        return match core {
            Core::Server(x) => x.update_config(|c| set(&mut c.udp.arq, v)),
            Core::Agent(x) => x.update_config(|c| set(&mut c.udp.arq, v)),
            Core::Client(x) => x.update_config(|c| set(&mut c.udp.arq, v)),
        };
    }
    let s = setting_of(core, key)?;
    let v = s
        .ty
        .value_from_i64(value)
        .ok_or_else(|| Error::invalid_param(format!("{}: {value} is out of range", s.c_name)))?;
    // update_config's closure cannot fail: it reports whether the setting was there.
    let mut applied = false;
    match core {
        Core::Server(x) => x.update_config(|c| applied = s.set_engine(c, v))?,
        Core::Agent(x) => x.update_config(|c| applied = s.set_engine(c, v))?,
        Core::Client(x) => x.update_config(|c| applied = s.set_client(c, v))?,
    }
    if applied {
        Ok(())
    } else {
        Err(unknown(key))
    }
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_getSetting(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    key: jint,
) -> jlong {
    run(&mut env, |_| Ok(get(&shell(h)?.core, key)?))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_setSetting(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    key: jint,
    value: jlong,
) {
    run(&mut env, |_| Ok(set(&shell(h)?.core, key, value)?))
}
