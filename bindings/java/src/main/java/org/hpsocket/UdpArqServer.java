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
public non-sealed class UdpArqServer extends UdpServer implements ArqConnections {
    /**
     * A stopped ARQ server reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public UdpArqServer(ServerListener<? super UdpArqServer> listener) {
        super(listener, ROLE_UDP_ARQ_SERVER);
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
}
