package org.hpsocket;

/**
 * A UDP server (HP-Socket's {@code UdpServer}): one socket per worker; each peer address is a
 * connection with its own ID, made by the peer's first datagram ({@code onAccept}, then
 * {@code onHandshake}; {@link #getRemoteAddress(long)} is the peer). One {@code send} is one
 * datagram of 1 to {@link #getMaxDatagramSize()} bytes (a bigger one throws
 * {@link HPSocketException} with {@code EMSGSIZE} and sends nothing); {@code onReceive} gets one
 * datagram. Peers silent for {@link #getDetectAttempts()} rounds of
 * {@link #getDetectInterval()} ms are closed; {@code disconnect} and {@code stop} tell the peer
 * with HP-Socket's close-notify datagram. PUSH model only. The TCP-only settings
 * ({@code setSocketBufferSize}, keep-alive, {@code setNoDelay}) throw
 * {@link HPSocketException} ({@link SocketError#INVALID_PARAM}) here.
 *
 * <pre>{@code
 * try (UdpServer server = new UdpServer(new ServerListener<UdpServer>() {
 *     @Override
 *     public HandleResult onReceive(UdpServer s, long connId, ByteBuffer datagram) {
 *         s.send(connId, datagram);   // one datagram back
 *         return HandleResult.OK;
 *     }
 * })) {
 *     server.start("0.0.0.0", 5555);
 *     server.await();
 * }
 * }</pre>
 */
public non-sealed class UdpServer extends Server implements UdpSocketBuffers {
    /**
     * A stopped UDP server reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public UdpServer(ServerListener<? super UdpServer> listener) {
        this(listener, ROLE_UDP_SERVER);
    }

    UdpServer(ServerListener<?> listener, int role) {
        super(listener, role, MODEL_PUSH, false);
    }

    /**
     * The largest datagram sent or received, in bytes. Default 1432.
     *
     * @return the size
     */
    public int getMaxDatagramSize() {
        return (int) getSetting(S_MAX_DATAGRAM_SIZE);
    }

    /**
     * Sets the largest datagram sent or received (1 to 65536; checked by {@code start}). A
     * bigger datagram received is dropped.
     *
     * @param bytes the size
     */
    public void setMaxDatagramSize(int bytes) {
        setSetting(S_MAX_DATAGRAM_SIZE, nonNegative("maxDatagramSize", bytes));
    }

    /**
     * Datagrams a worker reads per turn before other work. Default 64.
     *
     * @return the count
     */
    public int getPostReceiveCount() {
        return (int) getSetting(S_POST_RECEIVE_COUNT);
    }

    /**
     * Sets the datagrams a worker reads per turn (greater than 0).
     *
     * @param count the count
     */
    public void setPostReceiveCount(int count) {
        setSetting(S_POST_RECEIVE_COUNT, nonNegative("postReceiveCount", count));
    }

    /**
     * Heartbeat rounds without news from a peer after which its connection closes. Default 3.
     *
     * @return the rounds
     */
    public int getDetectAttempts() {
        return (int) getSetting(S_DETECT_ATTEMPTS);
    }

    /**
     * Sets the heartbeat rounds (0: no heartbeat detection).
     *
     * @param attempts the rounds
     */
    public void setDetectAttempts(int attempts) {
        setSetting(S_DETECT_ATTEMPTS, nonNegative("detectAttempts", attempts));
    }

    /**
     * The heartbeat interval, in ms. Default 60000.
     *
     * @return the interval
     */
    public int getDetectInterval() {
        return (int) getSetting(S_DETECT_INTERVAL);
    }

    /**
     * Sets the heartbeat interval in ms (0: no heartbeat detection).
     *
     * @param millis the interval
     */
    public void setDetectInterval(int millis) {
        setSetting(S_DETECT_INTERVAL, nonNegative("detectInterval", millis));
    }
}
