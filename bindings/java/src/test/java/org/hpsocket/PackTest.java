package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** PACK model: whole messages, framing, header flag and size limits. */
class PackTest {
    private static final int FLAG = 0x169;

    @Test
    void packMessagesArriveWhole() throws Exception {
        try (TcpPackServer server = new TcpPackServer(TestSupport.echo())) {
            server.setPackHeaderFlag(FLAG);
            server.setMaxPackSize(0x100000);
            assertEquals(FLAG, server.getPackHeaderFlag());
            assertEquals(0x100000, server.getMaxPackSize());
            server.start(TestSupport.HOST, 0);

            Random random = new Random(1);
            int[] sizes = {1, 2, 100, 4095, 4096, 4097, 65536, 300_000, 0x100000};
            List<byte[]> sent = new ArrayList<>();
            List<byte[]> received = new CopyOnWriteArrayList<>();
            CountDownLatch all = new CountDownLatch(sizes.length * 2);
            try (TcpPackClient client = new TcpPackClient(new ClientListener<TcpPackClient>() {
                @Override
                public HandleResult onReceive(TcpPackClient c, long id, byte[] data) {
                    received.add(data);
                    all.countDown();
                    return HandleResult.OK;
                }
            })) {
                client.setPackHeaderFlag(FLAG);
                client.setMaxPackSize(0x100000);
                client.start(TestSupport.HOST, TestSupport.port(server));
                for (int size : sizes) {
                    byte[] m = TestSupport.randomBytes(random, size);
                    sent.add(m);
                    client.send(m);
                }
                // A gather send is one message too.
                for (int size : sizes) {
                    byte[] m = TestSupport.randomBytes(random, size);
                    sent.add(m);
                    int half = size / 2;
                    client.sendPackets(ByteBuffer.wrap(m, 0, half), ByteBuffer.wrap(m, half, size - half));
                }
                TestSupport.await(all, "PACK echoes");
                assertEquals(sent.size(), received.size());
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), received.get(i), "message " + i);
                }
                HPSocketException tooBig = assertThrows(HPSocketException.class,
                        () -> client.send(new byte[0x100001]));
                assertEquals(90, tooBig.getErrno(), "EMSGSIZE");
                assertThrows(HPSocketException.class, () -> client.send(new byte[0]));
            }
        }
    }

    @Test
    void wrongHeaderFlagClosesTheConnection() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger closeErrno = new AtomicInteger();
        AtomicInteger receives = new AtomicInteger();
        try (TcpPackServer server = new TcpPackServer(new ServerListener<TcpPackServer>() {
            @Override
            public HandleResult onReceive(TcpPackServer s, long id, byte[] data) {
                receives.incrementAndGet();
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpPackServer s, long id, SocketOperation op, int err) {
                if (op == SocketOperation.RECEIVE) {
                    closeErrno.set(err);
                }
                closed.countDown();
                return HandleResult.OK;
            }
        })) {
            server.setPackHeaderFlag(FLAG);
            server.start(TestSupport.HOST, 0);
            try (Socket raw = new Socket(TestSupport.HOST, TestSupport.port(server))) {
                OutputStream out = raw.getOutputStream();
                ByteBuffer frame = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                frame.putInt((FLAG << 22) | 4).put(new byte[] {1, 2, 3, 4});
                out.write(frame.array());
                frame.clear();
                frame.putInt((0x100 << 22) | 4).put(new byte[] {5, 6, 7, 8});
                out.write(frame.array());
                out.flush();
                TestSupport.await(closed, "close after a bad flag");
            }
            assertEquals(1, receives.get(), "the good frame arrived");
            assertEquals(74, closeErrno.get(), "EBADMSG");
        }
    }

    @Test
    void packAgentFramesEachSend() throws Exception {
        try (TcpPackServer server = TestSupport.echoServer(new TcpPackServer(TestSupport.echo()))) {
            CountDownLatch got = new CountDownLatch(10);
            List<Integer> lengths = new CopyOnWriteArrayList<>();
            try (TcpPackAgent agent = new TcpPackAgent(new AgentListener<TcpPackAgent>() {
                @Override
                public HandleResult onReceive(TcpPackAgent a, long id, ByteBuffer data) {
                    lengths.add(data.remaining());
                    got.countDown();
                    return HandleResult.OK;
                }
            })) {
                agent.start(null, false);
                long id = agent.connect(TestSupport.HOST, TestSupport.port(server));
                for (int i = 1; i <= 10; i++) {
                    agent.send(id, new byte[i * 1000]);
                }
                TestSupport.await(got, "agent PACK echoes");
                assertEquals(List.of(1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000), lengths);
            }
        }
    }
}
