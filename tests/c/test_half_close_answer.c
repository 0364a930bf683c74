/*
 * Half-closed peer (defect: the answer to a request followed by the peer's FIN was cut off
 * after what the socket took in one write). A peer sends a request and shuts down its write
 * side; the component answers from OnReceive with more than the sockets can hold at once.
 * Wanted (docs/abi.md section 16, "half-closed peer"): the whole answer is sent, then the
 * connection closes, and OnClose fires once with (SO_CLOSE, 0). (HP-Socket 5.2.2 itself
 * reports the same OnClose but sends none of the answer.) Checked for a PUSH server (8 MiB),
 * a PACK server (100 frames of 60,000 bytes: 6,000,400 bytes on the wire), an agent and a
 * client (8 MiB each, the raw peer being the listening side). 5 rounds each. Both sockets
 * have small buffers (64 KiB) and the raw peer reads nothing until the answer is queued, so
 * it cannot go in one write.
 */
#include "test.h"

#define ROUNDS 5
#define CHUNK (64 * 1024)
#define PUSH_ANSWER (8 * 1024 * 1024)
#define PACK_FRAMES 100
#define PACK_BODY 60000
#define PACK_ANSWER (PACK_FRAMES * (4 + PACK_BODY)) /* 6,000,400 */

enum kind { K_SERVER, K_PACK_SERVER, K_AGENT, K_CLIENT };
static const char *kind_name[] = {"server", "pack server", "agent", "client"};

/* State of the current round, under t_mu. */
static enum kind g_kind;
static unsigned g_seed;
static HP_CONNID g_conn;
static int g_request; /* request bytes received */
static int g_answered, g_answer_ok;
static int g_closes, g_close_op, g_close_err;

/* ---- the component's side: answer once the 4-byte request is in ---- */

static void answer(HP_Object sender, HP_CONNID id, int n)
{
    t_lock();
    int before = g_request;
    g_request += n;
    int go = before < 4 && g_request >= 4;
    enum kind k = g_kind;
    unsigned seed = g_seed;
    t_unlock();
    if (!go)
        return;

    static BYTE buf[CHUNK];
    int ok = 1;
    if (k == K_PACK_SERVER) {
        for (int f = 0; f < PACK_FRAMES && ok; f++) {
            t_fill(buf, PACK_BODY, seed, (uint64_t)f * PACK_BODY);
            ok = HP_Server_Send(sender, id, buf, PACK_BODY);
        }
    } else {
        for (int off = 0; off < PUSH_ANSWER && ok; off += CHUNK) {
            t_fill(buf, CHUNK, seed, (uint64_t)off);
            if (k == K_SERVER)
                ok = HP_Server_Send(sender, id, buf, CHUNK);
            else if (k == K_AGENT)
                ok = HP_Agent_Send(sender, id, buf, CHUNK);
            else
                ok = HP_Client_Send(sender, buf, CHUNK);
        }
    }
    t_lock();
    g_answered = 1;
    g_answer_ok = ok;
    t_notify();
    t_unlock();
}

static void closed(HP_CONNID id, En_HP_SocketOperation op, int err)
{
    t_lock();
    if (id == g_conn) {
        g_closes++;
        g_close_op = op;
        g_close_err = err;
    }
    t_notify();
    t_unlock();
}

/* A small send buffer on the component's socket too: the answer cannot fit in the sockets. */
static void small_send_buffer(UINT_PTR so)
{
    int snd = 64 * 1024;
    CHECK(setsockopt((int)so, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd) == 0);
}

static En_HP_HandleResult s_accept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)s;
    small_send_buffer(so);
    t_lock();
    g_conn = id;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)d;
    answer(s, id, n);
    return HR_OK;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)s;
    closed(id, op, e);
    return HR_OK;
}

static En_HP_HandleResult a_prepare(HP_Agent a, HP_CONNID id, UINT_PTR so)
{
    (void)a, (void)id;
    small_send_buffer(so);
    return HR_OK;
}

static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    (void)d;
    answer(a, id, n);
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)a;
    closed(id, op, e);
    return HR_OK;
}

static En_HP_HandleResult c_prepare(HP_Client c, HP_CONNID id, UINT_PTR so)
{
    (void)c, (void)id;
    small_send_buffer(so);
    return HR_OK;
}

static En_HP_HandleResult c_receive(HP_Client c, HP_CONNID id, const BYTE *d, int n)
{
    (void)d;
    answer(c, id, n);
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)c;
    closed(id, op, e);
    return HR_OK;
}

/* ---- the raw peer ---- */

/* Its socket: a small receive buffer (64 KiB), and a stuck read fails the test after 10 s. */
#define PEER_RCVBUF (64 * 1024)
#define PEER_TIMEOUT_S 10

static void write_all(int fd, const void *p, size_t n)
{
    CHECK(send(fd, p, n, 0) == (ssize_t)n);
}

/* Only informative: with the answer still queued, it could not go in one write. */
static HP_Object g_sender;

static void note_pending(void)
{
    int pending = -1;
    BOOL ok = g_kind == K_AGENT    ? HP_Agent_GetPendingDataLength(g_sender, g_conn, &pending)
              : g_kind == K_CLIENT ? HP_Client_GetPendingDataLength(g_sender, &pending)
                                   : HP_Server_GetPendingDataLength(g_sender, g_conn, &pending);
    if (ok && pending == 0)
        fprintf(stderr, "note: %s round %u: the answer fit in the socket buffers\n",
                kind_name[g_kind], g_seed);
}

/* Sends the request, half-closes, waits until the answer is queued, then reads to EOF. */
static void request_and_read(int fd, int pack, int want)
{
    if (pack) {
        BYTE req[8] = {4, 0, 0, 0, 'p', 'i', 'n', 'g'}; /* header: flag 0, length 4 */
        write_all(fd, req, sizeof req);
    } else {
        write_all(fd, "ping", 4);
    }
    CHECK(shutdown(fd, SHUT_WR) == 0);
    WAIT_FOR(g_answered);
    CHECK(g_answer_ok);
    note_pending();

    BYTE *got = malloc((size_t)want + CHUNK);
    CHECK(got != NULL);
    int total = 0;
    for (;;) {
        ssize_t r = recv(fd, got + total, (size_t)want + CHUNK - (size_t)total, 0);
        if (r == 0)
            break;
        if (r < 0)
            FAILF("%s round %u: recv after %d of %d bytes: %s", kind_name[g_kind], g_seed,
                  total, want, strerror(errno));
        total += (int)r;
        CHECK(total <= want);
    }
    if (total != want)
        FAILF("%s round %u: EOF after %d of %d answer bytes", kind_name[g_kind], g_seed, total,
              want);

    if (pack) {
        for (int f = 0; f < PACK_FRAMES; f++) {
            const BYTE *h = got + (size_t)f * (4 + PACK_BODY);
            uint32_t hdr = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
                           (uint32_t)h[3] << 24;
            CHECK_EQ(hdr >> 22, 0); /* flag */
            CHECK_EQ(hdr & 0x3FFFFF, PACK_BODY);
            for (int i = 0; i < PACK_BODY; i++)
                if (h[4 + i] != t_pattern(g_seed, (uint64_t)f * PACK_BODY + (uint64_t)i))
                    FAILF("pack server round %u: frame %d byte %d differs", g_seed, f, i);
        }
    } else {
        for (int i = 0; i < want; i++)
            if (got[i] != t_pattern(g_seed, (uint64_t)i))
                FAILF("%s round %u: answer byte %d differs", kind_name[g_kind], g_seed, i);
    }
    free(got);
    close(fd);
}

static void begin_round(enum kind k, unsigned seed)
{
    t_lock();
    g_kind = k;
    g_seed = seed;
    g_conn = 0;
    g_request = 0;
    g_answered = g_answer_ok = 0;
    g_closes = 0;
    g_close_op = g_close_err = -1;
    t_unlock();
}

static void expect_one_close(void)
{
    WAIT_FOR(g_closes >= 1);
    t_lock();
    if (g_close_op != SO_CLOSE || g_close_err != 0)
        FAILF("%s round %u: OnClose(%d, %d), want (SO_CLOSE %d, 0)", kind_name[g_kind], g_seed,
              g_close_op, g_close_err, SO_CLOSE);
    t_unlock();
}

static void server_rounds(int pack)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_Server server = pack ? Create_HP_TcpPackServer(sl) : Create_HP_TcpServer(sl);
    USHORT port = t_start_server(server);
    g_sender = server;
    for (unsigned r = 1; r <= ROUNDS; r++) {
        begin_round(pack ? K_PACK_SERVER : K_SERVER, r);
        int fd = t_connect(port, PEER_RCVBUF, PEER_TIMEOUT_S);
        request_and_read(fd, pack, pack ? PACK_ANSWER : PUSH_ANSWER);
        expect_one_close();
    }
    CHECK(HP_Server_Stop(server));
    CHECK_EQ(g_closes, 1); /* still once */
    if (pack)
        Destroy_HP_TcpPackServer(server);
    else
        Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(sl);
}

static void agent_rounds(void)
{
    USHORT port;
    int lfd = t_listen(&port, 8, PEER_RCVBUF, PEER_TIMEOUT_S);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnPrepareConnect(al, a_prepare);
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(agent, NULL, FALSE));
    g_sender = agent;
    for (unsigned r = 1; r <= ROUNDS; r++) {
        begin_round(K_AGENT, r);
        HP_CONNID id = 0;
        CHECK(HP_Agent_Connect(agent, "127.0.0.1", port, &id));
        t_lock();
        g_conn = id;
        t_unlock();
        int fd = t_accept(lfd);
        request_and_read(fd, 0, PUSH_ANSWER);
        expect_one_close();
    }
    CHECK(HP_Agent_Stop(agent));
    CHECK_EQ(g_closes, 1);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpAgentListener(al);
    close(lfd);
}

static void client_rounds(void)
{
    USHORT port;
    int lfd = t_listen(&port, 8, PEER_RCVBUF, PEER_TIMEOUT_S);
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnPrepareConnect(cl, c_prepare);
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_Set_FN_Client_OnClose(cl, c_close);
    for (unsigned r = 1; r <= ROUNDS; r++) {
        begin_round(K_CLIENT, r);
        HP_TcpClient client = Create_HP_TcpClient(cl);
        g_sender = client;
        CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
        t_lock();
        g_conn = HP_Client_GetConnectionID(client);
        t_unlock();
        int fd = t_accept(lfd);
        request_and_read(fd, 0, PUSH_ANSWER);
        expect_one_close();
        POLL_FOR(HP_Client_GetState(client) == SS_STOPPED);
        CHECK_EQ(g_closes, 1);
        Destroy_HP_TcpClient(client);
    }
    Destroy_HP_TcpClientListener(cl);
    close(lfd);
}

int main(void)
{
    server_rounds(0);
    server_rounds(1);
    agent_rounds();
    client_rounds();
    printf("half close: %d rounds each of server, pack server, agent, client answered whole\n",
           ROUNDS);
    return 0;
}
