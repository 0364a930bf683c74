//! Vectors in the spirit of h11's and httparse's tests, each run whole, one byte at a time and
//! split at every point: the events must not depend on how the bytes arrive.

use super::*;

/// Logs events as strings; behaviour per event is configurable.
#[derive(Default)]
struct Rec {
    ev: Vec<String>,
    verdict: Option<fn(&Head<'_>) -> HeadVerdict>,
    /// Event names ("body", "chunk_header", ...) that answer Pause.
    pause_on: Vec<&'static str>,
    /// The event name that answers Error.
    fail_on: Option<&'static str>,
}

impl Rec {
    fn answer(&self, name: &str) -> Flow {
        if self.fail_on == Some(name) {
            Flow::Error
        } else if self.pause_on.contains(&name) {
            Flow::Pause
        } else {
            Flow::Continue
        }
    }
}

impl Sink for Rec {
    fn head(&mut self, h: &Head<'_>) -> HeadVerdict {
        let hdrs: Vec<String> = h
            .headers
            .iter()
            .map(|x| format!("{}: {}", x.name, String::from_utf8_lossy(x.value)))
            .collect();
        let line = if h.status == 0 {
            format!("{} {}", h.method, h.target)
        } else {
            format!("{} {}", h.status, h.reason)
        };
        self.ev.push(format!(
            "head {line} {}.{} {:?} ka={} up={} [{}]",
            h.version.0,
            h.version.1,
            h.framing,
            h.keep_alive,
            h.upgrade,
            hdrs.join(", ")
        ));
        if self.fail_on == Some("head") {
            return HeadVerdict::Error;
        }
        self.verdict.map_or(HeadVerdict::Continue, |v| v(h))
    }
    fn body(&mut self, data: &[u8]) -> Flow {
        self.ev
            .push(format!("body {}", String::from_utf8_lossy(data)));
        self.answer("body")
    }
    fn chunk_header(&mut self, size: u64, ext: &str) -> Flow {
        self.ev.push(format!("chunk {size} {ext:?}"));
        self.answer("chunk_header")
    }
    fn chunk_complete(&mut self) -> Flow {
        self.ev.push("chunk done".into());
        self.answer("chunk_complete")
    }
    fn message_complete(&mut self) -> Flow {
        self.ev.push("complete".into());
        self.answer("message_complete")
    }
}

/// Feeds `pieces` in order (re-feeding after pauses), then `finish` when `eof`; returns the events
/// with the outcome appended ("upgraded <rest>", "error <code> <reason>", "eof ok"...).
fn run_pieces(kind: MessageKind, pieces: &[&[u8]], eof: bool, mut rec: Rec) -> Vec<String> {
    let mut p = Parser::new(kind, Limits::default());
    let mut i = 0;
    while i < pieces.len() {
        let mut data = pieces[i];
        i += 1;
        loop {
            match p.feed(data, &mut rec) {
                Fed::Consumed => break,
                Fed::Paused(n) => {
                    assert!(n <= data.len());
                    rec.ev.push("paused".into());
                    data = &data[n..];
                }
                Fed::Upgraded(n) => {
                    let mut rest = data[n..].to_vec();
                    for piece in &pieces[i..] {
                        rest.extend_from_slice(piece);
                    }
                    rec.ev
                        .push(format!("upgraded {}", String::from_utf8_lossy(&rest)));
                    assert!(
                        matches!(p.feed(b"x", &mut rec), Fed::Failed(e) if e.code == HPE_PAUSED_UPGRADE)
                    );
                    return normalize(rec.ev);
                }
                Fed::Failed(e) => {
                    rec.ev.push(format!("error {} {}", e.code, e.reason));
                    assert_eq!(p.feed(b"GET", &mut rec), Fed::Failed(e), "failed for good");
                    return normalize(rec.ev);
                }
            }
        }
    }
    if eof {
        match p.finish(&mut rec) {
            Ok(()) => rec.ev.push("eof ok".into()),
            Err(e) => rec.ev.push(format!("eof error {} {}", e.code, e.reason)),
        }
    }
    normalize(rec.ev)
}

/// Drops pauses and merges consecutive body events: both depend on how the bytes arrived.
fn normalize(ev: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in ev.into_iter().filter(|e| e != "paused") {
        match (out.last_mut(), e.strip_prefix("body ")) {
            (Some(last), Some(more)) if last.starts_with("body ") => last.push_str(more),
            _ => out.push(e),
        }
    }
    out
}

/// Runs `data` whole, byte by byte and in every 2-way split; all must agree. Returns the events.
fn run_with(kind: MessageKind, data: &[u8], eof: bool, make: impl Fn() -> Rec) -> Vec<String> {
    let whole = run_pieces(kind, &[data], eof, make());
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    assert_eq!(run_pieces(kind, &bytes, eof, make()), whole, "byte by byte");
    for cut in 1..data.len() {
        let (a, b) = data.split_at(cut);
        assert_eq!(
            run_pieces(kind, &[a, b], eof, make()),
            whole,
            "split at {cut}"
        );
    }
    whole
}

fn req(data: &str) -> Vec<String> {
    run_with(MessageKind::Request, data.as_bytes(), false, Rec::default)
}

fn res(data: &str, eof: bool) -> Vec<String> {
    run_with(MessageKind::Response, data.as_bytes(), eof, Rec::default)
}

fn last(ev: &[String]) -> &str {
    ev.last().map_or("", String::as_str)
}

#[test]
fn simple_get() {
    let ev = req("GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nX-Empty:\r\nX-Sp:  v  \r\n\r\n");
    assert_eq!(
        ev,
        [
            "head GET /a?b=1 1.1 None ka=true up=false [Host: example.com, X-Empty: , X-Sp: v]",
            "complete"
        ]
    );
}

#[test]
fn post_with_content_length_and_http10() {
    let ev = req("POST /p HTTP/1.0\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello");
    assert_eq!(
        ev,
        [
            "head POST /p 1.0 Length(5) ka=true up=false [Content-Length: 5, Connection: keep-alive]",
            "body hello",
            "complete"
        ]
    );
    // HTTP/1.0 without keep-alive: not kept, and a following request is refused.
    let ev = req("GET / HTTP/1.0\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n");
    assert_eq!(ev[0], "head GET / 1.0 None ka=false up=false []");
    assert_eq!(
        ev[1..],
        ["complete", "error 5 Data after `Connection: close`"]
    );
    let ev = req("GET / HTTP/1.1\r\nConnection: x, Close\r\n\r\n\r\n");
    assert_eq!(
        ev[0],
        "head GET / 1.1 None ka=false up=false [Connection: x, Close]"
    );
    assert_eq!(
        ev.len(),
        2,
        "CRLF after a closing message is ignored: {ev:?}"
    );
}

#[test]
fn content_length_zero_is_no_body() {
    let ev = req("PUT /x HTTP/1.1\r\nContent-Length: 0\r\n\r\nGET /y HTTP/1.1\r\n\r\n");
    assert_eq!(ev.len(), 4);
    assert_eq!(ev[1], "complete");
    assert!(ev[2].starts_with("head GET /y"));
}

#[test]
fn chunked_with_extensions_and_trailers() {
    let ev = req(concat!(
        "POST /c HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "5;a=b;c=\"q;\\\"x\"\r\nhello\r\n",
        "A\r\n0123456789\r\n",
        "0;last\r\nX-Trailer: 1\r\nX-More: 2\r\n\r\n",
        "GET /n HTTP/1.1\r\n\r\n"
    ));
    assert_eq!(
        ev,
        [
            "head POST /c 1.1 Chunked ka=true up=false [Transfer-Encoding: gzip, chunked]",
            "chunk 5 \"a=b;c=\\\"q;\\\\\\\"x\\\"\"",
            "body hello",
            "chunk done",
            "chunk 10 \"\"",
            "body 0123456789",
            "chunk done",
            "chunk 0 \"last\"",
            "chunk done",
            "complete",
            "head GET /n 1.1 None ka=true up=false []",
            "complete"
        ]
    );
}

#[test]
fn chunked_without_trailers_and_uppercase_hex() {
    let ev = req("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1F\r\n0123456789012345678901234567890\r\n0\r\n\r\n");
    assert_eq!(ev[1], "chunk 31 \"\"");
    assert_eq!(
        ev[3..],
        ["chunk done", "chunk 0 \"\"", "chunk done", "complete"]
    );
}

#[test]
fn pipelined_requests() {
    let ev = req(concat!(
        "GET /1 HTTP/1.1\r\n\r\n",
        "POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        "\r\n", // a stray CRLF between messages is skipped, as llhttp does
        "DELETE /3 HTTP/1.1\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(
        ev,
        [
            "head GET /1 1.1 None ka=true up=false []",
            "complete",
            "head POST /2 1.1 Length(3) ka=true up=false [Content-Length: 3]",
            "body abc",
            "complete",
            "head DELETE /3 1.1 None ka=false up=false [Connection: close]",
            "complete"
        ]
    );
}

#[test]
fn responses() {
    let ev = res("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", true);
    assert_eq!(
        ev,
        [
            "head 200 OK 1.1 Length(2) ka=true up=false [Content-Length: 2]",
            "body hi",
            "complete",
            "head 404 Not Found 1.1 Length(0) ka=true up=false [Content-Length: 0]",
            "complete",
            "eof ok"
        ]
    );
    // No reason phrase at all.
    let ev = res("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", true);
    assert_eq!(
        ev[0],
        "head 200  1.1 Length(0) ka=true up=false [Content-Length: 0]"
    );
}

#[test]
fn responses_without_body() {
    // 1xx, 204 and 304 have no body whatever their headers say.
    let ev = res(
        concat!(
            "HTTP/1.1 100 Continue\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
            "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
        ),
        true,
    );
    let heads: Vec<&String> = ev.iter().filter(|e| e.starts_with("head")).collect();
    assert_eq!(heads.len(), 4);
    assert!(heads[0].contains("100 Continue 1.1 None ka=true"));
    assert!(heads[1].contains("304 Not Modified 1.1 None ka=true"));
    assert!(heads[2].contains("204 No Content 1.1 None ka=true"));
    assert_eq!(ev[ev.len() - 3..], ["body x", "complete", "eof ok"]);
}

#[test]
fn until_close_response() {
    let ev = res(
        "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nsome body\r\n\r\nmore",
        true,
    );
    assert_eq!(
        ev,
        [
            "head 200 OK 1.1 UntilClose ka=false up=false [Server: x]",
            "body some body\r\n\r\nmore",
            "complete",
            "eof ok"
        ]
    );
    // A response whose Transfer-Encoding does not end in chunked is close-delimited too.
    let ev = res(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz",
        true,
    );
    assert!(ev[0].contains("UntilClose ka=false"));
    assert_eq!(ev[1..], ["body xyz", "complete", "eof ok"]);
}

#[test]
fn head_response_skips_body() {
    let make = || Rec {
        verdict: Some(|_| HeadVerdict::SkipBody),
        ..Rec::default()
    };
    let data = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
    let ev = run_with(MessageKind::Response, data, true, make);
    assert_eq!(
        ev,
        [
            "head 200 OK 1.1 Length(100) ka=true up=false [Content-Length: 100]",
            "complete",
            // Without CL or TE the head says close-delimited, but the body is skipped: kept.
            "head 200 OK 1.1 UntilClose ka=false up=false []",
            "complete",
            "eof ok"
        ]
    );
}

#[test]
fn finish_states() {
    let eof =
        |kind, data: &str| last(&run_with(kind, data.as_bytes(), true, Rec::default)).to_owned();
    assert_eq!(eof(MessageKind::Request, ""), "eof ok");
    assert_eq!(eof(MessageKind::Request, "\r\n"), "eof ok");
    assert_eq!(
        eof(MessageKind::Request, "GET / HTTP/1.1\r\n\r\n"),
        "eof ok"
    );
    assert_eq!(
        eof(MessageKind::Request, "GET / HT"),
        "eof error 14 Invalid EOF state"
    );
    assert_eq!(
        eof(
            MessageKind::Request,
            "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab"
        ),
        "eof error 14 Invalid EOF state"
    );
    assert_eq!(
        eof(
            MessageKind::Response,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"
        ),
        "eof error 14 Invalid EOF state"
    );
    let mut p = Parser::new(MessageKind::Request, Limits::default());
    let mut rec = Rec::default();
    assert!(p.is_idle());
    assert_eq!(p.feed(b"GET / HTTP/1.1\r\n", &mut rec), Fed::Consumed);
    assert!(!p.is_idle());
    assert_eq!(p.feed(b"\r\n", &mut rec), Fed::Consumed);
    assert!(p.is_idle());
}

#[test]
fn pause_and_resume() {
    let data = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    let make = || Rec {
        pause_on: vec!["body", "chunk_header", "chunk_complete", "message_complete"],
        ..Rec::default()
    };
    let ev = run_with(MessageKind::Request, data, false, make);
    assert_eq!(ev.iter().filter(|e| *e == "complete").count(), 2);
    // The paused offsets: each event counts as consumed.
    let mut p = Parser::new(MessageKind::Request, Limits::default());
    let mut rec = make();
    let head_len = data.len() - b"3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n".len();
    assert_eq!(p.feed(data, &mut rec), Fed::Paused(head_len + 3));
    assert_eq!(rec.ev.last().unwrap(), "chunk 3 \"\"");
    let mut at = head_len + 3;
    let mut offsets = vec![];
    loop {
        match p.feed(&data[at..], &mut rec) {
            Fed::Paused(n) => {
                at += n;
                offsets.push(at);
            }
            Fed::Consumed => break,
            other => panic!("{other:?}"),
        }
    }
    // body, chunk done, chunk 0, chunk done (after trailers), complete, complete.
    let t = head_len;
    assert_eq!(offsets, [t + 6, t + 8, t + 11, t + 13, t + 13, data.len()]);
}

#[test]
fn upgrade_with_trailing_bytes() {
    let ev = req("GET /ws HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n\x01\x05hello");
    assert_eq!(
        ev,
        [
            "head GET /ws 1.1 None ka=true up=true [Connection: keep-alive, Upgrade, Upgrade: websocket]",
            "complete",
            "upgraded \u{1}\u{5}hello"
        ]
    );
    // CONNECT upgrades even with nothing to say so.
    let ev = req("CONNECT host:443 HTTP/1.1\r\nHost: host:443\r\n\r\nTLS");
    assert!(ev[0].starts_with("head CONNECT host:443 1.1 None ka=true up=true"));
    assert_eq!(ev[1..], ["complete", "upgraded TLS"]);
    // An upgrade request with a body upgrades after its body (llhttp).
    let ev = req(
        "POST / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nabNEW",
    );
    assert_eq!(ev[1..], ["body ab", "complete", "upgraded NEW"]);
    // Upgrade without `Connection: upgrade` is just a header.
    let ev = req("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    assert_eq!(ev.len(), 4);
    // A 101 response upgrades; another status with the headers does not.
    let ev = res("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nframes", false);
    assert_eq!(ev[1..], ["complete", "upgraded frames"]);
    let ev = res(
        "HTTP/1.1 200 OK\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n",
        false,
    );
    assert_eq!(ev.len(), 2);
}

#[test]
fn sink_verdicts_upgrade_and_errors() {
    let up = || Rec {
        verdict: Some(|_| HeadVerdict::Upgrade),
        ..Rec::default()
    };
    let ev = run_with(
        MessageKind::Response,
        b"HTTP/1.1 200 Connection established\r\n\r\nraw",
        false,
        up,
    );
    assert_eq!(ev[1..], ["complete", "upgraded raw"]);
    let fail = |name| {
        move || Rec {
            fail_on: Some(name),
            ..Rec::default()
        }
    };
    let data = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
    let code = |name| {
        let ev = run_with(MessageKind::Request, data, false, fail(name));
        last(&ev).to_owned()
    };
    assert_eq!(code("head"), "error 17 User callback error");
    assert_eq!(
        code("chunk_header"),
        "error 19 `on_chunk_header` callback error"
    );
    assert_eq!(code("body"), "error 24 Span callback error in on_body");
    assert_eq!(
        code("chunk_complete"),
        "error 20 `on_chunk_complete` callback error"
    );
    assert_eq!(
        code("message_complete"),
        "error 18 `on_message_complete` callback error"
    );
}

/// The last event of a request vector.
fn req_err(data: &str) -> String {
    last(&req(data)).to_owned()
}

#[test]
fn smuggling_is_refused() {
    assert_eq!(
        req_err("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
        "error 15 Transfer-Encoding can't be present with Content-Length"
    );
    assert_eq!(
        req_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
        "error 11 Content-Length can't be present with Transfer-Encoding"
    );
    assert_eq!(
        last(&res(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            false
        )),
        "error 15 Transfer-Encoding can't be present with Content-Length"
    );
    for dup in [
        "Content-Length: 5\r\nContent-Length: 5",
        "Content-Length: 5\r\nContent-Length: 6",
    ] {
        assert_eq!(
            req_err(&format!("POST / HTTP/1.1\r\n{dup}\r\n\r\nhello")),
            "error 4 Duplicate Content-Length"
        );
    }
    for bad in ["5, 5", "+5", "-1", "0x5", "5 5", "1e3"] {
        assert_eq!(
            req_err(&format!("POST / HTTP/1.1\r\nContent-Length: {bad}\r\n\r\n")),
            "error 11 Invalid character in Content-Length",
            "{bad}"
        );
    }
    assert_eq!(
        req_err("POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n"),
        "error 11 Content-Length overflow"
    );
    assert_eq!(
        req_err("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"),
        "error 11 Empty Content-Length"
    );
    let ev = req("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n");
    assert!(ev[0].contains("Length(18446744073709551615)"));
    for te in [
        "chunked, identity",
        "chunked\r\nTransfer-Encoding: gzip",
        "chunked, chunked",
    ] {
        assert_eq!(
            req_err(&format!(
                "POST / HTTP/1.1\r\nTransfer-Encoding: {te}\r\n\r\n"
            )),
            "error 15 Invalid `Transfer-Encoding` header value",
            "{te}"
        );
    }
    assert_eq!(
        req_err("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
        "error 15 Request has invalid `Transfer-Encoding`"
    );
    assert_eq!(
        req_err("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n"),
        "error 15 Empty Transfer-Encoding"
    );
    // `chunkedx` is not chunked.
    assert_eq!(
        req_err("POST / HTTP/1.1\r\nTransfer-Encoding: chunkedx\r\n\r\n"),
        "error 15 Request has invalid `Transfer-Encoding`"
    );
}

fn chunk_err(size_line: &str) -> String {
    req_err(&format!(
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{size_line}"
    ))
}

#[test]
fn bad_chunks() {
    for bad in [
        "0x10\r\n", "-1\r\n", " 5\r\n", "5 \r\n", "5\t\r\n", "\r\n", "g\r\n", "5 ;a\r\n",
    ] {
        assert!(
            chunk_err(bad).starts_with("error 12 Invalid character in chunk size"),
            "{bad:?}: {}",
            chunk_err(bad)
        );
    }
    assert_eq!(
        chunk_err("10000000000000000\r\n"),
        "error 12 Chunk size overflow"
    );
    assert_eq!(
        chunk_err("ffffffffffffffff0\r\n"),
        "error 12 Chunk size overflow"
    );
    let ev = req("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab");
    assert_eq!(ev[1..], ["chunk 18446744073709551615 \"\"", "body ab"]);
    assert_eq!(
        chunk_err("5\n"),
        "error 25 Missing expected CR after chunk size"
    );
    assert_eq!(chunk_err("5\rx"), "error 2 Expected LF after chunk size");
    assert_eq!(
        chunk_err("5; a\r\n"),
        "error 2 Invalid character in chunk extensions"
    );
    assert_eq!(
        chunk_err("5;a b\r\n"),
        "error 2 Invalid character in chunk extensions name"
    );
    assert_eq!(
        chunk_err("5;a=\"\x01\"\r\n"),
        "error 2 Invalid character in chunk extensions quoted value"
    );
    assert_eq!(
        chunk_err("3\r\nabcX"),
        "error 2 Expected LF after chunk data"
    );
    assert_eq!(
        chunk_err("3\r\nabc\n"),
        "error 25 Missing expected CR after chunk data"
    );
    assert_eq!(
        chunk_err("3\r\nabc\rX"),
        "error 2 Expected LF after chunk data"
    );
    assert_eq!(
        chunk_err("0\r\nX-T: 1\n\r\n"),
        "error 25 Missing expected CR before LF"
    );
    assert_eq!(
        chunk_err("0\r\nBad Name: 1\r\n\r\n"),
        "error 10 Invalid header token"
    );
    assert_eq!(
        chunk_err("0\r\n\n"),
        "error 25 Missing expected CR before LF"
    );
}

#[test]
fn head_errors() {
    assert_eq!(req_err("FOO / HTTP/1.1\r\n\r\n"), "error 6 Invalid method");
    assert_eq!(req_err("get / HTTP/1.1\r\n\r\n"), "error 6 Invalid method");
    assert_eq!(req_err("GETX"), "error 6 Invalid method");
    assert_eq!(req_err("\x16\x03\x01"), "error 6 Invalid method");
    assert_eq!(
        req_err("GET / HTTP/1.2\r\n\r\n"),
        "error 9 Invalid HTTP version"
    );
    assert_eq!(
        req_err("GET / HTTP/2.0\r\n\r\n"),
        "error 9 Invalid HTTP version"
    );
    assert_eq!(
        req_err("GET /\x7f HTTP/1.1\r\n\r\n"),
        "error 7 Invalid characters in url"
    );
    assert_eq!(
        req_err("GET  / HTTP/1.1\r\n\r\n"),
        "error 7 Invalid characters in url"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
        "error 10 Invalid header token"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\r\n: x\r\n\r\n"),
        "error 10 Invalid header token"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\r\nA: \x01\r\n\r\n"),
        "error 10 Invalid header value char"
    );
    // obs-fold is refused, as llhttp does without lenient flags.
    assert_eq!(
        req_err("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"),
        "error 10 Invalid header token"
    );
    assert_eq!(
        last(&res("HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n\r\n", false)),
        "error 10 Invalid header token"
    );
    // Bare LF and lone CR.
    assert_eq!(
        req_err("GET / HTTP/1.1\nHost: x\r\n\r\n"),
        "error 25 Missing expected CR before LF"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\r\nHost: x\n\r\n"),
        "error 25 Missing expected CR before LF"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\r\n\n"),
        "error 25 Missing expected CR before LF"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n"),
        "error 10 Invalid header value char"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\rX"),
        "error 2 Expected CRLF after version"
    );
    assert_eq!(
        req_err("GET / HTTP/1.1\x00\x00 HTTP/1.0\r\n\r\n"),
        "error 9 Expected CRLF after version"
    );
    // Whichever comes first wins: the bad method before the bare LF.
    assert_eq!(req_err("BAD / HTTP/1.1\n\n"), "error 6 Invalid method");
    // Responses.
    let rerr = |d: &str| last(&res(d, false)).to_owned();
    assert_eq!(
        rerr("HTTP/1.1 20 OK\r\n\r\n"),
        "error 13 Invalid status code"
    );
    assert_eq!(
        rerr("HTTP/1.1 2000 OK\r\n\r\n"),
        "error 13 Invalid status code"
    );
    assert_eq!(
        rerr("HTTX/1.1 200 OK\r\n\r\n"),
        "error 9 Invalid HTTP version"
    );
    assert_eq!(
        rerr("HTTP/1.1 200 O\x01K\r\n\r\n"),
        "error 13 Invalid status code"
    );
}

#[test]
fn limits() {
    let limits = Limits {
        max_head_bytes: 64,
        max_headers: 2,
    };
    let run = |data: &[u8]| {
        let mut p = Parser::new(MessageKind::Request, limits);
        let mut rec = Rec::default();
        let whole = p.feed(data, &mut rec);
        let mut p = Parser::new(MessageKind::Request, limits);
        let mut bytewise = Fed::Consumed;
        for b in data.chunks(1) {
            bytewise = p.feed(b, &mut rec);
            if bytewise != Fed::Consumed {
                break;
            }
        }
        assert_eq!(whole, bytewise);
        whole
    };
    let overflow = Fed::Failed(ParseError::new(HPE_HEADER_OVERFLOW, "Header overflow"));
    // Exactly 64 bytes of head pass; 65 do not.
    let head = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(64 - 18));
    assert_eq!(head.len(), 64);
    assert_eq!(run(head.as_bytes()), Fed::Consumed);
    let head = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(65 - 18));
    assert_eq!(run(head.as_bytes()), overflow);
    // An endless header without CRLF CRLF overflows, an earlier error wins.
    assert_eq!(
        run(format!("GET /{}", "a".repeat(100)).as_bytes()),
        overflow
    );
    assert_eq!(
        run(format!("GET /{} HTTP/1.1\r\n\r\n", "\x01".repeat(100)).as_bytes()),
        Fed::Failed(ParseError::new(
            HPE_INVALID_URL,
            "Invalid characters in url"
        ))
    );
    assert_eq!(
        run(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
        Fed::Failed(ParseError::new(HPE_HEADER_OVERFLOW, "Too many headers"))
    );
    assert_eq!(
        run(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n"),
        Fed::Consumed
    );
    // Trailers and chunk extensions count against the head limit too.
    let ext = format!(
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;{}\r\n",
        "e".repeat(65)
    );
    assert_eq!(
        run(ext.as_bytes()),
        Fed::Failed(ParseError::new(
            HPE_HEADER_OVERFLOW,
            "Chunk extensions overflow"
        ))
    );
    let trailer = format!(
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: {}\r\n\r\n",
        "t".repeat(64)
    );
    assert_eq!(run(trailer.as_bytes()), overflow);
}

#[test]
fn default_limits_and_big_heads() {
    let l = Limits::default();
    assert_eq!((l.max_head_bytes, l.max_headers), (80 * 1024, 256));
    let mut head = String::from("GET / HTTP/1.1\r\n");
    for i in 0..256 {
        head.push_str(&format!("X-{i}: {}\r\n", "v".repeat(200)));
    }
    head.push_str("\r\n");
    let mut p = Parser::new(MessageKind::Request, l);
    let mut rec = Rec::default();
    for piece in head.as_bytes().chunks(7) {
        assert_eq!(p.feed(piece, &mut rec), Fed::Consumed);
    }
    assert_eq!(rec.ev.len(), 2);
    // In one piece too: more headers than a parse starts with are all delivered, in order.
    let mut p = Parser::new(MessageKind::Request, l);
    let mut whole = Rec::default();
    assert_eq!(p.feed(head.as_bytes(), &mut whole), Fed::Consumed);
    assert_eq!(whole.ev, rec.ev);
    assert!(
        whole.ev[0].contains("X-0:") && whole.ev[0].contains("X-255:"),
        "{:?}",
        &whole.ev[0][..80]
    );
    // One more header than the limit is refused, whole or in pieces; in a trailer section too.
    let over = head.replace("\r\n\r\n", "\r\nX-256: v\r\n\r\n");
    let too_many = Fed::Failed(ParseError::new(HPE_HEADER_OVERFLOW, "Too many headers"));
    let mut p = Parser::new(MessageKind::Request, l);
    assert_eq!(p.feed(over.as_bytes(), &mut Rec::default()), too_many);
    let mut p = Parser::new(MessageKind::Request, l);
    let mut fed = Fed::Consumed;
    for piece in over.as_bytes().chunks(7) {
        fed = p.feed(piece, &mut Rec::default());
        if fed != Fed::Consumed {
            break;
        }
    }
    assert_eq!(fed, too_many);
    let mut trailers = String::from("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
    for i in 0..257 {
        trailers.push_str(&format!("T-{i}: t\r\n"));
    }
    trailers.push_str("\r\n");
    let mut p = Parser::new(MessageKind::Request, l);
    assert_eq!(p.feed(trailers.as_bytes(), &mut Rec::default()), too_many);
}

#[test]
fn methods_and_versions() {
    for m in METHODS {
        let ev = req(&format!("{m} * HTTP/1.0\r\n\r\n"));
        assert!(ev[0].starts_with(&format!("head {m} * 1.0")), "{ev:?}");
    }
}

#[test]
fn header_storage_is_reused() {
    let v: Vec<httparse::Header<'static>> = head::recycle(Vec::new(), 256);
    let cap = v.capacity();
    let v: Vec<httparse::Header<'static>> = head::recycle(v, 0);
    assert_eq!((v.len(), v.capacity()), (0, cap));
    let v: Vec<httparse::Header<'_>> = head::recycle(v, 256);
    assert_eq!(v.capacity(), cap, "no new allocation per message");
}

#[test]
fn bodies_are_streamed_not_buffered() {
    let mut p = Parser::new(MessageKind::Request, Limits::default());
    let mut rec = Rec::default();
    let head = b"POST / HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n";
    assert_eq!(p.feed(head, &mut rec), Fed::Consumed);
    let piece = [b'x'; 4096];
    let mut sent = 0;
    while sent < 1_000_000 {
        let n = piece.len().min(1_000_000 - sent);
        let before = rec.ev.len();
        assert_eq!(p.feed(&piece[..n], &mut rec), Fed::Consumed);
        // Each feed's body bytes arrive in that feed, in one event.
        assert_eq!(rec.ev[before], format!("body {}", "x".repeat(n)));
        sent += n;
    }
    assert_eq!(rec.ev.last().unwrap(), "complete");
    assert!(p.is_idle());
}

#[test]
fn h11_garbage_vectors() {
    // After h11's test_io.py: garbage after the start line, in a header, in the path.
    assert_eq!(
        last(&res("HTTP/1.0 200 OK\x00xxxx\r\n\r\n", false)),
        "error 13 Invalid status code"
    );
    assert_eq!(
        req_err("HEAD /foo HTTP/1.1 xxxxxx\r\nHost: a\r\n\r\n"),
        "error 9 Expected CRLF after version"
    );
    assert_eq!(
        req_err("HEAD /foo HTTP/1.1\r\nHost: foo\x00bar\r\n\r\n"),
        "error 10 Invalid header value char"
    );
    for bad in ["\x00", "\x7f", " "] {
        let e = req_err(&format!("HEAD /{bad} HTTP/1.1\r\nHost: foobar\r\n\r\n"));
        assert!(
            e.starts_with("error 7 ") || e.starts_with("error 9 "),
            "{bad:?}: {e}"
        );
    }
    let mut bytes = b"HEAD /\xee HTTP/1.1\r\n\r\n".to_vec();
    let ev = run_pieces(MessageKind::Request, &[&bytes], false, Rec::default());
    assert_eq!(last(&ev), "error 7 Invalid characters in url", "not UTF-8");
    bytes.splice(6..7, "\u{e9}".bytes());
    let ev = run_pieces(MessageKind::Request, &[&bytes], false, Rec::default());
    assert_eq!(ev[0], "head HEAD /\u{e9} 1.1 None ka=true up=false []");
    // h11 tolerates bare LF and folds obs-fold; llhttp (and so this parser) refuses both.
    assert_eq!(
        last(&res("HTTP/1.1 200 OK\nSomeHeader1: val1\n\n", false)),
        "error 25 Missing expected CR before LF"
    );
    assert_eq!(
        req_err("HEAD /foo HTTP/1.1\r\n  folded: line\r\n\r\n"),
        "error 10 Invalid header token"
    );
    assert_eq!(
        req_err("HEAD /foo HTTP/1.1\r\nfoo\t: line\r\n\r\n"),
        "error 10 Invalid header token"
    );
    // h11's chunked reader vectors.
    let chunked = |body: &str| {
        req(&format!(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{body}"
        ))[1..]
            .to_vec()
    };
    assert_eq!(
        chunked("aA\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n0\r\n\r\n")[0],
        "chunk 170 \"\""
    );
    assert_eq!(
        chunked("5; hello=there\r\nxxxxx\r\n0; random=\"junk\"; some=more\r\n\r\n")[0],
        "error 2 Invalid character in chunk extensions"
    );
    assert_eq!(
        chunked("5;hello=there\r\nxxxxx\r\n0;random=\"junk\";some=more\r\n\r\n"),
        [
            "chunk 5 \"hello=there\"",
            "body xxxxx",
            "chunk done",
            "chunk 0 \"random=\\\"junk\\\";some=more\"",
            "chunk done",
            "complete"
        ]
    );
    assert_eq!(chunked(&"9".repeat(100))[0], "error 12 Chunk size overflow");
    assert_eq!(
        chunked("10\x00\r\nxxx")[0],
        "error 12 Invalid character in chunk size"
    );
    assert_eq!(
        last(&chunked("3\r\nxxx__1a\r\n")),
        "error 2 Expected LF after chunk data"
    );
    assert_eq!(
        last(&chunked("3\r\nxxx\r_1a\r\n")),
        "error 2 Expected LF after chunk data"
    );
    assert_eq!(
        last(&chunked("3\r\nxxx_\n1a\r\n")),
        "error 2 Expected LF after chunk data"
    );
}
