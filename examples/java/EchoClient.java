import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.hpsocket.ClientListener;
import org.hpsocket.HandleResult;
import org.hpsocket.SocketOperation;
import org.hpsocket.TcpClient;

/**
 * Sends each line of standard input to an echo server and prints what comes back.
 *
 * <pre>
 *   java -cp dist/hpsocket-0.1.0.jar examples/java/EchoClient.java [host] [port]
 * </pre>
 */
public final class EchoClient {
    private EchoClient() {}

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 5555;
        try (TcpClient client = new TcpClient(new ClientListener<TcpClient>() {
            @Override
            public HandleResult onReceive(TcpClient c, long connId, byte[] data) {
                System.out.print("echo: " + new String(data, StandardCharsets.UTF_8));
                System.out.flush();
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpClient c, long connId, SocketOperation op, int errorCode) {
                System.out.println("connection closed: " + op + (errorCode != 0 ? " errno " + errorCode : ""));
                return HandleResult.OK;
            }
        })) {
            client.start(host, port); // blocks until connected, throws HPSocketException if not
            System.out.println("connected to " + client.getRemoteAddress() + " from " + client.getLocalAddress());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && client.isConnected(); ) {
                client.send((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Thread.sleep(200); // let the last echo arrive
        }
    }
}
