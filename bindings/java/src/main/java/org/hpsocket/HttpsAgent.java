package org.hpsocket;

/**
 * An HTTPS agent (HP-Socket's {@code HttpsAgent}): an {@link HttpAgent} over TLS. Set its TLS
 * context before {@code start}.
 */
public non-sealed class HttpsAgent extends HttpAgent implements SslAgentComponent {
    /**
     * An HTTPS agent.
     *
     * @param listener its events
     */
    public HttpsAgent(HttpAgentListener<? super HttpsAgent> listener) {
        super(listener, true);
    }
}
