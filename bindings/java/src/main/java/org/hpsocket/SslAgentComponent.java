package org.hpsocket;

/**
 * The TLS members of an agent, the same on {@link SslAgent}, {@link SslPackAgent},
 * {@link SslPullAgent} and {@link HttpsAgent}: manual handshakes and each connection's
 * session, beside the context of every {@link SslComponent}.
 */
public sealed interface SslAgentComponent extends SslComponent
        permits SslAgent, SslPackAgent, SslPullAgent, HttpsAgent {
    /**
     * With {@link Component#setSslAutoHandshake} off: starts TLS after a plaintext phase;
     * {@code onHandshake} follows when it completes.
     *
     * @param connId the connection
     * @throws HPSocketException when not connected
     */
    default void startSslHandshake(long connId) {
        component().startSslHandshake0(connId);
    }

    /**
     * The connection's TLS session: protocol, cipher and the peer's certificate.
     *
     * @param connId the connection
     * @return the session facts
     * @throws HPSocketException when not connected or before the handshake
     */
    default SslSession getSslSession(long connId) {
        return component().sslSession0(connId);
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
