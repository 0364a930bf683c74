//! `send_local_file` streaming a file body, over plain TCP (`sendfile`) and TLS (chunks
//! encrypted as the queue drains): an agent uploads a file and the server answers with a
//! file, a plain response and a raw send behind it, all in order; a file that shrinks while
//! it is sent closes the connection with `(SO_SEND, EIO)`, as a stop closes one mid-file,
//! and either closes the file; bad files are refused.

#[path = "util/certs.rs"]
mod certs;
mod util;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use hpsocket_core::http::{HttpEvent, HttpParseResult};
use hpsocket_core::{
    AgentListener, ConnId, ErrorKind, HandleResult, Pem, ReceiveModel, ServerListener,
    SocketOperation, SslSetup, TcpAgent, TcpServer,
};
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use util::{Ev, Log, FNV_START};

/// A scratch directory removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let p =
            std::env::temp_dir().join(format!("hpsocket-http-file-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
    fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Answers `/file` with the answer file, then a plain response and a raw send behind it;
/// `/big` with the big file; records uploads' digests and closes.
struct Server {
    answer: PathBuf,
    big: PathBuf,
    body: Mutex<(usize, u64)>,
    uploads: Mutex<Vec<(usize, u64)>>,
    big_sent: AtomicBool,
    log: Log,
}

impl ServerListener for Server {
    fn on_http(&self, s: &TcpServer, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        match event {
            HttpEvent::MessageBegin => *self.body.lock().unwrap() = (0, FNV_START),
            HttpEvent::Body(d) => {
                let mut b = self.body.lock().unwrap();
                *b = (b.0 + d.len(), util::fnv(d, b.1));
            }
            HttpEvent::MessageComplete => {
                let url = s
                    .http_message(id)
                    .unwrap()
                    .url()
                    .to_str()
                    .unwrap()
                    .to_string();
                let body = *self.body.lock().unwrap();
                self.uploads.lock().unwrap().push(body);
                match url.as_str() {
                    "/file" => {
                        s.send_local_file(id, &self.answer, 200, None, &[]).unwrap();
                        s.send_response(id, 200, None, &[], b"after").unwrap();
                    }
                    "/big" => {
                        s.send_local_file(id, &self.big, 200, None, &[]).unwrap();
                        self.big_sent.store(true, Ordering::Release);
                    }
                    _ => s.send_response(id, 404, None, &[], b"").unwrap(),
                }
            }
            _ => {}
        }
        HttpParseResult::Ok
    }
    fn on_close(&self, _: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

/// Records each response's status, length and digest.
#[derive(Default)]
struct Agent {
    body: Mutex<(usize, u64)>,
    done: Mutex<Vec<(u16, usize, u64)>>,
    log: Log,
}

impl AgentListener for Agent {
    fn on_http(&self, a: &TcpAgent, id: ConnId, event: HttpEvent<'_>) -> HttpParseResult {
        match event {
            HttpEvent::MessageBegin => *self.body.lock().unwrap() = (0, FNV_START),
            HttpEvent::Body(d) => {
                let mut b = self.body.lock().unwrap();
                *b = (b.0 + d.len(), util::fnv(d, b.1));
            }
            HttpEvent::MessageComplete => {
                let status = a.http_message(id).unwrap().status();
                let (n, h) = *self.body.lock().unwrap();
                self.done.lock().unwrap().push((status, n, h));
                self.log.push(Ev::Receive(id, n));
            }
            _ => {}
        }
        HttpParseResult::Ok
    }
}

fn tls_setups() -> (SslSetup, SslSetup) {
    let pki = certs::pki();
    let server = SslSetup {
        certificate: Some(Pem::Memory(pki.server.cert_pem.clone())),
        private_key: Some(Pem::Memory(pki.server.key_pem.clone())),
        ..SslSetup::default()
    };
    let client = SslSetup {
        ca: Some(Pem::Memory(pki.ca.cert_pem.clone())),
        ..SslSetup::default()
    };
    (server, client)
}

fn start_server(tls: Option<&SslSetup>, rec: Arc<Server>) -> (TcpServer, u16) {
    let s = match tls {
        Some(setup) => {
            let s = TcpServer::new_ssl(rec, ReceiveModel::Http);
            s.setup_ssl_context(setup, None).unwrap();
            s
        }
        None => TcpServer::with_model(rec, ReceiveModel::Http),
    };
    s.update_config(|c| c.worker_thread_count = 2).unwrap();
    s.start("127.0.0.1", 0).unwrap();
    let port = s.listen_address().unwrap().port();
    (s, port)
}

fn server_rec(dir: &Dir, answer: &[u8]) -> Arc<Server> {
    Arc::new(Server {
        answer: dir.file("answer", answer),
        big: dir.0.join("big"),
        body: Mutex::new((0, FNV_START)),
        uploads: Mutex::default(),
        big_sent: AtomicBool::new(false),
        log: Log::default(),
    })
}

fn upload_and_answer(tls: bool) {
    let dir = Dir::new(if tls { "tls" } else { "plain" });
    let upload = util::pattern(1, 5 << 20);
    let answer = util::pattern(2, (9 << 20) + 3);
    let upload_path = dir.file("upload", &upload);
    let rec = server_rec(&dir, &answer);
    let setups = tls_setups();
    let (server, port) = start_server(tls.then_some(&setups.0), rec.clone());
    let arec = Arc::new(Agent::default());
    let agent = if tls {
        let a = TcpAgent::new_ssl(arec.clone(), ReceiveModel::Http);
        a.setup_ssl_context(&setups.1).unwrap();
        a
    } else {
        TcpAgent::with_model(arec.clone(), ReceiveModel::Http)
    };
    agent.start(None, false).unwrap();
    let id = agent.connect("127.0.0.1", port).unwrap();
    // The upload is queued at once, during the TLS handshake when there is one: it waits as
    // plaintext, in order with what follows.
    agent
        .send_local_file(id, &upload_path, "POST", "/file", &[])
        .unwrap();
    agent
        .send_request(id, "POST", "/file", &[], b"second")
        .unwrap();
    arec.log.wait_for("4 responses", |e| e.len() == 4);
    let want_answer = (200, answer.len(), util::fnv(&answer, FNV_START));
    let after = (200, 5, util::fnv(b"after", FNV_START));
    assert_eq!(
        *arec.done.lock().unwrap(),
        [want_answer, after, want_answer, after],
        "each file answer whole, each plain answer after it"
    );
    assert_eq!(
        *rec.uploads.lock().unwrap(),
        [
            (upload.len(), util::fnv(&upload, FNV_START)),
            (6, util::fnv(b"second", FNV_START))
        ]
    );
    agent.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn an_agent_uploads_a_file_and_the_server_answers_with_one_over_plain_tcp() {
    upload_and_answer(false);
}

#[test]
fn an_agent_uploads_a_file_and_the_server_answers_with_one_over_tls() {
    upload_and_answer(true);
}

/// A client that asks for `/big` (64 MiB of a sparse file, far more than loopback's buffers)
/// and reads nothing until the file is cut to nothing: the server cannot finish the body.
fn shrinking_file(tls: bool) {
    let dir = Dir::new(if tls { "shrink-tls" } else { "shrink" });
    let rec = server_rec(&dir, b"");
    let big = std::fs::File::create(&rec.big).unwrap();
    big.set_len(64 << 20).unwrap();
    let setups = tls_setups();
    let (server, port) = start_server(tls.then_some(&setups.0), rec.clone());
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request = b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut stream: Box<dyn ReadWrite> = if tls {
        let mut c = SslConnector::builder(SslMethod::tls_client()).unwrap();
        c.set_verify(SslVerifyMode::NONE);
        Box::new(c.build().connect("localhost", tcp).unwrap())
    } else {
        Box::new(tcp)
    };
    stream.write_all(request).unwrap();
    util::eventually("the file queued", || rec.big_sent.load(Ordering::Acquire));
    big.set_len(0).unwrap();
    drop(big);
    let mut got = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    assert!(got < 64 << 20, "the whole body arrived ({got} bytes)");
    rec.log.wait_for("the close", |e| !e.is_empty());
    assert_eq!(
        rec.log.snapshot()[0],
        Ev::Close(1, SocketOperation::Send, libc::EIO)
    );
    assert_eq!(fds_on(&rec.big), 0, "the file closed with the connection");
    server.stop().unwrap();
}

/// Descriptors of this process open on `path`.
fn fds_on(path: &std::path::Path) -> usize {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target == path)
        .count()
}

#[test]
fn stopping_the_server_mid_file_closes_the_connection_and_the_file() {
    let dir = Dir::new("stop");
    let rec = server_rec(&dir, b"");
    std::fs::File::create(&rec.big)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let (server, port) = start_server(None, rec.clone());
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    util::eventually("the file queued", || rec.big_sent.load(Ordering::Acquire));
    assert_eq!(
        fds_on(&rec.big),
        1,
        "the body's file is open while it is sent"
    );
    server.stop().unwrap();
    assert_eq!(
        rec.log.snapshot(),
        [Ev::Close(1, SocketOperation::Close, 0)]
    );
    assert_eq!(fds_on(&rec.big), 0, "the file closed with the connection");
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

#[test]
fn a_file_that_shrinks_while_sent_closes_with_eio_over_plain_tcp() {
    shrinking_file(false);
}

#[test]
fn a_file_that_shrinks_while_sent_closes_with_eio_over_tls() {
    shrinking_file(true);
}

#[test]
fn files_that_cannot_be_sent_are_refused_before_anything_is_sent() {
    let dir = Dir::new("refused");
    let rec = server_rec(&dir, b"x");
    let (server, _port) = start_server(None, rec);
    let cases = [
        (dir.0.join("missing"), libc::ENOENT),
        (dir.0.clone(), libc::EISDIR),
        (PathBuf::from("/dev/null"), libc::EBADF),
    ];
    for (path, code) in cases {
        let e = server
            .send_local_file(1, &path, 200, None, &[])
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidParam, "{}: {e}", path.display());
        assert_eq!(e.errno(), code, "{}: {e}", path.display());
    }
    // A good file on a connection that does not exist: refused as any send is.
    let e = server
        .send_local_file(1, dir.0.join("answer"), 200, None, &[])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParam);
    assert_eq!(e.errno(), libc::EBADSLT);
    server.stop().unwrap();
}
