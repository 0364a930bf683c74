package org.hpsocket;

import java.nio.ByteBuffer;

/**
 * Events of a client ({@link TcpClient} and its Pull, Pack and SSL variants, or
 * {@link UdpClient}; HP-Socket's {@code ITcpClientListener}/{@code IUdpClientListener}). A client has one connection and no shutdown event: after
 * {@code onClose} it stops by itself. Every method has a default that does nothing and returns
 * {@link HandleResult#IGNORE}, so a listener overrides only what it needs; events it does not
 * override are never sent up from native code.
 *
 * <p>Callbacks run on the client's worker thread; one connection's callbacks never overlap.
 * Inside a callback a listener may use the sender's connection methods ({@code send},
 * {@code disconnect}, {@code fetch}, ...); {@code stop()} and {@code close()} finish in the
 * background there, {@code await()} throws (it would wait for itself). A callback
 * that throws counts as {@link HandleResult#ERROR}; see {@link Component}.
 *
 * <p><b>Buffers</b>: the {@link ByteBuffer} given to {@link #onReceive(Client, long,
 * ByteBuffer)} and {@link #onSend} is valid only during the call: it is the worker's reusable
 * buffer and the next callback overwrites it. Copy what you keep (the {@code byte[]} variant of
 * {@code onReceive} is such a copy).
 *
 * @param <C> the client type the callbacks receive as their sender
 */
public interface ClientListener<C extends Client> {
    /**
     * The socket exists (and is bound), {@code connect()} is not called yet.
     * {@link HandleResult#ERROR} makes {@code start} fail.
     *
     * @param client the sender
     * @param connId the connection
     * @param fd     its socket's file descriptor
     * @return the handle result
     */
    default HandleResult onPrepareConnect(C client, long connId, int fd) {
        return HandleResult.IGNORE;
    }

    /**
     * The TCP connection is established. {@link HandleResult#ERROR} fails a synchronous
     * {@code start} or closes an asynchronous one.
     *
     * @param client the sender
     * @param connId the connection
     * @return the handle result
     */
    default HandleResult onConnect(C client, long connId) {
        return HandleResult.IGNORE;
    }

    /**
     * The connection is ready for data (after the TLS handshake for SSL clients).
     * {@link HandleResult#ERROR} closes it.
     *
     * @param client the sender
     * @param connId the connection
     * @return the handle result
     */
    default HandleResult onHandshake(C client, long connId) {
        return HandleResult.IGNORE;
    }

    /**
     * Data was written to the socket. The result is ignored. When a send is written
     * straight from a callback, this fires inside that {@code send} call.
     *
     * @param client the sender
     * @param connId the connection
     * @param data   the bytes written; valid only during the call
     * @return ignored
     */
    default HandleResult onSend(C client, long connId, ByteBuffer data) {
        return HandleResult.IGNORE;
    }

    /**
     * Data arrived (PUSH clients: as read; PACK clients: one whole message). The default
     * copies the bytes and calls {@link #onReceive(Client, long, byte[])}.
     * {@link HandleResult#ERROR} closes the connection with {@code (RECEIVE, ECANCELED)}.
     *
     * @param client the sender
     * @param connId the connection
     * @param data   the bytes, from its position to its limit; valid only during the call
     *               (the worker reuses the buffer), so copy what you keep
     * @return the handle result
     */
    default HandleResult onReceive(C client, long connId, ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        return onReceive(client, connId, copy);
    }

    /**
     * Data arrived, as an array the listener owns. Called by the default
     * {@link #onReceive(Client, long, ByteBuffer)}; override one of the two.
     *
     * @param client the sender
     * @param connId the connection
     * @param data   a copy of the bytes
     * @return the handle result
     */
    default HandleResult onReceive(C client, long connId, byte[] data) {
        return HandleResult.IGNORE;
    }

    /**
     * PULL clients: {@code length} bytes are now buffered for the connection; take them with
     * {@code fetch}/{@code peek}.
     *
     * @param client the sender
     * @param connId the connection
     * @param length total bytes buffered
     * @return the handle result ({@link HandleResult#ERROR} closes the connection)
     */
    default HandleResult onPullReceive(C client, long connId, int length) {
        return HandleResult.IGNORE;
    }

    /**
     * A send was refused because the connection's send queue was full
     * ({@link Component#setMaxSendQueueBytes}), and the queue is now down to the low
     * watermark. Fired once per refusal episode; the result is ignored.
     *
     * @param client  the sender
     * @param connId  the connection
     * @param pending bytes still queued
     * @return ignored
     */
    default HandleResult onSendDrained(C client, long connId, long pending) {
        return HandleResult.IGNORE;
    }

    /**
     * Extension (ARQ partial reliability): the message that {@code sendEx} returned
     * {@code messageId} for ({@code size} bytes) was given up, its deadline passed or its
     * retransmit limit reached; the peer skips it and goes on delivering the following
     * messages in order. Fired once per message, on the connection's worker; ARQ components
     * only. The result is ignored.
     *
     * @param client    the sender
     * @param connId    the connection
     * @param messageId the id {@code sendEx} returned
     * @param size      the message's size in bytes
     * @return ignored
     */
    default HandleResult onMessageDropped(C client, long connId, long messageId, int size) {
        return HandleResult.IGNORE;
    }

    /**
     * The connection closed: {@code (CLOSE, 0)} for a normal close, else the failing operation
     * and an {@code errno}. Fired once per connection (a failed asynchronous connect reports
     * {@link SocketOperation#CONNECT}); its attachment is still
     * readable here. The result is ignored.
     *
     * @param client    the sender
     * @param connId    the connection
     * @param operation what failed, {@link SocketOperation#CLOSE} for a normal close
     * @param errorCode the {@code errno}, 0 for a normal close
     * @return ignored
     */
    default HandleResult onClose(C client, long connId, SocketOperation operation, int errorCode) {
        return HandleResult.IGNORE;
    }
}
