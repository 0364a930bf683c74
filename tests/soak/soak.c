/*
 * Soak: connection churn for SECONDS (argument; `make soak` 600, `make soak-smoke` 60). An echo
 * server and an agent in this process; the agent keeps up to 64 connections, each does 1-5
 * rounds of a random-size message (1 B - 64 KiB, every byte a deterministic pattern, checked on
 * its way back together with an FNV-1a checksum per round) and disconnects (or is disconnected
 * by the server now and then), and a new one takes its place.
 *
 * Every 30 s it prints RSS and open descriptors. Baseline: after a warm-up (a tenth of the run,
 * at least 5 s) the churn pauses until no connection is left, and RSS and descriptors are
 * taken; at the end the same quiet state must come back to them: descriptors exactly, RSS
 * within 20% + 8 MiB (allocator caches). Any corrupted byte, checksum or hang fails the run.
 */
#include "hard.h"

#define CONNS 64
#define MAX_MSG (64 * 1024)

struct conn {
    unsigned seed;
    int rounds_left;
    int msg_len;
    uint64_t sent_off, recv_off, round_start;
    uint64_t hash_sent, hash_recv;
};

static HP_TcpServer server;
static HP_TcpAgent agent;
static volatile int churning = 1;
static long long n_connects, n_rounds, n_bytes, n_server_kicks, errors;
static unsigned seed_counter = 1;
static USHORT port;

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xFFFFFF;
}

static void send_round(HP_Agent a, HP_CONNID id, struct conn *c)
{
    static __thread BYTE buf[MAX_MSG];
    c->msg_len = 1 + (int)(rnd(&c->seed) % (rnd(&c->seed) % 4 == 0 ? MAX_MSG : 2048));
    for (int i = 0; i < c->msg_len; i++)
        buf[i] = t_pattern(c->seed, c->sent_off + (uint64_t)i);
    c->hash_sent = t_fnv(T_FNV_INIT, buf, c->msg_len);
    c->hash_recv = T_FNV_INIT;
    c->round_start = c->sent_off;
    c->sent_off += (uint64_t)c->msg_len;
    /* Sent in parts, as applications do. */
    int half = c->msg_len / 2;
    if (!HP_Agent_Send(a, id, buf, half) || !HP_Agent_Send(a, id, buf + half, c->msg_len - half))
        HP_Agent_Disconnect(a, id, TRUE); /* the connection went away meanwhile */
}

static En_HP_HandleResult a_connect(HP_Agent a, HP_CONNID id)
{
    struct conn *c = calloc(1, sizeof *c);
    CHECK(c != NULL);
    c->seed = __atomic_add_fetch(&seed_counter, 1, __ATOMIC_RELAXED) * 2654435761u;
    c->rounds_left = 1 + (int)(rnd(&c->seed) % 5);
    CHECK(HP_Agent_SetConnectionExtra(a, id, c));
    __atomic_add_fetch(&n_connects, 1, __ATOMIC_RELAXED);
    send_round(a, id, c);
    return HR_OK;
}

static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    PVOID p = NULL;
    if (!HP_Agent_GetConnectionExtra(a, id, &p) || !p)
        return HR_ERROR;
    struct conn *c = p;
    for (int i = 0; i < n; i++) {
        if (d[i] != t_pattern(c->seed, c->recv_off + (uint64_t)i)) {
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
            fprintf(stderr, "soak: connection %lu byte %llu corrupted\n", id,
                    (unsigned long long)(c->recv_off + (uint64_t)i));
            return HR_ERROR;
        }
    }
    c->hash_recv = t_fnv(c->hash_recv, d, n);
    c->recv_off += (uint64_t)n;
    __atomic_add_fetch(&n_bytes, n, __ATOMIC_RELAXED);
    if (c->recv_off > c->sent_off) {
        __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
        return HR_ERROR;
    }
    if (c->recv_off == c->sent_off) { /* the round is back */
        if (c->hash_recv != c->hash_sent) {
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
            fprintf(stderr, "soak: connection %lu checksum mismatch\n", id);
            return HR_ERROR;
        }
        __atomic_add_fetch(&n_rounds, 1, __ATOMIC_RELAXED);
        if (--c->rounds_left > 0 && churning)
            send_round(a, id, c);
        else
            HP_Agent_Disconnect(a, id, TRUE);
    }
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)op, (void)e;
    PVOID p = NULL;
    if (HP_Agent_GetConnectionExtra(a, id, &p))
        free(p); /* the extra data is still readable in OnClose: free it here */
    return HR_OK;
}

static unsigned server_seed = 12345;
static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    /* Now and then the server hangs up instead (after echoing), to churn from both sides. */
    BOOL ok = HP_Server_Send(s, id, d, n);
    unsigned r = __atomic_add_fetch(&server_seed, 2654435761u, __ATOMIC_RELAXED);
    if (ok && (r >> 20) % 4096 == 0) {
        __atomic_add_fetch(&n_server_kicks, 1, __ATOMIC_RELAXED);
        HP_Server_Disconnect(s, id, FALSE);
    }
    return HR_OK;
}

static void top_up(void)
{
    while (churning && HP_Agent_GetConnectionCount(agent) < CONNS) {
        HP_CONNID id;
        if (!HP_Agent_Connect(agent, "127.0.0.1", port, &id)) {
            fprintf(stderr, "soak: connect failed: %s\n", HP_Agent_GetLastErrorDesc(agent));
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

static void quiesce(void)
{
    churning = 0;
    POLL_FOR_MS(60000, HP_Agent_GetConnectionCount(agent) == 0 &&
                           HP_Server_GetConnectionCount(server) == 0);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 60;
    double report_every = 30;
    double warm = seconds / 10 < 5 ? 5 : seconds / 10;

    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_Set_FN_Agent_OnClose(al, a_close);
    server = Create_HP_TcpServer(sl);
    agent = Create_HP_TcpAgent(al);
    HP_Server_SetWorkerThreadCount(server, 2);
    HP_Agent_SetWorkerThreadCount(agent, 2);
    port = t_start_server(server);
    CHECK(HP_Agent_Start(agent, NULL, TRUE));

    double t0 = t_now();
    printf("soak: %.0f s of churn, %d connections at a time, baseline after %.0f s\n", seconds,
           CONNS, warm);
    printf("soak: %8s %10s %10s %12s %8s %6s\n", "t(s)", "connects", "rounds", "MiB echoed",
           "RSS KiB", "fds");
    fflush(stdout);
    long rss_base = -1;
    int fd_base = -1;
    double next_report = t0 + report_every;
    int baseline_taken = 0;
    while (t_now() - t0 < seconds + warm) {
        top_up();
        double now = t_now();
        if (!baseline_taken && now - t0 >= warm) {
            quiesce();
            rss_base = t_rss_kib();
            fd_base = t_open_fds();
            printf("soak: baseline (quiet, after warm-up): RSS %ld KiB, %d fds\n", rss_base,
                   fd_base);
            fflush(stdout);
            churning = 1;
            baseline_taken = 1;
        }
        if (now >= next_report) {
            printf("soak: %8.0f %10lld %10lld %12.1f %8ld %6d\n", now - t0, n_connects, n_rounds,
                   (double)n_bytes / (1 << 20), t_rss_kib(), t_open_fds());
            fflush(stdout);
            next_report += report_every;
        }
        if (errors)
            break;
        struct timespec nap = {0, 1000000L}; /* the churn's own pace: top up every ms */
        nanosleep(&nap, NULL);
    }
    quiesce();
    long rss_end = t_rss_kib();
    int fd_end = t_open_fds();
    printf("soak: end (quiet): RSS %ld KiB (baseline %ld, %+ld), %d fds (baseline %d); %lld "
           "connections, %lld rounds, %.1f MiB echoed, %lld server hang-ups, %lld errors\n",
           rss_end, rss_base, rss_end - rss_base, fd_end, fd_base, n_connects, n_rounds,
           (double)n_bytes / (1 << 20), n_server_kicks, errors);
    EXPECT(errors == 0, "%lld corrupted messages or failed connects", errors);
    EXPECT(n_rounds > 0, "no round completed");
    EXPECT(fd_end == fd_base, "descriptors: %d at the end, %d at the baseline", fd_end, fd_base);
    EXPECT(rss_end <= rss_base + rss_base / 5 + 8192, "RSS grew from %ld to %ld KiB", rss_base,
           rss_end);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);
    return t_finish("soak");
}
