/*
 * OnClose's (operation, error code) for every way a connection ends, as HP-Socket reports them
 * (defect: some endings reported another operation or code). HP-Socket:
 *   server: peer closes gracefully            -> (SO_CLOSE, 0)
 *           peer resets (SO_LINGER {1, 0})     -> (SO_CLOSE, ECONNRESET)
 *           HP_Server_Disconnect               -> (SO_CLOSE, 0)
 *           OnReceive returns HR_ERROR         -> (SO_RECEIVE, ECANCELED) (docs/abi.md section 9)
 *           DisconnectSilenceConnections       -> (SO_CLOSE, 0)
 *           HP_Server_Stop, connection live    -> (SO_CLOSE, 0)
 *   agent:  connect refused                    -> (SO_CONNECT, ECONNREFUSED)
 *           peer closes gracefully             -> (SO_CLOSE, 0)
 *           peer resets                        -> (SO_CLOSE, ECONNRESET)
 * Every case is checked and each mismatch printed; then the test fails if any was wrong.
 * OnClose must come exactly once per connection.
 */
#include "test.h"

#define MAX_CLOSES 32

static struct {
    int who; /* 0 server, 1 agent: their IDs overlap */
    HP_CONNID id;
    int op, err;
} closes[MAX_CLOSES];
static int nclose, naccept, nconnect;
static HP_CONNID last_accept;
static int mismatches;

static const char *op_name(int op)
{
    static const char *names[] = {"SO_UNKNOWN", "SO_ACCEPT",  "SO_CONNECT",
                                  "SO_SEND",    "SO_RECEIVE", "SO_CLOSE"};
    return op >= 0 && op <= 5 ? names[op] : "?";
}

static void record_close(int who, HP_CONNID id, int op, int err)
{
    t_lock();
    CHECK(nclose < MAX_CLOSES);
    closes[nclose].who = who;
    closes[nclose].id = id;
    closes[nclose].op = op;
    closes[nclose].err = err;
    nclose++;
    t_notify();
    t_unlock();
}

static En_HP_HandleResult s_accept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)s, (void)so;
    t_lock();
    naccept++;
    last_accept = id;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)s, (void)id;
    /* "E": refuse the data (errno left as the library set it: cleared). */
    return n > 0 && d[0] == 'E' ? HR_ERROR : HR_OK;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)s;
    record_close(0, id, op, e);
    return HR_OK;
}

static En_HP_HandleResult a_connect(HP_Agent a, HP_CONNID id)
{
    (void)a, (void)id;
    t_lock();
    nconnect++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)a;
    record_close(1, id, op, e);
    return HR_OK;
}

static int closes_of(int who, HP_CONNID id) /* with t_mu held */
{
    int n = 0;
    for (int i = 0; i < nclose; i++)
        n += closes[i].who == who && closes[i].id == id;
    return n;
}

/* Waits for the OnClose of `id` and compares it with what HP-Socket reports. */
static void expect_close(const char *what, int who, HP_CONNID id, int op, int err)
{
    WAIT_FOR(closes_of(who, id) >= 1);
    t_lock();
    for (int i = 0; i < nclose; i++) {
        if (closes[i].who != who || closes[i].id != id)
            continue;
        int ok = closes[i].op == op && closes[i].err == err;
        printf("%-4s %-38s OnClose(%s, %d)", ok ? "ok" : "BAD", what, op_name(closes[i].op),
               closes[i].err);
        if (!ok) {
            printf(", HP-Socket: (%s, %d)", op_name(op), err);
            mismatches++;
        }
        printf("\n");
        break;
    }
    t_unlock();
}

/* A raw client connection, returned once the server has accepted it. */
static int connect_accepted(USHORT port, HP_CONNID *id)
{
    t_lock();
    int before = naccept;
    t_unlock();
    int fd = t_connect(port, 0, 0);
    WAIT_FOR(naccept == before + 1);
    t_lock();
    *id = last_accept;
    t_unlock();
    return fd;
}

/* Closes with a reset (RST) instead of a FIN. */
static void reset_close(int fd)
{
    struct linger lg = {1, 0};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    CHECK(close(fd) == 0);
}

static void server_cases(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_TcpServer s = Create_HP_TcpServer(sl);
    HP_Server_SetMarkSilence(s, TRUE);
    USHORT port = t_start_server(s);
    HP_CONNID id;
    int fd;

    fd = connect_accepted(port, &id);
    CHECK(close(fd) == 0);
    expect_close("server: peer closes", 0, id, SO_CLOSE, 0);

    fd = connect_accepted(port, &id);
    reset_close(fd);
    expect_close("server: peer resets", 0, id, SO_CLOSE, ECONNRESET);

    fd = connect_accepted(port, &id);
    CHECK(HP_Server_Disconnect(s, id, TRUE));
    expect_close("server: HP_Server_Disconnect", 0, id, SO_CLOSE, 0);
    close(fd);

    fd = connect_accepted(port, &id);
    CHECK(send(fd, "E", 1, 0) == 1);
    expect_close("server: OnReceive HR_ERROR", 0, id, SO_RECEIVE, ECANCELED);
    close(fd);

    fd = connect_accepted(port, &id);
    CHECK(HP_Server_DisconnectSilenceConnections(s, 0, TRUE));
    expect_close("server: DisconnectSilenceConnections", 0, id, SO_CLOSE, 0);
    close(fd);

    fd = connect_accepted(port, &id);
    CHECK(HP_Server_Stop(s));
    expect_close("server: HP_Server_Stop", 0, id, SO_CLOSE, 0);
    close(fd);

    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(sl);
}

static void agent_cases(void)
{
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    HP_CONNID id;
    USHORT port;

    int refusing = t_socket(0, 0); /* bound, not listening: its port refuses connections */
    port = t_bind(refusing);
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    expect_close("agent: connect refused", 1, id, SO_CONNECT, ECONNREFUSED);
    close(refusing);

    int lfd = t_listen(&port, 8, 0, 10); /* accept gives up after 10 s instead of hanging */
    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    int fd = t_accept(lfd);
    WAIT_FOR(nconnect == 1);
    CHECK(close(fd) == 0);
    expect_close("agent: peer closes", 1, id, SO_CLOSE, 0);

    CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
    fd = t_accept(lfd);
    WAIT_FOR(nconnect == 2);
    reset_close(fd);
    expect_close("agent: peer resets", 1, id, SO_CLOSE, ECONNRESET);

    CHECK(HP_Agent_Stop(a));
    close(lfd);
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(al);
}

int main(void)
{
    server_cases();
    agent_cases();

    /* Exactly one OnClose per connection (all components are stopped now). */
    t_lock();
    for (int i = 0; i < nclose; i++)
        if (closes_of(closes[i].who, closes[i].id) != 1)
            FAILF("%s connection %lu: %d OnClose calls", closes[i].who ? "agent" : "server",
                  (unsigned long)closes[i].id, closes_of(closes[i].who, closes[i].id));
    t_unlock();
    if (mismatches)
        FAILF("%d of %d endings reported differently from HP-Socket", mismatches, nclose);
    printf("close reasons: %d endings as HP-Socket reports them\n", nclose);
    return 0;
}
