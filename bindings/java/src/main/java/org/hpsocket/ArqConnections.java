package org.hpsocket;

/**
 * The ARQ members that name a connection, the same on {@link UdpArqServer} and
 * {@link UdpArqAgent} ({@link UdpArqClient} has them without one), beside the settings of
 * every {@link ArqComponent}.
 */
public sealed interface ArqConnections extends ArqComponent
        permits UdpArqServer, UdpArqAgent {
    /**
     * KCP segments of a connection queued or in flight (sent and not yet acknowledged).
     *
     * @param connId the connection
     * @return the count
     * @throws HPSocketException for an unknown or closed connection
     */
    default int getWaitingSendMessageCount(long connId) {
        return (int) component().waitingSendMessageCount0(connId);
    }

    /**
     * Extension (partial reliability): sends one message as {@code send} does, given up
     * {@code deadlineMs} ms after the call (0: never) or when one of its segments would be
     * retransmitted more than {@code maxRetransmits} times (negative: no limit, as the C
     * API's {@code -1}; 0: sent once). A message given up is reported once by
     * {@code onMessageDropped} with the returned id and its size; the peer skips it whole and
     * goes on delivering the following messages in order.
     *
     * @param connId         the connection
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
    default long sendEx(long connId, byte[] data, int deadlineMs, int maxRetransmits) {
        return component().sendEx0(connId, data, 0, data.length, deadlineMs, maxRetransmits);
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
