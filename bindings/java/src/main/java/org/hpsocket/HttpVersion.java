package org.hpsocket;

/**
 * The HTTP version written in outgoing start lines ({@code HV_1_0}, {@code HV_1_1}).
 */
public enum HttpVersion {
    /** HTTP/1.0. */
    HTTP_1_0(0x0001),
    /** HTTP/1.1 (the default). */
    HTTP_1_1(0x0101);

    private final int code;

    HttpVersion(int code) {
        this.code = code;
    }

    /**
     * The version as {@code MAKEWORD(major, minor)}.
     *
     * @return the code
     */
    public int code() {
        return code;
    }

    static HttpVersion of(long code) {
        return code == 0x0001 ? HTTP_1_0 : HTTP_1_1;
    }
}
