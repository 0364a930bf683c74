package org.hpsocket;

import java.nio.ByteBuffer;

/**
 * The HTTP events of an HTTP component, in HP-Socket's order: per message
 * {@code onMessageBegin}, {@code onRequestLine} (server) or {@code onStatusLine} (agent,
 * client), {@code onHeader} per header line, {@code onHeadersComplete}, then {@code onBody}...
 * or, chunked, ({@code onChunkHeader}, {@code onBody}..., {@code onChunkComplete}) per chunk,
 * then {@code onMessageComplete}; an upgrade adds {@code onUpgrade}, a bad message gives
 * {@code onParseError} and the connection closes. In the WebSocket mode, messages after the
 * upgrade arrive whole through {@code onWsMessage}.
 *
 * <p>Every method has a default returning {@link HttpParseResult#OK}; events a listener does
 * not override are never sent up from native code. {@link HttpParseResult#ERROR} (or a thrown
 * exception) from any of them fires {@code onParseError} and closes the connection. The full
 * message stays readable through the sender's {@code getMessage}.
 *
 * @param <C> the component type the callbacks receive as their sender
 */
public interface HttpListener<C extends Component> {
    /**
     * A message starts.
     *
     * @param sender the component
     * @param connId the connection
     * @return the parse result
     */
    default HttpParseResult onMessageBegin(C sender, long connId) {
        return HttpParseResult.OK;
    }

    /**
     * Servers: the request line.
     *
     * @param sender the component
     * @param connId the connection
     * @param method the method, verbatim
     * @param url    the request target
     * @return the parse result
     */
    default HttpParseResult onRequestLine(C sender, long connId, String method, String url) {
        return HttpParseResult.OK;
    }

    /**
     * Agents and clients: the status line.
     *
     * @param sender the component
     * @param connId the connection
     * @param status the status code
     * @param reason the reason phrase (may be empty)
     * @return the parse result
     */
    default HttpParseResult onStatusLine(C sender, long connId, int status, String reason) {
        return HttpParseResult.OK;
    }

    /**
     * One header line, in wire order.
     *
     * @param sender the component
     * @param connId the connection
     * @param name   the name as sent
     * @param value  the value
     * @return the parse result
     */
    default HttpParseResult onHeader(C sender, long connId, String name, String value) {
        return HttpParseResult.OK;
    }

    /**
     * The head is complete. {@link HttpParseResult#SKIP_BODY} ends the message without a
     * body, {@link HttpParseResult#UPGRADE} leaves HTTP after this head.
     *
     * @param sender the component
     * @param connId the connection
     * @return the parse result
     */
    default HttpParseResult onHeadersComplete(C sender, long connId) {
        return HttpParseResult.OK;
    }

    /**
     * Body bytes, de-chunked. The buffer is valid only during the call (as in
     * {@code onReceive}).
     *
     * @param sender the component
     * @param connId the connection
     * @param data   the bytes
     * @return the parse result
     */
    default HttpParseResult onBody(C sender, long connId, ByteBuffer data) {
        return HttpParseResult.OK;
    }

    /**
     * A chunk of a chunked body starts.
     *
     * @param sender the component
     * @param connId the connection
     * @param length the chunk's size (0 for the last one)
     * @return the parse result
     */
    default HttpParseResult onChunkHeader(C sender, long connId, long length) {
        return HttpParseResult.OK;
    }

    /**
     * A chunk ended.
     *
     * @param sender the component
     * @param connId the connection
     * @return the parse result
     */
    default HttpParseResult onChunkComplete(C sender, long connId) {
        return HttpParseResult.OK;
    }

    /**
     * The message is complete.
     *
     * @param sender the component
     * @param connId the connection
     * @return the parse result
     */
    default HttpParseResult onMessageComplete(C sender, long connId) {
        return HttpParseResult.OK;
    }

    /**
     * The connection left HTTP; later bytes arrive through {@code onReceive}. Anything but
     * {@link HttpParseResult#OK} closes it.
     *
     * @param sender the component
     * @param connId the connection
     * @param type   what it upgraded to
     * @return the parse result
     */
    default HttpParseResult onUpgrade(C sender, long connId, UpgradeType type) {
        return HttpParseResult.OK;
    }

    /**
     * The message could not be parsed; the connection closes after this.
     *
     * @param sender      the component
     * @param connId      the connection
     * @param code        llhttp's {@code HPE_*} number
     * @param description what was wrong
     * @return the parse result (ignored)
     */
    default HttpParseResult onParseError(C sender, long connId, int code, String description) {
        return HttpParseResult.OK;
    }

    /**
     * WebSocket mode only ({@code setWebSocketMode(true)}): a whole message, fragments
     * reassembled: {@link WsFrame#TEXT} (valid UTF-8, checked) or {@link WsFrame#BINARY}; or
     * the payload of a {@link WsFrame#PING} (the pong has been sent already), of a
     * {@link WsFrame#PONG}, or of the peer's {@link WsFrame#CLOSE} (its code and reason, see
     * {@link WsFrame#closeCode}; the close has been answered and the connection closes after
     * this). The default copies the bytes and calls
     * {@link #onWsMessage(Component, long, int, byte[])}. {@link HttpParseResult#ERROR} (or a
     * thrown exception) closes the connection.
     *
     * @param sender the component
     * @param connId the connection
     * @param opcode the message's opcode ({@code WsFrame.TEXT}, ...)
     * @param data   the payload, from its position to its limit; valid only during the call
     *               (the worker reuses the buffer), so copy what you keep
     * @return the parse result
     */
    default HttpParseResult onWsMessage(C sender, long connId, int opcode, ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        return onWsMessage(sender, connId, opcode, copy);
    }

    /**
     * WebSocket mode: a message as an array the listener owns. Called by the default
     * {@link #onWsMessage(Component, long, int, ByteBuffer)}; override one of the two.
     *
     * @param sender the component
     * @param connId the connection
     * @param opcode the message's opcode
     * @param data   a copy of the payload
     * @return the parse result
     */
    default HttpParseResult onWsMessage(C sender, long connId, int opcode, byte[] data) {
        return HttpParseResult.OK;
    }
}
