/*
 * hp_echo: an echo server on HP-Socket's C API, in the PUSH, PULL or PACK model, one worker.
 * Built twice by bench.mk: against HP-Socket 5.2.2 (declarations in hp522.h) and against our
 * libhpsocket.so with our header (-DHPS_OWN_HEADER).
 *
 *   hp_echo [port] [push|pull|pack] [workers] [max-connections]     (port 0: any)
 *   hp_echo --version
 *
 * Prints "listening 127.0.0.1:PORT" and serves until killed (SIGTERM's default action).
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hp522.h"

/* Our header gains the PULL and PACK servers after PUSH; bench.mk defines HPS_NO_MODELS while
 * it lacks them, and this build then serves PUSH only. */
#if defined(HPS_OWN_HEADER) && defined(HPS_NO_MODELS)
#define HAVE_MODELS 0
#else
#define HAVE_MODELS 1
#endif

#ifndef HPS_OWN_HEADER
static En_HP_HandleResult OnAccept(HP_Server s, HP_CONNID id, UINT_PTR sock)
{
    /* 5.2.2 has no SetNoDelay; the accepted socket is the third argument. */
    int one = 1;
    (void)s;
    (void)id;
    setsockopt((int)sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return HR_OK;
}
#endif

static En_HP_HandleResult OnReceive(HP_Server s, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(s, id, data, len) ? HR_OK : HR_ERROR;
}

#if HAVE_MODELS
/* PULL: one fetch buffer per worker thread; larger totals are fetched in pieces. */
#define FETCH_BUF (256 * 1024)
static __thread BYTE fetch_buf[FETCH_BUF];

static En_HP_HandleResult OnPullReceive(HP_Server s, HP_CONNID id, int len)
{
    while (len > 0) {
        int n = len < FETCH_BUF ? len : FETCH_BUF;
        if (HP_TcpPullServer_Fetch(s, id, fetch_buf, n) != FR_OK)
            return HR_ERROR;
        if (!HP_Server_Send(s, id, fetch_buf, n))
            return HR_ERROR;
        len -= n;
    }
    return HR_OK;
}
#endif

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        DWORD v = HP_GetHPSocketVersion();
        printf("%u.%u.%u\n", (unsigned)(v >> 24), (unsigned)((v >> 16) & 0xff),
               (unsigned)((v >> 8) & 0xff));
        return 0;
    }
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 0);
    const char *model = argc > 2 ? argv[2] : "push";
    DWORD workers = (DWORD)(argc > 3 ? atoi(argv[3]) : 1);
    DWORD max_conns = (DWORD)(argc > 4 ? atoi(argv[4]) : 20000);

    HP_Server server;
    HP_ServerListener listener;
    if (!HAVE_MODELS && strcmp(model, "push") != 0) {
        fprintf(stderr, "hp_echo: this build serves PUSH only\n");
        return 2;
    }
#if HAVE_MODELS
    if (strcmp(model, "pull") == 0) {
        listener = Create_HP_TcpPullServerListener();
        HP_Set_FN_Server_OnPullReceive(listener, OnPullReceive);
        server = Create_HP_TcpPullServer(listener);
    } else if (strcmp(model, "pack") == 0) {
        listener = Create_HP_TcpPackServerListener();
        HP_Set_FN_Server_OnReceive(listener, OnReceive);
        server = Create_HP_TcpPackServer(listener);
    } else
#endif
    {
        listener = Create_HP_TcpServerListener();
        HP_Set_FN_Server_OnReceive(listener, OnReceive);
        server = Create_HP_TcpServer(listener);
    }
#ifdef HPS_OWN_HEADER
    HP_TcpServer_SetNoDelay(server, TRUE); /* what a 6.x program does */
#else
    HP_Set_FN_Server_OnAccept(listener, OnAccept);
#endif
    /* The protocol's backlog for every server (5.2.2's compiled-in default may be 128). */
    HP_TcpServer_SetSocketListenQueue(server, SOMAXCONN);
    HP_Server_SetWorkerThreadCount(server, workers);
    HP_Server_SetMaxConnectionCount(server, max_conns);
    if (!HP_Server_Start(server, "127.0.0.1", port)) {
        fprintf(stderr, "hp_echo: start failed: %s\n", HP_Server_GetLastErrorDesc(server));
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
