//! The operations every component has, whatever its family (`HP_Server_*`, `HP_Agent_*`,
//! `HP_Client_*`): its state and its last error.

use hpsocket_core::ServiceState;

use crate::last_error::Result;
use crate::object::{self, Shape};
use crate::types::*;

pub(crate) fn is_secure(shape: Shape, p: HP_Object) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| Ok(to_bool(c.is_secure())))
}

pub(crate) fn has_started(shape: Shape, p: HP_Object) -> Result<BOOL> {
    object::with_component(shape, p, |_, c| {
        Ok(to_bool(matches!(
            c.state(),
            ServiceState::Starting | ServiceState::Started
        )))
    })
}

pub(crate) fn state(shape: Shape, p: HP_Object) -> Result<En_HP_ServiceState> {
    object::with_component(shape, p, |_, c| Ok(c.state() as En_HP_ServiceState))
}

pub(crate) fn last_error(shape: Shape, p: HP_Object) -> Result<En_HP_SocketError> {
    object::with_component(shape, p, |o, _| Ok(o.last_error().code))
}

pub(crate) fn last_error_desc(shape: Shape, p: HP_Object) -> Result<LPCTSTR> {
    object::with_component(shape, p, |o, _| Ok(o.last_error_desc()))
}
