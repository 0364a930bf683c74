"""asyncio streams and protocols over hpsocket's TCP server and agent.

The shape of :func:`asyncio.start_server` and :func:`asyncio.open_connection`, with the
library's worker threads doing the I/O::

    import asyncio
    from hpsocket import aio

    async def handle(reader, writer):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def main():
        async with await aio.start_server(handle, "127.0.0.1", 8888) as server:
            reader, writer = await aio.open_connection("127.0.0.1", server.port)
            ...

    asyncio.run(main())

The readers and writers are :class:`asyncio.StreamReader` and :class:`asyncio.StreamWriter`
objects over a transport of this module (:func:`create_server` and
:func:`create_connection` take protocol factories, as the loop's methods do). Events of the
worker threads reach the event loop through ``loop.call_soon_threadsafe`` only, in order per
connection; everything else (protocol callbacks, the transport's calls into the component)
runs on the loop's thread. Works with any asyncio loop, uvloop included.

* Back-pressure: ``write`` hands data to the component, whose send queue is bounded by
  ``max_send_queue_bytes`` (default here 1 MiB; ``0`` unbounds it). A send the queue refuses
  stays in the transport and writing pauses: ``await writer.drain()`` waits until the
  component's ``on_send_drained`` (the queue down to ``send_queue_low_watermark``, default
  here 256 KiB) let the transport hand it over. Reading pauses (``pause_receive``) while a
  reader holds more than twice its ``limit``.
* Close: ``writer.close()`` stops reading, waits until the component's queue is empty, then
  disconnects; ``await writer.wait_closed()`` returns once the connection is gone. The
  peer's close reads as EOF (``reader.read()`` returns ``b""``). A connection that ends with
  an error (a reset, a failed write, a refused connect) raises ``OSError`` from the reader,
  ``drain``, ``wait_closed`` or ``open_connection``: the subclass for its errno
  (``ConnectionResetError``, ``ConnectionRefusedError``, ...), with a message naming the
  operation and the reason (``connection 3 closed: CLOSE, ECONNRESET (Connection reset by
  peer)``) and ``operation`` (a :class:`hpsocket.SocketOperation`).
* No half-close: the library closes a connection as a whole when the peer ends its side, so
  ``can_write_eof()`` is False.
"""

from __future__ import annotations

import asyncio
import collections
import errno as _errno
import ipaddress
import socket
import threading
import weakref
from typing import Any, Awaitable, Callable, Optional, Tuple, Union

from ._errno import Errno
from ._listeners import TcpAgentListener, TcpServerListener
from ._native import HPSocketError, ServiceState, SocketOperation, TcpAgent, TcpServer

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_SEND_QUEUE_BYTES",
    "DEFAULT_SEND_QUEUE_LOW_WATERMARK",
    "Agent",
    "Server",
    "create_connection",
    "create_server",
    "open_connection",
    "start_server",
]

#: A reader's default buffer limit, as asyncio's (reading pauses above twice this).
DEFAULT_LIMIT = 2**16
#: ``max_send_queue_bytes`` of the components made here unless given (HP-Socket's own
#: default, 0, would never push back).
DEFAULT_MAX_SEND_QUEUE_BYTES = 1 << 20
#: ``send_queue_low_watermark`` of the components made here unless given.
DEFAULT_SEND_QUEUE_LOW_WATERMARK = 1 << 18

# writer.close() with data still queued in the component: no event says the queue emptied
# (on_send_drained fires only after a refused send), so the transport looks again after
# these delays, doubling up to the last.
_CLOSE_POLL_FIRST = 0.001
_CLOSE_POLL_MAX = 0.05

# Bytes of one connection on their way from a worker to the loop before the worker pauses
# receiving on it, and after which the loop lets it go on (see _Inbox).
_INBOX_HIGH = 256 * 1024
_INBOX_LOW = 64 * 1024


def _with_queue_bounds(settings: dict) -> dict:
    settings = dict(settings)
    if "max_send_queue_bytes" not in settings:
        settings["max_send_queue_bytes"] = DEFAULT_MAX_SEND_QUEUE_BYTES
        settings.setdefault(
            "send_queue_low_watermark",
            min(DEFAULT_SEND_QUEUE_LOW_WATERMARK, settings["max_send_queue_bytes"] - 1),
        )
    return settings


def _close_error(conn_id: int, operation: int, error_code: int) -> OSError:
    """The exception for a connection that ended with ``error_code``: OSError picks the
    subclass for the errno (ConnectionResetError, ...)."""
    op = SocketOperation(operation)
    code = Errno(error_code)
    exc = OSError(int(code), "connection %d closed: %s, %s" % (conn_id, op.name, code))
    exc.operation = op  # type: ignore[attr-defined]
    exc.conn_id = conn_id  # type: ignore[attr-defined]
    return exc


class _Inbox:
    """Hands events from the library's worker threads to the event loop. A worker only
    appends under a lock and, if no batch is scheduled yet, calls
    ``loop.call_soon_threadsafe`` (the one loop method that may be called from another
    thread); the batch then runs on the loop in arrival order. One wake-up serves every
    event that arrived meanwhile.

    It also bounds what is on its way: a reader's ``pause_reading`` takes effect only when
    the loop gets to it, while the worker goes on reading. So the worker pauses a connection
    itself once more than ``_INBOX_HIGH`` bytes of it wait for the loop, and the loop lets it
    go on once they are down to ``_INBOX_LOW``, unless the transport paused reading too. The
    component's pause state changes only under the lock, so the two never undo each other.
    """

    __slots__ = ("_loop", "_component", "_lock", "_items", "_scheduled", "_waiting",
                 "_held", "_paused")

    def __init__(self, loop: asyncio.AbstractEventLoop, component: Any) -> None:
        self._loop = loop
        self._component = component
        self._lock = threading.Lock()
        self._items: list = []
        self._scheduled = False
        self._waiting: dict[int, int] = {}  # conn_id: bytes posted, not yet delivered
        self._held: set[int] = set()  # paused by the inbox
        self._paused: set[int] = set()  # paused by the transport

    def _pause(self, conn_id: int, pause: bool) -> None:
        try:
            self._component.pause_receive(conn_id, pause)
        except HPSocketError:
            pass  # closing: its on_close follows

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        self._post(fn, args, 0)

    def post_data(self, fn: Callable[..., Any], conn_id: int, data: bytes) -> None:
        self._post(fn, (conn_id, data), len(data))

    def _post(self, fn: Callable[..., Any], args: tuple, size: int) -> None:
        with self._lock:
            self._items.append((fn, args, size))
            if size:
                conn_id = args[0]
                waiting = self._waiting.get(conn_id, 0) + size
                self._waiting[conn_id] = waiting
                if waiting > _INBOX_HIGH and conn_id not in self._held:
                    self._held.add(conn_id)
                    if conn_id not in self._paused:
                        self._pause(conn_id, True)
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self._loop.call_soon_threadsafe(self._run)
        except RuntimeError:
            # The loop is closed: nobody is left to hear about it.
            with self._lock:
                self._items.clear()
                self._scheduled = False

    def set_paused(self, conn_id: int, pause: bool) -> None:
        """The transport's pause_reading/resume_reading (loop thread)."""
        with self._lock:
            if pause == (conn_id in self._paused):
                return
            if pause:
                self._paused.add(conn_id)
            else:
                self._paused.discard(conn_id)
            if conn_id not in self._held:
                self._pause(conn_id, pause)

    def forget(self, conn_id: int) -> None:
        """The connection closed (its last event)."""
        with self._lock:
            self._waiting.pop(conn_id, None)
            self._held.discard(conn_id)
            self._paused.discard(conn_id)

    def _delivered(self, conn_id: int, size: int) -> None:
        with self._lock:
            waiting = self._waiting.get(conn_id)
            if waiting is None:
                return
            waiting -= size
            self._waiting[conn_id] = waiting
            if waiting <= _INBOX_LOW and conn_id in self._held:
                self._held.discard(conn_id)
                if conn_id not in self._paused:
                    self._pause(conn_id, False)

    def _run(self) -> None:
        with self._lock:
            items, self._items = self._items, []
            self._scheduled = False
        for fn, args, size in items:
            try:
                fn(*args)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:  # noqa: BLE001 - reported like a failing callback
                self._loop.call_exception_handler(
                    {"message": "hpsocket.aio: exception in %r" % (fn,), "exception": exc}
                )
            finally:
                if size:
                    self._delivered(args[0], size)


class _Transport(asyncio.Transport):
    """One connection of a server or agent, as an asyncio transport. Loop thread only."""

    def __init__(self, endpoint: "_Endpoint", conn_id: int, peer: Any, local: Any) -> None:
        super().__init__(
            {
                "peername": peer,
                "sockname": local,
                "conn_id": conn_id,
                "component": endpoint._component,
            }
        )
        self._endpoint = endpoint
        self._component = endpoint._component
        self._loop = endpoint._loop
        self._id = conn_id
        self._protocol: Optional[asyncio.BaseProtocol] = None
        # What the component refused (its queue was full), oldest first.
        self._backlog: collections.deque = collections.deque()
        self._backlog_bytes = 0
        self._closing = False
        self._lost = False
        self._writing_paused = False
        self._reading_paused = False
        self._close_poll: Optional[asyncio.TimerHandle] = None
        self._close_delay = _CLOSE_POLL_FIRST

    def __repr__(self) -> str:
        state = "lost" if self._lost else "closing" if self._closing else "open"
        return "<hpsocket.aio transport conn_id=%d %s>" % (self._id, state)

    # -- BaseTransport --

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol  # type: ignore[return-value]

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Stops reading, lets what was written go out, then disconnects."""
        if self._closing:
            return
        self._closing = True
        self._pause_component(True)
        self._close_when_flushed()

    # -- ReadTransport --

    def is_reading(self) -> bool:
        return not self._reading_paused and not self._closing

    def pause_reading(self) -> None:
        if self._closing or self._reading_paused:
            return
        self._reading_paused = True
        self._pause_component(True)

    def resume_reading(self) -> None:
        if self._closing or not self._reading_paused:
            return
        self._reading_paused = False
        self._pause_component(False)

    # -- WriteTransport --

    def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                "data argument must be a bytes-like object, not %r" % type(data).__name__
            )
        if self._closing or not data:
            return
        # A copy of mutable buffers: asyncio lets the caller reuse them after write().
        data = bytes(data)
        self._backlog.append(data)
        self._backlog_bytes += len(data)
        if len(self._backlog) == 1:
            self._flush()

    def writelines(self, list_of_data) -> None:  # type: ignore[override]
        for data in list_of_data:
            self.write(data)

    def can_write_eof(self) -> bool:
        return False

    def write_eof(self) -> None:
        raise NotImplementedError(
            "hpsocket connections have no half-close; close() ends the connection"
        )

    def get_write_buffer_size(self) -> int:
        """Bytes written and not yet sent: the component's queue and what it refused."""
        size = self._backlog_bytes
        if not self._lost:
            try:
                size += self._component.pending_data_length(self._id)
            except HPSocketError:
                pass
        return size

    def get_write_buffer_limits(self) -> Tuple[int, int]:
        """``(send_queue_low_watermark, max_send_queue_bytes)`` of the component."""
        return (self._component.send_queue_low_watermark, self._component.max_send_queue_bytes)

    def set_write_buffer_limits(self, high: Optional[int] = None, low: Optional[int] = None) -> None:
        raise NotImplementedError(
            "the bounds are the component's max_send_queue_bytes and send_queue_low_watermark "
            "settings (keyword arguments of start_server / Agent)"
        )

    def abort(self) -> None:
        """Disconnects at once; what is still queued is dropped."""
        self._closing = True
        self._backlog.clear()
        self._backlog_bytes = 0
        self._disconnect()

    # -- internals --

    def _pause_component(self, pause: bool) -> None:
        if not self._lost:
            self._endpoint._inbox.set_paused(self._id, pause)  # type: ignore[union-attr]

    def _disconnect(self) -> None:
        if self._close_poll is not None:
            self._close_poll.cancel()
            self._close_poll = None
        if self._lost:
            return
        try:
            self._component.disconnect(self._id)
        except HPSocketError:
            pass  # already gone: its on_close follows

    def _flush(self) -> None:
        """Hands the backlog to the component until its queue refuses more."""
        while self._backlog:
            data = self._backlog[0]
            try:
                self._component.send(self._id, data)
            except HPSocketError as e:
                if e.errno == _errno.ENOBUFS and not self._lost:
                    # Over max_send_queue_bytes: on_send_drained will call us again.
                    if not self._writing_paused:
                        self._writing_paused = True
                        self._call_protocol("pause_writing")
                    return
                # The connection is closing; its on_close reports how.
                self._backlog.clear()
                self._backlog_bytes = 0
                break
            self._backlog.popleft()
            self._backlog_bytes -= len(data)
        if self._writing_paused:
            self._writing_paused = False
            self._call_protocol("resume_writing")
        if self._closing:
            self._close_when_flushed()

    def _close_when_flushed(self) -> None:
        self._close_poll = None
        if self._lost or self._backlog:
            return  # _flush comes back here once the backlog is in the component
        try:
            pending = self._component.pending_data_length(self._id)
        except HPSocketError:
            return  # closed already; its on_close follows
        if pending == 0:
            self._disconnect()
            return
        self._close_poll = self._loop.call_later(self._close_delay, self._close_when_flushed)
        self._close_delay = min(self._close_delay * 2, _CLOSE_POLL_MAX)

    def _call_protocol(self, name: str, *args: Any) -> None:
        try:
            getattr(self._protocol, name)(*args)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # noqa: BLE001
            self._loop.call_exception_handler(
                {
                    "message": "protocol.%s() failed" % name,
                    "exception": exc,
                    "transport": self,
                    "protocol": self._protocol,
                }
            )

    # -- events, on the loop --

    def _received(self, data: bytes) -> None:
        if not self._closing:
            self._protocol.data_received(data)  # type: ignore[union-attr]

    def _connection_lost(self, exc: Optional[Exception]) -> None:
        if self._lost:
            return
        self._lost = True
        self._closing = True
        if self._close_poll is not None:
            self._close_poll.cancel()
            self._close_poll = None
        self._backlog.clear()
        self._backlog_bytes = 0
        try:
            self._protocol.connection_lost(exc)  # type: ignore[union-attr]
        finally:
            self._protocol = None
            self._endpoint = None  # type: ignore[assignment]


class _Endpoint:
    """What a server and an agent share: their connections by ID and the events of each."""

    _component: Any
    _loop: asyncio.AbstractEventLoop

    def __init__(self) -> None:
        self._conns: dict[int, _Transport] = {}
        self._inbox: Optional[_Inbox] = None
        self._stopping: Optional[asyncio.Future] = None
        self._shutdown: Optional[asyncio.Future] = None

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._inbox = _Inbox(loop, self._component)
        self._shutdown = loop.create_future()

    def _open(self, conn_id: int, protocol_factory: Callable[[], asyncio.BaseProtocol],
              peer: Any, local: Any) -> Optional[Tuple[_Transport, asyncio.BaseProtocol]]:
        transport = _Transport(self, conn_id, peer, local)
        try:
            protocol = protocol_factory()
        except Exception as exc:  # noqa: BLE001
            self._loop.call_exception_handler(
                {"message": "protocol factory failed", "exception": exc, "transport": transport}
            )
            transport._closing = True
            transport._disconnect()
            return None
        transport._protocol = protocol
        self._conns[conn_id] = transport
        protocol.connection_made(transport)
        return transport, protocol

    # Events (on the loop thread, in the order the workers posted them).

    def _received(self, conn_id: int, data: bytes) -> None:
        t = self._conns.get(conn_id)
        if t is not None:
            t._received(data)

    def _drained(self, conn_id: int) -> None:
        t = self._conns.get(conn_id)
        if t is not None and not t._lost:
            t._flush()

    def _closed(self, conn_id: int, operation: int, error_code: int) -> None:
        self._inbox.forget(conn_id)  # type: ignore[union-attr]
        t = self._conns.pop(conn_id, None)
        if t is not None:
            exc = None if error_code == 0 else _close_error(conn_id, operation, error_code)
            t._connection_lost(exc)

    def _shut_down(self) -> None:
        if self._shutdown is not None and not self._shutdown.done():
            self._shutdown.set_result(None)

    # Life cycle.

    def close(self) -> None:
        """Stops the component (in an executor thread): every connection closes."""
        if self._stopping is None:
            if self._component.state == ServiceState.STOPPED:
                self._stopping = self._loop.create_future()
                self._stopping.set_result(None)
                self._shut_down()
            else:
                self._stopping = self._loop.run_in_executor(None, self._component.stop)

    async def wait_closed(self) -> None:
        """Waits until ``close`` finished and every connection's ``connection_lost`` ran."""
        if self._stopping is None:
            if self._shutdown is None:
                return
            await asyncio.shield(self._shutdown)
            return
        await asyncio.shield(self._stopping)
        await asyncio.shield(self._shutdown)  # type: ignore[arg-type]

    async def stop(self) -> None:
        """``close()``, then ``await wait_closed()``."""
        self.close()
        await self.wait_closed()

    @property
    def component(self) -> Any:
        """The underlying :class:`hpsocket.TcpServer` / :class:`hpsocket.TcpAgent`."""
        return self._component


    def _check_loop(self) -> None:
        if asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("%r belongs to another event loop" % (self,))


class _ServerEvents(TcpServerListener):
    """The server's listener: runs on worker threads and only posts to the loop."""

    def __init__(self, server: "Server") -> None:
        self._server = server

    def on_accept(self, sender, conn_id, fd):
        try:
            peer, local = sender.remote_address(conn_id), sender.local_address(conn_id)
        except HPSocketError:
            peer = local = None
        s = self._server
        s._inbox.post(s._accepted, conn_id, peer, local)

    def on_receive(self, sender, conn_id, data):
        s = self._server
        s._inbox.post_data(s._received, conn_id, data)

    def on_send_drained(self, sender, conn_id, pending):
        s = self._server
        s._inbox.post(s._drained, conn_id)

    def on_close(self, sender, conn_id, operation, error_code):
        s = self._server
        s._inbox.post(s._closed, conn_id, int(operation), int(error_code))

    def on_shutdown(self, sender):
        s = self._server
        s._inbox.post(s._shut_down)


class Server(_Endpoint):
    """A listening :class:`hpsocket.TcpServer` whose connections are asyncio transports;
    made by :func:`start_server` / :func:`create_server`. Like :class:`asyncio.Server`, an
    async context manager (leaving it closes the server) with ``close()``, ``wait_closed()``,
    ``is_serving()`` and ``serve_forever()``; unlike it, ``close()`` also closes the
    connections (the library's ``stop``)."""

    def __init__(self, protocol_factory: Callable[[], asyncio.BaseProtocol], **settings: Any) -> None:
        super().__init__()
        self._factory = protocol_factory
        self._component = TcpServer(_ServerEvents(self), **_with_queue_bounds(settings))
        self._address: Optional[Tuple[str, int]] = None

    async def _start(self, host: str, port: int) -> None:
        self._bind(asyncio.get_running_loop())
        await self._loop.run_in_executor(None, self._component.start, host, port)
        self._address = self._component.listen_address()

    def _accepted(self, conn_id: int, peer: Any, local: Any) -> None:
        self._open(conn_id, self._factory, peer, local)

    @property
    def address(self) -> Optional[Tuple[str, int]]:
        """The listening ``(host, port)``."""
        return self._address

    @property
    def port(self) -> int:
        """The listening port (the one chosen when started with port 0)."""
        return self._address[1] if self._address else 0

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._stopping is None and self._component.state == ServiceState.STARTED

    async def start_serving(self) -> None:
        """Nothing to do: a server serves from the start (asyncio compatibility)."""

    async def serve_forever(self) -> None:
        """Waits until the server is closed; cancelling it closes the server."""
        try:
            await asyncio.shield(self._shutdown)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            try:
                await self.stop()
            finally:
                raise

    async def __aenter__(self) -> "Server":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.stop()

    def __repr__(self) -> str:
        return "<hpsocket.aio.Server %s connections=%d>" % (self._address, len(self._conns))


class _AgentEvents(TcpAgentListener):
    """The agent's listener: runs on worker threads and only posts to the loop."""

    def __init__(self, agent: "Agent") -> None:
        self._agent = agent

    def on_connect(self, sender, conn_id):
        try:
            peer, local = sender.remote_address(conn_id), sender.local_address(conn_id)
        except HPSocketError:
            peer = local = None
        a = self._agent
        a._inbox.post(a._connected, conn_id, peer, local)

    def on_receive(self, sender, conn_id, data):
        a = self._agent
        a._inbox.post_data(a._received, conn_id, data)

    def on_send_drained(self, sender, conn_id, pending):
        a = self._agent
        a._inbox.post(a._drained, conn_id)

    def on_close(self, sender, conn_id, operation, error_code):
        a = self._agent
        a._inbox.post(a._closed, conn_id, int(operation), int(error_code))

    def on_shutdown(self, sender):
        a = self._agent
        a._inbox.post(a._shut_down)


async def _resolve(loop: asyncio.AbstractEventLoop, host: str, port: int) -> list:
    """The IP addresses of ``host``, in getaddrinfo's order, looked up off the loop (the
    library would block)."""
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise OSError("getaddrinfo(%r) returned nothing" % host)
    return addresses


async def _connect_any(connect: Callable[[str], Awaitable[Any]], addresses: list) -> Any:
    """Tries each address in turn, as asyncio does; raises the first failure if all fail."""
    first: Optional[BaseException] = None
    for address in addresses:
        try:
            return await connect(address)
        except OSError as exc:
            if first is None:
                first = exc
    assert first is not None
    raise first


class Agent(_Endpoint):
    """A :class:`hpsocket.TcpAgent` whose connections are asyncio transports: many outgoing
    connections sharing the agent's worker threads. ``await agent.start()`` (or ``async
    with Agent(...) as agent``), then ``await agent.open_connection(host, port)`` or
    ``await agent.create_connection(factory, host, port)`` as often as needed; ``await
    agent.stop()`` closes them all. Settings are the agent's keyword arguments."""

    def __init__(self, **settings: Any) -> None:
        super().__init__()
        self._component = TcpAgent(_AgentEvents(self), **_with_queue_bounds(settings))
        self._connecting: dict[int, Tuple[asyncio.Future, Callable[[], asyncio.BaseProtocol]]] = {}
        self._starting: Optional[asyncio.Future] = None
        self._default = False
        self._users = 0

    async def start(self, bind_address: Optional[str] = None) -> None:
        """Starts the agent's workers (in an executor thread). Connects are asynchronous.
        The agent belongs to the loop it was started on."""
        if self._starting is not None:
            self._check_loop()
        else:
            self._bind(asyncio.get_running_loop())
            self._starting = self._loop.run_in_executor(
                None, self._component.start, bind_address, True
            )
        await asyncio.shield(self._starting)

    async def create_connection(
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        host: str,
        port: int,
        *,
        local_addr: Optional[Tuple[str, int]] = None,
    ) -> Tuple[asyncio.Transport, asyncio.BaseProtocol]:
        """Connects; returns ``(transport, protocol)`` once connected, after
        ``protocol.connection_made``. A failed connect raises ``OSError``
        (``ConnectionRefusedError``, ...). Cancelling it abandons the connection."""
        await self.start()
        addresses = await _resolve(self._loop, host, port)
        return await _connect_any(
            lambda a: self._connect(protocol_factory, a, port, local_addr), addresses
        )

    async def open_connection(
        self, host: str, port: int, *, limit: int = DEFAULT_LIMIT,
        local_addr: Optional[Tuple[str, int]] = None,
    ) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """:func:`asyncio.open_connection` through this agent."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=limit, loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        transport, _ = await self.create_connection(
            lambda: protocol, host, port, local_addr=local_addr
        )
        return reader, asyncio.StreamWriter(transport, protocol, reader, loop)

    async def _connect(self, protocol_factory, address, port, local_addr):
        await asyncio.shield(self._starting)  # type: ignore[arg-type]
        local_address, local_port = local_addr if local_addr else (None, None)
        fut = self._loop.create_future()
        # Asynchronous: returns at once. Its events cannot run before the entry below is
        # made: they reach the loop only after this coroutine next suspends.
        conn_id = self._component.connect(
            address, port, local_address=local_address, local_port=local_port
        )
        self._connecting[conn_id] = (fut, protocol_factory)
        try:
            return await fut
        except asyncio.CancelledError:
            if self._connecting.pop(conn_id, None) is not None or conn_id in self._conns:
                t = self._conns.get(conn_id)
                if t is not None:
                    t.abort()
                else:
                    try:
                        self._component.disconnect(conn_id)
                    except HPSocketError:
                        pass
            raise

    def _connected(self, conn_id: int, peer: Any, local: Any) -> None:
        entry = self._connecting.pop(conn_id, None)
        if entry is None:
            return
        fut, factory = entry
        if fut.done():  # cancelled meanwhile
            try:
                self._component.disconnect(conn_id)
            except HPSocketError:
                pass
            return
        opened = self._open(conn_id, factory, peer, local)
        if opened is None:
            fut.set_exception(ConnectionAbortedError("protocol factory failed"))
        else:
            fut.set_result(opened)

    def _closed(self, conn_id: int, operation: int, error_code: int) -> None:
        entry = self._connecting.pop(conn_id, None)
        if entry is not None:
            fut = entry[0]
            if not fut.done():
                fut.set_exception(
                    _close_error(conn_id, operation, error_code or _errno.ECONNABORTED)
                )
        else:
            super()._closed(conn_id, operation, error_code)
        if self._default:
            self._loop.call_soon(self._maybe_retire)

    def _maybe_retire(self) -> None:
        # The shared agent of open_connection() stops once it has nothing left to do, so
        # that no worker threads outlive their use.
        if self._conns or self._connecting or self._users or self._stopping is not None:
            return
        if _default_agents.get(self._loop) is self:
            del _default_agents[self._loop]
        self.close()

    async def __aenter__(self) -> "Agent":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.stop()

    def __repr__(self) -> str:
        return "<hpsocket.aio.Agent connections=%d>" % len(self._conns)


# The agent open_connection()/create_connection() use when given none, one per loop.
_default_agents: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Agent]" = (
    weakref.WeakKeyDictionary()
)


async def _via_default_agent(loop, connect: Callable[[Agent], Awaitable[Any]]) -> Any:
    agent = _default_agents.get(loop)
    if agent is None:
        agent = Agent()
        agent._default = True
        _default_agents[loop] = agent
    agent._users += 1
    try:
        await agent.start()
        return await connect(agent)
    finally:
        agent._users -= 1
        if agent._default and not agent._users:
            loop.call_soon(agent._maybe_retire)


async def create_server(
    protocol_factory: Callable[[], asyncio.BaseProtocol],
    host: Optional[str] = None,
    port: int = 0,
    **settings: Any,
) -> Server:
    """Like ``loop.create_server``: starts a :class:`hpsocket.TcpServer` (keyword arguments
    are its settings) on ``host`` (None: every interface) and ``port`` (0: any free one;
    see :attr:`Server.port`); each accepted connection gets a protocol from
    ``protocol_factory`` and a transport of this module. Start failures raise
    :class:`hpsocket.HPSocketError` (``SocketError.SOCKET_BIND`` for a port in use)."""
    server = Server(protocol_factory, **settings)
    await server._start("0.0.0.0" if host is None else host, port)
    return server


async def start_server(
    client_connected_cb: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any],
    host: Optional[str] = None,
    port: int = 0,
    *,
    limit: int = DEFAULT_LIMIT,
    **settings: Any,
) -> Server:
    """Like :func:`asyncio.start_server`: ``client_connected_cb(reader, writer)`` (a plain
    function or a coroutine function, run as a task) for each accepted connection."""
    loop = asyncio.get_running_loop()

    def factory() -> asyncio.StreamReaderProtocol:
        reader = asyncio.StreamReader(limit=limit, loop=loop)
        return asyncio.StreamReaderProtocol(reader, client_connected_cb, loop=loop)

    return await create_server(factory, host, port, **settings)


async def create_connection(
    protocol_factory: Callable[[], asyncio.BaseProtocol],
    host: str,
    port: int,
    *,
    agent: Optional[Agent] = None,
    local_addr: Optional[Tuple[str, int]] = None,
) -> Tuple[asyncio.Transport, asyncio.BaseProtocol]:
    """Like ``loop.create_connection``, through ``agent`` or else the loop's shared agent
    (started on first use, stopped once its last connection closed)."""
    if agent is not None:
        return await agent.create_connection(protocol_factory, host, port, local_addr=local_addr)
    loop = asyncio.get_running_loop()
    addresses = await _resolve(loop, host, port)
    return await _via_default_agent(
        loop,
        lambda agent: _connect_any(
            lambda a: agent._connect(protocol_factory, a, port, local_addr), addresses
        ),
    )


async def open_connection(
    host: str,
    port: int,
    *,
    limit: int = DEFAULT_LIMIT,
    agent: Optional[Agent] = None,
    local_addr: Optional[Tuple[str, int]] = None,
) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Like :func:`asyncio.open_connection`: ``(reader, writer)`` of a new connection,
    through ``agent`` or else the loop's shared agent (see :func:`create_connection`)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await create_connection(
        lambda: protocol, host, port, agent=agent, local_addr=local_addr
    )
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop)
