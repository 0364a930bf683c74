package org.hpsocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.x agent (HP-Socket's {@code HttpAgent}): a {@link TcpAgent} whose connections send
 * requests ({@link #sendRequest}, {@link #sendGet}, ...) and parse responses, reported to the
 * {@link HttpAgentListener}'s HTTP events.
 */
public class HttpAgent extends TcpAgent {
    private final HttpListener<?> httpListener;

    /**
     * An HTTP agent.
     *
     * @param listener its events
     */
    public HttpAgent(HttpAgentListener<? super HttpAgent> listener) {
        this(listener, false);
    }

    HttpAgent(HttpAgentListener<?> listener, boolean ssl) {
        super(listener, MODEL_HTTP, ssl, Http.mask(listener));
        this.httpListener = listener;
    }

    @Override
    final int deliverHttp(int event, long connId, long arg, ByteBuffer data) {
        return Http.deliver(httpListener, this, event, connId, arg, data);
    }

    /**
     * The response the connection parses now or parsed last; from any thread.
     *
     * @param connId the connection
     * @return a snapshot of the response
     * @throws HPSocketException before the first response
     */
    public HttpMessage getMessage(long connId) {
        return Http.message(this, connId);
    }

    /**
     * The parse error that ended the connection's HTTP.
     *
     * @param connId the connection
     * @return the error, or null when there was none
     */
    public HttpParseError getParseError(long connId) {
        return Http.parseError(this, connId);
    }

    /**
     * Sends a request as one send: {@code METHOD path HTTP/x.y}, the headers, {@code Host},
     * {@code Content-Length} (for a body, and for POST/PUT/PATCH) and, with use-cookie on, the
     * cookie manager's cookies, then the body.
     *
     * @param connId the connection
     * @param method  the method (upper-cased)
     * @param path    the path with its query, e.g. {@code /a?b=c}
     * @param headers name to value (a String, or an Iterable of values); may be null
     * @param body    the body; may be null
     * @throws HPSocketException when not connected or a header is malformed
     */
    public void sendRequest(long connId, String method, String path, Map<String, ?> headers, byte[] body) {
        Http.sendRequest(this, connId, method, path, headers, body);
    }

    /**
     * Sends a GET request.
     *
     * @param connId the connection
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendGet(long connId, String path, Map<String, ?> headers) {
        sendRequest(connId, "GET", path, headers, null);
    }

    /**
     * Sends a POST request.
     *
     * @param connId the connection
     * @param path    the path with its query
     * @param headers the headers; may be null
     * @param body    the body; may be null
     */
    public void sendPost(long connId, String path, Map<String, ?> headers, byte[] body) {
        sendRequest(connId, "POST", path, headers, body);
    }

    /**
     * Sends a PUT request.
     *
     * @param connId the connection
     * @param path    the path with its query
     * @param headers the headers; may be null
     * @param body    the body; may be null
     */
    public void sendPut(long connId, String path, Map<String, ?> headers, byte[] body) {
        sendRequest(connId, "PUT", path, headers, body);
    }

    /**
     * Sends a PATCH request.
     *
     * @param connId the connection
     * @param path    the path with its query
     * @param headers the headers; may be null
     * @param body    the body; may be null
     */
    public void sendPatch(long connId, String path, Map<String, ?> headers, byte[] body) {
        sendRequest(connId, "PATCH", path, headers, body);
    }

    /**
     * Sends a DELETE request.
     *
     * @param connId the connection
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendDelete(long connId, String path, Map<String, ?> headers) {
        sendRequest(connId, "DELETE", path, headers, null);
    }

    /**
     * Sends a HEAD request.
     *
     * @param connId the connection
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendHead(long connId, String path, Map<String, ?> headers) {
        sendRequest(connId, "HEAD", path, headers, null);
    }

    /**
     * Sends a OPTIONS request.
     *
     * @param connId the connection
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendOptions(long connId, String path, Map<String, ?> headers) {
        sendRequest(connId, "OPTIONS", path, headers, null);
    }

    /**
     * Sends one chunk of a chunked request body; an empty one is the last.
     *
     * @param connId the connection
     * @param data       the chunk
     * @param extensions chunk extensions, or null
     */
    public void sendChunk(long connId, byte[] data, String extensions) {
        Http.sendChunk(this, connId, data, extensions);
    }

    /**
     * Starts HTTP on a connection when auto start is off.
     *
     * @param connId the connection
     */
    public void startHttp(long connId) {
        Http.startHttp(this, connId);
    }

    /**
     * The version written in requests.
     *
     * @return the local version (default HTTP/1.1)
     */
    public HttpVersion getLocalVersion() {
        return HttpVersion.of(Http.get(this, Http.H_LOCAL_VERSION));
    }

    /**
     * Sets the version written in requests; allowed while running.
     *
     * @param version the version
     */
    public void setLocalVersion(HttpVersion version) {
        Http.set(this, Http.H_LOCAL_VERSION, version.code());
    }

    /**
     * Whether connections parse HTTP from their first byte.
     *
     * @return auto start (default true)
     */
    public boolean isAutoStart() {
        return Http.get(this, Http.H_AUTO_START) != 0;
    }

    /**
     * False makes connections deliver bytes through {@code onReceive} until
     * {@code startHttp}; allowed while running.
     *
     * @param autoStart auto start
     */
    public void setAutoStart(boolean autoStart) {
        Http.set(this, Http.H_AUTO_START, autoStart ? 1 : 0);
    }

    /**
     * Whether requests carry, and responses store, cookies of the process-wide cookie manager.
     *
     * @return use cookie (default true)
     */
    public boolean isUseCookie() {
        return Http.get(this, Http.H_USE_COOKIE) != 0;
    }

    /**
     * Turns the cookie manager on or off; allowed while running.
     *
     * @param useCookie use cookie
     */
    public void setUseCookie(boolean useCookie) {
        Http.set(this, Http.H_USE_COOKIE, useCookie ? 1 : 0);
    }

    // ---- WebSocket ----

    /**
     * Whether the WebSocket mode is on: the library does RFC 6455's work (the {@code 101}'s accept checked,
     * fragments reassembled into whole messages for {@code onWsMessage}, pings answered,
     * the closing handshake, protocol violations closed with 1002/1007/1009).
     *
     * @return the mode (default false: after an upgrade the bytes go to {@code onReceive})
     */
    public boolean isWebSocketMode() {
        return Http.get(this, Http.H_WS_MODE) != 0;
    }

    /**
     * Turns the WebSocket mode on or off; allowed while running, applies to later upgrades.
     *
     * @param on the mode
     */
    public void setWebSocketMode(boolean on) {
        Http.set(this, Http.H_WS_MODE, on ? 1 : 0);
    }

    /**
     * The largest message the WebSocket mode reassembles; a bigger one closes the connection
     * with code 1009.
     *
     * @return bytes (default 16 MiB)
     */
    public int getWsMaxMessageSize() {
        return (int) Http.get(this, Http.H_WS_MAX_MESSAGE);
    }

    /**
     * Sets the largest message the WebSocket mode reassembles; allowed while running.
     *
     * @param bytes 1 to {@link Integer#MAX_VALUE}
     * @throws HPSocketException {@link SocketError#INVALID_PARAM} for 0 or a negative size
     */
    public void setWsMaxMessageSize(int bytes) {
        Http.set(this, Http.H_WS_MAX_MESSAGE, bytes);
    }

    /**
     * WebSocket mode: asks for the upgrade: {@code GET path} with {@code Upgrade: websocket},
     * a fresh {@code Sec-WebSocket-Key} and {@code Sec-WebSocket-Version: 13} (plus
     * {@code Host} and cookies as {@code sendRequest}). A {@code 101} whose
     * {@code Sec-WebSocket-Accept} does not match closes the connection
     * ({@code onClose(RECEIVE, EPROTO)}); a good one fires {@code onUpgrade(WEB_SOCKET)},
     * after which messages arrive through {@code onWsMessage}.
     *
     * @param connId the connection
     * @param path    the request target, e.g. {@code /chat}
     * @param headers extra headers ({@code Origin}, {@code Sec-WebSocket-Protocol}, ...); may
     *                be null
     * @throws HPSocketException when not connected or a header is malformed
     */
    public void sendWsUpgrade(long connId, String path, Map<String, ?> headers) {
        Http.wsUpgrade(this, connId, path, headers);
    }

    /**
     * Sends one WebSocket frame, masked with a fresh random key (RFC 6455 asks it of clients).
     *
     * @param connId the connection
     * @param fin      whether this frame ends its message (false: more fragments follow,
     *                 with opcode {@link WsFrame#CONTINUATION})
     * @param reserved the RSV1-3 bits (0..7; RSV1 = 4)
     * @param opcode   the opcode ({@link WsFrame#TEXT}, ...; 0..15)
     * @param data     the payload
     * @throws HPSocketException when the connection is gone, or for a reserved or opcode out
     *                           of range ({@link SocketError#INVALID_PARAM})
     */
    public void sendWsMessage(long connId, boolean fin, int reserved, int opcode, byte[] data) {
        Http.sendWs(this, connId, fin, reserved, opcode, data, 0, data.length);
    }

    /**
     * Sends one whole message as a single frame.
     *
     * @param connId the connection
     * @param opcode the opcode ({@link WsFrame#TEXT}, {@link WsFrame#BINARY},
     *               {@link WsFrame#PING}, ...)
     * @param data   the payload
     */
    public void sendWsMessage(long connId, int opcode, byte[] data) {
        Http.sendWs(this, connId, true, 0, opcode, data, 0, data.length);
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
    public void sendWsMessage(long connId, int opcode, ByteBuffer data) {
        Http.sendWs(this, connId, true, 0, opcode, data);
    }

    /**
     * Sends a text message (UTF-8) as a single frame.
     *
     * @param connId the connection
     * @param text the text
     */
    public void sendWsMessage(long connId, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Http.sendWs(this, connId, true, 0, WsFrame.TEXT, b, 0, b.length);
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
    public void wsClose(long connId, int code, String reason) {
        Http.wsClose(this, connId, code, reason);
    }
}
