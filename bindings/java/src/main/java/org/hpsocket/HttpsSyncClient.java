package org.hpsocket;

/**
 * A blocking HTTPS client (HP-Socket's {@code HttpsSyncClient}): an {@link HttpSyncClient} for
 * {@code https://} URLs. Set its TLS context before the first {@code openUrl}.
 */
public class HttpsSyncClient extends HttpSyncClient {
    /** An HTTPS sync client without a listener. */
    public HttpsSyncClient() {
        super(null, true);
    }

    /**
     * An HTTPS sync client whose listener also sees every event.
     *
     * @param listener its events
     */
    public HttpsSyncClient(HttpClientListener<? super HttpsSyncClient> listener) {
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
}
