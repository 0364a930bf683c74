package org.hpsocket;

/**
 * An agent of the PACK model over TLS (HP-Socket's {@code SSLPackAgent}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpPackAgent}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslPackAgent extends TcpPackAgent implements SslAgentComponent {
    /**
     * A stopped SSL agent reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslPackAgent(AgentListener<? super SslPackAgent> listener) {
        super(listener, true);
    }
}
