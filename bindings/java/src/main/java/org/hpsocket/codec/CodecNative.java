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

    static native long create(int kind, int level, int window, int mode);

    static native void destroy(long h);

    static native void reset(long h);

    static native byte[] compress(long h, byte[] data, int off, int len, int mode);

    static native byte[] decompress(long h, byte[] data, int off, int len, int max);

    static native boolean ended(long h);

    static native byte[] oneShot(int kind, int level, int window, int mode, byte[] data, int off, int len, int max);
}
