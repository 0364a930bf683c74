"""UDP ARQ: UdpArqServer and UdpArqClient on loopback. After on_handshake on both sides,
messages of 1 B to max_message_size echo whole and in order; an oversize (or empty) send
raises and a send before the handshake raises; the ARQ settings have HP-Socket's defaults,
are keyword arguments and properties, and start refuses bad ones; a handshake nobody
answers times out; and stock ikcp (PyPI kcp 0.1.6) talks to our server and our client,
with HP-Socket's 12-byte handshake scripted as in tests/interop/arq_ikcp.py."""

from __future__ import annotations

import errno
import queue
import socket
import struct
import threading
import time

import pytest

import hpsocket
from conftest import HOST, wait_until

TIMEOUT = 20.0
ARQ_DEFAULTS = {
    "no_delay": False,
    "turnoff_congest_ctrl": False,
    "flush_interval": 60,
    "resend_by_acks": 0,
    "send_wnd_size": 128,
    "recv_wnd_size": 512,
    "min_rto": 30,
    "fast_limit": 5,
    "max_trans_unit": 0,
    "max_message_size": 4096,
    "handshake_timeout": 5000,
}
# Quick ticks for tests (HP-Socket's defaults are 60 ms and 30 ms).
FAST = {"no_delay": True, "flush_interval": 10, "resend_by_acks": 2, "turnoff_congest_ctrl": True}


def message(i: int, size: int) -> bytes:
    return bytes((i * 7 + j) & 0xFF for j in range(size))


class ArqEcho(hpsocket.UdpArqServerListener):
    """Echoes every message once the handshake completed; records the handshakes, the
    messages and the closes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.peers: dict[int, tuple[str, int]] = {}
        self.handshakes: list[int] = []
        self.received: list[bytes] = []
        self.closed: list[tuple[int, int, int]] = []

    def on_accept(self, sender, conn_id, peer):
        with self.lock:
            self.peers[conn_id] = peer

    def on_handshake(self, sender, conn_id):
        with self.lock:
            self.handshakes.append(conn_id)

    def on_receive(self, sender, conn_id, data):
        with self.lock:
            assert conn_id in self.handshakes
            self.received.append(data)
        try:
            sender.send(conn_id, data)
        except hpsocket.HPSocketError:
            return hpsocket.HandleResult.ERROR

    def on_close(self, sender, conn_id, operation, error_code):
        with self.lock:
            self.closed.append((conn_id, int(operation), error_code))


class Messages(hpsocket.UdpArqClientListener):
    """Queues every message a client receives; records its handshake and close."""

    def __init__(self) -> None:
        self.messages: queue.Queue[bytes] = queue.Queue()
        self.ready = threading.Event()
        self.closed: list[tuple[int, int]] = []
        self.close_event = threading.Event()

    def on_handshake(self, sender, conn_id):
        self.ready.set()

    def on_receive(self, sender, conn_id, data):
        assert self.ready.is_set()
        self.messages.put(data)

    def on_close(self, sender, conn_id, operation, error_code):
        self.closed.append((int(operation), error_code))
        self.close_event.set()

    def next(self) -> bytes:
        return self.messages.get(timeout=TIMEOUT)


@pytest.fixture
def arq_server():
    """A started ARQ echo server on a free loopback port; stopped afterwards."""
    listener = ArqEcho()
    server = hpsocket.UdpArqServer(listener, worker_thread_count=2, **FAST)
    server.start(HOST, 0)
    try:
        yield server, server.listen_address()[1], listener
    finally:
        if server.state != hpsocket.ServiceState.STOPPED:
            server.stop()


@pytest.fixture
def arq_pair(arq_server):
    """The echo server and a UdpArqClient whose handshake completed on both sides."""
    server, port, echo = arq_server
    listener = Messages()
    client = hpsocket.UdpArqClient(listener, **FAST)
    client.start(HOST, port)
    try:
        assert listener.ready.wait(TIMEOUT), "no on_handshake on the client"
        assert wait_until(lambda: len(echo.handshakes) == 1, TIMEOUT), "none on the server"
        yield server, client, echo, listener
    finally:
        if client.state != hpsocket.ServiceState.STOPPED:
            client.stop()


def test_messages_up_to_max_message_size_echo_whole_and_in_order(arq_pair):
    server, client, echo, listener = arq_pair
    sizes = [1, 2, 3, 23, 24, 25, 100, 1000, 1407, 1408, 1409, 1432, 1433, 2048, 2815, 2816,
             2817, 4000, 4095, 4096]
    sizes += [1 + (i * 131) % 4096 for i in range(60)]
    messages = [message(i, size) for i, size in enumerate(sizes)]
    for m in messages:
        client.send(m)
    got = [listener.next() for _ in messages]
    assert [len(g) for g in got] == [len(m) for m in messages]
    assert got == messages
    assert echo.received == messages
    (conn_id,) = echo.handshakes
    assert echo.peers[conn_id] == client.local_address() == server.remote_address(conn_id)
    assert listener.messages.empty()
    # Everything was acknowledged: nothing waits on either side.
    assert wait_until(lambda: client.waiting_send_message_count() == 0, TIMEOUT)
    assert wait_until(lambda: server.waiting_send_message_count(conn_id) == 0, TIMEOUT)
    # send_packets is one message.
    client.send_packets([b"one ", bytearray(b"message"), memoryview(b"!")])
    assert listener.next() == b"one message!"


def test_max_message_size_setting_bounds_messages(arq_server):
    _, port, echo = arq_server
    listener = Messages()
    with hpsocket.UdpArqClient(listener, max_message_size=100, **FAST) as client:
        client.start(HOST, port)
        assert listener.ready.wait(TIMEOUT)
        for size in range(1, 101):
            client.send(message(size, size))
        for size in range(1, 101):
            assert listener.next() == message(size, size)
        with pytest.raises(hpsocket.HPSocketError) as e:
            client.send(b"x" * 101)
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        assert e.value.errno == errno.EMSGSIZE


def test_oversize_and_empty_messages_are_refused_and_nothing_is_sent(arq_pair):
    server, client, echo, listener = arq_pair
    (conn_id,) = echo.handshakes
    for bad in (b"x" * 4097, b"", b"y" * 70000):
        with pytest.raises(hpsocket.HPSocketError) as e:
            client.send(bad)
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        assert e.value.errno == errno.EMSGSIZE
        with pytest.raises(hpsocket.HPSocketError) as e:
            server.send(conn_id, bad)
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        assert e.value.errno == errno.EMSGSIZE
    with pytest.raises(hpsocket.HPSocketError) as e:
        client.send_packets([b"a" * 4000, b"b" * 97])
    assert e.value.errno == errno.EMSGSIZE
    assert client.waiting_send_message_count() == 0
    # The connection is still good.
    client.send(b"after")
    assert listener.next() == b"after"
    assert echo.received == [b"after"]
    assert client.is_connected


def test_send_before_the_handshake_is_refused():
    # A UDP socket that never answers: the handshake never completes, then times out.
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind((HOST, 0))
    try:
        listener = Messages()
        client = hpsocket.UdpArqClient(listener, handshake_timeout=300, min_rto=30)
        # Synchronous: connected, handshake pending. (Right after an asynchronous start the
        # connection is still connecting, and send raises INVALID_PARAM, errno ENOTCONN.)
        client.start(HOST, silent.getsockname()[1], async_connect=False)
        try:
            with pytest.raises(hpsocket.HPSocketError) as e:
                client.send(b"too early")
            assert e.value.code == hpsocket.SocketError.ILLEGAL_STATE
            assert e.value.errno == errno.ENOTCONN
            # Our handshake arrived: 12 bytes, magic 0xBB4F, command 1, a non-zero id.
            silent.settimeout(TIMEOUT)
            data = silent.recv(2048)
            while len(data) != 12:
                data = silent.recv(2048)
            magic, cmd, flag, own_id, peer_id = struct.unpack("<HBBII", data)
            assert (magic, cmd, peer_id) == (0xBB4F, 1, 0) and own_id != 0
            assert listener.close_event.wait(TIMEOUT)
            assert listener.closed == [(int(hpsocket.SocketOperation.CLOSE), errno.ETIMEDOUT)]
            assert not listener.ready.is_set()
        finally:
            if client.state != hpsocket.ServiceState.STOPPED:
                client.stop()
    finally:
        silent.close()


def test_server_send_before_the_handshake_is_refused(arq_server):
    server, port, echo = arq_server
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((HOST, port))
        sock.settimeout(TIMEOUT)
        sock.send(handshake(0x1234, 0))  # ours, the server's id not known yet
        assert wait_until(lambda: len(echo.peers) == 1, TIMEOUT)
        (conn_id,) = echo.peers
        # The server's handshake (naming us once it has read ours).
        data = sock.recv(2048)
        assert len(data) == 12
        magic, cmd, _flag, server_id, peer_id = struct.unpack("<HBBII", data)
        assert (magic, cmd) == (MAGIC, CMD_HANDSHAKE) and peer_id in (0, 0x1234)
        assert server_id != 0
        assert echo.handshakes == []
        with pytest.raises(hpsocket.HPSocketError) as e:
            server.send(conn_id, b"too early")
        assert e.value.code == hpsocket.SocketError.ILLEGAL_STATE
        assert e.value.errno == errno.ENOTCONN
        # Ours naming the server's id completes it.
        sock.send(handshake(0x1234, server_id, FLAG_COMPLETE))
        assert wait_until(lambda: echo.handshakes == [conn_id], TIMEOUT)
    finally:
        sock.close()


@pytest.mark.parametrize("cls", [hpsocket.UdpArqServer, hpsocket.UdpArqClient])
def test_arq_settings_defaults_kwargs_and_properties(cls):
    c = cls()
    for name, value in ARQ_DEFAULTS.items():
        got = getattr(c, name)
        assert got == value and type(got) is type(value), name
    assert c.max_datagram_size == 1432
    assert c.model == hpsocket.ReceiveModel.ARQ
    assert "model=ARQ" in repr(c)
    c.no_delay = True
    c.flush_interval = 20
    c.max_message_size = 1000
    assert (c.no_delay, c.flush_interval, c.max_message_size) == (True, 20, 1000)
    c2 = cls(no_delay=True, send_wnd_size=64, recv_wnd_size=256, min_rto=10, fast_limit=0,
             max_trans_unit=1200, resend_by_acks=2, turnoff_congest_ctrl=True,
             handshake_timeout=1000, max_datagram_size=1500)
    assert (c2.send_wnd_size, c2.recv_wnd_size, c2.min_rto, c2.fast_limit) == (64, 256, 10, 0)
    assert (c2.max_trans_unit, c2.resend_by_acks, c2.turnoff_congest_ctrl) == (1200, 2, True)
    assert (c2.handshake_timeout, c2.max_datagram_size) == (1000, 1500)
    with pytest.raises(TypeError):
        cls(no_delay=1)
    with pytest.raises(TypeError):
        c.flush_interval = "10"
    with pytest.raises(TypeError, match="unexpected keyword argument 'keep_alive_time'"):
        cls(keep_alive_time=1000)
    with pytest.raises(AttributeError):
        c.keep_alive_time  # noqa: B018  (a TCP setting)
    with pytest.raises(hpsocket.HPSocketError) as e:
        c.min_rto = -1
    assert e.value.code == hpsocket.SocketError.INVALID_PARAM
    # The plain UDP classes have no ARQ settings.
    with pytest.raises(TypeError):
        hpsocket.UdpServer(max_message_size=10)
    assert not hasattr(hpsocket.UdpClient(), "min_rto")


@pytest.mark.parametrize(
    "bad",
    [
        {"handshake_timeout": 60, "min_rto": 30},  # not above 2 * min_rto
        {"handshake_timeout": 59},
        {"flush_interval": 0},
        {"send_wnd_size": 0},
        {"recv_wnd_size": 0},
        {"min_rto": 0},
        {"max_trans_unit": 71},
        {"max_trans_unit": 65537},
        {"max_message_size": 0},
        {"max_trans_unit": 100, "max_message_size": 127 * 76},  # not below 127 * (MTU - 24)
    ],
)
@pytest.mark.parametrize("cls", [hpsocket.UdpArqServer, hpsocket.UdpArqClient])
def test_start_refuses_bad_arq_settings(cls, bad):
    c = cls(**bad)
    with pytest.raises(hpsocket.HPSocketError) as e:
        c.start(HOST, 0 if cls is hpsocket.UdpArqServer else 9)
    assert e.value.code == hpsocket.SocketError.INVALID_PARAM
    assert c.state == hpsocket.ServiceState.STOPPED


def test_handshake_timeout_just_above_2_min_rto_is_accepted_and_settings_are_frozen_while_started():
    with hpsocket.UdpArqServer(handshake_timeout=61, min_rto=30, max_trans_unit=100,
                               max_message_size=127 * 76 - 1) as server:
        server.start(HOST, 0)
        with pytest.raises(hpsocket.HPSocketError) as e:
            server.max_message_size = 10
        assert e.value.code == hpsocket.SocketError.ILLEGAL_STATE
        assert server.max_message_size == 127 * 76 - 1
        server.stop()
        server.max_message_size = 10
        assert server.max_message_size == 10


def test_waiting_send_message_count_of_a_bad_connection_raises(arq_server):
    server, _, _ = arq_server
    with pytest.raises(hpsocket.HPSocketError):
        server.waiting_send_message_count(12345)


def test_client_stop_closes_the_server_connection(arq_pair):
    server, client, echo, listener = arq_pair
    (conn_id,) = echo.handshakes
    client.stop()
    assert wait_until(lambda: len(echo.closed) == 1, TIMEOUT)
    assert echo.closed[0][0] == conn_id
    # OnClose runs before the connection's slot is released: the count follows it.
    assert wait_until(lambda: server.connection_count == 0, TIMEOUT)


# -- stock ikcp (PyPI kcp 0.1.6) -------------------------------------------------------------

MAGIC, CMD_HANDSHAKE, FLAG_COMPLETE = 0xBB4F, 1, 1


def handshake(self_id: int, peer_id: int, flag: int = 0) -> bytes:
    return struct.pack("<HBBII", MAGIC, CMD_HANDSHAKE, flag, self_id, peer_id)


def signed32(conv: int) -> int:
    """PyPI kcp takes the conversation id as a C int; ikcp keeps it as a uint32."""
    return conv - (1 << 32) if conv >= 1 << 31 else conv


def ikcp(conv: int, sock: socket.socket):
    kcp = pytest.importorskip("kcp")
    k = kcp.KCP(signed32(conv), max_transmission=1400, no_delay=True, update_interval=10,
                resend_count=2, no_congestion_control=True, send_window_size=128,
                receive_window_size=128)
    k.include_outbound_handler(lambda _k, data: sock.send(bytes(data)))
    return k


def ikcp_exchange(k, sock, messages, peer_id, my_id, echo=False):
    """Runs ikcp over `sock` until len(messages) messages arrived (or, with `echo`, echoes
    them back as they come); answers the peer's repeated handshakes."""
    got = []
    deadline = time.monotonic() + TIMEOUT
    while len(got) < len(messages):
        assert time.monotonic() < deadline, "only %d of %d messages" % (len(got), len(messages))
        k.update()
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if len(data) == 12:
            sock.send(handshake(my_id, peer_id, FLAG_COMPLETE))
            continue
        if len(data) < 24:  # a heartbeat: not for ikcp
            continue
        k.receive(data)
        while True:
            try:
                packet = k.get_received()
            except Exception:
                break
            if not packet:
                break
            got.append(bytes(packet))
            if echo:
                k.enqueue(bytes(packet))
    # Let the last acks and echoes go out.
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        k.update()
        try:
            data = sock.recv(65536)
            if len(data) == 12:
                sock.send(handshake(my_id, peer_id, FLAG_COMPLETE))
            elif len(data) >= 24:
                k.receive(data)
        except socket.timeout:
            pass
    return got


def test_stock_ikcp_client_against_our_server(arq_server):
    server, port, echo = arq_server
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((HOST, port))
        sock.settimeout(0.02)
        my_id = 0x5EED1234
        server_id = 0
        deadline = time.monotonic() + TIMEOUT
        while server_id == 0:
            assert time.monotonic() < deadline, "no handshake from the server"
            sock.send(handshake(my_id, 0))
            try:
                data = sock.recv(2048)
            except socket.timeout:
                continue
            if len(data) == 12:
                magic, cmd, _flag, their_id, _their_peer = struct.unpack("<HBBII", data)
                assert (magic, cmd) == (MAGIC, CMD_HANDSHAKE)
                server_id = their_id
        sock.send(handshake(my_id, server_id, FLAG_COMPLETE))
        # Stock ikcp checks the conversation id of what it receives: the server's.
        k = ikcp(server_id, sock)
        messages = [message(i, 1 + (i * 131) % 4000) for i in range(100)]
        for m in messages:
            k.enqueue(m)
        got = ikcp_exchange(k, sock, messages, server_id, my_id)
        assert got == messages
        assert wait_until(lambda: len(echo.handshakes) == 1, TIMEOUT)
        assert echo.received == messages
    finally:
        sock.close()


def test_our_client_against_a_stock_ikcp_server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, 0))
    sock.settimeout(TIMEOUT)
    listener = Messages()
    client = hpsocket.UdpArqClient(listener, **FAST)
    try:
        client.start(HOST, sock.getsockname()[1])
        # The client's handshake: its id, no peer id yet.
        data, peer = sock.recvfrom(2048)
        while len(data) != 12:
            data, peer = sock.recvfrom(2048)
        magic, cmd, _flag, client_id, peer_id = struct.unpack("<HBBII", data)
        assert (magic, cmd, peer_id) == (MAGIC, CMD_HANDSHAKE, 0)
        sock.connect(peer)
        my_id = 0x0BADCAFE
        sock.settimeout(0.02)
        sock.send(handshake(my_id, client_id, FLAG_COMPLETE))
        deadline = time.monotonic() + TIMEOUT
        while not listener.ready.is_set():
            assert time.monotonic() < deadline, "no on_handshake"
            try:
                if len(sock.recv(2048)) == 12:
                    sock.send(handshake(my_id, client_id, FLAG_COMPLETE))
            except socket.timeout:
                pass
        k = ikcp(client_id, sock)
        messages = [message(i, 1 + (i * 257) % 4096) for i in range(60)]
        done = threading.Event()

        def send_all():
            for m in messages:
                client.send(m)
            done.set()

        sender = threading.Thread(target=send_all)
        sender.start()
        got = ikcp_exchange(k, sock, messages, client_id, my_id, echo=True)
        sender.join(TIMEOUT)
        assert done.is_set()
        assert got == messages
        echoed = [listener.next() for _ in messages]
        assert echoed == messages
    finally:
        if client.state != hpsocket.ServiceState.STOPPED:
            client.stop()
        sock.close()


def test_waiting_send_message_count_counts_unacknowledged_segments(arq_server):
    """A peer that completes the handshake and never acknowledges: what the server sent stays
    in flight, counted in KCP segments (ikcp_waitsnd, as HP-Socket counts)."""
    server, port, echo = arq_server
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((HOST, port))
        sock.settimeout(TIMEOUT)
        sock.send(handshake(0x4321, 0))
        server_id = 0
        while server_id == 0:
            data = sock.recv(2048)
            if len(data) == 12:
                server_id = struct.unpack("<HBBII", data)[3]
        sock.send(handshake(0x4321, server_id, FLAG_COMPLETE))
        assert wait_until(lambda: len(echo.handshakes) == 1, TIMEOUT)
        (conn_id,) = echo.handshakes
        assert server.waiting_send_message_count(conn_id) == 0
        server.send(conn_id, b"s" * 100)  # one segment
        server.send(conn_id, b"m" * 4000)  # 3 segments of at most 1432 - 24 bytes
        assert server.waiting_send_message_count(conn_id) == 4
        # The segments went out (and are resent: nobody acknowledges).
        got = 0
        while got < 4:
            if len(sock.recv(65536)) >= 24:
                got += 1
        assert server.waiting_send_message_count(conn_id) == 4
    finally:
        sock.close()


class LossyRelay:
    """A UDP relay between one client and the server that drops every `nth` datagram each
    way (handshakes included)."""

    def __init__(self, server_port: int, nth: int = 7) -> None:
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind((HOST, 0))
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.connect((HOST, server_port))
        self.port = self.front.getsockname()[1]
        self.nth = nth
        self.dropped = 0
        self.stop = threading.Event()
        self.client = None
        self.threads = [threading.Thread(target=self._up, daemon=True),
                        threading.Thread(target=self._down, daemon=True)]
        for s in (self.front, self.back):
            s.settimeout(0.05)
        for t in self.threads:
            t.start()

    def _pass(self, n: int) -> bool:
        if n % self.nth == 0:
            self.dropped += 1
            return False
        return True

    def _up(self) -> None:
        n = 0
        while not self.stop.is_set():
            try:
                data, self.client = self.front.recvfrom(65536)
            except (socket.timeout, OSError):
                continue
            n += 1
            if self._pass(n):
                self.back.send(data)

    def _down(self) -> None:
        n = 0
        while not self.stop.is_set():
            try:
                data = self.back.recv(65536)
            except (socket.timeout, OSError):
                continue
            n += 1
            if self.client is not None and self._pass(n):
                self.front.sendto(data, self.client)

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(5)
        self.front.close()
        self.back.close()


def test_messages_echo_whole_and_in_order_through_a_lossy_relay(arq_server):
    server, port, echo = arq_server
    relay = LossyRelay(port)
    listener = Messages()
    client = hpsocket.UdpArqClient(listener, **FAST)
    try:
        client.start(HOST, relay.port)
        assert listener.ready.wait(TIMEOUT)
        messages = [message(i, 1 + (i * 389) % 4096) for i in range(80)]
        for m in messages:
            client.send(m)
        got = [listener.next() for _ in messages]
        assert got == messages
        assert relay.dropped > 0
    finally:
        if client.state != hpsocket.ServiceState.STOPPED:
            client.stop()
        relay.close()


def test_components_can_be_subclassed():
    class MyServer(hpsocket.UdpArqServer):
        pass

    class MyClient(hpsocket.UdpArqClient):
        pass

    s = MyServer(hpsocket.UdpArqServerListener(), max_message_size=100)
    c = MyClient(min_rto=10)
    assert s.max_message_size == 100 and c.min_rto == 10
    assert isinstance(s.listener, hpsocket.UdpServerListener)
    assert "MyServer" in repr(s)


def test_server_handshake_timeout_closes_the_connection():
    listener = ArqEcho()
    with hpsocket.UdpArqServer(listener, handshake_timeout=300, **FAST) as server:
        server.start(HOST, 0)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.connect((HOST, server.listen_address()[1]))
            sock.send(handshake(0x77, 0))  # and never completes it
            assert wait_until(lambda: len(listener.closed) == 1, TIMEOUT)
            (conn_id,) = listener.peers
            assert listener.closed == [(conn_id, int(hpsocket.SocketOperation.CLOSE), errno.ETIMEDOUT)]
            assert listener.handshakes == []
            assert wait_until(lambda: server.connection_count == 0, TIMEOUT)
        finally:
            sock.close()
