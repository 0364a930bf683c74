package org.hpsocket;

/**
 * How a future of {@code startAsync}, {@code connectAsync} or {@code sendAsync} fails when its
 * connection closes first: the close's {@link SocketOperation} and {@code errno}, as its
 * {@code onClose} got them (for example {@code CONNECT} and {@code ECONNREFUSED} for a refused
 * connect). The error code is {@link SocketError#CONNECT_SERVER} for a close during the
 * connect, {@link SocketError#NETWORK} otherwise.
 */
public class ConnectionClosedException extends HPSocketException {
    private static final long serialVersionUID = 1L;

    private final long connId;
    private final SocketOperation operation;

    /**
     * Creates the exception.
     *
     * @param connId    the connection (0 when the component stopped)
     * @param operation the operation its {@code onClose} named
     * @param errno     the error code its {@code onClose} got
     */
    public ConnectionClosedException(long connId, SocketOperation operation, int errno) {
        super((operation == SocketOperation.CONNECT ? SocketError.CONNECT_SERVER : SocketError.NETWORK).code(),
                errno, "connection " + connId + " closed: onClose(" + operation + ", " + errno + ")");
        this.connId = connId;
        this.operation = operation;
    }

    /**
     * The connection that closed.
     *
     * @return its ID, 0 when the component stopped
     */
    public long getConnId() {
        return connId;
    }

    /**
     * The operation the close named.
     *
     * @return the operation
     */
    public SocketOperation getOperation() {
        return operation;
    }
}
