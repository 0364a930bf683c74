package org.hpsocket;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.x server (HP-Socket's {@code HttpServer}): a {@link TcpServer} whose received
 * bytes go through an HTTP parser, reported to the {@link HttpServerListener}'s HTTP events.
 * Answer with {@link #sendResponse}; the request is readable through {@link #getMessage} from
 * any thread.
 *
 * <pre>{@code
 * try (HttpServer server = new HttpServer(new HttpServerListener<HttpServer>() {
 *     public HttpParseResult onMessageComplete(HttpServer s, long connId) {
 *         HttpMessage req = s.getMessage(connId);
 *         s.sendResponse(connId, 200, "hello " + req.path());
 *         return HttpParseResult.OK;
 *     }
 * })) {
 *     server.start("0.0.0.0", 8080);
 *     server.await();
 * }
 * }</pre>
 */
public class HttpServer extends TcpServer {
    private final HttpListener<?> httpListener;

    /**
     * An HTTP server.
     *
     * @param listener its events
     */
    public HttpServer(HttpServerListener<? super HttpServer> listener) {
        this(listener, false);
    }

    HttpServer(HttpServerListener<?> listener, boolean ssl) {
        super(listener, MODEL_HTTP, ssl, Http.mask(listener));
        this.httpListener = listener;
    }

    @Override
    final int deliverHttp(int event, long connId, long arg, ByteBuffer data) {
        return Http.deliver(httpListener, this, event, connId, arg, data);
    }

    /**
     * The request the connection parses now or parsed last; from any thread.
     *
     * @param connId the connection
     * @return a snapshot of the request
     * @throws HPSocketException before the first request, or for an unknown connection
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
     * Sends a response as one send: {@code HTTP/x.y status reason}, the headers,
     * {@code Content-Length} unless the headers carry {@code Content-Length} or
     * {@code Transfer-Encoding}, and the body.
     *
     * @param connId  the connection
     * @param status  the status code
     * @param reason  the reason phrase; null for the standard one
     * @param headers name to value (a String, or an Iterable of values); may be null
     * @param body    the body; may be null
     * @throws HPSocketException when the connection is gone or a header is malformed
     */
    public void sendResponse(long connId, int status, String reason, Map<String, ?> headers, byte[] body) {
        try {
            Native.httpSendResponse(handle(), connId, status, reason, Http.flatten(headers), body);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Sends a response with the standard reason phrase.
     *
     * @param connId  the connection
     * @param status  the status code
     * @param body    the body; may be null
     * @param headers name to value (a String, or an Iterable of values); may be null
     */
    public void sendResponse(long connId, int status, byte[] body, Map<String, ?> headers) {
        sendResponse(connId, status, null, headers, body);
    }

    /**
     * Sends a {@code text/plain; charset=utf-8} response.
     *
     * @param connId the connection
     * @param status the status code
     * @param body   the text
     */
    public void sendResponse(long connId, int status, String body) {
        sendResponse(connId, status, null, Map.of("Content-Type", "text/plain; charset=utf-8"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends one chunk of a chunked body (after a response with
     * {@code Transfer-Encoding: chunked}); an empty one is the last.
     *
     * @param connId the connection
     * @param data   the chunk
     */
    public void sendChunk(long connId, byte[] data) {
        Http.sendChunk(this, connId, data, null);
    }

    /**
     * Sends one chunk with chunk extensions.
     *
     * @param connId     the connection
     * @param data       the chunk; empty for the last one
     * @param extensions the extensions after the size (without the leading {@code ;}), or null
     */
    public void sendChunk(long connId, byte[] data, String extensions) {
        Http.sendChunk(this, connId, data, extensions);
    }

    /**
     * Sends the last chunk (size 0, empty trailer).
     *
     * @param connId the connection
     */
    public void sendLastChunk(long connId) {
        Http.sendChunk(this, connId, new byte[0], null);
    }

    /**
     * Closes the connection {@link #getReleaseDelay()} ms from now, once the answer had time
     * to drain ({@code onClose(CLOSE, 0)}).
     *
     * @param connId the connection
     */
    public void release(long connId) {
        try {
            Native.httpRelease(handle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Starts HTTP on a connection when auto start is off (earlier bytes went to
     * {@code onReceive}).
     *
     * @param connId the connection
     * @throws HPSocketException when HTTP already started there
     */
    public void startHttp(long connId) {
        Http.startHttp(this, connId);
    }

    /**
     * The version written in responses.
     *
     * @return the local version (default HTTP/1.1)
     */
    public HttpVersion getLocalVersion() {
        return HttpVersion.of(Http.get(this, Http.H_LOCAL_VERSION));
    }

    /**
     * Sets the version written in responses; allowed while running.
     *
     * @param version the version
     */
    public void setLocalVersion(HttpVersion version) {
        Http.set(this, Http.H_LOCAL_VERSION, version.code());
    }

    /**
     * The delay of {@link #release}.
     *
     * @return ms (default 3000)
     */
    public int getReleaseDelay() {
        return (int) Http.get(this, Http.H_RELEASE_DELAY);
    }

    /**
     * Sets the delay of {@link #release}, kept within 100..60000 ms; allowed while running.
     *
     * @param millis the delay
     */
    public void setReleaseDelay(int millis) {
        Http.set(this, Http.H_RELEASE_DELAY, millis);
    }

    /**
     * Whether new connections parse HTTP from their first byte.
     *
     * @return auto start (default true)
     */
    public boolean isAutoStart() {
        return Http.get(this, Http.H_AUTO_START) != 0;
    }

    /**
     * False makes new connections deliver bytes through {@code onReceive} until
     * {@link #startHttp}; allowed while running.
     *
     * @param autoStart auto start
     */
    public void setAutoStart(boolean autoStart) {
        Http.set(this, Http.H_AUTO_START, autoStart ? 1 : 0);
    }

    // ---- WebSocket ----

    /**
     * Whether the WebSocket mode is on: the library does RFC 6455's work (an upgrade request answered with {@code 101} or {@code 400},
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
     * Sends one WebSocket frame, never masked (a server's frames are not).
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
