package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * UDP ARQ (KCP): after onHandshake on both sides, messages of 1 byte to MaxMessageSize echo
 * whole and in order; an empty or oversize message throws (EMSGSIZE) and sends nothing; the ARQ
 * settings have HP-Socket's defaults, round-trip, and bad ones are refused by start.
 */
class ArqTest {
    private static final int EMSGSIZE = 90;
    private static final int ENOTCONN = 107;

    /** An echo server that counts its handshakes. */
    static final class Echo implements ServerListener<UdpArqServer> {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final CountDownLatch handshaken = new CountDownLatch(1);

        @Override
        public HandleResult onHandshake(UdpArqServer s, long connId) {
            handshaken.countDown();
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpArqServer s, long connId, byte[] data) {
            received.add(data);
            s.send(connId, data);
            return HandleResult.OK;
        }
    }

    /** Queues the messages a client receives. */
    static final class Collect implements ClientListener<UdpArqClient> {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final CountDownLatch handshaken = new CountDownLatch(1);

        @Override
        public HandleResult onHandshake(UdpArqClient c, long connId) {
            handshaken.countDown();
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpArqClient c, long connId, byte[] data) {
            received.add(data);
            return HandleResult.OK;
        }

        byte[] next() throws InterruptedException {
            byte[] d = received.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(d, "timed out waiting for a message");
            return d;
        }
    }

    /** A started ARQ echo server and a client, handshaken on both sides. */
    static final class Pair implements AutoCloseable {
        final Echo echo = new Echo();
        final Collect collect = new Collect();
        final UdpArqServer server = new UdpArqServer(echo);
        final UdpArqClient client = new UdpArqClient(collect);

        Pair() throws InterruptedException {
            server.setWorkerThreadCount(2);
            server.start(TestSupport.HOST, 0);
            client.start(TestSupport.HOST, TestSupport.port(server), true);
            TestSupport.await(collect.handshaken, "the client's onHandshake");
            TestSupport.await(echo.handshaken, "the server's onHandshake");
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
    void messagesOfOneByteToMaxMessageSizeEchoWholeAndInOrder() throws Exception {
        try (Pair p = new Pair()) {
            int max = p.client.getMaxMessageSize();
            assertEquals(4096, max);
            List<Integer> sizes = new ArrayList<>();
            for (int n = 1; n <= 100; n++) {
                sizes.add(n);
            }
            for (int n = 101; n < max; n += 61) {
                sizes.add(n);
            }
            sizes.add(1431);
            sizes.add(1432);
            sizes.add(1433);
            sizes.add(max - 1);
            sizes.add(max);
            Random random = new Random(23);
            List<byte[]> sent = new ArrayList<>();
            for (int size : sizes) {
                byte[] m = TestSupport.randomBytes(random, size);
                sent.add(m);
                p.client.send(m);
            }
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), p.collect.next(), "echo " + i + " of " + sent.get(i).length + " B");
            }
            for (byte[] m : sent) {
                assertArrayEquals(m, p.echo.received.take());
            }
            assertTrue(p.echo.received.isEmpty());
            // Direct buffers and gathered sends are one message each.
            ByteBuffer direct = ByteBuffer.allocateDirect(5).put("hello".getBytes(StandardCharsets.US_ASCII));
            p.client.send(direct.flip());
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), p.collect.next());
            p.client.sendPackets(ByteBuffer.wrap(new byte[] {'a', 'b'}), ByteBuffer.allocate(3000),
                    ByteBuffer.wrap(new byte[] {'c'}));
            byte[] gathered = p.collect.next();
            assertEquals(3003, gathered.length);
            assertEquals('c', gathered[3002]);
            // Everything was acknowledged.
            long id = p.connId();
            TestSupport.waitUntil(() -> p.client.getWaitingSendMessageCount() == 0
                    && p.server.getWaitingSendMessageCount(id) == 0, "nothing waiting to be acknowledged");
            assertTrue(p.client.isConnected());
            assertThrows(HPSocketException.class, () -> p.server.getWaitingSendMessageCount(987654));
            // Settings change only while stopped.
            HPSocketException e = assertThrows(HPSocketException.class, () -> p.server.setFlushInterval(10));
            assertEquals(SocketError.ILLEGAL_STATE, e.getError());
            assertThrows(HPSocketException.class, () -> p.client.setNoDelay(true));
            assertEquals(60, p.server.getFlushInterval());
            assertFalse(p.client.isNoDelay());
        }
    }

    @Test
    void oversizeAndEmptyMessagesThrowAndSendNothing() throws Exception {
        try (Pair p = new Pair()) {
            HPSocketException e = assertThrows(HPSocketException.class, () -> p.client.send(new byte[4097]));
            assertEquals(EMSGSIZE, e.getErrno());
            assertEquals(SocketError.INVALID_PARAM, e.getError());
            e = assertThrows(HPSocketException.class, () -> p.client.send(new byte[0]));
            assertEquals(EMSGSIZE, e.getErrno());
            e = assertThrows(HPSocketException.class,
                    () -> p.client.sendPackets(ByteBuffer.allocate(4000), ByteBuffer.allocate(97)));
            assertEquals(EMSGSIZE, e.getErrno());
            long id = p.connId();
            e = assertThrows(HPSocketException.class, () -> p.server.send(id, new byte[4097]));
            assertEquals(EMSGSIZE, e.getErrno());
            assertEquals(0, p.client.getWaitingSendMessageCount());
            // Nothing went out: the next message each way is the next one sent.
            p.client.send("after".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("after".getBytes(StandardCharsets.US_ASCII), p.collect.next());
            assertArrayEquals("after".getBytes(StandardCharsets.US_ASCII), p.echo.received.take());
            assertTrue(p.echo.received.isEmpty());
            assertTrue(p.client.isConnected());
        }
    }

    @Test
    void aBiggerMaxMessageSizeCarriesBiggerMessages() throws Exception {
        Echo echo = new Echo();
        Collect collect = new Collect();
        try (UdpArqServer server = new UdpArqServer(echo); UdpArqClient client = new UdpArqClient(collect)) {
            server.setMaxMessageSize(100_000);
            client.setMaxMessageSize(100_000);
            server.start(TestSupport.HOST, 0);
            client.start(TestSupport.HOST, TestSupport.port(server), true);
            TestSupport.await(collect.handshaken, "the client's onHandshake");
            byte[] m = TestSupport.randomBytes(new Random(5), 100_000);
            client.send(m);
            assertArrayEquals(m, collect.next());
        }
    }

    @Test
    void arqSettingsDefaultsAndRoundTrip() {
        try (UdpArqServer server = new UdpArqServer(new ServerListener<UdpArqServer>() {});
                UdpArqClient client = new UdpArqClient(new ClientListener<UdpArqClient>() {})) {
            for (Object c : new Object[] {server, client}) {
                ArqView v = ArqView.of(c);
                assertFalse(v.noDelay());
                assertFalse(v.turnoff());
                assertEquals(List.of(60, 0, 128, 512, 30, 5, 0, 4096, 5000), v.ints());
            }
            // The UDP settings apply too.
            assertEquals(1432, server.getMaxDatagramSize());
            assertEquals(1432, client.getMaxDatagramSize());
            server.setNoDelay(true);
            server.setTurnoffCongestCtrl(true);
            server.setFlushInterval(10);
            server.setResendByAcks(2);
            server.setSendWndSize(256);
            server.setRecvWndSize(1024);
            server.setMinRto(20);
            server.setFastLimit(0);
            server.setMaxTransUnit(1200);
            server.setMaxMessageSize(8000);
            server.setHandShakeTimeout(3000);
            ArqView v = ArqView.of(server);
            assertTrue(v.noDelay());
            assertTrue(v.turnoff());
            assertEquals(List.of(10, 2, 256, 1024, 20, 0, 1200, 8000, 3000), v.ints());
            client.setNoDelay(true);
            client.setMaxMessageSize(1);
            assertTrue(client.isNoDelay());
            assertEquals(1, client.getMaxMessageSize());
            assertThrows(IllegalArgumentException.class, () -> client.setMinRto(-1));
            // The TCP-only settings still do not apply.
            assertThrows(HPSocketException.class, server::getKeepAliveTime);
        }
    }

    @Test
    void badSettingsAreRefusedByStart() {
        List<Consumer<UdpArqServer>> serverBad = List.of(
                s -> s.setFlushInterval(0),
                s -> s.setSendWndSize(0),
                s -> s.setRecvWndSize(0),
                s -> s.setMinRto(0),
                s -> s.setHandShakeTimeout(60),
                s -> s.setMaxTransUnit(71),
                s -> s.setMaxTransUnit(65537),
                s -> s.setMaxMessageSize(0),
                s -> s.setMaxMessageSize(127 * (1432 - 24)));
        for (int i = 0; i < serverBad.size(); i++) {
            try (UdpArqServer server = new UdpArqServer(new ServerListener<UdpArqServer>() {})) {
                serverBad.get(i).accept(server);
                HPSocketException e = assertThrows(HPSocketException.class,
                        () -> server.start(TestSupport.HOST, 0), "server setting " + i);
                assertEquals(SocketError.INVALID_PARAM, e.getError(), "server setting " + i);
                assertEquals(ServiceState.STOPPED, server.getState());
            }
        }
        List<Consumer<UdpArqClient>> clientBad = List.of(
                c -> c.setFlushInterval(0),
                c -> c.setMinRto(0),
                c -> c.setHandShakeTimeout(60),
                c -> c.setMaxTransUnit(71),
                c -> c.setMaxMessageSize(0));
        for (int i = 0; i < clientBad.size(); i++) {
            try (UdpArqClient client = new UdpArqClient(new ClientListener<UdpArqClient>() {})) {
                clientBad.get(i).accept(client);
                HPSocketException e = assertThrows(HPSocketException.class,
                        () -> client.start(TestSupport.HOST, 9, true), "client setting " + i);
                assertEquals(SocketError.INVALID_PARAM, e.getError(), "client setting " + i);
            }
        }
        // Just inside the limits starts.
        try (UdpArqServer server = new UdpArqServer(new ServerListener<UdpArqServer>() {})) {
            server.setMinRto(30);
            server.setHandShakeTimeout(61);
            server.setMaxTransUnit(72);
            server.setMaxMessageSize(127 * (72 - 24) - 1);
            server.start(TestSupport.HOST, 0);
            assertEquals(ServiceState.STARTED, server.getState());
        }
    }

    @Test
    void noHandshakeMeansNoSendThenEtimedout() throws Exception {
        // A plain UDP server never answers the ARQ handshake.
        BlockingQueue<String> closes = new LinkedBlockingQueue<>();
        CountDownLatch handshaken = new CountDownLatch(1);
        CountDownLatch connected = new CountDownLatch(1);
        try (UdpServer plain = new UdpServer(new ServerListener<UdpServer>() {});
                UdpArqClient client = new UdpArqClient(new ClientListener<UdpArqClient>() {
                    @Override
                    public HandleResult onConnect(UdpArqClient c, long connId) {
                        connected.countDown();
                        return HandleResult.OK;
                    }

                    @Override
                    public HandleResult onHandshake(UdpArqClient c, long connId) {
                        handshaken.countDown();
                        return HandleResult.OK;
                    }

                    @Override
                    public HandleResult onClose(UdpArqClient c, long connId, SocketOperation op, int errno) {
                        closes.add(op + "/" + errno);
                        return HandleResult.OK;
                    }
                })) {
            plain.start(TestSupport.HOST, 0);
            client.setHandShakeTimeout(1500);
            client.start(TestSupport.HOST, TestSupport.port(plain), true);
            // Connected, not handshaken: a send is refused. (Before onConnect, just after an
            // asynchronous start, it is refused as INVALID_PARAM, ENOTCONN: "not connected yet".)
            TestSupport.await(connected, "the client's onConnect");
            HPSocketException e = assertThrows(HPSocketException.class, () -> client.send(new byte[1]));
            assertEquals(SocketError.ILLEGAL_STATE, e.getError());
            assertEquals(ENOTCONN, e.getErrno());
            assertEquals("CLOSE/110", closes.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(1, handshaken.getCount());
        }
    }

    @Test
    void waitingSendMessageCountNeedsAConnection() {
        try (UdpArqClient client = new UdpArqClient(new ClientListener<UdpArqClient>() {})) {
            assertThrows(HPSocketException.class, client::getWaitingSendMessageCount);
            assertThrows(HPSocketException.class, () -> client.send(new byte[1]));
        }
    }

    /** The ARQ settings of a server or client, in one order. */
    record ArqView(boolean noDelay, boolean turnoff, List<Integer> ints) {
        static ArqView of(Object c) {
            if (c instanceof UdpArqServer s) {
                return new ArqView(s.isNoDelay(), s.isTurnoffCongestCtrl(), List.of(s.getFlushInterval(),
                        s.getResendByAcks(), s.getSendWndSize(), s.getRecvWndSize(), s.getMinRto(),
                        s.getFastLimit(), s.getMaxTransUnit(), s.getMaxMessageSize(), s.getHandShakeTimeout()));
            }
            UdpArqClient s = (UdpArqClient) c;
            return new ArqView(s.isNoDelay(), s.isTurnoffCongestCtrl(), List.of(s.getFlushInterval(),
                    s.getResendByAcks(), s.getSendWndSize(), s.getRecvWndSize(), s.getMinRto(),
                    s.getFastLimit(), s.getMaxTransUnit(), s.getMaxMessageSize(), s.getHandShakeTimeout()));
        }
    }
}
