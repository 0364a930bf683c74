"""Echo client: sends a message, prints the echo. Usage: python echo_client.py [port] [message]"""
import sys
import threading

import hpsocket


class Client(hpsocket.TcpClientListener):
    def __init__(self, expected):
        self.expected, self.reply, self.done = expected, b"", threading.Event()

    def on_receive(self, sender, conn_id, data):
        self.reply += data
        if len(self.reply) >= self.expected:
            self.done.set()


port = int(sys.argv[1]) if len(sys.argv) > 1 else 5555
message = (sys.argv[2] if len(sys.argv) > 2 else "hello, hpsocket").encode()
listener = Client(len(message))
with hpsocket.TcpClient(listener) as client:
    client.start("127.0.0.1", port, async_connect=False)
    client.send(message)
    if not listener.done.wait(5):
        sys.exit("no echo within 5 s")
print(listener.reply.decode())
