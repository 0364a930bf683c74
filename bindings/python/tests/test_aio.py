"""hpsocket.aio: asyncio streams and protocols over TcpServer/TcpAgent, on real loopback
sockets, each test under the default asyncio loop and under uvloop. Echo of many sizes up to
1 MiB; 200 concurrent connections; back-pressure (a reader that does not read pauses the
connection, the writer's drain blocks with bounded buffers on both sides, then resumes);
EOF after the peer closes; errors as OSError subclasses naming the close reason; the server
stopping under connected clients; cancelling a pending read; the protocol API; events
running on the loop's thread."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading

import pytest

import hpsocket
from conftest import example_dir
from hpsocket import aio

try:
    import uvloop
except ImportError:  # the make target installs it; elsewhere the uvloop runs are skipped
    uvloop = None

HOST = "127.0.0.1"
TIMEOUT = 60.0

LOOPS = [
    "asyncio",
    pytest.param("uvloop", marks=pytest.mark.skipif(uvloop is None, reason="needs uvloop")),
]


@pytest.fixture(params=LOOPS)
def run(request):
    """Runs a coroutine function on a new loop of the parameter's kind; fails the test if
    the loop's exception handler heard of anything (a callback of the module failing)."""

    def run(fn, *args):
        if request.param == "uvloop":
            loop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        errors: list = []
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        try:
            return loop.run_until_complete(asyncio.wait_for(fn(*args), TIMEOUT))
        finally:
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in tasks:
                t.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
            assert not errors, errors

    run.kind = request.param
    return run


async def until(predicate, what: str) -> None:
    """Waits (on the loop) until ``predicate()`` holds; fails after TIMEOUT."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for " + what
        await asyncio.sleep(0.005)


def payload(n: int, seed: int = 0) -> bytes:
    block = bytes((seed + i * 31) & 0xFF for i in range(4096))
    return (block * (n // 4096 + 1))[:n]


class EchoHandler:
    """start_server's callback: echoes until EOF, then closes; counts what it saw."""

    def __init__(self) -> None:
        self.started = 0
        self.finished = 0
        self.threads: set[int] = set()

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.started += 1
        self.threads.add(threading.get_ident())
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            self.finished += 1


SIZES = [1, 2, 100, 4095, 4096, 4097, 65535, 65536, 65537, 300_000, 1 << 20]


def test_echo_of_many_sizes_up_to_1_mib(run):
    async def main():
        handler = EchoHandler()
        async with await aio.start_server(handler, HOST, 0, worker_thread_count=2) as server:
            assert server.is_serving() and server.port > 0
            assert server.address == (HOST, server.port)
            async with aio.Agent(worker_thread_count=2) as agent:
                reader, writer = await agent.open_connection(HOST, server.port)
                peer = writer.get_extra_info("peername")
                assert peer == (HOST, server.port)
                assert writer.get_extra_info("sockname")[0] == HOST
                assert isinstance(writer.get_extra_info("conn_id"), int)
                for i, n in enumerate(SIZES):
                    data = payload(n, i)
                    writer.write(data)
                    await writer.drain()
                    assert await reader.readexactly(n) == data, n
                # Many small writes back to back arrive as one stream, in order.
                parts = [payload(1 + i * 7, i) for i in range(200)]
                for p in parts:
                    writer.write(p)
                writer.writelines([b"x", bytearray(b"yz"), memoryview(b"!")])
                await writer.drain()
                whole = b"".join(parts) + b"xyz!"
                assert await reader.readexactly(len(whole)) == whole
                writer.close()
                await writer.wait_closed()
                await until(lambda: handler.finished == 1, "the handler to see EOF")
                # The library releases an ID once on_close returned on the worker, which
                # may be after the loop heard of the close.
                await until(lambda: agent.component.connection_count == 0, "the agent's count")
        assert not server.is_serving()
        assert handler.started == 1
        # Every callback ran on the loop's thread, none on a worker.
        assert handler.threads == {threading.get_ident()}

    run(main)


def test_200_concurrent_connections_through_the_shared_agent(run):
    count = 200

    async def client(port: int, n: int) -> int:
        reader, writer = await aio.open_connection(HOST, port)
        total = 0
        for k in range(3):
            data = payload(1 + (n * 97 + k * 1009) % 20000, n + k)
            writer.write(data)
            await writer.drain()
            assert await reader.readexactly(len(data)) == data
            total += len(data)
        writer.close()
        await writer.wait_closed()
        return total

    async def main():
        handler = EchoHandler()
        server = await aio.start_server(handler, HOST, 0, worker_thread_count=2)
        try:
            totals = await asyncio.gather(*(client(server.port, n) for n in range(count)))
            assert len(totals) == count and all(totals)
            await until(lambda: handler.finished == count, "every handler to end")
            assert handler.started == count
            # The shared agent stops once its last connection closed.
            loop = asyncio.get_running_loop()
            await until(lambda: loop not in aio._default_agents, "the shared agent to retire")
            # A later connection gets a new one.
            assert await client(server.port, 0) > 0
        finally:
            await server.stop()
        assert server.component.state == hpsocket.ServiceState.STOPPED

    run(main)


class WatchedReader(asyncio.StreamReader):
    """A StreamReader that remembers the most it ever held."""

    most = 0

    def feed_data(self, data):
        super().feed_data(data)
        self.most = max(self.most, len(self._buffer))


def test_backpressure_a_slow_reader_bounds_memory_and_drain_blocks_then_resumes(run):
    cap = 256 * 1024
    low = 64 * 1024
    chunk = 64 * 1024
    limit = 64 * 1024
    total = 48 * 1024 * 1024  # more than the kernel buffers hold (tcp_rmem max 32 MiB here)

    async def main():
        loop = asyncio.get_running_loop()
        state = {"written": 0, "most_buffered": 0, "waits": 0}
        digest = hashlib.sha256()
        paused = asyncio.Event()
        blocked_while_paused = asyncio.Event()

        async def producer(reader, writer):
            i = 0
            while state["written"] < total:
                data = payload(chunk, i)
                writer.write(data)
                digest.update(data)
                state["written"] += len(data)
                i += 1
                state["most_buffered"] = max(
                    state["most_buffered"], writer.transport.get_write_buffer_size()
                )
                # Whether drain has to wait: its first step returns at once unless writing
                # is paused (the component refused a send: its queue is over the bound).
                drain = asyncio.ensure_future(writer.drain())
                await asyncio.sleep(0)
                if not drain.done():
                    state["waits"] += 1
                    if paused.is_set():
                        blocked_while_paused.set()
                await drain
            writer.close()
            await writer.wait_closed()

        async with await aio.start_server(
            producer, HOST, 0, worker_thread_count=2,
            max_send_queue_bytes=cap, send_queue_low_watermark=low,
        ) as server:
            assert server.component.max_send_queue_bytes == cap
            reader = WatchedReader(limit=limit, loop=loop)
            protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
            transport, _ = await aio.create_connection(lambda: protocol, HOST, server.port)
            writer = asyncio.StreamWriter(transport, protocol, reader, loop)
            # Nobody reads: the reader pauses the connection once it holds 2 * limit, and
            # the producer's drain then blocks.
            await until(lambda: not transport.is_reading(), "the reader to pause")
            paused.set()
            await blocked_while_paused.wait()
            assert state["written"] < total
            # Reading lets drain resume; the stream arrives whole, in order.
            got = hashlib.sha256()
            received = 0
            while True:
                data = await reader.read(1 << 20)
                if not data:
                    break
                got.update(data)
                received += len(data)
            assert received == state["written"] == total
            assert got.hexdigest() == digest.hexdigest()
            # 48 MiB went through while memory stayed bounded: the writer never held more
            # than the component's bound plus one chunk, the reader never more than its
            # pause point plus what may be on its way from the worker (the inbox's bound)
            # plus a few reads.
            assert state["most_buffered"] <= cap + chunk
            assert reader.most <= 2 * limit + aio._INBOX_HIGH + 256 * 1024, reader.most
            assert state["waits"] >= 1
            writer.close()
            await writer.wait_closed()

    run(main)


def test_peer_close_reads_as_eof_and_wait_closed_returns(run):
    async def main():
        async def say_bye(reader, writer):
            writer.write(b"bye " * 50_000)
            writer.close()
            await writer.wait_closed()

        async with await aio.start_server(say_bye, HOST, 0) as server:
            reader, writer = await aio.open_connection(HOST, server.port)
            # Everything written before close() arrives, then EOF.
            assert await reader.read() == b"bye " * 50_000
            assert reader.at_eof()
            assert await reader.read(10) == b""
            assert writer.is_closing()
            await writer.wait_closed()
            with pytest.raises(ConnectionResetError):
                writer.write(b"late")  # dropped: the connection is gone
                await writer.drain()

    run(main)


def test_a_reset_raises_an_oserror_naming_the_reason(run):
    async def main():
        loop = asyncio.get_running_loop()
        listener = socket.socket()
        listener.bind((HOST, 0))
        listener.listen(1)
        try:
            accepting = loop.run_in_executor(None, listener.accept)
            reader, writer = await aio.open_connection(HOST, listener.getsockname()[1])
            peer, _ = await accepting
            # SO_LINGER 0: close() sends a reset.
            peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            peer.close()
            with pytest.raises(ConnectionResetError) as e:
                await reader.read(100)
            assert "ECONNRESET" in str(e.value) and "connection reset" in str(e.value).lower()
            assert e.value.operation == hpsocket.SocketOperation.CLOSE
            with pytest.raises(ConnectionResetError):
                await writer.wait_closed()
            writer.close()
        finally:
            listener.close()

    run(main)


def test_host_names_are_looked_up_off_the_loop_and_each_address_tried(run):
    async def main():
        async with await aio.start_server(EchoHandler(), HOST, 0) as server:
            # "localhost" may list ::1 first, where nothing listens: the next one is tried.
            reader, writer = await aio.open_connection("localhost", server.port)
            assert writer.get_extra_info("peername") == (HOST, server.port)
            writer.write(b"by name")
            assert await reader.readexactly(7) == b"by name"
            writer.close()
            await writer.wait_closed()

    run(main)


def test_a_refused_connect_raises_connection_refused_error(run):
    async def main():
        s = socket.socket()
        s.bind((HOST, 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        with pytest.raises(ConnectionRefusedError) as e:
            await aio.open_connection(HOST, port)
        assert "CONNECT" in str(e.value) and "ECONNREFUSED" in str(e.value)
        assert e.value.operation == hpsocket.SocketOperation.CONNECT

    run(main)


def test_server_stop_while_clients_are_connected(run):
    clients = 20

    async def main():
        handler = EchoHandler()
        server = await aio.start_server(handler, HOST, 0, worker_thread_count=2)
        async with aio.Agent(worker_thread_count=2) as agent:
            streams = [await agent.open_connection(HOST, server.port) for _ in range(clients)]
            for n, (reader, writer) in enumerate(streams):
                writer.write(b"hello %d" % n)
                await writer.drain()
                assert await reader.readexactly(len(b"hello %d" % n)) == b"hello %d" % n
            assert handler.started == clients
            reads = [asyncio.ensure_future(r.read(100)) for r, _ in streams]
            await server.stop()
            # Every connection closed on both sides: the handlers' readers and the clients'
            # see EOF; connection_lost ran for all of them before wait_closed returned.
            assert not server.is_serving()
            assert server.component.connection_count == 0
            assert await asyncio.gather(*reads) == [b""] * clients
            await until(lambda: handler.finished == clients, "every handler to end")
            for _, writer in streams:
                await writer.wait_closed()
            # IDs are released once on_close returned on the worker, maybe after the loop
            # heard of the close.
            await until(lambda: agent.component.connection_count == 0, "the agent's count")
            await server.wait_closed()  # again: returns at once

    run(main)


def test_cancelling_a_pending_read_leaves_the_connection_usable(run):
    async def main():
        async with await aio.start_server(EchoHandler(), HOST, 0) as server:
            reader, writer = await aio.open_connection(HOST, server.port)
            pending = asyncio.ensure_future(reader.read(100))
            await asyncio.sleep(0)  # the read is now waiting for data
            assert not pending.done()
            pending.cancel()
            with pytest.raises(asyncio.CancelledError):
                await pending
            writer.write(b"still there")
            await writer.drain()
            assert await reader.readexactly(11) == b"still there"
            # A cancelled wait_for around a read, too.
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(reader.read(100), 0.05)
            writer.write(b"again")
            assert await reader.readexactly(5) == b"again"
            writer.close()
            await writer.wait_closed()

    run(main)


def test_protocol_api(run):
    async def main():
        loop = asyncio.get_running_loop()
        events: list = []
        done = loop.create_future()

        class Upper(asyncio.Protocol):
            def connection_made(self, transport):
                self.transport = transport
                events.append(("made", threading.get_ident()))

            def data_received(self, data):
                events.append(("data", threading.get_ident()))
                self.transport.write(data.upper())

            def connection_lost(self, exc):
                events.append(("lost", exc))

        class Client(asyncio.Protocol):
            def __init__(self):
                self.got = b""

            def data_received(self, data):
                self.got += data
                if len(self.got) == 5:
                    done.set_result(self.got)

            def connection_lost(self, exc):
                events.append(("client lost", exc))

        server = await aio.create_server(Upper, HOST, 0)
        transport, protocol = await aio.create_connection(Client, HOST, server.port)
        assert isinstance(transport, asyncio.Transport)
        assert transport.get_extra_info("peername") == (HOST, server.port)
        assert transport.get_protocol() is protocol
        assert not transport.can_write_eof()
        low, high = transport.get_write_buffer_limits()
        assert (low, high) == (aio.DEFAULT_SEND_QUEUE_LOW_WATERMARK, aio.DEFAULT_MAX_SEND_QUEUE_BYTES)
        with pytest.raises(NotImplementedError):
            transport.write_eof()
        with pytest.raises(TypeError):
            transport.write("text")
        transport.write(b"hello")
        assert await done == b"HELLO"
        transport.abort()
        await until(lambda: ("lost", None) in events, "the server's connection_lost")
        await server.stop()
        me = threading.get_ident()
        assert [e for e in events if e[0] in ("made", "data")] == [("made", me), ("data", me)]
        assert ("client lost", None) in events

    run(main)


def test_start_failures_raise_hpsocket_error(run):
    async def main():
        async with await aio.start_server(EchoHandler(), HOST, 0) as server:
            with pytest.raises(hpsocket.HPSocketError) as e:
                await aio.start_server(EchoHandler(), HOST, server.port)
            assert e.value.code == hpsocket.SocketError.SOCKET_BIND

    run(main)


def test_cancelling_a_connect_abandons_the_connection(run):
    async def main():
        async with await aio.start_server(EchoHandler(), HOST, 0) as server:
            async with aio.Agent(worker_thread_count=1) as agent:
                connecting = asyncio.ensure_future(agent.open_connection(HOST, server.port))
                await asyncio.sleep(0)  # the connect is under way
                assert agent.component.connection_count == 1
                connecting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await connecting
                await until(lambda: agent.component.connection_count == 0, "the abandoned close")
                # The agent still connects.
                reader, writer = await agent.open_connection(HOST, server.port)
                writer.write(b"ok")
                assert await reader.readexactly(2) == b"ok"
                writer.close()
                await writer.wait_closed()

    run(main)


def test_an_agent_belongs_to_its_loop():
    agent = aio.Agent(worker_thread_count=1)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(agent.start())
        other = asyncio.new_event_loop()
        try:
            with pytest.raises(RuntimeError, match="another event loop"):
                other.run_until_complete(agent.open_connection(HOST, 9))
        finally:
            other.close()
        loop.run_until_complete(agent.stop())
        assert agent.component.state == hpsocket.ServiceState.STOPPED
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


@pytest.mark.parametrize("kind", LOOPS)
def test_the_asyncio_echo_examples(kind):
    examples = example_dir()
    extra = ["--uvloop"] if kind == "uvloop" else []
    server = subprocess.Popen(
        [sys.executable, "-u", os.path.join(examples, "asyncio_echo_server.py"), "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # Ctrl+C stops it: a shell's background job would otherwise inherit SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = server.stdout.readline()
        m = re.search(r"Serving on \('127\.0\.0\.1', (\d+)\)", line)
        assert m, line
        client = subprocess.run(
            [sys.executable, os.path.join(examples, "asyncio_echo_client.py"), m.group(1),
             "hello from asyncio", *extra],
            capture_output=True, text=True, timeout=TIMEOUT,
        )
        assert client.returncode == 0, client.stderr
        assert client.stdout.splitlines() == [
            "Send: 'hello from asyncio'",
            "Received: 'hello from asyncio'",
            "Close the connection",
        ]
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=TIMEOUT)
        assert server.returncode == 0, err
        assert re.search(r"Received 'hello from asyncio' from \('127\.0\.0\.1', \d+\)", out), out
        assert out.splitlines()[-1] == "Server closed", out
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
