package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers shared by the tests. */
final class TestSupport {
    static final long WAIT_SECONDS = 60;
    static final String HOST = "127.0.0.1";

    private TestSupport() {}

    static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(WAIT_SECONDS, TimeUnit.SECONDS),
                "timed out waiting for " + what + " (" + latch.getCount() + " left)");
    }

    static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** An echo server of the given kind, started on a free port. */
    static <S extends TcpServer> S echoServer(S server) {
        server.start(HOST, 0);
        return server;
    }

    static int port(Server s) {
        return s.getListenAddress().getPort();
    }

    /** Collects what reaches the uncaught exception handlers while installed. */
    static final class CapturedExceptions implements AutoCloseable {
        final List<Throwable> exceptions = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        private final Thread.UncaughtExceptionHandler previous;

        CapturedExceptions() {
            previous = Thread.getDefaultUncaughtExceptionHandler();
            Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
                threads.add(t.getName());
                exceptions.add(e);
            });
        }

        @Override
        public void close() {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    /** A server listener that echoes every receive. */
    static <S extends Server> ServerListener<S> echo() {
        return new ServerListener<S>() {
            @Override
            public HandleResult onReceive(S server, long connId, java.nio.ByteBuffer data) {
                server.send(connId, data);
                return HandleResult.OK;
            }
        };
    }
}
