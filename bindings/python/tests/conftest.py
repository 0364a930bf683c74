"""Shared helpers: every test uses real loopback sockets, bounded in count and time."""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from typing import Callable

import pytest

import hpsocket

HOST = "127.0.0.1"


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Polls ``predicate`` until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 16))
        if not chunk:
            raise ConnectionError("peer closed with %d bytes missing" % n)
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class EchoListener(hpsocket.TcpServerListener):
    """Echoes every receive; counts events."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted = 0
        self.closed: list[tuple[int, int, int]] = []
        self.shutdowns = 0

    def on_accept(self, sender, conn_id, fd):
        with self.lock:
            self.accepted += 1

    def on_receive(self, sender, conn_id, data):
        try:
            sender.send(conn_id, data)
        except hpsocket.HPSocketError:  # the peer went away meanwhile
            return hpsocket.HandleResult.ERROR

    def on_close(self, sender, conn_id, operation, error_code):
        with self.lock:
            self.closed.append((conn_id, int(operation), error_code))

    def on_shutdown(self, sender):
        self.shutdowns += 1


@pytest.fixture
def echo_server():
    """A started PUSH echo server on a free loopback port; stopped afterwards."""
    listener = EchoListener()
    server = hpsocket.TcpServer(listener, worker_thread_count=2)
    server.start(HOST, 0)
    try:
        yield server, server.listen_address()[1], listener
    finally:
        if server.state != hpsocket.ServiceState.STOPPED:
            server.stop()


class Unraisable:
    """Collects what reaches ``sys.unraisablehook``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[type, str, object]] = []

    def hook(self, info) -> None:
        with self.lock:
            self.items.append((info.exc_type, str(info.exc_value), info.object))

    def types(self) -> list[type]:
        with self.lock:
            return [t for t, _, _ in self.items]


@pytest.fixture
def unraisable(monkeypatch):
    """Captures unraisable exceptions for the test (and keeps them off stderr)."""
    catcher = Unraisable()
    monkeypatch.setattr(sys, "unraisablehook", catcher.hook)
    yield catcher


@pytest.fixture(autouse=True)
def _unexpected_unraisable():
    """A listener exception nobody expected fails the test (asserts inside listeners run on
    worker threads, where only sys.unraisablehook sees them). Tests that expect some use the
    ``unraisable`` fixture, which replaces this hook for their duration."""
    catcher = Unraisable()
    previous = sys.unraisablehook
    sys.unraisablehook = catcher.hook
    try:
        yield
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert not catcher.items, "unexpected exceptions in listeners: %r" % catcher.items


def example_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get(
        "HPSOCKET_EXAMPLES", os.path.join(here, "..", "..", "..", "examples", "python")
    )


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture(scope="session")
def cert(tmp_path_factory):
    """A self-signed certificate for localhost and 127.0.0.1 (its own CA): ``(cert.pem,
    key.pem)``."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    d = tmp_path_factory.mktemp("httpcerts")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "3650", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE"],
        cwd=d, check=True, capture_output=True, timeout=60,
    )
    return d / "cert.pem", d / "key.pem"
