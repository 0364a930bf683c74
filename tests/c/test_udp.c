/*
 * UDP through the C API, as a program written against HP-Socket's HPSocket4C.h would use it:
 * a UdpServer echoes; a UdpClient sends datagrams of 1..MaxDatagramSize bytes and a
 * SendPackets, each echoed whole; an oversize send fails and sends nothing; OnAccept hands
 * the peer's sockaddr; the UDP settings have HP-Socket's defaults; HP_TcpServer_* refuses a
 * UDP server; a raw peer gets the close-notify datagram on Disconnect, and a client's Stop
 * closes its connection on the server.
 */
#include "test.h"

static const BYTE CLOSE_NOTIFY[16] = {0xBE, 0xB6, 0x1F, 0xEB, 0xDA, 0x52, 0x46, 0xBA,
                                      0x92, 0x33, 0x59, 0xDB, 0xBF, 0xE6, 0xC8, 0xE4};

static int accepts, handshakes, server_closes, client_closes, echoes;
static USHORT accepted_port;
static int accepted_family;
static int last_echo_len;
static BYTE last_echo[2048];

static En_HP_HandleResult srv_accept(HP_Server s, HP_CONNID id, UINT_PTR client)
{
    (void)s, (void)id;
    const struct sockaddr *sa = (const struct sockaddr *)client;
    t_lock();
    accepts++;
    accepted_family = sa->sa_family;
    if (sa->sa_family == AF_INET)
        accepted_port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult srv_handshake(HP_Server s, HP_CONNID id)
{
    (void)s, (void)id;
    t_lock();
    handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult srv_receive(HP_Server s, HP_CONNID id, const BYTE *data, int len)
{
    return HP_Server_Send(s, id, data, len) ? HR_OK : HR_ERROR;
}

static En_HP_HandleResult srv_close(HP_Server s, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)s, (void)id;
    t_lock();
    CHECK_EQ(op, SO_CLOSE);
    CHECK_EQ(err, 0);
    server_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult cli_receive(HP_Client c, HP_CONNID id, const BYTE *data, int len)
{
    (void)c, (void)id;
    t_lock();
    CHECK(len > 0 && len <= (int)sizeof last_echo);
    memcpy(last_echo, data, (size_t)len);
    last_echo_len = len;
    echoes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult cli_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)c, (void)id, (void)op, (void)err;
    t_lock();
    client_closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* Sends one datagram from the client and checks the echo. */
static void echo_one(HP_Client client, int len, unsigned seed)
{
    static BYTE buf[2048];
    t_fill(buf, len, seed, 0);
    t_lock();
    int before = echoes;
    t_unlock();
    if (!HP_Client_Send(client, buf, len))
        FAILF("HP_Client_Send(%d): %s", len, HP_Client_GetLastErrorDesc(client));
    WAIT_FOR(echoes == before + 1);
    t_lock();
    CHECK_EQ(last_echo_len, len);
    CHECK(memcmp(last_echo, buf, (size_t)len) == 0);
    t_unlock();
}

int main(void)
{
    HP_UdpServerListener sl = Create_HP_UdpServerListener();
    HP_Set_FN_Server_OnAccept(sl, srv_accept);
    HP_Set_FN_Server_OnHandShake(sl, srv_handshake);
    HP_Set_FN_Server_OnReceive(sl, srv_receive);
    HP_Set_FN_Server_OnClose(sl, srv_close);
    HP_UdpServer server = Create_HP_UdpServer(sl);
    CHECK(server != NULL);

    /* HP-Socket's defaults, and the UDP settings belong to UDP components only. */
    CHECK_EQ(HP_UdpServer_GetMaxDatagramSize(server), 1432);
    CHECK_EQ(HP_UdpServer_GetPostReceiveCount(server), 64);
    CHECK_EQ(HP_UdpServer_GetDetectAttempts(server), 3);
    CHECK_EQ(HP_UdpServer_GetDetectInterval(server), 60000);
    CHECK_EQ(HP_TcpServer_GetSocketListenQueue(server), 0);
    CHECK(strstr(HPX_GetLastErrorDesc(), "TCP server") != NULL);
    HP_Server_SetWorkerThreadCount(server, 2);
    USHORT port = t_start_server(server);
    CHECK(!HP_Server_IsSecure(server));

    HP_UdpClientListener cl = Create_HP_UdpClientListener();
    HP_Set_FN_Client_OnReceive(cl, cli_receive);
    HP_Set_FN_Client_OnClose(cl, cli_close);
    HP_UdpClient client = Create_HP_UdpClient(cl);
    CHECK(client != NULL);
    CHECK_EQ(HP_UdpClient_GetMaxDatagramSize(client), 1432);
    if (!HP_Client_Start(client, "127.0.0.1", port, FALSE))
        FAILF("HP_Client_Start: %s", HP_Client_GetLastErrorDesc(client));

    /* The client's connect heartbeat makes the server's connection before any data. */
    WAIT_FOR(accepts == 1 && handshakes == 1);
    TCHAR addr[64];
    int alen = (int)(sizeof addr / sizeof addr[0]);
    USHORT local_port = 0;
    CHECK(HP_Client_GetLocalAddress(client, addr, &alen, &local_port));
    t_lock();
    CHECK_EQ(accepted_family, AF_INET);
    CHECK_EQ(accepted_port, local_port);
    t_unlock();
    CHECK_EQ(HP_Server_GetConnectionCount(server), 1);

    int sizes[] = {1, 2, 100, 1000, 1431, 1432};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        echo_one(client, sizes[i], i + 1);

    /* Oversize: refused, nothing sent. */
    static BYTE big[1433];
    CHECK(!HP_Client_Send(client, big, (int)sizeof big));
    CHECK_EQ(HP_Client_GetLastError(client), SE_INVALID_PARAM);
    CHECK_EQ(SYS_GetLastError(), EMSGSIZE);

    /* SendPackets is one datagram. */
    WSABUF parts[3] = {{2, (LPBYTE) "ab"}, {0, NULL}, {3, (LPBYTE) "cde"}};
    t_lock();
    int before = echoes;
    t_unlock();
    CHECK(HP_Client_SendPackets(client, parts, 3));
    WAIT_FOR(echoes == before + 1);
    t_lock();
    CHECK_EQ(last_echo_len, 5);
    CHECK(memcmp(last_echo, "abcde", 5) == 0);
    t_unlock();

    /* The client's Stop tells the server (close-notify): its connection closes. */
    CHECK(HP_Client_Stop(client));
    WAIT_FOR(server_closes == 1 && client_closes == 1);
    POLL_FOR(HP_Server_GetConnectionCount(server) == 0);

    /* A raw peer: Disconnect sends it the close-notify datagram. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(fd >= 0);
    struct timeval tv = {10, 0};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    struct sockaddr_in to = t_loopback(port);
    CHECK(connect(fd, (struct sockaddr *)&to, sizeof to) == 0);
    CHECK(send(fd, "hi", 2, 0) == 2);
    BYTE got[64];
    CHECK_EQ(recv(fd, got, sizeof got, 0), 2);
    HP_CONNID ids[4];
    DWORD count = 4;
    CHECK(HP_Server_GetAllConnectionIDs(server, ids, &count));
    CHECK_EQ(count, 1);
    CHECK(HP_Server_Disconnect(server, ids[0], TRUE));
    CHECK_EQ(recv(fd, got, sizeof got, 0), 16);
    CHECK(memcmp(got, CLOSE_NOTIFY, 16) == 0);
    WAIT_FOR(server_closes == 2);
    close(fd);

    CHECK(HP_Server_Stop(server));
    Destroy_HP_UdpClient(client);
    Destroy_HP_UdpServer(server);
    Destroy_HP_UdpClientListener(cl);
    Destroy_HP_UdpServerListener(sl);
    printf("test_udp: ok\n");
    return 0;
}
