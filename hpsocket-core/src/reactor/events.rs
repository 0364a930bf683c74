//! The one event interface the reactor calls, whatever the component. Each component adapts
//! its own listener trait to it (see `tcp::{server, agent, client}`).

use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::http::{HttpEvent, HttpParseResult};
use crate::reactor::{CallbackThread, THREAD};
use crate::types::{ConnId, HandleResult, SocketOperation};

pub(crate) trait Events: Send + Sync {
    fn prepare_listen(&self, _fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    fn accept(&self, _id: ConnId, _fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    fn prepare_connect(&self, _id: ConnId, _fd: RawFd) -> HandleResult {
        HandleResult::Ignore
    }
    fn connect(&self, _id: ConnId) -> HandleResult {
        HandleResult::Ignore
    }
    fn handshake(&self, id: ConnId) -> HandleResult;
    fn send(&self, id: ConnId, data: &[u8]);
    /// False when `send` would do nothing, so the reactor can skip it.
    fn wants_send(&self) -> bool {
        true
    }
    fn receive(&self, id: ConnId, data: &[u8]) -> HandleResult;
    fn pull_receive(&self, id: ConnId, total: usize) -> HandleResult;
    fn send_drained(&self, _id: ConnId, _pending: usize) {}
    /// ARQ extension: a message sent with limits was given up.
    fn message_dropped(&self, _id: ConnId, _message: u32, _size: usize) {}
    fn close(&self, id: ConnId, operation: SocketOperation, error_code: i32);
    fn shutdown(&self) {}
    /// UDP node: a datagram arrived from `from`.
    fn node_receive(&self, _from: SocketAddr, _data: &[u8]) {}
    /// UDP node: a datagram went to `to`.
    fn node_send(&self, _to: SocketAddr, _data: &[u8]) {}
    /// UDP node: one datagram failed.
    fn node_error(
        &self,
        _operation: SocketOperation,
        _code: i32,
        _peer: Option<SocketAddr>,
        _data: &[u8],
    ) {
    }
    /// HTTP components: false when the head events would do nothing, so the parse skips them.
    fn wants_http_head(&self) -> bool {
        true
    }
    /// HTTP components: one step of a parse.
    fn http(&self, _id: ConnId, _event: HttpEvent<'_>) -> HttpParseResult {
        HttpParseResult::Ok
    }
    /// On a worker thread, before its first event.
    fn worker_started(&self, _index: usize) {}
    /// On a worker thread, after its last event.
    fn worker_exiting(&self, _index: usize) {}
}

/// Sets the error code reported by `OnClose` when the callback now running returns
/// `HR_ERROR` (HP-Socket reads `errno` there; the default is `ECANCELED`).
pub fn set_close_error_code(code: i32) {
    THREAD.with(|t| t.close_code.set(code));
}

/// What a callback returns: a panic inside it counts as `FAILED`.
pub(crate) trait Verdict {
    const FAILED: Self;
}

impl Verdict for HandleResult {
    const FAILED: Self = HandleResult::Error;
}

impl Verdict for HttpParseResult {
    const FAILED: Self = HttpParseResult::Error;
}

/// Runs one listener callback: resets the close code, turns a panic into an error result,
/// and returns the result with the code `OnClose` should report if it is an error.
pub(crate) fn guarded<R: Verdict>(f: impl FnOnce() -> R) -> (R, i32) {
    THREAD.with(|t| t.guarded(f))
}

impl CallbackThread {
    /// [`guarded`] with this thread's state at hand: one thread-local access around the
    /// callback, not one before and one after.
    pub(crate) fn guarded<R: Verdict>(&self, f: impl FnOnce() -> R) -> (R, i32) {
        self.close_code.set(0);
        let result = catch_unwind(AssertUnwindSafe(f)).unwrap_or(R::FAILED);
        let code = self.close_code.replace(0);
        (result, if code != 0 { code } else { libc::ECANCELED })
    }
}

/// Runs a callback whose result does not matter, keeping a panic inside it.
pub(crate) fn guarded_unit(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}
