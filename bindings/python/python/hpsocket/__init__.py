"""hpsocket: HP-Socket's TCP and UDP components, rebuilt in Rust.

Components (each a context manager; settings are keyword arguments and properties with
HP-Socket's names and defaults):

* :class:`TcpServer`, :class:`TcpPullServer`, :class:`TcpPackServer` -- listen and accept;
* :class:`TcpAgent`, :class:`TcpPullAgent`, :class:`TcpPackAgent` -- many outgoing connections;
* :class:`TcpClient`, :class:`TcpPullClient`, :class:`TcpPackClient` -- one connection;
* the SSL forms of all nine (:class:`SslServer`, :class:`SslPullServer`, ... :class:`SslPackClient`),
  subclasses of the TCP ones with ``setup_ssl_context`` and the other TLS calls;
* :class:`UdpServer`, :class:`UdpClient` -- datagrams: one send is one datagram, each peer
  address is a connection;
* :class:`UdpArqServer`, :class:`UdpArqClient` -- reliable UDP (HP-Socket's ARQ handshake,
  then KCP): one send is one message, delivered whole and in order; :class:`UdpArqAgent`
  (an extension) holds many such sessions, each with its connection ID;
* :class:`HttpServer`, :class:`HttpAgent`, :class:`HttpClient`, :class:`HttpSyncClient` and
  their HTTPS forms -- HTTP/1.x over the TCP (SSL) components: parse events go to an
  :class:`HttpServerListener` / :class:`HttpAgentListener` / :class:`HttpClientListener`,
  messages are :class:`HttpMessage` objects with case-insensitive :class:`Headers`; with
  ``ws_mode=True`` they also speak WebSocket (``send_ws_upgrade``, ``on_ws_message``,
  ``send_ws_message``, ``ws_close``);
* :mod:`hpsocket.codec` -- zlib, gzip and brotli compressors and decompressors;
* :mod:`hpsocket.aio` -- asyncio streams and protocols over the TCP server and agent
  (``start_server``, ``open_connection``, ``create_server``, ``create_connection``).

Events go to a listener object; subclass :class:`TcpServerListener`,
:class:`TcpAgentListener` or :class:`TcpClientListener` (or their Pull/Pack variants, or
:class:`UdpServerListener`/:class:`UdpClientListener`, :class:`UdpArqServerListener`/
:class:`UdpArqClientListener`/:class:`UdpArqAgentListener`) and override what you need. Failures raise :class:`HPSocketError`, which carries HP-Socket's
error ``code`` (:class:`SocketError`), its ``text`` and the ``errno`` (an :class:`Errno`, an
``int`` whose ``str()`` names it, as ``on_close`` gets its ``error_code``).

Logging: :func:`enable_logging` sends the library's own records (connections accepted and
closed with the reason, TLS handshake failures, refusals) to the ``hpsocket`` loggers of
:mod:`logging`; off until called.

A minimal echo server::

    import hpsocket

    class Echo(hpsocket.TcpServerListener):
        def on_receive(self, sender, conn_id, data):
            sender.send(conn_id, data)

    with hpsocket.TcpServer(Echo()) as server:
        server.start("127.0.0.1", 5555)
        server.wait()

Threads and lifetimes: listener methods run on worker threads that take the GIL only for
them; ``start``, ``stop``, ``wait``, a synchronous connect and ``send_small_file`` release
the GIL. Data given to a listener is a new ``bytes`` object that may be kept; the ``fd``
passed to ``on_prepare_listen``/``on_accept``/``on_prepare_connect`` is valid only during
that call. A running component stays alive without Python references until it stops; at
interpreter exit every running component is stopped.
"""

# Before the native module: its exit handler (which hands the last log records to logging)
# must be registered after logging's, so that it runs first.
import logging as _logging_module  # noqa: F401
from importlib.metadata import PackageNotFoundError as _NotFound
from importlib.metadata import version as _version

from ._errno import Errno
from ._http import Headers
from ._logging import LOGGER_NAME, disable_logging, enable_logging, flush_logging
from ._listeners import (
    HttpAgentListener,
    HttpClientListener,
    HttpServerListener,
    TcpAgentListener,
    TcpClientListener,
    TcpPackAgentListener,
    TcpPackClientListener,
    TcpPackServerListener,
    TcpPullAgentListener,
    TcpPullClientListener,
    TcpPullServerListener,
    TcpServerListener,
    UdpArqAgentListener,
    UdpArqClientListener,
    UdpArqServerListener,
    UdpClientListener,
    UdpServerListener,
)
from ._native import (
    HTTP_VERSION_1_0,
    HTTP_VERSION_1_1,
    HttpAgent,
    HttpClient,
    HttpMessage,
    HttpParseResult,
    HttpsAgent,
    HttpsClient,
    HttpServer,
    HttpsServer,
    HttpsSyncClient,
    HttpSyncClient,
    HttpUpgradeType,
    PACK_FLAG_MAX,
    PACK_HEADER_LEN,
    PACK_LENGTH_MASK,
    SSL_VM_CLIENT_ONCE,
    SSL_VM_FAIL_IF_NO_PEER_CERT,
    SSL_VM_NONE,
    SSL_VM_PEER,
    FetchResult,
    HandleResult,
    HPSocketError,
    OnSendSyncPolicy,
    ReceiveModel,
    ReuseAddressPolicy,
    SendPolicy,
    ServiceState,
    SocketError,
    SocketOperation,
    SslAgent,
    SslClient,
    SslPackAgent,
    SslPackClient,
    SslPackServer,
    SslPullAgent,
    SslPullClient,
    SslPullServer,
    SslServer,
    TcpAgent,
    TcpClient,
    TcpPackAgent,
    TcpPackClient,
    TcpPackServer,
    TcpPullAgent,
    TcpPullClient,
    TcpPullServer,
    TcpServer,
    UdpArqAgent,
    UdpArqClient,
    UdpArqServer,
    UdpClient,
    UdpServer,
    WsOpcode,
)

try:
    __version__ = _version("hpsocket-rs")
except _NotFound:  # imported from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Errno",
    "LOGGER_NAME",
    "disable_logging",
    "enable_logging",
    "flush_logging",
    "HTTP_VERSION_1_0",
    "HTTP_VERSION_1_1",
    "Headers",
    "HttpAgent",
    "HttpAgentListener",
    "HttpClient",
    "HttpClientListener",
    "HttpMessage",
    "HttpParseResult",
    "HttpServer",
    "HttpServerListener",
    "HttpSyncClient",
    "HttpUpgradeType",
    "HttpsAgent",
    "HttpsClient",
    "HttpsServer",
    "HttpsSyncClient",
    "PACK_FLAG_MAX",
    "PACK_HEADER_LEN",
    "PACK_LENGTH_MASK",
    "SSL_VM_CLIENT_ONCE",
    "SSL_VM_FAIL_IF_NO_PEER_CERT",
    "SSL_VM_NONE",
    "SSL_VM_PEER",
    "FetchResult",
    "HandleResult",
    "HPSocketError",
    "OnSendSyncPolicy",
    "ReceiveModel",
    "ReuseAddressPolicy",
    "SendPolicy",
    "ServiceState",
    "SocketError",
    "SocketOperation",
    "SslAgent",
    "SslClient",
    "SslPackAgent",
    "SslPackClient",
    "SslPackServer",
    "SslPullAgent",
    "SslPullClient",
    "SslPullServer",
    "SslServer",
    "TcpAgent",
    "TcpAgentListener",
    "TcpClient",
    "TcpClientListener",
    "TcpPackAgent",
    "TcpPackAgentListener",
    "TcpPackClient",
    "TcpPackClientListener",
    "TcpPackServer",
    "TcpPackServerListener",
    "TcpPullAgent",
    "TcpPullAgentListener",
    "TcpPullClient",
    "TcpPullClientListener",
    "TcpPullServer",
    "TcpPullServerListener",
    "TcpServer",
    "TcpServerListener",
    "UdpArqAgent",
    "UdpArqAgentListener",
    "UdpArqClient",
    "UdpArqClientListener",
    "UdpArqServer",
    "UdpArqServerListener",
    "UdpClient",
    "UdpClientListener",
    "UdpServer",
    "UdpServerListener",
    "WsOpcode",
]
