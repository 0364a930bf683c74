/*
 * http_get: one HTTP request with HP-Socket's sync client, the answer on stdout.
 *
 *   http_get URL [METHOD [BODY]]       defaults: GET, no body
 *
 * Prints "status N" and then the body on its own line; exits 0 when a response came (any
 * status), 1 when the request failed (the reason on stderr).
 */
#include <stdio.h>
#include <string.h>

#include "HPSocket4C.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: http_get URL [METHOD [BODY]]\n");
        return 2;
    }
    const char *method = argc > 2 ? argv[2] : "GET";
    const char *body = argc > 3 ? argv[3] : "";
    HP_HttpClientListener listener = Create_HP_HttpClientListener();
    HP_HttpSyncClient client = Create_HP_HttpSyncClient(listener);
    HP_THeader agent = {"User-Agent", "hpsocket-http_get"};
    int rc = 0;
    if (!HP_HttpSyncClient_OpenUrl(client, method, argv[1], &agent, 1, (const BYTE *)body,
                                   (int)strlen(body), FALSE)) {
        fprintf(stderr, "http_get: %s %s failed: %s\n", method, argv[1],
                HP_Client_GetLastErrorDesc(client));
        rc = 1;
    } else {
        LPCBYTE data = NULL;
        int len = 0;
        HP_HttpSyncClient_GetResponseBody(client, &data, &len);
        printf("status %u\n%.*s\n", (unsigned)HP_HttpClient_GetStatusCode(client), len,
               (const char *)data);
    }
    Destroy_HP_HttpSyncClient(client);
    Destroy_HP_HttpClientListener(listener);
    return rc;
}
