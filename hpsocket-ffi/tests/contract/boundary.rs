//! The panic boundary, user data, the library's version, last errors, errno and descriptions.

use std::ffi::c_char;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hpsocket::*;

use crate::common::*;
use crate::util::*;

#[test]
fn a_panic_inside_a_c_function_is_caught() {
    assert_eq!(HPX_Test_Panic(0), FALSE);
    assert_last(SE_DATA_PROC, &["HPX_Test_Panic", "panic", "deliberate"]);
    assert_eq!(SYS_GetLastError() as i32, libc::EIO);
    assert_eq!(HPX_Test_Panic(1), FALSE);
    assert_last(SE_DATA_PROC, &["mode 1"]);
    assert_eq!(HPX_Test_Panic(2), TRUE);
    // The library is fine afterwards.
    let listener = Create_HP_TcpClientListener();
    assert!(!listener.is_null());
    Destroy_HP_TcpClientListener(listener);
}

static FREED: [AtomicUsize; 6] = [const { AtomicUsize::new(0) }; 6];

extern "C" fn count_free(p: PVOID) {
    FREED[p as usize - 1].fetch_add(1, Ordering::SeqCst);
}

#[test]
fn user_data_free_fn_runs_exactly_once() {
    let n = |i: usize| FREED[i - 1].load(Ordering::SeqCst);

    // On a listener: freed by its destroy, once.
    let listener = Create_HP_TcpServerListener();
    assert_eq!(
        HPX_Object_SetUserData(listener, ptr(1), Some(count_free)),
        TRUE
    );
    assert_eq!(HPX_Object_GetUserData(listener), ptr(1));
    Destroy_HP_TcpServerListener(listener);
    Destroy_HP_TcpServerListener(listener);
    assert_eq!(n(1), 1);

    // Replacing frees the old data at once; the new one goes with the object.
    let listener = Create_HP_TcpServerListener();
    let server = Create_HP_TcpServer(listener);
    assert_eq!(
        HPX_Object_SetUserData(server, ptr(2), Some(count_free)),
        TRUE
    );
    assert_eq!(
        HPX_Object_SetUserData(server, ptr(3), Some(count_free)),
        TRUE
    );
    assert_eq!((n(2), n(3)), (1, 0));
    Destroy_HP_TcpServer(server);
    assert_eq!((n(2), n(3)), (1, 1));
    // A destroyed object takes no data; its free function is not called.
    assert_eq!(
        HPX_Object_SetUserData(server, ptr(4), Some(count_free)),
        FALSE
    );
    assert_eq!(n(4), 0);
    // NULL data with no free function clears (frees) what was there.
    assert_eq!(
        HPX_Object_SetUserData(listener, ptr(5), Some(count_free)),
        TRUE
    );
    assert_eq!(
        HPX_Object_SetUserData(listener, std::ptr::null_mut(), None),
        TRUE
    );
    assert_eq!(n(5), 1);
    assert!(HPX_Object_GetUserData(listener).is_null());
    Destroy_HP_TcpServerListener(listener);
    assert_eq!(n(5), 1);

    // On a running agent with live connections: freed after the last callback.
    let server = Server::new();
    let port = start_server(server.server);
    let agent = Agent::started(true);
    let id = connect(agent.agent, port);
    let rec = agent.rec.clone();
    drop(agent);
    assert_eq!(rec.freed.load(Ordering::SeqCst), 1);
    assert_eq!(rec.after_free.load(Ordering::SeqCst), 0);
    let events = rec.drain();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Ev::Close(i, ..) if *i == id)),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&Ev::Shutdown), "{events:?}");
    assert_eq!(
        Arc::strong_count(&rec),
        1,
        "the library released its reference"
    );
}

#[test]
fn the_library_reports_its_own_version_beside_hp_sockets() {
    // The workspace version, the one the file names, hpsocket.pc and the packages carry.
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(text(HPX_GetLibraryVersionString()), version);
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(
        HPX_GetLibraryVersion(),
        (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8)
    );
    // HP-Socket programs compare this one with HP_VERSION_MAJOR...: it stays HP-Socket's.
    assert_eq!(HP_GetHPSocketVersion(), (6 << 24) | 1 << 8 | 3);
}

#[test]
fn errno_and_descriptions_are_readable() {
    assert_eq!(HP_GetHPSocketVersion(), (6 << 24) | 1 << 8 | 3);
    assert_eq!(text(HP_GetSocketErrorDesc(SE_OK)), "SUCCESS");
    assert_eq!(
        text(HP_GetSocketErrorDesc(SE_ILLEGAL_STATE)),
        "Illegal State"
    );
    assert_eq!(
        text(HP_GetSocketErrorDesc(SE_SOCKE_ATTACH_TO_CP)),
        "Attach SOCKET to IOCP Fail"
    );
    assert_eq!(
        text(HP_GetSocketErrorDesc(SE_SSL_ENV_NOT_READY)),
        "SSL environment not ready"
    );
    assert_eq!(text(HP_GetSocketErrorDesc(999)), "UNKNOWN ERROR");
    assert_eq!(text(HP_GetSocketErrorDesc(-5)), "UNKNOWN ERROR");

    let server = Server::new();
    let s = server.server;
    start_server(s);
    let byte = 1u8;
    // SAFETY: one readable byte.
    assert_eq!(unsafe { HP_Server_Send(s, 424_242, &byte, 1) }, FALSE);
    assert_eq!(SYS_GetLastError() as i32, libc::EBADSLT);
    assert!(!text(SYS_GetLastErrorStr()).is_empty());
    assert_eq!(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    let desc = text(HP_Server_GetLastErrorDesc(s));
    assert!(
        desc.contains("HP_Server_Send") && desc.contains("424242"),
        "{desc}"
    );

    // The description pointer is owned by the object: other calls and failures leave it.
    let p = HP_Server_GetLastErrorDesc(s);
    let _ = HP_Server_GetState(std::ptr::null_mut());
    let _ = HP_Server_GetLastErrorDesc(std::ptr::null_mut());
    assert_eq!(text(p), desc);

    // Argument errors name the parameter.
    // SAFETY: NULL with a non-zero length is refused before any read.
    assert_eq!(unsafe { HP_Server_Send(s, 1, std::ptr::null(), 5) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Send", "pBuffer is NULL"]);
    // SAFETY: a negative length is refused before any read.
    assert_eq!(unsafe { HP_Server_Send(s, 1, &byte, -1) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["negative"]);
    // SAFETY: a negative offset is refused before any read.
    assert_eq!(unsafe { HP_Server_SendPart(s, 1, &byte, 1, -1) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["iOffset"]);
    // SAFETY: NULL array with a count is refused.
    let r = unsafe { HP_Server_SendPackets(s, 1, std::ptr::null(), 2) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pBuffers is NULL"]);
    let bad = [WSABUF {
        len: 4,
        buf: std::ptr::null_mut(),
    }];
    // SAFETY: one WSABUF; its NULL buffer is refused.
    let r = unsafe { HP_Server_SendPackets(s, 1, bad.as_ptr(), 1) };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["pBuffers[0].buf is NULL"]);
    let not_utf8 = [0xffu8 as c_char, 0];
    // SAFETY: a NUL-terminated (non-UTF-8) string.
    let r = unsafe {
        HP_TcpServer_SendSmallFile(
            s,
            1,
            not_utf8.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(r, FALSE);
    assert_last(SE_INVALID_PARAM, &["lpszFileName", "UTF-8"]);
    let missing = c("/nonexistent/hpsocket-ffi-test-file");
    // SAFETY: a valid string; no head or tail.
    let r = unsafe {
        HP_TcpServer_SendSmallFile(
            s,
            1,
            missing.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(r, FALSE);
    assert_eq!(SYS_GetLastError() as i32, libc::ENOENT);
}

/// Descriptions live with their owner, as in HP-Socket: two objects' descriptions read one
/// after the other are both valid; re-reading returns the same pointer; a failure on another
/// thread does not free a pointer already handed out; the thread's description is separate.
#[test]
fn descriptions_of_two_objects_are_valid_together() {
    let a = Server::new();
    let b = Server::new();
    HP_Server_SetReuseAddressPolicy(a.server, 91);
    HP_Server_SetReuseAddressPolicy(b.server, 92);
    let da = HP_Server_GetLastErrorDesc(a.server);
    let db = HP_Server_GetLastErrorDesc(b.server);
    let dx = HPX_GetLastErrorDesc();
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));
    assert!(text(db).contains("enReusePolicy 92"), "{}", text(db));
    assert_eq!(text(dx), text(db));
    // Reading the same description again hands out the same string.
    assert_eq!(HP_Server_GetLastErrorDesc(a.server), da);
    assert_eq!(HPX_GetLastErrorDesc(), dx);

    // A new failure of `a` on another thread: `da` stays readable, the new text is current,
    // and that thread's description pointer outlives the thread's later calls.
    let (sa, sb) = (a.server as usize, b.server as usize);
    std::thread::spawn(move || {
        let (a, b) = (sa as HP_Server, sb as HP_Server);
        HP_Server_SetReuseAddressPolicy(a, 93);
        let mine = HP_Server_GetLastErrorDesc(a);
        let other = HP_Server_GetLastErrorDesc(b);
        assert!(text(mine).contains("enReusePolicy 93"), "{}", text(mine));
        assert!(text(other).contains("enReusePolicy 92"), "{}", text(other));
    })
    .join()
    .expect("the other thread's checks");
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));
    assert!(text(db).contains("enReusePolicy 92"), "{}", text(db));
    let da2 = HP_Server_GetLastErrorDesc(a.server);
    assert!(text(da2).contains("enReusePolicy 93"), "{}", text(da2));
    // The thread's own description is untouched by the other thread and by object reads.
    assert_eq!(text(dx), text(db));
    assert!(text(HPX_GetLastErrorDesc()).contains("enReusePolicy 92"));

    // An invalid handle: the text of that failure, owned by the thread; HPX_GetLastErrorDesc
    // then hands out the same string, and object descriptions leave it alone.
    let dn = HP_Server_GetLastErrorDesc(std::ptr::null_mut());
    assert!(text(dn).contains("NULL"), "{}", text(dn));
    assert_eq!(HPX_GetLastErrorDesc(), dn);
    let _ = HP_Server_GetLastErrorDesc(a.server);
    let _ = HP_Server_GetLastErrorDesc(b.server);
    assert!(text(dn).contains("NULL"), "{}", text(dn));
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));

    // Up to three later failures of the same object keep an earlier pointer alive.
    for policy in [94, 95] {
        HP_Server_SetReuseAddressPolicy(a.server, policy);
        let now = HP_Server_GetLastErrorDesc(a.server);
        assert!(text(now).contains(&format!("enReusePolicy {policy}")));
    }
    assert!(text(da).contains("enReusePolicy 91"), "{}", text(da));
    assert!(text(da2).contains("enReusePolicy 93"), "{}", text(da2));
}
