//! SSL entry points: TLS contexts from files or PEM text, SNI (bound names or the Java
//! component's server-name callback), manual handshakes and session facts.

use std::path::PathBuf;
use std::sync::Arc;

use hpsocket_core::{Pem, SslSetup};
use jni::objects::{JClass, JString};
use jni::sys::jboolean;
use jni::sys::{jbyteArray, jint, jlong, JNI_TRUE};
use jni::JNIEnv;

use crate::args::{jstr, shell};
use crate::entry::{run, Fail, R};
use crate::jtypes::jstringArray;
use crate::shell::Core;

/// Bits of `memory`: which of certificate, key and CA are PEM text rather than paths.
const MEM_CERT: jint = 1;
const MEM_KEY: jint = 2;
const MEM_CA: jint = 4;

#[allow(clippy::too_many_arguments)]
fn setup(
    env: &mut JNIEnv,
    verify: jint,
    cert: &JString,
    key: &JString,
    password: &JString,
    ca: &JString,
    ciphers: &JString,
    memory: jint,
) -> R<SslSetup> {
    let pem = |s: Option<String>, bit: jint| {
        s.map(|s| {
            if memory & bit != 0 {
                Pem::Memory(s)
            } else {
                Pem::File(PathBuf::from(s))
            }
        })
    };
    Ok(SslSetup {
        verify_mode: verify,
        certificate: pem(jstr(env, cert)?, MEM_CERT),
        private_key: pem(jstr(env, key)?, MEM_KEY),
        key_password: jstr(env, password)?,
        ca: pem(jstr(env, ca)?, MEM_CA),
        cipher_list: jstr(env, ciphers)?,
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_setupSsl(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    verify: jint,
    cert: JString,
    key: JString,
    password: JString,
    ca: JString,
    ciphers: JString,
    memory: jint,
    sni_callback: jboolean,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let setup = setup(env, verify, &cert, &key, &password, &ca, &ciphers, memory)?;
        match &sh.core {
            Core::Server(s) => {
                let callback = (sni_callback == JNI_TRUE).then(|| {
                    // Weak through the bridge: the context must not keep the component alive.
                    let bridge = Arc::downgrade(&sh.bridge);
                    let f: hpsocket_core::ServerNameCallback = Arc::new(move |name: &str| {
                        bridge.upgrade().map_or(0, |b| b.server_name(name))
                    });
                    f
                });
                s.setup_ssl_context(&setup, callback)?
            }
            Core::Agent(a) => a.setup_ssl_context(&setup)?,
            Core::Client(c) => c.setup_ssl_context(&setup)?,
        }
        Ok(())
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_addSslContext(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    verify: jint,
    cert: JString,
    key: JString,
    password: JString,
    ca: JString,
    ciphers: JString,
    memory: jint,
) -> jint {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let setup = setup(env, verify, &cert, &key, &password, &ca, &ciphers, memory)?;
        let Core::Server(s) = &sh.core else {
            return Err(Fail::Arg("not a server".into()));
        };
        Ok(s.add_ssl_context(&setup)? as jint)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_bindSslServerName(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    name: JString,
    index: jint,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let name = jstr(env, &name)?.unwrap_or_default();
        let index = usize::try_from(index).map_err(|_| Fail::Arg("negative index".into()))?;
        let Core::Server(s) = &sh.core else {
            return Err(Fail::Arg("not a server".into()));
        };
        Ok(s.bind_ssl_server_name(&name, index)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_cleanupSsl(mut env: JNIEnv, _: JClass, h: jlong) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        match &sh.core {
            Core::Server(s) => s.cleanup_ssl_context(),
            Core::Agent(a) => a.cleanup_ssl_context(),
            Core::Client(c) => c.cleanup_ssl_context(),
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_startSslHandshake(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        match &sh.core {
            Core::Server(s) => s.start_ssl_handshake(conn as u64)?,
            Core::Agent(a) => a.start_ssl_handshake(conn as u64)?,
            Core::Client(c) => c.start_ssl_handshake()?,
        }
        Ok(())
    })
}

/// `{protocol, cipher}` of a connection's TLS session.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_sslInfo(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jstringArray {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let info = |s: &openssl::ssl::SslRef| {
            (
                s.version_str().to_string(),
                s.current_cipher()
                    .map(|c| c.name().to_string())
                    .unwrap_or_default(),
            )
        };
        let (version, cipher) = match &sh.core {
            Core::Server(s) => s.with_ssl_session(conn as u64, info)?,
            Core::Agent(a) => a.with_ssl_session(conn as u64, info)?,
            Core::Client(c) => c.with_ssl_session(info)?,
        };
        let arr = env.new_object_array(2, "java/lang/String", jni::objects::JObject::null())?;
        let v = env.new_string(version)?;
        let c = env.new_string(cipher)?;
        env.set_object_array_element(&arr, 0, v)?;
        env.set_object_array_element(&arr, 1, c)?;
        Ok(arr.into_raw())
    })
}

/// The peer's certificate (DER), or null when it sent none.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_sslPeerCertificate(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jbyteArray {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let der = |s: &openssl::ssl::SslRef| s.peer_certificate().and_then(|c| c.to_der().ok());
        let der = match &sh.core {
            Core::Server(s) => s.with_ssl_session(conn as u64, der)?,
            Core::Agent(a) => a.with_ssl_session(conn as u64, der)?,
            Core::Client(c) => c.with_ssl_session(der)?,
        };
        Ok(match der {
            Some(d) => env.byte_array_from_slice(&d)?.into_raw(),
            None => std::ptr::null_mut(),
        })
    })
}
