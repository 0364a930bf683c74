//! The HTTP components in C: `Create_HP_Http*`/`Create_HP_Https*` and the `HP_HttpServer_*`,
//! `HP_HttpAgent_*`, `HP_HttpClient_*` and `HP_HttpSyncClient_*` operations, one function per
//! operation whatever the family (a client ignores the connection ID).
//!
//! Texts handed to C (`GetHeader`, `GetUrlField`, ...) point into the connection's parsed
//! message, which the core keeps until two messages later: valid at least until the next
//! message on that connection begins, as HP-Socket documents.

use std::ffi::{c_int, CStr};
use std::sync::Arc;

use hpsocket_core::http::{HttpConfig, HttpMessage, HttpSyncClient, ParseFailure, WsFrameState};
use hpsocket_core::{ConnId, ReceiveModel, TcpAgent, TcpClient, TcpServer};

use crate::args;
use crate::handle::Kind;
use crate::last_error::{FfiError, Result};
use crate::object::{self, Family, Shape};
use crate::types::*;

/// An HTTP component of any family.
enum Http<'a> {
    Server(&'a TcpServer),
    Agent(&'a TcpAgent),
    Client(&'a TcpClient),
}

impl Http<'_> {
    fn message(&self, id: ConnId) -> hpsocket_core::Result<Arc<HttpMessage>> {
        match self {
            Http::Server(s) => s.http_message(id),
            Http::Agent(a) => a.http_message(id),
            Http::Client(c) => c.http_message(),
        }
    }

    fn parse_error(&self, id: ConnId) -> hpsocket_core::Result<Option<Arc<ParseFailure>>> {
        match self {
            Http::Server(s) => s.http_parse_error(id),
            Http::Agent(a) => a.http_parse_error(id),
            Http::Client(c) => c.http_parse_error(),
        }
    }

    fn start_http(&self, id: ConnId) -> hpsocket_core::Result<()> {
        match self {
            Http::Server(s) => s.start_http(id),
            Http::Agent(a) => a.start_http(id),
            Http::Client(c) => c.start_http(),
        }
    }

    fn send_chunk(&self, id: ConnId, data: &[u8], ext: Option<&str>) -> hpsocket_core::Result<()> {
        match self {
            Http::Server(s) => s.send_chunk_data(id, data, ext),
            Http::Agent(a) => a.send_chunk_data(id, data, ext),
            Http::Client(c) => c.send_chunk_data(data, ext),
        }
    }

    fn send_request(
        &self,
        id: ConnId,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> hpsocket_core::Result<()> {
        match self {
            Http::Agent(a) => a.send_request(id, method, path, headers, body),
            Http::Client(c) => c.send_request(method, path, headers, body),
            Http::Server(_) => Err(hpsocket_core::Error::invalid_param(
                "a server sends responses, not requests",
            )),
        }
    }

    fn send_local_file(
        &self,
        id: ConnId,
        file: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> hpsocket_core::Result<()> {
        match self {
            Http::Agent(a) => a.send_local_file(id, file, method, path, headers),
            Http::Client(c) => c.send_local_file(file, method, path, headers),
            Http::Server(_) => Err(hpsocket_core::Error::invalid_param(
                "a server sends responses, not requests",
            )),
        }
    }

    fn ws_close(&self, id: ConnId, code: u16, reason: &str) -> hpsocket_core::Result<()> {
        match self {
            Http::Server(s) => s.ws_close(id, code, reason),
            Http::Agent(a) => a.ws_close(id, code, reason),
            Http::Client(c) => c.ws_close(code, reason),
        }
    }

    fn config(&self) -> hpsocket_core::Result<HttpConfig> {
        match self {
            Http::Server(s) => s.http_config(),
            Http::Agent(a) => a.http_config(),
            Http::Client(c) => c.http_config(),
        }
    }

    fn update_config(&self, f: impl FnOnce(&mut HttpConfig)) -> hpsocket_core::Result<()> {
        match self {
            Http::Server(s) => s.update_http_config(f),
            Http::Agent(a) => a.update_http_config(f),
            Http::Client(c) => c.update_http_config(f),
        }
    }
}

/// Runs `f` on the HTTP component `p` of `shape`'s family.
fn with<T>(shape: Shape, p: HP_Object, f: impl FnOnce(Http<'_>) -> Result<T>) -> Result<T> {
    match shape.family() {
        Family::Server => object::with_server(shape, p, |_, c| f(Http::Server(&c.inner))),
        Family::Agent => object::with_agent(shape, p, |_, c| f(Http::Agent(&c.inner))),
        Family::Client => object::with_client(shape, p, |_, c| f(Http::Client(&c.inner))),
    }
}

/// Runs `f` on the message connection `id` parsed last.
pub(crate) fn with_message<T>(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    f: impl FnOnce(&HttpMessage) -> Result<T>,
) -> Result<T> {
    with(shape, p, |h| {
        let message = h.message(conn_id(id))?;
        f(&message)
    })
}

/// A text of the message for C (NULL when absent).
pub(crate) fn text(t: Option<&CStr>) -> LPCSTR {
    t.map_or(std::ptr::null(), CStr::as_ptr)
}

/// Changes an HTTP setting (allowed while running).
pub(crate) fn set(shape: Shape, p: HP_Object, f: impl FnOnce(&mut HttpConfig)) -> Result<()> {
    with(shape, p, |h| Ok(h.update_config(f)?))
}

/// Reads an HTTP setting.
pub(crate) fn get<T>(shape: Shape, p: HP_Object, f: impl FnOnce(&HttpConfig) -> T) -> Result<T> {
    with(shape, p, |h| Ok(f(&h.config()?)))
}

/// `En_HP_HttpVersion` from C: `HV_1_0` or `HV_1_1`.
pub(crate) fn version(v: En_HP_HttpVersion) -> Result<u16> {
    match v {
        HV_1_0 | HV_1_1 => Ok(v as u16),
        _ => Err(FfiError::invalid(format!(
            "usVersion {v:#x} is neither HV_1_0 nor HV_1_1"
        ))),
    }
}

/// `En_HP_HttpUrlField` from C: `HUF_SCHEMA`..`HUF_USERINFO`.
pub(crate) fn url_field(f: En_HP_HttpUrlField) -> Result<usize> {
    match usize::try_from(f) {
        Ok(i) if f < HUF_MAX => Ok(i),
        _ => Err(FfiError::invalid(format!(
            "enField {f} is not an En_HP_HttpUrlField value (0..{HUF_MAX})"
        ))),
    }
}

/// Creates an HTTP sync client (`Create_HP_HttpSyncClient`, `Create_HP_HttpsSyncClient`):
/// the listener is optional.
pub(crate) fn create_sync(
    function: &'static str,
    kind: Kind,
    listener: HP_HttpClientListener,
    secure: bool,
) -> HP_Object {
    crate::client::create_with_optional(function, kind, listener, |adapter| {
        HttpSyncClient::new(adapter, secure).client().clone()
    })
}

/// The model of every HTTP component.
pub(crate) const MODEL: ReceiveModel = ReceiveModel::Http;

/// A header as the core takes it.
type Header<'a> = (&'a str, &'a str);

/// How many headers a list holds without allocating: a response or request rarely has more.
const INLINE_HEADERS: usize = 8;

/// The headers of one call, borrowed from C: up to [`INLINE_HEADERS`] on the stack (the
/// allocation and free of a `Vec` were a tenth of a small response's C-layer cost), more in
/// a `Vec`. Derefs to the slice the core takes.
#[allow(clippy::large_enum_variant)] // on the stack on purpose: that is the point of it
enum Headers<'a> {
    Inline([Header<'a>; INLINE_HEADERS], usize),
    Heap(Vec<Header<'a>>),
}

impl<'a> std::ops::Deref for Headers<'a> {
    type Target = [Header<'a>];

    fn deref(&self) -> &[Header<'a>] {
        match self {
            Headers::Inline(list, len) => &list[..*len],
            Headers::Heap(list) => list,
        }
    }
}

/// The headers C passes (`const HP_THeader lpHeaders[], int iHeaderCount`), as texts borrowed
/// for the call: no copy, and an argument name is only worded for an error.
///
/// # Safety
/// `p` is NULL or points to `count` readable `HP_THeader`s whose texts are NULL or
/// NUL-terminated, all readable and unchanged for `'a` (the call).
#[inline(always)] // built in the caller's frame: the list is not copied out
unsafe fn headers<'a>(p: *const HP_THeader, count: c_int) -> Result<Headers<'a>> {
    if count < 0 {
        return Err(FfiError::invalid(format!(
            "iHeaderCount is {count}, below 0"
        )));
    }
    if count > 0 && p.is_null() {
        return Err(FfiError::invalid(format!(
            "lpHeaders is NULL with iHeaderCount {count}"
        )));
    }
    let header = |i: usize| -> Result<Header<'a>> {
        // SAFETY: `i < count`, readable per this function's contract.
        let h = unsafe { std::ptr::read_unaligned(p.add(i)) };
        // SAFETY: per this function's contract.
        let name = unsafe { args::opt_str_ref(h.name, || format!("lpHeaders[{i}].name")) }?
            .ok_or_else(|| FfiError::invalid(format!("lpHeaders[{i}].name is NULL")))?;
        // SAFETY: per this function's contract.
        let value = unsafe { args::opt_str_ref(h.value, || format!("lpHeaders[{i}].value")) }?;
        Ok((name, value.unwrap_or_default()))
    };
    let count = count as usize;
    if count <= INLINE_HEADERS {
        let mut list = [("", ""); INLINE_HEADERS];
        for (i, slot) in list[..count].iter_mut().enumerate() {
            *slot = header(i)?;
        }
        Ok(Headers::Inline(list, count))
    } else {
        (0..count)
            .map(header)
            .collect::<Result<_>>()
            .map(Headers::Heap)
    }
}

/// `HP_HttpServer_SendResponse`.
///
/// # Safety
/// `desc` is NULL or NUL-terminated; `headers` as in [`headers`]; `data` holds `len`
/// readable bytes (NULL with 0).
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn send_response(
    p: HP_HttpServer,
    id: HP_CONNID,
    status: USHORT,
    desc: LPCSTR,
    hdrs: *const HP_THeader,
    count: c_int,
    data: *const BYTE,
    len: c_int,
) -> Result<BOOL> {
    object::with_server(Shape::HttpServer, p, |_, c| {
        // SAFETY: per this function's contract.
        let desc = unsafe { args::opt_str(desc, "lpszDesc") }?;
        // SAFETY: per this function's contract.
        let hdrs = unsafe { headers(hdrs, count) }?;
        // SAFETY: per this function's contract.
        let body = unsafe { args::bytes(data, len, "pData") }?;
        c.inner
            .send_response(conn_id(id), status, desc.as_deref(), &hdrs, body)?;
        Ok(TRUE)
    })
}

/// `HP_HttpServer_SendLocalFile`.
///
/// # Safety
/// `file` is a NUL-terminated path; the rest as in [`send_response`].
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn send_local_file_response(
    p: HP_HttpServer,
    id: HP_CONNID,
    file: LPCSTR,
    status: USHORT,
    desc: LPCSTR,
    hdrs: *const HP_THeader,
    count: c_int,
) -> Result<BOOL> {
    object::with_server(Shape::HttpServer, p, |_, c| {
        // SAFETY: per this function's contract.
        let file = unsafe { args::req_str(file, "lpszFileName") }?;
        // SAFETY: per this function's contract.
        let desc = unsafe { args::opt_str(desc, "lpszDesc") }?;
        // SAFETY: per this function's contract.
        let hdrs = unsafe { headers(hdrs, count) }?;
        c.inner
            .send_local_file(conn_id(id), file, status, desc.as_deref(), &hdrs)?;
        Ok(TRUE)
    })
}

/// `HP_HttpServer_Release`.
pub(crate) fn release(p: HP_HttpServer, id: HP_CONNID) -> Result<BOOL> {
    object::with_server(Shape::HttpServer, p, |_, c| {
        c.inner.release(conn_id(id))?;
        Ok(TRUE)
    })
}

/// `HP_Http*_StartHttp`.
pub(crate) fn start_http(shape: Shape, p: HP_Object, id: HP_CONNID) -> Result<BOOL> {
    with(shape, p, |h| {
        h.start_http(conn_id(id))?;
        Ok(TRUE)
    })
}

/// `HP_Http*_SendChunkData`.
///
/// # Safety
/// `data` holds `len` readable bytes (NULL with 0); `ext` is NULL or NUL-terminated.
pub(crate) unsafe fn send_chunk(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    data: *const BYTE,
    len: c_int,
    ext: LPCSTR,
) -> Result<BOOL> {
    with(shape, p, |h| {
        // SAFETY: per this function's contract.
        let data = unsafe { args::bytes(data, len, "pData") }?;
        // SAFETY: per this function's contract.
        let ext = unsafe { args::opt_str(ext, "lpszExtensions") }?;
        h.send_chunk(conn_id(id), data, ext.as_deref())?;
        Ok(TRUE)
    })
}

/// `HP_Http{Agent,Client}_SendRequest` and the `Send<Method>` helpers (`method` given).
///
/// # Safety
/// `method` and `path` are NUL-terminated; `hdrs` as in [`headers`]; `body` holds `len`
/// readable bytes (NULL with 0).
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn send_request(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    method: LPCSTR,
    path: LPCSTR,
    hdrs: *const HP_THeader,
    count: c_int,
    body: *const BYTE,
    len: c_int,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let method = unsafe { args::req_str(method, "lpszMethod") }?;
    // SAFETY: per this function's contract.
    unsafe { send_method(shape, p, id, &method, path, hdrs, count, body, len) }
}

/// A request of a method the caller names in Rust (`SendGet` and the like).
///
/// # Safety
/// As [`send_request`].
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn send_method(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    method: &str,
    path: LPCSTR,
    hdrs: *const HP_THeader,
    count: c_int,
    body: *const BYTE,
    len: c_int,
) -> Result<BOOL> {
    with(shape, p, |h| {
        // SAFETY: per this function's contract.
        let path = unsafe { args::req_str(path, "lpszPath") }?;
        // SAFETY: per this function's contract.
        let hdrs = unsafe { headers(hdrs, count) }?;
        // SAFETY: per this function's contract.
        let body = unsafe { args::bytes(body, len, "pBody") }?;
        h.send_request(conn_id(id), method, &path, &hdrs, body)?;
        Ok(TRUE)
    })
}

/// `HP_Http{Agent,Client}_SendLocalFile`.
///
/// # Safety
/// `file`, `method` and `path` are NUL-terminated; `hdrs` as in [`headers`].
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn send_local_file_request(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    file: LPCSTR,
    method: LPCSTR,
    path: LPCSTR,
    hdrs: *const HP_THeader,
    count: c_int,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let file = unsafe { args::req_str(file, "lpszFileName") }?;
    // SAFETY: per this function's contract.
    let method = unsafe { args::req_str(method, "lpszMethod") }?;
    with(shape, p, |h| {
        // SAFETY: per this function's contract.
        let path = unsafe { args::req_str(path, "lpszPath") }?;
        // SAFETY: per this function's contract.
        let hdrs = unsafe { headers(hdrs, count) }?;
        h.send_local_file(conn_id(id), &file, &method, &path, &hdrs)?;
        Ok(TRUE)
    })
}

/// `GetParseErrorCode`: the code, and its text through `desc` when not NULL.
///
/// # Safety
/// `desc` is NULL or writable.
pub(crate) unsafe fn parse_error_code(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    desc: *mut LPCSTR,
) -> Result<USHORT> {
    with(shape, p, |h| {
        let failure = h.parse_error(conn_id(id))?;
        if !desc.is_null() {
            let text = failure
                .as_ref()
                .map_or(std::ptr::null(), |f| f.description.as_ptr());
            // SAFETY: non-NULL and writable per this function's contract.
            unsafe { std::ptr::write_unaligned(desc, text) };
        }
        Ok(failure.map_or(0, |f| f.code as USHORT))
    })
}

/// `GetHeader`/`GetCookie`: the first value of `name` through `value`.
///
/// # Safety
/// `name` is NUL-terminated; `value` is writable.
pub(crate) unsafe fn lookup(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    name: LPCSTR,
    value: *mut LPCSTR,
    find: impl for<'m> FnOnce(&'m HttpMessage, &str) -> Option<&'m CStr>,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let name = unsafe { args::req_str(name, "lpszName") }?;
    let out = args::out(value, "lpszValue")?;
    with_message(shape, p, id, |m| match find(m, &name) {
        Some(v) => {
            // SAFETY: writable per this function's contract.
            unsafe { out.set(v.as_ptr()) };
            Ok(TRUE)
        }
        None => Err(FfiError::new(
            SE_INVALID_PARAM,
            libc::ENOENT,
            format!("the message has no {name:?}"),
        )),
    })
}

/// `GetHeaders`: every value of header `name`, count-query style.
///
/// # Safety
/// `name` is NUL-terminated; `values` is NULL or writable for `*count` pointers; `count`
/// is readable and writable.
pub(crate) unsafe fn header_values(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    name: LPCSTR,
    values: *mut LPCSTR,
    count: *mut DWORD,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let name = unsafe { args::req_str(name, "lpszName") }?;
    with_message(shape, p, id, |m| {
        let found: Vec<LPCSTR> = m.header_values(&name).map(CStr::as_ptr).collect();
        // SAFETY: per this function's contract.
        unsafe { args::list_out(&found, values, count, "lpszValue") }
    })
}

/// `GetAllHeaders`/`GetAllCookies`: name/value pairs, count-query style.
///
/// # Safety
/// `out` is NULL or writable for `*count` pairs; `count` is readable and writable.
pub(crate) unsafe fn all_pairs(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    out: *mut HP_TNVPair,
    count: *mut DWORD,
    cookies: bool,
) -> Result<BOOL> {
    with_message(shape, p, id, |m| {
        let list = if cookies { m.cookies() } else { m.headers() };
        let found: Vec<HP_TNVPair> = list
            .iter()
            .map(|(n, v)| HP_TNVPair {
                name: n.as_ptr(),
                value: v.as_ptr(),
            })
            .collect();
        // SAFETY: per this function's contract.
        unsafe { args::list_out(&found, out, count, "the array") }
    })
}

/// `GetAllHeaderNames`.
///
/// # Safety
/// As [`all_pairs`], for name pointers.
pub(crate) unsafe fn header_names(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    out: *mut LPCSTR,
    count: *mut DWORD,
) -> Result<BOOL> {
    with_message(shape, p, id, |m| {
        let found: Vec<LPCSTR> = m.header_names().map(CStr::as_ptr).collect();
        // SAFETY: per this function's contract.
        unsafe { args::list_out(&found, out, count, "lpszName") }
    })
}

/// `HP_Http*_SendWSMessage`. `mask` (agents and clients) is NULL or 4 readable bytes.
///
/// # Safety
/// `mask` is NULL or points to 4 readable bytes; `data` holds `len` readable bytes (NULL
/// with 0).
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn send_ws(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    fin: BOOL,
    reserved: BYTE,
    opcode: BYTE,
    mask: *const BYTE,
    data: *const BYTE,
    len: c_int,
    body_len: ULONGLONG,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let key =
        (!mask.is_null()).then(|| unsafe { std::ptr::read_unaligned(mask.cast::<[u8; 4]>()) });
    // SAFETY: per this function's contract.
    let data = unsafe { args::bytes(data, len, "pData") }?;
    let (fin, id) = (args::flag(fin), conn_id(id));
    with(shape, p, |h| {
        match h {
            Http::Server(s) => s.send_ws_message(id, fin, reserved, opcode, data, body_len),
            Http::Agent(a) => a.send_ws_message(id, fin, reserved, opcode, key, data, body_len),
            Http::Client(c) => c.send_ws_message(fin, reserved, opcode, key, data, body_len),
        }?;
        Ok(TRUE)
    })
}

/// `HPX_Http*_SetWSMaxMessageSize`: 1..=2^31-1 bytes (a message reaches C with an `int`
/// length).
pub(crate) fn set_ws_max_message(shape: Shape, p: HP_Object, size: DWORD) -> Result<BOOL> {
    with(shape, p, |h| {
        if size == 0 || size > i32::MAX as DWORD {
            return Err(FfiError::invalid(format!(
                "dwMaxSize: {size} is outside 1..=2147483647"
            )));
        }
        h.update_config(|c| c.ws_max_message = size)?;
        Ok(TRUE)
    })
}

/// `HPX_Http*_SetWSProtocols`: comma-separated HTTP tokens; NULL or empty clears.
///
/// # Safety
/// `list` is NULL or a valid text.
pub(crate) unsafe fn set_ws_protocols(shape: Shape, p: HP_Object, list: LPCSTR) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let list = unsafe { args::opt_str(list, "lpszProtocols") }?.unwrap_or_default();
    let names: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    // RFC 7230's token characters: what a header list item may be without quoting.
    let token = |n: &str| {
        n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    with(shape, p, |h| {
        if let Some(bad) = names.iter().find(|n| !token(n)) {
            return Err(FfiError::invalid(format!(
                "lpszProtocols: {bad:?} is not an HTTP token"
            )));
        }
        h.update_config(|c| c.ws_protocols = names)?;
        Ok(TRUE)
    })
}

/// `HPX_Http*_GetWSProtocol`.
///
/// # Safety
/// As [`args::text_out`].
pub(crate) unsafe fn ws_protocol(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    buf: *mut TCHAR,
    len: *mut c_int,
) -> Result<BOOL> {
    with(shape, p, |h| {
        let protocol = match h {
            Http::Server(s) => s.ws_protocol(conn_id(id)),
            Http::Agent(a) => a.ws_protocol(conn_id(id)),
            Http::Client(c) => c.ws_protocol(),
        }?;
        // SAFETY: per this function's contract.
        unsafe { args::text_out(protocol.as_deref().unwrap_or(""), buf, len, "lpszBuffer") }?;
        Ok(TRUE)
    })
}

/// `HPX_Http{Agent,Client}_SendWSUpgrade`.
///
/// # Safety
/// `path` is a valid text; `hdrs` holds `count` readable headers (NULL with 0).
pub(crate) unsafe fn send_ws_upgrade(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    path: LPCSTR,
    hdrs: *const HP_THeader,
    count: c_int,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let path = unsafe { args::req_str(path, "lpszPath") }?;
    // SAFETY: per this function's contract.
    let hdrs = unsafe { headers(hdrs, count) }?;
    with(shape, p, |h| {
        match h {
            Http::Agent(a) => a.send_ws_upgrade(conn_id(id), &path, &hdrs),
            Http::Client(c) => c.send_ws_upgrade(&path, &hdrs),
            Http::Server(_) => Err(hpsocket_core::Error::invalid_param(
                "a server answers upgrades, it does not ask for them",
            )),
        }?;
        Ok(TRUE)
    })
}

/// `HPX_Http*_SendWSClose`.
///
/// # Safety
/// `reason` is NULL or a valid text.
pub(crate) unsafe fn send_ws_close(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    code: USHORT,
    reason: LPCSTR,
) -> Result<BOOL> {
    // SAFETY: per this function's contract.
    let reason = unsafe { args::opt_str(reason, "lpszReason") }?.unwrap_or_default();
    with(shape, p, |h| {
        h.ws_close(conn_id(id), code, &reason)?;
        Ok(TRUE)
    })
}

/// `HP_Http*_GetWSMessageState`: each out-parameter may be NULL. FALSE before the first
/// frame of a WebSocket connection. The mask pointer stays valid while the connection
/// lives; its bytes are the current frame's.
///
/// # Safety
/// Every pointer is NULL or writable for its type.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn ws_state(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    fin: *mut BOOL,
    reserved: *mut BYTE,
    opcode: *mut BYTE,
    mask: *mut LPCBYTE,
    body_len: *mut ULONGLONG,
    remain: *mut ULONGLONG,
) -> Result<BOOL> {
    /// Writes `v` through `p` unless it is NULL.
    ///
    /// # Safety
    /// `p` is NULL or writable.
    unsafe fn put<T>(p: *mut T, v: T) {
        if !p.is_null() {
            // SAFETY: per this function's contract.
            unsafe { std::ptr::write_unaligned(p, v) };
        }
    }
    let write = |state: Option<&WsFrameState>| {
        let Some(state) = state else {
            return Err(FfiError::new(
                SE_INVALID_PARAM,
                libc::ENODATA,
                "no WebSocket frame on this connection yet",
            ));
        };
        let head = &state.head;
        // SAFETY: per this function's contract; the mask pointer points into the
        // connection's state, which outlives the call.
        unsafe {
            put(fin, to_bool(head.fin));
            put(reserved, head.reserved);
            put(opcode, head.opcode);
            put(
                mask,
                head.mask.as_ref().map_or(std::ptr::null(), |m| m.as_ptr()),
            );
            put(body_len, head.len as ULONGLONG);
            put(remain, state.remaining as ULONGLONG);
        }
        Ok(TRUE)
    };
    let id = conn_id(id);
    with(shape, p, |h| match h {
        Http::Server(s) => s.with_ws_message_state(id, write)?,
        Http::Agent(a) => a.with_ws_message_state(id, write)?,
        Http::Client(c) => c.with_ws_message_state(write)?,
    })
}

/// Runs `f` on the HTTP sync client `p`.
pub(crate) fn with_sync<T>(
    p: HP_Object,
    f: impl FnOnce(&HttpSyncClient) -> Result<T>,
) -> Result<T> {
    object::with_client(
        Shape::HttpSyncClient,
        p,
        |_, c| match HttpSyncClient::from_client(&c.inner) {
            Some(sync) => f(&sync),
            None => Err(FfiError::invalid(
                "an HTTP client, not an HTTP sync client (Create_HP_HttpSyncClient makes those)",
            )),
        },
    )
}

/// `HP_HttpSyncClient_OpenUrl`.
///
/// # Safety
/// `method` and `url` are NUL-terminated; `hdrs` as in [`headers`]; `body` holds `len`
/// readable bytes (NULL with 0).
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn open_url(
    p: HP_HttpSyncClient,
    method: LPCSTR,
    url: LPCSTR,
    hdrs: *const HP_THeader,
    count: c_int,
    body: *const BYTE,
    len: c_int,
    force: BOOL,
) -> Result<BOOL> {
    with_sync(p, |sync| {
        // SAFETY: per this function's contract.
        let method = unsafe { args::req_str(method, "lpszMethod") }?;
        // SAFETY: per this function's contract.
        let url = unsafe { args::req_str(url, "lpszUrl") }?;
        // SAFETY: per this function's contract.
        let hdrs = unsafe { headers(hdrs, count) }?;
        // SAFETY: per this function's contract.
        let body = unsafe { args::bytes(body, len, "pBody") }?;
        sync.open_url(&method, &url, &hdrs, body, args::flag(force))?;
        Ok(TRUE)
    })
}

/// `HP_HttpSyncClient_GetResponseBody`: the body stays with the client until its next
/// request (or cleanup).
///
/// # Safety
/// `body` and `len` are writable.
pub(crate) unsafe fn response_body(
    p: HP_HttpSyncClient,
    body: *mut LPCBYTE,
    len: *mut c_int,
) -> Result<BOOL> {
    let body = args::out(body, "lpszBody")?;
    let len = args::out(len, "piLength")?;
    with_sync(p, |sync| {
        let (ptr, n) = sync.with_response_body(|b| (b.as_ptr(), b.len()));
        // SAFETY: writable per this function's contract.
        unsafe {
            body.set(ptr);
            len.set(c_len(n));
        }
        Ok(TRUE)
    })
}
