package org.hpsocket;

/**
 * An agent of the PULL model over TLS (HP-Socket's {@code SSLPullAgent}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpPullAgent}. {@code onHandshake} fires once the TLS handshake is done.
 */
public class SslPullAgent extends TcpPullAgent {
    /**
     * A stopped SSL agent reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslPullAgent(AgentListener<? super SslPullAgent> listener) {
        super(listener, true);
    }

    /**
     * Builds the TLS context: verify mode and CAs (to check the server), and an optional
     * client certificate and key. Allowed while running (an extension).
     *
     * @param config the settings
     * @throws HPSocketException {@link SocketError#SSL_ENV_NOT_READY} when a file or PEM text
     *                           cannot be used
     */
    public void setupSslContext(SslConfig config) {
        setupSsl0(config, false);
    }

    /** Forgets the TLS context (connections keep their sessions). */
    public void cleanupSslContext() {
        cleanupSsl0();
    }

    /**
     * With {@link #setSslAutoHandshake} off: starts TLS after a plaintext phase;
     * {@code onHandshake} follows when it completes.
     *
     * @param connId the connection
     * @throws HPSocketException when not connected
     */
    public void startSslHandshake(long connId) {
        startSslHandshake0(connId);
    }

    /**
     * The connection's TLS session: protocol, cipher and the peer's certificate.
     *
     * @param connId the connection
     * @return the session facts
     * @throws HPSocketException when not connected or before the handshake
     */
    public SslSession getSslSession(long connId) {
        return sslSession0(connId);
    }
}
