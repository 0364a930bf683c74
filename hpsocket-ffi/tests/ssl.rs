//! The SSL components through the C functions only, on real loopback sockets, with PEM files
//! made at test time: echo between an SSL server and SSL client/agent, `GetSSLSessionInfo`
//! items, SNI through a C callback and bound names, a manual handshake after plaintext,
//! SSL PACK/PULL, sends held during the handshake, and failures whose cause
//! `GetLastErrorDesc` names inside `OnClose`.
//! Tests wait for events with deadlines; none sleeps to synchronise.

mod util;

use std::ffi::{c_char, c_int, c_void, CString};
use std::io::Read;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::Mutex;

use hpsocket::*;
use util::pki::{common_name, Pki, KEY_PASSWORD};
use util::*;

extern "C" {
    // libssl, linked through the library: reads the name of an `SSL_CIPHER*`.
    fn SSL_CIPHER_get_name(cipher: *const c_void) -> *const c_char;
}

const MODE_MANUAL: usize = 1;

// ---------------------------------------------------------------------------------------
// Callbacks

extern "C" fn s_handshake(s: HP_Server, id: HP_CONNID) -> En_HP_HandleResult {
    let Some(r) = rec(s) else { return HR_OK };
    // Session info works inside the connection's own callback.
    let mut version: PVOID = std::ptr::null_mut();
    // SAFETY: a valid out-param.
    let ok = unsafe { HP_SSLServer_GetSSLSessionInfo(s, id, SSL_SSI_VERSION, &mut version) };
    r.send(Ev::Note(
        "version-in-callback",
        i64::from(ok),
        text(version as *const c_char),
    ));
    r.send(Ev::HandShake(id));
    HR_OK
}

extern "C" fn s_receive(
    s: HP_Server,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    let Some(r) = rec(s) else { return HR_OK };
    if r.mode.load(Ordering::SeqCst) == MODE_MANUAL && data(p, len) == b"STARTTLS\n" {
        // Plaintext phase: answer, then switch this connection to TLS.
        // SAFETY: a static buffer of that length.
        let ok = unsafe { HP_Server_Send(s, id, b"GO\n".as_ptr(), 3) };
        let started = HP_SSLServer_StartSSLHandShake(s, id);
        r.send(Ev::Note(
            "server-starttls",
            i64::from(ok & started),
            String::new(),
        ));
        return HR_OK;
    }
    // SAFETY: `p` holds `len` bytes during the callback.
    if unsafe { HP_Server_Send(s, id, p, len) } == TRUE {
        HR_OK
    } else {
        HR_ERROR
    }
}

extern "C" fn s_close(
    s: HP_Server,
    id: HP_CONNID,
    op: En_HP_SocketOperation,
    code: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::Note(
            "server-close-desc",
            i64::from(HP_Server_GetLastError(s)),
            text(HP_Server_GetLastErrorDesc(s)),
        ));
        r.send(Ev::Close(id, op, code));
    }
    HR_OK
}

extern "C" fn k_handshake(k: HP_Client, id: HP_CONNID) -> En_HP_HandleResult {
    if let Some(r) = rec(k) {
        r.send(Ev::HandShake(id));
    }
    HR_OK
}

extern "C" fn k_receive(
    k: HP_Client,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    let Some(r) = rec(k) else { return HR_OK };
    if r.mode.load(Ordering::SeqCst) == MODE_MANUAL && data(p, len) == b"GO\n" {
        let started = HP_SSLClient_StartSSLHandShake(k);
        r.send(Ev::Note(
            "client-starttls",
            i64::from(started),
            String::new(),
        ));
        return HR_OK;
    }
    r.add_received(id, data(p, len));
    HR_OK
}

extern "C" fn k_close(
    k: HP_Client,
    id: HP_CONNID,
    op: En_HP_SocketOperation,
    code: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(k) {
        // What a C program does in OnClose to learn why: the cause of a TLS failure.
        r.send(Ev::Note(
            "client-close-desc",
            i64::from(HP_Client_GetLastError(k)),
            text(HP_Client_GetLastErrorDesc(k)),
        ));
        r.send(Ev::Close(id, op, code));
    }
    HR_OK
}

extern "C" fn a_handshake(a: HP_Agent, id: HP_CONNID) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.send(Ev::HandShake(id));
    }
    HR_OK
}

extern "C" fn a_receive(
    a: HP_Agent,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.add_received(id, data(p, len));
    }
    HR_OK
}

// ---------------------------------------------------------------------------------------
// Helpers

/// An SSL server of `create`'s kind with the test callbacks, not yet set up.
fn ssl_server(
    create: extern "C" fn(HP_TcpServerListener) -> HP_Object,
) -> (HP_Object, HP_Object, std::sync::Arc<Rec>) {
    let l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnHandShake(l, Some(s_handshake));
    HP_Set_FN_Server_OnReceive(l, Some(s_receive));
    HP_Set_FN_Server_OnClose(l, Some(s_close));
    let s = create(l);
    assert!(!s.is_null(), "{:?}", last());
    let r = Rec::new();
    attach(s, &r);
    HP_Server_SetWorkerThreadCount(s, 2);
    (s, l, r)
}

/// Sets up `server` from the PEM files of `pki` (encrypted key, the CA) with `sni`.
fn setup_server_files(
    server: HP_Object,
    pki: &Pki,
    cert: &str,
    key: &str,
    sni: HP_Fn_SNI_ServerNameCallback,
) {
    let (cert, key) = (pki.path(cert), pki.path(key));
    let password = c(KEY_PASSWORD);
    let ca = pki.path("ca.pem");
    // SAFETY: NUL-terminated strings alive for the call.
    let ok = unsafe {
        HP_SSLServer_SetupSSLContext(
            server,
            SSL_VM_NONE,
            cert.as_ptr(),
            key.as_ptr(),
            password.as_ptr(),
            ca.as_ptr(),
            sni,
        )
    };
    assert_eq!(ok, TRUE, "{}", text(HP_Server_GetLastErrorDesc(server)));
}

/// An SSL client that verifies the server against the CA file `ca`.
fn ssl_client(pki: &Pki, ca: &str) -> (HP_Object, HP_Object, std::sync::Arc<Rec>) {
    let l = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnHandShake(l, Some(k_handshake));
    HP_Set_FN_Client_OnReceive(l, Some(k_receive));
    HP_Set_FN_Client_OnClose(l, Some(k_close));
    let k = Create_HP_SSLClient(l);
    let r = Rec::new();
    attach(k, &r);
    let ca = pki.path(ca);
    let none = std::ptr::null();
    // SAFETY: a NUL-terminated string and NULLs (no client certificate).
    let ok = unsafe { HP_SSLClient_SetupSSLContext(k, SSL_VM_PEER, none, none, none, ca.as_ptr()) };
    assert_eq!(ok, TRUE, "{}", text(HP_Client_GetLastErrorDesc(k)));
    (k, l, r)
}

/// Starts `client` synchronously towards `remote` (`"address^sni-name"` allowed).
fn start_to(client: HP_Object, remote: &str, port: u16) {
    let remote = c(remote);
    // SAFETY: a NUL-terminated string.
    let ok = unsafe { HP_Client_Start(client, remote.as_ptr(), port, FALSE) };
    assert_eq!(ok, TRUE, "{}", text(HP_Client_GetLastErrorDesc(client)));
}

fn handshake_id(r: &Rec, what: &str) -> HP_CONNID {
    match r.wait_for(what, |e| matches!(e, Ev::HandShake(_))) {
        Ev::HandShake(id) => id,
        _ => unreachable!(),
    }
}

/// One session item of a server connection.
fn server_info(s: HP_Object, id: HP_CONNID, item: En_HP_SSLSessionInfo) -> PVOID {
    let mut v: PVOID = std::ptr::null_mut();
    // SAFETY: a valid out-param.
    let ok = unsafe { HP_SSLServer_GetSSLSessionInfo(s, id, item, &mut v) };
    assert_eq!(
        ok,
        TRUE,
        "item {item}: {}",
        text(HP_Server_GetLastErrorDesc(s))
    );
    v
}

fn client_info(k: HP_Object, item: En_HP_SSLSessionInfo) -> PVOID {
    let mut v: PVOID = std::ptr::null_mut();
    // SAFETY: a valid out-param.
    let ok = unsafe { HP_SSLClient_GetSSLSessionInfo(k, item, &mut v) };
    assert_eq!(
        ok,
        TRUE,
        "item {item}: {}",
        text(HP_Client_GetLastErrorDesc(k))
    );
    v
}

fn cipher_name(cipher: PVOID) -> String {
    assert!(!cipher.is_null());
    // SAFETY: a live `SSL_CIPHER*` the library returned; the name is a static string.
    text(unsafe { SSL_CIPHER_get_name(cipher) })
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn ssl_echo_with_pem_files_and_session_info() {
    let pki = Pki::new("echo");
    let (server, sl, srec) = ssl_server(Create_HP_SSLServer);
    assert_eq!(HP_Server_IsSecure(server), TRUE);
    assert_eq!(HP_SSLServer_IsSSLAutoHandShake(server), TRUE);
    assert_eq!(text(HP_SSLServer_GetSSLCipherList(server)), "DEFAULT");

    // Start before SetupSSLContext is refused.
    let addr = c("127.0.0.1");
    // SAFETY: a NUL-terminated string.
    assert_eq!(unsafe { HP_Server_Start(server, addr.as_ptr(), 0) }, FALSE);
    assert_eq!(HP_Server_GetLastError(server), SE_SSL_ENV_NOT_READY);

    // A cipher list OpenSSL rejects makes the setup fail and names it.
    let bad = c("NO-SUCH-CIPHER");
    // SAFETY: a NUL-terminated string.
    unsafe { HP_SSLServer_SetSSLCipherList(server, bad.as_ptr()) };
    let (cert, key, ca) = (
        pki.path("server.pem"),
        pki.path("server.key"),
        pki.path("ca.pem"),
    );
    let pw = c(KEY_PASSWORD);
    // SAFETY: NUL-terminated strings.
    let ok = unsafe {
        HP_SSLServer_SetupSSLContext(
            server,
            SSL_VM_NONE,
            cert.as_ptr(),
            key.as_ptr(),
            pw.as_ptr(),
            ca.as_ptr(),
            None,
        )
    };
    assert_eq!(ok, FALSE);
    assert_eq!(HP_Server_GetLastError(server), SE_SSL_ENV_NOT_READY);
    assert!(text(HP_Server_GetLastErrorDesc(server)).contains("cipher list"));
    // A wrong key password is refused too.
    let wrong = c("not-the-password");
    // SAFETY: NUL-terminated strings.
    let ok = unsafe {
        HP_SSLServer_SetupSSLContext(
            server,
            SSL_VM_NONE,
            cert.as_ptr(),
            key.as_ptr(),
            wrong.as_ptr(),
            ca.as_ptr(),
            None,
        )
    };
    assert_eq!(ok, FALSE);
    assert!(text(HP_Server_GetLastErrorDesc(server)).contains("password"));
    let list = c("HIGH:!aNULL");
    // SAFETY: a NUL-terminated string.
    unsafe { HP_SSLServer_SetSSLCipherList(server, list.as_ptr()) };
    let kept = HP_SSLServer_GetSSLCipherList(server);
    assert_eq!(text(kept), "HIGH:!aNULL");
    setup_server_files(server, &pki, "server.pem", "server.key", None);
    let port = start_server(server);
    // Auto handshake is a setting: refused while running.
    HP_SSLServer_SetSSLAutoHandShake(server, FALSE);
    assert_eq!(HP_SSLServer_IsSSLAutoHandShake(server), TRUE);
    assert_eq!(HP_Server_GetLastError(server), SE_ILLEGAL_STATE);
    assert_eq!(text(kept), "HIGH:!aNULL", "the text stays valid");

    let (client, kl, crec) = ssl_client(&pki, "ca.pem");
    start_to(client, "127.0.0.1^localhost", port);
    let cid = handshake_id(&crec, "client handshake");
    let sid = handshake_id(&srec, "server handshake");
    let inside = srec.wait_for("version in OnHandShake", |e| {
        matches!(e, Ev::Note("version-in-callback", ..))
    });
    assert!(
        matches!(&inside, Ev::Note(_, 1, v) if v.starts_with("TLSv1.")),
        "{inside:?}"
    );

    // Echo through TLS.
    let payload = pattern(7, 200_000);
    crec.expected.lock().unwrap().insert(cid, payload.len());
    for piece in payload.chunks(10_000) {
        // SAFETY: `piece` is readable for its length.
        let ok = unsafe { HP_Client_Send(client, piece.as_ptr(), piece.len() as c_int) };
        assert_eq!(ok, TRUE, "{:?}", last());
    }
    crec.wait_for("the echo", |e| *e == Ev::Done(cid));
    assert_eq!(
        checksum(&crec.received.lock().unwrap()[&cid]),
        checksum(&payload)
    );

    // Every session item of the server side.
    assert!(!server_info(server, sid, SSL_SSI_CTX).is_null());
    assert!(!server_info(server, sid, SSL_SSI_CTX_METHOD).is_null());
    assert!(!server_info(server, sid, SSL_SSI_CTX_CIPHERS).is_null());
    assert!(!server_info(server, sid, SSL_SSI_CTX_CERT_STORE).is_null());
    assert_eq!(
        server_info(server, sid, SSL_SSI_SERVER_NAME_TYPE) as isize,
        0,
        "host_name"
    );
    assert_eq!(
        text(server_info(server, sid, SSL_SSI_SERVER_NAME) as *const c_char),
        "localhost"
    );
    let version = text(server_info(server, sid, SSL_SSI_VERSION) as *const c_char);
    assert!(version.starts_with("TLSv1."), "{version}");
    assert!(!server_info(server, sid, SSL_SSI_METHOD).is_null());
    assert_eq!(
        common_name(server_info(server, sid, SSL_SSI_CERT)).as_deref(),
        Some("localhost")
    );
    assert!(!server_info(server, sid, SSL_SSI_PKEY).is_null());
    let server_cipher = cipher_name(server_info(server, sid, SSL_SSI_CURRENT_CIPHER));
    assert!(!server_info(server, sid, SSL_SSI_CIPHERS).is_null());
    assert!(!server_info(server, sid, SSL_SSI_CLIENT_CIPHERS).is_null());
    assert!(
        server_info(server, sid, SSL_SSI_PEER_CERT).is_null(),
        "no client certificate"
    );
    let _ = server_info(server, sid, SSL_SSI_PEER_CERT_CHAIN);
    let _ = server_info(server, sid, SSL_SSI_VERIFIED_CHAIN);
    // Context items with connection 0 describe the default context.
    assert_eq!(
        server_info(server, 0, SSL_SSI_CTX),
        server_info(server, sid, SSL_SSI_CTX)
    );
    // Unknown items, unknown connections, a NULL out-pointer.
    let mut v: PVOID = 1 as PVOID;
    // SAFETY: a valid out-param.
    let ok = unsafe { HP_SSLServer_GetSSLSessionInfo(server, sid, SSL_SSI_MAX + 1, &mut v) };
    assert_eq!(ok, FALSE);
    assert!(v.is_null(), "*lppInfo is cleared on failure");
    assert_last(SE_INVALID_PARAM, &["enInfo 16"]);
    // SAFETY: as above.
    let ok = unsafe { HP_SSLServer_GetSSLSessionInfo(server, 424_242, SSL_SSI_VERSION, &mut v) };
    assert_eq!(ok, FALSE);
    assert_last(SE_INVALID_PARAM, &["424242"]);
    // SAFETY: a NULL out-pointer is refused before any write.
    let ok =
        unsafe { HP_SSLServer_GetSSLSessionInfo(server, sid, SSL_SSI_CTX, std::ptr::null_mut()) };
    assert_eq!(ok, FALSE);
    assert_last(SE_INVALID_PARAM, &["lppInfo is NULL"]);

    // The client's side of the same session.
    assert_eq!(
        common_name(client_info(client, SSL_SSI_PEER_CERT)).as_deref(),
        Some("localhost")
    );
    assert!(!client_info(client, SSL_SSI_PEER_CERT_CHAIN).is_null());
    assert!(
        !client_info(client, SSL_SSI_VERIFIED_CHAIN).is_null(),
        "the client verified"
    );
    assert_eq!(
        text(client_info(client, SSL_SSI_VERSION) as *const c_char),
        version
    );
    assert_eq!(
        cipher_name(client_info(client, SSL_SSI_CURRENT_CIPHER)),
        server_cipher
    );
    assert!(
        client_info(client, SSL_SSI_CERT).is_null(),
        "no client certificate"
    );

    // An SSL agent set up from memory, on the same server.
    let al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnHandShake(al, Some(a_handshake));
    HP_Set_FN_Agent_OnReceive(al, Some(a_receive));
    let agent = Create_HP_SSLAgent(al);
    let arec = Rec::new();
    attach(agent, &arec);
    let ca_pem = CString::new(pki.ca.cert_pem.clone()).unwrap();
    let none = std::ptr::null();
    // SAFETY: NUL-terminated PEM text and NULLs.
    let ok = unsafe {
        HP_SSLAgent_SetupSSLContextByMemory(agent, SSL_VM_PEER, none, none, none, ca_pem.as_ptr())
    };
    assert_eq!(ok, TRUE, "{}", text(HP_Agent_GetLastErrorDesc(agent)));
    let empty = c("");
    // SAFETY: a NUL-terminated string.
    let r = unsafe { HP_Agent_Start(agent, empty.as_ptr(), FALSE) };
    assert_eq!(r, TRUE);
    let aid = connect(agent, port);
    assert_eq!(handshake_id(&arec, "agent handshake"), aid);
    let mut peer: PVOID = std::ptr::null_mut();
    // SAFETY: a valid out-param.
    let ok = unsafe { HP_SSLAgent_GetSSLSessionInfo(agent, aid, SSL_SSI_PEER_CERT, &mut peer) };
    assert_eq!(ok, TRUE);
    assert_eq!(common_name(peer).as_deref(), Some("localhost"));
    arec.expected.lock().unwrap().insert(aid, 5);
    // SAFETY: a static buffer of that length.
    let r = unsafe { HP_Agent_Send(agent, aid, b"hello".as_ptr(), 5) };
    assert_eq!(r, TRUE);
    arec.wait_for("the agent's echo", |e| *e == Ev::Done(aid));
    assert_eq!(HP_Server_GetConnectionCount(server), 2);

    assert_eq!(HP_Agent_Stop(agent), TRUE);
    assert_eq!(HP_Client_Stop(client), TRUE);
    assert_eq!(HP_Server_Stop(server), TRUE);
    HP_SSLServer_CleanupSSLContext(server);
    // After the cleanup a start needs a new setup.
    // SAFETY: a NUL-terminated string.
    assert_eq!(unsafe { HP_Server_Start(server, addr.as_ptr(), 0) }, FALSE);
    assert_eq!(HP_Server_GetLastError(server), SE_SSL_ENV_NOT_READY);
    Destroy_HP_SSLAgent(agent);
    Destroy_HP_SSLClient(client);
    Destroy_HP_SSLServer(server);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(kl);
    Destroy_HP_TcpServerListener(sl);
}

static SNI_SERVER: AtomicUsize = AtomicUsize::new(0);
static SNI_INDEX: AtomicI32 = AtomicI32::new(0);
static SNI_SEEN: Mutex<Vec<(String, bool)>> = Mutex::new(Vec::new());

/// The application's SNI callback: `sni.example.org` gets the added certificate,
/// `refuse.test` is refused, anything else goes to the built-in resolver.
extern "C" fn sni_callback(name: LPCTSTR, context: PVOID) -> c_int {
    let host = text(name);
    let is_server = context as usize == SNI_SERVER.load(Ordering::SeqCst);
    SNI_SEEN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((host.clone(), is_server));
    match host.as_str() {
        "sni.example.org" => SNI_INDEX.load(Ordering::SeqCst),
        "refuse.test" => -1,
        "probe.test" => {
            // Session lookups of this server are refused here (the session being handshaken
            // is locked), context items of the default context work.
            let mut v: PVOID = std::ptr::null_mut();
            // SAFETY: a valid out-param.
            let session =
                unsafe { HP_SSLServer_GetSSLSessionInfo(context, 1, SSL_SSI_VERSION, &mut v) };
            let code = HPX_GetLastError();
            // SAFETY: as above.
            let ctx = unsafe { HP_SSLServer_GetSSLSessionInfo(context, 0, SSL_SSI_CTX, &mut v) };
            let probe = format!("{session} {code} {ctx} {}", !v.is_null());
            SNI_SEEN
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((probe, true));
            0
        }
        // SAFETY: the name and context the library passed in, alive for this call.
        _ => unsafe { HP_SSL_DefaultServerNameCallback(name, context) },
    }
}

#[test]
fn sni_through_a_c_callback_and_bound_names() {
    let pki = Pki::new("sni");
    let (server, sl, _srec) = ssl_server(Create_HP_SSLServer);
    SNI_SERVER.store(server as usize, Ordering::SeqCst);
    setup_server_files(server, &pki, "server.pem", "server.key", Some(sni_callback));
    let (cert, key) = (
        CString::new(pki.sni.cert_pem.clone()).unwrap(),
        CString::new(pki.sni.key_pem.clone()).unwrap(),
    );
    // SAFETY: NUL-terminated PEM text and NULLs.
    let index = unsafe {
        HP_SSLServer_AddSSLContextByMemory(
            server,
            SSL_VM_NONE,
            cert.as_ptr(),
            key.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(index, 1, "{}", text(HP_Server_GetLastErrorDesc(server)));
    SNI_INDEX.store(index, Ordering::SeqCst);
    let bound = c("*.bound.test");
    // SAFETY: a NUL-terminated string.
    let r = unsafe { HP_SSLServer_BindSSLServerName(server, bound.as_ptr(), index) };
    assert_eq!(r, TRUE);
    // SAFETY: as above.
    let r = unsafe { HP_SSLServer_BindSSLServerName(server, bound.as_ptr(), 7) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["index 7"]);
    // SAFETY: as above.
    let r = unsafe { HP_SSLServer_BindSSLServerName(server, bound.as_ptr(), -1) };
    assert_eq!(r, FALSE);
    // A missing file fails AddSSLContext with -1.
    let missing = c("/nonexistent/cert.pem");
    // SAFETY: NUL-terminated strings.
    let bad = unsafe {
        HP_SSLServer_AddSSLContext(
            server,
            SSL_VM_NONE,
            missing.as_ptr(),
            missing.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(bad, -1);

    // The built-in resolver, called directly with the server as its context.
    let name = c("a.bound.test");
    // SAFETY: a NUL-terminated string and a handle.
    let r = unsafe { HP_SSL_DefaultServerNameCallback(name.as_ptr(), server) };
    assert_eq!(r, index);
    let other = c("other.test");
    // SAFETY: as above.
    let r = unsafe { HP_SSL_DefaultServerNameCallback(other.as_ptr(), server) };
    assert_eq!(r, 0);
    let plain = Create_HP_TcpServer(sl);
    // SAFETY: as above; a plain server is not an SSL server.
    let r = unsafe { HP_SSL_DefaultServerNameCallback(name.as_ptr(), plain) };
    assert_eq!(r, 0);
    assert_last(SE_INVALID_PARAM, &["not an SSL server"]);
    Destroy_HP_TcpServer(plain);

    let port = start_server(server);
    for (host, want) in [
        ("sni.example.org", "sni.example.org"),
        ("x.bound.test", "sni.example.org"),
        ("localhost", "localhost"),
        ("probe.test", "localhost"),
    ] {
        let (client, kl, crec) = ssl_client(&pki, "ca.pem");
        start_to(client, &format!("127.0.0.1^{host}"), port);
        handshake_id(&crec, host);
        assert_eq!(
            common_name(client_info(client, SSL_SSI_PEER_CERT)).as_deref(),
            Some(want),
            "SNI {host}"
        );
        assert_eq!(HP_Client_Stop(client), TRUE);
        Destroy_HP_SSLClient(client);
        Destroy_HP_TcpClientListener(kl);
    }
    // A negative index from the callback aborts the handshake.
    let (client, kl, crec) = ssl_client(&pki, "ca.pem");
    start_to(client, "127.0.0.1^refuse.test", port);
    crec.wait_for("the refused client's close", |e| matches!(e, Ev::Close(..)));
    assert!(!crec.drain().iter().any(|e| matches!(e, Ev::HandShake(_))));
    Destroy_HP_SSLClient(client);
    Destroy_HP_TcpClientListener(kl);

    let seen = SNI_SEEN.lock().unwrap().clone();
    for host in [
        "sni.example.org",
        "x.bound.test",
        "localhost",
        "refuse.test",
    ] {
        assert!(seen.contains(&(host.to_string(), true)), "{host}: {seen:?}");
    }
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_SSLServer(server);
    Destroy_HP_TcpServerListener(sl);
}

#[test]
fn handshake_failures_name_their_cause_in_get_last_error_desc() {
    let pki = Pki::new("failures");

    // The client trusts another CA: certificate verify failed.
    let (server, sl, _) = ssl_server(Create_HP_SSLServer);
    setup_server_files(server, &pki, "server.pem", "server.key", None);
    let port = start_server(server);
    let (client, kl, crec) = ssl_client(&pki, "other-ca.pem");
    start_to(client, "127.0.0.1", port);
    let desc = crec.wait_for("the close's description", |e| {
        matches!(e, Ev::Note("client-close-desc", ..))
    });
    match &desc {
        Ev::Note(_, code, text) => {
            assert_eq!(*code, i64::from(SE_NETWORK), "{text}");
            assert!(text.contains("certificate verify failed"), "{text}");
        }
        _ => unreachable!(),
    }
    let close = crec.wait_for("close", |e| matches!(e, Ev::Close(..)));
    assert!(
        matches!(close, Ev::Close(_, SO_RECEIVE, c) if c == libc::EKEYREJECTED),
        "{close:?}"
    );
    assert!(!crec.drain().iter().any(|e| matches!(e, Ev::HandShake(_))));
    // Outside the callback too; then a newer failed call of the library takes over.
    assert!(HP_Client_Wait(client, 20_000) == TRUE);
    assert!(text(HP_Client_GetLastErrorDesc(client)).contains("certificate verify failed"));
    // SAFETY: a static buffer of that length.
    assert_eq!(unsafe { HP_Client_Send(client, b"x".as_ptr(), 1) }, FALSE);
    assert_eq!(HP_Client_GetLastError(client), SE_ILLEGAL_STATE);
    assert!(text(HP_Client_GetLastErrorDesc(client)).contains("HP_Client_Send"));
    Destroy_HP_SSLClient(client);
    Destroy_HP_TcpClientListener(kl);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_SSLServer(server);

    // An expired server certificate.
    let server = Create_HP_SSLServer(sl);
    let (cert, key) = (pki.path("expired.pem"), pki.path("expired.key"));
    let none = std::ptr::null();
    // SAFETY: NUL-terminated strings and NULLs (an unencrypted key).
    let ok = unsafe {
        HP_SSLServer_SetupSSLContext(
            server,
            SSL_VM_NONE,
            cert.as_ptr(),
            key.as_ptr(),
            none,
            none,
            None,
        )
    };
    assert_eq!(ok, TRUE);
    let port = start_server(server);
    let (client, kl, crec) = ssl_client(&pki, "ca.pem");
    start_to(client, "127.0.0.1", port);
    let desc = crec.wait_for("the close's description", |e| {
        matches!(e, Ev::Note("client-close-desc", ..))
    });
    assert!(
        matches!(&desc, Ev::Note(_, _, t) if t.contains("expired")),
        "{desc:?}"
    );
    let close = crec.wait_for("close", |e| matches!(e, Ev::Close(..)));
    assert!(
        matches!(close, Ev::Close(_, _, c) if c == libc::EKEYEXPIRED),
        "{close:?}"
    );
    Destroy_HP_SSLClient(client);
    Destroy_HP_TcpClientListener(kl);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_SSLServer(server);

    // A peer that never speaks TLS: the server's handshake timeout closes it, and the
    // server's OnClose reads why.
    let (server, sl2, srec) = ssl_server(Create_HP_SSLServer);
    setup_server_files(server, &pki, "server.pem", "server.key", None);
    HPX_Server_SetSSLHandShakeTimeout(server, 300);
    assert_eq!(HPX_Server_GetSSLHandShakeTimeout(server), 300);
    let port = start_server(server);
    let mut raw = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let desc = srec.wait_for("the timeout's description", |e| {
        matches!(e, Ev::Note("server-close-desc", ..))
    });
    assert!(
        matches!(&desc, Ev::Note(_, _, t) if t.contains("timed out")),
        "{desc:?}"
    );
    let close = srec.wait_for("close", |e| matches!(e, Ev::Close(..)));
    assert!(
        matches!(close, Ev::Close(_, _, c) if c == libc::ETIMEDOUT),
        "{close:?}"
    );
    let mut buf = [0u8; 16];
    raw.set_read_timeout(Some(DEADLINE)).unwrap();
    assert!(
        matches!(raw.read(&mut buf), Ok(0) | Err(_)),
        "closed by the server"
    );
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_SSLServer(server);
    Destroy_HP_TcpServerListener(sl2);
    Destroy_HP_TcpServerListener(sl);
}

#[test]
fn manual_handshake_after_a_plaintext_phase() {
    let pki = Pki::new("manual");
    let (server, sl, srec) = ssl_server(Create_HP_SSLServer);
    srec.mode.store(MODE_MANUAL, Ordering::SeqCst);
    HP_SSLServer_SetSSLAutoHandShake(server, FALSE);
    assert_eq!(HP_SSLServer_IsSSLAutoHandShake(server), FALSE);
    setup_server_files(server, &pki, "server.pem", "server.key", None);
    let port = start_server(server);

    let (client, kl, crec) = ssl_client(&pki, "ca.pem");
    crec.mode.store(MODE_MANUAL, Ordering::SeqCst);
    HP_SSLClient_SetSSLAutoHandShake(client, FALSE);
    assert_eq!(HP_SSLClient_IsSSLAutoHandShake(client), FALSE);
    start_to(client, "127.0.0.1", port);
    // Plaintext first.
    // SAFETY: a static buffer of that length.
    let r = unsafe { HP_Client_Send(client, b"STARTTLS\n".as_ptr(), 9) };
    assert_eq!(r, TRUE);
    let cid = handshake_id(&crec, "the client's TLS handshake");
    handshake_id(&srec, "the server's TLS handshake");
    assert!(srec
        .drain()
        .contains(&Ev::Note("server-starttls", 1, String::new())));
    assert!(crec
        .drain()
        .contains(&Ev::Note("client-starttls", 1, String::new())));
    // A second start is refused.
    assert_eq!(HP_SSLClient_StartSSLHandShake(client), FALSE);
    assert_eq!(HP_Client_GetLastError(client), SE_ILLEGAL_STATE);
    // Then data runs encrypted.
    crec.expected.lock().unwrap().insert(cid, 4);
    // SAFETY: a static buffer of that length.
    assert_eq!(unsafe { HP_Client_Send(client, b"ping".as_ptr(), 4) }, TRUE);
    crec.wait_for("echo after the handshake", |e| *e == Ev::Done(cid));
    assert_eq!(
        text(client_info(client, SSL_SSI_VERSION) as *const c_char).get(..6),
        Some("TLSv1.")
    );

    assert_eq!(HP_Client_Stop(client), TRUE);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_SSLClient(client);
    Destroy_HP_SSLServer(server);
    Destroy_HP_TcpClientListener(kl);
    Destroy_HP_TcpServerListener(sl);
}

extern "C" fn pull_client_frames(k: HP_Client, id: HP_CONNID, total: c_int) -> En_HP_HandleResult {
    let Some(r) = rec(k) else { return HR_OK };
    let mut left = total as usize;
    while left >= 4 {
        let mut head = [0u8; 4];
        // SAFETY: a writable local of that length.
        if unsafe { HP_TcpPullClient_Peek(k, head.as_mut_ptr(), 4) } != FR_OK {
            return HR_ERROR;
        }
        let h = u32::from_le_bytes(head);
        let len = (h & 0x3F_FFFF) as usize;
        if h >> 22 != 0x169 {
            r.send(Ev::Note("bad-flag", i64::from(h >> 22), String::new()));
        }
        if left < 4 + len {
            break;
        }
        let mut frame = vec![0u8; 4 + len];
        // SAFETY: as above.
        if unsafe { HP_TcpPullClient_Fetch(k, frame.as_mut_ptr(), frame.len() as c_int) } != FR_OK {
            return HR_ERROR;
        }
        r.send(Ev::Receive(id, len));
        r.add_received(id, &frame[4..]);
        left -= 4 + len;
    }
    HR_OK
}

#[test]
fn ssl_pack_server_and_ssl_pull_client() {
    let pki = Pki::new("pack-pull");
    let (server, sl, _srec) = ssl_server(Create_HP_SSLPackServer);
    HP_TcpPackServer_SetPackHeaderFlag(server, 0x169);
    HP_TcpPackServer_SetMaxPackSize(server, 0x7FF);
    setup_server_files(server, &pki, "server.pem", "server.key", None);
    let port = start_server(server);

    let kl = Create_HP_TcpPullClientListener();
    HP_Set_FN_Client_OnPullReceive(kl, Some(pull_client_frames));
    HP_Set_FN_Client_OnHandShake(kl, Some(k_handshake));
    let client = Create_HP_SSLPullClient(kl);
    let crec = Rec::new();
    attach(client, &crec);
    let ca = pki.path("ca.pem");
    let none = std::ptr::null();
    // SAFETY: a NUL-terminated string and NULLs.
    let ok =
        unsafe { HP_SSLClient_SetupSSLContext(client, SSL_VM_PEER, none, none, none, ca.as_ptr()) };
    assert_eq!(ok, TRUE);
    start_to(client, "127.0.0.1", port);
    let cid = handshake_id(&crec, "handshake");

    // The PULL client speaks the PACK framing by hand.
    let sizes: Vec<usize> = (0..60).map(|i| 1 + (i * 331) % 0x7FF).collect();
    let mut wire = Vec::new();
    let mut bodies = Vec::new();
    for (i, n) in sizes.iter().enumerate() {
        let body = pattern(100 + i as u64, *n);
        wire.extend_from_slice(&((0x169u32 << 22) | *n as u32).to_le_bytes());
        wire.extend_from_slice(&body);
        bodies.extend(body);
    }
    crec.expected.lock().unwrap().insert(cid, bodies.len());
    for piece in wire.chunks(3000) {
        // SAFETY: `piece` is readable for its length.
        let ok = unsafe { HP_Client_Send(client, piece.as_ptr(), piece.len() as c_int) };
        assert_eq!(ok, TRUE, "{:?}", last());
    }
    crec.wait_for("every frame back", |e| *e == Ev::Done(cid));
    let got: Vec<usize> = crec
        .drain()
        .into_iter()
        .filter_map(|e| match e {
            Ev::Receive(_, n) => Some(n),
            Ev::Note("bad-flag", ..) => panic!("a frame came back with another flag"),
            _ => None,
        })
        .collect();
    assert_eq!(got, sizes);
    assert_eq!(
        checksum(&crec.received.lock().unwrap()[&cid]),
        checksum(&bodies)
    );

    assert_eq!(HP_Client_Stop(client), TRUE);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_SSLPullClient(client);
    Destroy_HP_SSLPackServer(server);
    Destroy_HP_TcpPullClientListener(kl);
    Destroy_HP_TcpServerListener(sl);
}

/// Sends made while the TLS handshake runs are held as plaintext (counted as pending and
/// against the send-queue bound, never written unencrypted), then encrypted and sent in
/// order, ahead of later sends, once it completes.
#[test]
fn sends_during_the_handshake_are_held_then_sent_in_order() {
    let pki = Pki::new("held");

    // A peer that accepts TCP and never answers the ClientHello: the handshake cannot end,
    // so what the client sends stays held, deterministically.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let (client, kl, _) = ssl_client(&pki, "ca.pem");
    HPX_Client_SetMaxSendQueueBytes(client, 100);
    start_to(client, "127.0.0.1", port);
    // What reaches the wire first is the ClientHello (a TLS handshake record). It is larger
    // than the bound, so wait until it has left the queue: a send onto a non-empty queue
    // that would pass the bound is refused, whatever the queue holds.
    let (mut raw, _) = silent.accept().expect("accept");
    raw.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut head = [0u8; 5];
    raw.read_exact(&mut head).expect("a TLS record header");
    assert_eq!(head[0], 0x16, "a TLS handshake record first, got {head:?}");
    let mut record = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
    raw.read_exact(&mut record).expect("the ClientHello");
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        let mut queued: c_int = -1;
        // SAFETY: a valid out-param.
        let ok = unsafe { HP_Client_GetPendingDataLength(client, &mut queued) };
        assert_eq!(ok, TRUE);
        if queued == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the hello stays queued"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let marker = b"HELD-PLAINTEXT-1";
    // SAFETY: a static buffer of that length.
    let ok = unsafe { HP_Client_Send(client, marker.as_ptr(), marker.len() as c_int) };
    assert_eq!(ok, TRUE, "{}", text(HP_Client_GetLastErrorDesc(client)));
    let mut pending: c_int = -1;
    // SAFETY: a valid out-param.
    let ok = unsafe { HP_Client_GetPendingDataLength(client, &mut pending) };
    assert_eq!(ok, TRUE);
    assert!(pending >= marker.len() as c_int, "pending {pending}");
    // The held bytes count against the bound: 16 + 90 > 100 is refused.
    let big = [b'x'; 90];
    // SAFETY: a buffer of that length.
    assert_eq!(unsafe { HP_Client_Send(client, big.as_ptr(), 90) }, FALSE);
    // errno first: it belongs to the failed call, and any later call may change it (a
    // contended lock's futex wait sets EAGAIN).
    assert_eq!(SYS_GetLastError() as i32, libc::ENOBUFS);
    assert_eq!(HP_Client_GetLastError(client), SE_DATA_SEND);
    // The held plaintext never reaches the wire while the handshake has not completed.
    raw.set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let mut more = [0u8; 64];
    match raw.read(&mut more) {
        Ok(0) => {}
        Ok(n) => panic!("{n} more bytes on the wire during the handshake"),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{e}"
        ),
    }
    Destroy_HP_SSLClient(client);
    Destroy_HP_TcpClientListener(kl);
    drop(raw);

    // A real server: three sends right after the synchronous connect (during the
    // handshake), one after OnHandShake; the echo is all four, in order.
    let (server, sl, _) = ssl_server(Create_HP_SSLServer);
    setup_server_files(server, &pki, "server.pem", "server.key", None);
    let port = start_server(server);
    let (client, kl, crec) = ssl_client(&pki, "ca.pem");
    let parts = [pattern(1, 10), pattern(2, 70_000), pattern(3, 1)];
    let last_part = pattern(4, 5000);
    let mut all: Vec<u8> = parts.concat();
    all.extend_from_slice(&last_part);
    start_to(client, "127.0.0.1", port);
    let id = HP_Client_GetConnectionID(client);
    crec.expected.lock().unwrap().insert(id, all.len());
    for part in &parts {
        // SAFETY: a buffer of that length.
        let ok = unsafe { HP_Client_Send(client, part.as_ptr(), part.len() as c_int) };
        assert_eq!(ok, TRUE, "{}", text(HP_Client_GetLastErrorDesc(client)));
    }
    handshake_id(&crec, "client handshake");
    // SAFETY: a buffer of that length.
    let ok = unsafe { HP_Client_Send(client, last_part.as_ptr(), last_part.len() as c_int) };
    assert_eq!(ok, TRUE, "{}", text(HP_Client_GetLastErrorDesc(client)));
    crec.wait_for("the whole echo", |e| matches!(e, Ev::Done(_)));
    assert!(
        crec.received.lock().unwrap().get(&id) == Some(&all),
        "the echo differs from what was sent"
    );
    Destroy_HP_SSLClient(client);
    Destroy_HP_TcpClientListener(kl);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_SSLServer(server);
    Destroy_HP_TcpServerListener(sl);
}
