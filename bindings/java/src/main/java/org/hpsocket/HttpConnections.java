package org.hpsocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP members that name a connection, the same on {@link HttpServer} and
 * {@link HttpAgent} (and so on their TLS forms; {@link HttpClient} has them without one),
 * beside the settings of every {@link HttpComponent}: the message a connection parses,
 * chunks, a manual HTTP start, and the WebSocket mode's frames and closing handshake.
 */
public sealed interface HttpConnections extends HttpComponent permits HttpServer, HttpAgent {
    /**
     * The message (a server's request, an agent's response) the connection parses now or
     * parsed last; from any thread.
     *
     * @param connId the connection
     * @return a snapshot of the message
     * @throws HPSocketException before the first message, or for an unknown connection
     */
    default HttpMessage getMessage(long connId) {
        return Http.message(component(), connId);
    }

    /**
     * The parse error that ended the connection's HTTP.
     *
     * @param connId the connection
     * @return the error, or null when there was none
     */
    default HttpParseError getParseError(long connId) {
        return Http.parseError(component(), connId);
    }

    /**
     * Sends one chunk of a chunked body (after a message with
     * {@code Transfer-Encoding: chunked}) with chunk extensions; an empty one is the last.
     *
     * @param connId     the connection
     * @param data       the chunk; empty for the last one
     * @param extensions the extensions after the size (without the leading {@code ;}), or null
     */
    default void sendChunk(long connId, byte[] data, String extensions) {
        Http.sendChunk(component(), connId, data, extensions);
    }

    /**
     * Starts HTTP on a connection when auto start is off (earlier bytes went to
     * {@code onReceive}).
     *
     * @param connId the connection
     * @throws HPSocketException when HTTP already started there
     */
    default void startHttp(long connId) {
        Http.startHttp(component(), connId);
    }

    /**
     * Sends one WebSocket frame; an agent masks it with a fresh random key (RFC 6455 asks it
     * of clients), a server never does.
     *
     * @param connId   the connection
     * @param fin      whether this frame ends its message (false: more fragments follow,
     *                 with opcode {@link WsFrame#CONTINUATION})
     * @param reserved the RSV1-3 bits (0..7; RSV1 = 4)
     * @param opcode   the opcode ({@link WsFrame#TEXT}, ...; 0..15)
     * @param data     the payload
     * @throws HPSocketException when the connection is gone, or for a reserved or opcode out
     *                           of range ({@link SocketError#INVALID_PARAM})
     */
    default void sendWsMessage(long connId, boolean fin, int reserved, int opcode, byte[] data) {
        Http.sendWs(component(), connId, fin, reserved, opcode, data, 0, data.length);
    }

    /**
     * Sends one whole message as a single frame.
     *
     * @param connId the connection
     * @param opcode the opcode ({@link WsFrame#TEXT}, {@link WsFrame#BINARY},
     *               {@link WsFrame#PING}, ...)
     * @param data   the payload
     */
    default void sendWsMessage(long connId, int opcode, byte[] data) {
        Http.sendWs(component(), connId, true, 0, opcode, data, 0, data.length);
    }

    /**
     * Sends one whole message as a single frame from a buffer's remaining bytes (direct
     * buffers are read in place), which it consumes; the bytes are copied when this returns,
     * so the {@code onWsMessage} buffer itself may be echoed.
     *
     * @param connId the connection
     * @param opcode the opcode
     * @param data   the payload
     */
    default void sendWsMessage(long connId, int opcode, ByteBuffer data) {
        Http.sendWs(component(), connId, true, 0, opcode, data);
    }

    /**
     * Sends a text message (UTF-8) as a single frame.
     *
     * @param connId the connection
     * @param text   the text
     */
    default void sendWsMessage(long connId, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Http.sendWs(component(), connId, true, 0, WsFrame.TEXT, b, 0, b.length);
    }

    /**
     * WebSocket mode: starts the closing handshake. The peer's answering close arrives
     * through {@code onWsMessage(CLOSE)}, then the connection closes ({@code onClose(CLOSE,
     * 0)}); without an answer it closes 3 s later (the release delay, at least 1 s).
     *
     * @param connId the connection
     * @param code   1000..1003, 1007..1011 or 3000..4999
     * @param reason a UTF-8 reason of at most 123 bytes; may be null
     * @throws HPSocketException {@link SocketError#INVALID_PARAM} for another code or a longer
     *                           reason
     */
    default void wsClose(long connId, int code, String reason) {
        Http.wsClose(component(), connId, code, reason);
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
