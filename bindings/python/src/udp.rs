//! `UdpServer`, `UdpClient`: HP-Socket's UDP components. They share the TCP classes' methods
//! (the same macros) and event seam; what differs is the constructor, the settings (the UDP
//! ones instead of the TCP-only ones) and `on_accept`, which gets the peer's `(host, port)`.

use std::sync::Arc;

use hpsocket_core::{EventAdapter, ReceiveModel};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::bridge::{Bridge, Role};
use crate::client::client_methods;
use crate::component::engine_methods;
use crate::errors::OrRaise;
use crate::events::PyEvents;
use crate::server::server_methods;
use crate::settings::{
    self, engine_properties, impl_configurable, shared_socket_properties, udp_properties,
};

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
