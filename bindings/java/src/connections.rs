//! A component's connections: closing them, pausing their receiving, their ids, ages,
//! addresses and pending data, and the bulk disconnects by age or silence.

use jni::objects::JClass;
use jni::sys::{jboolean, jbyteArray, jint, jlong, jlongArray, jstring, JNI_TRUE};
use jni::JNIEnv;

use crate::args::{bool_of, millis, shell};
use crate::entry::{run, Fail};
use crate::shell::{self, multi, Core};

/// The refusal of the calls on a server's or an agent's many connections (ages, bulk
/// disconnects) that a client's one connection has no use for.
fn not_on_client() -> Fail {
    Fail::Arg("not available on a client".into())
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_disconnect(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        multi!(sh, s => s.disconnect(conn as u64, true)?, c => {
            // A client's one connection: closing it stops the client.
            let _ = c;
            sh.core.stop()?
        });
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_pauseReceive(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    pause: jboolean,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        let pause = pause == JNI_TRUE;
        multi!(sh, s => s.pause_receive(conn as u64, pause)?, c => c.pause_receive(pause)?);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_isPauseReceive(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jboolean {
    run(&mut env, |_| {
        let sh = shell(h)?;
        Ok(bool_of(
            multi!(sh, s => s.is_pause_receive(conn as u64)?, c => c.is_pause_receive()?),
        ))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_isConnected(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jboolean {
    run(&mut env, |_| {
        let sh = shell(h)?;
        Ok(bool_of(
            multi!(sh, s => s.is_connected(conn as u64), c => c.is_connected()),
        ))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_connectionCount(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jint {
    run(&mut env, |_| {
        let sh = shell(h)?;
        Ok(multi!(sh, s => s.connection_count() as jint, c => c.is_connected() as jint))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_connectionIds(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jlongArray {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let ids: Vec<jlong> = multi!(sh,
            s => s.all_connection_ids().into_iter().map(|i| i as jlong).collect(),
            c => if c.is_connected() { vec![c.connection_id() as jlong] } else { vec![] });
        let arr = env.new_long_array(ids.len() as jint)?;
        env.set_long_array_region(&arr, 0, &ids)?;
        Ok(arr.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_connectionId(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jlong {
    run(&mut env, |_| {
        let sh = shell(h)?;
        Ok(multi!(sh, _s => 0, c => c.connection_id() as jlong))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_period(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    silence: jboolean,
) -> jlong {
    run(&mut env, |_| {
        let sh = shell(h)?;
        let d = multi!(sh, s => if silence == JNI_TRUE {
            s.silence_period(conn as u64)?
        } else {
            s.connect_period(conn as u64)?
        }, _c => return Err(not_on_client()));
        Ok(d.as_millis().min(i64::MAX as u128) as jlong)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_disconnectOlder(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    period_ms: jlong,
    silence: jboolean,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        let d = millis(period_ms).ok_or_else(|| Fail::Arg("negative period".into()))?;
        multi!(sh, s => if silence == JNI_TRUE {
            s.disconnect_silence_connections(d, true)?
        } else {
            s.disconnect_long_connections(d, true)?
        }, _c => return Err(not_on_client()));
        Ok(())
    })
}

/// `which`: 0 local, 1 remote, 2 listen; the IP bytes then the port (big-endian).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_address(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    which: jint,
) -> jbyteArray {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let addr = match which {
            0 => sh.core.local_address(conn as u64)?,
            1 => sh.core.remote_address(conn as u64)?,
            _ => match &sh.core {
                Core::Server(s) => s.listen_address()?,
                _ => return Err(Fail::Arg("not a server".into())),
            },
        };
        Ok(env
            .byte_array_from_slice(&shell::address_bytes(addr))?
            .into_raw())
    })
}

/// `"port:host"` as given to connect.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_remoteHost(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jstring {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let (host, port) = match &sh.core {
            Core::Agent(a) => a.remote_host(conn as u64)?,
            Core::Client(c) => c.remote_host()?,
            Core::Server(_) => return Err(Fail::Arg("not an agent or client".into())),
        };
        Ok(env.new_string(format!("{port}:{host}"))?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_pendingDataLength(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jlong {
    run(&mut env, |_| {
        let sh = shell(h)?;
        Ok(
            multi!(sh, s => s.pending_data_length(conn as u64)?, c => c.pending_data_length()?)
                as jlong,
        )
    })
}
