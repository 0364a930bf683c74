package org.hpsocket;

/**
 * An HTTPS server (HP-Socket's {@code HttpsServer}): an {@link HttpServer} over TLS. Set its
 * TLS context before {@code start}, as for {@link SslServer}.
 */
public non-sealed class HttpsServer extends HttpServer implements SslServerComponent {
    /**
     * An HTTPS server.
     *
     * @param listener its events
     */
    public HttpsServer(HttpServerListener<? super HttpsServer> listener) {
        super(listener, true);
    }
}
