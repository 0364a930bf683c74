package org.hpsocket;

/**
 * A UDP client (HP-Socket's {@code UdpClient}): a socket connected to the server. {@code start}
 * sends a heartbeat (an empty datagram) at once, which makes the server's connection, and one
 * every {@link #getDetectInterval()} ms; a server silent for {@link #getDetectAttempts()}
 * rounds closes the client ({@code onClose(CLOSE, ECONNRESET)}). One {@code send} is one
 * datagram of 1 to {@link #getMaxDatagramSize()} bytes (a bigger one throws
 * {@link HPSocketException} with {@code EMSGSIZE} and sends nothing); {@code onReceive} gets one
 * datagram. {@code stop} tells the server with HP-Socket's close-notify datagram. PUSH model
 * only; the TCP-only settings throw {@link HPSocketException} here.
 *
 * <pre>{@code
 * try (UdpClient client = new UdpClient(listener)) {
 *     client.start("127.0.0.1", 5555);
 *     client.send("ping".getBytes(StandardCharsets.UTF_8));   // one datagram
 * }
 * }</pre>
 */
public non-sealed class UdpClient extends Client implements UdpSocketBuffers {
    /**
     * A stopped UDP client reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public UdpClient(ClientListener<? super UdpClient> listener) {
        this(listener, ROLE_UDP_CLIENT);
    }

    UdpClient(ClientListener<?> listener, int role) {
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
     * Sets the largest datagram sent or received (1 to 65536; checked by {@code start}).
     *
     * @param bytes the size
     */
    public void setMaxDatagramSize(int bytes) {
        setSetting(S_MAX_DATAGRAM_SIZE, nonNegative("maxDatagramSize", bytes));
    }

    /**
     * Heartbeat rounds without news from the server after which the client closes. Default 3.
     *
     * @return the rounds
     */
    public int getDetectAttempts() {
        return (int) getSetting(S_DETECT_ATTEMPTS);
    }

    /**
     * Sets the heartbeat rounds (0: no heartbeats).
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
     * Sets the heartbeat interval in ms (0: no heartbeats).
     *
     * @param millis the interval
     */
    public void setDetectInterval(int millis) {
        setSetting(S_DETECT_INTERVAL, nonNegative("detectInterval", millis));
    }
}
