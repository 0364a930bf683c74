package org.hpsocket;

/**
 * An agent over TLS (HP-Socket's {@code SSLAgent}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpAgent}. {@code onHandshake} fires once the TLS handshake is done.
 */
public non-sealed class SslAgent extends TcpAgent implements SslAgentComponent {
    /**
     * A stopped SSL agent reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslAgent(AgentListener<? super SslAgent> listener) {
        super(listener, MODEL_PUSH, true);
    }
}
