package org.hpsocket;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Run in a fresh JVM by {@link JarTest}: echoes once and prints where the library came from. */
public final class JarProbe {
    private JarProbe() {}

    public static void main(String[] args) throws Exception {
        CountDownLatch got = new CountDownLatch(1);
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onReceive(TcpServer s, long id, ByteBuffer data) {
                s.send(id, data);
                return HandleResult.OK;
            }
        });
                TcpClient client = new TcpClient(new ClientListener<TcpClient>() {
                    @Override
                    public HandleResult onReceive(TcpClient c, long id, byte[] data) {
                        if (new String(data).equals("ping")) {
                            got.countDown();
                        }
                        return HandleResult.OK;
                    }
                })) {
            server.start("127.0.0.1", 0);
            client.start("127.0.0.1", server.getListenAddress().getPort());
            client.send("ping".getBytes());
            if (!got.await(30, TimeUnit.SECONDS)) {
                System.out.println("NO ECHO");
                System.exit(1);
            }
        }
        System.out.println("LOADED " + Native.LOADED_FROM);
        System.out.println("ECHO OK");
    }
}
