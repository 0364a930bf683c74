package org.hpsocket;

/**
 * An HTTPS client (HP-Socket's {@code HttpsClient}): an {@link HttpClient} over TLS. Set its
 * TLS context before {@code start}.
 */
public non-sealed class HttpsClient extends HttpClient implements SslClientComponent {
    /**
     * An HTTPS client.
     *
     * @param listener its events
     */
    public HttpsClient(HttpClientListener<? super HttpsClient> listener) {
        super(listener, ROLE_CLIENT, true);
    }
}
