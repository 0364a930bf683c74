/*
 * http_agent: the HttpAgent side of the HttpAgent interop pairs (tests/interop/run.sh), built
 * against our library and against HP-Socket 5.2.2's; its peer is http_echo_server.
 *
 *   http_agent HOST PORT CONNECTIONS REQUESTS
 *
 * Opens CONNECTIONS connections and sends REQUESTS requests on each, one after the answer to
 * the last (keep-alive), cycling through six kinds: GET /get/N; POST /echo with a
 * Content-Length body; POST /echo with a chunked body; POST /echo-chunked with a
 * Content-Length body; POST /echo-chunked with a chunked body; GET /file/N (the server's
 * SendLocalFile) (SendChunkData here; 5.2.2 has
 * none, so the chunk framing goes through HP_Agent_Send there). Every answer's status, length
 * and digest is checked, and its framing (chunked for /echo-chunked). The last request of each
 * connection says "Connection: close" and the server must close it. Exits 0 when all is well.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

#define MAX_CONNS 64

typedef struct {
    HP_CONNID id;
    int k;          /* the request in flight */
    int kind;       /* its kind */
    size_t want_len;
    unsigned long long want_hash;
    size_t got_len;
    unsigned long long got_hash;
    int done, closed;
} Conn;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static Conn conns[MAX_CONNS];
static int nconns, nrequests, finished, closed_after_done;
static long chunked_uploads, chunked_answers, length_answers, failures;
static HP_HttpAgent agent;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("http_agent: FAILED: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    pthread_mutex_lock(&mu);
    failures++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static BYTE pattern_byte(size_t i, unsigned seed) { return (BYTE)((i * 131u + seed * 7u) >> 3); }

static unsigned long long fnv(unsigned long long h, const BYTE *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= d[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

#define FNV_START 0xcbf29ce484222325ull

static Conn *find(HP_CONNID id)
{
    for (int i = 0; i < nconns; i++)
        if (conns[i].id == id)
            return &conns[i];
    return NULL;
}

static size_t size_of(int c, int k) { return 1 + ((size_t)c * 7919 + (size_t)k * 104729) % 200000; }

/* One chunk of a chunked request body (an empty one ends it). */
static BOOL send_chunk(HP_CONNID id, const BYTE *data, int len)
{
#ifdef HP_SOCKET_5_2_2
    char head[32];
    int n = snprintf(head, sizeof head, "%x\r\n", (unsigned)len);
    if (!HP_Agent_Send(agent, id, (const BYTE *)head, n))
        return FALSE;
    if (len > 0 && !HP_Agent_Send(agent, id, data, len))
        return FALSE;
    return HP_Agent_Send(agent, id, (const BYTE *)"\r\n", 2);
#else
    return HP_HttpAgent_SendChunkData(agent, id, data, len, NULL);
#endif
}

/* Sends request c->k of connection index `c`; called with `mu` not held. */
static void send_next(int c)
{
    Conn *s = &conns[c];
    int k = s->k;
    int kind = (c + k) % 6;
    size_t n = size_of(c, k);
    unsigned seed = (unsigned)(c * 1000 + k);
    HP_THeader headers[2];
    int nh = 0;
    if (k == nrequests - 1)
        headers[nh++] = (HP_THeader){"Connection", "close"};
    s->kind = kind;
    s->got_len = 0;
    s->got_hash = FNV_START;
    BOOL ok;
    if (kind == 0 || kind == 5) {
        char path[64];
        snprintf(path, sizeof path, kind == 0 ? "/get/%zu" : "/file/%zu", n);
        BYTE *want = malloc(n);
        for (size_t i = 0; i < n; i++)
            want[i] = pattern_byte(i, (unsigned)n);
        s->want_len = n;
        s->want_hash = fnv(FNV_START, want, n);
        free(want);
        ok = HP_HttpAgent_SendRequest(agent, s->id, "GET", path, headers, nh, NULL, 0);
    } else {
        BYTE *body = malloc(n);
        for (size_t i = 0; i < n; i++)
            body[i] = pattern_byte(i, seed);
        s->want_len = n;
        s->want_hash = fnv(FNV_START, body, n);
        const char *path = kind >= 3 ? "/echo-chunked" : "/echo";
        if (kind == 2 || kind == 4) {
            headers[nh++] = (HP_THeader){"Transfer-Encoding", "chunked"};
            ok = HP_HttpAgent_SendRequest(agent, s->id, "POST", path, headers, nh, NULL, 0);
            size_t piece = 3000 + (size_t)k * 17;
            for (size_t at = 0; ok && at < n; at += piece) {
                size_t m = n - at < piece ? n - at : piece;
                ok = send_chunk(s->id, body + at, (int)m);
            }
            ok = ok && send_chunk(s->id, NULL, 0);
            __atomic_add_fetch(&chunked_uploads, 1, __ATOMIC_RELAXED);
        } else {
            ok = HP_HttpAgent_SendRequest(agent, s->id, "POST", path, headers, nh, body, (int)n);
        }
        free(body);
    }
    if (!ok)
        fail("connection %lu: sending request %d failed: %s", (unsigned long)s->id, k,
             HP_Agent_GetLastErrorDesc(agent));
}

static En_HP_HttpParseResult OnMessageBegin(HP_HttpAgent a, HP_CONNID id)
{
    (void)a;
    pthread_mutex_lock(&mu);
    Conn *s = find(id);
    if (s != NULL) {
        s->got_len = 0;
        s->got_hash = FNV_START;
    }
    pthread_mutex_unlock(&mu);
    return HPR_OK;
}

static En_HP_HttpParseResult OnBody(HP_HttpAgent a, HP_CONNID id, const BYTE *data, int len)
{
    (void)a;
    pthread_mutex_lock(&mu);
    Conn *s = find(id);
    if (s != NULL) {
        s->got_len += (size_t)len;
        s->got_hash = fnv(s->got_hash, data, (size_t)len);
    }
    pthread_mutex_unlock(&mu);
    return HPR_OK;
}

static En_HP_HttpParseResult OnMessageComplete(HP_HttpAgent a, HP_CONNID id)
{
    USHORT status = HP_HttpAgent_GetStatusCode(a, id);
    LPCSTR te = NULL;
    int chunked = HP_HttpAgent_GetHeader(a, id, "Transfer-Encoding", &te) && te != NULL &&
                  strstr(te, "chunked") != NULL;
    pthread_mutex_lock(&mu);
    Conn *s = find(id);
    if (s == NULL) {
        pthread_mutex_unlock(&mu);
        fail("an answer on unknown connection %lu", (unsigned long)id);
        return HPR_ERROR;
    }
    int c = (int)(s - conns), k = s->k, kind = s->kind;
    int good = status == 200 && s->got_len == s->want_len && s->got_hash == s->want_hash &&
               chunked == (kind == 3 || kind == 4);
    size_t got = s->got_len, want = s->want_len;
    if (good) {
        chunked_answers += chunked;
        length_answers += !chunked;
        s->k++;
        if (s->k == nrequests) {
            s->done = 1;
            finished++;
            pthread_cond_broadcast(&cv);
        }
    }
    int more = good && !s->done;
    pthread_mutex_unlock(&mu);
    if (!good) {
        fail("connection %lu request %d (kind %d): status %u, %zu bytes of %zu, chunked %d",
             (unsigned long)id, k, kind, status, got, want, chunked);
        return HPR_ERROR;
    }
    if (more)
        send_next(c);
    return HPR_OK;
}

static En_HP_HttpParseResult OnParseError(HP_HttpAgent a, HP_CONNID id, int code, LPCSTR desc)
{
    (void)a;
    fail("connection %lu: parse error %d: %s", (unsigned long)id, code, desc);
    return HPR_ERROR;
}

static En_HP_HandleResult OnClose(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)a;
    pthread_mutex_lock(&mu);
    Conn *s = find(id);
    int early = s != NULL && !s->done;
    if (s != NULL) {
        s->closed = 1;
        closed_after_done += s->done;
        pthread_cond_broadcast(&cv);
    }
    pthread_mutex_unlock(&mu);
    if (early)
        fail("connection %lu closed before its last answer: operation %d, error %d",
             (unsigned long)id, (int)op, err);
    return HR_OK;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: http_agent HOST PORT CONNECTIONS REQUESTS\n");
        return 2;
    }
    const char *host = argv[1];
    USHORT port = (USHORT)atoi(argv[2]);
    nconns = atoi(argv[3]);
    nrequests = atoi(argv[4]);
    if (nconns < 1 || nconns > MAX_CONNS || nrequests < 1) {
        fprintf(stderr, "http_agent: 1..%d connections, at least 1 request\n", MAX_CONNS);
        return 2;
    }

    HP_HttpAgentListener listener = Create_HP_HttpAgentListener();
    HP_Set_FN_HttpAgent_OnMessageBegin(listener, OnMessageBegin);
    HP_Set_FN_HttpAgent_OnBody(listener, OnBody);
    HP_Set_FN_HttpAgent_OnMessageComplete(listener, OnMessageComplete);
    HP_Set_FN_HttpAgent_OnParseError(listener, OnParseError);
    HP_Set_FN_HttpAgent_OnClose(listener, OnClose);
    agent = Create_HP_HttpAgent(listener);
    /* Synchronous connects: each connection is known before anything arrives on it. */
    if (!HP_Agent_Start(agent, NULL, FALSE)) {
        printf("http_agent: start failed: %s\n", HP_Agent_GetLastErrorDesc(agent));
        return 1;
    }
    for (int c = 0; c < nconns; c++) {
        HP_CONNID id = 0;
        if (!HP_Agent_Connect(agent, host, port, &id)) {
            printf("http_agent: connect failed: %s\n", HP_Agent_GetLastErrorDesc(agent));
            return 1;
        }
        pthread_mutex_lock(&mu);
        conns[c].id = id;
        pthread_mutex_unlock(&mu);
    }
    for (int c = 0; c < nconns; c++)
        send_next(c);

    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 40;
    pthread_mutex_lock(&mu);
    /* Done: every connection answered in full and closed by the server ("Connection: close"). */
    while (failures == 0 && closed_after_done < nconns)
        if (pthread_cond_timedwait(&cv, &mu, &dl) == ETIMEDOUT)
            break;
    int ok = failures == 0 && finished == nconns && closed_after_done == nconns;
    printf("http_agent: %s: %d connections x %d keep-alive requests answered in full, %d of %d "
           "connections closed by the server after \"Connection: close\" (%ld chunked uploads, "
           "%ld chunked answers, %ld Content-Length answers)\n",
           ok ? "verified" : "FAILED", finished, nrequests, closed_after_done, nconns,
           chunked_uploads, chunked_answers, length_answers);
    pthread_mutex_unlock(&mu);
    fflush(stdout);
    HP_Agent_Stop(agent);
    Destroy_HP_HttpAgent(agent);
    Destroy_HP_HttpAgentListener(listener);
    return ok ? 0 : 1;
}
