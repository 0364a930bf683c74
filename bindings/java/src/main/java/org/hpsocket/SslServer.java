package org.hpsocket;

import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * A server over TLS (HP-Socket's {@code SSLServer}, on OpenSSL; TLS
 * 1.2 and later). Call {@link #setupSslContext} before {@code start}; the rest is as
 * {@link TcpServer}. {@code onHandshake} fires once the TLS handshake is done.
 */
public class SslServer extends TcpServer {
    private volatile ToIntFunction<String> serverNameCallback;

    /**
     * A stopped SSL server reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public SslServer(ServerListener<? super SslServer> listener) {
        super(listener, MODEL_PUSH, true);
    }

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
    public void setupSslContext(SslConfig config) {
        this.serverNameCallback = null;
        setupSsl0(config, false);
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
    public void setupSslContext(SslConfig config, ToIntFunction<String> serverNameCallback) {
        this.serverNameCallback = Objects.requireNonNull(serverNameCallback);
        setupSsl0(config, true);
    }

    /**
     * Adds a certificate for SNI.
     *
     * @param config the certificate's settings
     * @return its index (1, 2, ...)
     * @throws HPSocketException when it cannot be used
     */
    public int addSslContext(SslConfig config) {
        return addSslContext0(config);
    }

    /**
     * Serves the context {@code index} to clients asking for {@code serverName}
     * ({@code *.example.org} matches one label).
     *
     * @param serverName the name
     * @param index      an index from {@link #addSslContext}, or 0 for the default
     */
    public void bindSslServerName(String serverName, int index) {
        bindSslServerName0(serverName, index);
    }

    @Override
    int dispatchServerName(String name) {
        ToIntFunction<String> f = serverNameCallback;
        if (f == null) {
            return 0;
        }
        try {
            return f.applyAsInt(name);
        } catch (Throwable t) {
            Native.reportException(t);
            return -1;
        }
    }

    /** Forgets the TLS context (connections keep their sessions). */
    public void cleanupSslContext() {
        cleanupSsl0();
    }

    /**
     * With {@link #setSslAutoHandshake} off: starts TLS after a plaintext phase;
     * {@code onHandshake} follows when it completes.
     *
     * @param connId the connection
     * @throws HPSocketException when not connected
     */
    public void startSslHandshake(long connId) {
        startSslHandshake0(connId);
    }

    /**
     * The connection's TLS session: protocol, cipher and the peer's certificate.
     *
     * @param connId the connection
     * @return the session facts
     * @throws HPSocketException when not connected or before the handshake
     */
    public SslSession getSslSession(long connId) {
        return sslSession0(connId);
    }
}
