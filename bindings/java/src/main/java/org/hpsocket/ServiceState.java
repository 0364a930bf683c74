package org.hpsocket;

/** Life-cycle state of a component ({@code En_HP_ServiceState}). */
public enum ServiceState {
    /** {@code SS_STARTING} */
    STARTING,
    /** {@code SS_STARTED} */
    STARTED,
    /** {@code SS_STOPPING} */
    STOPPING,
    /** {@code SS_STOPPED} */
    STOPPED;

    private static final ServiceState[] VALUES = values();

    static ServiceState of(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : STOPPED;
    }
}
