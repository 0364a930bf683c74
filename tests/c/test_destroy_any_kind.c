/*
 * A destroyer takes every component of its role: Destroy_HP_TcpServer given a running
 * HP_TcpPackServer (or a PULL or SSL server) stops and destroys it (OnShutdown has run, the
 * handle is stale, its port is free again), as HP-Socket's C API lets a program destroy
 * through the generic kind. A component of another role is refused loudly: it keeps running
 * and the thread's last error names both kinds.
 */
#include "test.h"

static int shutdowns;

static En_HP_HandleResult __HP_CALL on_shutdown(HP_Server s)
{
    (void)s;
    t_lock();
    shutdowns++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static int port_is_free(USHORT port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = t_loopback(port);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

int main(void)
{
    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_Set_FN_Server_OnShutdown(sl, on_shutdown);

    HP_Server (*creators[])(HP_TcpServerListener) = {
        Create_HP_TcpPackServer, Create_HP_TcpPullServer, Create_HP_SSLServer, Create_HP_TcpServer};
    for (int i = 0; i < 4; i++) {
        HP_Server s = creators[i](sl);
        CHECK(s != NULL);
        if (i == 2) {
            /* An SSL server needs a context before it starts: stay stopped, destroy anyway. */
            Destroy_HP_TcpServer(s);
        } else {
            USHORT port = t_start_server(s);
            int before = shutdowns;
            Destroy_HP_TcpServer(s);
            t_lock();
            CHECK_EQ(shutdowns, before + 1); /* stopped before Destroy returned */
            t_unlock();
            CHECK(port_is_free(port));
        }
        /* The handle is stale now. */
        CHECK_EQ(HP_Server_GetState(s), SS_STOPPED);
        CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
        CHECK(strstr(HPX_GetLastErrorDesc(), "destroyed") != NULL);
    }

    /* The same through a PACK agent's and a PULL client's destroyers. */
    HP_TcpAgentListener al = Create_HP_TcpAgentListener();
    HP_Agent a = Create_HP_TcpAgent(al);
    CHECK(HP_Agent_Start(a, NULL, FALSE));
    Destroy_HP_TcpPackAgent(a);
    CHECK_EQ(HP_Agent_HasStarted(a), FALSE);
    CHECK(strstr(HPX_GetLastErrorDesc(), "destroyed") != NULL);
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_Client c = Create_HP_SSLPackClient(cl);
    Destroy_HP_TcpPullClient(c);
    CHECK_EQ(HP_Client_GetState(c), SS_STOPPED);
    CHECK(strstr(HPX_GetLastErrorDesc(), "destroyed") != NULL);

    /* Another role: refused, named, alive. */
    HP_Server s = Create_HP_TcpPackServer(sl);
    t_start_server(s);
    Destroy_HP_TcpAgent(s);
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    const char *desc = HPX_GetLastErrorDesc();
    if (!strstr(desc, "Destroy_HP_TcpAgent") || !strstr(desc, "HP_TcpPackServer") ||
        !strstr(desc, "HP_TcpAgent"))
        FAILF("the last error should name both kinds: %s", desc);
    CHECK_EQ(HP_Server_GetState(s), SS_STARTED);
    Destroy_HP_TcpClientListener(s);
    CHECK_EQ(HP_Server_GetState(s), SS_STARTED);
    Destroy_HP_TcpServerListener(s); /* a listener destroyer does not take components */
    CHECK_EQ(HP_Server_GetState(s), SS_STARTED);
    Destroy_HP_SSLServer(s);
    CHECK_EQ(HP_Server_GetState(s), SS_STOPPED);

    Destroy_HP_TcpServerListener(sl);
    Destroy_HP_TcpAgentListener(al);
    Destroy_HP_TcpClientListener(cl);
    printf("test_destroy_any_kind: ok\n");
    return 0;
}
