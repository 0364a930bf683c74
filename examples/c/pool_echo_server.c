/*
 * pool_echo_server: a TCP echo server that offloads its work to a thread pool.
 *
 *   pool_echo_server [port] [bind-address] [pool-threads]   defaults: 5555, 0.0.0.0, 4
 *
 * OnReceive does not echo on the I/O worker: it wraps the data in a socket task
 * (Create_HP_SocketTaskObj, TBT_COPY) and submits it to an HP_ThreadPool; the task sends the
 * echo from a pool thread, where a slow handler would only hold a pool thread, not the
 * connections of an I/O worker. To keep each connection's bytes in order, the connection
 * stops receiving (PauseReceive) while its task is in the pool, and the task resumes it.
 *
 * Prints the address it listens on; stops cleanly on Ctrl+C or SIGTERM and reports how many
 * tasks echoed.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "HPSocket4C.h"

static HP_ThreadPool pool;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long echoed;

/* Runs on a pool thread; the pool destroys the task afterwards. */
static void EchoTask(HP_LPTSocketTask task)
{
    HP_Server server = (HP_Server)task->sender;
    if (HP_Server_Send(server, task->connID, task->buf, task->bufLen)) {
        pthread_mutex_lock(&mu);
        echoed++;
        pthread_mutex_unlock(&mu);
    }
    /* The next data of this connection may come now (fails harmlessly once it closed). */
    HP_Server_PauseReceive(server, task->connID, FALSE);
}

static En_HP_HandleResult OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    HP_LPTSocketTask task =
        Create_HP_SocketTaskObj(EchoTask, sender, id, data, len, TBT_COPY, 0, 0);
    if (!task)
        return HR_ERROR;
    HP_Server_PauseReceive(sender, id, TRUE);
    if (!HP_ThreadPool_Submit_Task(pool, task, INFINITE)) {
        /* Refused: the task is still ours. */
        Destroy_HP_SocketTaskObj(task);
        return HR_ERROR;
    }
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)sender;
    printf("[%lu] closed (operation %d, error %d)\n", (unsigned long)id, (int)op, err);
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 5555);
    const char *bind = argc > 2 ? argv[2] : "0.0.0.0";
    DWORD threads = (DWORD)(argc > 3 ? atoi(argv[3]) : 4);

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    /* A bounded queue; when it is full the I/O worker runs the task itself. */
    pool = Create_HP_ThreadPool(NULL);
    if (!HP_ThreadPool_Start(pool, threads, 1024, TRP_CALLER_RUN, 0)) {
        fprintf(stderr, "pool_echo_server: pool start failed: %s\n", HPX_GetLastErrorDesc());
        Destroy_HP_ThreadPool(pool);
        return 1;
    }

    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_TcpServer server = Create_HP_TcpServer(listener);

    if (!HP_Server_Start(server, bind, port)) {
        fprintf(stderr, "pool_echo_server: start failed: %s\n",
                HP_Server_GetLastErrorDesc(server));
        Destroy_HP_TcpServer(server);
        Destroy_HP_TcpServerListener(listener);
        Destroy_HP_ThreadPool(pool);
        return 1;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
    printf("pool_echo_server: listening on %s:%u (%u pool threads)\n", addr, (unsigned)port,
           (unsigned)HP_ThreadPool_GetThreadCount(pool));
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);

    /* The pool first: its queued tasks still run and send while the server is up. */
    HP_ThreadPool_Stop(pool, INFINITE);
    HP_Server_Stop(server);
    pthread_mutex_lock(&mu);
    printf("pool_echo_server: stopping: %lu tasks echoed\n", echoed);
    pthread_mutex_unlock(&mu);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(listener);
    Destroy_HP_ThreadPool(pool);
    return 0;
}
