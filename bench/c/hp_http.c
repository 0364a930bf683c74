/*
 * hp_http: H1's HTTP server on HP-Socket's C API, one worker: every request is answered in
 * OnMessageComplete with 200, "Content-Type: text/plain" and the 13-byte body "Hello, World!"
 * (HttpServer adds Content-Length); keep-alive, and a request that is not keep-alive is
 * released after its answer. examples/c/http_server.c's GET path without its body buffering
 * and with the bench's knobs (worker count, backlog, TCP_NODELAY, the announce line).
 * Built twice by bench.mk: against HP-Socket 5.2.2 (declarations in hp522.h and
 * tests/interop/hp522_ext.h) and against our libhpsocket.so (-DHPS_OWN_HEADER).
 *
 *   hp_http [port] [workers] [max-connections]     (port 0: any)
 *   hp_http --version
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

#ifdef HPS_OWN_HEADER
#include "HPSocket4C.h"
#else
#include "hp522_ext.h"
/* 5.2.2's HttpServer accept hook (its HPSocket4C.h), for TCP_NODELAY: 5.2.2 has no SetNoDelay. */
typedef En_HP_HandleResult (*HP_FN_HttpServer_OnAccept)(HP_HttpServer, HP_CONNID, UINT_PTR);
void HP_Set_FN_HttpServer_OnAccept(HP_HttpServerListener, HP_FN_HttpServer_OnAccept);

static En_HP_HandleResult OnAccept(HP_HttpServer s, HP_CONNID id, UINT_PTR sock)
{
    int one = 1;
    (void)s;
    (void)id;
    setsockopt((int)sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return HR_OK;
}
#endif

static const char hello[] = "Hello, World!";

static En_HP_HttpParseResult OnMessageComplete(HP_HttpServer s, HP_CONNID id)
{
    HP_THeader type = {"Content-Type", "text/plain"};
    if (!HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, &type, 1, (const BYTE *)hello,
                                    (int)(sizeof hello - 1)))
        return HPR_ERROR;
    if (!HP_HttpServer_IsKeepAlive(s, id))
        HP_HttpServer_Release(s, id);
    return HPR_OK;
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

    HP_HttpServerListener listener = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnMessageComplete(listener, OnMessageComplete);
    HP_HttpServer server = Create_HP_HttpServer(listener);
#ifdef HPS_OWN_HEADER
    HP_TcpServer_SetNoDelay(server, TRUE);
#else
    HP_Set_FN_HttpServer_OnAccept(listener, OnAccept);
#endif
    HP_TcpServer_SetSocketListenQueue(server, SOMAXCONN);
    HP_Server_SetWorkerThreadCount(server, workers);
    HP_Server_SetMaxConnectionCount(server, max_conns);
    if (!HP_Server_Start(server, "127.0.0.1", port)) {
        fprintf(stderr, "hp_http: start failed: %s\n", HP_Server_GetLastErrorDesc(server));
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
