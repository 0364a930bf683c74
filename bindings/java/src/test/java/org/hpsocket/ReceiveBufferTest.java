package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The per-message path of the JNI bridge: the worker's registered receive buffer sent by
 * address ({@code Native.sendAddress}) and the worker's cached strong reference to its
 * component, which must not keep a stopped, forgotten component alive.
 */
class ReceiveBufferTest {
    /** Sends {@code data} in two parts: its first half, then the rest from its position. */
    private static void sendInHalves(MultiConnectionComponent s, long id, ByteBuffer data) {
        int limit = data.limit();
        data.limit(data.position() + data.remaining() / 2);
        s.send(id, data);
        data.limit(limit);
        s.send(id, data);
    }

    @Test
    void theReceivedBufferIsSentByAddressFromAnyPosition() throws Exception {
        AtomicInteger fast = new AtomicInteger();
        AtomicInteger others = new AtomicInteger();
        AtomicReference<ByteBuffer> kept = new AtomicReference<>();
        try (TcpServer server = TestSupport.echoServer(new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onReceive(TcpServer s, long id, ByteBuffer data) {
                // The fast path is taken for the buffer itself, never for views of it.
                if (ReceiveBuffer.addressOf(data) != 0) {
                    fast.incrementAndGet();
                }
                if (ReceiveBuffer.addressOf(data.slice()) != 0
                        || ReceiveBuffer.addressOf(data.duplicate()) != 0
                        || ReceiveBuffer.addressOf(ByteBuffer.allocateDirect(8)) != 0) {
                    others.incrementAndGet();
                }
                kept.set(data);
                sendInHalves(s, id, data);
                return HandleResult.OK;
            }
        }))) {
            byte[] sent = TestSupport.randomBytes(new Random(7), 200_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            CountDownLatch done = new CountDownLatch(1);
            try (TcpClient c = new TcpClient(new ClientListener<TcpClient>() {
                @Override
                public HandleResult onReceive(TcpClient client, long id, byte[] data) {
                    synchronized (got) {
                        got.write(data, 0, data.length);
                        if (got.size() == sent.length) {
                            done.countDown();
                        }
                    }
                    return HandleResult.OK;
                }
            })) {
                c.start(TestSupport.HOST, TestSupport.port(server));
                for (int off = 0; off < sent.length; off += 10_000) {
                    c.send(sent, off, Math.min(10_000, sent.length - off));
                }
                TestSupport.await(done, "echo");
            }
            synchronized (got) {
                assertArrayEquals(sent, got.toByteArray());
            }
            assertTrue(fast.get() > 0, "the receive buffer was registered");
            assertEquals(0, others.get(), "views and other buffers take the checked path");
            // On another thread the worker's buffer is not this thread's: the checked path.
            assertEquals(0, ReceiveBuffer.addressOf(kept.get()));
        }
    }

    /** PACK delivers a whole message: one larger than the buffer makes the worker grow it. */
    @Test
    void aGrownReceiveBufferIsRegisteredAgain() throws Exception {
        AtomicInteger fast = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        try (TcpPackServer server = new TcpPackServer(new ServerListener<TcpPackServer>() {
            @Override
            public HandleResult onReceive(TcpPackServer s, long id, ByteBuffer data) {
                received.incrementAndGet();
                if (ReceiveBuffer.addressOf(data) != 0) {
                    fast.incrementAndGet();
                }
                s.send(id, data);
                return HandleResult.OK;
            }
        })) {
            server.setMaxPackSize(1 << 20);
            server.start(TestSupport.HOST, 0);
            Random random = new Random(11);
            List<byte[]> sent = new ArrayList<>();
            for (int n : new int[] {100, 300_000, 50, 700_000, 10}) {
                sent.add(TestSupport.randomBytes(random, n));
            }
            List<byte[]> got = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(sent.size());
            try (TcpPackClient c = new TcpPackClient(new ClientListener<TcpPackClient>() {
                @Override
                public HandleResult onReceive(TcpPackClient client, long id, byte[] data) {
                    synchronized (got) {
                        got.add(data);
                    }
                    done.countDown();
                    return HandleResult.OK;
                }
            })) {
                c.setMaxPackSize(1 << 20);
                c.start(TestSupport.HOST, TestSupport.port(server));
                for (byte[] m : sent) {
                    c.send(m);
                }
                TestSupport.await(done, "pack echoes");
            }
            synchronized (got) {
                assertEquals(sent.size(), got.size());
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), got.get(i), "message " + i);
                }
            }
            // Every message, the ones after each growth included, went by address.
            assertEquals(received.get(), fast.get());
        }
    }

    /**
     * Worker threads hold a strong reference to the component they dispatch to; a stopped
     * (never closed) component that exchanged data on its workers must still be collected
     * and freed: a server, a client stopped by the caller, a client stopped by its peer.
     */
    @Test
    void stoppedForgottenComponentsThatRanEventsAreFreed() throws Exception {
        long before = Native.liveHandles();
        List<WeakReference<Component>> weak = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TcpServer s = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
            CountDownLatch echoed = new CountDownLatch(2);
            CountDownLatch hungUp = new CountDownLatch(1);
            TcpClient byCaller = new TcpClient(new ClientListener<TcpClient>() {
                @Override
                public HandleResult onReceive(TcpClient client, long id, byte[] data) {
                    echoed.countDown();
                    return HandleResult.OK;
                }
            });
            byCaller.start(TestSupport.HOST, TestSupport.port(s));
            byCaller.send(new byte[] {1});
            TcpClient byPeer = new TcpClient(new ClientListener<TcpClient>() {
                @Override
                public HandleResult onReceive(TcpClient client, long id, byte[] data) {
                    echoed.countDown();
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onClose(TcpClient client, long id, SocketOperation op, int err) {
                    hungUp.countDown();
                    return HandleResult.OK;
                }
            });
            byPeer.start(TestSupport.HOST, TestSupport.port(s));
            byPeer.send(new byte[] {2});
            TestSupport.await(echoed, "echoes");
            // One client is stopped by the caller; the server hangs up on the other, which
            // then stops by itself (its close is its last event); then the server stops.
            byCaller.stop();
            TestSupport.waitUntil(() -> s.getConnectionCount() == 1, "one connection left");
            s.disconnect(s.getConnectionIds()[0]);
            TestSupport.await(hungUp, "the peer's hang-up");
            TestSupport.waitUntil(() -> byPeer.getState() == ServiceState.STOPPED,
                    "a client stopped by its peer");
            s.stop();
            weak.add(new WeakReference<>(s));
            weak.add(new WeakReference<>(byCaller));
            weak.add(new WeakReference<>(byPeer));
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((weak.stream().anyMatch(w -> w.get() != null) || Native.liveHandles() > before)
                && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        for (int i = 0; i < weak.size(); i++) {
            assertTrue(weak.get(i).get() == null, "component " + i + " was collected");
        }
        assertTrue(Native.liveHandles() <= before,
                "live handles: " + Native.liveHandles() + " > " + before);
    }
}
