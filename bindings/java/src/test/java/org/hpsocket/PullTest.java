package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * PULL model: the server reads a length-prefixed protocol with peek/fetch from fragments
 * of any size, and echoes each message framed the same way.
 */
class PullTest {
    /** Server: 4-byte big-endian length, then the body; fetches whole messages. */
    static final class FramedEcho implements ServerListener<TcpPullServer> {
        @Override
        public HandleResult onPullReceive(TcpPullServer s, long id, int length) {
            ByteBuffer header = ByteBuffer.allocate(4);
            while (true) {
                header.clear();
                if (s.peek(id, header) != FetchResult.OK) {
                    return HandleResult.OK;
                }
                int bodyLength = header.getInt(0);
                byte[] message = new byte[4 + bodyLength];
                FetchResult r = s.fetch(id, message);
                if (r == FetchResult.LENGTH_TOO_LONG) {
                    return HandleResult.OK; // wait for the rest
                }
                if (r != FetchResult.OK) {
                    return HandleResult.ERROR;
                }
                s.send(id, message);
            }
        }
    }

    @Test
    void pullServerFetchesWholeMessagesFromFragments() throws Exception {
        try (TcpPullServer server = TestSupport.echoServer(new TcpPullServer(new FramedEcho()))) {
            Random random = new Random(3);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(TestSupport.randomBytes(random, random.nextInt(20_000)));
            }
            // The client is PULL too: it fetches the echoed frames into a direct buffer.
            List<byte[]> received = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(sent.size());
            try (TcpPullClient client = new TcpPullClient(new ClientListener<TcpPullClient>() {
                private final ByteBuffer header = ByteBuffer.allocateDirect(4);

                @Override
                public HandleResult onPullReceive(TcpPullClient c, long id, int length) {
                    while (true) {
                        header.clear();
                        if (c.peek(header) != FetchResult.OK) {
                            return HandleResult.OK;
                        }
                        int n = header.getInt(0);
                        byte[] skip = new byte[4];
                        ByteBuffer body = ByteBuffer.allocateDirect(n);
                        byte[] probe = new byte[4 + n];
                        if (c.peek(probe) != FetchResult.OK) {
                            return HandleResult.OK;
                        }
                        assertEquals(FetchResult.OK, c.fetch(skip));
                        assertEquals(FetchResult.OK, c.fetch(body));
                        byte[] out = new byte[n];
                        body.flip().get(out);
                        received.add(out);
                        done.countDown();
                    }
                }
            })) {
                client.start(TestSupport.HOST, TestSupport.port(server));
                // Send the stream in random fragments, so messages straddle receives.
                ByteBuffer stream = ByteBuffer.allocate(sent.stream().mapToInt(b -> b.length + 4).sum());
                for (byte[] b : sent) {
                    stream.putInt(b.length).put(b);
                }
                stream.flip();
                while (stream.hasRemaining()) {
                    int n = Math.min(stream.remaining(), 1 + random.nextInt(7000));
                    ByteBuffer piece = stream.slice().limit(n);
                    client.send(piece);
                    stream.position(stream.position() + n);
                }
                TestSupport.await(done, "PULL echoes");
                assertEquals(sent.size(), received.size());
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), received.get(i), "message " + i);
                }
            }
        }
    }

    @Test
    void fetchResults() throws Exception {
        CountDownLatch buffered = new CountDownLatch(1);
        long[] conn = new long[1];
        try (TcpPullServer server = TestSupport.echoServer(new TcpPullServer(new ServerListener<TcpPullServer>() {
            @Override
            public HandleResult onPullReceive(TcpPullServer s, long id, int length) {
                if (length == 10) {
                    conn[0] = id;
                    buffered.countDown();
                }
                return HandleResult.OK;
            }
        }))) {
            try (TcpClient client = new TcpClient(new ClientListener<TcpClient>() {})) {
                client.start(TestSupport.HOST, TestSupport.port(server));
                client.send(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
                TestSupport.await(buffered, "10 bytes buffered");
                long id = conn[0];
                assertEquals(FetchResult.LENGTH_TOO_LONG, server.fetch(id, new byte[11]));
                byte[] three = new byte[3];
                assertEquals(FetchResult.OK, server.peek(id, three));
                assertArrayEquals(new byte[] {0, 1, 2}, three);
                assertEquals(FetchResult.OK, server.fetch(id, three));
                byte[] seven = new byte[10];
                assertEquals(FetchResult.OK, server.fetch(id, seven, 3, 7));
                assertArrayEquals(new byte[] {0, 0, 0, 3, 4, 5, 6, 7, 8, 9}, seven);
                assertEquals(FetchResult.LENGTH_TOO_LONG, server.fetch(id, new byte[1]));
                assertEquals(FetchResult.DATA_NOT_FOUND, server.fetch(id + 12345, new byte[1]));
            }
        }
    }
}
