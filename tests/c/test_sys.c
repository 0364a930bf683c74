/*
 * The SYS_* helpers through HPSocket4C.h, as a program written against HP-Socket would use
 * them: memory (libc's allocator), byte order, socket options on a real socket (checked with
 * getsockopt), socket addresses of a connected loopback pair, host address enumeration,
 * IsIPAddress / GetIPAddress, and the charset functions (GBK, UTF-8 and WCHAR "Unicode",
 * their Ex variants and SYS_CharsetConvert) checked against Python's gbk codec, with short
 * and NULL buffers (FALSE, the length needed, never a crash).
 */
#define _DEFAULT_SOURCE /* SO_REUSEPORT, FIONREAD */
#include "test.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <netinet/tcp.h>
#include <wchar.h>

static void memory_and_byte_order(void)
{
    BYTE *p = SYS_Malloc(100);
    CHECK(p != NULL);
    memset(p, 7, 100);
    p = SYS_Realloc(p, 1000);
    CHECK(p != NULL && p[99] == 7);
    free(p); /* libc's allocator: plain free works (a TBT_ATTACH buffer is freed so) */
    int *z = SYS_Calloc(10, sizeof(int));
    CHECK(z != NULL && z[9] == 0);
    SYS_Free((BYTE *)z);
    SYS_Free(NULL);
    CHECK(SYS_Malloc(-1) == NULL);
    CHECK(SYS_Calloc(-1, 4) == NULL);

    CHECK_EQ(SYS_SwapEndian16(0x1234), 0x3412);
    CHECK_EQ(SYS_SwapEndian32(0x12345678u), 0x78563412u);
    CHECK(SYS_IsLittleEndian());
    ULONGLONG v = 0x0102030405060708ULL;
    ULONGLONG n = SYS_HToN64(v);
    CHECK(memcmp(&n, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
    CHECK(SYS_NToH64(n) == v);
    printf("memory and byte order ok\n");
}

static int opt(int s, int level, int name)
{
    int v = -1;
    socklen_t l = sizeof v;
    CHECK(getsockopt(s, level, name, &v, &l) == 0);
    return v;
}

static void socket_options(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s >= 0);
    CHECK_EQ(SYS_SSO_NoDelay(s, TRUE), 0);
    CHECK(opt(s, IPPROTO_TCP, TCP_NODELAY) != 0);
    CHECK_EQ(SYS_SSO_NoBlock(s, TRUE), 0);
    CHECK(fcntl(s, F_GETFL) & O_NONBLOCK);
    CHECK(SYS_fcntl_SETFL(s, O_NONBLOCK, FALSE));
    CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK));
    CHECK_EQ(SYS_SSO_ReuseAddress(s, RAP_ADDR_AND_PORT), 0);
    CHECK(opt(s, SOL_SOCKET, SO_REUSEADDR) && opt(s, SOL_SOCKET, SO_REUSEPORT));
    CHECK_EQ(SYS_SSO_ReuseAddress(s, RAP_NONE), 0);
    CHECK(!opt(s, SOL_SOCKET, SO_REUSEADDR));
    CHECK_EQ(SYS_SSO_ReuseAddress(s, 9), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(SYS_SSO_RecvBuffSize(s, 65536), 0);
    CHECK(opt(s, SOL_SOCKET, SO_RCVBUF) >= 65536);
    CHECK_EQ(SYS_SSO_SendBuffSize(s, 65536), 0);
    CHECK_EQ(SYS_SSO_RecvTimeOut(s, 1500), 0);
    struct timeval tv;
    socklen_t tl = sizeof tv;
    CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl) == 0);
    CHECK(tv.tv_sec == 1 && tv.tv_usec == 500000);
    CHECK_EQ(SYS_SSO_SendTimeOut(s, 20), 0);
    CHECK_EQ(SYS_SSO_Linger(s, 1, 5), 0);
    struct linger lg;
    socklen_t ll = sizeof lg;
    CHECK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &ll) == 0);
    CHECK(lg.l_onoff && lg.l_linger == 5);
    CHECK_EQ(SYS_SSO_DontLinger(s, TRUE), 0);
    int one = 1, got = 0, gl = sizeof got;
    CHECK_EQ(SYS_SetSocketOption(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one), 0);
    CHECK_EQ(SYS_GetSocketOption(s, SOL_SOCKET, SO_KEEPALIVE, &got, &gl), 0);
    CHECK(got != 0 && gl == sizeof got);
    CHECK_EQ(SYS_GetSocketOption(s, SOL_SOCKET, SO_KEEPALIVE, &got, NULL), -1);
    ULONG avail = 1;
    CHECK_EQ(SYS_IoctlSocket(s, FIONREAD, &avail), 0);
    CHECK_EQ(avail, 0);
    /* A bad descriptor: -1 with EBADF, as the system calls. */
    CHECK_EQ(SYS_SSO_NoDelay(-5, TRUE), -1);
    CHECK_EQ(errno, EBADF);
    CHECK(!SYS_fcntl_SETFL(-5, O_NONBLOCK, TRUE));
    close(s);
    printf("socket options ok\n");
}

static void addresses(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(l, 1) == 0);
    socklen_t al = sizeof a;
    CHECK(getsockname(l, (struct sockaddr *)&a, &al) == 0);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);

    char addr[50];
    int len = sizeof addr;
    USHORT port = 0;
    CHECK(SYS_GetSocketRemoteAddress(c, addr, &len, &port));
    CHECK(strcmp(addr, "127.0.0.1") == 0);
    CHECK_EQ(port, ntohs(a.sin_port));
    CHECK_EQ(len, 10);
    len = 3;
    CHECK(!SYS_GetSocketLocalAddress(c, addr, &len, &port));
    CHECK_EQ(len, 10);
    CHECK_EQ(errno, ENOBUFS);
    len = sizeof addr;
    CHECK(SYS_GetSocketLocalAddress(c, addr, &len, NULL));
    CHECK(!SYS_GetSocketRemoteAddress(l, addr, &len, &port)); /* a listener has no peer */
    CHECK_EQ(errno, ENOTCONN);
    CHECK(!SYS_GetSocketLocalAddress(-1, addr, &len, &port));
    close(c);
    close(l);

    En_HP_IPAddrType t = -1;
    CHECK(SYS_IsIPAddress("10.1.2.3", &t));
    CHECK_EQ(t, IPT_IPV4);
    CHECK(SYS_IsIPAddress("::1", &t));
    CHECK_EQ(t, IPT_IPV6);
    CHECK(SYS_IsIPAddress("::ffff:1.2.3.4", NULL));
    CHECK(!SYS_IsIPAddress("localhost", &t));
    CHECK(!SYS_IsIPAddress("1.2.3", &t));
    CHECK(!SYS_IsIPAddress(NULL, &t));

    char ip[64];
    int il = sizeof ip;
    CHECK(SYS_GetIPAddress("127.0.0.1", ip, &il, &t));
    CHECK(strcmp(ip, "127.0.0.1") == 0 && t == IPT_IPV4);
    il = sizeof ip;
    CHECK(SYS_GetIPAddress("localhost", ip, &il, &t));
    CHECK(SYS_IsIPAddress(ip, NULL));
    il = 2;
    CHECK(!SYS_GetIPAddress("127.0.0.1", ip, &il, &t));
    CHECK_EQ(il, 10);

    HP_LPTIPAddr *list = NULL;
    int count = 0;
    CHECK(SYS_EnumHostIPAddresses("localhost", IPT_IPV4, &list, &count));
    CHECK(count >= 1 && list != NULL);
    for (int i = 0; i < count; i++) {
        CHECK(list[i] != NULL && list[i]->type == IPT_IPV4);
        CHECK(SYS_IsIPAddress(list[i]->address, NULL));
    }
    CHECK(list[count] == NULL);
    CHECK(strcmp(list[0]->address, "127.0.0.1") == 0);
    CHECK(SYS_FreeHostIPAddresses(list));
    CHECK(!SYS_FreeHostIPAddresses(list)); /* twice: refused, not a double free */
    CHECK(!SYS_FreeHostIPAddresses(NULL));
    HP_LPTIPAddr fake[2] = {0};
    CHECK(!SYS_FreeHostIPAddresses(fake));
    CHECK(SYS_EnumHostIPAddresses("::1", IPT_ALL, &list, &count));
    CHECK(count == 1 && list[0]->type == IPT_IPV6);
    CHECK(SYS_FreeHostIPAddresses(list));
    CHECK(!SYS_EnumHostIPAddresses("no-such-host.invalid", IPT_ALL, &list, &count));
    CHECK(list == NULL && count == 0);
    CHECK(!SYS_EnumHostIPAddresses("127.0.0.1", IPT_IPV6, &list, &count));
    CHECK(!SYS_EnumHostIPAddresses("127.0.0.1", 7, &list, &count));
    printf("addresses ok\n");
}

static void charsets(void)
{
    /* "你好, HP" */
    const char *gbk = "\xc4\xe3\xba\xc3, HP";
    const char *utf8 = "\xe4\xbd\xa0\xe5\xa5\xbd, HP";
    WCHAR wide[32];
    int n = 32;
    CHECK(SYS_GbkToUnicode(gbk, wide, &n));
    CHECK_EQ(n, 7); /* six characters and the NUL */
    CHECK(wide[0] == 0x4f60 && wide[1] == 0x597d && wide[5] == 'P' && wide[6] == 0);
    CHECK(wcscmp(wide, L"\u4f60\u597d, HP") == 0);
    char back[64];
    n = sizeof back;
    CHECK(SYS_UnicodeToGbk(wide, back, &n));
    CHECK_EQ(n, 9);
    CHECK(strcmp(back, gbk) == 0);
    n = sizeof back;
    CHECK(SYS_UnicodeToUtf8(wide, back, &n));
    CHECK(strcmp(back, utf8) == 0);
    n = 32;
    CHECK(SYS_Utf8ToUnicode(utf8, wide, &n));
    CHECK_EQ(n, 7);
    n = sizeof back;
    CHECK(SYS_GbkToUtf8(gbk, back, &n));
    CHECK_EQ(n, 11);
    CHECK(strcmp(back, utf8) == 0);
    n = sizeof back;
    CHECK(SYS_Utf8ToGbk(utf8, back, &n));
    CHECK(strcmp(back, gbk) == 0);

    /* Ex: an explicit length, no NUL added. */
    n = 32;
    CHECK(SYS_GbkToUnicodeEx(gbk, 4, wide, &n));
    CHECK_EQ(n, 2);
    n = sizeof back;
    CHECK(SYS_UnicodeToUtf8Ex(wide, 2, back, &n));
    CHECK_EQ(n, 6);
    CHECK(memcmp(back, utf8, 6) == 0);
    n = sizeof back;
    CHECK(SYS_Utf8ToGbkEx(utf8, -1, back, &n));
    CHECK_EQ(n, 9);
    n = 32;
    CHECK(SYS_Utf8ToUnicodeEx(utf8, 3, wide, &n));
    CHECK_EQ(n, 1);
    n = sizeof back;
    CHECK(SYS_UnicodeToGbkEx(wide, 1, back, &n));
    CHECK_EQ(n, 2);
    n = sizeof back;
    CHECK(SYS_GbkToUtf8Ex(gbk, 2, back, &n));
    CHECK_EQ(n, 3);

    /* Short and NULL buffers: FALSE, the length needed, nothing written past it. */
    n = 3;
    CHECK(!SYS_GbkToUnicode(gbk, wide, &n));
    CHECK_EQ(n, 7);
    CHECK_EQ(errno, ENOBUFS);
    n = 0;
    CHECK(!SYS_GbkToUtf8(gbk, NULL, &n));
    CHECK_EQ(n, 11);
    CHECK(!SYS_GbkToUtf8(NULL, back, &n));
    CHECK(!SYS_GbkToUtf8(gbk, back, NULL));
    /* Malformed input, unmappable characters. */
    n = sizeof back;
    CHECK(!SYS_Utf8ToGbk("\xff\xfe", back, &n));
    CHECK_EQ(errno, EBADMSG);
    n = sizeof back;
    CHECK(!SYS_Utf8ToGbk("\xf0\x9f\x98\x80", back, &n)); /* an emoji: not in GBK */
    n = 32;
    CHECK(!SYS_GbkToUnicode("\x81", wide, &n));

    /* SYS_CharsetConvert by name; GB18030 and UTF-16LE too. */
    char out[64];
    n = sizeof out;
    CHECK(SYS_CharsetConvert("GB2312", "UTF-16LE", gbk, 8, out, &n));
    CHECK_EQ(n, 12);
    CHECK(memcmp(out, "\x60\x4f\x7d\x59", 4) == 0);
    int m = sizeof back;
    CHECK(SYS_CharsetConvert("UTF-16LE", "GB18030", out, n, back, &m));
    CHECK_EQ(m, 8);
    CHECK(memcmp(back, gbk, 8) == 0);
    m = 2;
    CHECK(!SYS_CharsetConvert("UTF-8", "GBK", utf8, 11, back, &m));
    CHECK_EQ(m, 9); /* the NUL counted, as the 11 bytes include it */
    m = sizeof back;
    CHECK(!SYS_CharsetConvert("NO-SUCH", "GBK", utf8, 11, back, &m));
    CHECK(!SYS_CharsetConvert("UTF-8", "GBK", NULL, 11, back, &m));

    /* Against Python's gbk codec: every two-byte GBK character of one row. */
    if (system("python3 -c 'import codecs; codecs.lookup(\"gbk\")' >/dev/null 2>&1") == 0) {
        char src[400], py[400];
        int sl = 0;
        for (int lo = 0xa1; lo <= 0xfe; lo++) {
            src[sl++] = (char)0xb0;
            src[sl++] = (char)lo;
        }
        char utf[600];
        int ul = sizeof utf;
        CHECK(SYS_CharsetConvert("GBK", "UTF-8", src, sl, utf, &ul));
        FILE *p = popen("python3 -c 'import sys; s=b\"\".join(bytes([0xb0,c]) for c in range(0xa1,0xff)); "
                        "sys.stdout.buffer.write(s.decode(\"gbk\").encode(\"utf-8\"))'",
                        "r");
        CHECK(p != NULL);
        size_t pl = fread(py, 1, sizeof py, p);
        CHECK(pclose(p) == 0);
        CHECK_EQ(pl, ul);
        CHECK(memcmp(py, utf, pl) == 0);
        printf("GBK row 0xB0 matches Python's gbk codec\n");
    }
    printf("charsets ok\n");
}

int main(void)
{
    memory_and_byte_order();
    socket_options();
    addresses();
    charsets();
    printf("test_sys: ok\n");
    return 0;
}
