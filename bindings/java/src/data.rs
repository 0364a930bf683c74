//! Bytes in and out of a connection: sends from `byte[]`, direct buffers, several ranges or
//! a small file, ARQ's partial-reliability send and its queue, and the PULL model's fetches.

use jni::objects::{JByteArray, JByteBuffer, JClass, JIntArray, JString};
use jni::sys::{jboolean, jint, jlong, JNI_TRUE};
use jni::JNIEnv;

use crate::args::{jstr, length, shell};
use crate::buffers::{as_i8, direct_slice, with_stage};
use crate::entry::{run, Fail};
use crate::jtypes::JByteArrayArray;
use crate::shell::multi;

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_send(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    data: JByteArray,
    off: jint,
    len: jint,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let len = length(len)?;
        with_stage(len, |buf| {
            env.get_byte_array_region(&data, off, as_i8(buf))?;
            Ok(sh.core.send(conn as u64, &[buf])?)
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_sendDirect(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    data: JByteBuffer,
    off: jint,
    len: jint,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let bytes = direct_slice(env, &data, off, len)?;
        Ok(sh.core.send(conn as u64, &[bytes])?)
    })
}

/// `len` bytes at `address`: the worker's own receive buffer (`ReceiveBuffer`), whose address
/// the Java side already knows, so no per-send JVM lookup of a buffer's address and capacity.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_sendAddress(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    address: jlong,
    len: jint,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        let len = length(len)?;
        if address == 0 {
            return Err(Fail::Arg("null address".into()));
        }
        // SAFETY: only `ComponentCalls.send0` calls this, with the address of the position of
        // the thread's registered receive buffer and at most its remaining bytes (within its
        // capacity); it keeps that buffer reachable until this returns, and the core copies
        // the bytes (or writes them out) before `send` returns.
        let bytes = unsafe { std::slice::from_raw_parts(address as usize as *const u8, len) };
        Ok(sh.core.send(conn as u64, &[bytes])?)
    })
}

/// Several `byte[]` ranges as one send (one frame for PACK).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_sendPackets(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    arrays: JByteArrayArray,
    offs: JIntArray,
    lens: JIntArray,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let n = env.get_array_length(&arrays)? as usize;
        let mut o = vec![0; n];
        let mut l = vec![0; n];
        env.get_int_array_region(&offs, 0, &mut o)?;
        env.get_int_array_region(&lens, 0, &mut l)?;
        let total: usize = l.iter().map(|&x| x.max(0) as usize).sum();
        with_stage(total, |buf| {
            let mut at = 0;
            let mut bounds = Vec::with_capacity(n);
            for i in 0..n {
                let arr = JByteArray::from(env.get_object_array_element(&arrays, i as i32)?);
                let len = l[i].max(0) as usize;
                env.get_byte_array_region(&arr, o[i], as_i8(&mut buf[at..at + len]))?;
                let _ = env.delete_local_ref(arr);
                bounds.push(at..at + len);
                at += len;
            }
            let slices: Vec<&[u8]> = bounds.into_iter().map(|r| &buf[r]).collect();
            Ok(sh.core.send(conn as u64, &slices)?)
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_sendSmallFile(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    path: JString,
    head: JByteArray,
    tail: JByteArray,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let path = jstr(env, &path)?.unwrap_or_default();
        let head = (!head.is_null())
            .then(|| env.convert_byte_array(&head))
            .transpose()?;
        let tail = (!tail.is_null())
            .then(|| env.convert_byte_array(&tail))
            .transpose()?;
        let (head, tail) = (head.as_deref(), tail.as_deref());
        Ok(multi!(sh,
            s => s.send_small_file(conn as u64, path, head, tail),
            c => c.send_small_file(path, head, tail))?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_fetch(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    dst: JByteArray,
    off: jint,
    len: jint,
    peek: jboolean,
) -> jint {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let len = length(len)?;
        with_stage(len, |buf| {
            let r = sh.core.fetch(conn as u64, buf, peek == JNI_TRUE);
            if r == hpsocket_core::FetchResult::Ok as i32 {
                // SAFETY: u8 and i8 have the same layout.
                let src = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<i8>(), len) };
                env.set_byte_array_region(&dst, off, src)?;
            }
            Ok(r)
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_fetchDirect(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    dst: JByteBuffer,
    off: jint,
    len: jint,
    peek: jboolean,
) -> jint {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let bytes = direct_slice(env, &dst, off, len)?;
        Ok(sh.core.fetch(conn as u64, bytes, peek == JNI_TRUE))
    })
}

/// ARQ partial reliability: one message with a deadline (0: none) and a retransmit limit
/// (negative: none, as the C API's `iMaxRetransmits`); returns its id.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_sendEx(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    data: JByteArray,
    off: jint,
    len: jint,
    deadline: jint,
    max_retransmits: jint,
) -> jlong {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let len = length(len)?;
        let deadline =
            u32::try_from(deadline).map_err(|_| Fail::Arg("negative deadlineMs".into()))?;
        let limit = u32::try_from(max_retransmits).ok();
        with_stage(len, |buf| {
            env.get_byte_array_region(&data, off, as_i8(buf))?;
            let id = multi!(sh,
                s => s.send_ex(conn as u64, buf, deadline, limit)?,
                c => c.send_ex(buf, deadline, limit)?);
            Ok(jlong::from(id))
        })
    })
}

/// ARQ: messages queued or in flight (`conn` ignored by a client).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_waitingSendMessageCount(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jlong {
    run(&mut env, |_| {
        let sh = shell(h)?;
        let n = multi!(sh,
            s => s.waiting_send_message_count(conn as u64)?,
            c => c.waiting_send_message_count()?);
        Ok(n as jlong)
    })
}
