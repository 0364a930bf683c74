"""PULL: the listener peeks a 4-byte big-endian length, then fetches whole messages."""

from __future__ import annotations

import os
import random
import socket
import struct
import threading

import pytest

import hpsocket
from conftest import HOST, digest, recv_exact, wait_until

FetchResult = hpsocket.FetchResult


class MessageServer(hpsocket.TcpPullServerListener):
    """Answers every length-prefixed message with its checksum (64 hex bytes)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages = 0
        self.too_long = 0
        self.reported: list[int] = []

    def on_receive(self, sender, conn_id, length):
        assert isinstance(length, int)
        self.reported.append(length)
        while True:
            result, header = sender.peek(conn_id, 4)
            if result != FetchResult.OK:
                assert result == FetchResult.LENGTH_TOO_LONG and header == b""
                self.too_long += 1
                return hpsocket.HandleResult.OK
            (n,) = struct.unpack("!I", header)
            result, message = sender.fetch(conn_id, 4 + n)
            if result == FetchResult.LENGTH_TOO_LONG:
                self.too_long += 1
                return None  # the rest comes with a later on_receive
            assert result == FetchResult.OK
            assert message[:4] == header
            sender.send(conn_id, digest(message[4:]).encode())
            with self.lock:
                self.messages += 1


@pytest.fixture
def pull_server():
    listener = MessageServer()
    server = hpsocket.TcpPullServer(listener, worker_thread_count=2)
    assert server.model == hpsocket.ReceiveModel.PULL
    server.start(HOST, 0)
    yield server, server.listen_address()[1], listener
    server.stop()


def test_pull_fetch_peek_loop(pull_server):
    server, port, listener = pull_server
    rng = random.Random(4)
    bodies = [os.urandom(rng.randint(0, 30000)) for _ in range(200)]
    wire = b"".join(struct.pack("!I", len(b)) + b for b in bodies)

    def reader(sock, out):
        for _ in bodies:
            out.append(recv_exact(sock, 64).decode())

    with socket.create_connection((HOST, port), timeout=20) as s:
        answers: list[str] = []
        t = threading.Thread(target=reader, args=(s, answers))
        t.start()
        pos = 0
        while pos < len(wire):  # arbitrary splits, inside headers too
            step = rng.randint(1, 5000)
            s.sendall(wire[pos : pos + step])
            pos += step
        t.join(20)
        assert answers == [digest(b) for b in bodies]
    assert listener.messages == len(bodies)
    assert listener.too_long > 0  # some messages arrived in pieces
    assert all(n > 0 for n in listener.reported)


def test_pull_fetch_results_outside_callbacks(pull_server):
    server, port, _ = pull_server
    with socket.create_connection((HOST, port), timeout=10) as s:
        assert wait_until(lambda: server.connection_count == 1)
        (cid,) = server.all_connection_ids()
        # an incomplete message stays buffered: peek/fetch say LENGTH_TOO_LONG
        s.sendall(struct.pack("!I", 10) + b"abc")
        assert wait_until(lambda: server.peek(cid, 7)[0] == FetchResult.OK)
        assert server.peek(cid, 7) == (FetchResult.OK, struct.pack("!I", 10) + b"abc")
        assert server.fetch(cid, 8) == (FetchResult.LENGTH_TOO_LONG, b"")
        assert server.fetch(cid, 0) == (FetchResult.OK, b"")
        s.sendall(b"defghij")
        assert recv_exact(s, 64) == digest(b"abcdefghij").encode()
    assert wait_until(lambda: server.connection_count == 0)
    assert server.fetch(cid, 1) == (FetchResult.DATA_NOT_FOUND, b"")
    assert server.peek(12345678, 1) == (FetchResult.DATA_NOT_FOUND, b"")
    with pytest.raises(TypeError):
        server.fetch(cid, "1")
    with pytest.raises(hpsocket.HPSocketError):
        server.fetch(cid, -1)


class PullClient(hpsocket.TcpPullClientListener):
    def __init__(self) -> None:
        self.answers: list[bytes] = []

    def on_receive(self, sender, conn_id, length):
        while True:
            result, answer = sender.fetch(64)
            if result != FetchResult.OK:
                return
            self.answers.append(answer)


def test_pull_client_and_agent(pull_server):
    _, port, _ = pull_server
    listener = PullClient()
    with hpsocket.TcpPullClient(listener) as client:
        client.start(HOST, port, async_connect=False)
        for body in (b"x", b"", b"y" * 5000):
            client.send(struct.pack("!I", len(body)) + body)
        assert wait_until(lambda: len(listener.answers) == 3)
        assert listener.answers == [digest(b).encode() for b in (b"x", b"", b"y" * 5000)]
        assert client.peek(1) == (FetchResult.LENGTH_TOO_LONG, b"")

    answers: list[bytes] = []

    class Agent(hpsocket.TcpPullAgentListener):
        def on_receive(self, sender, conn_id, length):
            result, answer = sender.fetch(conn_id, 64)
            if result == FetchResult.OK:
                answers.append(answer)

    with hpsocket.TcpPullAgent(Agent()) as agent:
        agent.start(async_connect=False)
        cid = agent.connect(HOST, port)
        agent.send(cid, struct.pack("!I", 3) + b"abc")
        assert wait_until(lambda: answers == [digest(b"abc").encode()])
