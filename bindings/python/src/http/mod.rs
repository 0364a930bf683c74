//! The HTTP components (HP-Socket's `HttpServer`, `HttpAgent`, `HttpClient`, `HttpSyncClient`
//! and their HTTPS forms): TCP (or SSL) classes of the HTTP receive model, with the parse
//! events (`on_message_begin` ... `on_parse_error`), the messages as [`PyHttpMessage`], and
//! the HTTP sends. The HTTP settings are not in the core's settings registry: the
//! constructors take them out of the keyword arguments and set them through
//! `update_http_config` (they may change while running).
//!
//! One module per job: `settings` (the HTTP settings), `args` (the sends' argument
//! conversions), `message` (`HttpMessage`), `properties` and `requests` (the macros and helpers
//! the classes share), then the classes: `server`, `agent`, `client` and `sync`.

// The macro modules come first: a `macro_rules!` is in scope only in the modules declared
// after the one defining it.
#[macro_use]
mod properties;
#[macro_use]
mod requests;

mod agent;
mod args;
mod client;
mod message;
mod server;
mod settings;
mod sync;

use hpsocket_core::http::{HTTP_VERSION_1_0, HTTP_VERSION_1_1};
use pyo3::prelude::*;

use agent::{PyHttpAgent, PyHttpsAgent};
use client::{PyHttpClient, PyHttpsClient};
use message::PyHttpMessage;
use server::{PyHttpServer, PyHttpsServer};
use sync::{PyHttpSyncClient, PyHttpsSyncClient};

/// Registers the classes and constants.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHttpMessage>()?;
    m.add_class::<PyHttpServer>()?;
    m.add_class::<PyHttpsServer>()?;
    m.add_class::<PyHttpAgent>()?;
    m.add_class::<PyHttpsAgent>()?;
    m.add_class::<PyHttpClient>()?;
    m.add_class::<PyHttpsClient>()?;
    m.add_class::<PyHttpSyncClient>()?;
    m.add_class::<PyHttpsSyncClient>()?;
    m.add("HTTP_VERSION_1_0", HTTP_VERSION_1_0)?;
    m.add("HTTP_VERSION_1_1", HTTP_VERSION_1_1)?;
    Ok(())
}
