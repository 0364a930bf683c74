package org.hpsocket;

/** Address reuse on listening and connecting sockets ({@code En_HP_ReuseAddressPolicy}). */
public enum ReuseAddressPolicy {
    /** {@code RAP_NONE} */
    NONE,
    /** {@code RAP_ADDR_ONLY}: {@code SO_REUSEADDR} (the default). */
    ADDR_ONLY,
    /** {@code RAP_ADDR_AND_PORT}: {@code SO_REUSEADDR} and {@code SO_REUSEPORT}. */
    ADDR_AND_PORT;

    private static final ReuseAddressPolicy[] VALUES = values();

    static ReuseAddressPolicy of(long code) {
        return code >= 0 && code < VALUES.length ? VALUES[(int) code] : ADDR_ONLY;
    }
}
