//! What only servers and agents have (`HP_Server_*`, `HP_Agent_*`): many connections named by
//! their IDs (disconnecting, counting and listing them, extras, periods) and the settings of
//! an engine. Each function works on any server- or agent-shaped handle through
//! [`EngineOps`]; what clients share with them is in `connection.rs` and `lifecycle.rs`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hpsocket_core::{
    ConnId, EngineConfig, OnSendSyncPolicy, ReuseAddressPolicy, SendPolicy, ServiceState, TcpAgent,
    TcpServer,
};

use crate::args;
use crate::last_error::{FfiError, Result};
use crate::object::{self, Family, Lifecycle, Object, Shape};
use crate::types::*;

/// The connection operations and settings of a server or agent.
pub(crate) trait EngineOps: Lifecycle {
    fn send_small_file(
        &self,
        id: ConnId,
        path: &Path,
        head: Option<&[u8]>,
        tail: Option<&[u8]>,
    ) -> hpsocket_core::Result<()>;
    fn disconnect(&self, id: ConnId, force: bool) -> hpsocket_core::Result<()>;
    fn disconnect_long(&self, period: Duration, force: bool) -> hpsocket_core::Result<()>;
    fn disconnect_silence(&self, period: Duration, force: bool) -> hpsocket_core::Result<()>;
    fn set_connection_extra(&self, id: ConnId, extra: usize) -> hpsocket_core::Result<()>;
    fn connection_extra(&self, id: ConnId) -> hpsocket_core::Result<usize>;
    fn connection_count(&self) -> usize;
    fn all_connection_ids(&self) -> Vec<ConnId>;
    fn connect_period(&self, id: ConnId) -> hpsocket_core::Result<Duration>;
    fn silence_period(&self, id: ConnId) -> hpsocket_core::Result<Duration>;
    fn config(&self) -> EngineConfig;
    fn update_config(&self, f: &mut dyn FnMut(&mut EngineConfig)) -> hpsocket_core::Result<()>;
}

macro_rules! engine_ops {
    ($($ty:ty),*) => {$(
        impl EngineOps for $ty {
            fn send_small_file(
                &self,
                id: ConnId,
                path: &Path,
                head: Option<&[u8]>,
                tail: Option<&[u8]>,
            ) -> hpsocket_core::Result<()> {
                <$ty>::send_small_file(self, id, path, head, tail)
            }
            fn disconnect(&self, id: ConnId, force: bool) -> hpsocket_core::Result<()> {
                <$ty>::disconnect(self, id, force)
            }
            fn disconnect_long(&self, period: Duration, force: bool) -> hpsocket_core::Result<()> {
                self.disconnect_long_connections(period, force)
            }
            fn disconnect_silence(&self, period: Duration, force: bool) -> hpsocket_core::Result<()> {
                self.disconnect_silence_connections(period, force)
            }
            fn set_connection_extra(&self, id: ConnId, extra: usize) -> hpsocket_core::Result<()> {
                <$ty>::set_connection_extra(self, id, extra)
            }
            fn connection_extra(&self, id: ConnId) -> hpsocket_core::Result<usize> {
                <$ty>::connection_extra(self, id)
            }
            fn connection_count(&self) -> usize {
                <$ty>::connection_count(self)
            }
            fn all_connection_ids(&self) -> Vec<ConnId> {
                <$ty>::all_connection_ids(self)
            }
            fn connect_period(&self, id: ConnId) -> hpsocket_core::Result<Duration> {
                <$ty>::connect_period(self, id)
            }
            fn silence_period(&self, id: ConnId) -> hpsocket_core::Result<Duration> {
                <$ty>::silence_period(self, id)
            }
            fn config(&self) -> EngineConfig {
                <$ty>::config(self)
            }
            fn update_config(
                &self,
                f: &mut dyn FnMut(&mut EngineConfig),
            ) -> hpsocket_core::Result<()> {
                <$ty>::update_config(self, |c| f(c))
            }
        }
    )*};
}
engine_ops!(TcpServer, TcpAgent);

/// Runs `f` on the server- or agent-shaped object `p`.
pub(crate) fn with<T>(
    shape: Shape,
    p: HP_Object,
    f: impl FnOnce(&Arc<Object>, &dyn EngineOps) -> Result<T>,
) -> Result<T> {
    match shape.family() {
        Family::Server => object::with_server(shape, p, |o, c| f(o, &c.inner)),
        Family::Agent => object::with_agent(shape, p, |o, c| f(o, &c.inner)),
        Family::Client => Err(FfiError::invalid(
            "internal: a client shape given to a server/agent function",
        )),
    }
}

/// `Wait`'s timeout: `(DWORD)-1` (`INFINITE`) waits for ever.
pub(crate) fn timeout(ms: DWORD) -> Option<Duration> {
    (ms != DWORD::MAX).then(|| Duration::from_millis(ms.into()))
}

/// The result of a core `wait`: TRUE when stopped; a timeout is a failure (`ETIMEDOUT`).
pub(crate) fn waited(
    stopped: hpsocket_core::Result<bool>,
    ms: DWORD,
    state: ServiceState,
) -> Result<BOOL> {
    if stopped? {
        Ok(TRUE)
    } else {
        Err(FfiError::new(
            SE_ILLEGAL_STATE,
            libc::ETIMEDOUT,
            format!("timed out after {ms} ms; the component is still {state:?}"),
        ))
    }
}

pub(crate) fn stop(shape: Shape, p: HP_Object) -> Result<BOOL> {
    with(shape, p, |o, e| {
        object::refuse_in_own_callback(o, "Stop")?;
        e.stop()?;
        Ok(TRUE)
    })
}

pub(crate) fn wait(shape: Shape, p: HP_Object, ms: DWORD) -> Result<BOOL> {
    with(shape, p, |o, e| {
        object::refuse_in_own_callback(o, "Wait")?;
        waited(e.wait(timeout(ms)), ms, e.state())
    })
}

pub(crate) fn disconnect(shape: Shape, p: HP_Object, id: HP_CONNID, force: BOOL) -> Result<BOOL> {
    with(shape, p, |_, e| {
        e.disconnect(conn_id(id), args::flag(force))?;
        Ok(TRUE)
    })
}

pub(crate) fn disconnect_long(shape: Shape, p: HP_Object, ms: DWORD, force: BOOL) -> Result<BOOL> {
    with(shape, p, |_, e| {
        e.disconnect_long(Duration::from_millis(ms.into()), args::flag(force))?;
        Ok(TRUE)
    })
}

pub(crate) fn disconnect_silence(
    shape: Shape,
    p: HP_Object,
    ms: DWORD,
    force: BOOL,
) -> Result<BOOL> {
    with(shape, p, |_, e| {
        e.disconnect_silence(Duration::from_millis(ms.into()), args::flag(force))?;
        Ok(TRUE)
    })
}

pub(crate) fn set_connection_extra(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    extra: PVOID,
) -> Result<BOOL> {
    with(shape, p, |_, e| {
        e.set_connection_extra(conn_id(id), extra as usize)?;
        Ok(TRUE)
    })
}

/// # Safety
/// `out` is NULL or writable for a `PVOID`.
pub(crate) unsafe fn get_connection_extra(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    out: *mut PVOID,
) -> Result<BOOL> {
    with(shape, p, |_, e| {
        let out = args::out(out, "ppExtra")?;
        let extra = e.connection_extra(conn_id(id))?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(extra as PVOID) };
        Ok(TRUE)
    })
}

pub(crate) fn connection_count(shape: Shape, p: HP_Object) -> Result<DWORD> {
    with(shape, p, |_, e| Ok(dword(e.connection_count())))
}

/// The count-query convention: `*count` holds the room in `ids` on entry and the number of
/// live connections on return; NULL `ids` or too little room gives FALSE.
///
/// # Safety
/// `count` is NULL or readable and writable for a `DWORD`; `ids` is NULL or writable for
/// `*count` IDs.
pub(crate) unsafe fn all_connection_ids(
    shape: Shape,
    p: HP_Object,
    ids: *mut HP_CONNID,
    count: *mut DWORD,
) -> Result<BOOL> {
    with(shape, p, |_, e| {
        let count = args::out(count, "pdwCount")?;
        let live = e.all_connection_ids();
        // SAFETY: readable and writable per this function's contract.
        let room = unsafe { count.get() } as usize;
        // SAFETY: as above.
        unsafe { count.set(dword(live.len())) };
        if ids.is_null() || room < live.len() {
            let why = if ids.is_null() {
                "pIDs is NULL".to_string()
            } else {
                format!("pIDs holds {room} IDs")
            };
            return Err(FfiError::new(
                SE_INVALID_PARAM,
                libc::ENOBUFS,
                format!(
                    "{why}; {} connections are live (written to *pdwCount)",
                    live.len()
                ),
            ));
        }
        for (i, id) in live.iter().enumerate() {
            // SAFETY: `i < live.len() <= room`, the writable length per this function's contract.
            unsafe { std::ptr::write_unaligned(ids.add(i), c_conn_id(*id)) };
        }
        Ok(TRUE)
    })
}

fn millis(d: Duration) -> DWORD {
    dword(d.as_millis())
}

/// # Safety
/// `out` is NULL or writable for a `DWORD`.
pub(crate) unsafe fn connect_period(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    out: *mut DWORD,
) -> Result<BOOL> {
    with(shape, p, |_, e| {
        let out = args::out(out, "pdwPeriod")?;
        let d = e.connect_period(conn_id(id))?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(millis(d)) };
        Ok(TRUE)
    })
}

/// # Safety
/// `out` is NULL or writable for a `DWORD`.
pub(crate) unsafe fn silence_period(
    shape: Shape,
    p: HP_Object,
    id: HP_CONNID,
    out: *mut DWORD,
) -> Result<BOOL> {
    with(shape, p, |_, e| {
        let out = args::out(out, "pdwPeriod")?;
        let d = e.silence_period(conn_id(id))?;
        // SAFETY: writable per this function's contract.
        unsafe { out.set(millis(d)) };
        Ok(TRUE)
    })
}

/// Parses an `En_HP_ReuseAddressPolicy` from C.
pub(crate) fn reuse_policy(v: En_HP_ReuseAddressPolicy) -> Result<ReuseAddressPolicy> {
    ReuseAddressPolicy::try_from(v).map_err(|v| {
        FfiError::invalid(format!(
            "enReusePolicy {v} is not an En_HP_ReuseAddressPolicy value (0..=2)"
        ))
    })
}

/// Parses an `En_HP_SendPolicy` from C.
pub(crate) fn send_policy(v: En_HP_SendPolicy) -> Result<SendPolicy> {
    SendPolicy::try_from(v).map_err(|v| {
        FfiError::invalid(format!(
            "enSendPolicy {v} is not an En_HP_SendPolicy value (0..=2)"
        ))
    })
}

/// Parses an `En_HP_OnSendSyncPolicy` from C.
pub(crate) fn sync_policy(v: En_HP_OnSendSyncPolicy) -> Result<OnSendSyncPolicy> {
    OnSendSyncPolicy::try_from(v).map_err(|v| {
        FfiError::invalid(format!(
            "enSyncPolicy {v} is not an En_HP_OnSendSyncPolicy value (0..=2)"
        ))
    })
}
