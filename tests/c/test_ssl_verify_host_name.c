/*
 * A TLS client or agent verifying its peer (SSL_VM_PEER) checks that the certificate is for
 * the name it connected to: against a real `openssl s_server` whose certificate is for
 * "other.test" only, "127.0.0.1^evil.example", "localhost" and "127.0.0.1" fail the
 * handshake with OnClose(SO_RECEIVE, EKEYREJECTED) and a last error "certificate is for
 * other.test, not ..."; "127.0.0.1^other.test" succeeds; HPX_*_SetSSLVerifyHostName(FALSE)
 * (HP-Socket's behaviour) accepts any name. The certificates are made here by the openssl CLI.
 */
#include "test.h"

#include <signal.h>
#include <sys/wait.h>

static char dir[] = "/tmp/hpsocket-vhn-XXXXXX";
static pid_t server_pid;
static int server_stdin = -1;

static int handshakes, closes, close_code;
static char close_desc[512];

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
       "-subj '/CN=vhn test CA' -addext basicConstraints=critical,CA:TRUE "
       "-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null",
       dir);
    sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
       "-subj /CN=other.test 2>/dev/null && "
       "printf 'basicConstraints=CA:FALSE\\nsubjectAltName=DNS:other.test\\n"
       "extendedKeyUsage=serverAuth\\n' > server.ext && "
       "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
       "-out server.crt -days 2 -extfile server.ext 2>/dev/null",
       dir);
}

static USHORT free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    struct sockaddr_in a = t_loopback(0);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t len = sizeof a;
    CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int can_connect(USHORT port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = t_loopback(port);
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static USHORT start_s_server(void)
{
    USHORT port = free_port();
    char accept_arg[64], cert[300], key[300];
    snprintf(accept_arg, sizeof accept_arg, "127.0.0.1:%u", (unsigned)port);
    snprintf(cert, sizeof cert, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    int p[2];
    CHECK(pipe(p) == 0);
    server_pid = fork();
    CHECK(server_pid >= 0);
    if (server_pid == 0) {
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        null = freopen("/dev/null", "w", stderr);
        (void)null;
        execlp("openssl", "openssl", "s_server", "-accept", accept_arg, "-quiet", "-cert", cert,
               "-key", key, (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    server_stdin = p[1];
    POLL_FOR(can_connect(port));
    return port;
}

static void reset(void)
{
    t_lock();
    handshakes = closes = close_code = 0;
    close_desc[0] = 0;
    t_unlock();
}

static En_HP_HandleResult __HP_CALL c_handshake(HP_Client c, HP_CONNID id)
{
    (void)c, (void)id;
    t_lock();
    handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op,
                                            int code)
{
    (void)id;
    const char *desc = HP_Client_GetLastErrorDesc(c);
    t_lock();
    closes++;
    close_code = op == SO_RECEIVE ? code : -1000 - code;
    snprintf(close_desc, sizeof close_desc, "%s", desc);
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL a_handshake(HP_Agent a, HP_CONNID id)
{
    (void)a, (void)id;
    t_lock();
    handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult __HP_CALL a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op,
                                            int code)
{
    (void)id;
    const char *desc = HP_Agent_GetLastErrorDesc(a);
    t_lock();
    closes++;
    close_code = op == SO_RECEIVE ? code : -1000 - code;
    snprintf(close_desc, sizeof close_desc, "%s", desc);
    t_notify();
    t_unlock();
    return HR_OK;
}

/* One client connection as `remote`; returns 0 after a handshake, else OnClose's code. */
static int client_try(HP_TcpClientListener l, const char *ca, USHORT port, const char *remote,
                      BOOL check)
{
    reset();
    HP_SSLClient c = Create_HP_SSLClient(l);
    CHECK(c != NULL);
    CHECK(HPX_Client_IsSSLVerifyHostName(c) == TRUE); /* the default */
    HPX_Client_SetSSLVerifyHostName(c, check);
    CHECK(HPX_Client_IsSSLVerifyHostName(c) == check);
    CHECK(HP_SSLClient_SetupSSLContext(c, SSL_VM_PEER, NULL, NULL, NULL, ca));
    if (!HP_Client_Start(c, remote, port, FALSE))
        FAILF("start %s: %s", remote, HP_Client_GetLastErrorDesc(c));
    WAIT_FOR(handshakes > 0 || closes > 0);
    t_lock();
    int result = handshakes > 0 ? 0 : close_code;
    t_unlock();
    HP_Client_Stop(c);
    Destroy_HP_SSLClient(c);
    return result;
}

static void expect_mismatch(int code, const char *name)
{
    char want[128];
    snprintf(want, sizeof want, "certificate is for other.test, not %s", name);
    CHECK_EQ(code, EKEYREJECTED);
    t_lock();
    if (!strstr(close_desc, want))
        FAILF("last error %s, wanted %s", close_desc, want);
    t_unlock();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    make_certs();
    USHORT port = start_s_server();
    char ca[300];
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);

    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnHandShake(cl, c_handshake);
    HP_Set_FN_Client_OnClose(cl, c_close);

    expect_mismatch(client_try(cl, ca, port, "127.0.0.1^evil.example", TRUE), "evil.example");
    expect_mismatch(client_try(cl, ca, port, "localhost", TRUE), "localhost");
    expect_mismatch(client_try(cl, ca, port, "127.0.0.1", TRUE), "127.0.0.1");
    CHECK_EQ(client_try(cl, ca, port, "127.0.0.1^other.test", TRUE), 0);
    CHECK_EQ(client_try(cl, ca, port, "127.0.0.1^evil.example", FALSE), 0);

    /* An agent alike. */
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnHandShake(al, a_handshake);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_SSLAgent a = Create_HP_SSLAgent(al);
    CHECK(HPX_Agent_IsSSLVerifyHostName(a) == TRUE);
    CHECK(HP_SSLAgent_SetupSSLContext(a, SSL_VM_PEER, NULL, NULL, NULL, ca));
    CHECK(HP_Agent_Start(a, NULL, FALSE));
    /* A setting: refused while running. */
    HPX_Agent_SetSSLVerifyHostName(a, FALSE);
    CHECK_EQ(HP_Agent_GetLastError(a), SE_ILLEGAL_STATE);
    CHECK(HPX_Agent_IsSSLVerifyHostName(a) == TRUE);
    reset();
    HP_CONNID id = 0;
    CHECK(HP_Agent_Connect(a, "127.0.0.1^evil.example", port, &id));
    WAIT_FOR(closes > 0);
    CHECK_EQ(handshakes, 0);
    expect_mismatch(close_code, "evil.example");
    CHECK(HP_Agent_Stop(a));
    Destroy_HP_SSLAgent(a);

    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(cl);

    close(server_stdin);
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    sh("rm -rf %s", dir);
    printf("test_ssl_verify_host_name: ok\n");
    return 0;
}
