//! Settings: HP-Socket's defaults, round trips, unknown enum values, and settings refused while
//! running.

use hpsocket::*;

use crate::common::*;
use crate::util::*;

#[test]
fn settings_have_hp_socket_defaults_and_round_trip() {
    let server = Server::new();
    let s = server.server;
    assert_eq!(HP_Server_GetMaxConnectionCount(s), 10_000);
    assert_eq!(HP_Server_GetFreeSocketObjLockTime(s), 20_000);
    assert_eq!(
        (
            HP_Server_GetFreeSocketObjPool(s),
            HP_Server_GetFreeSocketObjHold(s)
        ),
        (600, 600)
    );
    assert_eq!(
        (
            HP_Server_GetFreeBufferObjPool(s),
            HP_Server_GetFreeBufferObjHold(s)
        ),
        (1024, 1024)
    );
    assert_eq!(HP_Server_IsMarkSilence(s), TRUE);
    assert_eq!(HP_Server_GetReuseAddressPolicy(s), RAP_ADDR_ONLY);
    assert_eq!(HP_Server_GetSendPolicy(s), SP_PACK);
    assert_eq!(HP_Server_GetOnSendSyncPolicy(s), OSSP_NONE);
    assert_eq!(HP_TcpServer_GetSocketBufferSize(s), 4096);
    assert_eq!(HP_TcpServer_GetKeepAliveTime(s), 60_000);
    assert_eq!(HP_TcpServer_GetKeepAliveInterval(s), 20_000);
    assert_eq!(HP_TcpServer_GetAcceptSocketCount(s), 64);
    assert_eq!(HP_TcpServer_IsNoDelay(s), FALSE);
    assert_eq!(HP_Server_IsSecure(s), FALSE);

    HP_Server_SetMaxConnectionCount(s, 123);
    HP_Server_SetFreeSocketObjLockTime(s, 1000);
    HP_Server_SetFreeSocketObjPool(s, 7);
    HP_Server_SetFreeSocketObjHold(s, 8);
    HP_Server_SetFreeBufferObjPool(s, 9);
    HP_Server_SetFreeBufferObjHold(s, 10);
    HP_Server_SetMarkSilence(s, FALSE);
    HP_Server_SetReuseAddressPolicy(s, RAP_ADDR_AND_PORT);
    HP_Server_SetSendPolicy(s, SP_DIRECT);
    HP_Server_SetOnSendSyncPolicy(s, OSSP_RECEIVE);
    HP_TcpServer_SetSocketListenQueue(s, 77);
    HP_TcpServer_SetAcceptSocketCount(s, 33);
    HP_TcpServer_SetSocketBufferSize(s, 8192);
    HP_TcpServer_SetKeepAliveTime(s, 0);
    HP_TcpServer_SetKeepAliveInterval(s, 5000);
    HP_TcpServer_SetNoDelay(s, 42); // any non-zero BOOL is TRUE
    assert_eq!(HP_Server_GetMaxConnectionCount(s), 123);
    assert_eq!(HP_Server_GetFreeSocketObjLockTime(s), 1000);
    assert_eq!(
        (
            HP_Server_GetFreeSocketObjPool(s),
            HP_Server_GetFreeSocketObjHold(s)
        ),
        (7, 8)
    );
    assert_eq!(
        (
            HP_Server_GetFreeBufferObjPool(s),
            HP_Server_GetFreeBufferObjHold(s)
        ),
        (9, 10)
    );
    assert_eq!(HP_Server_IsMarkSilence(s), FALSE);
    assert_eq!(HP_Server_GetReuseAddressPolicy(s), RAP_ADDR_AND_PORT);
    assert_eq!(HP_Server_GetSendPolicy(s), SP_DIRECT);
    assert_eq!(HP_Server_GetOnSendSyncPolicy(s), OSSP_RECEIVE);
    assert_eq!(HP_TcpServer_GetSocketListenQueue(s), 77);
    assert_eq!(HP_TcpServer_GetAcceptSocketCount(s), 33);
    assert_eq!(HP_TcpServer_GetSocketBufferSize(s), 8192);
    assert_eq!(HP_TcpServer_GetKeepAliveTime(s), 0);
    assert_eq!(HP_TcpServer_GetKeepAliveInterval(s), 5000);
    assert_eq!(HP_TcpServer_IsNoDelay(s), TRUE);
    assert_eq!(HP_Server_GetLastError(s), SE_OK, "no setter failed");

    // Agent and client settings of their own.
    let listener = Create_HP_TcpAgentListener();
    let a = Create_HP_TcpAgent(listener);
    assert_eq!(HP_TcpAgent_GetSyncConnectTimeout(a), 10_000);
    HP_TcpAgent_SetSyncConnectTimeout(a, 2500);
    HP_TcpAgent_SetSocketBufferSize(a, 1024);
    HP_TcpAgent_SetNoDelay(a, TRUE);
    HP_Agent_SetWorkerThreadCount(a, 3);
    assert_eq!(HP_TcpAgent_GetSyncConnectTimeout(a), 2500);
    assert_eq!(HP_TcpAgent_GetSocketBufferSize(a), 1024);
    assert_eq!(HP_TcpAgent_IsNoDelay(a), TRUE);
    assert_eq!(HP_Agent_GetWorkerThreadCount(a), 3);
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(listener);

    let client = Client::new();
    let k = client.client;
    assert_eq!(
        (
            HP_Client_GetFreeBufferPoolSize(k),
            HP_Client_GetFreeBufferPoolHold(k)
        ),
        (60, 60)
    );
    assert_eq!(HP_TcpClient_GetSyncConnectTimeout(k), 10_000);
    assert_eq!(HP_TcpClient_GetKeepAliveTime(k), 60_000);
    HP_Client_SetFreeBufferPoolSize(k, 5);
    HP_Client_SetFreeBufferPoolHold(k, 15);
    HP_Client_SetReuseAddressPolicy(k, RAP_NONE);
    HP_TcpClient_SetKeepAliveInterval(k, 3000);
    assert_eq!(
        (
            HP_Client_GetFreeBufferPoolSize(k),
            HP_Client_GetFreeBufferPoolHold(k)
        ),
        (5, 15)
    );
    assert_eq!(HP_Client_GetReuseAddressPolicy(k), RAP_NONE);
    assert_eq!(HP_TcpClient_GetKeepAliveInterval(k), 3000);
    HP_Client_SetExtra(k, ptr(0x1234));
    assert_eq!(HP_Client_GetExtra(k), ptr(0x1234));
}

#[test]
fn unknown_enum_values_are_refused_and_leave_the_setting() {
    let server = Server::new();
    let s = server.server;
    HP_Server_SetReuseAddressPolicy(s, 99);
    assert_eq!(HP_Server_GetReuseAddressPolicy(s), RAP_ADDR_ONLY);
    assert_eq!(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    let desc = text(HP_Server_GetLastErrorDesc(s));
    assert!(
        desc.contains("HP_Server_SetReuseAddressPolicy") && desc.contains("99"),
        "{desc}"
    );
    assert_eq!(SYS_GetLastError() as i32, libc::EINVAL);

    HP_Server_SetSendPolicy(s, -1);
    assert_eq!(HP_Server_GetSendPolicy(s), SP_PACK);
    assert_last(SE_INVALID_PARAM, &["HP_Server_SetSendPolicy", "-1"]);
    HP_Server_SetOnSendSyncPolicy(s, 3);
    assert_eq!(HP_Server_GetOnSendSyncPolicy(s), OSSP_NONE);
    assert_last(SE_INVALID_PARAM, &["HP_Server_SetOnSendSyncPolicy", "3"]);

    let agent = Agent::started(false);
    HP_Agent_SetReuseAddressPolicy(agent.agent, 3);
    // The agent runs, but the value is refused before the running state is even considered.
    assert_last(SE_INVALID_PARAM, &["HP_Agent_SetReuseAddressPolicy", "3"]);
    let client = Client::new();
    HP_Client_SetReuseAddressPolicy(client.client, i32::MIN);
    assert_eq!(
        HP_Client_GetReuseAddressPolicy(client.client),
        RAP_ADDR_ONLY
    );
    assert_eq!(HP_Client_GetLastError(client.client), SE_INVALID_PARAM);
}

#[test]
fn settings_are_ignored_while_running() {
    let server = Server::new();
    let s = server.server;
    start_server(s);
    let before = HP_Server_GetWorkerThreadCount(s);
    HP_Server_SetWorkerThreadCount(s, before + 5);
    assert_eq!(HP_Server_GetWorkerThreadCount(s), before);
    assert_eq!(HP_Server_GetLastError(s), SE_ILLEGAL_STATE);
    assert!(text(HP_Server_GetLastErrorDesc(s)).contains("HP_Server_SetWorkerThreadCount"));
    HP_TcpServer_SetNoDelay(s, TRUE);
    assert_eq!(HP_TcpServer_IsNoDelay(s), FALSE);
    assert_last(SE_ILLEGAL_STATE, &["HP_TcpServer_SetNoDelay", "stopped"]);
    assert_eq!(HP_Server_Stop(s), TRUE);
    HP_Server_SetWorkerThreadCount(s, before + 5);
    assert_eq!(
        HP_Server_GetWorkerThreadCount(s),
        before + 5,
        "allowed again once stopped"
    );
}

/// The settings of the ARQ, cast, node, HTTP and WebSocket-mode families, written from the
/// registry since issue #12: HP-Socket's defaults, round trips, and what they refuse.
#[test]
fn component_specific_settings_round_trip_through_the_registry() {
    let arq_listener = Create_HP_UdpArqServerListener();
    let arq = Create_HP_UdpArqServer(arq_listener);
    assert_eq!(
        (
            HP_UdpArqServer_IsNoDelay(arq),
            HP_UdpArqServer_GetFlushInterval(arq),
            HP_UdpArqServer_GetSendWndSize(arq),
            HP_UdpArqServer_GetRecvWndSize(arq),
            HP_UdpArqServer_GetMinRto(arq),
            HP_UdpArqServer_GetFastLimit(arq),
            HP_UdpArqServer_GetMaxMessageSize(arq),
            HP_UdpArqServer_GetHandShakeTimeout(arq),
            HPX_UdpArqServer_IsPartialReliability(arq),
        ),
        (FALSE, 60, 128, 512, 30, 5, 4096, 5000, FALSE)
    );
    HP_UdpArqServer_SetNoDelay(arq, 7);
    HP_UdpArqServer_SetFlushInterval(arq, 20);
    HPX_UdpArqServer_SetPartialReliability(arq, TRUE);
    assert_eq!(HP_UdpArqServer_IsNoDelay(arq), TRUE);
    assert_eq!(HP_UdpArqServer_GetFlushInterval(arq), 20);
    assert_eq!(HPX_UdpArqServer_IsPartialReliability(arq), TRUE);
    let agent_listener = Create_HP_TcpAgentListener();
    let agent = Create_HPX_UdpArqAgent(agent_listener);
    HPX_UdpArqAgent_SetNoDelay(agent, TRUE);
    HPX_UdpArqAgent_SetMaxTransUnit(agent, 1400);
    assert_eq!(HPX_UdpArqAgent_IsNoDelay(agent), TRUE);
    assert_eq!(HPX_UdpArqAgent_GetMaxTransUnit(agent), 1400);

    let cast_listener = Create_HP_UdpCastListener();
    let cast = Create_HP_UdpCast(cast_listener);
    assert_eq!(HP_UdpCast_GetCastMode(cast), CM_MULTICAST);
    HP_UdpCast_SetCastMode(cast, CM_BROADCAST);
    assert_eq!(HP_UdpCast_GetCastMode(cast), CM_BROADCAST);
    HP_UdpCast_SetCastMode(cast, CM_UNICAST);
    assert_last(SE_INVALID_PARAM, &["HP_UdpCast_SetCastMode", "CM_UNICAST"]);
    HP_UdpCast_SetCastMode(cast, 5);
    assert_last(SE_INVALID_PARAM, &["HP_UdpCast_SetCastMode", "5"]);
    assert_eq!(HP_UdpCast_GetCastMode(cast), CM_BROADCAST);
    HP_UdpCast_SetMultiCastTtl(cast, 9);
    HP_UdpCast_SetMultiCastLoop(cast, TRUE);
    assert_eq!(HP_UdpCast_GetMultiCastTtl(cast), 9);
    assert_eq!(HP_UdpCast_IsMultiCastLoop(cast), TRUE);

    let node_listener = Create_HP_UdpNodeListener();
    let node = Create_HP_UdpNode(node_listener);
    assert_eq!(
        (
            HP_UdpNode_GetMaxDatagramSize(node),
            HP_UdpNode_GetPostReceiveCount(node),
            HP_UdpNode_GetFreeBufferPoolHold(node),
        ),
        (1432, 64, 1024)
    );
    HP_UdpNode_SetFreeBufferPoolSize(node, 33);
    HP_UdpNode_SetMultiCastTtl(node, 4);
    HP_UdpNode_SetReuseAddressPolicy(node, RAP_NONE);
    assert_eq!(HP_UdpNode_GetFreeBufferPoolSize(node), 33);
    assert_eq!(HP_UdpNode_GetMultiCastTtl(node), 4);
    assert_eq!(HP_UdpNode_GetReuseAddressPolicy(node), RAP_NONE);
    HP_UdpNode_SetReuseAddressPolicy(node, 99);
    assert_last(
        SE_INVALID_PARAM,
        &["HP_UdpNode_SetReuseAddressPolicy", "99"],
    );
    assert_eq!(HP_UdpNode_GetReuseAddressPolicy(node), RAP_NONE);

    let http_listener = Create_HP_HttpServerListener();
    let http = Create_HP_HttpServer(http_listener);
    assert_eq!(HP_HttpServer_GetReleaseDelay(http), 3000);
    assert_eq!(HP_HttpServer_IsHttpAutoStart(http), TRUE);
    assert_eq!(HPX_HttpServer_IsWebSocketMode(http), FALSE);
    assert_eq!(HPX_HttpServer_GetCompressMinSize(http), 0);
    HP_HttpServer_SetReleaseDelay(http, 500);
    HP_HttpServer_SetHttpAutoStart(http, FALSE);
    HPX_HttpServer_SetWSDeflate(http, TRUE);
    HPX_HttpServer_SetWSPingInterval(http, 250);
    HPX_HttpServer_SetCompressMinSize(http, 1024);
    assert_eq!(HP_HttpServer_GetReleaseDelay(http), 500);
    assert_eq!(HP_HttpServer_IsHttpAutoStart(http), FALSE);
    assert_eq!(HPX_HttpServer_IsWSDeflate(http), TRUE);
    assert_eq!(HPX_HttpServer_GetWSPingInterval(http), 250);
    assert_eq!(HPX_HttpServer_GetCompressMinSize(http), 1024);
    let client_listener = Create_HP_HttpClientListener();
    let client = Create_HP_HttpClient(client_listener);
    assert_eq!(HP_HttpClient_IsUseCookie(client), TRUE);
    HP_HttpClient_SetUseCookie(client, FALSE);
    assert_eq!(HP_HttpClient_IsUseCookie(client), FALSE);

    Destroy_HP_HttpClient(client);
    Destroy_HP_HttpClientListener(client_listener);
    Destroy_HP_HttpServer(http);
    Destroy_HP_HttpServerListener(http_listener);
    Destroy_HP_UdpNode(node);
    Destroy_HP_UdpNodeListener(node_listener);
    Destroy_HP_UdpCast(cast);
    Destroy_HP_UdpCastListener(cast_listener);
    Destroy_HPX_UdpArqAgent(agent);
    Destroy_HP_TcpAgentListener(agent_listener);
    Destroy_HP_UdpArqServer(arq);
    Destroy_HP_UdpArqServerListener(arq_listener);
}
