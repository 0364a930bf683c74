package org.hpsocket.codec;

/** The native methods of the codecs (codec.rs in the JNI library). */
final class CodecNative {
    // Kinds: a compressor; + DECODE for the decompressor.
    static final int ZLIB = 0;
    static final int GZIP = 1;
    static final int BROTLI = 2;
    static final int DECODE = 10;

    // compress modes
    static final int CONTINUE = 0;
    static final int FLUSH = 1;
    static final int FINISH = 2;

    /** The largest array the JVM allocates (and so the most one call can return). */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    static {
        // org.hpsocket.Native loads libhpsocket_jni (from the jar, or as configured); its
        // functions then bind to this class too (same class loader).
        try {
            Class.forName("org.hpsocket.Native", true, CodecNative.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new NoClassDefFoundError("org.hpsocket.Native: " + e.getMessage());
        }
    }

    private CodecNative() {}

    // ffi-gen: begin native methods
    // (written by `cargo run -p ffi-gen` from the JNI shims in bindings/java/src/*.rs:
    // change a shim or its `///` doc there and regenerate; do not edit these lines)

    // ---- codec.rs ----
    static native long create(int kind, int level, int window, int mode);
    static native void destroy(long h);
    /** Drops the current stream (the next call starts a new one). */
    static native void reset(long h);
    /**
     * Compresses {@code data[off..off + len]}; {@code mode} 0 continues, 1 flushes (what came so
     * far is decodable from the output), 2 finishes the stream (the object is then ready for a new
     * one). Returns the output of this call.
     */
    static native byte[] compress(long h, byte[] data, int off, int len, int mode);
    /**
     * Decompresses {@code data[off..off + len]} and returns the output of this call, at most {@code
     * max} bytes (more fails the stream). Corrupt input fails the stream; either failure resets it.
     */
    static native byte[] decompress(long h, byte[] data, int off, int len, int max);
    /** Whether the last {@code decompress} call reached the end of the stream. */
    static native boolean ended(long h);
    /**
     * One whole stream: {@code kind} &lt; 10 compresses {@code data[off..off + len]}, a decoder
     * kind decompresses it (a stream that does not end there is corrupt) into at most {@code max}
     * bytes.
     */
    static native byte[] oneShot(int kind, int level, int window, int mode, byte[] data, int off,
            int len, int max);
    // ffi-gen: end native methods
}
