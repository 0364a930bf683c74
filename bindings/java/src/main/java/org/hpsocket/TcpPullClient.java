package org.hpsocket;

import java.nio.ByteBuffer;

/**
 * A client of the PULL model: {@code onPullReceive} reports how many bytes are buffered and the application takes them with {@code fetch}/{@code peek} (HP-Socket's {@code TcpPullClient}).
 * See {@link TcpClient} for the rest.
 */
public class TcpPullClient extends TcpClient {
    /**
     * A stopped PULL client reporting to {@code listener}.
     *
     * @param listener the events' receiver
     */
    public TcpPullClient(ClientListener<? super TcpPullClient> listener) {
        super(listener, MODEL_PULL, false);
    }

    TcpPullClient(ClientListener<?> listener, boolean ssl) {
        super(listener, MODEL_PULL, ssl);
    }

    /**
     * Copies and removes the first {@code dst.length} buffered bytes into {@code dst}.
     *
     * @param dst the destination
     * @return {@link FetchResult#OK}, {@link FetchResult#LENGTH_TOO_LONG} when fewer bytes
     *         are buffered (nothing copied), {@link FetchResult#DATA_NOT_FOUND} for an unknown
     *         or closed connection
     */
    public FetchResult fetch(byte[] dst) {
        return fetch0(0, dst, 0, dst.length, false);
    }

    /**
     * Copies and removes the first {@code length} buffered bytes into {@code dst} at {@code offset}.
     *
     * @param dst    the destination
     * @param offset where to write
     * @param length how many bytes
     * @return as {@link #fetch(byte[])}
     */
    public FetchResult fetch(byte[] dst, int offset, int length) {
        return fetch0(0, dst, offset, length, false);
    }

    /**
     * Copies and removes the first {@code dst.remaining()} buffered bytes into {@code dst}; on
     * {@link FetchResult#OK} its position advances to its limit.
     *
     * @param dst the destination (direct buffers are written in place)
     * @return as {@link #fetch(byte[])}
     */
    public FetchResult fetch(ByteBuffer dst) {
        return fetch0(0, dst, false);
    }

    /**
     * Copies, without removing, the first {@code dst.length} buffered bytes into {@code dst}.
     *
     * @param dst the destination
     * @return {@link FetchResult#OK}, {@link FetchResult#LENGTH_TOO_LONG} when fewer bytes
     *         are buffered (nothing copied), {@link FetchResult#DATA_NOT_FOUND} for an unknown
     *         or closed connection
     */
    public FetchResult peek(byte[] dst) {
        return fetch0(0, dst, 0, dst.length, true);
    }

    /**
     * Copies, without removing, the first {@code length} buffered bytes into {@code dst} at {@code offset}.
     *
     * @param dst    the destination
     * @param offset where to write
     * @param length how many bytes
     * @return as {@link #peek(byte[])}
     */
    public FetchResult peek(byte[] dst, int offset, int length) {
        return fetch0(0, dst, offset, length, true);
    }

    /**
     * Copies, without removing, the first {@code dst.remaining()} buffered bytes into {@code dst}; on
     * {@link FetchResult#OK} its position advances to its limit.
     *
     * @param dst the destination (direct buffers are written in place)
     * @return as {@link #peek(byte[])}
     */
    public FetchResult peek(ByteBuffer dst) {
        return fetch0(0, dst, true);
    }
}
