"""UDP: UdpServer and UdpClient on loopback. Datagrams echo whole (1 and max_datagram_size
bytes), an oversize send raises and sends nothing, send_packets is one datagram, a client's
stop closes its server connection, on_accept gets the peer's (host, port), and the UDP
settings have HP-Socket's defaults."""

from __future__ import annotations

import errno
import queue
import socket
import threading

import pytest

import hpsocket
from conftest import HOST, wait_until

TIMEOUT = 10.0


class UdpEcho(hpsocket.UdpServerListener):
    """Echoes every datagram; records accepts (with the peer), datagrams and closes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.peers: dict[int, tuple[str, int]] = {}
        self.received: list[bytes] = []
        self.closed: list[tuple[int, int, int]] = []
        self.shutdown = threading.Event()

    def on_accept(self, sender, conn_id, peer):
        with self.lock:
            self.peers[conn_id] = peer

    def on_receive(self, sender, conn_id, data):
        with self.lock:
            self.received.append(data)
        try:
            sender.send(conn_id, data)
        except hpsocket.HPSocketError:
            return hpsocket.HandleResult.ERROR

    def on_close(self, sender, conn_id, operation, error_code):
        with self.lock:
            self.closed.append((conn_id, int(operation), error_code))

    def on_shutdown(self, sender):
        self.shutdown.set()


class Datagrams(hpsocket.UdpClientListener):
    """Queues every datagram a client receives and its close."""

    def __init__(self) -> None:
        self.datagrams: queue.Queue[bytes] = queue.Queue()
        self.ready = threading.Event()
        self.closed: list[tuple[int, int]] = []

    def on_handshake(self, sender, conn_id):
        self.ready.set()

    def on_receive(self, sender, conn_id, data):
        self.datagrams.put(data)

    def on_close(self, sender, conn_id, operation, error_code):
        self.closed.append((int(operation), error_code))

    def next(self) -> bytes:
        return self.datagrams.get(timeout=TIMEOUT)


@pytest.fixture
def udp_echo():
    """A started UDP echo server on a free loopback port; stopped afterwards."""
    listener = UdpEcho()
    server = hpsocket.UdpServer(listener, worker_thread_count=2)
    server.start(HOST, 0)
    try:
        yield server, server.listen_address()[1], listener
    finally:
        if server.state != hpsocket.ServiceState.STOPPED:
            server.stop()


@pytest.fixture
def udp_pair(udp_echo):
    """The echo server and a connected UdpClient (its first heartbeat made the server's
    connection)."""
    server, port, echo = udp_echo
    listener = Datagrams()
    client = hpsocket.UdpClient(listener)
    client.start(HOST, port)
    try:
        assert listener.ready.wait(TIMEOUT)
        assert wait_until(lambda: len(echo.peers) == 1, TIMEOUT)
        yield server, client, echo, listener
    finally:
        if client.state != hpsocket.ServiceState.STOPPED:
            client.stop()


def test_datagrams_echo_whole_and_on_accept_gets_the_peer(udp_pair):
    server, client, echo, listener = udp_pair
    for size in (1, 1432):
        data = bytes((i * 7 + size) & 0xFF for i in range(size))
        client.send(data)
        assert listener.next() == data, size
    client.send(bytearray(b"bytes-like"))
    assert listener.next() == b"bytes-like"
    assert echo.received == [
        bytes((i * 7 + 1) & 0xFF for i in range(1)),
        bytes((i * 7 + 1432) & 0xFF for i in range(1432)),
        b"bytes-like",
    ]
    (conn_id, peer), = echo.peers.items()
    assert peer == client.local_address() == server.remote_address(conn_id)
    assert type(peer) is tuple and type(peer[0]) is str and type(peer[1]) is int
    assert server.all_connection_ids() == [conn_id]
    assert client.remote_address() == server.listen_address()


def test_a_raw_socket_peer_is_a_connection(udp_echo):
    server, port, echo = udp_echo
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.settimeout(TIMEOUT)
        peer.connect((HOST, port))
        for size in (1, 1432):
            data = b"r" * size
            peer.send(data)
            assert peer.recv(65536) == data
        assert list(echo.peers.values()) == [peer.getsockname()]


def test_oversize_send_raises_and_sends_nothing(udp_pair):
    server, client, echo, listener = udp_pair
    with pytest.raises(hpsocket.HPSocketError) as e:
        client.send(b"x" * 1433)
    assert e.value.errno == errno.EMSGSIZE
    with pytest.raises(hpsocket.HPSocketError) as e:
        client.send_packets([b"x" * 1000, b"y" * 433])
    assert e.value.errno == errno.EMSGSIZE
    (conn_id,) = server.all_connection_ids()
    with pytest.raises(hpsocket.HPSocketError) as e:
        server.send(conn_id, b"z" * 1433)
    assert e.value.errno == errno.EMSGSIZE
    # Nothing went out: the next datagram each way is the next one sent.
    client.send(b"after")
    assert listener.next() == b"after"
    assert echo.received == [b"after"]
    assert client.is_connected and server.is_connected(conn_id)


def test_max_datagram_size_bounds_sends(udp_echo):
    _, port, echo = udp_echo
    listener = Datagrams()
    with hpsocket.UdpClient(listener, max_datagram_size=100) as client:
        assert client.max_datagram_size == 100
        client.start(HOST, port)
        assert listener.ready.wait(TIMEOUT)
        client.send(b"m" * 100)
        assert listener.next() == b"m" * 100
        with pytest.raises(hpsocket.HPSocketError) as e:
            client.send(b"m" * 101)
        assert e.value.errno == errno.EMSGSIZE


def test_send_packets_is_one_datagram(udp_pair):
    server, client, echo, listener = udp_pair
    client.send_packets([b"ab", b"", bytearray(b"cde"), memoryview(b"f")])
    assert listener.next() == b"abcdef"
    assert echo.received == [b"abcdef"]
    (conn_id,) = server.all_connection_ids()
    server.send_packets(conn_id, [b"12", b"345"])
    assert listener.next() == b"12345"


def test_client_stop_closes_the_server_connection(udp_pair):
    server, client, echo, listener = udp_pair
    (conn_id,) = server.all_connection_ids()
    client.stop()
    assert client.state == hpsocket.ServiceState.STOPPED
    assert listener.closed == [(int(hpsocket.SocketOperation.CLOSE), 0)]
    assert wait_until(lambda: len(echo.closed) == 1, TIMEOUT)
    assert echo.closed == [(conn_id, int(hpsocket.SocketOperation.CLOSE), 0)]
    assert wait_until(lambda: server.connection_count == 0, TIMEOUT)


def test_server_disconnect_closes_the_client(udp_pair):
    server, client, echo, listener = udp_pair
    (conn_id,) = server.all_connection_ids()
    server.disconnect(conn_id)
    assert client.wait(TIMEOUT)
    assert listener.closed and listener.closed[0][0] == int(hpsocket.SocketOperation.CLOSE)
    assert wait_until(lambda: len(echo.closed) == 1, TIMEOUT)


def test_udp_settings_defaults():
    server = hpsocket.UdpServer()
    assert server.max_datagram_size == 1432
    assert server.post_receive_count == 64
    assert server.detect_attempts == 3
    assert server.detect_interval == 60000
    client = hpsocket.UdpClient()
    assert client.max_datagram_size == 1432
    assert client.detect_attempts == 3
    assert client.detect_interval == 60000
    # The settings every server or client has are there too, with their defaults.
    assert server.max_connection_count == 10000
    assert server.reuse_address_policy == hpsocket.ReuseAddressPolicy.ADDR_ONLY
    assert client.free_buffer_pool_size == 60
    assert server.model == client.model == hpsocket.ReceiveModel.PUSH
    assert not server.is_secure and not client.is_secure
    # TCP-only settings are not UDP ones, and post_receive_count is the server's.
    for name in ("socket_buffer_size", "keep_alive_time", "no_delay", "socket_listen_queue"):
        assert not hasattr(server, name), name
    for name in ("post_receive_count", "sync_connect_timeout", "keep_alive_interval"):
        assert not hasattr(client, name), name
    assert not hasattr(hpsocket.TcpServer(), "max_datagram_size")
    assert not isinstance(server, hpsocket.TcpServer)


def test_udp_settings_as_keywords_and_properties(udp_echo):
    server = hpsocket.UdpServer(
        max_datagram_size=2000, post_receive_count=8, detect_attempts=0, detect_interval=500
    )
    assert (server.max_datagram_size, server.post_receive_count) == (2000, 8)
    assert (server.detect_attempts, server.detect_interval) == (0, 500)
    client = hpsocket.UdpClient()
    client.detect_interval = 1000
    client.max_datagram_size = 65536
    assert (client.detect_interval, client.max_datagram_size) == (1000, 65536)
    with pytest.raises(TypeError):
        hpsocket.UdpClient(post_receive_count=8)
    with pytest.raises(TypeError):
        hpsocket.UdpServer(keep_alive_time=1000)
    # Checked by start, as in HP-Socket.
    bad = hpsocket.UdpServer(max_datagram_size=65537)
    with pytest.raises(hpsocket.HPSocketError) as e:
        bad.start(HOST, 0)
    assert e.value.code == hpsocket.SocketError.INVALID_PARAM
    # Only while stopped.
    running, _, _ = udp_echo
    with pytest.raises(hpsocket.HPSocketError) as e:
        running.max_datagram_size = 100
    assert e.value.code == hpsocket.SocketError.ILLEGAL_STATE


def test_stop_ends_with_on_shutdown_and_repr(udp_echo):
    server, _, echo = udp_echo
    assert repr(server).startswith("<hpsocket.UdpServer state=STARTED")
    server.stop()
    assert echo.shutdown.is_set()
    assert server.wait(0)
