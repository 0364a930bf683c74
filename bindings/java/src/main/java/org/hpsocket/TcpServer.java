package org.hpsocket;

/**
 * A TCP server (PUSH model: {@code onReceive} gets bytes as they are read; HP-Socket's
 * {@code TcpServer}). See {@link TcpPullServer} and {@link TcpPackServer} for the other
 * receive models and {@link SslServer} for TLS.
 *
 * <pre>{@code
 * try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
 *     @Override
 *     public HandleResult onReceive(TcpServer s, long connId, ByteBuffer data) {
 *         s.send(connId, data);   // echo
 *         return HandleResult.OK;
 *     }
 * })) {
 *     server.start("0.0.0.0", 5555);
 *     server.await();
 * }
 * }</pre>
 */
public class TcpServer extends Server {
    /**
     * A stopped server reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public TcpServer(ServerListener<? super TcpServer> listener) {
        this(listener, MODEL_PUSH, false);
    }

    TcpServer(ServerListener<?> listener, int model, boolean ssl) {
        super(listener, ROLE_SERVER, model, ssl);
    }

    TcpServer(ServerListener<?> listener, int model, boolean ssl, int extraMask) {
        super(listener, ROLE_SERVER, model, ssl, extraMask);
    }

    /**
     * The {@code listen()} backlog. Default {@code SOMAXCONN}.
     *
     * @return the backlog
     */
    public int getSocketListenQueue() {
        return (int) getSetting(S_SOCKET_LISTEN_QUEUE);
    }

    /**
     * Sets the {@code listen()} backlog (greater than 0).
     *
     * @param backlog the backlog
     */
    public void setSocketListenQueue(int backlog) {
        setSetting(S_SOCKET_LISTEN_QUEUE, nonNegative("socketListenQueue", backlog));
    }

    /**
     * Readiness events taken per poll. Default 64.
     *
     * @return the count
     */
    public int getAcceptSocketCount() {
        return (int) getSetting(S_ACCEPT_SOCKET_COUNT);
    }

    /**
     * Sets the readiness events taken per poll (greater than 0).
     *
     * @param count the count
     */
    public void setAcceptSocketCount(int count) {
        setSetting(S_ACCEPT_SOCKET_COUNT, nonNegative("acceptSocketCount", count));
    }
}
