package org.hpsocket;

import static org.hpsocket.Component.S_MAX_PACK_SIZE;
import static org.hpsocket.Component.S_PACK_HEADER_FLAG;
import static org.hpsocket.Component.nonNegative;

/**
 * The PACK model's framing settings, the same members on {@link TcpPackServer},
 * {@link TcpPackAgent} and {@link TcpPackClient} (and so on their TLS forms): every message
 * travels as a 4-byte little-endian header {@code (flag << 22) | length} and its body.
 */
public sealed interface PackComponent permits TcpPackServer, TcpPackAgent, TcpPackClient {
    /**
     * Largest message body, sent or received. Default 0x40000 (256 KiB).
     *
     * @return bytes
     */
    default int getMaxPackSize() {
        return (int) component().getSetting(S_MAX_PACK_SIZE);
    }

    /**
     * Sets the largest message body (1 to 0x3FFFFF).
     *
     * @param bytes the size
     */
    default void setMaxPackSize(int bytes) {
        component().setSetting(S_MAX_PACK_SIZE, nonNegative("maxPackSize", bytes));
    }

    /**
     * The flag in the top 10 bits of every header. Default 0 (not checked on receive).
     *
     * @return the flag
     */
    default int getPackHeaderFlag() {
        return (int) component().getSetting(S_PACK_HEADER_FLAG);
    }

    /**
     * Sets the header flag (0 to 0x3FF); a received header with another flag closes the
     * connection.
     *
     * @param flag the flag
     */
    default void setPackHeaderFlag(int flag) {
        component().setSetting(S_PACK_HEADER_FLAG, nonNegative("packHeaderFlag", flag));
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
