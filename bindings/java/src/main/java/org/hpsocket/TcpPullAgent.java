package org.hpsocket;

/**
 * An agent of the PULL model: {@code onPullReceive} reports how many bytes are buffered and the application takes them with {@code fetch}/{@code peek} (HP-Socket's {@code TcpPullAgent}).
 * See {@link TcpAgent} for the rest.
 */
public non-sealed class TcpPullAgent extends TcpAgent implements PullConnections {
    /**
     * A stopped PULL agent reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public TcpPullAgent(AgentListener<? super TcpPullAgent> listener) {
        super(listener, MODEL_PULL, false);
    }

    TcpPullAgent(AgentListener<?> listener, boolean ssl) {
        super(listener, MODEL_PULL, ssl);
    }
}
