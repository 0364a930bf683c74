/*
 * http_echo_server: the HttpServer side of the HttpAgent interop pairs (tests/interop/run.sh),
 * built against our library and against HP-Socket 5.2.2's.
 *
 *   http_echo_server [port] [bind-address]       (port 0 picks a free one)
 *
 * GET /get/N answers N pattern bytes with Content-Length, GET /file/N the same bytes from a file
 * with SendLocalFile; POST /echo answers the request body
 * (Content-Length or chunked upload alike) with Content-Length; POST /echo-chunked answers it
 * chunked (SendChunkData here; 5.2.2 has none, so the chunk framing goes through
 * HP_Server_Send there). A request that is not keep-alive is released after its answer. On
 * SIGTERM prints "N requests answered (C chunked uploads, K not keep-alive)" and stops.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "HPSocket4C.h"

typedef struct {
    size_t len, cap;
    BYTE *data;
} Body;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long answered, chunked_uploads, not_keep_alive, failures;

static void fail(const char *what, HP_CONNID id)
{
    printf("http_echo_server: [%lu] %s\n", (unsigned long)id, what);
    fflush(stdout);
    pthread_mutex_lock(&mu);
    failures++;
    pthread_mutex_unlock(&mu);
}

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

static BYTE pattern_byte(size_t i, unsigned seed) { return (BYTE)((i * 131u + seed * 7u) >> 3); }

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

/* One chunk of a chunked answer (an empty one ends it). */
static BOOL send_chunk(HP_HttpServer s, HP_CONNID id, const BYTE *data, int len)
{
#ifdef HP_SOCKET_5_2_2
    char head[32];
    int n = snprintf(head, sizeof head, "%x\r\n", (unsigned)len);
    if (!HP_Server_Send(s, id, (const BYTE *)head, n))
        return FALSE;
    if (len > 0 && !HP_Server_Send(s, id, data, len))
        return FALSE;
    return HP_Server_Send(s, id, (const BYTE *)"\r\n", 2);
#else
    return HP_HttpServer_SendChunkData(s, id, data, len, NULL);
#endif
}

static En_HP_HttpParseResult OnMessageComplete(HP_HttpServer s, HP_CONNID id)
{
    Body *b = body_of(s, id);
    LPCSTR path = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    LPCSTR te = NULL;
    int chunked = HP_HttpServer_GetHeader(s, id, "Transfer-Encoding", &te) && te != NULL &&
                  strstr(te, "chunked") != NULL;
    BOOL keep = HP_HttpServer_IsKeepAlive(s, id);
    BOOL ok = FALSE;
    if (path != NULL && strncmp(path, "/get/", 5) == 0) {
        int n = atoi(path + 5);
        BYTE *data = malloc((size_t)n + 1);
        for (int i = 0; i < n; i++)
            data[i] = pattern_byte((size_t)i, (unsigned)n);
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, NULL, 0, data, n);
        free(data);
    } else if (path != NULL && strncmp(path, "/file/", 6) == 0) {
        /* The same bytes as /get/N, from a file through SendLocalFile (5.2.2: up to 4 MiB). */
        int n = atoi(path + 6);
        char file[128];
        snprintf(file, sizeof file, "/tmp/hpsocket-interop-file-%ld-%lu", (long)getpid(),
                 (unsigned long)id);
        FILE *f = fopen(file, "wb");
        for (int i = 0; f != NULL && i < n; i++)
            fputc(pattern_byte((size_t)i, (unsigned)n), f);
        if (f == NULL || fclose(f) != 0) {
            fail("cannot write the file to send", id);
            return HPR_ERROR;
        }
        ok = HP_HttpServer_SendLocalFile(s, id, file, HSC_OK, NULL, NULL, 0);
        remove(file);
    } else if (path != NULL && strcmp(path, "/echo") == 0) {
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, NULL, 0, b->data, (int)b->len);
    } else if (path != NULL && strcmp(path, "/echo-chunked") == 0) {
        HP_THeader te_chunked = {"Transfer-Encoding", "chunked"};
        ok = HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, &te_chunked, 1, NULL, 0);
        /* Pieces of 10,000 bytes, then the last chunk. */
        for (size_t at = 0; ok && at < b->len; at += 10000) {
            size_t n = b->len - at < 10000 ? b->len - at : 10000;
            ok = send_chunk(s, id, b->data + at, (int)n);
        }
        ok = ok && send_chunk(s, id, NULL, 0);
    } else {
        fail("unknown path", id);
        return HPR_ERROR;
    }
    if (!ok) {
        fail("sending the answer failed", id);
        return HPR_ERROR;
    }
    pthread_mutex_lock(&mu);
    answered++;
    chunked_uploads += chunked;
    not_keep_alive += !keep;
    pthread_mutex_unlock(&mu);
    if (!keep)
        HP_HttpServer_Release(s, id);
    return HPR_OK;
}

static En_HP_HttpParseResult OnParseError(HP_HttpServer s, HP_CONNID id, int code, LPCSTR desc)
{
    (void)s;
    char text[256];
    snprintf(text, sizeof text, "bad request: %s (%d)", desc, code);
    fail(text, id);
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
        HP_Server_SetConnectionExtra(s, id, NULL);
    }
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? atoi(argv[1]) : 0);
    const char *bind = argc > 2 ? argv[2] : "127.0.0.1";

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
        fprintf(stderr, "http_echo_server: start failed: %s\n",
                HP_Server_GetLastErrorDesc(server));
        return 1;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
    printf("http_echo_server: listening on %s:%u\n", addr, (unsigned)port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    HP_Server_Stop(server);
    pthread_mutex_lock(&mu);
    printf("http_echo_server: stopping: %ld requests answered (%ld chunked uploads, %ld not "
           "keep-alive), %ld failures\n",
           answered, chunked_uploads, not_keep_alive, failures);
    pthread_mutex_unlock(&mu);
    Destroy_HP_HttpServer(server);
    Destroy_HP_HttpServerListener(listener);
    return failures == 0 ? 0 : 1;
}
