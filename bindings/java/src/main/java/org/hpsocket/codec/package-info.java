/**
 * Compression codecs: zlib and gzip (zlib-rs, faster than {@link java.util.zip}: the binding's
 * README has the figures) and brotli (which the JDK lacks), as one-shot helpers ({@link
 * org.hpsocket.codec.Zlib#compress}, ...) and streaming {@link org.hpsocket.codec.Compressor}/
 * {@link org.hpsocket.codec.Decompressor} objects. Corrupt input throws
 * {@link org.hpsocket.codec.CodecException}.
 */
package org.hpsocket.codec;
