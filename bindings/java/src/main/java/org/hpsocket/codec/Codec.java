package org.hpsocket.codec;

import java.lang.ref.Cleaner;

/** What the streaming objects share: the native handle, its lock and its release. */
abstract class Codec implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Frees the native side; must not reference the codec object. */
    private static final class Destroy implements Runnable {
        private final long handle;

        Destroy(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            CodecNative.destroy(handle);
        }
    }

    /** Valid until {@link #close()} (under the lock) or the Cleaner (when unreachable). */
    final long handle;
    private final String name;
    private final Cleaner.Cleanable cleanable;
    private boolean closed;

    Codec(int kind, int level, int window, int mode, String name) {
        this.handle = CodecNative.create(kind, level, window, mode);
        this.name = name;
        this.cleanable = CLEANER.register(this, new Destroy(handle));
    }

    /** Callers hold the lock ({@code synchronized (this)}). */
    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /**
     * Drops the current stream; the next call starts a new one.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized void reset() {
        checkOpen();
        CodecNative.reset(handle);
    }

    /** Frees the native state (a forgotten {@code close()} is done by a Cleaner). Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
