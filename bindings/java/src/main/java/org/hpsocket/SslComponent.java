package org.hpsocket;

/**
 * What every component over TLS has: its TLS context (HP-Socket's SSL components, on OpenSSL;
 * TLS 1.2 and later). {@link SslServerComponent}, {@link SslAgentComponent} and
 * {@link SslClientComponent} add what each role does with it; {@link HttpsSyncClient} has
 * just this.
 */
public sealed interface SslComponent
        permits SslServerComponent, SslAgentComponent, SslClientComponent, HttpsSyncClient {
    /**
     * Builds the TLS context: verify mode and CAs (to check the server), and an optional
     * client certificate and key. Allowed while running (an extension).
     *
     * @param config the settings
     * @throws HPSocketException {@link SocketError#SSL_ENV_NOT_READY} when a file or PEM text
     *                           cannot be used
     */
    default void setupSslContext(SslConfig config) {
        component().setupSsl0(config, null);
    }

    /** Forgets the TLS context (connections keep their sessions). */
    default void cleanupSslContext() {
        component().cleanupSsl0();
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
