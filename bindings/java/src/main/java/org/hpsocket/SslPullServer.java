package org.hpsocket;

/**
 * A server of the PULL model over TLS (HP-Socket's {@code SSLPullServer}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpPullServer}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslPullServer extends TcpPullServer implements SslServerComponent {
    /**
     * A stopped SSL server reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslPullServer(ServerListener<? super SslPullServer> listener) {
        super(listener, true);
    }
}
