package org.hpsocket;

/**
 * The protocol a connection upgrades to (HP-Socket's {@code En_HP_HttpUpgradeType}).
 */
public enum UpgradeType {
    /** No upgrade. */
    NONE,
    /** {@code Upgrade: websocket}. */
    WEB_SOCKET,
    /** A {@code CONNECT} tunnel. */
    HTTP_TUNNEL,
    /** Any other upgrade. */
    UNKNOWN;

    static UpgradeType of(int code) {
        switch (code) {
            case 0:
                return NONE;
            case 1:
                return WEB_SOCKET;
            case 2:
                return HTTP_TUNNEL;
            default:
                return UNKNOWN;
        }
    }
}
