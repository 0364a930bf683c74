"""The logging bridge (``hpsocket.enable_logging``): the library's records reach the
``hpsocket.<Kind>`` loggers from real servers and clients on 127.0.0.1, at the level asked
for only; off after ``disable_logging``; never a deadlock with a handler that blocks while
``stop()`` closes connections; a bounded queue that counts what it drops; exceptions from
logging code stay out of the library; the last records of an exit still reach the handlers.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading

import pytest

import hpsocket
from hpsocket import _native
from conftest import HOST, wait_until


class Collect(logging.Handler):
    """Keeps the records of the ``hpsocket`` loggers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.mu = threading.Lock()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        with self.mu:
            self.records.append(record)

    def messages(self, needle: str = "") -> list[str]:
        with self.mu:
            return [r.getMessage() for r in self.records if needle in r.getMessage()]

    def matching(self, needle: str) -> list[logging.LogRecord]:
        with self.mu:
            return [r for r in self.records if needle in r.getMessage()]


@pytest.fixture
def hplog():
    """A handler on the ``hpsocket`` logger (set to INFO); logging is disabled, flushed
    and the logger restored afterwards, so no other test sees the hook."""
    logger = logging.getLogger("hpsocket")
    handler = Collect()
    logger.addHandler(handler)
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler
    finally:
        hpsocket.disable_logging()
        assert hpsocket.flush_logging(30)
        assert wait_until(lambda: not _native._log_state()[1], 30)
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
        for name in list(logging.Logger.manager.loggerDict):
            if name.startswith("hpsocket."):
                logging.getLogger(name).setLevel(logging.NOTSET)


class Track(hpsocket.TcpServerListener):
    """Remembers accepted and closed connection IDs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[int] = []
        self.closed: dict[int, tuple[int, int]] = {}

    def on_accept(self, sender, conn_id, fd):
        with self.lock:
            self.accepted.append(conn_id)

    def on_close(self, sender, conn_id, operation, error_code):
        with self.lock:
            self.closed[conn_id] = (operation, error_code)


def _server(**settings):
    listener = Track()
    server = hpsocket.TcpServer(listener, **settings)
    server.start(HOST, 0)
    return server, listener


def _rst(sock: socket.socket) -> None:
    """Closes with a reset (SO_LINGER 0)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_accept_and_close_records_reach_the_component_logger(caplog):
    caplog.set_level(logging.INFO, logger="hpsocket")
    assert hpsocket.enable_logging() == logging.INFO
    try:
        server, listener = _server()
        with server:
            port = server.listen_address()[1]
            a = socket.create_connection((HOST, port))
            b = socket.create_connection((HOST, port))
            a_port, b_port = a.getsockname()[1], b.getsockname()[1]
            assert wait_until(lambda: len(listener.accepted) == 2)
            a.close()
            _rst(b)
            assert wait_until(lambda: len(listener.closed) == 2)
            # An hpsocket client logs as hpsocket.TcpClient.
            client = hpsocket.TcpClient()
            client.start(HOST, port, async_connect=False)
            client.stop()
            assert hpsocket.flush_logging(30)
        records = [r for r in caplog.records if r.name.startswith("hpsocket")]

        def find(needle):
            found = [r for r in records if needle in r.getMessage()]
            assert len(found) == 1, (needle, [r.getMessage() for r in records])
            return found[0]

        accepted = find("accepted from 127.0.0.1:%d" % a_port)
        assert accepted.name == "hpsocket.TcpServer"
        assert accepted.levelno == logging.INFO
        assert accepted.hpsocket_source.startswith("TcpServer#")
        assert accepted.getMessage().startswith(accepted.hpsocket_source + ": connection ")
        # The worker that logged it, not the thread that handed it over.
        assert accepted.threadName.startswith("hp-"), accepted.threadName
        closed = find("(127.0.0.1:%d) closed: " % a_port)
        assert closed.getMessage().endswith("no error")
        assert closed.levelno == logging.INFO
        assert closed.created >= accepted.created
        reset = find("(127.0.0.1:%d) closed: " % b_port)
        assert "Connection reset by peer" in reset.getMessage()
        connecting = find("connecting to 127.0.0.1:%d" % port)
        assert connecting.name == "hpsocket.TcpClient"
    finally:
        hpsocket.disable_logging()
        hpsocket.flush_logging(30)


def test_level_filtering(hplog):
    logger = logging.getLogger("hpsocket")
    logger.setLevel(logging.WARNING)
    assert hpsocket.enable_logging() == logging.WARNING
    server, listener = _server(max_connection_count=1)
    with server:
        addr = server.listen_address()
        with socket.create_connection(addr) as first:
            assert wait_until(lambda: len(listener.accepted) == 1)
            with socket.create_connection(addr) as second:
                second_port = second.getsockname()[1]
                # Refused at MaxConnectionCount: the server closes it at once.
                second.settimeout(10)
                assert second.recv(1) == b""
            assert hpsocket.flush_logging(30)
            refused = hplog.matching("connection from 127.0.0.1:%d refused" % second_port)
            assert len(refused) == 1, hplog.messages()
            assert "MaxConnectionCount (1)" in refused[0].getMessage()
            assert refused[0].levelno == logging.WARNING
            assert refused[0].name == "hpsocket.TcpServer"
            first_port = first.getsockname()[1]
        assert wait_until(lambda: len(listener.closed) == 1)
        assert hpsocket.flush_logging(30)
        # INFO records were never produced at WARNING.
        assert hplog.messages("127.0.0.1:%d" % first_port) == []
        assert all(r.levelno >= logging.WARNING for r in hplog.records)

        # Installed at DEBUG while the logger says WARNING: logging still filters.
        assert hpsocket.enable_logging(logging.DEBUG) == logging.DEBUG
        with socket.create_connection(addr) as third:
            third_port = third.getsockname()[1]
            assert wait_until(lambda: len(listener.accepted) == 2)
        assert wait_until(lambda: len(listener.closed) == 2)
        assert hpsocket.flush_logging(30)
        assert hplog.messages("127.0.0.1:%d" % third_port) == []

        # A child logger set lower counts: enable_logging() follows it.
        logging.getLogger("hpsocket.TcpServer").setLevel(logging.INFO)
        assert hpsocket.enable_logging() == logging.INFO
        with socket.create_connection(addr) as fourth:
            fourth_port = fourth.getsockname()[1]
            assert wait_until(lambda: len(listener.accepted) == 3)
        assert wait_until(lambda: len(listener.closed) == 3)
        assert hpsocket.flush_logging(30)
        assert len(hplog.messages("127.0.0.1:%d" % fourth_port)) == 2


def test_tls_handshake_failure_is_a_warning(hplog, cert):
    crt, key = cert
    closed = threading.Event()

    class Watch(hpsocket.TcpServerListener):
        def on_close(self, sender, conn_id, operation, error_code):
            closed.set()

    logging.getLogger("hpsocket").setLevel(logging.WARNING)
    assert hpsocket.enable_logging() == logging.WARNING
    with hpsocket.SslServer(Watch()) as server:
        server.setup_ssl_context(hpsocket.SSL_VM_NONE, crt, key)
        server.start(HOST, 0)
        with socket.create_connection(server.listen_address(), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")  # not a TLS ClientHello
            assert closed.wait(10)
        assert hpsocket.flush_logging(30)
        failure = server.last_error()
    warnings = [r for r in hplog.records if r.name == "hpsocket.TcpServer"]
    assert len(warnings) == 1, hplog.messages()
    assert warnings[0].levelno == logging.WARNING
    # The same text the component keeps as its last error.
    assert failure is not None and failure.context in warnings[0].getMessage()


def test_disable_turns_the_hook_off(hplog):
    assert hpsocket.enable_logging() == logging.INFO
    server, listener = _server()
    with server:
        addr = server.listen_address()
        with socket.create_connection(addr) as s:
            port = s.getsockname()[1]
            assert wait_until(lambda: len(listener.accepted) == 1)
        assert wait_until(lambda: len(listener.closed) == 1)
        assert hpsocket.flush_logging(30)
        assert len(hplog.messages("127.0.0.1:%d" % port)) == 2

        hpsocket.disable_logging()
        queued_before = _native._log_state()[0]
        with socket.create_connection(addr) as s:
            port = s.getsockname()[1]
            assert wait_until(lambda: len(listener.accepted) == 2)
        assert wait_until(lambda: len(listener.closed) == 2)
        # Nothing was queued: the log points did not fire.
        assert _native._log_state()[0] == queued_before
        assert hpsocket.flush_logging(30)
        assert hplog.messages("127.0.0.1:%d" % port) == []
    # The drainer thread ends once the queue is empty.
    assert wait_until(lambda: not _native._log_state()[1], 30)
    assert not [t for t in threading.enumerate() if t.name == "hpsocket-log"]


def test_above_error_installs_nothing(hplog):
    logging.getLogger("hpsocket").setLevel(logging.CRITICAL)
    assert hpsocket.enable_logging() is None
    assert hpsocket.enable_logging("critical") is None
    queued_before = _native._log_state()[0]
    server, listener = _server()
    with server:
        with socket.create_connection(server.listen_address()):
            assert wait_until(lambda: len(listener.accepted) == 1)
        assert wait_until(lambda: len(listener.closed) == 1)
    assert _native._log_state()[0] == queued_before


def test_enable_logging_arguments(hplog):
    assert hpsocket.enable_logging("debug") == logging.DEBUG
    assert hpsocket.enable_logging(logging.WARNING) == logging.WARNING
    assert hpsocket.enable_logging(logging.ERROR) == logging.ERROR
    assert hpsocket.enable_logging(15) == logging.INFO  # between DEBUG and INFO: INFO and up
    with pytest.raises(ValueError, match="unknown level name 'LOUD'"):
        hpsocket.enable_logging("LOUD")
    with pytest.raises(TypeError):
        hpsocket.enable_logging(1.5)
    with pytest.raises(TypeError):
        hpsocket.enable_logging(True)
    with pytest.raises(ValueError, match="queue_size"):
        hpsocket.enable_logging(queue_size=0)
    assert hpsocket.flush_logging(0)


def test_stop_while_a_handler_blocks_does_not_deadlock(hplog):
    """A handler that waits for a lock the stopping thread holds: with a hook that took the
    GIL (or ran Python) on the worker, the workers closing connections inside ``stop()``
    would wait for the handler, and the handler for ``stop()``'s caller."""
    gate = threading.Lock()
    entered = threading.Event()

    class Blocking(logging.Handler):
        def emit(self, record):
            entered.set()
            with gate:
                pass

    blocking = Blocking()  # after hplog's handler: that one sees each record first
    logging.getLogger("hpsocket").addHandler(blocking)
    n = 20
    try:
        assert hpsocket.enable_logging() == logging.INFO
        server, listener = _server(worker_thread_count=2)
        peers = [socket.create_connection(server.listen_address()) for _ in range(n)]
        try:
            assert wait_until(lambda: len(listener.accepted) == n)
            assert hpsocket.flush_logging(30)
            with gate:
                entered.clear()
                stopper = threading.Thread(target=server.stop)
                stopper.start()
                stopper.join(60)
                assert not stopper.is_alive(), "stop() deadlocked with a blocked log handler"
                assert len(listener.closed) == n
                # The handler got the first close record and is stuck until the gate opens.
                assert entered.wait(30)
                assert len(hplog.messages(" closed: ")) == 1
            assert hpsocket.flush_logging(60)
        finally:
            for p in peers:
                p.close()
        assert len(hplog.messages(" closed: ")) == n, hplog.messages()
    finally:
        logging.getLogger("hpsocket").removeHandler(blocking)


def test_a_refused_send_logs_from_the_calling_thread_without_deadlock(hplog):
    """The send-queue refusal is logged inside ``send()``, under the connection's send lock,
    by a thread that holds the GIL."""
    logging.getLogger("hpsocket").setLevel(logging.WARNING)
    assert hpsocket.enable_logging() == logging.WARNING
    server, listener = _server(max_send_queue_bytes=64 * 1024)
    with server:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(server.listen_address())
            assert wait_until(lambda: len(listener.accepted) == 1)
            (cid,) = listener.accepted
            for _ in range(10_000):  # the peer does not read: the queue fills up
                try:
                    server.send(cid, b"z" * 16384)
                except hpsocket.HPSocketError as e:
                    refusal = e
                    break
            else:
                pytest.fail("no send was refused")
            assert refusal.errno.name == "ENOBUFS"
            assert hpsocket.flush_logging(30)
            refused = hplog.matching("connection %d: a send of 16384 bytes refused" % cid)
            assert len(refused) == 1, hplog.messages()
            assert refused[0].levelno == logging.WARNING
            # Logged by this (Python) thread.
            assert refused[0].threadName == threading.current_thread().name
            assert refused[0].thread == threading.get_ident()


def test_full_queue_drops_and_counts(hplog):
    gate = threading.Event()
    entered = threading.Event()

    class Blocking(logging.Handler):
        def emit(self, record):
            entered.set()
            gate.wait(60)

    blocking = Blocking()
    logging.getLogger("hpsocket").addHandler(blocking)
    try:
        assert hpsocket.enable_logging(queue_size=2) == logging.INFO
        server, listener = _server()
        with server:
            addr = server.listen_address()
            first = socket.create_connection(addr)
            # The drainer took the first record and is stuck in the handler.
            assert entered.wait(30)
            peers = [socket.create_connection(addr) for _ in range(9)]
            assert wait_until(lambda: len(listener.accepted) == 10)
            for p in [first] + peers:
                p.close()
            assert wait_until(lambda: len(listener.closed) == 10)
            gate.set()
            assert hpsocket.flush_logging(30)
        # 20 records (10 accepts, 10 closes) minus the shutdown's (none: all closed before).
        delivered = [m for m in hplog.messages() if m.startswith("TcpServer#")]
        dropped = hplog.matching("log records dropped")
        assert len(dropped) == 1, hplog.messages()
        count = int(dropped[0].getMessage().split()[0])
        assert dropped[0].levelno == logging.WARNING and dropped[0].name == "hpsocket"
        # The first record, then two queued while the handler was stuck.
        assert len(delivered) == 3, delivered
        assert len(delivered) + count == 20
    finally:
        gate.set()
        logging.getLogger("hpsocket").removeHandler(blocking)


def test_exceptions_in_logging_code_stay_out_of_the_library(hplog, unraisable):
    """A filter or a handler that raises (logging's own handlers catch their errors, a
    custom ``emit`` may not): the exception goes to ``sys.unraisablehook`` and the library
    and the later records go on."""

    class Picky(logging.Filter):
        def filter(self, record):
            if "accepted" in record.getMessage():
                raise RuntimeError("filter failed")
            return True

    class Broken(logging.Handler):
        def emit(self, record):
            raise ValueError("handler failed")

    picky, broken = Picky(), Broken()
    child = logging.getLogger("hpsocket.TcpServer")
    child.addFilter(picky)
    logging.getLogger("hpsocket").addHandler(broken)  # after hplog's handler
    try:
        assert hpsocket.enable_logging() == logging.INFO

        class Echo(Track):
            def on_receive(self, sender, conn_id, data):
                sender.send(conn_id, data)

        listener = Echo()
        with hpsocket.TcpServer(listener) as server:
            server.start(HOST, 0)
            for _ in range(3):
                with socket.create_connection(server.listen_address(), timeout=10) as s:
                    s.sendall(b"ping")
                    assert s.recv(4) == b"ping"
                assert wait_until(lambda: len(listener.closed) == len(listener.accepted))
            assert hpsocket.flush_logging(30)
        assert len(listener.closed) == 3
        # Accepted: the filter raised; closed: the handler raised.
        assert unraisable.types() == [RuntimeError, ValueError] * 3
        assert len(hplog.messages(" closed: ")) == 3
        assert hplog.messages("accepted") == []
    finally:
        child.removeFilter(picky)
        logging.getLogger("hpsocket").removeHandler(broken)


def test_flush_from_a_handler_returns_at_once(hplog):
    results = []

    class Flusher(logging.Handler):
        def emit(self, record):
            results.append(hpsocket.flush_logging(30))

    flusher = Flusher()
    logging.getLogger("hpsocket").addHandler(flusher)
    try:
        assert hpsocket.enable_logging() == logging.INFO
        server, listener = _server()
        with server:
            with socket.create_connection(server.listen_address()):
                assert wait_until(lambda: len(listener.accepted) == 1)
            assert hpsocket.flush_logging(30)
        assert results and not any(results)
    finally:
        logging.getLogger("hpsocket").removeHandler(flusher)


def test_records_of_the_exit_stop_reach_the_handlers(tmp_path):
    """A server left running at exit: the exit handler stops it, and the close record of
    that stop is written before logging shuts down."""
    script = tmp_path / "exit_log.py"
    script.write_text(textwrap.dedent("""
        import logging, socket, sys, time
        import hpsocket

        logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(name)s %(message)s")
        hpsocket.enable_logging()

        class L(hpsocket.TcpServerListener):
            accepted = 0
            def on_accept(self, sender, conn_id, fd):
                L.accepted += 1

        server = hpsocket.TcpServer(L())
        server.start("127.0.0.1", 0)
        peer = socket.create_connection(server.listen_address())
        deadline = time.monotonic() + 30
        while not L.accepted and time.monotonic() < deadline:
            time.sleep(0.01)
        print("port", peer.getsockname()[1], flush=True)
        # No stop: the exit handler stops the server with the connection open.
    """))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    (port,) = [int(line.split()[1]) for line in lines if line.startswith("port ")]
    assert any("accepted from 127.0.0.1:%d" % port in line for line in lines), lines
    closed = [line for line in lines if "(127.0.0.1:%d) closed: " % port in line]
    assert len(closed) == 1 and closed[0].startswith("hpsocket.TcpServer "), lines
