import asyncio
from typing import Any, Awaitable, Callable, Optional, Tuple, TypeVar, Union

from ._native import TcpAgent, TcpServer

_P = TypeVar("_P", bound=asyncio.BaseProtocol)
_Buffer = Union[bytes, bytearray, memoryview]
_ClientConnectedCallback = Callable[
    [asyncio.StreamReader, asyncio.StreamWriter], Optional[Awaitable[None]]
]

DEFAULT_LIMIT: int
DEFAULT_MAX_SEND_QUEUE_BYTES: int
DEFAULT_SEND_QUEUE_LOW_WATERMARK: int

class _Endpoint:
    @property
    def component(self) -> Any: ...
    def close(self) -> None: ...
    async def wait_closed(self) -> None: ...
    async def stop(self) -> None: ...

class Server(_Endpoint):
    def __init__(
        self, protocol_factory: Callable[[], asyncio.BaseProtocol], **settings: Any
    ) -> None: ...
    @property
    def component(self) -> TcpServer: ...
    @property
    def address(self) -> Optional[Tuple[str, int]]: ...
    @property
    def port(self) -> int: ...
    def get_loop(self) -> asyncio.AbstractEventLoop: ...
    def is_serving(self) -> bool: ...
    async def start_serving(self) -> None: ...
    async def serve_forever(self) -> None: ...
    async def __aenter__(self) -> Server: ...
    async def __aexit__(self, *exc_info: Any) -> None: ...

class Agent(_Endpoint):
    def __init__(self, **settings: Any) -> None: ...
    @property
    def component(self) -> TcpAgent: ...
    async def start(self, bind_address: Optional[str] = None) -> None: ...
    async def create_connection(
        self,
        protocol_factory: Callable[[], _P],
        host: str,
        port: int,
        *,
        local_addr: Optional[Tuple[str, int]] = None,
    ) -> Tuple[asyncio.Transport, _P]: ...
    async def open_connection(
        self,
        host: str,
        port: int,
        *,
        limit: int = ...,
        local_addr: Optional[Tuple[str, int]] = None,
    ) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]: ...
    async def __aenter__(self) -> Agent: ...
    async def __aexit__(self, *exc_info: Any) -> None: ...

async def create_server(
    protocol_factory: Callable[[], asyncio.BaseProtocol],
    host: Optional[str] = None,
    port: int = 0,
    **settings: Any,
) -> Server: ...
async def start_server(
    client_connected_cb: _ClientConnectedCallback,
    host: Optional[str] = None,
    port: int = 0,
    *,
    limit: int = ...,
    **settings: Any,
) -> Server: ...
async def create_connection(
    protocol_factory: Callable[[], _P],
    host: str,
    port: int,
    *,
    agent: Optional[Agent] = None,
    local_addr: Optional[Tuple[str, int]] = None,
) -> Tuple[asyncio.Transport, _P]: ...
async def open_connection(
    host: str,
    port: int,
    *,
    limit: int = ...,
    agent: Optional[Agent] = None,
    local_addr: Optional[Tuple[str, int]] = None,
) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]: ...

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
