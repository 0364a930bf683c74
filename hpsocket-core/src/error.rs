//! Errors of the core: one [`ErrorKind`] per HP-Socket `En_HP_SocketError` code, plus the
//! operating-system error number (`errno`) that HP-Socket reports through `SYS_GetLastError`.

use std::fmt;
use std::io;

/// HP-Socket's `En_HP_SocketError`; the discriminants are the C ABI values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorKind {
    /// `SE_OK`: success (never carried by an [`Error`]; kept so the enum maps the whole C range).
    Ok = 0,
    /// `SE_ILLEGAL_STATE`: the component is not in a state that allows the call.
    IllegalState = 1,
    /// `SE_INVALID_PARAM`: an argument or a setting is out of range, or an ID is unknown.
    InvalidParam = 2,
    /// `SE_SOCKET_CREATE`
    SocketCreate = 3,
    /// `SE_SOCKET_BIND`
    SocketBind = 4,
    /// `SE_SOCKET_PREPARE`: `OnPrepareListen`/`OnPrepareConnect` returned `HR_ERROR`.
    SocketPrepare = 5,
    /// `SE_SOCKET_LISTEN`
    SocketListen = 6,
    /// `SE_CP_CREATE`: the poller (epoll) could not be created.
    CpCreate = 7,
    /// `SE_WORKER_THREAD_CREATE`
    WorkerThreadCreate = 8,
    /// `SE_DETECT_THREAD_CREATE`
    DetectThreadCreate = 9,
    /// `SE_SOCKE_ATTACH_TO_CP` (sic)
    SocketAttachToCp = 10,
    /// `SE_CONNECT_SERVER`
    ConnectServer = 11,
    /// `SE_NETWORK`
    Network = 12,
    /// `SE_DATA_PROC`
    DataProc = 13,
    /// `SE_DATA_SEND`
    DataSend = 14,
    /// `SE_SSL_ENV_NOT_READY`
    SslEnvNotReady = 101,
}

impl ErrorKind {
    /// HP-Socket's description text for the code (`HP_GetSocketErrorDesc`).
    pub fn description(self) -> &'static str {
        match self {
            ErrorKind::Ok => "SUCCESS",
            ErrorKind::IllegalState => "Illegal State",
            ErrorKind::InvalidParam => "Invalid Parameter",
            ErrorKind::SocketCreate => "Create SOCKET Fail",
            ErrorKind::SocketBind => "Bind SOCKET Fail",
            ErrorKind::SocketPrepare => "Prepare SOCKET Fail",
            ErrorKind::SocketListen => "Listen SOCKET Fail",
            ErrorKind::CpCreate => "Create IOCP Fail",
            ErrorKind::WorkerThreadCreate => "Create Worker Thread Fail",
            ErrorKind::DetectThreadCreate => "Create Detector Thread Fail",
            ErrorKind::SocketAttachToCp => "Attach SOCKET to IOCP Fail",
            ErrorKind::ConnectServer => "Connect to Server Fail",
            ErrorKind::Network => "Network Error",
            ErrorKind::DataProc => "Process Data Error",
            ErrorKind::DataSend => "Send Data Fail",
            ErrorKind::SslEnvNotReady => "SSL environment not ready",
        }
    }

    /// The kind for a C value, if it is one.
    pub fn from_code(code: i32) -> Option<ErrorKind> {
        use ErrorKind::*;
        Some(match code {
            0 => Ok,
            1 => IllegalState,
            2 => InvalidParam,
            3 => SocketCreate,
            4 => SocketBind,
            5 => SocketPrepare,
            6 => SocketListen,
            7 => CpCreate,
            8 => WorkerThreadCreate,
            9 => DetectThreadCreate,
            10 => SocketAttachToCp,
            11 => ConnectServer,
            12 => Network,
            13 => DataProc,
            14 => DataSend,
            101 => SslEnvNotReady,
            _ => return None,
        })
    }
}

/// A failed operation: what kind of failure (HP-Socket's code), the `errno` a C caller reads
/// through `SYS_GetLastError`, and a sentence naming the bad parameter or state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    errno: i32,
    context: String,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `errno` and a readable context.
    pub fn new(kind: ErrorKind, errno: i32, context: impl Into<String>) -> Error {
        Error {
            kind,
            errno,
            context: context.into(),
        }
    }

    /// `SE_INVALID_PARAM` with `EINVAL`.
    pub fn invalid_param(context: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidParam, libc::EINVAL, context)
    }

    /// `SE_ILLEGAL_STATE` with `EPERM` (HP-Socket's `ERROR_INVALID_STATE`).
    pub fn illegal_state(context: impl Into<String>) -> Error {
        Error::new(ErrorKind::IllegalState, libc::EPERM, context)
    }

    /// An unknown or closed connection: `SE_INVALID_PARAM` with `EBADSLT`
    /// (HP-Socket's `ERROR_OBJECT_NOT_FOUND`).
    pub fn not_found(what: &str, conn_id: u64) -> Error {
        Error::new(
            ErrorKind::InvalidParam,
            libc::EBADSLT,
            format!("{what}: unknown or closed connection id {conn_id}"),
        )
    }

    /// An OS error during `context`, reported as `kind`.
    pub fn os(kind: ErrorKind, err: &io::Error, context: impl fmt::Display) -> Error {
        Error::new(
            kind,
            err.raw_os_error().unwrap_or(libc::EIO),
            format!("{context}: {err}"),
        )
    }

    /// HP-Socket's error code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The `errno` value that goes with the failure.
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The readable sentence.
    pub fn context(&self) -> &str {
        &self.context
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.context, self.kind.description())
    }
}

impl std::error::Error for Error {}
