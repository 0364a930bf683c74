/*
 * mmsg_echo: U1's bare UDP echo loop, the ceiling a single thread can reach on one socket:
 * one blocking recvmmsg (MSG_WAITFORONE: sleep until a datagram is there, then take what is
 * queued, up to BATCH) and one sendmmsg of every datagram back to where it came from. No
 * epoll, no per-peer state: two system calls per batch.
 *
 *   mmsg_echo [port] [rcvbuf]        (port 0: any; rcvbuf > 0: SO_RCVBUF, else the default)
 *
 * Prints "listening 127.0.0.1:PORT" and serves until killed (SIGTERM's default action). The
 * socket keeps the kernel's default buffers unless rcvbuf is given, as the other U1 servers.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define DGRAM 2048 /* U1's datagrams are at most 1,500 bytes; a longer one is cut, and U1 notices */

static unsigned char bufs[BATCH][DGRAM];
static struct sockaddr_in from[BATCH];
static struct iovec iov[BATCH];
static struct mmsghdr msgs[BATCH];

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    int rcvbuf = argc > 2 ? atoi(argv[2]) : 0;
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
        perror("SO_RCVBUF");
        return 1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        perror("bind");
        return 1;
    }
    printf("listening 127.0.0.1:%u\n", (unsigned)ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = DGRAM;
            msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                              .msg_namelen = sizeof from[i],
                                              .msg_iov = &iov[i],
                                              .msg_iovlen = 1};
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("recvmmsg");
            return 1;
        }
        /* The echo: each received length becomes the send length, the source the target. */
        for (int i = 0; i < n; i++)
            iov[i].iov_len = msgs[i].msg_len;
        int sent = 0;
        while (sent < n) {
            int k = sendmmsg(fd, msgs + sent, (unsigned)(n - sent), 0);
            if (k < 0) {
                if (errno == EINTR)
                    continue;
                /* A peer gone (ICMP refused on the socket) fails one send: skip that one. */
                sent++;
                continue;
            }
            sent += k;
        }
    }
}
