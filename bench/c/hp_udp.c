/*
 * hp_udp: U1's UDP echo on HP-Socket's C API: a UdpServer (one pseudo-connection per peer
 * address, made by its first datagram) whose OnReceive sends the datagram back. Built twice by
 * bench.mk: against HP-Socket 5.2.2 (declarations in hp522.h + tests/interop/hp522_ext.h) and
 * against our libhpsocket.so with our header (-DHPS_OWN_HEADER).
 *
 *   hp_udp [port] [workers] [max-connections] [max-datagram] [detect-interval-ms] [rcvbuf]
 *   hp_udp --version
 *
 * Defaults: any port, 1 worker, 20000 connections, 1500-byte datagrams (both libraries'
 * defaults, 1432 and 5.2.2's 1472, are below U1's largest datagram), a 60 s heartbeat interval
 * (5.2.2 counts it in seconds: rounded up there), the kernel's default socket receive buffer
 * (rcvbuf > 0: SO_RCVBUF set to that in OnPrepareListen, as an application expecting bursts
 * from many peers would). Prints "listening 127.0.0.1:PORT" and serves
 * until killed (SIGTERM's default action).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HPS_OWN_HEADER
#include "HPSocket4C.h"
#else
#include "hp522_ext.h"
/* 5.2.2's listen hook (its HPSocket4C.h): the socket is the second argument. */
typedef En_HP_HandleResult (*HP_FN_Server_OnPrepareListen)(HP_Server, UINT_PTR);
void HP_Set_FN_Server_OnPrepareListen(HP_ServerListener, HP_FN_Server_OnPrepareListen);
#endif

static int rcvbuf;

static En_HP_HandleResult OnPrepareListen(HP_Server s, UINT_PTR sock)
{
    (void)s;
    if (rcvbuf > 0 && setsockopt((int)sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
        perror("hp_udp: SO_RCVBUF");
        return HR_ERROR;
    }
    return HR_OK;
}

static En_HP_HandleResult OnReceive(HP_Server s, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(s, id, data, len) ? HR_OK : HR_ERROR;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        DWORD v = HP_GetHPSocketVersion();
        printf("%u.%u.%u\n", (unsigned)(v >> 24), (unsigned)((v >> 16) & 0xff),
               (unsigned)((v >> 8) & 0xff));
        return 0;
    }
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 0);
    DWORD workers = (DWORD)(argc > 2 ? atoi(argv[2]) : 1);
    DWORD max_conns = (DWORD)(argc > 3 ? atoi(argv[3]) : 20000);
    DWORD max_dgram = (DWORD)(argc > 4 ? atoi(argv[4]) : 1500);
    DWORD detect_ms = (DWORD)(argc > 5 ? atoi(argv[5]) : 60000);
    rcvbuf = argc > 6 ? atoi(argv[6]) : 0;

    HP_UdpServerListener listener = Create_HP_UdpServerListener();
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnPrepareListen(listener, OnPrepareListen);
    HP_UdpServer server = Create_HP_UdpServer(listener);
    HP_Server_SetWorkerThreadCount(server, workers);
    HP_Server_SetMaxConnectionCount(server, max_conns);
    HP_UdpServer_SetMaxDatagramSize(server, max_dgram);
#ifdef HPS_OWN_HEADER
    HP_UdpServer_SetDetectInterval(server, detect_ms);
#else
    HP_UdpServer_SetDetectInterval(server, (detect_ms + 999) / 1000); /* 5.x: seconds */
#endif
    if (!HP_Server_Start(server, "127.0.0.1", port)) {
        fprintf(stderr, "hp_udp: start failed: %s\n", HP_Server_GetLastErrorDesc(server));
        return 1;
    }
    TCHAR addr[64];
    int addr_len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &addr_len, &port);
    printf("listening %s:%u\n", addr, (unsigned)port);
    fflush(stdout);
    for (;;)
        pause();
}
