package org.hpsocket;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every component has: its life cycle ({@code start}, {@link #stop()}, {@link #await},
 * {@link #close()}), the socket settings and the last asynchronous error.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread. Listener callbacks run on the component's
 * native worker threads, which attach to the JVM once, as daemon threads named
 * {@code hpsocket-hp-worker-N}, and stay attached; one connection's callbacks never overlap.
 * A slow callback stalls the other connections of its worker, so hand long work to an
 * executor.
 *
 * <h2>Exceptions in listeners</h2>
 * A listener method that throws counts as {@link HandleResult#ERROR} for that connection
 * (which closes it, with {@code onClose(RECEIVE, ECANCELED)} for a receive callback). The
 * exception goes to the worker thread's uncaught exception handler (by default
 * {@link Thread#getDefaultUncaughtExceptionHandler()}, else printed to {@code System.err}),
 * and the worker goes on.
 *
 * <h2>Resources</h2>
 * Components are {@link AutoCloseable}: {@link #close()} stops the component and makes it
 * unusable. A running component is never garbage-collected (like a running thread); a stopped
 * one that nobody references is, and a {@link Cleaner} then frees its native side, so a
 * forgotten {@code close()} leaks nothing.
 *
 * <h2>After close()</h2>
 * One rule for every component class: once {@link #close()} was called, every method that
 * acts (start, connect, send, fetch, peek, disconnect, pause, setters, attachments, the SSL
 * and HTTP calls, {@code cleanup…}) throws {@code IllegalStateException("TcpServer is closed")};
 * the queries ({@code get…}, {@code is…}, {@code has…}) answer as for a stopped component; and
 * {@code stop}, {@code await} and {@code close} return at once. The callbacks that the close
 * itself still delivers (each connection's {@code onClose}, {@code onShutdown}) are exempt:
 * they may use the component as a stopping one. A call racing with {@code close()} on
 * another thread either completes or fails as against a stopping component
 * ({@link HPSocketException}).
 *
 * <h2>Settings</h2>
 * Setters only work while the component is stopped (they throw {@link HPSocketException}
 * with {@link SocketError#ILLEGAL_STATE} otherwise); values are checked by {@code start}. The
 * socket settings every component has are those of {@link ComponentSettings}.
 */
// The native calls the public members share are in ComponentCalls; the socket settings in
// ComponentSettings; here the handle, the life cycle, the events and the attachments.
public abstract non-sealed class Component extends ComponentCalls
        implements AutoCloseable, ComponentSettings {
    static final int ROLE_SERVER = 0;
    static final int ROLE_AGENT = 1;
    static final int ROLE_CLIENT = 2;
    static final int ROLE_UDP_SERVER = 3;
    static final int ROLE_UDP_CLIENT = 4;
    static final int ROLE_HTTP_SYNC_CLIENT = 5;
    static final int ROLE_UDP_ARQ_SERVER = 6;
    static final int ROLE_UDP_ARQ_CLIENT = 7;
    static final int ROLE_UDP_ARQ_AGENT = 8;

    static final int MODEL_PUSH = 0;
    static final int MODEL_PULL = 1;
    static final int MODEL_PACK = 2;
    static final int MODEL_HTTP = 3;

    // Events, as native code numbers them (bridge.rs EV_*).
    static final int EV_PREPARE = 0;
    static final int EV_ACCEPT = 1;
    static final int EV_CONNECT = 2;
    static final int EV_HANDSHAKE = 3;
    static final int EV_SEND = 4;
    static final int EV_RECEIVE = 5;
    static final int EV_PULL_RECEIVE = 6;
    static final int EV_SEND_DRAINED = 7;
    static final int EV_CLOSE = 8;
    static final int EV_SHUTDOWN = 9;
    static final int EV_HTTP_MESSAGE_BEGIN = 10;
    static final int EV_HTTP_REQUEST_LINE = 11;
    static final int EV_HTTP_STATUS_LINE = 12;
    static final int EV_HTTP_HEADER = 13;
    static final int EV_HTTP_HEADERS_COMPLETE = 14;
    static final int EV_HTTP_BODY = 15;
    static final int EV_HTTP_CHUNK_HEADER = 16;
    static final int EV_HTTP_CHUNK_COMPLETE = 17;
    static final int EV_HTTP_MESSAGE_COMPLETE = 18;
    static final int EV_HTTP_UPGRADE = 19;
    static final int EV_HTTP_PARSE_ERROR = 20;
    static final int EV_HTTP_WS_MESSAGE = 21;
    /** ARQ partial reliability: {@code arg} is the message id (high 32 bits) and size. */
    static final int EV_MESSAGE_DROPPED = 22;

    // Setting keys (settings.rs).
    static final int S_WORKER_THREAD_COUNT = 0;
    static final int S_MAX_CONNECTION_COUNT = 1;
    static final int S_FREE_SOCKET_OBJ_LOCK_TIME = 2;
    static final int S_FREE_SOCKET_OBJ_POOL = 3;
    static final int S_FREE_SOCKET_OBJ_HOLD = 4;
    static final int S_FREE_BUFFER_OBJ_POOL = 5;
    static final int S_FREE_BUFFER_OBJ_HOLD = 6;
    static final int S_MARK_SILENCE = 7;
    static final int S_SOCKET_LISTEN_QUEUE = 10;
    static final int S_ACCEPT_SOCKET_COUNT = 11;
    static final int S_SYNC_CONNECT_TIMEOUT = 12;
    static final int S_REUSE_ADDRESS_POLICY = 20;
    static final int S_SOCKET_BUFFER_SIZE = 21;
    static final int S_KEEP_ALIVE_TIME = 22;
    static final int S_KEEP_ALIVE_INTERVAL = 23;
    static final int S_NO_DELAY = 24;
    static final int S_MAX_SEND_QUEUE_BYTES = 25;
    static final int S_SEND_QUEUE_LOW_WATERMARK = 26;
    static final int S_CONNECT_TIMEOUT = 27;
    static final int S_SSL_AUTO_HANDSHAKE = 28;
    static final int S_SSL_HANDSHAKE_TIMEOUT = 29;
    static final int S_SSL_VERIFY_HOST_NAME = 32;
    static final int S_SILENCE_COUNTS_SEND = 30;
    static final int S_HALF_CLOSE_DRAIN_TIMEOUT = 31;
    static final int S_MAX_PACK_SIZE = 40;
    static final int S_PACK_HEADER_FLAG = 41;
    static final int S_MAX_DATAGRAM_SIZE = 50;
    static final int S_POST_RECEIVE_COUNT = 51;
    static final int S_DETECT_ATTEMPTS = 52;
    static final int S_DETECT_INTERVAL = 53;
    static final int S_SOCKET_RECV_BUFFER_SIZE = 54;
    static final int S_SOCKET_SEND_BUFFER_SIZE = 55;
    static final int S_ARQ_NO_DELAY = 60;
    static final int S_ARQ_TURNOFF_CONGEST_CTRL = 61;
    static final int S_ARQ_FLUSH_INTERVAL = 62;
    static final int S_ARQ_RESEND_BY_ACKS = 63;
    static final int S_ARQ_SEND_WND_SIZE = 64;
    static final int S_ARQ_RECV_WND_SIZE = 65;
    static final int S_ARQ_MIN_RTO = 66;
    static final int S_ARQ_FAST_LIMIT = 67;
    static final int S_ARQ_MAX_TRANS_UNIT = 68;
    static final int S_ARQ_MAX_MESSAGE_SIZE = 69;
    static final int S_ARQ_HANDSHAKE_TIMEOUT = 70;
    static final int S_ARQ_PARTIAL_RELIABILITY = 71;

    private static final Cleaner CLEANER = Cleaner.create();

    /** The native handle; valid until the Cleaner runs, which needs this object unreachable. */
    private final long nativeHandle;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ConcurrentHashMap<Long, Object> attachments = new ConcurrentHashMap<>();
    private final int role;
    /** The pending futures of the {@code *Async} methods. */
    final Async async;

    /** Frees the native side; must not reference the component. */
    private static final class Destroy implements Runnable {
        private final long handle;

        Destroy(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            Native.destroy(handle);
        }
    }

    Component(int role, int model, boolean ssl, int eventMask) {
        this.role = role;
        this.async = new Async(this, role == ROLE_CLIENT || role == ROLE_UDP_CLIENT
                || role == ROLE_HTTP_SYNC_CLIENT || role == ROLE_UDP_ARQ_CLIENT);
        // The futures need these events whether or not the listener overrides them.
        this.nativeHandle = Native.create(role, model, ssl, this, eventMask | Async.mask(role));
        CLEANER.register(this, new Destroy(nativeHandle));
    }

    // ---- dispatch (called by native code on worker threads) ----

    /**
     * What {@link #dispatch} adds to its code. A JNI upcall that ends in an exception returns
     * 0, so a nonzero result tells native code that no exception is pending without asking
     * the JVM ({@code ExceptionCheck} is a JVM state transition on every event).
     */
    static final int DISPATCHED = 1 << 16;

    /**
     * Called by native code for each event the listener overrides (and every close and
     * shutdown); returns the {@link HandleResult} code (an {@link HttpParseResult} code for
     * the HTTP events) plus {@link #DISPATCHED}. Never throws: a listener exception is
     * reported and counts as {@code HR_ERROR}.
     */
    final int dispatch(int event, long connId, long arg, ByteBuffer data) {
        if (event == EV_RECEIVE && data != null) {
            // The per-message event: nothing for the futures or the attachments to do.
            HandleResult r;
            try {
                data.clear().limit((int) arg);
                data.order(ByteOrder.BIG_ENDIAN);
                r = deliver(event, connId, arg, data);
            } catch (Throwable t) {
                Native.reportException(t);
                r = HandleResult.ERROR;
            }
            return (r == null ? 0 : r.code()) + DISPATCHED;
        }
        return deliverEvent(event, connId, arg, data) + DISPATCHED;
    }

    private int deliverEvent(int event, long connId, long arg, ByteBuffer data) {
        if (event >= EV_HTTP_MESSAGE_BEGIN && event <= EV_HTTP_WS_MESSAGE) {
            try {
                if (data != null) {
                    data.clear().limit((int) arg);
                    data.order(ByteOrder.BIG_ENDIAN);
                }
                return deliverHttp(event, connId, arg, data);
            } catch (Throwable t) {
                Native.reportException(t);
                return HttpParseResult.ERROR.code();
            }
        }
        try {
            if (data != null) {
                data.clear().limit((int) arg);
                data.order(ByteOrder.BIG_ENDIAN);
            }
            async.before(event, connId);
            HandleResult r;
            try {
                r = deliver(event, connId, arg, data);
            } catch (Throwable t) {
                Native.reportException(t);
                r = HandleResult.ERROR;
            }
            async.after(event, connId, arg, r);
            return r == null ? 0 : r.code();
        } catch (Throwable t) {
            Native.reportException(t);
            return HandleResult.ERROR.code();
        } finally {
            if (event == EV_CLOSE) {
                attachments.remove(connId);
            } else if (event == EV_SHUTDOWN) {
                attachments.clear();
            }
        }
    }

    /** Hands one event to the listener. */
    abstract HandleResult deliver(int event, long connId, long arg, ByteBuffer data);

    /**
     * An HTTP event (HTTP components override it); returns an {@link HttpParseResult} code.
     */
    int deliverHttp(int event, long connId, long arg, ByteBuffer data) {
        return HttpParseResult.OK.code();
    }

    /** Whether {@code listener}'s class overrides {@code iface}'s default method. */
    static boolean overrides(Object listener, Class<?> iface, String name, Class<?>... params) {
        try {
            Method m = listener.getClass().getMethod(name, params);
            return m.getDeclaringClass() != iface;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    static int bit(boolean on, int event) {
        return on ? 1 << event : 0;
    }

    // ---- life cycle ----

    /**
     * The handle for a call that acts on the component or its connections; the one place the
     * rule for use after {@link #close()} is checked. Once closed, every such call (start,
     * connect, send, fetch, peek, disconnect, pause, setters, attachments, the SSL and HTTP
     * calls) throws {@code IllegalStateException("<Class> is closed")}, except inside the
     * component's own callbacks, which the close still delivers (each {@code onClose},
     * {@code onShutdown}) and which may go on using it as a stopping component.
     */
    final long handle() {
        if (closed.get() && !Native.inCallback(nativeHandle)) {
            throw new IllegalStateException(getClass().getSimpleName() + " is closed");
        }
        return nativeHandle;
    }

    /**
     * The handle for a query ({@code get…}, {@code is…}, {@code has…}), {@code stop} and
     * {@code await}: they answer after {@link #close()} too, as for a stopped component.
     */
    final long queryHandle() {
        return nativeHandle;
    }

    /** The rule of {@link #handle()} for an act that does not call native code. */
    final void checkOpen() {
        handle();
    }

    /**
     * Stops the component: every connection closes (each gets {@code onClose}), then a server
     * or agent gets {@code onShutdown}. Returns once stopped.
     *
     * <p>From one of the component's own callbacks a server or agent cannot wait for itself:
     * there this throws {@link HPSocketException} ({@link SocketError#ILLEGAL_STATE}); use
     * {@link #close()}, which finishes in the background. A client may stop itself from its
     * callbacks (the stop then completes in the background).
     *
     * <p>On a stopped component (never started, stopped, closed, or a client that stopped by
     * itself when its peer hung up) it does nothing, as {@code close()} of a channel.
     *
     * @throws HPSocketException {@link SocketError#ILLEGAL_STATE} from one of a server's or
     *                           agent's own callbacks
     */
    public void stop() {
        try {
            Native.stop(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Waits until the component has stopped.
     *
     * @param timeout how long to wait at most
     * @param unit    the unit of {@code timeout}
     * @return true if stopped, false on timeout
     * @throws HPSocketException {@link SocketError#ILLEGAL_STATE} from the component's own
     *                           callbacks (it would wait for itself)
     */
    public boolean await(long timeout, TimeUnit unit) {
        try {
            return Native.await(queryHandle(), Math.max(0, unit.toMillis(timeout)));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Waits until the component has stopped, however long it takes.
     *
     * @throws HPSocketException {@link SocketError#ILLEGAL_STATE} from the component's own
     *                           callbacks
     */
    public void await() {
        try {
            Native.await(queryHandle(), -1);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Stops the component if it runs and makes it unusable: from then on every method that
     * acts throws {@link IllegalStateException} (see the class description). Idempotent. Called from one of the component's own
     * callbacks, it returns at once and the stop finishes on a helper thread (the remaining
     * {@code onClose}/{@code onShutdown} events still arrive); elsewhere it returns once
     * stopped.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Native.close(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@link #stop()} on the {@linkplain #getAsyncExecutor() async executor}: the future
     * completes once the component has stopped (every {@code onClose}, then
     * {@code onShutdown}, have returned), or fails with what {@code stop} threw. Unlike
     * {@code stop}, it may be called from the component's own callbacks (the stop then runs on
     * the executor; do not wait for the future there, the stop waits for the callback). On a
     * stopped or closed component it completes at once.
     *
     * @return the future
     */
    public CompletableFuture<Void> stopAsync() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (getState() == ServiceState.STOPPED) {
            f.complete(null);
            return f;
        }
        try {
            async.executor().execute(() -> {
                try {
                    stop();
                    f.complete(null);
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /**
     * The executor that completes the futures of the {@code *Async} methods (and runs
     * {@link #stopAsync()}'s stop). They are never completed on the I/O worker threads, so a
     * continuation that blocks cannot stall a connection. Default: a shared cached pool of
     * daemon threads named {@code hpsocket-async-N}.
     *
     * @return the executor
     */
    public Executor getAsyncExecutor() {
        return async.executor();
    }

    /**
     * Sets the executor of the futures (see {@link #getAsyncExecutor()}); any time. A direct
     * executor ({@code Runnable::run}) brings back what the default avoids: continuations on
     * the I/O threads, where they must not block.
     *
     * @param executor the executor
     */
    public void setAsyncExecutor(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        checkOpen();
        async.executor(executor);
    }

    /** ARQ components, and SSL ones that shake hands by themselves, can send once onHandshake. */
    final boolean readyOnHandshake() {
        if (role == ROLE_UDP_ARQ_CLIENT || role == ROLE_UDP_ARQ_AGENT) {
            return true;
        }
        return isSecure() && getSetting(S_SSL_AUTO_HANDSHAKE) != 0;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * The life-cycle state.
     *
     * @return {@link ServiceState#STARTING}, {@code STARTED}, {@code STOPPING} or {@code STOPPED}
     */
    public ServiceState getState() {
        try {
            return ServiceState.of(Native.state(queryHandle()));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Whether the component is starting or started.
     *
     * @return true while starting or started
     */
    public boolean hasStarted() {
        ServiceState s = getState();
        return s == ServiceState.STARTING || s == ServiceState.STARTED;
    }

    /**
     * Whether this is an SSL component.
     *
     * @return true for the {@code Ssl*} classes
     */
    public boolean isSecure() {
        try {
            return Native.isSecure(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The last failure that no call returned, such as a failed TLS handshake (its
     * {@code onClose} carries only an errno; this names the cause).
     *
     * @return the failure as an exception (not thrown), or null if none
     */
    public HPSocketException getLastError() {
        try {
            return Native.lastError(queryHandle());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Inside a listener callback that returns {@link HandleResult#ERROR} (or throws), sets the
     * error code the connection's {@code onClose} reports (default {@code ECANCELED}). Has
     * effect only on the thread running the callback, for that callback.
     *
     * @param errno the error code to report
     */
    public static void setCloseErrorCode(int errno) {
        Native.setCloseErrorCode(errno);
    }

    // ---- attachments ----

    void attach(long connId, Object value) {
        checkOpen();
        if (value == null) {
            attachments.remove(connId);
        } else {
            attachments.put(connId, value);
        }
    }

    @SuppressWarnings("unchecked")
    <T> T attachment(long connId) {
        return (T) attachments.get(connId);
    }
}
