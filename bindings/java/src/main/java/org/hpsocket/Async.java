package org.hpsocket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The futures of one component ({@code startAsync}, {@code connectAsync}, {@code sendAsync},
 * {@code stopAsync}): which are pending, and the events that settle them. {@link Component}
 * feeds it every event before (prepare) or after (the rest) the listener sees it.
 *
 * <p>Events arrive on the component's I/O worker threads. A future is never completed there:
 * {@code CompletableFuture.complete} runs the dependent stages ({@code thenApply},
 * {@code thenAccept}, ...) that are already attached on the completing thread, and a
 * continuation that blocks (a {@code join} on another future, a blocking send, a lock) would
 * then stall every connection of that worker, or deadlock when it waits for an event the
 * same worker has to deliver. So completions are handed to the component's executor.
 */
final class Async {
    /** Linux's {@code ENOBUFS}: the bounded send queue is full. */
    static final int ENOBUFS = 105;

    /**
     * The default executor: a cached pool of daemon threads. Not
     * {@code ForkJoinPool.commonPool()}: it has one thread on a two-core machine, and user
     * continuations may block (join other futures), which would starve every later completion.
     */
    static final Executor DEFAULT_EXECUTOR;

    static {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "hpsocket-async-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        DEFAULT_EXECUTOR = pool;
    }

    /** The connect of {@code connectAsync}/{@code startAsync} being made on this thread. */
    private static final ThreadLocal<Pending> PREPARING = new ThreadLocal<>();

    /** A connect waiting to become ready. */
    static final class Pending {
        final Async owner;
        final CompletableFuture<Long> future = new CompletableFuture<>();
        /** Ready on onHandshake (ARQ, SSL with automatic handshakes), else on onConnect. */
        final boolean onHandshake;
        long connId;

        Pending(Async owner, boolean onHandshake) {
            this.owner = owner;
            this.onHandshake = onHandshake;
        }
    }

    /** A {@code sendAsync} waiting for room in the send queue. */
    private static final class Queued {
        final byte[] data;
        final CompletableFuture<Void> future;

        Queued(byte[] data, CompletableFuture<Void> future) {
            this.data = data;
            this.future = future;
        }
    }

    private final Component owner;
    /** Clients have one connection: their waiting sends and their start go by key 0. */
    private final boolean client;
    private volatile Executor executor = DEFAULT_EXECUTOR;
    private final ConcurrentHashMap<Long, Pending> connects = new ConcurrentHashMap<>();
    private final AtomicReference<Pending> start = new AtomicReference<>();
    /**
     * Serialises a send attempt with the queueing of a refused one and with the retry on
     * onSendDrained: the refusal arms the drained event, which then waits here until the
     * refused send is queued, so no drain is missed.
     */
    private final Object sendLock = new Object();
    private final Map<Long, ArrayDeque<Queued>> waiting = new HashMap<>();

    Async(Component owner, boolean client) {
        this.owner = owner;
        this.client = client;
    }

    /** The events an agent or client must always get for its futures. */
    static int mask(int role) {
        int m = 1 << Component.EV_SEND_DRAINED | 1 << Component.EV_CLOSE | 1 << Component.EV_SHUTDOWN;
        if (role != Component.ROLE_SERVER && role != Component.ROLE_UDP_SERVER
                && role != Component.ROLE_UDP_ARQ_SERVER) {
            m |= 1 << Component.EV_PREPARE | 1 << Component.EV_CONNECT | 1 << Component.EV_HANDSHAKE;
        }
        return m;
    }

    Executor executor() {
        return executor;
    }

    void executor(Executor e) {
        executor = e;
    }

    // ---- completion off the I/O thread ----

    private void run(Runnable r) {
        try {
            executor.execute(r);
        } catch (RejectedExecutionException e) {
            // A shut-down user executor must not leave the future pending for ever.
            Thread t = new Thread(r, "hpsocket-async-fallback");
            t.setDaemon(true);
            t.start();
        }
    }

    <T> void complete(CompletableFuture<T> f, T value) {
        run(() -> f.complete(value));
    }

    void fail(CompletableFuture<?> f, Throwable t) {
        run(() -> f.completeExceptionally(t));
    }

    // ---- connects ----

    /** Starts a connect on this thread: the prepare event it triggers registers it. */
    Pending begin(boolean onHandshake) {
        Pending p = new Pending(this, onHandshake);
        PREPARING.set(p);
        return p;
    }

    /** A client's start: only one at a time. */
    Pending beginStart(boolean onHandshake) {
        Pending p = new Pending(this, onHandshake);
        if (!start.compareAndSet(null, p)) {
            p.future.completeExceptionally(new IllegalStateException("a startAsync is already pending"));
            return null;
        }
        return p;
    }

    /**
     * The connect call returned {@code connId} or threw {@code error}; the future is not yet
     * handed out, so completing it here runs no continuation.
     */
    void end(Pending p, long connId, RuntimeException error) {
        if (PREPARING.get() == p) {
            PREPARING.remove();
        }
        if (error != null) {
            if (p.connId != 0) {
                connects.remove(p.connId, p);
            }
            start.compareAndSet(p, null);
            p.future.completeExceptionally(error);
        } else if (!client && p.connId == 0) {
            // No prepare event seen (not expected): register under the returned ID.
            p.connId = connId;
            connects.putIfAbsent(connId, p);
        }
    }

    private void ready(long connId, boolean handshake) {
        Pending p = client ? start.get() : connects.get(connId);
        if (p == null || p.onHandshake != handshake) {
            return;
        }
        boolean mine = client ? start.compareAndSet(p, null) : connects.remove(connId, p);
        if (mine) {
            complete(p.future, connId);
        }
    }

    // ---- sends ----

    /** {@code sendAsync}: {@code data} is the caller's copy. */
    CompletableFuture<Void> send(long connId, byte[] data) {
        long key = client ? 0 : connId;
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (sendLock) {
            ArrayDeque<Queued> q = waiting.get(key);
            if (q != null) {
                q.add(new Queued(data, f));
                return f;
            }
            try {
                owner.send0(connId, data, 0, data.length);
                f.complete(null);
            } catch (HPSocketException e) {
                if (e.getErrno() == ENOBUFS) {
                    q = new ArrayDeque<>();
                    q.add(new Queued(data, f));
                    waiting.put(key, q);
                } else {
                    f.completeExceptionally(e);
                }
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }
        return f;
    }

    /** onSendDrained: moves waiting sends into the queue until it is full again. */
    private void drained(long connId) {
        long key = client ? 0 : connId;
        synchronized (sendLock) {
            ArrayDeque<Queued> q = waiting.get(key);
            while (q != null && !q.isEmpty()) {
                Queued head = q.peek();
                try {
                    owner.send0(connId, head.data, 0, head.data.length);
                } catch (HPSocketException e) {
                    if (e.getErrno() == ENOBUFS) {
                        return; // full again: the next onSendDrained goes on
                    }
                    failAll(q, e);
                    break;
                } catch (RuntimeException e) {
                    failAll(q, e);
                    break;
                }
                q.poll();
                complete(head.future, null);
            }
            waiting.remove(key);
        }
    }

    private void failAll(ArrayDeque<Queued> q, Throwable t) {
        for (Queued x; (x = q.poll()) != null;) {
            fail(x.future, t);
        }
    }

    // ---- events ----

    /** Before the listener: a connect's prepare event names its ID. */
    void before(int event, long connId) {
        if (event == Component.EV_PREPARE && !client) {
            Pending p = PREPARING.get();
            if (p != null && p.owner == this && p.connId == 0) {
                p.connId = connId;
                connects.put(connId, p);
            }
        }
    }

    /** After the listener returned {@code result}. */
    void after(int event, long connId, long arg, HandleResult result) {
        switch (event) {
            case Component.EV_CONNECT:
            case Component.EV_HANDSHAKE:
                // An ERROR closes the connection: its onClose fails the future instead.
                if (result != HandleResult.ERROR) {
                    ready(connId, event == Component.EV_HANDSHAKE);
                }
                break;
            case Component.EV_SEND_DRAINED:
                drained(connId);
                break;
            case Component.EV_CLOSE:
                closed(connId, SocketOperation.of((int) (arg >> 32)), (int) arg);
                break;
            case Component.EV_SHUTDOWN:
                shutdown();
                break;
            default:
                break;
        }
    }

    private void closed(long connId, SocketOperation op, int errno) {
        ConnectionClosedException e = new ConnectionClosedException(connId, op, errno);
        Pending p = client ? start.getAndSet(null) : connects.remove(connId);
        if (p != null) {
            fail(p.future, e);
        }
        ArrayDeque<Queued> q;
        synchronized (sendLock) {
            q = waiting.remove(client ? 0 : connId);
        }
        if (q != null) {
            failAll(q, e);
        }
    }

    private void shutdown() {
        List<Pending> left = new ArrayList<>(connects.values());
        connects.clear();
        ConnectionClosedException e = new ConnectionClosedException(0, SocketOperation.CLOSE, 0);
        for (Pending p : left) {
            fail(p.future, e);
        }
        List<ArrayDeque<Queued>> queues;
        synchronized (sendLock) {
            queues = new ArrayList<>(waiting.values());
            waiting.clear();
        }
        for (ArrayDeque<Queued> q : queues) {
            failAll(q, e);
        }
    }
}
