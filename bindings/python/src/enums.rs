//! HP-Socket's small enums as Python `enum.IntEnum` classes, created once when the module is
//! imported. Values cross into Python as members of these classes (with a plain `int` fallback
//! for a value no member has) and come back as any `int`, members included.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyInt, PyList};

/// The enums, in the order of [`DEFS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum E {
    SocketError = 0,
    SocketOperation,
    /// Values come back from Python as plain ints; kept so indices match [`DEFS`].
    #[allow(dead_code)]
    HandleResult,
    FetchResult,
    ServiceState,
    ReuseAddressPolicy,
    SendPolicy,
    OnSendSyncPolicy,
    ReceiveModel,
    /// Values come back from Python as plain ints.
    #[allow(dead_code)]
    HttpParseResult,
    HttpUpgradeType,
    WsOpcode,
}

struct Def {
    name: &'static str,
    doc: &'static str,
    members: &'static [(&'static str, i32)],
}

const DEFS: [Def; 12] = [
    Def {
        name: "SocketError",
        doc: "HP-Socket's error codes (``En_HP_SocketError``): the ``code`` of an \
              :class:`HPSocketError`.",
        members: &[
            ("OK", 0),
            ("ILLEGAL_STATE", 1),
            ("INVALID_PARAM", 2),
            ("SOCKET_CREATE", 3),
            ("SOCKET_BIND", 4),
            ("SOCKET_PREPARE", 5),
            ("SOCKET_LISTEN", 6),
            ("CP_CREATE", 7),
            ("WORKER_THREAD_CREATE", 8),
            ("DETECT_THREAD_CREATE", 9),
            ("SOCKET_ATTACH_TO_CP", 10),
            ("CONNECT_SERVER", 11),
            ("NETWORK", 12),
            ("DATA_PROC", 13),
            ("DATA_SEND", 14),
            ("SSL_ENV_NOT_READY", 101),
        ],
    },
    Def {
        name: "SocketOperation",
        doc: "The operation that failed when a connection closed (``En_HP_SocketOperation``); \
              ``CLOSE`` with error code 0 is a normal close.",
        members: &[
            ("UNKNOWN", 0),
            ("ACCEPT", 1),
            ("CONNECT", 2),
            ("SEND", 3),
            ("RECEIVE", 4),
            ("CLOSE", 5),
        ],
    },
    Def {
        name: "HandleResult",
        doc: "What a listener method tells the component (``En_HP_HandleResult``). Returning \
              ``None`` counts as ``OK``; only ``ERROR`` changes anything (see each event).",
        members: &[("OK", 0), ("IGNORE", 1), ("ERROR", 2)],
    },
    Def {
        name: "FetchResult",
        doc: "Result of ``fetch``/``peek`` on a PULL component (``En_HP_FetchResult``): \
              ``LENGTH_TOO_LONG`` when fewer bytes are buffered than asked for, \
              ``DATA_NOT_FOUND`` for an unknown or closed connection.",
        members: &[("OK", 0), ("LENGTH_TOO_LONG", 1), ("DATA_NOT_FOUND", 2)],
    },
    Def {
        name: "ServiceState",
        doc: "Life-cycle state of a component (``En_HP_ServiceState``).",
        members: &[
            ("STARTING", 0),
            ("STARTED", 1),
            ("STOPPING", 2),
            ("STOPPED", 3),
        ],
    },
    Def {
        name: "ReuseAddressPolicy",
        doc: "Address reuse of listening and connecting sockets (``En_HP_ReuseAddressPolicy``).",
        members: &[("NONE", 0), ("ADDR_ONLY", 1), ("ADDR_AND_PORT", 2)],
    },
    Def {
        name: "SendPolicy",
        doc: "``En_HP_SendPolicy``: kept and reported; as in HP-Socket for Linux it changes \
              nothing.",
        members: &[("PACK", 0), ("SAFE", 1), ("DIRECT", 2)],
    },
    Def {
        name: "OnSendSyncPolicy",
        doc: "``En_HP_OnSendSyncPolicy``: kept and reported; no effect on Linux.",
        members: &[("NONE", 0), ("CLOSE", 1), ("RECEIVE", 2)],
    },
    Def {
        name: "ReceiveModel",
        doc: "How received data reaches the listener, fixed by the component class: PUSH \
              (``on_receive`` with the bytes read), PULL (``on_receive`` with the number of \
              bytes buffered; the listener calls ``fetch``/``peek``) or PACK (``on_receive`` \
              with one whole frame body), HTTP (the ``on_*`` HTTP events of the parsed \
              messages) or ARQ (``on_receive`` with one whole message, reliable UDP).",
        members: &[
            ("PUSH", 0),
            ("PULL", 1),
            ("PACK", 2),
            ("HTTP", 3),
            ("ARQ", 4),
        ],
    },
    Def {
        name: "HttpParseResult",
        doc: "What an HTTP listener method tells the parser (``En_HP_HttpParseResult``). \
              Returning ``None`` counts as ``OK``; ``ERROR`` fails the parse (``on_parse_error`` \
              follows and the connection closes); from ``on_headers_complete``, ``SKIP_BODY`` \
              ends the message without a body and ``UPGRADE`` leaves HTTP after this head.",
        members: &[("OK", 0), ("SKIP_BODY", 1), ("UPGRADE", 2), ("ERROR", -1)],
    },
    Def {
        name: "HttpUpgradeType",
        doc: "The protocol an HTTP connection upgrades to (``En_HP_HttpUpgradeType``).",
        members: &[
            ("NONE", 0),
            ("WEB_SOCKET", 1),
            ("HTTP_TUNNEL", 2),
            ("UNKNOWN", -1),
        ],
    },
    Def {
        name: "WsOpcode",
        doc: "A WebSocket frame's opcode (RFC 6455 section 5.2): the ``opcode`` of \
              ``on_ws_message`` and ``send_ws_message``.",
        members: &[
            ("CONTINUATION", 0x0),
            ("TEXT", 0x1),
            ("BINARY", 0x2),
            ("CLOSE", 0x8),
            ("PING", 0x9),
            ("PONG", 0xA),
        ],
    },
];

struct Made {
    class: Py<PyAny>,
    members: Vec<(i32, Py<PyAny>)>,
}

static ENUMS: PyOnceLock<Vec<Made>> = PyOnceLock::new();

fn make(py: Python<'_>) -> PyResult<Vec<Made>> {
    let int_enum = py.import("enum")?.getattr("IntEnum")?;
    let mut made = Vec::with_capacity(DEFS.len());
    for def in &DEFS {
        let pairs = PyList::empty(py);
        for &(name, value) in def.members {
            pairs.append((name, value))?;
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("module", "hpsocket")?;
        kwargs.set_item("qualname", def.name)?;
        let class = int_enum.call((def.name, pairs), Some(&kwargs))?;
        class.setattr("__doc__", def.doc)?;
        let mut members = Vec::with_capacity(def.members.len());
        for &(name, value) in def.members {
            members.push((value, class.getattr(name)?.unbind()));
        }
        made.push(Made {
            class: class.unbind(),
            members,
        });
    }
    Ok(made)
}

/// Creates the classes (once) and adds them to `module`.
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let made = ENUMS.get_or_try_init(py, || make(py))?;
    for (def, m) in DEFS.iter().zip(made) {
        module.add(def.name, m.class.bind(py))?;
    }
    Ok(())
}

/// The member of `e` with `value`, or the plain `int` if there is none.
pub(crate) fn member(py: Python<'_>, e: E, value: i32) -> Bound<'_, PyAny> {
    ENUMS
        .get(py)
        .and_then(|all| all.get(e as usize))
        .and_then(|m| m.members.iter().find(|(v, _)| *v == value))
        .map(|(_, obj)| obj.bind(py).clone())
        .unwrap_or_else(|| PyInt::new(py, value).into_any())
}
