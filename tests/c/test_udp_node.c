/*
 * UdpNode through the C API: two unicast nodes exchange datagrams (OnReceive names the
 * sender's address and port; SendPart and SendPackets are one datagram each; oversize and
 * SendCast without a cast address are refused); then two nodes started with CM_BROADCAST on
 * one port both receive a SendCast, and report their cast address and mode; Stop fires
 * OnShutdown once. Settings have HP-Socket's defaults.
 */
#include "test.h"

typedef struct {
    int received, shutdowns, sends, errors;
    int len;
    BYTE data[64];
    char from[64];
    USHORT from_port;
} node_state_t;

static node_state_t states[2];

static node_state_t *state_of(HP_UdpNode n) { return (node_state_t *)HP_UdpNode_GetExtra(n); }

static En_HP_HandleResult on_receive(HP_UdpNode n, LPCTSTR addr, USHORT port, const BYTE *data,
                                     int len)
{
    node_state_t *s = state_of(n);
    t_lock();
    CHECK(len <= (int)sizeof s->data);
    memcpy(s->data, data, (size_t)len);
    s->len = len;
    snprintf(s->from, sizeof s->from, "%s", addr);
    s->from_port = port;
    s->received++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult on_send(HP_UdpNode n, LPCTSTR addr, USHORT port, const BYTE *data,
                                  int len)
{
    (void)addr, (void)port, (void)data, (void)len;
    t_lock();
    state_of(n)->sends++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult on_error(HP_UdpNode n, En_HP_SocketOperation op, int err, LPCTSTR addr,
                                   USHORT port, const BYTE *data, int len)
{
    (void)op, (void)err, (void)addr, (void)port, (void)data, (void)len;
    t_lock();
    state_of(n)->errors++;
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult on_shutdown(HP_UdpNode n)
{
    t_lock();
    state_of(n)->shutdowns++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static USHORT local_port(HP_UdpNode n)
{
    TCHAR addr[64];
    int len = (int)sizeof addr;
    USHORT port = 0;
    CHECK(HP_UdpNode_GetLocalAddress(n, addr, &len, &port));
    return port;
}

static USHORT free_port(void)
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

int main(void)
{
    HP_UdpNodeListener l = Create_HP_UdpNodeListener();
    HP_Set_FN_UdpNode_OnReceive(l, on_receive);
    HP_Set_FN_UdpNode_OnSend(l, on_send);
    HP_Set_FN_UdpNode_OnError(l, on_error);
    HP_Set_FN_UdpNode_OnShutdown(l, on_shutdown);

    HP_UdpNode a = Create_HP_UdpNode(l), b = Create_HP_UdpNode(l);
    CHECK(a != NULL && b != NULL);
    HP_UdpNode_SetExtra(a, &states[0]);
    HP_UdpNode_SetExtra(b, &states[1]);
    CHECK_EQ(HP_UdpNode_GetMaxDatagramSize(a), 1432);
    CHECK_EQ(HP_UdpNode_GetMultiCastTtl(a), 1);
    CHECK(!HP_UdpNode_IsMultiCastLoop(a));
    CHECK_EQ(HP_UdpNode_GetPostReceiveCount(a), 64);
    CHECK_EQ(HP_UdpNode_GetFreeBufferPoolSize(a), 1024);
    CHECK_EQ(HP_UdpNode_GetReuseAddressPolicy(a), RAP_ADDR_ONLY);
    CHECK_EQ(HP_UdpNode_GetState(a), SS_STOPPED);
    HP_UdpNode_SetWorkerThreadCount(a, 2);
    CHECK_EQ(HP_UdpNode_GetWorkerThreadCount(a), 2);

    CHECK(HP_UdpNode_Start(a, "127.0.0.1", 0));
    CHECK(HP_UdpNode_Start(b, "127.0.0.1", 0));
    CHECK(HP_UdpNode_HasStarted(a));
    CHECK_EQ(HP_UdpNode_GetCastMode(a), CM_UNICAST);
    USHORT pa = local_port(a), pb = local_port(b);

    CHECK(HP_UdpNode_Send(a, "127.0.0.1", pb, (const BYTE *)"hello", 5));
    WAIT_FOR(states[1].received == 1 && states[0].sends == 1);
    t_lock();
    CHECK_EQ(states[1].len, 5);
    CHECK(memcmp(states[1].data, "hello", 5) == 0);
    CHECK(strcmp(states[1].from, "127.0.0.1") == 0);
    CHECK_EQ(states[1].from_port, pa);
    t_unlock();

    CHECK(HP_UdpNode_SendPart(b, "127.0.0.1", pa, (const BYTE *)"xxpartxx", 4, 2));
    WAIT_FOR(states[0].received == 1);
    t_lock();
    CHECK_EQ(states[0].len, 4);
    CHECK(memcmp(states[0].data, "part", 4) == 0);
    CHECK_EQ(states[0].from_port, pb);
    t_unlock();

    WSABUF parts[2] = {{3, (LPBYTE) "abc"}, {2, (LPBYTE) "de"}};
    CHECK(HP_UdpNode_SendPackets(b, "127.0.0.1", pa, parts, 2));
    WAIT_FOR(states[0].received == 2);
    t_lock();
    CHECK_EQ(states[0].len, 5);
    CHECK(memcmp(states[0].data, "abcde", 5) == 0);
    t_unlock();

    static BYTE big[1433];
    CHECK(!HP_UdpNode_Send(a, "127.0.0.1", pb, big, (int)sizeof big));
    CHECK_EQ(SYS_GetLastError(), EMSGSIZE);
    CHECK(!HP_UdpNode_SendCast(a, (const BYTE *)"x", 1));
    CHECK(strstr(HP_UdpNode_GetLastErrorDesc(a), "cast address") != NULL);
    int pending = -1;
    CHECK(HP_UdpNode_GetPendingDataLength(a, &pending));
    CHECK_EQ(pending, 0);
    TCHAR text[64];
    int tlen = (int)sizeof text;
    USHORT port = 0;
    CHECK(!HP_UdpNode_GetCastAddress(a, text, &tlen, &port));

    CHECK(HP_UdpNode_Stop(a));
    CHECK(HP_UdpNode_Stop(b));
    CHECK(states[0].shutdowns == 1 && states[1].shutdowns == 1);
    CHECK(!HP_UdpNode_Stop(a)); /* HP-Socket: FALSE when not started */

    /* Broadcast: both nodes on one port hear a SendCast. */
    memset(states, 0, sizeof states);
    USHORT cp = free_port();
    CHECK(HP_UdpNode_StartWithCast(a, "127.0.0.1", cp, CM_BROADCAST, "127.255.255.255"));
    CHECK(HP_UdpNode_StartWithCast(b, "127.0.0.1", cp, CM_BROADCAST, "127.255.255.255"));
    CHECK_EQ(HP_UdpNode_GetCastMode(a), CM_BROADCAST);
    tlen = (int)sizeof text;
    CHECK(HP_UdpNode_GetCastAddress(a, text, &tlen, &port));
    CHECK(strcmp(text, "127.255.255.255") == 0);
    CHECK_EQ(port, cp);
    CHECK(HP_UdpNode_SendCast(a, (const BYTE *)"all", 3));
    WAIT_FOR(states[0].received >= 1 && states[1].received >= 1);
    t_lock();
    CHECK(memcmp(states[1].data, "all", 3) == 0);
    t_unlock();
    CHECK(HP_UdpNode_Stop(a));
    CHECK(HP_UdpNode_Stop(b));

    Destroy_HP_UdpNode(a);
    Destroy_HP_UdpNode(b);
    Destroy_HP_UdpNodeListener(l);
    printf("test_udp_node: ok\n");
    return 0;
}
