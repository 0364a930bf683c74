#!/usr/bin/env python3
"""Client side of tests/c/test_http_local_file.c: downloads what the C server sends with
HP_HttpServer_SendLocalFile over http and https with curl, Python `requests` and raw sockets
(pipelined requests, a client that leaves mid-file), compares sha256 digests, and samples the
server's VmRSS while a 256 MiB body goes out. Prints one line per check; exits 1 on the first
failure.

    http_local_file_client.py DIR HTTP_PORT HTTPS_PORT SERVER_PID
"""
import hashlib
import os
import socket
import ssl
import subprocess
import sys

import requests

DIR, HTTP_PORT, HTTPS_PORT, PID = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
CA = os.path.join(DIR, "ca.crt")
MIB = 1 << 20
# The server holds a few hundred KiB per connection for a file body; reading a 256 MiB file
# whole would add 256 MiB. The bound leaves room for allocator noise, not for the file.
RSS_GROWTH_BOUND_KIB = 48 * 1024


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MIB), b""):
            h.update(chunk)
    return h.hexdigest()


WANT = {name: digest(os.path.join(DIR, name)) for name in ("f64", "small")}
SIZE = {name: os.path.getsize(os.path.join(DIR, name)) for name in ("f64", "f256", "small")}


def base(scheme):
    port = HTTP_PORT if scheme == "http" else HTTPS_PORT
    return "%s://127.0.0.1:%d" % (scheme, port)


def vm_rss_kib():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    fail("no VmRSS for pid %d" % PID)


def connect(scheme):
    port = HTTP_PORT if scheme == "http" else HTTPS_PORT
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    if scheme == "https":
        ctx = ssl.create_default_context(cafile=CA)
        sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1")
    return sock


class Reader:
    """Reads HTTP/1.1 responses with Content-Length from a socket, bytes kept between them."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        data = self.sock.recv(MIB)
        if not data:
            fail("connection closed early")
        self.buf += data

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        return lines[0], headers

    def body(self, length, sink):
        left = length
        while left > 0:
            if not self.buf:
                self.fill()
            piece, self.buf = self.buf[:left], self.buf[left:]
            sink(piece)
            left -= len(piece)


def curl(scheme):
    # HTTP/1.0: the server releases the connection 100 ms after the answer is queued; at
    # 128 MB/s the 64 MiB take about half a second, so the release meets the file mid-way.
    for version, rate in (("--http1.1", []), ("--http1.0", ["--limit-rate", "128M"])):
        out = os.path.join(DIR, "curl-%s.out" % scheme)
        subprocess.run(
            ["curl", "-sS", "--fail", version, "--cacert", CA, "-o", out, base(scheme) + "/f64"]
            + rate,
            check=True,
        )
        got = digest(out)
        os.unlink(out)
        if got != WANT["f64"]:
            fail("curl %s %s: sha256 %s, want %s" % (version, scheme, got, WANT["f64"]))
        print("curl %s %s: 64 MiB, sha256 matches" % (version, scheme), flush=True)


def python_requests(scheme):
    with requests.Session() as s:
        for path in ("f64", "small", "f64"):
            r = s.get(base(scheme) + "/" + path, stream=True, verify=CA, timeout=60)
            if r.status_code != 200:
                fail("requests %s /%s: status %d" % (scheme, path, r.status_code))
            if int(r.headers["Content-Length"]) != SIZE[path]:
                fail("requests %s /%s: Content-Length %s" % (scheme, path, r.headers["Content-Length"]))
            h = hashlib.sha256()
            for chunk in r.iter_content(MIB):
                h.update(chunk)
            if h.hexdigest() != WANT[path]:
                fail("requests %s /%s: sha256 differs" % (scheme, path))
    print("requests %s: /f64, /small, /f64 on one keep-alive session, sha256 match" % scheme, flush=True)


def pipelined(scheme):
    """Three requests in one write: the file, a plain response, the small file. Each answer
    must come whole and in order (the plain response waits behind the 64 MiB body)."""
    sock = connect(scheme)
    req = "GET /%s HTTP/1.1\r\nHost: x\r\n\r\n"
    sock.sendall(((req % "f64") + (req % "text") + (req % "small")).encode())
    r = Reader(sock)
    for path in ("f64", "text", "small"):
        status, headers = r.head()
        if not status.startswith("HTTP/1.1 200"):
            fail("pipelined %s /%s: %s" % (scheme, path, status))
        n = int(headers["content-length"])
        h = hashlib.sha256()
        got = []
        r.body(n, lambda p: (h.update(p), got.append(p) if path == "text" else None))
        if path == "text":
            if b"".join(got) != b"after the file":
                fail("pipelined %s /text: %r" % (scheme, b"".join(got)))
        elif h.hexdigest() != WANT[path] or n != SIZE[path]:
            fail("pipelined %s /%s: sha256 or length differs" % (scheme, path))
    sock.close()
    print("pipelined %s: /f64 then /text then /small, in order and whole" % scheme, flush=True)


def leave_mid_file(scheme, times):
    """Asks for 256 MiB, reads 1 MiB of it and closes, `times` times. The server's sendfile
    then meets a peer that reset: without SIGPIPE blocked on its workers the C server died
    within a few hundred of these (exit status 141)."""
    for _ in range(times):
        sock = connect(scheme)
        sock.sendall(b"GET /f256 HTTP/1.1\r\nHost: x\r\n\r\n")
        r = Reader(sock)
        r.head()
        r.body(MIB, lambda p: None)
        sock.close()
    print("%s: left after 1 MiB of 256 MiB, %d times" % (scheme, times), flush=True)


def rss_during_download(scheme):
    base_rss = vm_rss_kib()
    peak = base_rss
    sock = connect(scheme)
    sock.sendall(b"GET /f256 HTTP/1.1\r\nHost: x\r\n\r\n")
    r = Reader(sock)
    r.head()
    left = SIZE["f256"]
    seen = 0
    while left > 0:
        if not r.buf:
            r.fill()
        n = min(left, len(r.buf))
        r.buf = r.buf[n:]
        left -= n
        seen += n
        if seen >= 8 * MIB:
            seen = 0
            peak = max(peak, vm_rss_kib())
    sock.close()
    growth = peak - base_rss
    print(
        "rss %s: 256 MiB sent, server VmRSS %d KiB before, peak %d KiB (+%d KiB, bound +%d KiB)"
        % (scheme, base_rss, peak, growth, RSS_GROWTH_BOUND_KIB),
        flush=True,
    )
    if growth > RSS_GROWTH_BOUND_KIB:
        fail("rss %s: the server grew by %d KiB" % (scheme, growth))


def errors():
    """The server answers /err-* with what SendLocalFile returned for a bad file."""
    for case in ("missing", "dir", "fifo"):
        r = requests.get(base("http") + "/err-" + case, timeout=30)
        if r.status_code != 500 or not r.text.startswith("refused"):
            fail("/err-%s: %d %r" % (case, r.status_code, r.text))
        print("error case %s: %s" % (case, r.text), flush=True)
    r = requests.get(base("http") + "/empty", timeout=30)
    if r.status_code != 200 or r.content != b"" or r.headers["Content-Length"] != "0":
        fail("/empty: %d %r %r" % (r.status_code, r.content, r.headers))
    print("empty file: 200, Content-Length: 0", flush=True)


for scheme in ("http", "https"):
    curl(scheme)
    python_requests(scheme)
    pipelined(scheme)
    leave_mid_file(scheme, 300 if scheme == "http" else 30)
    rss_during_download(scheme)
errors()
print("client: ok", flush=True)
