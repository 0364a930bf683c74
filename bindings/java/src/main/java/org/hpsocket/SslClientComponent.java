package org.hpsocket;

/**
 * The TLS members of a client, the same on {@link SslClient}, {@link SslPackClient},
 * {@link SslPullClient} and {@link HttpsClient}: a manual handshake and the session of its
 * connection, beside the context of every {@link SslComponent}.
 */
public sealed interface SslClientComponent extends SslComponent
        permits SslClient, SslPackClient, SslPullClient, HttpsClient {
    /**
     * With {@link Component#setSslAutoHandshake} off: starts TLS after a plaintext phase;
     * {@code onHandshake} follows when it completes.
     *
     * @throws HPSocketException when not connected
     */
    default void startSslHandshake() {
        component().startSslHandshake0(0);
    }

    /**
     * The connection's TLS session: protocol, cipher and the peer's certificate.
     *
     * @return the session facts
     * @throws HPSocketException when not connected or before the handshake
     */
    default SslSession getSslSession() {
        return component().sslSession0(0);
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
