package org.hpsocket;

import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * The TLS members of a server, the same on {@link SslServer}, {@link SslPackServer},
 * {@link SslPullServer} and {@link HttpsServer}: its certificates (with SNI), manual
 * handshakes and each connection's session.
 */
public sealed interface SslServerComponent extends SslComponent
        permits SslServer, SslPackServer, SslPullServer, HttpsServer {
    /**
     * Builds the TLS context: certificate and key (required), verify mode, CAs. Allowed
     * while running (an extension): new connections get the new context, which reloads a
     * certificate without a restart. SNI uses the names bound with
     * {@link #bindSslServerName}.
     *
     * @param config the settings
     * @throws HPSocketException {@link SocketError#SSL_ENV_NOT_READY} when a file or PEM text
     *                           cannot be used
     */
    @Override
    default void setupSslContext(SslConfig config) {
        SslComponent.super.setupSslContext(config);
    }

    /**
     * Builds the TLS context with an SNI callback: for each requested server name it returns
     * 0 (the default certificate), an index from {@link #addSslContext} (&gt; 0), or a
     * negative number to abort the handshake. It runs on worker threads; an exception in it
     * aborts the handshake and is reported like a listener's.
     *
     * @param config             the settings
     * @param serverNameCallback the SNI decision
     * @throws HPSocketException {@link SocketError#SSL_ENV_NOT_READY} when a file or PEM text
     *                           cannot be used
     */
    default void setupSslContext(SslConfig config, ToIntFunction<String> serverNameCallback) {
        component().setupSsl0(config, Objects.requireNonNull(serverNameCallback));
    }

    /**
     * Adds a certificate for SNI.
     *
     * @param config the certificate's settings
     * @return its index (1, 2, ...)
     * @throws HPSocketException when it cannot be used
     */
    default int addSslContext(SslConfig config) {
        return component().addSslContext0(config);
    }

    /**
     * Serves the context {@code index} to clients asking for {@code serverName}
     * ({@code *.example.org} matches one label).
     *
     * @param serverName the name
     * @param index      an index from {@link #addSslContext}, or 0 for the default
     */
    default void bindSslServerName(String serverName, int index) {
        component().bindSslServerName0(serverName, index);
    }

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
