//! The HTTP/1.x response parser: see `http_message.rs` for the input layout and the checks.
#![no_main]

use hpsocket_core::http::parse::MessageKind;
use libfuzzer_sys::fuzz_target;

mod http_message;

fuzz_target!(|data: &[u8]| http_message::run(MessageKind::Response, data));
