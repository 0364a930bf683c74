/*
 * Helpers of the hardening tests (tests/misuse, tests/soak). Each test is its own program, run
 * under `timeout` by tests/misuse/run.sh. A failed CHECK prints where and exits 1 at once, even
 * from a library worker thread. Soft checks (EXPECT) count a failure and go on, so one run
 * lists every deviation; the program then prints "N passed, N failed".
 *
 * No test sleeps to synchronise: WAIT_FOR waits on a condition variable that callbacks signal;
 * POLL_FOR re-checks library state every 2 ms up to a deadline.
 */
#ifndef HARD_H
#define HARD_H

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "HPSocket4C.h"

#ifndef T_WAIT_MS
#define T_WAIT_MS 20000
#endif

static pthread_mutex_t t_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t t_cv = PTHREAD_COND_INITIALIZER;
static int t_passed, t_failed;

__attribute__((format(printf, 3, 4), noreturn)) static inline void
t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fprintf(stdout, "%d passed, %d failed\n", t_passed, t_failed + 1);
    fflush(stderr);
    fflush(stdout);
    _exit(1);
}

#define FAILF(...) t_fail(__FILE__, __LINE__, __VA_ARGS__)
#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond))                                                                         \
            FAILF("check failed: %s", #cond);                                                \
    } while (0)

/* A soft check: counted, printed when it fails, the test goes on. */
#define EXPECT(cond, ...)                                                                    \
    do {                                                                                     \
        if (cond) {                                                                          \
            __atomic_add_fetch(&t_passed, 1, __ATOMIC_RELAXED);                              \
        } else {                                                                             \
            __atomic_add_fetch(&t_failed, 1, __ATOMIC_RELAXED);                              \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                             \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fputc('\n', stderr);                                                             \
        }                                                                                    \
    } while (0)

static inline void t_lock(void) { pthread_mutex_lock(&t_mu); }
static inline void t_unlock(void) { pthread_mutex_unlock(&t_mu); }
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

static inline double t_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits (under t_mu) until `cond` holds; fails after T_WAIT_MS. */
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

/* Polls `cond` (library state, not under t_mu) every 2 ms; fails after `ms`. */
#define POLL_FOR_MS(ms, cond)                                                                \
    do {                                                                                     \
        struct timespec dl_ = t_deadline(ms);                                                \
        while (!(cond)) {                                                                    \
            if (t_past(&dl_))                                                                \
                FAILF("timed out after %d ms waiting for %s", (int)(ms), #cond);             \
            struct timespec nap_ = {0, 2000000L};                                            \
            nanosleep(&nap_, NULL);                                                          \
        }                                                                                    \
    } while (0)
#define POLL_FOR(cond) POLL_FOR_MS(T_WAIT_MS, cond)

static inline USHORT t_listen_port(HP_Server server)
{
    TCHAR addr[64];
    int len = (int)sizeof addr;
    USHORT port = 0;
    if (!HP_Server_GetListenAddress(server, addr, &len, &port))
        FAILF("HP_Server_GetListenAddress: %s", HP_Server_GetLastErrorDesc(server));
    return port;
}

static inline USHORT t_start_server(HP_Server server)
{
    if (!HP_Server_Start(server, "127.0.0.1", 0))
        FAILF("HP_Server_Start: %d %s", (int)HP_Server_GetLastError(server),
              HP_Server_GetLastErrorDesc(server));
    return t_listen_port(server);
}

/* A plain blocking TCP socket connected to 127.0.0.1:port, or -1. */
static inline int t_connect_raw(USHORT port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Closes with RST instead of FIN (SO_LINGER 0). */
static inline void t_close_reset(int fd)
{
    struct linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

/* Waits up to ms for fd to become readable; returns read()'s result (or -2 on timeout). */
static inline ssize_t t_read_wait(int fd, void *buf, size_t n, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r <= 0)
        return -2;
    return read(fd, buf, n);
}

/* Writes all of buf (blocking socket); returns 0, or -1 with errno. */
static inline int t_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static inline int t_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

/* Resident set size in KiB, from /proc/self/status. */
static inline long t_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Deterministic data: byte `off` of stream `seed`. */
static inline BYTE t_pattern(unsigned seed, uint64_t off)
{
    uint64_t x = off * 0x9E3779B97F4A7C15ull + (uint64_t)seed * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 32;
    return (BYTE)x;
}

static inline uint64_t t_fnv(uint64_t h, const BYTE *p, int len)
{
    for (int i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}
#define T_FNV_INIT 0xCBF29CE484222325ull

/* Prints the closing line and returns the exit code. */
static inline int t_finish(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, t_passed, t_failed);
    fflush(stdout);
    return t_failed == 0 ? 0 : 1;
}

#endif
