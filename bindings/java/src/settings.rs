//! Settings by number: `Native.getSetting/setSetting(handle, key, value)` with the keys of
//! `org.hpsocket.Component` (`S_*`). Setting is allowed only while stopped (the core refuses
//! otherwise); values are checked by `start`, as in HP-Socket.

use hpsocket_core::{
    ClientConfig, EngineConfig, Error, OnSendSyncPolicy, ReuseAddressPolicy, SendPolicy,
    SocketConfig,
};

use crate::shell::Core;

const WORKER_THREAD_COUNT: i32 = 0;
const MAX_CONNECTION_COUNT: i32 = 1;
const FREE_SOCKET_OBJ_LOCK_TIME: i32 = 2;
const FREE_SOCKET_OBJ_POOL: i32 = 3;
const FREE_SOCKET_OBJ_HOLD: i32 = 4;
const FREE_BUFFER_OBJ_POOL: i32 = 5;
const FREE_BUFFER_OBJ_HOLD: i32 = 6;
const MARK_SILENCE: i32 = 7;
const SEND_POLICY: i32 = 8;
const ON_SEND_SYNC_POLICY: i32 = 9;
const SOCKET_LISTEN_QUEUE: i32 = 10;
const ACCEPT_SOCKET_COUNT: i32 = 11;
const SYNC_CONNECT_TIMEOUT: i32 = 12;
const REUSE_ADDRESS_POLICY: i32 = 20;
const SOCKET_BUFFER_SIZE: i32 = 21;
const KEEP_ALIVE_TIME: i32 = 22;
const KEEP_ALIVE_INTERVAL: i32 = 23;
const NO_DELAY: i32 = 24;
const MAX_SEND_QUEUE_BYTES: i32 = 25;
const SEND_QUEUE_LOW_WATERMARK: i32 = 26;
const CONNECT_TIMEOUT: i32 = 27;
const SSL_AUTO_HANDSHAKE: i32 = 28;
const SSL_HANDSHAKE_TIMEOUT: i32 = 29;
const SILENCE_COUNTS_SEND: i32 = 30;
const HALF_CLOSE_DRAIN_TIMEOUT: i32 = 31;
const MAX_PACK_SIZE: i32 = 40;
const PACK_HEADER_FLAG: i32 = 41;

fn unknown(key: i32) -> Error {
    Error::invalid_param(format!("setting {key} does not apply to this component"))
}

fn u32_of(key: i32, value: i64) -> Result<u32, Error> {
    u32::try_from(value)
        .map_err(|_| Error::invalid_param(format!("setting {key}: {value} is out of range")))
}

fn socket_get(c: &SocketConfig, key: i32) -> Option<i64> {
    Some(match key {
        REUSE_ADDRESS_POLICY => c.reuse_address_policy as i64,
        SOCKET_BUFFER_SIZE => c.socket_buffer_size.into(),
        KEEP_ALIVE_TIME => c.keep_alive_time.into(),
        KEEP_ALIVE_INTERVAL => c.keep_alive_interval.into(),
        NO_DELAY => c.no_delay.into(),
        MAX_SEND_QUEUE_BYTES => c.max_send_queue_bytes.into(),
        SEND_QUEUE_LOW_WATERMARK => c.send_queue_low_watermark.into(),
        CONNECT_TIMEOUT => c.connect_timeout.into(),
        SSL_AUTO_HANDSHAKE => c.ssl_auto_handshake.into(),
        SSL_HANDSHAKE_TIMEOUT => c.ssl_handshake_timeout.into(),
        SILENCE_COUNTS_SEND => c.silence_counts_send.into(),
        HALF_CLOSE_DRAIN_TIMEOUT => c.half_close_drain_timeout.into(),
        _ => return None,
    })
}

fn socket_set(c: &mut SocketConfig, key: i32, v: i64) -> Result<bool, Error> {
    match key {
        REUSE_ADDRESS_POLICY => {
            c.reuse_address_policy = ReuseAddressPolicy::try_from(v as i32)
                .map_err(|v| Error::invalid_param(format!("ReuseAddressPolicy {v} is unknown")))?
        }
        SOCKET_BUFFER_SIZE => c.socket_buffer_size = u32_of(key, v)?,
        KEEP_ALIVE_TIME => c.keep_alive_time = u32_of(key, v)?,
        KEEP_ALIVE_INTERVAL => c.keep_alive_interval = u32_of(key, v)?,
        NO_DELAY => c.no_delay = v != 0,
        MAX_SEND_QUEUE_BYTES => c.max_send_queue_bytes = u32_of(key, v)?,
        SEND_QUEUE_LOW_WATERMARK => c.send_queue_low_watermark = u32_of(key, v)?,
        CONNECT_TIMEOUT => c.connect_timeout = u32_of(key, v)?,
        SSL_AUTO_HANDSHAKE => c.ssl_auto_handshake = v != 0,
        SSL_HANDSHAKE_TIMEOUT => c.ssl_handshake_timeout = u32_of(key, v)?,
        SILENCE_COUNTS_SEND => c.silence_counts_send = v != 0,
        HALF_CLOSE_DRAIN_TIMEOUT => c.half_close_drain_timeout = u32_of(key, v)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn pack_get(c: &hpsocket_core::PackConfig, key: i32) -> Option<i64> {
    match key {
        MAX_PACK_SIZE => Some(c.max_pack_size.into()),
        PACK_HEADER_FLAG => Some(c.pack_header_flag.into()),
        _ => None,
    }
}

fn pack_set(c: &mut hpsocket_core::PackConfig, key: i32, v: i64) -> Result<bool, Error> {
    match key {
        MAX_PACK_SIZE => c.max_pack_size = u32_of(key, v)?,
        PACK_HEADER_FLAG => {
            c.pack_header_flag = u16::try_from(v)
                .map_err(|_| Error::invalid_param(format!("PackHeaderFlag {v} is out of range")))?
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn engine_get(c: &EngineConfig, key: i32) -> Option<i64> {
    Some(match key {
        WORKER_THREAD_COUNT => c.worker_thread_count.into(),
        MAX_CONNECTION_COUNT => c.max_connection_count.into(),
        FREE_SOCKET_OBJ_LOCK_TIME => c.free_socket_obj_lock_time.into(),
        FREE_SOCKET_OBJ_POOL => c.free_socket_obj_pool.into(),
        FREE_SOCKET_OBJ_HOLD => c.free_socket_obj_hold.into(),
        FREE_BUFFER_OBJ_POOL => c.free_buffer_obj_pool.into(),
        FREE_BUFFER_OBJ_HOLD => c.free_buffer_obj_hold.into(),
        MARK_SILENCE => c.mark_silence.into(),
        SEND_POLICY => c.send_policy as i64,
        ON_SEND_SYNC_POLICY => c.on_send_sync_policy as i64,
        SOCKET_LISTEN_QUEUE => c.socket_listen_queue.into(),
        ACCEPT_SOCKET_COUNT => c.accept_socket_count.into(),
        SYNC_CONNECT_TIMEOUT => c.sync_connect_timeout.into(),
        _ => return socket_get(&c.socket, key).or_else(|| pack_get(&c.pack, key)),
    })
}

fn engine_set(c: &mut EngineConfig, key: i32, v: i64) -> Result<(), Error> {
    match key {
        WORKER_THREAD_COUNT => c.worker_thread_count = u32_of(key, v)?,
        MAX_CONNECTION_COUNT => c.max_connection_count = u32_of(key, v)?,
        FREE_SOCKET_OBJ_LOCK_TIME => c.free_socket_obj_lock_time = u32_of(key, v)?,
        FREE_SOCKET_OBJ_POOL => c.free_socket_obj_pool = u32_of(key, v)?,
        FREE_SOCKET_OBJ_HOLD => c.free_socket_obj_hold = u32_of(key, v)?,
        FREE_BUFFER_OBJ_POOL => c.free_buffer_obj_pool = u32_of(key, v)?,
        FREE_BUFFER_OBJ_HOLD => c.free_buffer_obj_hold = u32_of(key, v)?,
        MARK_SILENCE => c.mark_silence = v != 0,
        SEND_POLICY => {
            c.send_policy = SendPolicy::try_from(v as i32)
                .map_err(|v| Error::invalid_param(format!("SendPolicy {v} is unknown")))?
        }
        ON_SEND_SYNC_POLICY => {
            c.on_send_sync_policy = OnSendSyncPolicy::try_from(v as i32)
                .map_err(|v| Error::invalid_param(format!("OnSendSyncPolicy {v} is unknown")))?
        }
        SOCKET_LISTEN_QUEUE => c.socket_listen_queue = u32_of(key, v)?,
        ACCEPT_SOCKET_COUNT => c.accept_socket_count = u32_of(key, v)?,
        SYNC_CONNECT_TIMEOUT => c.sync_connect_timeout = u32_of(key, v)?,
        _ => {
            if !socket_set(&mut c.socket, key, v)? && !pack_set(&mut c.pack, key, v)? {
                return Err(unknown(key));
            }
        }
    }
    Ok(())
}

fn client_get(c: &ClientConfig, key: i32) -> Option<i64> {
    Some(match key {
        FREE_BUFFER_OBJ_POOL => c.free_buffer_pool_size.into(),
        FREE_BUFFER_OBJ_HOLD => c.free_buffer_pool_hold.into(),
        SYNC_CONNECT_TIMEOUT => c.sync_connect_timeout.into(),
        _ => return socket_get(&c.socket, key).or_else(|| pack_get(&c.pack, key)),
    })
}

fn client_set(c: &mut ClientConfig, key: i32, v: i64) -> Result<(), Error> {
    match key {
        FREE_BUFFER_OBJ_POOL => c.free_buffer_pool_size = u32_of(key, v)?,
        FREE_BUFFER_OBJ_HOLD => c.free_buffer_pool_hold = u32_of(key, v)?,
        SYNC_CONNECT_TIMEOUT => c.sync_connect_timeout = u32_of(key, v)?,
        _ => {
            if !socket_set(&mut c.socket, key, v)? && !pack_set(&mut c.pack, key, v)? {
                return Err(unknown(key));
            }
        }
    }
    Ok(())
}

pub(crate) fn get(core: &Core, key: i32) -> Result<i64, Error> {
    let v = match core {
        Core::Server(s) => engine_get(&s.config(), key),
        Core::Agent(a) => engine_get(&a.config(), key),
        Core::Client(c) => client_get(&c.config(), key),
    };
    v.ok_or_else(|| unknown(key))
}

pub(crate) fn set(core: &Core, key: i32, value: i64) -> Result<(), Error> {
    // Check the key and value first: update_config's closure cannot fail.
    let mut result = Ok(());
    let updated = match core {
        Core::Server(s) => s.update_config(|c| result = engine_set(c, key, value)),
        Core::Agent(a) => a.update_config(|c| result = engine_set(c, key, value)),
        Core::Client(cl) => cl.update_config(|c| result = client_set(c, key, value)),
    };
    updated?;
    result
}
