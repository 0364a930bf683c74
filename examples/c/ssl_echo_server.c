/*
 * ssl_echo_server: HP-Socket's testecho-ssl server on the C API: an SSLServer that echoes
 * every byte it receives over TLS.
 *
 *   ssl_echo_server CERT KEY [CA|-] [port] [bind-address] [key-password]
 *
 * CERT and KEY are the server's PEM certificate (chain) and private key. With a CA file
 * (PEM), clients must present a certificate it signed (SSL_VM_PEER |
 * SSL_VM_FAIL_IF_NO_PEER_CERT, as testecho-ssl); "-" or nothing: no client certificate asked
 * for. Defaults: port 5555 (0: a free one), 0.0.0.0. Prints the address it listens on and
 * each connection's TLS version; stops cleanly on Ctrl+C or SIGTERM.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "HPSocket4C-SSL.h"

static En_HP_HandleResult OnHandShake(HP_Server sender, HP_CONNID id)
{
    PVOID version = NULL; /* OpenSSL's static text, e.g. "TLSv1.3" */
    HP_SSLServer_GetSSLSessionInfo(sender, id, SSL_SSI_VERSION, &version);
    printf("[%lu] TLS handshake done (%s)\n", (unsigned long)id,
           version ? (const char *)version : "?");
    fflush(stdout);
    return HR_OK;
}

static En_HP_HandleResult OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(sender, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    /* A failed handshake names its cause in the server's last error. */
    if (err != 0)
        printf("[%lu] closed: operation %d, error %d: %s\n", (unsigned long)id, (int)op, err,
               HP_Server_GetLastErrorDesc(sender));
    else
        printf("[%lu] closed\n", (unsigned long)id);
    fflush(stdout);
    return HR_OK;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ssl_echo_server CERT KEY [CA|-] [port] [bind-address] "
                        "[key-password]\n");
        return 2;
    }
    const char *cert = argv[1], *key = argv[2];
    const char *ca = argc > 3 && strcmp(argv[3], "-") != 0 ? argv[3] : NULL;
    USHORT port = (USHORT)(argc > 4 ? strtoul(argv[4], NULL, 0) : 5555);
    const char *bind = argc > 5 ? argv[5] : "0.0.0.0";
    const char *password = argc > 6 ? argv[6] : NULL;

    sigset_t stop_signals; /* taken by sigwait below; the workers inherit the mask */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    HP_TcpServerListener listener = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnHandShake(listener, OnHandShake);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_SSLServer server = Create_HP_SSLServer(listener);

    int verify = ca ? SSL_VM_PEER | SSL_VM_FAIL_IF_NO_PEER_CERT : SSL_VM_NONE;
    int status = 1;
    if (!HP_SSLServer_SetupSSLContext(server, verify, cert, key, password, ca, NULL)) {
        fprintf(stderr, "ssl_echo_server: TLS setup failed: %s\n",
                HP_Server_GetLastErrorDesc(server));
        goto out;
    }
    if (!HP_Server_Start(server, bind, port)) {
        fprintf(stderr, "ssl_echo_server: start failed: %s\n",
                HP_Server_GetLastErrorDesc(server));
        goto out;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
    printf("ssl_echo_server: listening on %s:%u (%s)\n", addr, (unsigned)port,
           ca ? "client certificates required" : "no client certificates");
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    printf("ssl_echo_server: stopping\n");
    HP_Server_Stop(server);
    status = 0;
out:
    Destroy_HP_SSLServer(server);
    Destroy_HP_TcpServerListener(listener);
    return status;
}
