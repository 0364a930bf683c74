/*
 * Allocation failure from settings: every numeric setting at its extreme (0xFFFFFFFF) either
 * works or makes Start (or the first send) fail with SE_INVALID_PARAM. It must never abort the
 * process because the library tried to allocate what the setting asked for up front.
 *
 * Each setting runs in its own child process with RLIMIT_AS at 8 GiB (so an allocation of
 * tens of GiB fails at once, as it would on a smaller machine, instead of being overcommitted);
 * the parent checks how the child ended. Not built with ASan (ASan and RLIMIT_AS do not mix).
 */
#include "hard.h"

enum { S_SERVER, S_AGENT, S_CLIENT };

struct setting {
    const char *name;
    int shape;
    void (*set)(HP_Object, DWORD);
    int send_after_start; /* also queue a send from another thread (socket buffer sizes) */
};

static void set_server_pool(HP_Object o, DWORD v) { HP_Server_SetFreeBufferObjPool(o, v); }
static void set_server_hold(HP_Object o, DWORD v) { HP_Server_SetFreeBufferObjHold(o, v); }
static void set_server_sock_pool(HP_Object o, DWORD v) { HP_Server_SetFreeSocketObjPool(o, v); }
static void set_server_accept(HP_Object o, DWORD v) { HP_TcpServer_SetAcceptSocketCount(o, v); }
static void set_server_listen(HP_Object o, DWORD v) { HP_TcpServer_SetSocketListenQueue(o, v); }
static void set_server_bufsize(HP_Object o, DWORD v) { HP_TcpServer_SetSocketBufferSize(o, v); }
static void set_server_maxconn(HP_Object o, DWORD v) { HP_Server_SetMaxConnectionCount(o, v); }
static void set_server_workers(HP_Object o, DWORD v) { HP_Server_SetWorkerThreadCount(o, v); }
static void set_server_queue(HP_Object o, DWORD v) { HPX_Server_SetMaxSendQueueBytes(o, v); }
static void set_agent_pool(HP_Object o, DWORD v) { HP_Agent_SetFreeBufferObjPool(o, v); }
static void set_agent_bufsize(HP_Object o, DWORD v) { HP_TcpAgent_SetSocketBufferSize(o, v); }
static void set_client_pool(HP_Object o, DWORD v) { HP_Client_SetFreeBufferPoolSize(o, v); }
static void set_client_bufsize(HP_Object o, DWORD v) { HP_TcpClient_SetSocketBufferSize(o, v); }

static const struct setting settings[] = {
    {"HP_Server_SetFreeBufferObjPool", S_SERVER, set_server_pool, 0},
    {"HP_Server_SetFreeBufferObjHold", S_SERVER, set_server_hold, 0},
    {"HP_Server_SetFreeSocketObjPool", S_SERVER, set_server_sock_pool, 0},
    {"HP_TcpServer_SetAcceptSocketCount", S_SERVER, set_server_accept, 0},
    {"HP_TcpServer_SetSocketListenQueue", S_SERVER, set_server_listen, 0},
    {"HP_TcpServer_SetSocketBufferSize", S_SERVER, set_server_bufsize, 1},
    {"HP_Server_SetMaxConnectionCount", S_SERVER, set_server_maxconn, 0},
    {"HP_Server_SetWorkerThreadCount", S_SERVER, set_server_workers, 0},
    {"HPX_Server_SetMaxSendQueueBytes", S_SERVER, set_server_queue, 1},
    {"HP_Agent_SetFreeBufferObjPool", S_AGENT, set_agent_pool, 0},
    {"HP_TcpAgent_SetSocketBufferSize", S_AGENT, set_agent_bufsize, 1},
    {"HP_Client_SetFreeBufferPoolSize", S_CLIENT, set_client_pool, 0},
    {"HP_TcpClient_SetSocketBufferSize", S_CLIENT, set_client_bufsize, 1},
};

static USHORT peer_port;

/* The child: 0 = the documented outcome, 3 = an undocumented failure code. */
static int child(const struct setting *s)
{
    struct rlimit lim = {8ull << 30, 8ull << 30};
    setrlimit(RLIMIT_AS, &lim);
    setenv("RUST_BACKTRACE", "0", 1);
    static BYTE data[64 * 1024];
    memset(data, 'x', sizeof data);
    /* A peer for agents and clients (made in the child: no library threads cross a fork). */
    HP_TcpServerListener pl = Create_HP_TcpServerListener();
    HP_TcpServer peer = Create_HP_TcpServer(pl);
    peer_port = t_start_server(peer);
    if (s->shape == S_SERVER) {
        HP_TcpServerListener l = Create_HP_TcpServerListener();
        HP_TcpServer o = Create_HP_TcpServer(l);
        HP_Server_SetWorkerThreadCount(o, 2);
        s->set(o, 0xFFFFFFFFu);
        if (!HP_Server_Start(o, "127.0.0.1", 0)) {
            int code = (int)HP_Server_GetLastError(o);
            printf("%s: Start refused (%d): %s\n", s->name, code, HP_Server_GetLastErrorDesc(o));
            return code == SE_INVALID_PARAM ? 0 : 3;
        }
        if (s->send_after_start) {
            int fd = t_connect_raw(t_listen_port(o));
            CHECK(fd >= 0);
            POLL_FOR(HP_Server_GetConnectionCount(o) == 1);
            HP_CONNID id;
            DWORD n = 1;
            CHECK(HP_Server_GetAllConnectionIDs(o, &id, &n));
            for (int i = 0; i < 64; i++) /* from this thread: queued, then written */
                HP_Server_Send(o, id, data, (int)sizeof data);
            close(fd);
        }
        Destroy_HP_TcpServer(o);
        Destroy_HP_TcpServerListener(l);
    } else if (s->shape == S_AGENT) {
        HP_TcpAgentListener l = Create_HP_TcpAgentListener();
        HP_TcpAgent o = Create_HP_TcpAgent(l);
        HP_Agent_SetWorkerThreadCount(o, 2);
        s->set(o, 0xFFFFFFFFu);
        if (!HP_Agent_Start(o, "127.0.0.1", FALSE)) {
            int code = (int)HP_Agent_GetLastError(o);
            printf("%s: Start refused (%d): %s\n", s->name, code, HP_Agent_GetLastErrorDesc(o));
            return code == SE_INVALID_PARAM ? 0 : 3;
        }
        if (s->send_after_start) {
            HP_CONNID id;
            CHECK(HP_Agent_Connect(o, "127.0.0.1", peer_port, &id));
            for (int i = 0; i < 64; i++)
                HP_Agent_Send(o, id, data, (int)sizeof data);
        }
        Destroy_HP_TcpAgent(o);
        Destroy_HP_TcpAgentListener(l);
    } else {
        HP_TcpClientListener l = Create_HP_TcpClientListener();
        HP_TcpClient o = Create_HP_TcpClient(l);
        s->set(o, 0xFFFFFFFFu);
        if (!HP_Client_Start(o, "127.0.0.1", peer_port, FALSE)) {
            int code = (int)HP_Client_GetLastError(o);
            printf("%s: Start refused (%d): %s\n", s->name, code, HP_Client_GetLastErrorDesc(o));
            return code == SE_INVALID_PARAM ? 0 : 3;
        }
        if (s->send_after_start)
            for (int i = 0; i < 64; i++)
                HP_Client_Send(o, data, (int)sizeof data);
        Destroy_HP_TcpClient(o);
        Destroy_HP_TcpClientListener(l);
    }
    Destroy_HP_TcpServer(peer);
    Destroy_HP_TcpServerListener(pl);
    printf("%s: 0xFFFFFFFF works\n", s->name);
    return 0;
}

int main(void)
{
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        fflush(stdout);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            alarm(60);
            int rc = child(&settings[i]);
            fflush(stdout);
            _exit(rc);
        }
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid);
        if (WIFSIGNALED(status))
            EXPECT(0, "%s(0xFFFFFFFF): the process died of signal %d (%s) instead of a "
                      "documented error", settings[i].name, WTERMSIG(status),
                   strsignal(WTERMSIG(status)));
        else
            EXPECT(WEXITSTATUS(status) == 0, "%s(0xFFFFFFFF): child exit %d", settings[i].name,
                   WEXITSTATUS(status));
    }
    return t_finish("setting limits");
}
