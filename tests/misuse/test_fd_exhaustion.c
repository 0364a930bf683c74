/*
 * Descriptor exhaustion: the server runs in a child process with `ulimit -n 256` (RLIMIT_NOFILE)
 * and 400 clients connect to it from this process, each sending "ping".
 *  - accept errors are reported: the server's GetLastErrorDesc names the failed accept (EMFILE);
 *  - the connections it holds keep working (each answers a second ping);
 *  - when descriptors free up (200 clients leave) the server recovers: the clients left waiting
 *    in the backlog are accepted and answered, and new clients are served.
 * The child is this program re-executed with the argument "server"; it reports on its stdout
 * pipe ("port N", "accept-error TEXT", "count N") and exits when its stdin closes.
 */
#include "hard.h"

#define CLIENTS 400

/* ---- the child: an echo server with 256 descriptors ---------------------------------------- */
static En_HP_HandleResult echo(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    HP_Server_Send(s, id, d, n);
    return HR_OK;
}

static int server_main(void)
{
    struct rlimit lim = {256, 256};
    CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
    HP_TcpServerListener l = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(l, echo);
    HP_TcpServer s = Create_HP_TcpServer(l);
    HP_Server_SetWorkerThreadCount(s, 2);
    HP_TcpServer_SetSocketListenQueue(s, 1024);
    USHORT port = t_start_server(s);
    printf("port %u\n", port);
    fflush(stdout);
    /* Report the accept error once it happens, and the connection count on request. */
    char cmd[64];
    int reported = 0;
    while (fgets(cmd, sizeof cmd, stdin)) {
        const char *desc = HP_Server_GetLastErrorDesc(s);
        if (!reported && strstr(desc, "accept")) {
            printf("accept-error %s\n", desc);
            reported = 1;
        }
        printf("count %u\n", HP_Server_GetConnectionCount(s));
        fflush(stdout);
    }
    Destroy_HP_TcpServer(s);
    Destroy_HP_TcpServerListener(l);
    return 0;
}

/* ---- the parent: 400 clients ------------------------------------------------------------------ */
static FILE *to_child, *from_child;
static char accept_error[640];

/* Asks the child for its state; returns its connection count. */
static unsigned ask(void)
{
    char line[600];
    fprintf(to_child, "?\n");
    fflush(to_child);
    while (fgets(line, sizeof line, from_child)) {
        unsigned n;
        if (strncmp(line, "accept-error ", 13) == 0)
            snprintf(accept_error, sizeof accept_error, "%s", line + 13);
        else if (sscanf(line, "count %u", &n) == 1)
            return n;
    }
    FAILF("the server child went away");
}

static int answered(int fd, int ms)
{
    char b[4];
    size_t got = 0;
    while (got < 4) {
        ssize_t r = t_read_wait(fd, b + got, 4 - got, ms);
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return memcmp(b, "ping", 4) == 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "server") == 0)
        return server_main();

    int in[2], out[2];
    CHECK(pipe(in) == 0 && pipe(out) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl("/proc/self/exe", argv[0], "server", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_child = fdopen(in[1], "w");
    from_child = fdopen(out[0], "r");
    char line[128];
    unsigned port = 0;
    CHECK(fgets(line, sizeof line, from_child) && sscanf(line, "port %u", &port) == 1);

    static int fds[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        fds[i] = t_connect_raw((USHORT)port); /* the backlog (1024) takes them all */
        CHECK(fds[i] >= 0);
        CHECK(t_write_all(fds[i], "ping", 4) == 0);
    }
    /* The server holds what its descriptors allow; the rest wait in the backlog. */
    static int got[CLIENTS];
    int served = 0;
    for (int i = 0; i < CLIENTS; i++)
        if ((got[i] = answered(fds[i], i < 150 ? T_WAIT_MS : 10)))
            served++;
    unsigned held = ask();
    printf("fd exhaustion: the server (256 descriptors) holds %u of %d clients, %d answered\n",
           held, CLIENTS, served);
    EXPECT(held > 150 && held < 256, "the server holds %u connections", held);
    EXPECT(served >= 150 && served < CLIENTS, "%d clients answered", served);
    (void)ask();
    EXPECT(accept_error[0] != 0, "the failed accepts were not reported in GetLastErrorDesc");
    if (accept_error[0])
        printf("  reported: %s", accept_error);

    /* The connections it holds keep working. */
    int alive = 0;
    for (int i = 0; i < 100; i++)
        if (t_write_all(fds[i], "ping", 4) == 0 && answered(fds[i], T_WAIT_MS))
            alive++;
    EXPECT(alive == 100, "only %d of 100 held connections still answer", alive);

    /* 200 leave: the waiting clients are accepted and answered. */
    for (int i = 0; i < 200; i++)
        close(fds[i]);
    int late = 0, want_late = 0;
    for (int i = 200; i < CLIENTS; i++) {
        if (got[i])
            continue;
        want_late++;
        if (answered(fds[i], T_WAIT_MS))
            late++;
    }
    EXPECT(late == want_late, "after descriptors freed up, %d of %d waiting clients were served",
           late, want_late);
    for (int i = 200; i < CLIENTS; i++)
        EXPECT(t_write_all(fds[i], "ping", 4) == 0 && answered(fds[i], T_WAIT_MS),
               "client %d does not answer after the recovery", i);
    printf("  recovered: %d waiting clients served after 200 left; all %d remaining answer\n",
           late, CLIENTS - 200);
    for (int i = 200; i < CLIENTS; i++)
        close(fds[i]);

    fclose(to_child);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the server child ended with %d", status);
    fclose(from_child);
    return t_finish("fd exhaustion");
}
