package org.hpsocket;

import java.lang.ref.Reference;
import java.util.Map;

/**
 * A blocking HTTP client (HP-Socket's {@code HttpSyncClient}): {@link #openUrl} connects (or
 * reuses the open connection to the same host and port), sends the request and returns once
 * the whole response is in, the connection closed, or the request timeout passed.
 *
 * <pre>{@code
 * try (HttpSyncClient client = new HttpSyncClient()) {
 *     HttpResponse r = client.openUrl("GET", "http://127.0.0.1:8080/hello?x=1", null, null, false);
 *     System.out.println(r.status() + " " + r.header("Content-Type") + " " + r.bodyText());
 * }
 * }</pre>
 *
 * <p>{@code openUrl} from the client's own callbacks throws ({@code ILLEGAL_STATE}). There is
 * no asynchronous variant: run it on an executor for one.
 */
public class HttpSyncClient extends HttpClient {
    private static final ClientListener<Client> NONE = new ClientListener<Client>() {};

    /** An HTTP sync client without a listener. */
    public HttpSyncClient() {
        this(null, false);
    }

    /**
     * An HTTP sync client whose listener also sees every event.
     *
     * @param listener its events
     */
    public HttpSyncClient(HttpClientListener<? super HttpSyncClient> listener) {
        this(listener, false);
    }

    HttpSyncClient(HttpClientListener<?> listener, boolean ssl) {
        super(listener == null ? NONE : listener, ROLE_HTTP_SYNC_CLIENT, ssl);
    }

    /**
     * Sends {@code method} to {@code url} and waits for the whole response.
     *
     * @param method         the method
     * @param url            {@code http(s)://host[:port]/path?query}
     * @param headers        name to value (a String, or an Iterable of values); may be null
     * @param body           the body; may be null
     * @param forceReconnect connect anew even when the open connection goes to the same place
     * @return the response
     * @throws HPSocketException when the URL is bad, the connect fails, the connection closes
     *                           before the response is whole, or the request timeout passes
     *                           ({@code getErrno()} {@code ETIMEDOUT})
     */
    public HttpResponse openUrl(String method, String url, Map<String, ?> headers, byte[] body,
            boolean forceReconnect) {
        try {
            Native.syncOpenUrl(handle(), method, url, Http.flatten(headers), body, forceReconnect);
            return new HttpResponse(HttpMessage.of(Native.syncMessage(queryHandle())), Native.syncResponseBody(queryHandle()));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@code openUrl(method, url, null, null, false)}.
     *
     * @param method the method
     * @param url    the URL
     * @return the response
     */
    public HttpResponse openUrl(String method, String url) {
        return openUrl(method, url, null, null, false);
    }

    /**
     * The head of the last complete response; unlike the client's, it outlives a connection
     * the server closed after answering ({@code Connection: close}).
     *
     * @return a snapshot of the response
     * @throws HPSocketException when there was none
     */
    @Override
    public HttpMessage getMessage() {
        try {
            return HttpMessage.of(Native.syncMessage(queryHandle()));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The body of the last complete response.
     *
     * @return a copy of the body (empty when none)
     */
    public byte[] getResponseBody() {
        try {
            return Native.syncResponseBody(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Forgets the last response's body (done before each request anyway). */
    public void cleanupRequestResult() {
        try {
            Native.syncCleanup(handle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The connect timeout of {@code openUrl} (HP-Socket's {@code GetConnectTimeout}).
     *
     * @return ms (default 5000; 0: the system's)
     */
    @Override
    public int getConnectTimeout() {
        return (int) Http.get(this, Http.H_CONNECT_TIMEOUT);
    }

    /**
     * Sets the connect timeout of {@code openUrl}.
     *
     * @param millis ms; 0: the system's
     */
    @Override
    public void setConnectTimeout(int millis) {
        Http.set(this, Http.H_CONNECT_TIMEOUT, nonNegative("connectTimeout", millis));
    }

    /**
     * How long {@code openUrl} waits for the response.
     *
     * @return ms (default 10000; 0: for ever)
     */
    public int getRequestTimeout() {
        return (int) Http.get(this, Http.H_REQUEST_TIMEOUT);
    }

    /**
     * Sets how long {@code openUrl} waits for the response.
     *
     * @param millis ms; 0: for ever
     */
    public void setRequestTimeout(int millis) {
        Http.set(this, Http.H_REQUEST_TIMEOUT, nonNegative("requestTimeout", millis));
    }
}
