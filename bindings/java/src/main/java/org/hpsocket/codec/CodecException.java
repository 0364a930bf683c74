package org.hpsocket.codec;

/**
 * Compressed input that cannot be decoded: corrupt, truncated (one-shot calls), or decoding to
 * more than the caller's limit. The stream it came from is dropped; the object that threw can
 * start a new one.
 */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A codec failure.
     *
     * @param message what was wrong
     */
    public CodecException(String message) {
        super(message);
    }
}
