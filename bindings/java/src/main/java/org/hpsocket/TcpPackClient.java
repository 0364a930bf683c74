package org.hpsocket;

/**
 * A client of the PACK model: every message travels as a 4-byte little-endian header {@code (flag << 22) | length} and its body; {@code send} frames one message and {@code onReceive} gets one whole body (HP-Socket's {@code TcpPackClient}).
 * See {@link TcpClient} for the rest.
 */
public non-sealed class TcpPackClient extends TcpClient implements PackComponent {
    /**
     * A stopped PACK client reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public TcpPackClient(ClientListener<? super TcpPackClient> listener) {
        super(listener, MODEL_PACK, false);
    }

    TcpPackClient(ClientListener<?> listener, boolean ssl) {
        super(listener, MODEL_PACK, ssl);
    }
}
