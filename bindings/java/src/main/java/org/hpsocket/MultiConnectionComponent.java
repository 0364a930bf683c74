package org.hpsocket;

import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What servers and agents share: many connections, each named by a {@code long} ID, on a pool
 * of worker threads (HP-Socket's {@code IComplexSocket}).
 */
public abstract class MultiConnectionComponent extends Component {
    MultiConnectionComponent(int role, int model, boolean ssl, int eventMask) {
        super(role, model, ssl, eventMask);
    }

    /**
     * Sends all of {@code data} on a connection. The bytes are copied before this returns.
     * PACK components send it as one message.
     *
     * @param connId the connection
     * @param data   the bytes
     * @throws HPSocketException for an unknown or closed connection
     *                           ({@link SocketError#INVALID_PARAM}), a full send queue
     *                           ({@code ENOBUFS}), or a PACK message of a bad size
     *                           ({@code EMSGSIZE})
     */
    public void send(long connId, byte[] data) {
        send0(connId, data, 0, data.length);
    }

    /**
     * Sends {@code length} bytes of {@code data} from {@code offset}.
     *
     * @param connId the connection
     * @param data   the array
     * @param offset first byte
     * @param length number of bytes
     * @throws HPSocketException as {@link #send(long, byte[])}
     */
    public void send(long connId, byte[] data, int offset, int length) {
        send0(connId, data, offset, length);
    }

    /**
     * Sends the buffer's remaining bytes and advances its position to its limit. Direct
     * buffers are read in place.
     *
     * @param connId the connection
     * @param data   the buffer
     * @throws HPSocketException as {@link #send(long, byte[])}
     */
    public void send(long connId, ByteBuffer data) {
        send0(connId, data);
    }

    /**
     * Sends the remaining bytes of several buffers in order, as one send (one message for
     * PACK components).
     *
     * @param connId  the connection
     * @param buffers the buffers; each position advances to its limit
     * @throws HPSocketException as {@link #send(long, byte[])}
     */
    public void sendPackets(long connId, ByteBuffer... buffers) {
        sendPackets0(connId, buffers);
    }

    /**
     * Sends all of {@code data} on a connection; the future completes when the send queue
     * accepted the bytes (see {@link #sendAsync(long, byte[], int, int)}).
     *
     * @param connId the connection
     * @param data   the bytes (copied before this returns)
     * @return the future
     * @throws IllegalStateException if the component was closed
     */
    public CompletableFuture<Void> sendAsync(long connId, byte[] data) {
        return sendAsync(connId, data, 0, data.length);
    }

    /**
     * Sends {@code length} bytes of {@code data} from {@code offset}, waiting for room in
     * a bounded send queue instead of failing. The future completes when the component's
     * send queue <em>accepted</em> the bytes (not when they were written to the socket nor
     * when the peer got them): at once when there is room (always without
     * {@link #setMaxSendQueueBytes}); when the queue is full ({@code ENOBUFS}) the bytes
     * wait in a per-connection FIFO in the binding and go in after the next
     * {@code onSendDrained}, in the order of the {@code sendAsync} calls. It fails with the
     * {@link HPSocketException} {@code send} would throw (unknown connection, bad size), or
     * with a {@link ConnectionClosedException} for bytes still waiting when the connection
     * closes. Futures that complete later are completed on the
     * {@linkplain #getAsyncExecutor() async executor}. The waiting FIFO is not bounded: wait
     * for the futures to keep it short, and do not mix {@link #send} on a connection whose
     * {@code sendAsync} bytes are waiting (they would overtake).
     *
     * @param connId the connection
     * @param data   the array (the range is copied before this returns)
     * @param offset first byte
     * @param length number of bytes
     * @return the future
     * @throws IllegalStateException if the component was closed
     */
    public CompletableFuture<Void> sendAsync(long connId, byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        checkOpen();
        return async.send(connId, Arrays.copyOfRange(data, offset, offset + length));
    }

    /**
     * Sends {@code head}, the file's content and {@code tail} as one send. The file must be
     * at most 4 MiB - 1.
     *
     * @param connId the connection
     * @param file   the file
     * @param head   bytes before the file, or null
     * @param tail   bytes after the file, or null
     * @throws HPSocketException for a missing, empty or too large file, or as
     *                           {@link #send(long, byte[])}
     */
    public void sendSmallFile(long connId, Path file, byte[] head, byte[] tail) {
        sendSmallFile0(connId, Objects.requireNonNull(file), head, tail);
    }

    /**
     * Closes a connection; its {@code onClose(CLOSE, 0)} follows on its worker thread.
     *
     * @param connId the connection
     * @throws HPSocketException for an unknown or closed connection
     */
    public void disconnect(long connId) {
        try {
            Native.disconnect(handle(), connId);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Stops ({@code true}) or resumes ({@code false}) reading a connection.
     *
     * @param connId the connection
     * @param pause  whether to pause
     * @throws HPSocketException for an unknown or closed connection
     */
    public void pauseReceive(long connId, boolean pause) {
        pauseReceive0(connId, pause);
    }

    /**
     * Whether reading a connection is paused.
     *
     * @param connId the connection
     * @return true if paused
     * @throws HPSocketException for an unknown or closed connection
     */
    public boolean isPauseReceive(long connId) {
        return isPauseReceive0(connId);
    }

    /**
     * Whether the connection exists and is established.
     *
     * @param connId the connection
     * @return true if connected
     */
    public boolean isConnected(long connId) {
        return isConnected0(connId);
    }

    /**
     * The number of connections.
     *
     * @return the count
     */
    public int getConnectionCount() {
        try {
            return Native.connectionCount(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The IDs of every connection.
     *
     * @return a new array
     */
    public long[] getConnectionIds() {
        try {
            return Native.connectionIds(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Time since the connection was accepted or its connect started.
     *
     * @param connId the connection
     * @return the period
     * @throws HPSocketException for an unknown or closed connection
     */
    public Duration getConnectPeriod(long connId) {
        try {
            return Duration.ofMillis(Native.period(queryHandle(), connId, false));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Time since the connection last received data (needs {@link #setMarkSilence}).
     *
     * @param connId the connection
     * @return the period
     * @throws HPSocketException for an unknown or closed connection
     */
    public Duration getSilencePeriod(long connId) {
        try {
            return Duration.ofMillis(Native.period(queryHandle(), connId, true));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Disconnects every connection older than {@code period}.
     *
     * @param period the age
     */
    public void disconnectLongConnections(Duration period) {
        try {
            Native.disconnectOlder(handle(), millis(period), false);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Disconnects every connection that received nothing for {@code period}.
     *
     * @param period the silence
     */
    public void disconnectSilenceConnections(Duration period) {
        try {
            Native.disconnectOlder(handle(), millis(period), true);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The connection's local address.
     *
     * @param connId the connection
     * @return the address
     * @throws HPSocketException for an unknown or closed connection
     */
    public InetSocketAddress getLocalAddress(long connId) {
        return address0(connId, 0);
    }

    /**
     * The connection's peer address.
     *
     * @param connId the connection
     * @return the address
     * @throws HPSocketException for an unknown or closed connection
     */
    public InetSocketAddress getRemoteAddress(long connId) {
        return address0(connId, 1);
    }

    /**
     * Bytes accepted by {@code send} and not yet written to the socket.
     *
     * @param connId the connection
     * @return bytes pending
     * @throws HPSocketException for an unknown or closed connection
     */
    public long getPendingDataLength(long connId) {
        return pendingDataLength0(connId);
    }

    /**
     * Attaches an object to a connection (HP-Socket's connection extra). It is dropped after
     * the connection's {@code onClose} returns, and when the component stops.
     *
     * @param connId the connection
     * @param value  the object, or null to remove it
     */
    public void setAttachment(long connId, Object value) {
        attach(connId, value);
    }

    /**
     * The object attached with {@link #setAttachment}.
     *
     * @param <T>    the expected type
     * @param connId the connection
     * @return the object, or null
     */
    public <T> T getAttachment(long connId) {
        return attachment(connId);
    }

    /**
     * Worker threads. Default {@code min(2 * CPUs + 2, 512)}.
     *
     * @return the count
     */
    public int getWorkerThreadCount() {
        return (int) getSetting(S_WORKER_THREAD_COUNT);
    }

    /**
     * Sets the worker thread count (1 to 512).
     *
     * @param count the count
     */
    public void setWorkerThreadCount(int count) {
        setSetting(S_WORKER_THREAD_COUNT, nonNegative("workerThreadCount", count));
    }

    /**
     * Most simultaneous connections. Default 10 000.
     *
     * @return the limit
     */
    public int getMaxConnectionCount() {
        return (int) getSetting(S_MAX_CONNECTION_COUNT);
    }

    /**
     * Sets the most simultaneous connections.
     *
     * @param count the limit
     */
    public void setMaxConnectionCount(int count) {
        setSetting(S_MAX_CONNECTION_COUNT, nonNegative("maxConnectionCount", count));
    }

    /**
     * How long a closed connection's object stays unused. Default 20 000 ms.
     *
     * @return milliseconds
     */
    public int getFreeSocketObjLockTime() {
        return (int) getSetting(S_FREE_SOCKET_OBJ_LOCK_TIME);
    }

    /**
     * Sets how long a closed connection's object stays unused.
     *
     * @param millis milliseconds
     */
    public void setFreeSocketObjLockTime(int millis) {
        setSetting(S_FREE_SOCKET_OBJ_LOCK_TIME, nonNegative("freeSocketObjLockTime", millis));
    }

    /**
     * Cached closed-connection objects. Default 600.
     *
     * @return the pool size
     */
    public int getFreeSocketObjPool() {
        return (int) getSetting(S_FREE_SOCKET_OBJ_POOL);
    }

    /**
     * Sets the closed-connection object cache size.
     *
     * @param size the pool size
     */
    public void setFreeSocketObjPool(int size) {
        setSetting(S_FREE_SOCKET_OBJ_POOL, nonNegative("freeSocketObjPool", size));
    }

    /**
     * Cached send buffers. Default 1024.
     *
     * @return the pool size
     */
    public int getFreeBufferObjPool() {
        return (int) getSetting(S_FREE_BUFFER_OBJ_POOL);
    }

    /**
     * Sets the send buffer cache size.
     *
     * @param size the pool size
     */
    public void setFreeBufferObjPool(int size) {
        setSetting(S_FREE_BUFFER_OBJ_POOL, nonNegative("freeBufferObjPool", size));
    }

    /**
     * Whether the time of the last receive is recorded (needed by silence periods). Default
     * true.
     *
     * @return the flag
     */
    public boolean isMarkSilence() {
        return getSetting(S_MARK_SILENCE) != 0;
    }

    /**
     * Sets whether the time of the last receive is recorded.
     *
     * @param mark the flag
     */
    public void setMarkSilence(boolean mark) {
        setSetting(S_MARK_SILENCE, mark ? 1 : 0);
    }

    /**
     * Whether sends also count as activity for silence (an extension). Default false.
     *
     * @return the flag
     */
    public boolean isSilenceCountsSend() {
        return getSetting(S_SILENCE_COUNTS_SEND) != 0;
    }

    /**
     * Sets whether sends also count as activity for silence.
     *
     * @param counts the flag
     */
    public void setSilenceCountsSend(boolean counts) {
        setSetting(S_SILENCE_COUNTS_SEND, counts ? 1 : 0);
    }
}
