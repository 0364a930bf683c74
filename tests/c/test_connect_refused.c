/*
 * Connecting to a loopback port nobody listens on. An asynchronous agent: Connect returns
 * TRUE with an ID, then OnClose(SO_CONNECT, ECONNREFUSED) fires once for that ID and OnConnect
 * never. A synchronous agent: Connect returns FALSE. A synchronous client: Start returns FALSE
 * with SE_CONNECT_SERVER and the client is stopped again.
 */
#include "test.h"

static int closes, connects;
static HP_CONNID close_id;
static En_HP_SocketOperation close_op;
static int close_err;

static En_HP_HandleResult a_connect(HP_Agent a, HP_CONNID id)
{
    (void)a, (void)id;
    t_lock();
    connects++;
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)a;
    t_lock();
    closes++;
    close_id = id;
    close_op = op;
    close_err = err;
    t_notify();
    t_unlock();
    return HR_OK;
}

int main(void)
{
    /* A bound, non-listening socket: its port refuses connections and nobody else can take it. */
    int fd = t_socket(0, 0);
    USHORT port = t_bind(fd);

    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnClose(al, a_close);

    /* Asynchronous agent. */
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(agent, NULL, TRUE));
    HP_CONNID id = 0;
    if (!HP_Agent_Connect(agent, "127.0.0.1", port, &id))
        FAILF("async HP_Agent_Connect failed at once: %s", HP_Agent_GetLastErrorDesc(agent));
    CHECK(id != 0);
    WAIT_FOR(closes == 1);
    CHECK_EQ(close_id, id);
    CHECK_EQ(close_op, SO_CONNECT);
    CHECK_EQ(close_err, ECONNREFUSED);
    CHECK_EQ(connects, 0);
    CHECK(!HP_Agent_IsConnected(agent, id));
    CHECK(HP_Agent_Stop(agent));
    CHECK_EQ(closes, 1);
    Destroy_HP_TcpAgent(agent);

    /* Synchronous agent: the failure is the call's result. */
    HP_TcpAgent sagent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(sagent, NULL, FALSE));
    id = 12345;
    CHECK(!HP_Agent_Connect(sagent, "127.0.0.1", port, &id));
    CHECK_EQ(id, 0);
    CHECK_EQ(connects, 0);
    CHECK(HP_Agent_Stop(sagent));
    Destroy_HP_TcpAgent(sagent);

    /* Synchronous client. */
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_TcpClient client = Create_HP_TcpClient(cl);
    CHECK(!HP_Client_Start(client, "127.0.0.1", port, FALSE));
    CHECK_EQ(HP_Client_GetLastError(client), SE_CONNECT_SERVER);
    CHECK(HP_Client_GetLastErrorDesc(client) != NULL);
    POLL_FOR(HP_Client_GetState(client) == SS_STOPPED);
    Destroy_HP_TcpClient(client);

    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpAgentListener(al);
    close(fd);
    printf("connect refused: OnClose(SO_CONNECT, ECONNREFUSED)\n");
    return 0;
}
