package org.hpsocket;

import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * An HTTPS server (HP-Socket's {@code HttpsServer}): an {@link HttpServer} over TLS. Set its
 * TLS context before {@code start}, as for {@link SslServer}.
 */
public class HttpsServer extends HttpServer {
    private volatile ToIntFunction<String> serverNameCallback;

    /**
     * An HTTPS server.
     *
     * @param listener its events
     */
    public HttpsServer(HttpServerListener<? super HttpsServer> listener) {
        super(listener, true);
    }

    /**
     * Sets the TLS context (see {@link SslServer#setupSslContext(SslConfig)}).
     *
     * @param config certificate, key, verification
     */
    public void setupSslContext(SslConfig config) {
        this.serverNameCallback = null;
        setupSsl0(config, false);
    }

    /**
     * Sets the TLS context with an SNI callback (see
     * {@link SslServer#setupSslContext(SslConfig, ToIntFunction)}).
     *
     * @param config             the default context
     * @param serverNameCallback server name to context index (0 default, &lt; 0 abort)
     */
    public void setupSslContext(SslConfig config, ToIntFunction<String> serverNameCallback) {
        this.serverNameCallback = Objects.requireNonNull(serverNameCallback);
        setupSsl0(config, true);
    }

    /**
     * Adds an SNI context.
     *
     * @param config the context
     * @return its index
     */
    public int addSslContext(SslConfig config) {
        return addSslContext0(config);
    }

    /**
     * Binds a server name to an SNI context.
     *
     * @param serverName the name
     * @param index      the context index
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

    /** Frees the TLS contexts (while stopped). */
    public void cleanupSslContext() {
        cleanupSsl0();
    }

    /**
     * Starts the handshake when auto handshake is off.
     *
     * @param connId the connection
     */
    public void startSslHandshake(long connId) {
        startSslHandshake0(connId);
    }

    /**
     * The connection's TLS session.
     *
     * @param connId the connection
     * @return protocol, cipher, peer certificate
     */
    public SslSession getSslSession(long connId) {
        return sslSession0(connId);
    }
}
