package org.hpsocket;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * An HTTP/1.x agent (HP-Socket's {@code HttpAgent}): a {@link TcpAgent} whose connections send
 * requests ({@link #sendRequest}, {@link #sendGet}, ...) and parse responses, reported to the
 * {@link HttpAgentListener}'s HTTP events.
 */
public non-sealed class HttpAgent extends TcpAgent implements HttpConnections {
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
     * @param connId the connection
     * @param path    the request target, e.g. {@code /chat}
     * @param headers extra headers ({@code Origin}, {@code Sec-WebSocket-Protocol}, ...); may
     *                be null
     * @throws HPSocketException when not connected or a header is malformed
     */
    public void sendWsUpgrade(long connId, String path, Map<String, ?> headers) {
        Http.wsUpgrade(this, connId, path, headers);
    }

}
