package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * ARQ partial reliability and the UDP socket buffer sizes (extensions), on loopback.
 * Negotiation: with setPartialReliability(true) on both sides sendEx with a deadline returns
 * ids 1, 2, ...; with one side off a limit throws ILLEGAL_STATE with EOPNOTSUPP and no limit
 * sends. A relay (the idea of tests/c/test_udp_arq_partial.c) drops a fixed pseudo-random 30%
 * of the KCP datagrams each way and blacks out the sender's while message 1's limit (a 200 ms
 * deadline, or 2 retransmits) runs out: onMessageDropped reports it once with its id and size,
 * the receiver gets every other message whole and in order. The buffer settings read back, are
 * refused by start out of range, and a component started with them carries messages (Java has
 * no getsockopt on the prepare callbacks' fds; the Python suite checks the sockets).
 */
class ArqPartialTest {
    private static final int EOPNOTSUPP = 95;
    private static final int MESSAGES = 40;
    private static final int BIG = 3000;

    static byte[] message(int i) {
        int size = i == 1 ? BIG : 1 + (i * 397) % BIG;
        byte[] m = new byte[size];
        for (int j = 0; j < size; j++) {
            m[j] = (byte) (i * 31 + j);
        }
        return m;
    }

    /** Quick ticks, and congestion control off so a blackout does not hold message 1 unsent. */
    static void fast(Component c) {
        if (c instanceof UdpArqServer s) {
            s.setNoDelay(true);
            s.setFlushInterval(10);
            s.setResendByAcks(2);
            s.setTurnoffCongestCtrl(true);
        } else if (c instanceof UdpArqClient s) {
            s.setNoDelay(true);
            s.setFlushInterval(10);
            s.setResendByAcks(2);
            s.setTurnoffCongestCtrl(true);
        } else if (c instanceof UdpArqAgent s) {
            s.setNoDelay(true);
            s.setFlushInterval(10);
            s.setResendByAcks(2);
            s.setTurnoffCongestCtrl(true);
        }
    }

    /** Every role's events. */
    static final class Recorder {
        final List<Long> handshakes = new CopyOnWriteArrayList<>();
        final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
        final List<long[]> dropped = new CopyOnWriteArrayList<>();

        byte[] next() throws InterruptedException {
            byte[] d = messages.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(d, "timed out waiting for a message");
            return d;
        }
    }

    static final class ServerRec implements ServerListener<UdpArqServer> {
        final Recorder r = new Recorder();

        @Override
        public HandleResult onHandshake(UdpArqServer s, long connId) {
            r.handshakes.add(connId);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpArqServer s, long connId, byte[] data) {
            r.messages.add(data);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onMessageDropped(UdpArqServer s, long connId, long id, int size) {
            r.dropped.add(new long[] {connId, id, size});
            return HandleResult.OK;
        }
    }

    static final class ClientRec implements ClientListener<UdpArqClient> {
        final Recorder r = new Recorder();

        @Override
        public HandleResult onHandshake(UdpArqClient c, long connId) {
            r.handshakes.add(connId);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpArqClient c, long connId, byte[] data) {
            r.messages.add(data);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onMessageDropped(UdpArqClient c, long connId, long id, int size) {
            r.dropped.add(new long[] {connId, id, size});
            return HandleResult.OK;
        }
    }

    static final class AgentRec implements AgentListener<UdpArqAgent> {
        final Recorder r = new Recorder();

        @Override
        public HandleResult onHandshake(UdpArqAgent a, long connId) {
            r.handshakes.add(connId);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onReceive(UdpArqAgent a, long connId, byte[] data) {
            r.messages.add(data);
            return HandleResult.OK;
        }

        @Override
        public HandleResult onMessageDropped(UdpArqAgent a, long connId, long id, int size) {
            r.dropped.add(new long[] {connId, id, size});
            return HandleResult.OK;
        }
    }

    /** One side of a connection, as a sender. */
    interface Sender {
        long sendEx(byte[] data, int deadlineMs, int maxRetransmits);

        void send(byte[] data);

        int waiting();

        long connId();

        Recorder recorder();
    }

    /** A started server with partial reliability on, and a client or agent session to it. */
    static final class Setup implements AutoCloseable {
        final ServerRec srec = new ServerRec();
        final UdpArqServer server = new UdpArqServer(srec);
        final Component peer;
        final Recorder prec;
        final long peerConn;

        Setup(boolean agent, boolean peerPartial, Relay relay) throws Exception {
            server.setWorkerThreadCount(2);
            server.setPartialReliability(true);
            fast(server);
            server.start(TestSupport.HOST, 0);
            int port = TestSupport.port(server);
            if (relay != null) {
                relay.start(port);
                port = relay.port();
            }
            if (agent) {
                AgentRec a = new AgentRec();
                UdpArqAgent ag = new UdpArqAgent(a);
                ag.setPartialReliability(peerPartial);
                fast(ag);
                ag.start();
                peerConn = ag.connect(TestSupport.HOST, port);
                peer = ag;
                prec = a.r;
            } else {
                ClientRec c = new ClientRec();
                UdpArqClient cl = new UdpArqClient(c);
                cl.setPartialReliability(peerPartial);
                fast(cl);
                cl.start(TestSupport.HOST, port, true);
                peer = cl;
                prec = c.r;
                peerConn = 0;
            }
            TestSupport.waitUntil(() -> prec.handshakes.size() == 1, "the peer's onHandshake");
            TestSupport.waitUntil(() -> srec.r.handshakes.size() == 1, "the server's onHandshake");
        }

        Sender peerSender() {
            return new Sender() {
                public long sendEx(byte[] d, int deadline, int max) {
                    return peer instanceof UdpArqAgent a ? a.sendEx(peerConn, d, deadline, max)
                            : ((UdpArqClient) peer).sendEx(d, deadline, max);
                }

                public void send(byte[] d) {
                    if (peer instanceof UdpArqAgent a) {
                        a.send(peerConn, d);
                    } else {
                        ((UdpArqClient) peer).send(d);
                    }
                }

                public int waiting() {
                    return peer instanceof UdpArqAgent a ? a.getWaitingSendMessageCount(peerConn)
                            : ((UdpArqClient) peer).getWaitingSendMessageCount();
                }

                public long connId() {
                    return prec.handshakes.get(0);
                }

                public Recorder recorder() {
                    return prec;
                }
            };
        }

        Sender serverSender() {
            long conn = srec.r.handshakes.get(0);
            return new Sender() {
                public long sendEx(byte[] d, int deadline, int max) {
                    return server.sendEx(conn, d, deadline, max);
                }

                public void send(byte[] d) {
                    server.send(conn, d);
                }

                public int waiting() {
                    return server.getWaitingSendMessageCount(conn);
                }

                public long connId() {
                    return conn;
                }

                public Recorder recorder() {
                    return srec.r;
                }
            };
        }

        @Override
        public void close() {
            peer.close();
            server.close();
        }
    }

    /**
     * One UDP socket between one peer and the server: datagrams of 24 bytes or more (KCP
     * segments; handshakes and heartbeats pass) are dropped with a fixed pseudo-random 30%
     * chance, and all of one side's during its blackout.
     */
    static final class Relay implements AutoCloseable {
        final DatagramSocket sock;
        volatile boolean darkFromServer;
        volatile boolean darkFromPeer;
        volatile boolean stop;
        private volatile InetSocketAddress peer;
        private InetSocketAddress server;
        private long seed = 12345;
        private Thread thread;

        Relay() throws IOException {
            sock = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(TestSupport.HOST), 0));
            sock.setSoTimeout(20);
        }

        int port() {
            return sock.getLocalPort();
        }

        private boolean lossy() {
            seed = (seed * 1103515245L + 12345L) & 0xFFFFFFFFL;
            return (seed >>> 16) % 100 < 30;
        }

        void start(int serverPort) throws IOException {
            server = new InetSocketAddress(InetAddress.getByName(TestSupport.HOST), serverPort);
            thread = new Thread(this::run, "relay");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            byte[] buf = new byte[65536];
            while (!stop) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    sock.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                boolean fromServer = p.getSocketAddress().equals(server);
                if (!fromServer) {
                    peer = (InetSocketAddress) p.getSocketAddress();
                }
                boolean dark = fromServer ? darkFromServer : darkFromPeer;
                if (p.getLength() >= 24 && (dark || lossy())) {
                    continue;
                }
                InetSocketAddress to = fromServer ? peer : server;
                if (to == null) {
                    continue;
                }
                try {
                    sock.send(new DatagramPacket(buf, p.getLength(), to));
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            stop = true;
            try {
                if (thread != null) {
                    thread.join(5000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sock.close();
            }
        }
    }

    @Test
    void partialReliabilityDefaultsOffAndRoundTrips() {
        try (UdpArqServer s = new UdpArqServer(new ServerRec());
                UdpArqClient c = new UdpArqClient(new ClientRec());
                UdpArqAgent a = new UdpArqAgent(new AgentRec())) {
            assertFalse(s.isPartialReliability());
            assertFalse(c.isPartialReliability());
            assertFalse(a.isPartialReliability());
            s.setPartialReliability(true);
            c.setPartialReliability(true);
            a.setPartialReliability(true);
            assertTrue(s.isPartialReliability());
            assertTrue(c.isPartialReliability());
            assertTrue(a.isPartialReliability());
            s.setPartialReliability(false);
            assertFalse(s.isPartialReliability());
        }
    }

    @Test
    void bothSidesOnSendExWithADeadlineWorks() throws Exception {
        for (boolean agent : new boolean[] {false, true}) {
            try (Setup s = new Setup(agent, true, null)) {
                Sender p = s.peerSender();
                byte[][] m = {message(0), message(1), message(2), message(3)};
                assertEquals(0, p.sendEx(m[0], 0, -1));
                assertEquals(1, p.sendEx(m[1], 60000, -1));
                assertEquals(2, p.sendEx(m[2], 0, 50));
                assertEquals(3, p.sendEx(m[3], 60000, 0));
                for (byte[] x : m) {
                    assertArrayEquals(x, s.srec.r.next());
                }
                Sender back = s.serverSender();
                assertEquals(1, back.sendEx("answer".getBytes(), 60000, -1));
                assertArrayEquals("answer".getBytes(), s.prec.next());
                TestSupport.waitUntil(() -> p.waiting() == 0, "everything acknowledged");
                assertTrue(s.srec.r.dropped.isEmpty());
                assertTrue(s.prec.dropped.isEmpty());
                assertThrows(IllegalArgumentException.class, () -> p.sendEx(m[0], -1, -1));
                HPSocketException e = assertThrows(HPSocketException.class,
                        () -> p.sendEx(new byte[0], 100, -1));
                assertEquals(90, e.getErrno());
            }
        }
    }

    @Test
    void oneSideOffRefusesALimitWithEopnotsupp() throws Exception {
        for (boolean agent : new boolean[] {false, true}) {
            try (Setup s = new Setup(agent, false, null)) {
                for (Sender x : new Sender[] {s.peerSender(), s.serverSender()}) {
                    for (int[] limit : new int[][] {{100, -1}, {0, 3}}) {
                        HPSocketException e = assertThrows(HPSocketException.class,
                                () -> x.sendEx("limited".getBytes(), limit[0], limit[1]));
                        assertEquals(SocketError.ILLEGAL_STATE, e.getError());
                        assertEquals(EOPNOTSUPP, e.getErrno());
                        assertEquals("EOPNOTSUPP", Errno.name(e.getErrno()));
                    }
                }
                assertEquals(0, s.peerSender().sendEx("plain".getBytes(), 0, -1));
                assertArrayEquals("plain".getBytes(), s.srec.r.next());
                assertEquals(0, s.serverSender().sendEx("back".getBytes(), 0, -1));
                assertArrayEquals("back".getBytes(), s.prec.next());
            }
        }
    }

    @Test
    void aMessagePastItsLimitIsDroppedOnceAndTheRestArriveInOrder() throws Exception {
        int[][] limits = {{200, -1}, {0, 2}};
        for (String who : new String[] {"client", "agent", "server"}) {
            for (int[] limit : limits) {
                String what = who + " " + Arrays.toString(limit);
                try (Relay relay = new Relay();
                        Setup s = new Setup(who.equals("agent"), true, relay)) {
                    boolean fromServer = who.equals("server");
                    Sender sender = fromServer ? s.serverSender() : s.peerSender();
                    Recorder receiver = fromServer ? s.prec : s.srec.r;
                    byte[][] m = new byte[MESSAGES + 2][];
                    for (int i = 0; i < m.length; i++) {
                        m[i] = message(i);
                    }
                    // Nothing of the sender's passes while message 1's limit runs out.
                    if (fromServer) {
                        relay.darkFromServer = true;
                    } else {
                        relay.darkFromPeer = true;
                    }
                    assertEquals(0, sender.sendEx(m[0], 0, -1), what);
                    assertEquals(1, sender.sendEx(m[1], limit[0], limit[1]), what);
                    assertEquals(0, sender.sendEx(m[2], 0, -1), what);
                    TestSupport.waitUntil(() -> sender.recorder().dropped.size() == 1,
                            "onMessageDropped, " + what);
                    relay.darkFromServer = false;
                    relay.darkFromPeer = false;
                    for (int i = 3; i < m.length; i++) {
                        if (i % 2 == 1) {
                            sender.sendEx(m[i], 60000, -1);
                        } else {
                            sender.send(m[i]);
                        }
                    }
                    for (int i = 0; i < m.length; i++) {
                        if (i != 1) {
                            assertArrayEquals(m[i], receiver.next(), what + ": message " + i);
                        }
                    }
                    TestSupport.waitUntil(() -> sender.waiting() == 0, "acknowledged, " + what);
                    List<long[]> dropped = new ArrayList<>(sender.recorder().dropped);
                    assertEquals(1, dropped.size(), what);
                    assertArrayEquals(new long[] {sender.connId(), 1, BIG}, dropped.get(0), what);
                    assertNull(receiver.messages.poll(), what);
                }
            }
        }
    }

    // ---- socket buffer sizes ----

    interface Buffers {
        int getSocketRecvBufferSize();

        void setSocketRecvBufferSize(int bytes);

        int getSocketSendBufferSize();

        void setSocketSendBufferSize(int bytes);
    }

    static Buffers buffers(Component c) {
        return new Buffers() {
            public int getSocketRecvBufferSize() {
                if (c instanceof UdpServer s) {
                    return s.getSocketRecvBufferSize();
                }
                if (c instanceof UdpClient s) {
                    return s.getSocketRecvBufferSize();
                }
                return ((UdpArqAgent) c).getSocketRecvBufferSize();
            }

            public void setSocketRecvBufferSize(int b) {
                if (c instanceof UdpServer s) {
                    s.setSocketRecvBufferSize(b);
                } else if (c instanceof UdpClient s) {
                    s.setSocketRecvBufferSize(b);
                } else {
                    ((UdpArqAgent) c).setSocketRecvBufferSize(b);
                }
            }

            public int getSocketSendBufferSize() {
                if (c instanceof UdpServer s) {
                    return s.getSocketSendBufferSize();
                }
                if (c instanceof UdpClient s) {
                    return s.getSocketSendBufferSize();
                }
                return ((UdpArqAgent) c).getSocketSendBufferSize();
            }

            public void setSocketSendBufferSize(int b) {
                if (c instanceof UdpServer s) {
                    s.setSocketSendBufferSize(b);
                } else if (c instanceof UdpClient s) {
                    s.setSocketSendBufferSize(b);
                } else {
                    ((UdpArqAgent) c).setSocketSendBufferSize(b);
                }
            }
        };
    }

    static void start(Component c) {
        if (c instanceof Server s) {
            s.start(TestSupport.HOST, 0);
        } else if (c instanceof UdpArqAgent a) {
            a.start();
        } else {
            ((Client) c).start(TestSupport.HOST, 9, false);
        }
    }

    @Test
    void socketBufferSettingsReadBackAndAreCheckedByStart() {
        List<Consumer<Consumer<Component>>> makers = List.of(
                f -> {
                    try (UdpServer c = new UdpServer(new ServerListener<UdpServer>() {})) {
                        f.accept(c);
                    }
                },
                f -> {
                    try (UdpClient c = new UdpClient(new ClientListener<UdpClient>() {})) {
                        f.accept(c);
                    }
                },
                f -> {
                    try (UdpArqServer c = new UdpArqServer(new ServerRec())) {
                        f.accept(c);
                    }
                },
                f -> {
                    try (UdpArqClient c = new UdpArqClient(new ClientRec())) {
                        f.accept(c);
                    }
                },
                f -> {
                    try (UdpArqAgent c = new UdpArqAgent(new AgentRec())) {
                        f.accept(c);
                    }
                });
        int[][] bad = {{1023, 0}, {0, (1 << 30) + 1}};
        for (Consumer<Consumer<Component>> make : makers) {
            make.accept(c -> {
                Buffers b = buffers(c);
                assertEquals(0, b.getSocketRecvBufferSize());
                assertEquals(0, b.getSocketSendBufferSize());
                b.setSocketRecvBufferSize(65536);
                b.setSocketSendBufferSize(1 << 30);
                assertEquals(65536, b.getSocketRecvBufferSize());
                assertEquals(1 << 30, b.getSocketSendBufferSize());
                assertThrows(IllegalArgumentException.class, () -> b.setSocketRecvBufferSize(-1));
            });
            for (int[] v : bad) {
                make.accept(c -> {
                    Buffers b = buffers(c);
                    b.setSocketRecvBufferSize(v[0]);
                    b.setSocketSendBufferSize(v[1]);
                    HPSocketException e = assertThrows(HPSocketException.class, () -> start(c));
                    assertEquals(SocketError.INVALID_PARAM, e.getError(), c.getClass().getName());
                    assertTrue(e.getMessage().contains("BufferSize"), e.getMessage());
                    assertEquals(ServiceState.STOPPED, c.getState());
                });
            }
        }
        // TCP components have no such setting.
        try (TcpServer t = new TcpServer(new ServerListener<TcpServer>() {})) {
            assertThrows(HPSocketException.class, () -> t.getSetting(Component.S_SOCKET_RECV_BUFFER_SIZE));
        }
    }

    @Test
    void componentsStartedWithBufferSizesCarryMessages() throws Exception {
        ServerRec srec = new ServerRec();
        ClientRec crec = new ClientRec();
        AgentRec arec = new AgentRec();
        try (UdpArqServer server = new UdpArqServer(srec);
                UdpArqClient client = new UdpArqClient(crec);
                UdpArqAgent agent = new UdpArqAgent(arec)) {
            server.setSocketRecvBufferSize(1 << 20);
            server.setSocketSendBufferSize(1 << 20);
            client.setSocketRecvBufferSize(4096);
            client.setSocketSendBufferSize(4096);
            agent.setSocketRecvBufferSize(1 << 20);
            agent.setSocketSendBufferSize(8192);
            server.start(TestSupport.HOST, 0);
            int port = TestSupport.port(server);
            client.start(TestSupport.HOST, port, true);
            agent.start();
            long conn = agent.connect(TestSupport.HOST, port);
            TestSupport.waitUntil(() -> crec.r.handshakes.size() == 1
                    && arec.r.handshakes.size() == 1, "both handshakes");
            client.send(message(5));
            agent.send(conn, message(6));
            List<byte[]> got = List.of(srec.r.next(), srec.r.next());
            assertTrue(got.stream().anyMatch(x -> Arrays.equals(x, message(5))));
            assertTrue(got.stream().anyMatch(x -> Arrays.equals(x, message(6))));
            assertEquals(1 << 20, server.getSocketRecvBufferSize());
            assertEquals(8192, agent.getSocketSendBufferSize());
            // Frozen while started, as every setting.
            assertThrows(HPSocketException.class, () -> server.setSocketRecvBufferSize(2048));
        }
    }
}
