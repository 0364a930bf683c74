//! SSL components on real sockets: echo through TLS, OpenSSL's own s_client/s_server as
//! peers, mutual TLS, SNI, certificate failures with readable causes, PACK and PULL over TLS,
//! a manual handshake after plaintext, and many concurrent TLS connections.

#[path = "util/certs.rs"]
mod certs;
mod util;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hpsocket_core::{
    AgentListener, ClientListener, ConnId, ErrorKind, FetchResult, HandleResult, Pem, ReceiveModel,
    ServerListener, SocketOperation, SslSetup, TcpAgent, TcpClient, TcpServer,
    SSL_VM_FAIL_IF_NO_PEER_CERT, SSL_VM_PEER,
};
use util::{Ev, Log};

fn server_setup(pki: &certs::Pki, id: &certs::Issued, verify: i32) -> SslSetup {
    SslSetup {
        verify_mode: verify,
        certificate: Some(Pem::Memory(id.cert_pem.clone())),
        private_key: Some(Pem::Memory(id.key_pem.clone())),
        ca: Some(Pem::Memory(pki.ca.cert_pem.clone())),
        ..SslSetup::default()
    }
}

fn client_setup(ca: &certs::Issued, identity: Option<&certs::Issued>) -> SslSetup {
    SslSetup {
        verify_mode: SSL_VM_PEER,
        certificate: identity.map(|i| Pem::Memory(i.cert_pem.clone())),
        private_key: identity.map(|i| Pem::Memory(i.key_pem.clone())),
        ca: Some(Pem::Memory(ca.cert_pem.clone())),
        ..SslSetup::default()
    }
}

#[derive(Default)]
struct Rec {
    log: Log,
    manual: bool,
}

impl ServerListener for Rec {
    fn on_handshake(&self, _: &TcpServer, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
        self.log.push(Ev::Receive(id, data.len()));
        if self.manual && data == b"STARTTLS\n" {
            s.send(id, b"GO\n").unwrap();
            s.start_ssl_handshake(id).unwrap();
            return HandleResult::Ok;
        }
        match s.send(id, data) {
            Ok(()) => HandleResult::Ok,
            Err(_) => HandleResult::Error,
        }
    }
    fn on_pull_receive(&self, s: &TcpServer, id: ConnId, total: usize) -> HandleResult {
        let mut buf = vec![0u8; total];
        assert_eq!(s.fetch(id, &mut buf), FetchResult::Ok);
        s.send(id, &buf).unwrap();
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpServer, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

fn tls_server(setup: &SslSetup, model: ReceiveModel, rec: Arc<Rec>) -> (TcpServer, u16) {
    let server = TcpServer::new_ssl(rec, model);
    server
        .update_config(|c| {
            c.worker_thread_count = 2;
            c.socket.ssl_auto_handshake = true;
        })
        .unwrap();
    server.setup_ssl_context(setup, None).unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    (server, port)
}

#[derive(Default)]
struct ClientRec {
    log: Log,
    got: Mutex<Vec<u8>>,
}

impl ClientListener for ClientRec {
    fn on_handshake(&self, _: &TcpClient, id: ConnId) -> HandleResult {
        self.log.push(Ev::HandShake(id));
        HandleResult::Ok
    }
    fn on_receive(&self, _: &TcpClient, id: ConnId, data: &[u8]) -> HandleResult {
        self.got.lock().unwrap().extend_from_slice(data);
        self.log.push(Ev::Receive(id, data.len()));
        HandleResult::Ok
    }
    fn on_close(&self, _: &TcpClient, id: ConnId, op: SocketOperation, code: i32) -> HandleResult {
        self.log.push(Ev::Close(id, op, code));
        HandleResult::Ok
    }
}

fn tls_client(setup: &SslSetup, model: ReceiveModel) -> (TcpClient, Arc<ClientRec>) {
    let rec = Arc::new(ClientRec::default());
    let client = TcpClient::new_ssl(rec.clone(), model);
    client.setup_ssl_context(setup).unwrap();
    (client, rec)
}

fn has_handshake(e: &[Ev]) -> bool {
    e.iter().any(|e| matches!(e, Ev::HandShake(_)))
}

#[test]
fn start_without_context_is_ssl_env_not_ready() {
    let server = TcpServer::new_ssl(Arc::new(Rec::default()), ReceiveModel::Push);
    assert!(server.is_secure());
    let e = server.start("127.0.0.1", 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SslEnvNotReady);
    let plain = TcpServer::new(Arc::new(Rec::default()));
    assert!(plain.setup_ssl_context(&SslSetup::default(), None).is_err());
}

#[test]
fn echo_through_tls_with_verification() {
    let pki = certs::pki();
    let rec = Arc::new(Rec::default());
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, 0),
        ReceiveModel::Push,
        rec.clone(),
    );
    let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client.start("localhost", port, false).unwrap();
    // Sent before the handshake completes: held, then encrypted in order.
    let payload = util::pattern(1, 200_000);
    client.send(&payload[..1000]).unwrap();
    crec.log.wait_for("client handshake", has_handshake);
    client.send(&payload[1000..]).unwrap();
    util::eventually("echo", || crec.got.lock().unwrap().len() == payload.len());
    assert_eq!(*crec.got.lock().unwrap(), payload);
    let version = client
        .with_ssl_session(|s| s.version_str().to_string())
        .unwrap();
    assert!(version == "TLSv1.3" || version == "TLSv1.2", "{version}");
    client.stop().unwrap();
    rec.log
        .wait_for("server close", |e| e.iter().any(util::is_close));
    server.stop().unwrap();
}

#[test]
fn openssl_s_client_against_our_server() {
    let (dir, server, port) = echo_server_and_ca_file("s_client");
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-quiet",
            "-verify_return_error",
        ])
        .args([
            "-CAfile",
            dir.join("ca.pem").to_str().unwrap(),
            "-servername",
            "localhost",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_client");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"hello through s_client\n").unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "hello through s_client\n");
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    server.stop().unwrap();
}

#[test]
fn our_client_against_openssl_s_server() {
    let pki = certs::pki();
    let dir = tempdir("s_server");
    std::fs::write(dir.join("cert.pem"), &pki.server.cert_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &pki.server.key_pem).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("openssl")
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-quiet",
        ])
        .args(["-cert", dir.join("cert.pem").to_str().unwrap()])
        .args(["-key", dir.join("key.pem").to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server");
    // Wait until it listens (s_server shrugs off the probe and accepts the next one).
    util::eventually("s_server listening", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client.start("127.0.0.1^localhost", port, false).unwrap();
    crec.log.wait_for("handshake", has_handshake);
    client.send(b"to s_server\n").unwrap();
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "to s_server\n");
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"from s_server\n")
        .unwrap();
    util::eventually("reply", || {
        crec.got.lock().unwrap().ends_with(b"from s_server\n")
    });
    client.stop().unwrap();
    let _ = child.kill();
    let _ = child.wait();
}

/// A PUSH echo server over TLS and, in a fresh directory, the CA file its peers verify it with.
fn echo_server_and_ca_file(tag: &str) -> (std::path::PathBuf, TcpServer, u16) {
    let pki = certs::pki();
    let dir = tempdir(tag);
    std::fs::write(dir.join("ca.pem"), &pki.ca.cert_pem).unwrap();
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, 0),
        ReceiveModel::Push,
        Arc::new(Rec::default()),
    );
    (dir, server, port)
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hpsocket-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn mutual_tls_requires_a_client_certificate() {
    let pki = certs::pki();
    let verify = SSL_VM_PEER | SSL_VM_FAIL_IF_NO_PEER_CERT;
    let rec = Arc::new(Rec::default());
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, verify),
        ReceiveModel::Push,
        rec.clone(),
    );
    // Without a certificate: refused, and the server says why.
    let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client.start("127.0.0.1", port, false).unwrap();
    let ev = rec
        .log
        .wait_for("server close", |e| e.iter().any(util::is_close));
    assert!(!has_handshake(&ev), "{ev:?}");
    let (_, err) = server.last_error().expect("server records the cause");
    assert!(err.context().contains("certificate"), "{err}");
    // With TLS 1.3 the client finishes its side before the server checks its certificate,
    // so it may see OnHandShake; either way the server's alert closes it with an error.
    let ev = crec
        .log
        .wait_for("client close", |e| e.iter().any(util::is_close));
    assert!(
        ev.iter()
            .any(|e| matches!(e, Ev::Close(_, SocketOperation::Receive, c) if *c != 0)),
        "{ev:?}"
    );
    let _ = client.wait(Some(util::DEADLINE));
    // With one: accepted.
    let (client, crec) = tls_client(
        &client_setup(&pki.ca, Some(&pki.client)),
        ReceiveModel::Push,
    );
    client.start("127.0.0.1", port, false).unwrap();
    crec.log.wait_for("handshake", has_handshake);
    let subject = rec.log.wait_for("server handshake", has_handshake);
    assert!(has_handshake(&subject));
    let id = server.all_connection_ids()[0];
    let peer_cn = server
        .with_ssl_session(id, |s| {
            s.peer_certificate().and_then(|c| {
                c.subject_name()
                    .entries()
                    .next()
                    .map(|e| e.data().as_slice().to_vec())
            })
        })
        .unwrap();
    assert_eq!(peer_cn.as_deref(), Some(&b"test client"[..]));
    client.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn sni_serves_the_certificate_asked_for() {
    let pki = certs::pki();
    let rec = Arc::new(Rec::default());
    let server = TcpServer::new_ssl(rec.clone(), ReceiveModel::Push);
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server
        .setup_ssl_context(&server_setup(&pki, &pki.server, 0), None)
        .unwrap();
    let b = server
        .add_ssl_context(&server_setup(&pki, &pki.server_b, 0))
        .unwrap();
    assert_eq!(b, 1);
    server.bind_ssl_server_name("*.example.test", b).unwrap();
    assert_eq!(server.default_server_name_index("b.example.test"), 1);
    assert_eq!(server.default_server_name_index("localhost"), 0);
    assert!(server.bind_ssl_server_name("x", 9).is_err());
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    for (name, want) in [
        ("b.example.test", "b.example.test"),
        ("localhost", "localhost"),
    ] {
        let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
        client
            .start(&format!("127.0.0.1^{name}"), port, false)
            .unwrap();
        crec.log.wait_for("handshake", has_handshake);
        let cn = client
            .with_ssl_session(|s| {
                s.peer_certificate().and_then(|c| {
                    c.subject_name()
                        .entries()
                        .next()
                        .map(|e| String::from_utf8_lossy(e.data().as_slice()).into_owned())
                })
            })
            .unwrap();
        assert_eq!(cn.as_deref(), Some(want), "SNI {name}");
        client.stop().unwrap();
    }
    server.stop().unwrap();

    // A callback returning a negative index aborts the handshake.
    let server = TcpServer::new_ssl(Arc::new(Rec::default()), ReceiveModel::Push);
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    let refuse: hpsocket_core::ServerNameCallback =
        Arc::new(|name: &str| if name == "evil.test" { -1 } else { 0 });
    server
        .setup_ssl_context(&server_setup(&pki, &pki.server, 0), Some(refuse))
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client.start("127.0.0.1^evil.test", port, false).unwrap();
    let ev = crec
        .log
        .wait_for("refused", |e| e.iter().any(util::is_close));
    assert!(!has_handshake(&ev), "{ev:?}");
    server.stop().unwrap();
}

#[test]
fn certificate_failures_have_their_own_causes() {
    let pki = certs::pki();
    // Unknown CA: the client does not trust the server's issuer.
    let rec = Arc::new(Rec::default());
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, 0),
        ReceiveModel::Push,
        rec.clone(),
    );
    let (client, crec) = tls_client(&client_setup(&pki.other_ca, None), ReceiveModel::Push);
    client.start("127.0.0.1", port, false).unwrap();
    let ev = crec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.iter().any(
            |e| matches!(e, Ev::Close(_, SocketOperation::Receive, c) if *c == libc::EKEYREJECTED)
        ),
        "{ev:?}"
    );
    let (_, err) = client.last_error().unwrap();
    assert!(err.context().contains("certificate verify failed"), "{err}");
    server.stop().unwrap();

    // Expired server certificate.
    let rec = Arc::new(Rec::default());
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.expired, 0),
        ReceiveModel::Push,
        rec,
    );
    let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client.start("127.0.0.1", port, false).unwrap();
    let ev = crec.log.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(
        ev.iter()
            .any(|e| matches!(e, Ev::Close(_, _, c) if *c == libc::EKEYEXPIRED)),
        "{ev:?}"
    );
    assert!(client.last_error().unwrap().1.context().contains("expired"));
    server.stop().unwrap();

    // Wrong key password: the setup itself fails and says so.
    let server = TcpServer::new_ssl(Arc::new(Rec::default()), ReceiveModel::Push);
    let mut setup = server_setup(&pki, &pki.server, 0);
    setup.private_key = Some(Pem::Memory(certs::encrypted_key(&pki.server, "right")));
    setup.key_password = Some("wrong".into());
    let e = server.setup_ssl_context(&setup, None).unwrap_err();
    assert!(e.context().contains("wrong password"), "{e}");
    setup.key_password = Some("right".into());
    server.setup_ssl_context(&setup, None).unwrap();
}

#[test]
fn pack_and_pull_over_tls() {
    let pki = certs::pki();
    // PACK: frames of MaxPackSize through TLS records.
    let rec = Arc::new(Rec::default());
    let server = TcpServer::new_ssl(rec, ReceiveModel::Pack);
    server
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.pack.max_pack_size = 0x7FF;
            c.pack.pack_header_flag = 0x169;
        })
        .unwrap();
    server
        .setup_ssl_context(&server_setup(&pki, &pki.server, 0), None)
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    #[derive(Default)]
    struct Frames(Mutex<Vec<Vec<u8>>>);
    impl ClientListener for Frames {
        fn on_receive(&self, _: &TcpClient, _: ConnId, d: &[u8]) -> HandleResult {
            self.0.lock().unwrap().push(d.to_vec());
            HandleResult::Ok
        }
    }
    let frames = Arc::new(Frames::default());
    let client = TcpClient::new_ssl(frames.clone(), ReceiveModel::Pack);
    client
        .update_config(|c| {
            c.pack.max_pack_size = 0x7FF;
            c.pack.pack_header_flag = 0x169;
        })
        .unwrap();
    client
        .setup_ssl_context(&client_setup(&pki.ca, None))
        .unwrap();
    client.start("127.0.0.1", port, false).unwrap();
    util::eventually("tls up", || client.send(&[1]).is_ok());
    let bodies: Vec<Vec<u8>> = (0..300)
        .map(|i| util::pattern(i, 1 + (i as usize * 97) % 0x7FF))
        .collect();
    for b in &bodies {
        client.send(b).unwrap();
    }
    client.send(&vec![9u8; 0x7FF]).unwrap();
    assert_eq!(
        client.send(&vec![9u8; 0x800]).unwrap_err().errno(),
        libc::EMSGSIZE
    );
    util::eventually("frames", || {
        frames.0.lock().unwrap().len() == bodies.len() + 2
    });
    let got = frames.0.lock().unwrap();
    assert_eq!(got[1..=bodies.len()], bodies[..]);
    drop(got);
    client.stop().unwrap();
    server.stop().unwrap();

    // PULL: the server fetches whatever arrived and echoes it.
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, 0),
        ReceiveModel::Pull,
        Arc::new(Rec::default()),
    );
    let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client.start("127.0.0.1", port, false).unwrap();
    crec.log.wait_for("handshake", has_handshake);
    let payload = util::pattern(7, 100_000);
    client.send(&payload).unwrap();
    util::eventually("pull echo", || {
        crec.got.lock().unwrap().len() == payload.len()
    });
    assert_eq!(*crec.got.lock().unwrap(), payload);
    client.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn manual_handshake_after_plaintext() {
    let pki = certs::pki();
    let rec = Arc::new(Rec {
        manual: true,
        ..Rec::default()
    });
    let server = TcpServer::new_ssl(rec.clone(), ReceiveModel::Push);
    server
        .update_config(|c| {
            c.worker_thread_count = 1;
            c.socket.ssl_auto_handshake = false;
        })
        .unwrap();
    server
        .setup_ssl_context(&server_setup(&pki, &pki.server, 0), None)
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();

    let (client, crec) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client
        .update_config(|c| c.socket.ssl_auto_handshake = false)
        .unwrap();
    client.start("127.0.0.1", port, false).unwrap();
    // Plaintext first: the server answers GO and switches to TLS.
    client.send(b"STARTTLS\n").unwrap();
    util::eventually("GO", || crec.got.lock().unwrap().as_slice() == b"GO\n");
    assert!(
        !has_handshake(&rec.log.snapshot()),
        "no OnHandShake before TLS"
    );
    client.start_ssl_handshake().unwrap();
    crec.log.wait_for("client handshake", has_handshake);
    rec.log.wait_for("server handshake", has_handshake);
    crec.got.lock().unwrap().clear();
    client.send(b"secret").unwrap();
    util::eventually("echo", || crec.got.lock().unwrap().as_slice() == b"secret");
    client.stop().unwrap();
    server.stop().unwrap();
}

#[test]
fn five_hundred_tls_connections_echo() {
    let pki = certs::pki();
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, 0),
        ReceiveModel::Push,
        Arc::new(Rec::default()),
    );
    struct Sum {
        bytes: Mutex<Vec<(u64, usize)>>,
        done: AtomicUsize,
        per: usize,
        ready: AtomicUsize,
    }
    impl AgentListener for Sum {
        fn on_handshake(&self, _: &TcpAgent, _: ConnId) -> HandleResult {
            self.ready.fetch_add(1, Ordering::Release);
            HandleResult::Ok
        }
        fn on_receive(&self, _: &TcpAgent, id: ConnId, d: &[u8]) -> HandleResult {
            let mut b = self.bytes.lock().unwrap();
            let (h, n) = &mut b[id as usize - 1];
            *h = util::fnv(d, *h);
            *n += d.len();
            if *n == self.per {
                self.done.fetch_add(1, Ordering::Release);
            }
            HandleResult::Ok
        }
    }
    const N: usize = 500;
    const PER: usize = 20_000;
    let sum = Arc::new(Sum {
        bytes: Mutex::new(vec![(util::FNV_START, 0); N]),
        done: AtomicUsize::new(0),
        per: PER,
        ready: AtomicUsize::new(0),
    });
    let agent = TcpAgent::new_ssl(sum.clone(), ReceiveModel::Push);
    agent.update_config(|c| c.worker_thread_count = 2).unwrap();
    agent
        .setup_ssl_context(&client_setup(&pki.ca, None))
        .unwrap();
    agent.start(None, true).unwrap();
    let ids: Vec<ConnId> = (0..N)
        .map(|_| agent.connect("127.0.0.1", port).unwrap())
        .collect();
    util::eventually("500 handshakes", || sum.ready.load(Ordering::Acquire) == N);
    for (i, id) in ids.iter().enumerate() {
        agent.send(*id, &util::pattern(i as u64, PER)).unwrap();
    }
    util::eventually("500 echoes", || sum.done.load(Ordering::Acquire) == N);
    let b = sum.bytes.lock().unwrap();
    for i in 0..N {
        assert_eq!(
            b[i],
            (
                util::fnv(&util::pattern(i as u64, PER), util::FNV_START),
                PER
            )
        );
    }
    drop(b);
    agent.stop().unwrap();
    server.stop().unwrap();
}

/// Python's `ssl` module as the client of our SSL server, verifying our certificate.
#[test]
fn python_ssl_client_against_our_server() {
    let (dir, server, port) = echo_server_and_ca_file("py_client");
    let script = format!(
        r#"
import socket, ssl
ctx = ssl.create_default_context(cafile={ca:?})
with socket.create_connection(("127.0.0.1", {port}), timeout=20) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        payload = bytes(range(256)) * 40
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            got += s.recv(65536)
        assert got == payload, "echo differs"
        print("ok", s.version())
"#,
        ca = dir.join("ca.pem").to_str().unwrap()
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("ok TLSv1."),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.stop().unwrap();
}

/// Our SSL client against a server made with Python's `ssl` module, which requires and checks
/// our client certificate.
#[test]
fn our_client_against_python_ssl_server() {
    let pki = certs::pki();
    let dir = tempdir("py_server");
    for (name, text) in [
        ("ca.pem", &pki.ca.cert_pem),
        ("cert.pem", &pki.server.cert_pem),
        ("key.pem", &pki.server.key_pem),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let script = format!(
        r#"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain({cert:?}, {key:?})
ctx.load_verify_locations({ca:?})
ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.create_server(("127.0.0.1", 0))
srv.settimeout(20)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
with ctx.wrap_socket(conn, server_side=True) as s:
    peer = dict(x[0] for x in s.getpeercert()["subject"])["commonName"]
    data = s.recv(65536)
    s.sendall(b"python saw " + peer.encode() + b": " + data)
"#,
        cert = dir.join("cert.pem").to_str().unwrap(),
        key = dir.join("key.pem").to_str().unwrap(),
        ca = dir.join("ca.pem").to_str().unwrap(),
    );
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().expect("port from the python server");
    let (client, crec) = tls_client(
        &client_setup(&pki.ca, Some(&pki.client)),
        ReceiveModel::Push,
    );
    client.start("127.0.0.1^localhost", port, false).unwrap();
    crec.log.wait_for("handshake", has_handshake);
    client.send(b"hello").unwrap();
    util::eventually("reply", || crec.got.lock().unwrap().ends_with(b"hello"));
    assert_eq!(*crec.got.lock().unwrap(), b"python saw test client: hello");
    let _ = client.stop();
    assert!(child.wait().unwrap().success());
}

/// curl speaks HTTPS to a tiny HTTP responder running on our SSL server.
#[test]
fn curl_over_our_ssl_server() {
    struct Http;
    impl ServerListener for Http {
        fn on_receive(&self, s: &TcpServer, id: ConnId, data: &[u8]) -> HandleResult {
            // Requests from curl arrive whole here (small, one TLS record).
            if data.windows(4).any(|w| w == b"\r\n\r\n") {
                let line = data.split(|b| *b == b'\r').next().unwrap_or_default();
                let body = format!("you asked: {}\n", String::from_utf8_lossy(line));
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.send(id, response.as_bytes()).unwrap();
                s.disconnect(id, true).unwrap();
            }
            HandleResult::Ok
        }
    }
    let pki = certs::pki();
    let dir = tempdir("curl");
    std::fs::write(dir.join("ca.pem"), &pki.ca.cert_pem).unwrap();
    let server = TcpServer::new_ssl(Arc::new(Http), ReceiveModel::Push);
    server.update_config(|c| c.worker_thread_count = 1).unwrap();
    server
        .setup_ssl_context(&server_setup(&pki, &pki.server, 0), None)
        .unwrap();
    server.start("127.0.0.1", 0).unwrap();
    let port = server.listen_address().unwrap().port();
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "--cacert",
            dir.join("ca.pem").to_str().unwrap(),
        ])
        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
        .arg(format!("https://localhost:{port}/hello?x=1"))
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "you asked: GET /hello?x=1 HTTP/1.1\n"
    );
    server.stop().unwrap();
}

#[test]
fn plaintext_held_for_the_handshake_stays_counted_after_the_hello_is_written() {
    // A peer that accepts TCP and never answers: the handshake cannot end.
    let pki = certs::pki();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let (client, _) = tls_client(&client_setup(&pki.ca, None), ReceiveModel::Push);
    client
        .update_config(|c| c.socket.max_send_queue_bytes = 100)
        .unwrap();
    client.start("127.0.0.1", port, false).unwrap();
    // Sent at once, most likely before the worker has even written the ClientHello.
    client.send(b"HELD-PLAINTEXT-1").unwrap();
    let (mut raw, _) = silent.accept().unwrap();
    let mut head = [0u8; 5];
    std::io::Read::read_exact(&mut raw, &mut head).unwrap();
    assert_eq!(head[0], 0x16, "a TLS handshake record");
    // The hello is written (the queue is empty again); the held bytes still count.
    assert!(client.pending_data_length().unwrap() >= 16);
    assert!(client.send(&[b'x'; 90]).is_err(), "16 held + 90 > 100");
    client.stop().unwrap();
}

/// Connects a verifying client (`config` applied) to `port` as `remote`; returns the close
/// code (0 after a completed handshake) and the client's last error text.
fn connect_checking_name(
    pki: &certs::Pki,
    remote: &str,
    port: u16,
    verify_mode: i32,
    verify_host: bool,
) -> (i32, String) {
    let mut setup = client_setup(&pki.ca, None);
    setup.verify_mode = verify_mode;
    let (client, crec) = tls_client(&setup, ReceiveModel::Push);
    client
        .update_config(|c| c.socket.ssl_verify_host_name = verify_host)
        .unwrap();
    client.start(remote, port, false).unwrap();
    let ev = crec.log.wait_for("handshake or close", |e| {
        has_handshake(e) || e.iter().any(util::is_close)
    });
    let code = ev
        .iter()
        .find_map(|e| match e {
            Ev::Close(_, _, c) => Some(*c),
            _ => None,
        })
        .unwrap_or(0);
    let text = client
        .last_error()
        .map(|(_, e)| e.context().to_string())
        .unwrap_or_default();
    let _ = client.stop();
    (code, text)
}

#[test]
fn client_checks_the_server_name() {
    let pki = certs::pki();
    let other = certs::issue_for(&pki.ca, &["other.test"], &[]);
    let wild = certs::issue_for(&pki.ca, &["*.wild.test"], &["127.0.0.2"]);
    for (cert, cases) in [
        (
            &other,
            vec![
                (
                    "127.0.0.1^evil.example",
                    SSL_VM_PEER,
                    true,
                    libc::EKEYREJECTED,
                ),
                ("localhost", SSL_VM_PEER, true, libc::EKEYREJECTED),
                ("127.0.0.1", SSL_VM_PEER, true, libc::EKEYREJECTED),
                ("127.0.0.1^other.test", SSL_VM_PEER, true, 0),
                ("127.0.0.1^OTHER.test", SSL_VM_PEER, true, 0),
                // Turned off, or no verification at all: any name, as in HP-Socket.
                ("127.0.0.1^evil.example", SSL_VM_PEER, false, 0),
                ("127.0.0.1^evil.example", 0, true, 0),
            ],
        ),
        (
            &wild,
            vec![
                ("127.0.0.1^a.wild.test", SSL_VM_PEER, true, 0),
                (
                    "127.0.0.1^a.b.wild.test",
                    SSL_VM_PEER,
                    true,
                    libc::EKEYREJECTED,
                ),
                ("127.0.0.1^wild.test", SSL_VM_PEER, true, libc::EKEYREJECTED),
                ("127.0.0.1", SSL_VM_PEER, true, libc::EKEYREJECTED),
            ],
        ),
    ] {
        let (server, port) = tls_server(
            &server_setup(&pki, cert, 0),
            ReceiveModel::Push,
            Arc::new(Rec::default()),
        );
        for (remote, mode, check, want) in cases {
            let (code, text) = connect_checking_name(&pki, remote, port, mode, check);
            assert_eq!(code, want, "{remote} mode {mode} check {check}: {text}");
            if want != 0 {
                let name = remote.rsplit('^').next().unwrap();
                assert!(
                    text.contains("certificate is for ") && text.contains(&format!(", not {name}")),
                    "{remote}: {text}"
                );
            }
        }
        server.stop().unwrap();
    }
    // The exact sentence, for a certificate with one name.
    let (server, port) = tls_server(
        &server_setup(&pki, &other, 0),
        ReceiveModel::Push,
        Arc::new(Rec::default()),
    );
    let (_, text) = connect_checking_name(&pki, "127.0.0.1^evil.example", port, SSL_VM_PEER, true);
    assert!(
        text.contains("certificate is for other.test, not evil.example"),
        "{text}"
    );
    server.stop().unwrap();
}

/// An agent checks names too, against a real `openssl s_server` with a wrong-name certificate.
#[test]
fn agent_checks_the_name_against_openssl_s_server() {
    let pki = certs::pki();
    let other = certs::issue_for(&pki.ca, &["other.test"], &[]);
    let dir = tempdir("s_server_name");
    std::fs::write(dir.join("cert.pem"), &other.cert_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &other.key_pem).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("openssl")
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-quiet",
        ])
        .args(["-cert", dir.join("cert.pem").to_str().unwrap()])
        .args(["-key", dir.join("key.pem").to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server");
    util::eventually("s_server listening", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    #[derive(Default)]
    struct A(Log);
    impl AgentListener for A {
        fn on_handshake(&self, _: &TcpAgent, id: ConnId) -> HandleResult {
            self.0.push(Ev::HandShake(id));
            HandleResult::Ok
        }
        fn on_close(&self, _: &TcpAgent, id: ConnId, op: SocketOperation, c: i32) -> HandleResult {
            self.0.push(Ev::Close(id, op, c));
            HandleResult::Ok
        }
    }
    let rec = Arc::new(A::default());
    let agent = TcpAgent::new_ssl(rec.clone(), ReceiveModel::Push);
    agent
        .setup_ssl_context(&client_setup(&pki.ca, None))
        .unwrap();
    agent.start(None, false).unwrap();
    agent.connect("127.0.0.1^evil.example", port).unwrap();
    let ev = rec.0.wait_for("close", |e| e.iter().any(util::is_close));
    assert!(!has_handshake(&ev), "{ev:?}");
    assert!(
        ev.iter().any(
            |e| matches!(e, Ev::Close(_, SocketOperation::Receive, c) if *c == libc::EKEYREJECTED)
        ),
        "{ev:?}"
    );
    let (_, err) = agent.last_error().unwrap();
    assert!(
        err.context()
            .contains("certificate is for other.test, not evil.example"),
        "{err}"
    );
    agent.stop().unwrap();
    let _ = child.kill();
    let _ = child.wait();
}

/// A socket under a hand-driven OpenSSL client: every byte read is kept (to count the
/// records the server sent) and, once `held` is set, writes collect in `out` instead of
/// going out, so a test decides how ciphertext is cut into TCP writes.
#[derive(Debug)]
struct Tap {
    sock: std::net::TcpStream,
    seen: Vec<u8>,
    held: bool,
    out: Vec<u8>,
}

impl std::io::Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = std::io::Read::read(&mut self.sock, buf)?;
        self.seen.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Write for Tap {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.held {
            self.out.extend_from_slice(buf);
            Ok(buf.len())
        } else {
            self.sock.write(buf)
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.sock.flush()
    }
}

/// A TLS 1.2 client (its application records are all of type 23, unlike TLS 1.3's
/// session tickets) connected to `port`, handshake done. Reads time out after the tests'
/// deadline, so a stalled server fails the test instead of hanging it.
fn tapped_client(ca: &certs::Issued, port: u16) -> openssl::ssl::SslStream<Tap> {
    use openssl::ssl::{SslConnector, SslMethod, SslVersion};
    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
    let x509 = openssl::x509::X509::from_pem(ca.cert_pem.as_bytes()).unwrap();
    b.cert_store_mut().add_cert(x509).unwrap();
    let sock = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_nodelay(true).unwrap();
    sock.set_read_timeout(Some(util::DEADLINE)).unwrap();
    let tap = Tap {
        sock,
        seen: Vec::new(),
        held: false,
        out: Vec::new(),
    };
    b.build().connect("localhost", tap).unwrap()
}

/// Reads exactly `len` bytes of plaintext.
fn read_plain(tls: &mut openssl::ssl::SslStream<Tap>, len: usize) -> Vec<u8> {
    let mut got = vec![0u8; len];
    std::io::Read::read_exact(tls, &mut got).expect("the echo (a stalled server times out)");
    got
}

/// The lengths of the application-data records in `wire` (whole records only).
fn application_records(wire: &[u8]) -> Vec<usize> {
    let mut lens = Vec::new();
    let mut at = 0;
    while at + 5 <= wire.len() {
        let len = u16::from_be_bytes([wire[at + 3], wire[at + 4]]) as usize;
        if wire[at] == 23 {
            lens.push(len);
        }
        at += 5 + len;
    }
    lens
}

#[test]
fn a_pack_frame_over_tls_goes_out_in_as_few_records_as_fit() {
    let pki = certs::pki();
    // The server's echo is a send of two parts: the PACK header and the body.
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, 0),
        ReceiveModel::Pack,
        Arc::new(Rec::default()),
    );
    let mut tls = tapped_client(&pki.ca, port);
    // Body sizes, and how many records the 4-byte header plus body takes: one while it fits
    // in a record (16 KiB of plaintext), else one per started 16 KiB.
    let cases = [
        (1, 1),
        (64, 1),
        (16 * 1024 - 4, 1),
        (16 * 1024, 2),
        (20_000, 2),
    ];
    for (i, &(len, records)) in cases.iter().enumerate() {
        let body = util::pattern(i as u64, len);
        let mut frame = (len as u32).to_le_bytes().to_vec();
        frame.extend_from_slice(&body);
        let before = tls.get_ref().seen.len();
        tls.write_all(&frame).unwrap();
        assert_eq!(read_plain(&mut tls, frame.len()), frame, "body of {len} B");
        let lens = application_records(&tls.get_ref().seen[before..]);
        assert_eq!(
            lens.len(),
            records,
            "body of {len} B came in records {lens:?}"
        );
    }
    server.stop().unwrap();
}

#[test]
fn records_cut_or_stacked_across_reads_are_delivered_whole() {
    let pki = certs::pki();
    let rec = Arc::new(Rec::default());
    let (server, port) = tls_server(
        &server_setup(&pki, &pki.server, 0),
        ReceiveModel::Push,
        rec.clone(),
    );
    let mut tls = tapped_client(&pki.ca, port);
    tls.get_mut().held = true;
    let send_raw = |tls: &mut openssl::ssl::SslStream<Tap>, cuts: &[usize]| {
        // Sends the collected ciphertext cut at `cuts` (offsets), one TCP write per piece.
        let out = std::mem::take(&mut tls.get_mut().out);
        let mut from = 0;
        for &to in cuts.iter().chain([out.len()].iter()) {
            tls.get_mut().sock.write_all(&out[from..to]).unwrap();
            from = to;
        }
    };

    // Fifty records in one write: the server decrypts them one after the other from one read.
    let stacked: Vec<Vec<u8>> = (0..50)
        .map(|i| util::pattern(i, 1 + i as usize * 7))
        .collect();
    for m in &stacked {
        tls.write_all(m).unwrap();
    }
    send_raw(&mut tls, &[]);
    assert_eq!(
        read_plain(&mut tls, stacked.concat().len()),
        stacked.concat()
    );

    // Records cut inside their header, inside their body and across the boundary between two.
    let (a, b) = (util::pattern(100, 1000), util::pattern(101, 3000));
    tls.write_all(&a).unwrap();
    tls.write_all(&b).unwrap();
    let first = 5 + application_records(&tls.get_ref().out)[0];
    send_raw(&mut tls, &[3, 400, first - 1, first + 2, first + 700]);
    assert_eq!(read_plain(&mut tls, 4000), [a, b].concat());

    // A whole 16 KiB record and the start of the next in one write, the rest after the
    // echo of the first: the server must not wait with a whole record inside the session.
    let (c, d) = (util::pattern(102, 16 * 1024), util::pattern(103, 16 * 1024));
    tls.write_all(&c).unwrap();
    tls.write_all(&d).unwrap();
    let out = std::mem::take(&mut tls.get_mut().out);
    let first = 5 + application_records(&out)[0];
    tls.get_mut().sock.write_all(&out[..first + 10]).unwrap();
    assert_eq!(read_plain(&mut tls, c.len()), c);
    tls.get_mut().sock.write_all(&out[first + 10..]).unwrap();
    assert_eq!(read_plain(&mut tls, d.len()), d);

    // Data and close_notify in one write: the data is echoed, then the connection closes.
    let last = util::pattern(104, 500);
    tls.write_all(&last).unwrap();
    let _ = tls.shutdown();
    send_raw(&mut tls, &[]);
    assert_eq!(read_plain(&mut tls, last.len()), last);
    rec.log.wait_for("close", |e| e.iter().any(util::is_close));
    server.stop().unwrap();
}

#[test]
fn key_update_from_openssl_s_client_keeps_the_echo_going() {
    // TLS 1.3 KeyUpdate asking for ours in return ("K" on s_client's input): the server
    // reads a record that carries no plaintext, answers with its own KeyUpdate and keeps
    // echoing under the new keys.
    let (dir, server, port) = echo_server_and_ca_file("s_client_key_update");
    // Not -quiet: that turns s_client's one-letter commands off. Its stderr joins its
    // stdout: it says KEYUPDATE there once the KeyUpdate is sent, and the next line may only
    // be written then (s_client takes a whole read of its input as the command).
    let s_client = format!(
        "exec openssl s_client -connect 127.0.0.1:{port} -tls1_3 -verify_return_error \
         -servername localhost -CAfile {} 2>&1",
        dir.join("ca.pem").to_str().unwrap()
    );
    let mut child = Command::new("sh")
        .args(["-c", &s_client])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl s_client");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut until = |want: &str| {
        for line in lines.by_ref() {
            if line.unwrap() == want {
                return;
            }
        }
        panic!("s_client ended before printing {want:?}");
    };
    stdin.write_all(b"before the key update\n").unwrap();
    until("before the key update");
    for round in 0..3 {
        stdin.write_all(b"K\n").unwrap();
        until("KEYUPDATE");
        let after = format!("after key update {round}");
        stdin.write_all(format!("{after}\n").as_bytes()).unwrap();
        until(&after);
    }
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    server.stop().unwrap();
}
