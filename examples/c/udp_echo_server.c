/*
 * udp_echo_server: a UdpServer that sends every datagram back to its peer. A peer address is
 * one pseudo-connection: its first datagram (data or heartbeat) makes it, and it ends on the
 * peer's close-notify, a heartbeat timeout, or Stop.
 *
 *   udp_echo_server [port] [bind-address] [max-datagram-size] [detect-attempts]
 *                   [detect-interval-ms] [worker-threads]
 *
 * Defaults: 5555, 0.0.0.0; a setting not given (or max-datagram-size or worker-threads 0)
 * keeps the library's default. Port 0 picks a free one. Prints the address it listens on and
 * one line per connection opened and closed (the close with the wall-clock time, seconds
 * since the epoch). A datagram of 8 bytes or more that udp_echo_client sent carries a
 * checksum (bytes 4..8: FNV-1a of bytes 8..), checked here before the echo. Stops cleanly on
 * Ctrl+C or SIGTERM and prints the connections still open and how many datagrams it echoed.
 *
 * The same source builds against HP-Socket 5.2.2 (tests/interop), whose DetectInterval counts
 * seconds: the interval given in ms is rounded up to whole seconds there. 5.2.2 has no
 * close-notify datagram: a 6.x peer's (16 bytes) reaches its OnReceive as data, which this
 * server reports and does not echo. Its workers race on a new peer's first datagrams: with
 * more than one, a peer that sends a burst at once can get two or three connections for its
 * one address (tests/interop runs it with one worker).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

/* HP-Socket 6's close-notify datagram (HP-Socket's UdpServer/UdpClient send it on Disconnect
 * and Stop since 5.6.1). */
static const BYTE CLOSE_NOTIFY[16] = {0xBE, 0xB6, 0x1F, 0xEB, 0xDA, 0x52, 0x46, 0xBA,
                                      0x92, 0x33, 0x59, 0xDB, 0xBF, 0xE6, 0xC8, 0xE4};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long echoed, accepted, closed, notify_as_data, checked, bad_checksum;
static unsigned long long echoed_bytes;

static uint32_t fnv1a(const BYTE *p, int n)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t get_u32(const BYTE *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static En_HP_HandleResult OnAccept(HP_Server sender, HP_CONNID id, UINT_PTR peer)
{
    (void)peer; /* the peer's sockaddr on a UDP server */
    TCHAR addr[64];
    int len = (int)sizeof addr;
    USHORT port = 0;
    if (!HP_Server_GetRemoteAddress(sender, id, addr, &len, &port))
        strcpy(addr, "?");
    pthread_mutex_lock(&mu);
    accepted++;
    printf("[%lu] accepted from %s:%u\n", (unsigned long)id, addr, (unsigned)port);
    fflush(stdout);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnReceive(HP_Server sender, HP_CONNID id, const BYTE *data, int len)
{
    if (len == (int)sizeof CLOSE_NOTIFY && memcmp(data, CLOSE_NOTIFY, sizeof CLOSE_NOTIFY) == 0) {
        pthread_mutex_lock(&mu);
        notify_as_data++;
        printf("[%lu] received the 16-byte close-notify datagram as data (not echoed)\n",
               (unsigned long)id);
        fflush(stdout);
        pthread_mutex_unlock(&mu);
        return HR_OK;
    }
    int bad = len >= 8 && get_u32(data + 4) != fnv1a(data + 8, len - 8);
    if (!HP_Server_Send(sender, id, data, len))
        return HR_ERROR;
    pthread_mutex_lock(&mu);
    echoed++;
    echoed_bytes += (unsigned long long)len;
    if (len >= 8)
        checked++;
    if (bad) {
        bad_checksum++;
        printf("[%lu] datagram of %d bytes with a wrong checksum\n", (unsigned long)id, len);
        fflush(stdout);
    }
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static En_HP_HandleResult OnClose(HP_Server sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)sender;
    pthread_mutex_lock(&mu);
    closed++;
    /* SO_CLOSE with error 0: the peer's close-notify, a heartbeat timeout or Stop. */
    printf("[%lu] closed: operation %d, error %d, at %.3f\n", (unsigned long)id, (int)op, err,
           wall_clock());
    fflush(stdout);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

int main(int argc, char **argv)
{
    USHORT port = (USHORT)(argc > 1 ? strtoul(argv[1], NULL, 0) : 5555);
    const char *bind = argc > 2 ? argv[2] : "0.0.0.0";
    DWORD max_datagram = (DWORD)(argc > 3 ? strtoul(argv[3], NULL, 0) : 0);

    sigset_t stop_signals; /* taken by sigwait below; the workers inherit the mask */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    HP_UdpServerListener listener = Create_HP_UdpServerListener();
    HP_Set_FN_Server_OnAccept(listener, OnAccept);
    HP_Set_FN_Server_OnReceive(listener, OnReceive);
    HP_Set_FN_Server_OnClose(listener, OnClose);
    HP_UdpServer server = Create_HP_UdpServer(listener);
    if (argc > 6 && strtoul(argv[6], NULL, 0) != 0)
        HP_Server_SetWorkerThreadCount(server, (DWORD)strtoul(argv[6], NULL, 0));
    if (max_datagram != 0)
        HP_UdpServer_SetMaxDatagramSize(server, max_datagram);
    if (argc > 4)
        HP_UdpServer_SetDetectAttempts(server, (DWORD)strtoul(argv[4], NULL, 0));
    if (argc > 5) {
        DWORD ms = (DWORD)strtoul(argv[5], NULL, 0);
#ifdef HP_SOCKET_5_2_2
        HP_UdpServer_SetDetectInterval(server, (ms + 999) / 1000); /* 5.x: seconds */
#else
        HP_UdpServer_SetDetectInterval(server, ms);
#endif
    }

    if (!HP_Server_Start(server, bind, port)) {
        fprintf(stderr, "udp_echo_server: start failed: %s\n",
                HP_Server_GetLastErrorDesc(server));
        Destroy_HP_UdpServer(server);
        Destroy_HP_UdpServerListener(listener);
        return 1;
    }
    TCHAR addr[64];
    int len = (int)sizeof addr;
    HP_Server_GetListenAddress(server, addr, &len, &port);
#ifdef HP_SOCKET_5_2_2
    const char *unit = "s (HP-Socket 5.x counts seconds)";
#else
    const char *unit = "ms";
#endif
    printf("udp_echo_server: listening on %s:%u (max datagram %u, detect %u x %u %s)\n", addr,
           (unsigned)port, (unsigned)HP_UdpServer_GetMaxDatagramSize(server),
           (unsigned)HP_UdpServer_GetDetectAttempts(server),
           (unsigned)HP_UdpServer_GetDetectInterval(server), unit);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    DWORD open = HP_Server_GetConnectionCount(server);
    pthread_mutex_lock(&mu);
    printf("udp_echo_server: stopping: %u connections open, %lu accepted, %lu closed, "
           "%lu datagrams echoed (%llu bytes, %lu checksums checked, %lu wrong), "
           "%lu close-notify as data\n",
           (unsigned)open, accepted, closed, echoed, echoed_bytes, checked, bad_checksum,
           notify_as_data);
    fflush(stdout);
    pthread_mutex_unlock(&mu);
    HP_Server_Stop(server);
    Destroy_HP_UdpServer(server);
    Destroy_HP_UdpServerListener(listener);
    return 0;
}
