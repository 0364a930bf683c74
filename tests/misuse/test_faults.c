/*
 * Faults from the network, each turned into a reported event and never a hang:
 *  1. a peer resets (RST) in the middle of a large send: OnClose reports an error, later sends
 *     on the ID are refused as closed, the server keeps serving others;
 *  2. a half-closed peer (shutdown(SHUT_WR) after its request): the request is received and
 *     answered, then the connection closes with OnClose, and the peer reads the answer, then
 *     end of stream;
 *  3. connecting to a listener that never accepts (full backlog): the asynchronous connect
 *     fails after the connect timeout with OnClose(SO_CONNECT, ETIMEDOUT), the synchronous one
 *     returns FALSE; the agent as well;
 *  4. MaxConnectionCount reached: a further peer is refused at accept (closed at once, no
 *     OnAccept, no OnClose), existing connections keep working, and a peer is accepted again
 *     once one left.
 */
#include "hard.h"

static int accepts, closes, receives;
static int close_ops[64], close_errs[64];
static HP_CONNID close_ids[64];
static int client_closes, client_close_op, client_close_err;

static En_HP_HandleResult s_accept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)s, (void)id, (void)so;
    t_lock();
    accepts++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    t_lock();
    receives++;
    t_notify();
    t_unlock();
    HP_Server_Send(s, id, d, n); /* echo */
    return HR_OK;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)s;
    t_lock();
    if (closes < 64) {
        close_ids[closes] = id;
        close_ops[closes] = op;
        close_errs[closes] = e;
    }
    closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)c, (void)id;
    t_lock();
    client_closes++;
    client_close_op = op;
    client_close_err = e;
    t_notify();
    t_unlock();
    return HR_OK;
}

static int agent_closes, agent_close_op, agent_close_err;
static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)a, (void)id;
    t_lock();
    agent_closes++;
    agent_close_op = op;
    agent_close_err = e;
    t_notify();
    t_unlock();
    return HR_OK;
}

static void reset_counts(void)
{
    t_lock();
    accepts = closes = receives = 0;
    t_unlock();
}

static HP_CONNID only_id(HP_Server s)
{
    HP_CONNID ids[4];
    DWORD n = 4;
    CHECK(HP_Server_GetAllConnectionIDs(s, ids, &n));
    CHECK(n >= 1);
    return ids[n - 1];
}

static void echo_ok(int fd, const char *msg)
{
    char b[64];
    size_t n = strlen(msg);
    CHECK(t_write_all(fd, msg, n) == 0);
    size_t got = 0;
    while (got < n) {
        ssize_t r = t_read_wait(fd, b + got, n - got, T_WAIT_MS);
        CHECK(r > 0);
        got += (size_t)r;
    }
    CHECK(memcmp(b, msg, n) == 0);
}

static void reset_mid_send(HP_TcpServer s, USHORT port)
{
    reset_counts();
    int fd = t_connect_raw(port);
    CHECK(fd >= 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    WAIT_FOR(accepts == 1);
    HP_CONNID id = only_id(s);
    static BYTE chunk[256 * 1024];
    memset(chunk, 'r', sizeof chunk);
    /* Far more than the socket buffers hold: most of it is queued when the peer resets. */
    for (int i = 0; i < 32; i++)
        CHECK(HP_Server_Send(s, id, chunk, (int)sizeof chunk));
    char b[1024];
    CHECK(t_read_wait(fd, b, sizeof b, T_WAIT_MS) > 0); /* the stream is flowing */
    t_close_reset(fd);
    WAIT_FOR(closes == 1);
    t_lock();
    int op = close_ops[0], err = close_errs[0];
    t_unlock();
    EXPECT(close_ids[0] == id, "OnClose for another connection");
    EXPECT(err == ECONNRESET || err == EPIPE, "reset mid-send: OnClose(op %d, error %d), "
           "expected ECONNRESET or EPIPE", op, err);
    errno = 0;
    EXPECT(!HP_Server_Send(s, id, chunk, 10) && errno == EBADSLT,
           "send on the reset connection: errno %d", errno);
    int fd2 = t_connect_raw(port);
    CHECK(fd2 >= 0);
    echo_ok(fd2, "still serving");
    close(fd2);
    WAIT_FOR(closes == 2);
}

static void half_close(USHORT port)
{
    reset_counts();
    int fd = t_connect_raw(port);
    CHECK(fd >= 0);
    CHECK(t_write_all(fd, "request", 7) == 0);
    CHECK(shutdown(fd, SHUT_WR) == 0);
    char b[64];
    size_t got = 0;
    ssize_t r;
    while ((r = t_read_wait(fd, b + got, sizeof b - got, T_WAIT_MS)) > 0)
        got += (size_t)r;
    EXPECT(r == 0, "half-closed peer: read %zd (errno %d) instead of end of stream", r, errno);
    EXPECT(got == 7 && memcmp(b, "request", 7) == 0,
           "half-closed peer: the answer was not delivered before the close (%zu bytes)", got);
    WAIT_FOR(closes == 1);
    t_lock();
    EXPECT(receives >= 1, "the request was not received");
    t_unlock();
    close(fd);
}

/* A listening socket that never accepts, with its accept queue full. */
static int full_listener(USHORT *port, int *fillers, int *nfill)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(l >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(l, 0) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0);
    *port = ntohs(a.sin_port);
    /* Connect until one stays pending: the queue is full, further SYNs are dropped. */
    *nfill = 0;
    for (int i = 0; i < 16; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        CHECK(fd >= 0);
        int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
        fillers[(*nfill)++] = fd;
        if (rc == 0)
            continue;
        CHECK(errno == EINPROGRESS);
        struct pollfd p = {fd, POLLOUT, 0};
        if (poll(&p, 1, 300) == 0)
            return l; /* this one hangs: full */
    }
    FAILF("could not fill the accept queue");
}

static void connect_timeout(void)
{
    USHORT port;
    int fillers[16], nfill;
    int l = full_listener(&port, fillers, &nfill);

    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnClose(cl, c_close);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    HPX_Client_SetConnectTimeout(c, 400);
    double t0 = t_now();
    CHECK(HP_Client_Start(c, "127.0.0.1", port, TRUE));
    WAIT_FOR(client_closes == 1);
    double took = t_now() - t0;
    EXPECT(client_close_op == SO_CONNECT && client_close_err == ETIMEDOUT,
           "async connect to a full backlog: OnClose(%d, %d), expected (SO_CONNECT, ETIMEDOUT)",
           client_close_op, client_close_err);
    EXPECT(took < 10, "the timeout took %.1f s", took);
    POLL_FOR(HP_Client_GetState(c) == SS_STOPPED);

    /* Synchronous: Start itself fails. */
    HP_TcpClient_SetSyncConnectTimeout(c, 400);
    errno = 0;
    t0 = t_now();
    BOOL ok = HP_Client_Start(c, "127.0.0.1", port, FALSE);
    int e = errno;
    EXPECT(!ok, "sync connect to a full backlog succeeded");
    EXPECT(e == ETIMEDOUT, "sync connect: errno %d (%s), expected ETIMEDOUT", e,
           HP_Client_GetLastErrorDesc(c));
    EXPECT(t_now() - t0 < 10, "the sync timeout took %.1f s", t_now() - t0);

    /* An agent with an asynchronous connect timeout. */
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    HPX_Agent_SetConnectTimeout(a, 400);
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    HP_CONNID id;
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    WAIT_FOR(agent_closes == 1);
    EXPECT(agent_close_op == SO_CONNECT && agent_close_err == ETIMEDOUT,
           "agent connect to a full backlog: OnClose(%d, %d)", agent_close_op, agent_close_err);
    /* Listed until its OnClose returns (as in HP-Socket), then gone. */
    POLL_FOR(HP_Agent_GetConnectionCount(a) == 0);

    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);
    for (int i = 0; i < nfill; i++)
        close(fillers[i]);
    close(l);
}

static void max_connections(HP_TcpServerListener sl)
{
    HP_TcpServer s = Create_HP_TcpServer(sl);
    HP_Server_SetMaxConnectionCount(s, 5);
    USHORT port = t_start_server(s);
    reset_counts();
    int fds[5];
    for (int i = 0; i < 5; i++) {
        fds[i] = t_connect_raw(port);
        CHECK(fds[i] >= 0);
        echo_ok(fds[i], "in");
    }
    WAIT_FOR(accepts == 5);
    /* The sixth: the kernel completes the handshake, the server refuses it at accept. */
    int extra = t_connect_raw(port);
    CHECK(extra >= 0);
    send(extra, "x", 1, MSG_NOSIGNAL);
    char b[8];
    ssize_t r = t_read_wait(extra, b, sizeof b, T_WAIT_MS);
    EXPECT(r == 0 || (r < 0 && errno == ECONNRESET),
           "a peer over MaxConnectionCount was not closed at once (read %zd, errno %d)", r, errno);
    close(extra);
    t_lock();
    EXPECT(accepts == 5 && closes == 0, "the refused peer was seen: %d accepts, %d closes",
           accepts, closes);
    t_unlock();
    EXPECT(HP_Server_GetConnectionCount(s) == 5, "connection count %u",
           HP_Server_GetConnectionCount(s));
    for (int i = 0; i < 5; i++)
        echo_ok(fds[i], "still");
    /* One leaves: a new peer is accepted again. */
    close(fds[0]);
    WAIT_FOR(closes == 1);
    /* OnClose runs before the slot is released: the count says when a new peer fits. */
    POLL_FOR(HP_Server_GetConnectionCount(s) == 4);
    fds[0] = t_connect_raw(port);
    CHECK(fds[0] >= 0);
    echo_ok(fds[0], "again");
    WAIT_FOR(accepts == 6);
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    Destroy_HP_TcpServer(s);
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_TcpServer s = Create_HP_TcpServer(sl);
    HP_Server_SetWorkerThreadCount(s, 2);
    USHORT port = t_start_server(s);

    fprintf(stderr, "1. peer reset mid-send\n");
    reset_mid_send(s, port);
    fprintf(stderr, "2. half-closed peer\n");
    half_close(port);
    fprintf(stderr, "3. connect to a listener that never accepts\n");
    connect_timeout();
    fprintf(stderr, "4. MaxConnectionCount reached\n");
    max_connections(sl);

    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(sl);
    return t_finish("faults");
}
