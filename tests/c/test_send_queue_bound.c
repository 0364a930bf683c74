/*
 * HPX_Server_SetMaxSendQueueBytes is a hard bound, also under concurrent senders (defect: the
 * check and the append were not one step, so several threads could each pass the check and
 * together overfill the queue). A peer that never reads; 16 threads send 1000-byte buffers on
 * the same connection until each has had 200 refusals (FALSE, errno ENOBUFS); after every
 * send each thread reads GetPendingDataLength. The largest value seen must not exceed the
 * bound (1 MiB). 10 rounds. (An extension: HP-Socket has no bound.)
 */
#include "test.h"

#define BOUND (1 << 20)
#define THREADS 16
#define REFUSALS 200
#define MSG 1000
#define ROUNDS 10

static HP_Server g_server;
static HP_CONNID g_conn;
static pthread_barrier_t g_start;
static int g_max_pending; /* atomic */
static long g_accepted;   /* atomic: sends that returned TRUE */

static En_HP_HandleResult s_accept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)s, (void)so;
    t_lock();
    g_conn = id;
    t_notify();
    t_unlock();
    return HR_OK;
}

static void note_pending(void)
{
    int p = 0;
    if (!HP_Server_GetPendingDataLength(g_server, g_conn, &p))
        FAILF("GetPendingDataLength failed: %s", HP_Server_GetLastErrorDesc(g_server));
    int seen = __atomic_load_n(&g_max_pending, __ATOMIC_RELAXED);
    while (p > seen &&
           !__atomic_compare_exchange_n(&g_max_pending, &seen, p, 0, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
    }
}

static void *sender(void *arg)
{
    BYTE buf[MSG];
    t_fill(buf, MSG, (unsigned)(uintptr_t)arg, 0);
    int refused = 0;
    pthread_barrier_wait(&g_start);
    while (refused < REFUSALS) {
        if (HP_Server_Send(g_server, g_conn, buf, MSG)) {
            __atomic_add_fetch(&g_accepted, 1, __ATOMIC_RELAXED);
        } else {
            int err = (int)SYS_GetLastError();
            if (err != ENOBUFS)
                FAILF("HP_Server_Send failed with errno %d (%s), want ENOBUFS", err,
                      HP_Server_GetLastErrorDesc(g_server));
            refused++;
        }
        note_pending();
    }
    return NULL;
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    g_server = Create_HP_TcpServer(sl);
    HPX_Server_SetMaxSendQueueBytes(g_server, BOUND);
    CHECK_EQ(HPX_Server_GetMaxSendQueueBytes(g_server), BOUND);
    USHORT port = t_start_server(g_server);

    for (int round = 1; round <= ROUNDS; round++) {
        t_lock();
        g_conn = 0;
        t_unlock();
        g_max_pending = 0;
        g_accepted = 0;

        /* The peer: a small receive buffer, and it never reads. */
        int fd = t_connect(port, 4096, 0);
        WAIT_FOR(g_conn != 0);

        pthread_t th[THREADS];
        CHECK(pthread_barrier_init(&g_start, NULL, THREADS) == 0);
        for (int i = 0; i < THREADS; i++)
            CHECK(pthread_create(&th[i], NULL, sender, (void *)(uintptr_t)(i + 1)) == 0);
        for (int i = 0; i < THREADS; i++)
            CHECK(pthread_join(th[i], NULL) == 0);
        pthread_barrier_destroy(&g_start);

        note_pending();
        if (g_max_pending > BOUND)
            FAILF("round %d: GetPendingDataLength reached %d, over the bound %d (%ld sends "
                  "accepted)",
                  round, g_max_pending, BOUND, g_accepted);
        CHECK(g_max_pending > BOUND / 2); /* the queue did fill up */
        printf("round %d: max pending %d of %d, %ld sends accepted\n", round, g_max_pending,
               BOUND, g_accepted);
        close(fd);
        POLL_FOR(HP_Server_GetConnectionCount(g_server) == 0);
    }

    CHECK(HP_Server_Stop(g_server));
    Destroy_HP_TcpServer(g_server);
    Destroy_HP_TcpServerListener(sl);
    printf("send queue bound: never over %d bytes with %d senders\n", BOUND, THREADS);
    return 0;
}
