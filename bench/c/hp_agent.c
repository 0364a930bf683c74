/*
 * hp_agent: HP-Socket's TcpAgent as a pingpong load generator (cell A1), one worker: every
 * connection sends one message on connect and echoes everything it receives. Built against
 * HP-Socket 5.2.2 (hp522.h) and, with -DHPS_OWN_HEADER, against our libhpsocket.so.
 *
 *   hp_agent ADDR PORT CONNS SIZE WARMUP_S DURATION_S [SERVER_PID]
 *
 * Prints one JSON line (the same fields as loadgen's pingpong) and exits without the orderly
 * stop, whose teardown is not part of the figure.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hp522.h"

static BYTE *first_msg;
static int first_len;
static atomic_ulong connected, bytes_in, closed;

static En_HP_HandleResult OnPrepareConnect(HP_Agent a, HP_CONNID id, UINT_PTR sock)
{
    int one = 1;
    (void)a;
    (void)id;
    setsockopt((int)sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return HR_OK;
}

static En_HP_HandleResult OnConnect(HP_Agent a, HP_CONNID id)
{
    atomic_fetch_add_explicit(&connected, 1, memory_order_relaxed);
    return HP_Agent_Send(a, id, first_msg, first_len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult OnReceive(HP_Agent a, HP_CONNID id, const BYTE *data, int len)
{
    atomic_fetch_add_explicit(&bytes_in, (unsigned long)len, memory_order_relaxed);
    return HP_Agent_Send(a, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult OnClose(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)a;
    (void)id;
    (void)op;
    (void)err;
    atomic_fetch_add_explicit(&closed, 1, memory_order_relaxed);
    return HR_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* utime + stime of a process, seconds (0 when unreadable). */
static double cpu_s(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    unsigned long ut = 0, st = 0;
    /* after ") ": state and fields 4..13, then utime (14) and stime (15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: hp_agent ADDR PORT CONNS SIZE WARMUP_S DURATION_S [SERVER_PID]\n");
        return 2;
    }
    const char *addr = argv[1];
    if (strncmp(addr, "127.", 4) != 0) {
        fprintf(stderr, "hp_agent: refusing non-loopback target %s\n", addr);
        return 2;
    }
    USHORT port = (USHORT)atoi(argv[2]);
    int conns = atoi(argv[3]);
    first_len = atoi(argv[4]);
    double warmup = atof(argv[5]), duration = atof(argv[6]);
    long server_pid = argc > 7 ? atol(argv[7]) : 0;
    if (conns < 1 || first_len < 1 || duration > 120 || warmup > 120) {
        fprintf(stderr, "hp_agent: bad arguments\n");
        return 2;
    }
    first_msg = malloc((size_t)first_len);
    for (int i = 0; i < first_len; i++)
        first_msg[i] = (BYTE)(i % 251);

    HP_AgentListener listener = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnPrepareConnect(listener, OnPrepareConnect);
    HP_Set_FN_Agent_OnConnect(listener, OnConnect);
    HP_Set_FN_Agent_OnReceive(listener, OnReceive);
    HP_Set_FN_Agent_OnClose(listener, OnClose);
    HP_Agent agent = Create_HP_TcpAgent(listener);
    HP_Agent_SetWorkerThreadCount(agent, 1);
    HP_Agent_SetMaxConnectionCount(agent, (DWORD)conns + 16);
    if (!HP_Agent_Start(agent, NULL, 1)) {
        fprintf(stderr, "hp_agent: start failed: %s\n", HP_Agent_GetLastErrorDesc(agent));
        return 1;
    }
    unsigned long setup_errors = 0;
    for (int i = 0; i < conns; i++) {
        HP_CONNID id;
        if (!HP_Agent_Connect(agent, addr, port, &id))
            setup_errors++;
    }
    double t0 = now_s();
    while (atomic_load(&connected) + setup_errors < (unsigned long)conns && now_s() - t0 < 30)
        sleep_s(0.002);
    unsigned long ok = atomic_load(&connected);
    sleep_s(warmup);
    unsigned long b0 = atomic_load(&bytes_in), e0 = atomic_load(&closed);
    double c0 = cpu_s((long)getpid()), s0 = server_pid ? cpu_s(server_pid) : 0;
    double start = now_s();
    sleep_s(duration);
    unsigned long b1 = atomic_load(&bytes_in), e1 = atomic_load(&closed);
    double secs = now_s() - start;
    double c1 = cpu_s((long)getpid()), s1 = server_pid ? cpu_s(server_pid) : 0;
    double bytes = (double)(b1 - b0);
    printf("{\"mode\":\"pingpong\",\"conns\":%d,\"connected\":%lu,\"size\":%d,\"secs\":%.6f,"
           "\"bytes\":%.0f,\"mib_s\":%.3f,\"msgs_s\":%.1f,\"server_cpu_s\":%.3f,"
           "\"client_cpu_s\":%.3f,\"errors\":%lu,\"setup_errors\":%lu}\n",
           conns, ok, first_len, secs, bytes, bytes / secs / 1048576.0,
           bytes / first_len / secs, s1 - s0, c1 - c0, e1 - e0, setup_errors + e0);
    fflush(stdout);
    _exit(0);
}
