package org.hpsocket;

import java.nio.ByteBuffer;

/**
 * The PULL model's reads by connection, the same members on {@link TcpPullServer} and
 * {@link TcpPullAgent} (and so on their TLS forms): {@code onPullReceive} reports how many
 * bytes a connection has buffered and the application takes them with {@code fetch} or looks
 * at them with {@code peek}. ({@link TcpPullClient} has the same reads without a connection.)
 */
public sealed interface PullConnections permits TcpPullServer, TcpPullAgent {
    /**
     * Copies and removes the first {@code dst.length} buffered bytes into {@code dst}.
     *
     * @param connId the connection
     * @param dst the destination
     * @return {@link FetchResult#OK}, {@link FetchResult#LENGTH_TOO_LONG} when fewer bytes
     *         are buffered (nothing copied), {@link FetchResult#DATA_NOT_FOUND} for an unknown
     *         or closed connection
     */
    default FetchResult fetch(long connId, byte[] dst) {
        return component().fetch0(connId, dst, 0, dst.length, false);
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
    default FetchResult fetch(long connId, byte[] dst, int offset, int length) {
        return component().fetch0(connId, dst, offset, length, false);
    }

    /**
     * Copies and removes the first {@code dst.remaining()} buffered bytes into {@code dst}; on
     * {@link FetchResult#OK} its position advances to its limit.
     *
     * @param connId the connection
     * @param dst the destination (direct buffers are written in place)
     * @return as {@link #fetch(long, byte[])}
     */
    default FetchResult fetch(long connId, ByteBuffer dst) {
        return component().fetch0(connId, dst, false);
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
    default FetchResult peek(long connId, byte[] dst) {
        return component().fetch0(connId, dst, 0, dst.length, true);
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
    default FetchResult peek(long connId, byte[] dst, int offset, int length) {
        return component().fetch0(connId, dst, offset, length, true);
    }

    /**
     * Copies, without removing, the first {@code dst.remaining()} buffered bytes into {@code dst}; on
     * {@link FetchResult#OK} its position advances to its limit.
     *
     * @param connId the connection
     * @param dst the destination (direct buffers are written in place)
     * @return as {@link #peek(long, byte[])}
     */
    default FetchResult peek(long connId, ByteBuffer dst) {
        return component().fetch0(connId, dst, true);
    }

    /** The component these members act on: every permitted implementation is one. */
    private Component component() {
        return (Component) this;
    }
}
