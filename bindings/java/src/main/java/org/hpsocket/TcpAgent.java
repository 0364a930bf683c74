package org.hpsocket;

import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP agent: a client of many connections on shared worker threads (PUSH model;
 * HP-Socket's {@code TcpAgent}). See {@link TcpPullAgent}, {@link TcpPackAgent} and
 * {@link SslAgent}.
 *
 * <pre>{@code
 * TcpAgent agent = new TcpAgent(listener);
 * agent.start();                               // asynchronous connects
 * long id = agent.connect("127.0.0.1", 5555);  // onConnect follows
 * }</pre>
 */
public class TcpAgent extends MultiConnectionComponent {
    private final AgentListener<?> listener;

    /**
     * A stopped agent reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public TcpAgent(AgentListener<? super TcpAgent> listener) {
        this(listener, MODEL_PUSH, false);
    }

    TcpAgent(AgentListener<?> listener, int model, boolean ssl) {
        this(listener, model, ssl, 0);
    }

    TcpAgent(AgentListener<?> listener, int model, boolean ssl, int extraMask) {
        this(listener, ROLE_AGENT, model, ssl, extraMask);
    }

    TcpAgent(AgentListener<?> listener, int role, int model, boolean ssl, int extraMask) {
        super(role, model, ssl, mask(listener) | extraMask);
        this.listener = listener;
    }

    private static int mask(AgentListener<?> l) {
        Objects.requireNonNull(l, "listener");
        Class<?> i = AgentListener.class;
        Class<?> s = TcpAgent.class;
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
                | 1 << EV_CLOSE | 1 << EV_SHUTDOWN;
    }

    @Override
    @SuppressWarnings("unchecked")
    final HandleResult deliver(int event, long id, long arg, ByteBuffer data) {
        AgentListener<TcpAgent> l = (AgentListener<TcpAgent>) listener;
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
            case EV_SHUTDOWN:
                return l.onShutdown(this);
            default:
                return HandleResult.IGNORE;
        }
    }

    /**
     * Starts the workers; {@link #connect} then returns at once and the outcome arrives as
     * {@code onConnect} or {@code onClose(CONNECT, errno)} (HP-Socket's default).
     *
     * @throws HPSocketException if it cannot start
     * @throws IllegalStateException if the agent was closed
     */
    public void start() {
        start(null, true);
    }

    /**
     * Starts the workers.
     *
     * @param bindAddress  local address of every connect (null or empty: any)
     * @param asyncConnect whether {@link #connect} returns at once (true) or blocks until
     *                     connected or {@link #getSyncConnectTimeout()} (false)
     * @throws HPSocketException if it cannot start
     * @throws IllegalStateException if the agent was closed
     */
    public void start(String bindAddress, boolean asyncConnect) {
        try {
            Native.agentStart(handle(), bindAddress, asyncConnect);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Connects to a server.
     *
     * @param host an IP address or host name (or HP-Socket's {@code "address^hostname"})
     * @param port the port
     * @return the new connection's ID
     * @throws HPSocketException if the connect fails at once (always, for a failed
     *                           synchronous connect)
     */
    public long connect(String host, int port) {
        return connect(host, port, null, 0);
    }

    /**
     * Connects to a server from a given local address and/or port.
     *
     * @param host         the server's address or name
     * @param port         the server's port
     * @param localAddress local address to bind (null: the agent's start address)
     * @param localPort    local port to bind (0: any)
     * @return the new connection's ID
     * @throws HPSocketException if the connect fails at once
     */
    public long connect(String host, int port, String localAddress, int localPort) {
        Objects.requireNonNull(host, "host");
        try {
            return Native.agentConnect(handle(), host, port, localAddress, localPort);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Connects, and tells when the connection is ready (see
     * {@link #connectAsync(String, int, String, int)}).
     *
     * @param host an IP address or host name
     * @param port the port
     * @return the future of the connection's ID
     * @throws IllegalStateException if the agent was closed
     */
    public CompletableFuture<Long> connectAsync(String host, int port) {
        return connectAsync(host, port, null, 0);
    }

    /**
     * Connects, and returns a future of the connection's ID that completes when the
     * connection is ready to send: on its {@code onConnect}, or on its {@code onHandshake}
     * for {@link UdpArqAgent} and for SSL agents with automatic handshakes. It fails with a
     * {@link ConnectionClosedException} carrying the close reason when the connection closes
     * first (a refused connect: {@code CONNECT}, {@code ECONNREFUSED}), and with the
     * {@link HPSocketException} of {@link #connect} when the connect fails at once. The
     * future is completed on the {@linkplain #getAsyncExecutor() async executor}, never on
     * an I/O thread, and after the listener's own {@code onConnect}/{@code onHandshake}
     * returned (one that returns {@link HandleResult#ERROR} closes the connection: the
     * future then fails). On an agent started with {@code asyncConnect} false this blocks as
     * {@link #connect} does. Cancelling the future does not cancel the connect.
     *
     * @param host         the server's address or name
     * @param port         the server's port
     * @param localAddress local address to bind (null: the agent's start address)
     * @param localPort    local port to bind (0: any)
     * @return the future of the connection's ID
     * @throws IllegalStateException if the agent was closed
     */
    public CompletableFuture<Long> connectAsync(String host, int port, String localAddress, int localPort) {
        Objects.requireNonNull(host, "host");
        checkOpen();
        Async.Pending p = async.begin(readyOnHandshake());
        try {
            long id = connect(host, port, localAddress, localPort);
            async.end(p, id, null);
        } catch (RuntimeException e) {
            async.end(p, 0, e);
        }
        return p.future;
    }

    /**
     * The host and port given to {@link #connect} (unresolved).
     *
     * @param connId the connection
     * @return the host and port
     * @throws HPSocketException for an unknown or closed connection
     */
    public InetSocketAddress getRemoteHost(long connId) {
        return remoteHost0(connId);
    }
}
