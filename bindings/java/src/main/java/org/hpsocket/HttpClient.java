package org.hpsocket;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * An HTTP/1.x client (HP-Socket's {@code HttpClient}): a {@link TcpClient} that sends requests
 * ({@link #sendRequest}, {@link #sendGet}, ...) and parses responses, reported to the
 * {@link HttpClientListener}'s HTTP events. For a blocking request/response see
 * {@link HttpSyncClient}.
 */
public class HttpClient extends TcpClient {
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
}
