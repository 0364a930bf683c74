"""HTTP components against real peers on loopback: Python's ``http.client``/``urllib`` (and
``requests`` when installed) against ``HttpServer``; an in-process ``ThreadingHTTPServer`` as
the server of ``HttpSyncClient`` and ``HttpClient``; HTTPS both ways with Python's ``ssl``
module (certificates made with the ``openssl`` command). Every wait is on an event, with a
bounded timeout."""

from __future__ import annotations

import errno
import http.client
import http.server
import socket
import ssl
import threading
import urllib.request

import pytest

import hpsocket
from conftest import HOST, needs_openssl

TIMEOUT = 10


class Recorder(hpsocket.HttpServerListener):
    """Records every HTTP event and answers each request with what it saw."""

    def __init__(self, chunked_answer: bool = False) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple] = []
        self.bodies: dict[int, bytearray] = {}
        self.requests: list[tuple[int, hpsocket.HttpMessage, bytes]] = []
        self.done = threading.Event()
        self.errors: list[tuple[int, int, str]] = []
        self.error_seen = threading.Event()
        self.closed = threading.Event()
        self.chunked_answer = chunked_answer

    def on_message_begin(self, sender, conn_id):
        with self.lock:
            self.bodies[conn_id] = bytearray()
            self.events.append(("begin", conn_id))

    def on_request_line(self, sender, conn_id, method, url):
        with self.lock:
            self.events.append(("line", method, url))

    def on_header(self, sender, conn_id, name, value):
        with self.lock:
            self.events.append(("header", name, value))

    def on_headers_complete(self, sender, conn_id):
        with self.lock:
            self.events.append(("headers",))

    def on_chunk_header(self, sender, conn_id, length):
        with self.lock:
            self.events.append(("chunk", length))

    def on_chunk_complete(self, sender, conn_id):
        with self.lock:
            self.events.append(("chunk done",))

    def on_body(self, sender, conn_id, data):
        with self.lock:
            self.bodies[conn_id] += data

    def on_message_complete(self, sender, conn_id):
        m = sender.http_message(conn_id)
        with self.lock:
            body = bytes(self.bodies[conn_id])
            self.events.append(("complete",))
            self.requests.append((conn_id, m, body))
        answer = "%s %s q=%s body=%d" % (m.method, m.path, m.query, len(body))
        if self.chunked_answer:
            sender.send_response(conn_id, 200, headers={"Transfer-Encoding": "chunked"})
            sender.send_chunk(conn_id, b"part1,")
            sender.send_chunk(conn_id, "part2", extensions="x=y")
            sender.send_chunk(conn_id, b"")
        else:
            sender.send_response(
                conn_id, 200, answer.encode(), headers=[("X-Test", "yes"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
            )
        if not m.keep_alive:
            sender.release(conn_id)
        self.done.set()

    def on_parse_error(self, sender, conn_id, code, description):
        with self.lock:
            self.errors.append((conn_id, code, description))
        self.error_seen.set()

    def on_close(self, sender, conn_id, operation, error_code):
        self.closed.set()


@pytest.fixture
def http_server():
    rec = Recorder()
    server = hpsocket.HttpServer(rec, worker_thread_count=2)
    server.start(HOST, 0)
    try:
        yield server, server.listen_address()[1], rec
    finally:
        server.stop()


def test_enums_and_constants():
    assert hpsocket.HttpParseResult.ERROR == -1
    assert hpsocket.HttpParseResult.SKIP_BODY == 1
    assert hpsocket.HttpUpgradeType.WEB_SOCKET == 1
    assert hpsocket.ReceiveModel.HTTP == 3
    assert hpsocket.HTTP_VERSION_1_1 == 0x0101
    s = hpsocket.HttpServer(release_delay=500, local_version=(1, 0))
    assert s.release_delay == 500 and s.local_version == (1, 0)
    assert s.model == hpsocket.ReceiveModel.HTTP
    s.release_delay = 5  # kept within 100..=60000, as HP-Socket does
    assert s.release_delay == 100
    with pytest.raises(hpsocket.HPSocketError):
        s.local_version = (2, 0)
    assert isinstance(hpsocket.HttpsServer(), hpsocket.SslServer)
    c = hpsocket.HttpSyncClient(request_timeout=1234, use_cookie=False)
    assert c.request_timeout == 1234 and c.use_cookie is False and c.connect_timeout == 5000
    with pytest.raises(TypeError):
        hpsocket.HttpServer(no_such_setting=1)


def test_headers_mapping():
    h = hpsocket.Headers([("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2")])
    assert h["content-type"] == "text/plain" and h["SET-COOKIE"] == "a=1"
    assert h.getall("Set-Cookie") == ["a=1", "b=2"] and h.getall("x") == []
    assert "CONTENT-TYPE" in h and "x" not in h and len(h) == 2
    assert list(h) == ["Content-Type", "Set-Cookie"]
    assert h.get("x", "d") == "d"
    with pytest.raises(KeyError):
        h["x"]


def test_get_with_query_and_keep_alive_reuse(http_server):
    server, port, rec = http_server
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    conn.putrequest("GET", "/hello/world?x=1&y=two")
    conn.putheader("X-Multi", "one")
    conn.putheader("X-Multi", "two")
    conn.putheader("Cookie", "sid=abc; lang=en")
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 200
    assert r.read() == b"GET /hello/world q=x=1&y=two body=0"
    assert r.getheader("X-Test") == "yes"
    assert r.msg.get_all("Set-Cookie") == ["a=1", "b=2"]
    # Second request on the same connection.
    conn.request("GET", "/again")
    r = conn.getresponse()
    assert r.read() == b"GET /again q=None body=0"
    with rec.lock:
        conn_id = rec.requests[-1][0]
    # The message stays readable from this (another) thread after the callbacks, while the
    # connection lives.
    assert server.http_message(conn_id).path == "/again"
    conn.close()
    with rec.lock:
        (id1, m1, _), (id2, m2, _) = rec.requests
        events = list(rec.events)
    assert id1 == id2  # the same connection
    assert m1.method == "GET" and m1.url == "/hello/world?x=1&y=two" and m1.query == "x=1&y=two"
    assert m1.headers.getall("x-multi") == ["one", "two"]
    assert m1.headers["HOST"] == "%s:%d" % (HOST, port) and m1.host == "%s:%d" % (HOST, port)
    assert m1.cookies == {"sid": "abc", "lang": "en"}
    assert m1.version == (1, 1) and m1.keep_alive and m1.content_length == 0
    assert m1.upgrade_type == hpsocket.HttpUpgradeType.NONE
    assert events[0] == ("begin", id1)
    assert events[1] == ("line", "GET", "/hello/world?x=1&y=two")
    assert ("header", "X-Multi", "two") in events
    assert events.index(("headers",)) < events.index(("complete",))
    assert "GET /again" in repr(m2)


def test_post_with_urllib(http_server):
    server, port, rec = http_server
    req = urllib.request.Request("http://%s:%d/submit" % (HOST, port), data=b"k=v&x=y", method="POST")
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        assert r.status == 200
        assert r.read() == b"POST /submit q=None body=7"
    with rec.lock:
        _, m, body = rec.requests[-1]
    assert body == b"k=v&x=y" and m.content_length == 7
    assert m.headers["content-type"] == "application/x-www-form-urlencoded"


def test_chunked_upload(http_server):
    server, port, rec = http_server
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    conn.request("PUT", "/up", body=iter([b"hello ", b"chunked ", b"world"]), encode_chunked=True)
    r = conn.getresponse()
    assert r.read() == b"PUT /up q=None body=19"
    conn.close()
    with rec.lock:
        _, m, body = rec.requests[-1]
        chunks = [e[1] for e in rec.events if e[0] == "chunk"]
        done = sum(1 for e in rec.events if e == ("chunk done",))
    assert body == b"hello chunked world"
    assert chunks == [6, 8, 5, 0] and done == 4
    assert m.headers["transfer-encoding"] == "chunked" and m.content_length == 0


def test_requests_library(http_server):
    requests = pytest.importorskip("requests")
    server, port, rec = http_server
    with requests.Session() as s:
        r = s.post("http://%s:%d/json?a=b" % (HOST, port), json={"k": 1}, timeout=TIMEOUT)
        assert r.status_code == 200 and r.text == "POST /json q=a=b body=8"
        assert r.headers["x-test"] == "yes"
        r = s.get("http://%s:%d/x" % (HOST, port), timeout=TIMEOUT)
        assert r.text == "GET /x q=None body=0"


def test_bad_request_is_a_parse_error(http_server):
    server, port, rec = http_server
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(b"GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n")
        assert rec.error_seen.wait(TIMEOUT)
        assert s.recv(100) == b""  # the server closed the connection
    with rec.lock:
        conn_id, code, description = rec.errors[0]
    assert code > 0 and description
    assert rec.closed.wait(TIMEOUT)


def test_listener_error_fails_the_parse(unraisable):
    class Refuse(Recorder):
        def on_headers_complete(self, sender, conn_id):
            return hpsocket.HttpParseResult.ERROR

    rec = Refuse()
    with hpsocket.HttpServer(rec, worker_thread_count=1) as server:
        server.start(HOST, 0)
        port = server.listen_address()[1]
        with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert rec.error_seen.wait(TIMEOUT)
            assert s.recv(100) == b""
    assert not rec.requests


def test_sync_client_against_hpsocket_server_chunked_answer():
    rec = Recorder(chunked_answer=True)
    with hpsocket.HttpServer(rec, worker_thread_count=2) as server:
        server.start(HOST, 0)
        port = server.listen_address()[1]
        with hpsocket.HttpSyncClient() as client:
            r = client.open_url("GET", "http://%s:%d/c?z=1" % (HOST, port), headers={"X-A": "b"})
            assert r.status == 200 and r.body == b"part1,part2"
            assert r.headers["Transfer-Encoding"] == "chunked"
            first = client.connection_id
            r = client.post("http://%s:%d/p" % (HOST, port), body="é")
            assert r.body == b"part1,part2" and client.connection_id == first  # reused
            r = client.open_url("GET", "http://%s:%d/f" % (HOST, port), force_reconnect=True)
            assert client.connection_id != first
        with rec.lock:
            _, m, body = rec.requests[1]
        assert body == "é".encode() and m.method == "POST"
        assert rec.requests[0][1].headers["X-A"] == "b"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/missing"):
            payload = b"nope"
            self.send_response(404)
        else:
            payload = ("%s %s %s %s" % (self.command, self.path, self.headers.get("X-Req"), body.decode())).encode()
            self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Set-Cookie", "c1=v1; Path=/")
        self.send_header("X-Dup", "1")
        self.send_header("X-Dup", "2")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = _answer


@pytest.fixture
def py_server():
    httpd = http.server.ThreadingHTTPServer((HOST, 0), _Handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield httpd, httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(TIMEOUT)


def test_sync_client_against_python_server(py_server):
    _, port = py_server
    base = "http://%s:%d" % (HOST, port)
    events = []

    class L(hpsocket.HttpClientListener):
        def on_status_line(self, sender, conn_id, status, reason):
            events.append((sender, status, reason))

    with hpsocket.HttpSyncClient(L(), use_cookie=False) as c:
        r = c.open_url("GET", base + "/a?b=c", headers=[("X-Req", "1")])
        assert (r.status, r.reason, r.version) == (200, "OK", (1, 1))
        assert r.body == b"GET /a?b=c 1 " and r.text() == "GET /a?b=c 1 "
        assert r.headers.getall("x-dup") == ["1", "2"] and r.cookies == {"c1": "v1"}
        assert c.response_body == r.body and c.http_message().status == 200
        assert events and events[0][0] is c and events[0][1:] == (200, "OK")
        r = c.open_url("POST", base + "/post", body=b"payload")
        assert r.body == b"POST /post None payload"
        r = c.get(base + "/missing")
        assert r.status == 404 and r.body == b"nope"
        r = c.open_url("HEAD", base + "/h")
        assert r.status == 200 and r.body == b"" and r.content_length > 0
        with pytest.raises(hpsocket.HPSocketError) as e:
            c.open_url("GET", "https://%s:%d/" % (HOST, port))
        assert e.value.code == hpsocket.SocketError.INVALID_PARAM


def test_sync_client_request_timeout():
    # A server that never answers: open_url gives up after request_timeout.
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with hpsocket.HttpSyncClient(request_timeout=200) as c:
            with pytest.raises(hpsocket.HPSocketError) as e:
                c.open_url("GET", "http://%s:%d/" % (HOST, port))
            assert e.value.errno == errno.ETIMEDOUT


def test_async_client_against_python_server(py_server):
    _, port = py_server

    class L(hpsocket.HttpClientListener):
        def __init__(self):
            self.body = bytearray()
            self.complete = threading.Event()
            self.messages = []

        def on_body(self, sender, conn_id, data):
            self.body += data

        def on_message_complete(self, sender, conn_id):
            self.messages.append(sender.http_message())
            self.complete.set()

    listener = L()
    with hpsocket.HttpClient(listener) as c:
        c.start(HOST, port, False)
        c.put("/thing", b"data", headers={"X-Req": "9"})
        assert listener.complete.wait(TIMEOUT)
        assert bytes(listener.body) == b"PUT /thing 9 data"
        m = listener.messages[0]
        assert m.status == 200 and m.headers["content-length"] == "17" and m.body is None


def test_agent_against_python_server(py_server):
    _, port = py_server
    done = threading.Event()
    got = {}

    class L(hpsocket.HttpAgentListener):
        def on_body(self, sender, conn_id, data):
            got.setdefault(conn_id, bytearray()).extend(data)

        def on_message_complete(self, sender, conn_id):
            done.set()

    with hpsocket.HttpAgent(L()) as agent:
        agent.start(None, False)
        conn_id = agent.connect(HOST, port)
        agent.get(conn_id, "/agent", headers={"X-Req": "a"})
        assert done.wait(TIMEOUT)
        assert bytes(got[conn_id]) == b"GET /agent a "
        assert agent.http_message(conn_id).status == 200


# ----- HTTPS ----------------------------------------------------------------------------------


@needs_openssl
def test_https_server_with_python_ssl_client(cert):
    crt, key = cert
    rec = Recorder()
    with hpsocket.HttpsServer(rec, worker_thread_count=2) as server:
        server.setup_ssl_context(hpsocket.SSL_VM_NONE, crt, key)
        server.start(HOST, 0)
        port = server.listen_address()[1]
        ctx = ssl.create_default_context(cafile=str(crt))
        conn = http.client.HTTPSConnection(HOST, port, timeout=TIMEOUT, context=ctx)
        conn.request("POST", "/secure?s=1", body=b"abc")
        r = conn.getresponse()
        assert r.status == 200 and r.read() == b"POST /secure q=s=1 body=3"
        conn.close()


@needs_openssl
def test_https_sync_client_with_python_ssl_server(cert):
    crt, key = cert
    httpd = http.server.ThreadingHTTPServer((HOST, 0), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(crt), str(key))
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        port = httpd.server_address[1]
        with hpsocket.HttpsSyncClient() as c:
            c.setup_ssl_context(hpsocket.SSL_VM_PEER, ca=crt)
            r = c.open_url("GET", "https://%s:%d/tls" % (HOST, port), headers={"X-Req": "t"})
            assert r.status == 200 and r.body == b"GET /tls t "
            with pytest.raises(hpsocket.HPSocketError):
                c.open_url("GET", "http://%s:%d/tls" % (HOST, port))
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(TIMEOUT)
