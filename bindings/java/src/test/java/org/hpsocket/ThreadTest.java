package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Worker threads attach once, as daemons, and stay attached. */
class ThreadTest {
    @Test
    void workersAreDaemonThreadsThatStayAttached() throws Exception {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Set<Boolean> daemon = ConcurrentHashMap.newKeySet();
        CountDownLatch got = new CountDownLatch(200);
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onReceive(TcpServer s, long id, byte[] data) {
                threads.add(Thread.currentThread());
                daemon.add(Thread.currentThread().isDaemon());
                for (int i = 0; i < data.length; i++) {
                    got.countDown();
                }
                return HandleResult.OK;
            }
        })) {
            server.setWorkerThreadCount(1);
            server.start(TestSupport.HOST, 0);
            try (TcpClient c = new TcpClient(new ClientListener<TcpClient>() {})) {
                c.start(TestSupport.HOST, TestSupport.port(server));
                for (int i = 0; i < 200; i++) {
                    c.send(new byte[] {1});
                    if (i % 20 == 0) {
                        Thread.sleep(2);
                    }
                }
                TestSupport.await(got, "200 bytes");
            }
        }
        assertEquals(1, threads.size(), "one worker, one Thread object across callbacks: " + threads);
        assertEquals(Set.of(true), daemon);
        assertTrue(threads.iterator().next().getName().startsWith("hpsocket-"));
    }
}
