package org.hpsocket;

/**
 * A server of the PACK model: every message travels as a 4-byte little-endian header {@code (flag << 22) | length} and its body; {@code send} frames one message and {@code onReceive} gets one whole body (HP-Socket's {@code TcpPackServer}).
 * See {@link TcpServer} for the rest.
 */
public class TcpPackServer extends TcpServer {
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

    /**
     * Largest message body, sent or received. Default 0x40000 (256 KiB).
     *
     * @return bytes
     */
    public int getMaxPackSize() {
        return (int) getSetting(S_MAX_PACK_SIZE);
    }

    /**
     * Sets the largest message body (1 to 0x3FFFFF).
     *
     * @param bytes the size
     */
    public void setMaxPackSize(int bytes) {
        setSetting(S_MAX_PACK_SIZE, nonNegative("maxPackSize", bytes));
    }

    /**
     * The flag in the top 10 bits of every header. Default 0 (not checked on receive).
     *
     * @return the flag
     */
    public int getPackHeaderFlag() {
        return (int) getSetting(S_PACK_HEADER_FLAG);
    }

    /**
     * Sets the header flag (0 to 0x3FF); a received header with another flag closes the
     * connection.
     *
     * @param flag the flag
     */
    public void setPackHeaderFlag(int flag) {
        setSetting(S_PACK_HEADER_FLAG, nonNegative("packHeaderFlag", flag));
    }
}
