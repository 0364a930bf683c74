/*
 * WebSocket frames through HPSocket4C.h (HP-Socket's frame API): an HttpClient asks for an
 * upgrade, the HttpServer answers 101 from OnUpgrade(HUT_WEB_SOCKET), and both sides then
 * speak frames: a text frame masked with a random key (the client passes no mask) arrives
 * unmasked with its key in OnWSMessageHeader and GetWSMessageState; the server echoes
 * unmasked; a 70,000-byte binary frame (64-bit length) round-trips; a frame whose payload
 * is announced by ullBodyLen and sent on with HP_Server_Send arrives whole; ullBodyLen below
 * iLength and an opcode above 0xF are refused.
 */
#include "test.h"

static int server_upgrades, client_upgrades;
static int server_frames, client_frames;
static unsigned char server_got[80000], client_got[80000];
static size_t server_len, client_len;
static int masked_seen, state_ok;

/* ---- server ------------------------------------------------------------------------------ */

static En_HP_HttpParseResult s_upgrade(HP_HttpServer s, HP_CONNID id, En_HP_HttpUpgradeType t)
{
    LPCSTR key = NULL;
    CHECK_EQ(t, HUT_WEB_SOCKET);
    CHECK(HP_HttpServer_GetHeader(s, id, "Sec-WebSocket-Key", &key));
    HP_THeader h[] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"},
                      {"Sec-WebSocket-Accept", "not-checked-by-the-frame-api"}};
    CHECK(HP_HttpServer_SendResponse(s, id, HSC_SWITCHING_PROTOCOLS, NULL, h, 3, NULL, 0));
    t_lock();
    server_upgrades++;
    t_notify();
    t_unlock();
    return HPR_OK;
}

static En_HP_HandleResult s_ws_header(HP_HttpServer s, HP_CONNID id, BOOL fin, BYTE rsv, BYTE op,
                                      const BYTE mask[4], ULONGLONG len)
{
    BOOL f = 0;
    BYTE r = 9, o = 0;
    LPCBYTE m = NULL;
    ULONGLONG l = 0, remain = 1;
    CHECK(HP_HttpServer_GetWSMessageState(s, id, &f, &r, &o, &m, &l, &remain));
    t_lock();
    state_ok += (f == fin && r == rsv && o == op && l == len && remain == len &&
                 (mask == NULL) == (m == NULL) && (m == NULL || memcmp(m, mask, 4) == 0));
    masked_seen += mask != NULL;
    server_len = 0;
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_ws_body(HP_HttpServer s, HP_CONNID id, const BYTE *d, int len)
{
    (void)s;
    (void)id;
    t_lock();
    CHECK(server_len + (size_t)len <= sizeof server_got);
    memcpy(server_got + server_len, d, (size_t)len);
    server_len += (size_t)len;
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_ws_complete(HP_HttpServer s, HP_CONNID id)
{
    BYTE op = 0;
    ULONGLONG remain = 1;
    CHECK(HP_HttpServer_GetWSMessageState(s, id, NULL, NULL, &op, NULL, NULL, &remain));
    CHECK_EQ(remain, 0);
    /* Echo the frame, unmasked, with the same opcode. */
    t_lock();
    size_t n = server_len;
    static unsigned char copy[80000];
    memcpy(copy, server_got, n);
    server_frames++;
    t_notify();
    t_unlock();
    CHECK(HP_HttpServer_SendWSMessage(s, id, TRUE, 0, op, copy, (int)n, 0));
    return HR_OK;
}

/* ---- client ------------------------------------------------------------------------------ */

static En_HP_HttpParseResult c_upgrade(HP_HttpClient c, HP_CONNID id, En_HP_HttpUpgradeType t)
{
    (void)id;
    CHECK_EQ(t, HUT_WEB_SOCKET);
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 101);
    CHECK(HP_HttpClient_IsUpgrade(c));
    t_lock();
    client_upgrades++;
    t_notify();
    t_unlock();
    return HPR_OK;
}

static En_HP_HandleResult c_ws_header(HP_HttpClient c, HP_CONNID id, BOOL fin, BYTE rsv, BYTE op,
                                      const BYTE mask[4], ULONGLONG len)
{
    (void)c, (void)id, (void)fin, (void)rsv, (void)op, (void)len;
    CHECK(mask == NULL); /* server frames are never masked */
    t_lock();
    client_len = 0;
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_ws_body(HP_HttpClient c, HP_CONNID id, const BYTE *d, int len)
{
    (void)c;
    (void)id;
    t_lock();
    CHECK(client_len + (size_t)len <= sizeof client_got);
    memcpy(client_got + client_len, d, (size_t)len);
    client_len += (size_t)len;
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_ws_complete(HP_HttpClient c, HP_CONNID id)
{
    (void)c;
    (void)id;
    t_lock();
    client_frames++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static void round_trip(HP_HttpClient client, const BYTE *data, int len, BYTE op, int expect)
{
    CHECK(HP_HttpClient_SendWSMessage(client, TRUE, 0, op, NULL, data, len, 0));
    WAIT_FOR(client_frames == expect);
    t_lock();
    CHECK_EQ(client_len, len);
    CHECK(memcmp(client_got, data, (size_t)len) == 0);
    t_unlock();
}

int main(void)
{
    HP_HttpServerListener sl = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnUpgrade(sl, s_upgrade);
    HP_Set_FN_HttpServer_OnWSMessageHeader(sl, s_ws_header);
    HP_Set_FN_HttpServer_OnWSMessageBody(sl, s_ws_body);
    HP_Set_FN_HttpServer_OnWSMessageComplete(sl, s_ws_complete);
    HP_HttpServer server = Create_HP_HttpServer(sl);
    CHECK(HP_Server_Start(server, "127.0.0.1", 0));
    TCHAR addr[64];
    int alen = sizeof addr;
    USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(server, addr, &alen, &port));

    HP_HttpClientListener cl = Create_HP_HttpClientListener();
    HP_Set_FN_HttpClient_OnUpgrade(cl, c_upgrade);
    HP_Set_FN_HttpClient_OnWSMessageHeader(cl, c_ws_header);
    HP_Set_FN_HttpClient_OnWSMessageBody(cl, c_ws_body);
    HP_Set_FN_HttpClient_OnWSMessageComplete(cl, c_ws_complete);
    HP_HttpClient client = Create_HP_HttpClient(cl);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));

    /* Before any frame there is no frame state. */
    CHECK(!HP_HttpClient_GetWSMessageState(client, NULL, NULL, NULL, NULL, NULL, NULL));

    HP_THeader h[] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"},
                      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                      {"Sec-WebSocket-Version", "13"}};
    CHECK(HP_HttpClient_SendGet(client, "/ws", h, 4));
    WAIT_FOR(server_upgrades == 1 && client_upgrades == 1);

    const char *hello = "Hello, frames";
    round_trip(client, (const BYTE *)hello, (int)strlen(hello), 0x1, 1);
    static BYTE big[70000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (BYTE)(i * 31 + 7);
    round_trip(client, big, (int)sizeof big, 0x2, 2);
    t_lock();
    CHECK_EQ(masked_seen, 2);
    CHECK_EQ(state_ok, 2);
    t_unlock();

    /* ullBodyLen above iLength: the head announces 10 bytes; the rest follows raw. A mask of
     * zeros leaves the payload as sent. */
    const BYTE zero_mask[4] = {0, 0, 0, 0};
    CHECK(HP_HttpClient_SendWSMessage(client, TRUE, 0, 0x2, zero_mask, (const BYTE *)"01234", 5,
                                      10));
    CHECK(HP_Client_Send(client, (const BYTE *)"56789", 5));
    WAIT_FOR(client_frames == 3);
    t_lock();
    CHECK_EQ(client_len, 10);
    CHECK(memcmp(client_got, "0123456789", 10) == 0);
    t_unlock();

    /* Refused: ullBodyLen below iLength, an opcode over 0xF, reserved bits over 7. */
    CHECK(!HP_HttpClient_SendWSMessage(client, TRUE, 0, 0x1, NULL, (const BYTE *)"abc", 3, 2));
    CHECK_EQ(HP_Client_GetLastError(client), SE_INVALID_PARAM);
    CHECK(!HP_HttpClient_SendWSMessage(client, TRUE, 0, 0x10, NULL, (const BYTE *)"abc", 3, 0));
    CHECK(!HP_HttpClient_SendWSMessage(client, TRUE, 8, 0x1, NULL, (const BYTE *)"abc", 3, 0));

    /* The client's own frame state after the echoes: unmasked, all read. */
    BOOL fin = 0;
    LPCBYTE m = (LPCBYTE)1;
    ULONGLONG len = 0, remain = 1;
    CHECK(HP_HttpClient_GetWSMessageState(client, &fin, NULL, NULL, &m, &len, &remain));
    CHECK(fin && m == NULL && len == 10 && remain == 0);

    CHECK(HP_Client_Stop(client));
    Destroy_HP_HttpClient(client);
    Destroy_HP_HttpClientListener(cl);
    CHECK(HP_Server_Stop(server));
    Destroy_HP_HttpServer(server);
    Destroy_HP_HttpServerListener(sl);
    printf("test_http_ws: ok\n");
    return 0;
}
