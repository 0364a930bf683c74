"""L1: echo server on the hpsocket Python wheel, one worker thread, TCP_NODELAY like its
asyncio and uvloop peers (bench/run.py starts it pinned to CPU 0). `python hps_echo.py [port]` prints `listening <addr>`, runs until killed."""
import signal
import sys

import hpsocket


class Echo(hpsocket.TcpServerListener):
    def on_receive(self, sender, conn_id, data):
        sender.send(conn_id, data)


port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
# no_delay: the protocol's "TCP_NODELAY both sides"; the core then writes a send made in
# on_receive at once instead of queueing it and flushing after the callback.
server = hpsocket.TcpServer(Echo(), worker_thread_count=1, socket_listen_queue=4096,
                            no_delay=True)
server.start("127.0.0.1", port)
print("listening %s:%d" % tuple(server.listen_address())[:2], flush=True)
signal.signal(signal.SIGTERM, lambda *_: server.stop())
try:
    server.wait()
except KeyboardInterrupt:
    server.stop()
