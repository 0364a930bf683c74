import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

import org.hpsocket.HandleResult;
import org.hpsocket.ServerListener;
import org.hpsocket.TcpServer;

/**
 * L1: echo server on the hpsocket jar (as examples/java/EchoServer.java), one worker thread,
 * TCP_NODELAY.
 * {@code java -cp hpsocket.jar:classes HpsEcho [port]} prints {@code listening <addr>}.
 */
public final class HpsEcho {
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        CountDownLatch stopped = new CountDownLatch(1);
        TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onReceive(TcpServer s, long connId, ByteBuffer data) {
                s.send(connId, data);
                return HandleResult.OK;
            }

            @Override
            public HandleResult onShutdown(TcpServer s) {
                stopped.countDown();
                return HandleResult.OK;
            }
        });
        server.setWorkerThreadCount(1);
        // TCP_NODELAY, as every L1/T2 server (NioEcho sets it on each accepted channel,
        // hps_echo.rs through its config): the core then writes a send made in onReceive
        // straight to the socket instead of queueing it and flushing after the callback.
        server.setNoDelay(true);
        server.setSocketListenQueue(4096);
        server.start("127.0.0.1", port);
        java.net.InetSocketAddress a = server.getListenAddress();
        System.out.println("listening " + a.getAddress().getHostAddress() + ":" + a.getPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        stopped.await();
    }
}
