"""Threads: stopping from another thread under traffic, GIL release in blocking calls,
signals during wait, concurrent senders."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pytest

import hpsocket
from conftest import HOST, EchoListener, wait_until


class Counter(threading.Thread):
    """Counts Python loop iterations: it only advances while the GIL is free."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.count = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.count += 1

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.count


def _traffic(port: int, stop: threading.Event, errors: list) -> None:
    try:
        with socket.create_connection((HOST, port), timeout=5) as s:
            s.settimeout(5)
            while not stop.is_set():
                s.sendall(os.urandom(2048))
                if not s.recv(65536):
                    return  # server went away
    except OSError:
        return  # reset by the stopping server
    except Exception as e:  # pragma: no cover - reported below
        errors.append(e)


def test_stop_from_another_thread_while_traffic_flows():
    listener = EchoListener()
    server = hpsocket.TcpServer(listener, worker_thread_count=2)
    server.start(HOST, 0)
    port = server.listen_address()[1]
    stop_traffic = threading.Event()
    errors: list = []
    clients = [
        threading.Thread(target=_traffic, args=(port, stop_traffic, errors)) for _ in range(20)
    ]
    for t in clients:
        t.start()
    assert wait_until(lambda: server.connection_count == 20)
    time.sleep(0.3)  # traffic flows
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(10)
    assert not stopper.is_alive()
    assert server.state == hpsocket.ServiceState.STOPPED
    assert server.wait(0) is True
    stop_traffic.set()
    for t in clients:
        t.join(10)
    assert not errors
    assert len(listener.closed) == 20 and listener.shutdowns == 1
    # and it starts again
    server.start(HOST, 0)
    server.stop()


def test_agent_stopped_while_python_threads_send(echo_server):
    _, port, _ = echo_server
    received = [0]

    class Count(hpsocket.TcpAgentListener):
        def on_receive(self, sender, conn_id, data):
            received[0] += len(data)

    agent = hpsocket.TcpAgent(Count())
    agent.start(async_connect=False)
    ids = [agent.connect(HOST, port) for _ in range(10)]
    failures = []

    def sender(cid):
        try:
            while True:
                agent.send(cid, b"x" * 1000)
        except hpsocket.HPSocketError as e:
            failures.append(e.code)

    threads = [threading.Thread(target=sender, args=(cid,)) for cid in ids]
    for t in threads:
        t.start()
    assert wait_until(lambda: received[0] > 100_000)
    agent.stop()
    for t in threads:
        t.join(10)
        assert not t.is_alive()
    assert len(failures) == 10
    assert set(failures) <= {hpsocket.SocketError.INVALID_PARAM, hpsocket.SocketError.ILLEGAL_STATE}


def test_wait_and_stop_release_the_gil():
    listener = EchoListener()
    server = hpsocket.TcpServer(listener)
    server.start(HOST, 0)
    counter = Counter()
    counter.start()
    time.sleep(0.05)
    before = counter.count
    t0 = time.monotonic()
    assert server.wait(0.5) is False  # still running
    assert time.monotonic() - t0 >= 0.45
    during = counter.count - before
    server.stop()
    counter.stop()
    assert during > 10_000, "the counter thread did not run while wait() blocked"


def test_synchronous_connect_releases_the_gil():
    # A listener whose accept queue is full: new connects hang until the timeout.
    with socket.socket() as full:
        full.bind((HOST, 0))
        full.listen(0)
        port = full.getsockname()[1]
        fillers = []
        for _ in range(8):
            f = socket.socket()
            f.setblocking(False)
            f.connect_ex((HOST, port))
            fillers.append(f)
        time.sleep(0.1)
        counter = Counter()
        counter.start()
        time.sleep(0.05)
        before = counter.count
        client = hpsocket.TcpClient(sync_connect_timeout=800)
        t0 = time.monotonic()
        with pytest.raises(hpsocket.HPSocketError):
            client.start(HOST, port, async_connect=False)
        blocked = time.monotonic() - t0
        during = counter.count - before
        counter.stop()
        for f in fillers:
            f.close()
    assert blocked >= 0.5
    assert during > 10_000, "the counter thread did not run during the synchronous connect"


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals")
def test_signal_interrupts_wait():
    server = hpsocket.TcpServer()
    server.start(HOST, 0)

    class Interrupted(Exception):
        pass

    def handler(signum, frame):
        raise Interrupted()

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        t0 = time.monotonic()
        with pytest.raises(Interrupted):
            server.wait()
        assert time.monotonic() - t0 < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        server.stop()


def test_concurrent_senders_on_one_connection():
    got = bytearray()
    lock = threading.Lock()

    class Sink(hpsocket.TcpServerListener):
        def on_receive(self, sender, conn_id, data):
            with lock:
                got.extend(data)

    with hpsocket.TcpServer(Sink()) as server:
        server.start(HOST, 0)
        with hpsocket.TcpClient() as client:
            client.start(HOST, server.listen_address()[1], async_connect=False)
            chunk = {i: bytes([i]) * 1000 for i in range(8)}

            def send_many(i):
                for _ in range(200):
                    client.send(chunk[i])

            threads = [threading.Thread(target=send_many, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert wait_until(lambda: len(got) == 8 * 200 * 1000)
    # every send arrives whole (sends are not interleaved inside one call)
    for pos in range(0, len(got), 1000):
        assert len(set(got[pos : pos + 1000])) == 1


class LocalCounter(hpsocket.TcpServerListener):
    """Answers each receive with how many receives its worker thread has seen, counted in a
    ``threading.local``: the count survives between events only if the worker keeps one
    Python thread state for its whole life."""

    def __init__(self) -> None:
        self.local = threading.local()

    def on_receive(self, sender, conn_id, data):
        self.local.count = getattr(self.local, "count", 0) + 1
        sender.send(conn_id, b"%d\n" % self.local.count)


def _counts(port: int, messages: int) -> list:
    with socket.create_connection((HOST, port), timeout=10) as s:
        out = []
        for _ in range(messages):
            s.sendall(b"x")
            line = b""
            while not line.endswith(b"\n"):
                chunk = s.recv(64)
                assert chunk, "server closed"
                line += chunk
            out.append(int(line))
        return out


def test_a_worker_keeps_its_thread_state_between_events():
    server = hpsocket.TcpServer(LocalCounter(), worker_thread_count=1)
    for run in range(2):
        server.start(HOST, 0)
        port = server.listen_address()[1]
        try:
            # One worker: its receives count 1, 2, 3, ... across connections; a new run's
            # worker is a new thread, with a new thread state, counting from 1 again.
            assert _counts(port, 5) + _counts(port, 3) == [1, 2, 3, 4, 5, 6, 7, 8], run
        finally:
            server.stop()
