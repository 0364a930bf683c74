import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * L1: the idiomatic Java peer, a plain single-threaded java.nio Selector echo (64 KiB direct
 * read buffer; unsent bytes are kept per connection and flushed on OP_WRITE).
 * {@code java -cp classes NioEcho [port]} prints {@code listening <addr>}.
 */
public final class NioEcho {
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Selector sel = Selector.open();
        ServerSocketChannel srv = ServerSocketChannel.open();
        srv.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        srv.configureBlocking(false);
        srv.register(sel, SelectionKey.OP_ACCEPT);
        InetSocketAddress a = (InetSocketAddress) srv.getLocalAddress();
        System.out.println("listening " + a.getAddress().getHostAddress() + ":" + a.getPort());
        System.out.flush();
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        while (true) {
            sel.select();
            Iterator<SelectionKey> it = sel.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                try {
                    if (k.isAcceptable()) {
                        SocketChannel c;
                        while ((c = srv.accept()) != null) {
                            c.configureBlocking(false);
                            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            c.register(sel, SelectionKey.OP_READ);
                        }
                        continue;
                    }
                    SocketChannel c = (SocketChannel) k.channel();
                    if (k.isWritable()) {
                        ByteBuffer pending = (ByteBuffer) k.attachment();
                        c.write(pending);
                        if (!pending.hasRemaining()) {
                            k.attach(null);
                            k.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (k.isValid() && k.isReadable() && k.attachment() == null) {
                        buf.clear();
                        int n = c.read(buf);
                        if (n < 0) {
                            k.cancel();
                            c.close();
                            continue;
                        }
                        buf.flip();
                        c.write(buf);
                        if (buf.hasRemaining()) {
                            ByteBuffer pending = ByteBuffer.allocate(buf.remaining());
                            pending.put(buf).flip();
                            k.attach(pending);
                            k.interestOps(SelectionKey.OP_WRITE);
                        }
                    }
                } catch (IOException e) {
                    k.cancel();
                    k.channel().close();
                }
            }
        }
    }
}
