package org.hpsocket;

/**
 * A TCP client: one connection on its own worker thread (PUSH model; HP-Socket's
 * {@code TcpClient}). When the connection closes (either side) the client stops by itself
 * after {@code onClose}; {@code start} may then be called again. See {@link TcpPullClient},
 * {@link TcpPackClient} and {@link SslClient}.
 *
 * <pre>{@code
 * try (TcpClient client = new TcpClient(listener)) {
 *     client.start("127.0.0.1", 5555);   // blocks until connected
 *     client.send("hello".getBytes(StandardCharsets.UTF_8));
 * }
 * }</pre>
 */
public class TcpClient extends Client {
    /**
     * A stopped client reporting to {@code listener}, with HP-Socket's default settings.
     *
     * @param listener the events' receiver
     */
    public TcpClient(ClientListener<? super TcpClient> listener) {
        this(listener, MODEL_PUSH, false);
    }

    TcpClient(ClientListener<?> listener, int model, boolean ssl) {
        super(listener, ROLE_CLIENT, model, ssl);
    }

    TcpClient(ClientListener<?> listener, int role, int model, boolean ssl, int extraMask) {
        super(listener, role, model, ssl, extraMask);
    }
}
