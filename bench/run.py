#!/usr/bin/env python3
"""hpsocket's benchmark orchestrator (see /work/shared/docs/bench.md for the protocol).

Starts each server fresh per run pinned to CPU 0 (one worker / event-loop thread), the load
generator pinned to CPU 1, repeats every cell `--reps` times interleaved across servers, and
reports median and half-range, with ratios against the peers measured in the same run.

    run.py [--smoke] [--reps 3] [--secs 2.5]
           [--cells T1,T2,C1,C2,C3,A1,P1,S1,IR,L1,H1,W1,K1,U1]

A run of `--cells` among S1, L1, H1, W1, K1 and U1 only rewrites just those sections of
RESULTS.md.
`--smoke` with `--cells U1` runs one short repetition of U1 alone (printing figures only).

Writes bench/out/raw.jsonl and bench/out/summary.json (ignored), and, for a full run,
bench/RESULTS.md; `chart.py` turns summary.json into one PNG per cell family. Exits 0 whatever
the figures say (the bar is reported, never asserted); exits non-zero only when the harness
itself cannot run (a server under test that does not start, a client that prints nothing).
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release")
PEERS = os.path.join(HERE, ".peers")
CBIN = os.path.join(PEERS, "build")
OUT = os.path.join(HERE, "out")

SERVER_CPU, CLIENT_CPU = "0", "1"
NICE = 0  # --nice: scheduling priority of servers and clients (0: share the cores fairly)
LIVE = []  # every process started and not yet reaped, killed by PID on the way out


# ---- process plumbing ---------------------------------------------------------------------

def pinned(cpu, argv):
    nice = ["nice", "-n", str(NICE)] if NICE else []
    return nice + ["taskset", "-c", cpu] + argv


def kill(proc, grace=3):
    """Ends one process we started, by its PID: TERM, then KILL after a grace period."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=3)
        except ProcessLookupError:
            pass
    if proc in LIVE:
        LIVE.remove(proc)


def kill_all(*_):
    for p in list(LIVE):
        kill(p)
    if _:
        sys.exit(130)


class Server:
    """A server process pinned to CPU 0; `addr` is what it announced."""

    def __init__(self, name, argv, env=None, addr=None):
        """`addr`: the server announces nothing (nginx): it is ready once it accepts there."""
        os.makedirs(OUT, exist_ok=True)
        self.log = os.path.join(OUT, "server.log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(pinned(SERVER_CPU, argv), stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL, env=env)
        LIVE.append(self.proc)
        self.name = name
        self.addr = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            if addr is not None:
                if accepts(addr):
                    self.addr = addr
                    break
            else:
                with open(self.log) as f:
                    m = re.search(r"^listening (\S+)$", f.read(), re.M)
                if m:
                    self.addr = m.group(1)
                    break
            time.sleep(0.02)
        if self.addr is None:
            kill(self.proc)
            with open(self.log) as f:
                raise RuntimeError(f"server {name} did not start: {f.read()[-500:]}")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, grace=3):
        kill(self.proc, grace)


def accepts(addr):
    host, port = addr.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
        return True
    except OSError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def schedstat_secs(pid):
    """CPU seconds of one process, all its threads (/proc/PID/task/*/schedstat, ns)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def tree_pids(pid):
    """`pid` and its descendants (nginx: the master and its worker)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def tree_cpu_secs(pid):
    return sum(schedstat_secs(p) for p in tree_pids(pid))


def client(argv, limit):
    """Runs a client pinned to CPU 1 for at most `limit` seconds; returns its JSON line."""
    proc = subprocess.Popen(pinned(CLIENT_CPU, argv), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    LIVE.append(proc)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        kill(proc)
        raise RuntimeError(f"client timed out after {limit}s: {argv[0]}")
    finally:
        if proc in LIVE:
            LIVE.remove(proc)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError(f"client printed no result: {' '.join(argv)}\n{err[-500:]}")
    return json.loads(lines[-1])


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


# ---- what is available ----------------------------------------------------------------------

def have(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def server_table():
    """name -> (label, argv builder taking a model); only what is built."""
    s = {}
    if have(f"{BIN}/hps_echo"):
        s["hps"] = ("hpsocket (Rust)", lambda m="push": [f"{BIN}/hps_echo", "--model", m])
    if have(f"{CBIN}/hps_c_echo"):
        s["hps-c"] = ("hpsocket (C ABI)", lambda m="push": [f"{CBIN}/hps_c_echo", "0", m])
    if have(f"{BIN}/mio_echo"):
        s["mio"] = ("bare mio", lambda m="push": [f"{BIN}/mio_echo"])
    if have(f"{BIN}/tokio_echo"):
        s["tokio"] = ("tokio", lambda m="push": [f"{BIN}/tokio_echo"])
    if have(f"{CBIN}/hp522_echo"):
        s["hp522"] = ("HP-Socket 5.2.2", lambda m="push": [f"{CBIN}/hp522_echo", "0", m])
    if have(f"{CBIN}/uv_echo"):
        s["libuv"] = ("libuv", lambda m="push": [f"{CBIN}/uv_echo"])
    if have(f"{CBIN}/ev_echo"):
        s["libevent"] = ("libevent", lambda m="push": [f"{CBIN}/ev_echo"])
    for _, servers in l1_groups():
        for name, label, argv in servers:
            s[name] = (label, lambda m="push", argv=argv: argv)
    return s


CORE = ["hps", "hps-c", "mio", "tokio", "hp522"]

# L1: each binding's echo server against the idiomatic peer of its language, on T2's load.
# (group, [(name, label, argv)]): a group runs only when all of its servers can run.
L1_VENV = os.path.join(PEERS, "l1venv", "bin", "python")
L1_JAVA = os.path.join(PEERS, "java")
L1_CS = os.path.join(PEERS, "csharp")


def l1_groups():
    py = [L1_VENV, "-X", "faulthandler"]
    groups = [
        ("Python", [("py-hps", "hpsocket (Python)", py + [f"{HERE}/python/hps_echo.py"]),
                    ("py-asyncio", "asyncio", py + [f"{HERE}/python/asyncio_echo.py"]),
                    ("py-uvloop", "uvloop", py + [f"{HERE}/python/asyncio_echo.py",
                                                  "--uvloop"])],
         have(L1_VENV)),
        ("Java", [("java-hps", "hpsocket (Java)", ["java", "-Xss512k", "-cp",
                   f"{L1_JAVA}/hpsocket.jar:{L1_JAVA}/classes", "HpsEcho"]),
                  ("java-nio", "java.nio Selector", ["java", "-cp", f"{L1_JAVA}/classes",
                                                     "NioEcho"])],
         os.path.isfile(f"{L1_JAVA}/classes/NioEcho.class")
         and os.path.isfile(f"{L1_JAVA}/classes/HpsEcho.class")),
        # C#: bench/csharp/*.cs compiled by `make bench-l1` (mcs) beside the nupkg's DLL and .so.
        ("C#", [("cs-hps", "hpsocket (C#, Mono)", ["mono", "--gc=sgen", f"{L1_CS}/HpsEcho.exe"]),
                ("cs-sockets", "System.Net.Sockets (Mono)", ["mono", "--gc=sgen",
                                                             f"{L1_CS}/SocketsEcho.exe"])],
         os.path.isfile(f"{L1_CS}/HpsEcho.exe") and os.path.isfile(f"{L1_CS}/SocketsEcho.exe")),
    ]
    return [(g, servers) for g, servers, ok in groups if ok]

OPTIONAL = ["libuv", "libevent"]

# H1: HTTP/1.1 keep-alive "Hello, World!" (13-byte body, Content-Type: text/plain) under wrk.
# (name, label, argv) per server; nginx (argv None) is configured and started by `Bench.h1`.
H1_ORDER = ["hps", "hps-c", "hp522", "nginx", "hyper"]
NGINX = next((p for p in ["/usr/sbin/nginx", "/usr/bin/nginx"] if have(p)), None)
WRK = next((p for p in ["/usr/bin/wrk", "/usr/local/bin/wrk"] if have(p)), None)
NGINX_CONF = """# H1's nginx (written by bench/run.py for one run)
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=65535;
        location / {{
            default_type text/plain;
            return 200 "Hello, World!";
        }}
    }}
}}
"""


def h1_servers():
    s = []
    if have(f"{BIN}/hps_http"):
        s.append(("hps", "hpsocket (Rust)", [f"{BIN}/hps_http"]))
    if have(f"{CBIN}/hps_c_http"):
        s.append(("hps-c", "hpsocket (C ABI)", [f"{CBIN}/hps_c_http", "0", "1"]))
    if have(f"{CBIN}/hp522_http"):
        s.append(("hp522", "HP-Socket 5.2.2", [f"{CBIN}/hp522_http", "0", "1"]))
    if NGINX:
        s.append(("nginx", "nginx", None))
    if have(f"{BIN}/hyper_hello"):
        s.append(("hyper", "hyper", [f"{BIN}/hyper_hello"]))
    return s


# W1: WebSocket echo under wsload (one binary message in flight per connection), every server
# on CPU 0 with one worker. (name, label, argv); a server that is not built is left out.
W1_LOADS = [(64, 1000), (64, 100), (16384, 100), (16384, 1000)]


def w1_servers():
    s = []
    if have(f"{BIN}/hps_ws"):
        s.append(("hps", "hpsocket (Rust)", [f"{BIN}/hps_ws"]))
    if have(f"{CBIN}/hps_c_ws"):
        s.append(("hps-c", "hpsocket (C ABI, WebSocket mode)", [f"{CBIN}/hps_c_ws", "0", "1"]))
    if have(f"{CBIN}/hps_c_ws_frames"):
        s.append(("hps-c-frames", "hpsocket (C ABI, frame API)",
                  [f"{CBIN}/hps_c_ws_frames", "0", "1"]))
    if have(f"{CBIN}/hp522_ws"):
        s.append(("hp522", "HP-Socket 5.2.2", [f"{CBIN}/hp522_ws", "0", "1"]))
    if have(f"{BIN}/tungstenite_echo"):
        s.append(("tungstenite", "tokio-tungstenite", [f"{BIN}/tungstenite_echo"]))
    return s


# K1: ARQ (KCP) echo under kload, every server on CPU 0 with one worker (kcp-go: GOMAXPROCS=1).
# (load, message size, sessions, loss through the relay).
K1_LOADS = [("64B x 1000", 64, 1000, 0.0), ("64B x 1000, 10% loss", 64, 1000, 0.1),
            ("1MiB x 1", 1 << 20, 1, 0.0), ("1MiB x 1, 10% loss", 1 << 20, 1, 0.1)]
# The diagnostic rows' server socket receive buffer (net.core.rmem_max here: 4 MiB).
K1_RCVBUF = 4 << 20
K1_GO = os.path.join(CBIN, "kcpgo_echo")


def k1_servers():
    """(name, label, argv, env, peer) per K1 server; a server that is not built is left out.
    The `-rcvbuf` rows are diagnostics: the same servers with SO_RCVBUF raised to 4 MiB on the
    server's socket (ours: the library's SocketRecvBufferSize setting)."""
    s = []
    go_env = dict(os.environ, GOMAXPROCS="1")
    if have(f"{BIN}/hps_arq"):
        s.append(("hps", "hpsocket (Rust)", [f"{BIN}/hps_arq"], None, "hps"))
    if have(K1_GO):
        s.append(("kcp-go", "kcp-go", [K1_GO], go_env, "kcp-go"))
    if have(f"{BIN}/hps_arq"):
        s.append(("hps-rcvbuf", "hpsocket (Rust), 4 MiB SO_RCVBUF",
                  [f"{BIN}/hps_arq", "--rcvbuf", str(K1_RCVBUF)], None, "hps"))
    if have(K1_GO):
        s.append(("kcp-go-rcvbuf", "kcp-go, 4 MiB SO_RCVBUF",
                  [K1_GO, "-rcvbuf", str(K1_RCVBUF)], go_env, "kcp-go"))
    return s


# U1: UDP datagram echo under uload, every server on CPU 0 with one worker thread.
# (load, datagram size, peers).
U1_LOADS = [("64B x 1000", 64, 1000), ("1500B x 100", 1500, 100)]
# The second row of every server: SO_RCVBUF of its socket raised to this (net.core.rmem_max
# here: 4 MiB), set by each server's own code (OnPrepareListen / on_prepare_listen; the bare
# loop: setsockopt), so that the kernel's default buffer (212,992 B), which 1,000 peers'
# datagrams overflow, is out of the picture.
U1_RCVBUF = 4 << 20
U1_TIMEOUT_MS = 100


def u1_servers():
    """(name, label, argv builder taking the SO_RCVBUF (0: the kernel's default)) per U1
    server; a server that is not built is left out."""
    s = []
    if have(f"{BIN}/hps_udp"):
        s.append(("hps", "hpsocket (Rust)",
                  lambda rb: [f"{BIN}/hps_udp", "--max-datagram", "1500", "--rcvbuf", str(rb)]))
    if have(f"{CBIN}/hps_c_udp"):
        s.append(("hps-c", "hpsocket (C ABI)",
                  lambda rb: [f"{CBIN}/hps_c_udp", "0", "1", "20000", "1500", "60000", str(rb)]))
    if have(f"{CBIN}/hp522_udp"):
        s.append(("hp522", "HP-Socket 5.2.2",
                  lambda rb: [f"{CBIN}/hp522_udp", "0", "1", "20000", "1500", "60000", str(rb)]))
    if have(f"{CBIN}/mmsg_echo"):
        s.append(("mmsg", "bare recvmmsg/sendmmsg",
                  lambda rb: [f"{CBIN}/mmsg_echo", "0", str(rb)]))
    return s


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[m.group(2)]


def wrk_result(out):
    """Requests/s, the latency percentiles, the count and socket errors from wrk's report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    if not rps or not done:
        return None
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M))
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    kinds = dict(zip(["err_connect", "err_read", "err_write", "err_timeout"],
                     [int(x) for x in errs.groups()] if errs else [0, 0, 0, 0]))
    return {**kinds, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "req_s": float(rps.group(1)), "requests": int(done.group(1)),
            "secs": to_ms(done.group(2) + done.group(3)) / 1e3,
            "p50_ms": to_ms(lat.get("50", "")), "p99_ms": to_ms(lat.get("99", "")),
            "errors": (sum(int(x) for x in errs.groups()) if errs else 0)
            + (int(non2xx.group(1)) if non2xx else 0)}


def versions():
    v = {}

    def run(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    for key, prog in [("HP-Socket", "hp522_echo"), ("HP-Socket (U1)", "hp522_udp"), ("hpsocket C ABI (HP_GetHPSocketVersion)",
                                                    "hps_c_echo"),
                      ("libuv", "uv_echo"), ("libevent", "ev_echo")]:
        if have(f"{CBIN}/{prog}"):
            v[key] = run([f"{CBIN}/{prog}", "--version"])
    try:
        with open(os.path.join(ROOT, "Cargo.lock")) as f:
            lock = f.read()
        for crate in ["tokio", "mio", "hyper", "tokio-tungstenite"]:
            found = re.findall(r'name = "%s"\nversion = "([^"]+)"' % crate, lock)
            if found:
                v[crate] = ", ".join(sorted(set(found)))
    except OSError:
        pass
    try:
        with open(os.path.join(HERE, "go", "go.mod")) as f:
            found = re.search(r"github.com/xtaci/kcp-go/v5 (v\S+)", f.read())
        if found and have(K1_GO):
            v["kcp-go"] = found.group(1) + " (" + run(["go", "env", "GOVERSION"]) + ")"
    except OSError:
        pass
    if have(L1_VENV):
        v["python (L1)"] = run([L1_VENV, "-c", "import sys, uvloop; print(sys.version.split()[0], "
                                "'uvloop', uvloop.__version__)"])
    if os.path.isfile(f"{L1_JAVA}/classes/NioEcho.class"):
        jv = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
        v["java (L1)"] = jv.splitlines()[0] if jv else ""
    if os.path.isfile(f"{L1_CS}/SocketsEcho.exe"):
        v["mono (L1)"] = run(["mono", "--version"]).splitlines()[0] if run(
            ["mono", "--version"]) else ""
    if NGINX:
        v["nginx"] = subprocess.run([NGINX, "-v"], capture_output=True,
                                    text=True).stderr.strip().replace("nginx version: ", "")
    if WRK:
        w = subprocess.run([WRK, "-v"], capture_output=True, text=True)
        v["wrk"] = (w.stdout + w.stderr).split("Copyright")[0].replace("wrk ", "").strip()
    # S1's TLS servers link the system's libssl (the library's version, not the tool's).
    ossl = re.search(r"Library: OpenSSL ([^)]+)", run(["openssl", "version"]))
    if ossl:
        v["OpenSSL"] = ossl.group(1)
    v["rustc"] = run(["rustc", "--version"])
    v["gcc"] = run(["gcc", "-dumpfullversion"])
    v["hpsocket commit"] = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    return v


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"kernel": platform.release(), "cpu": cpu, "cpus": os.cpu_count(),
            "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
            "somaxconn": open("/proc/sys/net/core/somaxconn").read().strip()}


# ---- cells ----------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.servers = server_table()
        self.raw = open(os.path.join(OUT, "raw.jsonl"), "a")
        self.results = []  # dicts: cell, load, who, metric values per rep
        self.notes = []

    def record(self, cell, load, who, rep, r):
        r = dict(r, cell=cell, load=load, who=who, rep=rep, loadavg=loadavg())
        self.raw.write(json.dumps(r) + "\n")
        self.raw.flush()
        self.results.append(r)
        return r

    def say(self, cell, load, who, r, keys):
        def show(v):
            return f"{v:.6g}" if isinstance(v, (int, float)) else str(v)
        shown = "  ".join(f"{k}={show(r.get(k))}" for k in keys)
        print(f"  {cell:3} {load:14} {who:10} {shown}", flush=True)

    def present(self, names):
        return [n for n in names if n in self.servers]

    def pingpong_cell(self, cell, load, conns, size, who, model="push", pack=False, client=None):
        """One repetition of pingpong against each server in `who` (order as given)."""
        a = self.args
        for rep in range(a.reps):
            order = who[rep % len(who):] + who[:rep % len(who)]  # interleave, rotate
            for name in order:
                srv = Server(name, self.servers[name][1](model))
                try:
                    argv = [f"{BIN}/loadgen", "pingpong", "--addr", srv.addr, "--conns",
                            str(conns), "--size", str(size), "--warmup", str(a.warmup),
                            "--duration", str(a.secs), "--server-pid", str(srv.pid)]
                    if pack:
                        argv.append("--pack")
                    r = run_client(argv, a)
                finally:
                    srv.stop()
                r = self.record(cell, load, name if not model_tag(model) else
                                f"{name}:{model}", rep, r)
                self.say(cell, load, r["who"], r, ["mib_s", "msgs_s", "server_cpu_s", "errors"])

    def t1(self, smoke):
        counts = [100] if smoke else [1, 10, 100, 1000]
        for n in counts:
            who = self.present(CORE + (OPTIONAL if n == 100 else []))
            self.pingpong_cell("T1", f"16KiB x {n}", n, 16384, who)

    def t2(self, smoke):
        counts = [1000] if smoke else [100, 1000]
        for n in counts:
            who = self.present(CORE + (OPTIONAL if n == 1000 else []))
            self.pingpong_cell("T2", f"64B x {n}", n, 64, who)

    def l1(self, smoke):
        """Each binding's echo server against its language's idiomatic peer, on T2's load
        (64 B pingpong at 100 and 1000 connections), interleaved within each language."""
        groups = l1_groups()
        if not groups:
            self.notes.append("L1: no binding peers built (make bench-l1)")
            print("bench: L1: no binding peers built, left out", flush=True)
        for _, servers in groups:
            who = [name for name, _, _ in servers]
            for n in ([1000] if smoke else [100, 1000]):
                self.pingpong_cell("L1", f"64B x {n}", n, 64, who)

    def hold_cell(self, cell, inflight):
        who = self.present(CORE)
        for rep in range(self.args.reps):
            order = who[rep % len(who):] + who[:rep % len(who)]
            for name in order:
                srv = Server(name, self.servers[name][1]())
                time.sleep(0.1)  # let the server settle before its baseline RSS is read
                try:
                    r = run_client([f"{BIN}/loadgen", "hold", "--addr", srv.addr, "--conns",
                                    "10000", "--inflight", str(inflight), "--msg", "8",
                                    "--server-pid", str(srv.pid)], self.args)
                finally:
                    srv.stop()
                r = self.record(cell, f"10k, {inflight} in flight", name, rep, r)
                self.say(cell, r["load"], name, r,
                         ["conns_s", "bytes_per_conn", "listen_overflows", "errors"])
                time.sleep(0.3)

    def c3(self):
        who = self.present(CORE)
        a = self.args
        for rep in range(a.reps):
            order = who[rep % len(who):] + who[:rep % len(who)]
            for name in order:
                srv = Server(name, self.servers[name][1]())
                try:
                    r = run_client([f"{BIN}/loadgen", "churn", "--addr", srv.addr, "--slots",
                                    "64", "--msg", "8", "--warmup", str(a.warmup), "--duration",
                                    str(a.secs), "--server-pid", str(srv.pid)], a)
                finally:
                    srv.stop()
                r = self.record("C3", "churn, 64 slots", name, rep, r)
                self.say("C3", r["load"], name, r, ["conns_s", "server_cpu_s", "errors"])

    def a1(self):
        a = self.args
        clients = {"loadgen": f"{BIN}/loadgen", "hps-agent": f"{BIN}/hps_agent",
                   "hps-c-agent": f"{CBIN}/hps_c_agent", "hp522-agent": f"{CBIN}/hp522_agent"}
        clients = {k: v for k, v in clients.items() if have(v)}
        who = list(clients)
        for size, conns in [(16384, 100), (64, 1000)]:
            load = f"{'16KiB' if size > 64 else '64B'} x {conns}"
            for rep in range(a.reps):
                order = who[rep % len(who):] + who[:rep % len(who)]
                for name in order:
                    srv = Server("mio", self.servers["mio"][1]())
                    host, port = srv.addr.rsplit(":", 1)
                    try:
                        prog = clients[name]
                        if name in ("loadgen",):
                            argv = [prog, "pingpong", "--addr", srv.addr]
                        elif name == "hps-agent":
                            argv = [prog, "--addr", srv.addr]
                        if name in ("loadgen", "hps-agent"):
                            argv += ["--conns", str(conns), "--size", str(size), "--warmup",
                                     str(a.warmup), "--duration", str(a.secs), "--server-pid",
                                     str(srv.pid)]
                        else:
                            argv = [prog, host, port, str(conns), str(size), str(a.warmup),
                                    str(a.secs), str(srv.pid)]
                        r = run_client(argv, a)
                    finally:
                        srv.stop()
                    r = self.record("A1", load, name, rep, r)
                    self.say("A1", load, name, r, ["mib_s", "msgs_s", "client_cpu_s", "errors"])

    def s1(self):
        """TLS echo as a ratio to plain TCP and to a bare OpenSSL echo on the same load:
        hps_echo with and without `--tls`, and ossl_echo (the `openssl` crate's SslStream
        over a one-thread mio loop, the same certificate and TLS settings), all driven by
        hpsocket's own TcpAgent (the one project client that speaks TLS; `--tls` against both
        TLS servers)."""
        a = self.args
        hps = self.servers["hps"][1]()
        servers = {"plain": hps, "tls": hps + ["--tls"]}
        if have(f"{BIN}/ossl_echo"):
            servers["ossl"] = [f"{BIN}/ossl_echo"]
        else:
            self.notes.append("S1: ossl_echo not built: the bare OpenSSL row is left out")
        who = list(servers)
        for size, conns in [(16384, 100), (64, 1000)]:
            load = f"{'16KiB' if size > 64 else '64B'} x {conns}"
            for rep in range(a.reps):
                order = who[rep % len(who):] + who[:rep % len(who)]  # interleave, rotate
                for name in order:
                    tls = [] if name == "plain" else ["--tls"]
                    srv = Server(name, servers[name])
                    try:
                        r = run_client([f"{BIN}/hps_agent", "--addr", srv.addr, "--conns",
                                        str(conns), "--size", str(size), "--warmup",
                                        str(a.warmup), "--duration", str(a.secs),
                                        "--server-pid", str(srv.pid)] + tls, a)
                    finally:
                        srv.stop()
                    r = self.record("S1", load, name, rep, r)
                    self.say("S1", load, name, r, ["mib_s", "msgs_s", "server_cpu_s", "errors"])

    def ir(self):
        """User-space instructions per message (callgrind) on T2's load (64 B, 1000
        connections): noise-free, unlike every timed figure on a shared machine. Two runs per
        server, every connection doing IR_ROUNDS[0] and then IR_ROUNDS[1] round trips; the
        difference cancels start-up, accepts and closes."""
        out = os.path.join(OUT, "callgrind")
        os.makedirs(out, exist_ok=True)
        for name in self.present(CORE + OPTIONAL):
            counts = []
            for rounds in IR_ROUNDS:
                cg = os.path.join(out, f"{name}.{rounds}.out")
                if os.path.exists(cg):
                    os.remove(cg)
                srv = Server(name, ["valgrind", "--tool=callgrind", "--quiet",
                                    f"--callgrind-out-file={cg}"] + self.servers[name][1]())
                try:
                    r = client([f"{BIN}/loadgen", "pingpong", "--addr", srv.addr, "--conns",
                                "1000", "--size", "64", "--rounds", str(rounds)], 180)
                finally:
                    srv.stop(grace=30)  # callgrind writes its profile on the way out
                counts.append((callgrind_total(cg), r.get("msgs", 0), r.get("errors", 0)))
            (i0, m0, e0), (i1, m1, e1) = counts
            per = (i1 - i0) / (m1 - m0) if i0 and i1 and m1 > m0 else None
            rec = {"ir_per_msg": per, "ir_msgs": m1 - m0, "errors": e0 + e1}
            if name in IR_PROFILED and per:
                # Where hpsocket's instructions go, for the report: the difference of the
                # two profiles, function by function, per message.
                rec["ir_top"] = callgrind_top(
                    *(os.path.join(out, f"{name}.{rounds}.out") for rounds in IR_ROUNDS),
                    m1 - m0)
            r = self.record("IR", "64B x 1000", name, 0, rec)
            self.say("IR", "64B x 1000", name, r, ["ir_per_msg", "ir_msgs", "errors"])

    def p1(self):
        who = [("hps", "push"), ("hps", "pull"), ("hps", "pack"), ("hp522", "pull"),
               ("hp522", "pack")]
        who = [w for w in who if w[0] in self.servers]
        a = self.args
        for size, conns in [(64, 1000), (16384, 100)]:
            load = f"{'16KiB' if size > 64 else '64B'} x {conns}"
            for rep in range(a.reps):
                order = who[rep % len(who):] + who[:rep % len(who)]
                for name, model in order:
                    srv = Server(name, self.servers[name][1](model))
                    try:
                        argv = [f"{BIN}/loadgen", "pingpong", "--addr", srv.addr, "--conns",
                                str(conns), "--size", str(size), "--warmup", str(a.warmup),
                                "--duration", str(a.secs), "--server-pid", str(srv.pid)]
                        if model == "pack":
                            argv.append("--pack")
                        r = run_client(argv, a)
                    finally:
                        srv.stop()
                    r = self.record("P1", load, f"{name}:{model}", rep, r)
                    self.say("P1", load, r["who"], r, ["mib_s", "msgs_s", "server_cpu_s", "errors"])


    def h1_start(self, name, argv):
        if argv is not None:
            return Server(name, argv)
        d = os.path.join(OUT, "nginx")
        os.makedirs(d, exist_ok=True)
        port = free_port()
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(d=d, port=port))
        return Server(name, [NGINX, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")],
                      addr=f"127.0.0.1:{port}")

    def wrk(self, srv, conns, secs):
        """One wrk run against `srv`; the server's CPU time (every process and thread of it)
        and wrk's are taken around it."""
        url = f"http://{srv.addr}/"
        cpu0 = tree_cpu_secs(srv.pid)
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(pinned(CLIENT_CPU, [WRK, "-t1", f"-c{conns}", f"-d{secs}s",
                                                    "--latency", url]),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True)
        LIVE.append(proc)
        try:
            out, err = proc.communicate(timeout=secs + 30)
        except subprocess.TimeoutExpired:
            kill(proc)
            raise RuntimeError(f"wrk timed out against {srv.name}")
        finally:
            if proc in LIVE:
                LIVE.remove(proc)
        cpu1 = tree_cpu_secs(srv.pid)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = wrk_result(out)
        if r is None:
            raise RuntimeError(f"wrk printed no result against {srv.name}:\n{out}\n{err[-500:]}")
        r["server_cpu_s"] = cpu1 - cpu0
        r["client_cpu_s"] = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        return r

    def h1(self):
        """HTTP/1.1 keep-alive GET "Hello, World!" under `wrk -t1 -cN` (N = 100, 1000), each
        server on CPU 0 with one worker, wrk on CPU 1; servers interleaved per repetition."""
        if WRK is None:
            self.notes.append("H1: wrk not installed (Debian package wrk)")
            print("bench: H1: wrk not installed, left out", flush=True)
            return
        servers = h1_servers()
        argv_of = {name: argv for name, _, argv in servers}
        who = [name for name, _, _ in servers]
        secs = max(1, math.ceil(self.args.secs))  # wrk takes whole seconds
        for conns in [100, 1000]:
            load = f"keep-alive x {conns}"
            for rep in range(self.args.reps):
                order = who[rep % len(who):] + who[:rep % len(who)]
                for name in order:
                    srv = self.h1_start(name, argv_of[name])
                    try:
                        r = self.wrk(srv, conns, secs)
                    finally:
                        srv.stop()
                    r = self.record("H1", load, name, rep, r)
                    self.say("H1", load, name, r,
                             ["req_s", "p99_ms", "server_cpu_s", "client_cpu_s", "errors"])
                    time.sleep(0.2)
        # The client side: hpsocket's HttpAgent as the load generator against nginx, beside
        # wrk on the same load (100 connections, one request in flight each).
        agent = f"{BIN}/hps_http_agent"
        if not (have(agent) and "nginx" in argv_of):
            return
        load, clients = "client x 100 (nginx)", ["wrk", "hps-http-agent"]
        for rep in range(self.args.reps):
            for name in clients[rep % 2:] + clients[:rep % 2]:
                srv = self.h1_start("nginx", None)
                try:
                    if name == "wrk":
                        r = self.wrk(srv, 100, secs)
                    else:
                        r = run_client([agent, "--addr", srv.addr, "--conns", "100", "--warmup",
                                        str(self.args.warmup), "--duration", str(secs),
                                        "--server-pid", str(srv.pid)], self.args)
                finally:
                    srv.stop()
                r = self.record("H1", load, name, rep, r)
                self.say("H1", load, name, r, ["req_s", "client_cpu_s", "errors"])
                time.sleep(0.2)


    def w1(self):
        """WebSocket echo: `wsload` on CPU 1 keeps one message in flight on every connection
        against each server on CPU 0 (one worker / event-loop thread), servers interleaved per
        repetition. The measured window is `--w1-secs` (default 1.2 s) after at most 0.3 s of
        warm-up, so that the 4 loads x 5 servers x 3 repetitions stay near two minutes."""
        wsload = f"{BIN}/wsload"
        servers = w1_servers()
        if not have(wsload) or not servers:
            self.notes.append("W1: wsload or its servers not built (make bench-build)")
            print("bench: W1: wsload or its servers not built, left out", flush=True)
            return
        argv_of = {name: argv for name, _, argv in servers}
        who = [name for name, _, _ in servers]
        a = self.args
        secs, warmup = a.w1_secs, min(a.warmup, 0.3)
        for size, conns in W1_LOADS:
            load = f"{'16KiB' if size > 64 else '64B'} x {conns}"
            for rep in range(a.reps):
                order = who[rep % len(who):] + who[:rep % len(who)]
                for name in order:
                    try:
                        srv = Server(name, argv_of[name])
                    except RuntimeError as e:
                        self.notes.append(f"W1 {load} {name}: {e}")
                        print(f"bench: W1 {load} {name}: {e}", flush=True)
                        continue
                    try:
                        r = client([wsload, "--addr", srv.addr, "--conns", str(conns), "--size",
                                    str(size), "--warmup", str(warmup), "--duration",
                                    str(secs), "--server-pid", str(srv.pid)],
                                   secs + warmup + 45)
                    except RuntimeError as e:
                        # One server failing (a crash under load) leaves its row empty; the
                        # others are still measured.
                        self.notes.append(f"W1 {load} {name}: {e}")
                        print(f"bench: W1 {load} {name}: {e}", flush=True)
                        continue
                    finally:
                        srv.stop()
                    r = self.record("W1", load, name, rep, r)
                    self.say("W1", load, name, r,
                             ["msgs_s", "p99_ms", "server_cpu_s", "client_cpu_s", "errors"])


    def k1(self):
        """ARQ (KCP) echo: `kload` on CPU 1 drives each server on CPU 0 at the KCP layer (the
        same client code for both; HP-Socket's 12-byte handshake first for ours), one message
        in flight per session, with 0% or 10% of the datagrams dropped each way by its relay.
        Each run measures `--k1-secs` (default 2 s) after every session had its first echo and
        at most 0.3 s of warm-up."""
        kload = f"{BIN}/kload"
        servers = k1_servers()
        if not have(kload) or not servers:
            self.notes.append("K1: kload or its servers not built (make bench-build)")
            print("bench: K1: kload or its servers not built, left out", flush=True)
            return
        if not have(K1_GO):
            self.notes.append("K1: the kcp-go peer is not built (no Go toolchain?)")
        spec = {name: (argv, env, peer) for name, _, argv, env, peer in servers}
        who = [name for name, _, _, _, _ in servers]
        a = self.args
        secs, warmup = a.k1_secs, min(a.warmup, 0.3)
        for load, size, sessions, loss in K1_LOADS:
            for rep in range(a.reps):
                order = who[rep % len(who):] + who[:rep % len(who)]
                for name in order:
                    argv, env, peer = spec[name]
                    try:
                        srv = Server(name, argv, env=env)
                    except RuntimeError as e:
                        self.notes.append(f"K1 {load} {name}: {e}")
                        print(f"bench: K1 {load} {name}: {e}", flush=True)
                        continue
                    try:
                        # The opening phase is bounded by kload itself (30 s).
                        r = client([kload, "--addr", srv.addr, "--peer", peer, "--sessions",
                                    str(sessions), "--size", str(size), "--loss", str(loss),
                                    "--seed", "1", "--warmup", str(warmup), "--duration",
                                    str(secs), "--server-pid", str(srv.pid)],
                                   secs + warmup + 45)
                    except RuntimeError as e:
                        self.notes.append(f"K1 {load} {name}: {e}")
                        print(f"bench: K1 {load} {name}: {e}", flush=True)
                        continue
                    finally:
                        srv.stop()
                    r = self.record("K1", load, name, rep, r)
                    self.say("K1", load, name, r, ["msgs_s", "p50_ms", "p99_ms", "server_cpu_s",
                                                   "udp_rcvbuf_errors", "errors"])


    def u1(self, smoke=False):
        """UDP datagram echo: `uload` on CPU 1 drives each server on CPU 0 (one worker
        thread) with N peer sockets, each keeping one datagram in flight (a datagram not back
        after 100 ms is lost and the next one goes out). Every server runs twice: with the
        kernel's default socket receive buffer and with a 4 MiB SO_RCVBUF. Each run measures
        `--u1-secs` (default 1.5 s) after every peer's first echo and at most 0.3 s of
        warm-up. `smoke`: the default-buffer rows of one load, one short repetition."""
        uload = f"{BIN}/uload"
        servers = u1_servers()
        if not have(uload) or not servers:
            self.notes.append("U1: uload or its servers not built (make bench-build)")
            print("bench: U1: uload or its servers not built, left out", flush=True)
            return
        for name, label in [("hps-c", "the C ABI row"), ("hp522", "HP-Socket 5.2.2"),
                            ("mmsg", "the bare recvmmsg loop")]:
            if name not in [n for n, _, _ in servers]:
                self.notes.append(f"U1: {label} is not built, left out")
        argv_of = {name: argv for name, _, argv in servers}
        who = [(name, rb) for rb in ([0] if smoke else [0, U1_RCVBUF])
               for name, _, _ in servers]
        a = self.args
        secs, warmup = (0.5, 0.1) if smoke else (a.u1_secs, min(a.warmup, 0.3))
        for load, size, peers in U1_LOADS[:1] if smoke else U1_LOADS:
            for rep in range(a.reps):
                order = who[rep % len(who):] + who[:rep % len(who)]
                for name, rb in order:
                    row = name if rb == 0 else f"{name}-rcvbuf"
                    try:
                        srv = Server(row, argv_of[name](rb))
                    except RuntimeError as e:
                        self.notes.append(f"U1 {load} {row}: {e}")
                        print(f"bench: U1 {load} {row}: {e}", flush=True)
                        continue
                    try:
                        # The opening phase is bounded by uload itself (30 s).
                        r = client([uload, "--addr", srv.addr, "--peers", str(peers), "--size",
                                    str(size), "--window", "1", "--timeout-ms",
                                    str(U1_TIMEOUT_MS), "--warmup", str(warmup), "--duration",
                                    str(secs), "--server-pid", str(srv.pid)],
                                   secs + warmup + 45)
                    except RuntimeError as e:
                        self.notes.append(f"U1 {load} {row}: {e}")
                        print(f"bench: U1 {load} {row}: {e}", flush=True)
                        continue
                    finally:
                        srv.stop()
                    r = self.record("U1", load, row, rep, r)
                    self.say("U1", load, row, r, ["msgs_s", "p99_ms", "server_cpu_s", "loss",
                                                  "udp_rcvbuf_errors", "errors"])


IR_ROUNDS = (5, 105)


def callgrind_total(path):
    """The total instruction count of a callgrind profile (None if unreadable)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


# The servers whose IR profile the report breaks down by function, and how many rows.
IR_PROFILED = ("hps", "hps-c")
IR_TOP = 14


def callgrind_functions(path):
    """function -> self instructions in a callgrind profile (inlined code counted in the
    function it was inlined into, as the machine runs it)."""
    try:
        text = subprocess.run(["callgrind_annotate", "--auto=no", "--show-percs=no",
                               "--threshold=100", path], capture_output=True, text=True,
                              timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    out = {}
    for line in text.splitlines():
        parts = line.split(None, 1)
        if len(parts) != 2 or not parts[0].replace(",", "").isdigit() or ":" not in parts[1]:
            continue
        where = parts[1].split(" [", 1)[0]
        if where.startswith("PROGRAM TOTALS"):
            continue
        # "file:function": Rust paths hold "::", file names do not.
        file_end = where.find(":")
        while where[file_end:file_end + 2] == "::":
            file_end = where.find(":", file_end + 2)
        function = where[file_end + 1:] if file_end >= 0 else where
        out[function] = out.get(function, 0) + int(parts[0].replace(",", ""))
    return out


def callgrind_top(short_profile, long_profile, messages):
    """The functions that cost most per message between two profiles: [[instructions,
    function], ...], the rest summed as one row."""
    a, b = callgrind_functions(short_profile), callgrind_functions(long_profile)
    per = {f: (b.get(f, 0) - a.get(f, 0)) / messages for f in set(a) | set(b)}
    ranked = sorted(((v, f) for f, v in per.items() if v > 0.5), reverse=True)
    top = [[round(v, 1), f] for v, f in ranked[:IR_TOP]]
    rest = sum(v for v, _ in ranked[IR_TOP:])
    if rest:
        top.append([round(rest, 1), "(all other functions)"])
    return top


def have_valgrind():
    return any(os.access(os.path.join(d, "valgrind"), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep))


def model_tag(model):
    return model != "push"


def run_client(argv, a):
    return client(argv, a.secs + a.warmup + 45)


# ---- summary --------------------------------------------------------------------------------

def med_hr(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    return statistics.median(values), (max(values) - min(values)) / 2


def per_cpu(r, key):
    """Throughput per server-CPU-second (the multi-worker-neutral figure)."""
    cpu = r.get("server_cpu_s") or 0
    return r[key] * r["secs"] / cpu if cpu > 0 else None


def summarize(results):
    """(cell, load, who) -> {metric: (median, half_range)}."""
    groups = {}
    for r in results:
        groups.setdefault((r["cell"], r["load"], r["who"]), []).append(r)
    out = {}
    for key, rs in groups.items():
        m = {}
        for metric in ["ir_per_msg", "mib_s", "msgs_s", "req_s", "p50_ms", "p99_ms", "conns_s",
                       "bytes_per_conn",
                       "listen_overflows",
                       "listen_drops", "errors", "client_cpu_s", "server_cpu_s",
                       "udp_rcvbuf_errors", "relay_dropped", "dgrams_in_per_msg",
                       "dgrams_out_per_msg", "open_s", "loss", "lost", "late"]:
            if metric in rs[0]:
                m[metric] = med_hr([r.get(metric) for r in rs])
        if "mib_s" in rs[0]:
            m["mib_cpu"] = med_hr([per_cpu(r, "mib_s") for r in rs])
            m["msgs_cpu"] = med_hr([per_cpu(r, "msgs_s") for r in rs])
            m["msgs_client_cpu"] = med_hr(
                [r["msgs_s"] * r["secs"] / r["client_cpu_s"] if r.get("client_cpu_s") else None
                 for r in rs])
        if "req_s" in rs[0]:
            m["req_cpu"] = med_hr([per_cpu(r, "req_s") for r in rs])
            m["req_client_cpu"] = med_hr(
                [r["req_s"] * r["secs"] / r["client_cpu_s"] if r.get("client_cpu_s") else None
                 for r in rs])
            m["client_busy"] = med_hr([r["client_cpu_s"] / r["secs"]
                                       if r.get("secs") and "client_cpu_s" in r else None
                                       for r in rs])
        if "conns_s" in rs[0] and "server_cpu_s" in rs[0]:
            m["conns_cpu"] = med_hr([r["conns_s"] * r["secs"] / r["server_cpu_s"]
                                     if r.get("server_cpu_s") and r.get("conns_s") else None
                                     for r in rs])
        if rs[0].get("mode") in ("hold", "ws-echo", "arq-echo", "udp-echo"):
            m["client_busy"] = med_hr([r["client_cpu_s"] / r["secs"]
                                       if r.get("secs") and "client_cpu_s" in r else None
                                       for r in rs])
        if "ir_top" in rs[0]:
            m["ir_top"] = rs[0]["ir_top"]  # one run: callgrind does not vary
        m["loadavg"] = med_hr([float(r["loadavg"]) for r in rs])
        m["reps"] = (len(rs), 0)
        out[key] = m
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="one repetition of T1@100 and T2@1000")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--secs", type=float, default=2.5, help="measured seconds per run")
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--w1-secs", type=float, default=1.2,
                    help="W1's measured seconds per run (its warm-up: at most 0.3 s)")
    ap.add_argument("--k1-secs", type=float, default=2.0,
                    help="K1's measured seconds per run (its warm-up: at most 0.3 s)")
    ap.add_argument("--u1-secs", type=float, default=1.5,
                    help="U1's measured seconds per run (its warm-up: at most 0.3 s)")
    ap.add_argument("--cells", default="T1,T2,C1,C2,C3,A1,P1,S1,IR,L1,H1,W1,K1,U1")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--nice", type=int, default=0,
                    help="run servers and clients at this nice value (e.g. -10, as root) so "
                         "that other work on the shared cores disturbs the figures less; "
                         "default 0: share the cores fairly")
    ap.add_argument("--render", metavar="RAW_JSONL",
                    help="measure nothing: re-render the report of an earlier run")
    a = ap.parse_args()
    if a.render:
        return render_only(a)
    a.secs = min(max(a.secs, 0.5), 30.0)
    a.warmup = min(max(a.warmup, 0.0), 5.0)
    a.w1_secs = min(max(a.w1_secs, 0.5), 30.0)
    a.k1_secs = min(max(a.k1_secs, 0.5), 30.0)
    a.u1_secs = min(max(a.u1_secs, 0.5), 30.0)
    a.reps = min(max(a.reps, 1), 9)
    if a.smoke:
        # A smoke run of U1 (`--smoke --cells U1`) stays U1 alone; any other is T1 and T2.
        a.reps, a.cells = 1, ("U1" if a.cells == "U1" else "T1,T2")

    signal.signal(signal.SIGTERM, kill_all)
    signal.signal(signal.SIGINT, kill_all)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    global SERVER_CPU, CLIENT_CPU, NICE
    NICE = max(-20, min(19, a.nice))
    if (os.cpu_count() or 1) < 2:
        SERVER_CPU = CLIENT_CPU = "0"
    os.makedirs(OUT, exist_ok=True)
    open(os.path.join(OUT, "raw.jsonl"), "w").close()

    b = Bench(a)
    missing = [n for n in CORE if n not in b.servers]
    for n in [] if cells_only(a.cells, {"U1"}) else ["hps", "mio", "tokio"]:
        if n not in b.servers:
            sys.exit(f"bench: {n} is not built (run through `make bench`)")
    head = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(), "versions": versions(), "loadavg_before": open(
                "/proc/loadavg").read().strip(), "missing": missing, "args": vars(a)}
    print(f"bench: {head['date']}  kernel {head['machine']['kernel']}  "
          f"{head['machine']['cpu']} x{head['machine']['cpus']}  loadavg {head['loadavg_before']}")
    if missing:
        print(f"bench: not built, left out: {', '.join(missing)}")
    t0 = time.monotonic()
    cells = a.cells.split(",")
    try:
        if "T1" in cells:
            b.t1(a.smoke)
        if "T2" in cells:
            b.t2(a.smoke)
        if "C1" in cells:
            b.hold_cell("C1", 64)
        if "C2" in cells:
            b.hold_cell("C2", 1000)
        if "C3" in cells:
            b.c3()
        if "A1" in cells:
            b.a1()
        if "P1" in cells:
            b.p1()
        if "S1" in cells and have(f"{BIN}/hps_agent"):
            b.s1()
        if "IR" in cells and have_valgrind():
            b.ir()
        if "L1" in cells:
            b.l1(a.smoke)
        if "H1" in cells:
            b.h1()
        if "W1" in cells:
            b.w1()
        if "K1" in cells:
            b.k1()
        if "U1" in cells:
            b.u1(a.smoke)
    finally:
        kill_all()
    head["loadavg_after"] = open("/proc/loadavg").read().strip()
    head["notes"] = b.notes
    head["elapsed_s"] = round(time.monotonic() - t0)
    with open(os.path.join(OUT, "raw.jsonl"), "a") as f:
        f.write(json.dumps({"head": head}) + "\n")
    publish(head, b.results, a)


def cells_only(cells, allowed):
    return set(cells.split(",")) <= allowed


def publish(head, results, a):
    """Writes summary.json, prints the report and (full runs) writes RESULTS.md."""
    summary = summarize(results)
    with open(os.path.join(OUT, "summary.json"), "w") as f:
        json.dump({"head": head, "cells": [{"cell": k[0], "load": k[1], "who": k[2], **{
            m: list(v) for m, v in s.items()}} for k, s in summary.items()]}, f, indent=1)
    import report  # beside this file
    text = report.render(head, summary, smoke=a.smoke)
    print()
    print(text)
    cells = set(a.cells.split(","))
    keys = report.splice_keys(cells)
    if not a.smoke and keys and os.path.isfile(a.results):
        # a run of only spliceable cells (T2, C1-C3 together, S1, IR, L1, H1, W1, K1, U1)
        # replaces those sections of the report and their lines under "Below the bar"
        fresh_below = report.below_of(text)
        with open(a.results) as f:
            text = f.read()
        for key in keys:
            section = report.SPLICED[key](head, summary)
            if section:
                text = report.splice_section(text, section, key)
        text = report.splice_below(text, fresh_below, cells)
        if cells & {"L1", "H1", "W1", "K1", "U1"}:  # an older report lists them as not yet there
            text = "\n".join(report.NOT_YET if l.startswith(report.STALE_NOT_YET) else l
                             for l in text.split("\n"))
        with open(a.results, "w") as f:
            f.write(text)
        print(f"bench: replaced the {', '.join(sorted(cells))} section(s) of "
              f"{os.path.relpath(a.results, ROOT)}")
    elif not a.smoke:
        with open(a.results, "w") as f:
            f.write(text)
        print(f"bench: wrote {os.path.relpath(a.results, ROOT)} in {head['elapsed_s']} s")


def render_only(a):
    head, results = None, []
    with open(a.render) as f:
        for line in f:
            r = json.loads(line)
            if "head" in r:
                head = r["head"]
            else:
                results.append(r)
    if head is None:
        sys.exit(f"bench: {a.render} has no header line (an interrupted run?)")
    a.smoke = head["args"].get("smoke", False)
    a.cells = head["args"].get("cells", a.cells)
    publish(head, results, a)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
