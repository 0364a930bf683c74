//! PULL and PACK components and the HPX extensions, through the C functions only, on real
//! loopback sockets: a Fetch/Peek loop on a PULL server, client and agent; a PACK echo with
//! HP-Socket's demo settings (flag 0x169, MaxPackSize 0x7FF), refused sends and a raw peer
//! breaking the framing; the bounded send queue with its drained event; the asynchronous
//! connect timeout; silence counting sends; handle shapes.
//! Tests wait for events with deadlines; none sleeps to synchronise (one sleeps to let
//! silence build up).

mod util;

use std::ffi::c_int;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use hpsocket::*;
use util::*;

// ---------------------------------------------------------------------------------------
// PULL: frames are a 4-byte little-endian length and a body, parsed with Peek and Fetch.

/// Takes every complete frame out of a PULL buffer holding `total` bytes, with `fetch` and
/// `peek` (the C functions bound to one connection); hands each frame (header included) to
/// `frame`. Reports anomalies as notes instead of panicking (this runs inside C callbacks).
fn pull_frames(
    r: &Rec,
    total: c_int,
    fetch: impl Fn(&mut [u8]) -> En_HP_FetchResult,
    peek: impl Fn(&mut [u8]) -> En_HP_FetchResult,
    mut frame: impl FnMut(&[u8]) -> bool,
) -> En_HP_HandleResult {
    let mut left = total as usize;
    while left >= 4 {
        let mut head = [0u8; 4];
        if peek(&mut head) != FR_OK {
            r.send(Ev::Note("anomaly", 1, "peek of a header failed".into()));
            return HR_ERROR;
        }
        let len = u32::from_le_bytes(head) as usize;
        if left < 4 + len {
            // A fetch of more than is buffered copies nothing.
            let mut all = vec![0u8; left + 1];
            if fetch(&mut all) != FR_LENGTH_TOO_LONG {
                r.send(Ev::Note("anomaly", 2, "over-long fetch not refused".into()));
            }
            break;
        }
        let mut buf = vec![0u8; 4 + len];
        if fetch(&mut buf) != FR_OK {
            r.send(Ev::Note(
                "anomaly",
                3,
                "fetch of a whole frame failed".into(),
            ));
            return HR_ERROR;
        }
        if !frame(&buf) {
            return HR_ERROR;
        }
        left -= 4 + len;
    }
    HR_OK
}

extern "C" fn pull_server_receive(s: HP_Server, id: HP_CONNID, total: c_int) -> En_HP_HandleResult {
    let Some(r) = rec(s) else { return HR_OK };
    pull_frames(
        r,
        total,
        // SAFETY: the buffers are valid locals of the length given.
        |b| unsafe { HP_TcpPullServer_Fetch(s, id, b.as_mut_ptr(), b.len() as c_int) },
        // SAFETY: as above.
        |b| unsafe { HP_TcpPullServer_Peek(s, id, b.as_mut_ptr(), b.len() as c_int) },
        // SAFETY: as above.
        |f| unsafe { HP_Server_Send(s, id, f.as_ptr(), f.len() as c_int) } == TRUE,
    )
}

extern "C" fn pull_client_receive(k: HP_Client, id: HP_CONNID, total: c_int) -> En_HP_HandleResult {
    let Some(r) = rec(k) else { return HR_OK };
    pull_frames(
        r,
        total,
        // SAFETY: the buffers are valid locals of the length given.
        |b| unsafe { HP_TcpPullClient_Fetch(k, b.as_mut_ptr(), b.len() as c_int) },
        // SAFETY: as above.
        |b| unsafe { HP_TcpPullClient_Peek(k, b.as_mut_ptr(), b.len() as c_int) },
        |f| {
            r.add_received(id, &f[4..]);
            true
        },
    )
}

extern "C" fn pull_agent_receive(a: HP_Agent, id: HP_CONNID, total: c_int) -> En_HP_HandleResult {
    let Some(r) = rec(a) else { return HR_OK };
    pull_frames(
        r,
        total,
        // SAFETY: the buffers are valid locals of the length given.
        |b| unsafe { HP_TcpPullAgent_Fetch(a, id, b.as_mut_ptr(), b.len() as c_int) },
        // SAFETY: as above.
        |b| unsafe { HP_TcpPullAgent_Peek(a, id, b.as_mut_ptr(), b.len() as c_int) },
        |f| {
            r.add_received(id, &f[4..]);
            true
        },
    )
}

/// `count` frames of varied sizes, and their bodies concatenated.
fn frames(seed: u64, count: usize) -> (Vec<u8>, Vec<u8>) {
    let mut wire = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..count {
        let body = pattern(seed + i as u64, 1 + (i * 7919) % 3000);
        wire.extend_from_slice(&(body.len() as u32).to_le_bytes());
        wire.extend_from_slice(&body);
        bodies.extend_from_slice(&body);
    }
    (wire, bodies)
}

#[test]
fn pull_fetch_and_peek_loop_through_server_client_and_agent() {
    let sl = Create_HP_TcpPullServerListener();
    HP_Set_FN_Server_OnPullReceive(sl, Some(pull_server_receive));
    let server = Create_HP_TcpPullServer(sl);
    assert!(!server.is_null(), "{:?}", last());
    let srec = Rec::new();
    attach(server, &srec);
    HP_Server_SetWorkerThreadCount(server, 2);
    let port = start_server(server);

    // A PULL client.
    let cl = Create_HP_TcpPullClientListener();
    HP_Set_FN_Client_OnPullReceive(cl, Some(pull_client_receive));
    let client = Create_HP_TcpPullClient(cl);
    let crec = Rec::new();
    attach(client, &crec);
    start_client(client, port);
    let cid = HP_Client_GetConnectionID(client);
    let (wire, bodies) = frames(1, 300);
    crec.expected.lock().unwrap().insert(cid, bodies.len());
    // Sent in uneven pieces so frames straddle reads.
    for piece in wire.chunks(1777) {
        // SAFETY: `piece` is readable for its length.
        let ok = unsafe { HP_Client_Send(client, piece.as_ptr(), piece.len() as c_int) };
        assert_eq!(ok, TRUE, "{:?}", last());
    }
    crec.wait_for("the PULL client's echo", |e| *e == Ev::Done(cid));
    assert_eq!(
        checksum(&crec.received.lock().unwrap()[&cid]),
        checksum(&bodies)
    );

    // A PULL agent on the same server.
    let al = Create_HP_TcpPullAgentListener();
    HP_Set_FN_Agent_OnPullReceive(al, Some(pull_agent_receive));
    let agent = Create_HP_TcpPullAgent(al);
    let arec = Rec::new();
    attach(agent, &arec);
    let none = c("");
    // SAFETY: a NUL-terminated string.
    assert_eq!(unsafe { HP_Agent_Start(agent, none.as_ptr(), FALSE) }, TRUE);
    let aid = connect(agent, port);
    let (wire, bodies) = frames(2, 200);
    arec.expected.lock().unwrap().insert(aid, bodies.len());
    for piece in wire.chunks(4093) {
        // SAFETY: `piece` is readable for its length.
        let ok = unsafe { HP_Agent_Send(agent, aid, piece.as_ptr(), piece.len() as c_int) };
        assert_eq!(ok, TRUE, "{:?}", last());
    }
    arec.wait_for("the PULL agent's echo", |e| *e == Ev::Done(aid));
    assert_eq!(
        checksum(&arec.received.lock().unwrap()[&aid]),
        checksum(&bodies)
    );

    // Outside callbacks: nothing is buffered, so a fetch is too long; an unknown connection
    // is not found and says so.
    let mut buf = [0u8; 8];
    let ids = {
        let mut ids = [0 as HP_CONNID; 4];
        let mut n: DWORD = 4;
        // SAFETY: `ids` holds `n` IDs.
        let r = unsafe { HP_Server_GetAllConnectionIDs(server, ids.as_mut_ptr(), &mut n) };
        assert_eq!(r, TRUE);
        ids[..n as usize].to_vec()
    };
    assert_eq!(ids.len(), 2);
    // SAFETY: `buf` is a writable local of that length.
    let r = unsafe { HP_TcpPullServer_Fetch(server, ids[0], buf.as_mut_ptr(), 8) };
    assert_eq!(r, FR_LENGTH_TOO_LONG);
    // SAFETY: as above; a zero-length peek may pass NULL.
    let r = unsafe { HP_TcpPullServer_Peek(server, ids[0], std::ptr::null_mut(), 0) };
    assert_eq!(r, FR_OK);
    // SAFETY: as above.
    let r = unsafe { HP_TcpPullServer_Fetch(server, 987_654, buf.as_mut_ptr(), 8) };
    assert_eq!(r, FR_DATA_NOT_FOUND);
    assert_last(SE_INVALID_PARAM, &["HP_TcpPullServer_Fetch", "987654"]);
    assert_eq!(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    // SAFETY: a NULL buffer with a length is refused before any use.
    let r = unsafe { HP_TcpPullServer_Fetch(server, ids[0], std::ptr::null_mut(), 4) };
    assert_eq!(r, FR_DATA_NOT_FOUND);
    assert_last(SE_INVALID_PARAM, &["pData is NULL"]);

    for r in [&srec, &crec, &arec] {
        assert!(
            !r.drain()
                .iter()
                .any(|e| matches!(e, Ev::Note("anomaly", ..))),
            "a callback saw an anomaly"
        );
    }
    assert_eq!(HP_Client_Stop(client), TRUE);
    assert_eq!(HP_Agent_Stop(agent), TRUE);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_TcpPullAgent(agent);
    Destroy_HP_TcpPullClient(client);
    Destroy_HP_TcpPullServer(server);
    Destroy_HP_TcpPullAgentListener(al);
    Destroy_HP_TcpPullClientListener(cl);
    Destroy_HP_TcpPullServerListener(sl);
}

// ---------------------------------------------------------------------------------------
// PACK

extern "C" fn pack_server_receive(
    s: HP_Server,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::Receive(id, len as usize));
    }
    // SAFETY: `p` holds `len` bytes during the callback.
    if unsafe { HP_Server_Send(s, id, p, len) } == TRUE {
        HR_OK
    } else {
        HR_ERROR
    }
}

extern "C" fn record_server_close(
    s: HP_Server,
    id: HP_CONNID,
    op: En_HP_SocketOperation,
    code: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::Close(id, op, code));
    }
    HR_OK
}

extern "C" fn record_server_accept(s: HP_Server, id: HP_CONNID, _: UINT_PTR) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::Accept(id));
    }
    HR_OK
}

extern "C" fn pack_client_receive(
    k: HP_Client,
    id: HP_CONNID,
    p: *const BYTE,
    len: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(k) {
        r.send(Ev::Receive(id, len as usize));
        r.add_received(id, data(p, len));
    }
    HR_OK
}

#[test]
fn pack_echo_with_flag_0x169_and_max_0x7ff() {
    let sl = Create_HP_TcpPackServerListener();
    HP_Set_FN_Server_OnReceive(sl, Some(pack_server_receive));
    HP_Set_FN_Server_OnAccept(sl, Some(record_server_accept));
    HP_Set_FN_Server_OnClose(sl, Some(record_server_close));
    let server = Create_HP_TcpPackServer(sl);
    let srec = Rec::new();
    attach(server, &srec);

    // HP-Socket's defaults, then an invalid size refused by Start.
    assert_eq!(HP_TcpPackServer_GetMaxPackSize(server), 0x40000);
    assert_eq!(HP_TcpPackServer_GetPackHeaderFlag(server), 0);
    HP_TcpPackServer_SetMaxPackSize(server, 0x40_0000);
    let addr = c("127.0.0.1");
    // SAFETY: a NUL-terminated string.
    assert_eq!(unsafe { HP_Server_Start(server, addr.as_ptr(), 0) }, FALSE);
    assert_eq!(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    assert!(text(HP_Server_GetLastErrorDesc(server)).contains("MaxPackSize"));
    HP_TcpPackServer_SetPackHeaderFlag(server, 0x400);
    HP_TcpPackServer_SetMaxPackSize(server, 0x7FF);
    // SAFETY: as above.
    assert_eq!(unsafe { HP_Server_Start(server, addr.as_ptr(), 0) }, FALSE);
    assert!(text(HP_Server_GetLastErrorDesc(server)).contains("PackHeaderFlag"));
    HP_TcpPackServer_SetPackHeaderFlag(server, 0x169);
    assert_eq!(HP_TcpPackServer_GetMaxPackSize(server), 0x7FF);
    assert_eq!(HP_TcpPackServer_GetPackHeaderFlag(server), 0x169);
    let port = start_server(server);
    // Settings change only while stopped.
    HP_TcpPackServer_SetMaxPackSize(server, 0x800);
    assert_eq!(HP_TcpPackServer_GetMaxPackSize(server), 0x7FF);
    assert_eq!(HP_Server_GetLastError(server), SE_ILLEGAL_STATE);

    let cl = Create_HP_TcpPackClientListener();
    HP_Set_FN_Client_OnReceive(cl, Some(pack_client_receive));
    let client = Create_HP_TcpPackClient(cl);
    let crec = Rec::new();
    attach(client, &crec);
    HP_TcpPackClient_SetMaxPackSize(client, 0x7FF);
    HP_TcpPackClient_SetPackHeaderFlag(client, 0x169);
    assert_eq!(HP_TcpPackClient_GetMaxPackSize(client), 0x7FF);
    assert_eq!(HP_TcpPackClient_GetPackHeaderFlag(client), 0x169);
    start_client(client, port);
    let cid = HP_Client_GetConnectionID(client);

    let sizes: Vec<usize> = (0..200).map(|i| 1 + (i * 613) % 0x7FF).collect();
    let mut all = Vec::new();
    for (i, n) in sizes.iter().enumerate() {
        all.extend(pattern(i as u64, *n));
    }
    crec.expected.lock().unwrap().insert(cid, all.len());
    let mut at = 0;
    for n in &sizes {
        let msg = &all[at..at + n];
        at += n;
        // SAFETY: `msg` is readable for its length.
        let ok = unsafe { HP_Client_Send(client, msg.as_ptr(), *n as c_int) };
        assert_eq!(ok, TRUE, "{:?}", last());
    }
    // One message sent in two buffers is still one frame.
    let two = [
        WSABUF {
            len: 3,
            buf: b"abc".as_ptr() as *mut BYTE,
        },
        WSABUF {
            len: 2,
            buf: b"de".as_ptr() as *mut BYTE,
        },
    ];
    crec.expected.lock().unwrap().insert(cid, all.len() + 5);
    // SAFETY: both WSABUFs describe readable static bytes.
    let r = unsafe { HP_Client_SendPackets(client, two.as_ptr(), 2) };
    assert_eq!(r, TRUE);
    crec.wait_for("every PACK message back", |e| *e == Ev::Done(cid));
    let lengths: Vec<usize> = crec
        .drain()
        .into_iter()
        .filter_map(|e| match e {
            Ev::Receive(_, n) => Some(n),
            _ => None,
        })
        .collect();
    let mut want = sizes.clone();
    want.push(5);
    assert_eq!(lengths, want, "each message arrives whole, in order");
    let mut expect = all.clone();
    expect.extend_from_slice(b"abcde");
    assert_eq!(
        checksum(&crec.received.lock().unwrap()[&cid]),
        checksum(&expect)
    );

    // Oversize and empty sends are refused (EMSGSIZE) and send nothing.
    let big = vec![7u8; 0x800];
    // SAFETY: `big` is readable for its length.
    let r = unsafe { HP_Client_Send(client, big.as_ptr(), big.len() as c_int) };
    assert_eq!(r, FALSE);
    assert_eq!(SYS_GetLastError() as i32, libc::EMSGSIZE);
    assert_eq!(HP_Client_GetLastError(client), SE_INVALID_PARAM);
    // SAFETY: a zero-length send may pass NULL.
    let r = unsafe { HP_Client_Send(client, std::ptr::null(), 0) };
    assert_eq!(r, FALSE);
    assert_eq!(SYS_GetLastError() as i32, libc::EMSGSIZE);
    assert!(
        HP_Client_IsConnected(client) == TRUE,
        "refusals leave it up"
    );

    // A raw peer breaking the framing: a wrong flag closes with EBADMSG, a length over
    // MaxPackSize with EMSGSIZE.
    srec.drain();
    for (header, code) in [
        ((0x16Au32 << 22) | 3, libc::EBADMSG),
        ((0x169u32 << 22) | 0x800, libc::EMSGSIZE),
    ] {
        let mut raw = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let id = match srec.wait_for("accept", |e| matches!(e, Ev::Accept(_))) {
            Ev::Accept(id) => id,
            _ => unreachable!(),
        };
        raw.write_all(&header.to_le_bytes()).unwrap();
        raw.write_all(b"xyz").unwrap();
        let ev = srec.wait_for(
            "the violation's close",
            |e| matches!(e, Ev::Close(i, ..) if *i == id),
        );
        assert_eq!(ev, Ev::Close(id, SO_RECEIVE, code));
    }

    assert_eq!(HP_Client_Stop(client), TRUE);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_TcpPackClient(client);
    Destroy_HP_TcpPackServer(server);
    Destroy_HP_TcpPackClientListener(cl);
    Destroy_HP_TcpPackServerListener(sl);
}

// ---------------------------------------------------------------------------------------
// Bounded send queue and OnSendDrained

extern "C" fn server_drained(s: HP_Server, id: HP_CONNID, pending: c_int) -> En_HP_HandleResult {
    if let Some(r) = rec(s) {
        r.send(Ev::Note("drained", i64::from(pending), format!("{id}")));
    }
    HR_OK
}

#[test]
fn bounded_send_queue_refuses_with_enobufs_then_reports_drained() {
    let sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(sl, Some(record_server_accept));
    HPX_Set_FN_Server_OnSendDrained(sl, Some(server_drained));
    let server = Create_HP_TcpServer(sl);
    let srec = Rec::new();
    attach(server, &srec);

    // Defaults, and a watermark that is not below the bound is refused by Start.
    assert_eq!(HPX_Server_GetMaxSendQueueBytes(server), 0);
    assert_eq!(HPX_Server_GetSendQueueLowWatermark(server), 0);
    HPX_Server_SetMaxSendQueueBytes(server, 1000);
    HPX_Server_SetSendQueueLowWatermark(server, 1000);
    let addr = c("127.0.0.1");
    // SAFETY: a NUL-terminated string.
    assert_eq!(unsafe { HP_Server_Start(server, addr.as_ptr(), 0) }, FALSE);
    assert_eq!(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    assert!(text(HP_Server_GetLastErrorDesc(server)).contains("SendQueueLowWatermark"));

    const CAP: u32 = 256 * 1024;
    const LOW: u32 = 32 * 1024;
    HPX_Server_SetMaxSendQueueBytes(server, CAP);
    HPX_Server_SetSendQueueLowWatermark(server, LOW);
    assert_eq!(HPX_Server_GetMaxSendQueueBytes(server), CAP);
    assert_eq!(HPX_Server_GetSendQueueLowWatermark(server), LOW);
    let port = start_server(server);

    // A peer that does not read: the kernel buffers fill, then the queue, then sends fail.
    let mut raw = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let id = match srec.wait_for("accept", |e| matches!(e, Ev::Accept(_))) {
        Ev::Accept(id) => id,
        _ => unreachable!(),
    };
    let chunk = vec![0x5Au8; 16 * 1024];
    let mut sent = 0usize;
    let end = Instant::now() + DEADLINE;
    loop {
        // SAFETY: `chunk` is readable for its length.
        let ok = unsafe { HP_Server_Send(server, id, chunk.as_ptr(), chunk.len() as c_int) };
        if ok == FALSE {
            break;
        }
        sent += chunk.len();
        assert!(Instant::now() < end, "no send refused after {sent} bytes");
    }
    assert_eq!(SYS_GetLastError() as i32, libc::ENOBUFS);
    assert_last(SE_DATA_SEND, &["HP_Server_Send", "MaxSendQueueBytes"]);
    assert_eq!(HP_Server_GetLastError(server), SE_DATA_SEND);
    let mut pending: c_int = 0;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_GetPendingDataLength(server, id, &mut pending) };
    assert_eq!(r, TRUE);
    assert!(pending as u32 <= CAP && pending > 0, "pending {pending}");
    assert_eq!(HP_Server_IsConnected(server, id), TRUE, "still usable");

    // Reading drains the queue: OnSendDrained reports what is left, at most the watermark.
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0usize;
        raw.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let end = Instant::now() + DEADLINE;
        while got < sent && Instant::now() < end {
            match raw.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(_) => continue,
            }
        }
        (got, raw)
    });
    let ev = srec.wait_for("OnSendDrained", |e| matches!(e, Ev::Note("drained", ..)));
    match ev {
        Ev::Note(_, left, who) => {
            assert!(left >= 0 && left <= i64::from(LOW), "pending {left}");
            assert_eq!(who, id.to_string());
        }
        _ => unreachable!(),
    }
    let (got, _raw) = reader.join().unwrap();
    assert!(got >= sent, "read {got} of {sent}");
    // The connection works again.
    // SAFETY: `chunk` is readable for its length.
    let r = unsafe { HP_Server_Send(server, id, chunk.as_ptr(), chunk.len() as c_int) };
    assert_eq!(r, TRUE);
    assert_eq!(HP_Server_Stop(server), TRUE);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(sl);
}

// ---------------------------------------------------------------------------------------
// HPX settings, shapes and listeners

#[test]
fn hpx_settings_have_defaults_round_trip_and_wait_for_stop() {
    let sl = Create_HP_TcpServerListener();
    let al = Create_HP_TcpAgentListener();
    let kl = Create_HP_TcpClientListener();
    let server = Create_HP_SSLPackServer(sl);
    let agent = Create_HP_TcpPullAgent(al);
    let client = Create_HP_TcpClient(kl);

    assert_eq!(HPX_Server_IsSilenceCountsSend(server), FALSE);
    assert_eq!(HPX_Server_GetSSLHandShakeTimeout(server), 30_000);
    assert_eq!(HPX_Agent_GetConnectTimeout(agent), 0);
    assert_eq!(HPX_Agent_IsSilenceCountsSend(agent), FALSE);
    assert_eq!(HPX_Agent_GetSSLHandShakeTimeout(agent), 30_000);
    assert_eq!(HPX_Agent_GetMaxSendQueueBytes(agent), 0);
    assert_eq!(HPX_Client_GetConnectTimeout(client), 0);
    assert_eq!(HPX_Client_GetSSLHandShakeTimeout(client), 30_000);
    assert_eq!(HPX_Client_GetMaxSendQueueBytes(client), 0);
    assert_eq!(HPX_Client_GetSendQueueLowWatermark(client), 0);

    HPX_Server_SetSilenceCountsSend(server, TRUE);
    HPX_Server_SetSSLHandShakeTimeout(server, 1234);
    HPX_Agent_SetConnectTimeout(agent, 250);
    HPX_Agent_SetSilenceCountsSend(agent, TRUE);
    HPX_Agent_SetSSLHandShakeTimeout(agent, 0);
    HPX_Agent_SetMaxSendQueueBytes(agent, 4096);
    HPX_Agent_SetSendQueueLowWatermark(agent, 1024);
    HPX_Client_SetConnectTimeout(client, 500);
    HPX_Client_SetSSLHandShakeTimeout(client, 777);
    HPX_Client_SetMaxSendQueueBytes(client, 8192);
    HPX_Client_SetSendQueueLowWatermark(client, 10);
    assert_eq!(HPX_Server_IsSilenceCountsSend(server), TRUE);
    assert_eq!(HPX_Server_GetSSLHandShakeTimeout(server), 1234);
    assert_eq!(HPX_Agent_GetConnectTimeout(agent), 250);
    assert_eq!(HPX_Agent_IsSilenceCountsSend(agent), TRUE);
    assert_eq!(HPX_Agent_GetSSLHandShakeTimeout(agent), 0);
    assert_eq!(HPX_Agent_GetMaxSendQueueBytes(agent), 4096);
    assert_eq!(HPX_Agent_GetSendQueueLowWatermark(agent), 1024);
    assert_eq!(HPX_Client_GetConnectTimeout(client), 500);
    assert_eq!(HPX_Client_GetSSLHandShakeTimeout(client), 777);
    assert_eq!(HPX_Client_GetMaxSendQueueBytes(client), 8192);
    assert_eq!(HPX_Client_GetSendQueueLowWatermark(client), 10);

    // Changed only while stopped.
    let none = c("");
    // SAFETY: a NUL-terminated string.
    assert_eq!(unsafe { HP_Agent_Start(agent, none.as_ptr(), TRUE) }, TRUE);
    HPX_Agent_SetConnectTimeout(agent, 9);
    assert_eq!(HPX_Agent_GetConnectTimeout(agent), 250);
    assert_eq!(HP_Agent_GetLastError(agent), SE_ILLEGAL_STATE);
    assert_eq!(HP_Agent_Stop(agent), TRUE);

    // Wrong shapes: the HPX client setters refuse a server, the getters give 0.
    HPX_Client_SetConnectTimeout(server, 1);
    assert_last(SE_INVALID_PARAM, &["not a client"]);
    assert_eq!(HPX_Server_GetMaxSendQueueBytes(client), 0);

    Destroy_HP_SSLPackServer(server);
    Destroy_HP_TcpPullAgent(agent);
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpServerListener(sl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(kl);
}

#[test]
fn model_functions_check_the_shape_of_their_handle() {
    // Listeners of every model are the same objects: any server listener fits any server.
    let pull_listener = Create_HP_TcpPullServerListener();
    let push = Create_HP_TcpServer(pull_listener);
    assert!(!push.is_null(), "{:?}", last());
    let pack = Create_HP_TcpPackServer(pull_listener);
    let pull = Create_HP_TcpPullServer(pull_listener);
    let ssl_pull = Create_HP_SSLPullServer(pull_listener);
    let client_listener = Create_HP_TcpPackClientListener();
    let client = Create_HP_TcpPullClient(client_listener);
    assert!(!pack.is_null() && !pull.is_null() && !ssl_pull.is_null() && !client.is_null());

    // Fetch on a handle that is not a PULL server: FR_DATA_NOT_FOUND and a last error.
    let mut buf = [0u8; 4];
    // SAFETY: `buf` is a writable local.
    let r = unsafe { HP_TcpPullServer_Fetch(push, 1, buf.as_mut_ptr(), 4) };
    assert_eq!(r, FR_DATA_NOT_FOUND);
    assert_last(
        SE_INVALID_PARAM,
        &[
            "HP_TcpPullServer_Fetch",
            "HP_TcpServer",
            "not a PULL server",
        ],
    );
    // SAFETY: as above.
    let r = unsafe { HP_TcpPullServer_Peek(pack, 1, buf.as_mut_ptr(), 4) };
    assert_eq!(r, FR_DATA_NOT_FOUND);
    assert_last(SE_INVALID_PARAM, &["HP_TcpPackServer", "not a PULL server"]);
    // An SSL PULL server is a PULL server; not started, its connections are unknown.
    // SAFETY: as above.
    let r = unsafe { HP_TcpPullServer_Fetch(ssl_pull, 1, buf.as_mut_ptr(), 4) };
    assert_eq!(r, FR_DATA_NOT_FOUND);
    assert_last(SE_INVALID_PARAM, &["no buffered data"]);
    // A client that never connected.
    // SAFETY: as above.
    let r = unsafe { HP_TcpPullClient_Fetch(client, buf.as_mut_ptr(), 4) };
    assert_eq!(r, FR_DATA_NOT_FOUND);
    // A PULL agent function refuses a server.
    // SAFETY: as above.
    let r = unsafe { HP_TcpPullAgent_Fetch(pull, 1, buf.as_mut_ptr(), 4) };
    assert_eq!(r, FR_DATA_NOT_FOUND);
    assert_last(SE_INVALID_PARAM, &["not a PULL agent"]);

    // PACK settings refuse non-PACK components and leave their own last error alone.
    HP_TcpPackServer_SetMaxPackSize(pull, 10);
    assert_last(SE_INVALID_PARAM, &["not a PACK server"]);
    assert_eq!(HP_Server_GetLastError(pull), SE_OK);
    assert_eq!(HP_TcpPackServer_GetMaxPackSize(push), 0);

    // The generic and TCP families accept every model.
    for s in [push, pack, pull, ssl_pull] {
        assert_eq!(HP_Server_GetState(s), SS_STOPPED);
        HP_TcpServer_SetSocketBufferSize(s, 8192);
        assert_eq!(HP_TcpServer_GetSocketBufferSize(s), 8192);
    }
    assert_eq!(HP_Server_IsSecure(ssl_pull), TRUE);
    assert_eq!(HP_Server_IsSecure(pull), FALSE);

    // Destroy functions take every component of their role (any model, TLS or not) and
    // refuse another role's, which lives on with its own last error untouched.
    Destroy_HP_TcpAgent(pull);
    assert_last(SE_INVALID_PARAM, &["HP_TcpPullServer", "not HP_TcpAgent"]);
    assert_eq!(HP_Server_GetState(pull), SS_STOPPED, "still alive");
    assert_eq!(HP_Server_GetLastError(pull), SE_OK, "still alive");
    Destroy_HP_TcpServer(pull);
    assert_eq!(HP_Server_GetLastError(pull), SE_INVALID_PARAM, "now stale");
    Destroy_HP_TcpServer(push);
    Destroy_HP_TcpPackServer(pack);
    Destroy_HP_SSLPullServer(ssl_pull);
    Destroy_HP_TcpPullClient(client);
    // The listener made by the PULL creator is destroyed by the plain destroyer too.
    Destroy_HP_TcpServerListener(pull_listener);
    Destroy_HP_TcpPullServerListener(pull_listener);
    Destroy_HP_TcpPackClientListener(client_listener);
}

// ---------------------------------------------------------------------------------------
// Asynchronous connect timeout

extern "C" fn agent_connect(a: HP_Agent, id: HP_CONNID) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.send(Ev::Connect(id));
    }
    HR_OK
}

extern "C" fn agent_close(
    a: HP_Agent,
    id: HP_CONNID,
    op: En_HP_SocketOperation,
    code: c_int,
) -> En_HP_HandleResult {
    if let Some(r) = rec(a) {
        r.send(Ev::Close(id, op, code));
    }
    HR_OK
}

/// A listening socket with a backlog of 0 that never accepts: once one connection waits in
/// its queue, the kernel drops further SYNs, so their connects hang.
struct FullListener(c_int, u16);

impl FullListener {
    fn new() -> FullListener {
        // SAFETY: plain socket calls on a descriptor this function owns; `addr` and `len`
        // are valid locals of the sizes passed.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
            assert!(fd >= 0);
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            assert_eq!(
                libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len),
                0
            );
            assert_eq!(libc::listen(fd, 0), 0);
            let mut len = len;
            assert_eq!(
                libc::getsockname(fd, (&mut addr as *mut libc::sockaddr_in).cast(), &mut len),
                0
            );
            FullListener(fd, u16::from_be(addr.sin_port))
        }
    }
}

impl Drop for FullListener {
    fn drop(&mut self) {
        // SAFETY: the descriptor was opened by `new` and is closed once.
        unsafe { libc::close(self.0) };
    }
}

#[test]
fn async_connect_timeout_fails_a_hanging_connect_with_etimedout() {
    let full = FullListener::new();
    let al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, Some(agent_connect));
    HP_Set_FN_Agent_OnClose(al, Some(agent_close));
    let agent = Create_HP_TcpAgent(al);
    let arec = Rec::new();
    attach(agent, &arec);
    HPX_Agent_SetConnectTimeout(agent, 300);
    let none = c("");
    // SAFETY: a NUL-terminated string.
    let ok = unsafe { HP_Agent_Start(agent, none.as_ptr(), TRUE) };
    assert_eq!(ok, TRUE);
    // The first connection fills the queue; the second one's SYNs are dropped.
    let first = connect(agent, full.1);
    arec.wait_for("the first connect", |e| *e == Ev::Connect(first));
    let started = Instant::now();
    let second = connect(agent, full.1);
    let ev = arec.wait_for(
        "the second connect's close",
        |e| matches!(e, Ev::Close(id, ..) if *id == second),
    );
    assert_eq!(ev, Ev::Close(second, SO_CONNECT, libc::ETIMEDOUT));
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(HP_Agent_Stop(agent), TRUE);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpAgentListener(al);
}

#[test]
fn silence_counts_sends_only_when_asked() {
    for counts in [FALSE, TRUE] {
        let sl = Create_HP_TcpServerListener();
        HP_Set_FN_Server_OnAccept(sl, Some(record_server_accept));
        let server = Create_HP_TcpServer(sl);
        let srec = Rec::new();
        attach(server, &srec);
        HPX_Server_SetSilenceCountsSend(server, counts);
        let port = start_server(server);
        let _raw = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let id = match srec.wait_for("accept", |e| matches!(e, Ev::Accept(_))) {
            Ev::Accept(id) => id,
            _ => unreachable!(),
        };
        // Let silence build up (elapsed time is what is measured here), then send.
        std::thread::sleep(Duration::from_millis(600));
        // SAFETY: a static buffer of that length.
        let ok = unsafe { HP_Server_Send(server, id, b"tick".as_ptr(), 4) };
        assert_eq!(ok, TRUE);
        let mut silent: DWORD = 0;
        // SAFETY: a valid out-param.
        let ok = unsafe { HP_Server_GetSilencePeriod(server, id, &mut silent) };
        assert_eq!(ok, TRUE);
        if counts == TRUE {
            assert!(silent < 500, "a send resets silence: {silent} ms");
        } else {
            assert!(silent >= 550, "only receives reset silence: {silent} ms");
        }
        assert_eq!(HP_Server_Stop(server), TRUE);
        Destroy_HP_TcpServer(server);
        Destroy_HP_TcpServerListener(sl);
    }
}
