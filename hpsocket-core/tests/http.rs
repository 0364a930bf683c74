//! HTTP components on loopback: a server answering raw requests (events in HP-Socket's order,
//! headers, URL fields, cookies, keep-alive and pipelining, chunked uploads, parse errors,
//! release), the sync client against it (GET, POST, HEAD, chunked answers, reconnects), an
//! agent, and `HttpAutoStart` off.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hpsocket_core::http::{HttpEvent, HttpParseResult, HttpSyncClient, UpgradeType};
use hpsocket_core::{
    AgentListener, ConnId, HandleResult, ReceiveModel, ServerListener, TcpAgent, TcpServer,
};

/// Records every event as text and answers each request with its method, URL and body.
#[derive(Default)]
struct Responder {
    log: Mutex<Vec<String>>,
    /// Answers `wants_http_head` with false.
    skip_head: AtomicBool,
    body: Mutex<Vec<u8>>,
}

impl Responder {
    fn push(&self, s: String) {
        self.log.lock().unwrap().push(s);
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

impl ServerListener for Responder {
    fn wants_http_head(&self) -> bool {
        !self.skip_head.load(Ordering::Relaxed)
    }
    fn on_receive(&self, _: &TcpServer, _: ConnId, data: &[u8]) -> HandleResult {
        self.push(format!("raw {}", String::from_utf8_lossy(data)));
        HandleResult::Ok
    }
    fn on_http(&self, s: &TcpServer, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        match event {
            HttpEvent::MessageBegin => {
                self.body.lock().unwrap().clear();
                self.push("begin".into());
            }
            HttpEvent::RequestLine { method, url } => self.push(format!(
                "line {} {}",
                method.to_str().unwrap(),
                url.to_str().unwrap()
            )),
            HttpEvent::Header { name, value } => self.push(format!(
                "header {}={}",
                name.to_str().unwrap(),
                value.to_str().unwrap()
            )),
            HttpEvent::HeadersComplete => self.push("headers".into()),
            HttpEvent::Body(data) => self.body.lock().unwrap().extend_from_slice(data),
            HttpEvent::ChunkHeader(n) => self.push(format!("chunk {n}")),
            HttpEvent::ChunkComplete => self.push("chunk done".into()),
            HttpEvent::MessageComplete => {
                self.push("complete".into());
                let m = s.http_message(id).unwrap();
                if m.url().to_bytes() == b"/fail" {
                    return HttpParseResult::Error;
                }
                let body = self.body.lock().unwrap().clone();
                let mut text = format!(
                    "{} {} q={:?} c={:?} ka={} body={}",
                    m.method().to_str().unwrap(),
                    m.url_field(3).map(|p| p.to_str().unwrap()).unwrap_or("-"),
                    m.url_field(4).map(|p| p.to_str().unwrap().to_string()),
                    m.cookie("sid").map(|p| p.to_str().unwrap().to_string()),
                    m.is_keep_alive(),
                    String::from_utf8_lossy(&body)
                );
                if m.url().to_bytes() == b"/chunked" {
                    s.send_response(id, 200, None, &[("Transfer-Encoding", "chunked")], b"")
                        .unwrap();
                    s.send_chunk_data(id, b"part1,", None).unwrap();
                    s.send_chunk_data(id, b"part2", Some("x=y")).unwrap();
                    s.send_chunk_data(id, b"", None).unwrap();
                    return HttpParseResult::Ok;
                }
                if m.method().to_bytes() == b"HEAD" {
                    text.clear();
                }
                if m.url().to_bytes() == b"/close" {
                    s.send_response(id, 200, None, &[("Connection", "close")], b"bye")
                        .unwrap();
                    s.release(id).unwrap();
                    return HttpParseResult::Ok;
                }
                s.send_response(id, 200, None, &[("X-Test", "yes")], text.as_bytes())
                    .unwrap();
                if !m.is_keep_alive() {
                    s.release(id).unwrap();
                }
            }
            HttpEvent::Upgrade(kind) => self.push(format!("upgrade {kind:?}")),
            HttpEvent::ParseError { code, description } => {
                self.push(format!("error {code} {}", description.to_str().unwrap()))
            }
            _ => {}
        }
        HttpParseResult::Ok
    }
}

fn server(responder: Arc<Responder>) -> (TcpServer, u16) {
    let s = TcpServer::with_model(responder, ReceiveModel::Http);
    s.update_config(|c| c.worker_thread_count = 2).unwrap();
    s.start("127.0.0.1", 0).unwrap();
    let port = s.listen_address().unwrap().port();
    (s, port)
}

/// Reads what arrives until `done` says the text is whole.
fn read_until(stream: &mut TcpStream, done: impl Fn(&str) -> bool) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    while !done(&String::from_utf8_lossy(&all)) {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) => panic!("read: {e}; got {:?}", String::from_utf8_lossy(&all)),
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

fn responses(n: usize) -> impl Fn(&str) -> bool {
    move |t: &str| {
        t.matches("HTTP/1.1 200 OK").count() == n
            && t.rsplit("\r\n\r\n").next().is_some_and(|tail| {
                let lens: Vec<usize> = t
                    .split("Content-Length: ")
                    .skip(1)
                    .filter_map(|s| s.split("\r\n").next()?.parse().ok())
                    .collect();
                lens.last().is_some_and(|l| tail.len() >= *l)
            })
    }
}

#[test]
fn a_request_fires_hp_sockets_events_in_order_and_gets_its_answer() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(b"POST /a/b?x=1 HTTP/1.1\r\nHost: h\r\nCookie: sid=42; t=1\r\nContent-Length: 5\r\n\r\nhello")
        .unwrap();
    let text = read_until(&mut c, responses(1));
    assert!(
        text.starts_with("HTTP/1.1 200 OK\r\nX-Test: yes\r\nContent-Length: "),
        "{text}"
    );
    assert!(
        text.ends_with("POST /a/b q=Some(\"x=1\") c=Some(\"42\") ka=true body=hello"),
        "{text}"
    );
    assert_eq!(
        r.take(),
        [
            "begin",
            "line POST /a/b?x=1",
            "header Host=h",
            "header Cookie=sid=42; t=1",
            "header Content-Length=5",
            "headers",
            "complete"
        ]
    );
    s.stop().unwrap();
}

#[test]
fn a_listener_that_wants_no_head_events_still_gets_the_body_and_the_whole_message() {
    let r = Arc::new(Responder::default());
    r.skip_head.store(true, Ordering::Relaxed);
    let (s, port) = server(r.clone());
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(
        b"POST /a/b?x=1 HTTP/1.1\r\nHost: h\r\nCookie: sid=42\r\nContent-Length: 5\r\n\r\nhello",
    )
    .unwrap();
    let text = read_until(&mut c, responses(1));
    assert!(
        text.ends_with("POST /a/b q=Some(\"x=1\") c=Some(\"42\") ka=true body=hello"),
        "{text}"
    );
    // No begin, request line, headers or headers-complete; the answer used the message.
    assert_eq!(r.take(), ["complete"]);
    // Wanted again: the next request on the connection fires them.
    r.skip_head.store(false, Ordering::Relaxed);
    c.write_all(b"GET /c HTTP/1.1\r\nHost: h\r\n\r\n").unwrap();
    read_until(&mut c, responses(1));
    assert_eq!(
        r.take(),
        [
            "begin",
            "line GET /c",
            "header Host=h",
            "headers",
            "complete"
        ]
    );
    s.stop().unwrap();
}

#[test]
fn pipelined_and_chunked_requests_are_answered_in_order() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(
        b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n\
          PUT /2 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n\
          GET /3 HTTP/1.1\r\nHost: h\r\n\r\n",
    )
    .unwrap();
    let text = read_until(&mut c, responses(3));
    let bodies: Vec<&str> = text
        .split("\r\n\r\n")
        .skip(1)
        .map(|b| b.split("HTTP/1.1").next().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "GET /1 q=None c=None ka=true body=",
            "PUT /2 q=None c=None ka=true body=abcde",
            "GET /3 q=None c=None ka=true body="
        ]
    );
    let log = r.take();
    let chunks: Vec<&String> = log.iter().filter(|e| e.starts_with("chunk")).collect();
    assert_eq!(
        chunks,
        [
            "chunk 3",
            "chunk done",
            "chunk 2",
            "chunk done",
            "chunk 0",
            "chunk done"
        ]
    );
    s.stop().unwrap();
}

#[test]
fn a_bad_request_is_reported_and_closes_the_connection() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(
        b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .unwrap();
    let text = read_until(&mut c, |_| false);
    assert_eq!(text, "", "closed without an answer");
    let log = r.take();
    let error = log
        .iter()
        .find(|e| e.starts_with("error"))
        .expect("OnParseError");
    assert!(error.starts_with("error "), "{error}");
    let id = s.all_connection_ids();
    assert!(id.is_empty(), "closed: {id:?}");
    s.stop().unwrap();
}

#[test]
fn the_sync_client_gets_bodies_heads_and_chunked_answers() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    let sync = HttpSyncClient::new(None, false);
    let base = format!("http://127.0.0.1:{port}");
    sync.open_url("GET", &format!("{base}/x?y=2"), &[], b"", false)
        .unwrap();
    assert_eq!(
        sync.response_body(),
        b"GET /x q=Some(\"y=2\") c=None ka=true body="
    );
    let m = sync.http_message().unwrap();
    assert_eq!(m.status(), 200);
    assert_eq!(m.header("x-test").unwrap().to_bytes(), b"yes");
    sync.open_url("POST", &format!("{base}/p"), &[("A", "b")], b"data", false)
        .unwrap();
    assert_eq!(
        sync.response_body(),
        b"POST /p q=None c=None ka=true body=data"
    );
    sync.open_url("HEAD", &format!("{base}/h"), &[], b"", false)
        .unwrap();
    assert_eq!(sync.response_body(), b"");
    sync.open_url("GET", &format!("{base}/chunked"), &[], b"", false)
        .unwrap();
    assert_eq!(sync.response_body(), b"part1,part2");
    sync.open_url("GET", &format!("{base}/again"), &[], b"", true)
        .unwrap();
    assert_eq!(
        sync.response_body(),
        b"GET /again q=None c=None ka=true body="
    );
    let err = sync
        .open_url("GET", &format!("{base}/fail"), &[], b"", false)
        .unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    sync.stop().ok();
    s.stop().unwrap();
}

#[test]
fn http_1_0_without_keep_alive_is_released() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    s.update_http_config(|c| c.release_delay = 100).unwrap();
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(b"GET /old HTTP/1.0\r\n\r\n").unwrap();
    let text = read_until(&mut c, |_| false);
    assert!(text.ends_with("ka=false body="), "{text}");
    s.stop().unwrap();
}

#[test]
fn without_auto_start_bytes_go_raw_until_start_http() {
    let r = Arc::new(Responder::default());
    let s = TcpServer::with_model(r.clone(), ReceiveModel::Http);
    s.update_http_config(|c| c.auto_start = false).unwrap();
    s.start("127.0.0.1", 0).unwrap();
    let port = s.listen_address().unwrap().port();
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(b"PROXY hello\r\n").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while r.log.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(r.take(), ["raw PROXY hello\r\n"]);
    let id = s.all_connection_ids()[0];
    s.start_http(id).unwrap();
    assert!(s.start_http(id).is_err(), "twice");
    c.write_all(b"GET /now HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let text = read_until(&mut c, responses(1));
    assert!(
        text.ends_with("GET /now q=None c=None ka=true body="),
        "{text}"
    );
    s.stop().unwrap();
}

/// An agent that records responses.
#[derive(Default)]
struct Asker {
    log: Mutex<Vec<String>>,
}

impl AgentListener for Asker {
    fn on_http(&self, a: &TcpAgent, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        let mut log = self.log.lock().unwrap();
        match event {
            HttpEvent::StatusLine { status, reason } => {
                log.push(format!("status {status} {}", reason.to_str().unwrap()))
            }
            HttpEvent::Body(b) => log.push(format!("body {}", String::from_utf8_lossy(b))),
            HttpEvent::MessageComplete => {
                let m = a.http_message(id).unwrap();
                log.push(format!("complete {}", m.content_length()))
            }
            HttpEvent::Upgrade(kind) => log.push(format!("upgrade {kind:?}")),
            _ => {}
        }
        HttpParseResult::Ok
    }
}

#[test]
fn an_agent_sends_requests_and_parses_the_answers() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    let asker = Arc::new(Asker::default());
    let agent = TcpAgent::with_model(asker.clone(), ReceiveModel::Http);
    agent.start(None, false).unwrap();
    let id = agent.connect("127.0.0.1", port).unwrap();
    agent.send_request(id, "get", "/g", &[], b"").unwrap();
    agent.send_request(id, "HEAD", "/h", &[], b"").unwrap();
    agent.send_request(id, "POST", "/p", &[], b"xy").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while asker
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.starts_with("complete"))
        .count()
        < 3
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    let log = asker.log.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "status 200 OK",
            "body GET /g q=None c=None ka=true body=",
            "complete 34",
            "status 200 OK",
            "complete 0",
            "status 200 OK",
            "body POST /p q=None c=None ka=true body=xy",
            "complete 37",
        ]
    );
    let _ = UpgradeType::None;
    agent.stop().unwrap();
    s.stop().unwrap();
}

#[test]
fn a_target_that_is_no_url_is_refused_as_llhttp_does() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(b"GET http:// HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_until(&mut c, |_| false),
        "",
        "closed without an answer"
    );
    let log = r.take();
    assert_eq!(
        log,
        ["error 7 Invalid URL"],
        "no other event before the error"
    );
    s.stop().unwrap();
}

#[test]
fn the_sync_client_reconnects_after_a_connection_close_answer() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    s.update_http_config(|c| c.release_delay = 100).unwrap();
    let sync = HttpSyncClient::new(None, false);
    for _ in 0..3 {
        sync.open_url(
            "GET",
            &format!("http://127.0.0.1:{port}/close"),
            &[],
            b"",
            false,
        )
        .unwrap();
        assert_eq!(sync.response_body(), b"bye");
        assert!(!sync.http_message().unwrap().is_keep_alive());
    }
    sync.stop().ok();
    s.stop().unwrap();
}

#[test]
fn an_upgrade_answered_with_a_plain_response_keeps_http() {
    let r = Arc::new(Responder::default());
    let (s, port) = server(r.clone());
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // The JDK's client asks for h2c this way; the server answers 200 and stays HTTP/1.1.
    c.write_all(
        b"GET /one HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n\
          Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQBAAAAAAIAAAAA\r\n\r\n",
    )
    .unwrap();
    let text = read_until(&mut c, responses(1));
    assert!(
        text.ends_with("GET /one q=None c=None ka=true body="),
        "{text}"
    );
    c.write_all(b"GET /two HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let text = read_until(&mut c, responses(1));
    assert!(
        text.ends_with("GET /two q=None c=None ka=true body="),
        "{text}"
    );
    assert!(!r
        .take()
        .iter()
        .any(|e| e.starts_with("upgrade") || e.starts_with("raw")));
    s.stop().unwrap();
}

/// Reads one response with a Content-Length: its head and its body bytes.
fn read_response(stream: &mut TcpStream) -> (String, Vec<u8>) {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end + 4]).into_owned();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .expect("a Content-Length")
                .trim()
                .parse()
                .unwrap();
            if got.len() >= end + 4 + len {
                return (head, got[end + 4..end + 4 + len].to_vec());
            }
        }
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn responses_are_compressed_when_the_request_accepts_it() {
    use std::io::Read as _;
    let responder = Arc::new(Responder::default());
    let (s, port) = server(responder.clone());
    s.update_http_config(|c| c.compress_min_size = 16).unwrap();
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // gzip asked for: the body arrives gzip-encoded, with Vary, and decodes to the text.
    c.write_all(b"GET /zipped HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate\r\n\r\n")
        .unwrap();
    let (head, body) = read_response(&mut c);
    assert!(head.contains("Content-Encoding: gzip\r\n"), "{head}");
    assert!(head.contains("Vary: Accept-Encoding\r\n"), "{head}");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.starts_with("GET /zipped "), "{text}");
    // br preferred by q-value.
    c.write_all(b"GET /br HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip;q=0.5, br\r\n\r\n")
        .unwrap();
    let (head, body) = read_response(&mut c);
    assert!(head.contains("Content-Encoding: br\r\n"), "{head}");
    let mut text = String::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.starts_with("GET /br "), "{text}");
    // Not asked for: plain.
    c.write_all(b"GET /plain HTTP/1.1\r\nHost: h\r\n\r\n")
        .unwrap();
    let (head, body) = read_response(&mut c);
    assert!(!head.contains("Content-Encoding"), "{head}");
    assert!(body.starts_with(b"GET /plain "));
    s.stop().unwrap();
}
