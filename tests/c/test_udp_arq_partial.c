/*
 * ARQ partial reliability (extension) through a lossy relay on 127.0.0.1: a client and a
 * server that both offer it (HPX_UdpArq*_SetPartialReliability), a relay thread dropping a
 * fixed pseudo-random 30% of the KCP datagrams each way, and a blackout of the client's
 * datagrams while a message with a 200 ms deadline is in flight. The client's
 * OnMessageDropped reports that message once (its id and size); the server receives every
 * other message whole and in order and nothing of the dropped one. A client that does not
 * offer it is refused SendEx with a limit (SE_ILLEGAL_STATE) and sends without one.
 */
#include "test.h"

#include <poll.h>

#define MESSAGES 40
#define BIG 3000

/* The relay: one socket between the client and the server. */
static int relay_fd;
static struct sockaddr_in server_addr, client_addr;
static int have_client, relay_stop, blackout;
static unsigned relay_seed = 12345;

static int lossy(void)
{
    relay_seed = relay_seed * 1103515245u + 12345u;
    return (relay_seed >> 16) % 100 < 30;
}

static void *relay(void *arg)
{
    (void)arg;
    unsigned char buf[65536];
    for (;;) {
        t_lock();
        int stop = relay_stop;
        t_unlock();
        if (stop)
            return NULL;
        struct pollfd p = {relay_fd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0)
            continue;
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(relay_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0)
            continue;
        int from_server = from.sin_port == server_addr.sin_port;
        t_lock();
        if (!from_server) {
            client_addr = from;
            have_client = 1;
        }
        int dark = blackout && !from_server;
        int known = have_client;
        t_unlock();
        /* The handshake (12 bytes) and heartbeats pass; KCP datagrams meet the loss. */
        if (n >= 24 && (dark || lossy()))
            continue;
        if (from_server && !known)
            continue;
        const struct sockaddr_in *to = from_server ? &client_addr : &server_addr;
        sendto(relay_fd, buf, (size_t)n, 0, (const struct sockaddr *)to, sizeof *to);
    }
}

static int server_handshakes, client_handshakes, received, order_ok = 1, dropped;
static DWORD dropped_id;
static int dropped_len;
static unsigned char expect[MESSAGES + 2][BIG];
static int expect_len[MESSAGES + 2];
static int next_expected;

static En_HP_HandleResult s_handshake(HP_Server s, HP_CONNID id)
{
    (void)s, (void)id;
    t_lock();
    server_handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* Messages arrive in order, skipping only index 1 (the one given up). */
static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int len)
{
    (void)s, (void)id;
    t_lock();
    if (next_expected == 1)
        next_expected = 2;
    int i = next_expected;
    if (i >= MESSAGES + 2 || len != expect_len[i] || memcmp(d, expect[i], (size_t)len) != 0)
        order_ok = 0;
    next_expected++;
    received++;
    t_notify();
    t_unlock();
    return HR_OK;
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

static En_HP_HandleResult c_dropped(HP_Client c, HP_CONNID id, DWORD msg, int len)
{
    (void)c, (void)id;
    t_lock();
    dropped++;
    dropped_id = msg;
    dropped_len = len;
    t_notify();
    t_unlock();
    return HR_OK;
}

static void fill(int i, int len)
{
    expect_len[i] = len;
    for (int j = 0; j < len; j++)
        expect[i][j] = (unsigned char)(i * 31 + j);
}

int main(void)
{
    HP_UdpArqServerListener sl = Create_HP_UdpArqServerListener();
    HP_Set_FN_Server_OnHandShake(sl, s_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_UdpArqServer server = Create_HP_UdpArqServer(sl);
    CHECK(!HPX_UdpArqServer_IsPartialReliability(server));
    HPX_UdpArqServer_SetPartialReliability(server, TRUE);
    CHECK(HPX_UdpArqServer_IsPartialReliability(server));
    HP_UdpArqServer_SetNoDelay(server, TRUE);
    HP_UdpArqServer_SetFlushInterval(server, 10);
    HP_UdpArqServer_SetResendByAcks(server, 2);
    HP_UdpServer_SetDetectAttempts(server, 0);
    USHORT port = t_start_server(server);

    relay_fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(relay_fd >= 0);
    struct sockaddr_in any = {0};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(relay_fd, (struct sockaddr *)&any, sizeof any) == 0);
    socklen_t alen = sizeof any;
    CHECK(getsockname(relay_fd, (struct sockaddr *)&any, &alen) == 0);
    server_addr = any;
    server_addr.sin_port = htons(port);
    pthread_t relay_thread;
    CHECK(pthread_create(&relay_thread, NULL, relay, NULL) == 0);

    HP_UdpArqClientListener cl = Create_HP_UdpArqClientListener();
    HP_Set_FN_Client_OnHandShake(cl, c_handshake);
    HPX_Set_FN_Client_OnMessageDropped(cl, c_dropped);
    HP_UdpArqClient client = Create_HP_UdpArqClient(cl);
    HPX_UdpArqClient_SetPartialReliability(client, TRUE);
    HP_UdpArqClient_SetNoDelay(client, TRUE);
    HP_UdpArqClient_SetFlushInterval(client, 10);
    HP_UdpArqClient_SetResendByAcks(client, 2);
    HP_UdpClient_SetDetectAttempts(client, 0);
    CHECK(HP_Client_Start(client, "127.0.0.1", ntohs(any.sin_port), FALSE));
    WAIT_FOR(client_handshakes == 1 && server_handshakes == 1);

    for (int i = 0; i < MESSAGES + 2; i++)
        fill(i, i == 1 ? BIG : 1 + (i * 397) % BIG);

    /* Nothing of the client's reaches the server while the deadline of message 1 passes. */
    t_lock();
    blackout = 1;
    t_unlock();
    DWORD id = 99;
    CHECK(HPX_UdpArqClient_SendEx(client, expect[0], expect_len[0], 0, -1, &id));
    CHECK_EQ(id, 0);
    CHECK(HPX_UdpArqClient_SendEx(client, expect[1], expect_len[1], 200, -1, &id));
    CHECK_EQ(id, 1);
    CHECK(HPX_UdpArqClient_SendEx(client, expect[2], expect_len[2], 0, -1, NULL));
    WAIT_FOR(dropped == 1);
    t_lock();
    CHECK_EQ(dropped_id, 1);
    CHECK_EQ(dropped_len, BIG);
    blackout = 0;
    t_unlock();

    /* The rest under 30% loss: a long deadline that never passes, and plain sends. */
    for (int i = 3; i < MESSAGES + 2; i++) {
        if (i % 2)
            CHECK(HPX_UdpArqClient_SendEx(client, expect[i], expect_len[i], 60000, -1, NULL));
        else
            CHECK(HP_Client_Send(client, expect[i], expect_len[i]));
    }
    WAIT_FOR(received == MESSAGES + 1);
    int waiting = -1;
    POLL_FOR((HP_UdpArqClient_GetWaitingSendMessageCount(client, &waiting), waiting == 0));
    t_lock();
    CHECK(order_ok);
    CHECK_EQ(dropped, 1);
    CHECK_EQ(received, MESSAGES + 1);
    t_unlock();

    /* A client that does not offer it: a limit is refused, no limit sends. */
    HP_UdpArqClientListener cl2 = Create_HP_UdpArqClientListener();
    HP_Set_FN_Client_OnHandShake(cl2, c_handshake);
    HP_UdpArqClient plain = Create_HP_UdpArqClient(cl2);
    HP_UdpClient_SetDetectAttempts(plain, 0);
    CHECK(HP_Client_Start(plain, "127.0.0.1", port, FALSE));
    WAIT_FOR(client_handshakes == 2 && server_handshakes == 2);
    CHECK(!HPX_UdpArqClient_SendEx(plain, expect[3], 10, 100, -1, &id));
    CHECK_EQ(HP_Client_GetLastError(plain), SE_ILLEGAL_STATE);
    CHECK(!HPX_UdpArqClient_SendEx(plain, expect[3], 10, 0, 3, &id));
    t_lock();
    next_expected = MESSAGES + 1;
    fill(MESSAGES + 1, 10);
    memcpy(expect[MESSAGES + 1], expect[3], 10);
    t_unlock();
    CHECK(HPX_UdpArqClient_SendEx(plain, expect[3], 10, 0, -1, &id));
    WAIT_FOR(received == MESSAGES + 2);
    t_lock();
    CHECK(order_ok);
    t_unlock();

    CHECK(HP_Client_Stop(plain));
    Destroy_HP_UdpArqClient(plain);
    Destroy_HP_UdpArqClientListener(cl2);
    CHECK(HP_Client_Stop(client));
    Destroy_HP_UdpArqClient(client);
    Destroy_HP_UdpArqClientListener(cl);
    CHECK(HP_Server_Stop(server));
    Destroy_HP_UdpArqServer(server);
    Destroy_HP_UdpArqServerListener(sl);
    t_lock();
    relay_stop = 1;
    t_unlock();
    pthread_join(relay_thread, NULL);
    close(relay_fd);
    printf("test_udp_arq_partial: ok\n");
    return 0;
}
