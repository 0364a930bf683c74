package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * UDP: datagrams of 1 and MaxDatagramSize bytes echo whole, an oversize send throws
 * (EMSGSIZE) and sends nothing, sendPackets is one datagram, a client's stop closes its server
 * connection, the peer is the connection's remote address, and the UDP settings have
 * HP-Socket's defaults.
 */
class UdpTest {
    private static final int EMSGSIZE = 90;

    /** An echo server that records accepts (with the peer), datagrams and closes. */
    static final class Echo implements ServerListener<UdpServer> {
        final Map<Long, InetSocketAddress> peers = new ConcurrentHashMap<>();
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final List<String> closes = new CopyOnWriteArrayList<>();
        final CountDownLatch accepted = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public HandleResult onAccept(UdpServer s, long connId, int fd) {
            peers.put(connId, s.getRemoteAddress(connId));
            accepted.countDown();
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpServer s, long connId, byte[] data) {
            received.add(data);
            s.send(connId, data);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onClose(UdpServer s, long connId, SocketOperation op, int errno) {
            closes.add(op + "/" + errno);
            closed.countDown();
            return HandleResult.OK;
        }
    }

    /** Queues the datagrams a client receives. */
    static final class Collect implements ClientListener<UdpClient> {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public HandleResult onHandshake(UdpClient c, long connId) {
            ready.countDown();
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpClient c, long connId, byte[] data) {
            received.add(data);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onClose(UdpClient c, long connId, SocketOperation op, int errno) {
            closed.countDown();
            return HandleResult.OK;
        }

        byte[] next() throws InterruptedException {
            byte[] d = received.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(d, "timed out waiting for a datagram");
            return d;
        }
    }

    /** A started echo server and a client whose heartbeat made its connection. */
    static final class Pair implements AutoCloseable {
        final Echo echo = new Echo();
        final Collect collect = new Collect();
        final UdpServer server = new UdpServer(echo);
        final UdpClient client = new UdpClient(collect);

        Pair() throws InterruptedException {
            server.setWorkerThreadCount(2);
            server.start(TestSupport.HOST, 0);
            client.start(TestSupport.HOST, TestSupport.port(server), true);
            TestSupport.await(collect.ready, "the client's handshake");
            TestSupport.await(echo.accepted, "the server's accept");
        }

        long connId() {
            long[] ids = server.getConnectionIds();
            assertEquals(1, ids.length);
            return ids[0];
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    @Test
    void datagramsEchoWholeAndThePeerIsTheRemoteAddress() throws Exception {
        try (Pair p = new Pair()) {
            Random random = new Random(7);
            for (int size : new int[] {1, 1432}) {
                byte[] m = TestSupport.randomBytes(random, size);
                p.client.send(m);
                assertArrayEquals(m, p.collect.next(), "echo of " + size);
            }
            ByteBuffer direct = ByteBuffer.allocateDirect(5).put("hello".getBytes(StandardCharsets.US_ASCII));
            p.client.send(direct.flip());
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), p.collect.next());
            long id = p.connId();
            assertEquals(p.client.getLocalAddress(), p.echo.peers.get(id));
            assertEquals(p.client.getLocalAddress(), p.server.getRemoteAddress(id));
            assertEquals(p.server.getListenAddress(), p.client.getRemoteAddress());
        }
    }

    @Test
    void oversizeSendThrowsAndSendsNothing() throws Exception {
        try (Pair p = new Pair()) {
            HPSocketException e = assertThrows(HPSocketException.class, () -> p.client.send(new byte[1433]));
            assertEquals(EMSGSIZE, e.getErrno());
            assertEquals(SocketError.INVALID_PARAM, e.getError());
            e = assertThrows(HPSocketException.class,
                    () -> p.client.sendPackets(ByteBuffer.allocate(1000), ByteBuffer.allocate(433)));
            assertEquals(EMSGSIZE, e.getErrno());
            long id = p.connId();
            e = assertThrows(HPSocketException.class, () -> p.server.send(id, new byte[1433]));
            assertEquals(EMSGSIZE, e.getErrno());
            // Nothing went out: the next datagram each way is the next one sent.
            p.client.send("after".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("after".getBytes(StandardCharsets.US_ASCII), p.collect.next());
            assertArrayEquals("after".getBytes(StandardCharsets.US_ASCII), p.echo.received.take());
            assertTrue(p.echo.received.isEmpty());
            assertTrue(p.client.isConnected());
        }
    }

    @Test
    void sendPacketsIsOneDatagram() throws Exception {
        try (Pair p = new Pair()) {
            p.client.sendPackets(ByteBuffer.wrap(new byte[] {'a', 'b'}), ByteBuffer.allocate(0),
                    ByteBuffer.wrap(new byte[] {'c', 'd', 'e'}));
            assertArrayEquals("abcde".getBytes(StandardCharsets.US_ASCII), p.collect.next());
            assertArrayEquals("abcde".getBytes(StandardCharsets.US_ASCII), p.echo.received.take());
            p.server.sendPackets(p.connId(), ByteBuffer.wrap(new byte[] {'1', '2'}),
                    ByteBuffer.wrap(new byte[] {'3'}));
            assertArrayEquals("123".getBytes(StandardCharsets.US_ASCII), p.collect.next());
        }
    }

    @Test
    void clientStopClosesTheServerConnection() throws Exception {
        try (Pair p = new Pair()) {
            p.client.stop();
            TestSupport.await(p.collect.closed, "the client's close");
            TestSupport.await(p.echo.closed, "the server's close");
            assertEquals(List.of("CLOSE/0"), p.echo.closes);
            TestSupport.waitUntil(() -> p.server.getConnectionCount() == 0, "no connections");
            assertEquals(ServiceState.STOPPED, p.client.getState());
        }
    }

    @Test
    void udpSettingsDefaultsAndTcpOnesRefused() {
        try (UdpServer server = new UdpServer(new ServerListener<UdpServer>() {});
                UdpClient client = new UdpClient(new ClientListener<UdpClient>() {})) {
            assertEquals(1432, server.getMaxDatagramSize());
            assertEquals(64, server.getPostReceiveCount());
            assertEquals(3, server.getDetectAttempts());
            assertEquals(60000, server.getDetectInterval());
            assertEquals(1432, client.getMaxDatagramSize());
            assertEquals(3, client.getDetectAttempts());
            assertEquals(60000, client.getDetectInterval());
            assertEquals(10000, server.getMaxConnectionCount());
            assertEquals(ReuseAddressPolicy.ADDR_ONLY, server.getReuseAddressPolicy());
            assertFalse(server.isSecure());
            server.setMaxDatagramSize(2000);
            server.setPostReceiveCount(8);
            client.setDetectAttempts(0);
            client.setDetectInterval(500);
            assertEquals(2000, server.getMaxDatagramSize());
            assertEquals(8, server.getPostReceiveCount());
            assertEquals(0, client.getDetectAttempts());
            assertEquals(500, client.getDetectInterval());
            // TCP-only settings do not apply to UDP components.
            HPSocketException e = assertThrows(HPSocketException.class, server::getKeepAliveTime);
            assertEquals(SocketError.INVALID_PARAM, e.getError());
            assertThrows(HPSocketException.class, () -> client.setNoDelay(true));
            assertThrows(HPSocketException.class, client::getSyncConnectTimeout);
            // Values are checked by start.
            server.setMaxDatagramSize(65537);
            e = assertThrows(HPSocketException.class, () -> server.start(TestSupport.HOST, 0));
            assertEquals(SocketError.INVALID_PARAM, e.getError());
        }
    }
}
