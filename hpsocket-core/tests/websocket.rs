//! The WebSocket mode on loopback: a server echoing whole messages to our own client (the
//! handshake answered and checked by the library, fragments reassembled, pings answered), the
//! closing handshake, and a raw peer breaking the protocol (an unmasked client frame gets
//! close code 1002 and the connection ends).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use hpsocket_core::http::ws_mode::{accept_key, OP_BINARY, OP_CLOSE, OP_TEXT};
use hpsocket_core::http::{HttpEvent, HttpParseResult, UpgradeType};
use hpsocket_core::{ClientListener, ConnId, ReceiveModel, ServerListener, TcpClient, TcpServer};

/// Echoes every message; refuses upgrades from the origin `http://evil.example` with 403
/// (the Origin check an application does in `Upgrade`); records closes.
#[derive(Default)]
struct Echo {
    closes: Mutex<Vec<(hpsocket_core::SocketOperation, i32)>>,
}

impl ServerListener for Echo {
    fn on_http(&self, s: &TcpServer, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        match event {
            HttpEvent::WsMessage { opcode, data } if opcode == OP_TEXT || opcode == OP_BINARY => {
                s.send_ws_message(id, true, 0, opcode, data, 0).unwrap();
            }
            HttpEvent::Upgrade(_) => {
                let m = s.http_message(id).unwrap();
                if m.header("Origin")
                    .is_some_and(|o| o.to_bytes() == b"http://evil.example")
                {
                    s.send_response(id, 403, None, &[("Content-Length", "0")], b"")
                        .unwrap();
                }
            }
            _ => {}
        }
        HttpParseResult::Ok
    }
    fn on_close(
        &self,
        _: &TcpServer,
        _: ConnId,
        op: hpsocket_core::SocketOperation,
        code: i32,
    ) -> hpsocket_core::HandleResult {
        self.closes.lock().unwrap().push((op, code));
        hpsocket_core::HandleResult::Ok
    }
}

#[derive(Default)]
struct Got {
    events: Mutex<Vec<String>>,
    changed: Condvar,
}

impl Got {
    fn wait(&self, what: &str, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
        let mut g = self.events.lock().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !pred(&g) {
            let now = std::time::Instant::now();
            assert!(now < deadline, "timed out waiting for {what}: {:?}", *g);
            g = self.changed.wait_timeout(g, deadline - now).unwrap().0;
        }
        g.clone()
    }
}

impl ClientListener for Got {
    fn on_http(&self, _: &TcpClient, _: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        let e = match event {
            HttpEvent::Upgrade(kind) => format!("upgrade {kind:?}"),
            HttpEvent::WsMessage { opcode, data } => {
                format!("message {opcode} {}", data.len())
            }
            _ => return HttpParseResult::Ok,
        };
        self.events.lock().unwrap().push(e);
        self.changed.notify_all();
        HttpParseResult::Ok
    }
    fn on_close(
        &self,
        _: &TcpClient,
        _: ConnId,
        _: hpsocket_core::SocketOperation,
        _: i32,
    ) -> hpsocket_core::HandleResult {
        self.events.lock().unwrap().push("close".into());
        self.changed.notify_all();
        hpsocket_core::HandleResult::Ok
    }
}

fn server() -> (TcpServer, u16) {
    let (s, port, _) = server_with(|_| {});
    (s, port)
}

fn server_with(
    configure: impl FnOnce(&mut hpsocket_core::http::HttpConfig),
) -> (TcpServer, u16, Arc<Echo>) {
    let echo = Arc::new(Echo::default());
    let s = TcpServer::with_model(echo.clone(), ReceiveModel::Http);
    s.update_http_config(|c| {
        c.ws_mode = true;
        configure(c);
    })
    .unwrap();
    s.start("127.0.0.1", 0).unwrap();
    let port = s.listen_address().unwrap().port();
    (s, port, echo)
}

/// A raw client's upgrade request with `extra` header lines; returns the answer's head and
/// whatever followed it.
fn raw_upgrade(port: u16, extra: &str) -> (TcpStream, String, Vec<u8>) {
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        c,
        "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
    .unwrap();
    let mut got = Vec::new();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let more = read_some(&mut c, 1);
        assert!(!more.is_empty(), "closed before the answer: {got:?}");
        got.extend_from_slice(&more);
    }
    let end = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let rest = got.split_off(end);
    (c, String::from_utf8(got).unwrap(), rest)
}

/// A masked client frame.
fn client_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let key = [9u8, 8, 7, 6];
    let mut f = vec![first, 0x80 | payload.len() as u8];
    f.extend_from_slice(&key);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    f
}

/// Reads one unmasked server frame with a payload under 126 bytes: (first byte, payload).
fn server_frame(c: &mut TcpStream, mut have: Vec<u8>) -> (u8, Vec<u8>) {
    while have.len() < 2 || have.len() < 2 + (have[1] & 0x7F) as usize {
        let more = read_some(c, 1);
        assert!(!more.is_empty(), "closed inside a frame: {have:?}");
        have.extend_from_slice(&more);
    }
    assert!(have[1] < 126, "{have:?}");
    (have[0], have[2..2 + have[1] as usize].to_vec())
}

#[test]
fn our_client_and_server_exchange_whole_messages_and_close() {
    let (s, port) = server();
    let got = Arc::new(Got::default());
    let c = TcpClient::with_model(got.clone(), ReceiveModel::Http);
    c.update_http_config(|h| h.ws_mode = true).unwrap();
    c.start("127.0.0.1", port, false).unwrap();
    c.send_ws_upgrade("/chat", &[]).unwrap();
    got.wait("the upgrade", |e| {
        e.contains(&"upgrade WebSocket".to_string())
    });
    c.send_ws_message(true, 0, OP_TEXT, None, b"hello", 0)
        .unwrap();
    // A fragmented binary message: three frames.
    let big = vec![7u8; 100_000];
    c.send_ws_message(false, 0, OP_BINARY, None, &big[..40_000], 0)
        .unwrap();
    c.send_ws_message(false, 0, 0, None, &big[40_000..70_000], 0)
        .unwrap();
    c.send_ws_message(true, 0, 0, None, &big[70_000..], 0)
        .unwrap();
    let e = got.wait("two echoes", |e| {
        e.iter().filter(|x| x.starts_with("message")).count() == 2
    });
    assert_eq!(e[1..], ["message 1 5", "message 2 100000"]);
    c.ws_close(1000, "done").unwrap();
    let e = got.wait("the close", |e| e.contains(&"close".to_string()));
    assert!(e.contains(&format!("message {OP_CLOSE} 2")), "{e:?}");
    s.stop().unwrap();
}

/// Reads until `n` bytes or the close.
fn read_some(c: &mut TcpStream, n: usize) -> Vec<u8> {
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    while all.len() < n {
        match c.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => all.extend_from_slice(&buf[..k]),
            Err(e) => panic!("read: {e}"),
        }
    }
    all
}

#[test]
fn the_handshake_is_answered_and_an_unmasked_frame_gets_1002() {
    let (s, port) = server();
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    write!(
        c,
        "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let head = read_some(&mut c, 1);
    let head = String::from_utf8_lossy(&head);
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    assert!(head.contains(&format!("Sec-WebSocket-Accept: {}\r\n", accept_key(key))));
    // A ping from a client must be masked: this one is not.
    c.write_all(&[0x89, 0x00]).unwrap();
    let close = read_some(&mut c, 1 << 20);
    assert!(close.len() >= 4, "{close:?}");
    assert_eq!(
        (close[0], &close[2..4]),
        (0x88, &[0x03, 0xEA][..]),
        "{close:?}"
    );
    s.stop().unwrap();
}

#[test]
fn a_bad_upgrade_request_gets_400() {
    let (s, port) = server();
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(
        b"GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    let answer = read_some(&mut c, 1 << 20);
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 400 Bad Request\r\n"));
    let _ = UpgradeType::WebSocket;
    s.stop().unwrap();
}

#[test]
fn subprotocols_follow_the_servers_preference() {
    let (s, port, _) = server_with(|c| c.ws_protocols = vec!["v2.chat".into(), "v1.chat".into()]);
    let got = Arc::new(Got::default());
    let c = TcpClient::with_model(got.clone(), ReceiveModel::Http);
    c.update_http_config(|h| {
        h.ws_mode = true;
        h.ws_protocols = vec!["v1.chat".into(), "v2.chat".into()];
    })
    .unwrap();
    c.start("127.0.0.1", port, false).unwrap();
    c.send_ws_upgrade("/chat", &[]).unwrap();
    got.wait("the upgrade", |e| {
        e.contains(&"upgrade WebSocket".to_string())
    });
    assert_eq!(c.ws_protocol().unwrap().as_deref(), Some("v2.chat"));
    let server_conn = s.all_connection_ids()[0];
    assert_eq!(
        s.ws_protocol(server_conn).unwrap().as_deref(),
        Some("v2.chat")
    );
    // A raw client offering none of them gets no subprotocol, and the upgrade stands.
    let (_c, head, _) = raw_upgrade(port, "Sec-WebSocket-Protocol: other\r\n");
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(!head.contains("Sec-WebSocket-Protocol"), "{head}");
    s.stop().unwrap();
}

#[test]
fn an_upgrade_the_application_refuses_gets_its_answer() {
    let (s, port, echo) = server_with(|_| {});
    let (mut c, head, _) = raw_upgrade(port, "Origin: http://evil.example\r\n");
    assert!(head.starts_with("HTTP/1.1 403 "), "{head}");
    assert!(
        read_some(&mut c, 1 << 16).is_empty(),
        "the connection closes"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while echo.closes.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    s.stop().unwrap();
}

#[test]
fn permessage_deflate_compresses_both_ways() {
    use hpsocket_core::http::ws_deflate::Agreed;
    let (s, port, _) = server_with(|c| c.ws_deflate = true);
    // A raw client offering the extension: the server agrees, inflates our compressed
    // message and answers compressed (RSV1).
    let (mut c, head, rest) = raw_upgrade(
        port,
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
    );
    assert!(
        head.contains("Sec-WebSocket-Extensions: permessage-deflate\r\n"),
        "{head}"
    );
    let agreed = Agreed::default();
    let (mut tx, mut rx) = (agreed.deflater(false), agreed.inflater(false));
    let text = b"compress me, compress me, compress me, compress me!";
    let wire = tx.compress(text);
    c.write_all(&client_frame(0xC1, &wire)).unwrap();
    let (first, payload) = server_frame(&mut c, rest);
    assert_eq!(first, 0xC1, "FIN, RSV1, text");
    assert!(payload.len() < text.len());
    assert_eq!(rx.inflate(&payload, 1 << 20).unwrap(), text);
    // The second message rides on the first one's window (context takeover).
    c.write_all(&client_frame(0xC1, &tx.compress(text)))
        .unwrap();
    let (_, again) = server_frame(&mut c, Vec::new());
    assert!(
        again.len() < payload.len(),
        "{} vs {}",
        again.len(),
        payload.len()
    );
    assert_eq!(rx.inflate(&again, 1 << 20).unwrap(), text);
    // Our own client agrees with our server; a 1 MB message round-trips.
    let got = Arc::new(Got::default());
    let cl = TcpClient::with_model(got.clone(), ReceiveModel::Http);
    cl.update_http_config(|h| {
        h.ws_mode = true;
        h.ws_deflate = true;
    })
    .unwrap();
    cl.start("127.0.0.1", port, false).unwrap();
    cl.send_ws_upgrade("/", &[]).unwrap();
    got.wait("the upgrade", |e| {
        e.contains(&"upgrade WebSocket".to_string())
    });
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    cl.send_ws_message(true, 0, OP_BINARY, None, &big, 0)
        .unwrap();
    got.wait("the echo", |e| e.iter().any(|x| x == "message 2 1000000"));
    s.stop().unwrap();
}

#[test]
fn keepalive_pings_close_a_silent_peer_and_keep_an_answering_one() {
    let (s, port, echo) = server_with(|c| c.ws_ping_interval = 100);
    // Our client answers pings by itself: still connected after several rounds.
    let got = Arc::new(Got::default());
    let cl = TcpClient::with_model(got.clone(), ReceiveModel::Http);
    cl.update_http_config(|h| h.ws_mode = true).unwrap();
    cl.start("127.0.0.1", port, false).unwrap();
    cl.send_ws_upgrade("/", &[]).unwrap();
    got.wait("the upgrade", |e| {
        e.contains(&"upgrade WebSocket".to_string())
    });
    // A raw peer that never answers: a ping arrives, then the close.
    let (mut c, head, rest) = raw_upgrade(port, "");
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    let (first, payload) = server_frame(&mut c, rest);
    assert_eq!((first, payload.len()), (0x89, 0), "an empty ping");
    assert!(read_some(&mut c, 1 << 16).is_empty(), "then the close");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while echo.closes.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        echo.closes.lock().unwrap()[0],
        (hpsocket_core::SocketOperation::Close, libc::ETIMEDOUT)
    );
    // The client that answered saw pings (reported as messages) and is still connected.
    got.wait("pings", |e| {
        e.iter().filter(|x| x.starts_with("message 9 ")).count() >= 2
    });
    assert!(!got.events.lock().unwrap().contains(&"close".to_string()));
    assert_eq!(s.connection_count(), 1);
    s.stop().unwrap();
}
