//! The WebSocket mode without sockets: RFC 6455's accept example, reassembly across
//! fragments with a ping between them, automatic pong and close answers, and each protocol
//! error with its close code.

use super::*;
use crate::http::ws::mask;

fn client_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let key = [1, 2, 3, 4];
    let (h, n) = frame_head(fin, 0, opcode, Some(key), payload.len() as u64);
    let mut out = h[..n].to_vec();
    let mut p = payload.to_vec();
    mask(&mut p, key, 0);
    out.extend(p);
    out
}

/// Feeds `bytes` to a server assembler; returns its reports as text.
fn server_reads(bytes: &[u8], max: usize) -> Vec<String> {
    let mut a = Assembler::new(Policy {
        max_message: max,
        server: true,
        deflate: None,
    });
    let mut log = Vec::new();
    a.feed(bytes, &mut |o: WsOut<'_>| {
        log.push(match o {
            WsOut::Message { opcode, data } => {
                format!("message {opcode} {}", String::from_utf8_lossy(data))
            }
            WsOut::Reply(f) => format!("reply {:#x} {}", f[0], f.len()),
            WsOut::Closed => "closed".into(),
            WsOut::Failed { code, .. } => format!("failed {code}"),
        });
        Step::Continue
    });
    log
}

#[test]
fn the_accept_key_is_rfc_6455s_example() {
    assert_eq!(
        accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert!(valid_key(&new_key()));
    assert!(!valid_key("short"));
}

#[test]
fn fragments_are_reassembled_around_a_ping_that_is_answered() {
    let mut bytes = client_frame(false, OP_TEXT, b"Hel");
    bytes.extend(client_frame(true, OP_PING, b"p"));
    bytes.extend(client_frame(false, 0, b"lo, "));
    bytes.extend(client_frame(true, 0, b"world"));
    bytes.extend(client_frame(true, OP_BINARY, &[0xFF, 0x00]));
    assert_eq!(
        server_reads(&bytes, 1 << 20),
        [
            "reply 0x8a 3",
            "message 9 p",
            "message 1 Hello, world",
            "message 2 \u{fffd}\u{0}"
        ]
    );
}

#[test]
fn a_close_is_answered_with_its_code_and_ends_the_stream() {
    let mut payload = 1000u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"bye");
    let mut bytes = client_frame(true, OP_CLOSE, &payload);
    bytes.extend(client_frame(true, OP_TEXT, b"after"));
    assert_eq!(
        server_reads(&bytes, 100),
        ["message 8 \u{3}\u{fffd}bye", "reply 0x88 4", "closed"]
    );
}

#[test]
fn protocol_errors_fail_with_their_codes() {
    let unmasked = {
        let (h, n) = frame_head(true, 0, OP_TEXT, None, 2);
        let mut v = h[..n].to_vec();
        v.extend_from_slice(b"hi");
        v
    };
    assert_eq!(server_reads(&unmasked, 100), ["failed 1002"]);
    assert_eq!(
        server_reads(&client_frame(true, 0x3, b""), 100),
        ["failed 1002"]
    );
    assert_eq!(
        server_reads(&client_frame(false, OP_PING, b""), 100),
        ["failed 1002"]
    );
    assert_eq!(
        server_reads(&client_frame(true, OP_PING, &[0; 126]), 1000),
        ["failed 1002"]
    );
    assert_eq!(
        server_reads(&client_frame(true, 0, b"x"), 100),
        ["failed 1002"]
    );
    assert_eq!(
        server_reads(&client_frame(true, OP_TEXT, &[0xC3]), 100),
        ["failed 1007"]
    );
    assert_eq!(
        server_reads(&client_frame(true, OP_BINARY, &[0; 101]), 100),
        ["failed 1009"]
    );
    assert_eq!(
        server_reads(&client_frame(true, OP_CLOSE, &[3]), 100),
        ["failed 1002"]
    );
    let rsv = {
        let (h, n) = frame_head(true, 4, OP_TEXT, Some([0; 4]), 0);
        h[..n].to_vec()
    };
    assert_eq!(server_reads(&rsv, 100), ["failed 1002"]);
}

#[test]
fn a_server_frame_is_unmasked_and_a_client_frame_masked() {
    assert_eq!(frame(true, OP_TEXT, b"abc"), [0x81, 3, b'a', b'b', b'c']);
    let c = frame(false, OP_TEXT, b"abc");
    assert_eq!(c.len(), 2 + 4 + 3);
    assert_eq!(c[1], 0x80 | 3);
}
