package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #14: the logging hook into System.Logger, observed through java.util.logging (the
 * default System.Logger backend) with a Handler that collects records.
 */
class LoggingTest {
    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger JUL = Logger.getLogger(Logging.LOGGER_NAME);

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private Handler handler;

    private final class Collector extends Handler {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @BeforeEach
    void collect() {
        JUL.setUseParentHandlers(false);
        JUL.setLevel(Level.INFO);
        handler = new Collector();
        JUL.addHandler(handler);
    }

    @AfterEach
    void restore() {
        Logging.disable();
        JUL.removeHandler(handler);
        JUL.setLevel(null);
        JUL.setUseParentHandlers(true);
    }

    /** The records whose message mentions {@code address}, as "LEVEL logger: message". */
    private List<String> about(String address) {
        Pattern exact = Pattern.compile(Pattern.quote(address) + "(?!\\d)");
        return records.stream().filter(r -> exact.matcher(r.getMessage()).find())
                .map(r -> r.getLevel() + " " + r.getLoggerName() + " " + r.getMessage())
                .collect(Collectors.toList());
    }

    /**
     * A real server and client on 127.0.0.1: connect, one echo, the client stops; returns once
     * both sides had onClose (each logs its close before that), with the client's and the
     * server's address.
     */
    private static String[] echoOnce() throws Exception {
        CountDownLatch echoed = new CountDownLatch(1);
        CountDownLatch serverClosed = new CountDownLatch(1);
        CountDownLatch clientClosed = new CountDownLatch(1);
        AtomicReference<byte[]> back = new AtomicReference<>();
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onReceive(TcpServer s, long connId, byte[] data) {
                s.send(connId, data);
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpServer s, long connId, SocketOperation op, int err) {
                serverClosed.countDown();
                return HandleResult.OK;
            }
        }); TcpClient client = new TcpClient(new ClientListener<TcpClient>() {
            @Override
            public HandleResult onReceive(TcpClient c, long connId, byte[] data) {
                back.set(data);
                echoed.countDown();
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpClient c, long connId, SocketOperation op, int err) {
                clientClosed.countDown();
                return HandleResult.OK;
            }
        })) {
            server.start(TestSupport.HOST, 0);
            client.start(TestSupport.HOST, TestSupport.port(server), false);
            String clientAddress = TestSupport.HOST + ":" + client.getLocalAddress().getPort();
            String serverAddress = TestSupport.HOST + ":" + TestSupport.port(server);
            client.send("ping".getBytes(StandardCharsets.US_ASCII));
            TestSupport.await(echoed, "the echo");
            assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), back.get());
            client.stop();
            TestSupport.await(clientClosed, "client onClose");
            TestSupport.await(serverClosed, "server onClose");
            return new String[] {clientAddress, serverAddress};
        }
    }

    @Test
    void acceptAndCloseReachTheLoggerAtInfo() throws Exception {
        assertEquals(System.Logger.Level.INFO, Logging.enable(), "the level java.util.logging logs");
        assertEquals(System.Logger.Level.INFO, Logging.getLevel());
        String[] a = echoOnce();
        List<String> server = about(a[0]);
        List<String> client = about(a[1]);
        assertEquals(2, server.size(), server.toString());
        assertTrue(server.get(0).matches(
                "INFO org\\.hpsocket\\.TcpServer TcpServer#\\d+: connection \\d+ accepted from "
                        + a[0].replace(".", "\\.")), server.get(0));
        assertTrue(server.get(1).matches(
                "INFO org\\.hpsocket\\.TcpServer TcpServer#\\d+: connection \\d+ \\("
                        + a[0].replace(".", "\\.") + "\\) closed: Close, no error"), server.get(1));
        assertEquals(2, client.size(), client.toString());
        assertTrue(client.get(0).matches(
                "INFO org\\.hpsocket\\.TcpClient TcpClient#\\d+: connection \\d+ connecting to "
                        + a[1].replace(".", "\\.")), client.get(0));
        assertTrue(client.get(1).matches(
                "INFO org\\.hpsocket\\.TcpClient TcpClient#\\d+: connection \\d+ \\("
                        + a[1].replace(".", "\\.") + "\\) closed: Close, no error"), client.get(1));
    }

    @Test
    void disableStopsTheRecords() throws Exception {
        Logging.enable();
        String[] before = echoOnce();
        assertEquals(2, about(before[0]).size());
        Logging.disable();
        assertEquals(System.Logger.Level.OFF, Logging.getLevel());
        String[] after = echoOnce();
        assertEquals(List.of(), about(after[0]));
        assertEquals(List.of(), about(after[1]));
    }

    @Test
    void aThrowingHandlerDoesNotBreakTheEcho() throws Exception {
        JUL.removeHandler(handler);
        Handler throwing = new Handler() {
            @Override
            public void publish(LogRecord r) {
                throw new IllegalStateException("handler fails: " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        JUL.addHandler(throwing);
        long failures = Logging.getFailureCount();
        try (TestSupport.CapturedExceptions uncaught = new TestSupport.CapturedExceptions()) {
            Logging.enable();
            for (int i = 0; i < 3; i++) {
                echoOnce(); // asserts the echo
            }
            // Accept, connect and two closes per round, each thrown on and caught.
            assertTrue(Logging.getFailureCount() - failures >= 12, "failures " + (Logging.getFailureCount() - failures));
            assertEquals(List.of(), uncaught.exceptions);
        } finally {
            JUL.removeHandler(throwing);
        }
    }

    /** At WARNING only refusals come through: MaxConnectionCount, with no accept records. */
    @Test
    void atWarningOnlyRefusalsArrive() throws Exception {
        JUL.setLevel(Level.WARNING);
        assertEquals(System.Logger.Level.WARNING, Logging.enable());
        CountDownLatch accepted = new CountDownLatch(1);
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onAccept(TcpServer s, long connId, int fd) {
                accepted.countDown();
                return HandleResult.OK;
            }
        })) {
            server.setMaxConnectionCount(1);
            server.start(TestSupport.HOST, 0);
            try (Socket first = new Socket(TestSupport.HOST, TestSupport.port(server));
                    Socket second = new Socket(TestSupport.HOST, TestSupport.port(server))) {
                TestSupport.await(accepted, "the first accept");
                second.setSoTimeout((int) (TestSupport.WAIT_SECONDS * 1000));
                try (InputStream in = second.getInputStream()) {
                    assertEquals(-1, in.read(), "the refused connection is closed");
                } catch (IOException reset) {
                    // closed with a reset: refused too
                }
                String firstAddress = TestSupport.HOST + ":" + first.getLocalPort();
                String secondAddress = TestSupport.HOST + ":" + second.getLocalPort();
                List<String> refused = about(secondAddress);
                assertEquals(1, refused.size(), refused.toString());
                assertTrue(refused.get(0).matches("WARNING org\\.hpsocket\\.TcpServer TcpServer#\\d+: connection from "
                        + secondAddress.replace(".", "\\.") + " refused: MaxConnectionCount \\(1\\) reached"),
                        refused.get(0));
                assertEquals(List.of(), about(firstAddress), "no INFO record at WARNING");
            }
        }
    }

    /**
     * A send refused by the queue bound logs on the application thread, inside the native
     * call, and the call still throws its own exception afterwards.
     */
    @Test
    void aRefusedSendLogsOnTheCallingThread() throws Exception {
        Logging.enable();
        AtomicReference<Long> conn = new AtomicReference<>();
        CountDownLatch accepted = new CountDownLatch(1);
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onAccept(TcpServer s, long connId, int fd) {
                conn.set(connId);
                accepted.countDown();
                return HandleResult.OK;
            }
        })) {
            server.setMaxSendQueueBytes(64 * 1024);
            server.start(TestSupport.HOST, 0);
            try (Socket peer = new Socket(TestSupport.HOST, TestSupport.port(server))) { // never reads
                TestSupport.await(accepted, "accept");
                byte[] chunk = new byte[256 * 1024];
                HPSocketException refused = null;
                // The kernel's buffers take a few MiB; then the queue fills and a send is refused.
                for (int i = 0; i < 4096 && refused == null; i++) {
                    try {
                        server.send(conn.get(), chunk);
                    } catch (HPSocketException e) {
                        refused = e;
                    }
                }
                assertTrue(refused != null, "no send refused");
                assertEquals(105, refused.getErrno(), refused.toString());
                String address = TestSupport.HOST + ":" + peer.getLocalPort();
                List<LogRecord> mine = records.stream()
                        .filter(r -> r.getLevel() == Level.WARNING
                                && r.getMessage().contains("connection " + conn.get() + ": a send of 262144 bytes refused"))
                        .collect(Collectors.toList());
                assertEquals(1, mine.size(), records.toString() + " " + address);
                assertTrue(mine.get(0).getMessage().endsWith("MaxSendQueueBytes 65536"), mine.get(0).getMessage());
                assertEquals(Thread.currentThread().getId(), mine.get(0).getLongThreadID(), "logged on the caller");
            }
        }
    }

    @Test
    void enableFollowsTheLoggersLevel() {
        JUL.setLevel(Level.FINE);
        assertEquals(System.Logger.Level.DEBUG, Logging.enable());
        JUL.setLevel(Level.SEVERE);
        assertEquals(System.Logger.Level.ERROR, Logging.enable());
        JUL.setLevel(Level.OFF);
        assertEquals(System.Logger.Level.OFF, Logging.enable());
        assertEquals(System.Logger.Level.OFF, Logging.getLevel());
        Logging.enable(System.Logger.Level.TRACE);
        assertEquals(System.Logger.Level.DEBUG, Logging.getLevel(), "nothing finer than DEBUG");
        Logging.enable(System.Logger.Level.OFF);
        assertEquals(System.Logger.Level.OFF, Logging.getLevel());
    }

    /** Sources map to child loggers by their kind. */
    @Test
    void sourcesMapToChildLoggers() {
        assertEquals("org.hpsocket.TcpServer", Logging.loggerFor("TcpServer#3").getName());
        assertEquals("org.hpsocket.SslAgent", Logging.loggerFor("SslAgent#12").getName());
        assertEquals("org.hpsocket", Logging.loggerFor("hpsocket_core::x").getName());
    }
}
