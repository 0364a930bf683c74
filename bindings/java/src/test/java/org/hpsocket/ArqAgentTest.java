package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ARQ agent (extension): several sessions from one agent to a {@link UdpArqServer}, each
 * message echoed whole and in order on its own connection ID; a bad connection ID gives
 * {@code INVALID_PARAM}/{@code EBADSLT}; the settings keep HP-Socket's ARQ defaults and freeze
 * while running; after close every act throws {@link IllegalStateException}.
 */
class ArqAgentTest {
    private static final int EBADSLT = 57;
    private static final int ENOTCONN = 107;
    private static final int SESSIONS = 4;
    private static final int MESSAGES = 50;

    /** Echoes every message and counts handshakes and closes. */
    static final class Echo implements ServerListener<UdpArqServer> {
        final CountDownLatch handshakes;
        final BlockingQueue<Long> closes = new LinkedBlockingQueue<>();

        Echo(int sessions) {
            handshakes = new CountDownLatch(sessions);
        }

        @Override
        public HandleResult onHandshake(UdpArqServer s, long connId) {
            handshakes.countDown();
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpArqServer s, long connId, byte[] data) {
            s.send(connId, data);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onClose(UdpArqServer s, long connId, SocketOperation op, int errno) {
            closes.add(connId);
            return HandleResult.OK;
        }
    }

    /** Queues each connection's messages apart. */
    static final class Collect implements AgentListener<UdpArqAgent> {
        final Map<Long, BlockingQueue<byte[]>> received = new ConcurrentHashMap<>();
        final CountDownLatch handshakes;

        Collect(int sessions) {
            handshakes = new CountDownLatch(sessions);
        }

        BlockingQueue<byte[]> of(long connId) {
            return received.computeIfAbsent(connId, k -> new LinkedBlockingQueue<>());
        }

        @Override
        public HandleResult onHandshake(UdpArqAgent a, long connId) {
            handshakes.countDown();
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpArqAgent a, long connId, byte[] data) {
            of(connId).add(data);
            return HandleResult.OK;
        }

        byte[] next(long connId) throws InterruptedException {
            byte[] d = of(connId).poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(d, "timed out waiting for a message on " + connId);
            return d;
        }
    }

    /** Message m of session s: 1 to 2000 bytes, different for every (s, m). */
    static byte[] message(int s, int m) {
        int len = 1 + (m * 397 + s * 31) % 2000;
        return TestSupport.randomBytes(new Random(s * 1000L + m), len);
    }

    private static UdpArqServer fastServer(ServerListener<? super UdpArqServer> l) {
        UdpArqServer server = new UdpArqServer(l);
        server.setNoDelay(true);
        server.setFlushInterval(10);
        server.start(TestSupport.HOST, 0);
        return server;
    }

    @Test
    void severalSessionsEchoWholeAndInOrderOnTheirOwnIds() throws Exception {
        Echo echo = new Echo(SESSIONS);
        Collect collect = new Collect(SESSIONS);
        try (UdpArqServer server = fastServer(echo); UdpArqAgent agent = new UdpArqAgent(collect)) {
            agent.setNoDelay(true);
            agent.setFlushInterval(10);
            agent.start();
            int port = TestSupport.port(server);
            long[] ids = new long[SESSIONS];
            for (int s = 0; s < SESSIONS; s++) {
                ids[s] = agent.connect(TestSupport.HOST, port);
            }
            TestSupport.await(collect.handshakes, "the agent's onHandshake");
            TestSupport.await(echo.handshakes, "the server's onHandshake");
            assertEquals(SESSIONS, new HashSet<>(List.of(ids[0], ids[1], ids[2], ids[3])).size());
            assertEquals(SESSIONS, agent.getConnectionCount());
            assertEquals(SESSIONS, server.getConnectionCount());
            for (int m = 0; m < MESSAGES; m++) {
                for (int s = 0; s < SESSIONS; s++) {
                    agent.send(ids[s], message(s, m));
                }
            }
            for (int s = 0; s < SESSIONS; s++) {
                for (int m = 0; m < MESSAGES; m++) {
                    assertArrayEquals(message(s, m), collect.next(ids[s]), "session " + s + " message " + m);
                }
            }
            for (long id : ids) {
                TestSupport.waitUntil(() -> agent.getWaitingSendMessageCount(id) == 0, "nothing waiting on " + id);
                assertTrue(collect.of(id).isEmpty());
                assertTrue(agent.isConnected(id));
                assertEquals(TestSupport.HOST, agent.getRemoteAddress(id).getAddress().getHostAddress());
                assertEquals(port, agent.getRemoteAddress(id).getPort());
            }
            // One session's disconnect closes it on the server; the others go on.
            agent.disconnect(ids[0]);
            assertNotNull(echo.closes.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            TestSupport.waitUntil(() -> agent.getConnectionCount() == SESSIONS - 1, "the agent's close");
            agent.send(ids[1], message(1, MESSAGES));
            assertArrayEquals(message(1, MESSAGES), collect.next(ids[1]));
        }
    }

    @Test
    void aBadConnectionIdGivesInvalidParamEbadslt() throws Exception {
        Echo echo = new Echo(1);
        Collect collect = new Collect(1);
        try (UdpArqServer server = fastServer(echo); UdpArqAgent agent = new UdpArqAgent(collect)) {
            agent.start();
            long id = agent.connect(TestSupport.HOST, TestSupport.port(server));
            TestSupport.await(collect.handshakes, "the agent's onHandshake");
            for (long bad : new long[] {999_999, id + 1000}) {
                HPSocketException e = assertThrows(HPSocketException.class, () -> agent.send(bad, new byte[1]));
                assertEquals(SocketError.INVALID_PARAM, e.getError());
                assertEquals(EBADSLT, e.getErrno());
                e = assertThrows(HPSocketException.class, () -> agent.disconnect(bad));
                assertEquals(SocketError.INVALID_PARAM, e.getError());
                assertThrows(HPSocketException.class, () -> agent.getWaitingSendMessageCount(bad));
                assertFalse(agent.isConnected(bad));
                CompletableFuture<Void> f = agent.sendAsync(bad, new byte[1]);
                e = (HPSocketException) assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> f.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS)).getCause();
                assertEquals(EBADSLT, e.getErrno());
            }
            // Oversize and empty messages are refused on a good ID, and nothing goes out.
            HPSocketException e = assertThrows(HPSocketException.class, () -> agent.send(id, new byte[4097]));
            assertEquals(SocketError.INVALID_PARAM, e.getError());
            assertThrows(HPSocketException.class, () -> agent.send(id, new byte[0]));
            agent.send(id, message(0, 0));
            assertArrayEquals(message(0, 0), collect.next(id));
            assertTrue(collect.of(id).isEmpty());
        }
    }

    @Test
    void aSendBeforeTheHandshakeIsIllegalStateEnotconn() throws Exception {
        // A plain UDP server never answers the ARQ handshake.
        BlockingQueue<String> closes = new LinkedBlockingQueue<>();
        CountDownLatch connected = new CountDownLatch(1);
        try (UdpServer plain = new UdpServer(new ServerListener<UdpServer>() {});
                UdpArqAgent agent = new UdpArqAgent(new AgentListener<UdpArqAgent>() {
                    @Override
                    public HandleResult onConnect(UdpArqAgent a, long connId) {
                        connected.countDown();
                        return HandleResult.OK;
                    }

                    @Override
                    public HandleResult onClose(UdpArqAgent a, long connId, SocketOperation op, int errno) {
                        closes.add(op + "/" + errno);
                        return HandleResult.OK;
                    }
                })) {
            plain.start(TestSupport.HOST, 0);
            agent.setHandShakeTimeout(1500);
            agent.start();
            CompletableFuture<Long> ready = agent.connectAsync(TestSupport.HOST, TestSupport.port(plain));
            TestSupport.await(connected, "the agent's onConnect");
            long id = agent.getConnectionIds()[0];
            HPSocketException e = assertThrows(HPSocketException.class, () -> agent.send(id, new byte[1]));
            assertEquals(SocketError.ILLEGAL_STATE, e.getError());
            assertEquals(ENOTCONN, e.getErrno());
            assertEquals("CLOSE/110", closes.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            // The connect's future waited for the handshake, and fails with the close reason.
            java.util.concurrent.ExecutionException x = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> ready.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            ConnectionClosedException c = (ConnectionClosedException) x.getCause();
            assertEquals(SocketOperation.CLOSE, c.getOperation());
            assertEquals(110, c.getErrno());
            assertEquals(id, c.getConnId());
        }
    }

    @Test
    void connectAsyncCompletesOnTheHandshake() throws Exception {
        Echo echo = new Echo(8);
        Collect collect = new Collect(8);
        try (UdpArqServer server = fastServer(echo); UdpArqAgent agent = new UdpArqAgent(collect)) {
            agent.start();
            List<CompletableFuture<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(agent.connectAsync(TestSupport.HOST, TestSupport.port(server)));
            }
            for (int i = 0; i < fs.size(); i++) {
                long id = fs.get(i).get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
                // Ready means handshaken: a send is accepted at once.
                agent.sendAsync(id, message(i, 0)).get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
                assertArrayEquals(message(i, 0), collect.next(id));
            }
        }
    }

    @Test
    void settingsKeepHpSocketsArqDefaultsAndFreezeWhileRunning() {
        try (UdpArqAgent agent = new UdpArqAgent(new AgentListener<UdpArqAgent>() {})) {
            assertFalse(agent.isNoDelay());
            assertFalse(agent.isTurnoffCongestCtrl());
            assertEquals(List.of(60, 0, 128, 512, 30, 5, 0, 4096, 5000), List.of(agent.getFlushInterval(),
                    agent.getResendByAcks(), agent.getSendWndSize(), agent.getRecvWndSize(), agent.getMinRto(),
                    agent.getFastLimit(), agent.getMaxTransUnit(), agent.getMaxMessageSize(),
                    agent.getHandShakeTimeout()));
            agent.setNoDelay(true);
            agent.setFlushInterval(10);
            agent.setMaxMessageSize(8000);
            assertTrue(agent.isNoDelay());
            assertEquals(10, agent.getFlushInterval());
            assertEquals(8000, agent.getMaxMessageSize());
            // The TCP-only settings do not apply.
            assertThrows(HPSocketException.class, agent::getKeepAliveTime);
            assertThrows(HPSocketException.class, () -> agent.setSocketBufferSize(8192));
            agent.start();
            HPSocketException e = assertThrows(HPSocketException.class, () -> agent.setFlushInterval(30));
            assertEquals(SocketError.ILLEGAL_STATE, e.getError());
            assertEquals(10, agent.getFlushInterval());
        }
        try (UdpArqAgent agent = new UdpArqAgent(new AgentListener<UdpArqAgent>() {})) {
            agent.setMinRto(0);
            HPSocketException e = assertThrows(HPSocketException.class, agent::start);
            assertEquals(SocketError.INVALID_PARAM, e.getError());
            assertEquals(ServiceState.STOPPED, agent.getState());
        }
    }

    @Test
    void afterCloseEveryActThrowsAndQueriesAnswer() throws Exception {
        Echo echo = new Echo(1);
        Collect collect = new Collect(1);
        try (UdpArqServer server = fastServer(echo)) {
            UdpArqAgent agent = new UdpArqAgent(collect);
            agent.start();
            long id = agent.connect(TestSupport.HOST, TestSupport.port(server));
            TestSupport.await(collect.handshakes, "the agent's onHandshake");
            agent.close();
            assertTrue(agent.isClosed());
            assertEquals(ServiceState.STOPPED, agent.getState());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> agent.send(id, new byte[1]));
            assertEquals("UdpArqAgent is closed", e.getMessage());
            assertThrows(IllegalStateException.class, () -> agent.connect(TestSupport.HOST, 1));
            assertThrows(IllegalStateException.class, () -> agent.connectAsync(TestSupport.HOST, 1));
            assertThrows(IllegalStateException.class, () -> agent.sendAsync(id, new byte[1]));
            assertThrows(IllegalStateException.class, agent::start);
            assertThrows(IllegalStateException.class, () -> agent.setFlushInterval(10));
            assertEquals(60, agent.getFlushInterval());
            assertEquals(0, agent.getConnectionCount());
            assertFalse(agent.isConnected(id));
            agent.stop();
            agent.close();
            assertTrue(agent.stopAsync().isDone());
            // The server saw the session go.
            assertNotNull(echo.closes.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }
}
