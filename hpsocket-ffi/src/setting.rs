//! The registry's settings from C: every generated `Set*`/`Get*`/`Is*` of a setting of
//! `hpsocket_core::settings` (a `[[setting]]` row of `hpsocket-ffi/api`) calls [`set`] or
//! [`get`] with the setting's registry name, so its type and its place in the configuration
//! are the registry's, as for the Python and Java bindings.

use std::ffi::c_int;

use hpsocket_core::settings::{self, Setting, SettingType, SettingValue};
use hpsocket_core::CastMode;

use crate::last_error::{FfiError, Result};
use crate::object::{self, Family, Shape};
use crate::types::*;
use crate::{client, engine, http};

fn find(name: &str) -> Result<&'static Setting> {
    settings::find(name)
        .ok_or_else(|| FfiError::invalid(format!("internal: no setting named {name}")))
}

/// The value C passed, of the setting's type. A policy outside its enum is refused with the
/// text HP-Socket's names give; C's other types always fit.
fn value(s: &Setting, raw: i64) -> Result<SettingValue> {
    let code = || c_int::try_from(raw).unwrap_or(c_int::MIN);
    Ok(match s.ty {
        SettingType::ReuseAddressPolicy => {
            SettingValue::ReuseAddressPolicy(engine::reuse_policy(code())?)
        }
        SettingType::SendPolicy => SettingValue::SendPolicy(engine::send_policy(code())?),
        SettingType::OnSendSyncPolicy => {
            SettingValue::OnSendSyncPolicy(engine::sync_policy(code())?)
        }
        // Only a cast has the setting (a node's cast mode comes with `StartWithCast`).
        SettingType::CastMode => match client::cast_mode(code())? {
            CastMode::Unicast => {
                return Err(FfiError::invalid(
                    "a UDP cast multicasts or broadcasts: CM_UNICAST is for nodes",
                ))
            }
            mode => SettingValue::CastMode(mode),
        },
        ty => ty.value_from_i64(raw).ok_or_else(|| {
            FfiError::invalid(format!("{raw} is out of the range of {}", s.c_name))
        })?,
    })
}

/// Sets the setting `name` of the component `p` (a handle of `shape`) to `raw`, C's value.
/// Refused (the value stays) while the component is not stopped, as in HP-Socket, and for a
/// value its type does not have; the reason goes to the last error.
/// An HTTP setting goes to the component's HTTP configuration, which may change while it runs.
pub(crate) fn set(shape: Shape, p: HP_Object, name: &str, raw: i64) -> Result<()> {
    let stored = |done: bool| stored(name, done);
    let s = find(name)?;
    if s.is_http() {
        // C's value of an HTTP setting (a DWORD or a BOOL) always fits: nothing to refuse
        // before the component is found.
        let v = value(s, raw)?;
        let mut done = false;
        http::set(shape, p, |c| done = s.set_http(c, v))?;
        return stored(done);
    }
    match shape.family() {
        Family::Client => object::with_client(shape, p, |_, c| {
            let v = value(s, raw)?;
            let mut done = false;
            c.inner.update_config(|k| done = s.set_client(k, v))?;
            stored(done)
        }),
        Family::Server | Family::Agent => engine::with(shape, p, |_, e| {
            let v = value(s, raw)?;
            let mut done = false;
            e.update_config(&mut |c| done = s.set_engine(c, v))?;
            stored(done)
        }),
    }
}

/// The setting `name` of the component `p` (a handle of `shape`), as C's type `T`.
pub(crate) fn get<T: TryFrom<i64>>(shape: Shape, p: HP_Object, name: &str) -> Result<T> {
    let c_value = |v: Option<SettingValue>| {
        v.and_then(|v| T::try_from(v.as_i64()).ok())
            .ok_or_else(|| not_here(name))
    };
    let s = find(name)?;
    if s.is_http() {
        return c_value(http::get(shape, p, |c| s.get_http(c))?);
    }
    match shape.family() {
        Family::Client => {
            object::with_client(shape, p, |_, c| c_value(s.get_client(&c.inner.config())))
        }
        Family::Server | Family::Agent => {
            engine::with(shape, p, |_, e| c_value(s.get_engine(&e.config())))
        }
    }
}

/// Sets the setting `name` of the UDP node `p` to `raw`, as [`set`] does for the others.
pub(crate) fn set_node(p: HP_UdpNode, name: &str, raw: i64) -> Result<()> {
    object::with_node(p, |_, c| {
        let s = find(name)?;
        let v = value(s, raw)?;
        let mut done = false;
        c.inner.update_config(|k| done = s.set_node(k, v))?;
        stored(name, done)
    })
}

/// The setting `name` of the UDP node `p`, as C's type `T`.
pub(crate) fn get_node<T: TryFrom<i64>>(p: HP_UdpNode, name: &str) -> Result<T> {
    object::with_node(p, |_, c| {
        find(name)?
            .get_node(&c.inner.config())
            .and_then(|v| T::try_from(v.as_i64()).ok())
            .ok_or_else(|| not_here(name))
    })
}

/// Whether a setter found the setting where it went (see [`not_here`]).
fn stored(name: &str, done: bool) -> Result<()> {
    done.then_some(()).ok_or_else(|| not_here(name))
}

/// A generated function for a component the registry says lacks the setting: `ffi-gen`
/// checks every family against the registry, so this is a bug of the tables.
fn not_here(name: &str) -> FfiError {
    FfiError::invalid(format!(
        "internal: {name} is not a setting of this component"
    ))
}
