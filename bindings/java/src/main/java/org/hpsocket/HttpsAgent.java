package org.hpsocket;

/**
 * An HTTPS agent (HP-Socket's {@code HttpsAgent}): an {@link HttpAgent} over TLS. Set its TLS
 * context before {@code start}.
 */
public class HttpsAgent extends HttpAgent {
    /**
     * An HTTPS agent.
     *
     * @param listener its events
     */
    public HttpsAgent(HttpAgentListener<? super HttpsAgent> listener) {
        super(listener, true);
    }

    /**
     * Sets the TLS context (see {@link SslClient#setupSslContext(SslConfig)}).
     *
     * @param config verification, CA, client certificate
     */
    public void setupSslContext(SslConfig config) {
        setupSsl0(config, false);
    }

    /** Frees the TLS context (while stopped). */
    public void cleanupSslContext() {
        cleanupSsl0();
    }

    /**
     * Starts the handshake when auto handshake is off.
     *
     * @param connId the connection
     */
    public void startSslHandshake(long connId) {
        startSslHandshake0(connId);
    }

    /**
     * The connection's TLS session.
     *
     * @param connId the connection
     * @return protocol, cipher, peer certificate
     */
    public SslSession getSslSession(long connId) {
        return sslSession0(connId);
    }
}
