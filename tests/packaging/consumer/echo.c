/*
 * Packaging test consumer, C: built against an installed hpsocket only (pkg-config or CMake),
 * outside the source tree. A server on 127.0.0.1 (a free port), one client, one message echoed
 * and compared; prints the versions it sees and exits 0 on success.
 *
 *   echo_c EXPECTED_VERSION     EXPECTED_VERSION: the version the package files claim
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char received[64];
static int nreceived, closed;

static En_HP_HandleResult ServerOnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(sender, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult ClientOnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    if (nreceived + len > (int)sizeof received)
        len = (int)sizeof received - nreceived;
    memcpy(received + nreceived, data, (size_t)len);
    nreceived += len;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult ClientOnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op,
                                        int err)
{
    (void)sender, (void)id, (void)op, (void)err;
    pthread_mutex_lock(&mu);
    closed = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

int main(int argc, char **argv)
{
    static const char msg[] = "hello from an installed hpsocket";
    const int len = (int)sizeof msg - 1;
    int ok = 0;
    DWORD v = HP_GetHPSocketVersion();
    printf("echo_c: package %s, HP_GetHPSocketVersion %u.%u.%u.%u\n", argc > 1 ? argv[1] : "?",
           (unsigned)(v >> 24), (unsigned)(v >> 16 & 0xff), (unsigned)(v >> 8 & 0xff),
           (unsigned)(v & 0xff));

    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(sl, ServerOnReceive);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnReceive(cl, ClientOnReceive);
    HP_Set_FN_Client_OnClose(cl, ClientOnClose);
    HP_TcpClient client = Create_HP_TcpClient(cl);

    TCHAR addr[64];
    int addr_len = (int)sizeof addr;
    USHORT port = 0;
    if (!HP_Server_Start(server, "127.0.0.1", 0)
        || !HP_Server_GetListenAddress(server, addr, &addr_len, &port)) {
        fprintf(stderr, "echo_c: server: %s\n", HP_Server_GetLastErrorDesc(server));
        goto out;
    }
    if (!HP_Client_Start(client, addr, port, FALSE)) {
        fprintf(stderr, "echo_c: connect: %s\n", HP_Client_GetLastErrorDesc(client));
        goto out;
    }
    if (!HP_Client_Send(client, (const BYTE *)msg, len)) {
        fprintf(stderr, "echo_c: send: %s\n", HP_Client_GetLastErrorDesc(client));
        goto out;
    }
    /* A generous bound: the echo normally takes well under a millisecond. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 30;
    pthread_mutex_lock(&mu);
    while (nreceived < len && !closed)
        if (pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT)
            break;
    ok = nreceived == len && memcmp(received, msg, (size_t)len) == 0;
    pthread_mutex_unlock(&mu);
    printf("echo_c: %s:%u echoed %d of %d bytes%s\n", addr, (unsigned)port, nreceived, len,
           ok ? ", equal" : " - MISMATCH");

out:
    HP_Client_Stop(client);
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(sl);
    return ok ? 0 : 1;
}
