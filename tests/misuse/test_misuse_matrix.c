/*
 * The misuse matrix: every exported function x {NULL handle, destroyed handle, wrong-kind
 * handle, stale connection ID, out-of-range enum, NULL buffer with non-zero length, negative
 * length}, where the misuse applies, returns its documented default and records the documented
 * error (docs/abi.md sections 2-6: code on the thread, errno, a text naming the function).
 *
 * The cases are generated from include/hpsocket.h by gen_matrix.py (matrix.inc, built by
 * hardening.mk); this file provides the fixtures: for every kind of object a live one, a
 * destroyed one, a started one with a live and a stale connection ID, and closed clients.
 * Every case is checked and counted; the program lists each deviation and ends with
 * "N passed, N failed".
 */
#include "hard.h"
#include "pki.h"

enum Kind {
    K_SERVER, K_AGENT, K_CLIENT,
    K_PULL_SERVER, K_PULL_AGENT, K_PULL_CLIENT,
    K_PACK_SERVER, K_PACK_AGENT, K_PACK_CLIENT,
    K_SSL_SERVER, K_SSL_AGENT, K_SSL_CLIENT,
    K_SSL_PULL_SERVER, K_SSL_PULL_AGENT, K_SSL_PULL_CLIENT,
    K_SSL_PACK_SERVER, K_SSL_PACK_AGENT, K_SSL_PACK_CLIENT,
    K_UDP_SERVER, K_UDP_CLIENT, K_UDP_CAST, K_UDP_NODE,
    K_HTTP_SERVER, K_HTTP_AGENT, K_HTTP_CLIENT, K_HTTP_SYNC_CLIENT,
    K_HTTPS_SERVER, K_HTTPS_AGENT, K_HTTPS_CLIENT, K_HTTPS_SYNC_CLIENT,
    K_UDP_ARQ_SERVER, K_UDP_ARQ_CLIENT, K_UDP_ARQ_AGENT,
    K_THREAD_POOL,
    K_COMPRESSOR, K_DECOMPRESSOR,
    K_SERVER_LISTENER, K_AGENT_LISTENER, K_CLIENT_LISTENER, K_NODE_LISTENER, K_POOL_LISTENER,
    K_COUNT
};

typedef HP_Object (*creator_fn)(HP_Object);
typedef void (*destroyer_fn)(HP_Object);

/* Roles: 0 server, 1 agent, 2 client, 3 node, 4 thread pool. */
/* The compressors' data callback, and creators in the shape of the others (no listener). */
static BOOL __HP_CALL data_cb(const BYTE *data, int len, PVOID ctx)
{
    (void)data, (void)len, (void)ctx;
    return TRUE;
}
static HP_Object new_compressor(HP_Object l) { (void)l; return Create_HP_ZLibCompressor(data_cb); }
static HP_Object new_decompressor(HP_Object l) { (void)l; return Create_HP_ZLibDecompressor(data_cb); }

/* Roles: 0 server, 1 agent, 2 client. */
static const struct {
    const char *name;
    creator_fn create;
    destroyer_fn destroy;
    int role;
} kinds[K_SERVER_LISTENER] = {
    {"TcpServer", Create_HP_TcpServer, Destroy_HP_TcpServer, 0},
    {"TcpAgent", Create_HP_TcpAgent, Destroy_HP_TcpAgent, 1},
    {"TcpClient", Create_HP_TcpClient, Destroy_HP_TcpClient, 2},
    {"TcpPullServer", Create_HP_TcpPullServer, Destroy_HP_TcpPullServer, 0},
    {"TcpPullAgent", Create_HP_TcpPullAgent, Destroy_HP_TcpPullAgent, 1},
    {"TcpPullClient", Create_HP_TcpPullClient, Destroy_HP_TcpPullClient, 2},
    {"TcpPackServer", Create_HP_TcpPackServer, Destroy_HP_TcpPackServer, 0},
    {"TcpPackAgent", Create_HP_TcpPackAgent, Destroy_HP_TcpPackAgent, 1},
    {"TcpPackClient", Create_HP_TcpPackClient, Destroy_HP_TcpPackClient, 2},
    {"SSLServer", Create_HP_SSLServer, Destroy_HP_SSLServer, 0},
    {"SSLAgent", Create_HP_SSLAgent, Destroy_HP_SSLAgent, 1},
    {"SSLClient", Create_HP_SSLClient, Destroy_HP_SSLClient, 2},
    {"SSLPullServer", Create_HP_SSLPullServer, Destroy_HP_SSLPullServer, 0},
    {"SSLPullAgent", Create_HP_SSLPullAgent, Destroy_HP_SSLPullAgent, 1},
    {"SSLPullClient", Create_HP_SSLPullClient, Destroy_HP_SSLPullClient, 2},
    {"SSLPackServer", Create_HP_SSLPackServer, Destroy_HP_SSLPackServer, 0},
    {"SSLPackAgent", Create_HP_SSLPackAgent, Destroy_HP_SSLPackAgent, 1},
    {"SSLPackClient", Create_HP_SSLPackClient, Destroy_HP_SSLPackClient, 2},
    {"UdpServer", Create_HP_UdpServer, Destroy_HP_UdpServer, 0},
    {"UdpClient", Create_HP_UdpClient, Destroy_HP_UdpClient, 2},
    {"UdpCast", Create_HP_UdpCast, Destroy_HP_UdpCast, 2},
    {"UdpNode", Create_HP_UdpNode, Destroy_HP_UdpNode, 3},
    {"HttpServer", Create_HP_HttpServer, Destroy_HP_HttpServer, 0},
    {"HttpAgent", Create_HP_HttpAgent, Destroy_HP_HttpAgent, 1},
    {"HttpClient", Create_HP_HttpClient, Destroy_HP_HttpClient, 2},
    {"HttpSyncClient", Create_HP_HttpSyncClient, Destroy_HP_HttpSyncClient, 2},
    {"HttpsServer", Create_HP_HttpsServer, Destroy_HP_HttpsServer, 0},
    {"HttpsAgent", Create_HP_HttpsAgent, Destroy_HP_HttpsAgent, 1},
    {"HttpsClient", Create_HP_HttpsClient, Destroy_HP_HttpsClient, 2},
    {"HttpsSyncClient", Create_HP_HttpsSyncClient, Destroy_HP_HttpsSyncClient, 2},
    {"UdpArqServer", Create_HP_UdpArqServer, Destroy_HP_UdpArqServer, 0},
    {"UdpArqClient", Create_HP_UdpArqClient, Destroy_HP_UdpArqClient, 2},
    {"UdpArqAgent", Create_HPX_UdpArqAgent, Destroy_HPX_UdpArqAgent, 1},
    {"ThreadPool", Create_HP_ThreadPool, Destroy_HP_ThreadPool, 4},
    /* Role 3: no listener of their own (the node listener `create` passes is ignored). */
    {"Compressor", new_compressor, Destroy_HP_Compressor, 3},
    {"Decompressor", new_decompressor, Destroy_HP_Decompressor, 3},
};

static int role_of(int k) { return k >= K_SERVER_LISTENER ? k - K_SERVER_LISTENER : kinds[k].role; }
static int is_ssl(int k)
{
    return (k >= K_SSL_SERVER && k <= K_SSL_PACK_CLIENT) ||
           (k >= K_HTTPS_SERVER && k <= K_HTTPS_SYNC_CLIENT);
}

static HP_Object listeners[5];
static HP_Object live[K_COUNT], dead[K_COUNT], started[K_COUNT], closed[K_COUNT];
static HP_CONNID live_ids[K_COUNT], stale_ids[K_COUNT];
static int raw_fds[K_COUNT];
static HP_Server helper_plain, helper_ssl;
static HP_Object arq_peer; /* the ARQ client that keeps the ARQ server's live connection */
static HP_Object arq_agent_server; /* the ARQ server the ARQ agent's connections go to */
static USHORT port_plain, port_ssl;
static char cert_file[256], key_file[256], small_file[256];

static HP_Object listener(int role)
{
    if (!listeners[role]) {
        listeners[role] = role == 0   ? Create_HP_TcpServerListener()
                          : role == 1 ? Create_HP_TcpAgentListener()
                          : role == 2 ? Create_HP_TcpClientListener()
                          : role == 3 ? Create_HP_UdpNodeListener()
                                      : Create_HP_ThreadPoolListener();
        CHECK(listeners[role] != NULL);
    }
    return listeners[role];
}

static HP_Object create(int k)
{
    if (k >= K_SERVER_LISTENER) {
        HP_Object l = k == K_SERVER_LISTENER  ? Create_HP_TcpServerListener()
                      : k == K_AGENT_LISTENER ? Create_HP_TcpAgentListener()
                      : k == K_CLIENT_LISTENER ? Create_HP_TcpClientListener()
                      : k == K_NODE_LISTENER   ? Create_HP_UdpNodeListener()
                                               : Create_HP_ThreadPoolListener();
        CHECK(l != NULL);
        return l;
    }
    HP_Object o = kinds[k].create(listener(role_of(k)));
    if (!o)
        FAILF("Create_HP_%s: %s", kinds[k].name, HPX_GetLastErrorDesc());
    if (is_ssl(k)) {
        BOOL ok;
        if (role_of(k) == 0)
            ok = HP_SSLServer_SetupSSLContextByMemory(o, SSL_VM_NONE, TEST_CERT, TEST_KEY, NULL,
                                                      NULL, NULL);
        else if (role_of(k) == 1)
            ok = HP_SSLAgent_SetupSSLContextByMemory(o, SSL_VM_NONE, NULL, NULL, NULL, NULL);
        else
            ok = HP_SSLClient_SetupSSLContextByMemory(o, SSL_VM_NONE, NULL, NULL, NULL, NULL);
        if (!ok)
            FAILF("SetupSSLContextByMemory(%s): %s", kinds[k].name, HPX_GetLastErrorDesc());
    }
    return o;
}

static void destroy(int k, HP_Object o)
{
    if (k == K_SERVER_LISTENER)
        Destroy_HP_TcpServerListener(o);
    else if (k == K_AGENT_LISTENER)
        Destroy_HP_TcpAgentListener(o);
    else if (k == K_CLIENT_LISTENER)
        Destroy_HP_TcpClientListener(o);
    else if (k == K_NODE_LISTENER)
        Destroy_HP_UdpNodeListener(o);
    else if (k == K_POOL_LISTENER)
        Destroy_HP_ThreadPoolListener(o);
    else
        kinds[k].destroy(o);
}

static HP_Object live_of(int k)
{
    if (!live[k])
        live[k] = create(k);
    return live[k];
}

static HP_Object dead_of(int k)
{
    if (!dead[k]) {
        dead[k] = create(k);
        destroy(k, dead[k]);
    }
    return dead[k];
}

static HP_CONNID server_conn_other_than(HP_Server s, HP_CONNID not_this)
{
    HP_CONNID ids[8];
    DWORD n = 8;
    CHECK(HP_Server_GetAllConnectionIDs(s, ids, &n));
    for (DWORD i = 0; i < n; i++)
        if (ids[i] != not_this)
            return ids[i];
    FAILF("no connection found");
}

static const BYTE buf_of_cast[4] = "cast";

/* A UDP port nobody uses right now. */
static USHORT t_free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(fd >= 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    CHECK(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    socklen_t len = sizeof sin;
    CHECK(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
    close(fd);
    return ntohs(sin.sin_port);
}

/* A started component of kind k with a live connection (live_ids) and a closed one (stale_ids). */
static HP_Object started_of(int k)
{
    if (started[k])
        return started[k];
    HP_Object o = create(k);
    int role = role_of(k);
    if (k == K_UDP_CAST) {
        /* Broadcast on loopback reaches the cast itself: one datagram gives it a source. */
        HP_UdpCast_SetCastMode(o, CM_BROADCAST);
        USHORT port = t_free_udp_port();
        if (!HP_Client_StartWithBindAddress(o, "127.255.255.255", port, FALSE, "127.0.0.1"))
            FAILF("HP_Client_Start(UdpCast): %s", HP_Client_GetLastErrorDesc(o));
        CHECK(HP_Client_Send(o, buf_of_cast, 4));
        TCHAR a[64];
        int alen = (int)sizeof a;
        USHORT p = 0;
        POLL_FOR((alen = (int)sizeof a, HP_UdpCast_GetRemoteAddress(o, a, &alen, &p)));
        live_ids[k] = HP_Client_GetConnectionID(o);
    } else if (k == K_UDP_NODE) {
        /* A broadcasting node: it has a local and a cast address. */
        if (!HP_UdpNode_StartWithCast(o, "127.0.0.1", t_free_udp_port(), CM_BROADCAST,
                                      "127.255.255.255"))
            FAILF("HP_UdpNode_StartWithCast: %s", HP_UdpNode_GetLastErrorDesc(o));
    } else if (k == K_UDP_ARQ_SERVER) {
        /* Connections come from ARQ clients: one stays, one comes and goes (its close-notify
         * closes it here), leaving a stale ID. */
        USHORT port = t_start_server(o);
        HP_Object keep = Create_HP_UdpArqClient(listener(2));
        CHECK(HP_Client_Start(keep, "127.0.0.1", port, FALSE));
        POLL_FOR(HP_Server_GetConnectionCount(o) == 1);
        live_ids[k] = server_conn_other_than(o, 0);
        HP_Object gone = Create_HP_UdpArqClient(listener(2));
        CHECK(HP_Client_Start(gone, "127.0.0.1", port, FALSE));
        POLL_FOR(HP_Server_GetConnectionCount(o) == 2);
        stale_ids[k] = server_conn_other_than(o, live_ids[k]);
        CHECK(HP_Client_Stop(gone));
        Destroy_HP_UdpArqClient(gone);
        POLL_FOR(HP_Server_GetConnectionCount(o) == 1);
        arq_peer = keep; /* destroyed at the end */
    } else if (k == K_UDP_ARQ_AGENT) {
        /* Its sessions go to an ARQ server of its own: one stays, one is disconnected. */
        arq_agent_server = Create_HP_UdpArqServer(listener(0));
        USHORT port = t_start_server(arq_agent_server);
        CHECK(HP_Agent_Start(o, NULL, FALSE));
        CHECK(HP_Agent_Connect(o, "127.0.0.1", port, &live_ids[k]));
        CHECK(HP_Agent_Connect(o, "127.0.0.1", port, &stale_ids[k]));
        CHECK(HP_Agent_Disconnect(o, stale_ids[k], TRUE));
        POLL_FOR(HP_Agent_GetConnectionCount(o) == 1);
        POLL_FOR(HP_Agent_IsConnected(o, live_ids[k]));
    } else if (k == K_THREAD_POOL) {
        /* A running pool; it has no connections (live_id is 0). */
        if (!HP_ThreadPool_Start(o, 1, 0, TRP_CALL_FAIL, 0))
            FAILF("HP_ThreadPool_Start: %s", HPX_GetLastErrorDesc());
    } else if (k == K_UDP_SERVER || k == K_UDP_CLIENT) {
        FAILF("started_of(%s): no started fixture yet; add one with the case that needs it",
              kinds[k].name);
    } else if (role == 0) {
        USHORT port = t_start_server(o);
        raw_fds[k] = t_connect_raw(port);
        CHECK(raw_fds[k] >= 0);
        POLL_FOR(HP_Server_GetConnectionCount(o) == 1);
        live_ids[k] = server_conn_other_than(o, 0);
        int fd2 = t_connect_raw(port);
        CHECK(fd2 >= 0);
        POLL_FOR(HP_Server_GetConnectionCount(o) == 2);
        stale_ids[k] = server_conn_other_than(o, live_ids[k]);
        close(fd2);
        POLL_FOR(HP_Server_GetConnectionCount(o) == 1);
    } else if (role == 1) {
        USHORT port = is_ssl(k) ? port_ssl : port_plain;
        CHECK(HP_Agent_Start(o, NULL, FALSE));
        CHECK(HP_Agent_Connect(o, "127.0.0.1", port, &live_ids[k]));
        CHECK(HP_Agent_Connect(o, "127.0.0.1", port, &stale_ids[k]));
        CHECK(HP_Agent_Disconnect(o, stale_ids[k], TRUE));
        POLL_FOR(HP_Agent_GetConnectionCount(o) == 1);
        POLL_FOR(HP_Agent_IsConnected(o, live_ids[k]));
    } else {
        USHORT port = is_ssl(k) ? port_ssl : port_plain;
        if (!HP_Client_Start(o, "127.0.0.1", port, FALSE))
            FAILF("HP_Client_Start(%s): %s", kinds[k].name, HP_Client_GetLastErrorDesc(o));
        POLL_FOR(HP_Client_IsConnected(o));
        live_ids[k] = HP_Client_GetConnectionID(o);
    }
    started[k] = o;
    return o;
}

/* A client whose connection closed: started, connected, stopped. */
static HP_Object closed_of(int k)
{
    if (!closed[k]) {
        HP_Object o = create(k);
        USHORT port = is_ssl(k) ? port_ssl : port_plain;
        CHECK(HP_Client_Start(o, "127.0.0.1", port, FALSE));
        CHECK(HP_Client_Stop(o));
        CHECK(HP_Client_Wait(o, 10000));
        closed[k] = o;
    }
    return closed[k];
}

static HP_CONNID live_id(int k)
{
    if (k < K_SERVER_LISTENER)
        started_of(k);
    return live_ids[k];
}

static HP_CONNID stale_id(int k)
{
    started_of(k);
    return stale_ids[k];
}

/* ---- the arguments every case resets ---------------------------------------------------- */
static BYTE buf[64] = "misuse!";
static BYTE out[64];
static struct WSABUF wsabufs[2], bad_wsabufs[2];
static TCHAR text[64];
static int text_len, ival;
static USHORT port;
static HP_CONNID cid, ids[16];
static DWORD count, dval;
static BOOL bval;
static PVOID pv;
static int freed;
/* HTTP: header and text out-arrays, a body pointer. */
static HP_THeader pairs[8];
static LPCSTR strs[8];
static LPCBYTE bytes_out;
static ULONGLONG ullval;
/* The SYS_* helpers' arguments (no handle, so only cases added later use them). */
static unsigned long ulval __attribute__((unused));
static const WCHAR wtext[] __attribute__((unused)) = L"text";
static WCHAR wout[16] __attribute__((unused));
static HP_LPTIPAddr *iplist __attribute__((unused));
static En_HP_IPAddrType ipt __attribute__((unused));

static void count_free(PVOID p)
{
    (void)p;
    __atomic_add_fetch(&freed, 1, __ATOMIC_SEQ_CST);
}

#define PORT port_plain

/* Every case starts from right arguments and a thread error that names no function under
 * test, so a call that fails without recording its own error is caught. */
#define RESET()                                                                              \
    do {                                                                                     \
        wsabufs[0].len = 3, wsabufs[0].buf = buf;                                            \
        wsabufs[1].len = 4, wsabufs[1].buf = buf + 3;                                        \
        bad_wsabufs[0].len = 4, bad_wsabufs[0].buf = NULL;                                   \
        bad_wsabufs[1].len = 4, bad_wsabufs[1].buf = NULL;                                   \
        text_len = (int)sizeof text;                                                         \
        port = 0, cid = 99, count = 16, ival = 0, dval = 0, bval = 0, pv = NULL;             \
        (void)HPX_Object_GetUserData(NULL); /* records "HPX_Object_GetUserData: ..." */      \
    } while (0)

static const char *errno_name(int e)
{
    switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case EBADSLT: return "EBADSLT";
    case ENOBUFS: return "ENOBUFS";
    case EPERM: return "EPERM";
    case ENOTCONN: return "ENOTCONN";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOENT: return "ENOENT";
    default: return strerror(e);
    }
}

static int cases_total;

/*
 * One case's verdict. want_code / want_errno -1: any (want_errno -1 with a code: non-zero).
 * check_code 0: only the return value is checked (documented as not recording).
 */
static void verdict(const char *fn, const char *cat, int ret_ok, const char *ret_want,
                    int want_code, int want_errno, int got_errno, int check_code)
{
    char why[512] = "";
    int code = (int)HPX_GetLastError();
    const char *desc = HPX_GetLastErrorDesc();
    cases_total++;
    if (!ret_ok)
        snprintf(why, sizeof why, "returned other than the documented default (%s)", ret_want);
    else if (check_code && want_code != -1 && code != want_code)
        snprintf(why, sizeof why, "thread error %d, documented %d (\"%s\")", code, want_code,
                 desc ? desc : "(null)");
    else if (check_code && want_errno != -1 && got_errno != want_errno)
        snprintf(why, sizeof why, "errno %s, documented %s (\"%s\")", errno_name(got_errno),
                 errno_name(want_errno), desc ? desc : "(null)");
    else if (check_code && want_code != -1 && got_errno == 0)
        snprintf(why, sizeof why, "errno left 0");
    else if (check_code && want_code != -1 && (desc == NULL || strstr(desc, fn) == NULL))
        snprintf(why, sizeof why, "error text \"%s\" does not name the function",
                 desc ? desc : "(null)");
    EXPECT(why[0] == 0, "%s [%s]: %s", fn, cat, why);
}

#define VERDICT(fn, cat, ok, want, code, err, got, check)                                    \
    verdict(fn, cat, (ok), want, code, err, got, check)

#define CHECK_ALIVE(fn, h)                                                                   \
    EXPECT(HPX_Object_SetUserData(h, NULL, NULL), "%s: a refused destroy killed the object", \
           fn)
#define CHECK_SAME(fn, cond) EXPECT(cond, "%s: %s does not hold after the refused call", fn, #cond)
#define CHECK_NO_FREE(fn)                                                                    \
    EXPECT(freed == 0, "%s: the free function ran for a refused SetUserData", fn)

/* The thread pool's fixtures: task procedures and a socket task no case may take (every
 * call that gets it fails before the pool owns it). */
static void pool_task_proc(PVOID arg) { (void)arg; }
static void pool_socket_task_proc(HP_LPTSocketTask task) { (void)task; }
static HP_LPTSocketTask pool_task;

#include "matrix.inc"

static En_HP_HandleResult helper_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)s, (void)id, (void)d, (void)n;
    return HR_OK;
}

static void write_file(char *path, size_t cap, const char *dir, const char *name,
                       const char *content)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs(content, f);
    fclose(f);
}

int main(void)
{
    char dir[] = "/tmp/hpsocket-misuse-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    write_file(cert_file, sizeof cert_file, dir, "cert.pem", TEST_CERT);
    write_file(key_file, sizeof key_file, dir, "key.pem", TEST_KEY);
    write_file(small_file, sizeof small_file, dir, "small.txt", "a small file\n");

    /* Peers for the agents and clients: a plain and a TLS server (not part of the matrix). */
    HP_TcpServerListener hl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(hl, helper_receive);
    helper_plain = Create_HP_TcpServer(hl);
    helper_ssl = Create_HP_SSLServer(hl);
    CHECK(HP_SSLServer_SetupSSLContextByMemory(helper_ssl, SSL_VM_NONE, TEST_CERT, TEST_KEY, NULL,
                                               NULL, NULL));
    port_plain = t_start_server(helper_plain);
    port_ssl = t_start_server(helper_ssl);

    pool_task = Create_HP_SocketTaskObj(pool_socket_task_proc, NULL, 0, NULL, 0, TBT_COPY, 0, 0);
    CHECK(pool_task != NULL);
    run_matrix();

    /* Nothing may have been freed by a refused SetUserData, and every case was run. */
    printf("misuse matrix: %d exported functions, %d cases\n", MATRIX_FUNCTIONS, cases_total);

    for (int k = 0; k < K_COUNT; k++) {
        if (raw_fds[k] > 0)
            close(raw_fds[k]);
        if (started[k])
            destroy(k, started[k]);
        if (closed[k])
            destroy(k, closed[k]);
        if (live[k])
            destroy(k, live[k]);
    }
    if (arq_peer)
        Destroy_HP_UdpArqClient(arq_peer);
    if (arq_agent_server)
        Destroy_HP_UdpArqServer(arq_agent_server);
    Destroy_HP_TcpServer(helper_plain);
    Destroy_HP_SSLServer(helper_ssl);
    Destroy_HP_TcpServerListener(hl);
    for (int r = 0; r < 3; r++)
        Destroy_HP_TcpServerListener(listeners[r]);
    Destroy_HP_UdpNodeListener(listeners[3]);
    Destroy_HP_ThreadPoolListener(listeners[4]);
    Destroy_HP_SocketTaskObj(pool_task);
    unlink(cert_file);
    unlink(key_file);
    unlink(small_file);
    rmdir(dir);
    return t_finish("misuse matrix");
}
