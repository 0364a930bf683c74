/*
 * Disconnect from inside OnReceive (server and agent): returns TRUE, OnClose(SO_CLOSE, 0)
 * follows once, never nested inside the OnReceive that asked for it; the ID is then dead.
 */
#include "test.h"

static __thread int in_receive;
static int s_closes, a_closes, c_closes, a_receives;
static En_HP_SocketOperation s_op, a_op;
static int s_err = -1, a_err = -1;
static HP_CONNID s_id, a_id;

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)d, (void)n;
    in_receive = 1;
    t_lock();
    s_id = id;
    t_unlock();
    CHECK(HP_Server_Disconnect(s, id, TRUE));
    in_receive = 0;
    return HR_OK;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)s;
    CHECK(!in_receive);
    t_lock();
    CHECK_EQ(id, s_id);
    s_closes++;
    s_op = op;
    s_err = err;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c, (void)id, (void)op, (void)err;
    t_lock();
    c_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* The agent disconnects when the echo of its data arrives. */
static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    (void)d, (void)n;
    in_receive = 1;
    t_lock();
    a_receives++;
    t_unlock();
    CHECK(HP_Agent_Disconnect(a, id, TRUE));
    in_receive = 0;
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)a;
    CHECK(!in_receive);
    t_lock();
    CHECK_EQ(id, a_id);
    a_closes++;
    a_op = op;
    a_err = err;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult echo_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    return HP_Server_Send(s, id, d, n) ? HR_OK : HR_ERROR;
}

int main(void)
{
    /* Server side. */
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    USHORT port = t_start_server(server);

    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnClose(cl, c_close);
    HP_TcpClient client = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(client, (const BYTE *)"bye", 3));
    WAIT_FOR(s_closes == 1);
    CHECK_EQ(s_op, SO_CLOSE);
    CHECK_EQ(s_err, 0);
    WAIT_FOR(c_closes == 1);
    CHECK(!HP_Server_IsConnected(server, s_id));
    CHECK(!HP_Server_Disconnect(server, s_id, TRUE)); /* already gone */
    CHECK(!HP_Server_Send(server, s_id, (const BYTE *)"x", 1));

    /* Agent side, against an echo server. */
    HP_TcpServerListener el = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(el, echo_receive);
    HP_TcpServer echo = Create_HP_TcpServer(el);
    USHORT eport = t_start_server(echo);

    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(agent, NULL, FALSE));
    HP_CONNID id = 0;
    t_lock(); /* a_close checks the ID: publish it before any callback can fire */
    CHECK(HP_Agent_Connect(agent, "127.0.0.1", eport, &id));
    a_id = id;
    t_unlock();
    CHECK(HP_Agent_Send(agent, id, (const BYTE *)"hello", 5));
    WAIT_FOR(a_closes == 1);
    CHECK_EQ(a_op, SO_CLOSE);
    CHECK_EQ(a_err, 0);
    CHECK_EQ(a_receives, 1);
    CHECK(!HP_Agent_IsConnected(agent, id));
    POLL_FOR(HP_Agent_GetConnectionCount(agent) == 0);
    POLL_FOR(HP_Server_GetConnectionCount(echo) == 0);

    CHECK(HP_Agent_Stop(agent));
    CHECK(HP_Server_Stop(echo));
    CHECK(HP_Server_Stop(server));
    CHECK_EQ(s_closes, 1);
    CHECK_EQ(a_closes, 1);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpServer(echo);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServerListener(el);
    Destroy_HP_TcpServerListener(sl);
    printf("disconnect in receive: server and agent closed with (SO_CLOSE, 0)\n");
    return 0;
}
