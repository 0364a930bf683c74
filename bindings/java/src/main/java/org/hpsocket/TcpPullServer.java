package org.hpsocket;

/**
 * A server of the PULL model: {@code onPullReceive} reports how many bytes are buffered and the application takes them with {@code fetch}/{@code peek} (HP-Socket's {@code TcpPullServer}).
 * See {@link TcpServer} for the rest.
 */
public non-sealed class TcpPullServer extends TcpServer implements PullConnections {
    /**
     * A stopped PULL server reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public TcpPullServer(ServerListener<? super TcpPullServer> listener) {
        super(listener, MODEL_PULL, false);
    }

    TcpPullServer(ServerListener<?> listener, boolean ssl) {
        super(listener, MODEL_PULL, ssl);
    }
}
