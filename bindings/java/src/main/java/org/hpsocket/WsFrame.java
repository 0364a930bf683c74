package org.hpsocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * RFC 6455's opcodes and close codes, as {@code sendWsMessage} takes them and
 * {@code onWsMessage} reports them, and the reading of a close payload.
 */
public final class WsFrame {
    /** Continuation of a fragmented message (only when sending fragments yourself). */
    public static final int CONTINUATION = 0x0;
    /** A text message (UTF-8). */
    public static final int TEXT = 0x1;
    /** A binary message. */
    public static final int BINARY = 0x2;
    /** A close: a 2-byte code and a UTF-8 reason. */
    public static final int CLOSE = 0x8;
    /** A ping. */
    public static final int PING = 0x9;
    /** A pong. */
    public static final int PONG = 0xA;

    /** Close code: normal closure. */
    public static final int CLOSE_NORMAL = 1000;
    /** Close code: going away. */
    public static final int CLOSE_GOING_AWAY = 1001;
    /** Close code: protocol error (the mode's answer to a broken frame). */
    public static final int CLOSE_PROTOCOL_ERROR = 1002;
    /** Close code: no code in the close frame (never sent; what {@link #closeCode} reads then). */
    public static final int CLOSE_NO_STATUS = 1005;
    /** Close code: text that is not UTF-8. */
    public static final int CLOSE_BAD_DATA = 1007;
    /** Close code: a message over the receiver's maximum size. */
    public static final int CLOSE_TOO_BIG = 1009;

    private WsFrame() {}

    /**
     * The code of a close payload.
     *
     * @param payload a {@link #CLOSE} message's payload
     * @return its code, or {@link #CLOSE_NO_STATUS} when it carries none
     */
    public static int closeCode(byte[] payload) {
        return payload.length < 2 ? CLOSE_NO_STATUS : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    /**
     * The code of a close payload, read without moving the buffer's position.
     *
     * @param payload a {@link #CLOSE} message's payload
     * @return its code, or {@link #CLOSE_NO_STATUS} when it carries none
     */
    public static int closeCode(ByteBuffer payload) {
        int p = payload.position();
        return payload.remaining() < 2 ? CLOSE_NO_STATUS
                : ((payload.get(p) & 0xff) << 8) | (payload.get(p + 1) & 0xff);
    }

    /**
     * The reason of a close payload.
     *
     * @param payload a {@link #CLOSE} message's payload
     * @return its reason (empty when none)
     */
    public static String closeReason(byte[] payload) {
        return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    /**
     * A readable name of an opcode.
     *
     * @param opcode the opcode
     * @return {@code "TEXT"}, {@code "BINARY"}, ..., or {@code "0xN"} for others
     */
    public static String name(int opcode) {
        switch (opcode) {
            case CONTINUATION:
                return "CONTINUATION";
            case TEXT:
                return "TEXT";
            case BINARY:
                return "BINARY";
            case CLOSE:
                return "CLOSE";
            case PING:
                return "PING";
            case PONG:
                return "PONG";
            default:
                return "0x" + Integer.toHexString(opcode);
        }
    }
}
