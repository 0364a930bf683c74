"""Listener methods: results, exceptions (sys.unraisablehook, HR_ERROR, worker survives),
unset handlers, duck-typed listeners, the sender and the fd."""

from __future__ import annotations

import errno
import socket
import threading

import pytest

import hpsocket
from conftest import HOST, wait_until


class Faulty(hpsocket.TcpServerListener):
    """Raises on b"boom", returns junk on b"junk", ERROR on b"err", echoes otherwise."""

    def __init__(self) -> None:
        self.closed: list[tuple[int, int, int]] = []

    def on_receive(self, sender, conn_id, data):
        if data.startswith(b"boom"):
            raise RuntimeError("listener failed on purpose")
        if data.startswith(b"junk"):
            return "not a HandleResult"
        if data.startswith(b"err"):
            return hpsocket.HandleResult.ERROR
        sender.send(conn_id, data)
        return hpsocket.HandleResult.IGNORE

    def on_close(self, sender, conn_id, operation, error_code):
        self.closed.append((conn_id, int(operation), error_code))


def _roundtrip(port: int, payload: bytes) -> bytes:
    with socket.create_connection((HOST, port), timeout=5) as s:
        s.sendall(payload)
        return s.recv(100)


def test_exception_in_handler(unraisable):
    listener = Faulty()
    with hpsocket.TcpServer(listener, worker_thread_count=1) as server:
        server.start(HOST, 0)
        port = server.listen_address()[1]
        assert _roundtrip(port, b"boom") == b""  # HR_ERROR closed the connection
        assert wait_until(lambda: len(listener.closed) == 1)
        assert listener.closed[0][1:] == (hpsocket.SocketOperation.RECEIVE, errno.ECANCELED)
        (exc_type, message, obj) = unraisable.items[0]
        assert exc_type is RuntimeError and "on purpose" in message
        assert getattr(obj, "__name__", "") == "on_receive"
        # the single worker lives on
        for _ in range(3):
            assert _roundtrip(port, b"hello") == b"hello"
        # a result that is not a HandleResult is a TypeError, reported the same way
        assert _roundtrip(port, b"junk") == b""
        assert wait_until(lambda: len(unraisable.items) == 2)
        assert unraisable.items[1][0] is TypeError
        # HandleResult.ERROR closes without any report
        assert _roundtrip(port, b"err") == b""
        assert _roundtrip(port, b"still alive") == b"still alive"
    assert len(unraisable.items) == 2


def test_exception_in_close_and_shutdown_handlers(unraisable):
    class Noisy(hpsocket.TcpServerListener):
        def on_close(self, sender, conn_id, operation, error_code):
            raise ValueError("close")

        def on_shutdown(self, sender):
            raise KeyError("shutdown")

    server = hpsocket.TcpServer(Noisy())
    server.start(HOST, 0)
    with socket.create_connection(server.listen_address()):
        assert wait_until(lambda: server.connection_count == 1)
    assert wait_until(lambda: server.connection_count == 0)
    server.stop()
    assert wait_until(lambda: len(unraisable.items) == 2)
    assert unraisable.types() == [ValueError, KeyError]


def test_accept_and_prepare_listen_results():
    class Picky(hpsocket.TcpServerListener):
        def __init__(self) -> None:
            self.fds = []
            self.accepts = 0

        def on_prepare_listen(self, sender, fd):
            # the fd is the component's listening socket, valid during the call
            with socket.socket(fileno=socket.dup(fd)) as s:
                self.fds.append(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
            return hpsocket.HandleResult.OK

        def on_accept(self, sender, conn_id, fd):
            self.accepts += 1
            return hpsocket.HandleResult.ERROR if self.accepts == 1 else None

    listener = Picky()
    with hpsocket.TcpServer(listener) as server:
        server.start(HOST, 0)
        assert listener.fds and listener.fds[0] != 0
        port = server.listen_address()[1]
        assert _roundtrip(port, b"x") == b""  # rejected
        with socket.create_connection((HOST, port)):
            assert wait_until(lambda: server.connection_count == 1)

    class Refuse(hpsocket.TcpServerListener):
        def on_prepare_listen(self, sender, fd):
            return hpsocket.HandleResult.ERROR

    with pytest.raises(hpsocket.HPSocketError) as e:
        hpsocket.TcpServer(Refuse()).start(HOST, 0)
    assert e.value.code == hpsocket.SocketError.SOCKET_PREPARE


def test_sender_is_the_component_and_duck_typed_listener():
    seen = []

    class Duck:  # not a TcpServerListener subclass
        def on_handshake(self, sender, conn_id):
            seen.append(sender)

        on_receive = None  # explicitly unset

    server = hpsocket.TcpServer(Duck())
    with server:
        server.start(HOST, 0)
        with socket.create_connection(server.listen_address()):
            assert wait_until(lambda: seen)
    assert seen[0] is server


def test_unset_handlers_and_no_listener(echo_server):
    _, port, _ = echo_server
    # no listener at all: events are simply not delivered
    with hpsocket.TcpClient() as client:
        client.start(HOST, port, async_connect=False)
        client.send(b"abc")
        assert wait_until(lambda: not client.pending_data_length())
    # a base-class listener sets no handler: nothing is called
    calls = []

    class OnlyClose(hpsocket.TcpClientListener):
        def on_close(self, sender, conn_id, operation, error_code):
            calls.append((operation, error_code))

    with hpsocket.TcpClient(OnlyClose()) as client:
        client.start(HOST, port, async_connect=False)
        client.send(b"abc")
    assert calls == [(hpsocket.SocketOperation.CLOSE, 0)]


def test_client_events_and_self_stop(echo_server):
    _, port, _ = echo_server
    events = []
    done = threading.Event()

    class Once(hpsocket.TcpClientListener):
        def on_prepare_connect(self, sender, conn_id, fd):
            events.append("prepare")

        def on_connect(self, sender, conn_id):
            events.append("connect")

        def on_handshake(self, sender, conn_id):
            events.append("handshake")
            sender.send(b"bye")

        def on_send(self, sender, conn_id, data):
            events.append(("send", data))

        def on_receive(self, sender, conn_id, data):
            events.append(("receive", data))
            sender.stop()  # a client may stop itself from its own callback

        def on_close(self, sender, conn_id, operation, error_code):
            events.append("close")
            done.set()

    client = hpsocket.TcpClient(Once())
    client.extra = {"user": 1}
    client.start(HOST, port)
    assert done.wait(5)
    assert client.wait(5)
    assert events[:3] == ["prepare", "connect", "handshake"]
    assert ("send", b"bye") in events and ("receive", b"bye") in events
    assert events[-1] == "close"
    assert client.extra == {"user": 1}
    assert client.state == hpsocket.ServiceState.STOPPED
    # Restartable: the same round again. (Not `is_connected` right after the start: the
    # listener may already have had its echo and stopped the client by then.)
    first = list(events)
    events.clear()
    done.clear()
    client.start(HOST, port, async_connect=False)
    assert done.wait(5)
    assert client.wait(5)
    assert events == first
    client.stop()  # stopped already: does nothing
