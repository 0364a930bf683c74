/*
 * The WebSocket mode (HPX_*): the library does RFC 6455's work. An HttpClient in the mode
 * sends HPX_HttpClient_SendWSUpgrade; the HttpServer in the mode answers 101 itself (no
 * OnUpgrade work) and its check of the key is verified by the client. Messages then arrive
 * whole through OnWSMessage: a text message sent as three fragments is one event, a ping is
 * answered with a pong by the library, and HPX_HttpClient_SendWSClose runs the closing
 * handshake (the client sees the server's close answer, both sides close). A raw peer that
 * sends an unmasked frame gets close code 1002 before the connection ends with
 * (SO_RECEIVE, EPROTO), and a request without a key gets 400. Bad settings and close codes
 * are refused. A second pair agrees on a subprotocol (the server's preference) and on
 * permessage-deflate, echoes a 100 kB text message through it, and keeps the connection
 * alive through the server's keep-alive pings, which the client answers by itself.
 */
#include "test.h"

#include <unistd.h>

static int server_messages, client_messages, client_pongs, client_pings, client_close_frames;
static int server_closes, client_closes, server_close_op, server_close_code;
static unsigned char client_got[100000];
static int client_len;
static BYTE client_op;

/* ---- server: echoes text and binary messages --------------------------------------------- */

static En_HP_HandleResult s_message(HP_HttpServer s, HP_CONNID id, BYTE op, const BYTE *d, int n)
{
    if (op == 0x1 || op == 0x2)
        CHECK(HP_HttpServer_SendWSMessage(s, id, TRUE, 0, op, d, n, 0));
    t_lock();
    server_messages++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_close(HP_HttpServer s, HP_CONNID id, En_HP_SocketOperation op, int code)
{
    (void)s, (void)id;
    t_lock();
    server_closes++;
    server_close_op = op;
    server_close_code = code;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* ---- client ------------------------------------------------------------------------------ */

static int client_upgrades;

static En_HP_HttpParseResult c_upgrade(HP_HttpClient c, HP_CONNID id, En_HP_HttpUpgradeType t)
{
    (void)id;
    CHECK_EQ(t, HUT_WEB_SOCKET);
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 101);
    t_lock();
    client_upgrades++;
    t_notify();
    t_unlock();
    return HPR_OK;
}

static En_HP_HandleResult c_message(HP_HttpClient c, HP_CONNID id, BYTE op, const BYTE *d, int n)
{
    (void)c, (void)id;
    t_lock();
    if (op == 0xA) {
        client_pongs++;
    } else if (op == 0x9) {
        client_pings++;
    } else if (op == 0x8) {
        client_close_frames++;
        CHECK(n >= 2 && d[0] == 0x03 && d[1] == 0xE8); /* 1000 */
    } else {
        CHECK((size_t)n <= sizeof client_got);
        memcpy(client_got, d, (size_t)n);
        client_len = n;
        client_op = op;
        client_messages++;
    }
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int code)
{
    (void)c, (void)id, (void)op, (void)code;
    t_lock();
    client_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* Reads from a raw socket until `want` bytes or the peer's close; returns the count. */
static int read_until(int fd, unsigned char *buf, int cap, int want)
{
    int got = 0;
    while (got < want && got < cap) {
        ssize_t k = read(fd, buf + got, (size_t)(cap - got));
        if (k <= 0)
            break;
        got += (int)k;
    }
    return got;
}

int main(void)
{
    HP_HttpServerListener sl = Create_HP_HttpServerListener();
    HPX_Set_FN_HttpServer_OnWSMessage(sl, s_message);
    HP_Set_FN_HttpServer_OnClose(sl, s_close);
    HP_HttpServer server = Create_HP_HttpServer(sl);
    CHECK(!HPX_HttpServer_IsWebSocketMode(server));
    HPX_HttpServer_SetWebSocketMode(server, TRUE);
    CHECK(HPX_HttpServer_IsWebSocketMode(server));
    CHECK_EQ(HPX_HttpServer_GetWSMaxMessageSize(server), 16u << 20);
    CHECK(!HPX_HttpServer_SetWSMaxMessageSize(server, 0));
    CHECK_EQ(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    CHECK(!HPX_HttpServer_SetWSMaxMessageSize(server, 0x80000000u));
    CHECK(HPX_HttpServer_SetWSMaxMessageSize(server, 200000));
    CHECK_EQ(HPX_HttpServer_GetWSMaxMessageSize(server), 200000);
    USHORT port = t_start_server(server);

    HP_HttpClientListener cl = Create_HP_HttpClientListener();
    HP_Set_FN_HttpClient_OnUpgrade(cl, c_upgrade);
    HPX_Set_FN_HttpClient_OnWSMessage(cl, c_message);
    HP_Set_FN_HttpClient_OnClose(cl, c_close);
    HP_HttpClient client = Create_HP_HttpClient(cl);
    HPX_HttpClient_SetWebSocketMode(client, TRUE);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    HP_THeader extra[] = {{"Origin", "http://127.0.0.1"}};
    CHECK(HPX_HttpClient_SendWSUpgrade(client, "/chat", extra, 1));
    WAIT_FOR(client_upgrades == 1);

    /* A text message in three fragments (masked by the client with random keys). */
    CHECK(HP_HttpClient_SendWSMessage(client, FALSE, 0, 0x1, NULL, (const BYTE *)"Hel", 3, 0));
    CHECK(HP_HttpClient_SendWSMessage(client, FALSE, 0, 0x0, NULL, (const BYTE *)"lo, ", 4, 0));
    CHECK(HP_HttpClient_SendWSMessage(client, TRUE, 0, 0x0, NULL, (const BYTE *)"mode", 4, 0));
    WAIT_FOR(client_messages == 1);
    t_lock();
    CHECK_EQ(server_messages, 1);
    CHECK_EQ(client_op, 0x1);
    CHECK_EQ(client_len, 11);
    CHECK(memcmp(client_got, "Hello, mode", 11) == 0);
    t_unlock();

    /* A 100,000-byte binary message, one frame. */
    static BYTE big[100000];
    t_fill(big, (int)sizeof big, 7, 0);
    CHECK(HP_HttpClient_SendWSMessage(client, TRUE, 0, 0x2, NULL, big, (int)sizeof big, 0));
    WAIT_FOR(client_messages == 2);
    t_lock();
    CHECK_EQ(client_len, (int)sizeof big);
    CHECK(memcmp(client_got, big, sizeof big) == 0);
    t_unlock();

    /* A ping: the server's library answers with a pong carrying the same payload. */
    CHECK(HP_HttpClient_SendWSMessage(client, TRUE, 0, 0x9, NULL, (const BYTE *)"p", 1, 0));
    WAIT_FOR(client_pongs == 1);

    /* Close codes that may not be sent are refused. */
    CHECK(!HPX_HttpClient_SendWSClose(client, 1005, NULL));
    CHECK_EQ(HP_Client_GetLastError(client), SE_INVALID_PARAM);
    CHECK(!HPX_HttpClient_SendWSClose(client, 999, "x"));
    /* The closing handshake: the server answers with its own close, both sides close. */
    CHECK(HPX_HttpClient_SendWSClose(client, 1000, "bye"));
    WAIT_FOR(client_close_frames == 1 && client_closes == 1 && server_closes == 1);
    t_lock();
    CHECK_EQ(server_close_op, SO_CLOSE);
    t_unlock();
    Destroy_HP_HttpClient(client);
    Destroy_HP_HttpClientListener(cl);

    /* A raw peer: a valid upgrade, then an unmasked ping, which a client may not send. */
    int fd = t_connect(port, 0, 5);
    const char *req = "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n";
    CHECK(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    static unsigned char buf[4096];
    int n = read_until(fd, buf, (int)sizeof buf - 1, 12);
    buf[n] = 0;
    CHECK(strstr((char *)buf, "HTTP/1.1 101 ") == (char *)buf);
    /* RFC 6455's sample key and its accept value. */
    CHECK(strstr((char *)buf, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != NULL);
    char *end = strstr((char *)buf, "\r\n\r\n");
    CHECK(end != NULL);
    int head = (int)(end + 4 - (char *)buf);
    const BYTE unmasked_ping[] = {0x89, 0x00};
    CHECK(write(fd, unmasked_ping, 2) == 2);
    n = head + read_until(fd, buf + head, (int)sizeof buf - head, 4);
    CHECK(n - head >= 4);
    CHECK_EQ(buf[head], 0x88);                              /* a close frame, unmasked */
    CHECK(buf[head + 2] == 0x03 && buf[head + 3] == 0xEA); /* 1002 */
    WAIT_FOR(server_closes == 2);
    t_lock();
    CHECK_EQ(server_close_op, SO_RECEIVE);
    CHECK_EQ(server_close_code, EPROTO);
    t_unlock();
    close(fd);

    /* An upgrade request without a key: 400, then the close. */
    fd = t_connect(port, 0, 5);
    const char *bad = "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
    CHECK(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
    n = read_until(fd, buf, (int)sizeof buf - 1, (int)sizeof buf - 1);
    buf[n] = 0;
    CHECK(strstr((char *)buf, "HTTP/1.1 400 ") == (char *)buf);
    WAIT_FOR(server_closes == 3);
    close(fd);

    CHECK(HP_Server_Stop(server));
    Destroy_HP_HttpServer(server);

    /* Subprotocols, permessage-deflate and keep-alive pings. */
    server = Create_HP_HttpServer(sl);
    HPX_HttpServer_SetWebSocketMode(server, TRUE);
    CHECK(!HPX_HttpServer_SetWSProtocols(server, "chat, not a token"));
    CHECK_EQ(HP_Server_GetLastError(server), SE_INVALID_PARAM);
    CHECK(HPX_HttpServer_SetWSProtocols(server, "v2.chat, v1.chat"));
    HPX_HttpServer_SetWSDeflate(server, TRUE);
    CHECK(HPX_HttpServer_IsWSDeflate(server));
    HPX_HttpServer_SetWSPingInterval(server, 50);
    CHECK_EQ(HPX_HttpServer_GetWSPingInterval(server), 50);
    port = t_start_server(server);
    cl = Create_HP_HttpClientListener();
    HP_Set_FN_HttpClient_OnUpgrade(cl, c_upgrade);
    HPX_Set_FN_HttpClient_OnWSMessage(cl, c_message);
    HP_Set_FN_HttpClient_OnClose(cl, c_close);
    client = Create_HP_HttpClient(cl);
    HPX_HttpClient_SetWebSocketMode(client, TRUE);
    CHECK(HPX_HttpClient_SetWSProtocols(client, "v1.chat,v2.chat"));
    HPX_HttpClient_SetWSDeflate(client, TRUE);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    CHECK(HPX_HttpClient_SendWSUpgrade(client, "/chat", NULL, 0));
    WAIT_FOR(client_upgrades == 2);
    char proto[16];
    int plen = 4;
    CHECK(!HPX_HttpClient_GetWSProtocol(client, proto, &plen)); /* too short */
    CHECK_EQ(plen, 8);
    plen = sizeof proto;
    CHECK(HPX_HttpClient_GetWSProtocol(client, proto, &plen));
    CHECK(strcmp(proto, "v2.chat") == 0);
    HP_CONNID sid = 0;
    DWORD count = 1;
    CHECK(HP_Server_GetAllConnectionIDs(server, &sid, &count) && count == 1);
    plen = sizeof proto;
    CHECK(HPX_HttpServer_GetWSProtocol(server, sid, proto, &plen));
    CHECK(strcmp(proto, "v2.chat") == 0);
    /* 100 kB of text through the compressor and back. */
    static char text[100000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "abcdefgh "[(i * 7 + i / 13) % 9];
    int before = client_messages;
    CHECK(HP_HttpClient_SendWSMessage(client, TRUE, 0, 0x1, NULL, (const BYTE *)text,
                                      (int)sizeof text, 0));
    WAIT_FOR(client_messages == before + 1);
    t_lock();
    CHECK_EQ(client_len, (int)sizeof text);
    CHECK(memcmp(client_got, text, sizeof text) == 0);
    t_unlock();
    /* The server pings every 50 ms of silence; the client's pongs keep it open. */
    WAIT_FOR(client_pings >= 4);
    t_lock();
    CHECK_EQ(client_closes, 1); /* only the first client's */
    t_unlock();
    CHECK_EQ(HP_Server_GetConnectionCount(server), 1);
    CHECK(HP_Client_Stop(client));
    Destroy_HP_HttpClient(client);
    Destroy_HP_HttpClientListener(cl);
    CHECK(HP_Server_Stop(server));
    Destroy_HP_HttpServer(server);
    Destroy_HP_HttpServerListener(sl);
    printf("test_http_ws_mode: ok\n");
    return 0;
}
