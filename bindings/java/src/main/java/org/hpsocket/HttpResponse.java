package org.hpsocket;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A response {@link HttpSyncClient#openUrl} received: its head and whole body. */
public final class HttpResponse {
    private final HttpMessage message;
    private final byte[] body;

    HttpResponse(HttpMessage message, byte[] body) {
        this.message = message;
        this.body = body;
    }

    /**
     * The status code.
     *
     * @return the status
     */
    public int status() {
        return message.status();
    }

    /**
     * The reason phrase.
     *
     * @return the reason
     */
    public String reason() {
        return message.reason();
    }

    /**
     * The headers by name, case-insensitive.
     *
     * @return an unmodifiable multi-map
     */
    public Map<String, List<String>> headers() {
        return message.headers();
    }

    /**
     * The first value of a header, any case.
     *
     * @param name the header name
     * @return its first value, or null
     */
    public String header(String name) {
        return message.header(name);
    }

    /**
     * The whole head (version, keep-alive, cookies, ...).
     *
     * @return the message
     */
    public HttpMessage message() {
        return message;
    }

    /**
     * The body, de-chunked.
     *
     * @return the bytes (the caller's copy)
     */
    public byte[] body() {
        return body;
    }

    /**
     * The body as UTF-8 text.
     *
     * @return the text
     */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return message + " (" + body.length + " bytes)";
    }
}
