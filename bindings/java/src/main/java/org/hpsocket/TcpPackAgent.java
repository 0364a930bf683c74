package org.hpsocket;

/**
 * An agent of the PACK model: every message travels as a 4-byte little-endian header {@code (flag << 22) | length} and its body; {@code send} frames one message and {@code onReceive} gets one whole body (HP-Socket's {@code TcpPackAgent}).
 * See {@link TcpAgent} for the rest.
 */
public non-sealed class TcpPackAgent extends TcpAgent implements PackComponent {
    /**
     * A stopped PACK agent reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public TcpPackAgent(AgentListener<? super TcpPackAgent> listener) {
        super(listener, MODEL_PACK, false);
    }

    TcpPackAgent(AgentListener<?> listener, boolean ssl) {
        super(listener, MODEL_PACK, ssl);
    }
}
