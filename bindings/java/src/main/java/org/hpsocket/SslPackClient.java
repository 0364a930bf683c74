package org.hpsocket;

/**
 * A client of the PACK model over TLS (HP-Socket's {@code SSLPackClient}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpPackClient}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslPackClient extends TcpPackClient implements SslClientComponent {
    /**
     * A stopped SSL client reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslPackClient(ClientListener<? super SslPackClient> listener) {
        super(listener, true);
    }
}
