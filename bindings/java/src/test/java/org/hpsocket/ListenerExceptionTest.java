package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A listener that throws: HR_ERROR for that connection, reported, and the worker lives on. */
class ListenerExceptionTest {
    static final int ECANCELED = 125;

    @Test
    void throwingReceiveClosesOnlyThatConnection() throws Exception {
        ConcurrentHashMap<Long, String> closes = new ConcurrentHashMap<>();
        try (TestSupport.CapturedExceptions captured = new TestSupport.CapturedExceptions();
                TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
                    @Override
                    public HandleResult onReceive(TcpServer s, long id, byte[] data) {
                        String text = new String(data, StandardCharsets.UTF_8);
                        if (text.startsWith("boom")) {
                            throw new IllegalStateException("listener failure: " + text);
                        }
                        if (text.startsWith("error")) {
                            throw new AssertionError("an Error, not an Exception");
                        }
                        s.send(id, data);
                        return HandleResult.OK;
                    }

                    @Override
                    public HandleResult onClose(TcpServer s, long id, SocketOperation op, int err) {
                        closes.put(id, op + "/" + err);
                        return HandleResult.OK;
                    }
                })) {
            // Two workers and ten failing connections: every worker has thrown several times.
            server.setWorkerThreadCount(2);
            server.start(TestSupport.HOST, 0);
            int port = TestSupport.port(server);
            for (int i = 0; i < 10; i++) {
                CountDownLatch clientClosed = new CountDownLatch(1);
                try (TcpClient bad = new TcpClient(new ClientListener<TcpClient>() {
                    @Override
                    public HandleResult onClose(TcpClient c, long id, SocketOperation op, int err) {
                        clientClosed.countDown();
                        return HandleResult.OK;
                    }
                })) {
                    bad.start(TestSupport.HOST, port);
                    bad.send(((i % 2 == 0 ? "boom " : "error ") + i).getBytes(StandardCharsets.UTF_8));
                    TestSupport.await(clientClosed, "server closing the failing connection");
                }
                // A healthy connection still gets its echo.
                assertEcho(port, "hello " + i);
            }
            TestSupport.waitUntil(() -> captured.exceptions.size() == 10, "10 reported exceptions");
            long failures = closes.values().stream().filter(v -> v.equals("RECEIVE/" + ECANCELED)).count();
            assertEquals(10, failures, "closes: " + closes);
            for (Throwable t : captured.exceptions) {
                assertTrue(t instanceof IllegalStateException || t instanceof AssertionError, t.toString());
            }
            for (String thread : captured.threads) {
                assertTrue(thread.startsWith("hpsocket-"), "reported on a worker: " + thread);
            }
            assertEquals(ServiceState.STARTED, server.getState());
        }
    }

    @Test
    void throwingAcceptRejectsAndCloseCodeCanBeSet() throws Exception {
        AtomicInteger accepts = new AtomicInteger();
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger closeCode = new AtomicInteger();
        try (TestSupport.CapturedExceptions captured = new TestSupport.CapturedExceptions();
                TcpServer server = TestSupport.echoServer(new TcpServer(new ServerListener<TcpServer>() {
                    @Override
                    public HandleResult onAccept(TcpServer s, long id, int fd) {
                        if (accepts.incrementAndGet() == 1) {
                            throw new RuntimeException("reject the first");
                        }
                        return HandleResult.OK;
                    }

                    @Override
                    public HandleResult onReceive(TcpServer s, long id, byte[] data) {
                        Component.setCloseErrorCode(71); // EPROTO
                        return HandleResult.ERROR;
                    }

                    @Override
                    public HandleResult onClose(TcpServer s, long id, SocketOperation op, int err) {
                        closeCode.set(err);
                        closed.countDown();
                        return HandleResult.OK;
                    }
                }))) {
            CountDownLatch rejected = new CountDownLatch(1);
            try (TcpClient first = new TcpClient(new ClientListener<TcpClient>() {
                @Override
                public HandleResult onClose(TcpClient c, long id, SocketOperation op, int err) {
                    rejected.countDown();
                    return HandleResult.OK;
                }
            })) {
                first.start(TestSupport.HOST, TestSupport.port(server));
                TestSupport.await(rejected, "the rejected connection closing");
            }
            assertEquals(1, captured.exceptions.size());
            try (TcpClient second = new TcpClient(new ClientListener<TcpClient>() {})) {
                second.start(TestSupport.HOST, TestSupport.port(server));
                second.send(new byte[] {1});
                TestSupport.await(closed, "HR_ERROR close");
            }
            assertEquals(71, closeCode.get());
        }
    }

    static void assertEcho(int port, String text) throws Exception {
        CountDownLatch got = new CountDownLatch(1);
        StringBuilder echo = new StringBuilder();
        try (TcpClient c = new TcpClient(new ClientListener<TcpClient>() {
            @Override
            public HandleResult onReceive(TcpClient client, long id, byte[] data) {
                synchronized (echo) {
                    echo.append(new String(data, StandardCharsets.UTF_8));
                    if (echo.length() >= text.length()) {
                        got.countDown();
                    }
                }
                return HandleResult.OK;
            }
        })) {
            c.start(TestSupport.HOST, port);
            c.send(text.getBytes(StandardCharsets.UTF_8));
            TestSupport.await(got, "echo of " + text);
            synchronized (echo) {
                assertEquals(text, echo.toString());
            }
        }
    }
}
