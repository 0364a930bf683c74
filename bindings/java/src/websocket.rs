//! The WebSocket mode's entry points of `org.hpsocket.Native`: frames from `byte[]` or a
//! direct buffer (the reply to a frame too), the upgrade request of agents and clients, and
//! the closing handshake. The HTTP components they act on are those of [`crate::http`].

use hpsocket_core::Error;
use jni::objects::{JByteArray, JByteBuffer, JClass, JString};
use jni::sys::{jboolean, jint, jlong, JNI_TRUE};
use jni::JNIEnv;

use crate::args::{jstr, length, shell};
use crate::buffers::{as_i8, direct_slice, with_stage};
use crate::entry::{run, Fail, R};
use crate::http::headers;
use crate::jtypes::JStringArray;
use crate::shell::{multi, Core};

/// An opcode or RSV value from Java, refused as the core refuses out-of-range ones.
fn small(what: &str, v: jint) -> R<u8> {
    u8::try_from(v).map_err(|_| Error::invalid_param(format!("{what} {v} is out of range")).into())
}

fn send_ws(core: &Core, conn: u64, fin: bool, rsv: u8, opcode: u8, data: &[u8]) -> R<()> {
    Ok(match core {
        Core::Server(s) => s.send_ws_message(conn, fin, rsv, opcode, data, 0),
        Core::Agent(a) => a.send_ws_message(conn, fin, rsv, opcode, None, data, 0),
        Core::Client(c) => c.send_ws_message(fin, rsv, opcode, None, data, 0),
    }?)
}

/// One WebSocket frame from `data[off..off + len]` (agents and clients mask it with a fresh
/// key; the caller's bytes are never changed).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_httpSendWs(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    fin: jboolean,
    rsv: jint,
    opcode: jint,
    data: JByteArray,
    off: jint,
    len: jint,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let (rsv, opcode) = (small("reserved", rsv)?, small("opcode", opcode)?);
        let len = length(len)?;
        with_stage(len, |buf| {
            if !data.is_null() {
                env.get_byte_array_region(&data, off, as_i8(buf))?;
            }
            send_ws(&sh.core, conn as u64, fin == JNI_TRUE, rsv, opcode, buf)
        })
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_httpSendWsDirect(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    fin: jboolean,
    rsv: jint,
    opcode: jint,
    data: JByteBuffer,
    off: jint,
    len: jint,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let (rsv, opcode) = (small("reserved", rsv)?, small("opcode", opcode)?);
        let bytes = direct_slice(env, &data, off, len)?;
        send_ws(&sh.core, conn as u64, fin == JNI_TRUE, rsv, opcode, bytes)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpWsUpgrade(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    path: JString,
    hdrs: JStringArray,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let path = jstr(env, &path)?.unwrap_or_else(|| "/".into());
        let hdrs = headers(env, &hdrs)?;
        let list: Vec<(&str, &str)> = hdrs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        Ok(match &sh.core {
            Core::Agent(a) => a.send_ws_upgrade(conn as u64, &path, &list),
            Core::Client(c) => c.send_ws_upgrade(&path, &list),
            Core::Server(_) => return Err(Fail::Arg("not an agent or client".into())),
        }?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpWsClose(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    code: jint,
    reason: JString,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        // Out of u16 is out of the core's code ranges too: refused the same way.
        let code = u16::try_from(code).unwrap_or(0);
        let reason = jstr(env, &reason)?.unwrap_or_default();
        Ok(multi!(sh, s => s.ws_close(conn as u64, code, &reason), c => c.ws_close(code, &reason))?)
    })
}
