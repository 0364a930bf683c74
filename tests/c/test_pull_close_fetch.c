/*
 * PULL components: bytes still buffered when the connection closes can be taken inside
 * OnClose (defect: the buffer was cleared before OnClose ran, so Peek/Fetch there returned
 * FR_DATA_NOT_FOUND). HP-Socket frees a connection's buffer after its OnClose returns. A peer
 * sends N bytes and closes; OnPullReceive fetches nothing; inside OnClose, Peek then Fetch of
 * N bytes return FR_OK with exactly those bytes, and after that one more byte is
 * FR_LENGTH_TOO_LONG. PULL server, agent and client; 3 rounds each.
 */
#include "test.h"

#define N 1000
#define ROUNDS 3

enum kind { K_SERVER, K_AGENT, K_CLIENT };
static const char *kind_name[] = {"pull server", "pull agent", "pull client"};

/* State of the current round, under t_mu. */
static enum kind g_kind;
static unsigned g_seed;
static int g_buffered; /* last total OnPullReceive reported */
static int g_closes;
static En_HP_FetchResult g_peek, g_fetch, g_more;
static int g_peek_same, g_fetch_same;

static En_HP_FetchResult take(HP_Object sender, HP_CONNID id, BYTE *buf, int len, int peek)
{
    switch (g_kind) {
    case K_SERVER:
        return peek ? HP_TcpPullServer_Peek(sender, id, buf, len)
                    : HP_TcpPullServer_Fetch(sender, id, buf, len);
    case K_AGENT:
        return peek ? HP_TcpPullAgent_Peek(sender, id, buf, len)
                    : HP_TcpPullAgent_Fetch(sender, id, buf, len);
    default:
        return peek ? HP_TcpPullClient_Peek(sender, buf, len)
                    : HP_TcpPullClient_Fetch(sender, buf, len);
    }
}

static int same(const BYTE *buf)
{
    for (int i = 0; i < N; i++)
        if (buf[i] != t_pattern(g_seed, (uint64_t)i))
            return 0;
    return 1;
}

static void on_pull(int total)
{
    t_lock();
    g_buffered = total;
    t_notify();
    t_unlock();
}

static void on_close(HP_Object sender, HP_CONNID id)
{
    BYTE buf[N + 1];
    memset(buf, 0, sizeof buf);
    En_HP_FetchResult peek = take(sender, id, buf, N, 1);
    int peek_same = same(buf);
    memset(buf, 0, sizeof buf);
    En_HP_FetchResult fetch = take(sender, id, buf, N, 0);
    int fetch_same = same(buf);
    En_HP_FetchResult more = take(sender, id, buf, 1, 0);
    t_lock();
    g_closes++;
    g_peek = peek;
    g_peek_same = peek_same;
    g_fetch = fetch;
    g_fetch_same = fetch_same;
    g_more = more;
    t_notify();
    t_unlock();
}

static En_HP_HandleResult s_pull(HP_Server s, HP_CONNID id, int len)
{
    (void)s, (void)id;
    on_pull(len);
    return HR_OK;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)op, (void)e;
    on_close(s, id);
    return HR_OK;
}

static En_HP_HandleResult a_pull(HP_Agent a, HP_CONNID id, int len)
{
    (void)a, (void)id;
    on_pull(len);
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)op, (void)e;
    on_close(a, id);
    return HR_OK;
}

static En_HP_HandleResult c_pull(HP_Client c, HP_CONNID id, int len)
{
    (void)c, (void)id;
    on_pull(len);
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)op, (void)e;
    on_close(c, id);
    return HR_OK;
}

static void begin_round(enum kind k, unsigned seed)
{
    t_lock();
    g_kind = k;
    g_seed = seed;
    g_buffered = 0;
    g_closes = 0;
    g_peek = g_fetch = g_more = -1;
    g_peek_same = g_fetch_same = 0;
    t_unlock();
}

/* The raw peer sends the N bytes and closes; then OnClose must have found them. */
static void send_close_and_check(int fd)
{
    BYTE data[N];
    t_fill(data, N, g_seed, 0);
    CHECK(send(fd, data, N, 0) == N);
    close(fd);
    WAIT_FOR(g_closes == 1);
    t_lock();
    CHECK_EQ(g_buffered, N); /* everything arrived before the close */
    if (g_peek != FR_OK || g_fetch != FR_OK)
        FAILF("%s round %u: in OnClose Peek(%d) = %d, Fetch(%d) = %d, want FR_OK (%d)",
              kind_name[g_kind], g_seed, N, g_peek, N, g_fetch, FR_OK);
    CHECK(g_peek_same);
    CHECK(g_fetch_same);
    CHECK_EQ(g_more, FR_LENGTH_TOO_LONG); /* all N were taken */
    t_unlock();
}

static void server_rounds(void)
{
    HP_TcpPullServerListener sl = Create_HP_TcpPullServerListener();
    HP_Set_FN_Server_OnPullReceive(sl, s_pull);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_TcpPullServer s = Create_HP_TcpPullServer(sl);
    USHORT port = t_start_server(s);
    for (unsigned r = 1; r <= ROUNDS; r++) {
        begin_round(K_SERVER, r);
        send_close_and_check(t_connect(port, 0, 0));
    }
    CHECK(HP_Server_Stop(s));
    Destroy_HP_TcpPullServer(s);
    Destroy_HP_TcpPullServerListener(sl);
}

static void agent_rounds(void)
{
    USHORT port;
    int lfd = t_listen(&port, 8, 0, 10); /* accept gives up after 10 s instead of hanging */
    HP_TcpPullAgentListener al = Create_HP_TcpPullAgentListener();
    HP_Set_FN_Agent_OnPullReceive(al, a_pull);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_TcpPullAgent a = Create_HP_TcpPullAgent(al);
    CHECK(HP_Agent_Start(a, NULL, FALSE));
    for (unsigned r = 1; r <= ROUNDS; r++) {
        begin_round(K_AGENT, r);
        HP_CONNID id = 0;
        CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
        send_close_and_check(t_accept(lfd));
    }
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_TcpPullAgent(a);
    Destroy_HP_TcpPullAgentListener(al);
    close(lfd);
}

static void client_rounds(void)
{
    USHORT port;
    int lfd = t_listen(&port, 8, 0, 10); /* accept gives up after 10 s instead of hanging */
    HP_TcpPullClientListener cl = Create_HP_TcpPullClientListener();
    HP_Set_FN_Client_OnPullReceive(cl, c_pull);
    HP_Set_FN_Client_OnClose(cl, c_close);
    for (unsigned r = 1; r <= ROUNDS; r++) {
        begin_round(K_CLIENT, r);
        HP_TcpPullClient c = Create_HP_TcpPullClient(cl);
        CHECK(HP_Client_Start(c, "127.0.0.1", port, FALSE));
        send_close_and_check(t_accept(lfd));
        POLL_FOR(HP_Client_GetState(c) == SS_STOPPED);
        Destroy_HP_TcpPullClient(c);
    }
    Destroy_HP_TcpPullClientListener(cl);
    close(lfd);
}

int main(void)
{
    server_rounds();
    agent_rounds();
    client_rounds();
    printf("pull close fetch: %d bytes taken inside OnClose (server, agent, client)\n", N);
    return 0;
}
