/*
 * The ARQ agent (extension, HPX_UdpArqAgent): one object, many outgoing ARQ sessions with
 * connection IDs. Against an HP_UdpArqServer echo: four sessions each get OnHandShake, then
 * their own 50 messages back whole and in order on their own ID; the waiting counts drain
 * to 0; HPX_UdpArqAgent_* settings keep HP-Socket's ARQ defaults and are frozen while
 * running; HP_TcpAgent_* refuses the ARQ agent (a wrong kind); HP_Agent_Disconnect of one
 * session closes it on the server; Destroy_HPX_UdpArqAgent ends it. Extensions: partial
 * reliability agreed with the server (odd sessions send with HPX_UdpArqAgent_SendEx and a
 * deadline that never passes: ids 1, 2, 3..., nothing dropped) and the socket buffer setting.
 */
#include "test.h"

#define SESSIONS 4
#define MESSAGES 50

static int server_handshakes, server_closes, agent_handshakes;
static HP_CONNID ids[SESSIONS];
static int got[SESSIONS], bad;

static En_HP_HandleResult s_handshake(HP_Server s, HP_CONNID id)
{
    (void)s, (void)id;
    t_lock();
    server_handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult s_receive(HP_Server s, HP_CONNID id, const BYTE *d, int len)
{
    return HP_Server_Send(s, id, d, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult s_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int e)
{
    (void)s, (void)id, (void)op, (void)e;
    t_lock();
    server_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_handshake(HP_Agent a, HP_CONNID id)
{
    (void)a, (void)id;
    t_lock();
    agent_handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* Message m of session s: (s, m) in the first two bytes, then a pattern, 1..=2000 bytes. */
static int message(int s, int m, BYTE *buf)
{
    int len = 2 + (m * 397 + s * 31) % 1999;
    buf[0] = (BYTE)s;
    buf[1] = (BYTE)m;
    t_fill(buf + 2, len - 2, (unsigned)(s * 1000 + m), 0);
    return len;
}

static int agent_dropped;

static En_HP_HandleResult a_dropped(HP_Agent a, HP_CONNID id, DWORD msg, int len)
{
    (void)a, (void)id, (void)msg, (void)len;
    t_lock();
    agent_dropped++;
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult a_receive(HP_Agent a, HP_CONNID id, const BYTE *d, int len)
{
    (void)a;
    BYTE want[2048];
    t_lock();
    int s = 0;
    while (s < SESSIONS && ids[s] != id)
        s++;
    if (s == SESSIONS) {
        bad++;
    } else {
        int n = message(s, got[s], want);
        if (n != len || memcmp(d, want, (size_t)n) != 0)
            bad++;
        got[s]++;
    }
    t_notify();
    t_unlock();
    return HR_OK;
}

int main(void)
{
    HP_UdpArqServerListener sl = Create_HP_UdpArqServerListener();
    HP_Set_FN_Server_OnHandShake(sl, s_handshake);
    HP_Set_FN_Server_OnReceive(sl, s_receive);
    HP_Set_FN_Server_OnClose(sl, s_close);
    HP_UdpArqServer server = Create_HP_UdpArqServer(sl);
    HP_UdpArqServer_SetNoDelay(server, TRUE);
    HP_UdpArqServer_SetFlushInterval(server, 10);
    HPX_UdpArqServer_SetPartialReliability(server, TRUE);
    USHORT port = t_start_server(server);

    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnHandShake(al, a_handshake);
    HP_Set_FN_Agent_OnReceive(al, a_receive);
    HPX_Set_FN_Agent_OnMessageDropped(al, a_dropped);
    HPX_UdpArqAgent agent = Create_HPX_UdpArqAgent(al);
    CHECK(agent != NULL);
    /* HP-Socket's ARQ defaults. */
    CHECK(!HPX_UdpArqAgent_IsNoDelay(agent));
    CHECK_EQ(HPX_UdpArqAgent_GetFlushInterval(agent), 60);
    CHECK_EQ(HPX_UdpArqAgent_GetMaxMessageSize(agent), 4096);
    CHECK_EQ(HPX_UdpArqAgent_GetHandShakeTimeout(agent), 5000);
    CHECK(!HPX_UdpArqAgent_IsPartialReliability(agent));
    CHECK_EQ(HPX_UdpArqAgent_GetSocketRecvBufferSize(agent), 0);
    CHECK_EQ(HPX_UdpArqAgent_GetSocketSendBufferSize(agent), 0);
    HPX_UdpArqAgent_SetPartialReliability(agent, TRUE);
    HPX_UdpArqAgent_SetSocketRecvBufferSize(agent, 128 * 1024);
    CHECK_EQ(HPX_UdpArqAgent_GetSocketRecvBufferSize(agent), 128 * 1024);
    HPX_UdpArqAgent_SetNoDelay(agent, TRUE);
    HPX_UdpArqAgent_SetFlushInterval(agent, 10);
    CHECK(HPX_UdpArqAgent_IsNoDelay(agent));
    /* A TCP-agent call on the ARQ agent is a wrong kind. */
    HP_TcpAgent_SetSocketBufferSize(agent, 4096);
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);

    CHECK(HP_Agent_Start(agent, NULL, FALSE));
    HPX_UdpArqAgent_SetFlushInterval(agent, 30); /* frozen while running */
    CHECK_EQ(HPX_UdpArqAgent_GetFlushInterval(agent), 10);
    for (int s = 0; s < SESSIONS; s++)
        CHECK(HP_Agent_Connect(agent, "127.0.0.1", port, &ids[s]));
    WAIT_FOR(agent_handshakes == SESSIONS && server_handshakes == SESSIONS);
    CHECK_EQ(HP_Agent_GetConnectionCount(agent), SESSIONS);

    BYTE buf[2048];
    for (int m = 0; m < MESSAGES; m++)
        for (int s = 0; s < SESSIONS; s++)
            if (s % 2 == 0) {
                CHECK(HP_Agent_Send(agent, ids[s], buf, message(s, m, buf)));
            } else {
                /* Partial reliability agreed: a deadline that never passes, ids 1, 2, 3... */
                DWORD mid = 0;
                CHECK(HPX_UdpArqAgent_SendEx(agent, ids[s], buf, message(s, m, buf), 60000, -1,
                                             &mid));
                CHECK_EQ(mid, (DWORD)m + 1);
            }
    WAIT_FOR(got[0] == MESSAGES && got[1] == MESSAGES && got[2] == MESSAGES &&
             got[3] == MESSAGES);
    t_lock();
    CHECK_EQ(bad, 0);
    CHECK_EQ(agent_dropped, 0);
    t_unlock();
    for (int s = 0; s < SESSIONS; s++) {
        int waiting = -1;
        POLL_FOR(HPX_UdpArqAgent_GetWaitingSendMessageCount(agent, ids[s], &waiting) &&
                 waiting == 0);
    }
    CHECK(!HPX_UdpArqAgent_GetWaitingSendMessageCount(agent, 999999, &(int){0}));

    CHECK(HP_Agent_Disconnect(agent, ids[0], TRUE));
    WAIT_FOR(server_closes == 1);
    POLL_FOR(HP_Server_GetConnectionCount(server) == SESSIONS - 1);
    POLL_FOR(HP_Agent_GetConnectionCount(agent) == SESSIONS - 1);

    CHECK(HP_Agent_Stop(agent));
    Destroy_HPX_UdpArqAgent(agent);
    Destroy_HP_TcpAgentListener(al);
    WAIT_FOR(server_closes == SESSIONS);
    CHECK(HP_Server_Stop(server));
    Destroy_HP_UdpArqServer(server);
    Destroy_HP_UdpArqServerListener(sl);
    printf("test_udp_arq_agent: ok\n");
    return 0;
}
