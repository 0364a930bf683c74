package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** PUSH echo over real loopback sockets, every byte checked. */
class EchoTest {
    /** One client's stream: what it sent and what came back. */
    static final class Stream {
        final CRC32 sent = new CRC32();
        final CRC32 received = new CRC32();
        long sentBytes;
        final AtomicLong receivedBytes = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(1);
        volatile long expected = -1;

        synchronized void onData(byte[] data) {
            received.update(data);
            long n = receivedBytes.addAndGet(data.length);
            if (n == expected) {
                done.countDown();
            }
        }
    }

    @Test
    void hundredClientsEchoWithChecksums() throws Exception {
        AtomicInteger serverCloses = new AtomicInteger();
        try (TcpServer server = TestSupport.echoServer(new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onReceive(TcpServer s, long id, ByteBuffer data) {
                s.send(id, data);
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpServer s, long id, SocketOperation op, int err) {
                serverCloses.incrementAndGet();
                return HandleResult.OK;
            }
        }))) {
            int port = TestSupport.port(server);
            List<TcpClient> clients = new ArrayList<>();
            List<Stream> streams = new ArrayList<>();
            Random random = new Random(42);
            try {
                for (int i = 0; i < 100; i++) {
                    Stream st = new Stream();
                    TcpClient c = new TcpClient(new ClientListener<TcpClient>() {
                        @Override
                        public HandleResult onReceive(TcpClient client, long id, byte[] data) {
                            st.onData(data);
                            return HandleResult.OK;
                        }
                    });
                    c.start(TestSupport.HOST, port);
                    clients.add(c);
                    streams.add(st);
                }
                TestSupport.waitUntil(() -> server.getConnectionCount() == 100, "100 connections");
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < 100; i++) {
                        byte[] msg = TestSupport.randomBytes(random, 1 + random.nextInt(8192));
                        Stream st = streams.get(i);
                        synchronized (st) {
                            st.sent.update(msg);
                            st.sentBytes += msg.length;
                        }
                        // Alternate the send variants: array, array range, heap and direct buffers.
                        switch (round % 4) {
                            case 0 -> clients.get(i).send(msg);
                            case 1 -> clients.get(i).send(msg, 0, msg.length);
                            case 2 -> clients.get(i).send(ByteBuffer.wrap(msg));
                            default -> {
                                ByteBuffer d = ByteBuffer.allocateDirect(msg.length);
                                d.put(msg).flip();
                                clients.get(i).send(d);
                                assertFalse(d.hasRemaining());
                            }
                        }
                    }
                }
                for (Stream st : streams) {
                    synchronized (st) {
                        st.expected = st.sentBytes;
                        if (st.receivedBytes.get() == st.expected) {
                            st.done.countDown();
                        }
                    }
                }
                for (int i = 0; i < 100; i++) {
                    Stream st = streams.get(i);
                    TestSupport.await(st.done, "echo of client " + i);
                    synchronized (st) {
                        assertEquals(st.sentBytes, st.receivedBytes.get(), "bytes of client " + i);
                        assertEquals(st.sent.getValue(), st.received.getValue(), "CRC of client " + i);
                    }
                }
            } finally {
                clients.forEach(TcpClient::close);
            }
            TestSupport.waitUntil(() -> serverCloses.get() == 100, "100 server-side closes");
        }
    }

    @Test
    void agentEchoUsesConnectionAttachments() throws Exception {
        int conns = 50;
        try (TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()))) {
            ConcurrentHashMap<Long, Stream> byId = new ConcurrentHashMap<>();
            CountDownLatch connected = new CountDownLatch(conns);
            try (TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {
                @Override
                public HandleResult onConnect(TcpAgent a, long id) {
                    a.setAttachment(id, new Stream());
                    connected.countDown();
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onReceive(TcpAgent a, long id, ByteBuffer data) {
                    Stream st = a.getAttachment(id);
                    byte[] copy = new byte[data.remaining()];
                    data.get(copy);
                    st.onData(copy);
                    return HandleResult.OK;
                }
            })) {
                agent.start();
                long[] ids = new long[conns];
                for (int i = 0; i < conns; i++) {
                    ids[i] = agent.connect(TestSupport.HOST, TestSupport.port(server));
                }
                TestSupport.await(connected, "agent connects");
                Random random = new Random(7);
                for (long id : ids) {
                    Stream st = agent.getAttachment(id);
                    byte[] a = TestSupport.randomBytes(random, 3000);
                    byte[] b = TestSupport.randomBytes(random, 5000);
                    synchronized (st) {
                        st.sent.update(a);
                        st.sent.update(b);
                        st.sentBytes = 8000;
                        st.expected = 8000;
                    }
                    agent.sendPackets(id, ByteBuffer.wrap(a), ByteBuffer.wrap(b));
                    byById(byId, id, st);
                }
                for (var e : byId.entrySet()) {
                    Stream st = e.getValue();
                    TestSupport.await(st.done, "agent echo");
                    assertEquals(st.sent.getValue(), st.received.getValue());
                    assertTrue(agent.isConnected(e.getKey()));
                    assertEquals(TestSupport.HOST, agent.getRemoteAddress(e.getKey()).getAddress().getHostAddress());
                    assertEquals(TestSupport.port(server), agent.getRemoteHost(e.getKey()).getPort());
                }
                agent.stop();
                for (long id : ids) {
                    assertNull(agent.getAttachment(id), "attachment dropped after close");
                }
            }
        }
    }

    private static void byById(ConcurrentHashMap<Long, Stream> m, long id, Stream st) {
        m.put(id, st);
    }
}
