package org.hpsocket;

/**
 * An HTTPS client (HP-Socket's {@code HttpsClient}): an {@link HttpClient} over TLS. Set its
 * TLS context before {@code start}.
 */
public class HttpsClient extends HttpClient {
    /**
     * An HTTPS client.
     *
     * @param listener its events
     */
    public HttpsClient(HttpClientListener<? super HttpsClient> listener) {
        super(listener, ROLE_CLIENT, true);
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

    /** Starts the handshake when auto handshake is off. */
    public void startSslHandshake() {
        startSslHandshake0(0);
    }

    /**
     * The TLS session.
     *
     * @return protocol, cipher, peer certificate
     */
    public SslSession getSslSession() {
        return sslSession0(0);
    }
}
