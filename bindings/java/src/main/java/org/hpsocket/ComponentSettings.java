package org.hpsocket;

import java.util.Objects;

/**
 * The socket settings every component has: receive blocks, keep-alive, {@code TCP_NODELAY},
 * address reuse, the send queue bound, connect and drain timeouts, and the TLS handshake's.
 * The role-specific ones are on the classes (a server's listen queue, the object pools, ...)
 * and on the sealed interfaces ({@link ArqComponent}, {@link PackComponent}, ...).
 *
 * <p>Setters only work while the component is stopped (they throw {@link HPSocketException}
 * with {@link SocketError#ILLEGAL_STATE} otherwise); values are checked by {@code start}.
 */
public sealed interface ComponentSettings permits Component {
    /**
     * Size of one receive block and the {@code SO_RCVBUF}/{@code SO_SNDBUF} hint. Default 4096.
     *
     * @return bytes
     */
    default int getSocketBufferSize() {
        return (int) get(Component.S_SOCKET_BUFFER_SIZE);
    }

    /**
     * Sets the receive block size (at least 8).
     *
     * @param bytes the size
     */
    default void setSocketBufferSize(int bytes) {
        set(Component.S_SOCKET_BUFFER_SIZE, Component.nonNegative("socketBufferSize", bytes));
    }

    /**
     * TCP keep-alive idle time. Default 60 000 ms; 0 disables keep-alive.
     *
     * @return milliseconds
     */
    default int getKeepAliveTime() {
        return (int) get(Component.S_KEEP_ALIVE_TIME);
    }

    /**
     * Sets the keep-alive idle time (0, or at least 1000 ms).
     *
     * @param millis milliseconds
     */
    default void setKeepAliveTime(int millis) {
        set(Component.S_KEEP_ALIVE_TIME, Component.nonNegative("keepAliveTime", millis));
    }

    /**
     * TCP keep-alive probe interval. Default 20 000 ms; 0 disables keep-alive.
     *
     * @return milliseconds
     */
    default int getKeepAliveInterval() {
        return (int) get(Component.S_KEEP_ALIVE_INTERVAL);
    }

    /**
     * Sets the keep-alive probe interval (0, or at least 1000 ms).
     *
     * @param millis milliseconds
     */
    default void setKeepAliveInterval(int millis) {
        set(Component.S_KEEP_ALIVE_INTERVAL, Component.nonNegative("keepAliveInterval", millis));
    }

    /**
     * Whether {@code TCP_NODELAY} is set on connections. Default false.
     *
     * @return the flag
     */
    default boolean isNoDelay() {
        return get(Component.S_NO_DELAY) != 0;
    }

    /**
     * Sets {@code TCP_NODELAY} for new connections.
     *
     * @param noDelay the flag
     */
    default void setNoDelay(boolean noDelay) {
        set(Component.S_NO_DELAY, noDelay ? 1 : 0);
    }

    /**
     * Address reuse policy. Default {@link ReuseAddressPolicy#ADDR_ONLY}.
     *
     * @return the policy
     */
    default ReuseAddressPolicy getReuseAddressPolicy() {
        return ReuseAddressPolicy.of(get(Component.S_REUSE_ADDRESS_POLICY));
    }

    /**
     * Sets the address reuse policy.
     *
     * @param policy the policy
     */
    default void setReuseAddressPolicy(ReuseAddressPolicy policy) {
        set(Component.S_REUSE_ADDRESS_POLICY, Objects.requireNonNull(policy).ordinal());
    }

    /**
     * Most bytes one connection may have queued and unsent (an extension); a send that would
     * pass it fails with {@code ENOBUFS} and the connection stays usable. 0 (default):
     * unbounded.
     *
     * @return bytes
     */
    default long getMaxSendQueueBytes() {
        return get(Component.S_MAX_SEND_QUEUE_BYTES);
    }

    /**
     * Sets the send queue bound (0: unbounded).
     *
     * @param bytes the bound
     */
    default void setMaxSendQueueBytes(long bytes) {
        set(Component.S_MAX_SEND_QUEUE_BYTES, Component.nonNegative("maxSendQueueBytes", bytes));
    }

    /**
     * After a send was refused for a full queue, {@code onSendDrained} fires once the queue is
     * down to this many bytes. Default 0.
     *
     * @return bytes
     */
    default long getSendQueueLowWatermark() {
        return get(Component.S_SEND_QUEUE_LOW_WATERMARK);
    }

    /**
     * Sets the low watermark (below {@link #getMaxSendQueueBytes()}).
     *
     * @param bytes the watermark
     */
    default void setSendQueueLowWatermark(long bytes) {
        set(Component.S_SEND_QUEUE_LOW_WATERMARK, Component.nonNegative("sendQueueLowWatermark", bytes));
    }

    /**
     * Milliseconds an asynchronous connect may take before it fails with
     * {@code onClose(CONNECT, ETIMEDOUT)}. 0 (default): the operating system's timeout.
     *
     * @return milliseconds
     */
    default int getConnectTimeout() {
        return (int) get(Component.S_CONNECT_TIMEOUT);
    }

    /**
     * Sets the asynchronous connect timeout.
     *
     * @param millis milliseconds, 0 for the system's
     */
    default void setConnectTimeout(int millis) {
        set(Component.S_CONNECT_TIMEOUT, Component.nonNegative("connectTimeout", millis));
    }

    /**
     * Milliseconds the answer to a peer that closed its side may go without progress before
     * the connection fails with {@code onClose(SEND, ETIMEDOUT)}. Default 30000.
     *
     * @return milliseconds
     */
    default int getHalfCloseDrainTimeout() {
        return (int) get(Component.S_HALF_CLOSE_DRAIN_TIMEOUT);
    }

    /**
     * Sets the half-close drain timeout (at least 1, checked by {@code start}).
     *
     * @param millis milliseconds
     */
    default void setHalfCloseDrainTimeout(int millis) {
        set(Component.S_HALF_CLOSE_DRAIN_TIMEOUT, Component.nonNegative("halfCloseDrainTimeout", millis));
    }

    /**
     * SSL components: whether the TLS handshake starts by itself after connect/accept.
     * Default true.
     *
     * @return the flag
     */
    default boolean isSslAutoHandshake() {
        return get(Component.S_SSL_AUTO_HANDSHAKE) != 0;
    }

    /**
     * SSL components: false lets the application speak plaintext first, then call
     * {@code startSslHandshake}.
     *
     * @param auto the flag
     */
    default void setSslAutoHandshake(boolean auto) {
        set(Component.S_SSL_AUTO_HANDSHAKE, auto ? 1 : 0);
    }

    /**
     * SSL components: milliseconds a TLS handshake may take. Default 30 000; 0: no limit.
     *
     * @return milliseconds
     */
    default int getSslHandshakeTimeout() {
        return (int) get(Component.S_SSL_HANDSHAKE_TIMEOUT);
    }

    /**
     * Sets the TLS handshake timeout.
     *
     * @param millis milliseconds, 0 for none
     */
    default void setSslHandshakeTimeout(int millis) {
        set(Component.S_SSL_HANDSHAKE_TIMEOUT, Component.nonNegative("sslHandshakeTimeout", millis));
    }

    /**
     * SSL agents and clients: whether a server verified with {@code SSL_VM_PEER} must present
     * a certificate for the name connected to (the {@code hostname} of
     * {@code "address^hostname"}, else the host or IP given; subjectAltName DNS and IP
     * entries, RFC 6125 wildcards). Default true.
     *
     * @return the flag (servers keep it but never use it)
     */
    default boolean isSslVerifyHostName() {
        return get(Component.S_SSL_VERIFY_HOST_NAME) != 0;
    }

    /**
     * SSL agents and clients: false accepts a certificate for any name the CA signed, as
     * HP-Socket does; true (the default) fails the handshake on a mismatch ({@code onClose}
     * with {@code EKEYREJECTED}, {@link Component#getLastError()} "certificate is for other.test, not
     * evil.example").
     *
     * @param verify the flag
     */
    default void setSslVerifyHostName(boolean verify) {
        set(Component.S_SSL_VERIFY_HOST_NAME, verify ? 1 : 0);
    }

    /**
     * Timeout of a synchronous connect. Default 10 000 ms.
     *
     * @return milliseconds
     */
    default int getSyncConnectTimeout() {
        return (int) get(Component.S_SYNC_CONNECT_TIMEOUT);
    }

    /**
     * Sets the synchronous connect timeout (greater than 0).
     *
     * @param millis milliseconds
     */
    default void setSyncConnectTimeout(int millis) {
        set(Component.S_SYNC_CONNECT_TIMEOUT, Component.nonNegative("syncConnectTimeout", millis));
    }

    private long get(int key) {
        return ((Component) this).getSetting(key);
    }

    private void set(int key, long value) {
        ((Component) this).setSetting(key, value);
    }
}
