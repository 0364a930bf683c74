//! The exports written by `tools/ffi-gen` from the tables in `hpsocket-ffi/api`, one
//! module per table. Generated: edit the tables, then run `cargo run -p ffi-gen`.

#[rustfmt::skip]
mod arq;
#[rustfmt::skip]
mod component;
#[rustfmt::skip]
mod compressor;
#[rustfmt::skip]
mod cookie;
#[rustfmt::skip]
mod ext;
#[rustfmt::skip]
mod http;
#[rustfmt::skip]
mod http_ext;
#[rustfmt::skip]
mod listener;
#[rustfmt::skip]
mod node;
#[rustfmt::skip]
mod pack;
#[rustfmt::skip]
mod pull;
#[rustfmt::skip]
mod ssl;
#[rustfmt::skip]
mod sys;
#[rustfmt::skip]
mod sys_codec;
#[rustfmt::skip]
mod sys_util;
#[rustfmt::skip]
mod tcp;
#[rustfmt::skip]
mod threadpool;
#[rustfmt::skip]
mod udp;
#[rustfmt::skip]
mod udp_ext;
#[rustfmt::skip]
mod ws;
#[rustfmt::skip]
mod ws_mode;

pub use arq::*;
pub use component::*;
pub use compressor::*;
pub use cookie::*;
pub use ext::*;
pub use http::*;
pub use http_ext::*;
pub use listener::*;
pub use node::*;
pub use pack::*;
pub use pull::*;
pub use ssl::*;
pub use sys::*;
pub use sys_codec::*;
pub use sys_util::*;
pub use tcp::*;
pub use threadpool::*;
pub use udp::*;
pub use udp_ext::*;
pub use ws::*;
pub use ws_mode::*;
