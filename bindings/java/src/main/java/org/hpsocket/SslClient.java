package org.hpsocket;

/**
 * A client over TLS (HP-Socket's {@code SSLClient}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpClient}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslClient extends TcpClient implements SslClientComponent {
    /**
     * A stopped SSL client reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslClient(ClientListener<? super SslClient> listener) {
        super(listener, MODEL_PUSH, true);
    }
}
