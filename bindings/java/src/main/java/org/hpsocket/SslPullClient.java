package org.hpsocket;

/**
 * A client of the PULL model over TLS (HP-Socket's {@code SSLPullClient}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpPullClient}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslPullClient extends TcpPullClient implements SslClientComponent {
    /**
     * A stopped SSL client reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslPullClient(ClientListener<? super SslPullClient> listener) {
        super(listener, true);
    }
}
