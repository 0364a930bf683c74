"""The WebSocket mode (``ws_mode``) against real peers on loopback: the ``websockets`` package
(15.0.1, its asyncio client and server, each on an event loop thread) against our
``HttpServer`` and as the server of our ``HttpClient``/``HttpAgent``, the same over TLS
(``wss``) with Python's ``ssl``, and raw sockets breaking the protocol (close codes 1002,
1007, 1009). Every wait is on an event, with a bounded timeout."""

from __future__ import annotations

import asyncio
import base64
import errno
import hashlib
import os
import socket
import ssl
import struct
import threading

import pytest

import hpsocket
from conftest import HOST, needs_openssl, recv_exact

websockets = pytest.importorskip("websockets")
from websockets.exceptions import ConnectionClosed  # noqa: E402
from websockets.asyncio.client import connect as ws_aconnect  # noqa: E402
from websockets.asyncio.server import serve as ws_aserve  # noqa: E402

TIMEOUT = 10
Op = hpsocket.WsOpcode
BIG = 1 << 20
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


# ----- the websockets peers ----------------------------------------------------------------------
#
# The peers run websockets' asyncio implementation, each on an event loop thread of its own.
# Its synchronous implementation reads on one thread and writes on another through one
# ssl.SSLSocket, and OpenSSL forbids using one SSL object from two threads at once: over TLS,
# when our answer arrived while its writer was still in SSL_write (our close answer comes back
# within microseconds), its reader failed with "The read operation timed out" at once and the
# peer dropped the connection (recording 1006; our side then saw EPIPE). That was 11 of 30 runs
# of test_our_client_sees_websockets_server_close[wss] here; with the asyncio peer, 0 of 40.


class LoopThread:
    """An event loop on a daemon thread; ``run`` waits for a coroutine's result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = TIMEOUT):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(TIMEOUT)
        self.loop.close()


class Pong:
    """What ``ws.ping`` returns: ``wait`` tells whether the pong came in time."""

    def __init__(self, loop: LoopThread, waiter) -> None:
        self.loop = loop
        self.waiter = waiter

    def wait(self, timeout: float) -> bool:
        async def wait():
            try:
                await asyncio.wait_for(self.waiter, timeout)
                return True
            except asyncio.TimeoutError:
                return False

        return self.loop.run(wait(), timeout + TIMEOUT)


class BlockingWs:
    """websockets' asyncio client behind the blocking calls the tests use."""

    def __init__(self, url: str, **kwargs) -> None:
        self.loop = LoopThread()
        try:
            async def connect():
                return await ws_aconnect(url, **kwargs)

            self.ws = self.loop.run(connect())
        except BaseException:
            self.loop.close()
            raise

    def send(self, message) -> None:
        self.loop.run(self.ws.send(message))

    def recv(self, timeout: float):
        return self.loop.run(asyncio.wait_for(self.ws.recv(), timeout), timeout + TIMEOUT)

    def ping(self, data: bytes) -> Pong:
        return Pong(self.loop, self.loop.run(self.ws.ping(data)))

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.loop.run(self.ws.close(code, reason))

    @property
    def close_code(self):
        return self.ws.close_code

    def __enter__(self) -> "BlockingWs":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.close()
        finally:
            self.loop.close()


def ws_connect(url: str, **kwargs) -> BlockingWs:
    return BlockingWs(url, **kwargs)


class Inbox:
    """Events from listener threads, waited for with a timeout."""

    def __init__(self) -> None:
        self.items: list[tuple] = []
        self.cond = threading.Condition()

    def put(self, item: tuple) -> None:
        with self.cond:
            self.items.append(item)
            self.cond.notify_all()

    def wait(self, what: str, pred) -> list[tuple]:
        with self.cond:
            ok = self.cond.wait_for(lambda: pred(self.items), TIMEOUT)
            assert ok, "timed out waiting for %s: %r" % (what, self.items)
            return list(self.items)

    def messages(self) -> list[tuple[int, bytes]]:
        with self.cond:
            return [(op, data) for kind, _, op, data in
                    (i for i in self.items if i[0] == "message")]


class Side:
    """What our component saw: upgrades, messages, closes. ``echo``: send text and binary
    messages back (a server); ``close please`` starts the closing handshake, ``ping me``
    sends a ping."""

    def __init__(self, echo: bool) -> None:
        self.inbox = Inbox()
        self.echo = echo

    def on_handshake(self, sender, conn_id):
        self.inbox.put(("handshake", conn_id))

    def on_upgrade(self, sender, conn_id, upgrade_type):
        self.inbox.put(("upgrade", conn_id, upgrade_type))

    def on_ws_message(self, sender, conn_id, opcode, data):
        assert isinstance(opcode, hpsocket.WsOpcode) and isinstance(data, bytes)
        self.inbox.put(("message", conn_id, opcode, data))
        if not self.echo:
            return
        if data == b"close please":
            sender.ws_close(conn_id, 4001, "server says bye")
        elif data == b"ping me":
            sender.send_ws_message(conn_id, b"srv-ping", Op.PING)
        elif opcode == Op.TEXT:
            sender.send_ws_message(conn_id, data.decode())  # a str goes as TEXT
        elif opcode == Op.BINARY:
            sender.send_ws_message(conn_id, data)

    def on_close(self, sender, conn_id, operation, error_code):
        self.inbox.put(("close", conn_id, int(operation), error_code))


class ServerSide(Side, hpsocket.HttpServerListener):
    def __init__(self) -> None:
        super().__init__(echo=True)


class ClientSide(Side, hpsocket.HttpClientListener):
    def __init__(self) -> None:
        super().__init__(echo=False)

    def on_ws_message(self, sender, conn_id, opcode, data):
        # A client's send_ws_message has no connection id.
        self.inbox.put(("message", conn_id, opcode, data))


class AgentSide(Side, hpsocket.HttpAgentListener):
    def __init__(self) -> None:
        super().__init__(echo=False)


def close_payload(code: int, reason: str = "") -> bytes:
    return struct.pack("!H", code) + reason.encode()


# ----- our server, the websockets client ---------------------------------------------------------


@pytest.fixture(params=[False, True], ids=["ws", "wss"])
def our_server(request):
    """``(server, url, client_ssl_context, side)``: our server in the mode, plain or TLS."""
    secure = request.param
    side = ServerSide()
    cls = hpsocket.HttpsServer if secure else hpsocket.HttpServer
    server = cls(side, ws_mode=True, worker_thread_count=2)
    ctx = None
    if secure:
        crt, key = request.getfixturevalue("cert")
        server.setup_ssl_context(hpsocket.SSL_VM_NONE, crt, key)
        ctx = ssl.create_default_context(cafile=str(crt))
    server.start(HOST, 0)
    scheme = "wss" if secure else "ws"
    try:
        yield server, "%s://%s:%d/chat" % (scheme, HOST, server.listen_address()[1]), ctx, side
    finally:
        server.stop()


def test_websockets_client_echo_ping_and_client_close(our_server):
    server, url, ctx, side = our_server
    text = "héllo wörld ✓"
    blob = bytes(range(256)) * 4
    big = os.urandom(BIG)
    with ws_connect(url, ssl=ctx, max_size=2 * BIG, open_timeout=TIMEOUT, close_timeout=TIMEOUT) as ws:
        ws.send(text)
        assert ws.recv(TIMEOUT) == text
        ws.send(blob)
        assert ws.recv(TIMEOUT) == blob
        ws.send(big)
        assert ws.recv(TIMEOUT) == big
        ws.send(["frag", "ment", "ed"])  # three frames: one message
        assert ws.recv(TIMEOUT) == "fragmented"
        ws.send([b"ab", b"cd"])
        assert ws.recv(TIMEOUT) == b"abcd"
        assert ws.ping(b"cli-ping").wait(TIMEOUT)  # our pong
        ws.send("ping me")  # our ping: websockets answers it
        side.inbox.wait("the pong", lambda items: any(i[0] == "message" and i[2] == Op.PONG for i in items))
        ws.close(4000, "bye")
        # Our answer echoes the code.
        assert ws.close_code == 4000
    items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
    conn_id = next(i[1] for i in items if i[0] == "upgrade")
    assert ("upgrade", conn_id, hpsocket.HttpUpgradeType.WEB_SOCKET) in items
    assert side.inbox.messages() == [
        (Op.TEXT, text.encode()),
        (Op.BINARY, blob),
        (Op.BINARY, big),
        (Op.TEXT, b"fragmented"),
        (Op.BINARY, b"abcd"),
        (Op.PING, b"cli-ping"),
        (Op.TEXT, b"ping me"),
        (Op.PONG, b"srv-ping"),
        (Op.CLOSE, close_payload(4000, "bye")),
    ]
    assert items[-1] == ("close", conn_id, hpsocket.SocketOperation.CLOSE, 0)


def test_websockets_client_sees_our_close(our_server):
    server, url, ctx, side = our_server
    with ws_connect(url, ssl=ctx, open_timeout=TIMEOUT, close_timeout=TIMEOUT) as ws:
        ws.send("close please")
        with pytest.raises(ConnectionClosed) as e:
            ws.recv(TIMEOUT)
        assert e.value.rcvd.code == 4001 and e.value.rcvd.reason == "server says bye"
    items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
    # websockets echoes our close, code and reason.
    assert side.inbox.messages()[-1] == (Op.CLOSE, close_payload(4001, "server says bye"))
    assert items[-1][2:] == (hpsocket.SocketOperation.CLOSE, 0)


# ----- our client and agent, the websockets server -----------------------------------------------


class PyServer:
    """A websockets server on an event loop thread: echoes, ``ping me`` pings and reports
    ``pong seen``, ``close please`` closes with 4002; records each connection's path, a header
    and how it closed."""

    def __init__(self, ssl_context=None) -> None:
        self.closes = Inbox()
        self.loop = LoopThread()

        async def start():
            return await ws_aserve(self.handler, HOST, 0, ssl=ssl_context, max_size=2 * BIG,
                                   open_timeout=TIMEOUT, close_timeout=TIMEOUT)

        self.server = self.loop.run(start())
        self.port = self.server.sockets[0].getsockname()[1]

    async def handler(self, ws) -> None:
        try:
            async for msg in ws:
                if msg == "close please":
                    await ws.close(4002, "py says bye")
                    break
                if msg == "ping me":
                    try:
                        await asyncio.wait_for(await ws.ping(b"py-ping"), TIMEOUT)
                        ok = True
                    except asyncio.TimeoutError:
                        ok = False
                    await ws.send("pong seen" if ok else "no pong")
                    continue
                await ws.send(msg)
        except ConnectionClosed:
            pass
        self.closes.put((ws.request.path, ws.request.headers.get("X-Test"), ws.close_code, ws.close_reason))

    def stop(self) -> None:
        async def stop():
            self.server.close()
            await self.server.wait_closed()

        try:
            self.loop.run(stop())
        finally:
            self.loop.close()


@pytest.fixture(params=[False, True], ids=["ws", "wss"])
def py_server_and_client(request):
    """``(PyServer, our client, side)``: our client in the mode, connected, plain or TLS."""
    secure = request.param
    sctx = None
    if secure:
        crt, key = request.getfixturevalue("cert")
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(str(crt), str(key))
    py = PyServer(sctx)
    side = ClientSide()
    cls = hpsocket.HttpsClient if secure else hpsocket.HttpClient
    client = cls(side, ws_mode=True)
    if secure:
        client.setup_ssl_context(hpsocket.SSL_VM_PEER, ca=crt)
    try:
        client.start(HOST, py.port, False)
        side.inbox.wait("the handshake", lambda items: any(i[0] == "handshake" for i in items))
        yield py, client, side
    finally:
        client.stop()
        py.stop()


def _upgrade(client, side) -> None:
    assert client.ws_mode is True
    client.send_ws_upgrade("/chat?room=1", headers={"X-Test": "yes"})
    items = side.inbox.wait("the upgrade", lambda items: any(i[0] == "upgrade" for i in items))
    assert [i[2] for i in items if i[0] == "upgrade"] == [hpsocket.HttpUpgradeType.WEB_SOCKET]
    assert client.http_message().status == 101


def _wait_messages(side, n: int) -> list[tuple[int, bytes]]:
    side.inbox.wait("%d messages" % n, lambda items: sum(i[0] == "message" for i in items) >= n)
    return side.inbox.messages()


def test_our_client_against_websockets_server(py_server_and_client):
    py, client, side = py_server_and_client
    _upgrade(client, side)
    text = "héllo wörld ✓"
    big = os.urandom(BIG)
    client.send_ws_message(text)
    client.send_ws_message(bytearray(b"\x00\x01\x02"))
    client.send_ws_message(big)
    client.send_ws_message("frag", fin=False)
    client.send_ws_message("ment", Op.CONTINUATION, fin=False)
    client.send_ws_message(b"ed", Op.CONTINUATION)
    client.send_ws_message(b"cli-ping", Op.PING)
    client.send_ws_message("ping me")
    got = _wait_messages(side, 7)
    # websockets answers pings from its reading thread, ahead of echoes still being sent.
    assert [m for m in got if m[0] in (Op.TEXT, Op.BINARY)] == [
        (Op.TEXT, text.encode()),
        (Op.BINARY, b"\x00\x01\x02"),
        (Op.BINARY, big),
        (Op.TEXT, b"fragmented"),
        (Op.TEXT, b"pong seen"),  # websockets saw the library's pong
    ]
    assert sorted(m for m in got if m[0] not in (Op.TEXT, Op.BINARY)) == [
        (Op.PING, b"py-ping"),
        (Op.PONG, b"cli-ping"),
    ]
    client.ws_close(4000, "bye")
    items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
    assert side.inbox.messages()[-1] == (Op.CLOSE, close_payload(4000, "bye"))  # the echo
    assert items[-1][2:] == (hpsocket.SocketOperation.CLOSE, 0)
    assert py.closes.wait("the server's record", lambda c: c) == [("/chat?room=1", "yes", 4000, "bye")]


def test_our_client_sees_websockets_server_close(py_server_and_client):
    py, client, side = py_server_and_client
    _upgrade(client, side)
    client.send_ws_message("close please")
    items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
    assert side.inbox.messages() == [(Op.CLOSE, close_payload(4002, "py says bye"))]
    assert items[-1][2:] == (hpsocket.SocketOperation.CLOSE, 0)
    # The library answers with the code alone.
    assert py.closes.wait("the server's record", lambda c: c) == [("/chat?room=1", "yes", 4002, "")]


def test_our_agent_against_websockets_server():
    py = PyServer()
    side = AgentSide()
    try:
        with hpsocket.HttpAgent(side, ws_mode=True) as agent:
            agent.start(None, False)
            ids = [agent.connect(HOST, py.port) for _ in range(2)]
            for conn_id in ids:
                agent.send_ws_upgrade(conn_id, "/agent", headers=[("X-Test", str(conn_id))])
            side.inbox.wait("two upgrades", lambda items: sum(i[0] == "upgrade" for i in items) == 2)
            for conn_id in ids:
                agent.send_ws_message(conn_id, "to %d" % conn_id)
            side.inbox.wait("two echoes", lambda items: sum(i[0] == "message" for i in items) == 2)
            with side.inbox.cond:
                echoes = {i[1]: i[3] for i in side.inbox.items if i[0] == "message"}
            assert echoes == {c: b"to %d" % c for c in ids}
            for conn_id in ids:
                agent.ws_close(conn_id, 1000, "done")
            side.inbox.wait("two closes", lambda items: sum(i[0] == "close" for i in items) == 2)
        closes = py.closes.wait("two records", lambda c: len(c) == 2)
        assert sorted(closes) == sorted(("/agent", str(c), 1000, "done") for c in ids)
    finally:
        py.stop()


# ----- settings and argument checks --------------------------------------------------------------


def test_settings_and_arguments():
    for cls in (hpsocket.HttpServer, hpsocket.HttpsServer, hpsocket.HttpAgent,
                hpsocket.HttpsAgent, hpsocket.HttpClient, hpsocket.HttpsClient):
        c = cls()
        assert c.ws_mode is False and c.ws_max_message == 16 << 20
        c = cls(ws_mode=True, ws_max_message=1000)
        assert c.ws_mode is True and c.ws_max_message == 1000
        c.ws_mode = False
        c.ws_max_message = 2**31 - 1
        assert c.ws_mode is False and c.ws_max_message == 2**31 - 1
        for bad in (0, 2**31, -1):
            with pytest.raises(hpsocket.HPSocketError) as e:
                c.ws_max_message = bad
            assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        with pytest.raises(TypeError):
            c.ws_mode = 1
        with pytest.raises(TypeError):
            c.ws_max_message = "1"
    assert [int(o) for o in Op] == [0, 1, 2, 8, 9, 10]
    # Not connected: the close and sends are refused; a bad code is refused before that.
    s = hpsocket.HttpServer(ws_mode=True)
    for code in (999, 1004, 1005, 1006, 1012, 2999, 5000, 70000, -1):
        with pytest.raises(hpsocket.HPSocketError) as e:
            s.ws_close(1, code)
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM, code
    with pytest.raises(TypeError):
        s.send_ws_message(1, 5)
    with pytest.raises(hpsocket.HPSocketError):
        s.send_ws_message(1, b"x", 16)


def test_a_bad_close_reason_is_refused_on_a_live_connection(our_server):
    server, url, ctx, side = our_server
    with ws_connect(url, ssl=ctx, open_timeout=TIMEOUT, close_timeout=TIMEOUT) as ws:
        ws.send("hi")
        assert ws.recv(TIMEOUT) == "hi"
        items = side.inbox.wait("the upgrade", lambda items: any(i[0] == "upgrade" for i in items))
        conn_id = next(i[1] for i in items if i[0] == "upgrade")
        with pytest.raises(hpsocket.HPSocketError) as e:
            server.ws_close(conn_id, 1000, "x" * 124)
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        server.ws_close(conn_id, 1000, "é" * 61 + "x")  # 123 bytes: the most
        with pytest.raises(ConnectionClosed) as e:
            ws.recv(TIMEOUT)
        assert e.value.rcvd.code == 1000 and e.value.rcvd.reason == "é" * 61 + "x"


# ----- protocol violations from raw sockets ------------------------------------------------------


def frame(opcode: int, payload: bytes, fin: bool = True, mask: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack("!H", n)
    else:
        head += bytes([m | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def read_head(sock: socket.socket) -> bytes:
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        c = sock.recv(1)
        assert c, "closed during the head: %r" % head
        head += c
    return head


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """One unmasked frame: ``(opcode, payload)``."""
    b0, b1 = recv_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(sock, 8))[0]
    assert not b1 & 0x80, "a server frame must not be masked"
    return b0 & 0x0F, recv_exact(sock, n)


def raw_upgrade(port: int) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=TIMEOUT)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET /raw HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = read_head(sock)
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    assert head.startswith(b"HTTP/1.1 101 ") and b"Sec-WebSocket-Accept: " + accept + b"\r\n" in head, head
    return sock


VIOLATIONS = {
    "unmasked client frame": ([frame(Op.TEXT, b"hi", mask=False)], 1002, errno.EPROTO),
    "text not UTF-8": ([frame(Op.TEXT, b"ok\xff\xfe")], 1007, errno.EILSEQ),
    "text not UTF-8 across fragments": (
        [frame(Op.TEXT, b"\xc3", fin=False), frame(Op.CONTINUATION, b"(")], 1007, errno.EILSEQ),
    "over ws_max_message": ([frame(Op.BINARY, bytes(1001))], 1009, errno.EMSGSIZE),
    "over ws_max_message in fragments": (
        [frame(Op.BINARY, bytes(600), fin=False), frame(Op.CONTINUATION, bytes(401))],
        1009, errno.EMSGSIZE),
    "unknown opcode": ([frame(0x3, b"")], 1002, errno.EPROTO),
    "continuation without a start": ([frame(Op.CONTINUATION, b"x")], 1002, errno.EPROTO),
}


@pytest.mark.parametrize("name", list(VIOLATIONS))
def test_a_protocol_violation_gets_its_close_code(name):
    frames, code, err = VIOLATIONS[name]
    side = ServerSide()
    with hpsocket.HttpServer(side, ws_mode=True, ws_max_message=1000) as server:
        server.start(HOST, 0)
        with raw_upgrade(server.listen_address()[1]) as sock:
            # A message of exactly ws_max_message passes.
            sock.sendall(frame(Op.BINARY, bytes(1000)))
            assert read_frame(sock) == (Op.BINARY, bytes(1000))
            sock.sendall(b"".join(frames))
            opcode, payload = read_frame(sock)
            assert opcode == Op.CLOSE and struct.unpack("!H", payload[:2])[0] == code, payload
            assert sock.recv(1) == b""  # then the connection closes
        items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
        assert items[-1][2:] == (hpsocket.SocketOperation.RECEIVE, err)
        assert [op for op, _ in side.inbox.messages()] == [Op.BINARY]


def test_a_bad_upgrade_request_gets_400():
    side = ServerSide()
    with hpsocket.HttpServer(side, ws_mode=True) as server:
        server.start(HOST, 0)
        with socket.create_connection((HOST, server.listen_address()[1]), timeout=TIMEOUT) as sock:
            sock.sendall(b"GET /raw HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
            head = read_head(sock)
            assert head.startswith(b"HTTP/1.1 400 ") and b"Sec-WebSocket-Version: 13" in head
            while sock.recv(4096):  # the server closes first
                pass
        items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
        assert items[-1][2:] == (hpsocket.SocketOperation.RECEIVE, errno.EPROTO)


def _raw_server(answer):
    """A one-connection raw server thread: reads the upgrade request, then ``answer(sock,
    key)``; returns ``(port, thread, result)`` where ``result`` gets what ``answer``
    returned."""
    lsock = socket.create_server((HOST, 0))
    result: list = []

    def run():
        with lsock:
            lsock.settimeout(TIMEOUT)
            sock, _ = lsock.accept()
            with sock:
                sock.settimeout(TIMEOUT)
                head = read_head(sock)
                key = next(line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
                           if line.lower().startswith(b"sec-websocket-key:"))
                result.append(answer(sock, key))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return lsock.getsockname()[1], t, result


def _accept(sock, key: bytes, accept: bytes | None = None) -> None:
    accept = accept or base64.b64encode(hashlib.sha1(key + GUID).digest())
    sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")


def test_our_client_fails_a_masked_server_frame_with_1002():
    def answer(sock, key):
        _accept(sock, key)
        sock.sendall(frame(Op.TEXT, b"masked"))
        b0, b1 = recv_exact(sock, 2)
        assert b1 & 0x80, "a client frame must be masked"
        mask = recv_exact(sock, 4)
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(recv_exact(sock, b1 & 0x7F)))
        return b0 & 0x0F, struct.unpack("!H", payload[:2])[0], sock.recv(1)

    port, t, result = _raw_server(answer)
    side = ClientSide()
    with hpsocket.HttpClient(side, ws_mode=True) as client:
        client.start(HOST, port, False)
        client.send_ws_upgrade("/")
        items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
        assert items[-1][2:] == (hpsocket.SocketOperation.RECEIVE, errno.EPROTO)
    t.join(TIMEOUT)
    assert result == [(Op.CLOSE, 1002, b"")]
    assert side.inbox.messages() == []


def test_our_client_fails_a_wrong_accept():
    port, t, result = _raw_server(lambda sock, key: _accept(sock, key, base64.b64encode(bytes(20))))
    side = ClientSide()
    with hpsocket.HttpClient(side, ws_mode=True) as client:
        client.start(HOST, port, False)
        client.send_ws_upgrade("/")
        items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
        assert items[-1][2:] == (hpsocket.SocketOperation.RECEIVE, errno.EPROTO)
        code, text = client.parse_error()
        assert "Sec-WebSocket-Accept" in text, (code, text)
    t.join(TIMEOUT)


def test_a_listener_error_closes_the_connection(unraisable):
    class Failing(ServerSide):
        def on_ws_message(self, sender, conn_id, opcode, data):
            if data == b"fail":
                raise RuntimeError("listener failed")
            super().on_ws_message(sender, conn_id, opcode, data)

    side = Failing()
    with hpsocket.HttpServer(side, ws_mode=True) as server:
        server.start(HOST, 0)
        url = "ws://%s:%d/" % (HOST, server.listen_address()[1])
        with ws_connect(url, open_timeout=TIMEOUT, close_timeout=TIMEOUT) as ws:
            ws.send("echo")
            assert ws.recv(TIMEOUT) == "echo"
            ws.send("fail")
            with pytest.raises(ConnectionClosed):
                ws.recv(TIMEOUT)
        items = side.inbox.wait("the close", lambda items: any(i[0] == "close" for i in items))
        assert items[-1][2] == hpsocket.SocketOperation.RECEIVE, items[-1]
    assert RuntimeError in unraisable.types()
