/*
 * UdpCast through the C API: two casts join a multicast group on the loopback interface
 * (MultiCastLoop on) and each receives what one of them sends, with GetRemoteAddress inside
 * OnReceive naming the sender; then the same with broadcast to 127.255.255.255. Settings have
 * HP-Socket's defaults; CM_UNICAST is refused for a cast.
 */
#include "test.h"

typedef struct {
    int handshakes, received, closes;
    int len;
    BYTE data[64];
    USHORT from_port;
    char from[64];
} cast_state_t;

static cast_state_t states[2];

static cast_state_t *state_of(HP_Client c) { return (cast_state_t *)HP_Client_GetExtra(c); }

static En_HP_HandleResult on_handshake(HP_Client c, HP_CONNID id)
{
    (void)id;
    t_lock();
    state_of(c)->handshakes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult on_receive(HP_Client c, HP_CONNID id, const BYTE *data, int len)
{
    (void)id;
    TCHAR addr[64];
    int alen = (int)(sizeof addr / sizeof addr[0]);
    USHORT port = 0;
    CHECK(HP_UdpCast_GetRemoteAddress(c, addr, &alen, &port));
    cast_state_t *s = state_of(c);
    t_lock();
    if (s->received == 0) {
        CHECK(len <= (int)sizeof s->data);
        memcpy(s->data, data, (size_t)len);
        s->len = len;
        s->from_port = port;
        snprintf(s->from, sizeof s->from, "%s", addr);
    }
    s->received++;
    t_notify();
    t_unlock();
    return HR_OK;
}

static En_HP_HandleResult on_close(HP_Client c, HP_CONNID id, En_HP_SocketOperation op, int err)
{
    (void)id, (void)op, (void)err;
    t_lock();
    state_of(c)->closes++;
    t_notify();
    t_unlock();
    return HR_OK;
}

/* A UDP port nobody uses right now. */
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

static void round_trip(HP_UdpCastListener l, En_HP_CastMode mode, const char *to)
{
    memset(states, 0, sizeof states);
    USHORT port = free_port();
    HP_UdpCast casts[2];
    for (int i = 0; i < 2; i++) {
        casts[i] = Create_HP_UdpCast(l);
        CHECK(casts[i] != NULL);
        HP_Client_SetExtra(casts[i], &states[i]);
        HP_UdpCast_SetCastMode(casts[i], mode);
        HP_UdpCast_SetMultiCastLoop(casts[i], TRUE);
        CHECK_EQ(HP_UdpCast_GetCastMode(casts[i]), mode);
        if (!HP_Client_StartWithBindAddress(casts[i], to, port, FALSE, "127.0.0.1"))
            FAILF("start cast %d to %s: %s", i, to, HP_Client_GetLastErrorDesc(casts[i]));
    }
    WAIT_FOR(states[0].handshakes == 1 && states[1].handshakes == 1);
    CHECK(HP_Client_Send(casts[0], (const BYTE *)"cast!", 5));
    WAIT_FOR(states[0].received >= 1 && states[1].received >= 1);
    TCHAR addr[64];
    int alen = (int)(sizeof addr / sizeof addr[0]);
    USHORT sender_port = 0;
    CHECK(HP_Client_GetLocalAddress(casts[0], addr, &alen, &sender_port));
    t_lock();
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(states[i].len, 5);
        CHECK(memcmp(states[i].data, "cast!", 5) == 0);
        CHECK_EQ(states[i].from_port, sender_port);
        CHECK(strcmp(states[i].from, "127.0.0.1") == 0);
    }
    t_unlock();
    for (int i = 0; i < 2; i++) {
        CHECK(HP_Client_Stop(casts[i]));
        Destroy_HP_UdpCast(casts[i]);
    }
    CHECK(states[0].closes == 1 && states[1].closes == 1);
}

int main(void)
{
    HP_UdpCastListener l = Create_HP_UdpCastListener();
    HP_Set_FN_Client_OnHandShake(l, on_handshake);
    HP_Set_FN_Client_OnReceive(l, on_receive);
    HP_Set_FN_Client_OnClose(l, on_close);

    HP_UdpCast c = Create_HP_UdpCast(l);
    CHECK_EQ(HP_UdpCast_GetCastMode(c), CM_MULTICAST);
    CHECK_EQ(HP_UdpCast_GetMultiCastTtl(c), 1);
    CHECK(!HP_UdpCast_IsMultiCastLoop(c));
    CHECK_EQ(HP_UdpCast_GetMaxDatagramSize(c), 1432);
    HP_UdpCast_SetCastMode(c, CM_UNICAST);
    CHECK_EQ(HP_UdpCast_GetCastMode(c), CM_MULTICAST);
    CHECK(strstr(HP_Client_GetLastErrorDesc(c), "CM_UNICAST") != NULL);
    /* No datagram yet: no remote address. */
    TCHAR addr[64];
    int alen = (int)(sizeof addr / sizeof addr[0]);
    USHORT port = 0;
    CHECK(!HP_UdpCast_GetRemoteAddress(c, addr, &alen, &port));
    /* HP_UdpClient_* is not for casts. */
    CHECK_EQ(HP_UdpClient_GetDetectAttempts(c), 0);
    Destroy_HP_UdpCast(c);

    round_trip(l, CM_MULTICAST, "239.255.77.14");
    round_trip(l, CM_BROADCAST, "127.255.255.255");

    Destroy_HP_UdpCastListener(l);
    printf("test_udp_cast: ok\n");
    return 0;
}
