//! # hpsocket-ffi
//!
//! HP-Socket's C API (`HPSocket4C.h`) over [`hpsocket_core`]: the same function names,
//! argument orders, types, enum values and callback typedefs, so a C program written for
//! HP-Socket compiles against `include/HPSocket4C.h` and links with `-lhpsocket` unchanged.
//!
//! The contract (return values, last errors, pointer ownership, threads, re-entrancy) is
//! `docs/abi.md`. In short:
//! - every exported body runs inside `boundary`: no panic crosses into C, failures return
//!   FALSE/0/NULL and record a code and text (per object, per thread, and `errno`);
//! - handles are validated tokens (module `handle`), never pointers: a NULL, stale, destroyed,
//!   wrong-kind or garbage handle is an error, not undefined behaviour;
//! - `HP_Server_*` take any server, `HP_Agent_*` any agent, `HP_Client_*` any client.
//!
//! This crate is the only place with `unsafe`; every block says why it is sound.

// The C names are HP-Socket's: `pServer`, `dwConnID`, `Create_HP_TcpServer`, ...
#![allow(non_snake_case)]
// The safety contract of every exported function is one document, docs/abi.md (pointer
// arguments: NULL or valid for the stated length, strings NUL-terminated), rather than 200
// copies of it.
#![allow(clippy::missing_safety_doc)]

mod agent;
mod args;
mod boundary;
mod client;
mod compressor;
mod connection;
mod cookie;
mod engine;
mod handle;
mod http;
mod last_error;
mod lifecycle;
mod listener;
mod log_hook;
mod node;
mod object;
mod pull;
mod server;
mod setting;
mod ssl;
mod sys;
mod sys_codec;
mod sys_util;
mod tcp;
mod threadpool;

pub mod generated;
pub mod types;

pub use generated::*;
pub use types::*;
