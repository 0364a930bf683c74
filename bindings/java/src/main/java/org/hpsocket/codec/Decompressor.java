package org.hpsocket.codec;

import java.lang.ref.Reference;
import java.util.Objects;

/**
 * A streaming decompressor (made by {@link Zlib#decompressor}, {@link Gzip#decompressor},
 * {@link Brotli#decompressor}). Feed the compressed stream with {@link #update} in any pieces;
 * each call returns the bytes it decoded. {@link #isFinished()} turns true in the call that
 * reaches the end of the stream (bytes after the end in that call are ignored); the next
 * {@code update} starts a new stream. Corrupt input throws {@link CodecException} and drops the
 * stream. Calls are serialised (thread-safe, one at a time); {@link #close()} frees the native
 * state.
 */
public final class Decompressor extends Codec {
    private int maxOutput = CodecNative.MAX_ARRAY;

    Decompressor(int kind, String name) {
        super(kind + CodecNative.DECODE, 0, 0, 0, name);
    }

    /**
     * Decodes more of the stream.
     *
     * @param data the compressed bytes
     * @return the bytes decoded (may be empty)
     * @throws CodecException for corrupt input, or output over {@link #getMaxOutput()}
     * @throws IllegalStateException after {@link #close()}
     */
    public byte[] update(byte[] data) {
        return update(data, 0, data.length);
    }

    /**
     * Decodes more of the stream.
     *
     * @param data   the array
     * @param offset where the compressed bytes start
     * @param length how many
     * @return the bytes decoded (may be empty)
     * @throws CodecException for corrupt input, or output over {@link #getMaxOutput()}
     */
    public synchronized byte[] update(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        checkOpen();
        try {
            return CodecNative.decompress(handle, data, offset, length, maxOutput);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Whether the last {@link #update} reached the end of the stream (its trailer checked).
     *
     * @return true once the stream ended
     */
    public synchronized boolean isFinished() {
        checkOpen();
        try {
            return CodecNative.ended(handle);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The most one {@link #update} may decode: a small input can decode to a great deal (a
     * "zip bomb"), and this bounds the memory one call takes.
     *
     * @return bytes (default {@code Integer.MAX_VALUE - 8}, the largest array)
     */
    public synchronized int getMaxOutput() {
        return maxOutput;
    }

    /**
     * Sets the most one {@link #update} may decode; more throws {@link CodecException} and
     * drops the stream.
     *
     * @param bytes 0 to {@code Integer.MAX_VALUE - 8}
     */
    public synchronized void setMaxOutput(int bytes) {
        if (bytes < 0 || bytes > CodecNative.MAX_ARRAY) {
            throw new IllegalArgumentException("maxOutput " + bytes + " is not 0.." + CodecNative.MAX_ARRAY);
        }
        maxOutput = bytes;
    }
}
