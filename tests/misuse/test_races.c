/*
 * Races: 8 threads send (server to agent and agent to server, random sizes) while other threads
 * disconnect connections, connect new ones, and stop and restart the server and the agent. Run
 * under ASan/UBSan and, as a plain build, under valgrind (tests/misuse/run.sh): no invalid
 * access, no crash, no hang, and every refused call returns one of the documented failures
 * (unknown or closed connection, not started, queue full), never a caught panic.
 *
 * Every callback reads every byte it is handed (so a dangling pData would be reported) and
 * checks the bytes' pattern; the run is bounded in time (RACE_SECONDS, shorter under valgrind).
 */
#include "hard.h"

#define SENDERS 8
#define MAX_IDS 64

static HP_TcpServer server;
static HP_TcpAgent agent;
static volatile int stop_all;
static volatile USHORT server_port;
static long long counts[8]; /* ok, refused-id, refused-state, refused-queue, other */
static uint64_t bytes_seen;

static BYTE data[70000];

static void tally(BOOL ok, const char *what)
{
    if (ok) {
        __atomic_add_fetch(&counts[0], 1, __ATOMIC_RELAXED);
        return;
    }
    int code = (int)HPX_GetLastError();
    int e = errno;
    if (code == SE_INVALID_PARAM && (e == EBADSLT || e == ENOTCONN)) /* closed, or connecting */
        __atomic_add_fetch(&counts[1], 1, __ATOMIC_RELAXED);
    else if (code == SE_ILLEGAL_STATE)
        __atomic_add_fetch(&counts[2], 1, __ATOMIC_RELAXED);
    else if (code == SE_DATA_SEND || code == SE_CONNECT_SERVER || code == SE_NETWORK ||
             code == SE_SOCKET_CREATE)
        __atomic_add_fetch(&counts[3], 1, __ATOMIC_RELAXED);
    else {
        __atomic_add_fetch(&counts[4], 1, __ATOMIC_RELAXED);
        EXPECT(0, "%s: undocumented failure %d errno %d: %s", what, code, e,
               HPX_GetLastErrorDesc());
    }
}

/* Every byte of every message is read: data[i] == (BYTE)(i * 7). Messages may be split by
 * reads, so only that each byte is a pattern byte is checked. */
static uint64_t touch(const BYTE *d, int n)
{
    uint64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += d[i];
    return sum;
}

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)s, (void)id;
    __atomic_add_fetch(&bytes_seen, touch(d, n) ? (uint64_t)n : (uint64_t)n, __ATOMIC_RELAXED);
    return HR_OK;
}
static En_HP_HandleResult s_send(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)s, (void)id;
    touch(d, n);
    return HR_OK;
}
static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)op, (void)e;
    PVOID extra = NULL;
    HP_Server_GetConnectionExtra(s, id, &extra); /* readable in OnClose */
    return HR_OK;
}
static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    (void)a, (void)id;
    __atomic_add_fetch(&bytes_seen, touch(d, n) ? (uint64_t)n : (uint64_t)n, __ATOMIC_RELAXED);
    return HR_OK;
}

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void *sender(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1;
    HP_CONNID ids[MAX_IDS];
    while (!stop_all) {
        DWORD n = MAX_IDS;
        int on_server = rnd(&seed) % 2;
        BOOL ok = on_server ? HP_Server_GetAllConnectionIDs(server, ids, &n)
                            : HP_Agent_GetAllConnectionIDs(agent, ids, &n);
        if (!ok || n == 0) {
            /* Stopped or nothing connected: a stale or made-up ID must be refused cleanly. */
            errno = 0;
            HP_CONNID id = 1 + rnd(&seed) % 100;
            tally(on_server ? HP_Server_Send(server, id, data, 10) : HP_Agent_Send(agent, id, data, 10),
                  "Send (no connections)");
            sched_yield();
            continue;
        }
        for (DWORD i = 0; i < n && !stop_all; i++) {
            int len = (int)(rnd(&seed) % (rnd(&seed) % 8 == 0 ? sizeof data : 2048)) + 1;
            errno = 0;
            BOOL r;
            if (rnd(&seed) % 4 == 0) {
                struct WSABUF b[2] = {{(UINT)(len / 2), data}, {(UINT)(len - len / 2), data + len / 2}};
                r = on_server ? HP_Server_SendPackets(server, ids[i], b, 2)
                              : HP_Agent_SendPackets(agent, ids[i], b, 2);
            } else {
                r = on_server ? HP_Server_Send(server, ids[i], data, len)
                              : HP_Agent_Send(agent, ids[i], data, len);
            }
            tally(r, on_server ? "HP_Server_Send" : "HP_Agent_Send");
        }
    }
    return NULL;
}

static void *disconnector(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    HP_CONNID ids[MAX_IDS];
    while (!stop_all) {
        DWORD n = MAX_IDS;
        int on_server = rnd(&seed) % 2;
        BOOL ok = on_server ? HP_Server_GetAllConnectionIDs(server, ids, &n)
                            : HP_Agent_GetAllConnectionIDs(agent, ids, &n);
        if (ok && n > 0) {
            HP_CONNID id = ids[rnd(&seed) % n];
            errno = 0;
            BOOL force = rnd(&seed) % 2;
            tally(on_server ? HP_Server_Disconnect(server, id, force)
                            : HP_Agent_Disconnect(agent, id, force),
                  "Disconnect");
            PVOID ex = NULL;
            errno = 0;
            tally(on_server ? HP_Server_SetConnectionExtra(server, id, (PVOID)id)
                            : HP_Agent_GetConnectionExtra(agent, id, &ex),
                  "ConnectionExtra");
        }
        struct timespec nap = {0, 2000000L}; /* pace: a disconnect every ~2 ms */
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static void *connector(void *arg)
{
    (void)arg;
    while (!stop_all) {
        if (HP_Agent_GetConnectionCount(agent) < 32) {
            HP_CONNID id;
            errno = 0;
            tally(HP_Agent_Connect(agent, "127.0.0.1", server_port, &id), "HP_Agent_Connect");
        } else {
            sched_yield();
        }
    }
    return NULL;
}

static void *restarter(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    int cycles = 0;
    while (!stop_all) {
        struct timespec nap = {0, (long)(50 + rnd(&seed) % 150) * 1000000L};
        nanosleep(&nap, NULL); /* let traffic build up, then pull the rug */
        if (rnd(&seed) % 3 == 0) {
            errno = 0;
            tally(HP_Agent_Stop(agent), "HP_Agent_Stop");
            HP_Agent_Wait(agent, INFINITE);
            errno = 0;
            tally(HP_Agent_Start(agent, NULL, TRUE), "HP_Agent_Start");
        } else {
            errno = 0;
            tally(HP_Server_Stop(server), "HP_Server_Stop");
            HP_Server_Wait(server, INFINITE);
            errno = 0;
            /* The same port again (SO_REUSEADDR): the agent keeps connecting to it. */
            BOOL ok = HP_Server_Start(server, "127.0.0.1", server_port);
            tally(ok, "HP_Server_Start");
            if (!ok) {
                CHECK(HP_Server_Start(server, "127.0.0.1", 0));
                server_port = t_listen_port(server);
            }
        }
        cycles++;
    }
    return (void *)(intptr_t)cycles;
}

int main(void)
{
    int under_valgrind = getenv("HARD_UNDER_VALGRIND") != NULL;
    double seconds = getenv("RACE_SECONDS") ? atof(getenv("RACE_SECONDS")) : under_valgrind ? 4 : 8;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (BYTE)(i * 7);

    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnSend(sl, s_send);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    server = Create_HP_TcpServer(sl);
    agent = Create_HP_TcpAgent(al);
    HP_Server_SetWorkerThreadCount(server, 3);
    HP_Agent_SetWorkerThreadCount(agent, 3);
    HPX_Server_SetMaxSendQueueBytes(server, 4 << 20); /* bounded: the agent may be stopped */
    HPX_Agent_SetMaxSendQueueBytes(agent, 4 << 20);
    server_port = t_start_server(server);
    CHECK(HP_Agent_Start(agent, NULL, TRUE));

    pthread_t senders[SENDERS], disc[2], conn, restart;
    for (int i = 0; i < SENDERS; i++)
        CHECK(pthread_create(&senders[i], NULL, sender, (void *)(uintptr_t)(i + 1)) == 0);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&disc[i], NULL, disconnector, (void *)(uintptr_t)(100 + i)) == 0);
    CHECK(pthread_create(&conn, NULL, connector, NULL) == 0);
    CHECK(pthread_create(&restart, NULL, restarter, (void *)(uintptr_t)77) == 0);

    double end = t_now() + seconds;
    while (t_now() < end) {
        struct timespec nap = {0, 50000000L}; /* the test's duration, not a synchronisation */
        nanosleep(&nap, NULL);
    }
    stop_all = 1;
    for (int i = 0; i < SENDERS; i++)
        pthread_join(senders[i], NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(disc[i], NULL);
    pthread_join(conn, NULL);
    void *cycles;
    pthread_join(restart, &cycles);

    /* Still sound afterwards: one clean round trip on fresh state. */
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);
    printf("races: %.0f s, %d stop/restart cycles; calls: %lld ok, %lld refused (closed or connecting id), "
           "%lld refused (state), %lld refused (queue/connect), %lld undocumented; %llu bytes "
           "received\n",
           seconds, (int)(intptr_t)cycles, counts[0], counts[1], counts[2], counts[3], counts[4],
           (unsigned long long)bytes_seen);
    EXPECT(counts[0] > 0, "no call succeeded");
    EXPECT((int)(intptr_t)cycles > 0, "no restart happened");
    return t_finish("races");
}
