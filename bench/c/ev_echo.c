/*
 * ev_echo: a libevent echo server (optional peer), one event-base thread, TCP_NODELAY.
 * Plain event_new callbacks with one 64 KiB read buffer (bufferevents would add a copy per
 * message); what the socket refuses is kept per connection until it drains.
 *
 *   ev_echo [port] [--version]        prints "listening 127.0.0.1:PORT", runs until killed
 */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUF (64 * 1024)
static char read_buf[READ_BUF];
static struct event_base *base;

typedef struct {
    struct event *rd, *wr;
    char *out;
    size_t out_len;
} conn_t;

static void conn_free(conn_t *c, evutil_socket_t fd)
{
    event_free(c->rd);
    event_free(c->wr);
    free(c->out);
    free(c);
    close(fd);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    conn_t *c = arg;
    (void)what;
    ssize_t w = send(fd, c->out, c->out_len, MSG_NOSIGNAL);
    if (w < 0 && errno != EAGAIN) {
        conn_free(c, fd);
        return;
    }
    if (w > 0) {
        memmove(c->out, c->out + w, c->out_len - (size_t)w);
        c->out_len -= (size_t)w;
    }
    if (c->out_len > 0) {
        event_add(c->wr, NULL);
    } else {
        event_add(c->rd, NULL); /* drained: read again */
    }
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    conn_t *c = arg;
    (void)what;
    ssize_t n = recv(fd, read_buf, READ_BUF, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
        conn_free(c, fd);
        return;
    }
    if (n < 0)
        return;
    ssize_t w = send(fd, read_buf, (size_t)n, MSG_NOSIGNAL);
    if (w < 0 && errno != EAGAIN) {
        conn_free(c, fd);
        return;
    }
    if (w < 0)
        w = 0;
    if (w < n) {
        /* Keep the rest and stop reading until it is written. */
        c->out = realloc(c->out, (size_t)(n - w));
        memcpy(c->out, read_buf + w, (size_t)(n - w));
        c->out_len = (size_t)(n - w);
        event_del(c->rd);
        event_add(c->wr, NULL);
    }
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    (void)l;
    (void)sa;
    (void)socklen;
    (void)arg;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn_t *c = calloc(1, sizeof *c);
    c->rd = event_new(base, fd, EV_READ | EV_PERSIST, on_read, c);
    c->wr = event_new(base, fd, EV_WRITE, on_write, c);
    event_add(c->rd, NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("%s\n", event_get_version());
        return 0;
    }
    int port = argc > 1 ? atoi(argv[1]) : 0;
    base = event_base_new();
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    struct evconnlistener *l =
        evconnlistener_new_bind(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                SOMAXCONN, (struct sockaddr *)&addr, sizeof addr);
    if (!l) {
        fprintf(stderr, "ev_echo: bind/listen failed\n");
        return 1;
    }
    struct sockaddr_in bound;
    socklen_t len = sizeof bound;
    getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&bound, &len);
    printf("listening 127.0.0.1:%d\n", ntohs(bound.sin_port));
    fflush(stdout);
    return event_base_dispatch(base);
}
