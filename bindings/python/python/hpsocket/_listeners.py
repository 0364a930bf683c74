"""Listener base classes: subclass one and override the events you need.

A method that is not overridden costs nothing: the component sees that the handler is not
set and never takes the GIL for that event. Each method may return a :class:`HandleResult`
(or an ``int``) or ``None`` (the same as ``HandleResult.OK``); only ``HandleResult.ERROR``
changes anything, as described per method. An exception raised by a method is reported
through :func:`sys.unraisablehook` and counts as ``HandleResult.ERROR`` (for events whose
result matters, that closes the connection); the worker thread goes on.

Methods run on the component's worker threads; one connection's events never overlap. The
``sender`` argument is the component itself.

Lifetimes: ``data`` arguments are new ``bytes`` objects that you may keep. The ``fd``
arguments of ``on_prepare_listen``, ``on_accept`` and ``on_prepare_connect`` are the
component's own sockets and are valid only during the call: set options on them
(``socket.socket(fileno=os.dup(fd))``, or ``socket.fromfd``), never close them. A connection
ID becomes stale once ``on_close`` has returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, TypeVar, Union

if TYPE_CHECKING:
    from ._errno import Errno
    from ._native import (
        HandleResult,
        HttpParseResult,
        HttpUpgradeType,
        SocketOperation,
        TcpAgent,
        TcpClient,
        TcpServer,
        UdpArqAgent,
        UdpArqClient,
        UdpArqServer,
        UdpClient,
        UdpServer,
        WsOpcode,
    )

    Result = Optional[Union[HandleResult, int]]
    HttpResult = Optional[Union[HttpParseResult, int]]

__all__ = [
    "TcpServerListener",
    "TcpPullServerListener",
    "TcpPackServerListener",
    "TcpAgentListener",
    "TcpPullAgentListener",
    "TcpPackAgentListener",
    "TcpClientListener",
    "TcpPullClientListener",
    "TcpPackClientListener",
    "UdpServerListener",
    "UdpClientListener",
    "UdpArqServerListener",
    "UdpArqClientListener",
    "UdpArqAgentListener",
    "HttpServerListener",
    "HttpAgentListener",
    "HttpClientListener",
]

_F = TypeVar("_F", bound=Callable[..., object])


def _unset(method: _F) -> _F:
    """Marks a base-class method as "handler not set"."""
    method._hpsocket_default = True  # type: ignore[attr-defined]
    return method


class TcpServerListener:
    """Events of a :class:`TcpServer` (HP-Socket's ``ITcpServerListener``)."""

    @_unset
    def on_prepare_listen(self, sender: TcpServer, fd: int) -> Result:
        """The listening socket is bound, not yet listening. ``ERROR`` makes ``start`` fail
        with ``SocketError.SOCKET_PREPARE``."""

    @_unset
    def on_accept(self, sender: TcpServer, conn_id: int, fd: int) -> Result:
        """A connection was accepted. ``ERROR`` rejects it (closed, no ``on_close``)."""

    @_unset
    def on_handshake(self, sender: TcpServer, conn_id: int) -> Result:
        """The connection is ready for data. ``ERROR`` closes it."""

    @_unset
    def on_send(self, sender: TcpServer, conn_id: int, data: bytes) -> Result:
        """``data`` was written to the socket (the result is ignored). When a send from a
        callback is written at once, this runs inside that ``send`` call."""

    @_unset
    def on_receive(self, sender: TcpServer, conn_id: int, data: bytes) -> Result:
        """Bytes arrived (PUSH), or one whole frame body (PACK). ``ERROR`` closes the
        connection with ``(SocketOperation.RECEIVE, ECANCELED)``."""

    @_unset
    def on_send_drained(self, sender: TcpServer, conn_id: int, pending: int) -> Result:
        """Extension: after a send was refused for a full queue (``max_send_queue_bytes``),
        the queue is down to ``send_queue_low_watermark``; ``pending`` bytes remain."""

    @_unset
    def on_close(
        self, sender: TcpServer, conn_id: int, operation: SocketOperation, error_code: Errno
    ) -> Result:
        """The connection closed: ``(CLOSE, 0)`` normally, else the failing operation and an
        ``errno``. ``error_code`` is an :class:`Errno`, an ``int`` whose ``str()`` names it
        (``ECONNRESET (Connection reset by peer)``). Once per accepted connection;
        ``get_connection_extra`` still works here."""

    @_unset
    def on_shutdown(self, sender: TcpServer) -> Result:
        """The server stopped; its last event."""


class TcpPullServerListener(TcpServerListener):
    """Events of a :class:`TcpPullServer`: ``on_receive`` gets the number of bytes buffered."""

    @_unset
    def on_receive(self, sender: TcpServer, conn_id: int, length: int) -> Result:  # type: ignore[override]
        """``length`` bytes are now buffered for the connection; take them with
        ``sender.fetch(conn_id, n)`` / ``sender.peek(conn_id, n)``. ``ERROR`` closes it."""


class TcpPackServerListener(TcpServerListener):
    """Events of a :class:`TcpPackServer`: ``on_receive`` gets one whole frame body."""


class TcpAgentListener:
    """Events of a :class:`TcpAgent` (HP-Socket's ``ITcpAgentListener``)."""

    @_unset
    def on_prepare_connect(self, sender: TcpAgent, conn_id: int, fd: int) -> Result:
        """The socket exists and is bound, ``connect()`` not yet called. ``ERROR`` aborts the
        connect."""

    @_unset
    def on_connect(self, sender: TcpAgent, conn_id: int) -> Result:
        """The TCP connection is established. ``ERROR`` fails a synchronous connect or closes
        an asynchronous one."""

    @_unset
    def on_handshake(self, sender: TcpAgent, conn_id: int) -> Result:
        """The connection is ready for data. ``ERROR`` closes it."""

    @_unset
    def on_send(self, sender: TcpAgent, conn_id: int, data: bytes) -> Result:
        """See :meth:`TcpServerListener.on_send`."""

    @_unset
    def on_receive(self, sender: TcpAgent, conn_id: int, data: bytes) -> Result:
        """See :meth:`TcpServerListener.on_receive`."""

    @_unset
    def on_send_drained(self, sender: TcpAgent, conn_id: int, pending: int) -> Result:
        """See :meth:`TcpServerListener.on_send_drained`."""

    @_unset
    def on_close(
        self, sender: TcpAgent, conn_id: int, operation: SocketOperation, error_code: Errno
    ) -> Result:
        """See :meth:`TcpServerListener.on_close`; a failed asynchronous connect reports
        ``SocketOperation.CONNECT``."""

    @_unset
    def on_shutdown(self, sender: TcpAgent) -> Result:
        """The agent stopped; its last event."""


class TcpPullAgentListener(TcpAgentListener):
    """Events of a :class:`TcpPullAgent`: ``on_receive`` gets the number of bytes buffered."""

    @_unset
    def on_receive(self, sender: TcpAgent, conn_id: int, length: int) -> Result:  # type: ignore[override]
        """See :meth:`TcpPullServerListener.on_receive`."""


class TcpPackAgentListener(TcpAgentListener):
    """Events of a :class:`TcpPackAgent`: ``on_receive`` gets one whole frame body."""


class TcpClientListener:
    """Events of a :class:`TcpClient` (HP-Socket's ``ITcpClientListener``; no shutdown event:
    a client stops by itself after ``on_close``)."""

    @_unset
    def on_prepare_connect(self, sender: TcpClient, conn_id: int, fd: int) -> Result:
        """See :meth:`TcpAgentListener.on_prepare_connect`; ``ERROR`` makes ``start`` fail."""

    @_unset
    def on_connect(self, sender: TcpClient, conn_id: int) -> Result:
        """See :meth:`TcpAgentListener.on_connect`."""

    @_unset
    def on_handshake(self, sender: TcpClient, conn_id: int) -> Result:
        """The connection is ready for data. ``ERROR`` closes it."""

    @_unset
    def on_send(self, sender: TcpClient, conn_id: int, data: bytes) -> Result:
        """See :meth:`TcpServerListener.on_send`."""

    @_unset
    def on_receive(self, sender: TcpClient, conn_id: int, data: bytes) -> Result:
        """See :meth:`TcpServerListener.on_receive`."""

    @_unset
    def on_send_drained(self, sender: TcpClient, conn_id: int, pending: int) -> Result:
        """See :meth:`TcpServerListener.on_send_drained`."""

    @_unset
    def on_close(
        self, sender: TcpClient, conn_id: int, operation: SocketOperation, error_code: Errno
    ) -> Result:
        """See :meth:`TcpAgentListener.on_close`; the client stops after it."""


class TcpPullClientListener(TcpClientListener):
    """Events of a :class:`TcpPullClient`: ``on_receive`` gets the number of bytes buffered."""

    @_unset
    def on_receive(self, sender: TcpClient, conn_id: int, length: int) -> Result:  # type: ignore[override]
        """``length`` bytes are buffered; take them with ``sender.fetch(n)`` /
        ``sender.peek(n)``. ``ERROR`` closes the connection."""


class TcpPackClientListener(TcpClientListener):
    """Events of a :class:`TcpPackClient`: ``on_receive`` gets one whole frame body."""


class UdpServerListener(TcpServerListener):
    """Events of a :class:`UdpServer` (HP-Socket's ``IUdpServerListener``); ``sender`` is the
    :class:`UdpServer`. A connection is one peer address: it begins with the peer's first
    datagram and ends with its close-notify, a ``disconnect``, silence (``detect_attempts``
    rounds) or ``stop``."""

    @_unset
    def on_prepare_listen(self, sender: UdpServer, fd: int) -> Result:  # type: ignore[override]
        """A worker's UDP socket is bound (called once per worker socket). ``ERROR`` makes
        ``start`` fail with ``SocketError.SOCKET_PREPARE``."""

    @_unset
    def on_accept(  # type: ignore[override]
        self, sender: UdpServer, conn_id: int, peer: tuple[str, int]
    ) -> Result:
        """A new peer sent its first datagram: ``peer`` is its ``(host, port)``, as
        :mod:`socket` gives addresses (where a TCP server's ``on_accept`` gets the socket's
        ``fd``). ``ERROR`` rejects it (no ``on_close``)."""

    @_unset
    def on_receive(self, sender: UdpServer, conn_id: int, data: bytes) -> Result:  # type: ignore[override]
        """One datagram arrived (never empty: empty datagrams are heartbeats). ``ERROR``
        closes the connection with ``(SocketOperation.RECEIVE, ECANCELED)``."""


class UdpClientListener(TcpClientListener):
    """Events of a :class:`UdpClient` (HP-Socket's ``IUdpClientListener``); ``sender`` is the
    :class:`UdpClient`. ``on_connect``/``on_handshake`` follow ``start`` at once (UDP has no
    handshake); ``on_close`` comes after ``stop``, the server's close-notify, or heartbeats
    that went unanswered (``(CLOSE, ECONNRESET)``)."""

    @_unset
    def on_receive(self, sender: UdpClient, conn_id: int, data: bytes) -> Result:  # type: ignore[override]
        """One datagram arrived. ``ERROR`` closes the connection."""


class UdpArqServerListener(UdpServerListener):
    """Events of a :class:`UdpArqServer` (HP-Socket's ``IUdpArqServerListener``); ``sender``
    is the :class:`UdpArqServer`. ``on_accept`` gets the peer's ``(host, port)`` on its first
    datagram, ``on_handshake`` follows once the ARQ handshake completed (from then on
    ``send`` works), and ``on_receive`` gets one whole message, in order. A handshake that
    does not complete within ``handshake_timeout`` ends with ``on_close(CLOSE, ETIMEDOUT)``."""

    @_unset
    def on_handshake(self, sender: UdpArqServer, conn_id: int) -> Result:  # type: ignore[override]
        """The ARQ handshake with the peer completed: messages can be sent."""

    @_unset
    def on_receive(self, sender: UdpArqServer, conn_id: int, data: bytes) -> Result:  # type: ignore[override]
        """One whole message arrived (1 to ``max_message_size`` bytes), in order. ``ERROR``
        closes the connection."""

    @_unset
    def on_message_dropped(
        self, sender: UdpArqServer, conn_id: int, message_id: int, size: int
    ) -> Result:
        """Extension (partial reliability): the message that ``send_ex`` returned
        ``message_id`` for (``size`` bytes) was given up, its deadline passed or its
        retransmit limit reached; the peer skips it and goes on with the following messages.
        Once per message, on the connection's worker; the result is ignored."""


class UdpArqClientListener(UdpClientListener):
    """Events of a :class:`UdpArqClient` (HP-Socket's ``IUdpArqClientListener``); ``sender``
    is the :class:`UdpArqClient`. ``on_connect`` follows ``start``, ``on_handshake`` the
    completed ARQ handshake with the server; ``on_receive`` gets one whole message, in
    order."""

    @_unset
    def on_handshake(self, sender: UdpArqClient, conn_id: int) -> Result:  # type: ignore[override]
        """The ARQ handshake with the server completed: messages can be sent."""

    @_unset
    def on_receive(self, sender: UdpArqClient, conn_id: int, data: bytes) -> Result:  # type: ignore[override]
        """One whole message arrived, in order. ``ERROR`` closes the connection."""

    @_unset
    def on_message_dropped(
        self, sender: UdpArqClient, conn_id: int, message_id: int, size: int
    ) -> Result:
        """See :meth:`UdpArqServerListener.on_message_dropped`."""


class UdpArqAgentListener(TcpAgentListener):
    """Events of a :class:`UdpArqAgent` (an extension; HP-Socket has no ARQ agent):
    ``sender`` is the :class:`UdpArqAgent`. Per session: ``on_prepare_connect`` (its own UDP
    socket), ``on_connect``, ``on_handshake`` once the ARQ handshake with the server
    completed (from then on ``send`` works), ``on_receive`` with one whole message each, in
    order, and ``on_close``: ``(CLOSE, 0)`` after ``disconnect``, ``stop`` or the server's
    close-notify, ``(CLOSE, ETIMEDOUT)`` for a handshake not done within
    ``handshake_timeout``."""

    @_unset
    def on_handshake(self, sender: UdpArqAgent, conn_id: int) -> Result:  # type: ignore[override]
        """The ARQ handshake with the server completed: messages can be sent."""

    @_unset
    def on_receive(self, sender: UdpArqAgent, conn_id: int, data: bytes) -> Result:  # type: ignore[override]
        """One whole message arrived (1 to ``max_message_size`` bytes), in order. ``ERROR``
        closes the session."""

    @_unset
    def on_message_dropped(
        self, sender: UdpArqAgent, conn_id: int, message_id: int, size: int
    ) -> Result:
        """See :meth:`UdpArqServerListener.on_message_dropped`."""


class _HttpEvents:
    """The HTTP parse events (HP-Socket's ``IHttp*Listener``), in the order they fire per
    message: ``on_message_begin``, ``on_request_line`` (server) or ``on_status_line`` (agent,
    client), ``on_header``..., ``on_headers_complete``, then ``on_body``... or, chunked,
    (``on_chunk_header``, ``on_body``..., ``on_chunk_complete``) per chunk, then
    ``on_message_complete``; ``on_upgrade`` after an upgrading message, ``on_parse_error``
    for a bad one (the connection closes). Each may return an :class:`HttpParseResult` (or an
    ``int``) or ``None`` (``OK``); ``ERROR`` (or an exception) fails the parse. The whole
    head stays readable as ``sender.http_message(conn_id)`` from any thread."""

    @_unset
    def on_message_begin(self, sender, conn_id: int) -> HttpResult:
        """A message starts."""

    @_unset
    def on_header(self, sender, conn_id: int, name: str, value: str) -> HttpResult:
        """One header line, in wire order."""

    @_unset
    def on_headers_complete(self, sender, conn_id: int) -> HttpResult:
        """The head is complete. ``SKIP_BODY`` ends the message without a body; ``UPGRADE``
        leaves HTTP after this head."""

    @_unset
    def on_body(self, sender, conn_id: int, data: bytes) -> HttpResult:
        """Body bytes (de-chunked)."""

    @_unset
    def on_chunk_header(self, sender, conn_id: int, length: int) -> HttpResult:
        """A chunk of ``length`` bytes starts (0: the last one)."""

    @_unset
    def on_chunk_complete(self, sender, conn_id: int) -> HttpResult:
        """A chunk ended."""

    @_unset
    def on_message_complete(self, sender, conn_id: int) -> HttpResult:
        """The message is complete: a server answers here (``sender.send_response``)."""

    @_unset
    def on_upgrade(self, sender, conn_id: int, upgrade_type: HttpUpgradeType) -> HttpResult:
        """The connection left HTTP. After ``WEB_SOCKET`` with ``ws_mode`` on, messages come
        through ``on_ws_message`` (without it, WebSocket frames have no Python events yet);
        after any other upgrade, later bytes arrive through ``on_receive``. Anything but
        ``OK`` closes it."""

    @_unset
    def on_ws_message(self, sender, conn_id: int, opcode: WsOpcode, data: bytes) -> HttpResult:
        """WebSocket mode (``ws_mode``): one whole message, fragments reassembled: ``TEXT``
        (``data`` is valid UTF-8) or ``BINARY``; or a control frame's payload: ``PING``
        (after the library sent the pong), ``PONG``, or ``CLOSE`` (the 2-byte big-endian
        code and the UTF-8 reason, e.g. ``struct.unpack("!H", data[:2])``), after which the
        library has answered the close and the connection closes. ``ERROR`` (or an
        exception) closes the connection."""

    @_unset
    def on_parse_error(self, sender, conn_id: int, code: int, description: str) -> HttpResult:
        """The message could not be parsed (llhttp's ``HPE_*`` number and text); the
        connection closes after it."""


class HttpServerListener(_HttpEvents, TcpServerListener):
    """Events of an :class:`HttpServer` / :class:`HttpsServer`: the TCP ones plus the HTTP
    parse events of each request."""

    @_unset
    def on_request_line(self, sender, conn_id: int, method: str, url: str) -> HttpResult:
        """The request line: method and target, verbatim."""


class HttpAgentListener(_HttpEvents, TcpAgentListener):
    """Events of an :class:`HttpAgent` / :class:`HttpsAgent`: the TCP ones plus the HTTP
    parse events of each response."""

    @_unset
    def on_status_line(self, sender, conn_id: int, status: int, reason: str) -> HttpResult:
        """The status line."""


class HttpClientListener(_HttpEvents, TcpClientListener):
    """Events of an :class:`HttpClient`, :class:`HttpSyncClient` and their HTTPS forms."""

    @_unset
    def on_status_line(self, sender, conn_id: int, status: int, reason: str) -> HttpResult:
        """The status line."""
