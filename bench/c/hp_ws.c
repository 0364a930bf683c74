/*
 * hp_ws: W1's WebSocket echo server on HP-Socket's C API, one worker: every text or binary
 * message is sent back whole, as one final frame with the same opcode. Built three ways by
 * bench.mk:
 *
 *   hp522_ws        against HP-Socket 5.2.2 (declarations below, hp522.h and
 *                   tests/interop/hp522_ext.h), with its frame API: OnUpgrade answers 101 with
 *                   the Sec-WebSocket-Accept computed here (SHA-1 + base64 from libcrypto),
 *                   OnWSMessageHeader/Body/Complete reassemble each message (fragments
 *                   included) in a per-connection buffer, HP_HttpServer_SendWSMessage echoes
 *                   it; a ping gets its pong, a close its close and the connection is ended.
 *   hps_c_ws        against our libhpsocket.so (-DHPS_OWN_HEADER) in the WebSocket mode
 *                   (HPX_HttpServer_SetWebSocketMode): the library answers the handshake,
 *                   pings and closes and hands over whole messages (OnWSMessage).
 *   hps_c_ws_frames against our libhpsocket.so (-DHPS_OWN_HEADER -DHPS_WS_FRAMES) with the
 *                   same frame-API code as hp522_ws: the two libraries on identical code.
 *
 *   hp_ws [port] [workers] [max-connections]     (port 0: any)
 *   hp_ws --version
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

#if defined(HPS_OWN_HEADER) && !defined(HPS_WS_FRAMES)
#define WS_MODE 1
#endif

#ifdef HPS_OWN_HEADER
#include "HPSocket4C.h"
/* 6.x dropped the server's mask argument (a server never masks). */
#define SEND_WS(s, id, op, data, len) \
    HP_HttpServer_SendWSMessage((s), (id), TRUE, 0, (op), (data), (len), 0)
#else
#include "hp522_ext.h"
/* 5.2.2's declarations beyond hp522_ext.h, from its HPSocket4C.h (the HPSocket==0.9.3 wheel's
 * HPSocketAPI.py carries the same signatures; the exported C++ methods' mangled names confirm
 * the mask is a `const BYTE*`). */
typedef unsigned long long ULONGLONG;
typedef int En_HP_HttpUpgradeType; /* an int-sized enum */
#define HUT_WEB_SOCKET 1
#define HSC_SWITCHING_PROTOCOLS 101
typedef En_HP_HandleResult (*HP_FN_HttpServer_OnAccept)(HP_HttpServer, HP_CONNID, UINT_PTR);
typedef En_HP_HttpParseResult (*HP_FN_HttpServer_OnUpgrade)(HP_HttpServer, HP_CONNID,
                                                            En_HP_HttpUpgradeType);
typedef En_HP_HandleResult (*HP_FN_HttpServer_OnWSMessageHeader)(HP_HttpServer, HP_CONNID, BOOL,
                                                                 BYTE, BYTE, const BYTE *,
                                                                 ULONGLONG);
typedef En_HP_HandleResult (*HP_FN_HttpServer_OnWSMessageBody)(HP_HttpServer, HP_CONNID,
                                                               const BYTE *, int);
typedef En_HP_HandleResult (*HP_FN_HttpServer_OnWSMessageComplete)(HP_HttpServer, HP_CONNID);
void HP_Set_FN_HttpServer_OnAccept(HP_HttpServerListener, HP_FN_HttpServer_OnAccept);
void HP_Set_FN_HttpServer_OnUpgrade(HP_HttpServerListener, HP_FN_HttpServer_OnUpgrade);
void HP_Set_FN_HttpServer_OnWSMessageHeader(HP_HttpServerListener,
                                            HP_FN_HttpServer_OnWSMessageHeader);
void HP_Set_FN_HttpServer_OnWSMessageBody(HP_HttpServerListener,
                                          HP_FN_HttpServer_OnWSMessageBody);
void HP_Set_FN_HttpServer_OnWSMessageComplete(HP_HttpServerListener,
                                              HP_FN_HttpServer_OnWSMessageComplete);
BOOL HP_HttpServer_SendWSMessage(HP_HttpServer, HP_CONNID, BOOL, BYTE, BYTE, const BYTE *,
                                 BYTE *, int, ULONGLONG);
BOOL HP_HttpServer_GetHeader(HP_HttpServer, HP_CONNID, LPCSTR, LPCSTR *);
BOOL HP_Server_Disconnect(HP_Server, HP_CONNID, BOOL);
#define SEND_WS(s, id, op, data, len) \
    HP_HttpServer_SendWSMessage((s), (id), TRUE, 0, (op), NULL, (BYTE *)(data), (len), 0)

/* 5.2.2 has no SetNoDelay: TCP_NODELAY on the accepted socket. */
static En_HP_HandleResult OnAccept(HP_HttpServer s, HP_CONNID id, UINT_PTR sock)
{
    int one = 1;
    (void)s;
    (void)id;
    setsockopt((int)sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return HR_OK;
}
#endif

#ifdef WS_MODE

static En_HP_HandleResult OnWSMessage(HP_HttpServer s, HP_CONNID id, BYTE op, const BYTE *data,
                                      int len)
{
    if ((op == 0x1 || op == 0x2) && !SEND_WS(s, id, op, data, len))
        return HR_ERROR;
    return HR_OK;
}

#else /* the frame API */

#include <openssl/evp.h>
#include <openssl/sha.h>

/* The largest message reassembled (hpsocket's WebSocket mode default). */
#define MAX_MESSAGE (16u << 20)

struct ws_conn {
    BYTE msg_op;   /* opcode of the data message being reassembled; 0: none */
    BYTE frame_op; /* opcode of the frame being read */
    BOOL fin;      /* that frame is final */
    BYTE ctrl[125];
    int ctrl_len;
    size_t len, cap;
    BYTE *buf;
};

static struct ws_conn *conn_of(HP_HttpServer s, HP_CONNID id)
{
    PVOID extra = NULL;
    if (HP_Server_GetConnectionExtra(s, id, &extra) && extra)
        return extra;
    struct ws_conn *c = calloc(1, sizeof *c);
    if (c && !HP_Server_SetConnectionExtra(s, id, c)) {
        free(c);
        return NULL;
    }
    return c;
}

static En_HP_HttpParseResult OnUpgrade(HP_HttpServer s, HP_CONNID id, En_HP_HttpUpgradeType t)
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    LPCSTR key = NULL;
    char joined[128];
    unsigned char digest[SHA_DIGEST_LENGTH];
    char accept[32];
    if (t != HUT_WEB_SOCKET || !HP_HttpServer_GetHeader(s, id, "Sec-WebSocket-Key", &key) ||
        !key || strlen(key) > sizeof joined - sizeof guid)
        return HPR_ERROR;
    int n = snprintf(joined, sizeof joined, "%s%s", key, guid);
    SHA1((const unsigned char *)joined, (size_t)n, digest);
    EVP_EncodeBlock((unsigned char *)accept, digest, SHA_DIGEST_LENGTH);
    HP_THeader headers[] = {
        {"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", accept}};
    if (!HP_HttpServer_SendResponse(s, id, HSC_SWITCHING_PROTOCOLS, "Switching Protocols",
                                    headers, 3, NULL, 0))
        return HPR_ERROR;
    return HPR_OK;
}

static En_HP_HandleResult OnWSMessageHeader(HP_HttpServer s, HP_CONNID id, BOOL fin, BYTE rsv,
                                            BYTE op, const BYTE *mask, ULONGLONG body_len)
{
    (void)rsv;
    (void)mask; /* both libraries hand the body over unmasked */
    struct ws_conn *c = conn_of(s, id);
    if (!c)
        return HR_ERROR;
    c->frame_op = op;
    c->fin = fin;
    if (op & 0x8) {
        if (body_len > sizeof c->ctrl)
            return HR_ERROR;
        c->ctrl_len = 0;
        return HR_OK;
    }
    if (op != 0) {
        c->msg_op = op;
        c->len = 0;
    } else if (c->msg_op == 0) {
        return HR_ERROR; /* a continuation without a start */
    }
    if (body_len > MAX_MESSAGE - c->len)
        return HR_ERROR;
    size_t need = c->len + (size_t)body_len;
    if (need > c->cap) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap < need)
            cap *= 2;
        BYTE *b = realloc(c->buf, cap);
        if (!b)
            return HR_ERROR;
        c->buf = b;
        c->cap = cap;
    }
    return HR_OK;
}

static En_HP_HandleResult OnWSMessageBody(HP_HttpServer s, HP_CONNID id, const BYTE *data,
                                          int len)
{
    struct ws_conn *c = conn_of(s, id);
    if (!c || len < 0)
        return HR_ERROR;
    if (c->frame_op & 0x8) {
        if (c->ctrl_len + len > (int)sizeof c->ctrl)
            return HR_ERROR;
        memcpy(c->ctrl + c->ctrl_len, data, (size_t)len);
        c->ctrl_len += len;
        return HR_OK;
    }
    if (c->len + (size_t)len > c->cap)
        return HR_ERROR; /* more than the header announced */
    memcpy(c->buf + c->len, data, (size_t)len);
    c->len += (size_t)len;
    return HR_OK;
}

static En_HP_HandleResult OnWSMessageComplete(HP_HttpServer s, HP_CONNID id)
{
    struct ws_conn *c = conn_of(s, id);
    if (!c)
        return HR_ERROR;
    switch (c->frame_op) {
    case 0x8: /* answer the close with the same code, then end the connection */
        SEND_WS(s, id, 0x8, c->ctrl, c->ctrl_len);
        HP_Server_Disconnect(s, id, TRUE);
        return HR_OK;
    case 0x9:
        return SEND_WS(s, id, 0xA, c->ctrl, c->ctrl_len) ? HR_OK : HR_ERROR;
    case 0xA:
        return HR_OK;
    }
    if (!c->fin)
        return HR_OK; /* more fragments to come */
    BYTE op = c->msg_op;
    c->msg_op = 0;
    if (!SEND_WS(s, id, op, c->buf, (int)c->len))
        return HR_ERROR;
    c->len = 0;
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_HttpServer s, HP_CONNID id, En_HP_SocketOperation op,
                                  int code)
{
    PVOID extra = NULL;
    (void)op;
    (void)code;
    if (HP_Server_GetConnectionExtra(s, id, &extra) && extra) {
        struct ws_conn *c = extra;
        HP_Server_SetConnectionExtra(s, id, NULL);
        free(c->buf);
        free(c);
    }
    return HR_OK;
}

#endif /* WS_MODE */

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
#ifdef WS_MODE
    HPX_Set_FN_HttpServer_OnWSMessage(listener, OnWSMessage);
#else
    HP_Set_FN_HttpServer_OnUpgrade(listener, OnUpgrade);
    HP_Set_FN_HttpServer_OnWSMessageHeader(listener, OnWSMessageHeader);
    HP_Set_FN_HttpServer_OnWSMessageBody(listener, OnWSMessageBody);
    HP_Set_FN_HttpServer_OnWSMessageComplete(listener, OnWSMessageComplete);
    HP_Set_FN_HttpServer_OnClose(listener, OnClose);
#endif
    HP_HttpServer server = Create_HP_HttpServer(listener);
#ifdef HPS_OWN_HEADER
    HP_TcpServer_SetNoDelay(server, TRUE);
#else
    HP_Set_FN_HttpServer_OnAccept(listener, OnAccept);
#endif
#ifdef WS_MODE
    HPX_HttpServer_SetWebSocketMode(server, TRUE);
#endif
    HP_TcpServer_SetSocketListenQueue(server, SOMAXCONN);
    HP_Server_SetWorkerThreadCount(server, workers);
    HP_Server_SetMaxConnectionCount(server, max_conns);
    if (!HP_Server_Start(server, "127.0.0.1", port)) {
        fprintf(stderr, "hp_ws: start failed: %s\n", HP_Server_GetLastErrorDesc(server));
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
