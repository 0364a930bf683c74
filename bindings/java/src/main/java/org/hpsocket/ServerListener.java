package org.hpsocket;

import java.nio.ByteBuffer;

/**
 * Events of a server ({@link TcpServer} and its Pull, Pack and SSL variants, or
 * {@link UdpServer}; HP-Socket's {@code ITcpServerListener}/{@code IUdpServerListener}). Every method has a default that does nothing and returns
 * {@link HandleResult#IGNORE}, so a listener overrides only what it needs; events it does not
 * override are never sent up from native code.
 *
 * <p>Callbacks run on the server's worker threads; one connection's callbacks never overlap.
 * Inside a callback a listener may use the sender's connection methods ({@code send},
 * {@code disconnect}, {@code fetch}, ...); {@code stop()} and {@code await()} throw there
 * (they would wait for themselves), {@code close()} finishes in the background. A callback
 * that throws counts as {@link HandleResult#ERROR}; see {@link Component}.
 *
 * <p><b>Buffers</b>: the {@link ByteBuffer} given to {@link #onReceive(Server, long,
 * ByteBuffer)} and {@link #onSend} is valid only during the call: it is the worker's reusable
 * buffer and the next callback overwrites it. Copy what you keep (the {@code byte[]} variant of
 * {@code onReceive} is such a copy).
 *
 * @param <S> the server type the callbacks receive as their sender
 */
public interface ServerListener<S extends Server> {
    /**
     * The listening socket is bound but not yet listening. Runs on the thread calling
     * {@code start}. {@link HandleResult#ERROR} makes {@code start} fail with
     * {@link SocketError#SOCKET_PREPARE}.
     *
     * @param server   the sender
     * @param listenFd the listening socket's file descriptor
     * @return the handle result
     */
    default HandleResult onPrepareListen(S server, int listenFd) {
        return HandleResult.IGNORE;
    }

    /**
     * A connection was accepted. {@link HandleResult#ERROR} rejects it: the socket is closed
     * and no {@code onClose} follows. For a {@link UdpServer} a connection is a peer address,
     * accepted at its first datagram: {@code fd} is the server socket the datagram came in on,
     * and {@code server.getRemoteAddress(connId)} is the peer.
     *
     * @param server the sender
     * @param connId the new connection's ID
     * @param fd     its socket's file descriptor (UDP: the receiving server socket's)
     * @return the handle result
     */
    default HandleResult onAccept(S server, long connId, int fd) {
        return HandleResult.IGNORE;
    }

    /**
     * The connection is ready for data (after the TLS handshake for SSL servers).
     * {@link HandleResult#ERROR} closes it.
     *
     * @param server the sender
     * @param connId the connection
     * @return the handle result
     */
    default HandleResult onHandshake(S server, long connId) {
        return HandleResult.IGNORE;
    }

    /**
     * Data was written to the socket. The result is ignored. When a send is written
     * straight from a callback, this fires inside that {@code send} call.
     *
     * @param server the sender
     * @param connId the connection
     * @param data   the bytes written; valid only during the call
     * @return ignored
     */
    default HandleResult onSend(S server, long connId, ByteBuffer data) {
        return HandleResult.IGNORE;
    }

    /**
     * Data arrived (PUSH servers: as read; PACK servers: one whole message). The default
     * copies the bytes and calls {@link #onReceive(Server, long, byte[])}.
     * {@link HandleResult#ERROR} closes the connection with {@code (RECEIVE, ECANCELED)}.
     *
     * @param server the sender
     * @param connId the connection
     * @param data   the bytes, from its position to its limit; valid only during the call
     *               (the worker reuses the buffer), so copy what you keep
     * @return the handle result
     */
    default HandleResult onReceive(S server, long connId, ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        return onReceive(server, connId, copy);
    }

    /**
     * Data arrived, as an array the listener owns. Called by the default
     * {@link #onReceive(Server, long, ByteBuffer)}; override one of the two.
     *
     * @param server the sender
     * @param connId the connection
     * @param data   a copy of the bytes
     * @return the handle result
     */
    default HandleResult onReceive(S server, long connId, byte[] data) {
        return HandleResult.IGNORE;
    }

    /**
     * PULL servers: {@code length} bytes are now buffered for the connection; take them with
     * {@code fetch}/{@code peek}.
     *
     * @param server the sender
     * @param connId the connection
     * @param length total bytes buffered
     * @return the handle result ({@link HandleResult#ERROR} closes the connection)
     */
    default HandleResult onPullReceive(S server, long connId, int length) {
        return HandleResult.IGNORE;
    }

    /**
     * A send was refused because the connection's send queue was full
     * ({@link Component#setMaxSendQueueBytes}), and the queue is now down to the low
     * watermark. Fired once per refusal episode; the result is ignored.
     *
     * @param server  the sender
     * @param connId  the connection
     * @param pending bytes still queued
     * @return ignored
     */
    default HandleResult onSendDrained(S server, long connId, long pending) {
        return HandleResult.IGNORE;
    }

    /**
     * Extension (ARQ partial reliability): the message that {@code sendEx} returned
     * {@code messageId} for ({@code size} bytes) was given up, its deadline passed or its
     * retransmit limit reached; the peer skips it and goes on delivering the following
     * messages in order. Fired once per message, on the connection's worker; ARQ components
     * only. The result is ignored.
     *
     * @param server    the sender
     * @param connId    the connection
     * @param messageId the id {@code sendEx} returned
     * @param size      the message's size in bytes
     * @return ignored
     */
    default HandleResult onMessageDropped(S server, long connId, long messageId, int size) {
        return HandleResult.IGNORE;
    }

    /**
     * The connection closed: {@code (CLOSE, 0)} for a normal close, else the failing operation
     * and an {@code errno}. Fired once per accepted connection; its attachment is still
     * readable here. The result is ignored.
     *
     * @param server    the sender
     * @param connId    the connection
     * @param operation what failed, {@link SocketOperation#CLOSE} for a normal close
     * @param errorCode the {@code errno}, 0 for a normal close
     * @return ignored
     */
    default HandleResult onClose(S server, long connId, SocketOperation operation, int errorCode) {
        return HandleResult.IGNORE;
    }

    /**
     * The server stopped; the last event it sends. The result is ignored.
     *
     * @param server the sender
     * @return ignored
     */
    default HandleResult onShutdown(S server) {
        return HandleResult.IGNORE;
    }
}
