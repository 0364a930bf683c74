/*
 * ssl_echo_client: HP-Socket's testecho-ssl client on the C API: an SSLClient that checks
 * the server's certificate against a CA, sends messages and verifies their echo.
 *
 *   ssl_echo_client CA [host] [port] [count] [CERT KEY [key-password]]
 *
 * CA is the PEM file the server's certificate must chain to (SSL_VM_PEER); CERT and KEY, the
 * client's own certificate and key, for servers that ask for one. Defaults: 127.0.0.1, 5555,
 * 10 messages. Exit status: 0 every byte came back unchanged within 10 seconds, 1 otherwise
 * (a failed handshake included: its cause is printed).
 *
 * The first message is sent as soon as the (synchronous) connect returns, while the TLS
 * handshake is still running: hpsocket holds it and encrypts it once the handshake is done
 * (docs/abi.md, section 15). The rest are sent after OnHandShake, the way HP-Socket's demos
 * do it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C-SSL.h"

#define MAX_TOTAL (1 << 20)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char sent[MAX_TOTAL], received[MAX_TOTAL];
static int nsent, nreceived, handshaken, closed;

static En_HP_HandleResult OnHandShake(HP_Client sender, HP_CONNID id)
{
    PVOID version = NULL; /* OpenSSL's static text, e.g. "TLSv1.3" */
    (void)id;
    HP_SSLClient_GetSSLSessionInfo(sender, SSL_SSI_VERSION, &version);
    printf("ssl_echo_client: TLS handshake done (%s)\n", version ? (const char *)version : "?");
    pthread_mutex_lock(&mu);
    handshaken = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    if (nreceived + len > MAX_TOTAL)
        len = MAX_TOTAL - nreceived; /* more than was sent: the comparison will fail */
    memcpy(received + nreceived, data, (size_t)len);
    nreceived += len;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)id;
    if (err != 0) /* a failed handshake names its cause in the client's last error */
        printf("ssl_echo_client: closed: operation %d, error %d: %s\n", (int)op, err,
               HP_Client_GetLastErrorDesc(sender));
    pthread_mutex_lock(&mu);
    closed = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

/* Sends message i (and records it for the check). */
static int send_message(HP_Client client, int i)
{
    char msg[80];
    int len = snprintf(msg, sizeof msg, "message %d from ssl_echo_client\n", i);
    pthread_mutex_lock(&mu);
    int fits = nsent + len <= MAX_TOTAL;
    if (fits) {
        memcpy(sent + nsent, msg, (size_t)len);
        nsent += len;
    }
    pthread_mutex_unlock(&mu);
    if (!fits || !HP_Client_Send(client, (const BYTE *)msg, len)) {
        fprintf(stderr, "ssl_echo_client: send %d failed: %s\n", i,
                HP_Client_GetLastErrorDesc(client));
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ssl_echo_client CA [host] [port] [count] [CERT KEY "
                        "[key-password]]\n");
        return 2;
    }
    const char *ca = argv[1];
    const char *host = argc > 2 ? argv[2] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 3 ? strtoul(argv[3], NULL, 0) : 5555);
    int count = argc > 4 ? atoi(argv[4]) : 10;
    const char *cert = argc > 6 ? argv[5] : NULL, *key = argc > 6 ? argv[6] : NULL;
    const char *password = argc > 7 ? argv[7] : NULL;

    HP_TcpClientListener listener = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnHandShake(listener, OnHandShake);
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    HP_SSLClient client = Create_HP_SSLClient(listener);

    int ok = 0;
    if (!HP_SSLClient_SetupSSLContext(client, SSL_VM_PEER, cert, key, password, ca)) {
        fprintf(stderr, "ssl_echo_client: TLS setup failed: %s\n",
                HP_Client_GetLastErrorDesc(client));
        goto out;
    }
    if (!HP_Client_Start(client, host, port, FALSE)) { /* FALSE: connect synchronously */
        fprintf(stderr, "ssl_echo_client: connect to %s:%u failed: %s\n", host,
                (unsigned)port, HP_Client_GetLastErrorDesc(client));
        goto out;
    }
    if (count > 0 && !send_message(client, 0)) /* during the handshake: held, then sent */
        goto out;

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&mu);
    while (!handshaken && !closed)
        if (pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT)
            break;
    int up = handshaken && !closed;
    pthread_mutex_unlock(&mu);
    for (int i = 1; up && i < count; i++)
        if (!send_message(client, i))
            goto out;

    pthread_mutex_lock(&mu);
    while (up && nreceived < nsent && !closed)
        if (pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT)
            break;
    ok = up && nreceived == nsent && memcmp(sent, received, (size_t)nsent) == 0;
    printf("ssl_echo_client: %d messages, %d of %d bytes echoed%s\n", count, nreceived, nsent,
           ok ? ", all correct" : " - FAILED");
    pthread_mutex_unlock(&mu);

out:
    HP_Client_Stop(client);
    Destroy_HP_SSLClient(client);
    Destroy_HP_TcpClientListener(listener);
    return ok ? 0 : 1;
}
