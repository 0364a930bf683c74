"""PACK frames against a raw socket peer that encodes and decodes the header itself:
4 bytes little-endian, ``(flag << 22) | length``, then the body."""

from __future__ import annotations

import errno
import os
import random
import socket
import struct
import threading

import pytest

import hpsocket
from conftest import HOST, digest, recv_exact, wait_until

FLAG = 0x155


def frame(body: bytes, flag: int = FLAG) -> bytes:
    return struct.pack("<I", (flag << 22) | len(body)) + body


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    (header,) = struct.unpack("<I", recv_exact(sock, 4))
    return header >> 22, recv_exact(sock, header & hpsocket.PACK_LENGTH_MASK)


class FrameEcho(hpsocket.TcpPackServerListener):
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.closed: list[tuple[int, int]] = []
        self.lock = threading.Lock()

    def on_receive(self, sender, conn_id, data):
        with self.lock:
            self.bodies.append(data)
        # reply with the body's checksum and the body itself: one frame each
        sender.send(conn_id, digest(data).encode())
        sender.send(conn_id, data)
        return hpsocket.HandleResult.OK

    def on_close(self, sender, conn_id, operation, error_code):
        self.closed.append((int(operation), error_code))


@pytest.fixture
def pack_server():
    listener = FrameEcho()
    server = hpsocket.TcpPackServer(listener, pack_header_flag=FLAG, max_pack_size=0x10000)
    assert isinstance(server, hpsocket.TcpServer)
    assert server.model == hpsocket.ReceiveModel.PACK
    server.start(HOST, 0)
    yield server, server.listen_address()[1], listener
    server.stop()


def test_pack_frames_against_raw_peer(pack_server):
    server, port, listener = pack_server
    rng = random.Random(3)
    bodies = [os.urandom(rng.randint(1, 0x10000)) for _ in range(50)]
    wire = b"".join(frame(b) for b in bodies)
    with socket.create_connection((HOST, port), timeout=20) as s:
        # split the stream at random points, headers included
        pos = 0
        while pos < len(wire):
            step = rng.randint(1, 7000)
            s.sendall(wire[pos : pos + step])
            pos += step
        for body in bodies:
            flag, checksum = read_frame(s)
            assert flag == FLAG
            assert checksum == digest(body).encode()
            flag, echoed = read_frame(s)
            assert (flag, echoed) == (FLAG, body)
    assert listener.bodies == bodies


def test_pack_bad_flag_closes_connection(pack_server):
    _, port, listener = pack_server
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(frame(b"ok"))
        assert read_frame(s)[1] == digest(b"ok").encode()
        assert read_frame(s)[1] == b"ok"
        s.sendall(frame(b"bad", flag=FLAG ^ 1))
        assert s.recv(10) == b""
    assert wait_until(lambda: listener.closed)
    assert listener.closed == [(hpsocket.SocketOperation.RECEIVE, errno.EBADMSG)]


def test_pack_oversize_frame_closes_connection(pack_server):
    _, port, listener = pack_server
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(struct.pack("<I", (FLAG << 22) | 0x10001))
        assert s.recv(10) == b""
    assert wait_until(lambda: listener.closed)
    assert listener.closed[0][0] == hpsocket.SocketOperation.RECEIVE


def test_pack_send_limits(pack_server):
    server, port, _ = pack_server
    with socket.create_connection((HOST, port), timeout=10):
        assert wait_until(lambda: server.connection_count == 1)
        (cid,) = server.all_connection_ids()
        with pytest.raises(hpsocket.HPSocketError) as e:
            server.send(cid, b"")
        assert e.value.errno == errno.EMSGSIZE
        with pytest.raises(hpsocket.HPSocketError):
            server.send(cid, b"x" * 0x10001)
        assert server.is_connected(cid)


class PackClientListener(hpsocket.TcpPackClientListener):
    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def on_receive(self, sender, conn_id, data):
        self.frames.append(data)


def test_pack_client_and_agent_roundtrip(pack_server):
    _, port, _ = pack_server
    listener = PackClientListener()
    with hpsocket.TcpPackClient(listener, pack_header_flag=FLAG, max_pack_size=0x10000) as client:
        assert client.pack_header_flag == FLAG
        client.start(HOST, port, async_connect=False)
        client.send_packets([b"one ", b"frame"])
        assert wait_until(lambda: len(listener.frames) == 2)
        assert listener.frames == [digest(b"one frame").encode(), b"one frame"]

    got: list[bytes] = []

    class AgentListener(hpsocket.TcpPackAgentListener):
        def on_receive(self, sender, conn_id, data):
            got.append(data)

    with hpsocket.TcpPackAgent(AgentListener(), pack_header_flag=FLAG) as agent:
        agent.start(async_connect=False)
        cid = agent.connect(HOST, port)
        agent.send(cid, b"agent")
        assert wait_until(lambda: len(got) == 2)
        assert got == [digest(b"agent").encode(), b"agent"]


def test_pack_settings():
    server = hpsocket.TcpPackServer()
    assert server.max_pack_size == 0x40000
    assert server.pack_header_flag == 0
    server.max_pack_size = 1000
    assert server.max_pack_size == 1000
    with pytest.raises(TypeError):
        hpsocket.TcpServer(max_pack_size=10)  # PUSH servers have no PACK settings
    assert not hasattr(hpsocket.TcpServer(), "max_pack_size")
    bad = hpsocket.TcpPackServer(pack_header_flag=0x400)
    with pytest.raises(hpsocket.HPSocketError) as e:
        bad.start(HOST, 0)
    assert e.value.code == hpsocket.SocketError.INVALID_PARAM
    assert "PackHeaderFlag" in str(e.value)
