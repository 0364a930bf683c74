package org.hpsocket;

/**
 * The parse error that ended a connection's HTTP: llhttp's {@code HPE_*} number and text.
 *
 * @param code        the {@code HPE_*} number
 * @param description what was wrong
 */
public record HttpParseError(int code, String description) {}
