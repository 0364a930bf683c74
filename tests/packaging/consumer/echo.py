"""Packaging test consumer, Python: run with the interpreter of a fresh venv where only the
hpsocket-rs wheel (or sdist) was installed, from a directory outside the source tree.

    python echo.py EXPECTED_VERSION [bundled]

Checks that `hpsocket` comes from that venv and that the installed distribution's version is
EXPECTED_VERSION; with `bundled`, that the OpenSSL in this process is the copy inside the
wheel (hpsocket_rs.libs), not the system's. Then a server on 127.0.0.1 (a free port), one
client, one message echoed and compared. Exits 0 on success.
"""
import importlib.metadata
import os
import sys
import threading

import hpsocket

expected, bundled = sys.argv[1], "bundled" in sys.argv[2:]
where = os.path.dirname(hpsocket.__file__)
assert where.startswith(sys.prefix + os.sep), (where, sys.prefix)
version = importlib.metadata.version("hpsocket-rs")
assert version == expected, (version, expected)
print(f"echo.py: hpsocket-rs {version} from {where}; hpsocket.__version__ = {hpsocket.__version__}")
# "0+unknown": __init__.py still looks up the distribution by its old name, `hpsocket`.
assert hpsocket.__version__ in (expected, "0+unknown"), hpsocket.__version__

with open("/proc/self/maps") as maps:
    ssl = sorted({line.split()[-1] for line in maps if "libssl" in line or "libcrypto" in line})
print("echo.py: OpenSSL loaded from", ", ".join(ssl))
if bundled:
    libs = os.path.join(sys.prefix, "lib")
    assert ssl and all(p.startswith(libs) and "/hpsocket_rs.libs/" in p for p in ssl), ssl


class Server(hpsocket.TcpServerListener):
    def on_receive(self, sender, conn_id, data):
        sender.send(conn_id, data)
        return hpsocket.HandleResult.OK


class Client(hpsocket.TcpClientListener):
    def __init__(self, size):
        self.size, self.got, self.done = size, b"", threading.Event()

    def on_receive(self, sender, conn_id, data):
        self.got += data
        if len(self.got) >= self.size:
            self.done.set()
        return hpsocket.HandleResult.OK


message = b"hello from the hpsocket-rs wheel"
client_listener = Client(len(message))
with hpsocket.TcpServer(Server()) as server:
    server.start("127.0.0.1", 0)
    host, port = server.listen_address()
    with hpsocket.TcpClient(client_listener) as client:
        client.start(host, port, async_connect=False)
        client.send(message)
        # A generous bound: the echo normally takes well under a millisecond.
        assert client_listener.done.wait(30), "no echo within 30 s"
assert client_listener.got == message, client_listener.got
print(f"echo.py: {host}:{port} echoed {len(message)} bytes, equal")
