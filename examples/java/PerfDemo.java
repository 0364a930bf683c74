import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.hpsocket.AgentListener;
import org.hpsocket.ClientListener;
import org.hpsocket.Component;
import org.hpsocket.HandleResult;
import org.hpsocket.ServerListener;
import org.hpsocket.SocketOperation;
import org.hpsocket.TcpAgent;
import org.hpsocket.TcpClient;
import org.hpsocket.TcpPackAgent;
import org.hpsocket.TcpPackClient;
import org.hpsocket.TcpPackServer;
import org.hpsocket.TcpServer;

/**
 * The Java counterpart of examples/c/perf_demo.c (HP-Socket's testecho-pfm procedure), for
 * comparing the two on the same load. A TcpServer echoes everything; N TcpClients (or, with
 * -a, one TcpAgent with N connections) connect synchronously, then for M rounds each
 * connection sends one L-byte message without waiting for echoes. Every connection sends its
 * own deterministic byte stream and checks every echoed byte. Prints one line: bytes echoed,
 * elapsed ms, MB/s (10^6 bytes/s).
 *
 * <pre>
 *   java -cp dist/hpsocket-0.1.0.jar examples/java/PerfDemo.java [-a] [-c conns] [-e rounds]
 *        [-l length] [-t threads] [-M push|pack] [-N] [-T deadline-s] [-w warmups]
 * </pre>
 *
 * Defaults: 100 connections x 100 rounds x 5000 bytes, library default worker threads, PUSH.
 * {@code -w N} first runs the whole procedure N times untimed (JIT warm-up; each pass prints
 * its line, marked "warm-up"), then the measured pass.
 * Exit status: 0 all bytes verified; 1 a byte wrong or a connection lost; 2 deadline passed.
 */
public final class PerfDemo {
    private static final int PERIOD = 65521; // prime: streams do not line up with messages
    private static final int PACK_FLAG = 0x169;
    private static final byte[] BLOCK = new byte[PERIOD * 2];

    private static final AtomicLong RECEIVED = new AtomicLong();
    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final AtomicBoolean STOPPING = new AtomicBoolean();
    private static boolean useAgent;
    private static boolean noDelay;
    private static int conns = 100;
    private static int rounds = 100;
    private static int threads;
    private static int deadline = 60;
    private static int warmups;
    private static final Object DONE = new Object();
    private static volatile long expectedTotal;
    private static volatile long lastByteNanos;
    private static int length;
    private static boolean pack;

    private PerfDemo() {}

    /** One connection's stream. */
    static final class Conn {
        final int index;
        final int phase;
        long received;

        Conn(int index) {
            this.index = index;
            this.phase = (int) ((index * 7919L) % PERIOD);
        }

        synchronized HandleResult verify(ByteBuffer data) {
            int len = data.remaining();
            if (pack && len != length) {
                return fail("connection " + index + ": a " + len + "-byte pack where one " + length + "-byte message was sent");
            }
            int at = data.position();
            long pos = received;
            int left = len;
            while (left > 0) {
                int idx = (int) ((pos + phase) % PERIOD);
                int n = Math.min(PERIOD - idx, left);
                if (data.slice(at, n).mismatch(ByteBuffer.wrap(BLOCK, idx, n)) != -1) {
                    return fail("connection " + index + ": byte " + pos + " of its stream is wrong");
                }
                at += n;
                pos += n;
                left -= n;
            }
            received = pos;
            if (RECEIVED.addAndGet(len) == expectedTotal) {
                lastByteNanos = System.nanoTime();
                synchronized (DONE) {
                    DONE.notifyAll();
                }
            }
            return HandleResult.OK;
        }
    }

    static HandleResult fail(String why) {
        if (FAILED.compareAndSet(false, true)) {
            System.err.println("perf_demo(java): " + why);
        }
        synchronized (DONE) {
            DONE.notifyAll();
        }
        return HandleResult.ERROR;
    }

    static void unexpectedClose(int index, SocketOperation op, int err) {
        if (!STOPPING.get()) {
            fail("connection " + index + " closed early (" + op + ", errno " + err + ")");
        }
    }

    public static void main(String[] args) throws Exception {
        length = 5000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-a" -> useAgent = true;
                case "-N" -> noDelay = true;
                case "-c" -> conns = Integer.parseInt(args[++i]);
                case "-e" -> rounds = Integer.parseInt(args[++i]);
                case "-l" -> length = Integer.parseInt(args[++i]);
                case "-t" -> threads = Integer.parseInt(args[++i]);
                case "-T" -> deadline = Integer.parseInt(args[++i]);
                case "-M" -> pack = args[++i].equals("pack");
                case "-w" -> warmups = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: PerfDemo [-a] [-c conns] [-e rounds] [-l length] [-t threads] [-M push|pack] [-N] [-T s]");
                    System.exit(3);
                }
            }
        }
        new Random(1).nextBytes(BLOCK);
        System.arraycopy(BLOCK, 0, BLOCK, PERIOD, PERIOD);
        for (int pass = 0; pass <= warmups; pass++) {
            run(pass < warmups ? " (warm-up " + (pass + 1) + ")" : "");
        }
    }

    private static void run(String label) throws Exception {
        expectedTotal = (long) conns * rounds * length;
        RECEIVED.set(0);
        STOPPING.set(false);

        ServerListener<TcpServer> echo = new ServerListener<>() {
            @Override
            public HandleResult onReceive(TcpServer s, long id, ByteBuffer data) {
                s.send(id, data);
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpServer s, long id, SocketOperation op, int err) {
                if (op != SocketOperation.CLOSE) {
                    unexpectedClose(-1, op, err);
                }
                return HandleResult.OK;
            }
        };
        TcpServer server = pack ? new TcpPackServer(echo) : new TcpServer(echo);
        configure(server, threads, noDelay);
        server.start("127.0.0.1", 0);
        int port = server.getListenAddress().getPort();

        Conn[] streams = new Conn[conns];
        for (int i = 0; i < conns; i++) {
            streams[i] = new Conn(i);
        }
        TcpAgent agent = null;
        TcpClient[] clients = new TcpClient[conns];
        long[] ids = new long[conns];
        if (useAgent) {
            AgentListener<TcpAgent> al = new AgentListener<>() {
                @Override
                public HandleResult onReceive(TcpAgent a, long id, ByteBuffer data) {
                    Conn c = a.getAttachment(id);
                    return c == null ? fail("echo on an unknown connection") : c.verify(data);
                }

                @Override
                public HandleResult onClose(TcpAgent a, long id, SocketOperation op, int err) {
                    Conn c = a.getAttachment(id);
                    unexpectedClose(c == null ? -1 : c.index, op, err);
                    return HandleResult.OK;
                }
            };
            agent = pack ? new TcpPackAgent(al) : new TcpAgent(al);
            configure(agent, threads, noDelay);
            agent.start(null, false);
            for (int i = 0; i < conns; i++) {
                ids[i] = agent.connect("127.0.0.1", port);
                agent.setAttachment(ids[i], streams[i]);
            }
        } else {
            for (int i = 0; i < conns; i++) {
                Conn stream = streams[i];
                ClientListener<TcpClient> cl = new ClientListener<>() {
                    @Override
                    public HandleResult onReceive(TcpClient c, long id, ByteBuffer data) {
                        return stream.verify(data);
                    }

                    @Override
                    public HandleResult onClose(TcpClient c, long id, SocketOperation op, int err) {
                        unexpectedClose(stream.index, op, err);
                        return HandleResult.OK;
                    }
                };
                clients[i] = pack ? new TcpPackClient(cl) : new TcpClient(cl);
                configure(clients[i], 0, noDelay);
                clients[i].start("127.0.0.1", port);
            }
        }

        long start = System.nanoTime();
        for (int r = 0; r < rounds && !FAILED.get(); r++) {
            for (int i = 0; i < conns; i++) {
                int off = (int) (((long) r * length + streams[i].phase) % PERIOD);
                if (useAgent) {
                    agent.send(ids[i], BLOCK, off, length);
                } else {
                    clients[i].send(BLOCK, off, length);
                }
            }
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadline);
        synchronized (DONE) {
            while (RECEIVED.get() < expectedTotal && !FAILED.get() && System.nanoTime() < end) {
                DONE.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            }
        }
        long got = RECEIVED.get();
        if (FAILED.get() || got < expectedTotal) {
            System.err.printf("perf_demo(java): %s: %d of %d bytes echoed and verified%n",
                    FAILED.get() ? "FAILED" : "DEADLINE PASSED", got, expectedTotal);
            Runtime.getRuntime().halt(FAILED.get() ? 1 : 2);
        }
        double ms = (lastByteNanos - start) / 1e6;
        int workers = useAgent ? agent.getWorkerThreadCount() : server.getWorkerThreadCount();
        System.out.printf("perf_demo(java): %s %s x%d, %d rounds x %d B, %d workers: %d bytes echoed and "
                + "verified in %.0f ms, %.1f MB/s%s%n", pack ? "pack" : "push", useAgent ? "agent" : "clients",
                conns, rounds, length, workers, got, ms, got / 1e3 / ms, label);
        STOPPING.set(true);
        if (agent != null) {
            agent.close();
        }
        for (TcpClient c : clients) {
            if (c != null) {
                c.close();
            }
        }
        server.close();
    }

    private static void configure(Component c, int threads, boolean noDelay) {
        c.setNoDelay(noDelay);
        if (threads > 0 && c instanceof org.hpsocket.MultiConnectionComponent m) {
            m.setWorkerThreadCount(threads);
        }
        if (c instanceof TcpPackServer s) {
            s.setPackHeaderFlag(PACK_FLAG);
        } else if (c instanceof TcpPackAgent a) {
            a.setPackHeaderFlag(PACK_FLAG);
        } else if (c instanceof TcpPackClient k) {
            k.setPackHeaderFlag(PACK_FLAG);
        }
    }
}
