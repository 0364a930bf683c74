package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** close() from inside callbacks, and while traffic flows. */
class CloseTest {
    @Test
    void serverClosesItselfFromACallback() throws Exception {
        AtomicReference<Throwable> stopInCallback = new AtomicReference<>();
        CountDownLatch shutdown = new CountDownLatch(1);
        CountDownLatch serverClosed = new CountDownLatch(3);
        TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onReceive(TcpServer s, long id, byte[] data) {
                try {
                    s.stop();
                } catch (HPSocketException e) {
                    stopInCallback.set(e);
                }
                s.close(); // returns at once; the stop finishes in the background
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpServer s, long id, SocketOperation op, int err) {
                serverClosed.countDown();
                return HandleResult.OK;
            }

            @Override
            public HandleResult onShutdown(TcpServer s) {
                shutdown.countDown();
                return HandleResult.OK;
            }
        });
        server.start(TestSupport.HOST, 0);
        List<TcpClient> clients = new ArrayList<>();
        CountDownLatch clientsClosed = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            TcpClient c = new TcpClient(new ClientListener<TcpClient>() {
                @Override
                public HandleResult onClose(TcpClient client, long id, SocketOperation op, int err) {
                    clientsClosed.countDown();
                    return HandleResult.OK;
                }
            });
            c.start(TestSupport.HOST, TestSupport.port(server));
            clients.add(c);
        }
        clients.get(0).send(new byte[] {42});
        TestSupport.await(shutdown, "onShutdown");
        TestSupport.await(serverClosed, "every server-side close");
        TestSupport.await(clientsClosed, "every client seeing the close");
        assertTrue(stopInCallback.get() instanceof HPSocketException);
        assertEquals(SocketError.ILLEGAL_STATE, ((HPSocketException) stopInCallback.get()).getError());
        assertTrue(server.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(ServiceState.STOPPED, server.getState());
        assertTrue(server.isClosed());
        assertThrows(IllegalStateException.class, () -> server.start(TestSupport.HOST, 0));
        clients.forEach(TcpClient::close);
    }

    @Test
    void clientAndAgentCloseThemselvesFromCallbacks() throws Exception {
        try (TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()))) {
            CountDownLatch clientClosed = new CountDownLatch(1);
            TcpClient client = new TcpClient(new ClientListener<TcpClient>() {
                @Override
                public HandleResult onReceive(TcpClient c, long id, byte[] data) {
                    c.close();
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onClose(TcpClient c, long id, SocketOperation op, int err) {
                    clientClosed.countDown();
                    return HandleResult.OK;
                }
            });
            client.start(TestSupport.HOST, TestSupport.port(server));
            client.send(new byte[] {1, 2, 3});
            TestSupport.await(clientClosed, "client onClose");
            assertTrue(client.await(10, java.util.concurrent.TimeUnit.SECONDS));

            CountDownLatch agentShutdown = new CountDownLatch(1);
            TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {
                @Override
                public HandleResult onConnect(TcpAgent a, long id) {
                    a.close();
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onShutdown(TcpAgent a) {
                    agentShutdown.countDown();
                    return HandleResult.OK;
                }
            });
            agent.start();
            agent.connect(TestSupport.HOST, TestSupport.port(server));
            TestSupport.await(agentShutdown, "agent onShutdown");
            assertTrue(agent.await(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    /** Clients ping-pong as fast as they can; the server is closed under them. */
    @Test
    void closeWhileTrafficFlows() throws Exception {
        for (int round = 0; round < 3; round++) {
            AtomicInteger serverCloses = new AtomicInteger();
            CountDownLatch shutdown = new CountDownLatch(1);
            TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
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

                @Override
                public HandleResult onShutdown(TcpServer s) {
                    shutdown.countDown();
                    return HandleResult.OK;
                }
            });
            server.setWorkerThreadCount(2);
            server.start(TestSupport.HOST, 0);
            AtomicInteger echoes = new AtomicInteger();
            int n = 20;
            CountDownLatch agentCloses = new CountDownLatch(n);
            TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {
                @Override
                public HandleResult onReceive(TcpAgent a, long id, ByteBuffer data) {
                    echoes.incrementAndGet();
                    a.send(id, data); // keep the traffic going
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onClose(TcpAgent a, long id, SocketOperation op, int err) {
                    agentCloses.countDown();
                    return HandleResult.OK;
                }
            });
            agent.start(null, false);
            for (int i = 0; i < n; i++) {
                long id = agent.connect(TestSupport.HOST, TestSupport.port(server));
                agent.send(id, new byte[16 * 1024]);
            }
            TestSupport.waitUntil(() -> server.getConnectionCount() == n, "every connection accepted");
            TestSupport.waitUntil(() -> echoes.get() > 200, "traffic");
            if (round % 2 == 0) {
                server.close();
                assertEquals(ServiceState.STOPPED, server.getState());
                assertEquals(1, shutdown.getCount() == 0 ? 1 : 0, "onShutdown before close returned");
                assertEquals(n, serverCloses.get());
                TestSupport.await(agentCloses, "agent closes");
                agent.close();
            } else {
                agent.close(); // the other side goes away under the server
                assertEquals(0, agentCloses.getCount());
                TestSupport.waitUntil(() -> serverCloses.get() == n, "server closes");
                server.close();
            }
        }
    }
}
