/*
 * Bad handles never crash: NULL, destroyed (stale), wrong-kind and made-up handles make every
 * call fail with FALSE / 0 / NULL and leave an error to read; Destroy is NULL-tolerant and
 * idempotent. Bad arguments on a good handle fail the same way.
 */
#include "test.h"

/*
 * The error a failed call leaves behind. There may be no object to ask, so: errno
 * (SYS_GetLastError, cleared before each call) and the calling thread's last error
 * (HPX_GetLastError / HPX_GetLastErrorDesc), whose text must name the function.
 */
static void expect_error(const char *call, En_HP_SocketError want)
{
    char fn[64];
    size_t n = strcspn(call, "(");
    snprintf(fn, sizeof fn, "%.*s", (int)n, call);
    if (SYS_GetLastError() == 0)
        FAILF("%s: failed but left errno 0", call);
    if (HPX_GetLastError() != want)
        FAILF("%s: thread error %d, expected %d", call, (int)HPX_GetLastError(), (int)want);
    const char *desc = HPX_GetLastErrorDesc();
    if (desc == NULL || strstr(desc, fn) == NULL)
        FAILF("%s: error text \"%s\" does not name %s", call, desc ? desc : "(null)", fn);
}

/* `call` must return FALSE (or 0 / NULL) and record `want`. */
#define EXPECT_FAIL(want, call)                                                              \
    do {                                                                                     \
        errno = 0;                                                                           \
        if (call)                                                                            \
            FAILF("%s did not fail", #call);                                                 \
        expect_error(#call, want);                                                           \
    } while (0)

#define EXPECT_FALSE(call) EXPECT_FAIL(SE_INVALID_PARAM, call)

/* Every server/agent/client entry point we try on a handle that is not a live one of them. */
static void server_calls_fail(HP_Server s, const char *label)
{
    TCHAR addr[64];
    int len = (int)sizeof addr;
    USHORT port = 0;
    DWORD count = 0;
    PVOID extra = NULL;
    fprintf(stderr, "  server calls on %s handle\n", label);
    EXPECT_FALSE(HP_Server_Start(s, "127.0.0.1", 0));
    EXPECT_FALSE(HP_Server_Stop(s));
    EXPECT_FALSE(HP_Server_Send(s, 1, (const BYTE *)"x", 1));
    EXPECT_FALSE(HP_Server_Disconnect(s, 1, TRUE));
    EXPECT_FALSE(HP_Server_GetListenAddress(s, addr, &len, &port));
    EXPECT_FALSE(HP_Server_GetAllConnectionIDs(s, NULL, &count));
    EXPECT_FALSE(HP_Server_GetConnectionExtra(s, 1, &extra));
    EXPECT_FALSE(HP_Server_HasStarted(s));
    EXPECT_FALSE(HP_Server_GetConnectionCount(s));
}

static void agent_calls_fail(HP_Agent a, const char *label)
{
    HP_CONNID id = 7;
    fprintf(stderr, "  agent calls on %s handle\n", label);
    EXPECT_FALSE(HP_Agent_Start(a, NULL, FALSE));
    EXPECT_FALSE(HP_Agent_Connect(a, "127.0.0.1", 9, &id));
    EXPECT_FALSE(HP_Agent_Send(a, 1, (const BYTE *)"x", 1));
    EXPECT_FALSE(HP_Agent_Stop(a));
    EXPECT_FALSE(HP_Agent_GetConnectionCount(a));
    CHECK_EQ(id, 0); /* no connection ID handed out */
}

static void client_calls_fail(HP_Client c, const char *label)
{
    fprintf(stderr, "  client calls on %s handle\n", label);
    EXPECT_FALSE(HP_Client_Start(c, "127.0.0.1", 9, FALSE));
    EXPECT_FALSE(HP_Client_Send(c, (const BYTE *)"x", 1));
    EXPECT_FALSE(HP_Client_Stop(c));
    EXPECT_FALSE(HP_Client_IsConnected(c));
    EXPECT_FALSE(HP_Client_GetExtra(c));
    EXPECT_FALSE(HP_Client_GetConnectionID(c));
}

int main(void)
{
    /* NULL. */
    server_calls_fail(NULL, "NULL");
    agent_calls_fail(NULL, "NULL");
    client_calls_fail(NULL, "NULL");
    Destroy_HP_TcpServer(NULL);
    Destroy_HP_TcpAgent(NULL);
    Destroy_HP_TcpClient(NULL);
    Destroy_HP_TcpServerListener(NULL);
    Destroy_HP_TcpAgentListener(NULL);
    Destroy_HP_TcpClientListener(NULL);
    EXPECT_FALSE(Create_HP_TcpServer(NULL));

    /* Destroyed, then destroyed again. */
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_TcpServer dead_server = Create_HP_TcpServer(sl);
    HP_TcpAgent dead_agent = Create_HP_TcpAgent(al);
    HP_TcpClient dead_client = Create_HP_TcpClient(cl);
    CHECK(dead_server && dead_agent && dead_client);
    Destroy_HP_TcpServer(dead_server);
    Destroy_HP_TcpAgent(dead_agent);
    Destroy_HP_TcpClient(dead_client);
    server_calls_fail(dead_server, "destroyed");
    agent_calls_fail(dead_agent, "destroyed");
    client_calls_fail(dead_client, "destroyed");
    Destroy_HP_TcpServer(dead_server);
    Destroy_HP_TcpAgent(dead_agent);
    Destroy_HP_TcpClient(dead_client);

    /* Wrong kind: a live agent and a listener are not servers, a server is not a client. */
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    CHECK(agent && server);
    server_calls_fail(agent, "agent-as-server");
    server_calls_fail(sl, "listener-as-server");
    client_calls_fail(server, "server-as-client");
    agent_calls_fail(server, "server-as-agent");

    /* Made up. */
    server_calls_fail((HP_Server)(uintptr_t)0xdeadbeefu, "made-up");

    /* A listener of the wrong kind. */
    EXPECT_FALSE(Create_HP_TcpServer(al));

    /* A live server with bad arguments or in the wrong state; the server records it too. */
    fprintf(stderr, "  bad arguments on a live server\n");
    EXPECT_FAIL(SE_ILLEGAL_STATE, HP_Server_Send(server, 1, (const BYTE *)"x", 1));
    CHECK_EQ(HP_Server_GetLastError(server), SE_ILLEGAL_STATE);
    USHORT port = t_start_server(server);
    CHECK(port != 0);
    errno = 0;
    CHECK(!HP_Server_Send(server, 424242, (const BYTE *)"x", 1)); /* unknown ID */
    CHECK(SYS_GetLastError() != 0);
    EXPECT_FALSE(HP_Server_Send(server, 424242, NULL, 5));
    CHECK_EQ(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    EXPECT_FALSE(HP_Server_GetListenAddress(server, NULL, NULL, NULL));
    TCHAR small[4];
    int small_len = (int)sizeof small;
    USHORT small_port = 0;
    errno = 0;
    CHECK(!HP_Server_GetListenAddress(server, small, &small_len, &small_port)); /* too short */
    CHECK(small_len > (int)sizeof small); /* the length needed */
    EXPECT_FAIL(SE_ILLEGAL_STATE, HP_Server_Start(server, "127.0.0.1", 0)); /* started */
    CHECK_EQ(HP_Server_GetLastError(server), SE_ILLEGAL_STATE);
    CHECK(HP_Server_Stop(server));

    /* The good handles still work after all that. */
    CHECK(t_start_server(server) != 0);
    Destroy_HP_TcpServer(server); /* a running server is stopped by Destroy */
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServerListener(sl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServerListener(sl); /* twice: destroying is idempotent */
    printf("bad handles: all calls failed cleanly\n");
    return 0;
}
