package org.hpsocket;

/**
 * Extension: a reliable UDP agent, many outgoing ARQ sessions in one object, each with its
 * connection ID, as {@link TcpAgent} is for TCP (HP-Socket has none: its users open one
 * {@link UdpArqClient} per session). Each {@code connect} opens a UDP socket of its own, runs
 * HP-Socket's 12-byte handshake with a {@link UdpArqServer} (or HP-Socket's own), then KCP:
 * {@code onHandshake} fires once the handshake completes (none within
 * {@link #getHandShakeTimeout()} ms: {@code onClose(CLOSE, ETIMEDOUT)}); after it, one
 * {@code send} is one message of 1 to {@link #getMaxMessageSize()} bytes, delivered whole and
 * in order by one {@code onReceive} (see {@link UdpArqServer} for the rules). A send before the
 * handshake throws ({@link SocketError#ILLEGAL_STATE}, {@code ENOTCONN}), one on an unknown or
 * closed connection throws ({@link SocketError#INVALID_PARAM}, {@code EBADSLT}).
 * {@link #connectAsync} completes on {@code onHandshake}. PUSH model only; the TCP-only
 * settings (socket buffer, keep-alive, sync connect timeout) throw {@link HPSocketException}
 * here, and {@link #isNoDelay()} is KCP's nodelay.
 *
 * <pre>{@code
 * try (UdpArqAgent agent = new UdpArqAgent(listener)) {   // listener.onHandshake: ready
 *     agent.start();
 *     long a = agent.connectAsync("127.0.0.1", 5555).join();   // handshaken
 *     agent.send(a, new byte[4096]);                           // one message, arrives whole
 * }
 * }</pre>
 */
public non-sealed class UdpArqAgent extends TcpAgent implements ArqConnections, UdpSocketBuffers {
    /**
     * A stopped ARQ agent reporting to {@code listener}, with HP-Socket's default ARQ settings.
     *
     * @param listener the events' receiver
     */
    public UdpArqAgent(AgentListener<? super UdpArqAgent> listener) {
        super(listener, ROLE_UDP_ARQ_AGENT, MODEL_PUSH, false, 0);
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
