//! Settings by number: `Native.getSetting/setSetting(handle, key, value)` with the keys of
//! `org.hpsocket.Component` (`S_*`), mapped onto the core's settings registry
//! (`hpsocket_core::settings`), which knows each setting's type and where it lives. Setting
//! is allowed only while stopped (the core refuses otherwise); values are checked by `start`,
//! as in HP-Socket.

use hpsocket_core::settings::{self as registry, ComponentRole, Setting};
use hpsocket_core::{Error, ReceiveModel};

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
    (54, "recv_buffer_size"),
    (55, "send_buffer_size"),
    (60, "arq_no_delay"),
    (61, "turnoff_congest_ctrl"),
    (62, "flush_interval"),
    (63, "resend_by_acks"),
    (64, "send_wnd_size"),
    (65, "recv_wnd_size"),
    (66, "min_rto"),
    (67, "fast_limit"),
    (68, "max_trans_unit"),
    (69, "max_message_size"),
    (70, "handshake_timeout"),
    (71, "partial_reliability"),
];

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
    // the transport is checked here, and ARQ for the ARQ settings (`S_ARQ_*`).
    let has = if core.is_udp() {
        let model = if core.is_arq() {
            ReceiveModel::Arq
        } else {
            ReceiveModel::Push
        };
        s.applies_to_component(role, model, false, true)
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
    let s = setting_of(core, key)?;
    let v = match core {
        Core::Server(x) => s.get_engine(&x.config()),
        Core::Agent(x) => s.get_engine(&x.config()),
        Core::Client(x) => s.get_client(&x.config()),
    };
    v.map(|v| v.as_i64()).ok_or_else(|| unknown(key))
}

pub(crate) fn set(core: &Core, key: i32, value: i64) -> Result<(), Error> {
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
