//! Handles: NULL, garbage, destroyed, wrong-kind and concurrently destroyed handles are refused
//! with a named error and change nothing.

use hpsocket::*;

use crate::common::*;
use crate::util::*;

#[test]
fn null_handles_fail_with_a_named_error() {
    let null = std::ptr::null_mut();
    let addr = c("127.0.0.1");
    // SAFETY: valid strings; the handle is NULL, which the library must refuse.
    assert_eq!(unsafe { HP_Server_Start(null, addr.as_ptr(), 0) }, FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Start", "NULL"]);
    assert_eq!(SYS_GetLastError() as i32, libc::EINVAL);

    assert_eq!(HP_Server_Stop(null), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_Stop"]);
    assert_eq!(HP_Server_GetState(null), SS_STOPPED);
    assert_eq!(HP_Server_GetConnectionCount(null), 0);
    assert_eq!(HP_Server_GetLastError(null), SE_INVALID_PARAM);
    assert!(text(HP_Server_GetLastErrorDesc(null)).contains("HP_Server_GetLastErrorDesc"));
    assert_eq!(HP_Agent_HasStarted(null), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Agent_HasStarted"]);
    assert!(HP_Client_GetExtra(null).is_null());
    assert_eq!(HP_Client_GetConnectionID(null), 0);
    assert_eq!(HP_TcpServer_GetSocketBufferSize(null), 0);
    assert_last(SE_INVALID_PARAM, &["HP_TcpServer_GetSocketBufferSize"]);

    let mut id: HP_CONNID = 77;
    // SAFETY: valid string and out-param.
    let r = unsafe { HP_Agent_Connect(null, addr.as_ptr(), 1, &mut id) };
    assert_eq!(r, FALSE);
    assert_eq!(id, 0, "a failed connect writes 0");

    assert!(Create_HP_TcpServer(null).is_null());
    assert_last(SE_INVALID_PARAM, &["Create_HP_TcpServer"]);
    HP_Set_FN_Server_OnReceive(null, Some(s_receive));
    assert_last(SE_INVALID_PARAM, &["HP_Set_FN_Server_OnReceive"]);
    assert!(HPX_Object_GetUserData(null).is_null());
    assert_eq!(HPX_Object_SetUserData(null, ptr(8), None), FALSE);

    // Destroy is NULL-tolerant, like free(NULL).
    Destroy_HP_TcpServer(null);
    Destroy_HP_TcpAgent(null);
    Destroy_HP_TcpClient(null);
    Destroy_HP_TcpServerListener(null);
}

#[test]
fn garbage_handles_are_refused() {
    let local = 5u64;
    let garbage = [
        1usize,
        0xdead_beef,
        &local as *const u64 as usize,
        usize::MAX,
        (0xA5usize << 56) | (1 << 48) | 0x00ff_ffff, // right magic and kind, unknown slot
        (0xA5usize << 56) | (0x7f << 48),            // right magic, unknown kind
    ];
    for g in garbage {
        assert_eq!(HP_Server_Stop(ptr(g)), FALSE, "{g:#x}");
        let (code, desc, _) = last();
        assert_eq!(code, SE_INVALID_PARAM, "{g:#x}: {desc}");
        assert!(
            desc.contains("HP_Server_Stop") && desc.contains(&format!("{g:#x}")),
            "{desc}"
        );
        assert_eq!(HP_Client_IsConnected(ptr(g)), FALSE);
        assert_eq!(HP_Agent_GetConnectionCount(ptr(g)), 0);
        Destroy_HP_TcpServer(ptr(g));
        assert_last(SE_INVALID_PARAM, &["Destroy_HP_TcpServer"]);
    }
}

#[test]
fn destroyed_handles_stay_stale_and_destroy_is_idempotent() {
    let listener = Create_HP_TcpServerListener();
    let first = Create_HP_TcpServer(listener);
    assert_eq!(HP_Server_GetState(first), SS_STOPPED);
    Destroy_HP_TcpServer(first);
    assert_eq!(HP_Server_GetState(first), SS_STOPPED);
    assert_last(SE_INVALID_PARAM, &["destroyed"]);
    Destroy_HP_TcpServer(first); // again: nothing happens
    assert_last(SE_INVALID_PARAM, &["Destroy_HP_TcpServer", "destroyed"]);

    // Slots are reused by new objects; the old handle never reaches them.
    for _ in 0..50 {
        let next = Create_HP_TcpServer(listener);
        assert!(!next.is_null());
        assert_ne!(next, first);
        assert_eq!(HP_Server_GetWorkerThreadCount(first), 0);
        assert_eq!(HP_Server_GetLastError(first), SE_INVALID_PARAM);
        assert!(HP_Server_GetWorkerThreadCount(next) > 0);
        Destroy_HP_TcpServer(next);
    }
    Destroy_HP_TcpServerListener(listener);
    Destroy_HP_TcpServerListener(listener);
    assert!(
        Create_HP_TcpServer(listener).is_null(),
        "a destroyed listener cannot make servers"
    );
}

#[test]
fn wrong_kind_handles_are_refused_and_change_nothing() {
    let server = Server::new();
    let agent = Agent::started(false);
    let client = Client::new();
    let addr = c("127.0.0.1");

    // SAFETY: valid string.
    let r = unsafe { HP_Server_Start(agent.agent, addr.as_ptr(), 0) };
    assert_eq!(r, FALSE);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Server_Start", "HP_TcpAgent", "not a server"],
    );
    assert_eq!(
        HP_Agent_GetLastError(agent.agent),
        SE_OK,
        "wrong-kind errors stay off the object"
    );

    let byte = 1u8;
    // SAFETY: one readable byte.
    assert_eq!(unsafe { HP_Client_Send(server.server, &byte, 1) }, FALSE);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Client_Send", "HP_TcpServer", "not a client"],
    );
    assert_eq!(HP_Agent_Stop(client.client), FALSE);
    assert_last(SE_INVALID_PARAM, &["HP_Agent_Stop", "not an agent"]);
    assert_eq!(HP_TcpServer_GetSocketListenQueue(agent.agent), 0);
    assert_last(SE_INVALID_PARAM, &["HP_TcpServer_GetSocketListenQueue"]);

    // Listeners and components do not mix.
    HP_Set_FN_Agent_OnConnect(server.listener, Some(a_connect));
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Set_FN_Agent_OnConnect", "HP_TcpServerListener"],
    );
    assert!(Create_HP_TcpServer(agent.listener).is_null());
    assert_last(
        SE_INVALID_PARAM,
        &["Create_HP_TcpServer", "HP_TcpAgentListener"],
    );
    assert_eq!(HP_Server_GetState(server.listener), SS_STOPPED);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_Server_GetState", "HP_TcpServerListener"],
    );

    // Destroying through the wrong family is refused: the object lives on.
    Destroy_HP_TcpAgent(server.server);
    assert_last(SE_INVALID_PARAM, &["Destroy_HP_TcpAgent", "HP_TcpServer"]);
    Destroy_HP_TcpServerListener(server.server);
    assert!(
        HP_Server_GetWorkerThreadCount(server.server) > 0,
        "the server survived"
    );
    assert_eq!(HP_Agent_HasStarted(agent.agent), TRUE, "the agent survived");
}

#[test]
fn a_handle_used_while_another_thread_destroys_it_never_misbehaves() {
    let listener = Create_HP_TcpServerListener();
    for _ in 0..20 {
        let server = Create_HP_TcpServer(listener) as usize;
        let users: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(move || {
                    for _ in 0..2000 {
                        if HP_Server_GetWorkerThreadCount(server as HP_Server) == 0 {
                            assert_eq!(HPX_GetLastError(), SE_INVALID_PARAM);
                            assert!(text(HPX_GetLastErrorDesc()).contains("destroyed"));
                        }
                    }
                })
            })
            .collect();
        Destroy_HP_TcpServer(server as HP_Server);
        for u in users {
            u.join().expect("user thread");
        }
        assert_eq!(HP_Server_GetWorkerThreadCount(server as HP_Server), 0);
    }
    // Objects created on several threads at once all get distinct, working handles.
    let makers: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                (0..100)
                    .map(|_| Create_HP_TcpClientListener() as usize)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<usize> = makers
        .into_iter()
        .flat_map(|m| m.join().expect("maker"))
        .collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n);
    for l in all {
        let k = Create_HP_TcpClient(l as HP_Object);
        assert!(!k.is_null(), "{:?}", last());
        Destroy_HP_TcpClient(k);
        Destroy_HP_TcpClientListener(l as HP_Object);
    }
    Destroy_HP_TcpServerListener(listener);
}
