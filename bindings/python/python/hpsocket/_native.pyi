"""Type stubs of ``hpsocket._native``, the Rust extension module (see the package docs)."""

from __future__ import annotations

import os
from enum import IntEnum
from types import TracebackType
from typing import Any, Callable, Iterable, Optional, Tuple, Type, TypeVar, Union

_Buffer = Union[bytes, bytearray, memoryview]
_PathLike = Union[str, "os.PathLike[str]"]
_Address = Tuple[str, int]
_Self = TypeVar("_Self")

from ._errno import Errno
from ._http import Headers

PACK_HEADER_LEN: int
PACK_LENGTH_MASK: int
PACK_FLAG_MAX: int
SSL_VM_NONE: int
SSL_VM_PEER: int
SSL_VM_FAIL_IF_NO_PEER_CERT: int
SSL_VM_CLIENT_ONCE: int
HTTP_VERSION_1_0: int
HTTP_VERSION_1_1: int

class SocketError(IntEnum):
    """HP-Socket's error codes (``En_HP_SocketError``)."""

    OK = 0
    ILLEGAL_STATE = 1
    INVALID_PARAM = 2
    SOCKET_CREATE = 3
    SOCKET_BIND = 4
    SOCKET_PREPARE = 5
    SOCKET_LISTEN = 6
    CP_CREATE = 7
    WORKER_THREAD_CREATE = 8
    DETECT_THREAD_CREATE = 9
    SOCKET_ATTACH_TO_CP = 10
    CONNECT_SERVER = 11
    NETWORK = 12
    DATA_PROC = 13
    DATA_SEND = 14
    SSL_ENV_NOT_READY = 101

class SocketOperation(IntEnum):
    """The operation that failed when a connection closed."""

    UNKNOWN = 0
    ACCEPT = 1
    CONNECT = 2
    SEND = 3
    RECEIVE = 4
    CLOSE = 5

class HandleResult(IntEnum):
    """What a listener method returns; ``None`` counts as ``OK``."""

    OK = 0
    IGNORE = 1
    ERROR = 2

class FetchResult(IntEnum):
    """Result of ``fetch``/``peek``."""

    OK = 0
    LENGTH_TOO_LONG = 1
    DATA_NOT_FOUND = 2

class ServiceState(IntEnum):
    STARTING = 0
    STARTED = 1
    STOPPING = 2
    STOPPED = 3

class ReuseAddressPolicy(IntEnum):
    NONE = 0
    ADDR_ONLY = 1
    ADDR_AND_PORT = 2

class SendPolicy(IntEnum):
    PACK = 0
    SAFE = 1
    DIRECT = 2

class OnSendSyncPolicy(IntEnum):
    NONE = 0
    CLOSE = 1
    RECEIVE = 2

class ReceiveModel(IntEnum):
    PUSH = 0
    PULL = 1
    PACK = 2
    HTTP = 3
    ARQ = 4

class HttpParseResult(IntEnum):
    """What an HTTP listener method returns; ``None`` counts as ``OK``."""

    OK = 0
    SKIP_BODY = 1
    UPGRADE = 2
    ERROR = -1

class HttpUpgradeType(IntEnum):
    """The protocol an HTTP connection upgrades to."""

    NONE = 0
    WEB_SOCKET = 1
    HTTP_TUNNEL = 2
    UNKNOWN = -1

class WsOpcode(IntEnum):
    """A WebSocket frame's opcode."""

    CONTINUATION = 0
    TEXT = 1
    BINARY = 2
    CLOSE = 8
    PING = 9
    PONG = 10

class HPSocketError(Exception):
    """A failed operation: HP-Socket's ``code`` and ``text``, the ``errno``, and ``context``
    (and ``sequence``, on the errors ``last_error()`` returns)."""

    code: SocketError
    text: str
    errno: Errno
    context: str
    sequence: int

class _Component:
    """What every component has (not a runtime class)."""

    # -- socket settings (keyword arguments of the constructor too) --
    reuse_address_policy: ReuseAddressPolicy
    max_send_queue_bytes: int
    send_queue_low_watermark: int
    connect_timeout: int
    silence_counts_send: bool
    half_close_drain_timeout: int
    def last_error(self) -> Optional[HPSocketError]: ...
    def stop(self) -> None: ...
    def wait(self, timeout: Optional[float] = None) -> bool: ...
    @property
    def state(self) -> ServiceState: ...
    @property
    def has_started(self) -> bool: ...
    @property
    def is_secure(self) -> bool: ...
    @property
    def model(self) -> ReceiveModel: ...
    @property
    def listener(self) -> Any: ...
    def __enter__(self: _Self) -> _Self: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

class _TcpSettings:
    """The settings only TCP components have (not a runtime class)."""

    socket_buffer_size: int
    keep_alive_time: int
    keep_alive_interval: int
    no_delay: bool

class _UdpSettings:
    """The settings of UDP components (not a runtime class)."""

    max_datagram_size: int
    detect_attempts: int
    detect_interval: int
    socket_recv_buffer_size: int
    socket_send_buffer_size: int

class _Engine(_Component):
    """What servers and agents share (not a runtime class)."""

    worker_thread_count: int
    max_connection_count: int
    free_socket_obj_lock_time: int
    free_socket_obj_pool: int
    free_socket_obj_hold: int
    free_buffer_obj_pool: int
    free_buffer_obj_hold: int
    mark_silence: bool
    send_policy: SendPolicy
    on_send_sync_policy: OnSendSyncPolicy
    def send(self, conn_id: int, data: _Buffer) -> None: ...
    def send_packets(self, conn_id: int, buffers: Iterable[_Buffer]) -> None: ...
    def send_small_file(
        self,
        conn_id: int,
        path: _PathLike,
        head: Optional[_Buffer] = None,
        tail: Optional[_Buffer] = None,
    ) -> None: ...
    def disconnect(self, conn_id: int, force: bool = True) -> None: ...
    def disconnect_long_connections(self, period: int, force: bool = True) -> None: ...
    def disconnect_silence_connections(self, period: int, force: bool = True) -> None: ...
    def pause_receive(self, conn_id: int, pause: bool = True) -> None: ...
    def is_pause_receive(self, conn_id: int) -> bool: ...
    def is_connected(self, conn_id: int) -> bool: ...
    def set_connection_extra(self, conn_id: int, extra: Any) -> None: ...
    def get_connection_extra(self, conn_id: int) -> Any: ...
    @property
    def connection_count(self) -> int: ...
    def all_connection_ids(self) -> list[int]: ...
    def connect_period(self, conn_id: int) -> int: ...
    def silence_period(self, conn_id: int) -> int: ...
    def local_address(self, conn_id: int) -> _Address: ...
    def remote_address(self, conn_id: int) -> _Address: ...
    def pending_data_length(self, conn_id: int) -> int: ...

class _Server(_Engine):
    """What TCP and UDP servers share (not a runtime class)."""

    def __init__(self, listener: Any = None, **settings: Any) -> None: ...
    def start(self, address: str, port: int) -> None: ...
    def listen_address(self) -> _Address: ...

class TcpServer(_Server, _TcpSettings):
    """A TCP server (PUSH model)."""

    socket_listen_queue: int
    accept_socket_count: int

class TcpPullServer(TcpServer):
    """A PULL server: ``on_receive`` reports the buffered length; take data with ``fetch``."""

    def fetch(self, conn_id: int, length: int) -> Tuple[FetchResult, bytes]: ...
    def peek(self, conn_id: int, length: int) -> Tuple[FetchResult, bytes]: ...

class TcpPackServer(TcpServer):
    """A PACK server: whole frames in and out."""

    max_pack_size: int
    pack_header_flag: int

class TcpAgent(_Engine, _TcpSettings):
    """A TCP agent: many outgoing connections (PUSH model)."""

    sync_connect_timeout: int
    def __init__(self, listener: Any = None, **settings: Any) -> None: ...
    def start(self, bind_address: Optional[str] = None, async_connect: bool = True) -> None: ...
    def connect(
        self,
        remote_address: str,
        port: int,
        *,
        extra: Any = None,
        local_address: Optional[str] = None,
        local_port: Optional[int] = None,
    ) -> int: ...
    def remote_host(self, conn_id: int) -> _Address: ...

class TcpPullAgent(TcpAgent):
    def fetch(self, conn_id: int, length: int) -> Tuple[FetchResult, bytes]: ...
    def peek(self, conn_id: int, length: int) -> Tuple[FetchResult, bytes]: ...

class TcpPackAgent(TcpAgent):
    max_pack_size: int
    pack_header_flag: int

class _Client(_Component):
    """What TCP and UDP clients share (not a runtime class)."""

    free_buffer_pool_size: int
    free_buffer_pool_hold: int
    extra: Any
    def __init__(self, listener: Any = None, **settings: Any) -> None: ...
    def start(
        self,
        remote_address: str,
        port: int,
        async_connect: bool = True,
        bind_address: Optional[str] = None,
        local_port: Optional[int] = None,
    ) -> None: ...
    def send(self, data: _Buffer) -> None: ...
    def send_packets(self, buffers: Iterable[_Buffer]) -> None: ...
    def send_small_file(
        self, path: _PathLike, head: Optional[_Buffer] = None, tail: Optional[_Buffer] = None
    ) -> None: ...
    def pause_receive(self, pause: bool = True) -> None: ...
    def is_pause_receive(self) -> bool: ...
    @property
    def is_connected(self) -> bool: ...
    @property
    def connection_id(self) -> int: ...
    def local_address(self) -> _Address: ...
    def remote_address(self) -> _Address: ...
    def remote_host(self) -> _Address: ...
    def pending_data_length(self) -> int: ...

class TcpClient(_Client, _TcpSettings):
    """A TCP client: one connection (PUSH model)."""

    sync_connect_timeout: int

class TcpPullClient(TcpClient):
    def fetch(self, length: int) -> Tuple[FetchResult, bytes]: ...
    def peek(self, length: int) -> Tuple[FetchResult, bytes]: ...

class TcpPackClient(TcpClient):
    max_pack_size: int
    pack_header_flag: int

# -- UDP ----------------------------------------------------------------------------------

class UdpServer(_Server, _UdpSettings):
    """A UDP server: each peer address is a connection; one send is one datagram.
    ``on_accept`` gets the peer's ``(host, port)`` instead of a socket."""

    post_receive_count: int

class UdpClient(_Client, _UdpSettings):
    """A UDP client: a socket connected to the server; one send is one datagram."""

class _ArqSettings:
    """The ARQ (KCP) settings of UDP ARQ components (not a runtime class); checked by
    ``start``."""

    no_delay: bool
    turnoff_congest_ctrl: bool
    flush_interval: int
    resend_by_acks: int
    send_wnd_size: int
    recv_wnd_size: int
    min_rto: int
    fast_limit: int
    max_trans_unit: int
    max_message_size: int
    handshake_timeout: int
    partial_reliability: bool

class UdpArqServer(_Server, _UdpSettings, _ArqSettings):
    """A reliable UDP server: HP-Socket's ARQ handshake, then KCP; one send is one message
    of 1 to ``max_message_size`` bytes, delivered whole and in order."""

    post_receive_count: int
    def waiting_send_message_count(self, conn_id: int) -> int: ...
    def send_ex(
        self,
        conn_id: int,
        data: _Buffer,
        deadline_ms: int = 0,
        max_retransmits: Optional[int] = None,
    ) -> int: ...

class UdpArqClient(_Client, _UdpSettings, _ArqSettings):
    """A reliable UDP client (see :class:`UdpArqServer`)."""

    def waiting_send_message_count(self) -> int: ...
    def send_ex(
        self, data: _Buffer, deadline_ms: int = 0, max_retransmits: Optional[int] = None
    ) -> int: ...

class UdpArqAgent(_Engine, _ArqSettings):
    """Extension: many outgoing ARQ sessions (see :class:`UdpArqServer`), each with its
    connection ID, as :class:`TcpAgent` is for TCP."""

    def __init__(self, listener: Any = None, **settings: Any) -> None: ...
    def start(self, bind_address: Optional[str] = None, async_connect: bool = True) -> None: ...
    def connect(
        self,
        remote_address: str,
        port: int,
        *,
        extra: Any = None,
        local_address: Optional[str] = None,
        local_port: Optional[int] = None,
    ) -> int: ...
    def remote_host(self, conn_id: int) -> _Address: ...
    def waiting_send_message_count(self, conn_id: int) -> int: ...
    def send_ex(
        self,
        conn_id: int,
        data: _Buffer,
        deadline_ms: int = 0,
        max_retransmits: Optional[int] = None,
    ) -> int: ...
    socket_recv_buffer_size: int
    socket_send_buffer_size: int

# -- SSL ----------------------------------------------------------------------------------

_Pem = Union[str, "os.PathLike[str]", bytes]

class _SslCommon:
    """The TLS settings of SSL components (not a runtime class)."""

    ssl_auto_handshake: bool
    ssl_handshake_timeout: int
    def setup_ssl_context(
        self,
        verify_mode: int = 0,
        certificate: Optional[_Pem] = None,
        private_key: Optional[_Pem] = None,
        key_password: Optional[str] = None,
        ca: Optional[_Pem] = None,
        cipher_list: Optional[str] = None,
    ) -> None: ...
    def cleanup_ssl_context(self) -> None: ...

class _SslServerCommon(_SslCommon):
    def setup_ssl_context(  # type: ignore[override]
        self,
        verify_mode: int = 0,
        certificate: Optional[_Pem] = None,
        private_key: Optional[_Pem] = None,
        key_password: Optional[str] = None,
        ca: Optional[_Pem] = None,
        cipher_list: Optional[str] = None,
        *,
        server_name_callback: Optional[Callable[[str], int]] = None,
    ) -> None: ...
    def add_ssl_context(
        self,
        verify_mode: int = 0,
        certificate: Optional[_Pem] = None,
        private_key: Optional[_Pem] = None,
        key_password: Optional[str] = None,
        ca: Optional[_Pem] = None,
        cipher_list: Optional[str] = None,
    ) -> int: ...
    def bind_ssl_server_name(self, server_name: str, index: int) -> None: ...
    def default_server_name_index(self, server_name: str) -> int: ...
    def start_ssl_handshake(self, conn_id: int) -> None: ...

class _SslAgentCommon(_SslCommon):
    ssl_verify_host_name: bool
    def start_ssl_handshake(self, conn_id: int) -> None: ...

class _SslClientCommon(_SslCommon):
    ssl_verify_host_name: bool
    def start_ssl_handshake(self) -> None: ...

class SslServer(TcpServer, _SslServerCommon):
    """An SSL server: a TcpServer whose connections run TLS."""

class SslPullServer(TcpPullServer, _SslServerCommon): ...
class SslPackServer(TcpPackServer, _SslServerCommon): ...

class SslAgent(TcpAgent, _SslAgentCommon):
    """An SSL agent."""

class SslPullAgent(TcpPullAgent, _SslAgentCommon): ...
class SslPackAgent(TcpPackAgent, _SslAgentCommon): ...

class SslClient(TcpClient, _SslClientCommon):
    """An SSL client."""

class SslPullClient(TcpPullClient, _SslClientCommon): ...
class SslPackClient(TcpPackClient, _SslClientCommon): ...

# ----- HTTP ---------------------------------------------------------------------------------

_Headers = Union[Headers, Iterable[Tuple[str, Any]], "dict[str, Any]", None]
_Body = Union[bytes, bytearray, memoryview, str, None]
_Version = Tuple[int, int]
_WsData = Union[bytes, bytearray, memoryview, str]

class HttpMessage:
    """One parsed request or response; immutable, readable from any thread."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> Optional[str]: ...
    @property
    def fragment(self) -> Optional[str]: ...
    @property
    def host(self) -> Optional[str]: ...
    @property
    def status(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def version(self) -> _Version: ...
    @property
    def keep_alive(self) -> bool: ...
    @property
    def is_upgrade(self) -> bool: ...
    @property
    def upgrade_type(self) -> HttpUpgradeType: ...
    @property
    def content_length(self) -> int: ...
    @property
    def headers(self) -> Headers: ...
    @property
    def cookies(self) -> dict[str, str]: ...
    @property
    def body(self) -> Optional[bytes]: ...
    def header(self, name: str, default: Optional[str] = ...) -> Optional[str]: ...
    def text(self, encoding: str = ...) -> str: ...

class _HttpCommon:
    local_version: _Version
    auto_start: bool
    ws_mode: bool
    ws_max_message: int

class _HttpServerCommon(_HttpCommon):
    release_delay: int
    def send_response(
        self, conn_id: int, status: int = ..., body: _Body = ..., headers: _Headers = ...,
        reason: Optional[str] = ...,
    ) -> None: ...
    def send_local_file(
        self, conn_id: int, path: _PathLike, status: int = ..., headers: _Headers = ...,
        reason: Optional[str] = ...,
    ) -> None: ...
    def send_chunk(self, conn_id: int, data: _Body, extensions: Optional[str] = ...) -> None: ...
    def release(self, conn_id: int) -> None: ...
    def start_http(self, conn_id: int) -> None: ...
    def send_ws_message(
        self, conn_id: int, data: _WsData, opcode: Optional[int] = ..., fin: bool = ...
    ) -> None: ...
    def ws_close(self, conn_id: int, code: int = ..., reason: str = ...) -> None: ...
    def http_message(self, conn_id: int) -> HttpMessage: ...
    def parse_error(self, conn_id: int) -> Optional[Tuple[int, str]]: ...

class _HttpAgentCommon(_HttpCommon):
    use_cookie: bool
    def send_request(
        self, conn_id: int, method: str, path: str, headers: _Headers = ..., body: _Body = ...
    ) -> None: ...
    def get(self, conn_id: int, path: str, headers: _Headers = ...) -> None: ...
    def delete(self, conn_id: int, path: str, headers: _Headers = ...) -> None: ...
    def head(self, conn_id: int, path: str, headers: _Headers = ...) -> None: ...
    def options(self, conn_id: int, path: str, headers: _Headers = ...) -> None: ...
    def trace(self, conn_id: int, path: str, headers: _Headers = ...) -> None: ...
    def connect_tunnel(self, conn_id: int, path: str, headers: _Headers = ...) -> None: ...
    def post(self, conn_id: int, path: str, body: _Body = ..., headers: _Headers = ...) -> None: ...
    def put(self, conn_id: int, path: str, body: _Body = ..., headers: _Headers = ...) -> None: ...
    def patch(self, conn_id: int, path: str, body: _Body = ..., headers: _Headers = ...) -> None: ...
    def send_chunk(self, conn_id: int, data: _Body, extensions: Optional[str] = ...) -> None: ...
    def start_http(self, conn_id: int) -> None: ...
    def send_ws_upgrade(self, conn_id: int, path: str, headers: _Headers = ...) -> None: ...
    def send_ws_message(
        self, conn_id: int, data: _WsData, opcode: Optional[int] = ..., fin: bool = ...
    ) -> None: ...
    def ws_close(self, conn_id: int, code: int = ..., reason: str = ...) -> None: ...
    def http_message(self, conn_id: int) -> HttpMessage: ...
    def parse_error(self, conn_id: int) -> Optional[Tuple[int, str]]: ...

class _HttpClientCommon(_HttpCommon):
    use_cookie: bool
    def send_request(
        self, method: str, path: str, headers: _Headers = ..., body: _Body = ...
    ) -> None: ...
    def get(self, path: str, headers: _Headers = ...) -> None: ...
    def delete(self, path: str, headers: _Headers = ...) -> None: ...
    def head(self, path: str, headers: _Headers = ...) -> None: ...
    def options(self, path: str, headers: _Headers = ...) -> None: ...
    def trace(self, path: str, headers: _Headers = ...) -> None: ...
    def connect_tunnel(self, path: str, headers: _Headers = ...) -> None: ...
    def post(self, path: str, body: _Body = ..., headers: _Headers = ...) -> None: ...
    def put(self, path: str, body: _Body = ..., headers: _Headers = ...) -> None: ...
    def patch(self, path: str, body: _Body = ..., headers: _Headers = ...) -> None: ...
    def send_chunk(self, data: _Body, extensions: Optional[str] = ...) -> None: ...
    def start_http(self) -> None: ...
    def send_ws_upgrade(self, path: str, headers: _Headers = ...) -> None: ...
    def send_ws_message(
        self, data: _WsData, opcode: Optional[int] = ..., fin: bool = ...
    ) -> None: ...
    def ws_close(self, code: int = ..., reason: str = ...) -> None: ...
    def http_message(self) -> HttpMessage: ...
    def parse_error(self) -> Optional[Tuple[int, str]]: ...

class _HttpSyncCommon:
    local_version: _Version
    use_cookie: bool
    connect_timeout: int  # type: ignore[assignment]
    request_timeout: int
    def open_url(
        self, method: str, url: str, headers: _Headers = ..., body: _Body = ...,
        force_reconnect: bool = ...,
    ) -> HttpMessage: ...
    def get(self, url: str, headers: _Headers = ...) -> HttpMessage: ...
    def post(self, url: str, body: _Body = ..., headers: _Headers = ...) -> HttpMessage: ...
    def http_message(self) -> HttpMessage: ...
    @property
    def response_body(self) -> bytes: ...
    def cleanup_request_result(self) -> None: ...

class HttpServer(TcpServer, _HttpServerCommon):
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...

class HttpsServer(SslServer, _HttpServerCommon):
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...

class HttpAgent(TcpAgent, _HttpAgentCommon):  # type: ignore[misc]
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...

class HttpsAgent(SslAgent, _HttpAgentCommon):  # type: ignore[misc]
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...

class HttpClient(TcpClient, _HttpClientCommon):
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...

class HttpsClient(SslClient, _HttpClientCommon):
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...

class HttpSyncClient(_HttpSyncCommon, TcpClient):  # type: ignore[misc]
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...

class HttpsSyncClient(_HttpSyncCommon, SslClient):  # type: ignore[misc]
    def __init__(self, listener: Any = ..., **settings: Any) -> None: ...
