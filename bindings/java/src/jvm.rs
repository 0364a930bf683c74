//! The JVM side of the bridge: cached classes and method IDs, attaching worker threads (once,
//! as daemons, for the thread's life), the per-thread receive buffer, upcalls into
//! `org.hpsocket.Component.dispatch`, and reporting Java exceptions that escape a listener.

use std::cell::{Cell, RefCell};
use std::ffi::{c_void, CString};
use std::ptr;
use std::sync::OnceLock;

use jni::objects::{GlobalRef, JClass, JMethodID, JObject, JStaticMethodID, JValueOwned};
use jni::signature::{Primitive, ReturnType};
use jni::sys::{self, jint, jvalue};
use jni::{JNIEnv, JavaVM};

/// `HR_OK`, `HR_IGNORE`, `HR_ERROR` as the upcalls return them.
pub(crate) const HR_IGNORE: i32 = 1;
pub(crate) const HR_ERROR: i32 = 2;

/// Smallest per-thread receive buffer; it grows to the next power of two on demand.
const SCRATCH_MIN: usize = 64 * 1024;

/// Classes and methods looked up once by `Native.initIds`.
pub(crate) struct Ids {
    pub(crate) vm: JavaVM,
    /// `int Component.dispatch(int event, long connId, long arg, ByteBuffer data)`
    pub(crate) dispatch: JMethodID,
    /// `int Component.dispatchServerName(String name)`
    pub(crate) server_name: JMethodID,
    native_class: GlobalRef,
    /// `static void Native.reportException(Throwable)`
    report: JStaticMethodID,
    byte_buffer_class: GlobalRef,
    /// `static ByteBuffer ByteBuffer.allocateDirect(int)`
    allocate_direct: JStaticMethodID,
    pub(crate) exception_class: GlobalRef,
    /// `HPSocketException(int code, int errno, String message)`
    pub(crate) exception_ctor: JMethodID,
}

static IDS: OnceLock<Ids> = OnceLock::new();

/// Looks the classes and methods up; called from `Native`'s static initializer.
pub(crate) fn init(env: &mut JNIEnv) -> jni::errors::Result<()> {
    if IDS.get().is_some() {
        return Ok(());
    }
    let component = env.find_class("org/hpsocket/Component")?;
    let dispatch = env.get_method_id(&component, "dispatch", "(IJJLjava/nio/ByteBuffer;)I")?;
    let server_name =
        env.get_method_id(&component, "dispatchServerName", "(Ljava/lang/String;)I")?;
    let native = env.find_class("org/hpsocket/Native")?;
    let report =
        env.get_static_method_id(&native, "reportException", "(Ljava/lang/Throwable;)V")?;
    let byte_buffer = env.find_class("java/nio/ByteBuffer")?;
    let allocate_direct =
        env.get_static_method_id(&byte_buffer, "allocateDirect", "(I)Ljava/nio/ByteBuffer;")?;
    let exception = env.find_class("org/hpsocket/HPSocketException")?;
    let exception_ctor = env.get_method_id(&exception, "<init>", "(IILjava/lang/String;)V")?;
    let ids = Ids {
        vm: env.get_java_vm()?,
        dispatch,
        server_name,
        native_class: env.new_global_ref(&native)?,
        report,
        byte_buffer_class: env.new_global_ref(&byte_buffer)?,
        allocate_direct,
        exception_class: env.new_global_ref(&exception)?,
        exception_ctor,
    };
    let _ = IDS.set(ids);
    Ok(())
}

pub(crate) fn ids() -> &'static Ids {
    IDS.get().expect(
        "hpsocket: Native.initIds has not run (the library was loaded without org.hpsocket.Native)",
    )
}

/// A direct `ByteBuffer` allocated by Java (so the Java heap owns its memory: a listener that
/// keeps it past the callback sees stale bytes, never freed memory), held by a global ref.
struct Scratch {
    buffer: sys::jobject,
    address: *mut u8,
    capacity: usize,
}

/// What a thread attached by this library keeps: the `JNIEnv` and its receive buffer. Dropped
/// when the thread exits: the buffer's global ref goes, then the thread detaches.
struct Attached {
    env: *mut sys::JNIEnv,
    scratch: Cell<Option<Scratch>>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        if let Some(s) = self.scratch.take() {
            // SAFETY: `env` belongs to this thread, which is still attached (it detaches below),
            // and `s.buffer` is a global ref this thread created and nobody else deletes.
            unsafe { delete_global(self.env, s.buffer) };
        }
        if let Some(ids) = IDS.get() {
            let vm = ids.vm.get_java_vm_pointer();
            // SAFETY: `vm` is the live JavaVM (the library is never used after the VM is gone:
            // daemon threads are not run past its exit); this thread attached itself and has
            // no Java frames, so detaching it is allowed.
            unsafe {
                if let Some(detach) = (**vm).DetachCurrentThread {
                    detach(vm);
                }
            }
        }
    }
}

thread_local! {
    /// Set once this library attached the thread; never for threads Java made.
    static ATTACHED: RefCell<Option<Attached>> = const { RefCell::new(None) };
    /// Bridges (by address) whose callback runs on this thread now, innermost last.
    static CALLING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// # Safety
/// `env` must be the current thread's attached env and `obj` a global ref not used afterwards.
unsafe fn delete_global(env: *mut sys::JNIEnv, obj: sys::jobject) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if let Some(f) = (**env).DeleteGlobalRef {
            f(env, obj);
        }
    }
}

/// The current thread's env; a thread the JVM does not know yet (a worker) is attached as a
/// daemon named after the Rust thread, and stays attached until it exits.
fn current_env() -> Option<*mut sys::JNIEnv> {
    if let Some(env) = ATTACHED.with_borrow(|a| a.as_ref().map(|a| a.env)) {
        return Some(env);
    }
    let ids = IDS.get()?;
    if let Ok(env) = ids.vm.get_env() {
        return Some(env.get_raw());
    }
    let vm = ids.vm.get_java_vm_pointer();
    let name = std::thread::current()
        .name()
        .map(|n| format!("hpsocket-{n}"))
        .unwrap_or_else(|| "hpsocket-native".to_string());
    let name = CString::new(name).unwrap_or_default();
    let mut args = sys::JavaVMAttachArgs {
        version: sys::JNI_VERSION_1_8,
        name: name.as_ptr() as *mut _,
        group: ptr::null_mut(),
    };
    let mut env: *mut c_void = ptr::null_mut();
    // SAFETY: `vm` is the live JavaVM; `env` and `args` outlive the call (the JVM copies the
    // name).
    let rc = unsafe {
        let attach = (**vm).AttachCurrentThreadAsDaemon?;
        attach(vm, &mut env, &mut args as *mut _ as *mut c_void)
    };
    if rc != sys::JNI_OK || env.is_null() {
        return None;
    }
    let env = env as *mut sys::JNIEnv;
    ATTACHED.with_borrow_mut(|a| {
        *a = Some(Attached {
            env,
            scratch: Cell::new(None),
        })
    });
    Some(env)
}

/// Runs `f` with the current thread's `JNIEnv` (attaching a worker first); `None` when the JVM
/// cannot be reached.
pub(crate) fn with_env<R>(f: impl FnOnce(&mut JNIEnv) -> R) -> Option<R> {
    let raw = current_env()?;
    // SAFETY: `raw` is this thread's attached env (from GetEnv or our own attach).
    let mut env = unsafe { JNIEnv::from_raw(raw) }.ok()?;
    Some(f(&mut env))
}

/// Takes the thread's receive buffer (growing it to hold `len`), or `None` on a thread this
/// library did not attach. Give it back with [`put_scratch`]; a nested upcall meanwhile gets
/// its own buffer.
fn take_scratch(env: &mut JNIEnv, len: usize) -> Option<Scratch> {
    let ours = ATTACHED.with_borrow(|a| a.is_some());
    if !ours {
        return None;
    }
    let current = ATTACHED.with_borrow(|a| a.as_ref().and_then(|a| a.scratch.take()));
    if let Some(s) = current {
        if s.capacity >= len {
            return Some(s);
        }
        // SAFETY: this thread is attached and owns the global ref.
        unsafe { delete_global(env.get_raw(), s.buffer) };
    }
    let capacity = len.max(SCRATCH_MIN).checked_next_power_of_two()?;
    let local = allocate_direct(env, capacity)?;
    let address = env
        .get_direct_buffer_address((&local).into())
        .ok()
        .filter(|a| !a.is_null());
    // A raw global ref: `Attached` deletes it while the thread is still attached (GlobalRef's
    // own drop could run after the thread detached).
    let global = match address {
        // SAFETY: `local` is a live local ref on this thread's env.
        Some(_) => unsafe {
            let f = (**env.get_raw()).NewGlobalRef?;
            f(env.get_raw(), local.as_raw())
        },
        None => ptr::null_mut(),
    };
    let _ = env.delete_local_ref(local);
    if global.is_null() {
        return None;
    }
    Some(Scratch {
        buffer: global,
        address: address?,
        capacity,
    })
}

fn put_scratch(env: &mut JNIEnv, s: Scratch) {
    let spare = ATTACHED.with_borrow(|a| match a {
        Some(a) => match a.scratch.take() {
            // A nested upcall left its own; keep the larger one.
            Some(other) if other.capacity > s.capacity => {
                a.scratch.set(Some(other));
                Some(s)
            }
            other => {
                a.scratch.set(Some(s));
                other
            }
        },
        None => Some(s),
    });
    if let Some(spare) = spare {
        // SAFETY: this thread is attached and owns the spare global ref.
        unsafe { delete_global(env.get_raw(), spare.buffer) };
    }
}

/// `ByteBuffer.allocateDirect(capacity)` as a local ref.
fn allocate_direct<'l>(env: &mut JNIEnv<'l>, capacity: usize) -> Option<JObject<'l>> {
    let ids = ids();
    let class: &JClass = ids.byte_buffer_class.as_obj().into();
    let capacity = jint::try_from(capacity).ok()?;
    // SAFETY: the method ID belongs to `class` and takes one int, returning an object.
    let r = unsafe {
        env.call_static_method_unchecked(
            class,
            ids.allocate_direct,
            ReturnType::Object,
            &[jvalue { i: capacity }],
        )
    };
    match r {
        Ok(JValueOwned::Object(o)) if !o.is_null() => Some(o),
        Ok(_) => None,
        Err(_) => {
            report_pending(env);
            None
        }
    }
}

/// Hands a pending Java exception to `Native.reportException` (the thread's uncaught
/// exception handler) and clears it, so the worker goes on.
pub(crate) fn report_pending(env: &mut JNIEnv) {
    if !env.exception_check().unwrap_or(false) {
        return;
    }
    let Ok(t) = env.exception_occurred() else {
        let _ = env.exception_clear();
        return;
    };
    let _ = env.exception_clear();
    let ids = ids();
    let class: &JClass = ids.native_class.as_obj().into();
    // SAFETY: the static method belongs to `class` and takes one Throwable.
    let _ = unsafe {
        env.call_static_method_unchecked(
            class,
            ids.report,
            ReturnType::Primitive(Primitive::Void),
            &[jvalue { l: t.as_raw() }],
        )
    };
    if env.exception_check().unwrap_or(false) {
        // The reporter itself failed: print it, as the JVM does for an uncaught exception.
        let _ = env.exception_describe();
        let _ = env.exception_clear();
    }
    let _ = env.delete_local_ref(t);
}

/// Marks `bridge` as in a callback on this thread while `f` runs.
pub(crate) fn calling<R>(bridge: usize, f: impl FnOnce() -> R) -> R {
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            CALLING.with_borrow_mut(|c| {
                c.pop();
            });
        }
    }
    CALLING.with_borrow_mut(|c| c.push(bridge));
    let _pop = Pop;
    f()
}

/// Whether a callback of `bridge` is running on this thread.
pub(crate) fn in_callback(bridge: usize) -> bool {
    CALLING.with_borrow(|c| c.contains(&bridge))
}

/// Calls `target.dispatch(event, conn, arg, buffer)`; `data`, when given, is copied into a
/// direct buffer (the thread's own on workers) and the lower 32 bits of `arg` become its
/// length (the upper ones pass through: the WebSocket message's opcode). Returns the handle
/// result code; a Java exception counts as `HR_ERROR` and is reported.
pub(crate) fn dispatch(
    target: &jni::objects::WeakRef,
    event: i32,
    conn: u64,
    arg: i64,
    data: Option<&[u8]>,
) -> i32 {
    dispatch_or(target, event, conn, arg, data, HR_IGNORE, HR_ERROR)
}

/// [`dispatch`] with the codes for "no Java object (collected, or no JVM)" and "failed"
/// (HTTP events answer `HPR_OK` and `HPR_ERROR` there, not handle results).
pub(crate) fn dispatch_or(
    target: &jni::objects::WeakRef,
    event: i32,
    conn: u64,
    arg: i64,
    data: Option<&[u8]>,
    missing: i32,
    failed: i32,
) -> i32 {
    with_env(|env| {
        let obj = match target.upgrade_local(env) {
            Ok(Some(o)) => o,
            _ => return missing,
        };
        let mut scratch = None;
        let mut temp = None;
        let mut buffer: sys::jobject = ptr::null_mut();
        let mut arg = arg;
        if let Some(data) = data {
            arg = (arg & !0xFFFF_FFFF) | (data.len() as u32 as i64);
            if let Some(s) = take_scratch(env, data.len()) {
                // SAFETY: the buffer holds `capacity >= data.len()` bytes at `address`, kept
                // alive by our global ref; nothing else writes it on this thread now.
                unsafe { ptr::copy_nonoverlapping(data.as_ptr(), s.address, data.len()) };
                buffer = s.buffer;
                scratch = Some(s);
            } else if let Some(local) = allocate_direct(env, data.len().max(1)) {
                match env.get_direct_buffer_address((&local).into()) {
                    Ok(address) if !address.is_null() => {
                        // SAFETY: a fresh direct buffer of at least `data.len()` bytes.
                        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), address, data.len()) };
                        buffer = local.as_raw();
                        temp = Some(local);
                    }
                    _ => {
                        let _ = env.delete_local_ref(local);
                    }
                }
            }
            if buffer.is_null() {
                let _ = env.delete_local_ref(obj);
                return failed;
            }
        }
        let ids = ids();
        // SAFETY: `dispatch` is `Component.dispatch(IJJLjava/nio/ByteBuffer;)I` and `obj` is
        // a Component; the arguments match that signature.
        let result = unsafe {
            env.call_method_unchecked(
                &obj,
                ids.dispatch,
                ReturnType::Primitive(Primitive::Int),
                &[
                    jvalue { i: event },
                    jvalue { j: conn as i64 },
                    jvalue { j: arg },
                    jvalue { l: buffer },
                ],
            )
        };
        let code = match result {
            Ok(JValueOwned::Int(code)) => code,
            Ok(_) => missing,
            Err(_) => {
                report_pending(env);
                failed
            }
        };
        if let Some(s) = scratch {
            put_scratch(env, s);
        }
        if let Some(t) = temp {
            let _ = env.delete_local_ref(t);
        }
        let _ = env.delete_local_ref(obj);
        code
    })
    .unwrap_or(missing)
}

/// Calls `target.dispatchServerName(name)`: the SNI decision (0 default, > 0 an index, < 0
/// abort). An exception aborts the handshake and is reported.
pub(crate) fn dispatch_server_name(target: &jni::objects::WeakRef, name: &str) -> i32 {
    with_env(|env| {
        let obj = match target.upgrade_local(env) {
            Ok(Some(o)) => o,
            _ => return 0,
        };
        let Ok(jname) = env.new_string(name) else {
            report_pending(env);
            let _ = env.delete_local_ref(obj);
            return -1;
        };
        let ids = ids();
        // SAFETY: `server_name` is `Component.dispatchServerName(Ljava/lang/String;)I`.
        let result = unsafe {
            env.call_method_unchecked(
                &obj,
                ids.server_name,
                ReturnType::Primitive(Primitive::Int),
                &[jvalue { l: jname.as_raw() }],
            )
        };
        let code = match result {
            Ok(JValueOwned::Int(code)) => code,
            Ok(_) => 0,
            Err(_) => {
                report_pending(env);
                -1
            }
        };
        let _ = env.delete_local_ref(jname);
        let _ = env.delete_local_ref(obj);
        code
    })
    .unwrap_or(-1)
}
