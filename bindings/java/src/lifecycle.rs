//! A component's life: creating and freeing the native side, starting (which pins the Java
//! object while it runs), stopping, waiting, closing, and the state queries around them.

use std::sync::Arc;

use hpsocket_core::{Error, ErrorKind, ServiceState};
use jni::objects::{JClass, JString};
use jni::sys::{jboolean, jint, jlong, JNI_TRUE};
use jni::JNIEnv;

use crate::args::{bool_of, jstr, millis, port, shell};
use crate::bridge::Bridge;
use crate::entry::{new_exception, run, Fail, R};
use crate::jtypes::{jHPSocketException, JComponent};
use crate::jvm;
use crate::shell::{self, Core, Shell};

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
    component: JComponent,
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
) -> jHPSocketException {
    run(&mut env, |env| {
        let sh = shell(h)?;
        match sh.core.last_error() {
            Some((_, e)) => Ok(new_exception(env, &e)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

/// Whether one of the component's own callbacks runs on the calling thread.
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
