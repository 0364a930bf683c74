package org.hpsocket;

/**
 * A server of the PACK model: every message travels as a 4-byte little-endian header {@code (flag << 22) | length} and its body; {@code send} frames one message and {@code onReceive} gets one whole body (HP-Socket's {@code TcpPackServer}).
 * See {@link TcpServer} for the rest.
 */
public non-sealed class TcpPackServer extends TcpServer implements PackComponent {
    /**
     * A stopped PACK server reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public TcpPackServer(ServerListener<? super TcpPackServer> listener) {
        super(listener, MODEL_PACK, false);
    }

    TcpPackServer(ServerListener<?> listener, boolean ssl) {
        super(listener, MODEL_PACK, ssl);
    }
}
