//! The C contract of hpsocket-ffi, exercised through the exported functions only (what a C
//! program sees): handle validation, last errors and errno, out-parameter conventions, enum
//! parsing, re-entrancy from callbacks, the panic boundary, user data, and real echo traffic
//! on loopback sockets. Tests wait for events with deadlines; none sleeps to synchronise.
//!
//! One module per topic; the callbacks and components they share are in `common`.

#[path = "../util/mod.rs"]
mod util;

mod common;

mod boundary;
mod handles;
mod lifecycle;
mod out_params;
mod reentrancy;
mod settings;
mod traffic;
