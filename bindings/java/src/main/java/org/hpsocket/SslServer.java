package org.hpsocket;

/**
 * A server over TLS (HP-Socket's {@code SSLServer}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpServer}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslServer extends TcpServer implements SslServerComponent {
    /**
     * A stopped SSL server reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslServer(ServerListener<? super SslServer> listener) {
        super(listener, MODEL_PUSH, true);
    }
}
