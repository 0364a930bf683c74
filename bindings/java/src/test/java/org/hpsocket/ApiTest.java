package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Errors, settings, addresses and the Cleaner. */
class ApiTest {
    @Test
    void errorsCarryCodeAndErrno() {
        try (TcpServer a = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
                TcpServer b = new TcpServer(TestSupport.echo())) {
            HPSocketException twice = assertThrows(HPSocketException.class, () -> a.start(TestSupport.HOST, 0));
            assertEquals(SocketError.ILLEGAL_STATE, twice.getError());
            assertEquals(1, twice.getErrorCode());

            b.setReuseAddressPolicy(ReuseAddressPolicy.NONE);
            HPSocketException inUse = assertThrows(HPSocketException.class,
                    () -> b.start(TestSupport.HOST, TestSupport.port(a)));
            assertEquals(SocketError.SOCKET_BIND, inUse.getError());
            assertEquals(98, inUse.getErrno(), "EADDRINUSE");

            HPSocketException unknown = assertThrows(HPSocketException.class, () -> a.send(999_999, new byte[1]));
            assertEquals(SocketError.INVALID_PARAM, unknown.getError());
            assertThrows(HPSocketException.class, () -> a.disconnect(999_999));
            assertFalse(a.isConnected(999_999));
            assertThrows(IndexOutOfBoundsException.class, () -> a.send(1, new byte[4], 2, 3));

            HPSocketException running = assertThrows(HPSocketException.class, () -> a.setWorkerThreadCount(3));
            assertEquals(SocketError.ILLEGAL_STATE, running.getError());
        }
        try (TcpClient c = new TcpClient(new ClientListener<TcpClient>() {})) {
            c.setSyncConnectTimeout(2000);
            HPSocketException refused = assertThrows(HPSocketException.class, () -> c.start(TestSupport.HOST, 1));
            assertEquals(SocketError.CONNECT_SERVER, refused.getError());
            assertEquals(ServiceState.STOPPED, c.getState());
            assertThrows(HPSocketException.class, () -> c.send(new byte[1]));
        }
    }

    @Test
    void settingsRoundTripAndAreCheckedAtStart() {
        try (TcpServer s = new TcpServer(TestSupport.echo())) {
            s.setWorkerThreadCount(3);
            s.setMaxConnectionCount(77);
            s.setSocketBufferSize(8192);
            s.setKeepAliveTime(0);
            s.setNoDelay(true);
            s.setMaxSendQueueBytes(1 << 20);
            assertEquals(30_000, s.getHalfCloseDrainTimeout());
            s.setHalfCloseDrainTimeout(250);
            assertEquals(250, s.getHalfCloseDrainTimeout());
            s.setSendQueueLowWatermark(1 << 10);
            s.setSocketListenQueue(128);
            s.setMarkSilence(false);
            assertEquals(3, s.getWorkerThreadCount());
            assertEquals(77, s.getMaxConnectionCount());
            assertEquals(8192, s.getSocketBufferSize());
            assertEquals(0, s.getKeepAliveTime());
            assertTrue(s.isNoDelay());
            assertEquals(1 << 20, s.getMaxSendQueueBytes());
            assertEquals(1 << 10, s.getSendQueueLowWatermark());
            assertEquals(128, s.getSocketListenQueue());
            assertFalse(s.isMarkSilence());
            assertEquals(ReuseAddressPolicy.ADDR_ONLY, s.getReuseAddressPolicy());
            s.setWorkerThreadCount(10_000);
            HPSocketException bad = assertThrows(HPSocketException.class, () -> s.start(TestSupport.HOST, 0));
            assertEquals(SocketError.INVALID_PARAM, bad.getError());
            assertTrue(bad.getMessage().contains("WorkerThreadCount"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.setSocketBufferSize(-1));
        }
        try (TcpClient c = new TcpClient(new ClientListener<TcpClient>() {})) {
            c.setFreeBufferPoolSize(5);
            assertEquals(5, c.getFreeBufferPoolSize());
            assertEquals(10_000, c.getSyncConnectTimeout());
        }
    }

    @Test
    void addressesPeriodsAndState() throws Exception {
        CountDownLatch accepted = new CountDownLatch(1);
        AtomicLong conn = new AtomicLong();
        try (TcpServer s = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onAccept(TcpServer server, long id, int fd) {
                conn.set(id);
                accepted.countDown();
                return HandleResult.OK;
            }
        })) {
            assertEquals(ServiceState.STOPPED, s.getState());
            assertFalse(s.hasStarted());
            s.start(TestSupport.HOST, 0);
            assertTrue(s.hasStarted());
            assertFalse(s.isSecure());
            InetSocketAddress listen = s.getListenAddress();
            assertEquals(TestSupport.HOST, listen.getAddress().getHostAddress());
            try (TcpClient c = new TcpClient(new ClientListener<TcpClient>() {})) {
                c.start(TestSupport.HOST, listen.getPort());
                TestSupport.await(accepted, "accept");
                long id = conn.get();
                assertEquals(c.getLocalAddress(), s.getRemoteAddress(id));
                assertEquals(c.getRemoteAddress(), s.getLocalAddress(id));
                assertEquals(InetSocketAddress.createUnresolved(TestSupport.HOST, listen.getPort()), c.getRemoteHost());
                assertTrue(c.isConnected());
                assertTrue(c.getConnectionId() > 0);
                assertTrue(s.getConnectPeriod(id).compareTo(Duration.ofMinutes(1)) < 0);
                assertEquals(0, s.getPendingDataLength(id));
                s.pauseReceive(id, true);
                assertTrue(s.isPauseReceive(id));
                s.setAttachment(id, "state");
                assertEquals("state", s.<String>getAttachment(id));
                c.setAttachment(42);
                assertEquals(42, c.<Integer>getAttachment());
                assertNull(s.getLastError());
            }
        }
    }

    @Test
    void sendSmallFile() throws Exception {
        Path file = Files.createTempFile("hpsocket", ".txt");
        Files.writeString(file, "body");
        StringBuilder got = new StringBuilder();
        CountDownLatch done = new CountDownLatch(1);
        try (TcpServer s = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
                TcpClient c = new TcpClient(new ClientListener<TcpClient>() {
                    @Override
                    public HandleResult onReceive(TcpClient client, long id, byte[] data) {
                        synchronized (got) {
                            got.append(new String(data));
                            if (got.length() == 12) {
                                done.countDown();
                            }
                        }
                        return HandleResult.OK;
                    }
                })) {
            c.start(TestSupport.HOST, TestSupport.port(s));
            c.sendSmallFile(file, "head".getBytes(), "tail".getBytes());
            TestSupport.await(done, "file echo");
            assertEquals("headbodytail", got.toString());
            assertThrows(HPSocketException.class, () -> c.sendSmallFile(Path.of("/nonexistent"), null, null));
        } finally {
            Files.delete(file);
        }
    }

    /** A failed second start must not let the running server be collected. */
    @Test
    void failedRestartKeepsTheRunningServerAlive() throws Exception {
        int port;
        java.lang.ref.WeakReference<TcpServer> weak;
        {
            TcpServer s = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
            port = TestSupport.port(s);
            assertThrows(HPSocketException.class, () -> s.start(TestSupport.HOST, 0));
            weak = new java.lang.ref.WeakReference<>(s);
        }
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(10);
        }
        ListenerExceptionTest.assertEcho(port, "still running");
        TcpServer s = weak.get();
        assertTrue(s != null, "a running server is not collected");
        s.close();
    }

    /** Components that are never closed are freed once unreachable. */
    @Test
    void forgottenComponentsAreFreedByTheCleaner() throws Exception {
        long before = Native.liveHandles();
        for (int i = 0; i < 2000; i++) {
            TcpServer s = new TcpServer(TestSupport.echo());
            s.setWorkerThreadCount(1);
            TcpPackClient c = new TcpPackClient(new ClientListener<TcpPackClient>() {});
            c.setMaxPackSize(1000);
        }
        // A started and stopped, never closed, server is freed too.
        TcpServer used = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
        used.stop();
        used = null;
        assertTrue(Native.liveHandles() >= before, "counted");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Native.liveHandles() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(Native.liveHandles() <= before, "live handles: " + Native.liveHandles() + " > " + before);
    }
}
