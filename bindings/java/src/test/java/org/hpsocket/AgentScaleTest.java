package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One agent, 1,000 connections, each echoing its own message. */
class AgentScaleTest {
    @Test
    void thousandAgentConnections() throws Exception {
        int n = 1000;
        try (TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()))) {
            ConcurrentHashMap<Long, Long> expected = new ConcurrentHashMap<>();
            CountDownLatch echoed = new CountDownLatch(n);
            AtomicInteger wrong = new AtomicInteger();
            CountDownLatch closed = new CountDownLatch(n);
            try (TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {
                @Override
                public HandleResult onConnect(TcpAgent a, long id) {
                    a.send(id, ByteBuffer.allocate(8).putLong(0, id));
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onReceive(TcpAgent a, long id, ByteBuffer data) {
                    if (data.remaining() != 8 || data.getLong(data.position()) != id) {
                        wrong.incrementAndGet();
                    }
                    echoed.countDown();
                    return HandleResult.OK;
                }

                @Override
                public HandleResult onClose(TcpAgent a, long id, SocketOperation op, int err) {
                    closed.countDown();
                    return HandleResult.OK;
                }
            })) {
                agent.start();
                for (int i = 0; i < n; i++) {
                    long id = agent.connect(TestSupport.HOST, TestSupport.port(server));
                    expected.put(id, id);
                }
                assertEquals(n, expected.size(), "distinct connection IDs");
                TestSupport.await(echoed, "1000 echoes");
                assertEquals(0, wrong.get());
                assertEquals(n, agent.getConnectionCount());
                TestSupport.waitUntil(() -> server.getConnectionCount() == n, "1000 server connections");
                assertEquals(n, server.getConnectionIds().length);
                agent.stop();
                TestSupport.await(closed, "1000 closes");
                TestSupport.waitUntil(() -> server.getConnectionCount() == 0, "server side closed");
            }
        }
    }
}
