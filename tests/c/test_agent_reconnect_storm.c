/*
 * Connecting to a loopback port nobody listens on always ends in OnClose(SO_CONNECT,
 * ECONNREFUSED), never in OnConnect (defect: when the kernel picked the target port as the
 * local port, the socket connected to itself, TCP simultaneous open, and the component
 * reported a live connection to nobody; a reconnect loop then stalled). HP-Socket reports a
 * refused connect; Go's net package treats self-connects the same way.
 *
 * 1. Storm: under ephemeral-port pressure (2,000 connections opened and reset, 2,000 held
 *    open), an async agent whose OnClose reconnects to a closed port, 300 times: all 301
 *    OnClose(SO_CONNECT, ECONNREFUSED) arrive within 20 s, and no OnConnect.
 * 2. Deterministic self-connect: connect to 127.0.0.1:P from local port P, nothing listening
 *    on P (Linux connects the socket to itself). Agent (HP_Agent_ConnectWithLocalPort) and
 *    client (HP_Client_StartWithBindAddressAndLocalPort), asynchronous and synchronous: async
 *    gives OnClose(SO_CONNECT, ECONNREFUSED) and no OnConnect; sync fails with errno
 *    ECONNREFUSED (the client with SE_CONNECT_SERVER) and no OnConnect.
 */
#define T_WAIT_MS 20000
#include "test.h"

#include <sys/resource.h>

#define RECONNECTS 300
#define RESET_CONNS 2000
#define IDLE_CONNS 2000

/* Under t_mu. */
static int connects, closes, bad_closes;
static int last_op, last_err;
static HP_CONNID last_close_id;
static int reconnects_left;
static USHORT storm_port;

static En_HP_HandleResult a_connect(HP_Agent a, HP_CONNID id)
{
    (void)a;
    t_lock();
    connects++;
    t_notify();
    t_unlock();
    fprintf(stderr, "OnConnect(%lu) for a port nobody listens on\n", (unsigned long)id);
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    t_lock();
    closes++;
    last_op = op;
    last_err = err;
    last_close_id = id;
    if (op != SO_CONNECT || err != ECONNREFUSED) {
        if (bad_closes++ == 0)
            fprintf(stderr, "OnClose(%lu, %d, %d), want (SO_CONNECT, ECONNREFUSED)\n",
                    (unsigned long)id, op, err);
    }
    int again = reconnects_left > 0;
    if (again)
        reconnects_left--;
    t_notify();
    t_unlock();
    if (again) {
        HP_CONNID next = 0;
        if (!HP_Agent_Connect(a, "127.0.0.1", storm_port, &next))
            FAILF("HP_Agent_Connect from OnClose failed: errno %d, %s", (int)SYS_GetLastError(),
                  HP_Agent_GetLastErrorDesc(a));
    }
    return HR_OK;
}

static En_HP_HandleResult c_connect(HP_Client c, HP_CONNID id)
{
    return a_connect(c, id);
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    return a_close(c, id, op, err);
}

static void reset_counts(int reconnects)
{
    t_lock();
    connects = closes = bad_closes = 0;
    last_op = last_err = -1;
    last_close_id = 0;
    reconnects_left = reconnects;
    t_unlock();
}

/* A port nobody listens on: bind port 0, note the port, close. */
static USHORT closed_port(void)
{
    int fd = t_socket(0, 0);
    USHORT port = t_bind(fd);
    close(fd);
    return port;
}

/* ---- ephemeral-port pressure ---- */

static int lfd = -1, nidle;
static int idle_fds[2 * IDLE_CONNS];

static int connect_pair(USHORT port, int *server_side)
{
    int fd = t_connect(port, 0, 0);
    *server_side = t_accept(lfd);
    return fd;
}

static void make_pressure(void)
{
    /* Room for the idle pairs plus some spare descriptors. */
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    }
    int idle = IDLE_CONNS;
    if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < 2L * idle + 256)
        idle = ((int)rl.rlim_cur - 256) / 2;
    CHECK(idle > 0);

    USHORT port;
    lfd = t_listen(&port, 128, 0, 0);

    for (int i = 0; i < RESET_CONNS; i++) {
        int srv;
        int fd = connect_pair(port, &srv);
        struct linger lg = {1, 0};
        CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
        close(fd); /* RST: no TIME_WAIT */
        close(srv);
    }
    for (nidle = 0; nidle < idle; nidle++)
        idle_fds[2 * nidle] = connect_pair(port, &idle_fds[2 * nidle + 1]);
}

static void release_pressure(void)
{
    for (int i = 0; i < 2 * nidle; i++)
        close(idle_fds[i]);
    close(lfd);
}

/* ---- 1. the storm ---- */

static void storm(void)
{
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    storm_port = closed_port();
    reset_counts(RECONNECTS);
    HP_CONNID id = 0;
    CHECK(HP_Agent_Connect(a, "127.0.0.1", storm_port, &id));
    WAIT_FOR(closes == RECONNECTS + 1 || connects > 0); /* fails after T_WAIT_MS (20 s) */
    t_lock();
    CHECK_EQ(connects, 0);
    CHECK_EQ(bad_closes, 0);
    t_unlock();
    CHECK(HP_Agent_Stop(a));
    CHECK_EQ(closes, RECONNECTS + 1);
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(al);
}

/* ---- 2. connecting to oneself ---- */

static void expect_refused_async(const char *what, HP_CONNID id)
{
    WAIT_FOR(closes >= 1 || connects > 0);
    t_lock();
    if (connects > 0 || last_op != SO_CONNECT || last_err != ECONNREFUSED)
        FAILF("%s: %d OnConnect, OnClose(%d, %d); want no OnConnect and (SO_CONNECT %d, "
              "ECONNREFUSED %d)",
              what, connects, last_op, last_err, SO_CONNECT, ECONNREFUSED);
    CHECK_EQ(last_close_id, id);
    t_unlock();
}

static void self_connect_agent(BOOL async)
{
    const char *what = async ? "async agent self-connect" : "sync agent self-connect";
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(a, NULL, async));
    reset_counts(0);
    USHORT p = closed_port();
    HP_CONNID id = 12345;
    BOOL ok = HP_Agent_ConnectWithLocalPort(a, "127.0.0.1", p, &id, p);
    int err = (int)SYS_GetLastError();
    if (async) {
        if (!ok)
            FAILF("%s: Connect failed at once: %s", what, HP_Agent_GetLastErrorDesc(a));
        expect_refused_async(what, id);
    } else {
        if (ok)
            FAILF("%s: Connect to own port %u returned TRUE (connection %lu)", what, p,
                  (unsigned long)id);
        CHECK_EQ(id, 0);
        CHECK_EQ(err, ECONNREFUSED);
        t_lock();
        CHECK_EQ(connects, 0);
        t_unlock();
    }
    POLL_FOR(HP_Agent_GetConnectionCount(a) == 0); /* listed until its OnClose returns */
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(al);
}

static void self_connect_client(BOOL async)
{
    const char *what = async ? "async client self-connect" : "sync client self-connect";
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnConnect(cl, c_connect);
    HP_Set_FN_Client_OnClose(cl, c_close);
    HP_TcpClient c = Create_HP_TcpClient(cl);
    reset_counts(0);
    USHORT p = closed_port();
    BOOL ok = HP_Client_StartWithBindAddressAndLocalPort(c, "127.0.0.1", p, async, "127.0.0.1", p);
    int err = (int)SYS_GetLastError();
    if (async) {
        if (!ok)
            FAILF("%s: Start failed at once: %s", what, HP_Client_GetLastErrorDesc(c));
        expect_refused_async(what, HP_Client_GetConnectionID(c));
    } else {
        if (ok)
            FAILF("%s: Start to own port %u returned TRUE", what, p);
        CHECK_EQ(HP_Client_GetLastError(c), SE_CONNECT_SERVER);
        CHECK_EQ(err, ECONNREFUSED);
        t_lock();
        CHECK_EQ(connects, 0);
        t_unlock();
    }
    POLL_FOR(HP_Client_GetState(c) == SS_STOPPED);
    Destroy_HP_TcpClient(c);
    Destroy_HP_TcpClientListener(cl);
}

int main(void)
{
    make_pressure();
    storm();
    release_pressure();
    self_connect_agent(TRUE);
    self_connect_agent(FALSE);
    self_connect_client(TRUE);
    self_connect_client(FALSE);
    printf("reconnect storm: %d refused reconnects under port pressure (%d idle); "
           "self-connects refused\n",
           RECONNECTS, nidle);
    return 0;
}
