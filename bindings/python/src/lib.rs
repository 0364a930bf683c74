//! `hpsocket._native`: the Python binding of `hpsocket-core` (HP-Socket rebuilt in Rust), built
//! by maturin into the abi3 wheel of the `hpsocket` package. The package (`python/hpsocket`)
//! adds the listener base classes and re-exports everything from here.
//!
//! Threads: a component's events run on its worker threads, which take the GIL only to run
//! the Python listener method of a set handler; blocking calls (`start`, `stop`, `wait`, a
//! synchronous connect, `send_small_file`) release the GIL. A Python exception in a handler is
//! reported through `sys.unraisablehook` and counts as `HR_ERROR`; it never ends a worker.

mod agent;
mod args;
mod bridge;
mod client;
mod codec;
mod component;
mod enums;
mod errors;
mod events;
mod http;
mod logging;
mod runtime;
mod server;
mod settings;
mod ssl;
mod tstate;
mod udp;

use pyo3::prelude::*;

#[pymodule(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    enums::register(m)?;
    m.add("HPSocketError", py.get_type::<errors::HPSocketError>())?;
    m.add_class::<server::PyTcpServer>()?;
    m.add_class::<server::PyTcpPullServer>()?;
    m.add_class::<server::PyTcpPackServer>()?;
    m.add_class::<agent::PyTcpAgent>()?;
    m.add_class::<agent::PyTcpPullAgent>()?;
    m.add_class::<agent::PyTcpPackAgent>()?;
    m.add_class::<client::PyTcpClient>()?;
    m.add_class::<client::PyTcpPullClient>()?;
    m.add_class::<client::PyTcpPackClient>()?;
    m.add_class::<ssl::PySslServer>()?;
    m.add_class::<ssl::PySslPullServer>()?;
    m.add_class::<ssl::PySslPackServer>()?;
    m.add_class::<ssl::PySslAgent>()?;
    m.add_class::<ssl::PySslPullAgent>()?;
    m.add_class::<ssl::PySslPackAgent>()?;
    m.add_class::<ssl::PySslClient>()?;
    m.add_class::<ssl::PySslPullClient>()?;
    m.add_class::<ssl::PySslPackClient>()?;
    m.add_class::<udp::PyUdpServer>()?;
    m.add_class::<udp::PyUdpClient>()?;
    m.add_class::<udp::PyUdpArqServer>()?;
    m.add_class::<udp::PyUdpArqClient>()?;
    m.add_class::<udp::PyUdpArqAgent>()?;
    http::register(m)?;
    logging::register(m)?;
    // Private: `hpsocket.codec` re-exports its names (and has its own stubs).
    let codec = PyModule::new(py, "hpsocket.codec")?;
    codec::register(&codec)?;
    m.add("_codec", codec)?;
    m.add("SSL_VM_NONE", hpsocket_core::SSL_VM_NONE)?;
    m.add("SSL_VM_PEER", hpsocket_core::SSL_VM_PEER)?;
    m.add(
        "SSL_VM_FAIL_IF_NO_PEER_CERT",
        hpsocket_core::SSL_VM_FAIL_IF_NO_PEER_CERT,
    )?;
    m.add("SSL_VM_CLIENT_ONCE", hpsocket_core::SSL_VM_CLIENT_ONCE)?;
    m.add("PACK_HEADER_LEN", hpsocket_core::PACK_HEADER_LEN)?;
    m.add("PACK_LENGTH_MASK", hpsocket_core::PACK_LENGTH_MASK)?;
    m.add("PACK_FLAG_MAX", hpsocket_core::PACK_FLAG_MAX)?;
    let atexit = wrap_pyfunction!(runtime::_atexit, m)?;
    m.add_function(atexit.clone())?;
    py.import("atexit")?.call_method1("register", (atexit,))?;
    Ok(())
}
