package org.hpsocket;

import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What every client has, TCP ({@link TcpClient} and its variants) or UDP ({@link UdpClient}):
 * a {@link ClientListener}, {@code start}, sending, the connection's queries and its
 * attachment. A client stops by itself after its connection's {@code onClose}.
 */
public abstract class Client extends Component {
    private final ClientListener<?> listener;
    private volatile Object attachment;

    Client(ClientListener<?> listener, int role, int model, boolean ssl) {
        this(listener, role, model, ssl, 0);
    }

    Client(ClientListener<?> listener, int role, int model, boolean ssl, int extraMask) {
        super(role, model, ssl, mask(listener) | extraMask);
        this.listener = listener;
    }

    private static int mask(ClientListener<?> l) {
        Objects.requireNonNull(l, "listener");
        Class<?> i = ClientListener.class;
        Class<?> s = Client.class;
        return bit(overrides(l, i, "onPrepareConnect", s, long.class, int.class), EV_PREPARE)
                | bit(overrides(l, i, "onConnect", s, long.class), EV_CONNECT)
                | bit(overrides(l, i, "onHandshake", s, long.class), EV_HANDSHAKE)
                | bit(overrides(l, i, "onSend", s, long.class, ByteBuffer.class), EV_SEND)
                | bit(overrides(l, i, "onReceive", s, long.class, ByteBuffer.class)
                        || overrides(l, i, "onReceive", s, long.class, byte[].class), EV_RECEIVE)
                | bit(overrides(l, i, "onPullReceive", s, long.class, int.class), EV_PULL_RECEIVE)
                | bit(overrides(l, i, "onSendDrained", s, long.class, long.class), EV_SEND_DRAINED)
                | bit(overrides(l, i, "onMessageDropped", s, long.class, long.class, int.class),
                        EV_MESSAGE_DROPPED)
                | 1 << EV_CLOSE;
    }

    @Override
    @SuppressWarnings("unchecked")
    final HandleResult deliver(int event, long id, long arg, ByteBuffer data) {
        ClientListener<Client> l = (ClientListener<Client>) listener;
        switch (event) {
            case EV_PREPARE:
                return l.onPrepareConnect(this, id, (int) arg);
            case EV_CONNECT:
                return l.onConnect(this, id);
            case EV_HANDSHAKE:
                return l.onHandshake(this, id);
            case EV_SEND:
                return l.onSend(this, id, data);
            case EV_RECEIVE:
                return l.onReceive(this, id, data);
            case EV_PULL_RECEIVE:
                return l.onPullReceive(this, id, (int) Math.min(arg, Integer.MAX_VALUE));
            case EV_SEND_DRAINED:
                return l.onSendDrained(this, id, arg);
            case EV_MESSAGE_DROPPED:
                return l.onMessageDropped(this, id, arg >>> 32, (int) arg);
            case EV_CLOSE:
                return l.onClose(this, id, SocketOperation.of((int) (arg >> 32)), (int) arg);
            default:
                return HandleResult.IGNORE;
        }
    }

    /**
     * Connects and blocks until connected (or {@link #getSyncConnectTimeout()}).
     *
     * @param host the server's address or name
     * @param port the server's port
     * @throws HPSocketException if the connect fails ({@link SocketError#CONNECT_SERVER})
     * @throws IllegalStateException if the client was closed
     */
    public void start(String host, int port) {
        start(host, port, false, null, 0);
    }

    /**
     * Connects.
     *
     * @param host         the server's address or name
     * @param port         the server's port
     * @param asyncConnect true: return at once, the outcome arrives as {@code onConnect} or
     *                     {@code onClose(CONNECT, errno)}; false: block until connected
     * @throws HPSocketException if it cannot start or (synchronously) connect
     * @throws IllegalStateException if the client was closed
     */
    public void start(String host, int port, boolean asyncConnect) {
        start(host, port, asyncConnect, null, 0);
    }

    /**
     * Connects from a given local address and/or port.
     *
     * @param host         the server's address or name
     * @param port         the server's port
     * @param asyncConnect whether to return before the connect completes
     * @param bindAddress  local address (null: any)
     * @param localPort    local port (0: any)
     * @throws HPSocketException if it cannot start or (synchronously) connect
     * @throws IllegalStateException if the client was closed
     */
    public void start(String host, int port, boolean asyncConnect, String bindAddress, int localPort) {
        Objects.requireNonNull(host, "host");
        try {
            Native.clientStart(handle(), host, port, asyncConnect, bindAddress, localPort);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Connects asynchronously; the future completes when the connection is ready (see
     * {@link #startAsync(String, int, String, int)}).
     *
     * @param host the server's address or name
     * @param port the server's port
     * @return the future of the connection's ID
     * @throws IllegalStateException if the client was closed
     */
    public CompletableFuture<Long> startAsync(String host, int port) {
        return startAsync(host, port, null, 0);
    }

    /**
     * Starts with an asynchronous connect and returns a future of the connection's ID that
     * completes when it is ready to send: on {@code onConnect}, or on {@code onHandshake}
     * for {@link UdpArqClient} and for SSL clients with automatic handshakes. It fails with
     * a {@link ConnectionClosedException} carrying the close reason when the connection
     * closes first (a refused connect: {@code CONNECT}, {@code ECONNREFUSED}), and with the
     * {@link HPSocketException} of {@code start} when it fails at once (or with an
     * {@link IllegalStateException} while an earlier {@code startAsync} is still pending).
     * It is completed on the {@linkplain #getAsyncExecutor() async executor}, never on an I/O
     * thread, and after the listener's own {@code onConnect}/{@code onHandshake} returned.
     *
     * @param host        the server's address or name
     * @param port        the server's port
     * @param bindAddress local address (null: any)
     * @param localPort   local port (0: any)
     * @return the future of the connection's ID
     * @throws IllegalStateException if the client was closed
     */
    public CompletableFuture<Long> startAsync(String host, int port, String bindAddress, int localPort) {
        Objects.requireNonNull(host, "host");
        checkOpen();
        Async.Pending p = async.beginStart(readyOnHandshake());
        if (p == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("a startAsync is already pending"));
        }
        try {
            start(host, port, true, bindAddress, localPort);
            async.end(p, 0, null);
        } catch (RuntimeException e) {
            async.end(p, 0, e);
        }
        return p.future;
    }

    /**
     * Sends all of {@code data}; the future completes when the send queue accepted it (see
     * {@link MultiConnectionComponent#sendAsync(long, byte[], int, int)} for the rules).
     *
     * @param data the bytes (copied before this returns)
     * @return the future
     * @throws IllegalStateException if the client was closed
     */
    public CompletableFuture<Void> sendAsync(byte[] data) {
        return sendAsync(data, 0, data.length);
    }

    /**
     * Sends {@code length} bytes of {@code data} from {@code offset}; the future completes
     * when the send queue accepted them (see
     * {@link MultiConnectionComponent#sendAsync(long, byte[], int, int)} for the rules).
     *
     * @param data   the array (the range is copied before this returns)
     * @param offset first byte
     * @param length number of bytes
     * @return the future
     * @throws IllegalStateException if the client was closed
     */
    public CompletableFuture<Void> sendAsync(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        checkOpen();
        return async.send(0, Arrays.copyOfRange(data, offset, offset + length));
    }

    /**
     * Sends all of {@code data}; the bytes are copied before this returns. PACK clients send
     * it as one message, UDP clients as one datagram.
     *
     * @param data the bytes
     * @throws HPSocketException when not connected, for a full send queue ({@code ENOBUFS}) or
     *                           a PACK message of a bad size ({@code EMSGSIZE})
     */
    public void send(byte[] data) {
        send0(0, data, 0, data.length);
    }

    /**
     * Sends {@code length} bytes of {@code data} from {@code offset}.
     *
     * @param data   the array
     * @param offset first byte
     * @param length number of bytes
     * @throws HPSocketException as {@link #send(byte[])}
     */
    public void send(byte[] data, int offset, int length) {
        send0(0, data, offset, length);
    }

    /**
     * Sends the buffer's remaining bytes and advances its position to its limit.
     *
     * @param data the buffer
     * @throws HPSocketException as {@link #send(byte[])}
     */
    public void send(ByteBuffer data) {
        send0(0, data);
    }

    /**
     * Sends the remaining bytes of several buffers in order, as one send (one datagram for
     * UDP).
     *
     * @param buffers the buffers; each position advances to its limit
     * @throws HPSocketException as {@link #send(byte[])}
     */
    public void sendPackets(ByteBuffer... buffers) {
        sendPackets0(0, buffers);
    }

    /**
     * Sends {@code head}, the file's content (at most 4 MiB - 1) and {@code tail} as one send.
     *
     * @param file the file
     * @param head bytes before it, or null
     * @param tail bytes after it, or null
     * @throws HPSocketException for a bad file, or as {@link #send(byte[])}
     */
    public void sendSmallFile(Path file, byte[] head, byte[] tail) {
        sendSmallFile0(0, Objects.requireNonNull(file), head, tail);
    }

    /**
     * Stops ({@code true}) or resumes ({@code false}) reading.
     *
     * @param pause whether to pause
     * @throws HPSocketException when not connected
     */
    public void pauseReceive(boolean pause) {
        pauseReceive0(0, pause);
    }

    /**
     * Whether reading is paused.
     *
     * @return true if paused
     * @throws HPSocketException when not connected
     */
    public boolean isPauseReceive() {
        return isPauseReceive0(0);
    }

    /**
     * Whether the connection is established.
     *
     * @return true if connected
     */
    public boolean isConnected() {
        return isConnected0(0);
    }

    /**
     * The ID of the current (or last) connection, as the callbacks see it; 0 before the
     * first start.
     *
     * @return the ID
     */
    public long getConnectionId() {
        try {
            return Native.connectionId(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The connection's local address.
     *
     * @return the address
     * @throws HPSocketException when not connected
     */
    public InetSocketAddress getLocalAddress() {
        return address0(0, 0);
    }

    /**
     * The connection's peer address.
     *
     * @return the address
     * @throws HPSocketException when not connected
     */
    public InetSocketAddress getRemoteAddress() {
        return address0(0, 1);
    }

    /**
     * The host and port given to {@code start} (unresolved).
     *
     * @return the host and port
     * @throws HPSocketException when not connected
     */
    public InetSocketAddress getRemoteHost() {
        return remoteHost0(0);
    }

    /**
     * Bytes accepted by {@code send} and not yet written.
     *
     * @return bytes pending
     * @throws HPSocketException when not connected
     */
    public long getPendingDataLength() {
        return pendingDataLength0(0);
    }

    /**
     * Attaches an object to the client (HP-Socket's extra); kept across restarts.
     *
     * @param value the object, or null
     */
    public void setAttachment(Object value) {
        checkOpen();
        this.attachment = value;
    }

    /**
     * The object set with {@link #setAttachment}.
     *
     * @param <T> the expected type
     * @return the object, or null
     */
    @SuppressWarnings("unchecked")
    public <T> T getAttachment() {
        return (T) attachment;
    }

    /**
     * Cached send buffers. Default 60.
     *
     * @return the pool size
     */
    public int getFreeBufferPoolSize() {
        return (int) getSetting(S_FREE_BUFFER_OBJ_POOL);
    }

    /**
     * Sets the send buffer cache size.
     *
     * @param size the pool size
     */
    public void setFreeBufferPoolSize(int size) {
        setSetting(S_FREE_BUFFER_OBJ_POOL, nonNegative("freeBufferPoolSize", size));
    }
}
