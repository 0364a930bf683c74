/*
 * A TcpClient may stop itself from its own callback (HP-Socket special-cases this: the worker
 * is detached, not joined). Stop returns TRUE inside OnReceive, OnClose(SO_CLOSE, 0) follows
 * once, the client reaches SS_STOPPED, the server sees the close, and the client can be
 * started again and destroyed.
 */
#include "test.h"

static int receives, closes, server_closes;
static BOOL stop_result;
static En_HP_SocketOperation close_op;
static int close_err = -1;

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    return HP_Server_Send(s, id, d, n) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)s, (void)id, (void)op, (void)err;
    t_lock();
    server_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_receive(HP_Client c, HP_CONNID id, const BYTE *d, int n)
{
    (void)id, (void)d, (void)n;
    BOOL r = HP_Client_Stop(c);
    t_lock();
    receives++;
    stop_result = r;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c, (void)id;
    t_lock();
    closes++;
    close_op = op;
    close_err = err;
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
    HP_TcpClient client = Create_HP_TcpClient(cl);

    for (int round = 1; round <= 2; round++) {
        CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
        CHECK(HP_Client_Send(client, (const BYTE *)"stop", 4));
        WAIT_FOR(receives == round && closes == round);
        if (!stop_result)
            FAILF("HP_Client_Stop inside OnReceive: %d %s", (int)HP_Client_GetLastError(client),
                  HP_Client_GetLastErrorDesc(client));
        CHECK_EQ(close_op, SO_CLOSE);
        CHECK_EQ(close_err, 0);
        POLL_FOR(HP_Client_GetState(client) == SS_STOPPED);
        WAIT_FOR(server_closes == round);
    }

    Destroy_HP_TcpClient(client);
    CHECK(HP_Server_Stop(server));
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServerListener(sl);
    CHECK_EQ(closes, 2);
    printf("client stop in callback: stopped itself twice\n");
    return 0;
}
