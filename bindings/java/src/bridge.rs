//! [`Bridge`]: the native side of every Java component, and [`JavaEvents`], the core's
//! event handler over it (one for every family). Each event the Java listener overrides goes
//! to `Component.dispatch` (see `org.hpsocket.Component`). The bridge keeps only a weak
//! reference to the Java object, and pins that object (a strong global ref) while the
//! component runs, so a running component is never collected and a stopped, forgotten one is
//! (its `Cleaner` then frees the native side).

use std::sync::{Arc, Mutex};

use hpsocket_core::http::{HttpEvent, HttpMessage, HttpParseResult};
use hpsocket_core::TcpClient;
use hpsocket_core::{ConnId, Event, EventHandler, EventMask, HandleResult, SocketOperation};
use jni::objects::{GlobalRef, WeakRef};

use crate::jvm;

// Event numbers shared with org.hpsocket.Component (EV_*); bit `1 << n` of the mask says the
// Java listener overrides that event.
pub(crate) const EV_PREPARE: i32 = 0;
pub(crate) const EV_ACCEPT: i32 = 1;
pub(crate) const EV_CONNECT: i32 = 2;
pub(crate) const EV_HANDSHAKE: i32 = 3;
pub(crate) const EV_SEND: i32 = 4;
pub(crate) const EV_RECEIVE: i32 = 5;
pub(crate) const EV_PULL_RECEIVE: i32 = 6;
pub(crate) const EV_SEND_DRAINED: i32 = 7;
pub(crate) const EV_CLOSE: i32 = 8;
pub(crate) const EV_SHUTDOWN: i32 = 9;
// HTTP events (Component.EV_HTTP_*); strings travel as UTF-8 in the buffer, two of them
// separated by a NUL (which no parsed head contains).
pub(crate) const EV_HTTP_MESSAGE_BEGIN: i32 = 10;
pub(crate) const EV_HTTP_REQUEST_LINE: i32 = 11;
pub(crate) const EV_HTTP_STATUS_LINE: i32 = 12;
pub(crate) const EV_HTTP_HEADER: i32 = 13;
pub(crate) const EV_HTTP_HEADERS_COMPLETE: i32 = 14;
pub(crate) const EV_HTTP_BODY: i32 = 15;
pub(crate) const EV_HTTP_CHUNK_HEADER: i32 = 16;
pub(crate) const EV_HTTP_CHUNK_COMPLETE: i32 = 17;
pub(crate) const EV_HTTP_MESSAGE_COMPLETE: i32 = 18;
pub(crate) const EV_HTTP_UPGRADE: i32 = 19;
pub(crate) const EV_HTTP_PARSE_ERROR: i32 = 20;
// The WebSocket mode's whole message: the opcode rides in the upper half of `arg` because
// the lower half carries the payload's length (see `jvm::dispatch_or`).
pub(crate) const EV_HTTP_WS_MESSAGE: i32 = 21;
// ARQ partial reliability: `arg` is the message id in the high 32 bits and its size in the
// low 32 (a message is at most 127 × 65512 bytes).
pub(crate) const EV_MESSAGE_DROPPED: i32 = 22;

/// The Java component's side of the core listener traits.
pub(crate) struct Bridge {
    target: WeakRef,
    mask: u32,
    is_client: bool,
    /// A strong ref to the Java component while it runs.
    pin: Mutex<Option<GlobalRef>>,
    /// HTTP sync clients: the client (cleared by `Shell::destroy`, which breaks the cycle
    /// client -> listener -> bridge -> client) and the head of its last complete response,
    /// kept because the core forgets it once a `Connection: close` response closed the
    /// connection (before `open_url` even returns).
    pub(crate) sync_client: Mutex<Option<TcpClient>>,
    pub(crate) last_message: Mutex<Option<Arc<HttpMessage>>>,
}

impl Bridge {
    pub(crate) fn new(target: WeakRef, mask: u32, is_client: bool) -> Bridge {
        Bridge {
            target,
            mask,
            is_client,
            pin: Mutex::new(None),
            sync_client: Mutex::new(None),
            last_message: Mutex::new(None),
        }
    }

    /// Identity used to tell "inside one of my callbacks".
    pub(crate) fn key(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }

    /// Pins the component unless it is pinned already; true when this call pinned it.
    pub(crate) fn pin(&self, strong: GlobalRef) -> bool {
        let mut pin = self.pin.lock().unwrap_or_else(|e| e.into_inner());
        if pin.is_some() {
            return false;
        }
        *pin = Some(strong);
        true
    }

    /// A strong ref to the Java component (`None` once it was collected).
    pub(crate) fn target_global(
        &self,
        env: &jni::JNIEnv,
    ) -> jni::errors::Result<Option<GlobalRef>> {
        self.target.upgrade_global(env)
    }

    pub(crate) fn unpin(&self) {
        let old = self.pin.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(old);
    }

    fn wants(&self, event: i32) -> bool {
        self.mask & (1 << event) != 0
    }

    fn call(&self, event: i32, conn: ConnId, arg: i64, data: Option<&[u8]>) -> HandleResult {
        if !self.wants(event) {
            return HandleResult::Ignore;
        }
        let key = self as *const Bridge as usize;
        let code = jvm::calling(key, || {
            jvm::dispatch(&self.target, key, event, conn, arg, data)
        });
        HandleResult::from_code(code)
    }

    /// An HTTP event: the Java listener's `HttpParseResult` code (`HPR_OK` when it does not
    /// override the event or the component is gone, `HPR_ERROR` when the upcall failed).
    fn http(&self, event: i32, conn: ConnId, arg: i64, data: Option<&[u8]>) -> HttpParseResult {
        if !self.wants(event) {
            return HttpParseResult::Ok;
        }
        let key = self as *const Bridge as usize;
        let code = jvm::calling(key, || {
            jvm::dispatch_or(&self.target, key, event, conn, arg, data, 0, -1)
        });
        HttpParseResult::from_code(code)
    }

    fn close(&self, conn: ConnId, operation: SocketOperation, error_code: i32) {
        let arg = ((operation as i64) << 32) | (error_code as u32 as i64);
        // Always dispatched: the Java side drops the connection's attachment there.
        let key = self as *const Bridge as usize;
        jvm::calling(key, || {
            jvm::dispatch(&self.target, key, EV_CLOSE, conn, arg, None);
        });
        if self.is_client {
            // A client's close is its last event: it stops by itself after it.
            jvm::release_target(key);
            self.unpin();
        }
    }

    fn shutdown(&self) {
        let key = self as *const Bridge as usize;
        jvm::calling(key, || {
            jvm::dispatch(&self.target, key, EV_SHUTDOWN, 0, 0, None);
        });
        jvm::release_target(key);
        self.unpin();
    }

    /// The SNI decision for `name`, from the Java component's server-name callback.
    pub(crate) fn server_name(&self, name: &str) -> i32 {
        let key = self as *const Bridge as usize;
        jvm::calling(key, || jvm::dispatch_server_name(&self.target, name))
    }
}

/// The core's event seam over a [`Bridge`]: one handler for every family.
pub(crate) struct JavaEvents(pub(crate) Arc<Bridge>);

impl EventHandler for JavaEvents {
    fn wanted(&self) -> EventMask {
        // The HTTP head events always: the Java listeners decide what to do with them.
        if self.0.wants(EV_SEND) {
            EventMask::ALL
        } else {
            EventMask::HTTP_HEAD
        }
    }

    // The event of every message, straight to the upcall: no `Event` built and matched.
    fn on_receive(&self, conn: ConnId, data: &[u8]) -> HandleResult {
        self.0.call(EV_RECEIVE, conn, 0, Some(data))
    }

    fn on_http(&self, conn: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        let b = &self.0;
        let pair = |a: &[u8], z: &[u8]| {
            let mut v = Vec::with_capacity(a.len() + 1 + z.len());
            v.extend_from_slice(a);
            v.push(0);
            v.extend_from_slice(z);
            v
        };
        match event {
            HttpEvent::MessageBegin => b.http(EV_HTTP_MESSAGE_BEGIN, conn, 0, None),
            HttpEvent::RequestLine { method, url } => {
                let v = pair(method.to_bytes(), url.to_bytes());
                b.http(EV_HTTP_REQUEST_LINE, conn, 0, Some(&v))
            }
            HttpEvent::StatusLine { status, reason } => {
                let v = pair(status.to_string().as_bytes(), reason.to_bytes());
                b.http(EV_HTTP_STATUS_LINE, conn, 0, Some(&v))
            }
            HttpEvent::Header { name, value } => {
                let v = pair(name.to_bytes(), value.to_bytes());
                b.http(EV_HTTP_HEADER, conn, 0, Some(&v))
            }
            HttpEvent::HeadersComplete => b.http(EV_HTTP_HEADERS_COMPLETE, conn, 0, None),
            HttpEvent::Body(data) => b.http(EV_HTTP_BODY, conn, 0, Some(data)),
            HttpEvent::ChunkHeader(size) => b.http(
                EV_HTTP_CHUNK_HEADER,
                conn,
                size.min(i64::MAX as u64) as i64,
                None,
            ),
            HttpEvent::ChunkComplete => b.http(EV_HTTP_CHUNK_COMPLETE, conn, 0, None),
            HttpEvent::MessageComplete => {
                let client = b
                    .sync_client
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                if let Some(m) = client.and_then(|c| c.http_message().ok()) {
                    *b.last_message.lock().unwrap_or_else(|e| e.into_inner()) = Some(m);
                }
                b.http(EV_HTTP_MESSAGE_COMPLETE, conn, 0, None)
            }
            HttpEvent::Upgrade(kind) => b.http(EV_HTTP_UPGRADE, conn, kind as i64, None),
            HttpEvent::ParseError { code, description } => {
                let v = pair(code.to_string().as_bytes(), description.to_bytes());
                b.http(EV_HTTP_PARSE_ERROR, conn, 0, Some(&v))
            }
            HttpEvent::WsMessage { opcode, data } => {
                b.http(EV_HTTP_WS_MESSAGE, conn, (opcode as i64) << 32, Some(data))
            }
            _ => HttpParseResult::Ok,
        }
    }

    fn on_event(&self, event: Event<'_>) -> HandleResult {
        let b = &self.0;
        match event {
            Event::PrepareListen { fd } => b.call(EV_PREPARE, 0, fd as i64, None),
            Event::Accept { conn, fd, .. } => b.call(EV_ACCEPT, conn, fd as i64, None),
            Event::PrepareConnect { conn, fd } => b.call(EV_PREPARE, conn, fd as i64, None),
            Event::Connect { conn } => b.call(EV_CONNECT, conn, 0, None),
            Event::HandShake { conn } => b.call(EV_HANDSHAKE, conn, 0, None),
            Event::Send { conn, data } => b.call(EV_SEND, conn, 0, Some(data)),
            Event::Receive { conn, data } => b.call(EV_RECEIVE, conn, 0, Some(data)),
            Event::PullReceive { conn, total } => b.call(EV_PULL_RECEIVE, conn, total as i64, None),
            Event::SendDrained { conn, pending } => {
                b.call(EV_SEND_DRAINED, conn, pending as i64, None)
            }
            Event::MessageDropped {
                conn,
                message,
                size,
            } => {
                let arg = (i64::from(message) << 32) | (size as u32 as i64);
                b.call(EV_MESSAGE_DROPPED, conn, arg, None);
                HandleResult::Ignore
            }
            Event::Close {
                conn,
                operation,
                error,
                ..
            } => {
                b.close(conn, operation, error);
                HandleResult::Ignore
            }
            Event::Shutdown => {
                b.shutdown();
                HandleResult::Ignore
            }
            Event::WorkerStart { .. } | Event::WorkerExit { .. } => HandleResult::Ignore,
            // UDP node events: no Java node yet.
            _ => HandleResult::Ignore,
        }
    }
}
