package org.hpsocket;

/** Result of a PULL component's {@code fetch}/{@code peek} ({@code En_HP_FetchResult}). */
public enum FetchResult {
    /** {@code FR_OK}: the destination was filled. */
    OK,
    /** {@code FR_LENGTH_TOO_LONG}: fewer bytes are buffered than asked for; nothing was copied. */
    LENGTH_TOO_LONG,
    /** {@code FR_DATA_NOT_FOUND}: unknown or closed connection. */
    DATA_NOT_FOUND;

    private static final FetchResult[] VALUES = values();

    static FetchResult of(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : DATA_NOT_FOUND;
    }
}
