/*
 * Helpers shared by the C tests. Each test is its own program (own process, run under
 * `timeout` by tests/c/run.sh); a failed check prints where and exits 1 at once, even from
 * a library worker thread.
 *
 * Synchronisation: callbacks change shared state under t_mu and call t_notify(); the main
 * thread waits with WAIT_FOR(condition), which re-checks the condition under the lock until it
 * holds or T_WAIT_MS passes (then the test fails). No test sleeps to synchronise.
 */
#ifndef HPSOCKET_C_TEST_H
#define HPSOCKET_C_TEST_H

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "HPSocket4C.h"

/* Longest any single wait may take; the runner's timeout is a second line of defence. */
#ifndef T_WAIT_MS
#define T_WAIT_MS 15000
#endif

static pthread_mutex_t t_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t t_cv = PTHREAD_COND_INITIALIZER;

static inline void t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

static inline void t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    fflush(stdout);
    /* _exit: safe from any thread, does not wait for the library's workers. */
    _exit(1);
}

#define FAILF(...) t_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond))                                                                         \
            FAILF("check failed: %s", #cond);                                                \
    } while (0)

#define CHECK_EQ(a, b)                                                                       \
    do {                                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                                  \
        if (a_ != b_)                                                                        \
            FAILF("check failed: %s == %s (%lld != %lld)", #a, #b, a_, b_);                  \
    } while (0)

static inline void t_lock(void) { pthread_mutex_lock(&t_mu); }
static inline void t_unlock(void) { pthread_mutex_unlock(&t_mu); }

/* Wakes every WAIT_FOR; call with t_mu held, after changing shared state. */
static inline void t_notify(void) { pthread_cond_broadcast(&t_cv); }

static inline struct timespec t_deadline(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static inline int t_past(const struct timespec *dl)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec > dl->tv_sec || (now.tv_sec == dl->tv_sec && now.tv_nsec >= dl->tv_nsec);
}

/*
 * Waits until `cond` (evaluated under t_mu) holds; fails the test after T_WAIT_MS. Wakes on
 * t_notify(); re-checks every 5 ms as well, so a missed wake-up costs time, not the test.
 */
#define WAIT_FOR(cond)                                                                       \
    do {                                                                                     \
        struct timespec dl_ = t_deadline(T_WAIT_MS);                                         \
        int ok_ = 1;                                                                         \
        t_lock();                                                                            \
        while (!(cond)) {                                                                    \
            if (t_past(&dl_)) {                                                              \
                ok_ = 0;                                                                     \
                break;                                                                       \
            }                                                                                \
            struct timespec slice_ = t_deadline(5);                                          \
            pthread_cond_timedwait(&t_cv, &t_mu, &slice_);                                   \
        }                                                                                    \
        t_unlock();                                                                          \
        if (!ok_)                                                                            \
            FAILF("timed out after %d ms waiting for %s", T_WAIT_MS, #cond);                 \
    } while (0)

/*
 * Polls `cond` without holding t_mu (for conditions on library state, which must not be
 * queried under a lock that callbacks take); fails the test after T_WAIT_MS.
 */
#define POLL_FOR(cond)                                                                       \
    do {                                                                                     \
        struct timespec dl_ = t_deadline(T_WAIT_MS);                                         \
        while (!(cond)) {                                                                    \
            if (t_past(&dl_))                                                                \
                FAILF("timed out after %d ms waiting for %s", T_WAIT_MS, #cond);             \
            struct timespec nap_ = {0, 2000000L};                                            \
            nanosleep(&nap_, NULL);                                                          \
        }                                                                                    \
    } while (0)

/* The port a started server listens on (tests bind port 0 on 127.0.0.1). */
static inline USHORT t_listen_port(HP_Server server)
{
    TCHAR addr[64];
    int len = (int)(sizeof addr / sizeof addr[0]);
    USHORT port = 0;
    if (!HP_Server_GetListenAddress(server, addr, &len, &port))
        FAILF("HP_Server_GetListenAddress failed: %s", HP_Server_GetLastErrorDesc(server));
    CHECK(strcmp(addr, "127.0.0.1") == 0);
    CHECK(port != 0);
    return port;
}

/* A server on 127.0.0.1 with an ephemeral port; fails the test if Start fails. */
static inline USHORT t_start_server(HP_Server server)
{
    if (!HP_Server_Start(server, "127.0.0.1", 0))
        FAILF("HP_Server_Start failed: %d %s", (int)HP_Server_GetLastError(server),
              HP_Server_GetLastErrorDesc(server));
    return t_listen_port(server);
}

/*
 * Deterministic test data: byte `off` of stream `seed`. A message lost, repeated or moved
 * within a stream changes the bytes seen at later offsets.
 */
static inline BYTE t_pattern(unsigned seed, uint64_t off)
{
    uint64_t x = off * 0x9E3779B97F4A7C15ull + (uint64_t)seed * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 32;
    return (BYTE)x;
}

static inline void t_fill(BYTE *buf, int len, unsigned seed, uint64_t off)
{
    for (int i = 0; i < len; i++)
        buf[i] = t_pattern(seed, off + (uint64_t)i);
}

/* FNV-1a, continued over successive chunks. */
static inline uint64_t t_fnv(uint64_t h, const BYTE *p, int len)
{
    for (int i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

#define T_FNV_INIT 0xCBF29CE484222325ull

/* Records a numbered event so tests can assert on order; call with t_mu held. */
#define T_MAX_EVENTS 256
static char t_events[T_MAX_EVENTS][64];
static int t_nevents;

static inline void t_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void t_event(const char *fmt, ...)
{
    va_list ap;
    if (t_nevents >= T_MAX_EVENTS)
        FAILF("too many events");
    va_start(ap, fmt);
    vsnprintf(t_events[t_nevents], sizeof t_events[0], fmt, ap);
    va_end(ap);
    t_nevents++;
    t_notify();
}

static inline void t_dump_events(void)
{
    for (int i = 0; i < t_nevents; i++)
        fprintf(stderr, "  event %d: %s\n", i, t_events[i]);
}

/* Index of the first event equal to `want` at or after `from`, or -1. Call with t_mu held. */
static inline int t_find_event(const char *want, int from)
{
    for (int i = from; i < t_nevents; i++)
        if (strcmp(t_events[i], want) == 0)
            return i;
    return -1;
}

static inline int t_count_events(const char *want)
{
    int n = 0;
    for (int i = 0; i < t_nevents; i++)
        if (strcmp(t_events[i], want) == 0)
            n++;
    return n;
}

/* ---- raw TCP sockets on 127.0.0.1 (the peer a test plays itself) ---- */

/* 127.0.0.1:port. */
static inline struct sockaddr_in t_loopback(USHORT port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(port);
    return sin;
}

/*
 * A TCP socket. rcvbuf > 0 sets SO_RCVBUF; timeout_s > 0 sets SO_RCVTIMEO, so that a stuck
 * recv or accept fails instead of hanging the test. 0 leaves the option alone.
 */
static inline int t_socket(int rcvbuf, int timeout_s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    if (rcvbuf > 0)
        CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == 0);
    if (timeout_s > 0) {
        struct timeval tv = {timeout_s, 0};
        CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    }
    return fd;
}

/* Binds `fd` to 127.0.0.1 on an ephemeral port; returns the port. */
static inline USHORT t_bind(int fd)
{
    struct sockaddr_in sin = t_loopback(0);
    CHECK(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    socklen_t len = sizeof sin;
    CHECK(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
    return ntohs(sin.sin_port);
}

/* A listening socket on 127.0.0.1 (port in *port); rcvbuf, timeout_s as for t_socket. */
static inline int t_listen(USHORT *port, int backlog, int rcvbuf, int timeout_s)
{
    int fd = t_socket(rcvbuf, timeout_s); /* accepted sockets inherit the options */
    *port = t_bind(fd);
    CHECK(listen(fd, backlog) == 0);
    return fd;
}

/* A socket connected to 127.0.0.1:port; rcvbuf, timeout_s as for t_socket. */
static inline int t_connect(USHORT port, int rcvbuf, int timeout_s)
{
    int fd = t_socket(rcvbuf, timeout_s);
    struct sockaddr_in sin = t_loopback(port);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
        FAILF("connect to 127.0.0.1:%u: %s", port, strerror(errno));
    return fd;
}

/* The next connection on listening socket `lfd`. */
static inline int t_accept(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        FAILF("accept: %s", strerror(errno));
    return fd;
}

#endif
