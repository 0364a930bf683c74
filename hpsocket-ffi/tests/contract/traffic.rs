//! Real traffic on loopback: echo through C callbacks, the agent's connect variants, long and
//! silent connections disconnected.

use std::ffi::{c_char, c_int};

use hpsocket::*;

use crate::common::*;
use crate::util::*;

#[test]
fn echo_through_c_callbacks_with_checksums() {
    let server = Server::new();
    let port = start_server(server.server);

    // Agent: four connections, each sending 256 KiB in uneven pieces.
    let agent = Agent::started(false);
    const PER_CONN: usize = 256 * 1024;
    let mut ids = Vec::new();
    for i in 0..4usize {
        let addr = c("127.0.0.1");
        let mut id: HP_CONNID = 0;
        // SAFETY: valid string and out-param; the extra is an integer, never dereferenced.
        let ok = unsafe {
            HP_Agent_ConnectWithExtra(agent.agent, addr.as_ptr(), port, &mut id, ptr(100 + i))
        };
        assert_eq!(ok, TRUE, "{:?}", last());
        agent.rec.expected.lock().unwrap().insert(id, PER_CONN);
        ids.push(id);
    }
    let mut extras = Vec::new();
    for _ in &ids {
        if let Ev::Note(_, v, _) = agent.rec.wait_for("connect extra", |e| {
            matches!(e, Ev::Note("connect-extra", ..))
        }) {
            extras.push(v);
        }
        agent
            .rec
            .wait_for("OnConnect", |e| matches!(e, Ev::Connect(_)));
    }
    extras.sort_unstable();
    assert_eq!(
        extras,
        vec![100, 101, 102, 103],
        "extra attached before the first callback"
    );

    let payloads: Vec<Vec<u8>> = (0..ids.len())
        .map(|i| pattern(i as u64 + 1, PER_CONN))
        .collect();
    for (id, payload) in ids.iter().zip(&payloads) {
        let mut at = 0;
        let mut piece = 1;
        while at < payload.len() {
            let n = piece.min(payload.len() - at);
            // SAFETY: `payload` holds `at + n` readable bytes; SendPart reads `n` at offset `at`.
            let ok = unsafe {
                HP_Agent_SendPart(agent.agent, *id, payload.as_ptr(), n as c_int, at as c_int)
            };
            assert_eq!(ok, TRUE, "{:?}", last());
            at += n;
            piece = piece * 7 % 65_521 + 1;
        }
    }
    for _ in &ids {
        agent
            .rec
            .wait_for("all echoed bytes", |e| matches!(e, Ev::Done(_)));
    }
    {
        let received = agent.rec.received.lock().unwrap();
        for (id, payload) in ids.iter().zip(&payloads) {
            let got = &received[id];
            assert_eq!(got.len(), payload.len());
            assert_eq!(checksum(got), checksum(payload), "connection {id}");
        }
    }

    // Client: Send, SendPart, SendPackets and SendSmallFile with head and tail, in order.
    let client = Client::new();
    start_client(client.client, port);
    let cid = HP_Client_GetConnectionID(client.client);
    assert_ne!(cid, 0);
    client
        .rec
        .wait_for("client OnHandShake", |e| *e == Ev::HandShake(cid));
    assert_eq!(HP_Client_IsConnected(client.client), TRUE);

    let file_bytes = pattern(99, 100_000);
    let path = std::env::temp_dir().join(format!("hpsocket-ffi-small-{}.bin", std::process::id()));
    std::fs::write(&path, &file_bytes).expect("temp file");
    let a = pattern(10, 70_000);
    let b = pattern(11, 5_000);
    let (p1, p2) = (pattern(12, 3), pattern(13, 40_000));
    let (head, tail) = (b"HEAD".to_vec(), b"TAIL".to_vec());
    let mut expected = Vec::new();
    for part in [&a, &b[1000..], &p1, &p2, &head, &file_bytes, &tail] {
        expected.extend_from_slice(part);
    }
    client
        .rec
        .expected
        .lock()
        .unwrap()
        .insert(cid, expected.len());
    // SAFETY: each pointer/length pair describes a live Vec.
    unsafe {
        assert_eq!(
            HP_Client_Send(client.client, a.as_ptr(), a.len() as c_int),
            TRUE
        );
        assert_eq!(
            HP_Client_SendPart(client.client, b.as_ptr(), 4000, 1000),
            TRUE
        );
        let bufs = [
            WSABUF {
                len: p1.len() as UINT,
                buf: p1.as_ptr() as *mut BYTE,
            },
            WSABUF {
                len: 0,
                buf: std::ptr::null_mut(),
            },
            WSABUF {
                len: p2.len() as UINT,
                buf: p2.as_ptr() as *mut BYTE,
            },
        ];
        assert_eq!(HP_Client_SendPackets(client.client, bufs.as_ptr(), 3), TRUE);
        let mut h = WSABUF {
            len: head.len() as UINT,
            buf: head.as_ptr() as *mut BYTE,
        };
        let mut t = WSABUF {
            len: tail.len() as UINT,
            buf: tail.as_ptr() as *mut BYTE,
        };
        let name = c(path.to_str().expect("utf-8 temp path"));
        assert_eq!(
            HP_TcpClient_SendSmallFile(client.client, name.as_ptr(), &mut h, &mut t),
            TRUE,
            "{:?}",
            last()
        );
        assert_eq!(
            HP_Client_Send(client.client, std::ptr::null(), 0),
            TRUE,
            "an empty send succeeds"
        );
    }
    client.rec.wait_for("client echo", |e| *e == Ev::Done(cid));
    let _ = std::fs::remove_file(&path);
    let got = client.rec.received.lock().unwrap()[&cid].clone();
    assert_eq!(got.len(), expected.len());
    assert_eq!(checksum(&got), checksum(&expected));

    // The local address of the client, and a clean stop.
    let mut buf = [0 as c_char; 64];
    let mut len: c_int = 64;
    let mut lport: USHORT = 0;
    // SAFETY: `buf` holds 64 chars.
    let r =
        unsafe { HP_Client_GetLocalAddress(client.client, buf.as_mut_ptr(), &mut len, &mut lport) };
    assert_eq!(r, TRUE);
    assert_eq!(text(buf.as_ptr()), "127.0.0.1");
    assert_ne!(lport, 0);
    assert_eq!(HP_Client_Stop(client.client), TRUE);
    client.rec.wait_for(
        "client OnClose",
        |e| matches!(e, Ev::Close(i, SO_CLOSE, 0) if *i == cid),
    );
    assert_eq!(HP_Client_GetState(client.client), SS_STOPPED);
}

#[test]
fn agent_connect_variants() {
    let server = Server::new();
    let port = start_server(server.server);
    let agent = Agent::started(true);
    let a = agent.agent;
    let remote = c("127.0.0.1");
    let local = c("127.0.0.1");
    let mut id: HP_CONNID = 5;

    // SAFETY: NULL remote address: refused before any read.
    let r = unsafe { HP_Agent_Connect(a, std::ptr::null(), port, &mut id) };
    assert_eq!((r, id), (FALSE, 0));
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Agent_Connect", "lpszRemoteAddress is NULL"],
    );
    assert_eq!(HP_Agent_GetLastError(a), SE_INVALID_PARAM);

    // SAFETY: valid strings; a NULL ID pointer is allowed.
    let r = unsafe {
        HP_Agent_ConnectWithLocalAddress(
            a,
            remote.as_ptr(),
            port,
            std::ptr::null_mut(),
            local.as_ptr(),
        )
    };
    assert_eq!(r, TRUE, "{:?}", last());
    // SAFETY: valid strings and out-param.
    let r = unsafe { HP_Agent_ConnectWithLocalPort(a, remote.as_ptr(), port, &mut id, 0) };
    assert_eq!(r, TRUE, "{:?}", last());
    // SAFETY: as above.
    let r = unsafe {
        HP_Agent_ConnectWithExtraAndLocalPort(a, remote.as_ptr(), port, &mut id, ptr(7), 0)
    };
    assert_eq!(r, TRUE, "{:?}", last());
    let mut extra: PVOID = std::ptr::null_mut();
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Agent_GetConnectionExtra(a, id, &mut extra) };
    assert_eq!(r, TRUE);
    assert_eq!(extra, ptr(7));
    // SAFETY: as above.
    let r = unsafe {
        HP_Agent_ConnectWithExtraAndLocalAddressPort(
            a,
            remote.as_ptr(),
            port,
            &mut id,
            ptr(8),
            0,
            local.as_ptr(),
        )
    };
    assert_eq!(r, TRUE, "{:?}", last());
    let mut buf = [0 as c_char; 64];
    let mut len: c_int = 64;
    let mut lport: USHORT = 0;
    // SAFETY: `buf` holds 64 chars.
    let r = unsafe { HP_Agent_GetLocalAddress(a, id, buf.as_mut_ptr(), &mut len, &mut lport) };
    assert_eq!(r, TRUE);
    assert_eq!(text(buf.as_ptr()), "127.0.0.1");
    assert_eq!(HP_Agent_GetConnectionCount(a), 4);

    // A refused connect reports SE_CONNECT_SERVER and the OS errno.
    HP_Server_Stop(server.server);
    // SAFETY: valid strings and out-param.
    let r = unsafe { HP_Agent_Connect(a, remote.as_ptr(), port, &mut id) };
    assert_eq!((r, id), (FALSE, 0));
    assert_eq!(HP_Agent_GetLastError(a), SE_CONNECT_SERVER);
    assert_eq!(SYS_GetLastError() as i32, libc::ECONNREFUSED);
}

#[test]
fn long_and_silent_connections_are_disconnected() {
    let server = Server::new();
    let s = server.server;
    let port = start_server(s);
    let agent = Agent::started(true);
    let ids: Vec<_> = (0..2).map(|_| connect(agent.agent, port)).collect();
    for _ in &ids {
        server
            .rec
            .wait_for("handshake", |e| matches!(e, Ev::HandShake(_)));
    }
    let mut count: DWORD = 4;
    let mut accepted = [0 as HP_CONNID; 4];
    // SAFETY: room for 4 IDs.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, accepted.as_mut_ptr(), &mut count) };
    assert_eq!(r, TRUE);
    let mut silence: DWORD = DWORD::MAX;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_GetSilencePeriod(s, accepted[0], &mut silence) };
    assert_eq!(r, TRUE);
    assert!(silence < 60_000);

    // Nothing is that old or that silent yet.
    assert_eq!(
        HP_Server_DisconnectLongConnections(s, 3_600_000, TRUE),
        TRUE
    );
    assert_eq!(
        HP_Server_DisconnectSilenceConnections(s, 3_600_000, TRUE),
        TRUE
    );
    assert_eq!(HP_Server_GetConnectionCount(s), 2);
    // Everything is at least 0 ms old.
    assert_eq!(HP_Server_DisconnectLongConnections(s, 0, FALSE), TRUE);
    for _ in 0..2 {
        server
            .rec
            .wait_for("OnClose", |e| matches!(e, Ev::Close(_, SO_CLOSE, 0)));
    }
    for id in &ids {
        agent.rec.wait_for(
            "agent OnClose",
            |e| matches!(e, Ev::Close(i, ..) if i == id),
        );
    }

    // Without MarkSilence the silence functions refuse.
    assert_eq!(HP_Agent_Stop(agent.agent), TRUE);
    HP_Agent_SetMarkSilence(agent.agent, FALSE);
    // SAFETY: NULL bind address.
    let r = unsafe { HP_Agent_Start(agent.agent, std::ptr::null(), FALSE) };
    assert_eq!(r, TRUE);
    assert_eq!(
        HP_Agent_DisconnectSilenceConnections(agent.agent, 0, TRUE),
        FALSE
    );
    assert_last(
        SE_ILLEGAL_STATE,
        &["HP_Agent_DisconnectSilenceConnections", "MarkSilence"],
    );
}
