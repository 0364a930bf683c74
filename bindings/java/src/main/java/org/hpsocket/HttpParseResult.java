package org.hpsocket;

/**
 * What an HTTP callback tells the parser (HP-Socket's {@code En_HP_HttpParseResult}).
 */
public enum HttpParseResult {
    /** Go on. */
    OK(0),
    /** From {@code onHeadersComplete}: the message has no body. */
    SKIP_BODY(1),
    /** From {@code onHeadersComplete}: the connection leaves HTTP after this head. */
    UPGRADE(2),
    /** A parse error: {@code onParseError} follows and the connection closes. */
    ERROR(-1);

    private final int code;

    HttpParseResult(int code) {
        this.code = code;
    }

    /**
     * The C code ({@code HPR_*}).
     *
     * @return the code
     */
    public int code() {
        return code;
    }
}
