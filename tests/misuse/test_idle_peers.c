/*
 * Slow and idle peers:
 *  1. 2,000 idle connections (an agent's) and 100 active ones: DisconnectSilenceConnections
 *     closes exactly the idle ones; the active ones keep echoing;
 *  2. a slowloris peer trickling a PACK frame one byte at a time does not hold up other peers
 *     (100 echo round trips meanwhile), and DisconnectLongConnections removes it;
 *  3. a reader that never reads, with the bounded send queue on: sends are refused with
 *     SE_DATA_SEND / ENOBUFS once the bound is reached, what is queued stays within the bound,
 *     other connections are served, and OnSendDrained fires once the reader starts reading.
 * Plain build (no ASan): it counts thousands of descriptors and memory.
 */
#include "hard.h"

#define IDLE 2000
#define ACTIVE 100

static int s_closes, s_receives, drained;
static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    t_lock();
    s_receives++;
    t_notify();
    t_unlock();
    HP_Server_Send(s, id, d, n);
    return HR_OK;
}
static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)s, (void)id, (void)op, (void)e;
    t_lock();
    s_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}
static En_HP_HandleResult s_drained(HP_Server s, HP_CONNID id, int pending)
{
    (void)s, (void)id, (void)pending;
    t_lock();
    drained++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static int a_received;
static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    (void)a, (void)id, (void)d;
    t_lock();
    a_received += n;
    t_notify();
    t_unlock();
    return HR_OK;
}

static void idle_connections(HP_TcpServerListener sl)
{
    HP_TcpServer s = Create_HP_TcpServer(sl);
    HP_Server_SetWorkerThreadCount(s, 2);
    HP_TcpServer_SetSocketListenQueue(s, 4096);
    USHORT port = t_start_server(s);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_TcpAgent a = Create_HP_TcpAgent(al);
    HP_Agent_SetWorkerThreadCount(a, 2);
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    static HP_CONNID ids[IDLE + ACTIVE];
    double t0 = t_now();
    for (int i = 0; i < IDLE + ACTIVE; i++)
        CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &ids[i]));
    POLL_FOR(HP_Server_GetConnectionCount(s) == IDLE + ACTIVE);
    printf("idle: %d connections up in %.2f s\n", IDLE + ACTIVE, t_now() - t0);
    /* Let every connection be silent for a while, then make the last 100 speak. */
    HP_CONNID sids[IDLE + ACTIVE];
    DWORD n = IDLE + ACTIVE;
    CHECK(HP_Server_GetAllConnectionIDs(s, sids, &n));
    DWORD silence = 0;
    /* The margin between the idle ones' silence (3 s) and the threshold (2 s) is what the
     * 100 active ones have to speak and be echoed in; a loaded machine can take a good part
     * of a second for that. */
    POLL_FOR(HP_Server_GetSilencePeriod(s, sids[0], &silence) && silence >= 3000);
    t_lock();
    s_receives = 0;
    s_closes = 0;
    t_unlock();
    for (int i = IDLE; i < IDLE + ACTIVE; i++)
        CHECK(HP_Agent_Send(a, ids[i], (const BYTE *)"hi", 2));
    WAIT_FOR(s_receives >= ACTIVE);
    WAIT_FOR(a_received >= 2 * ACTIVE); /* the echoes are back */
    /* Silent for 2 s or more: the 2,000 idle ones, not the 100 that just spoke. */
    CHECK(HP_Server_DisconnectSilenceConnections(s, 2000, TRUE));
    WAIT_FOR(s_closes == IDLE);
    POLL_FOR(HP_Server_GetConnectionCount(s) == ACTIVE);
    POLL_FOR(HP_Agent_GetConnectionCount(a) == ACTIVE);
    t_lock();
    a_received = 0;
    t_unlock();
    for (int i = IDLE; i < IDLE + ACTIVE; i++)
        EXPECT(HP_Agent_Send(a, ids[i], (const BYTE *)"again", 5), "active %d cannot send", i);
    WAIT_FOR(a_received >= 5 * ACTIVE);
    printf("idle: DisconnectSilenceConnections closed %d idle, kept %u active (echoing)\n", IDLE,
           HP_Server_GetConnectionCount(s));
    EXPECT(1, "-");
    Destroy_HP_TcpAgent(a);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServer(s);
}

static volatile int loris_stop;
static void *slowloris(void *arg)
{
    int fd = (int)(intptr_t)arg;
    /* A PACK header announcing 1000 bytes, then the body one byte every 5 ms, never complete. */
    BYTE hdr[4] = {0xE8, 0x03, 0x00, 0x00};
    if (t_write_all(fd, hdr, 4) != 0)
        return NULL;
    while (!loris_stop) {
        if (send(fd, "s", 1, MSG_NOSIGNAL) != 1)
            break;
        struct timespec nap = {0, 5000000L}; /* the peer's behaviour under test */
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static void slow_peer(HP_TcpServerListener sl)
{
    HP_TcpPackServer s = Create_HP_TcpPackServer(sl);
    HP_TcpPackServer_SetMaxPackSize(s, 4096);
    HP_Server_SetWorkerThreadCount(s, 1); /* one worker: the slow peer shares it */
    USHORT port = t_start_server(s);
    t_lock();
    s_closes = 0;
    t_unlock();
    int loris = t_connect_raw(port);
    CHECK(loris >= 0);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, slowloris, (void *)(intptr_t)loris) == 0);
    int fd = t_connect_raw(port);
    CHECK(fd >= 0);
    double t0 = t_now();
    for (int i = 0; i < 100; i++) {
        BYTE msg[4 + 8] = {8, 0, 0, 0, 'r', 'o', 'u', 'n', 'd', 't', 'r', 'p'};
        BYTE back[12];
        CHECK(t_write_all(fd, msg, sizeof msg) == 0);
        size_t got = 0;
        while (got < sizeof back) {
            ssize_t r = t_read_wait(fd, back + got, sizeof back - got, T_WAIT_MS);
            CHECK(r > 0);
            got += (size_t)r;
        }
        CHECK(memcmp(back, msg, sizeof msg) == 0);
    }
    printf("slowloris: 100 PACK round trips in %.2f s beside a peer trickling one byte per 5 ms\n",
           t_now() - t0);
    /* Connected longer than 200 ms: only the slow peer. */
    DWORD period = 0;
    HP_CONNID ids[2];
    DWORD n = 2;
    CHECK(HP_Server_GetAllConnectionIDs(s, ids, &n) && n == 2);
    POLL_FOR(HP_Server_GetConnectPeriod(s, ids[0], &period) && period > 400);
    close(fd);
    WAIT_FOR(s_closes == 1);
    CHECK(HP_Server_DisconnectLongConnections(s, 200, TRUE));
    WAIT_FOR(s_closes == 2);
    POLL_FOR(HP_Server_GetConnectionCount(s) == 0); /* the slot is freed after OnClose */
    loris_stop = 1;
    pthread_join(th, NULL);
    close(loris);
    Destroy_HP_TcpPackServer(s);
}

static void never_reads(HP_TcpServerListener sl)
{
    const DWORD bound = 1 << 20, low = 256 << 10;
    HP_TcpServer s = Create_HP_TcpServer(sl);
    HPX_Server_SetMaxSendQueueBytes(s, bound);
    HPX_Server_SetSendQueueLowWatermark(s, low);
    USHORT port = t_start_server(s);
    int lazy = t_connect_raw(port);
    CHECK(lazy >= 0);
    POLL_FOR(HP_Server_GetConnectionCount(s) == 1);
    HP_CONNID id;
    DWORD n = 1;
    CHECK(HP_Server_GetAllConnectionIDs(s, &id, &n));
    static BYTE chunk[64 * 1024];
    memset(chunk, 'q', sizeof chunk);
    long long accepted = 0;
    int refused = 0;
    long rss0 = t_rss_kib();
    for (int i = 0; i < 2000 && !refused; i++) {
        errno = 0;
        if (HP_Server_Send(s, id, chunk, (int)sizeof chunk)) {
            accepted += (long long)sizeof chunk;
        } else {
            refused = 1;
            EXPECT(HP_Server_GetLastError(s) == SE_DATA_SEND && errno == ENOBUFS,
                   "a full queue gave error %d errno %d", (int)HP_Server_GetLastError(s), errno);
        }
    }
    int pending = 0;
    CHECK(HP_Server_GetPendingDataLength(s, id, &pending));
    printf("never-reads: %lld bytes accepted before the first refusal, %d queued (bound %u), "
           "RSS +%ld KiB\n", accepted, pending, bound, t_rss_kib() - rss0);
    EXPECT(refused, "the bounded queue never refused (%lld bytes accepted)", accepted);
    EXPECT(pending <= (int)(bound + sizeof chunk), "queued %d over the bound", pending);
    /* Others are still served. */
    int fd = t_connect_raw(port);
    CHECK(fd >= 0);
    char b[8];
    CHECK(t_write_all(fd, "other", 5) == 0);
    CHECK(t_read_wait(fd, b, sizeof b, T_WAIT_MS) == 5);
    close(fd);
    /* The reader wakes up: the queue drains and OnSendDrained fires. The last bytes may be
     * read before the worker gets to the callback, so wait for data and the flag together. */
    static char sink[1 << 16];
    double deadline = t_now() + T_WAIT_MS / 1000.0;
    while (1) {
        t_lock();
        int d = drained;
        t_unlock();
        if (d)
            break;
        ssize_t got = t_read_wait(lazy, sink, sizeof sink, 10);
        CHECK(got != 0 && got != -1); /* not end of stream, not an error; -2 is a quiet 10 ms */
        if (t_now() > deadline)
            FAILF("OnSendDrained never fired while the reader drained the queue");
    }
    EXPECT(HP_Server_Send(s, id, chunk, (int)sizeof chunk), "send after the drain refused");
    close(lazy);
    Destroy_HP_TcpServer(s);
}

int main(void)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur < 2 * (IDLE + ACTIVE) + 200) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    CHECK(lim.rlim_cur >= 2 * (IDLE + ACTIVE) + 200);
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HPX_Set_FN_Server_OnSendDrained(sl, s_drained);
    fprintf(stderr, "1. idle connections\n");
    idle_connections(sl);
    fprintf(stderr, "2. slowloris\n");
    slow_peer(sl);
    fprintf(stderr, "3. a reader that never reads\n");
    never_reads(sl);
    Destroy_HP_TcpServerListener(sl);
    return t_finish("slow and idle peers");
}
