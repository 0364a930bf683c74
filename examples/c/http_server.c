/*
 * http_server: an HTTP server on HP-Socket's C API.
 *
 *   http_server [port] [bind-address]      defaults: 8080, 0.0.0.0 (port 0 picks a free one)
 *
 * GET answers "Hello, World!"; any request with a body gets it back (chunked uploads too);
 * GET /headers lists the request's headers; a request that is not keep-alive is released
 * after its answer. Prints the address it listens on and stops cleanly on Ctrl+C or SIGTERM.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "HPSocket4C.h"

/* One request body per connection, kept in the connection's extra data. */
typedef struct {
    size_t len, cap;
    BYTE *data;
} Body;

static Body *body_of(HP_HttpServer s, HP_CONNID id)
{
    PVOID extra = NULL;
    HP_Server_GetConnectionExtra(s, id, &extra);
    if (extra == NULL) {
        extra = calloc(1, sizeof(Body));
        HP_Server_SetConnectionExtra(s, id, extra);
    }
    return (Body *)extra;
}

static En_HP_HttpParseResult OnMessageBegin(HP_HttpServer s, HP_CONNID id)
{
    body_of(s, id)->len = 0;
    return HPR_OK;
}

static En_HP_HttpParseResult OnBody(HP_HttpServer s, HP_CONNID id, const BYTE *data, int len)
{
    Body *b = body_of(s, id);
    if (b->len + (size_t)len > b->cap) {
        size_t cap = (b->len + (size_t)len) * 2;
        BYTE *grown = realloc(b->data, cap);
        if (grown == NULL)
            return HPR_ERROR;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, (size_t)len);
    b->len += (size_t)len;
    return HPR_OK;
}

static En_HP_HttpParseResult OnMessageComplete(HP_HttpServer s, HP_CONNID id)
{
    Body *b = body_of(s, id);
    LPCSTR path = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    HP_THeader type = {"Content-Type", "text/plain"};
    BOOL ok;
    if (b->len > 0) {
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, &type, 1, b->data, (int)b->len);
    } else if (path != NULL && strcmp(path, "/headers") == 0) {
        HP_THeader all[64];
        DWORD n = 64;
        char text[8192];
        int used = 0;
        if (HP_HttpServer_GetAllHeaders(s, id, all, &n))
            for (DWORD i = 0; i < n && used < (int)sizeof text; i++)
                used += snprintf(text + used, sizeof text - (size_t)used, "%s: %s\n",
                                 all[i].name, all[i].value);
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, &type, 1, (const BYTE *)text,
                                        used < (int)sizeof text ? used : (int)sizeof text);
    } else {
        static const char hello[] = "Hello, World!";
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, &type, 1, (const BYTE *)hello,
                                        (int)strlen(hello));
    }
    if (ok && !HP_HttpServer_IsKeepAlive(s, id))
        HP_HttpServer_Release(s, id);
    return ok ? HPR_OK : HPR_ERROR;
}

static En_HP_HttpParseResult OnParseError(HP_HttpServer s, HP_CONNID id, int code, LPCSTR desc)
{
    (void)s;
    printf("[%lu] bad request: %s (%d)\n", (unsigned long)id, desc, code);
    return HPR_OK;
}

static En_HP_HandleResult OnClose(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)op;
    (void)err;
    PVOID extra = NULL;
    if (HP_Server_GetConnectionExtra(s, id, &extra) && extra != NULL) {
        free(((Body *)extra)->data);
        free(extra);
    }
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 8080);
    const char *bind = argc > 2 ? argv[2] : "0.0.0.0";

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    HP_HttpServerListener listener = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnMessageBegin(listener, OnMessageBegin);
    HP_Set_FN_HttpServer_OnBody(listener, OnBody);
    HP_Set_FN_HttpServer_OnMessageComplete(listener, OnMessageComplete);
    HP_Set_FN_HttpServer_OnParseError(listener, OnParseError);
    HP_Set_FN_HttpServer_OnClose(listener, OnClose);
    HP_HttpServer server = Create_HP_HttpServer(listener);

    if (!HP_Server_Start(server, bind, port)) {
        fprintf(stderr, "http_server: start failed: %s\n", HP_Server_GetLastErrorDesc(server));
        Destroy_HP_HttpServer(server);
        Destroy_HP_HttpServerListener(listener);
        return 1;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
    printf("http_server: listening on %s:%u\n", addr, (unsigned)port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    printf("http_server: stopping\n");

    HP_Server_Stop(server);
    Destroy_HP_HttpServer(server);
    Destroy_HP_HttpServerListener(listener);
    return 0;
}
