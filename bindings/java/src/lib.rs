//! # hpsocket-java
//!
//! The JNI library (`libhpsocket_jni.so`) under the Java package `org.hpsocket`: every
//! `native` method of `org.hpsocket.Native` is a function here, over `hpsocket-core`
//! directly (not over the C ABI).
//!
//! * A Java component holds a `long` handle to a [`shell::Shell`]; its `java.lang.ref.Cleaner`
//!   frees it once the component is unreachable, so a forgotten `close()` leaks nothing.
//! * Listener events reach Java through [`bridge::Bridge`] as `Component.dispatch` upcalls,
//!   only for the events the Java listener overrides. Worker threads attach to the JVM once,
//!   as daemon threads, and stay attached until they exit ([`jvm`]).
//! * No Rust panic crosses into Java: every entry point catches it and throws
//!   `java.lang.Error`; every upcall clears and reports a pending Java exception.

mod bridge;
mod codec;
mod http;
mod jvm;
mod log;
mod settings;
mod shell;
mod ssl;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use hpsocket_core::{Error, ErrorKind, ServiceState};
use jni::objects::{JByteArray, JByteBuffer, JClass, JIntArray, JObject, JObjectArray, JString};
use jni::sys::{
    jboolean, jbyteArray, jint, jlong, jlongArray, jobject, jvalue, JNI_FALSE, JNI_TRUE,
};
use jni::JNIEnv;

use bridge::Bridge;
use shell::{Core, Shell};

/// Why an entry point failed; turned into a Java exception by [`run`].
pub(crate) enum Fail {
    /// The core refused: `HPSocketException` with its code and errno.
    Core(Error),
    /// A bad argument the Java side did not catch: `IllegalArgumentException`.
    Arg(String),
    /// Corrupt or truncated codec input, or output over its limit:
    /// `org.hpsocket.codec.CodecException`.
    Codec(String),
    /// A Java exception is already pending (a JNI call failed).
    Pending,
    /// Any other JNI failure: `java.lang.Error`.
    Jni(String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Core(e)
    }
}

impl From<jni::errors::Error> for Fail {
    fn from(e: jni::errors::Error) -> Fail {
        match e {
            jni::errors::Error::JavaException => Fail::Pending,
            other => Fail::Jni(other.to_string()),
        }
    }
}

type R<T> = Result<T, Fail>;

/// Creates (does not throw) an `HPSocketException` for `e`.
pub(crate) fn new_exception<'l>(env: &mut JNIEnv<'l>, e: &Error) -> R<JObject<'l>> {
    let ids = jvm::ids();
    let message = env.new_string(e.to_string())?;
    let class: &JClass = ids.exception_class.as_obj().into();
    // SAFETY: the constructor ID belongs to `class` and takes (int, int, String).
    let obj = unsafe {
        env.new_object_unchecked(
            class,
            ids.exception_ctor,
            &[
                jvalue { i: e.kind() as i32 },
                jvalue { i: e.errno() },
                jvalue {
                    l: message.as_raw(),
                },
            ],
        )
    }?;
    let _ = env.delete_local_ref(message);
    Ok(obj)
}

fn throw(env: &mut JNIEnv, fail: Fail) {
    if env.exception_check().unwrap_or(false) {
        return;
    }
    match fail {
        Fail::Pending => {}
        Fail::Core(e) => match new_exception(env, &e) {
            Ok(obj) => {
                let _ = env.throw(jni::objects::JThrowable::from(obj));
            }
            Err(_) => {
                if !env.exception_check().unwrap_or(false) {
                    let _ = env.throw_new("java/lang/Error", e.to_string());
                }
            }
        },
        Fail::Arg(m) => {
            let _ = env.throw_new("java/lang/IllegalArgumentException", m);
        }
        Fail::Codec(m) => {
            let _ = env.throw_new("org/hpsocket/codec/CodecException", m);
        }
        Fail::Jni(m) => {
            let _ = env.throw_new("java/lang/Error", format!("hpsocket: JNI failure: {m}"));
        }
    }
}

/// Runs an entry point: a failure becomes a Java exception and the default value is
/// returned; a panic becomes `java.lang.Error` (it never unwinds into the JVM).
fn run<'l, T: Default>(env: &mut JNIEnv<'l>, f: impl FnOnce(&mut JNIEnv<'l>) -> R<T>) -> T {
    match catch_unwind(AssertUnwindSafe(|| f(env))) {
        Ok(Ok(v)) => v,
        Ok(Err(fail)) => {
            throw(env, fail);
            T::default()
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            if !env.exception_check().unwrap_or(false) {
                let _ = env.throw_new(
                    "java/lang/Error",
                    format!("hpsocket: internal error: {msg}"),
                );
            }
            T::default()
        }
    }
}

fn shell<'a>(handle: jlong) -> R<&'a Shell> {
    // SAFETY: the Java side passes its own live handle and keeps the component reachable
    // (`Reference.reachabilityFence`) for the whole call; it is freed only by its Cleaner.
    unsafe { Shell::get(handle) }.ok_or_else(|| Fail::Arg("closed or null handle".into()))
}

fn jstr(env: &mut JNIEnv, s: &JString) -> R<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    Ok(Some(env.get_string(s)?.into()))
}

fn port(p: jint) -> R<u16> {
    u16::try_from(p).map_err(|_| Fail::Arg(format!("port {p} is not 0..=65535")))
}

fn millis(ms: jlong) -> Option<Duration> {
    (ms >= 0).then(|| Duration::from_millis(ms as u64))
}

fn bool_of(b: bool) -> jboolean {
    if b {
        JNI_TRUE
    } else {
        JNI_FALSE
    }
}

thread_local! {
    /// Staging buffer for sends from `byte[]` (copied out of the Java heap first, so no
    /// critical region is held while the core takes its locks).
    static STAGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on a staging buffer of `len` bytes (re-entrant: a nested call gets its own).
fn with_stage<T>(len: usize, f: impl FnOnce(&mut [u8]) -> T) -> T {
    let mut v = STAGE.with_borrow_mut(std::mem::take);
    if v.len() < len {
        v.resize(len, 0);
    }
    let r = f(&mut v[..len]);
    if v.capacity() <= 1 << 20 {
        STAGE.with_borrow_mut(|s| {
            if s.capacity() < v.capacity() {
                *s = v;
            }
        });
    }
    r
}

fn as_i8(buf: &mut [u8]) -> &mut [i8] {
    // SAFETY: u8 and i8 have the same size and alignment and every bit pattern is valid.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<i8>(), buf.len()) }
}

/// The bytes `[off, off + len)` of a direct buffer, checked against its capacity.
fn direct_slice<'b>(env: &JNIEnv, buf: &JByteBuffer, off: jint, len: jint) -> R<&'b mut [u8]> {
    let addr = env.get_direct_buffer_address(buf)?;
    let cap = env.get_direct_buffer_capacity(buf)?;
    let (off, len) = (off as usize, len as usize);
    if addr.is_null() || off.checked_add(len).map_or(true, |end| end > cap) {
        return Err(Fail::Arg(format!(
            "direct buffer range {off}+{len} exceeds its capacity {cap}"
        )));
    }
    // SAFETY: the range lies within the buffer's memory, which the caller's Java object keeps
    // alive for the duration of the native call.
    Ok(unsafe { std::slice::from_raw_parts_mut(addr.add(off), len) })
}

// ---- life cycle ----------------------------------------------------------------------------

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_initIds(mut env: JNIEnv, _: JClass) {
    run(&mut env, |env| Ok(jvm::init(env)?))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_create(
    mut env: JNIEnv,
    _: JClass,
    role: jint,
    model: jint,
    ssl: jboolean,
    component: JObject,
    mask: jint,
) -> jlong {
    run(&mut env, |env| {
        let weak = env
            .new_weak_ref(&component)?
            .ok_or_else(|| Fail::Arg("component is null".into()))?;
        // Clients (TCP 2, UDP 4, HTTP sync 5) stop by themselves after their close.
        let bridge = Arc::new(Bridge::new(weak, mask as u32, matches!(role, 2 | 4 | 5)));
        let shell = Shell::new(role, model, ssl == JNI_TRUE, bridge)
            .ok_or_else(|| Fail::Arg(format!("unknown role {role} or model {model}")))?;
        Ok(shell.into_handle())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_destroy(mut env: JNIEnv, _: JClass, h: jlong) {
    run(&mut env, |_| {
        // SAFETY: called once, by the component's Cleaner, when nothing can use the handle.
        unsafe { Shell::destroy(h) };
        Ok(())
    })
}

/// Pins the Java component, runs a start, unpins it again if the start fails.
fn start_with(env: &mut JNIEnv, sh: &Shell, f: impl FnOnce() -> Result<(), Error>) -> R<()> {
    let strong = sh
        .bridge
        .target_global(env)?
        .ok_or_else(|| Fail::Arg("component collected".into()))?;
    // Already pinned means already running (or starting): the start fails below and must
    // not release the running component's pin.
    let pinned_here = sh.bridge.pin(strong);
    let r = f();
    if r.is_err() && pinned_here {
        sh.bridge.unpin();
    }
    Ok(r?)
}

/// Native components not yet freed (tests use it to see the Cleaner at work).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_liveHandles(_env: JNIEnv, _: JClass) -> jlong {
    shell::LIVE.load(std::sync::atomic::Ordering::Relaxed) as jlong
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_serverStart(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    address: JString,
    p: jint,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let address = jstr(env, &address)?.unwrap_or_default();
        let p = port(p)?;
        let Core::Server(s) = &sh.core else {
            return Err(Fail::Arg("not a server".into()));
        };
        start_with(env, sh, || s.start(&address, p))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_agentStart(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    bind: JString,
    async_connect: jboolean,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let bind = jstr(env, &bind)?;
        let Core::Agent(a) = &sh.core else {
            return Err(Fail::Arg("not an agent".into()));
        };
        start_with(env, sh, || {
            a.start(bind.as_deref(), async_connect == JNI_TRUE)
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_agentConnect(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    host: JString,
    p: jint,
    local_address: JString,
    local_port: jint,
) -> jlong {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let host = jstr(env, &host)?.unwrap_or_default();
        let options = hpsocket_core::ConnectOptions {
            extra: 0,
            local_address: jstr(env, &local_address)?,
            local_port: port(local_port)?,
        };
        let p = port(p)?;
        let Core::Agent(a) = &sh.core else {
            return Err(Fail::Arg("not an agent".into()));
        };
        Ok(a.connect_with(&host, p, &options)? as jlong)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_clientStart(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    host: JString,
    p: jint,
    async_connect: jboolean,
    bind: JString,
    local_port: jint,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let host = jstr(env, &host)?.unwrap_or_default();
        let bind = jstr(env, &bind)?;
        let (p, lp) = (port(p)?, port(local_port)?);
        let Core::Client(c) = &sh.core else {
            return Err(Fail::Arg("not a client".into()));
        };
        start_with(env, sh, || {
            c.start_with(&host, p, async_connect == JNI_TRUE, bind.as_deref(), lp)
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_stop(mut env: JNIEnv, _: JClass, h: jlong) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        // Stopping a stopped component does nothing (a client stops by itself when its peer
        // hangs up); a refusal for another reason (an own callback) still throws.
        if let Err(e) = sh.core.stop() {
            if !(e.kind() == ErrorKind::IllegalState && sh.core.state() == ServiceState::Stopped) {
                return Err(e.into());
            }
        }
        if sh.core.state() == ServiceState::Stopped {
            sh.bridge.unpin();
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_await(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    timeout_ms: jlong,
) -> jboolean {
    run(&mut env, |_| {
        let sh = shell(h)?;
        let stopped = sh.core.wait(millis(timeout_ms))?;
        Ok(bool_of(stopped))
    })
}

/// `close()`: stop and wait; from inside one of the component's own callbacks (where a
/// server or agent cannot wait for itself) the stop finishes on a helper thread.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_close(mut env: JNIEnv, _: JClass, h: jlong) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        if jvm::in_callback(sh.bridge.key()) {
            let core = sh.core.clone();
            let bridge = sh.bridge.clone();
            std::thread::Builder::new()
                .name("hpsocket-close".into())
                .spawn(move || {
                    core.stop_and_wait();
                    bridge.unpin();
                })
                .map_err(|e| {
                    Fail::Core(Error::os(ErrorKind::IllegalState, &e, "close: spawning"))
                })?;
        } else {
            sh.core.stop_and_wait();
            sh.bridge.unpin();
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_state(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jint {
    run(&mut env, |_| Ok(shell(h)?.core.state() as jint))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_isSecure(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jboolean {
    run(&mut env, |_| Ok(bool_of(shell(h)?.core.is_secure())))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_lastError(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jobject {
    run(&mut env, |env| {
        let sh = shell(h)?;
        match sh.core.last_error() {
            Some((_, e)) => Ok(new_exception(env, &e)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

/// `Component.handle()` asks it only once closed: the callbacks a close still delivers may
/// go on using the component.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_inCallback(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jboolean {
    run(&mut env, |_| {
        Ok(bool_of(jvm::in_callback(shell(h)?.bridge.key())))
    })
}

/// The text the core puts in its records for `code` (`io::Error`'s, from the C library), for
/// the test that holds `org.hpsocket.Errno`'s fixed table to it.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_errnoText(
    mut env: JNIEnv,
    _: JClass,
    code: jint,
) -> jobject {
    run(&mut env, |env| {
        let text = std::io::Error::from_raw_os_error(code).to_string();
        let suffix = format!(" (os error {code})");
        let text = text.strip_suffix(&suffix).unwrap_or(&text);
        Ok(env.new_string(text)?.into_raw())
    })
}

/// `Logging.enable`/`disable`: the core's logging hook at `level` (1 ERROR .. 4 DEBUG), or
/// none (0).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_setLogLevel(
    mut env: JNIEnv,
    _: JClass,
    level: jint,
) {
    run(&mut env, |env| Ok(log::set_level(env, level)?))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_setCloseErrorCode(
    _env: JNIEnv,
    _: JClass,
    code: jint,
) {
    hpsocket_core::set_close_error_code(code);
}

// ---- settings ------------------------------------------------------------------------------

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_getSetting(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    key: jint,
) -> jlong {
    run(&mut env, |_| Ok(settings::get(&shell(h)?.core, key)?))
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_setSetting(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    key: jint,
    value: jlong,
) {
    run(&mut env, |_| {
        Ok(settings::set(&shell(h)?.core, key, value)?)
    })
}

// ---- data ----------------------------------------------------------------------------------

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
        let len = usize::try_from(len).map_err(|_| Fail::Arg("negative length".into()))?;
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

/// Several `byte[]` ranges as one send (one frame for PACK).
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_sendPackets(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    arrays: JObjectArray,
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
        Ok(match &sh.core {
            Core::Server(s) => s.send_small_file(conn as u64, path, head, tail),
            Core::Agent(a) => a.send_small_file(conn as u64, path, head, tail),
            Core::Client(c) => c.send_small_file(path, head, tail),
        }?)
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
        let len = usize::try_from(len).map_err(|_| Fail::Arg("negative length".into()))?;
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

// ---- connections ---------------------------------------------------------------------------

macro_rules! multi {
    ($sh:expr, $s:ident => $e:expr, $c:ident => $ce:expr) => {
        match &$sh.core {
            Core::Server($s) => $e,
            Core::Agent($s) => $e,
            Core::Client($c) => $ce,
        }
    };
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
        let d = match (&sh.core, silence == JNI_TRUE) {
            (Core::Server(s), false) => s.connect_period(conn as u64)?,
            (Core::Server(s), true) => s.silence_period(conn as u64)?,
            (Core::Agent(a), false) => a.connect_period(conn as u64)?,
            (Core::Agent(a), true) => a.silence_period(conn as u64)?,
            (Core::Client(_), _) => {
                return Err(Fail::Arg("not available on a client".into()));
            }
        };
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
        match (&sh.core, silence == JNI_TRUE) {
            (Core::Server(s), false) => s.disconnect_long_connections(d, true)?,
            (Core::Server(s), true) => s.disconnect_silence_connections(d, true)?,
            (Core::Agent(a), false) => a.disconnect_long_connections(d, true)?,
            (Core::Agent(a), true) => a.disconnect_silence_connections(d, true)?,
            (Core::Client(_), _) => return Err(Fail::Arg("not available on a client".into())),
        }
        Ok(())
    })
}

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

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_remoteHost(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jobject {
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
        let len = usize::try_from(len).map_err(|_| Fail::Arg("negative length".into()))?;
        let deadline =
            u32::try_from(deadline).map_err(|_| Fail::Arg("negative deadlineMs".into()))?;
        let limit = u32::try_from(max_retransmits).ok();
        with_stage(len, |buf| {
            env.get_byte_array_region(&data, off, as_i8(buf))?;
            let id = match &sh.core {
                Core::Server(s) => s.send_ex(conn as u64, buf, deadline, limit)?,
                Core::Client(c) => c.send_ex(buf, deadline, limit)?,
                Core::Agent(a) => a.send_ex(conn as u64, buf, deadline, limit)?,
            };
            Ok(jlong::from(id))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_waitingSendMessageCount(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jlong {
    run(&mut env, |_| {
        let n = match &shell(h)?.core {
            Core::Server(s) => s.waiting_send_message_count(conn as u64)?,
            Core::Client(c) => c.waiting_send_message_count()?,
            Core::Agent(a) => a.waiting_send_message_count(conn as u64)?,
        };
        Ok(n as jlong)
    })
}
