package org.hpsocket;

/**
 * A component call failed: HP-Socket's {@link SocketError} code, the operating system's
 * {@code errno} that goes with it (HP-Socket's {@code SYS_GetLastError}), and a message naming
 * the bad parameter or state. Unchecked, as every component method may throw it.
 */
public class HPSocketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final SocketError error;
    private final int code;
    private final int errno;

    /**
     * Creates an exception.
     *
     * @param code    the {@code SE_*} code
     * @param errno   the {@code errno} value (0 if none)
     * @param message what failed
     */
    public HPSocketException(int code, int errno, String message) {
        super(message);
        this.error = SocketError.of(code);
        this.code = code;
        this.errno = errno;
    }

    /**
     * The error kind.
     *
     * @return the {@link SocketError}
     */
    public SocketError getError() {
        return error;
    }

    /**
     * The C code, as the native side reported it.
     *
     * @return the {@code SE_*} number
     */
    public int getErrorCode() {
        return code;
    }

    /**
     * The operating system error number.
     *
     * @return the {@code errno} value, 0 if none
     */
    public int getErrno() {
        return errno;
    }
}
