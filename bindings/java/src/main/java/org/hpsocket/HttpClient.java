package org.hpsocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.x client (HP-Socket's {@code HttpClient}): a {@link TcpClient} that sends requests
 * ({@link #sendRequest}, {@link #sendGet}, ...) and parses responses, reported to the
 * {@link HttpClientListener}'s HTTP events. For a blocking request/response see
 * {@link HttpSyncClient}.
 */
public non-sealed class HttpClient extends TcpClient implements HttpComponent {
    private final HttpListener<?> httpListener;

    /**
     * An HTTP client.
     *
     * @param listener its events
     */
    public HttpClient(HttpClientListener<? super HttpClient> listener) {
        this(listener, ROLE_CLIENT, false);
    }

    HttpClient(ClientListener<?> listener, int role, boolean ssl) {
        super(listener, role, MODEL_HTTP, ssl, Http.mask(listener));
        this.httpListener = listener instanceof HttpListener ? (HttpListener<?>) listener : null;
    }

    @Override
    final int deliverHttp(int event, long connId, long arg, ByteBuffer data) {
        return Http.deliver(httpListener, this, event, connId, arg, data);
    }

    /**
     * The response the connection parses now or parsed last; from any thread.
     *
     * @return a snapshot of the response
     * @throws HPSocketException before the first response
     */
    public HttpMessage getMessage() {
        return Http.message(this, 0);
    }

    /**
     * The parse error that ended the connection's HTTP.
     *
     * @return the error, or null when there was none
     */
    public HttpParseError getParseError() {
        return Http.parseError(this, 0);
    }

    /**
     * Sends a request as one send: {@code METHOD path HTTP/x.y}, the headers, {@code Host},
     * {@code Content-Length} (for a body, and for POST/PUT/PATCH) and, with use-cookie on, the
     * cookie manager's cookies, then the body.
     *
     * @param method  the method (upper-cased)
     * @param path    the path with its query, e.g. {@code /a?b=c}
     * @param headers name to value (a String, or an Iterable of values); may be null
     * @param body    the body; may be null
     * @throws HPSocketException when not connected or a header is malformed
     */
    public void sendRequest(String method, String path, Map<String, ?> headers, byte[] body) {
        Http.sendRequest(this, 0, method, path, headers, body);
    }

    /**
     * Sends a GET request.
     *
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendGet(String path, Map<String, ?> headers) {
        sendRequest("GET", path, headers, null);
    }

    /**
     * Sends a POST request.
     *
     * @param path    the path with its query
     * @param headers the headers; may be null
     * @param body    the body; may be null
     */
    public void sendPost(String path, Map<String, ?> headers, byte[] body) {
        sendRequest("POST", path, headers, body);
    }

    /**
     * Sends a PUT request.
     *
     * @param path    the path with its query
     * @param headers the headers; may be null
     * @param body    the body; may be null
     */
    public void sendPut(String path, Map<String, ?> headers, byte[] body) {
        sendRequest("PUT", path, headers, body);
    }

    /**
     * Sends a PATCH request.
     *
     * @param path    the path with its query
     * @param headers the headers; may be null
     * @param body    the body; may be null
     */
    public void sendPatch(String path, Map<String, ?> headers, byte[] body) {
        sendRequest("PATCH", path, headers, body);
    }

    /**
     * Sends a DELETE request.
     *
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendDelete(String path, Map<String, ?> headers) {
        sendRequest("DELETE", path, headers, null);
    }

    /**
     * Sends a HEAD request.
     *
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendHead(String path, Map<String, ?> headers) {
        sendRequest("HEAD", path, headers, null);
    }

    /**
     * Sends a OPTIONS request.
     *
     * @param path    the path with its query
     * @param headers the headers; may be null
     */
    public void sendOptions(String path, Map<String, ?> headers) {
        sendRequest("OPTIONS", path, headers, null);
    }

    /**
     * Sends one chunk of a chunked request body; an empty one is the last.
     *
     * @param data       the chunk
     * @param extensions chunk extensions, or null
     */
    public void sendChunk(byte[] data, String extensions) {
        Http.sendChunk(this, 0, data, extensions);
    }

    /**
     * Starts HTTP on a connection when auto start is off.
     *
     */
    public void startHttp() {
        Http.startHttp(this, 0);
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
     * WebSocket mode: asks for the upgrade: {@code GET path} with {@code Upgrade: websocket},
     * a fresh {@code Sec-WebSocket-Key} and {@code Sec-WebSocket-Version: 13} (plus
     * {@code Host} and cookies as {@code sendRequest}). A {@code 101} whose
     * {@code Sec-WebSocket-Accept} does not match closes the connection
     * ({@code onClose(RECEIVE, EPROTO)}); a good one fires {@code onUpgrade(WEB_SOCKET)},
     * after which messages arrive through {@code onWsMessage}.
     *
     * @param path    the request target, e.g. {@code /chat}
     * @param headers extra headers ({@code Origin}, {@code Sec-WebSocket-Protocol}, ...); may
     *                be null
     * @throws HPSocketException when not connected or a header is malformed
     */
    public void sendWsUpgrade(String path, Map<String, ?> headers) {
        Http.wsUpgrade(this, 0, path, headers);
    }

    /**
     * Sends one WebSocket frame, masked with a fresh random key (RFC 6455 asks it of clients).
     *
     * @param fin      whether this frame ends its message (false: more fragments follow,
     *                 with opcode {@link WsFrame#CONTINUATION})
     * @param reserved the RSV1-3 bits (0..7; RSV1 = 4)
     * @param opcode   the opcode ({@link WsFrame#TEXT}, ...; 0..15)
     * @param data     the payload
     * @throws HPSocketException when the connection is gone, or for a reserved or opcode out
     *                           of range ({@link SocketError#INVALID_PARAM})
     */
    public void sendWsMessage(boolean fin, int reserved, int opcode, byte[] data) {
        Http.sendWs(this, 0, fin, reserved, opcode, data, 0, data.length);
    }

    /**
     * Sends one whole message as a single frame.
     *
     * @param opcode the opcode ({@link WsFrame#TEXT}, {@link WsFrame#BINARY},
     *               {@link WsFrame#PING}, ...)
     * @param data   the payload
     */
    public void sendWsMessage(int opcode, byte[] data) {
        Http.sendWs(this, 0, true, 0, opcode, data, 0, data.length);
    }

    /**
     * Sends one whole message as a single frame from a buffer's remaining bytes (direct
     * buffers are read in place), which it consumes; the bytes are copied when this returns,
     * so the {@code onWsMessage} buffer itself may be echoed.
     *
     * @param opcode the opcode
     * @param data   the payload
     */
    public void sendWsMessage(int opcode, ByteBuffer data) {
        Http.sendWs(this, 0, true, 0, opcode, data);
    }

    /**
     * Sends a text message (UTF-8) as a single frame.
     *
     * @param text the text
     */
    public void sendWsMessage(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Http.sendWs(this, 0, true, 0, WsFrame.TEXT, b, 0, b.length);
    }

    /**
     * WebSocket mode: starts the closing handshake. The peer's answering close arrives
     * through {@code onWsMessage(CLOSE)}, then the connection closes ({@code onClose(CLOSE,
     * 0)}); without an answer it closes 3 s later (the release delay, at least 1 s).
     *
     * @param code   1000..1003, 1007..1011 or 3000..4999
     * @param reason a UTF-8 reason of at most 123 bytes; may be null
     * @throws HPSocketException {@link SocketError#INVALID_PARAM} for another code or a longer
     *                           reason
     */
    public void wsClose(int code, String reason) {
        Http.wsClose(this, 0, code, reason);
    }
}
