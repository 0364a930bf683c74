package org.hpsocket;

/**
 * A blocking HTTPS client (HP-Socket's {@code HttpsSyncClient}): an {@link HttpSyncClient} for
 * {@code https://} URLs. Set its TLS context before the first {@code openUrl}.
 */
public non-sealed class HttpsSyncClient extends HttpSyncClient implements SslComponent {
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
}
