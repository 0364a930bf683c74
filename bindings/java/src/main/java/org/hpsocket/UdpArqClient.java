package org.hpsocket;

/**
 * A reliable UDP client (HP-Socket's {@code UdpArqClient}): a {@link UdpClient} that runs
 * HP-Socket's 12-byte ARQ handshake with the server, then KCP. {@code onHandshake} fires once
 * the handshake completes (none within {@link #getHandShakeTimeout()} ms:
 * {@code onClose(CLOSE, ETIMEDOUT)}); after it, one {@code send} is one message of 1 to
 * {@link #getMaxMessageSize()} bytes, delivered whole and in order by one {@code onReceive}
 * (see {@link UdpArqServer} for the rules).
 *
 * <pre>{@code
 * try (UdpArqClient client = new UdpArqClient(listener)) {   // listener.onHandshake: ready
 *     client.start("127.0.0.1", 5555);
 *     // after onHandshake:
 *     client.send(new byte[4096]);   // one message, arrives whole
 * }
 * }</pre>
 */
public non-sealed class UdpArqClient extends UdpClient implements ArqComponent {
    /**
     * A stopped ARQ client reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public UdpArqClient(ClientListener<? super UdpArqClient> listener) {
        super(listener, ROLE_UDP_ARQ_CLIENT);
    }

    /**
     * Messages queued or in flight (sent and not yet acknowledged).
     *
     * @return the count
     * @throws HPSocketException when not connected
     */
    public int getWaitingSendMessageCount() {
        return (int) waitingSendMessageCount0(0);
    }

    /**
     * KCP's nodelay mode (not {@code TCP_NODELAY}). Default false.
     *
     * @return the flag
     */
    @Override
    public boolean isNoDelay() {
        return getSetting(S_ARQ_NO_DELAY) != 0;
    }

    /**
     * Sets KCP's nodelay mode.
     *
     * @param noDelay the flag
     */
    @Override
    public void setNoDelay(boolean noDelay) {
        setSetting(S_ARQ_NO_DELAY, noDelay ? 1 : 0);
    }

    /**
     * Extension (partial reliability): sends one message as {@code send} does, given up
     * {@code deadlineMs} ms after the call (0: never) or when one of its segments would be
     * retransmitted more than {@code maxRetransmits} times (negative: no limit, as the C
     * API's {@code -1}; 0: sent once). A message given up is reported once by
     * {@code onMessageDropped} with the returned id and its size; the peer skips it whole and
     * goes on delivering the following messages in order.
     *
     * @param data           the message, 1 to {@link #getMaxMessageSize()} bytes
     * @param deadlineMs     ms until it is given up; 0: never
     * @param maxRetransmits retransmissions allowed per segment; negative: no limit
     * @return its id, 1, 2, 3... per connection; 0 for a message with neither limit (a plain
     *         send)
     * @throws HPSocketException {@link SocketError#ILLEGAL_STATE} with {@code EOPNOTSUPP}
     *         for a limit on a connection where either side did not offer partial
     *         reliability ({@link #setPartialReliability}); as {@code send} otherwise
     * @throws IllegalArgumentException for a negative {@code deadlineMs}
     */
    public long sendEx(byte[] data, int deadlineMs, int maxRetransmits) {
        return sendEx0(0, data, 0, data.length, deadlineMs, maxRetransmits);
    }
}
