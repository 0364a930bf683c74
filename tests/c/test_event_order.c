/*
 * Event order (HP-Socket's sequences): server OnPrepareListen -> per connection OnAccept ->
 * OnHandShake -> OnReceive/OnSend -> OnClose (once) -> OnShutdown after all OnClose; client and
 * agent OnPrepareConnect -> OnConnect -> OnHandShake -> OnReceive -> OnClose (agent then
 * OnShutdown). The sockets handed to OnPrepareListen/OnAccept/OnPrepareConnect are real.
 */
#include "test.h" /* first: it sets the POSIX feature level */

#include <netinet/in.h>
#include <sys/socket.h>

static HP_CONNID client_id, agent_id;

static int is_socket(UINT_PTR fd)
{
    int type = 0;
    socklen_t len = sizeof type;
    return getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

/* ---- server: events named "S <what> <conn>" ---- */

static En_HP_HandleResult s_prepare(HP_Server s, UINT_PTR so)
{
    (void)s;
    CHECK(is_socket(so));
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    CHECK(getsockname((int)so, (struct sockaddr *)&sin, &len) == 0);
    CHECK(sin.sin_addr.s_addr == htonl(INADDR_LOOPBACK)); /* already bound */
    t_lock();
    t_event("S prepare");
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_accept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)s;
    CHECK(id != 0);
    CHECK(is_socket(so));
    t_lock();
    t_event("S accept %lu", (unsigned long)id);
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_handshake(HP_Server s, HP_CONNID id)
{
    (void)s;
    t_lock();
    t_event("S handshake %lu", (unsigned long)id);
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    t_lock();
    if (t_find_event("S receive", 0) < 0) /* record the first receive only: data may split */
        t_event("S receive");
    t_unlock();
    (void)id;
    return HP_Server_Send(s, id, d, n) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult s_send(HP_Server s, HP_CONNID id, const BYTE *d, int n)
{
    (void)s, (void)d, (void)n;
    t_lock();
    /* OnSend comes after the connection is ready and before it closes. */
    char want[64];
    snprintf(want, sizeof want, "S handshake %lu", (unsigned long)id);
    CHECK(t_find_event(want, 0) >= 0);
    snprintf(want, sizeof want, "S close %lu", (unsigned long)id);
    CHECK(t_find_event(want, 0) < 0);
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)s, (void)op, (void)err;
    t_lock();
    t_event("S close %lu", (unsigned long)id);
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_shutdown(HP_Server s)
{
    (void)s;
    t_lock();
    t_event("S shutdown");
    t_unlock();
    return HR_OK;
}

/* ---- client: "C <what>" ---- */

static En_HP_HandleResult c_prepare(HP_Client c, HP_CONNID id, UINT_PTR so)
{
    (void)c;
    CHECK(is_socket(so));
    t_lock();
    client_id = id;
    t_event("C prepare");
    t_unlock();
    return HR_OK;
}

#define CLIENT_EVENT(name, label)                                                            \
    static En_HP_HandleResult name(HP_Client c, HP_CONNID id)                               \
    {                                                                                        \
        (void)c;                                                                             \
        t_lock();                                                                            \
        CHECK_EQ(id, client_id);                                                             \
        t_event(label);                                                                      \
        t_unlock();                                                                          \
        return HR_OK;                                                                        \
    }
CLIENT_EVENT(c_connect, "C connect")
CLIENT_EVENT(c_handshake, "C handshake")

static En_HP_HandleResult c_receive(HP_Client c, HP_CONNID id, const BYTE *d, int n)
{
    (void)c, (void)d, (void)n;
    t_lock();
    CHECK_EQ(id, client_id);
    if (t_find_event("C receive", 0) < 0)
        t_event("C receive");
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult c_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c;
    t_lock();
    CHECK_EQ(id, client_id);
    t_event("C close %d %d", (int)op, err);
    t_unlock();
    return HR_OK;
}

/* ---- agent: "A <what>" ---- */

static En_HP_HandleResult a_prepare(HP_Agent a, HP_CONNID id, UINT_PTR so)
{
    (void)a;
    CHECK(is_socket(so));
    t_lock();
    agent_id = id;
    t_event("A prepare");
    t_unlock();
    return HR_OK;
}

#define AGENT_EVENT(name, label)                                                             \
    static En_HP_HandleResult name(HP_Agent a, HP_CONNID id)                                \
    {                                                                                        \
        (void)a;                                                                             \
        t_lock();                                                                            \
        CHECK_EQ(id, agent_id);                                                              \
        t_event(label);                                                                      \
        t_unlock();                                                                          \
        return HR_OK;                                                                        \
    }
AGENT_EVENT(a_connect, "A connect")
AGENT_EVENT(a_handshake, "A handshake")

static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int n)
{
    (void)a, (void)d, (void)n;
    t_lock();
    CHECK_EQ(id, agent_id);
    if (t_find_event("A receive", 0) < 0)
        t_event("A receive");
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_close(HP_Agent a, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)a, (void)op, (void)err;
    t_lock();
    CHECK_EQ(id, agent_id);
    t_event("A close");
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_shutdown(HP_Agent a)
{
    (void)a;
    t_lock();
    t_event("A shutdown");
    t_unlock();
    return HR_OK;
}

/* Asserts that the events named in `seq` occur in this order (others may interleave). */
static void expect_order(const char *const *seq, int n)
{
    int at = 0;
    t_lock();
    for (int i = 0; i < n; i++) {
        int found = t_find_event(seq[i], at);
        if (found < 0) {
            t_dump_events();
            FAILF("event \"%s\" missing or out of order", seq[i]);
        }
        CHECK_EQ(t_count_events(seq[i]), 1);
        at = found + 1;
    }
    t_unlock();
}

static int has_event(const char *name) { return t_find_event(name, 0) >= 0; }

int main(void)
{
    char s_accept1[64], s_hs1[64], s_close1[64], s_accept2[64], s_hs2[64], s_close2[64];
    HP_CONNID sids[2];
    DWORD n;

    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnPrepareListen(sl, s_prepare);
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_Set_FN_Server_OnHandShake(sl, s_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnSend(sl, s_send);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_Set_FN_Server_OnShutdown(sl, s_shutdown);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    USHORT port = t_start_server(server);
    t_lock();
    CHECK_EQ(t_nevents, 1); /* OnPrepareListen ran inside Start */
    CHECK(has_event("S prepare"));
    t_unlock();

    /* 1. A client's whole life: connect, one round trip, stop. */
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Set_FN_Client_OnPrepareConnect(cl, c_prepare);
    HP_Set_FN_Client_OnConnect(cl, c_connect);
    HP_Set_FN_Client_OnHandShake(cl, c_handshake);
    HP_Set_FN_Client_OnReceive(cl, c_receive);
    HP_Set_FN_Client_OnClose(cl, c_close);
    HP_TcpClient client = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    CHECK_EQ(HP_Client_GetConnectionID(client), client_id);
    CHECK(HP_Client_Send(client, (const BYTE *)"ping", 4));
    WAIT_FOR(has_event("C receive"));
    CHECK(HP_Client_Stop(client));

    /* The echo arrived, so the server has accepted: find the ID from its accept event. */
    unsigned long sid1 = 0;
    t_lock();
    for (int i = 0; i < t_nevents; i++)
        if (sscanf(t_events[i], "S accept %lu", &sid1) == 1)
            break;
    t_unlock();
    CHECK(sid1 != 0);
    snprintf(s_accept1, sizeof s_accept1, "S accept %lu", sid1);
    snprintf(s_hs1, sizeof s_hs1, "S handshake %lu", sid1);
    snprintf(s_close1, sizeof s_close1, "S close %lu", sid1);
    WAIT_FOR(has_event(s_close1));

    const char *client_seq[] = {"C prepare", "C connect", "C handshake", "C receive",
                                "C close 5 0"}; /* Stop reports (SO_CLOSE, 0) */
    expect_order(client_seq, 5);
    const char *server_seq1[] = {"S prepare", s_accept1, s_hs1, "S receive", s_close1};
    expect_order(server_seq1, 5);

    /* 2. An agent connection still open when the server stops: its OnClose comes first. */
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnPrepareConnect(al, a_prepare);
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_Set_FN_Agent_OnHandShake(al, a_handshake);
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HP_Set_FN_Agent_OnClose(al, a_close);
    HP_Set_FN_Agent_OnShutdown(al, a_shutdown);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(agent, NULL, FALSE));
    HP_CONNID aid = 0;
    CHECK(HP_Agent_Connect(agent, "127.0.0.1", port, &aid));
    CHECK_EQ(aid, agent_id);
    CHECK(HP_Agent_Send(agent, aid, (const BYTE *)"pong", 4));
    WAIT_FOR(has_event("A receive"));

    n = 2;
    CHECK(HP_Server_GetAllConnectionIDs(server, sids, &n));
    CHECK_EQ(n, 1);
    snprintf(s_accept2, sizeof s_accept2, "S accept %lu", (unsigned long)sids[0]);
    snprintf(s_hs2, sizeof s_hs2, "S handshake %lu", (unsigned long)sids[0]);
    snprintf(s_close2, sizeof s_close2, "S close %lu", (unsigned long)sids[0]);
    CHECK(sids[0] != sid1);

    CHECK(HP_Server_Stop(server));
    WAIT_FOR(has_event("S shutdown"));
    WAIT_FOR(has_event("A close"));
    const char *server_seq2[] = {s_accept2, s_hs2, s_close2, "S shutdown"};
    expect_order(server_seq2, 4);

    CHECK(HP_Agent_Stop(agent));
    WAIT_FOR(has_event("A shutdown"));
    const char *agent_seq[] = {"A prepare", "A connect", "A handshake", "A receive",
                               "A close", "A shutdown"};
    expect_order(agent_seq, 6);

    /* Nothing fires after shutdown. */
    t_lock();
    int total = t_nevents;
    t_unlock();
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);
    CHECK_EQ(t_nevents, total);
    CHECK_EQ(t_count_events("S prepare"), 1);
    printf("event order: %d events in order\n", total);
    return 0;
}
