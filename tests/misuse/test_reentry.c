/*
 * Re-entrancy from every callback (docs/abi.md section 9): Stop, Wait, Destroy, Send,
 * Disconnect, PauseReceive and Connect called on the same component from inside each callback
 * type of a server, an agent and a client. Each combination is its own scenario on fresh
 * components; it must not hang (every wait has a deadline) or crash (ASan/UBSan build), and
 * the result must be the documented one:
 *   - Stop/Wait/Destroy/Start of a server or agent, and Wait/Destroy/Start of a client, are
 *     refused with SE_ILLEGAL_STATE and the component keeps running (Destroy leaves the handle
 *     valid);
 *   - a client may Stop itself (TRUE);
 *   - Send, Disconnect, PauseReceive and agent Connect work (TRUE) in the callbacks of a live
 *     connection; where there is no live connection (OnPrepareListen, OnPrepareConnect,
 *     OnClose, OnShutdown) they may fail, but only with a documented code and a text that names
 *     the function.
 * After each scenario the application thread destroys everything, which must not hang either.
 */
#include "hard.h"
#include "pki.h"

enum Role { R_SERVER, R_AGENT, R_CLIENT };
enum Cb { CB_PREPARE, CB_ACCEPT, CB_CONNECT, CB_HANDSHAKE, CB_SEND, CB_RECEIVE, CB_PULL, CB_CLOSE,
          CB_SHUTDOWN, CB_COUNT };
enum Act { A_STOP, A_WAIT, A_DESTROY, A_SEND, A_DISCONNECT, A_PAUSE, A_CONNECT, A_COUNT };

static const char *role_names[] = {"server", "agent", "client"};
static const char *cb_names[] = {"OnPrepare", "OnAccept", "OnConnect", "OnHandShake", "OnSend",
                                 "OnReceive", "OnPullReceive", "OnClose", "OnShutdown"};
static const char *act_names[] = {"Stop", "Wait", "Destroy", "Send", "Disconnect",
                                  "PauseReceive", "Connect"};

/* The scenario under way (written by the main thread before it starts, read by callbacks). */
static int cur_role, cur_cb, cur_act, cur_ssl, cur_pull;
static int acting, done;
static BOOL got_ret;
static int got_code, got_thread_code, got_alive;
static char got_desc[256];
static USHORT helper_port, helper_ssl_port;

static int is_refused_kind(int role, int act)
{
    if (act == A_WAIT || act == A_DESTROY)
        return 1;
    if (act == A_STOP)
        return role != R_CLIENT;
    if (act == A_CONNECT)
        return role == R_CLIENT; /* HP_Client_Start from its own callback */
    return 0;
}

static void destroy_subject(HP_Object p)
{
    int k = cur_role;
    if (k == R_SERVER)
        cur_ssl ? Destroy_HP_SSLServer(p) : cur_pull ? Destroy_HP_TcpPullServer(p) : Destroy_HP_TcpServer(p);
    else if (k == R_AGENT)
        cur_ssl ? Destroy_HP_SSLAgent(p) : cur_pull ? Destroy_HP_TcpPullAgent(p) : Destroy_HP_TcpAgent(p);
    else
        cur_ssl ? Destroy_HP_SSLClient(p) : cur_pull ? Destroy_HP_TcpPullClient(p) : Destroy_HP_TcpClient(p);
}

static En_HP_SocketError last_error(HP_Object p)
{
    return cur_role == R_SERVER  ? HP_Server_GetLastError(p)
           : cur_role == R_AGENT ? HP_Agent_GetLastError(p)
                                 : HP_Client_GetLastError(p);
}

/* Runs the scenario's action once, from inside callback `cb` of pSender. */
static void act(int cb, HP_Object p, HP_CONNID id)
{
    if (cb != cur_cb)
        return;
    t_lock();
    int mine = !acting;
    acting = 1;
    t_unlock();
    if (!mine)
        return;
    static const BYTE x[] = "reentry";
    BOOL r = FALSE;
    HP_CONNID id2 = 0;
    errno = 0;
    switch (cur_act * 3 + cur_role) {
    case A_STOP * 3 + R_SERVER: r = HP_Server_Stop(p); break;
    case A_STOP * 3 + R_AGENT: r = HP_Agent_Stop(p); break;
    case A_STOP * 3 + R_CLIENT: r = HP_Client_Stop(p); break;
    case A_WAIT * 3 + R_SERVER: r = HP_Server_Wait(p, 200); break;
    case A_WAIT * 3 + R_AGENT: r = HP_Agent_Wait(p, 200); break;
    case A_WAIT * 3 + R_CLIENT: r = HP_Client_Wait(p, 200); break;
    case A_DESTROY * 3 + R_SERVER:
    case A_DESTROY * 3 + R_AGENT:
    case A_DESTROY * 3 + R_CLIENT:
        destroy_subject(p);
        r = FALSE;
        break;
    case A_SEND * 3 + R_SERVER: r = HP_Server_Send(p, id, x, 7); break;
    case A_SEND * 3 + R_AGENT: r = HP_Agent_Send(p, id, x, 7); break;
    case A_SEND * 3 + R_CLIENT: r = HP_Client_Send(p, x, 7); break;
    case A_DISCONNECT * 3 + R_SERVER: r = HP_Server_Disconnect(p, id, TRUE); break;
    case A_DISCONNECT * 3 + R_AGENT: r = HP_Agent_Disconnect(p, id, TRUE); break;
    case A_DISCONNECT * 3 + R_CLIENT: r = HP_Client_Stop(p); break; /* a client's disconnect */
    case A_PAUSE * 3 + R_SERVER: r = HP_Server_PauseReceive(p, id, TRUE); break;
    case A_PAUSE * 3 + R_AGENT: r = HP_Agent_PauseReceive(p, id, TRUE); break;
    case A_PAUSE * 3 + R_CLIENT: r = HP_Client_PauseReceive(p, TRUE); break;
    case A_CONNECT * 3 + R_SERVER: r = TRUE; break; /* servers do not connect */
    case A_CONNECT * 3 + R_AGENT:
        r = HP_Agent_Connect(p, "127.0.0.1", cur_ssl ? helper_ssl_port : helper_port, &id2);
        break;
    case A_CONNECT * 3 + R_CLIENT: r = HP_Client_Start(p, "127.0.0.1", helper_port, TRUE); break;
    }
    int thread_code = (int)HPX_GetLastError();
    const char *desc = HPX_GetLastErrorDesc();
    /* After a refused Destroy the handle must still be valid. */
    int alive = HPX_Object_SetUserData(p, NULL, NULL);
    int code = alive ? (int)last_error(p) : -1;
    t_lock();
    got_ret = r;
    got_code = code;
    got_thread_code = thread_code;
    got_alive = alive;
    snprintf(got_desc, sizeof got_desc, "%s", desc ? desc : "(null)");
    done = 1;
    t_notify();
    t_unlock();
}

/* ---- callbacks (every type, every role) -------------------------------------------------- */
static En_HP_HandleResult s_prepare(HP_Server s, UINT_PTR so) { (void)so; act(CB_PREPARE, s, 0); return HR_OK; }
static En_HP_HandleResult s_accept(HP_Server s, HP_CONNID id, UINT_PTR c) { (void)c; act(CB_ACCEPT, s, id); return HR_OK; }
static En_HP_HandleResult s_handshake(HP_Server s, HP_CONNID id) { act(CB_HANDSHAKE, s, id); return HR_OK; }
static En_HP_HandleResult s_send(HP_Server s, HP_CONNID id, const BYTE *d, int n) { (void)d, (void)n; act(CB_SEND, s, id); return HR_OK; }
static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n) { (void)d, (void)n; act(CB_RECEIVE, s, id); return HR_OK; }
static En_HP_HandleResult s_pull(HP_Server s, HP_CONNID id, int n)
{
    BYTE b[256];
    act(CB_PULL, s, id);
    while (n > 0) {
        int k = n < (int)sizeof b ? n : (int)sizeof b;
        if (HP_TcpPullServer_Fetch(s, id, b, k) != FR_OK)
            break;
        n -= k;
    }
    return HR_OK;
}
static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e) { (void)op, (void)e; act(CB_CLOSE, s, id); return HR_OK; }
static En_HP_HandleResult s_shutdown(HP_Server s) { act(CB_SHUTDOWN, s, 0); return HR_OK; }

static En_HP_HandleResult a_prepare(HP_Agent a, HP_CONNID id, UINT_PTR so) { (void)so; act(CB_PREPARE, a, id); return HR_OK; }
static En_HP_HandleResult a_connect(HP_Agent a, HP_CONNID id) { act(CB_CONNECT, a, id); return HR_OK; }
static En_HP_HandleResult a_handshake(HP_Agent a, HP_CONNID id) { act(CB_HANDSHAKE, a, id); return HR_OK; }
static En_HP_HandleResult a_send(HP_Agent a, HP_CONNID id, const BYTE *d, int n) { (void)d, (void)n; act(CB_SEND, a, id); return HR_OK; }
static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n) { (void)d, (void)n; act(CB_RECEIVE, a, id); return HR_OK; }
static En_HP_HandleResult a_pull(HP_Agent a, HP_CONNID id, int n) { (void)n; act(CB_PULL, a, id); return HR_OK; }
static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int e) { (void)op, (void)e; act(CB_CLOSE, a, id); return HR_OK; }
static En_HP_HandleResult a_shutdown(HP_Agent a) { act(CB_SHUTDOWN, a, 0); return HR_OK; }

static En_HP_HandleResult c_prepare(HP_Client c, HP_CONNID id, UINT_PTR so) { (void)so; act(CB_PREPARE, c, id); return HR_OK; }
static En_HP_HandleResult c_connect(HP_Client c, HP_CONNID id) { act(CB_CONNECT, c, id); return HR_OK; }
static En_HP_HandleResult c_handshake(HP_Client c, HP_CONNID id) { act(CB_HANDSHAKE, c, id); return HR_OK; }
static En_HP_HandleResult c_send(HP_Client c, HP_CONNID id, const BYTE *d, int n) { (void)d, (void)n; act(CB_SEND, c, id); return HR_OK; }
static En_HP_HandleResult c_receive(HP_Client c, HP_CONNID id, const BYTE *d, int n) { (void)d, (void)n; act(CB_RECEIVE, c, id); return HR_OK; }
static En_HP_HandleResult c_pull(HP_Client c, HP_CONNID id, int n) { (void)n; act(CB_PULL, c, id); return HR_OK; }
static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int e) { (void)op, (void)e; act(CB_CLOSE, c, id); return HR_OK; }

/* The helper servers echo, for the agents and clients. */
static En_HP_HandleResult h_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    HP_Server_Send(s, id, d, n);
    return HR_OK;
}

static int cb_applies(int role, int cb)
{
    switch (cb) {
    case CB_ACCEPT: return role == R_SERVER;
    case CB_CONNECT: return role != R_SERVER;
    case CB_SHUTDOWN: return role != R_CLIENT;
    default: return 1;
    }
}

/* Connection callbacks: a live connection is there, so connection calls must work. */
static int live_conn_cb(int cb)
{
    return cb == CB_ACCEPT || cb == CB_CONNECT || cb == CB_HANDSHAKE || cb == CB_SEND ||
           cb == CB_RECEIVE || cb == CB_PULL;
}

static void judge(void)
{
    char what[96];
    snprintf(what, sizeof what, "%s %s -> %s", role_names[cur_role], cb_names[cur_cb],
             act_names[cur_act]);
    int documented = got_thread_code == SE_OK || got_thread_code == SE_ILLEGAL_STATE ||
                     got_thread_code == SE_INVALID_PARAM || got_thread_code == SE_DATA_SEND;
    if (is_refused_kind(cur_role, cur_act)) {
        EXPECT(!got_ret, "%s: not refused", what);
        EXPECT(got_thread_code == SE_ILLEGAL_STATE, "%s: thread error %d, documented "
               "SE_ILLEGAL_STATE (\"%s\")", what, got_thread_code, got_desc);
        EXPECT(got_alive, "%s: the handle is no longer valid", what);
    } else if (cur_role == R_CLIENT && (cur_act == A_STOP || cur_act == A_DISCONNECT)) {
        EXPECT(got_ret || cur_cb == CB_CLOSE || cur_cb == CB_PREPARE,
               "%s: a client may stop itself, got FALSE (\"%s\")", what, got_desc);
    } else if (cur_role == R_SERVER && cur_act == A_CONNECT) {
        EXPECT(1, "-");
    } else if (live_conn_cb(cur_cb) && !(cur_cb == CB_HANDSHAKE && 0)) {
        EXPECT(got_ret, "%s: FALSE inside a live connection's callback (\"%s\")", what, got_desc);
    } else {
        EXPECT(got_ret || (documented && strstr(got_desc, "HP_") != NULL),
               "%s: FALSE with an undocumented error %d (\"%s\")", what, got_thread_code,
               got_desc);
    }
}

static HP_Object make_subject(HP_Object listener)
{
    HP_Object p;
    if (cur_role == R_SERVER) {
        p = cur_ssl ? Create_HP_SSLServer(listener) : cur_pull ? Create_HP_TcpPullServer(listener)
                                                               : Create_HP_TcpServer(listener);
        if (cur_ssl)
            CHECK(HP_SSLServer_SetupSSLContextByMemory(p, SSL_VM_NONE, TEST_CERT, TEST_KEY, NULL,
                                                       NULL, NULL));
        HP_Server_SetWorkerThreadCount(p, 2);
    } else if (cur_role == R_AGENT) {
        p = cur_ssl ? Create_HP_SSLAgent(listener) : cur_pull ? Create_HP_TcpPullAgent(listener)
                                                              : Create_HP_TcpAgent(listener);
        if (cur_ssl)
            CHECK(HP_SSLAgent_SetupSSLContextByMemory(p, SSL_VM_NONE, NULL, NULL, NULL, NULL));
        HP_Agent_SetWorkerThreadCount(p, 2);
    } else {
        p = cur_ssl ? Create_HP_SSLClient(listener) : cur_pull ? Create_HP_TcpPullClient(listener)
                                                               : Create_HP_TcpClient(listener);
        if (cur_ssl)
            CHECK(HP_SSLClient_SetupSSLContextByMemory(p, SSL_VM_NONE, NULL, NULL, NULL, NULL));
    }
    CHECK(p != NULL);
    return p;
}

static int is_done(void)
{
    t_lock();
    int d = done;
    t_unlock();
    return d;
}

static void run_server(HP_Object sl)
{
    HP_Object s = make_subject(sl);
    int fd = -1;
    HP_Client peer = NULL;
    HP_TcpClientListener pl = NULL;
    CHECK(HP_Server_Start(s, "127.0.0.1", 0));
    USHORT port = t_listen_port(s);
    switch (cur_cb) {
    case CB_PREPARE:
        break;
    case CB_HANDSHAKE:
        pl = Create_HP_TcpClientListener();
        peer = Create_HP_SSLClient(pl);
        CHECK(HP_SSLClient_SetupSSLContextByMemory(peer, SSL_VM_NONE, NULL, NULL, NULL, NULL));
        CHECK(HP_Client_Start(peer, "127.0.0.1", port, TRUE));
        break;
    case CB_SHUTDOWN:
        CHECK(HP_Server_Stop(s));
        break;
    default:
        fd = t_connect_raw(port);
        CHECK(fd >= 0);
        if (cur_cb == CB_RECEIVE || cur_cb == CB_PULL)
            CHECK(t_write_all(fd, "hello", 5) == 0);
        if (cur_cb == CB_SEND) {
            POLL_FOR(HP_Server_GetConnectionCount(s) == 1 || is_done());
            HP_CONNID id;
            DWORD n = 1;
            if (HP_Server_GetAllConnectionIDs(s, &id, &n) && n == 1)
                HP_Server_Send(s, id, (const BYTE *)"data", 4);
        }
        if (cur_cb == CB_CLOSE) {
            POLL_FOR(HP_Server_GetConnectionCount(s) == 1 || is_done());
            close(fd);
            fd = -1;
        }
    }
    WAIT_FOR(done);
    judge();
    if (fd >= 0)
        close(fd);
    if (peer) {
        Destroy_HP_SSLClient(peer);
        Destroy_HP_TcpClientListener(pl);
    }
    destroy_subject(s);
}

static void run_agent(HP_Object al)
{
    HP_Object a = make_subject(al);
    USHORT port = cur_ssl ? helper_ssl_port : helper_port;
    CHECK(HP_Agent_Start(a, NULL, TRUE));
    HP_CONNID id = 0;
    if (cur_cb == CB_SHUTDOWN) {
        CHECK(HP_Agent_Stop(a));
    } else {
        CHECK(HP_Agent_Connect(a, "127.0.0.1", port, &id));
        if (cur_cb == CB_SEND || cur_cb == CB_RECEIVE || cur_cb == CB_PULL || cur_cb == CB_CLOSE) {
            POLL_FOR(HP_Agent_IsConnected(a, id) || is_done());
            if (cur_cb == CB_CLOSE)
                HP_Agent_Disconnect(a, id, TRUE);
            else
                HP_Agent_Send(a, id, (const BYTE *)"hello", 5);
        }
    }
    WAIT_FOR(done);
    judge();
    destroy_subject(a);
}

static void run_client(HP_Object cl)
{
    HP_Object c = make_subject(cl);
    USHORT port = cur_ssl ? helper_ssl_port : helper_port;
    BOOL started = HP_Client_Start(c, "127.0.0.1", port, TRUE);
    if (!started) {
        /* Only a client that stopped itself inside OnPrepareConnect may see its Start fail
         * (the stop won the race with the connect), and only with a documented error. */
        int code = (int)HP_Client_GetLastError(c);
        EXPECT(cur_cb == CB_PREPARE && (cur_act == A_STOP || cur_act == A_DISCONNECT) &&
                   (code == SE_ILLEGAL_STATE || code == SE_CONNECT_SERVER ||
                    code == SE_SOCKET_PREPARE),
               "client %s -> %s: Start failed: %d %s", cb_names[cur_cb], act_names[cur_act], code,
               HP_Client_GetLastErrorDesc(c));
    }
    if (cur_cb == CB_SEND || cur_cb == CB_RECEIVE || cur_cb == CB_PULL || cur_cb == CB_CLOSE) {
        POLL_FOR(HP_Client_IsConnected(c) || is_done());
        if (cur_cb == CB_CLOSE)
            HP_Client_Stop(c);
        else
            HP_Client_Send(c, (const BYTE *)"hello", 5);
    }
    WAIT_FOR(done);
    judge();
    destroy_subject(c);
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnPrepareListen(sl, s_prepare);
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_Set_FN_Server_OnHandShake(sl, s_handshake);
    HP_Set_FN_Server_OnSend(sl, s_send);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnPullReceive(sl, s_pull);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_Set_FN_Server_OnShutdown(sl, s_shutdown);
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnPrepareConnect(al, a_prepare);
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnHandShake(al, a_handshake);
    HP_Set_FN_Agent_OnSend(al, a_send);
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_Set_FN_Agent_OnPullReceive(al, a_pull);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_Set_FN_Agent_OnShutdown(al, a_shutdown);
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnPrepareConnect(cl, c_prepare);
    HP_Set_FN_Client_OnConnect(cl, c_connect);
    HP_Set_FN_Client_OnHandShake(cl, c_handshake);
    HP_Set_FN_Client_OnSend(cl, c_send);
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_Set_FN_Client_OnPullReceive(cl, c_pull);
    HP_Set_FN_Client_OnClose(cl, c_close);

    HP_TcpServerListener hl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnReceive(hl, h_receive);
    HP_TcpServer helper = Create_HP_TcpServer(hl);
    HP_SSLServer helper_ssl = Create_HP_SSLServer(hl);
    CHECK(HP_SSLServer_SetupSSLContextByMemory(helper_ssl, SSL_VM_NONE, TEST_CERT, TEST_KEY, NULL,
                                               NULL, NULL));
    helper_port = t_start_server(helper);
    helper_ssl_port = t_start_server(helper_ssl);

    int scenarios = 0;
    for (int role = R_SERVER; role <= R_CLIENT; role++)
        for (int cb = 0; cb < CB_COUNT; cb++) {
            if (!cb_applies(role, cb))
                continue;
            for (int a = 0; a < A_COUNT; a++) {
                if (role == R_SERVER && a == A_CONNECT)
                    continue;
                cur_role = role, cur_cb = cb, cur_act = a;
                cur_ssl = cb == CB_HANDSHAKE;
                cur_pull = cb == CB_PULL;
                t_lock();
                acting = 0, done = 0, got_ret = FALSE, got_code = 0, got_thread_code = 0;
                got_desc[0] = 0;
                t_unlock();
                fprintf(stderr, "scenario: %s %s -> %s\n", role_names[role], cb_names[cb],
                        act_names[a]);
                if (role == R_SERVER)
                    run_server(sl);
                else if (role == R_AGENT)
                    run_agent(al);
                else
                    run_client(cl);
                scenarios++;
            }
        }
    printf("re-entrancy: %d scenarios (role x callback x call)\n", scenarios);
    Destroy_HP_TcpServer(helper);
    Destroy_HP_SSLServer(helper_ssl);
    Destroy_HP_TcpServerListener(hl);
    Destroy_HP_TcpServerListener(sl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(cl);
    return t_finish("re-entrancy");
}
