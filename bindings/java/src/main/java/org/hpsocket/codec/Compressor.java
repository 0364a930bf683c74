package org.hpsocket.codec;

import java.lang.ref.Reference;
import java.util.Objects;

/**
 * A streaming compressor (zlib, gzip or brotli; made by {@link Zlib#compressor},
 * {@link Gzip#compressor}, {@link Brotli#compressor}). Feed the data with {@link #update} in
 * any pieces and end the stream with {@link #finish}; each call returns the compressed bytes
 * it produced (often none until enough input has come). After {@code finish} the object starts
 * a new stream. Calls are serialised (thread-safe, one at a time); {@link #close()} frees the
 * native state.
 *
 * <pre>{@code
 * try (Compressor c = Gzip.compressor()) {
 *     out.write(c.update(part1));
 *     out.write(c.update(part2));
 *     out.write(c.finish());
 * }
 * }</pre>
 */
public final class Compressor extends Codec {
    Compressor(int kind, int level, int window, int mode, String name) {
        super(kind, level, window, mode, name);
    }

    private synchronized byte[] call(byte[] data, int offset, int length, int mode) {
        Objects.checkFromIndexSize(offset, length, data.length);
        checkOpen();
        try {
            return CodecNative.compress(handle, data, offset, length, mode);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Compresses more of the stream.
     *
     * @param data the bytes
     * @return the compressed bytes this produced (may be empty)
     * @throws IllegalStateException after {@link #close()}
     */
    public byte[] update(byte[] data) {
        return call(data, 0, data.length, CodecNative.CONTINUE);
    }

    /**
     * Compresses more of the stream.
     *
     * @param data   the array
     * @param offset where the bytes start
     * @param length how many
     * @return the compressed bytes this produced (may be empty)
     */
    public byte[] update(byte[] data, int offset, int length) {
        return call(data, offset, length, CodecNative.CONTINUE);
    }

    /**
     * Makes everything given so far decodable from the output (zlib's {@code Z_SYNC_FLUSH},
     * brotli's flush), at some cost in size; the stream goes on.
     *
     * @return the compressed bytes this produced
     */
    public byte[] flush() {
        return call(new byte[0], 0, 0, CodecNative.FLUSH);
    }

    /**
     * Ends the stream (trailer included); the object is then ready for a new one.
     *
     * @return the rest of the compressed stream
     */
    public byte[] finish() {
        return call(new byte[0], 0, 0, CodecNative.FINISH);
    }

    /**
     * Compresses the last bytes and ends the stream.
     *
     * @param data the last bytes
     * @return the rest of the compressed stream
     */
    public byte[] finish(byte[] data) {
        return call(data, 0, data.length, CodecNative.FINISH);
    }
}
