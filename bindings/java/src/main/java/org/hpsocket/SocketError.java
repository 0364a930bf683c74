package org.hpsocket;

/** HP-Socket's error codes ({@code En_HP_SocketError}), carried by {@link HPSocketException}. */
public enum SocketError {
    /** {@code SE_OK} */
    OK(0, "SUCCESS"),
    /** {@code SE_ILLEGAL_STATE}: the component is not in a state that allows the call. */
    ILLEGAL_STATE(1, "Illegal State"),
    /** {@code SE_INVALID_PARAM}: an argument or setting is out of range, or an ID is unknown. */
    INVALID_PARAM(2, "Invalid Parameter"),
    /** {@code SE_SOCKET_CREATE} */
    SOCKET_CREATE(3, "Create SOCKET Fail"),
    /** {@code SE_SOCKET_BIND} */
    SOCKET_BIND(4, "Bind SOCKET Fail"),
    /** {@code SE_SOCKET_PREPARE}: a prepare callback returned {@link HandleResult#ERROR}. */
    SOCKET_PREPARE(5, "Prepare SOCKET Fail"),
    /** {@code SE_SOCKET_LISTEN} */
    SOCKET_LISTEN(6, "Listen SOCKET Fail"),
    /** {@code SE_CP_CREATE}: the poller could not be created. */
    CP_CREATE(7, "Create IOCP Fail"),
    /** {@code SE_WORKER_THREAD_CREATE} */
    WORKER_THREAD_CREATE(8, "Create Worker Thread Fail"),
    /** {@code SE_DETECT_THREAD_CREATE} */
    DETECT_THREAD_CREATE(9, "Create Detector Thread Fail"),
    /** {@code SE_SOCKE_ATTACH_TO_CP} */
    SOCKET_ATTACH_TO_CP(10, "Attach SOCKET to IOCP Fail"),
    /** {@code SE_CONNECT_SERVER} */
    CONNECT_SERVER(11, "Connect to Server Fail"),
    /** {@code SE_NETWORK} */
    NETWORK(12, "Network Error"),
    /** {@code SE_DATA_PROC} */
    DATA_PROC(13, "Process Data Error"),
    /** {@code SE_DATA_SEND} */
    DATA_SEND(14, "Send Data Fail"),
    /** {@code SE_SSL_ENV_NOT_READY}: the TLS context is missing or could not be built. */
    SSL_ENV_NOT_READY(101, "SSL environment not ready");

    private final int code;
    private final String description;

    SocketError(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /**
     * The C value.
     *
     * @return the {@code SE_*} number
     */
    public int code() {
        return code;
    }

    /**
     * HP-Socket's text for the code ({@code HP_GetSocketErrorDesc}).
     *
     * @return the text
     */
    public String description() {
        return description;
    }

    /**
     * The error for a C value.
     *
     * @param code an {@code SE_*} number
     * @return the error; {@link #INVALID_PARAM} for an unknown number
     */
    public static SocketError of(int code) {
        for (SocketError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return INVALID_PARAM;
    }
}
