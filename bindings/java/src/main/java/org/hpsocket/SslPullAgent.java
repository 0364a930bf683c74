package org.hpsocket;

/**
 * An agent of the PULL model over TLS (HP-Socket's {@code SSLPullAgent}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpPullAgent}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslPullAgent extends TcpPullAgent implements SslAgentComponent {
    /**
     * A stopped SSL agent reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslPullAgent(AgentListener<? super SslPullAgent> listener) {
        super(listener, true);
    }
}
