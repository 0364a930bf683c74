/*
 * pull_echo_server: HP-Socket's testecho-pull server on the C API. A TcpPullServer buffers
 * what arrives; OnPullReceive reports how much is buffered, and the server takes it with
 * Fetch, one package at a time: a header {DWORD seq; int body_len}, then body_len bytes of
 * body {char name[30]; short age; char desc[]}. Each part fetched is sent back as it is.
 *
 *   pull_echo_server [port] [bind-address]      defaults: 5555, 0.0.0.0 (port 0: a free one)
 *
 * Prints the address it listens on; stops cleanly on Ctrl+C or SIGTERM and prints how many
 * packages it echoed.
 *
 * The same source builds against HP-Socket 5.2.2 (tests/interop), which has no SetNoDelay.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

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

/* Per connection (its connection extra): is the next part a header, and how long is it. */
typedef struct {
    BOOL is_header;
    int length;
} TPkgInfo;

#define MAX_BODY (1 << 20)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long echoed;

static En_HP_HandleResult OnAccept(HP_Server sender, HP_CONNID id, UINT_PTR sock)
{
    (void)sock;
#ifdef HP_SOCKET_5_2_2
    SYS_SSO_NoDelay((SOCKET)sock, TRUE); /* 5.2.2: no SetNoDelay, set it on the socket */
#endif
    TPkgInfo *info = malloc(sizeof *info);
    if (info == NULL)
        return HR_ERROR;
    info->is_header = TRUE;
    info->length = (int)sizeof(TPkgHeader);
    HP_Server_SetConnectionExtra(sender, id, info);
    return HR_OK;
}

static En_HP_HandleResult OnPullReceive(HP_Server sender, HP_CONNID id, int length)
{
    PVOID extra = NULL;
    if (!HP_Server_GetConnectionExtra(sender, id, &extra) || extra == NULL)
        return HR_ERROR;
    TPkgInfo *info = extra;

    int required = info->length;
    int remain = length;
    while (remain >= required) {
        remain -= required;
        BYTE *buffer = malloc((size_t)required);
        if (buffer == NULL || HP_TcpPullServer_Fetch(sender, id, buffer, required) != FR_OK) {
            free(buffer);
            return HR_ERROR;
        }
        int fetched = required;
        if (info->is_header) {
            const TPkgHeader *header = (const TPkgHeader *)buffer;
            required = header->body_len;
            if (required < (int)sizeof(TPkgBody) || required > MAX_BODY) {
                printf("[%lu] package %u: bad body length %d\n", (unsigned long)id,
                       (unsigned)header->seq, required);
                free(buffer);
                return HR_ERROR;
            }
        } else {
            required = (int)sizeof(TPkgHeader);
            pthread_mutex_lock(&mu);
            echoed++;
            pthread_mutex_unlock(&mu);
        }
        info->is_header = !info->is_header;
        info->length = required;

        BOOL ok = HP_Server_Send(sender, id, buffer, fetched);
        free(buffer);
        if (!ok)
            return HR_ERROR;
    }
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    PVOID extra = NULL;
    if (HP_Server_GetConnectionExtra(sender, id, &extra) && extra != NULL) {
        HP_Server_SetConnectionExtra(sender, id, NULL);
        free(extra);
    }
    if (err != 0) /* 0: the peer closed normally */
        printf("[%lu] closed: operation %d, error %d\n", (unsigned long)id, (int)op, err);
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? strtoul(argv[1], NULL, 0) : 5555);
    const char *bind = argc > 2 ? argv[2] : "0.0.0.0";

    sigset_t stop_signals; /* taken by sigwait below; the workers inherit the mask */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    HP_TcpPullServerListener listener = Create_HP_TcpPullServerListener();
    HP_Set_FN_Server_OnAccept(listener, OnAccept);
    HP_Set_FN_Server_OnPullReceive(listener, OnPullReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_TcpPullServer server = Create_HP_TcpPullServer(listener);
#ifndef HP_SOCKET_5_2_2
    /* Each package goes back as two sends (header, body): with Nagle on, the body can wait
     * ~40 ms for the ACK of the header, which the client delays. */
    HP_TcpServer_SetNoDelay(server, TRUE);
#endif

    if (!HP_Server_Start(server, bind, port)) {
        fprintf(stderr, "pull_echo_server: start failed: %s\n",
                HP_Server_GetLastErrorDesc(server));
        Destroy_HP_TcpPullServer(server);
        Destroy_HP_TcpPullServerListener(listener);
        return 1;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
    printf("pull_echo_server: listening on %s:%u\n", addr, (unsigned)port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    HP_Server_Stop(server);
    pthread_mutex_lock(&mu);
    printf("pull_echo_server: stopping: %lu packages echoed\n", echoed);
    pthread_mutex_unlock(&mu);
    Destroy_HP_TcpPullServer(server);
    Destroy_HP_TcpPullServerListener(listener);
    return 0;
}
