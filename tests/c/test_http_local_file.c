/*
 * HP_HttpServer_SendLocalFile without HP-Socket's 4 MiB bound, over http and https: an
 * HttpServer and an HttpsServer answer files of 64 and 256 MiB; http_local_file_client.py
 * (next to this file) downloads them with curl, Python `requests` and raw sockets and compares
 * sha256 digests (also HTTP/1.0, whose connection is released after the file), pipelines a
 * plain response behind a file (it must arrive after it), leaves in
 * the middle of a file, and samples this process's VmRSS while 256 MiB go out (it must stay
 * within a bound far below the file's size). Refused files (missing, a directory, a FIFO,
 * unreadable) keep
 * HP-Socket's FALSE with SE_INVALID_PARAM and say why in errno. Afterwards no connection and no
 * file descriptor is left over.
 */
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[] = "/tmp/hpsocket-localfile-XXXXXX";
static int closes;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        FAILF("command failed: %s", cmd);
}

static void make_certs(void)
{
    sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
       "-subj '/CN=local file test CA' -addext basicConstraints=critical,CA:TRUE "
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

/* A file of `mib` MiB (plus `extra` bytes) of xorshift bytes, different per seed. */
static void make_file(const char *name, long mib, long extra, uint64_t seed)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    static uint64_t block[1 << 17];
    uint64_t x = seed;
    for (long i = 0; i < mib; i++) {
        for (size_t j = 0; j < sizeof block / sizeof block[0]; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            block[j] = x;
        }
        CHECK(fwrite(block, 1, sizeof block, f) == sizeof block);
    }
    for (long i = 0; i < extra; i++)
        CHECK(fputc('a' + (int)(i % 26), f) != EOF);
    CHECK(fclose(f) == 0);
}

/* The descriptors the process holds, but those under /proc and /sys: the library's threads open
 * such files for a moment on their own (glibc's malloc reads /sys/devices/system/cpu/online
 * when a thread first allocates, Rust's std reads /proc/self/cgroup), so counting them would
 * race with the worker threads. Sockets and the files of bodies, what a leak would be, count. */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], target[300];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len < 0)
            continue; /* closed since readdir read it: a passing file, not a leak */
        target[len] = '\0';
        if (strncmp(target, "/proc/", 6) != 0 && strncmp(target, "/sys/", 5) != 0)
            n++;
    }
    closedir(d);
    return n;
}

/* /err-NAME: SendLocalFile must refuse the file with SE_INVALID_PARAM and `want_errno`. */
static void refuse(HP_HttpServer s, HP_CONNID id, const char *file, int want_errno)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    errno = 0;
    if (HP_HttpServer_SendLocalFile(s, id, path, HSC_OK, NULL, NULL, 0))
        FAILF("SendLocalFile(%s) succeeded", path);
    int err = (int)SYS_GetLastError();
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
    if (err != want_errno)
        FAILF("SendLocalFile(%s): errno %d, want %d", path, err, want_errno);
    char text[256];
    int n = snprintf(text, sizeof text, "refused: errno %d (%s)", err, strerror(err));
    CHECK(HP_HttpServer_SendResponse(s, id, HSC_INTERNAL_SERVER_ERROR, NULL, NULL, 0,
                                     (const BYTE *)text, n));
}

/*
 * A file this process may not read: HP-Socket's open fails with EACCES, and so does ours
 * (SE_INVALID_PARAM). Root reads any file, so the call is made in a child that gives up root
 * first, forked while this process has no thread but its own. No connection is needed: the
 * file is opened before the connection is looked up.
 */
static void check_unreadable(void)
{
    char p[256];
    make_file("secret", 0, 10, 1);
    snprintf(p, sizeof p, "%s/secret", dir);
    if (geteuid() == 0)
        CHECK(chmod(p, 0600) == 0 && chmod(dir, 0711) == 0); /* nobody reaches, not reads */
    else
        CHECK(chmod(p, 0) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        HP_HttpServerListener l = Create_HP_HttpServerListener();
        HP_HttpServer s = Create_HP_HttpServer(l);
        if (HP_HttpServer_SendLocalFile(s, 1, p, HSC_OK, NULL, NULL, 0))
            _exit(4);
        int err = (int)SYS_GetLastError();
        if (err != EACCES || HP_Server_GetLastError(s) != SE_INVALID_PARAM) {
            fprintf(stderr, "unreadable file: errno %d, error %d\n", err,
                    (int)HP_Server_GetLastError(s));
            _exit(5);
        }
        _exit(0);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        FAILF("the unreadable-file check failed (status %#x)", status);
    printf("unreadable file: refused with SE_INVALID_PARAM, EACCES\n");
}

static En_HP_HttpParseResult on_complete(HP_HttpServer s, HP_CONNID id)
{
    const char *path = HP_HttpServer_GetUrlField(s, id, HUF_PATH);
    CHECK(path != NULL);
    if (strcmp(path, "/text") == 0) {
        const char *text = "after the file";
        CHECK(HP_HttpServer_SendResponse(s, id, HSC_OK, NULL, NULL, 0, (const BYTE *)text,
                                         (int)strlen(text)));
    } else if (strcmp(path, "/err-missing") == 0) {
        refuse(s, id, "no-such-file", ENOENT);
    } else if (strcmp(path, "/err-dir") == 0) {
        refuse(s, id, "d", EISDIR);
    } else if (strcmp(path, "/err-fifo") == 0) {
        refuse(s, id, "fifo", EBADF);
    } else {
        char file[256];
        snprintf(file, sizeof file, "%s%s", dir, path);
        HP_THeader type = {"Content-Type", "application/octet-stream"};
        if (!HP_HttpServer_SendLocalFile(s, id, file, HSC_OK, NULL, &type, 1))
            FAILF("SendLocalFile(%s): %s", file, HP_Server_GetLastErrorDesc(s));
    }
    /* HP-Socket's pattern: a request that is not keep-alive is released after its answer,
     * which must still go out whole (the release waits for the queue, file included). */
    if (!HP_HttpServer_IsKeepAlive(s, id))
        CHECK(HP_HttpServer_Release(s, id));
    return HPR_OK;
}

static En_HP_HandleResult on_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int code)
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

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    make_certs();
    make_file("f64", 64, 0, 0x9E3779B97F4A7C15ull);
    make_file("f256", 256, 0, 0xD1B54A32D192ED03ull);
    make_file("small", 0, 1000, 1);
    make_file("empty", 0, 0, 1);
    char p[256];
    snprintf(p, sizeof p, "%s/fifo", dir);
    CHECK(mkfifo(p, 0600) == 0);
    snprintf(p, sizeof p, "%s/d", dir);
    CHECK(mkdir(p, 0700) == 0);
    check_unreadable();

    HP_HttpServerListener sl = Create_HP_HttpServerListener();
    HP_Set_FN_HttpServer_OnMessageComplete(sl, on_complete);
    HP_Set_FN_HttpServer_OnClose(sl, on_close);
    HP_HttpServer http = Create_HP_HttpServer(sl);
    HP_HttpsServer https = Create_HP_HttpsServer(sl);
    CHECK(http != NULL && https != NULL);
    char cert[256], key[256];
    snprintf(cert, sizeof cert, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    CHECK(HP_SSLServer_SetupSSLContext(https, SSL_VM_NONE, cert, key, NULL, NULL, NULL));
    /* The shortest delay: the release comes while the file is still going out. */
    HP_HttpServer_SetReleaseDelay(http, 100);
    HP_HttpServer_SetReleaseDelay(https, 100);
    CHECK(HP_Server_Start(http, "127.0.0.1", 0));
    CHECK(HP_Server_Start(https, "127.0.0.1", 0));
    TCHAR addr[64];
    int alen = sizeof addr;
    USHORT port = 0, sport = 0;
    CHECK(HP_Server_GetListenAddress(http, addr, &alen, &port));
    alen = sizeof addr;
    CHECK(HP_Server_GetListenAddress(https, addr, &alen, &sport));

    int fds = count_fds();
    char here[512];
    snprintf(here, sizeof here, "%s", __FILE__);
    sh("python3 %s/http_local_file_client.py %s %u %u %d", dirname(here), dir, port, sport,
       (int)getpid());

    /* Every client has gone: every connection closes, and the files of bodies cut short are
     * closed with them. */
    WAIT_FOR(HP_Server_GetConnectionCount(http) == 0 && HP_Server_GetConnectionCount(https) == 0);
    CHECK(closes > 0);
    CHECK_EQ(count_fds(), fds);

    CHECK(HP_Server_Stop(http));
    CHECK(HP_Server_Stop(https));
    Destroy_HP_HttpServer(http);
    Destroy_HP_HttpsServer(https);
    Destroy_HP_HttpServerListener(sl);
    sh("rm -rf %s", dir);
    printf("test_http_local_file: ok (%d connections closed)\n", closes);
    return 0;
}
