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
public non-sealed class HttpServer extends TcpServer implements HttpConnections {
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
}
