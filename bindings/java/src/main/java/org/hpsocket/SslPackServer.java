package org.hpsocket;

/**
 * A server of the PACK model over TLS (HP-Socket's {@code SSLPackServer}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpPackServer}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslPackServer extends TcpPackServer implements SslServerComponent {
    /**
     * A stopped SSL server reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslPackServer(ServerListener<? super SslPackServer> listener) {
        super(listener, true);
    }
}
