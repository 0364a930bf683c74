/*
 * echo_client: sends messages to an echo server over one TcpClient and checks the echo.
 *
 *   echo_client [host] [port] [count]      defaults: 127.0.0.1, 5555, 10
 *
 * Exits 0 when every byte came back unchanged within 10 seconds, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

#define MAX_TOTAL (1 << 20)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char sent[MAX_TOTAL], received[MAX_TOTAL];
static int nsent, nreceived, closed;

static En_HP_HandleResult OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    if (nreceived + len > MAX_TOTAL)
        len = MAX_TOTAL - nreceived; /* more than was sent: the comparison will fail */
    memcpy(received + nreceived, data, (size_t)len);
    nreceived += len;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)sender, (void)id, (void)op, (void)err;
    pthread_mutex_lock(&mu);
    closed = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? atoi(argv[2]) : 5555);
    int count = argc > 3 ? atoi(argv[3]) : 10;

    HP_TcpClientListener listener = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_TcpClient client = Create_HP_TcpClient(listener);

    int ok = 0;
    if (!HP_Client_Start(client, host, port, FALSE)) { /* FALSE: connect synchronously */
        fprintf(stderr, "echo_client: connect to %s:%u failed: %s\n", host, (unsigned)port,
                HP_Client_GetLastErrorDesc(client));
        goto out;
    }
    for (int i = 0; i < count; i++) {
        char msg[64];
        int len = snprintf(msg, sizeof msg, "message %d from echo_client\n", i);
        pthread_mutex_lock(&mu);
        int fits = nsent + len <= MAX_TOTAL;
        if (fits) {
            memcpy(sent + nsent, msg, (size_t)len);
            nsent += len;
        }
        pthread_mutex_unlock(&mu);
        if (!fits || !HP_Client_Send(client, (const BYTE *)msg, len)) {
            fprintf(stderr, "echo_client: send %d failed\n", i);
            goto out;
        }
    }

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&mu);
    while (nreceived < nsent && !closed)
        if (pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT)
            break;
    ok = nreceived == nsent && memcmp(sent, received, (size_t)nsent) == 0;
    printf("echo_client: %d messages, %d of %d bytes echoed%s\n", count, nreceived, nsent,
           ok ? ", all correct" : " - MISMATCH");
    pthread_mutex_unlock(&mu);

out:
    HP_Client_Stop(client);
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpClientListener(listener);
    return ok ? 0 : 1;
}
