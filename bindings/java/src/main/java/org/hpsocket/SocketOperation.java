package org.hpsocket;

/** The operation that failed when a connection closed ({@code En_HP_SocketOperation}). */
public enum SocketOperation {
    /** {@code SO_UNKNOWN} */
    UNKNOWN,
    /** {@code SO_ACCEPT}: accepting, or the server-side handshake. */
    ACCEPT,
    /** {@code SO_CONNECT}: connecting, or the client-side handshake. */
    CONNECT,
    /** {@code SO_SEND} */
    SEND,
    /** {@code SO_RECEIVE}: reading, or a receive callback returned {@link HandleResult#ERROR}. */
    RECEIVE,
    /** {@code SO_CLOSE}: a normal close (error code 0). */
    CLOSE;

    private static final SocketOperation[] VALUES = values();

    /**
     * The C value.
     *
     * @return 0 to 5
     */
    public int code() {
        return ordinal();
    }

    /**
     * The operation for a C value.
     *
     * @param code an {@code SO_*} value
     * @return the operation, {@link #UNKNOWN} for an unknown value
     */
    public static SocketOperation of(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : UNKNOWN;
    }
}
