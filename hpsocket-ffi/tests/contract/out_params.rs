//! Out-parameters: short address buffers report the length needed; connection IDs follow the
//! count-query convention.

use std::ffi::{c_char, c_int};

use hpsocket::*;

use crate::common::*;
use crate::util::*;

#[test]
fn short_address_buffers_report_the_length_needed() {
    let server = Server::new();
    let s = server.server;
    let port = start_server(s);
    let need = "127.0.0.1".len() as c_int + 1;

    let mut buf = [0 as c_char; 64];
    let mut len: c_int = 1;
    let mut out_port: USHORT = 0;
    // SAFETY: `buf` holds at least `len` chars; out-params are locals.
    let r = unsafe { HP_Server_GetListenAddress(s, buf.as_mut_ptr(), &mut len, &mut out_port) };
    assert_eq!(r, FALSE);
    assert_eq!(len, need);
    assert_eq!(buf[0], 0, "nothing written to a short buffer");
    assert_last(SE_INVALID_PARAM, &["HP_Server_GetListenAddress", "needed"]);
    assert_eq!(SYS_GetLastError() as i32, libc::ENOBUFS);

    len = 0;
    // SAFETY: NULL buffer with length 0: a length query.
    let r = unsafe { HP_Server_GetListenAddress(s, std::ptr::null_mut(), &mut len, &mut out_port) };
    assert_eq!(r, FALSE);
    assert_eq!(len, need);
    // SAFETY: NULL length pointer: refused.
    let r = unsafe {
        HP_Server_GetListenAddress(s, buf.as_mut_ptr(), std::ptr::null_mut(), &mut out_port)
    };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["NULL"]);

    len = need;
    // SAFETY: `buf` holds `need` chars.
    let r = unsafe { HP_Server_GetListenAddress(s, buf.as_mut_ptr(), &mut len, &mut out_port) };
    assert_eq!(r, TRUE);
    assert_eq!(text(buf.as_ptr()), "127.0.0.1");
    assert_eq!((len, out_port), (need, port));

    // A connection's addresses, and the agent's remote host in "address^hostname" form.
    let agent = Agent::started(true);
    let target = c("127.0.0.1^example.test");
    let mut id: HP_CONNID = 0;
    // SAFETY: valid string and out-param.
    let r = unsafe { HP_Agent_Connect(agent.agent, target.as_ptr(), port, &mut id) };
    assert_eq!(r, TRUE, "{:?}", last());
    let mut host = [0 as c_char; 64];
    let mut host_len: c_int = 3;
    // SAFETY: `host` holds at least `host_len` chars.
    let r = unsafe {
        HP_Agent_GetRemoteHost(
            agent.agent,
            id,
            host.as_mut_ptr(),
            &mut host_len,
            &mut out_port,
        )
    };
    assert_eq!(r, FALSE);
    assert_eq!(host_len, "example.test".len() as c_int + 1);
    // SAFETY: as above, now large enough.
    let r = unsafe {
        HP_Agent_GetRemoteHost(
            agent.agent,
            id,
            host.as_mut_ptr(),
            &mut host_len,
            &mut out_port,
        )
    };
    assert_eq!(r, TRUE);
    assert_eq!(
        (text(host.as_ptr()), out_port),
        ("example.test".to_string(), port)
    );
    let mut rlen: c_int = 64;
    // SAFETY: `host` holds 64 chars; a NULL port pointer is allowed.
    let r = unsafe {
        HP_Agent_GetRemoteAddress(
            agent.agent,
            id,
            host.as_mut_ptr(),
            &mut rlen,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(r, TRUE);
    assert_eq!(text(host.as_ptr()), "127.0.0.1");
    let mut period: DWORD = DWORD::MAX;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Agent_GetConnectPeriod(agent.agent, id, &mut period) };
    assert_eq!(r, TRUE);
    assert!(period < 60_000);
    // SAFETY: NULL out-param: refused.
    let r = unsafe { HP_Agent_GetConnectPeriod(agent.agent, id, std::ptr::null_mut()) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pdwPeriod", "NULL"]);
}

#[test]
fn all_connection_ids_follow_the_count_query_convention() {
    let server = Server::new();
    let s = server.server;
    let port = start_server(s);
    let agent = Agent::started(true);
    for _ in 0..3 {
        connect(agent.agent, port);
    }
    let mut accepted = Vec::new();
    while accepted.len() < 3 {
        if let Ev::HandShake(id) = server
            .rec
            .wait_for("3 handshakes", |e| matches!(e, Ev::HandShake(_)))
        {
            accepted.push(id);
        }
    }
    accepted.sort_unstable();
    assert_eq!(HP_Server_GetConnectionCount(s), 3);

    let mut count: DWORD = 0;
    // SAFETY: NULL array: a count query.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, std::ptr::null_mut(), &mut count) };
    assert_eq!(r, FALSE);
    assert_eq!(count, 3);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Server_GetAllConnectionIDs", "pIDs is NULL"],
    );

    let mut ids = [0 as HP_CONNID; 8];
    count = 2;
    // SAFETY: `ids` holds 8 >= 2 IDs.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, ids.as_mut_ptr(), &mut count) };
    assert_eq!(r, FALSE);
    assert_eq!(count, 3);
    assert_eq!(ids, [0; 8], "nothing written when the array is too small");

    count = 8;
    // SAFETY: `ids` holds 8 IDs.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, ids.as_mut_ptr(), &mut count) };
    assert_eq!(r, TRUE);
    assert_eq!(count, 3);
    let mut got = ids[..3].to_vec();
    got.sort_unstable();
    assert_eq!(got, accepted);
    // SAFETY: NULL count: refused.
    let r = unsafe { HP_Server_GetAllConnectionIDs(s, ids.as_mut_ptr(), std::ptr::null_mut()) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pdwCount"]);

    // Per-connection queries on an accepted ID, then on a closed one.
    let id = accepted[0];
    assert_eq!(HP_Server_IsConnected(s, id), TRUE);
    let mut paused: BOOL = TRUE;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_IsPauseReceive(s, id, &mut paused) };
    assert_eq!(r, TRUE);
    assert_eq!(paused, FALSE);
    assert_eq!(HP_Server_PauseReceive(s, id, TRUE), TRUE);
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_IsPauseReceive(s, id, &mut paused) };
    assert_eq!(r, TRUE);
    assert_eq!(paused, TRUE);
    assert_eq!(HP_Server_SetConnectionExtra(s, id, ptr(0xabc)), TRUE);
    let mut pending: c_int = -1;
    // SAFETY: a valid out-param.
    let r = unsafe { HP_Server_GetPendingDataLength(s, id, &mut pending) };
    assert_eq!(r, TRUE);
    assert_eq!(pending, 0);
    assert_eq!(HP_Server_Disconnect(s, id, TRUE), TRUE);
    server.rec.wait_for(
        "OnClose of the disconnected",
        |e| matches!(e, Ev::Close(i, SO_CLOSE, 0) if *i == id),
    );
    assert_eq!(HP_Server_IsConnected(s, id), FALSE);
    assert_eq!(HP_Server_Disconnect(s, id, TRUE), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Disconnect", &id.to_string()]);
}
