package org.hpsocket.codec;

/**
 * zlib (RFC 1950: deflate with a 2-byte header and an Adler-32 trailer), as {@link java.util.zip.Deflater} and {@link java.util.zip.Inflater} write and read it by default: one-shot helpers and streaming objects. The engine is zlib-rs (through the hpsocket native library), faster than the JDK's zlib: see the binding's README for the figures.
 *
 * <pre>{@code
 * byte[] packed = Zlib.compress(data);
 * byte[] plain = Zlib.decompress(packed);            // CodecException if corrupt or truncated
 * }</pre>
 */
public final class Zlib {
    /** The default level, zlib's 6 ({@code Z_DEFAULT_COMPRESSION}). */
    public static final int DEFAULT_LEVEL = -1;

    private Zlib() {}

    private static int level(int level) {
        if (level < -1 || level > 9) {
            throw new IllegalArgumentException("level " + level + " is not -1..9");
        }
        return level;
    }

    /**
     * Compresses {@code data} as one zlib stream at the default level.
     *
     * @param data the bytes
     * @return the stream
     */
    public static byte[] compress(byte[] data) {
        return compress(data, DEFAULT_LEVEL);
    }

    /**
     * Compresses {@code data} as one zlib stream.
     *
     * @param data  the bytes
     * @param level 0 (store) to 9 (smallest), or -1 for the default (6)
     * @return the stream
     * @throws IllegalArgumentException for another level
     */
    public static byte[] compress(byte[] data, int level) {
        return CodecNative.oneShot(CodecNative.ZLIB, level(level), 0, 0, data, 0, data.length,
                CodecNative.MAX_ARRAY);
    }

    /**
     * Decompresses one whole zlib stream; bytes after its end are ignored.
     *
     * @param data the stream
     * @return the bytes
     * @throws CodecException when the stream is corrupt or truncated
     */
    public static byte[] decompress(byte[] data) {
        return decompress(data, CodecNative.MAX_ARRAY);
    }

    /**
     * Decompresses one whole zlib stream, refusing to produce more than
     * {@code maxSize} bytes (input from an untrusted peer can decode to a great deal).
     *
     * @param data    the stream
     * @param maxSize the most to decode, 0 to {@code Integer.MAX_VALUE - 8}
     * @return the bytes
     * @throws CodecException when the stream is corrupt, truncated, or decodes to more
     */
    public static byte[] decompress(byte[] data, int maxSize) {
        if (maxSize < 0 || maxSize > CodecNative.MAX_ARRAY) {
            throw new IllegalArgumentException("maxSize " + maxSize + " is not 0.." + CodecNative.MAX_ARRAY);
        }
        return CodecNative.oneShot(CodecNative.ZLIB + CodecNative.DECODE, 0, 0, 0, data, 0, data.length, maxSize);
    }

    /**
     * A streaming zlib compressor at the default level.
     *
     * @return a new compressor (close it when done)
     */
    public static Compressor compressor() {
        return compressor(DEFAULT_LEVEL);
    }

    /**
     * A streaming zlib compressor.
     *
     * @param level 0 to 9, or -1 for the default (6)
     * @return a new compressor (close it when done)
     */
    public static Compressor compressor(int level) {
        return new Compressor(CodecNative.ZLIB, level(level), 0, 0, "zlib compressor");
    }

    /**
     * A streaming zlib decompressor.
     *
     * @return a new decompressor (close it when done)
     */
    public static Decompressor decompressor() {
        return new Decompressor(CodecNative.ZLIB, "zlib decompressor");
    }
}
