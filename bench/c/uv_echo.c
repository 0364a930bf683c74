/*
 * uv_echo: a libuv echo server (optional peer), one loop thread, 64 KiB reads, TCP_NODELAY.
 * Writes go out with uv_try_write; only what the socket refuses is queued with uv_write.
 *
 *   uv_echo [port] [--version]        prints "listening 127.0.0.1:PORT", runs until killed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define READ_BUF (64 * 1024)
static char read_buf[READ_BUF]; /* one loop thread: one buffer, as the other servers */
static uv_loop_t *loop;

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} pending_t;

static void on_close(uv_handle_t *h) { free(h); }

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    (void)hint;
    *buf = uv_buf_init(read_buf, READ_BUF);
}

static void on_written(uv_write_t *req, int status)
{
    pending_t *p = (pending_t *)req;
    uv_stream_t *s = req->handle;
    free(p->buf.base);
    free(p);
    if (status < 0 && !uv_is_closing((uv_handle_t *)s))
        uv_close((uv_handle_t *)s, on_close);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    if (n < 0) {
        if (!uv_is_closing((uv_handle_t *)s))
            uv_close((uv_handle_t *)s, on_close);
        return;
    }
    if (n == 0)
        return;
    uv_buf_t out = uv_buf_init(buf->base, (unsigned)n);
    int w = uv_stream_get_write_queue_size(s) == 0 ? uv_try_write(s, &out, 1) : 0;
    if (w < 0 && w != UV_EAGAIN) {
        uv_close((uv_handle_t *)s, on_close);
        return;
    }
    if (w < 0)
        w = 0;
    if (w < n) {
        pending_t *p = malloc(sizeof *p);
        p->buf = uv_buf_init(malloc((size_t)n - (size_t)w), (unsigned)(n - w));
        memcpy(p->buf.base, buf->base + w, (size_t)n - (size_t)w);
        uv_write(&p->req, s, &p->buf, 1, on_written);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    uv_tcp_t *c = malloc(sizeof *c);
    uv_tcp_init(loop, c);
    if (uv_accept(server, (uv_stream_t *)c) != 0) {
        uv_close((uv_handle_t *)c, on_close);
        return;
    }
    uv_tcp_nodelay(c, 1);
    uv_read_start((uv_stream_t *)c, on_alloc, on_read);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("%s\n", uv_version_string());
        return 0;
    }
    int port = argc > 1 ? atoi(argv[1]) : 0;
    loop = uv_default_loop();
    uv_tcp_t server;
    struct sockaddr_in addr;
    uv_tcp_init(loop, &server);
    uv_ip4_addr("127.0.0.1", port, &addr);
    if (uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0) != 0 ||
        uv_listen((uv_stream_t *)&server, SOMAXCONN, on_connection) != 0) {
        fprintf(stderr, "uv_echo: bind/listen failed\n");
        return 1;
    }
    struct sockaddr_in bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len);
    printf("listening 127.0.0.1:%d\n", ntohs(bound.sin_port));
    fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT);
}
