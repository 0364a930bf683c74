/*
 * GetAllConnectionIDs: with no array (or one too small) it returns FALSE and the live count;
 * with room it returns TRUE and exactly the IDs the callbacks reported. Server and agent.
 */
#include "test.h"

#define N 5

static HP_CONNID accepted[N], connected[N];
static int naccepted, nconnected;

static En_HP_HandleResult s_accept(HP_Server s, HP_CONNID id, UINT_PTR so)
{
    (void)s, (void)so;
    t_lock();
    CHECK(naccepted < N);
    accepted[naccepted++] = id;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_connect(HP_Agent a, HP_CONNID id)
{
    (void)a;
    t_lock();
    CHECK(nconnected < N);
    connected[nconnected++] = id;
    t_notify();
    t_unlock();
    return HR_OK;
}

static int contains(const HP_CONNID *ids, int n, HP_CONNID id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* The same queries through the server or the agent entry points. */
typedef BOOL (*all_ids_fn)(HP_Object, HP_CONNID[], DWORD *);

static void check_ids(all_ids_fn all_ids, HP_Object obj, const HP_CONNID *want)
{
    HP_CONNID ids[N + 3];
    DWORD count = 0;

    CHECK(!all_ids(obj, NULL, &count)); /* a count query */
    CHECK_EQ(count, N);

    count = 2; /* too small: FALSE, and the count needed */
    CHECK(!all_ids(obj, ids, &count));
    CHECK_EQ(count, N);

    count = N + 3;
    CHECK(all_ids(obj, ids, &count));
    CHECK_EQ(count, N);
    for (int i = 0; i < N; i++) {
        CHECK(contains(want, N, ids[i]));
        for (int k = 0; k < i; k++)
            CHECK(ids[k] != ids[i]);
    }
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnAccept(sl, s_accept);
    HP_TcpServer server = Create_HP_TcpServer(sl);
    USHORT port = t_start_server(server);

    DWORD count = 99;
    CHECK(!HP_Server_GetAllConnectionIDs(server, NULL, &count));
    CHECK_EQ(count, 0);
    CHECK_EQ(HP_Server_GetConnectionCount(server), 0);

    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnConnect(al, a_connect);
    HP_TcpAgent agent = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(agent, NULL, FALSE));
    for (int i = 0; i < N; i++) {
        HP_CONNID id = 0;
        CHECK(HP_Agent_Connect(agent, "127.0.0.1", port, &id));
        CHECK(id != 0);
    }
    WAIT_FOR(naccepted == N && nconnected == N);

    CHECK_EQ(HP_Server_GetConnectionCount(server), N);
    CHECK_EQ(HP_Agent_GetConnectionCount(agent), N);
    check_ids(HP_Server_GetAllConnectionIDs, server, accepted);
    check_ids(HP_Agent_GetAllConnectionIDs, agent, connected);

    /* One connection fewer after a disconnect. */
    CHECK(HP_Agent_Disconnect(agent, connected[0], TRUE));
    POLL_FOR(HP_Server_GetConnectionCount(server) == N - 1);
    POLL_FOR(HP_Agent_GetConnectionCount(agent) == N - 1);
    count = 0;
    CHECK(!HP_Agent_GetAllConnectionIDs(agent, NULL, &count));
    CHECK_EQ(count, N - 1);

    CHECK(HP_Agent_Stop(agent));
    CHECK(HP_Server_Stop(server));
    CHECK_EQ(HP_Server_GetConnectionCount(server), 0);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpServerListener(sl);
    printf("connection ids: %d listed by server and agent\n", N);
    return 0;
}
