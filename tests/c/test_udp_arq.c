/*
 * UDP ARQ (KCP) through HPSocket4C.h: HP-Socket's defaults, settings refused at Start, an
 * ARQ server echoing an ARQ client's messages (1 byte to MaxMessageSize, whole and in order,
 * after OnHandShake on both sides), MaxMessageSize + 1 refused, GetWaitingSendMessageCount
 * draining to 0, and HP_UdpServer_* working on an ARQ server. The socket buffer extension:
 * 0 by default, a size below 1024 refused at Start, SO_RCVBUF/SO_SNDBUF set on the server's
 * and the client's sockets before OnPrepareListen/OnPrepareConnect.
 */
#include "test.h"

#define MESSAGES 120
#define MAX_MSG 8192

static int server_handshakes, client_handshakes, echoed;
static unsigned char expect[MESSAGES][MAX_MSG];
static int expect_len[MESSAGES];
static int order_ok = 1;
static int listen_rcvbuf, listen_sndbuf, connect_rcvbuf;

static int sockopt(UINT_PTR fd, int opt)
{
    int v = -1;
    socklen_t l = sizeof v;
    if (getsockopt((int)fd, SOL_SOCKET, opt, &v, &l) != 0)
        return -1;
    return v;
}

static En_HP_HandleResult s_prepare_listen(HP_Server s, UINT_PTR fd)
{
    (void)s;
    listen_rcvbuf = sockopt(fd, SO_RCVBUF);
    listen_sndbuf = sockopt(fd, SO_SNDBUF);
    return HR_OK;
}

static En_HP_HandleResult c_prepare_connect(HP_Client c, HP_CONNID id, UINT_PTR fd)
{
    (void)c, (void)id;
    connect_rcvbuf = sockopt(fd, SO_RCVBUF);
    return HR_OK;
}

static En_HP_HandleResult s_handshake(HP_Server s, HP_CONNID id)
{
    (void)s, (void)id;
    t_lock();
    server_handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int len)
{
    return HP_Server_Send(s, id, d, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult c_handshake(HP_Client c, HP_CONNID id)
{
    (void)c, (void)id;
    t_lock();
    client_handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_receive(HP_Client c, HP_CONNID id, const BYTE *d, int len)
{
    (void)c, (void)id;
    t_lock();
    int i = echoed;
    if (i >= MESSAGES || len != expect_len[i] || memcmp(d, expect[i], (size_t)len) != 0)
        order_ok = 0;
    echoed++;
    t_notify();
    t_unlock();
    return HR_OK;
}

int main(void)
{
    HP_UdpArqServerListener sl = Create_HP_UdpArqServerListener();
    HP_Set_FN_Server_OnHandShake(sl, s_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnPrepareListen(sl, s_prepare_listen);
    HP_UdpArqServer server = Create_HP_UdpArqServer(sl);
    CHECK(server != NULL);

    /* HP-Socket's defaults. */
    CHECK(!HP_UdpArqServer_IsNoDelay(server));
    CHECK(!HP_UdpArqServer_IsTurnoffCongestCtrl(server));
    CHECK_EQ(HP_UdpArqServer_GetFlushInterval(server), 60);
    CHECK_EQ(HP_UdpArqServer_GetResendByAcks(server), 0);
    CHECK_EQ(HP_UdpArqServer_GetSendWndSize(server), 128);
    CHECK_EQ(HP_UdpArqServer_GetRecvWndSize(server), 512);
    CHECK_EQ(HP_UdpArqServer_GetMinRto(server), 30);
    CHECK_EQ(HP_UdpArqServer_GetFastLimit(server), 5);
    CHECK_EQ(HP_UdpArqServer_GetMaxTransUnit(server), 0);
    CHECK_EQ(HP_UdpArqServer_GetMaxMessageSize(server), 4096);
    CHECK_EQ(HP_UdpArqServer_GetHandShakeTimeout(server), 5000);

    /* A handshake timeout not above twice MinRto is refused at Start. */
    HP_UdpArqServer_SetHandShakeTimeout(server, 60);
    CHECK(!HP_Server_Start(server, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    HP_UdpArqServer_SetHandShakeTimeout(server, 5000);

    /* Socket buffers: the system's by default, 1024.. bytes else (the kernel doubles them). */
    CHECK_EQ(HPX_UdpServer_GetSocketRecvBufferSize(server), 0);
    CHECK_EQ(HPX_UdpServer_GetSocketSendBufferSize(server), 0);
    HPX_UdpServer_SetSocketRecvBufferSize(server, 1023);
    CHECK(!HP_Server_Start(server, "127.0.0.1", 0));
    CHECK_EQ(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    HPX_UdpServer_SetSocketRecvBufferSize(server, 96 * 1024);
    HPX_UdpServer_SetSocketSendBufferSize(server, 80 * 1024);
    CHECK_EQ(HPX_UdpServer_GetSocketRecvBufferSize(server), 96 * 1024);

    HP_UdpArqServer_SetNoDelay(server, TRUE);
    HP_UdpArqServer_SetFlushInterval(server, 10);
    HP_UdpArqServer_SetMaxMessageSize(server, MAX_MSG);
    HP_UdpServer_SetDetectAttempts(server, 0); /* a UDP server setting works on ARQ */
    CHECK(HP_UdpArqServer_IsNoDelay(server));
    CHECK(HP_Server_Start(server, "127.0.0.1", 0));
    TCHAR addr[64];
    int alen = sizeof addr;
    USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(server, addr, &alen, &port));
    CHECK_EQ(listen_rcvbuf, 2 * 96 * 1024);
    CHECK_EQ(listen_sndbuf, 2 * 80 * 1024);
    HPX_UdpServer_SetSocketRecvBufferSize(server, 4096); /* ignored while started */
    CHECK_EQ(HPX_UdpServer_GetSocketRecvBufferSize(server), 96 * 1024);

    HP_UdpArqClientListener cl = Create_HP_UdpArqClientListener();
    HP_Set_FN_Client_OnHandShake(cl, c_handshake);
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_Set_FN_Client_OnPrepareConnect(cl, c_prepare_connect);
    HP_UdpArqClient client = Create_HP_UdpArqClient(cl);
    HPX_UdpClient_SetSocketRecvBufferSize(client, 64 * 1024);
    HP_UdpArqClient_SetNoDelay(client, TRUE);
    HP_UdpArqClient_SetFlushInterval(client, 10);
    HP_UdpArqClient_SetMaxMessageSize(client, MAX_MSG);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    WAIT_FOR(client_handshakes == 1 && server_handshakes == 1);
    CHECK_EQ(connect_rcvbuf, 2 * 64 * 1024);

    for (int i = 0; i < MESSAGES; i++) {
        expect_len[i] = 1 + (i * 977) % MAX_MSG;
        for (int j = 0; j < expect_len[i]; j++)
            expect[i][j] = (unsigned char)(i * 7 + j);
    }
    for (int i = 0; i < MESSAGES; i++)
        CHECK(HP_Client_Send(client, expect[i], expect_len[i]));
    WAIT_FOR(echoed == MESSAGES);
    t_lock();
    CHECK(order_ok);
    t_unlock();

    static BYTE too_big[MAX_MSG + 1];
    CHECK(!HP_Client_Send(client, too_big, MAX_MSG + 1));
    CHECK_EQ(HP_Client_GetLastError(client), SE_INVALID_PARAM);

    int waiting = -1;
    POLL_FOR((HP_UdpArqClient_GetWaitingSendMessageCount(client, &waiting), waiting == 0));
    HP_CONNID ids[4];
    DWORD n = 4;
    CHECK(HP_Server_GetAllConnectionIDs(server, ids, &n));
    CHECK_EQ(n, 1);
    waiting = -1;
    POLL_FOR((HP_UdpArqServer_GetWaitingSendMessageCount(server, ids[0], &waiting),
              waiting == 0));
    CHECK(!HP_UdpArqServer_GetWaitingSendMessageCount(server, 999999, &waiting));

    CHECK(HP_Client_Stop(client));
    Destroy_HP_UdpArqClient(client);
    Destroy_HP_UdpArqClientListener(cl);
    CHECK(HP_Server_Stop(server));
    Destroy_HP_UdpArqServer(server);
    Destroy_HP_UdpArqServerListener(sl);
    printf("test_udp_arq: ok\n");
    return 0;
}
