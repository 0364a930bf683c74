package org.hpsocket;

/**
 * What a listener callback tells the component ({@code En_HP_HandleResult}).
 *
 * <p>Only {@link #ERROR} changes anything: it aborts the connection (or the operation) the
 * callback was about; see each listener method. A callback that returns {@code null} counts
 * as {@link #OK}; one that throws counts as {@link #ERROR}.
 */
public enum HandleResult {
    /** {@code HR_OK}: go on. */
    OK(0),
    /** {@code HR_IGNORE}: go on (same effect as {@link #OK}). */
    IGNORE(1),
    /** {@code HR_ERROR}: abort this connection or operation. */
    ERROR(2);

    private final int code;

    HandleResult(int code) {
        this.code = code;
    }

    /**
     * The C value.
     *
     * @return 0, 1 or 2
     */
    public int code() {
        return code;
    }
}
