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

/// `Component.DISPATCHED`: what `Component.dispatch` adds to the code it returns.
const DISPATCHED: i32 = 1 << 16;

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
    receive_buffer_class: GlobalRef,
    /// `static void ReceiveBuffer.register(ByteBuffer buffer, long address, int capacity)`
    register: JStaticMethodID,
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
    let receive_buffer = env.find_class("org/hpsocket/ReceiveBuffer")?;
    let register =
        env.get_static_method_id(&receive_buffer, "register", "(Ljava/nio/ByteBuffer;JI)V")?;
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
        receive_buffer_class: env.new_global_ref(&receive_buffer)?,
        register,
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

/// What a thread attached by this library keeps: the `JNIEnv`, its receive buffer and the
/// component it dispatches to. Dropped when the thread exits: the global refs go, then the
/// thread detaches.
struct Attached {
    env: *mut sys::JNIEnv,
    scratch: Cell<Option<Scratch>>,
    /// The Java component this thread's upcalls go to, as (bridge key, strong global ref):
    /// taken at the first event, so that an event costs no weak-ref upgrade (a
    /// `NewLocalRef` and a `DeleteLocalRef`, each a JVM state transition); given back at the
    /// component's last event (see [`release_target`]) or when the thread exits. A worker
    /// serves one component and exits when that component stops (the stop joins it), so this
    /// never keeps a stopped component from being collected. While it is held the component
    /// is reachable, so its bridge (freed only by the component's Cleaner) is too: the key
    /// cannot name another bridge.
    target: Cell<Option<(usize, sys::jobject)>>,
    /// The address of the receive buffer last registered with `ReceiveBuffer` (0: none).
    registered: Cell<usize>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        if let Some(s) = self.scratch.take() {
            // SAFETY: `env` belongs to this thread, which is still attached (it detaches below),
            // and `s.buffer` is a global ref this thread created and nobody else deletes.
            unsafe { delete_global(self.env, s.buffer) };
        }
        if let Some((_, obj)) = self.target.take() {
            // SAFETY: as above; the target is a global ref only this thread holds.
            unsafe { delete_global(self.env, obj) };
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
            target: Cell::new(None),
            registered: Cell::new(0),
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
    let current = ATTACHED.with_borrow(|a| a.as_ref().map(|a| a.scratch.take()))?;
    grow_scratch(env, current, len)
}

/// `current` (a buffer taken from the thread) if it holds `len` bytes, else a new, larger one
/// (registered with `ReceiveBuffer`, see [`register`]) in its place.
fn grow_scratch(env: &mut JNIEnv, current: Option<Scratch>, len: usize) -> Option<Scratch> {
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
    let s = Scratch {
        buffer: global,
        address: address?,
        capacity,
    };
    register(env, &s);
    Some(s)
}

/// Tells `ReceiveBuffer` (a Java thread-local) that `s` is this thread's receive buffer and
/// where its bytes are, so that sending that very buffer from a callback passes its address
/// down (`Native.sendAddress`) instead of asking the JVM for it. Only when it changed: the
/// thread-local holds the registered buffer strongly, so no other live buffer can have the
/// address remembered here.
fn register(env: &mut JNIEnv, s: &Scratch) {
    let changed = ATTACHED.with_borrow(|a| {
        a.as_ref()
            .is_some_and(|a| a.registered.replace(s.address as usize) != s.address as usize)
    });
    if !changed {
        return;
    }
    let ids = ids();
    let class: &JClass = ids.receive_buffer_class.as_obj().into();
    // SAFETY: the static method belongs to `class` and takes (ByteBuffer, long, int).
    let r = unsafe {
        env.call_static_method_unchecked(
            class,
            ids.register,
            ReturnType::Primitive(Primitive::Void),
            &[
                jvalue { l: s.buffer },
                jvalue {
                    j: s.address as i64,
                },
                jvalue {
                    i: s.capacity as jint,
                },
            ],
        )
    };
    if r.is_err() {
        // Not registered: sends of this buffer take the checked path; try again next time.
        ATTACHED.with_borrow(|a| {
            if let Some(a) = a {
                a.registered.set(0);
            }
        });
        report_pending(env);
    }
}

fn put_scratch(env: &mut JNIEnv, s: Scratch) {
    let (kept, spare) = ATTACHED.with_borrow(|a| match a {
        Some(a) => match a.scratch.take() {
            // A nested upcall left its own; keep the larger one.
            Some(other) if other.capacity > s.capacity => {
                let kept = (other.buffer, other.address, other.capacity);
                a.scratch.set(Some(other));
                (Some(kept), Some(s))
            }
            other => {
                let kept = (s.buffer, s.address, s.capacity);
                a.scratch.set(Some(s));
                (Some(kept), other)
            }
        },
        None => (None, Some(s)),
    });
    if let Some(spare) = spare {
        // SAFETY: this thread is attached and owns the spare global ref.
        unsafe { delete_global(env.get_raw(), spare.buffer) };
        if let Some((buffer, address, capacity)) = kept {
            // After a nested upcall the kept buffer may not be the one registered last.
            register(
                env,
                &Scratch {
                    buffer,
                    address,
                    capacity,
                },
            );
        }
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

/// The Java component of bridge `key` for an upcall on this thread, and whether it is a
/// local ref to delete after the call: on a thread this library attached, the thread's
/// strong ref to it (taken now if the thread holds none; see `Attached::target`); elsewhere,
/// or while the thread holds another component's, a local ref from the weak one. `None`
/// once the component was collected.
fn component(
    env: &mut JNIEnv,
    target: &jni::objects::WeakRef,
    key: usize,
) -> Option<(sys::jobject, bool)> {
    let cached = ATTACHED.with_borrow(|a| a.as_ref().map(|a| a.target.get()));
    if let Some(Some((k, obj))) = cached {
        if k == key {
            return Some((obj, false));
        }
    }
    let local = target.upgrade_local(env).ok().flatten()?;
    if cached == Some(None) {
        // SAFETY: `local` is a live local ref on this thread's env.
        let global = unsafe {
            match (**env.get_raw()).NewGlobalRef {
                Some(f) => f(env.get_raw(), local.as_raw()),
                None => ptr::null_mut(),
            }
        };
        if !global.is_null() {
            let _ = env.delete_local_ref(local);
            ATTACHED.with_borrow(|a| {
                if let Some(a) = a {
                    a.target.set(Some((key, global)));
                }
            });
            return Some((global, false));
        }
    }
    Some((local.into_raw(), true))
}

/// Gives back this thread's strong ref to the component of bridge `key`, if it holds one:
/// called after the component's last event (a server's or agent's shutdown, a client's
/// close), so that the thread does not keep a stopped component reachable.
pub(crate) fn release_target(key: usize) {
    let Some((env, obj)) = ATTACHED.with_borrow(|a| {
        let a = a.as_ref()?;
        match a.target.get() {
            Some((k, obj)) if k == key => {
                a.target.set(None);
                Some((a.env, obj))
            }
            _ => None,
        }
    }) else {
        return;
    };
    // SAFETY: `env` is this attached thread's env, `obj` the global ref it just gave up. An
    // outer upcall of the same component on this thread (when this ran nested in one of its
    // callbacks) no longer uses the ref: the JVM holds the receiver in its own frame.
    unsafe { delete_global(env, obj) };
}

/// Calls `target.dispatch(event, conn, arg, buffer)` on the component of bridge `key`;
/// `data`, when given, is copied into a direct buffer (the thread's own on workers) and the
/// lower 32 bits of `arg` become its length (the upper ones pass through: the WebSocket
/// message's opcode). Returns the handle result code; a Java exception counts as `HR_ERROR`
/// and is reported.
pub(crate) fn dispatch(
    target: &jni::objects::WeakRef,
    key: usize,
    event: i32,
    conn: u64,
    arg: i64,
    data: Option<&[u8]>,
) -> i32 {
    dispatch_or(target, key, event, conn, arg, data, HR_IGNORE, HR_ERROR)
}

/// [`dispatch`] with the codes for "no Java object (collected, or no JVM)" and "failed"
/// (HTTP events answer `HPR_OK` and `HPR_ERROR` there, not handle results).
#[allow(clippy::too_many_arguments)]
pub(crate) fn dispatch_or(
    target: &jni::objects::WeakRef,
    key: usize,
    event: i32,
    conn: u64,
    arg: i64,
    data: Option<&[u8]>,
    missing: i32,
    failed: i32,
) -> i32 {
    // A worker's usual event: its cached component and a receive buffer that fits, from one
    // thread-local access (each is a `__tls_get_addr` call in a shared library).
    let fast = ATTACHED.with_borrow(|a| {
        let a = a.as_ref()?;
        match a.target.get() {
            Some((k, obj)) if k == key => {
                let scratch = match data {
                    None => None,
                    Some(d) => match a.scratch.take() {
                        Some(s) if s.capacity >= d.len() => Some(s),
                        other => {
                            a.scratch.set(other);
                            return None;
                        }
                    },
                };
                Some((a.env, obj, scratch))
            }
            _ => None,
        }
    });
    if let Some((raw, obj, scratch)) = fast {
        // SAFETY: `raw` is this attached thread's env; `current_env` never stores a null one,
        // the one thing `from_raw` refuses.
        match unsafe { JNIEnv::from_raw(raw) } {
            Ok(mut env) => {
                let env = &mut env;
                return match (data, scratch) {
                    (Some(data), Some(s)) => {
                        // SAFETY: the buffer holds `capacity >= data.len()` bytes at `address`,
                        // kept alive by our global ref; nothing else writes it on this thread.
                        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), s.address, data.len()) };
                        let arg = (arg & !0xFFFF_FFFF) | (data.len() as u32 as i64);
                        let code = upcall(env, obj, event, conn, arg, s.buffer, failed);
                        put_scratch(env, s);
                        code
                    }
                    _ => upcall(env, obj, event, conn, arg, ptr::null_mut(), failed),
                };
            }
            Err(_) => ATTACHED.with_borrow(|a| {
                if let (Some(a), Some(s)) = (a, scratch) {
                    a.scratch.set(Some(s));
                }
            }),
        }
    }
    with_env(|env| {
        let Some((obj, local)) = component(env, target, key) else {
            return missing;
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
                drop_component(env, obj, local);
                return failed;
            }
        }
        let code = upcall(env, obj, event, conn, arg, buffer, failed);
        if let Some(s) = scratch {
            put_scratch(env, s);
        }
        if let Some(t) = temp {
            let _ = env.delete_local_ref(t);
        }
        drop_component(env, obj, local);
        code
    })
    .unwrap_or(missing)
}

/// `obj.dispatch(event, conn, arg, buffer)`: the handle result code, or `failed` when it threw
/// (the exception is reported).
fn upcall(
    env: &mut JNIEnv,
    obj: sys::jobject,
    event: i32,
    conn: u64,
    arg: i64,
    buffer: sys::jobject,
    failed: i32,
) -> i32 {
    let args = [
        jvalue { i: event },
        jvalue { j: conn as i64 },
        jvalue { j: arg },
        jvalue { l: buffer },
    ];
    let raw = env.get_raw();
    // SAFETY: `dispatch` is `Component.dispatch(IJJLjava/nio/ByteBuffer;)I`, `obj` a live ref
    // to a Component and `args` match that signature. Called through the function table
    // directly: the jni crate's wrapper adds a null check, an argument copy, a result
    // conversion and an ExceptionCheck per event.
    let code = unsafe {
        match (**raw).CallIntMethodA {
            Some(call) => call(raw, obj, ids().dispatch.into_raw(), args.as_ptr()),
            None => return failed,
        }
    };
    // `Component.dispatch` adds DISPATCHED to its code; 0 is what a call that threw returns,
    // the one case that needs the JVM asked (ExceptionCheck) and the exception reported.
    if code != 0 {
        code - DISPATCHED
    } else {
        report_pending(env);
        failed
    }
}

/// Deletes `obj` after an upcall when [`component`] made it a local ref.
fn drop_component(env: &mut JNIEnv, obj: sys::jobject, local: bool) {
    if local {
        // SAFETY: `obj` is a local ref [`component`] made on this thread's env, used no more.
        let _ = env.delete_local_ref(unsafe { JObject::from_raw(obj) });
    }
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
