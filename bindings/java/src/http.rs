//! The HTTP entry points of `org.hpsocket.Native`: messages, sending, settings and the sync
//! client (the WebSocket mode's are in [`crate::websocket`]). The components are the TCP ones of model 3 ([`ReceiveModel::Http`]); the sync
//! client is role 5 (see [`crate::shell::Shell::new`]).
//!
//! [`ReceiveModel::Http`]: hpsocket_core::ReceiveModel::Http

use hpsocket_core::http::{HttpConfig, HttpMessage, RELEASE_DELAY_RANGE};
use hpsocket_core::Error;
use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jobjectArray, JNI_TRUE};
use jni::JNIEnv;

use crate::args::{jstr, shell};
use crate::entry::{run, Fail, R};
use crate::jtypes::{jstringArray, JStringArray};
use crate::shell::{multi, Core};

/// `HUF_PATH`, `HUF_QUERY`: the URL fields the Java view shows.
const HUF_PATH: usize = 3;
const HUF_QUERY: usize = 4;

/// A `String[]` from Rust strings.
fn string_array(env: &mut JNIEnv, items: &[String]) -> R<jobjectArray> {
    let arr = env.new_object_array(
        items.len() as jint,
        "java/lang/String",
        jni::objects::JObject::null(),
    )?;
    for (i, s) in items.iter().enumerate() {
        let js = env.new_string(s)?;
        env.set_object_array_element(&arr, i as jint, &js)?;
        env.delete_local_ref(js)?;
    }
    Ok(arr.into_raw())
}

/// Flat `name, value, name, value, ...` headers from Java (null: none).
pub(crate) fn headers(env: &mut JNIEnv, arr: &JObjectArray) -> R<Vec<(String, String)>> {
    if arr.is_null() {
        return Ok(Vec::new());
    }
    let n = env.get_array_length(arr)?;
    if n % 2 != 0 {
        return Err(Fail::Arg("headers must be name, value pairs".into()));
    }
    let mut v = Vec::with_capacity(n as usize / 2);
    for i in (0..n).step_by(2) {
        let name = JString::from(env.get_object_array_element(arr, i)?);
        let value = JString::from(env.get_object_array_element(arr, i + 1)?);
        let name = jstr(env, &name)?.ok_or_else(|| Fail::Arg("null header name".into()))?;
        let value = jstr(env, &value)?.unwrap_or_default();
        v.push((name, value));
    }
    Ok(v)
}

fn bytes(env: &mut JNIEnv, arr: &JByteArray) -> R<Vec<u8>> {
    if arr.is_null() {
        return Ok(Vec::new());
    }
    Ok(env.convert_byte_array(arr)?)
}

/// The message as `Native.httpMessage` hands it over: method, url, path, query, reason,
/// status, version, keep-alive (0/1), upgrade type, content length, host, the header count
/// and the headers (name, value), the cookie count and the cookies.
fn message_strings(m: &HttpMessage) -> Vec<String> {
    let s = |c: &std::ffi::CStr| c.to_string_lossy().into_owned();
    let field = |i| m.url_field(i).map(s).unwrap_or_default();
    let mut v = vec![
        s(m.method()),
        s(m.url()),
        field(HUF_PATH),
        field(HUF_QUERY),
        s(m.reason()),
        m.status().to_string(),
        m.version().to_string(),
        (m.is_keep_alive() as i32).to_string(),
        (m.upgrade_type() as i32).to_string(),
        m.content_length().to_string(),
        m.host().map(s).unwrap_or_default(),
        m.headers().len().to_string(),
    ];
    for (n, val) in m.headers() {
        v.push(s(n));
        v.push(s(val));
    }
    v.push(m.cookies().len().to_string());
    for (n, val) in m.cookies() {
        v.push(s(n));
        v.push(s(val));
    }
    v
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpMessage(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jstringArray {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let m = multi!(sh, s => s.http_message(conn as u64)?, c => c.http_message()?);
        string_array(env, &message_strings(&m))
    })
}

/// `{code, description}` of the parse error that ended the connection's HTTP, or null.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpParseError(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) -> jstringArray {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let e = multi!(sh, s => s.http_parse_error(conn as u64)?, c => c.http_parse_error()?);
        match e {
            Some(e) => string_array(
                env,
                &[
                    e.code.to_string(),
                    e.description.to_string_lossy().into_owned(),
                ],
            ),
            None => Ok(std::ptr::null_mut()),
        }
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpStart(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        Ok(multi!(sh, s => s.start_http(conn as u64), c => c.start_http())?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpSendChunk(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    data: JByteArray,
    extensions: JString,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let data = bytes(env, &data)?;
        let ext = jstr(env, &extensions)?;
        let ext = ext.as_deref();
        Ok(multi!(sh,
            s => s.send_chunk_data(conn as u64, &data, ext),
            c => c.send_chunk_data(&data, ext))?)
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_httpSendResponse(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    status: jint,
    reason: JString,
    hdrs: JStringArray,
    body: JByteArray,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let status = u16::try_from(status)
            .map_err(|_| Fail::Arg(format!("status {status} is not 0..=65535")))?;
        let reason = jstr(env, &reason)?;
        let hdrs = headers(env, &hdrs)?;
        let body = bytes(env, &body)?;
        let list: Vec<(&str, &str)> = hdrs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let Core::Server(s) = &sh.core else {
            return Err(Fail::Arg("not a server".into()));
        };
        Ok(s.send_response(conn as u64, status, reason.as_deref(), &list, &body)?)
    })
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_httpSendRequest(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
    method: JString,
    path: JString,
    hdrs: JStringArray,
    body: JByteArray,
) {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let method = jstr(env, &method)?.ok_or_else(|| Fail::Arg("null method".into()))?;
        let path = jstr(env, &path)?.unwrap_or_else(|| "/".into());
        let hdrs = headers(env, &hdrs)?;
        let body = bytes(env, &body)?;
        let list: Vec<(&str, &str)> = hdrs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        Ok(match &sh.core {
            Core::Agent(a) => a.send_request(conn as u64, &method, &path, &list, &body),
            Core::Client(c) => c.send_request(&method, &path, &list, &body),
            Core::Server(_) => return Err(Fail::Arg("not an agent or client".into())),
        }?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpRelease(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    conn: jlong,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        let Core::Server(s) = &sh.core else {
            return Err(Fail::Arg("not a server".into()));
        };
        Ok(s.release(conn as u64)?)
    })
}

// ---- settings: 0 local version, 1 release delay, 2 auto start, 3 use cookie, 4 WebSocket
// mode, 5 WebSocket max message; sync client: 10 connect timeout, 11 request timeout -------

fn http_config(core: &Core) -> Result<HttpConfig, Error> {
    match core {
        Core::Server(s) => s.http_config(),
        Core::Agent(a) => a.http_config(),
        Core::Client(c) => c.http_config(),
    }
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpGetSetting(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    key: jint,
) -> jlong {
    run(&mut env, |_| {
        let sh = shell(h)?;
        if let (10 | 11, Some(sync)) = (key, &sh.sync) {
            return Ok(if key == 10 {
                sync.connect_timeout()
            } else {
                sync.request_timeout()
            } as jlong);
        }
        let c = http_config(&sh.core)?;
        Ok(match key {
            0 => c.local_version as jlong,
            1 => c.release_delay as jlong,
            2 => c.auto_start as jlong,
            3 => c.use_cookie as jlong,
            4 => c.ws_mode as jlong,
            5 => c.ws_max_message as jlong,
            _ => return Err(Fail::Arg(format!("unknown HTTP setting {key}"))),
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_httpSetSetting(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    key: jint,
    value: jlong,
) {
    run(&mut env, |_| {
        let sh = shell(h)?;
        if let (10 | 11, Some(sync)) = (key, &sh.sync) {
            let ms = u32::try_from(value)
                .map_err(|_| Fail::Arg(format!("timeout {value} is not 0..=4294967295")))?;
            if key == 10 {
                sync.set_connect_timeout(ms);
            } else {
                sync.set_request_timeout(ms);
            }
            return Ok(());
        }
        if key == 0 && value != 0x0001 && value != 0x0101 {
            return Err(Error::invalid_param(format!(
                "local version {value:#06x} is neither HTTP/1.0 nor HTTP/1.1"
            ))
            .into());
        }
        // A message reaches Java as one ByteBuffer, whose size is an int.
        if key == 5 && !(1..=i32::MAX as i64).contains(&value) {
            return Err(Error::invalid_param(format!(
                "WebSocket max message size {value} is outside 1..=2147483647"
            ))
            .into());
        }
        if !(0..=5).contains(&key) {
            return Err(Fail::Arg(format!("unknown HTTP setting {key}")));
        }
        let f = |c: &mut HttpConfig| match key {
            0 => c.local_version = value as u16,
            1 => {
                c.release_delay = value.clamp(
                    *RELEASE_DELAY_RANGE.start() as i64,
                    *RELEASE_DELAY_RANGE.end() as i64,
                ) as u32
            }
            2 => c.auto_start = value != 0,
            3 => c.use_cookie = value != 0,
            4 => c.ws_mode = value != 0,
            _ => c.ws_max_message = value as u32,
        };
        Ok(match &sh.core {
            Core::Server(s) => s.update_http_config(f),
            Core::Agent(a) => a.update_http_config(f),
            Core::Client(c) => c.update_http_config(f),
        }?)
    })
}

// ---- sync client ---------------------------------------------------------------------------

fn sync(h: jlong) -> R<&'static hpsocket_core::http::HttpSyncClient> {
    shell(h)?
        .sync
        .as_ref()
        .ok_or_else(|| Fail::Arg("not an HTTP sync client".into()))
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_org_hpsocket_Native_syncOpenUrl(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
    method: JString,
    url: JString,
    hdrs: JStringArray,
    body: JByteArray,
    force_reconnect: jboolean,
) {
    run(&mut env, |env| {
        let sync = sync(h)?;
        let method = jstr(env, &method)?.ok_or_else(|| Fail::Arg("null method".into()))?;
        let url = jstr(env, &url)?.ok_or_else(|| Fail::Arg("null url".into()))?;
        let hdrs = headers(env, &hdrs)?;
        let body = bytes(env, &body)?;
        let list: Vec<(&str, &str)> = hdrs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        *shell(h)?
            .bridge
            .last_message
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
        Ok(sync.open_url(&method, &url, &list, &body, force_reconnect == JNI_TRUE)?)
    })
}

/// The head of the sync client's last complete response (kept by the bridge: the core drops
/// it with the connection), or the client's current message.
#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_syncMessage(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jstringArray {
    run(&mut env, |env| {
        let sh = shell(h)?;
        let kept = sh
            .bridge
            .last_message
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let m = match (kept, &sh.core) {
            (Some(m), _) => m,
            (None, Core::Client(c)) => c.http_message()?,
            (None, _) => return Err(Fail::Arg("not a client".into())),
        };
        string_array(env, &message_strings(&m))
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_syncResponseBody(
    mut env: JNIEnv,
    _: JClass,
    h: jlong,
) -> jbyteArray {
    run(&mut env, |env| {
        let sync = sync(h)?;
        let arr = sync.with_response_body(|b| env.byte_array_from_slice(b))?;
        Ok(arr.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_hpsocket_Native_syncCleanup(mut env: JNIEnv, _: JClass, h: jlong) {
    run(&mut env, |_| {
        sync(h)?.cleanup_request_result();
        *shell(h)?
            .bridge
            .last_message
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    })
}
