"""ARQ partial reliability and the UDP socket buffer sizes (extensions), on loopback.

Partial reliability is negotiated in the handshake: with ``partial_reliability`` on both
sides ``send_ex`` with a deadline returns message ids 1, 2, ...; with one side off a limit
raises ``HPSocketError(ILLEGAL_STATE)``, ``errno`` EOPNOTSUPP, and no limit sends. A relay
(as tests/c/test_udp_arq_partial.c builds it) drops a fixed pseudo-random 30% of the KCP
datagrams each way and blacks out the sender's while a message with a 200 ms deadline is in
flight (or until it was retransmitted twice): ``on_message_dropped`` reports that message once with its id and size, and the
receiver gets every other message whole and in order. ``socket_recv_buffer_size`` and
``socket_send_buffer_size`` read back, reach every UDP socket (``getsockopt`` in
``on_prepare_listen``/``on_prepare_connect``) and are checked by ``start``."""

from __future__ import annotations

import errno
import os
import queue
import select
import socket
import threading

import pytest

import hpsocket
from conftest import HOST, wait_until

TIMEOUT = 30.0
# Congestion control off: with it, a blackout shrinks the window to one segment, message 1
# would wait unsent behind message 0 and never reach a retransmit limit (only its deadline).
FAST = {"no_delay": True, "flush_interval": 10, "resend_by_acks": 2, "turnoff_congest_ctrl": True}
MESSAGES = 40
BIG = 3000


def message(i: int) -> bytes:
    size = BIG if i == 1 else 1 + (i * 397) % BIG
    return bytes((i * 31 + j) & 0xFF for j in range(size))


class Relay:
    """One UDP socket between one peer and the server. Datagrams of 24 bytes or more (KCP
    segments; the 12-byte handshake and the heartbeats pass) are dropped with a fixed
    pseudo-random 30% chance, and all of one side's while its blackout is on."""

    def __init__(self, server_port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        self.server = (HOST, server_port)
        self.peer = None
        self.seed = 12345
        self.dark_from_server = False
        self.dark_from_peer = False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _lossy(self) -> bool:
        self.seed = (self.seed * 1103515245 + 12345) & 0xFFFFFFFF
        return (self.seed >> 16) % 100 < 30

    def _run(self) -> None:
        while not self.stop.is_set():
            if not select.select([self.sock], [], [], 0.02)[0]:
                continue
            try:
                data, addr = self.sock.recvfrom(65536)
            except OSError:
                continue
            from_server = addr == self.server
            if not from_server:
                self.peer = addr
            dark = self.dark_from_server if from_server else self.dark_from_peer
            if len(data) >= 24 and (dark or self._lossy()):
                continue
            to = self.peer if from_server else self.server
            if to is not None:
                self.sock.sendto(data, to)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


class Recorder:
    """Every role's events: handshakes, messages in a queue, drops."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.handshakes: list[int] = []
        self.messages: queue.Queue[bytes] = queue.Queue()
        self.dropped: list[tuple[int, int, int]] = []

    def on_handshake(self, sender, conn_id):
        with self.lock:
            self.handshakes.append(conn_id)

    def on_receive(self, sender, conn_id, data):
        self.messages.put(data)

    def on_message_dropped(self, sender, conn_id, message_id, size):
        with self.lock:
            self.dropped.append((conn_id, message_id, size))


class ServerRecorder(Recorder, hpsocket.UdpArqServerListener):
    pass


class ClientRecorder(Recorder, hpsocket.UdpArqClientListener):
    pass


class AgentRecorder(Recorder, hpsocket.UdpArqAgentListener):
    pass


class Peer:
    """A started client or agent (one session) towards `port`, and how it sends."""

    def __init__(self, kind: str, port: int, partial: bool) -> None:
        self.kind = kind
        if kind == "agent":
            self.rec = AgentRecorder()
            self.comp = hpsocket.UdpArqAgent(self.rec, partial_reliability=partial, **FAST)
            self.comp.start()
            self.conn = self.comp.connect(HOST, port)
        else:
            self.rec = ClientRecorder()
            self.comp = hpsocket.UdpArqClient(self.rec, partial_reliability=partial, **FAST)
            self.comp.start(HOST, port)
            self.conn = None
        assert wait_until(lambda: len(self.rec.handshakes) == 1, TIMEOUT)

    def send_ex(self, data, deadline_ms=0, max_retransmits=None):
        if self.kind == "agent":
            return self.comp.send_ex(self.conn, data, deadline_ms, max_retransmits)
        return self.comp.send_ex(data, deadline_ms, max_retransmits)

    def send(self, data):
        if self.kind == "agent":
            return self.comp.send(self.conn, data)
        return self.comp.send(data)

    def waiting(self):
        if self.kind == "agent":
            return self.comp.waiting_send_message_count(self.conn)
        return self.comp.waiting_send_message_count()

    def stop(self):
        if self.comp.state != hpsocket.ServiceState.STOPPED:
            self.comp.stop()


class ServerSide:
    """The server's connection seen as a sender."""

    def __init__(self, server, conn):
        self.comp, self.conn = server, conn

    def send_ex(self, data, deadline_ms=0, max_retransmits=None):
        return self.comp.send_ex(self.conn, data, deadline_ms, max_retransmits)

    def send(self, data):
        return self.comp.send(self.conn, data)

    def waiting(self):
        return self.comp.waiting_send_message_count(self.conn)


@pytest.fixture
def server():
    rec = ServerRecorder()
    srv = hpsocket.UdpArqServer(rec, worker_thread_count=2, partial_reliability=True, **FAST)
    srv.start(HOST, 0)
    try:
        yield srv, srv.listen_address()[1], rec
    finally:
        if srv.state != hpsocket.ServiceState.STOPPED:
            srv.stop()


@pytest.mark.parametrize("cls", [hpsocket.UdpArqServer, hpsocket.UdpArqClient,
                                 hpsocket.UdpArqAgent])
def test_partial_reliability_setting(cls):
    c = cls()
    assert c.partial_reliability is False
    c.partial_reliability = True
    assert c.partial_reliability is True
    assert cls(partial_reliability=True).partial_reliability is True
    with pytest.raises(TypeError):
        c.partial_reliability = 1
    assert not hasattr(hpsocket.UdpServer(), "partial_reliability")


@pytest.mark.parametrize("kind", ["client", "agent"])
def test_both_sides_on_send_ex_with_a_deadline_works(server, kind):
    srv, port, srec = server
    peer = Peer(kind, port, partial=True)
    try:
        assert wait_until(lambda: len(srec.handshakes) == 1, TIMEOUT)
        msgs = [message(i) for i in range(4)]
        assert peer.send_ex(msgs[0]) == 0  # no limit: a plain send, id 0
        assert peer.send_ex(msgs[1], 60000) == 1
        assert peer.send_ex(msgs[2], 0, 50) == 2
        assert peer.send_ex(msgs[3], deadline_ms=60000, max_retransmits=0) == 3
        assert [srec.messages.get(timeout=TIMEOUT) for _ in msgs] == msgs
        back = ServerSide(srv, srec.handshakes[0])
        assert back.send_ex(b"answer", 60000) == 1
        assert peer.rec.messages.get(timeout=TIMEOUT) == b"answer"
        assert wait_until(lambda: peer.waiting() == 0, TIMEOUT)
        assert srec.dropped == [] and peer.rec.dropped == []
        for bad in ((-1, None), (0, -1), (1 << 32, None)):
            with pytest.raises(hpsocket.HPSocketError) as e:
                peer.send_ex(b"x", *bad)
            assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        with pytest.raises(TypeError):
            peer.send_ex(b"x", "100")
        with pytest.raises(hpsocket.HPSocketError) as e:
            peer.send_ex(b"", 100)
        assert e.value.errno == errno.EMSGSIZE
    finally:
        peer.stop()


@pytest.mark.parametrize("kind", ["client", "agent"])
def test_one_side_off_refuses_a_limit_with_eopnotsupp(server, kind):
    srv, port, srec = server
    peer = Peer(kind, port, partial=False)
    try:
        assert wait_until(lambda: len(srec.handshakes) == 1, TIMEOUT)
        back = ServerSide(srv, srec.handshakes[0])
        for sender in (peer, back):
            for limits in ((100, None), (0, 3)):
                with pytest.raises(hpsocket.HPSocketError) as e:
                    sender.send_ex(b"limited", *limits)
                assert e.value.code == hpsocket.SocketError.ILLEGAL_STATE
                assert e.value.errno == errno.EOPNOTSUPP
                assert e.value.errno.name == "EOPNOTSUPP"
                assert str(e.value.errno).startswith("EOPNOTSUPP (")
                assert "partial reliability" in str(e.value)
        assert peer.send_ex(b"plain") == 0
        assert srec.messages.get(timeout=TIMEOUT) == b"plain"
        assert back.send_ex(b"back") == 0
        assert peer.rec.messages.get(timeout=TIMEOUT) == b"back"
    finally:
        peer.stop()


@pytest.mark.parametrize("limit", [(200, None), (0, 2)], ids=["deadline", "retransmits"])
@pytest.mark.parametrize("sender_kind", ["client", "agent", "server"])
def test_a_message_past_its_limit_is_dropped_once_and_the_rest_arrive_in_order(
    server, sender_kind, limit
):
    srv, port, srec = server
    relay = Relay(port)
    peer_kind = "agent" if sender_kind == "agent" else "client"
    peer = Peer(peer_kind, relay.port, partial=True)
    try:
        assert wait_until(lambda: len(srec.handshakes) == 1, TIMEOUT)
        if sender_kind == "server":
            sender, sender_rec, receiver = ServerSide(srv, srec.handshakes[0]), srec, peer.rec
        else:
            sender, sender_rec, receiver = peer, peer.rec, srec
        msgs = [message(i) for i in range(MESSAGES + 2)]
        # Nothing of the sender's passes while message 1's limit runs out.
        if sender_kind == "server":
            relay.dark_from_server = True
        else:
            relay.dark_from_peer = True
        assert sender.send_ex(msgs[0]) == 0
        assert sender.send_ex(msgs[1], *limit) == 1
        assert sender.send_ex(msgs[2]) == 0
        assert wait_until(lambda: len(sender_rec.dropped) == 1, TIMEOUT)
        relay.dark_from_server = relay.dark_from_peer = False
        # The rest under 30% loss: a deadline that never passes, and plain sends.
        for i in range(3, MESSAGES + 2):
            if i % 2:
                sender.send_ex(msgs[i], 60000)
            else:
                sender.send(msgs[i])
        expected = [m for i, m in enumerate(msgs) if i != 1]
        got = [receiver.messages.get(timeout=TIMEOUT) for _ in expected]
        assert got == expected
        assert wait_until(lambda: sender.waiting() == 0, TIMEOUT)
        conn = sender.conn if sender.conn is not None else sender_rec.handshakes[0]
        assert sender_rec.dropped == [(conn, 1, BIG)]
        assert receiver.messages.empty()
    finally:
        peer.stop()
        relay.close()


# -- socket buffer sizes -----------------------------------------------------------------


def _limit(path: str) -> int:
    with open(path) as f:
        return int(f.read())


def effective(requested: int, cap_path: str) -> int:
    """What Linux makes of a SO_RCVBUF/SO_SNDBUF request: capped, then doubled."""
    return 2 * min(requested, _limit(cap_path))


class BufferProbe:
    """Reads SO_RCVBUF/SO_SNDBUF of each socket the component prepares."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []

    def _probe(self, fd):
        s = socket.socket(fileno=os.dup(fd))
        try:
            self.seen.append((s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
                              s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)))
        finally:
            s.close()


class ServerProbe(BufferProbe, hpsocket.UdpServerListener):
    def on_prepare_listen(self, sender, fd):
        self._probe(fd)


class ClientProbe(BufferProbe, hpsocket.UdpClientListener):
    def on_prepare_connect(self, sender, conn_id, fd):
        self._probe(fd)


class AgentProbe(BufferProbe, hpsocket.UdpArqAgentListener):
    def on_prepare_connect(self, sender, conn_id, fd):
        self._probe(fd)


UDP_CLASSES = [hpsocket.UdpServer, hpsocket.UdpClient, hpsocket.UdpArqServer,
               hpsocket.UdpArqClient, hpsocket.UdpArqAgent]


@pytest.mark.parametrize("cls", UDP_CLASSES)
def test_socket_buffer_settings_read_back_and_are_checked_by_start(cls):
    c = cls()
    assert (c.socket_recv_buffer_size, c.socket_send_buffer_size) == (0, 0)
    c.socket_recv_buffer_size = 65536
    c.socket_send_buffer_size = 1024
    assert (c.socket_recv_buffer_size, c.socket_send_buffer_size) == (65536, 1024)
    c2 = cls(socket_recv_buffer_size=1 << 30, socket_send_buffer_size=4096)
    assert (c2.socket_recv_buffer_size, c2.socket_send_buffer_size) == (1 << 30, 4096)
    with pytest.raises(TypeError):
        c.socket_recv_buffer_size = "1"
    with pytest.raises(hpsocket.HPSocketError) as e:
        c.socket_send_buffer_size = -1
    assert e.value.code == hpsocket.SocketError.INVALID_PARAM
    # The core's registry name is not a second Python name.
    with pytest.raises(TypeError, match="unexpected keyword argument 'recv_buffer_size'"):
        cls(recv_buffer_size=65536)
    for bad in ({"socket_recv_buffer_size": 1023},
                {"socket_send_buffer_size": (1 << 30) + 1}):
        comp = cls(**bad)
        with pytest.raises(hpsocket.HPSocketError) as e:
            if cls is hpsocket.UdpArqAgent:
                comp.start()
            elif cls in (hpsocket.UdpServer, hpsocket.UdpArqServer):
                comp.start(HOST, 0)
            else:
                comp.start(HOST, 9)
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        assert "BufferSize" in str(e.value)
        assert comp.state == hpsocket.ServiceState.STOPPED
    assert not hasattr(hpsocket.TcpServer(), "socket_recv_buffer_size")


@pytest.mark.parametrize("arq", [False, True])
@pytest.mark.parametrize("size", [0, 65536])
def test_socket_buffers_reach_every_udp_socket(arq, size):
    rcv = effective(size, "/proc/sys/net/core/rmem_max")
    snd = effective(size // 2, "/proc/sys/net/core/wmem_max")
    if size == 0:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rcv = probe.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        snd = probe.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        probe.close()
    settings = {"socket_recv_buffer_size": size, "socket_send_buffer_size": size // 2}
    sp, cp, ap = ServerProbe(), ClientProbe(), AgentProbe()
    server_cls = hpsocket.UdpArqServer if arq else hpsocket.UdpServer
    client_cls = hpsocket.UdpArqClient if arq else hpsocket.UdpClient
    srv = server_cls(sp, worker_thread_count=2, **settings)
    client = client_cls(cp, **settings)
    agent = hpsocket.UdpArqAgent(ap, **settings) if arq else None
    try:
        srv.start(HOST, 0)
        port = srv.listen_address()[1]
        client.start(HOST, port)
        if agent is not None:
            agent.start()
            agent.connect(HOST, port)
        assert sp.seen and all(s == (rcv, snd) for s in sp.seen), sp.seen
        assert wait_until(lambda: len(cp.seen) == 1, TIMEOUT)
        assert cp.seen == [(rcv, snd)]
        if agent is not None:
            assert wait_until(lambda: len(ap.seen) == 1, TIMEOUT)
            assert ap.seen == [(rcv, snd)]
    finally:
        for c in (agent, client, srv):
            if c is not None and c.state != hpsocket.ServiceState.STOPPED:
                c.stop()
