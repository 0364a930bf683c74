"""Garbage collection: cycles through Rust-held objects are collected (``__traverse__`` /
``__clear__``); a running component stays alive on its own."""

from __future__ import annotations

import gc
import socket
import weakref

import hpsocket
from conftest import HOST, wait_until


class Holder(hpsocket.TcpServerListener):
    """A listener that references its component: the cycle component -> listener -> component."""

    def __init__(self) -> None:
        self.component = None

    def on_receive(self, sender, conn_id, data):
        sender.send(conn_id, data)


def _collected(ref: weakref.ref) -> bool:
    for _ in range(3):
        gc.collect()
        if ref() is None:
            return True
    return False


def test_plain_drop_frees_without_collector():
    server = hpsocket.TcpServer(Holder())
    ref = weakref.ref(server)
    del server
    assert ref() is None


def test_cycle_never_started_is_collected():
    for cls in (hpsocket.TcpServer, hpsocket.TcpPackServer, hpsocket.TcpAgent, hpsocket.TcpPullClient):
        listener = Holder()
        component = cls(listener)
        listener.component = component
        ref, lref = weakref.ref(component), weakref.ref(listener)
        del component, listener
        assert _collected(ref), cls
        assert lref() is None


def test_cycle_after_a_run_with_extras_is_collected():
    listener = Holder()
    server = hpsocket.TcpServer(listener)
    listener.component = server
    server.start(HOST, 0)
    with socket.create_connection(server.listen_address(), timeout=5) as s:
        assert wait_until(lambda: server.connection_count == 1)
        (cid,) = server.all_connection_ids()
        server.set_connection_extra(cid, {"server": server})  # another cycle, via an extra
        s.sendall(b"x")
        assert s.recv(1) == b"x"
        server.stop()
    ref = weakref.ref(server)
    del server, listener
    assert _collected(ref)


def test_running_component_stays_alive_until_stopped():
    listener = Holder()
    server = hpsocket.TcpServer(listener)
    listener.component = server
    server.start(HOST, 0)
    port = server.listen_address()[1]
    ref = weakref.ref(server)
    del server
    gc.collect()
    assert ref() is not None, "a running server was collected"
    with socket.create_connection((HOST, port), timeout=5) as s:
        s.sendall(b"still here")
        assert s.recv(100) == b"still here"
    listener.component.stop()
    del listener
    assert _collected(ref)


def test_client_that_stopped_by_itself_is_collected():
    server = hpsocket.TcpServer()
    server.start(HOST, 0)
    closed = []

    class ClientHolder(hpsocket.TcpClientListener):
        def on_close(self, sender, conn_id, operation, error_code):
            closed.append(operation)

    listener = ClientHolder()
    client = hpsocket.TcpClient(listener)
    listener.client = client
    client.extra = client  # a cycle through the client's extra too
    client.start(HOST, server.listen_address()[1], async_connect=False)
    assert wait_until(lambda: server.connection_count == 1)
    server.stop()  # closes the connection: the client stops on its own
    assert wait_until(lambda: closed)
    assert client.wait(5)
    ref = weakref.ref(client)
    del client, listener
    assert _collected(ref)


def test_agent_cycle_after_connect_extra():
    server = hpsocket.TcpServer()
    server.start(HOST, 0)

    class AgentHolder(hpsocket.TcpAgentListener):
        pass

    listener = AgentHolder()
    agent = hpsocket.TcpAgent(listener)
    listener.agent = agent
    agent.start(async_connect=False)
    agent.connect(HOST, server.listen_address()[1], extra=agent)
    agent.stop()
    server.stop()
    ref = weakref.ref(agent)
    del agent, listener
    assert _collected(ref)
