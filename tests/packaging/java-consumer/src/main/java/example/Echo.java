package example;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.hpsocket.ClientListener;
import org.hpsocket.HandleResult;
import org.hpsocket.ServerListener;
import org.hpsocket.TcpClient;
import org.hpsocket.TcpServer;

/** An echo server and a client in one program: prints "echo: hello from maven" and exits 0. */
public final class Echo {
    private Echo() {}

    public static void main(String[] args) throws Exception {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        try (TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
                @Override
                public HandleResult onReceive(TcpServer s, long connId, ByteBuffer data) {
                    s.send(connId, data);
                    return HandleResult.OK;
                }
            });
             TcpClient client = new TcpClient(new ClientListener<TcpClient>() {
                @Override
                public HandleResult onReceive(TcpClient c, long connId, byte[] data) {
                    echoed.complete(new String(data, StandardCharsets.UTF_8));
                    return HandleResult.OK;
                }
            })) {
            server.start("127.0.0.1", 0);
            client.start("127.0.0.1", server.getListenAddress().getPort());
            client.send("hello from maven".getBytes(StandardCharsets.UTF_8));
            System.out.println("echo: " + echoed.get(10, TimeUnit.SECONDS));
        }
    }
}
