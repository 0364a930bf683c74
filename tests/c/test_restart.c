/*
 * Lifecycle: Start on a started component and Stop on a stopped one fail with
 * SE_ILLEGAL_STATE; a stopped server, agent and client start again and work (three rounds);
 * OnShutdown fires once per stop.
 */
#include "test.h"

#define ROUNDS 3

static int s_shutdowns, a_shutdowns, echoes;

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    return HP_Server_Send(s, id, d, n) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult s_shutdown(HP_Server s)
{
    (void)s;
    t_lock();
    s_shutdowns++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_shutdown(HP_Agent a)
{
    (void)a;
    t_lock();
    a_shutdowns++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    (void)a, (void)id;
    t_lock();
    if (n == 4 && memcmp(d, "ping", 4) == 0)
        echoes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_receive(HP_Client c, HP_CONNID id, const BYTE *d, int n)
{
    (void)c;
    return a_receive(NULL, id, d, n);
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnShutdown(sl, s_shutdown);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_Set_FN_Agent_OnShutdown(al, a_shutdown);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_TcpClient client = Create_HP_TcpClient(cl);

    /* Fresh components are stopped; stopping them is illegal. */
    CHECK_EQ(HP_Server_GetState(server), SS_STOPPED);
    CHECK(!HP_Server_HasStarted(server));
    CHECK(!HP_Server_Stop(server));
    CHECK_EQ(HP_Server_GetLastError(server), SE_ILLEGAL_STATE);
    CHECK(!HP_Agent_Stop(agent));
    CHECK_EQ(HP_Agent_GetLastError(agent), SE_ILLEGAL_STATE);
    CHECK(!HP_Client_Stop(client));
    CHECK_EQ(HP_Client_GetLastError(client), SE_ILLEGAL_STATE);

    for (int round = 1; round <= ROUNDS; round++) {
        USHORT port = t_start_server(server);
        CHECK(HP_Server_HasStarted(server));
        CHECK(!HP_Server_Start(server, "127.0.0.1", 0));
        CHECK_EQ(HP_Server_GetLastError(server), SE_ILLEGAL_STATE);

        CHECK(HP_Agent_Start(agent, NULL, FALSE));
        CHECK(!HP_Agent_Start(agent, NULL, FALSE));
        CHECK_EQ(HP_Agent_GetLastError(agent), SE_ILLEGAL_STATE);
        HP_CONNID id = 0;
        CHECK(HP_Agent_Connect(agent, "127.0.0.1", port, &id));
        CHECK(HP_Agent_Send(agent, id, (const BYTE *)"ping", 4));

        CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
        CHECK(!HP_Client_Start(client, "127.0.0.1", port, FALSE));
        CHECK_EQ(HP_Client_GetLastError(client), SE_ILLEGAL_STATE);
        CHECK(HP_Client_Send(client, (const BYTE *)"ping", 4));
        WAIT_FOR(echoes == 2 * round);

        CHECK(HP_Client_Stop(client));
        CHECK(HP_Agent_Stop(agent));
        CHECK(HP_Server_Stop(server));
        WAIT_FOR(s_shutdowns == round && a_shutdowns == round);
        CHECK_EQ(HP_Server_GetState(server), SS_STOPPED);
        CHECK_EQ(HP_Agent_GetState(agent), SS_STOPPED);
        POLL_FOR(HP_Client_GetState(client) == SS_STOPPED);
        CHECK(!HP_Server_Stop(server));
        CHECK_EQ(HP_Server_GetLastError(server), SE_ILLEGAL_STATE);
    }

    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);
    CHECK_EQ(s_shutdowns, ROUNDS);
    CHECK_EQ(a_shutdowns, ROUNDS);
    printf("restart: %d rounds of start/echo/stop\n", ROUNDS);
    return 0;
}
