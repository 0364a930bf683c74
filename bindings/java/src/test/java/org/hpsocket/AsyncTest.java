package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue #15 item 8: {@code startAsync}, {@code connectAsync}, {@code stopAsync} and
 * {@code sendAsync} futures, awaited from the test: connect success and refusal, many
 * concurrent connects, stop, waiting for room in a bounded send queue, and completions that
 * never run on (nor block) the I/O worker.
 */
class AsyncTest {
    private static final int ECONNREFUSED = 111;

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** A loopback port nobody listens on (a server bound it, then stopped). */
    static int deadPort() {
        try (TcpServer s = new TcpServer(new ServerListener<TcpServer>() {})) {
            s.start(TestSupport.HOST, 0);
            return TestSupport.port(s);
        }
    }

    static ConnectionClosedException closedCause(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> f.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
        return assertInstanceOf(ConnectionClosedException.class, e.getCause());
    }

    @Test
    void clientStartAsyncCompletesOnConnectOffTheIoThread() throws Exception {
        try (TcpServer server = new TcpServer(TestSupport.echo());
                TcpClient client = new TcpClient(new ClientListener<TcpClient>() {})) {
            InetSocketAddress listen = get(server.startAsync(TestSupport.HOST, 0));
            assertEquals(TestSupport.port(server), listen.getPort());
            // A second start fails the future (the server is running).
            assertInstanceOf(HPSocketException.class, assertThrows(ExecutionException.class,
                    () -> get(server.startAsync(TestSupport.HOST, 0))).getCause());
            CompletableFuture<String> thread = new CompletableFuture<>();
            CompletableFuture<Long> f = client.startAsync(TestSupport.HOST, TestSupport.port(server));
            f.thenRun(() -> thread.complete(Thread.currentThread().getName()));
            long id = get(f);
            assertEquals(client.getConnectionId(), id);
            assertTrue(client.isConnected());
            assertFalse(get(thread).contains("worker"), get(thread));
            get(client.sendAsync("ping".getBytes()));
            // A second start while connected fails as start does.
            assertThrows(ExecutionException.class, () -> get(client.startAsync(TestSupport.HOST, 1)));
            get(client.stopAsync());
            assertEquals(ServiceState.STOPPED, client.getState());
        }
    }

    @Test
    void refusedConnectsFailWithTheCloseReason() throws Exception {
        int port = deadPort();
        try (TcpClient client = new TcpClient(new ClientListener<TcpClient>() {});
                TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {})) {
            ConnectionClosedException e = closedCause(client.startAsync(TestSupport.HOST, port));
            assertEquals(SocketOperation.CONNECT, e.getOperation());
            assertEquals(ECONNREFUSED, e.getErrno());
            assertEquals(SocketError.CONNECT_SERVER, e.getError());
            agent.start();
            CompletableFuture<Long> f = agent.connectAsync(TestSupport.HOST, port);
            e = closedCause(f);
            assertEquals(SocketOperation.CONNECT, e.getOperation());
            assertEquals(ECONNREFUSED, e.getErrno());
            // A connect that fails at once fails the future, it does not throw.
            ExecutionException x = assertThrows(ExecutionException.class,
                    () -> get(agent.connectAsync("no such host.invalid", port)));
            assertInstanceOf(HPSocketException.class, x.getCause());
        }
    }

    @Test
    void manyConcurrentConnectsEachCompleteWithTheirOwnId() throws Exception {
        final int n = 200;
        try (TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
                TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {})) {
            agent.setWorkerThreadCount(2);
            agent.start();
            int port = TestSupport.port(server);
            List<CompletableFuture<Long>> fs = java.util.Collections.synchronizedList(new ArrayList<>());
            // From 4 threads at once: each thread's prepare event must find its own connect.
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    for (int i = 0; i < n / 4; i++) {
                        fs.add(agent.connectAsync(TestSupport.HOST, port));
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            get(CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])));
            Set<Long> ids = new HashSet<>();
            for (CompletableFuture<Long> f : fs) {
                long id = f.join();
                assertTrue(agent.isConnected(id));
                ids.add(id);
            }
            assertEquals(n, ids.size());
            TestSupport.waitUntil(() -> server.getConnectionCount() == n, "the server's accepts");
            get(agent.stopAsync());
            assertEquals(ServiceState.STOPPED, agent.getState());
            TestSupport.waitUntil(() -> server.getConnectionCount() == 0, "the server's closes");
            get(server.stopAsync());
            assertEquals(ServiceState.STOPPED, server.getState());
            assertTrue(server.stopAsync().isDone());
        }
    }

    @Test
    void aBlockingContinuationDoesNotStallTheWorker() throws Exception {
        // One worker: were the first future completed on it, its continuation (which waits for
        // the second connection's onConnect) would block the only thread that delivers it.
        CountDownLatch attached = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Executor counting = r -> {
            ran.incrementAndGet();
            new Thread(r, "test-executor").start();
        };
        try (TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
                TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {
                    @Override
                    public HandleResult onConnect(TcpAgent a, long connId) {
                        try {
                            attached.await(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return HandleResult.OK;
                    }
                })) {
            agent.setWorkerThreadCount(1);
            agent.setAsyncExecutor(counting);
            assertTrue(agent.getAsyncExecutor() == counting);
            agent.start();
            int port = TestSupport.port(server);
            CompletableFuture<Long> gate = new CompletableFuture<>();
            CompletableFuture<Long> first = agent.connectAsync(TestSupport.HOST, port);
            CompletableFuture<String> chained = first.thenApply(id -> Thread.currentThread().getName() + "/" + gate.join());
            attached.countDown();
            CompletableFuture<Long> second = agent.connectAsync(TestSupport.HOST, port);
            second.thenAccept(gate::complete);
            String r = get(chained);
            assertTrue(r.startsWith("test-executor/"), r);
            assertEquals(get(second), Long.parseLong(r.substring(r.indexOf('/') + 1)));
            assertTrue(ran.get() >= 2);
        }
    }

    @Test
    void stopAsyncWorksFromTheComponentsOwnCallback() throws Exception {
        CompletableFuture<CompletableFuture<Void>> stop = new CompletableFuture<>();
        try (TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
                TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {
                    @Override
                    public HandleResult onConnect(TcpAgent a, long connId) {
                        stop.complete(a.stopAsync());
                        return HandleResult.OK;
                    }
                })) {
            agent.start();
            agent.connect(TestSupport.HOST, TestSupport.port(server));
            get(get(stop));
            assertEquals(ServiceState.STOPPED, agent.getState());
        }
    }

    @Test
    void sendAsyncWaitsForRoomInABoundedQueueAndKeepsTheOrder() throws Exception {
        final int chunk = 64 * 1024;
        final int count = 512; // 32 MiB: more than the kernel buffers hold
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(TestSupport.HOST));
                TcpClient client = new TcpClient(new ClientListener<TcpClient>() {})) {
            client.setMaxSendQueueBytes(256 * 1024);
            client.setSendQueueLowWatermark(64 * 1024);
            get(client.startAsync(TestSupport.HOST, peer.getLocalPort()));
            try (Socket s = peer.accept()) {
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    byte[] b = new byte[chunk];
                    java.util.Arrays.fill(b, (byte) i);
                    fs.add(client.sendAsync(b));
                }
                // The peer has read nothing: the last bytes cannot have been accepted yet (the
                // kernel buffers of both sides hold far less than 32 MiB).
                assertFalse(fs.get(count - 1).isDone());
                InputStream in = new DataInputStream(s.getInputStream());
                byte[] buf = new byte[chunk];
                for (int i = 0; i < count; i++) {
                    ((DataInputStream) in).readFully(buf);
                    byte[] want = new byte[chunk];
                    java.util.Arrays.fill(want, (byte) i);
                    assertArrayEquals(want, buf, "chunk " + i);
                }
                get(CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])));
            }
        }
    }

    @Test
    void waitingSendsFailWithTheCloseReasonWhenThePeerGoes() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, java.net.InetAddress.getByName(TestSupport.HOST));
                TcpClient client = new TcpClient(new ClientListener<TcpClient>() {})) {
            client.setMaxSendQueueBytes(64 * 1024);
            get(client.startAsync(TestSupport.HOST, peer.getLocalPort()));
            CompletableFuture<Void> last;
            try (Socket s = peer.accept()) {
                s.setSoLinger(true, 0); // a reset: the queued bytes cannot drain
                last = null;
                for (int i = 0; i < 1024; i++) {
                    last = client.sendAsync(new byte[64 * 1024]);
                }
                assertFalse(last.isDone());
            }
            ConnectionClosedException e = closedCause(last);
            assertTrue(e.getErrno() != 0 || e.getOperation() == SocketOperation.CLOSE, e.toString());
        }
    }
}
