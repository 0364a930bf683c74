"""SSL components: TLS echo against Python's ``ssl`` module and between hpsocket peers,
mutual TLS, SNI (bound names and a Python callback), PEM in memory, manual handshake, PACK
and PULL over TLS. Certificates are made with the ``openssl`` command for the session."""

from __future__ import annotations

import gc
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import weakref

import pytest

import hpsocket
from conftest import HOST, recv_exact, wait_until

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

VERIFY = hpsocket.SSL_VM_PEER | hpsocket.SSL_VM_FAIL_IF_NO_PEER_CERT


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    # Extensions as strict verifiers (Python 3.13's VERIFY_X509_STRICT) want them.
    run("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
        "-subj", "/CN=hpsocket test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, cn, san in (
        ("server", "localhost", "DNS:localhost,IP:127.0.0.1"),
        ("other", "other.example", "DNS:other.example"),
        ("client", "hpsocket client", "DNS:client"),
    ):
        (d / (name + ".ext")).write_text(
            "subjectAltName=%s\n"
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth,clientAuth\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n" % san
        )
        run("req", *key, "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn)
        run("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "3650", "-extfile", name + ".ext")
    return d


class TlsEcho(hpsocket.TcpServerListener):
    def __init__(self) -> None:
        self.handshakes = 0
        self.closed: list[tuple[int, int]] = []

    def on_handshake(self, sender, conn_id):
        self.handshakes += 1

    def on_receive(self, sender, conn_id, data):
        try:
            sender.send(conn_id, data)
        except hpsocket.HPSocketError:
            return hpsocket.HandleResult.ERROR

    def on_close(self, sender, conn_id, operation, error_code):
        self.closed.append((int(operation), error_code))


def _python_client(certs, **kw) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    if kw.get("client_cert"):
        ctx.load_cert_chain(str(certs / "client.pem"), str(certs / "client.key"))
    return ctx


def _server(certs, cls=hpsocket.SslServer, listener=None, **setup):
    listener = listener or TlsEcho()
    server = cls(listener)
    server.setup_ssl_context(
        certificate=certs / "server.pem", private_key=str(certs / "server.key"), **setup
    )
    server.start(HOST, 0)
    return server, listener


def test_ssl_server_with_python_ssl_client(certs):
    server, listener = _server(certs)
    assert server.is_secure and isinstance(server, hpsocket.TcpServer)
    try:
        ctx = _python_client(certs)
        with socket.create_connection(server.listen_address(), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.getpeercert()["subject"][0][0][1] == "localhost"
                for size in (1, 1000, 100_000):
                    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
                    s.sendall(payload)
                    assert recv_exact(s, len(payload)) == payload
        assert wait_until(lambda: listener.closed)
        assert listener.handshakes == 1
    finally:
        server.stop()


def test_ssl_client_and_agent_against_ssl_server_with_mutual_tls(certs):
    server, _ = _server(certs, verify_mode=VERIFY, ca=certs / "ca.pem")
    port = server.listen_address()[1]
    try:
        got = []
        ready = threading.Event()

        class Client(hpsocket.TcpClientListener):
            def on_handshake(self, sender, conn_id):
                ready.set()  # TLS is up: sends are allowed from here

            def on_receive(self, sender, conn_id, data):
                got.append(data)

        with hpsocket.SslClient(Client()) as client:
            assert client.is_secure
            client.setup_ssl_context(
                hpsocket.SSL_VM_PEER,
                certificate=certs / "client.pem",
                private_key=certs / "client.key",
                ca=certs / "ca.pem",
            )
            client.start(HOST, port, async_connect=False)
            assert ready.wait(10)
            client.send(b"mutual")
            assert wait_until(lambda: b"".join(got) == b"mutual")

        received = []
        handshaken = []

        class Agent(hpsocket.TcpAgentListener):
            def on_handshake(self, sender, conn_id):
                handshaken.append(conn_id)

            def on_receive(self, sender, conn_id, data):
                received.append(data)

        with hpsocket.SslAgent(Agent()) as agent:
            agent.setup_ssl_context(
                hpsocket.SSL_VM_PEER,
                certificate=(certs / "client.pem").read_bytes(),  # PEM text in memory
                private_key=(certs / "client.key").read_bytes(),
                ca=(certs / "ca.pem").read_bytes(),
            )
            agent.start(async_connect=False)
            ids = [agent.connect("127.0.0.1^localhost", port) for _ in range(5)]
            assert wait_until(lambda: len(handshaken) == 5)
            for cid in ids:
                agent.send(cid, b"agent")
            assert wait_until(lambda: len(b"".join(received)) == 25)
    finally:
        server.stop()


def test_mutual_tls_refuses_a_client_without_certificate(certs):
    server, listener = _server(certs, verify_mode=VERIFY, ca=certs / "ca.pem")
    try:
        closed = []

        class Client(hpsocket.TcpClientListener):
            def on_close(self, sender, conn_id, operation, error_code):
                closed.append(operation)

        client = hpsocket.SslClient(Client())
        client.setup_ssl_context(hpsocket.SSL_VM_PEER, ca=certs / "ca.pem")
        try:
            client.start(HOST, server.listen_address()[1], async_connect=False)
            client.send(b"x")
        except hpsocket.HPSocketError:
            pass
        assert wait_until(lambda: listener.closed)
        assert listener.handshakes == 0
        err = server.last_error()
        assert isinstance(err, hpsocket.HPSocketError) and err.sequence >= 1
        client.wait(5)
    finally:
        server.stop()


def test_sni_bound_names_and_python_callback(certs, unraisable):
    names = []
    server = hpsocket.SslServer(TlsEcho())

    def pick(name):
        names.append(name)
        if name == "boom.example":
            raise LookupError("no certificate for " + name)
        return server.default_server_name_index(name)

    server.setup_ssl_context(
        certificate=certs / "server.pem", private_key=certs / "server.key", server_name_callback=pick
    )
    index = server.add_ssl_context(certificate=certs / "other.pem", private_key=certs / "other.key")
    assert index == 1
    server.bind_ssl_server_name("other.example", index)
    assert server.default_server_name_index("OTHER.example") == 1
    assert server.default_server_name_index("localhost") == 0
    server.start(HOST, 0)
    try:
        ctx = _python_client(certs)
        for name in ("localhost", "other.example"):
            with socket.create_connection(server.listen_address(), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname=name) as s:
                    cn = dict(x[0] for x in s.getpeercert()["subject"])["commonName"]
                    assert cn == name
        with socket.create_connection(server.listen_address(), timeout=10) as raw:
            ctx.check_hostname = False
            with pytest.raises((ssl.SSLError, ConnectionError)):
                with ctx.wrap_socket(raw, server_hostname="boom.example") as s:
                    s.recv(1)
        assert names == ["localhost", "other.example", "boom.example"]
        assert wait_until(lambda: unraisable.items)
        assert unraisable.types() == [LookupError]
    finally:
        server.stop()


def test_manual_handshake_after_plaintext(certs):
    class StartTls(TlsEcho):
        def on_accept(self, sender, conn_id, fd):
            pass

        def on_receive(self, sender, conn_id, data):
            if data == b"STARTTLS\n":
                sender.send(conn_id, b"GO\n")
                sender.start_ssl_handshake(conn_id)
                return None
            return super().on_receive(sender, conn_id, data)

    server = hpsocket.SslServer(StartTls(), ssl_auto_handshake=False)
    assert server.ssl_auto_handshake is False
    server.setup_ssl_context(certificate=certs / "server.pem", private_key=certs / "server.key")
    server.start(HOST, 0)
    try:
        with socket.create_connection(server.listen_address(), timeout=10) as raw:
            raw.sendall(b"STARTTLS\n")
            assert recv_exact(raw, 3) == b"GO\n"
            with _python_client(certs).wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"secret")
                assert recv_exact(s, 6) == b"secret"
    finally:
        server.stop()


def test_ssl_pack_and_pull(certs):
    frames = []

    class PackEcho(hpsocket.TcpPackServerListener):
        def on_receive(self, sender, conn_id, data):
            sender.send(conn_id, data[::-1])

    server, _ = _server(certs, cls=hpsocket.SslPackServer, listener=PackEcho())
    assert isinstance(server, hpsocket.TcpPackServer)
    try:

        ready = threading.Event()

        class Client(hpsocket.TcpPackClientListener):
            def on_handshake(self, sender, conn_id):
                ready.set()

            def on_receive(self, sender, conn_id, data):
                frames.append(data)

        with hpsocket.SslPackClient(Client()) as client:
            client.setup_ssl_context(ca=certs / "ca.pem")
            client.start(HOST, server.listen_address()[1], async_connect=False)
            assert ready.wait(10)
            client.send(b"frame one")
            client.send(b"frame two")
            assert wait_until(lambda: frames == [b"eno emarf", b"owt emarf"])
    finally:
        server.stop()

    class Pull(hpsocket.TcpPullServerListener):
        def on_receive(self, sender, conn_id, length):
            result, data = sender.fetch(conn_id, 4)
            if result == hpsocket.FetchResult.OK:
                sender.send(conn_id, struct.pack("!I", struct.unpack("!I", data)[0] + 1))

    server, _ = _server(certs, cls=hpsocket.SslPullServer, listener=Pull())
    assert isinstance(server, hpsocket.TcpPullServer)
    try:
        with socket.create_connection(server.listen_address(), timeout=10) as raw:
            with _python_client(certs).wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(struct.pack("!I", 41))
                assert struct.unpack("!I", recv_exact(s, 4))[0] == 42
    finally:
        server.stop()


def test_ssl_errors(certs):
    server = hpsocket.SslServer()
    with pytest.raises(hpsocket.HPSocketError) as e:
        server.start(HOST, 0)  # no context
    assert e.value.code == hpsocket.SocketError.SSL_ENV_NOT_READY
    with pytest.raises(hpsocket.HPSocketError):
        server.setup_ssl_context(certificate=certs / "missing.pem", private_key=certs / "server.key")
    with pytest.raises(TypeError):
        server.setup_ssl_context(certificate=42)
    with pytest.raises(TypeError):
        server.setup_ssl_context(server_name_callback=5)
    with pytest.raises(TypeError):
        hpsocket.TcpServer(ssl_auto_handshake=False)  # plain TCP has no SSL settings
    assert hpsocket.TcpServer().is_secure is False
    assert hpsocket.SslClient().ssl_handshake_timeout == 30000


def test_ssl_server_cycle_through_sni_callback_is_collected(certs):
    class Holder(hpsocket.TcpServerListener):
        def pick(self, name):
            return 0

    listener = Holder()
    server = hpsocket.SslPackServer(listener)
    listener.server = server
    server.setup_ssl_context(
        certificate=certs / "server.pem", private_key=certs / "server.key",
        server_name_callback=listener.pick,
    )
    server.start(HOST, 0)
    server.stop()
    ref = weakref.ref(server)
    del server, listener
    for _ in range(3):
        gc.collect()
    assert ref() is None


@pytest.fixture
def wrong_name_s_server(certs):
    """``openssl s_server`` presenting the certificate for ``other.example`` (signed by the
    test CA); yields its port."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        ["openssl", "s_server", "-accept", "%s:%d" % (HOST, port), "-quiet",
         "-cert", str(certs / "other.pem"), "-key", str(certs / "other.key")],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def listening():
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            return False

    try:
        assert wait_until(listening)
        yield port
    finally:
        proc.kill()
        proc.wait()


class _HandshakeOrClose(hpsocket.TcpClientListener):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.handshake = False
        self.close_code = None

    def on_handshake(self, sender, conn_id):
        self.handshake = True
        self.done.set()

    def on_close(self, sender, conn_id, operation, error_code):
        self.close_code = error_code
        self.done.set()


@pytest.mark.parametrize("remote", ["127.0.0.1^evil.example", "localhost", "127.0.0.1"])
def test_ssl_client_checks_the_server_name(certs, wrong_name_s_server, remote):
    import errno

    listener = _HandshakeOrClose()
    client = hpsocket.SslClient(listener)
    assert client.ssl_verify_host_name is True
    client.setup_ssl_context(hpsocket.SSL_VM_PEER, ca=certs / "ca.pem")
    client.start(remote, wrong_name_s_server, async_connect=False)
    assert listener.done.wait(10)
    assert not listener.handshake
    assert listener.close_code == errno.EKEYREJECTED
    name = remote.split("^")[-1]
    assert "certificate is for other.example, not %s" % name in str(client.last_error())
    client.stop()  # already stopped by itself: a no-op


def test_ssl_client_name_check_can_be_turned_off(certs, wrong_name_s_server):
    for kwargs, remote in (({"ssl_verify_host_name": False}, "127.0.0.1^evil.example"),
                           ({}, "127.0.0.1^other.example")):
        listener = _HandshakeOrClose()
        with hpsocket.SslClient(listener, **kwargs) as client:
            client.setup_ssl_context(hpsocket.SSL_VM_PEER, ca=certs / "ca.pem")
            client.start(remote, wrong_name_s_server, async_connect=False)
            assert listener.done.wait(10)
            assert listener.handshake, listener.close_code
    agent = hpsocket.SslAgent(hpsocket.TcpAgentListener())
    assert agent.ssl_verify_host_name is True
    agent.ssl_verify_host_name = False
    assert agent.ssl_verify_host_name is False
    with pytest.raises(AttributeError):
        hpsocket.SslServer().ssl_verify_host_name
