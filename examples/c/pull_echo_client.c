/*
 * pull_echo_client: HP-Socket's testecho-pull client on the C API. A TcpPullClient sends N
 * packages, each a header {DWORD seq; int body_len} and a body {char name[30]; short age;
 * char desc[]} of varied length, keeping up to 16 in flight. The echo is taken back the
 * testecho-pull way: OnPullReceive reports how much is buffered and the loop Fetches a header,
 * then the body it announces, and so on. Every header and body is checked.
 *
 *   pull_echo_client [host] [port] [packages]      defaults: 127.0.0.1, 5555, 1000
 *
 * Exit status: 0 every package verified, 1 a package wrong or the connection lost, 2 no
 * answer within 30 seconds.
 *
 * The same source builds against HP-Socket 5.2.2 (tests/interop), which has no SetNoDelay.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

typedef struct {
    DWORD seq;
    int body_len;
} TPkgHeader;

typedef struct {
    char name[30];
    short age;
    char desc[];
} TPkgBody;

#define WINDOW 16 /* packages in flight */
#define MAX_DESC 3000
#define MAX_PACKAGE ((int)(sizeof(TPkgHeader) + sizeof(TPkgBody)) + MAX_DESC)
#define DEADLINE_S 30

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static HP_TcpPullClient client;
static unsigned packages, sent, received;
static unsigned long long bytes;
static int failed, closed;
/* Aligned: headers and bodies are read in place. */
static _Alignas(8) BYTE out_buf[MAX_PACKAGE], want_buf[MAX_PACKAGE], in_buf[MAX_PACKAGE];

/* The receive state of testecho-pull: is the next part a header, and its length. */
static BOOL is_header = TRUE;
static int required = (int)sizeof(TPkgHeader);

/* Writes package `seq` (header and body) into buf; returns its whole length. */
static int make_package(unsigned seq, BYTE *buf)
{
    TPkgHeader *header = (TPkgHeader *)buf;
    TPkgBody *body = (TPkgBody *)(buf + sizeof(TPkgHeader));
    int desc_len = 1 + (int)((seq * 2654435761u) % MAX_DESC); /* with its NUL */
    memset(body, 0, sizeof(TPkgBody));
    snprintf(body->name, sizeof body->name, "pull_echo_client #%u", seq);
    body->age = (short)(seq % 120);
    for (int i = 0; i < desc_len - 1; i++)
        body->desc[i] = (char)('a' + (seq + (unsigned)i) % 26);
    body->desc[desc_len - 1] = '\0';
    header->seq = seq;
    header->body_len = (int)offsetof(TPkgBody, desc) + desc_len;
    return (int)sizeof(TPkgHeader) + header->body_len;
}

/* Sends until WINDOW packages are in flight; call with mu held. */
static void send_more(void)
{
    while (!failed && sent < packages && sent - received < WINDOW) {
        int len = make_package(sent, out_buf);
        if (!HP_Client_Send(client, out_buf, len)) {
            printf("pull_echo_client: send %u failed: %s\n", sent,
                   HP_Client_GetLastErrorDesc(client));
            failed = 1;
            break;
        }
        sent++;
    }
    pthread_cond_signal(&cv);
}

/* Checks one fetched part against package `received`; call with mu held. */
static int check_part(const BYTE *part, int len)
{
    if (received >= sent) {
        printf("pull_echo_client: package %u arrived, only %u were sent\n", received, sent);
        return 0;
    }
    make_package(received, want_buf);
    const TPkgHeader *want = (const TPkgHeader *)want_buf;
    if (is_header) {
        const TPkgHeader *got = (const TPkgHeader *)part;
        if (got->seq != want->seq || got->body_len != want->body_len) {
            printf("pull_echo_client: header %u: seq %u, body_len %d (want %u, %d)\n", received,
                   (unsigned)got->seq, got->body_len, (unsigned)want->seq, want->body_len);
            return 0;
        }
        return 1;
    }
    if (len != want->body_len || memcmp(part, want_buf + sizeof(TPkgHeader), (size_t)len) != 0) {
        printf("pull_echo_client: body of package %u differs\n", received);
        return 0;
    }
    received++;
    bytes += sizeof(TPkgHeader) + (unsigned long long)len;
    return 1;
}

static En_HP_HandleResult OnPullReceive(HP_Client sender, HP_CONNID id, int length)
{
    (void)id;
    pthread_mutex_lock(&mu);
    int remain = length;
    while (!failed && remain >= required) {
        remain -= required;
        if (HP_TcpPullClient_Fetch(sender, in_buf, required) != FR_OK) {
            printf("pull_echo_client: Fetch of %d bytes failed\n", required);
            failed = 1;
            break;
        }
        if (!check_part(in_buf, required)) {
            failed = 1;
            break;
        }
        required = is_header ? ((const TPkgHeader *)in_buf)->body_len : (int)sizeof(TPkgHeader);
        is_header = !is_header;
        if (is_header)
            send_more(); /* a whole package came back: room for the next */
    }
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnPrepareConnect(HP_Client sender, HP_CONNID id, UINT_PTR sock)
{
    (void)sender, (void)id, (void)sock;
#ifdef HP_SOCKET_5_2_2
    SYS_SSO_NoDelay((SOCKET)sock, TRUE); /* 5.2.2: no SetNoDelay, set it on the socket */
#endif
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    if (received < packages)
        printf("pull_echo_client: connection closed: operation %d, error %d\n", (int)op, err);
    closed = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? strtoul(argv[2], NULL, 0) : 5555);
    packages = (unsigned)(argc > 3 ? strtoul(argv[3], NULL, 0) : 1000);

    HP_TcpPullClientListener listener = Create_HP_TcpPullClientListener();
    HP_Set_FN_Client_OnPrepareConnect(listener, OnPrepareConnect);
    HP_Set_FN_Client_OnPullReceive(listener, OnPullReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    client = Create_HP_TcpPullClient(listener);
#ifndef HP_SOCKET_5_2_2
    HP_TcpClient_SetNoDelay(client, TRUE); /* small packages: no Nagle / delayed-ACK stalls */
#endif

    int status = 1;
    if (!HP_Client_Start(client, host, port, FALSE)) { /* FALSE: connect synchronously */
        fprintf(stderr, "pull_echo_client: connect to %s:%u failed: %s\n", host,
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
    while (received < packages && !failed && !closed && !timed_out)
        timed_out = pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (received == packages && !failed) {
        printf("pull_echo_client: %u packages (%llu bytes) echoed and verified in %ld ms\n",
               packages, bytes, ms);
        status = 0;
    } else {
        printf("pull_echo_client: FAILED: %u of %u packages verified%s\n", received, packages,
               timed_out ? " (timed out)" : "");
        status = timed_out ? 2 : 1;
    }
    pthread_mutex_unlock(&mu);

out:
    HP_Client_Stop(client);
    Destroy_HP_TcpPullClient(client);
    Destroy_HP_TcpPullClientListener(listener);
    return status;
}
