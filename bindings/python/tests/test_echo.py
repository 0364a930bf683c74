"""PUSH echo: 100 connections, every byte checked by checksum."""

from __future__ import annotations

import errno
import os
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import hpsocket
from conftest import HOST, digest, recv_exact, wait_until

CONNECTIONS = 100


def test_echo_100_raw_connections_with_checksums(echo_server):
    server, port, listener = echo_server
    rng = random.Random(1)
    payloads = [os.urandom(rng.randint(1, 64 * 1024)) for _ in range(CONNECTIONS)]

    def one(payload: bytes) -> str:
        with socket.create_connection((HOST, port), timeout=20) as s:
            received = []
            for i in range(0, len(payload), 8192):
                chunk = payload[i : i + 8192]
                s.sendall(chunk)
                received.append(recv_exact(s, len(chunk)))
            return digest(b"".join(received))

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        results = list(pool.map(one, payloads))
    assert results == [digest(p) for p in payloads]
    assert wait_until(lambda: len(listener.closed) == CONNECTIONS)
    assert listener.accepted == CONNECTIONS
    assert all(op == hpsocket.SocketOperation.CLOSE for _, op, _ in listener.closed)
    # OnClose runs before the connection's slot is released: the count follows it.
    assert wait_until(lambda: server.connection_count == 0)


class Collect(hpsocket.TcpClientListener):
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.connected = threading.Event()

    def on_handshake(self, sender, conn_id):
        self.connected.set()

    def on_receive(self, sender, conn_id, data):
        assert type(data) is bytes
        self.parts.append(data)
        self.size += len(data)


def test_echo_100_tcp_clients_with_checksums(echo_server):
    _, port, _ = echo_server
    clients = []
    sent = []
    for i in range(CONNECTIONS):
        listener = Collect()
        client = hpsocket.TcpClient(listener, socket_buffer_size=4096)
        client.start(HOST, port)  # asynchronous
        clients.append((client, listener))
    for client, listener in clients:
        assert listener.connected.wait(10)
        assert client.is_connected
    rng = random.Random(2)
    for client, _ in clients:
        messages = [os.urandom(rng.randint(1, 20000)) for _ in range(8)]
        for m in messages:
            client.send(m)
        # bytearray and memoryview are accepted too (copied once)
        client.send(bytearray(b"tail"))
        client.send(memoryview(b"+view"))
        sent.append(b"".join(messages) + b"tail+view")
    for (client, listener), data in zip(clients, sent):
        assert wait_until(lambda: listener.size >= len(data), 20)
        assert digest(b"".join(listener.parts)) == digest(data)
    for client, _ in clients:
        client.stop()
        assert client.state == hpsocket.ServiceState.STOPPED


def test_send_packets_and_small_file(echo_server, tmp_path):
    _, port, _ = echo_server
    path = tmp_path / "file.bin"
    body = os.urandom(100_000)
    path.write_bytes(body)
    listener = Collect()
    with hpsocket.TcpClient(listener) as client:
        client.start(HOST, port, async_connect=False)
        client.send_packets([b"a", b"bc", bytearray(b"def")])
        client.send_small_file(str(path), head=b"<", tail=b">")
        expected = b"abcdef<" + body + b">"
        assert wait_until(lambda: listener.size >= len(expected))
        assert b"".join(listener.parts) == expected


def test_connection_queries_and_extras(echo_server):
    server, port, _ = echo_server
    with socket.create_connection((HOST, port)) as s:
        assert wait_until(lambda: server.connection_count == 1)
        (cid,) = server.all_connection_ids()
        assert server.is_connected(cid)
        assert server.remote_address(cid) == s.getsockname()
        assert server.local_address(cid) == (HOST, port)
        assert server.connect_period(cid) >= 0
        assert server.silence_period(cid) >= 0
        assert server.pending_data_length(cid) == 0
        assert server.is_pause_receive(cid) is False
        server.pause_receive(cid)
        assert server.is_pause_receive(cid) is True
        server.pause_receive(cid, False)
        state = {"n": 1}
        server.set_connection_extra(cid, state)
        assert server.get_connection_extra(cid) is state
        server.set_connection_extra(cid, None)
        assert server.get_connection_extra(cid) is None
        server.set_connection_extra(cid, state)
        server.disconnect(cid)
        assert s.recv(10) == b""
    assert wait_until(lambda: server.connection_count == 0)


def test_bounded_send_queue_and_drained_event():
    drained = []

    class Watch(hpsocket.TcpServerListener):
        def on_send_drained(self, sender, conn_id, pending):
            drained.append((conn_id, pending))

    server = hpsocket.TcpServer(
        Watch(), max_send_queue_bytes=256 * 1024, send_queue_low_watermark=1024
    )
    with server:
        server.start(HOST, 0)
        # A small receive window keeps the server's socket buffers small too, so refused
        # sends find the socket full and their bytes stay queued.
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(10)
            s.connect(server.listen_address())
            assert wait_until(lambda: server.connection_count == 1)
            (cid,) = server.all_connection_ids()
            chunk = b"z" * 16384
            sent = 0
            for _ in range(10_000):  # the peer does not read: the queue fills up
                try:
                    server.send(cid, chunk)
                    sent += len(chunk)
                except hpsocket.HPSocketError as e:
                    assert e.errno == errno.ENOBUFS
                    # Refused with bytes queued; the worker may still move them into socket
                    # buffers that were not full yet: fill until they stay queued.
                    if server.pending_data_length(cid) > 0:
                        break
            else:
                raise AssertionError("the send queue never filled")
            assert server.is_connected(cid)
            assert server.pending_data_length(cid) > 0
            assert recv_exact(s, sent) == b"z" * sent
            assert wait_until(lambda: drained)
            assert drained[0][0] == cid and drained[0][1] <= 1024


def test_disconnect_silence_and_long_connections(echo_server):
    server, port, listener = echo_server
    with socket.create_connection((HOST, port)) as a, socket.create_connection((HOST, port)) as b:
        assert wait_until(lambda: server.connection_count == 2)
        server.disconnect_silence_connections(60_000)  # nobody silent that long
        server.disconnect_long_connections(60_000)
        assert server.connection_count == 2
        time.sleep(0.05)
        server.disconnect_silence_connections(10)
        assert a.recv(1) == b"" and b.recv(1) == b""
    assert wait_until(lambda: server.connection_count == 0)
