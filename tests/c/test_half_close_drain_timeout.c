/*
 * HPX_*_SetHalfCloseDrainTimeout (docs/abi.md sections 10 and 17): a peer that sends a
 * request, shuts down its write side and then never reads the answer does not hold the
 * connection for ever: once the drain has made no progress for the timeout, OnClose reports
 * (SO_SEND, ETIMEDOUT). Also: the default (30000), the value read back, and 0 refused by
 * Start with SE_INVALID_PARAM naming the setting, for server, agent and client.
 */
#include "test.h"

#define ANSWER (16 * 1024 * 1024)
#define PIECE (64 * 1024)

static int g_closes, g_op, g_err;

static En_HP_HandleResult __HP_CALL on_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)d;
    (void)n;
    static BYTE piece[PIECE];
    for (int sent = 0; sent < ANSWER; sent += PIECE)
        CHECK(HP_Server_Send(s, id, piece, PIECE));
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op,
                                             int err)
{
    (void)s;
    (void)id;
    t_lock();
    g_closes++;
    g_op = op;
    g_err = err;
    t_notify();
    t_unlock();
    return HR_OK;
}

static void settings_of_every_family(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_TcpServer s = Create_HP_TcpServer(sl);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    CHECK_EQ(HPX_Server_GetHalfCloseDrainTimeout(s), 30000);
    CHECK_EQ(HPX_Agent_GetHalfCloseDrainTimeout(a), 30000);
    CHECK_EQ(HPX_Client_GetHalfCloseDrainTimeout(c), 30000);
    HPX_Agent_SetHalfCloseDrainTimeout(a, 1234);
    HPX_Client_SetHalfCloseDrainTimeout(c, 4321);
    CHECK_EQ(HPX_Agent_GetHalfCloseDrainTimeout(a), 1234);
    CHECK_EQ(HPX_Client_GetHalfCloseDrainTimeout(c), 4321);
    HPX_Server_SetHalfCloseDrainTimeout(s, 0);
    CHECK(!HP_Server_Start(s, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    CHECK(strstr(HP_Server_GetLastErrorDesc(s), "HalfCloseDrainTimeout") != NULL);
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpServerListener(sl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(cl);
}

int main(void)
{
    settings_of_every_family();

    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(l, on_receive);
    HP_Set_FN_Server_OnClose(l, on_close);
    HP_TcpServer s = Create_HP_TcpServer(l);
    HPX_Server_SetHalfCloseDrainTimeout(s, 200);
    CHECK_EQ(HPX_Server_GetHalfCloseDrainTimeout(s), 200);
    USHORT port = t_start_server(s);

    int fd = t_connect(port, 0, 0);
    CHECK(send(fd, "ASK!", 4, 0) == 4);
    CHECK(shutdown(fd, SHUT_WR) == 0);
    /* The peer never reads: once the socket buffers are full the drain stalls. */
    WAIT_FOR(g_closes == 1);
    t_lock();
    CHECK_EQ(g_op, SO_SEND);
    CHECK_EQ(g_err, ETIMEDOUT);
    t_unlock();
    CHECK(strstr(HP_Server_GetLastErrorDesc(s), "has not read") != NULL);
    close(fd);

    CHECK(HP_Server_Stop(s));
    CHECK_EQ(g_closes, 1);
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(l);
    printf("half-close drain timeout: OnClose(SO_SEND, ETIMEDOUT) once; settings of every family\n");
    return 0;
}
