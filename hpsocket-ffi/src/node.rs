//! The UDP node: `Create_HP_UdpNode` and the `HP_UdpNode_*` operations that need more than a
//! line (start, send, and the address getters).

use std::ffi::c_int;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use hpsocket_core::{CastMode, UdpNode};

use crate::args;
use crate::boundary;
use crate::handle::{self, Kind};
use crate::last_error::{FfiError, Result};
use crate::listener::{self, Adapter};
use crate::object::{self, Body, Component, Object};
use crate::types::*;

/// `Create_HP_UdpNode`.
pub(crate) fn create(listener: HP_UdpNodeListener) -> HP_Object {
    boundary::call("Create_HP_UdpNode", std::ptr::null_mut(), || {
        let callbacks = listener::node_callbacks(listener)?;
        let reservation = handle::reserve(Kind::UdpNode)?;
        let inner = UdpNode::new(Adapter::listener(callbacks, reservation.handle()));
        Ok(Object::publish(
            reservation,
            Kind::UdpNode,
            Body::Node(Component::new(inner)),
        ))
    })
}

/// `Start` and `StartWithCast` (`cast` NULL: unicast).
///
/// # Safety
/// `bind` and `cast` are NULL or NUL-terminated strings.
pub(crate) unsafe fn start(
    p: HP_UdpNode,
    bind: LPCTSTR,
    port: USHORT,
    cast: Option<(En_HP_CastMode, LPCTSTR)>,
) -> Result<BOOL> {
    object::with_node(p, |_, c| {
        // SAFETY: per this function's contract.
        let bind = unsafe { args::opt_str(bind, "lpszBindAddress") }?.unwrap_or_default();
        let cast = match cast {
            None => None,
            Some((mode, address)) => {
                let mode = crate::client::cast_mode(mode)?;
                // SAFETY: per this function's contract.
                let address = unsafe { args::opt_str(address, "lpszCastAddress") }?;
                match (mode, address) {
                    (CastMode::Unicast, _) => None,
                    (mode, Some(a)) if !a.trim().is_empty() => Some((mode, a)),
                    (mode, _) => {
                        return Err(FfiError::invalid(format!(
                            "lpszCastAddress is NULL or empty, but the cast mode is {mode:?}"
                        )))
                    }
                }
            }
        };
        c.start(|n| match &cast {
            None => n.start(&bind, port),
            Some((mode, address)) => n.start_with_cast(&bind, port, *mode, address),
        })?;
        Ok(TRUE)
    })
}

/// The peer of a `Send*`: an IP literal or a host name.
///
/// # Safety
/// `address` is NULL or a NUL-terminated string.
pub(crate) unsafe fn remote(address: LPCTSTR, port: USHORT) -> Result<SocketAddr> {
    // SAFETY: per this function's contract.
    let text = unsafe { args::req_str(address, "lpszRemoteAddress") }?;
    let bare = text.trim().trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    (bare, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| FfiError::invalid(format!("lpszRemoteAddress {text:?} does not resolve")))
}

/// Every `Send*`: `parts` as one datagram to `to`, or to the cast address (`None`).
pub(crate) fn send(p: HP_UdpNode, to: Option<SocketAddr>, parts: &[&[u8]]) -> Result<BOOL> {
    object::with_node(p, |_, c| {
        match to {
            Some(to) => c.inner.send_packets(to, parts)?,
            None => c.inner.send_cast_packets(parts)?,
        }
        Ok(TRUE)
    })
}

/// `GetLocalAddress` (`cast` false) and `GetCastAddress` (true).
///
/// # Safety
/// The caller passes a buffer of `*len` chars and writable out-params.
pub(crate) unsafe fn address(
    p: HP_UdpNode,
    cast: bool,
    text: *mut TCHAR,
    len: *mut c_int,
    port: *mut USHORT,
) -> Result<BOOL> {
    object::with_node(p, |_, c| {
        let addr = if cast {
            c.inner
                .cast_address()?
                .ok_or_else(|| FfiError::illegal_state("the node has no cast address"))?
        } else {
            c.inner.local_address()?
        };
        // SAFETY: per this function's contract.
        unsafe {
            args::address_out(
                &addr.ip().to_string(),
                addr.port(),
                text,
                len,
                port,
                "lpszAddress",
            )
        }?;
        Ok(TRUE)
    })
}
