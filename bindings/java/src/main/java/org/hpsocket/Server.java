package org.hpsocket;

import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What every server has, TCP ({@link TcpServer} and its variants) or UDP ({@link UdpServer}):
 * a {@link ServerListener}, {@code start(address, port)}, the listen address, and the
 * connection operations of {@link MultiConnectionComponent}.
 */
public abstract class Server extends MultiConnectionComponent {
    private final ServerListener<?> listener;

    Server(ServerListener<?> listener, int role, int model, boolean ssl) {
        this(listener, role, model, ssl, 0);
    }

    Server(ServerListener<?> listener, int role, int model, boolean ssl, int extraMask) {
        super(role, model, ssl, mask(listener) | extraMask);
        this.listener = listener;
    }

    private static int mask(ServerListener<?> l) {
        Objects.requireNonNull(l, "listener");
        Class<?> i = ServerListener.class;
        Class<?> s = Server.class;
        return bit(overrides(l, i, "onPrepareListen", s, int.class), EV_PREPARE)
                | bit(overrides(l, i, "onAccept", s, long.class, int.class), EV_ACCEPT)
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
        ServerListener<Server> l = (ServerListener<Server>) listener;
        switch (event) {
            case EV_PREPARE:
                return l.onPrepareListen(this, (int) arg);
            case EV_ACCEPT:
                return l.onAccept(this, id, (int) arg);
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
     * Binds (TCP: and listens) and starts the workers.
     *
     * @param address the local address (empty or null: IPv4 any; {@code "::"} for IPv6 any)
     * @param port    the port, 0 for any free port (see {@link #getListenAddress()})
     * @throws HPSocketException if it cannot start (for example
     *                           {@link SocketError#SOCKET_BIND} with {@code EADDRINUSE})
     * @throws IllegalStateException if the server was closed
     */
    public void start(String address, int port) {
        try {
            Native.serverStart(handle(), address == null ? "" : address, port);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@link #start} as a future, for code written with futures: a server's start is
     * synchronous (it listens when {@code start} returns), so the future is already
     * complete, with the listen address, or failed with what {@code start} threw.
     *
     * @param address the local address
     * @param port    the port, 0 for any free port
     * @return the future of the listen address
     * @throws IllegalStateException if the server was closed
     */
    public CompletableFuture<InetSocketAddress> startAsync(String address, int port) {
        checkOpen();
        try {
            start(address, port);
            return CompletableFuture.completedFuture(getListenAddress());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The address the server listens on (its port is the real one when started on port 0).
     *
     * @return the address
     * @throws HPSocketException when not started
     */
    public InetSocketAddress getListenAddress() {
        return address0(0, 2);
    }
}
