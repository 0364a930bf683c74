/*
 * udp_echo_client: a UdpClient that sends N datagrams of varied sizes (4 bytes up to the max
 * datagram size) to a UDP echo server, keeping up to 16 in flight, and checks that each comes
 * back whole, byte for byte. Datagram i carries i (bytes 0..4, little-endian), an FNV-1a
 * checksum of bytes 8.. (bytes 4..8, when it has 8 bytes or more) and a pattern made from i.
 * UDP may drop a datagram: one not echoed within 200 ms is sent again (and counted), so a
 * lost datagram costs time, not the run.
 *
 *   udp_echo_client [host] [port] [datagrams] [max-datagram-size] [detect-attempts]
 *                   [detect-interval-ms] [hold-ms]
 *
 * Defaults: 127.0.0.1, 5555, 1000; a setting not given (or max-datagram-size 0) keeps the
 * library's default, and the largest datagram sent is the max datagram size in effect. Both
 * sides need the same max datagram size (HP-Socket 5.2.2's default is 1472, 6.x's 1432).
 *
 * Without hold-ms the client stops when done (an HP-Socket 6 client sends its close-notify
 * datagram then). With hold-ms it stays connected that long after the last echo, sending
 * heartbeats if they are on, and prints "still connected after holding N ms" (or fails if
 * the connection closed meanwhile, or a close-notify arrived as data: its heartbeats were not
 * answered, or not heard). Then it waits for SIGTERM (stops, exit 0), to be killed, or for
 * the connection to end, which it reports with the wall-clock time (seconds since the epoch;
 * exit 0).
 *
 * Exit status: 0 every datagram verified, 1 a datagram wrong or the connection lost, 2 not
 * done within 30 seconds.
 *
 * The same source builds against HP-Socket 5.2.2 (tests/interop), whose DetectInterval counts
 * seconds: the interval given in ms is rounded up to whole seconds there. 5.2.2 has no
 * close-notify: an HP-Socket 6 server's (16 bytes) reaches its OnReceive as data, which this
 * client reports and otherwise ignores.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

#define WINDOW 16 /* datagrams in flight */
#define RESEND_MS 200
#define DEADLINE_S 30

/* HP-Socket 6's close-notify datagram, which an HP-Socket 6 server sends on Disconnect, Stop
 * and a heartbeat timeout. */
static const BYTE CLOSE_NOTIFY[16] = {0xBE, 0xB6, 0x1F, 0xEB, 0xDA, 0x52, 0x46, 0xBA,
                                      0x92, 0x33, 0x59, 0xDB, 0xBF, 0xE6, 0xC8, 0xE4};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv; /* on CLOCK_MONOTONIC */
static HP_UdpClient client;
static int max_datagram;
static unsigned datagrams, next_seq, oldest, verified, in_flight, resent, duplicates;
static unsigned long long bytes;
static int failed, closed, close_op, close_err, stop_requested;
static int notified; /* a close-notify arrived as data: the server has closed the connection */
static double closed_at; /* wall clock, seconds since the epoch */
static long long *sent_at; /* ms of the last send of each datagram; -1: verified */
static BYTE *out_buf, *want_buf;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t fnv1a(const BYTE *p, int n)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void put_u32(BYTE *p, uint32_t v)
{
    p[0] = (BYTE)v, p[1] = (BYTE)(v >> 8), p[2] = (BYTE)(v >> 16), p[3] = (BYTE)(v >> 24);
}

/* Datagram i: its size (every 50th is the largest allowed, every 50th the smallest) and its
 * bytes. */
static int datagram_size(unsigned i)
{
    if (i % 50 == 49)
        return max_datagram;
    if (i % 50 == 48)
        return 4;
    return 4 + (int)((i * 2654435761u) % (unsigned)(max_datagram - 3));
}

static void fill(BYTE *buf, unsigned i, int len)
{
    put_u32(buf, i);
    for (int j = 4; j < len; j++)
        buf[j] = (BYTE)(i * 131u + (unsigned)j * 7u + ((unsigned)j >> 9));
    if (len >= 8)
        put_u32(buf + 4, fnv1a(buf + 8, len - 8));
}

/* Sends datagram i (again); call with mu held. */
static void send_one(unsigned i)
{
    int len = datagram_size(i);
    fill(out_buf, i, len);
    if (!HP_Client_Send(client, out_buf, len)) {
        printf("udp_echo_client: send %u (%d bytes) failed: %s (errno %d)\n", i, len,
               HP_Client_GetLastErrorDesc(client), (int)SYS_GetLastError());
        failed = 1;
        return;
    }
    sent_at[i] = now_ms();
}

static En_HP_HandleResult OnReceive(HP_Client sender, HP_CONNID id, const BYTE *data, int len)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    if (len == (int)sizeof CLOSE_NOTIFY && memcmp(data, CLOSE_NOTIFY, sizeof CLOSE_NOTIFY) == 0) {
        printf("udp_echo_client: received the 16-byte close-notify datagram as data\n");
        fflush(stdout);
        notified = 1;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&mu);
        return HR_OK;
    }
    unsigned i = len >= 4 ? (unsigned)data[0] | (unsigned)data[1] << 8 |
                                (unsigned)data[2] << 16 | (unsigned)data[3] << 24
                          : UINT32_MAX;
    if (i >= next_seq) {
        printf("udp_echo_client: a datagram of %d bytes that was not sent arrived\n", len);
        failed = 1;
    } else {
        int want = datagram_size(i);
        fill(want_buf, i, want);
        if (len != want || memcmp(data, want_buf, (size_t)len) != 0) {
            printf("udp_echo_client: datagram %u: %d bytes, %s (want %d bytes)\n", i, len,
                   len == want ? "content differs" : "wrong size", want);
            failed = 1;
        } else if (sent_at[i] < 0) {
            duplicates++; /* the echo of a datagram sent again */
        } else {
            sent_at[i] = -1;
            verified++;
            in_flight--;
            bytes += (unsigned long long)len;
        }
    }
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *wait_for_stop(void *signals)
{
    int sig = 0;
    sigwait(signals, &sig);
    pthread_mutex_lock(&mu);
    stop_requested = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static En_HP_HandleResult OnClose(HP_Client sender, HP_CONNID id, En_HP_SocketOperation op,
                                  int err)
{
    (void)sender, (void)id;
    pthread_mutex_lock(&mu);
    closed = 1;
    close_op = (int)op;
    close_err = err;
    closed_at = wall_clock();
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

static void deadline_in(struct timespec *ts, long long ms)
{
    long long at = now_ms() + ms;
    ts->tv_sec = (time_t)(at / 1000);
    ts->tv_nsec = (long)(at % 1000) * 1000000;
}

/* Sends, resends and waits until every datagram is verified; call with mu held. Returns 2
 * on timeout, 1 on failure, 0 done. */
static int run(void)
{
    long long end = now_ms() + DEADLINE_S * 1000LL;
    while (verified < datagrams) {
        if (failed)
            return 1;
        if (closed) {
            printf("udp_echo_client: connection closed: operation %d, error %d\n", close_op,
                   close_err);
            return 1;
        }
        long long now = now_ms();
        if (now >= end)
            return 2;
        while (!failed && next_seq < datagrams && in_flight < WINDOW) {
            send_one(next_seq++);
            in_flight++;
        }
        /* Echoes may come back out of order: the oldest datagram not verified bounds the
         * ones to look at. */
        while (oldest < next_seq && sent_at[oldest] < 0)
            oldest++;
        long long wake = end;
        for (unsigned i = oldest; i < next_seq && !failed; i++) {
            if (sent_at[i] < 0)
                continue;
            if (now - sent_at[i] >= RESEND_MS) {
                send_one(i);
                resent++;
            }
            if (sent_at[i] + RESEND_MS < wake)
                wake = sent_at[i] + RESEND_MS;
        }
        /* Wait for an echo or the next resend. */
        struct timespec ts;
        deadline_in(&ts, wake > now ? wake - now : 1);
        if (!failed && verified < datagrams)
            pthread_cond_timedwait(&cv, &mu, &ts);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? strtoul(argv[2], NULL, 0) : 5555);
    datagrams = (unsigned)(argc > 3 ? strtoul(argv[3], NULL, 0) : 1000);
    DWORD max_arg = (DWORD)(argc > 4 ? strtoul(argv[4], NULL, 0) : 0);
    long hold_ms = argc > 7 ? strtol(argv[7], NULL, 0) : -1;

    sigset_t stop_signals; /* taken by sigwait when holding; the worker inherits the mask */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &ca);

    HP_UdpClientListener listener = Create_HP_UdpClientListener();
    HP_Set_FN_Client_OnReceive(listener, OnReceive);
    HP_Set_FN_Client_OnClose(listener, OnClose);
    client = Create_HP_UdpClient(listener);
    if (max_arg != 0)
        HP_UdpClient_SetMaxDatagramSize(client, max_arg);
    if (argc > 5)
        HP_UdpClient_SetDetectAttempts(client, (DWORD)strtoul(argv[5], NULL, 0));
    if (argc > 6) {
        DWORD ms = (DWORD)strtoul(argv[6], NULL, 0);
#ifdef HP_SOCKET_5_2_2
        HP_UdpClient_SetDetectInterval(client, (ms + 999) / 1000); /* 5.x: seconds */
#else
        HP_UdpClient_SetDetectInterval(client, ms);
#endif
    }
    max_datagram = (int)HP_UdpClient_GetMaxDatagramSize(client);
    sent_at = malloc(sizeof *sent_at * (datagrams ? datagrams : 1));
    out_buf = malloc((size_t)max_datagram);
    want_buf = malloc((size_t)max_datagram);
    if (max_datagram < 4 || sent_at == NULL || out_buf == NULL || want_buf == NULL) {
        fprintf(stderr, "udp_echo_client: max datagram size %d: need 4 bytes or more\n",
                max_datagram);
        return 1;
    }

    int status = 1;
    if (!HP_Client_Start(client, host, port, FALSE)) { /* FALSE: connect synchronously */
        fprintf(stderr, "udp_echo_client: connect to %s:%u failed: %s\n", host, (unsigned)port,
                HP_Client_GetLastErrorDesc(client));
        goto out;
    }
    long long t0 = now_ms();
    pthread_mutex_lock(&mu);
    status = run();
    long long ms = now_ms() - t0;
    if (status == 0) {
        printf("udp_echo_client: %u datagrams (%llu bytes, max %d) echoed and verified in %lld "
               "ms, %u sent again, %u duplicate echoes\n",
               datagrams, bytes, max_datagram, ms, resent, duplicates);
    } else {
        printf("udp_echo_client: FAILED: %u of %u datagrams verified%s\n", verified, datagrams,
               status == 2 ? " (timed out)" : "");
    }
    if (status == 0 && duplicates > resent) {
        printf("udp_echo_client: FAILED: %u duplicate echoes, only %u sent again\n", duplicates,
               resent);
        status = 1;
    }
    if (status == 0 && hold_ms >= 0) {
        struct timespec ts;
        deadline_in(&ts, hold_ms);
        while (!closed && !notified && pthread_cond_timedwait(&cv, &mu, &ts) != ETIMEDOUT)
            ;
        if (closed) {
            printf("udp_echo_client: FAILED: connection closed while holding: operation %d, "
                   "error %d\n",
                   close_op, close_err);
            status = 1;
        } else if (notified) {
            printf("udp_echo_client: FAILED: the server closed the connection while holding "
                   "(its close-notify arrived as data)\n");
            status = 1;
        } else {
            printf("udp_echo_client: still connected after holding %ld ms\n", hold_ms);
        }
    }
    fflush(stdout);
    if (status == 0 && hold_ms >= 0) {
        /* Until SIGTERM or the connection's end (a heartbeat timeout: reported, exit 0). */
        pthread_t waiter;
        pthread_create(&waiter, NULL, wait_for_stop, &stop_signals);
        while (!closed && !stop_requested)
            pthread_cond_wait(&cv, &mu);
        if (closed) {
            printf("udp_echo_client: connection closed: operation %d, error %d, at %.3f\n",
                   close_op, close_err, closed_at);
            fflush(stdout);
        }
    }
    pthread_mutex_unlock(&mu);

out:
    HP_Client_Stop(client);
    Destroy_HP_UdpClient(client);
    Destroy_HP_UdpClientListener(listener);
    free(sent_at);
    free(out_buf);
    free(want_buf);
    return status;
}
