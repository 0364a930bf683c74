package org.hpsocket;

import java.nio.ByteBuffer;

/**
 * A worker thread's receive buffer: the direct {@link ByteBuffer} native code copies each
 * received chunk into before {@code onReceive} (and the other events with bytes) gets it, with
 * the address of its memory. Native code registers it, on the thread that uses it, when it
 * makes the buffer (once per thread, again only when the buffer grows).
 *
 * <p>It lets the usual echo, {@code send(connId, data)} from {@code onReceive}, pass the
 * bytes' address straight down ({@code Native.sendAddress}) instead of asking the JVM for the
 * buffer's address and capacity on every send (two JNI calls, each a JVM state transition).
 * Only the buffer the listener got, sent on the thread that got it, takes that path: a slice
 * or duplicate of it, or any other buffer, is sent as before ({@code Native.sendDirect},
 * checked against its capacity).
 */
final class ReceiveBuffer {
    private static final ThreadLocal<ReceiveBuffer> CURRENT = new ThreadLocal<>();

    /** The buffer (held strongly: its memory stays valid while this object is reachable). */
    final ByteBuffer buffer;
    /** The address of its first byte. */
    final long address;

    private ReceiveBuffer(ByteBuffer buffer, long address) {
        this.buffer = buffer;
        this.address = address;
    }

    /**
     * Called by native code on a worker thread: {@code buffer} (direct, {@code capacity} bytes
     * at {@code address}) is now the buffer this thread's events carry.
     */
    static void register(ByteBuffer buffer, long address, int capacity) {
        if (buffer.capacity() != capacity) {
            throw new IllegalStateException("receive buffer capacity " + buffer.capacity()
                    + " is not " + capacity);
        }
        CURRENT.set(new ReceiveBuffer(buffer, address));
    }

    /**
     * The address of {@code data}'s position if it is this thread's receive buffer itself,
     * else 0. The caller keeps {@code data} reachable until the native call that reads the
     * address has returned.
     */
    static long addressOf(ByteBuffer data) {
        ReceiveBuffer r = CURRENT.get();
        return r != null && r.buffer == data ? r.address + data.position() : 0;
    }
}
