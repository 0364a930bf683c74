package org.hpsocket.codec;

/**
 * Brotli (RFC 7932), which the JDK does not have: one-shot helpers and streaming objects (the
 * {@code brotli} crate, a Rust port of Google's, through the hpsocket native library).
 *
 * <pre>{@code
 * byte[] packed = Brotli.compress(data, 5);           // quality 5; 11 is HP-Socket's default
 * byte[] plain = Brotli.decompress(packed);           // CodecException if corrupt or truncated
 * }</pre>
 */
public final class Brotli {
    /** HP-Socket's default quality: 11, the smallest output and by far the slowest. */
    public static final int DEFAULT_QUALITY = 11;
    /** HP-Socket's default window: 2^22 bytes. */
    public static final int DEFAULT_WINDOW = 22;

    /** What the encoder may assume about the input. */
    public enum Mode {
        /** Anything. */
        GENERIC,
        /** UTF-8 text. */
        TEXT,
        /** WOFF 2.0 fonts. */
        FONT
    }

    private Brotli() {}

    private static void check(int quality, int window, Mode mode) {
        if (quality < 0 || quality > 11) {
            throw new IllegalArgumentException("quality " + quality + " is not 0..11");
        }
        if (window < 10 || window > 24) {
            throw new IllegalArgumentException("window " + window + " is not 10..24");
        }
        java.util.Objects.requireNonNull(mode, "mode");
    }

    /**
     * Compresses {@code data} as one brotli stream at HP-Socket's default quality (11).
     *
     * @param data the bytes
     * @return the stream
     */
    public static byte[] compress(byte[] data) {
        return compress(data, DEFAULT_QUALITY);
    }

    /**
     * Compresses {@code data} as one brotli stream.
     *
     * @param data    the bytes
     * @param quality 0 (fastest) to 11 (smallest)
     * @return the stream
     * @throws IllegalArgumentException for another quality
     */
    public static byte[] compress(byte[] data, int quality) {
        check(quality, DEFAULT_WINDOW, Mode.GENERIC);
        return CodecNative.oneShot(CodecNative.BROTLI, quality, DEFAULT_WINDOW, 0, data, 0, data.length,
                CodecNative.MAX_ARRAY);
    }

    /**
     * Decompresses one whole brotli stream; bytes after its end are ignored.
     *
     * @param data the stream
     * @return the bytes
     * @throws CodecException when the stream is corrupt or truncated
     */
    public static byte[] decompress(byte[] data) {
        return decompress(data, CodecNative.MAX_ARRAY);
    }

    /**
     * Decompresses one whole brotli stream, refusing to produce more than {@code maxSize}
     * bytes.
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
        return CodecNative.oneShot(CodecNative.BROTLI + CodecNative.DECODE, 0, 0, 0, data, 0, data.length, maxSize);
    }

    /**
     * A streaming brotli compressor at HP-Socket's defaults (quality 11, window 22, generic).
     *
     * @return a new compressor (close it when done)
     */
    public static Compressor compressor() {
        return compressor(DEFAULT_QUALITY, DEFAULT_WINDOW, Mode.GENERIC);
    }

    /**
     * A streaming brotli compressor.
     *
     * @param quality 0 to 11
     * @param window  the window's log2, 10 to 24
     * @param mode    what the input is
     * @return a new compressor (close it when done)
     * @throws IllegalArgumentException for a value out of range
     */
    public static Compressor compressor(int quality, int window, Mode mode) {
        check(quality, window, mode);
        return new Compressor(CodecNative.BROTLI, quality, window, mode.ordinal(), "brotli compressor");
    }

    /**
     * A streaming brotli decompressor.
     *
     * @return a new decompressor (close it when done)
     */
    public static Decompressor decompressor() {
        return new Decompressor(CodecNative.BROTLI, "brotli decompressor");
    }
}
