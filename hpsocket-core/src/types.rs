//! HP-Socket's small enums, with the C values as discriminants.

/// A connection ID (`HP_CONNID`): non-zero, unique within a component, never reused for a
/// newer connection while an older one with the same ID could still be referred to.
pub type ConnId = u64;

/// What a listener callback tells the component (`En_HP_HandleResult`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum HandleResult {
    /// `HR_OK`: go on.
    #[default]
    Ok = 0,
    /// `HR_IGNORE`: go on (same effect as `Ok`).
    Ignore = 1,
    /// `HR_ERROR`: abort this connection (or operation); see each callback.
    Error = 2,
}

impl HandleResult {
    /// HP-Socket only treats `HR_ERROR` as an error; every other value means "go on".
    pub fn from_code(code: i32) -> HandleResult {
        match code {
            0 => HandleResult::Ok,
            2 => HandleResult::Error,
            _ => HandleResult::Ignore,
        }
    }

    pub(crate) fn is_error(self) -> bool {
        self == HandleResult::Error
    }
}

/// The operation that failed when a connection closed (`En_HP_SocketOperation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum SocketOperation {
    /// `SO_UNKNOWN`
    Unknown = 0,
    /// `SO_ACCEPT`
    Accept = 1,
    /// `SO_CONNECT`
    Connect = 2,
    /// `SO_SEND`
    Send = 3,
    /// `SO_RECEIVE`
    Receive = 4,
    /// `SO_CLOSE`: a normal close (error code 0).
    Close = 5,
}

/// Life-cycle state of a component (`En_HP_ServiceState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ServiceState {
    /// `SS_STARTING`
    Starting = 0,
    /// `SS_STARTED`
    Started = 1,
    /// `SS_STOPPING`
    Stopping = 2,
    /// `SS_STOPPED`
    Stopped = 3,
}

impl ServiceState {
    pub(crate) fn from_u8(v: u8) -> ServiceState {
        match v {
            0 => ServiceState::Starting,
            1 => ServiceState::Started,
            2 => ServiceState::Stopping,
            _ => ServiceState::Stopped,
        }
    }
}

/// Address reuse on listening and connecting sockets (`En_HP_ReuseAddressPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum ReuseAddressPolicy {
    /// `RAP_NONE`
    None = 0,
    /// `RAP_ADDR_ONLY`: `SO_REUSEADDR` (the default).
    #[default]
    AddrOnly = 1,
    /// `RAP_ADDR_AND_PORT`: `SO_REUSEADDR` and `SO_REUSEPORT`.
    AddrAndPort = 2,
}

impl TryFrom<i32> for ReuseAddressPolicy {
    type Error = i32;
    fn try_from(v: i32) -> Result<Self, i32> {
        match v {
            0 => Ok(ReuseAddressPolicy::None),
            1 => Ok(ReuseAddressPolicy::AddrOnly),
            2 => Ok(ReuseAddressPolicy::AddrAndPort),
            other => Err(other),
        }
    }
}

/// How a UDP cast component or node reaches its group (`En_HP_CastMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum CastMode {
    /// `CM_UNICAST` (nodes only): no cast address.
    Unicast = -1,
    /// `CM_MULTICAST` (the default): join the group, send to it.
    #[default]
    Multicast = 0,
    /// `CM_BROADCAST`: send to a broadcast address.
    Broadcast = 1,
}

impl TryFrom<i32> for CastMode {
    type Error = i32;
    fn try_from(v: i32) -> Result<Self, i32> {
        match v {
            -1 => Ok(CastMode::Unicast),
            0 => Ok(CastMode::Multicast),
            1 => Ok(CastMode::Broadcast),
            other => Err(other),
        }
    }
}

/// `En_HP_SendPolicy`. It only changes behaviour on Windows in HP-Socket; here, as on
/// HP-Socket for Linux, it is kept and reported but sends always coalesce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum SendPolicy {
    /// `SP_PACK` (default)
    #[default]
    Pack = 0,
    /// `SP_SAFE`
    Safe = 1,
    /// `SP_DIRECT`
    Direct = 2,
}

impl TryFrom<i32> for SendPolicy {
    type Error = i32;
    fn try_from(v: i32) -> Result<Self, i32> {
        match v {
            0 => Ok(SendPolicy::Pack),
            1 => Ok(SendPolicy::Safe),
            2 => Ok(SendPolicy::Direct),
            other => Err(other),
        }
    }
}

/// `En_HP_OnSendSyncPolicy`; kept and reported, no effect on Linux (as in HP-Socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum OnSendSyncPolicy {
    /// `OSSP_NONE` (default)
    #[default]
    None = 0,
    /// `OSSP_CLOSE`
    Close = 1,
    /// `OSSP_RECEIVE`
    Receive = 2,
}

impl TryFrom<i32> for OnSendSyncPolicy {
    type Error = i32;
    fn try_from(v: i32) -> Result<Self, i32> {
        match v {
            0 => Ok(OnSendSyncPolicy::None),
            1 => Ok(OnSendSyncPolicy::Close),
            2 => Ok(OnSendSyncPolicy::Receive),
            other => Err(other),
        }
    }
}
