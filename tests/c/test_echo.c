/*
 * Echo through the C API: a TcpServer echoes; one TcpClient and one TcpAgent with several
 * connections send deterministic streams in messages of varied size and check every echoed
 * byte (position by position and by checksum). Then everything stops and is destroyed.
 * Kept small: this test also runs under valgrind.
 */
#include "test.h"

#define AGENT_CONNS 4
#define MSGS 24
#define MAX_MSG 3000
#define BIG_MSG (192 * 1024) /* one large message forces partial writes and queued sends */

/* One sending/receiving stream: a client connection or one agent connection. */
typedef struct {
    unsigned seed;
    uint64_t sent, received;
    uint64_t sent_sum, recv_sum;
    int closed;
    En_HP_SocketOperation close_op;
    int close_err;
} stream_t;

static stream_t client_stream, agent_streams[AGENT_CONNS];
static int server_accepts, server_closes, server_shutdowns, agent_shutdowns;

static int msg_len(int i) { return 1 + (i * 977) % MAX_MSG; }

/* Checks an echoed chunk against the stream's pattern; called with t_mu held. */
static void stream_receive(stream_t *s, const BYTE *data, int len)
{
    for (int i = 0; i < len; i++)
        if (data[i] != t_pattern(s->seed, s->received + (uint64_t)i))
            FAILF("stream %u: byte %llu differs", s->seed,
                  (unsigned long long)(s->received + (uint64_t)i));
    s->received += (uint64_t)len;
    s->recv_sum = t_fnv(s->recv_sum, data, len);
    t_notify();
}

static void stream_init(stream_t *s, unsigned seed)
{
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->sent_sum = s->recv_sum = T_FNV_INIT;
}

/* Builds the next message of a stream; the caller sends it. */
static void stream_next(stream_t *s, BYTE *buf, int len)
{
    t_fill(buf, len, s->seed, s->sent);
    s->sent += (uint64_t)len;
    s->sent_sum = t_fnv(s->sent_sum, buf, len);
}

/* ---- server ---- */

static En_HP_HandleResult srv_accept(HP_Server s, HP_CONNID id, UINT_PTR sock)
{
    (void)s, (void)id, (void)sock;
    t_lock();
    server_accepts++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult srv_receive(HP_Server s, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(s, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult srv_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)s, (void)id, (void)op, (void)err;
    t_lock();
    server_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult srv_shutdown(HP_Server s)
{
    (void)s;
    t_lock();
    server_shutdowns++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* ---- client ---- */

static En_HP_HandleResult cli_receive(HP_Client c, HP_CONNID id, const BYTE *data, int len)
{
    CHECK(HP_Client_GetExtra(c) == &client_stream);
    CHECK_EQ(id, HP_Client_GetConnectionID(c));
    t_lock();
    stream_receive(&client_stream, data, len);
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult cli_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c, (void)id;
    t_lock();
    client_stream.closed++;
    client_stream.close_op = op;
    client_stream.close_err = err;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* ---- agent ---- */

static stream_t *agent_stream(HP_Agent a, HP_CONNID id)
{
    PVOID extra = NULL;
    CHECK(HP_Agent_GetConnectionExtra(a, id, &extra));
    CHECK(extra != NULL);
    return (stream_t *)extra;
}

static En_HP_HandleResult agent_receive(HP_Agent a, HP_CONNID id, const BYTE *data, int len)
{
    stream_t *s = agent_stream(a, id);
    t_lock();
    stream_receive(s, data, len);
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult agent_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    stream_t *s = agent_stream(a, id); /* extra stays readable inside OnClose */
    t_lock();
    s->closed++;
    s->close_op = op;
    s->close_err = err;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult agent_shutdown(HP_Agent a)
{
    (void)a;
    t_lock();
    agent_shutdowns++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static int agent_all_echoed(void)
{
    for (int i = 0; i < AGENT_CONNS; i++)
        if (agent_streams[i].received != agent_streams[i].sent)
            return 0;
    return 1;
}

static int agent_all_closed(void)
{
    for (int i = 0; i < AGENT_CONNS; i++)
        if (agent_streams[i].closed != 1)
            return 0;
    return 1;
}

int main(void)
{
    static BYTE buf[BIG_MSG];

    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    CHECK(sl != NULL);
    HP_Set_FN_Server_OnAccept(sl, srv_accept);
    HP_Set_FN_Server_OnReceive(sl, srv_receive);
    HP_Set_FN_Server_OnClose(sl, srv_close);
    HP_Set_FN_Server_OnShutdown(sl, srv_shutdown);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    CHECK(server != NULL);
    HP_Server_SetWorkerThreadCount(server, 2);
    USHORT port = t_start_server(server);
    CHECK_EQ(HP_Server_GetState(server), SS_STARTED);

    /* Client: synchronous connect, small messages, then one large one. */
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnReceive(cl, cli_receive);
    HP_Set_FN_Client_OnClose(cl, cli_close);
    HP_TcpClient client = Create_HP_TcpClient(cl);
    CHECK(client != NULL);
    stream_init(&client_stream, 1);
    HP_Client_SetExtra(client, &client_stream);
    if (!HP_Client_Start(client, "127.0.0.1", port, FALSE))
        FAILF("HP_Client_Start: %s", HP_Client_GetLastErrorDesc(client));
    CHECK(HP_Client_IsConnected(client));
    CHECK(HP_Client_GetConnectionID(client) != 0);
    for (int i = 0; i <= MSGS; i++) {
        int len = i < MSGS ? msg_len(i) : BIG_MSG;
        t_lock();
        stream_next(&client_stream, buf, len);
        t_unlock();
        CHECK(HP_Client_Send(client, buf, len));
    }
    WAIT_FOR(client_stream.received == client_stream.sent);
    CHECK(client_stream.recv_sum == client_stream.sent_sum);

    /* Agent: synchronous connects, per-connection state as connection extra. */
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(al, agent_receive);
    HP_Set_FN_Agent_OnClose(al, agent_close);
    HP_Set_FN_Agent_OnShutdown(al, agent_shutdown);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(agent != NULL);
    HP_Agent_SetWorkerThreadCount(agent, 2);
    CHECK(HP_Agent_Start(agent, NULL, FALSE));
    HP_CONNID ids[AGENT_CONNS];
    for (int c = 0; c < AGENT_CONNS; c++) {
        stream_init(&agent_streams[c], 100 + (unsigned)c);
        if (!HP_Agent_ConnectWithExtra(agent, "127.0.0.1", port, &ids[c], &agent_streams[c]))
            FAILF("HP_Agent_ConnectWithExtra: %s", HP_Agent_GetLastErrorDesc(agent));
        CHECK(ids[c] != 0);
        for (int k = 0; k < c; k++)
            CHECK(ids[k] != ids[c]);
    }
    /* Interleave the connections' messages. */
    for (int i = 0; i < MSGS; i++) {
        for (int c = 0; c < AGENT_CONNS; c++) {
            int len = msg_len(i + c * 7);
            t_lock();
            stream_next(&agent_streams[c], buf, len);
            t_unlock();
            CHECK(HP_Agent_Send(agent, ids[c], buf, len));
        }
    }
    WAIT_FOR(agent_all_echoed());
    for (int c = 0; c < AGENT_CONNS; c++)
        CHECK(agent_streams[c].recv_sum == agent_streams[c].sent_sum);
    WAIT_FOR(server_accepts == 1 + AGENT_CONNS);
    CHECK_EQ(HP_Server_GetConnectionCount(server), 1 + AGENT_CONNS);

    /* Orderly shutdown: a client Stop fires its own OnClose(SO_CLOSE, 0). */
    CHECK(HP_Client_Stop(client));
    WAIT_FOR(client_stream.closed == 1);
    CHECK_EQ(client_stream.close_op, SO_CLOSE);
    CHECK_EQ(client_stream.close_err, 0);
    CHECK_EQ(HP_Client_GetState(client), SS_STOPPED);

    CHECK(HP_Agent_Stop(agent));
    WAIT_FOR(agent_shutdowns == 1);
    CHECK(agent_all_closed());
    WAIT_FOR(server_closes == 1 + AGENT_CONNS);

    CHECK(HP_Server_Stop(server));
    WAIT_FOR(server_shutdowns == 1);
    CHECK_EQ(HP_Server_GetState(server), SS_STOPPED);

    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);

    /* Each callback fired exactly as often as expected. */
    CHECK_EQ(server_shutdowns, 1);
    CHECK_EQ(agent_shutdowns, 1);
    CHECK_EQ(server_accepts, 1 + AGENT_CONNS);
    printf("echo: client %llu bytes, agent %d x %llu bytes echoed\n",
           (unsigned long long)client_stream.received, AGENT_CONNS,
           (unsigned long long)agent_streams[0].received);
    return 0;
}
