/*
 * HTTPS through HPSocket4C.h: an HttpsServer set up with HP_SSLServer_SetupSSLContext (a
 * certificate for localhost and 127.0.0.1 made here by the openssl CLI) answers an
 * HttpsSyncClient that verifies it against the CA (SSL_VM_PEER), GET and POST over one
 * TLS connection; an https URL on a plain sync client is refused; curl --cacert gets the
 * same answer.
 */
#include "test.h"

static char dir[] = "/tmp/hpsocket-https-XXXXXX";
static char body[1024];
static int body_len;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        FAILF("command failed: %s", cmd);
}

static void make_certs(void)
{
    CHECK(mkdtemp(dir) != NULL);
    sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
       "-subj '/CN=https test CA' -addext basicConstraints=critical,CA:TRUE "
       "-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null",
       dir);
    sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
       "-subj /CN=localhost 2>/dev/null && "
       "printf 'basicConstraints=CA:FALSE\\nsubjectAltName=DNS:localhost,IP:127.0.0.1\\n"
       "extendedKeyUsage=serverAuth\\n' > server.ext && "
       "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
       "-out server.crt -days 2 -extfile server.ext 2>/dev/null",
       dir);
}

static En_HP_HttpParseResult on_begin(HP_HttpServer s, HP_CONNID id)
{
    (void)s;
    (void)id;
    t_lock();
    body_len = 0;
    t_unlock();
    return HPR_OK;
}

static En_HP_HttpParseResult on_body(HP_HttpServer s, HP_CONNID id, const BYTE *d, int len)
{
    (void)s;
    (void)id;
    t_lock();
    CHECK(body_len + len < (int)sizeof body);
    memcpy(body + body_len, d, (size_t)len);
    body_len += len;
    t_unlock();
    return HPR_OK;
}

static En_HP_HttpParseResult on_complete(HP_HttpServer s, HP_CONNID id)
{
    char text[1200];
    t_lock();
    int n = snprintf(text, sizeof text, "%s %s secure body=%.*s", HP_HttpServer_GetMethod(s, id),
                     HP_HttpServer_GetUrlField(s, id, HUF_PATH), body_len, body);
    t_unlock();
    CHECK(HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, NULL, 0, (const BYTE *)text, n));
    return HPR_OK;
}

int main(void)
{
    make_certs();
    char cert[128], key[128], ca[128];
    snprintf(cert, sizeof cert, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);

    HP_HttpServerListener sl = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnMessageBegin(sl, on_begin);
    HP_Set_FN_HttpServer_OnBody(sl, on_body);
    HP_Set_FN_HttpServer_OnMessageComplete(sl, on_complete);
    HP_HttpsServer server = Create_HP_HttpsServer(sl);
    CHECK(server != NULL);
    CHECK(HP_SSLServer_SetupSSLContext(server, SSL_VM_NONE, cert, key, NULL, NULL, NULL));
    CHECK(HP_Server_Start(server, "127.0.0.1", 0));
    TCHAR addr[64];
    int alen = sizeof addr;
    USHORT port = 0;
    CHECK(HP_Server_GetListenAddress(server, addr, &alen, &port));

    HP_HttpsSyncClient sync = Create_HP_HttpsSyncClient(NULL);
    CHECK(sync != NULL);
    CHECK(HP_SSLClient_SetupSSLContext(sync, SSL_VM_PEER, NULL, NULL, NULL, ca));
    char url[128];
    snprintf(url, sizeof url, "https://localhost:%u/tls", port);
    CHECK(HP_HttpSyncClient_OpenUrl(sync, "GET", url, NULL, 0, NULL, 0, FALSE));
    LPCBYTE rb = NULL;
    int rlen = 0;
    CHECK(HP_HttpSyncClient_GetResponseBody(sync, &rb, &rlen));
    const char *want = "GET /tls secure body=";
    CHECK_EQ(rlen, strlen(want));
    CHECK(memcmp(rb, want, (size_t)rlen) == 0);
    CHECK(HP_HttpSyncClient_OpenUrl(sync, "POST", url, NULL, 0, (const BYTE *)"abc", 3, FALSE));
    CHECK(HP_HttpSyncClient_GetResponseBody(sync, &rb, &rlen));
    want = "POST /tls secure body=abc";
    CHECK_EQ(rlen, strlen(want));
    CHECK(memcmp(rb, want, (size_t)rlen) == 0);
    Destroy_HP_HttpsSyncClient(sync);

    /* An https URL needs an HTTPS client. */
    HP_HttpSyncClient plain = Create_HP_HttpSyncClient(NULL);
    CHECK(!HP_HttpSyncClient_OpenUrl(plain, "GET", url, NULL, 0, NULL, 0, FALSE));
    CHECK(strstr(HP_Client_GetLastErrorDesc(plain), "HTTPS") != NULL);
    Destroy_HP_HttpSyncClient(plain);

    /* curl, verifying the certificate. */
    char out[256];
    snprintf(out, sizeof out, "%s/curl.out", dir);
    sh("curl -sS --cacert %s -d xyz -o %s https://127.0.0.1:%u/curl", ca, out, port);
    FILE *f = fopen(out, "r");
    CHECK(f != NULL);
    char got[256] = {0};
    CHECK(fread(got, 1, sizeof got - 1, f) > 0);
    fclose(f);
    CHECK(strcmp(got, "POST /curl secure body=xyz") == 0);

    CHECK(HP_Server_Stop(server));
    Destroy_HP_HttpsServer(server);
    Destroy_HP_HttpServerListener(sl);
    sh("rm -rf %s", dir);
    printf("test_https: ok\n");
    return 0;
}
