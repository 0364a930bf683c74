package org.hpsocket;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The library's logging hook routed into {@link System.Logger}: what it does on its own
 * threads, which no call returns. Off until {@link #enable()}.
 *
 * <table>
 * <caption>Records</caption>
 * <tr><th>level</th><th>what</th><th>message (after the source, {@code "TcpServer#3: "})</th></tr>
 * <tr><td>{@code INFO}</td><td>a connection accepted, connecting, closed with its reason</td>
 * <td>{@code connection 5 accepted from 127.0.0.1:40112}, {@code connection 1 connecting to
 * 127.0.0.1:5555}, {@code connection 5 (127.0.0.1:40112) closed: Close, no error}</td></tr>
 * <tr><td>{@code WARNING}</td><td>a TLS handshake failure, a refusal at
 * {@code MaxConnectionCount}, a send refused by {@code MaxSendQueueBytes}</td>
 * <td>{@code connection from 127.0.0.1:40114 refused: MaxConnectionCount (1) reached}</td></tr>
 * <tr><td>{@code ERROR}</td><td>a failure nobody asked for (a worker that cannot go on)</td>
 * <td></td></tr>
 * </table>
 *
 * <p>Each record goes to the logger {@code "org.hpsocket.<Kind>"} ({@code org.hpsocket.TcpServer},
 * {@code org.hpsocket.SslClient}, …; the kind is the source before its {@code #}), a child of
 * {@value #LOGGER_NAME}, with the library's level mapped to {@link Level#ERROR},
 * {@link Level#WARNING}, {@link Level#INFO}, {@link Level#DEBUG}. With the default backend
 * ({@code java.util.logging}) those are {@code SEVERE}, {@code WARNING}, {@code INFO} and
 * {@code FINE}.
 *
 * <h2>Free when unused</h2>
 * The library formats a record only when a hook takes its level (one atomic load per log point
 * otherwise). {@link #enable()} installs the hook at the most detailed level the
 * {@value #LOGGER_NAME} logger is loggable for, and not at all when it logs none of them.
 * {@link System.Logger} has no way to tell anyone that its level changed: after changing the
 * backend's configuration call {@link #enable()} again (or {@link #enable(Level)} with the
 * level wanted, or {@link #disable()}).
 *
 * <h2>Threads</h2>
 * The logger runs on the thread that logs: usually one of the component's worker threads
 * (attached to the JVM as daemons, as for listener callbacks) in the middle of its work, or an
 * application thread inside a {@code send} that the queue bound refused. Keep handlers quick;
 * do not stop or close a component from one (its worker would wait for itself). Whatever a
 * logger throws is caught and counted ({@link #getFailureCount()}); it never reaches the library
 * or the uncaught exception handler.
 */
public final class Logging {
    /** The parent logger's name; records go to its children {@code "org.hpsocket.<Kind>"}. */
    public static final String LOGGER_NAME = "org.hpsocket";

    /** Where a record goes: the System.Logger, or a test's collector. */
    interface Sink {
        void log(Level level, String source, String message);
    }

    private static final Object LOCK = new Object();
    private static final AtomicLong FAILURES = new AtomicLong();
    private static final ConcurrentHashMap<String, Logger> LOGGERS = new ConcurrentHashMap<>();
    private static final Sink SYSTEM_LOGGER = Logging::toSystemLogger;
    private static volatile Sink sink = SYSTEM_LOGGER;
    private static volatile Level installed = Level.OFF;

    private Logging() {}

    /**
     * Installs the hook at the most detailed level that {@code System.getLogger("org.hpsocket")}
     * is loggable for ({@code DEBUG}, {@code INFO}, {@code WARNING}, {@code ERROR}); removes it
     * when that logger logs none of them.
     *
     * @return the level installed, {@link Level#OFF} when none
     */
    public static Level enable() {
        Logger root = System.getLogger(LOGGER_NAME);
        for (Level l : new Level[] {Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR}) {
            if (root.isLoggable(l)) {
                enable(l);
                return l;
            }
        }
        disable();
        return Level.OFF;
    }

    /**
     * Installs the hook for records of {@code level} and above, whatever the logger's
     * configuration (which still filters what it gets). {@link Level#ALL} and
     * {@link Level#TRACE} are {@code DEBUG} (the library has nothing finer);
     * {@link Level#OFF} is {@link #disable()}.
     *
     * @param level the least severe level the library sends
     */
    public static void enable(Level level) {
        int n = nativeLevel(Objects.requireNonNull(level, "level"));
        synchronized (LOCK) {
            Native.setLogLevel(n);
            installed = levelOf(n);
        }
    }

    /**
     * Removes the hook: the library formats nothing any more. A record already on its way on
     * another thread may still arrive.
     */
    public static void disable() {
        enable(Level.OFF);
    }

    /**
     * The level installed in the library.
     *
     * @return {@link Level#ERROR}, {@code WARNING}, {@code INFO}, {@code DEBUG}, or
     *         {@link Level#OFF} when no hook is installed
     */
    public static Level getLevel() {
        return installed;
    }

    /**
     * How many records a logger threw on (each caught).
     *
     * @return the count since the JVM started
     */
    public static long getFailureCount() {
        return FAILURES.get();
    }

    /** The library's number (1 ERROR .. 4 DEBUG, 0 off) for {@code level}. */
    static int nativeLevel(Level level) {
        switch (level) {
            case ALL:
            case TRACE:
            case DEBUG:
                return 4;
            case INFO:
                return 3;
            case WARNING:
                return 2;
            case ERROR:
                return 1;
            default:
                return 0;
        }
    }

    /** The {@link Level} of the library's number. */
    static Level levelOf(int n) {
        switch (n) {
            case 1:
                return Level.ERROR;
            case 2:
                return Level.WARNING;
            case 3:
                return Level.INFO;
            case 4:
                return Level.DEBUG;
            default:
                return Level.OFF;
        }
    }

    /** Replaces where records go (tests); null restores the System.Logger. */
    static void setSink(Sink s) {
        sink = s == null ? SYSTEM_LOGGER : s;
    }

    /** The logger for a source: {@code "TcpServer#3"} logs to {@code "org.hpsocket.TcpServer"}. */
    static Logger loggerFor(String source) {
        int hash = source.indexOf('#');
        String kind = hash < 0 ? source : source.substring(0, hash);
        return LOGGERS.computeIfAbsent(kind, k -> System.getLogger(
                isIdentifier(k) ? LOGGER_NAME + "." + k : LOGGER_NAME));
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Character.isJavaIdentifierPart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static void toSystemLogger(Level level, String source, String message) {
        loggerFor(source).log(level, source + ": " + message);
    }

    /** One record, from native code on the thread that logs; never throws. */
    static void dispatch(int level, String source, String message) {
        try {
            sink.log(levelOf(level), source, message);
        } catch (Throwable t) {
            FAILURES.incrementAndGet();
        }
    }
}
