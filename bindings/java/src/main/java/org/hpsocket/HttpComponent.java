package org.hpsocket;

/**
 * The HTTP settings every HTTP component has, the same on {@link HttpServer},
 * {@link HttpAgent} and {@link HttpClient} (and so on their TLS and sync forms): the version
 * it writes, whether HTTP starts by itself, and the WebSocket mode. Each may be changed while
 * the component runs. {@link HttpConnections} adds the members that name a connection.
 */
public sealed interface HttpComponent permits HttpConnections, HttpClient {
    /**
     * The version written in responses (a server) or requests (an agent or client).
     *
     * @return the local version (default HTTP/1.1)
     */
    default HttpVersion getLocalVersion() {
        return HttpVersion.of(Http.get(component(), Http.H_LOCAL_VERSION));
    }

    /**
     * Sets the version written in responses or requests; allowed while running.
     *
     * @param version the version
     */
    default void setLocalVersion(HttpVersion version) {
        Http.set(component(), Http.H_LOCAL_VERSION, version.code());
    }

    /**
     * Whether connections parse HTTP from their first byte.
     *
     * @return auto start (default true)
     */
    default boolean isAutoStart() {
        return Http.get(component(), Http.H_AUTO_START) != 0;
    }

    /**
     * False makes connections deliver bytes through {@code onReceive} until
     * {@code startHttp}; allowed while running.
     *
     * @param autoStart auto start
     */
    default void setAutoStart(boolean autoStart) {
        Http.set(component(), Http.H_AUTO_START, autoStart ? 1 : 0);
    }

    /**
     * Whether the WebSocket mode is on: the library does RFC 6455's work (a server answers an
     * upgrade request with {@code 101} or {@code 400}, an agent or client checks the
     * {@code 101}'s accept; fragments reassembled into whole messages for
     * {@code onWsMessage}, pings answered, the closing handshake, protocol violations closed
     * with 1002/1007/1009).
     *
     * @return the mode (default false: after an upgrade the bytes go to {@code onReceive})
     */
    default boolean isWebSocketMode() {
        return Http.get(component(), Http.H_WS_MODE) != 0;
    }

    /**
     * Turns the WebSocket mode on or off; allowed while running, applies to later upgrades.
     *
     * @param on the mode
     */
    default void setWebSocketMode(boolean on) {
        Http.set(component(), Http.H_WS_MODE, on ? 1 : 0);
    }

    /**
     * The largest message the WebSocket mode reassembles; a bigger one closes the connection
     * with code 1009.
     *
     * @return bytes (default 16 MiB)
     */
    default int getWsMaxMessageSize() {
        return (int) Http.get(component(), Http.H_WS_MAX_MESSAGE);
    }

    /**
     * Sets the largest message the WebSocket mode reassembles; allowed while running.
     *
     * @param bytes 1 to {@link Integer#MAX_VALUE}
     * @throws HPSocketException {@link SocketError#INVALID_PARAM} for 0 or a negative size
     */
    default void setWsMaxMessageSize(int bytes) {
        Http.set(component(), Http.H_WS_MAX_MESSAGE, bytes);
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
