package org.hpsocket;

import java.nio.ByteBuffer;

/**
 * A server of the PULL model: {@code onPullReceive} reports how many bytes are buffered and the application takes them with {@code fetch}/{@code peek} (HP-Socket's {@code TcpPullServer}).
 * See {@link TcpServer} for the rest.
 */
public class TcpPullServer extends TcpServer {
    /**
     * A stopped PULL server reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public TcpPullServer(ServerListener<? super TcpPullServer> listener) {
        super(listener, MODEL_PULL, false);
    }

    TcpPullServer(ServerListener<?> listener, boolean ssl) {
        super(listener, MODEL_PULL, ssl);
    }

    /**
     * Copies and removes the first {@code dst.length} buffered bytes into {@code dst}.
     *
     * @param connId the connection
     * @param dst the destination
     * @return {@link FetchResult#OK}, {@link FetchResult#LENGTH_TOO_LONG} when fewer bytes
     *         are buffered (nothing copied), {@link FetchResult#DATA_NOT_FOUND} for an unknown
     *         or closed connection
     */
    public FetchResult fetch(long connId, byte[] dst) {
        return fetch0(connId, dst, 0, dst.length, false);
    }

    /**
     * Copies and removes the first {@code length} buffered bytes into {@code dst} at {@code offset}.
     *
     * @param connId the connection
     * @param dst    the destination
     * @param offset where to write
     * @param length how many bytes
     * @return as {@link #fetch(long, byte[])}
     */
    public FetchResult fetch(long connId, byte[] dst, int offset, int length) {
        return fetch0(connId, dst, offset, length, false);
    }

    /**
     * Copies and removes the first {@code dst.remaining()} buffered bytes into {@code dst}; on
     * {@link FetchResult#OK} its position advances to its limit.
     *
     * @param connId the connection
     * @param dst the destination (direct buffers are written in place)
     * @return as {@link #fetch(long, byte[])}
     */
    public FetchResult fetch(long connId, ByteBuffer dst) {
        return fetch0(connId, dst, false);
    }

    /**
     * Copies, without removing, the first {@code dst.length} buffered bytes into {@code dst}.
     *
     * @param connId the connection
     * @param dst the destination
     * @return {@link FetchResult#OK}, {@link FetchResult#LENGTH_TOO_LONG} when fewer bytes
     *         are buffered (nothing copied), {@link FetchResult#DATA_NOT_FOUND} for an unknown
     *         or closed connection
     */
    public FetchResult peek(long connId, byte[] dst) {
        return fetch0(connId, dst, 0, dst.length, true);
    }

    /**
     * Copies, without removing, the first {@code length} buffered bytes into {@code dst} at {@code offset}.
     *
     * @param connId the connection
     * @param dst    the destination
     * @param offset where to write
     * @param length how many bytes
     * @return as {@link #peek(long, byte[])}
     */
    public FetchResult peek(long connId, byte[] dst, int offset, int length) {
        return fetch0(connId, dst, offset, length, true);
    }

    /**
     * Copies, without removing, the first {@code dst.remaining()} buffered bytes into {@code dst}; on
     * {@link FetchResult#OK} its position advances to its limit.
     *
     * @param connId the connection
     * @param dst the destination (direct buffers are written in place)
     * @return as {@link #peek(long, byte[])}
     */
    public FetchResult peek(long connId, ByteBuffer dst) {
        return fetch0(connId, dst, true);
    }
}
