/*
 * perf_demo: HP-Socket's testecho-pfm procedure on the C API.
 *
 * A TcpServer echoes everything. N TcpClients (or, with -a, one TcpAgent holding N
 * connections) connect synchronously, then for M rounds each connection sends one message of
 * L bytes, without waiting for echoes. Every connection sends its own deterministic byte
 * stream and checks every echoed byte against it, so a byte lost, repeated, reordered or
 * corrupted fails the run. Prints one line: bytes echoed, elapsed ms, MB/s (10^6 bytes/s).
 *
 *   perf_demo [-r both|server|client] [-a] [-H host] [-p port] [-c conns] [-e rounds]
 *             [-l length] [-t threads] [-i interval-ms] [-T deadline-s] [-M model] [-N]
 *
 * Defaults: both sides in this process on 127.0.0.1 with a free port, 100 connections x 100
 * rounds x 5000 bytes, library default worker threads, no pause between rounds, 60 s deadline,
 * model push (-M pack: HP-Socket's PACK model, each message framed and delivered whole).
 * Exit status: 0 all bytes verified; 1 a byte wrong, missing or a connection lost; 2 deadline
 * passed; 3 bad options or setup failed.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "HPSocket4C.h"

/* ---- receive models ---------------------------------------------------------------------
 * PUSH hands OnReceive bytes as they arrive. PACK frames each message (4-byte header) and
 * hands OnReceive exactly one whole message, which the demo also checks. A new model is a row
 * here plus its settings in model_configure(); the stream check works unchanged. */
typedef struct {
    const char *name;
    int whole_messages; /* OnReceive always gets exactly one message */
    HP_Server (*create_server)(HP_ServerListener);
    void (*destroy_server)(HP_Server);
    HP_Agent (*create_agent)(HP_AgentListener);
    void (*destroy_agent)(HP_Agent);
    HP_Client (*create_client)(HP_ClientListener);
    void (*destroy_client)(HP_Client);
} model_t;

static const model_t models[] = {
    {"push", 0, Create_HP_TcpServer, Destroy_HP_TcpServer, Create_HP_TcpAgent,
     Destroy_HP_TcpAgent, Create_HP_TcpClient, Destroy_HP_TcpClient},
    {"pack", 1, Create_HP_TcpPackServer, Destroy_HP_TcpPackServer, Create_HP_TcpPackAgent,
     Destroy_HP_TcpPackAgent, Create_HP_TcpPackClient, Destroy_HP_TcpPackClient},
};

/* PACK: the header flag both sides check (testecho-pack's) and room for one message. */
#define PACK_HEADER_FLAG 0x169
#define PACK_DEFAULT_MAX 0x40000

/* Per-model settings on freshly created, stopped components (NULL: not this side). */
static void model_configure(const model_t *m, HP_Server server, HP_Agent agent,
                            HP_Client client, int length)
{
    if (strcmp(m->name, "pack") == 0) {
        DWORD max = length > PACK_DEFAULT_MAX ? (DWORD)length : PACK_DEFAULT_MAX;
        if (server) {
            HP_TcpPackServer_SetMaxPackSize(server, max);
            HP_TcpPackServer_SetPackHeaderFlag(server, PACK_HEADER_FLAG);
        }
        if (agent) {
            HP_TcpPackAgent_SetMaxPackSize(agent, max);
            HP_TcpPackAgent_SetPackHeaderFlag(agent, PACK_HEADER_FLAG);
        }
        if (client) {
            HP_TcpPackClient_SetMaxPackSize(client, max);
            HP_TcpPackClient_SetPackHeaderFlag(client, PACK_HEADER_FLAG);
        }
    }
}

/* ---- options ---------------------------------------------------------------------------- */

typedef struct {
    enum { ROLE_BOTH, ROLE_SERVER, ROLE_CLIENT } role;
    int use_agent;
    const char *host;
    int port;
    int conns, rounds, length, threads, interval_ms, deadline_s, no_delay;
    const model_t *model;
} options_t;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: perf_demo [-r both|server|client] [-a] [-H host] [-p port] [-c conns]\n"
            "                 [-e rounds] [-l length] [-t threads] [-i interval-ms]\n"
            "                 [-T deadline-s] [-M push|pack] [-N]\n"
            "  -r  which side(s) to run (default both, in this process)\n"
            "  -a  one TcpAgent with all connections instead of one TcpClient each\n"
            "  -H  server address for the client side (default 127.0.0.1)\n"
            "  -p  port (default: a free one with -r both, else 5555)\n"
            "  -c  connections (100)   -e  rounds (100)   -l  bytes per message (5000)\n"
            "  -t  worker threads of server and agent (library default: 2 x CPUs + 2)\n"
            "  -i  pause between rounds in ms (0)   -T  deadline in seconds (60)\n"
            "  -M  receive model: push (bytes as they come) or pack (framed messages) (push)\n"
            "  -N  TCP_NODELAY on every socket (default off, as in HP-Socket)\n");
}

static int parse_int(const char *s, int min, int max, const char *what)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "perf_demo: %s must be %d..%d, not \"%s\"\n", what, min, max, s);
        exit(3);
    }
    return (int)v;
}

static options_t parse_options(int argc, char **argv)
{
    options_t o = {ROLE_BOTH, 0, "127.0.0.1", -1, 100, 100, 5000, 0, 0, 60, 0, &models[0]};
    int opt;
    while ((opt = getopt(argc, argv, "r:aH:p:c:e:l:t:i:T:M:Nh")) != -1) {
        switch (opt) {
        case 'r':
            if (strcmp(optarg, "both") == 0)
                o.role = ROLE_BOTH;
            else if (strcmp(optarg, "server") == 0)
                o.role = ROLE_SERVER;
            else if (strcmp(optarg, "client") == 0)
                o.role = ROLE_CLIENT;
            else {
                usage(stderr);
                exit(3);
            }
            break;
        case 'a': o.use_agent = 1; break;
        case 'H': o.host = optarg; break;
        case 'p': o.port = parse_int(optarg, 0, 65535, "-p port"); break;
        case 'c': o.conns = parse_int(optarg, 1, 10000, "-c connections"); break;
        case 'e': o.rounds = parse_int(optarg, 1, 1000000, "-e rounds"); break;
        case 'l': o.length = parse_int(optarg, 1, 16 << 20, "-l length"); break;
        case 't': o.threads = parse_int(optarg, 1, 512, "-t threads"); break;
        case 'i': o.interval_ms = parse_int(optarg, 0, 10000, "-i interval"); break;
        case 'N': o.no_delay = 1; break;
        case 'T': o.deadline_s = parse_int(optarg, 1, 3600, "-T deadline"); break;
        case 'M': {
            o.model = NULL;
            for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
                if (strcmp(optarg, models[i].name) == 0)
                    o.model = &models[i];
            if (o.model == NULL) {
                fprintf(stderr, "perf_demo: model \"%s\" is not available\n", optarg);
                exit(3);
            }
            break;
        }
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(3);
        }
    }
    if (optind != argc) {
        usage(stderr);
        exit(3);
    }
    if (o.port < 0)
        o.port = o.role == ROLE_BOTH ? 0 : 5555;
    return o;
}

/* ---- the data every connection sends and expects back ----------------------------------
 * One pseudo-random block of PERIOD bytes (a prime, so no message length divides it),
 * extended by one message length so a message is always one contiguous slice. Connection i's
 * stream starts at its own phase in the block. */
#define PERIOD 65521u

static BYTE *block;

static void make_block(int length)
{
    block = malloc(PERIOD + (size_t)length);
    if (block == NULL) {
        fprintf(stderr, "perf_demo: out of memory\n");
        exit(3);
    }
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < PERIOD + (size_t)length; i++) {
        if (i < PERIOD) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            block[i] = (BYTE)(x >> 24);
        } else {
            block[i] = block[i - PERIOD];
        }
    }
}

typedef struct {
    int index;
    uint64_t phase;     /* where this connection's stream starts in the block */
    uint64_t received;  /* only the connection's own worker touches it */
    uint64_t expected;  /* rounds x length */
} conn_t;

static conn_t *conns;
static int message_length; /* L; with PACK every OnReceive must carry exactly this much */
static int whole_messages;
static uint64_t expected_total;
static atomic_uint_fast64_t received_total;
static atomic_int failed;   /* 1 once anything is wrong */
static atomic_int stopping; /* closes are expected from now on */
static struct timespec t_first_send, t_last_byte;

static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;

static void wake_main(void)
{
    pthread_mutex_lock(&done_mu);
    pthread_cond_signal(&done_cv);
    pthread_mutex_unlock(&done_mu);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
    if (atomic_exchange(&failed, 1) == 0) { /* report the first problem only */
        va_list ap;
        va_start(ap, fmt);
        fputs("perf_demo: FAILED: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    wake_main();
}

/* Checks an echoed chunk against the connection's stream. */
static En_HP_HandleResult verify(conn_t *c, const BYTE *data, int len)
{
    if (c == NULL) {
        fail("echo on an unknown connection");
        return HR_ERROR;
    }
    if (whole_messages && len != message_length) {
        fail("connection %d: a %d-byte pack where one %d-byte message was sent", c->index, len,
             message_length);
        return HR_ERROR;
    }
    if (c->received + (uint64_t)len > c->expected) {
        fail("connection %d: %llu bytes echoed, only %llu sent", c->index,
             (unsigned long long)(c->received + (uint64_t)len),
             (unsigned long long)c->expected);
        return HR_ERROR;
    }
    uint64_t at = c->received;
    const BYTE *p = data;
    int left = len;
    while (left > 0) {
        size_t idx = (size_t)((at + c->phase) % PERIOD);
        size_t n = PERIOD - idx < (size_t)left ? PERIOD - idx : (size_t)left;
        if (memcmp(p, block + idx, n) != 0) {
            size_t k = 0;
            while (p[k] == block[idx + k])
                k++;
            fail("connection %d: byte %llu of its stream is wrong", c->index,
                 (unsigned long long)(at + k));
            return HR_ERROR;
        }
        at += n, p += n, left -= (int)n;
    }
    c->received = at;
    uint64_t total = atomic_fetch_add(&received_total, (uint64_t)len) + (uint64_t)len;
    if (total == expected_total) {
        clock_gettime(CLOCK_MONOTONIC, &t_last_byte);
        wake_main();
    }
    return HR_OK;
}

static void unexpected_close(int index, En_HP_SocketOperation op, int err)
{
    if (!atomic_load(&stopping))
        fail("connection %d closed early (operation %d, error %d)", index, (int)op, err);
}

/* ---- server ------------------------------------------------------------------------------ */

static En_HP_HandleResult server_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    return HP_Server_Send(s, id, d, n) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult server_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op,
                                       int err)
{
    (void)s, (void)id;
    if (op != SO_CLOSE)
        unexpected_close(-1, op, err);
    return HR_OK;
}

/* ---- agent and clients -------------------------------------------------------------------- */

static En_HP_HandleResult agent_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    PVOID extra = NULL;
    HP_Agent_GetConnectionExtra(a, id, &extra);
    return verify(extra, d, n);
}

static En_HP_HandleResult agent_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op,
                                      int err)
{
    PVOID extra = NULL;
    HP_Agent_GetConnectionExtra(a, id, &extra);
    unexpected_close(extra ? ((conn_t *)extra)->index : -1, op, err);
    return HR_OK;
}

static En_HP_HandleResult client_receive(HP_Client c, HP_CONNID id, const BYTE *d, int n)
{
    (void)id;
    return verify(HP_Client_GetExtra(c), d, n);
}

static En_HP_HandleResult client_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op,
                                       int err)
{
    (void)id;
    conn_t *conn = HP_Client_GetExtra(c);
    unexpected_close(conn ? conn->index : -1, op, err);
    return HR_OK;
}

/* ---- run ----------------------------------------------------------------------------------- */

static double ms_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
}

/* Runs the echo server until SIGINT/SIGTERM (role "server"). */
static int serve_forever(HP_Server server)
{
    sigset_t sigs;
    int sig;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigwait(&sigs, &sig);
    HP_Server_Stop(server);
    return 0;
}

int main(int argc, char **argv)
{
    options_t o = parse_options(argc, argv);
    const model_t *m = o.model;
    HP_Server server = NULL;
    HP_Agent agent = NULL;
    HP_Client *clients = NULL;
    HP_TcpServerListener sl = NULL;
    HP_TcpAgentListener al = NULL;
    HP_TcpClientListener cl = NULL;
    USHORT port = (USHORT)o.port;

    /* The library's threads inherit this mask: stop signals are taken only by sigwait. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (o.role == ROLE_SERVER)
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    if (o.role != ROLE_CLIENT) {
        sl = Create_HP_TcpServerListener();
        HP_Set_FN_Server_OnReceive(sl, server_receive);
        HP_Set_FN_Server_OnClose(sl, server_close);
        server = m->create_server(sl);
        if (o.threads)
            HP_Server_SetWorkerThreadCount(server, (DWORD)o.threads);
        HP_Server_SetMaxConnectionCount(server, (DWORD)o.conns + 100);
        HP_TcpServer_SetNoDelay(server, o.no_delay);
        model_configure(m, server, NULL, NULL, o.length);
        const char *bind = o.role == ROLE_BOTH ? "127.0.0.1" : "0.0.0.0";
        if (!HP_Server_Start(server, bind, port)) {
            fprintf(stderr, "perf_demo: server start failed: %s\n",
                    HP_Server_GetLastErrorDesc(server));
            return 3;
        }
        TCHAR addr[64];
        int len = (int)sizeof addr;
        HP_Server_GetListenAddress(server, addr, &len, &port);
        if (o.role == ROLE_SERVER) {
            printf("perf_demo: %s echo server on %s:%u, %u worker threads\n", m->name, addr,
                   (unsigned)port, (unsigned)HP_Server_GetWorkerThreadCount(server));
            fflush(stdout);
            int rc = serve_forever(server);
            m->destroy_server(server);
            Destroy_HP_TcpServerListener(sl);
            return rc;
        }
    }

    make_block(o.length);
    message_length = o.length;
    whole_messages = m->whole_messages;
    conns = calloc((size_t)o.conns, sizeof *conns);
    if (conns == NULL)
        return 3;
    expected_total = (uint64_t)o.conns * (uint64_t)o.rounds * (uint64_t)o.length;
    for (int i = 0; i < o.conns; i++) {
        conns[i].index = i;
        conns[i].phase = ((uint64_t)i * 7919u) % PERIOD;
        conns[i].expected = (uint64_t)o.rounds * (uint64_t)o.length;
    }

    /* Synchronous connects, as testecho-pfm does. */
    HP_CONNID *ids = calloc((size_t)o.conns, sizeof *ids);
    if (ids == NULL)
        return 3;
    if (o.use_agent) {
        al = Create_HP_TcpAgentListener();
        HP_Set_FN_Agent_OnReceive(al, agent_receive);
        HP_Set_FN_Agent_OnClose(al, agent_close);
        agent = m->create_agent(al);
        if (o.threads)
            HP_Agent_SetWorkerThreadCount(agent, (DWORD)o.threads);
        HP_Agent_SetMaxConnectionCount(agent, (DWORD)o.conns + 100);
        HP_TcpAgent_SetNoDelay(agent, o.no_delay);
        model_configure(m, NULL, agent, NULL, o.length);
        if (!HP_Agent_Start(agent, NULL, FALSE)) {
            fprintf(stderr, "perf_demo: agent start failed: %s\n",
                    HP_Agent_GetLastErrorDesc(agent));
            return 3;
        }
        for (int i = 0; i < o.conns; i++)
            if (!HP_Agent_ConnectWithExtra(agent, o.host, port, &ids[i], &conns[i])) {
                fprintf(stderr, "perf_demo: connect %d failed: %s\n", i,
                        HP_Agent_GetLastErrorDesc(agent));
                return 3;
            }
    } else {
        cl = Create_HP_TcpClientListener();
        HP_Set_FN_Client_OnReceive(cl, client_receive);
        HP_Set_FN_Client_OnClose(cl, client_close);
        clients = calloc((size_t)o.conns, sizeof *clients);
        if (clients == NULL)
            return 3;
        for (int i = 0; i < o.conns; i++) {
            clients[i] = m->create_client(cl);
            HP_Client_SetExtra(clients[i], &conns[i]);
            HP_TcpClient_SetNoDelay(clients[i], o.no_delay);
            model_configure(m, NULL, NULL, clients[i], o.length);
            if (!HP_Client_Start(clients[i], o.host, port, FALSE)) {
                fprintf(stderr, "perf_demo: connect %d failed: %s\n", i,
                        HP_Client_GetLastErrorDesc(clients[i]));
                return 3;
            }
        }
    }

    /* M rounds: one message per connection per round, without waiting for echoes. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += o.deadline_s;
    clock_gettime(CLOCK_MONOTONIC, &t_first_send);
    for (int r = 0; r < o.rounds && !atomic_load(&failed); r++) {
        for (int i = 0; i < o.conns; i++) {
            uint64_t off = (uint64_t)r * (uint64_t)o.length;
            const BYTE *msg = block + (off + conns[i].phase) % PERIOD;
            BOOL ok = o.use_agent ? HP_Agent_Send(agent, ids[i], msg, o.length)
                                  : HP_Client_Send(clients[i], msg, o.length);
            if (!ok) {
                fail("send on connection %d in round %d failed", i, r);
                break;
            }
        }
        if (o.interval_ms > 0) {
            struct timespec pause = {o.interval_ms / 1000, (o.interval_ms % 1000) * 1000000L};
            nanosleep(&pause, NULL); /* pacing, as testecho-pfm's -i */
        }
    }

    /* Wait for every byte, a failure, or the deadline. */
    int timed_out = 0;
    pthread_mutex_lock(&done_mu);
    while (atomic_load(&received_total) < expected_total && !atomic_load(&failed))
        if (pthread_cond_timedwait(&done_cv, &done_mu, &deadline) == ETIMEDOUT) {
            timed_out = atomic_load(&received_total) < expected_total;
            break;
        }
    pthread_mutex_unlock(&done_mu);

    uint64_t got = atomic_load(&received_total);
    if (timed_out || atomic_load(&failed)) {
        fprintf(stderr, "perf_demo: %s: %llu of %llu bytes echoed and verified\n",
                timed_out ? "DEADLINE PASSED" : "FAILED", (unsigned long long)got,
                (unsigned long long)expected_total);
        fflush(NULL);
        _exit(timed_out ? 2 : 1); /* skip teardown: the library may be wedged */
    }

    double ms = ms_between(t_first_send, t_last_byte);
    unsigned workers = o.use_agent ? (unsigned)HP_Agent_GetWorkerThreadCount(agent)
                                   : (server ? (unsigned)HP_Server_GetWorkerThreadCount(server)
                                             : 0);
    printf("perf_demo: %s %s x%d, %d rounds x %d B, %u workers: %llu bytes echoed and "
           "verified in %.0f ms, %.1f MB/s\n",
           m->name, o.use_agent ? "agent" : "clients", o.conns, o.rounds, o.length, workers,
           (unsigned long long)got, ms, ms > 0 ? (double)got / 1e3 / ms : 0.0);
    fflush(stdout);

    atomic_store(&stopping, 1);
    if (agent) {
        HP_Agent_Stop(agent);
        m->destroy_agent(agent);
        Destroy_HP_TcpAgentListener(al);
    }
    if (clients) {
        for (int i = 0; i < o.conns; i++) {
            HP_Client_Stop(clients[i]);
            m->destroy_client(clients[i]);
        }
        Destroy_HP_TcpClientListener(cl);
    }
    if (server) {
        HP_Server_Stop(server);
        m->destroy_server(server);
        Destroy_HP_TcpServerListener(sl);
    }
    free(clients);
    free(ids);
    free(conns);
    free(block);
    return 0;
}
