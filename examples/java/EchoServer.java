import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

import org.hpsocket.HandleResult;
import org.hpsocket.ServerListener;
import org.hpsocket.SocketOperation;
import org.hpsocket.TcpServer;

/**
 * An echo server: sends every byte back. Stops on Ctrl-C.
 *
 * <pre>
 *   java -cp dist/hpsocket-0.1.0.jar examples/java/EchoServer.java [port]
 * </pre>
 */
public final class EchoServer {
    private EchoServer() {}

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 5555;
        CountDownLatch stopped = new CountDownLatch(1);
        TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onAccept(TcpServer s, long connId, int fd) {
                System.out.println("[" + connId + "] accepted from " + s.getRemoteAddress(connId));
                return HandleResult.OK;
            }

            @Override
            public HandleResult onReceive(TcpServer s, long connId, ByteBuffer data) {
                // `data` is only valid during this call; send copies it before returning.
                s.send(connId, data);
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpServer s, long connId, SocketOperation op, int errorCode) {
                System.out.println("[" + connId + "] closed: " + op + (errorCode != 0 ? " errno " + errorCode : ""));
                return HandleResult.OK;
            }

            @Override
            public HandleResult onShutdown(TcpServer s) {
                stopped.countDown();
                return HandleResult.OK;
            }
        });
        server.start("0.0.0.0", port);
        System.out.println("echo server on " + server.getListenAddress() + ", "
                + server.getWorkerThreadCount() + " workers; Ctrl-C stops it");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        stopped.await();
    }
}
