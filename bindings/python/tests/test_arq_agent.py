"""UdpArqAgent (the ARQ agent extension): many ARQ sessions from one agent to a UdpArqServer,
each with its connection ID. Every message arrives whole and in order on both sides, per
session; disconnecting one session closes it on the server and leaves the others; stopping
the agent closes them all; the agent has the ARQ settings (not the UDP or TCP ones); a
session whose handshake nobody answers refuses sends, then times out."""

from __future__ import annotations

import errno
import queue
import socket
import threading

import pytest

import hpsocket
from conftest import HOST, wait_until
from test_arq import ARQ_DEFAULTS, FAST, TIMEOUT, ArqEcho, message

CLOSE = int(hpsocket.SocketOperation.CLOSE)


class Sessions(hpsocket.UdpArqAgentListener):
    """Per session: its handshake, the messages it received (queued), and its close."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connected: list[int] = []
        self.handshakes: list[int] = []
        self.messages: dict[int, queue.Queue[bytes]] = {}
        self.closed: dict[int, tuple[int, int]] = {}
        self.changed = threading.Condition(self.lock)

    def queue(self, conn_id: int) -> queue.Queue[bytes]:
        with self.lock:
            return self.messages.setdefault(conn_id, queue.Queue())

    def on_connect(self, sender, conn_id):
        with self.lock:
            self.connected.append(conn_id)

    def on_handshake(self, sender, conn_id):
        with self.changed:
            self.handshakes.append(conn_id)
            self.changed.notify_all()

    def on_receive(self, sender, conn_id, data):
        with self.lock:
            assert conn_id in self.handshakes
        self.queue(conn_id).put(data)

    def on_close(self, sender, conn_id, operation, error_code):
        with self.changed:
            self.closed[conn_id] = (int(operation), error_code)
            self.changed.notify_all()

    def wait(self, predicate) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), TIMEOUT)


class PerConnEcho(ArqEcho):
    """The echo server, also keeping each connection's messages apart."""

    def __init__(self) -> None:
        super().__init__()
        self.by_conn: dict[int, list[bytes]] = {}

    def on_receive(self, sender, conn_id, data):
        with self.lock:
            self.by_conn.setdefault(conn_id, []).append(data)
        return super().on_receive(sender, conn_id, data)


@pytest.fixture
def arq_server():
    listener = PerConnEcho()
    server = hpsocket.UdpArqServer(listener, worker_thread_count=2, **FAST)
    server.start(HOST, 0)
    try:
        yield server, server.listen_address()[1], listener
    finally:
        if server.state != hpsocket.ServiceState.STOPPED:
            server.stop()


@pytest.fixture
def agent():
    listener = Sessions()
    agent = hpsocket.UdpArqAgent(listener, worker_thread_count=2, **FAST)
    try:
        yield agent, listener
    finally:
        if agent.state != hpsocket.ServiceState.STOPPED:
            agent.stop()


SESSIONS = 6


def test_several_sessions_echo_every_message_whole_and_in_order(arq_server, agent):
    server, port, echo = arq_server
    agent, sessions = agent
    agent.start()
    ids = [agent.connect(HOST, port, extra=("session", n)) for n in range(SESSIONS)]
    assert len(set(ids)) == SESSIONS
    assert sessions.wait(lambda s: sorted(s.handshakes) == sorted(ids)), "not every handshake"
    assert wait_until(lambda: len(echo.handshakes) == SESSIONS, TIMEOUT)
    assert agent.connection_count == SESSIONS
    assert sorted(agent.all_connection_ids()) == sorted(ids)
    # Each session its own socket: the server sees SESSIONS peers, one per agent session.
    locals_ = {agent.local_address(i) for i in ids}
    assert len(locals_) == SESSIONS
    assert set(echo.peers.values()) == locals_
    for n, i in enumerate(ids):
        assert agent.get_connection_extra(i) == ("session", n)
        assert agent.remote_host(i) == (HOST, port)
        assert agent.remote_address(i) == (HOST, port)

    # Interleaved sends, sizes 1 .. max_message_size, a different sequence per session.
    sizes = [1, 2, 23, 24, 25, 1407, 1408, 1409, 2816, 4095, 4096]
    sent = {
        i: [message(n * 1000 + k, size)
            for k, size in enumerate(sizes + [1 + (n * 37 + k * 131) % 4096 for k in range(40)])]
        for n, i in enumerate(ids)
    }
    longest = max(len(m) for m in sent.values())
    for k in range(longest):
        for i in ids:
            if k < len(sent[i]):
                agent.send(i, sent[i][k])
    for i in ids:
        q = sessions.queue(i)
        got = [q.get(timeout=TIMEOUT) for _ in sent[i]]
        assert [len(g) for g in got] == [len(m) for m in sent[i]], i
        assert got == sent[i], i
        assert q.empty()
    # The server got each session's messages whole and in order on that session's connection.
    by_peer = {peer: conn for conn, peer in echo.peers.items()}
    for i in ids:
        server_conn = by_peer[agent.local_address(i)]
        assert server.remote_address(server_conn) == agent.local_address(i)
        with echo.lock:
            assert echo.by_conn[server_conn] == sent[i], i
    for i in ids:
        assert wait_until(lambda: agent.waiting_send_message_count(i) == 0, TIMEOUT)
    # send_packets is one message.
    agent.send_packets(ids[0], [b"one ", bytearray(b"message"), memoryview(b"!")])
    assert sessions.queue(ids[0]).get(timeout=TIMEOUT) == b"one message!"


def test_disconnect_closes_one_session_and_stop_closes_the_rest(arq_server, agent):
    server, port, echo = arq_server
    agent, sessions = agent
    agent.start()
    ids = [agent.connect(HOST, port) for _ in range(3)]
    assert sessions.wait(lambda s: len(s.handshakes) == 3)
    assert wait_until(lambda: len(echo.handshakes) == 3, TIMEOUT)
    agent.disconnect(ids[0])
    assert sessions.wait(lambda s: ids[0] in s.closed)
    assert sessions.closed[ids[0]] == (CLOSE, 0)
    # The close-notify reached the server: exactly one of its connections closed.
    assert wait_until(lambda: len(echo.closed) == 1, TIMEOUT)
    assert echo.closed[0][1:] == (CLOSE, 0)
    assert wait_until(lambda: server.connection_count == 2 and agent.connection_count == 2, TIMEOUT)
    # The others still echo.
    for i in ids[1:]:
        agent.send(i, b"still here %d" % i)
        assert sessions.queue(i).get(timeout=TIMEOUT) == b"still here %d" % i
    with pytest.raises(hpsocket.HPSocketError):
        agent.send(ids[0], b"gone")
    agent.stop()
    assert sorted(sessions.closed) == sorted(ids)
    assert all(v == (CLOSE, 0) for v in sessions.closed.values())
    assert wait_until(lambda: len(echo.closed) == 3, TIMEOUT)
    # OnClose runs before the connection's slot is released: the count follows it.
    assert wait_until(lambda: server.connection_count == 0, TIMEOUT)


def test_oversize_and_empty_messages_are_refused(arq_server, agent):
    _, port, _ = arq_server
    agent, sessions = agent
    agent.max_message_size = 100
    agent.start()
    conn = agent.connect(HOST, port)
    assert sessions.wait(lambda s: s.handshakes == [conn])
    for bad in (b"", b"x" * 101):
        with pytest.raises(hpsocket.HPSocketError) as e:
            agent.send(conn, bad)
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM
        assert e.value.errno == errno.EMSGSIZE
    agent.send(conn, b"y" * 100)
    assert sessions.queue(conn).get(timeout=TIMEOUT) == b"y" * 100


def test_a_session_nobody_answers_refuses_sends_then_times_out(agent):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind((HOST, 0))
    try:
        agent, sessions = agent
        agent.handshake_timeout = 300
        agent.start(async_connect=False)
        conn = agent.connect(HOST, silent.getsockname()[1])
        with pytest.raises(hpsocket.HPSocketError) as e:
            agent.send(conn, b"too early")
        assert e.value.code == hpsocket.SocketError.ILLEGAL_STATE
        assert e.value.errno == errno.ENOTCONN
        assert sessions.wait(lambda s: conn in s.closed)
        assert sessions.closed[conn] == (CLOSE, errno.ETIMEDOUT)
        assert sessions.handshakes == []
    finally:
        silent.close()


def test_arq_agent_settings():
    a = hpsocket.UdpArqAgent()
    for name, value in ARQ_DEFAULTS.items():
        got = getattr(a, name)
        assert got == value and type(got) is type(value), name
    assert a.model == hpsocket.ReceiveModel.ARQ
    assert a.max_send_queue_bytes == 0
    a2 = hpsocket.UdpArqAgent(no_delay=True, flush_interval=20, max_message_size=1000,
                              worker_thread_count=3, connect_timeout=500)
    assert (a2.no_delay, a2.flush_interval, a2.max_message_size) == (True, 20, 1000)
    assert (a2.worker_thread_count, a2.connect_timeout) == (3, 500)
    # Neither the TCP settings nor the UDP server/client ones (the C ABI has none for it).
    for name in ("keep_alive_time", "max_datagram_size", "sync_connect_timeout"):
        with pytest.raises(TypeError, match="unexpected keyword argument '%s'" % name):
            hpsocket.UdpArqAgent(**{name: 1000})
    with pytest.raises(hpsocket.HPSocketError) as e:
        hpsocket.UdpArqAgent(handshake_timeout=60, min_rto=30).start()
    assert e.value.code == hpsocket.SocketError.INVALID_PARAM
    with hpsocket.UdpArqAgent() as running:
        running.start()
        with pytest.raises(hpsocket.HPSocketError) as e:
            running.max_message_size = 10
        assert e.value.code == hpsocket.SocketError.ILLEGAL_STATE
    assert isinstance(hpsocket.UdpArqAgentListener(), hpsocket.TcpAgentListener)

    class Mine(hpsocket.UdpArqAgent):
        pass

    assert Mine(no_delay=True).no_delay is True
