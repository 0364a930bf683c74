/*
 * HTTP through HPSocket4C.h, as a program written against HP-Socket would use it: an
 * HttpServer whose OnMessageComplete answers with SendResponse built from the request's
 * getters (method, URL fields, headers, cookies, body), an HttpSyncClient calling it
 * (GET with a query, POST with a body, HEAD, a header lookup and the count-query arrays on
 * the response), an HttpClient sending SendGet with the events of the response in
 * HP-Socket's order, a chunked answer, and a bad request (OnParseError, then OnClose).
 */
#include "test.h"

static char body[4096];
static int body_len;
static char events[2048];
static int parse_errors, closes;

static void note(const char *e)
{
    t_lock();
    strncat(events, e, sizeof events - strlen(events) - 1);
    strncat(events, ",", sizeof events - strlen(events) - 1);
    t_notify();
    t_unlock();
}

/* ---- server ---------------------------------------------------------------------------- */

static En_HP_HttpParseResult s_begin(HP_HttpServer s, HP_CONNID id)
{
    (void)s;
    (void)id;
    t_lock();
    body_len = 0;
    t_unlock();
    return HPR_OK;
}

static En_HP_HttpParseResult s_body(HP_HttpServer s, HP_CONNID id, const BYTE *data, int len)
{
    (void)s;
    (void)id;
    t_lock();
    CHECK(body_len + len < (int)sizeof body);
    memcpy(body + body_len, data, (size_t)len);
    body_len += len;
    t_unlock();
    return HPR_OK;
}

static En_HP_HttpParseResult s_complete(HP_HttpServer s, HP_CONNID id)
{
    LPCSTR path = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    LPCSTR query = HP_HttpServer_GetUrlField(s, id, HUF_QUERY);
    LPCSTR method = HP_HttpServer_GetMethod(s, id);
    LPCSTR agent = NULL, sid = NULL;
    CHECK(path != NULL && method != NULL);
    CHECK(HP_HttpServer_GetUrlFieldSet(s, id) & (1 << HUF_PATH));
    CHECK_EQ(HP_HttpServer_GetVersion(s, id), HV_1_1);
    CHECK(HP_HttpServer_IsKeepAlive(s, id));
    CHECK(!HP_HttpServer_IsUpgrade(s, id));
    CHECK_EQ(HP_HttpServer_GetUpgradeType(s, id), HUT_NONE);
    CHECK(HP_HttpServer_GetHeader(s, id, "user-agent", &agent));
    CHECK(strcmp(agent, "hp-test") == 0);
    HP_HttpServer_GetCookie(s, id, "sid", &sid);
    LPCSTR host = HP_HttpServer_GetHost(s, id);
    CHECK(host != NULL && strncmp(host, "127.0.0.1:", 10) == 0);

    if (strcmp(path, "/chunked") == 0) {
        HP_THeader te = {"Transfer-Encoding", "chunked"};
        CHECK(HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, &te, 1, NULL, 0));
        CHECK(HP_HttpServer_SendChunkData(s, id, (const BYTE *)"abc", 3, NULL));
        CHECK(HP_HttpServer_SendChunkData(s, id, (const BYTE *)"defg", 4, "k=v"));
        CHECK(HP_HttpServer_SendChunkData(s, id, NULL, 0, NULL));
        return HPR_OK;
    }
    char text[4200];
    t_lock();
    int n = snprintf(text, sizeof text, "%s %s q=%s sid=%s len=%llu body=%.*s", method, path,
                     query ? query : "-", sid ? sid : "-",
                     (unsigned long long)HP_HttpServer_GetContentLength(s, id), body_len, body);
    t_unlock();
    HP_THeader headers[] = {{"Content-Type", "text/plain"}, {"X-Echo", "1"}, {"X-Echo", "2"}};
    CHECK(HP_HttpServer_SendResponse(s, id, HSC_OK, "Fine", headers, 3, (const BYTE *)text, n));
    return HPR_OK;
}

static En_HP_HttpParseResult s_parse_error(HP_HttpServer s, HP_CONNID id, int code, LPCSTR desc)
{
    LPCSTR again = NULL;
    CHECK(code != 0 && desc != NULL && desc[0] != 0);
    CHECK_EQ(HP_HttpServer_GetParseErrorCode(s, id, &again), code);
    CHECK(again != NULL && strcmp(again, desc) == 0);
    t_lock();
    parse_errors++;
    t_notify();
    t_unlock();
    return HPR_OK;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int code)
{
    (void)s;
    (void)id;
    (void)op;
    (void)code;
    t_lock();
    closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* ---- async client ------------------------------------------------------------------------ */

static En_HP_HttpParseResult c_begin(HP_HttpClient c, HP_CONNID id)
{
    (void)c;
    (void)id;
    note("begin");
    return HPR_OK;
}

static En_HP_HttpParseResult c_status(HP_HttpClient c, HP_CONNID id, USHORT status, LPCSTR desc)
{
    (void)c;
    (void)id;
    char e[64];
    snprintf(e, sizeof e, "status %u %s", status, desc);
    note(e);
    return HPR_OK;
}

static En_HP_HttpParseResult c_header(HP_HttpClient c, HP_CONNID id, LPCSTR name, LPCSTR value)
{
    (void)c;
    (void)id;
    (void)value;
    if (strcmp(name, "X-Echo") == 0)
        note("x-echo");
    return HPR_OK;
}

static En_HP_HttpParseResult c_headers(HP_HttpClient c, HP_CONNID id)
{
    (void)c;
    (void)id;
    note("headers");
    return HPR_OK;
}

static En_HP_HttpParseResult c_body(HP_HttpClient c, HP_CONNID id, const BYTE *d, int len)
{
    (void)c;
    (void)id;
    (void)d;
    (void)len;
    note("body");
    return HPR_OK;
}

static En_HP_HttpParseResult c_complete(HP_HttpClient c, HP_CONNID id)
{
    (void)id;
    CHECK_EQ(HP_HttpClient_GetStatusCode(c), 200);
    note("complete");
    return HPR_OK;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

int main(void)
{
    HP_HttpServerListener sl = Create_HP_HttpServerListener();
    HP_HttpServer server = Create_HP_HttpServer(sl);
    CHECK(server != NULL);
    HP_Set_FN_HttpServer_OnMessageBegin(sl, s_begin);
    HP_Set_FN_HttpServer_OnBody(sl, s_body);
    HP_Set_FN_HttpServer_OnMessageComplete(sl, s_complete);
    HP_Set_FN_HttpServer_OnParseError(sl, s_parse_error);
    HP_Set_FN_HttpServer_OnClose(sl, s_close);
    CHECK_EQ(HP_HttpServer_GetLocalVersion(server), HV_1_1);
    CHECK_EQ(HP_HttpServer_GetReleaseDelay(server), 3000);
    CHECK(HP_HttpServer_IsHttpAutoStart(server));
    HP_Server_SetWorkerThreadCount(server, 2);
    CHECK(HP_Server_Start(server, "127.0.0.1", 0));
    TCHAR addr[64];
    int alen = sizeof addr;
    USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(server, addr, &alen, &port));

    /* The sync client: GET with a query and a cookie header, POST, HEAD. */
    HP_HttpSyncClient sync = Create_HP_HttpSyncClient(NULL);
    CHECK(sync != NULL);
    CHECK_EQ(HP_HttpSyncClient_GetConnectTimeout(sync), 5000);
    CHECK_EQ(HP_HttpSyncClient_GetRequestTimeout(sync), 10000);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/a/b?x=1&y=2", port);
    HP_THeader hdrs[] = {{"User-Agent", "hp-test"}, {"Cookie", "sid=42; other=1"}};
    CHECK(HP_HttpSyncClient_OpenUrl(sync, "GET", url, hdrs, 2, NULL, 0, FALSE));
    LPCBYTE rb = NULL;
    int rlen = 0;
    CHECK(HP_HttpSyncClient_GetResponseBody(sync, &rb, &rlen));
    const char *want = "GET /a/b q=x=1&y=2 sid=42 len=0 body=";
    CHECK_EQ(rlen, strlen(want));
    CHECK(memcmp(rb, want, (size_t)rlen) == 0);
    CHECK_EQ(HP_HttpClient_GetStatusCode(sync), 200);
    CHECK_EQ(HP_HttpClient_GetContentLength(sync), rlen);
    CHECK(strcmp(HP_HttpClient_GetContentType(sync), "text/plain") == 0);
    LPCSTR v = NULL;
    CHECK(HP_HttpClient_GetHeader(sync, "x-echo", &v) && strcmp(v, "1") == 0);
    CHECK(!HP_HttpClient_GetHeader(sync, "x-missing", &v));

    /* Count queries: NULL array gives the count, then the values in order. */
    DWORD count = 0;
    CHECK(!HP_HttpClient_GetHeaders(sync, "X-Echo", NULL, &count));
    CHECK_EQ(count, 2);
    LPCSTR values[2];
    CHECK(HP_HttpClient_GetHeaders(sync, "X-Echo", values, &count));
    CHECK(strcmp(values[0], "1") == 0 && strcmp(values[1], "2") == 0);
    count = 1;
    HP_THeader all[8];
    CHECK(!HP_HttpClient_GetAllHeaders(sync, all, &count));
    CHECK_EQ(count, 4);
    CHECK(HP_HttpClient_GetAllHeaders(sync, all, &count));
    CHECK(strcmp(all[0].name, "Content-Type") == 0);
    CHECK(strcmp(all[3].name, "Content-Length") == 0);
    LPCSTR names[8];
    count = 8;
    CHECK(HP_HttpClient_GetAllHeaderNames(sync, names, &count));
    CHECK_EQ(count, 4);

    snprintf(url, sizeof url, "http://127.0.0.1:%u/post", port);
    CHECK(HP_HttpSyncClient_OpenUrl(sync, "POST", url, hdrs, 1, (const BYTE *)"payload", 7,
                                    FALSE));
    CHECK(HP_HttpSyncClient_GetResponseBody(sync, &rb, &rlen));
    want = "POST /post q=- sid=- len=7 body=payload";
    CHECK_EQ(rlen, strlen(want));
    CHECK(memcmp(rb, want, (size_t)rlen) == 0);

    CHECK(HP_HttpSyncClient_OpenUrl(sync, "HEAD", url, hdrs, 1, NULL, 0, FALSE));
    CHECK(HP_HttpSyncClient_GetResponseBody(sync, &rb, &rlen));
    CHECK_EQ(rlen, 0);

    snprintf(url, sizeof url, "http://127.0.0.1:%u/chunked", port);
    CHECK(HP_HttpSyncClient_OpenUrl(sync, "GET", url, hdrs, 1, NULL, 0, TRUE));
    CHECK(HP_HttpSyncClient_GetResponseBody(sync, &rb, &rlen));
    CHECK_EQ(rlen, 7);
    CHECK(memcmp(rb, "abcdefg", 7) == 0);
    CHECK(strcmp(HP_HttpClient_GetTransferEncoding(sync), "chunked") == 0);
    CHECK(HP_HttpSyncClient_CleanupRequestResult(sync));

    /* Misuse: a URL of another scheme, NULL method. */
    CHECK(!HP_HttpSyncClient_OpenUrl(sync, "GET", "ftp://x/", NULL, 0, NULL, 0, FALSE));
    CHECK(!HP_HttpSyncClient_OpenUrl(sync, NULL, url, NULL, 0, NULL, 0, FALSE));
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, NULL, 0, NULL, 0));
    /* Header arguments are checked and named: a NULL name, a value that is not UTF-8. */
    HP_THeader bad_name[] = {{"X-A", "1"}, {NULL, "2"}};
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, bad_name, 2, NULL, 0));
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    CHECK(strstr(HPX_GetLastErrorDesc(), "lpHeaders[1].name is NULL") != NULL);
    HP_THeader bad_value[] = {{"X-A", "\xff\xfe"}};
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, bad_value, 1, NULL, 0));
    CHECK(strstr(HPX_GetLastErrorDesc(), "lpHeaders[0].value is not valid UTF-8") != NULL);
    HP_THeader null_value[] = {{"X-Empty", NULL}};
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, null_value, 1, NULL, 0));
    CHECK(strstr(HPX_GetLastErrorDesc(), "999999") != NULL); /* the value was fine: the id is not */
    /* Non-ASCII UTF-8 is fine; more headers than the C layer keeps on its stack are read and
     * named the same way. */
    HP_THeader utf8_value[] = {{"X-Name", "caf\xc3\xa9"}};
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, utf8_value, 1, NULL, 0));
    CHECK(strstr(HPX_GetLastErrorDesc(), "999999") != NULL);
    HP_THeader many[20];
    for (int i = 0; i < 20; i++)
        many[i] = (HP_THeader){"X-Many", "1"};
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, many, 20, NULL, 0));
    CHECK(strstr(HPX_GetLastErrorDesc(), "999999") != NULL);
    many[14].value = "\xff";
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, many, 20, NULL, 0));
    CHECK(strstr(HPX_GetLastErrorDesc(), "lpHeaders[14].value is not valid UTF-8") != NULL);
    many[14].value = "1";
    many[5].name = NULL;
    CHECK(!HP_HttpServer_SendResponse(server, 999999, 200, NULL, many, 8, NULL, 0));
    CHECK(strstr(HPX_GetLastErrorDesc(), "lpHeaders[5].name is NULL") != NULL);
    Destroy_HP_HttpSyncClient(sync);

    /* The async client: SendGet and the response's events. */
    HP_HttpClientListener cl = Create_HP_HttpClientListener();
    HP_HttpClient client = Create_HP_HttpClient(cl);
    HP_Set_FN_HttpClient_OnMessageBegin(cl, c_begin);
    HP_Set_FN_HttpClient_OnStatusLine(cl, c_status);
    HP_Set_FN_HttpClient_OnHeader(cl, c_header);
    HP_Set_FN_HttpClient_OnHeadersComplete(cl, c_headers);
    HP_Set_FN_HttpClient_OnBody(cl, c_body);
    HP_Set_FN_HttpClient_OnMessageComplete(cl, c_complete);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    HP_THeader ua = {"User-Agent", "hp-test"};
    CHECK(HP_HttpClient_SendGet(client, "/get", &ua, 1));
    WAIT_FOR(strstr(events, "complete") != NULL);
    t_lock();
    CHECK(strncmp(events, "begin,status 200 Fine,x-echo,x-echo,headers,body", 48) == 0);
    t_unlock();
    CHECK(HP_Client_Stop(client));
    Destroy_HP_HttpClient(client);
    Destroy_HP_HttpClientListener(cl);

    /* A bad request: OnParseError, then the connection closes. */
    t_lock();
    int before = closes;
    t_unlock();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
    const char *bad = "GET / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n";
    CHECK(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
    WAIT_FOR(parse_errors == 1 && closes > before);
    char buf[16];
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    close(fd);
    CHECK_EQ(count_of(events, "complete"), 1);

    CHECK(HP_Server_Stop(server));
    Destroy_HP_HttpServer(server);
    Destroy_HP_HttpServerListener(sl);
    printf("test_http: ok\n");
    return 0;
}
