/*
 * The logging hook (HPX_SetLogHandler): at HPX_LOG_INFO it sees a server's connection
 * accepted and closed with its reason and the client's connecting and closing, tagged with
 * the component ("TcpServer#N"); at HPX_LOG_WARN, a connection refused at MaxConnectionCount
 * but no INFO records; a level outside 0..=4 is refused; HPX_LOG_OFF stops it.
 */
#include "test.h"

#include <unistd.h>

static int records, infos, warns, accepted, closed, refused, bad_context;

static void on_log(int level, LPCSTR source, LPCSTR message, PVOID context)
{
    t_lock();
    records++;
    if (context != (PVOID)&records)
        bad_context++;
    if (level == HPX_LOG_INFO)
        infos++;
    if (level == HPX_LOG_WARN)
        warns++;
    if (strncmp(source, "TcpServer#", 10) == 0) {
        if (strstr(message, "accepted from 127.0.0.1:"))
            accepted++;
        if (strstr(message, "closed: Close, no error") || strstr(message, "closed: Close"))
            closed++;
        if (strstr(message, "refused: MaxConnectionCount (1) reached"))
            refused++;
    }
    t_notify();
    t_unlock();
}

int main(void)
{
    CHECK(!HPX_SetLogHandler(5, on_log, NULL));
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    CHECK(!HPX_SetLogHandler(-1, on_log, NULL));
    CHECK(HPX_SetLogHandler(HPX_LOG_INFO, on_log, &records));

    HP_TcpServerListener sl = Create_HP_TcpServerListener();
    HP_TcpServer server = Create_HP_TcpServer(sl);
    HP_Server_SetMaxConnectionCount(server, 1);
    USHORT port = t_start_server(server);
    HP_TcpClientListener cl = Create_HP_TcpClientListener();
    HP_TcpClient client = Create_HP_TcpClient(cl);
    CHECK(HP_Client_Start(client, "127.0.0.1", port, FALSE));
    WAIT_FOR(accepted == 1);
    CHECK(HP_Client_Stop(client));
    WAIT_FOR(closed == 1);
    t_lock();
    CHECK(infos >= 3); /* accepted, and at least the server's close and the client's */
    t_unlock();

    /* WARN only: a second connection beyond MaxConnectionCount is refused and logged; the
     * first one's accept is not. */
    CHECK(HPX_SetLogHandler(HPX_LOG_WARN, on_log, &records));
    t_lock();
    int infos_before = infos;
    t_unlock();
    int a = t_connect(port, 0, 5), b = t_connect(port, 0, 5);
    WAIT_FOR(refused >= 1);
    t_lock();
    CHECK_EQ(infos, infos_before);
    CHECK(warns >= 1);
    t_unlock();
    close(a);
    close(b);
    /* The next connect must not meet the first one still counted (MaxConnectionCount 1 would
     * refuse it): wait until the server has seen both go. */
    POLL_FOR(HP_Server_GetConnectionCount(server) == 0);

    /* Off: nothing more arrives. */
    CHECK(HPX_SetLogHandler(HPX_LOG_OFF, NULL, NULL));
    t_lock();
    int before = records;
    t_unlock();
    a = t_connect(port, 0, 5);
    POLL_FOR(HP_Server_GetConnectionCount(server) == 1);
    close(a);
    POLL_FOR(HP_Server_GetConnectionCount(server) == 0);
    t_lock();
    CHECK_EQ(records, before);
    CHECK_EQ(bad_context, 0);
    t_unlock();

    CHECK(HP_Server_Stop(server));
    Destroy_HP_TcpClient(client);
    Destroy_HP_TcpClientListener(cl);
    Destroy_HP_TcpServer(server);
    Destroy_HP_TcpServerListener(sl);
    printf("test_log_hook: ok\n");
    return 0;
}
