/*
 * echo_server: a TCP (or reliable UDP) echo server on HP-Socket's C API.
 *
 *   echo_server [port] [bind-address] [tcp|arq]   defaults: 5555, 0.0.0.0, tcp (port 0 picks
 *                                                 a free one)
 *
 * Prints the address it listens on, echoes every byte it receives (arq: every message, whole
 * and in order, over KCP with HP-Socket's ARQ handshake), and stops cleanly on Ctrl+C or
 * SIGTERM.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "HPSocket4C.h"

static En_HP_HandleResult OnAccept(HP_Server sender, HP_CONNID id, UINT_PTR sock)
{
    TCHAR addr[64];
    int len = (int)sizeof addr;
    USHORT port = 0;
    (void)sock;
    if (HP_Server_GetRemoteAddress(sender, id, addr, &len, &port))
        printf("[%lu] connected from %s:%u\n", (unsigned long)id, addr, (unsigned)port);
    return HR_OK;
}

static En_HP_HandleResult OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    /* Send copies or queues the data before it returns. */
    return HP_Server_Send(sender, id, data, len) ? HR_OK : HR_ERROR;
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
    int arq = argc > 3 && strcmp(argv[3], "arq") == 0;

    /* Block the stop signals in every thread (the library's workers inherit this mask) and
     * take them synchronously below with sigwait. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    /* One listener type serves both: an ARQ server reports through a server listener. */
    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(listener, OnAccept);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_Server server;
    if (arq) {
        server = Create_HP_UdpArqServer(listener);
        HP_UdpArqServer_SetNoDelay(server, TRUE);
        HP_UdpArqServer_SetFlushInterval(server, 10);
    } else {
        server = Create_HP_TcpServer(listener);
    }

    if (!HP_Server_Start(server, bind, port)) {
        fprintf(stderr, "echo_server: start failed: %s\n", HP_Server_GetLastErrorDesc(server));
        if (arq)
            Destroy_HP_UdpArqServer(server);
        else
            Destroy_HP_TcpServer(server);
        Destroy_HP_TcpServerListener(listener);
        return 1;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
    printf("echo_server: listening on %s:%u\n", addr, (unsigned)port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    printf("echo_server: stopping\n");

    HP_Server_Stop(server);
    if (arq)
        Destroy_HP_UdpArqServer(server);
    else
        Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(listener);
    return 0;
}
