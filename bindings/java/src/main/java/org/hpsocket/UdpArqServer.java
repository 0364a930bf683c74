package org.hpsocket;

/**
 * A reliable UDP server (HP-Socket's {@code UdpArqServer}): a {@link UdpServer} whose
 * connections run HP-Socket's 12-byte ARQ handshake, then KCP, so it talks to HP-Socket's own
 * ARQ clients. {@code onAccept} fires on a peer's first datagram and {@code onHandshake} once
 * the handshake completes (none within {@link #getHandShakeTimeout()} ms:
 * {@code onClose(CLOSE, ETIMEDOUT)}). After it, one {@code send} is one message of 1 to
 * {@link #getMaxMessageSize()} bytes, delivered whole and in order by one {@code onReceive};
 * an empty or bigger one throws {@link HPSocketException} ({@link SocketError#INVALID_PARAM},
 * {@code EMSGSIZE}) and a send before the handshake throws ({@link SocketError#ILLEGAL_STATE},
 * {@code ENOTCONN}). The ARQ settings have HP-Socket's defaults and are checked by
 * {@code start}.
 *
 * <pre>{@code
 * try (UdpArqServer server = new UdpArqServer(new ServerListener<UdpArqServer>() {
 *     @Override
 *     public HandleResult onReceive(UdpArqServer s, long connId, byte[] message) {
 *         s.send(connId, message);   // one whole message back
 *         return HandleResult.OK;
 *     }
 * })) {
 *     server.start("0.0.0.0", 5555);
 *     server.await();
 * }
 * }</pre>
 */
public class UdpArqServer extends UdpServer {
    /**
     * A stopped ARQ server reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public UdpArqServer(ServerListener<? super UdpArqServer> listener) {
        super(listener, ROLE_UDP_ARQ_SERVER);
    }

    /**
     * Messages of a connection queued or in flight (sent and not yet acknowledged).
     *
     * @param connId the connection
     * @return the count
     * @throws HPSocketException for an unknown or closed connection
     */
    public int getWaitingSendMessageCount(long connId) {
        return (int) waitingSendMessageCount0(connId);
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
     * Whether congestion control is off (KCP's {@code nc}). Default false.
     *
     * @return the flag
     */
    public boolean isTurnoffCongestCtrl() {
        return getSetting(S_ARQ_TURNOFF_CONGEST_CTRL) != 0;
    }

    /**
     * Turns congestion control off or on.
     *
     * @param turnOff true: off
     */
    public void setTurnoffCongestCtrl(boolean turnOff) {
        setSetting(S_ARQ_TURNOFF_CONGEST_CTRL, turnOff ? 1 : 0);
    }

    /**
     * KCP's update interval, in ms. Default 60.
     *
     * @return the value
     */
    public int getFlushInterval() {
        return (int) getSetting(S_ARQ_FLUSH_INTERVAL);
    }

    /**
     * Sets KCP's update interval in ms (greater than 0). Checked by {@code start}.
     *
     * @param millis the value
     */
    public void setFlushInterval(int millis) {
        setSetting(S_ARQ_FLUSH_INTERVAL, nonNegative("flushInterval", millis));
    }

    /**
     * Fast resend: a segment is resent after this many later acks. Default 0 (off).
     *
     * @return the value
     */
    public int getResendByAcks() {
        return (int) getSetting(S_ARQ_RESEND_BY_ACKS);
    }

    /**
     * Sets the fast resend: after this many later acks (0: off). Checked by {@code start}.
     *
     * @param acks the value
     */
    public void setResendByAcks(int acks) {
        setSetting(S_ARQ_RESEND_BY_ACKS, nonNegative("resendByAcks", acks));
    }

    /**
     * The send window, in segments. Default 128.
     *
     * @return the value
     */
    public int getSendWndSize() {
        return (int) getSetting(S_ARQ_SEND_WND_SIZE);
    }

    /**
     * Sets the send window in segments (greater than 0). Checked by {@code start}.
     *
     * @param segments the value
     */
    public void setSendWndSize(int segments) {
        setSetting(S_ARQ_SEND_WND_SIZE, nonNegative("sendWndSize", segments));
    }

    /**
     * The receive window, in segments (KCP uses at least 128). Default 512.
     *
     * @return the value
     */
    public int getRecvWndSize() {
        return (int) getSetting(S_ARQ_RECV_WND_SIZE);
    }

    /**
     * Sets the receive window in segments (greater than 0). Checked by {@code start}.
     *
     * @param segments the value
     */
    public void setRecvWndSize(int segments) {
        setSetting(S_ARQ_RECV_WND_SIZE, nonNegative("recvWndSize", segments));
    }

    /**
     * The minimum retransmission timeout, in ms. Default 30.
     *
     * @return the value
     */
    public int getMinRto() {
        return (int) getSetting(S_ARQ_MIN_RTO);
    }

    /**
     * Sets the minimum retransmission timeout in ms (greater than 0). Checked by {@code start}.
     *
     * @param millis the value
     */
    public void setMinRto(int millis) {
        setSetting(S_ARQ_MIN_RTO, nonNegative("minRto", millis));
    }

    /**
     * Fast resends of one segment before it waits for its timeout. Default 5 (0: no limit).
     *
     * @return the value
     */
    public int getFastLimit() {
        return (int) getSetting(S_ARQ_FAST_LIMIT);
    }

    /**
     * Sets the fast resends of one segment before it waits for its timeout (0: no limit). Checked by {@code start}.
     *
     * @param count the value
     */
    public void setFastLimit(int count) {
        setSetting(S_ARQ_FAST_LIMIT, nonNegative("fastLimit", count));
    }

    /**
     * KCP's MTU, in bytes. Default 0: the max datagram size.
     *
     * @return the value
     */
    public int getMaxTransUnit() {
        return (int) getSetting(S_ARQ_MAX_TRANS_UNIT);
    }

    /**
     * Sets KCP's MTU in bytes (0: the max datagram size; else 72 to 65536). Checked by {@code start}.
     *
     * @param bytes the value
     */
    public void setMaxTransUnit(int bytes) {
        setSetting(S_ARQ_MAX_TRANS_UNIT, nonNegative("maxTransUnit", bytes));
    }

    /**
     * The largest message, in bytes. Default 4096.
     *
     * @return the value
     */
    public int getMaxMessageSize() {
        return (int) getSetting(S_ARQ_MAX_MESSAGE_SIZE);
    }

    /**
     * Sets the largest message in bytes (greater than 0 and below 127 &times; (MTU &minus; 24)). Checked by {@code start}.
     *
     * @param bytes the value
     */
    public void setMaxMessageSize(int bytes) {
        setSetting(S_ARQ_MAX_MESSAGE_SIZE, nonNegative("maxMessageSize", bytes));
    }

    /**
     * How long the 12-byte handshake may take, in ms. Default 5000.
     *
     * @return the value
     */
    public int getHandShakeTimeout() {
        return (int) getSetting(S_ARQ_HANDSHAKE_TIMEOUT);
    }

    /**
     * Sets how long the handshake may take in ms (more than twice the min RTO). Checked by {@code start}.
     *
     * @param millis the value
     */
    public void setHandShakeTimeout(int millis) {
        setSetting(S_ARQ_HANDSHAKE_TIMEOUT, nonNegative("handShakeTimeout", millis));
    }

    /**
     * Extension: whether this component offers partial reliability in the ARQ handshake (its
     * flag bit 0x02). Default false.
     *
     * @return the flag
     */
    public boolean isPartialReliability() {
        return getSetting(S_ARQ_PARTIAL_RELIABILITY) != 0;
    }

    /**
     * Offers partial reliability in the ARQ handshake, or not. A connection has it when both
     * sides offer it; then {@code sendEx} with a limit may give messages up. Off (the
     * default), the handshake is HP-Socket's, bit for bit: turn it on only towards hpsocket
     * peers (HP-Socket may refuse the bit).
     *
     * @param on the flag
     */
    public void setPartialReliability(boolean on) {
        setSetting(S_ARQ_PARTIAL_RELIABILITY, on ? 1 : 0);
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
    public long sendEx(long connId, byte[] data, int deadlineMs, int maxRetransmits) {
        return sendEx0(connId, data, 0, data.length, deadlineMs, maxRetransmits);
    }
}
