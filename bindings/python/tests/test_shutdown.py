"""Interpreter shutdown with components running: no hang, no crash, listeners still called."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PRELUDE = textwrap.dedent(
    """
    import os, socket, sys, threading, time
    import hpsocket

    class Echo(hpsocket.TcpServerListener):
        def on_receive(self, sender, conn_id, data):
            try:
                sender.send(conn_id, data)
            except hpsocket.HPSocketError:
                return hpsocket.HandleResult.ERROR

        def on_shutdown(self, sender):
            print("server shutdown", flush=True)

    def traffic(port):
        try:
            with socket.create_connection(("127.0.0.1", port)) as s:
                while True:
                    s.sendall(os.urandom(4096))
                    s.recv(65536)
        except OSError:
            pass

    server = hpsocket.TcpServer(Echo(), worker_thread_count=2)
    server.start("127.0.0.1", 0)
    port = server.listen_address()[1]
    for _ in range(8):
        threading.Thread(target=traffic, args=(port,), daemon=True).start()
    """
)


def run(body: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def check(proc: subprocess.CompletedProcess, code: int = 0) -> None:
    assert "Fatal Python error" not in proc.stderr, proc.stderr
    assert "panicked" not in proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)


def test_exit_with_running_server_under_traffic():
    proc = run(
        """
        class Client(hpsocket.TcpClientListener):
            def on_receive(self, sender, conn_id, data):
                sender.send(data)
        client = hpsocket.TcpClient(Client())
        client.start("127.0.0.1", port, async_connect=False)
        client.send(b"ping-pong forever")
        agent = hpsocket.TcpAgent()
        agent.start()
        for _ in range(5):
            agent.connect("127.0.0.1", port)
        time.sleep(0.5)
        print("main done", flush=True)
        """
    )
    check(proc)
    assert proc.stdout.splitlines() == ["main done", "server shutdown"]


def test_exit_while_a_listener_is_inside_a_slow_callback():
    proc = run(
        """
        class Slow(hpsocket.TcpServerListener):
            def on_receive(self, sender, conn_id, data):
                time.sleep(0.3)
                sender.send(conn_id, data)
        slow = hpsocket.TcpServer(Slow())
        slow.start("127.0.0.1", 0)
        for _ in range(3):
            threading.Thread(target=traffic, args=(slow.listen_address()[1],), daemon=True).start()
        time.sleep(0.5)
        """
    )
    check(proc)


def test_exit_by_exception_and_sys_exit():
    proc = run("raise SystemExit(3)")
    check(proc, 3)
    proc = run("raise RuntimeError('main failed')")
    check(proc, 1)
    assert "main failed" in proc.stderr


def test_start_refused_after_exit_began():
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import atexit
                def late():  # registered first, so it runs after hpsocket's handler
                    try:
                        late_server.start("127.0.0.1", 0)
                    except hpsocket.HPSocketError as e:
                        print("refused", e.code.name, flush=True)
                atexit.register(late)
                import hpsocket
                late_server = hpsocket.TcpServer()
                """
            ),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    check(proc)
    assert proc.stdout.strip() == "refused ILLEGAL_STATE"


@pytest.mark.parametrize("daemon_waits", [True, False])
def test_exit_while_a_daemon_thread_waits_or_sends(daemon_waits):
    spam = """
        def spam():
            while True:
                try:
                    for cid in server.all_connection_ids():
                        server.send(cid, b"x" * 100)
                except hpsocket.HPSocketError:
                    pass
        threading.Thread(target=spam, daemon=True).start()
    """
    body = "threading.Thread(target=server.wait, daemon=True).start()" if daemon_waits else spam
    proc = run(textwrap.dedent(body) + "\ntime.sleep(0.3)\n")
    check(proc)
