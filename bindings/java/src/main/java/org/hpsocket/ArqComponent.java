package org.hpsocket;

import static org.hpsocket.Component.S_ARQ_FAST_LIMIT;
import static org.hpsocket.Component.S_ARQ_FLUSH_INTERVAL;
import static org.hpsocket.Component.S_ARQ_HANDSHAKE_TIMEOUT;
import static org.hpsocket.Component.S_ARQ_MAX_MESSAGE_SIZE;
import static org.hpsocket.Component.S_ARQ_MAX_TRANS_UNIT;
import static org.hpsocket.Component.S_ARQ_MIN_RTO;
import static org.hpsocket.Component.S_ARQ_PARTIAL_RELIABILITY;
import static org.hpsocket.Component.S_ARQ_RECV_WND_SIZE;
import static org.hpsocket.Component.S_ARQ_RESEND_BY_ACKS;
import static org.hpsocket.Component.S_ARQ_SEND_WND_SIZE;
import static org.hpsocket.Component.S_ARQ_TURNOFF_CONGEST_CTRL;
import static org.hpsocket.Component.nonNegative;

/**
 * What every reliable UDP component shares: KCP's settings and the partial-reliability offer
 * of the ARQ handshake, the same members on {@link UdpArqServer}, {@link UdpArqClient} and
 * {@link UdpArqAgent}. They have HP-Socket's defaults and are checked by {@code start}; code
 * that tunes any of the three can take this type:
 *
 * <pre>{@code
 * static void lowLatency(ArqComponent arq) {
 *     arq.setFlushInterval(10);
 *     arq.setResendByAcks(2);
 * }
 * }</pre>
 */
public sealed interface ArqComponent permits ArqConnections, UdpArqClient {
    /**
     * Whether congestion control is off (KCP's {@code nc}). Default false.
     *
     * @return the flag
     */
    default boolean isTurnoffCongestCtrl() {
        return component().getSetting(S_ARQ_TURNOFF_CONGEST_CTRL) != 0;
    }

    /**
     * Turns congestion control off or on.
     *
     * @param turnOff true: off
     */
    default void setTurnoffCongestCtrl(boolean turnOff) {
        component().setSetting(S_ARQ_TURNOFF_CONGEST_CTRL, turnOff ? 1 : 0);
    }

    /**
     * KCP's update interval, in ms. Default 60.
     *
     * @return the value
     */
    default int getFlushInterval() {
        return (int) component().getSetting(S_ARQ_FLUSH_INTERVAL);
    }

    /**
     * Sets KCP's update interval in ms (greater than 0). Checked by {@code start}.
     *
     * @param millis the value
     */
    default void setFlushInterval(int millis) {
        component().setSetting(S_ARQ_FLUSH_INTERVAL, nonNegative("flushInterval", millis));
    }

    /**
     * Fast resend: a segment is resent after this many later acks. Default 0 (off).
     *
     * @return the value
     */
    default int getResendByAcks() {
        return (int) component().getSetting(S_ARQ_RESEND_BY_ACKS);
    }

    /**
     * Sets the fast resend: after this many later acks (0: off). Checked by {@code start}.
     *
     * @param acks the value
     */
    default void setResendByAcks(int acks) {
        component().setSetting(S_ARQ_RESEND_BY_ACKS, nonNegative("resendByAcks", acks));
    }

    /**
     * The send window, in segments. Default 128.
     *
     * @return the value
     */
    default int getSendWndSize() {
        return (int) component().getSetting(S_ARQ_SEND_WND_SIZE);
    }

    /**
     * Sets the send window in segments (greater than 0). Checked by {@code start}.
     *
     * @param segments the value
     */
    default void setSendWndSize(int segments) {
        component().setSetting(S_ARQ_SEND_WND_SIZE, nonNegative("sendWndSize", segments));
    }

    /**
     * The receive window, in segments (KCP uses at least 128). Default 512.
     *
     * @return the value
     */
    default int getRecvWndSize() {
        return (int) component().getSetting(S_ARQ_RECV_WND_SIZE);
    }

    /**
     * Sets the receive window in segments (greater than 0). Checked by {@code start}.
     *
     * @param segments the value
     */
    default void setRecvWndSize(int segments) {
        component().setSetting(S_ARQ_RECV_WND_SIZE, nonNegative("recvWndSize", segments));
    }

    /**
     * The minimum retransmission timeout, in ms. Default 30.
     *
     * @return the value
     */
    default int getMinRto() {
        return (int) component().getSetting(S_ARQ_MIN_RTO);
    }

    /**
     * Sets the minimum retransmission timeout in ms (greater than 0). Checked by {@code start}.
     *
     * @param millis the value
     */
    default void setMinRto(int millis) {
        component().setSetting(S_ARQ_MIN_RTO, nonNegative("minRto", millis));
    }

    /**
     * Fast resends of one segment before it waits for its timeout. Default 5 (0: no limit).
     *
     * @return the value
     */
    default int getFastLimit() {
        return (int) component().getSetting(S_ARQ_FAST_LIMIT);
    }

    /**
     * Sets the fast resends of one segment before it waits for its timeout (0: no limit).
     * Checked by {@code start}.
     *
     * @param count the value
     */
    default void setFastLimit(int count) {
        component().setSetting(S_ARQ_FAST_LIMIT, nonNegative("fastLimit", count));
    }

    /**
     * KCP's MTU, in bytes. Default 0: the max datagram size.
     *
     * @return the value
     */
    default int getMaxTransUnit() {
        return (int) component().getSetting(S_ARQ_MAX_TRANS_UNIT);
    }

    /**
     * Sets KCP's MTU in bytes (0: the max datagram size; else 72 to 65536). Checked by
     * {@code start}.
     *
     * @param bytes the value
     */
    default void setMaxTransUnit(int bytes) {
        component().setSetting(S_ARQ_MAX_TRANS_UNIT, nonNegative("maxTransUnit", bytes));
    }

    /**
     * The largest message, in bytes. Default 4096.
     *
     * @return the value
     */
    default int getMaxMessageSize() {
        return (int) component().getSetting(S_ARQ_MAX_MESSAGE_SIZE);
    }

    /**
     * Sets the largest message in bytes (greater than 0 and below 127 &times;
     * (MTU &minus; 24)). Checked by {@code start}.
     *
     * @param bytes the value
     */
    default void setMaxMessageSize(int bytes) {
        component().setSetting(S_ARQ_MAX_MESSAGE_SIZE, nonNegative("maxMessageSize", bytes));
    }

    /**
     * How long the 12-byte handshake may take, in ms. Default 5000.
     *
     * @return the value
     */
    default int getHandShakeTimeout() {
        return (int) component().getSetting(S_ARQ_HANDSHAKE_TIMEOUT);
    }

    /**
     * Sets how long the handshake may take in ms (more than twice the min RTO). Checked by
     * {@code start}.
     *
     * @param millis the value
     */
    default void setHandShakeTimeout(int millis) {
        component().setSetting(S_ARQ_HANDSHAKE_TIMEOUT, nonNegative("handShakeTimeout", millis));
    }

    /**
     * Extension: whether this component offers partial reliability in the ARQ handshake (its
     * flag bit 0x02). Default false.
     *
     * @return the flag
     */
    default boolean isPartialReliability() {
        return component().getSetting(S_ARQ_PARTIAL_RELIABILITY) != 0;
    }

    /**
     * Offers partial reliability in the ARQ handshake, or not. A connection has it when both
     * sides offer it; then {@code sendEx} with a limit may give messages up. Off (the
     * default), the handshake is HP-Socket's, bit for bit: turn it on only towards hpsocket
     * peers (HP-Socket may refuse the bit).
     *
     * @param on the flag
     */
    default void setPartialReliability(boolean on) {
        component().setSetting(S_ARQ_PARTIAL_RELIABILITY, on ? 1 : 0);
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
