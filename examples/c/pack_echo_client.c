/*
 * pack_echo_client: HP-Socket's testecho-pack client on the C API. A TcpPackClient sends N
 * messages of varied sizes (1 byte up to the max pack size) to a PACK echo server, keeping
 * up to 16 in flight, and checks that each comes back whole, in order, byte for byte.
 *
 *   pack_echo_client [host] [port] [messages] [flag] [max-pack-size]
 *
 * Defaults: 127.0.0.1, 5555, 1000, 0x169, 0x7FF (testecho-pack's). Both sides must use the
 * same flag and max pack size. Exit status: 0 every message verified, 1 a message wrong or
 * the connection lost, 2 no answer within 30 seconds.
 *
 * The same source builds against HP-Socket 5.2.2 (tests/interop), which has no SetNoDelay.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

#define WINDOW 16 /* messages in flight */
#define DEADLINE_S 30

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static HP_TcpPackClient client;
static DWORD max_pack;
static unsigned messages, sent, received;
static unsigned long long bytes;
static int failed, closed;
static BYTE *out_buf, *want_buf;

/* Message i: its size (every 100th is the largest allowed) and its bytes. */
static int message_size(unsigned i)
{
    unsigned small = max_pack < 4096 ? max_pack : 4096;
    if (i % 100 == 99)
        return (int)max_pack;
    return 1 + (int)((i * 2654435761u) % small);
}

static void fill(BYTE *buf, unsigned i, int len)
{
    for (int j = 0; j < len; j++)
        buf[j] = (BYTE)(i * 131u + (unsigned)j * 7u + ((unsigned)j >> 9));
}

/* Sends until WINDOW messages are in flight; call with mu held. */
static void send_more(void)
{
    while (!failed && sent < messages && sent - received < WINDOW) {
        int len = message_size(sent);
        fill(out_buf, sent, len);
        if (!HP_Client_Send(client, out_buf, len)) {
            printf("pack_echo_client: send %u failed: %s\n", sent,
                   HP_Client_GetLastErrorDesc(client));
            failed = 1;
            break;
        }
        sent++;
    }
    pthread_cond_signal(&cv);
}

static En_HP_HandleResult OnPrepareConnect(HP_Client sender, HP_CONNID id, UINT_PTR sock)
{
    (void)sender, (void)id, (void)sock;
#ifdef HP_SOCKET_5_2_2
    SYS_SSO_NoDelay((SOCKET)sock, TRUE); /* 5.2.2: no SetNoDelay, set it on the socket */
#endif
    return HR_OK;
}

static En_HP_HandleResult OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    if (received >= sent) {
        printf("pack_echo_client: message %u arrived, only %u were sent\n", received, sent);
        failed = 1;
    } else {
        int want = message_size(received);
        fill(want_buf, received, want);
        if (len != want || memcmp(data, want_buf, (size_t)len) != 0) {
            printf("pack_echo_client: message %u: %d bytes, %s (want %d bytes)\n", received,
                   len, len == want ? "content differs" : "wrong size", want);
            failed = 1;
        } else {
            received++;
            bytes += (unsigned long long)len;
            send_more();
        }
    }
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    if (received < messages)
        printf("pack_echo_client: connection closed: operation %d, error %d\n", (int)op, err);
    closed = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? strtoul(argv[2], NULL, 0) : 5555);
    messages = (unsigned)(argc > 3 ? strtoul(argv[3], NULL, 0) : 1000);
    USHORT flag = (USHORT)(argc > 4 ? strtoul(argv[4], NULL, 0) : 0x169);
    max_pack = (DWORD)(argc > 5 ? strtoul(argv[5], NULL, 0) : 0x7FF);
    if (max_pack == 0 || max_pack > 0x3FFFFF) {
        fprintf(stderr, "pack_echo_client: max pack size must be 1..0x3FFFFF\n");
        return 1;
    }
    out_buf = malloc(max_pack);
    want_buf = malloc(max_pack);
    if (out_buf == NULL || want_buf == NULL)
        return 1;

    HP_TcpPackClientListener listener = Create_HP_TcpPackClientListener();
    HP_Set_FN_Client_OnPrepareConnect(listener, OnPrepareConnect);
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    client = Create_HP_TcpPackClient(listener);
    HP_TcpPackClient_SetPackHeaderFlag(client, flag);
    HP_TcpPackClient_SetMaxPackSize(client, max_pack);
#ifndef HP_SOCKET_5_2_2
    HP_TcpClient_SetNoDelay(client, TRUE); /* small frames: no Nagle / delayed-ACK stalls */
#endif

    int status = 1;
    if (!HP_Client_Start(client, host, port, FALSE)) { /* FALSE: connect synchronously */
        fprintf(stderr, "pack_echo_client: connect to %s:%u failed: %s\n", host,
                (unsigned)port, HP_Client_GetLastErrorDesc(client));
        goto out;
    }
    struct timespec t0, t1, deadline;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += DEADLINE_S;

    pthread_mutex_lock(&mu);
    send_more();
    int timed_out = 0;
    while (received < messages && !failed && !closed && !timed_out)
        timed_out = pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (received == messages && !failed) {
        printf("pack_echo_client: %u messages (%llu bytes, flag 0x%X, max 0x%X) echoed and "
               "verified in %ld ms\n",
               messages, bytes, (unsigned)flag, (unsigned)max_pack, ms);
        status = 0;
    } else {
        printf("pack_echo_client: FAILED: %u of %u messages verified%s\n", received, messages,
               timed_out ? " (timed out)" : "");
        status = timed_out ? 2 : 1;
    }
    pthread_mutex_unlock(&mu);

out:
    HP_Client_Stop(client);
    Destroy_HP_TcpPackClient(client);
    Destroy_HP_TcpPackClientListener(listener);
    free(out_buf);
    free(want_buf);
    return status;
}
