package org.hpsocket;

import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A TCP server (PUSH model: {@code onReceive} gets bytes as they are read; HP-Socket's
 * {@code TcpServer}). See {@link TcpPullServer} and {@link TcpPackServer} for the other
 * receive models and {@link SslServer} for TLS.
 *
 * <pre>{@code
 * try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
 *     @Override
 *     public HandleResult onReceive(TcpServer s, long connId, ByteBuffer data) {
 *         s.send(connId, data);   // echo
 *         return HandleResult.OK;
 *     }
 * })) {
 *     server.start("0.0.0.0", 5555);
 *     server.await();
 * }
 * }</pre>
 */
public class TcpServer extends MultiConnectionComponent {
    private final ServerListener<?> listener;

    /**
     * A stopped server reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public TcpServer(ServerListener<? super TcpServer> listener) {
        this(listener, MODEL_PUSH, false);
    }

    TcpServer(ServerListener<?> listener, int model, boolean ssl) {
        super(ROLE_SERVER, model, ssl, mask(listener));
        this.listener = listener;
    }

    private static int mask(ServerListener<?> l) {
        Objects.requireNonNull(l, "listener");
        Class<?> i = ServerListener.class;
        Class<?> s = TcpServer.class;
        return bit(overrides(l, i, "onPrepareListen", s, int.class), EV_PREPARE)
                | bit(overrides(l, i, "onAccept", s, long.class, int.class), EV_ACCEPT)
                | bit(overrides(l, i, "onHandshake", s, long.class), EV_HANDSHAKE)
                | bit(overrides(l, i, "onSend", s, long.class, ByteBuffer.class), EV_SEND)
                | bit(overrides(l, i, "onReceive", s, long.class, ByteBuffer.class)
                        || overrides(l, i, "onReceive", s, long.class, byte[].class), EV_RECEIVE)
                | bit(overrides(l, i, "onPullReceive", s, long.class, int.class), EV_PULL_RECEIVE)
                | bit(overrides(l, i, "onSendDrained", s, long.class, long.class), EV_SEND_DRAINED)
                | 1 << EV_CLOSE | 1 << EV_SHUTDOWN;
    }

    @Override
    @SuppressWarnings("unchecked")
    final HandleResult deliver(int event, long id, long arg, ByteBuffer data) {
        ServerListener<TcpServer> l = (ServerListener<TcpServer>) listener;
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
            case EV_CLOSE:
                return l.onClose(this, id, SocketOperation.of((int) (arg >> 32)), (int) arg);
            case EV_SHUTDOWN:
                return l.onShutdown(this);
            default:
                return HandleResult.IGNORE;
        }
    }

    /**
     * Binds, listens and starts the workers.
     *
     * @param address the local address (empty or null: IPv4 any; {@code "::"} for IPv6 any)
     * @param port    the port, 0 for any free port (see {@link #getListenAddress()})
     * @throws HPSocketException if it cannot start (for example
     *                           {@link SocketError#SOCKET_BIND} with {@code EADDRINUSE})
     * @throws IllegalStateException if the server was closed
     */
    public void start(String address, int port) {
        checkOpen();
        try {
            Native.serverStart(handle, address == null ? "" : address, port);
        } finally {
            Reference.reachabilityFence(this);
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

    /**
     * The {@code listen()} backlog. Default {@code SOMAXCONN}.
     *
     * @return the backlog
     */
    public int getSocketListenQueue() {
        return (int) getSetting(S_SOCKET_LISTEN_QUEUE);
    }

    /**
     * Sets the {@code listen()} backlog (greater than 0).
     *
     * @param backlog the backlog
     */
    public void setSocketListenQueue(int backlog) {
        setSetting(S_SOCKET_LISTEN_QUEUE, nonNegative("socketListenQueue", backlog));
    }

    /**
     * Readiness events taken per poll. Default 64.
     *
     * @return the count
     */
    public int getAcceptSocketCount() {
        return (int) getSetting(S_ACCEPT_SOCKET_COUNT);
    }

    /**
     * Sets the readiness events taken per poll (greater than 0).
     *
     * @param count the count
     */
    public void setAcceptSocketCount(int count) {
        setSetting(S_ACCEPT_SOCKET_COUNT, nonNegative("acceptSocketCount", count));
    }
}
