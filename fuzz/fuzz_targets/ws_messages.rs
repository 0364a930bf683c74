//! The WebSocket mode's assembler (`hpsocket_core::http::ws_mode::Assembler`). Input: byte 0
//! picks the side (bit 0: server), permessage-deflate (bit 1) and a split point, the rest is
//! the stream. Checked: no
//! panic; what comes out (messages, replies, the close, the failure) is the same whether the
//! stream arrives whole or split in two; no message is bigger than the limit; a text message
//! is UTF-8; after a failure or the close nothing more comes out.
#![no_main]

use hpsocket_core::http::ws::{Fed, Step};
use hpsocket_core::http::ws_deflate::Agreed;
use hpsocket_core::http::ws_mode::{Assembler, Policy, WsOut, OP_TEXT};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 4096;

#[derive(Debug, PartialEq, Eq)]
enum Out {
    Message(u8, Vec<u8>),
    Reply(u8),
    Closed,
    Failed(u16),
}

fn run(server: bool, deflate: bool, chunks: &[&[u8]]) -> Vec<Out> {
    let mut a = Assembler::new(Policy {
        max_message: LIMIT,
        server,
        deflate: deflate.then(Agreed::default),
    });
    let mut log = Vec::new();
    let mut ended = false;
    for c in chunks {
        let fed = a.feed(c, &mut |out: WsOut<'_>| {
            assert!(!ended, "output after the end: {log:?}");
            log.push(match out {
                WsOut::Message { opcode, data } => {
                    assert!(data.len() <= LIMIT, "a message over the limit");
                    if opcode == OP_TEXT {
                        assert!(std::str::from_utf8(data).is_ok(), "a text message not UTF-8");
                    }
                    Out::Message(opcode, data.to_vec())
                }
                // The frame's first byte; control replies are masked with a random key.
                WsOut::Reply(frame) => Out::Reply(frame[0]),
                WsOut::Closed => {
                    ended = true;
                    Out::Closed
                }
                WsOut::Failed { code, .. } => {
                    ended = true;
                    Out::Failed(code)
                }
            });
            Step::Continue
        });
        if fed == Fed::Failed {
            break;
        }
    }
    log
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, stream)) = data.split_first() else {
        return;
    };
    let (server, deflate) = (pick & 1 == 1, pick & 2 == 2);
    let whole = run(server, deflate, &[stream]);
    let at = (pick as usize >> 2) % (stream.len() + 1);
    let split = run(server, deflate, &[&stream[..at], &stream[at..]]);
    assert_eq!(whole, split, "split at {at}");
});
