//! `UdpServer`, `UdpClient`: HP-Socket's UDP components, and `UdpArqServer`, `UdpArqClient`:
//! the reliable ones (HP-Socket's ARQ handshake, then KCP). They share the TCP classes'
//! methods (the same macros) and event seam; what differs is the constructor, the settings
//! (the UDP ones instead of the TCP-only ones, plus the ARQ ones) and `on_accept`, which gets
//! the peer's `(host, port)`.

use std::sync::Arc;

use hpsocket_core::{ConnectOptions, EventAdapter, ReceiveModel};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::Cid;
use crate::bridge::{Bridge, Role};
use crate::client::client_methods;
use crate::component::{self, engine_methods};
use crate::errors::OrRaise;
use crate::events::PyEvents;
use crate::server::server_methods;
use crate::settings::{
    self, arq_properties, engine_properties, impl_configurable, shared_socket_properties,
    udp_properties,
};

/// `send_ex`'s limits: the deadline in ms (None: 0, never) and the retransmit limit (None:
/// none).
fn message_limits(
    deadline_ms: Option<&Bound<'_, PyAny>>,
    max_retransmits: Option<&Bound<'_, PyAny>>,
) -> PyResult<(u32, Option<u32>)> {
    let deadline = deadline_ms
        .filter(|d| !d.is_none())
        .map_or(Ok(0), |d| crate::args::millis(d, "deadline_ms"))?;
    let limit = max_retransmits
        .filter(|m| !m.is_none())
        .map(|m| crate::args::int_arg(m, "max_retransmits", "None or 0..=4294967295"))
        .transpose()?;
    Ok((deadline, limit))
}

/// The ARQ members of every reliable UDP component: `waiting_send_message_count` (documented
/// by `$waiting`) and `send_ex`, each taking first the arguments that name a connection
/// (`conn_id` for `UdpArqServer` and `UdpArqAgent`, none for `UdpArqClient`).
macro_rules! arq_methods {
    ($cls:ty, $waiting:literal, ($($id:ident: $id_ty:ty),*)) => {
        #[pymethods]
        impl $cls {
            #[doc = $waiting]
            fn waiting_send_message_count(
                &self,
                py: Python<'_>,
                $($id: $id_ty),*
            ) -> PyResult<usize> {
                self.core.waiting_send_message_count($($id.0),*).or_raise(py)
            }

            /// Extension (partial reliability): sends one message as ``send`` does, given up
            /// ``deadline_ms`` ms after the call (0: never) or when one of its segments would
            /// be retransmitted more than ``max_retransmits`` times (None: no limit; 0: sent
            /// once). ``deadline_ms`` None is 0.
            /// Returns its id, 1, 2, 3... per connection (0 for a message with neither limit,
            /// which is a plain ``send``). A message given up is reported once by
            /// ``on_message_dropped`` (with this id and its size); the peer skips it whole and
            /// goes on delivering the following messages in order. A limit needs
            /// ``partial_reliability`` on both sides: else ``HPSocketError(ILLEGAL_STATE)``,
            /// ``errno`` EOPNOTSUPP (without one it sends).
            #[pyo3(signature = ($($id,)* data, deadline_ms=None, max_retransmits=None))]
            fn send_ex(
                &self,
                py: Python<'_>,
                $($id: $id_ty,)*
                data: &Bound<'_, PyAny>,
                deadline_ms: Option<&Bound<'_, PyAny>>,
                max_retransmits: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<u32> {
                let data = crate::args::data(data)?;
                let (deadline, limit) = message_limits(deadline_ms, max_retransmits)?;
                self.core
                    .send_ex($($id.0,)* data.as_bytes(), deadline, limit)
                    .or_raise(py)
            }
        }
    };
}

/// A UDP server (HP-Socket's ``IUdpServer``): one socket per worker; each peer address is a
/// connection with its own ID, made by the peer's first datagram (``on_accept(sender,
/// conn_id, (host, port))``, then ``on_handshake``). One ``send`` is one datagram of 1 to
/// ``max_datagram_size`` bytes; ``on_receive`` gets one datagram. Peers silent for
/// ``detect_attempts`` rounds of ``detect_interval`` ms are closed; ``disconnect`` and
/// ``stop`` tell the peer with a close-notify datagram.
///
/// ``UdpServer(listener=None, **settings)`` (see ``UdpServerListener``). Use it as a context
/// manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "UdpServer"
)]
pub(crate) struct PyUdpServer {
    pub(crate) core: hpsocket_core::TcpServer,
    pub(crate) bridge: Arc<Bridge>,
}

impl_configurable!(PyUdpServer, get_engine, set_engine);
engine_methods!(PyUdpServer);
server_methods!(PyUdpServer);
engine_properties!(PyUdpServer);
shared_socket_properties!(PyUdpServer);
udp_properties!(PyUdpServer);
settings::settings_properties!(PyUdpServer:
    post_receive_count / set_post_receive_count =
        "Datagrams a worker reads per turn before other work. Default 64; greater than 0.",
);

#[pymethods]
impl PyUdpServer {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::with_transport(
            Role::Server,
            ReceiveModel::Push,
            false,
            true,
        ));
        bridge.set_listener(listener)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: false,
        }));
        let core = hpsocket_core::UdpServer::new(events).into_inner();
        let this = PyUdpServer { core, bridge };
        settings::apply_kwargs(&this, py, settings, "UdpServer")?;
        Ok(this)
    }
}

/// A UDP client (HP-Socket's ``IUdpClient``): a socket connected to the server. ``start``
/// sends a heartbeat (an empty datagram) at once, which makes the server's connection, and
/// one every ``detect_interval`` ms; a server silent for ``detect_attempts`` rounds closes
/// the client (``on_close(CLOSE, ECONNRESET)``). One ``send`` is one datagram of 1 to
/// ``max_datagram_size`` bytes; ``on_receive`` gets one datagram. ``stop`` tells the server
/// with a close-notify datagram.
///
/// ``UdpClient(listener=None, **settings)`` (see ``UdpClientListener``). Use it as a context
/// manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "UdpClient"
)]
pub(crate) struct PyUdpClient {
    pub(crate) core: hpsocket_core::TcpClient,
    pub(crate) bridge: Arc<Bridge>,
}

impl_configurable!(PyUdpClient, get_client, set_client);
client_methods!(PyUdpClient);
shared_socket_properties!(PyUdpClient);
udp_properties!(PyUdpClient);
settings::settings_properties!(PyUdpClient:
    free_buffer_pool_size / set_free_buffer_pool_size = "Cached send buffers. Default 60.",
    free_buffer_pool_hold / set_free_buffer_pool_hold = "Send-buffer cache threshold. Default 60.",
);

#[pymethods]
impl PyUdpClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::with_transport(
            Role::Client,
            ReceiveModel::Push,
            false,
            true,
        ));
        bridge.set_listener(listener)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: true,
        }));
        let core = hpsocket_core::UdpClient::new(events).into_inner();
        let this = PyUdpClient { core, bridge };
        settings::apply_kwargs(&this, py, settings, "UdpClient")?;
        Ok(this)
    }
}

/// A reliable UDP server (HP-Socket's ``IUdpArqServer``): a ``UdpServer`` whose connections
/// run HP-Socket's 12-byte ARQ handshake, then KCP. ``on_accept(sender, conn_id, (host,
/// port))`` fires on the peer's first datagram, ``on_handshake`` once the handshake
/// completed (``send`` before it raises ``HPSocketError(ILLEGAL_STATE)``, ``errno``
/// ENOTCONN). One ``send`` is one message of 1 to ``max_message_size`` bytes, delivered whole
/// and in order by one ``on_receive`` (a bigger or empty one raises
/// ``HPSocketError(INVALID_PARAM)``, ``errno`` EMSGSIZE). A handshake not done within
/// ``handshake_timeout`` ms closes with ``on_close(CLOSE, ETIMEDOUT)``.
///
/// ``UdpArqServer(listener=None, **settings)`` (see ``UdpArqServerListener``): the UDP
/// settings and the ARQ ones (``no_delay``, ``flush_interval``, ``max_message_size``, ...),
/// checked by ``start``. Use it as a context manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "UdpArqServer"
)]
pub(crate) struct PyUdpArqServer {
    pub(crate) core: hpsocket_core::TcpServer,
    pub(crate) bridge: Arc<Bridge>,
}

impl_configurable!(PyUdpArqServer, get_engine, set_engine);
engine_methods!(PyUdpArqServer);
server_methods!(PyUdpArqServer);
engine_properties!(PyUdpArqServer);
shared_socket_properties!(PyUdpArqServer);
udp_properties!(PyUdpArqServer);
arq_properties!(PyUdpArqServer);
arq_methods!(
    PyUdpArqServer,
    "What connection ``conn_id`` has queued or in flight, not yet acknowledged, counted in \
     KCP segments as HP-Socket's ``GetWaitingSendMessageCount`` counts (``ikcp_waitsnd``; a \
     message bigger than one segment counts several). 0 once everything was acknowledged.",
    (conn_id: Cid)
);
settings::settings_properties!(PyUdpArqServer:
    post_receive_count / set_post_receive_count =
        "Datagrams a worker reads per turn before other work. Default 64; greater than 0.",
);

#[pymethods]
impl PyUdpArqServer {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::with_transport(
            Role::Server,
            ReceiveModel::Arq,
            false,
            true,
        ));
        bridge.set_listener(listener)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: false,
        }));
        let core = hpsocket_core::UdpArqServer::new(events).into_inner();
        let this = PyUdpArqServer { core, bridge };
        settings::apply_kwargs(&this, py, settings, "UdpArqServer")?;
        Ok(this)
    }
}

/// A reliable UDP client (HP-Socket's ``IUdpArqClient``): a ``UdpClient`` that runs
/// HP-Socket's ARQ handshake with the server after ``start``, then KCP. ``on_handshake``
/// fires once the handshake completed; ``send`` before it raises
/// ``HPSocketError(ILLEGAL_STATE)``, ``errno`` ENOTCONN (``INVALID_PARAM`` while an
/// asynchronous ``start`` is still connecting). One ``send`` is one message of 1 to
/// ``max_message_size`` bytes, delivered whole and in order by one ``on_receive``.
///
/// ``UdpArqClient(listener=None, **settings)`` (see ``UdpArqClientListener``). Use it as a
/// context manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "UdpArqClient"
)]
pub(crate) struct PyUdpArqClient {
    pub(crate) core: hpsocket_core::TcpClient,
    pub(crate) bridge: Arc<Bridge>,
}

impl_configurable!(PyUdpArqClient, get_client, set_client);
client_methods!(PyUdpArqClient);
shared_socket_properties!(PyUdpArqClient);
udp_properties!(PyUdpArqClient);
arq_properties!(PyUdpArqClient);
arq_methods!(
    PyUdpArqClient,
    "What is queued or in flight, not yet acknowledged, counted in KCP segments as \
     HP-Socket's ``GetWaitingSendMessageCount`` counts (``ikcp_waitsnd``; a message bigger \
     than one segment counts several). 0 once everything was acknowledged.",
    ()
);
settings::settings_properties!(PyUdpArqClient:
    free_buffer_pool_size / set_free_buffer_pool_size = "Cached send buffers. Default 60.",
    free_buffer_pool_hold / set_free_buffer_pool_hold = "Send-buffer cache threshold. Default 60.",
);

#[pymethods]
impl PyUdpArqClient {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::with_transport(
            Role::Client,
            ReceiveModel::Arq,
            false,
            true,
        ));
        bridge.set_listener(listener)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: true,
        }));
        let core = hpsocket_core::UdpArqClient::new(events).into_inner();
        let this = PyUdpArqClient { core, bridge };
        settings::apply_kwargs(&this, py, settings, "UdpArqClient")?;
        Ok(this)
    }
}

/// Extension: a reliable UDP agent, many outgoing ARQ sessions in one object, each with its
/// connection ID, as ``TcpAgent`` is for TCP (HP-Socket has none: its users open one
/// ``UdpArqClient`` per session; the C ABI's ``Create_HPX_UdpArqAgent``). Each ``connect``
/// opens a UDP socket of its own and runs HP-Socket's ARQ handshake with the server
/// (``on_connect``, then ``on_handshake``; ``send`` before it raises
/// ``HPSocketError(ILLEGAL_STATE)``, ``errno`` ENOTCONN), then KCP. One ``send`` is one
/// message of 1 to ``max_message_size`` bytes, delivered whole and in order by one
/// ``on_receive``; ``disconnect`` tells the server with a close-notify datagram.
///
/// ``UdpArqAgent(listener=None, **settings)`` (see ``UdpArqAgentListener``): the agent
/// settings (``worker_thread_count``, ``max_connection_count``, ...), the shared socket ones
/// (``max_send_queue_bytes``, ``connect_timeout``, ...) and the ARQ ones (``no_delay``,
/// ``flush_interval``, ``max_message_size``, ...), checked by ``start``. Use it as a context
/// manager to stop it on exit.
#[pyclass(
    subclass,
    frozen,
    weakref,
    module = "hpsocket._native",
    name = "UdpArqAgent"
)]
pub(crate) struct PyUdpArqAgent {
    pub(crate) core: hpsocket_core::TcpAgent,
    pub(crate) bridge: Arc<Bridge>,
}

impl_configurable!(PyUdpArqAgent, get_engine, set_engine);
engine_methods!(PyUdpArqAgent);
engine_properties!(PyUdpArqAgent);
shared_socket_properties!(PyUdpArqAgent);
arq_properties!(PyUdpArqAgent);
arq_methods!(
    PyUdpArqAgent,
    "What session ``conn_id`` has queued or in flight, not yet acknowledged, counted in KCP \
     segments as ``UdpArqServer.waiting_send_message_count`` counts. 0 once everything was \
     acknowledged.",
    (conn_id: Cid)
);
settings::udp_buffer_properties!(PyUdpArqAgent);

#[pymethods]
impl PyUdpArqAgent {
    #[new]
    #[pyo3(signature = (listener=None, **settings))]
    fn new(
        py: Python<'_>,
        listener: Option<Bound<'_, PyAny>>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let bridge = Arc::new(Bridge::with_transport(
            Role::Agent,
            ReceiveModel::Arq,
            false,
            true,
        ));
        bridge.set_listener(listener)?;
        let events = Arc::new(EventAdapter(PyEvents {
            bridge: bridge.clone(),
            client: false,
        }));
        let core = hpsocket_core::UdpArqAgent::new(events).into_inner();
        let this = PyUdpArqAgent { core, bridge };
        settings::apply_kwargs(&this, py, settings, "UdpArqAgent")?;
        Ok(this)
    }

    /// Starts the workers. ``bind_address`` (None: any) is the local address of every
    /// session's socket; with ``async_connect`` (the default) ``connect`` returns at once and
    /// the outcome comes as ``on_connect``/``on_handshake`` or ``on_close(CONNECT, errno)``,
    /// else ``connect`` blocks (GIL released) until the socket is connected.
    #[pyo3(signature = (bind_address=None, async_connect=true))]
    fn start(
        slf: &Bound<'_, Self>,
        bind_address: Option<&str>,
        async_connect: bool,
    ) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        let run = component::begin(py, slf.as_any(), &this.core, &this.bridge)?;
        let result = py.detach(|| this.core.start(bind_address, async_connect));
        component::started(py, &this.bridge, run, result)
    }

    /// Opens an ARQ session with the server at ``remote_address`` (IP, host name) and
    /// ``port``; returns its connection ID. ``extra`` is attached to the connection before
    /// its first event (see ``get_connection_extra``); ``local_address`` and ``local_port``
    /// bind the session's socket.
    #[pyo3(signature = (remote_address, port, *, extra=None, local_address=None, local_port=None))]
    fn connect(
        &self,
        py: Python<'_>,
        remote_address: &str,
        port: &Bound<'_, PyAny>,
        extra: Option<Bound<'_, PyAny>>,
        local_address: Option<String>,
        local_port: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let port = crate::args::port(port)?;
        let local_port = local_port.map(crate::args::port).transpose()?.unwrap_or(0);
        let token = match extra {
            Some(e) if !e.is_none() => self.bridge.add_pending(e.unbind()),
            _ => 0,
        };
        let options = ConnectOptions {
            extra: token,
            local_address,
            local_port,
        };
        let result = py.detach(|| self.core.connect_with(remote_address, port, &options));
        if token != 0 {
            let id = result.as_ref().ok().copied();
            let alive = id.is_some_and(|id| self.core.connection_extra(id).is_ok());
            self.bridge.settle_pending(token, id, alive);
        }
        result.or_raise(py)
    }

    /// The host and port given to ``connect`` for the session.
    fn remote_host(&self, py: Python<'_>, conn_id: Cid) -> PyResult<(String, u16)> {
        self.core.remote_host(conn_id.0).or_raise(py)
    }
}
