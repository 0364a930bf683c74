/*
 * HR_ERROR from the server's OnReceive closes that connection with OnClose(SO_RECEIVE,
 * ECANCELED), exactly once; the peer sees the close; the server keeps serving others.
 */
#include "test.h"

static int server_closes, server_receives, client_closes;
static En_HP_SocketOperation close_op;
static int close_err;
static HP_CONNID rejected_id;

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    /* The first connection's data is refused; later ones are echoed. */
    t_lock();
    int refuse = server_receives++ == 0;
    if (refuse)
        rejected_id = id;
    t_unlock();
    if (refuse)
        return HR_ERROR;
    return HP_Server_Send(s, id, d, n) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)s;
    t_lock();
    if (id == rejected_id) {
        server_closes++;
        close_op = op;
        close_err = err;
    }
    t_notify();
    t_unlock();
    return HR_OK;
}

static int echoed;

static En_HP_HandleResult c_receive(HP_Client c, HP_CONNID id, const BYTE *d, int n)
{
    (void)c, (void)id;
    t_lock();
    if (n == 2 && memcmp(d, "ok", 2) == 0)
        echoed = 1;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c, (void)id, (void)op, (void)err;
    t_lock();
    client_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    USHORT port = t_start_server(server);

    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_Set_FN_Client_OnClose(cl, c_close);
    HP_TcpClient c1 = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(c1, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(c1, (const BYTE *)"boom", 4));

    WAIT_FOR(server_closes == 1);
    CHECK_EQ(close_op, SO_RECEIVE);
    CHECK_EQ(close_err, ECANCELED);
    WAIT_FOR(client_closes == 1); /* the peer sees its connection closed */
    CHECK(!HP_Server_IsConnected(server, rejected_id));
    CHECK(!HP_Server_Send(server, rejected_id, (const BYTE *)"x", 1));

    /* The server still serves a new connection. */
    HP_TcpClient c2 = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(c2, "127.0.0.1", port, FALSE));
    CHECK(HP_Client_Send(c2, (const BYTE *)"ok", 2));
    WAIT_FOR(echoed);

    CHECK(HP_Server_Stop(server));
    t_lock();
    CHECK_EQ(server_closes, 1); /* OnClose for the refused connection came once */
    t_unlock();
    Destroy_HP_TcpClient(c1);
    Destroy_HP_TcpClient(c2);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServerListener(sl);
    printf("receive error: OnClose(SO_RECEIVE, ECANCELED) once\n");
    return 0;
}
