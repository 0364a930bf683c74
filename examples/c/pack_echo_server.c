/*
 * pack_echo_server: HP-Socket's testecho-pack server on the C API. A TcpPackServer frames
 * every message (a 4-byte header: flag << 22 | length); OnReceive gets one whole message and
 * sends it back as one message.
 *
 *   pack_echo_server [port] [bind-address] [flag] [max-pack-size]
 *
 * Defaults: 5555, 0.0.0.0, 0x169, 0x7FF (testecho-pack's; HP-Socket's component defaults are
 * 0 and 0x40000). Port 0 picks a free one. Numbers may be hex (0x...). Prints the address it
 * listens on; stops cleanly on Ctrl+C or SIGTERM and prints how many messages it echoed.
 *
 * The same source builds against HP-Socket 5.2.2 (tests/interop), which has no SetNoDelay.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "HPSocket4C.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long echoed, connections;

static En_HP_HandleResult OnAccept(HP_Server sender, HP_CONNID id, UINT_PTR sock)
{
    (void)sender, (void)id, (void)sock;
#ifdef HP_SOCKET_5_2_2
    SYS_SSO_NoDelay((SOCKET)sock, TRUE); /* 5.2.2: no SetNoDelay, set it on the socket */
#endif
    pthread_mutex_lock(&mu);
    connections++;
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    if (!HP_Server_Send(sender, id, data, len))
        return HR_ERROR;
    pthread_mutex_lock(&mu);
    echoed++;
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)sender;
    if (err != 0) /* 0: the peer closed normally */
        printf("[%lu] closed: operation %d, error %d\n", (unsigned long)id, (int)op, err);
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? strtoul(argv[1], NULL, 0) : 5555);
    const char *bind = argc > 2 ? argv[2] : "0.0.0.0";
    USHORT flag = (USHORT)(argc > 3 ? strtoul(argv[3], NULL, 0) : 0x169);
    DWORD max_pack = (DWORD)(argc > 4 ? strtoul(argv[4], NULL, 0) : 0x7FF);

    sigset_t stop_signals; /* taken by sigwait below; the workers inherit the mask */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    HP_TcpPackServerListener listener = Create_HP_TcpPackServerListener();
    HP_Set_FN_Server_OnAccept(listener, OnAccept);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_TcpPackServer server = Create_HP_TcpPackServer(listener);
    HP_TcpPackServer_SetPackHeaderFlag(server, flag);
    HP_TcpPackServer_SetMaxPackSize(server, max_pack);
#ifndef HP_SOCKET_5_2_2
    HP_TcpServer_SetNoDelay(server, TRUE); /* small frames: no Nagle / delayed-ACK stalls */
#endif

    if (!HP_Server_Start(server, bind, port)) {
        fprintf(stderr, "pack_echo_server: start failed: %s\n",
                HP_Server_GetLastErrorDesc(server));
        Destroy_HP_TcpPackServer(server);
        Destroy_HP_TcpPackServerListener(listener);
        return 1;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
    printf("pack_echo_server: listening on %s:%u (flag 0x%X, max pack size 0x%X)\n", addr,
           (unsigned)port, (unsigned)flag, (unsigned)max_pack);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    HP_Server_Stop(server);
    pthread_mutex_lock(&mu);
    printf("pack_echo_server: stopping: %lu connections, %lu messages echoed\n", connections,
           echoed);
    pthread_mutex_unlock(&mu);
    Destroy_HP_TcpPackServer(server);
    Destroy_HP_TcpPackServerListener(listener);
    return 0;
}
