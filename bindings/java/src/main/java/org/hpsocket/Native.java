package org.hpsocket;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The native methods of {@code libhpsocket_jni.so} and how the library is found.
 *
 * <p>Loading order: the system property {@value #LIBRARY_PATH_PROPERTY} (an absolute path to
 * the library), else the copy packed in the jar ({@value #RESOURCE}, extracted to a temporary
 * file), else {@code System.loadLibrary("hpsocket_jni")} from {@code java.library.path}.
 */
final class Native {
    /** System property naming the native library file to load instead of the jar's copy. */
    static final String LIBRARY_PATH_PROPERTY = "org.hpsocket.library.path";
    /** Where the jar keeps the linux-x86_64 library. */
    static final String RESOURCE = "/org/hpsocket/native/linux-x86_64/libhpsocket_jni.so";

    /** How the library was found: a path, or "java.library.path". */
    static final String LOADED_FROM;

    static {
        LOADED_FROM = load();
        initIds();
    }

    private Native() {}

    private static String load() {
        String override = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (override != null && !override.isEmpty()) {
            System.load(Path.of(override).toAbsolutePath().toString());
            return override;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean supported = os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
        if (supported) {
            try (InputStream in = Native.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    Path file = Files.createTempFile("libhpsocket_jni-", ".so");
                    try {
                        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                        System.load(file.toString());
                    } finally {
                        // Linux keeps a loaded library mapped after its file is gone.
                        Files.deleteIfExists(file);
                    }
                    return "jar:" + RESOURCE;
                }
            } catch (IOException e) {
                UnsatisfiedLinkError err = new UnsatisfiedLinkError(
                        "hpsocket: cannot extract " + RESOURCE + ": " + e);
                err.initCause(e);
                throw err;
            }
        }
        try {
            System.loadLibrary("hpsocket_jni");
            return "java.library.path";
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError err = new UnsatisfiedLinkError("hpsocket: no native library for "
                    + os + "-" + arch + " in the jar and none on java.library.path; set -D"
                    + LIBRARY_PATH_PROPERTY + "=/path/to/libhpsocket_jni.so (" + e.getMessage() + ")");
            err.initCause(e);
            throw err;
        }
    }

    /**
     * Reports an exception that escaped a listener: to the current thread's uncaught exception
     * handler (by default {@link Thread#getDefaultUncaughtExceptionHandler()}, else printed to
     * {@code System.err}). Called from Java dispatch and from native code.
     */
    static void reportException(Throwable t) {
        Thread thread = Thread.currentThread();
        try {
            Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
            if (handler != null) {
                handler.uncaughtException(thread, t);
                return;
            }
        } catch (Throwable ignored) {
            // The handler failed too; fall through to the plain report.
        }
        System.err.println("hpsocket: exception in listener on thread \"" + thread.getName() + "\":");
        t.printStackTrace();
    }

    // ffi-gen: begin native methods
    // (written by `cargo run -p ffi-gen` from the JNI shims in bindings/java/src/*.rs:
    // change a shim or its `///` doc there and regenerate; do not edit these lines)

    // ---- connections.rs ----
    static native void disconnect(long h, long conn);
    static native void pauseReceive(long h, long conn, boolean pause);
    static native boolean isPauseReceive(long h, long conn);
    static native boolean isConnected(long h, long conn);
    static native int connectionCount(long h);
    static native long[] connectionIds(long h);
    static native long connectionId(long h);
    static native long period(long h, long conn, boolean silence);
    static native void disconnectOlder(long h, long periodMs, boolean silence);
    /** {@code which}: 0 local, 1 remote, 2 listen; the IP bytes then the port (big-endian). */
    static native byte[] address(long h, long conn, int which);
    /** {@code "port:host"} as given to connect. */
    static native String remoteHost(long h, long conn);
    static native long pendingDataLength(long h, long conn);

    // ---- data.rs ----
    static native void send(long h, long conn, byte[] data, int off, int len);
    static native void sendDirect(long h, long conn, ByteBuffer data, int off, int len);
    /**
     * {@code len} bytes at {@code address}: the worker's own receive buffer ({@code
     * ReceiveBuffer}), whose address the Java side already knows, so no per-send JVM lookup of a
     * buffer's address and capacity.
     */
    static native void sendAddress(long h, long conn, long address, int len);
    /** Several {@code byte[]} ranges as one send (one frame for PACK). */
    static native void sendPackets(long h, long conn, byte[][] arrays, int[] offs, int[] lens);
    static native void sendSmallFile(long h, long conn, String path, byte[] head, byte[] tail);
    static native int fetch(long h, long conn, byte[] dst, int off, int len, boolean peek);
    static native int fetchDirect(long h, long conn, ByteBuffer dst, int off, int len,
            boolean peek);
    /**
     * ARQ partial reliability: one message with a deadline (0: none) and a retransmit limit
     * (negative: none, as the C API's {@code iMaxRetransmits}); returns its id.
     */
    static native long sendEx(long h, long conn, byte[] data, int off, int len, int deadline,
            int maxRetransmits);
    /** ARQ: messages queued or in flight ({@code conn} ignored by a client). */
    static native long waitingSendMessageCount(long h, long conn);

    // ---- global.rs ----
    /**
     * The text the core puts in its records for {@code code} ({@code io::Error}'s, from the C
     * library), for the test that holds {@code org.hpsocket.Errno}'s fixed table to it.
     */
    static native String errnoText(int code);
    /**
     * {@code Logging.enable}/{@code disable}: the core's logging hook at {@code level} (1 ERROR ..
     * 4 DEBUG), or none (0).
     */
    static native void setLogLevel(int level);
    static native void setCloseErrorCode(int code);

    // ---- http.rs ----
    static native String[] httpMessage(long h, long conn);
    /** {@code {code, description}} of the parse error that ended the connection's HTTP, or null. */
    static native String[] httpParseError(long h, long conn);
    static native void httpStart(long h, long conn);
    static native void httpSendChunk(long h, long conn, byte[] data, String extensions);
    static native void httpSendResponse(long h, long conn, int status, String reason, String[] hdrs,
            byte[] body);
    static native void httpSendRequest(long h, long conn, String method, String path, String[] hdrs,
            byte[] body);
    static native void httpRelease(long h, long conn);
    static native long httpGetSetting(long h, int key);
    static native void httpSetSetting(long h, int key, long value);
    static native void syncOpenUrl(long h, String method, String url, String[] hdrs, byte[] body,
            boolean forceReconnect);
    /**
     * The head of the sync client's last complete response (kept by the bridge: the core drops it
     * with the connection), or the client's current message.
     */
    static native String[] syncMessage(long h);
    static native byte[] syncResponseBody(long h);
    static native void syncCleanup(long h);

    // ---- lifecycle.rs ----
    static native void initIds();
    static native long create(int role, int model, boolean ssl, Component component, int mask);
    static native void destroy(long h);
    /** Native components not yet freed (tests use it to see the Cleaner at work). */
    static native long liveHandles();
    static native void serverStart(long h, String address, int p);
    static native void agentStart(long h, String bind, boolean asyncConnect);
    static native long agentConnect(long h, String host, int p, String localAddress, int localPort);
    static native void clientStart(long h, String host, int p, boolean asyncConnect, String bind,
            int localPort);
    static native void stop(long h);
    static native boolean await(long h, long timeoutMs);
    /**
     * {@code close()}: stop and wait; from inside one of the component's own callbacks (where a
     * server or agent cannot wait for itself) the stop finishes on a helper thread.
     */
    static native void close(long h);
    static native int state(long h);
    static native boolean isSecure(long h);
    static native HPSocketException lastError(long h);
    /**
     * Whether one of the component's own callbacks runs on the calling thread. {@code
     * Component.handle()} asks it only once closed: the callbacks a close still delivers may go on
     * using the component.
     */
    static native boolean inCallback(long h);

    // ---- settings.rs ----
    static native long getSetting(long h, int key);
    static native void setSetting(long h, int key, long value);

    // ---- ssl.rs ----
    static native void setupSsl(long h, int verify, String cert, String key, String password,
            String ca, String ciphers, int memory, boolean sniCallback);
    static native int addSslContext(long h, int verify, String cert, String key, String password,
            String ca, String ciphers, int memory);
    static native void bindSslServerName(long h, String name, int index);
    static native void cleanupSsl(long h);
    static native void startSslHandshake(long h, long conn);
    /** {@code {protocol, cipher}} of a connection's TLS session. */
    static native String[] sslInfo(long h, long conn);
    /** The peer's certificate (DER), or null when it sent none. */
    static native byte[] sslPeerCertificate(long h, long conn);

    // ---- websocket.rs ----
    /**
     * One WebSocket frame from {@code data[off..off + len]} (agents and clients mask it with a
     * fresh key; the caller's bytes are never changed).
     */
    static native void httpSendWs(long h, long conn, boolean fin, int rsv, int opcode, byte[] data,
            int off, int len);
    static native void httpSendWsDirect(long h, long conn, boolean fin, int rsv, int opcode,
            ByteBuffer data, int off, int len);
    static native void httpWsUpgrade(long h, long conn, String path, String[] hdrs);
    static native void httpWsClose(long h, long conn, int code, String reason);
    // ffi-gen: end native methods
}
