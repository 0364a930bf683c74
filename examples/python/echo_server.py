"""Echo server: sends every byte back. Usage: python echo_server.py [port]  (Ctrl+C stops it)"""
import sys

import hpsocket


class Echo(hpsocket.TcpServerListener):
    def on_receive(self, sender, conn_id, data):
        sender.send(conn_id, data)


port = int(sys.argv[1]) if len(sys.argv) > 1 else 5555
with hpsocket.TcpServer(Echo()) as server:
    server.start("127.0.0.1", port)
    print("echo server listening on %s:%d" % server.listen_address(), flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
