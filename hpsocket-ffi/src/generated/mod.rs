//! The exports written by `tools/ffi-gen` from the tables in `hpsocket-ffi/api`, one
//! module per table. Generated: edit the tables, then run `cargo run -p ffi-gen`.

#[rustfmt::skip]
pub mod pack;

pub use pack::*;
