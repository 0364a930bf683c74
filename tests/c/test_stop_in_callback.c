/*
 * Stop and Wait of a server or agent from inside one of its own callbacks would deadlock in
 * HP-Socket; here they return FALSE with SE_ILLEGAL_STATE and the component keeps running.
 * Stop from the application thread afterwards works.
 */
#include "test.h"

static int s_tried, a_tried;
static BOOL s_stop_result = TRUE, s_wait_result = TRUE, a_stop_result = TRUE;
static En_HP_SocketError s_stop_error, s_wait_error, a_stop_error;

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    BOOL stop = HP_Server_Stop(s);
    En_HP_SocketError stop_err = HP_Server_GetLastError(s);
    BOOL wait = HP_Server_Wait(s, 0);
    En_HP_SocketError wait_err = HP_Server_GetLastError(s);
    t_lock();
    s_stop_result = stop;
    s_stop_error = stop_err;
    s_wait_result = wait;
    s_wait_error = wait_err;
    s_tried++;
    t_notify();
    t_unlock();
    return HP_Server_Send(s, id, d, n) ? HR_OK : HR_ERROR; /* still serving */
}

static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    (void)id, (void)d, (void)n;
    BOOL stop = HP_Agent_Stop(a);
    En_HP_SocketError err = HP_Agent_GetLastError(a);
    t_lock();
    a_stop_result = stop;
    a_stop_error = err;
    a_tried++;
    t_notify();
    t_unlock();
    return HR_OK;
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    USHORT port = t_start_server(server);

    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(agent, NULL, FALSE));
    HP_CONNID id = 0;
    CHECK(HP_Agent_Connect(agent, "127.0.0.1", port, &id));
    CHECK(HP_Agent_Send(agent, id, (const BYTE *)"stop?", 5));

    WAIT_FOR(s_tried == 1 && a_tried == 1); /* the server echoed, so the agent got data */
    CHECK(!s_stop_result);
    CHECK_EQ(s_stop_error, SE_ILLEGAL_STATE);
    CHECK(!s_wait_result);
    CHECK_EQ(s_wait_error, SE_ILLEGAL_STATE);
    CHECK(!a_stop_result);
    CHECK_EQ(a_stop_error, SE_ILLEGAL_STATE);
    CHECK(HP_Server_GetLastErrorDesc(server) != NULL);

    /* Both still run and still carry data. */
    CHECK_EQ(HP_Server_GetState(server), SS_STARTED);
    CHECK_EQ(HP_Agent_GetState(agent), SS_STARTED);
    CHECK(HP_Agent_IsConnected(agent, id));
    CHECK(HP_Agent_Send(agent, id, (const BYTE *)"again", 5));
    WAIT_FOR(s_tried == 2 && a_tried == 2);

    CHECK(HP_Agent_Stop(agent));
    CHECK(HP_Server_Stop(server));
    CHECK(HP_Server_Wait(server, 5000));
    CHECK_EQ(HP_Server_GetState(server), SS_STOPPED);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);
    printf("stop in callback: SE_ILLEGAL_STATE, component kept running\n");
    return 0;
}
