"""TcpAgent: 200 connections on shared workers, extras, synchronous and asynchronous connect."""

from __future__ import annotations

import os
import threading

import hpsocket
from conftest import HOST, digest, wait_until

CONNECTIONS = 200


class AgentCollector(hpsocket.TcpAgentListener):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data: dict[int, list[bytes]] = {}
        self.sizes: dict[int, int] = {}
        self.handshakes = 0
        self.closed: list[tuple[int, int, int]] = []
        self.extras_seen: dict[int, object] = {}
        self.shutdown = threading.Event()

    def on_handshake(self, sender, conn_id):
        with self.lock:
            self.handshakes += 1
            self.extras_seen[conn_id] = sender.get_connection_extra(conn_id)

    def on_receive(self, sender, conn_id, data):
        with self.lock:
            self.data.setdefault(conn_id, []).append(data)
            self.sizes[conn_id] = self.sizes.get(conn_id, 0) + len(data)

    def on_close(self, sender, conn_id, operation, error_code):
        with self.lock:
            self.closed.append((conn_id, int(operation), error_code))
            # the extra is still readable here, and dropped after
            self.extras_seen[conn_id] = sender.get_connection_extra(conn_id)

    def on_shutdown(self, sender):
        self.shutdown.set()


def test_agent_200_connections(echo_server):
    server, port, _ = echo_server
    listener = AgentCollector()
    agent = hpsocket.TcpAgent(listener, worker_thread_count=2)
    agent.start()  # asynchronous connects
    tags = {}
    ids = []
    for i in range(CONNECTIONS):
        tag = ("conn", i)
        cid = agent.connect(HOST, port, extra=tag)
        tags[cid] = tag
        ids.append(cid)
    assert len(set(ids)) == CONNECTIONS
    assert wait_until(lambda: listener.handshakes == CONNECTIONS, 20)
    assert agent.connection_count == CONNECTIONS
    assert wait_until(lambda: server.connection_count == CONNECTIONS)
    for cid in ids:
        assert agent.get_connection_extra(cid) == tags[cid]
        assert agent.remote_host(cid) == (HOST, port)
        assert agent.remote_address(cid) == (HOST, port)
    payloads = {cid: os.urandom(1000 + i * 37) for i, cid in enumerate(ids)}
    for cid, payload in payloads.items():
        agent.send(cid, payload[:500])
        agent.send(cid, payload[500:])
    assert wait_until(
        lambda: all(listener.sizes.get(cid, 0) >= len(p) for cid, p in payloads.items()), 20
    )
    for cid, payload in payloads.items():
        assert digest(b"".join(listener.data[cid])) == digest(payload)
    agent.stop()
    assert listener.shutdown.is_set()
    assert len(listener.closed) == CONNECTIONS
    assert {cid for cid, _, _ in listener.closed} == set(ids)
    assert all(listener.extras_seen[cid] == tags[cid] for cid in ids)
    assert agent.connection_count == 0
    assert wait_until(lambda: server.connection_count == 0)


def test_agent_sync_connect_and_failures(echo_server):
    server, port, _ = echo_server
    listener = AgentCollector()
    with hpsocket.TcpAgent(listener) as agent:
        agent.start(async_connect=False)
        cid = agent.connect(HOST, port, local_address=HOST)
        assert agent.is_connected(cid)  # connected on return
        assert agent.local_address(cid)[0] == HOST
        # a refused connect raises in synchronous mode
        closed_port = _closed_port()
        try:
            agent.connect(HOST, closed_port, extra=object())
        except hpsocket.HPSocketError as e:
            assert e.code == hpsocket.SocketError.CONNECT_SERVER
        else:
            raise AssertionError("connect to a closed port succeeded")
        agent.send(cid, b"ping")
        assert wait_until(lambda: listener.sizes.get(cid) == 4)


def test_agent_async_connect_failure_reports_on_close(echo_server):
    listener = AgentCollector()
    with hpsocket.TcpAgent(listener) as agent:
        agent.start()
        cid = agent.connect(HOST, _closed_port(), extra="tag")
        assert wait_until(lambda: listener.closed)
        (closed_id, op, code) = listener.closed[0]
        assert closed_id == cid
        assert op == hpsocket.SocketOperation.CONNECT
        assert code != 0
    assert listener.shutdown.is_set()


def _closed_port() -> int:
    import socket

    s = socket.socket()
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port
