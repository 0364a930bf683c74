"""Renders the benchmark summary as Markdown (bench/RESULTS.md) and judges the bar.

The bar (from the issues; measured, never asserted): on every T1 cell with 10 or more
connections and every T2 cell, each hpsocket server >= 0.95x the bare mio loop (T2 per
server-CPU-second: >= 0.98x) and >= 1.0x tokio; C1 >= 60,000 connections/s and <= 128 bytes of
server memory per idle connection; IR <= 450 instructions per message (Rust), <= 550 (C ABI); C2
no listen overflows; A1 hpsocket's agent >= 0.95x the project's load generator; W1 each
hpsocket server in the WebSocket mode >= 1.0x tokio-tungstenite in messages per server-CPU-second;
K1 hpsocket's ARQ server >= 1.0x kcp-go in messages per server-CPU-second with a p99 round trip
no worse than kcp-go's; U1 each hpsocket UDP server >= 1.5x HP-Socket 5.2.2's UdpServer and
>= 0.9x the bare recvmmsg/sendmmsg loop in datagrams per server-CPU-second; S1 hpsocket's
TLS echo >= 0.9x the bare OpenSSL echo (`ossl_echo`) per server-CPU-second.
"""

import re

# C1: server memory per idle connection, at most (bytes).
C1_MAX_BYTES = 128

ORDER = ["hps", "hps-c", "mio", "tokio", "hp522", "libuv", "libevent"]
LABEL = {"hps": "hpsocket (Rust)", "hps-c": "hpsocket (C ABI)", "mio": "bare mio",
         "tokio": "tokio", "hp522": "HP-Socket 5.2.2", "libuv": "libuv", "libevent": "libevent",
         "loadgen": "loadgen (mio)", "hps-agent": "hpsocket TcpAgent (Rust)",
         "hps-c-agent": "hpsocket TcpAgent (C ABI)", "hp522-agent": "HP-Socket 5.2.2 TcpAgent",
         "hps:push": "hpsocket PUSH", "hps:pull": "hpsocket PULL", "hps:pack": "hpsocket PACK",
         "hp522:pull": "HP-Socket PULL", "hp522:pack": "HP-Socket PACK", "nginx": "nginx",
         "hyper": "hyper", "wrk": "wrk", "hps-http-agent": "hpsocket HttpAgent (Rust)",
         "hps-c-frames": "hpsocket (C ABI, frame API)", "tungstenite": "tokio-tungstenite",
         "kcp-go": "kcp-go", "hps-rcvbuf": "hpsocket (Rust), 4 MiB SO_RCVBUF",
         "kcp-go-rcvbuf": "kcp-go, 4 MiB SO_RCVBUF", "mmsg": "bare recvmmsg/sendmmsg",
         "hps-c-rcvbuf": "hpsocket (C ABI), 4 MiB SO_RCVBUF",
         "hp522-rcvbuf": "HP-Socket 5.2.2, 4 MiB SO_RCVBUF",
         "mmsg-rcvbuf": "bare recvmmsg/sendmmsg, 4 MiB SO_RCVBUF"}
UNDER_TEST = ["hps", "hps-c"]


def fmt(v, digits=None):
    if v is None:
        return "–"
    if digits is not None:
        return f"{v:.{digits}f}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell_text(s, metric):
    if not s or metric not in s or s[metric][0] is None:
        return "–"
    m, hr = s[metric]
    return f"{fmt(m)} ± {fmt(hr)}"


def ratio(summary, cell, load, a, b, metric):
    sa, sb = summary.get((cell, load, a)), summary.get((cell, load, b))
    if not sa or not sb or metric not in sa or metric not in sb:
        return None
    x, y = sa[metric][0], sb[metric][0]
    if x is None or not y:
        return None
    return x / y


def loads_of(summary, cell):
    seen = []
    for (c, load, _) in summary:
        if c == cell and load not in seen:
            seen.append(load)
    return seen


def whos_of(summary, cell, order):
    present = {w for (c, _, w) in summary if c == cell}
    return [w for w in order if w in present] + sorted(present - set(order))


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def rel_noise(summary, cell, load, who, metric):
    s = summary.get((cell, load, who), {})
    m, hr = s.get(metric, (None, None))
    return hr / m if m and hr is not None else 0.0


def judge(summary, cell, load, whos, metric, mio_bar=0.95):
    """The T1/T2 bar on one metric: every hpsocket server >= `mio_bar` x mio and >= 1.0x
    tokio.

    Returns (misses, unsure): a ratio short of the bar by more than the two figures'
    relative half-ranges together is a miss; one within them is unsure (noise)."""
    misses, unsure = [], []
    for u in [w for w in UNDER_TEST if w in whos]:
        for peer, need in [("mio", mio_bar), ("tokio", 1.0)]:
            r = ratio(summary, cell, load, u, peer, metric)
            if r is None or r >= need:
                continue
            noise = rel_noise(summary, cell, load, u, metric) + rel_noise(
                summary, cell, load, peer, metric)
            text = f"{LABEL[u]} {r:.2f}x {peer}"
            if r * (1 + noise) >= need:
                unsure.append(text + f" (±{noise * 100:.0f}%)")
            else:
                misses.append(text)
    return misses, unsure


# T2 per server-CPU-second against bare mio (the performance issue's bar, above T1's 0.95).
T2_CPU_MIO_BAR = 0.98


def throughput_family(summary, cell, metric, cpu_metric, unit, cpu_unit, below):
    """T1/T2: a throughput table with ratios and the bar, then the per-server-CPU table.

    The bar is judged twice: on throughput (what the issue states) and on throughput per
    server-CPU-second, which other processes on the shared cores disturb far less."""
    loads = loads_of(summary, cell)
    whos = whos_of(summary, cell, ORDER)
    if not loads:
        return ""
    ratio_cols = []
    for u in [w for w in UNDER_TEST if w in whos]:
        for peer in ["mio", "tokio", "hp522"]:
            if peer in whos:
                ratio_cols.append((u, peer))
    headers = ["load"] + [LABEL.get(w, w) for w in whos] + [
        f"{'hps' if u == 'hps' else 'hps-C'}/{p}" for u, p in ratio_cols] + ["bar"]
    cpu_headers = ["load"] + [LABEL.get(w, w) for w in whos] + [
        f"{'hps' if u == 'hps' else 'hps-C'}/{p}" for u, p in ratio_cols
        if p != "hp522"] + ["bar"]
    rows, cpu_rows = [], []
    for load in loads:
        conns = int(load.split("x")[-1])
        judged = cell == "T2" or conns >= 10
        row = [load] + [cell_text(summary.get((cell, load, w)), metric) for w in whos]
        row += [fmt(ratio(summary, cell, load, u, p, metric), 2) for u, p in ratio_cols]
        cpu_row = [load] + [cell_text(summary.get((cell, load, w)), cpu_metric) for w in whos]
        cpu_row += [fmt(ratio(summary, cell, load, u, p, cpu_metric), 2)
                    for u, p in ratio_cols if p != "hp522"]
        for r, m, what in [(row, metric, "throughput"), (cpu_row, cpu_metric, "per CPU-s")]:
            if not judged:
                r.append("n/a (1 conn)")
                continue
            misses, unsure = judge(summary, cell, load, whos, m,
                                   T2_CPU_MIO_BAR if (cell, m) == ("T2", cpu_metric) else 0.95)
            r.append("**below**" if misses else "within noise" if unsure else "met")
            if misses:
                below.append(f"{cell} {load} ({what}): " + "; ".join(misses))
            if unsure:
                below.append(f"{cell} {load} ({what}), short but within the noise: " +
                             "; ".join(unsure))
        rows.append(row)
        cpu_rows.append(cpu_row)
    text = f"{unit}, median ± half-range.\n\n" + table(headers, rows)
    text += f"\n\n{cpu_unit} (server CPU time from /proc/PID/task/*/schedstat; on loopback " \
            "the sender's CPU also runs the receiver's TCP input, so this charges each server " \
            "part of the client's receive path, equally for all).\n\n" + table(cpu_headers,
                                                                               cpu_rows)
    return text


def conn_family(summary, below):
    parts = []
    for cell, title in [("C1", "C1: open 10,000 connections, 64 connects in flight, 8 B echo "
                               "each, then idle"),
                        ("C2", "C2: the same with 1,000 connects in flight")]:
        loads = loads_of(summary, cell)
        if not loads:
            continue
        load = loads[0]
        whos = whos_of(summary, cell, ORDER)
        rows = []
        for w in whos:
            s = summary[(cell, load, w)]
            verdict = ""
            if w in UNDER_TEST:
                misses = []
                if cell == "C1":
                    cs, bpc = s["conns_s"][0], s["bytes_per_conn"][0]
                    if cs is not None and cs < 60000:
                        misses.append(f"{cs:,.0f} conn/s < 60,000 (bare mio: "
                                      f"{fmt(summary.get((cell, load, 'mio'), {}).get('conns_s', (None,))[0])})")
                    if bpc is not None and bpc > C1_MAX_BYTES:
                        misses.append(f"{bpc:,.0f} B/idle conn > {C1_MAX_BYTES}")
                else:
                    ov = s["listen_overflows"][0]
                    if ov:
                        misses.append(f"{ov:.0f} listen overflows")
                verdict = "**below**" if misses else "met"
                if misses:
                    below.append(f"{cell} {LABEL[w]}: " + "; ".join(misses))
            rows.append([LABEL.get(w, w), cell_text(s, "conns_s"), cell_text(s, "conns_cpu"),
                         cell_text(s, "client_busy"), cell_text(s, "bytes_per_conn"),
                         cell_text(s, "listen_overflows"), cell_text(s, "listen_drops"),
                         cell_text(s, "errors"), verdict])
        parts.append(f"**{title}.** Connections/s from the first connect to the last echo; the "
                     "same per server-CPU-second; the client's CPU use over the phase (near 1.0: "
                     "the one client core is the limit, not the server); server RSS growth "
                     "(VmRSS after − before) / connections; `TcpExtListenOverflows`/"
                     "`ListenDrops` deltas (as nstat reports them).\n\n" + table(
                         ["server", "connections/s", "per server-CPU-s", "client CPU use",
                          "B per idle conn", "listen overflows", "listen drops",
                          "failed connects", "bar"], rows))
    loads = loads_of(summary, "C3")
    if loads:
        rows = []
        for w in whos_of(summary, "C3", ORDER):
            s = summary[("C3", loads[0], w)]
            rows.append([LABEL.get(w, w), cell_text(s, "conns_s"), cell_text(s, "conns_cpu"),
                         cell_text(s, "errors")])
        parts.append("**C3: churn** (connect, 8 B echo, close with SO_LINGER 0; 64 slots).\n\n" +
                     table(["server", "connections/s", "per server-CPU-second", "errors"], rows))
    return "\n\n".join(parts)


def a1_family(summary, below):
    loads = loads_of(summary, "A1")
    if not loads:
        return ""
    whos = whos_of(summary, "A1", ["loadgen", "hps-agent", "hps-c-agent", "hp522-agent"])
    rows, cpu_rows = [], []
    for load in loads:
        metric = "mib_s" if load.startswith("16KiB") else "msgs_s"
        row = [f"{load} ({'MiB/s' if metric == 'mib_s' else 'msg/s'})"]
        row += [cell_text(summary.get(("A1", load, w)), metric) for w in whos]
        rl = ratio(summary, "A1", load, "hps-agent", "loadgen", metric)
        rh = ratio(summary, "A1", load, "hps-agent", "hp522-agent", metric)
        verdict = "met" if rl is None or rl >= 0.95 else "**below**"
        if rl is not None and rl < 0.95:
            below.append(f"A1 {load}: hpsocket TcpAgent {rl:.2f}x the load generator (< 0.95)")
        rows.append(row + [fmt(rl, 2), fmt(rh, 2), verdict])
        cpu_rows.append([load] + [cell_text(summary.get(("A1", load, w)), "msgs_client_cpu")
                                  for w in whos])
    text = "Client on CPU 1, bare mio echo server on CPU 0.\n\n" + table(
        ["load"] + [LABEL.get(w, w) for w in whos] + ["agent/loadgen", "agent/HP-Socket agent",
                                                      "bar"], rows)
    text += "\n\nMessages per client-CPU-second:\n\n" + table(
        ["load"] + [LABEL.get(w, w) for w in whos], cpu_rows)
    return text


def p1_family(summary):
    loads = loads_of(summary, "P1")
    if not loads:
        return ""
    whos = whos_of(summary, "P1", ["hps:push", "hps:pull", "hps:pack", "hp522:pull",
                                   "hp522:pack"])
    rows, cpu_rows = [], []
    for load in loads:
        metric = "mib_s" if load.startswith("16KiB") else "msgs_s"
        row = [f"{load} ({'MiB/s' if metric == 'mib_s' else 'msg/s'})"]
        row += [cell_text(summary.get(("P1", load, w)), metric) for w in whos]
        row += [fmt(ratio(summary, "P1", load, a, b, metric), 2) for a, b in [
            ("hps:pack", "hps:push"), ("hps:pull", "hps:push"), ("hps:pack", "hp522:pack"),
            ("hps:pull", "hp522:pull")]]
        rows.append(row)
        cpu_rows.append([load] + [cell_text(summary.get(("P1", load, w)), "msgs_cpu")
                                  for w in whos])
    text = table(["load"] + [LABEL.get(w, w) for w in whos] + [
        "PACK/PUSH", "PULL/PUSH", "PACK/HP PACK", "PULL/HP PULL"], rows)
    text += "\n\nMessages per server-CPU-second:\n\n" + table(
        ["load"] + [LABEL.get(w, w) for w in whos], cpu_rows)
    return text


S1_ORDER = ["plain", "tls", "ossl"]
S1_LABEL = {"plain": "hpsocket, plain TCP", "tls": "hpsocket, TLS",
            "ossl": "bare OpenSSL (mio)"}
# The bar (the issue): hpsocket's TLS echo at least this share of the bare OpenSSL echo, per
# server-CPU-second.
S1_BAR = 0.9


def s1_bar(summary, load, below):
    """S1's bar on one load: hpsocket's TLS echo >= 0.9x the bare OpenSSL echo per
    server-CPU-second; a shortfall within the two figures' relative half-ranges is noise."""
    metric = "mib_cpu" if load.startswith("16KiB") else "msgs_cpu"
    r = ratio(summary, "S1", load, "tls", "ossl", metric)
    if r is None:
        return "–"
    if r >= S1_BAR:
        return "met"
    noise = rel_noise(summary, "S1", load, "tls", metric) + rel_noise(
        summary, "S1", load, "ossl", metric)
    text = f"S1 {load} (per CPU-s): hpsocket TLS {r:.2f}x the bare OpenSSL echo (bar {S1_BAR}x)"
    if r * (1 + noise) >= S1_BAR:
        below.append(text + f", short but within the noise (±{noise * 100:.0f}%)")
        return "within noise"
    below.append(text)
    return "**below**"


def s1_family(summary, below):
    """S1: hpsocket's echo plain and over TLS, and the bare OpenSSL echo, on the same loads."""
    loads = loads_of(summary, "S1")
    if not loads:
        return ""
    whos = whos_of(summary, "S1", S1_ORDER)
    rows, cpu_rows = [], []
    for load in loads:
        metric = "mib_s" if load.startswith("16KiB") else "msgs_s"
        cpu = "mib_cpu" if metric == "mib_s" else "msgs_cpu"
        unit = "MiB" if metric == "mib_s" else "msg"
        rows.append([f"{load} ({unit}/s)"]
                    + [cell_text(summary.get(("S1", load, w)), metric) for w in whos]
                    + [fmt(ratio(summary, "S1", load, "tls", "plain", metric), 2),
                       fmt(ratio(summary, "S1", load, "tls", "ossl", metric), 2)])
        per_msg = []
        for w in whos:
            m = summary.get(("S1", load, w), {}).get("msgs_cpu", (None,))[0]
            per_msg.append(fmt(1e6 / m, 2) if m else "–")
        cpu_rows.append([f"{load} ({unit} per server-CPU-s)"]
                        + [cell_text(summary.get(("S1", load, w)), cpu) for w in whos]
                        + per_msg
                        + [fmt(ratio(summary, "S1", load, "tls", "plain", cpu), 2),
                           fmt(ratio(summary, "S1", load, "tls", "ossl", cpu), 2),
                           s1_bar(summary, load, below)])
    labels = [S1_LABEL.get(w, w) for w in whos]
    return ("Three echo servers on CPU 0, each driven by hpsocket's TcpAgent (`hps_agent`, "
            "`--tls` against the two TLS servers) on CPU 1, the same load for all: hpsocket "
            "plain = `hps_echo` (PUSH, one worker); hpsocket TLS = `hps_echo --tls` (a "
            "self-signed RSA-2048 certificate made at start-up, OpenSSL's default TLS 1.3 "
            "suite, TLS 1.2 at least, renegotiation refused); bare OpenSSL (mio) = "
            "`bench/src/bin/ossl_echo.rs`, the `openssl` crate's `SslStream` straight over "
            "each socket in a one-thread edge-triggered mio loop (the shape of the bare mio "
            "echo), with the same certificate and TLS settings, OpenSSL's read-ahead on, one "
            "16 KiB read buffer, every record echoed as it is read: the ceiling OpenSSL "
            "reaches on one core. Median ± half-range.\n\n"
            + table(["load"] + labels + ["TLS/plain", "TLS/bare OpenSSL"], rows)
            + "\n\nPer server-CPU-second (from /proc/PID/task/*/schedstat), server µs per "
            "message, and the bar (the issue): hpsocket's TLS echo at least "
            f"{S1_BAR}x the bare OpenSSL echo per server-CPU-second.\n\n"
            + table(["load"] + labels + [f"{l}: µs per message" for l in labels]
                    + ["TLS/plain", "TLS/bare OpenSSL", "bar"], cpu_rows))


def s1_section(head, summary):
    """The S1 section alone, headed by the run's date and loadavg (for an S1-only run)."""
    body = s1_family(summary, [])
    if not body:
        return ""
    a = head["args"]
    return (f"## S1: TLS echo against plain TCP and bare OpenSSL\n\nRun {head['date']}, "
            f"loadavg before `{head['loadavg_before']}`, after "
            f"`{head.get('loadavg_after', '?')}`, {a['reps']} repetition(s), {a['warmup']} s "
            f"warm-up + {a['secs']} s measured per run; versions: " + "; ".join(
                f"{k} {head['versions'][k]}" for k in ["OpenSSL", "rustc", "hpsocket commit"]
                if head["versions"].get(k)) + ".\n\n" + body
            + loadavg_note(summary, ["S1"]) + "\n")


# The bars for IR: instructions per message, at most.
IR_BARS = {"hps": 450, "hps-c": 550}


def ir_short_name(function):
    """A profile row's function without its crate paths: `Worker::read`, not
    `hpsocket_core::reactor::worker::receive::<impl hpsocket_core::...::Worker>::read`."""
    name = re.sub(r"<impl [^<>]*?([A-Za-z_]+)>", r"\1", function)
    name = re.sub(r"<([^<>]*?) as [^<>]*?>", r"\1", name)
    short = re.sub(r"\b[a-z_][a-z0-9_]*::", "", name)
    if "::" not in short and "::" in name:
        # A free function: keep its module, `connection::send` and not a bare `send`.
        short = "::".join(name.split("::")[-2:])
    name = short
    return name if len(name) <= 90 else name[:87] + "..."


def ir_family(summary, below):
    loads = loads_of(summary, "IR")
    if not loads:
        return ""
    load = loads[0]
    mio = summary.get(("IR", load, "mio"), {}).get("ir_per_msg", (None,))[0]
    rows = []
    profiles = []
    for w in whos_of(summary, "IR", ORDER):
        s = summary[("IR", load, w)]
        v = s["ir_per_msg"][0]
        bar = IR_BARS.get(w)
        verdict = "–"
        if bar and v:
            verdict = "met" if v <= bar else f"**above** (at most {bar})"
            if v > bar:
                below.append(f"IR {LABEL.get(w, w)}: {fmt(v, 0)} instructions per message "
                             f"> {bar} (the IR section shows where they go)")
        rows.append([LABEL.get(w, w), fmt(v, 0) if v else "–",
                     fmt(v / mio, 1) + "x" if v and mio else "–", verdict])
        if s.get("ir_top"):
            profiles.append((LABEL.get(w, w), s["ir_top"]))
    text = ("User-space instructions per echoed 64 B message (valgrind callgrind; 1000 "
            "connections doing 105 and then 5 round trips each, the difference over the "
            "100,000 messages between; kernel work not counted). Unlike the timed figures, "
            "these do not move with the machine's load. Bar (the issue): at most 450 for the "
            "Rust path, 550 through the C ABI.\n\n" + table(
                ["server", "instructions / message", "vs bare mio", "bar"], rows))
    for label, top in profiles:
        text += (f"\n\nWhere {label}'s instructions go, per message (self cost of each "
                 "function, code inlined into it included; the same difference of two runs):"
                 "\n\n" + table(["instructions", "function"],
                                 [[fmt(v, 1), f"`{ir_short_name(f)}`"] for v, f in top]))
    return text


L1_GROUPS = [("Python", "py-hps", ["py-asyncio", "py-uvloop"]),
             ("Java", "java-hps", ["java-nio"]),
             ("C#", "cs-hps", ["cs-sockets"])]
L1_LABEL = {"py-hps": "hpsocket (Python)", "py-asyncio": "asyncio", "py-uvloop": "uvloop",
            "java-hps": "hpsocket (Java)", "java-nio": "java.nio Selector",
            "cs-hps": "hpsocket (C#)", "cs-sockets": "System.Net.Sockets"}


def l1_family(summary):
    """L1: each binding's echo server against its language's idiomatic peers, T2's load."""
    loads = loads_of(summary, "L1")
    if not loads:
        return ""
    parts = []
    for lang, ours, peers in L1_GROUPS:
        whos = [w for w in [ours] + peers if any(k[0] == "L1" and k[2] == w for k in summary)]
        if ours not in whos:
            continue
        peers = [p for p in peers if p in whos]
        headers = (["load"] + [L1_LABEL[w] + " msg/s" for w in whos]
                   + [f"hps/{L1_LABEL[p]}" for p in peers]
                   + [L1_LABEL[w] + " msg/CPU-s" for w in whos]
                   + [f"hps/{L1_LABEL[p]} per CPU-s" for p in peers])
        rows = []
        for load in loads:
            row = [load] + [cell_text(summary.get(("L1", load, w)), "msgs_s") for w in whos]
            row += [fmt(ratio(summary, "L1", load, ours, p, "msgs_s"), 2) for p in peers]
            row += [cell_text(summary.get(("L1", load, w)), "msgs_cpu") for w in whos]
            row += [fmt(ratio(summary, "L1", load, ours, p, "msgs_cpu"), 2) for p in peers]
            rows.append(row)
        parts.append(f"**{lang}**\n\n" + table(headers, rows))
    return ("64 B pingpong (T2's load), messages/s and messages per server-CPU-second, median "
            "± half-range; each server pinned to CPU 0, the load generator to CPU 1. Servers: "
            "`bench/python/hps_echo.py` (the hpsocket wheel, one worker thread), "
            "`bench/python/asyncio_echo.py` (asyncio Protocol; `--uvloop` for uvloop), "
            "`bench/java/*.java`, `bench/csharp/*.cs` (Mono; the plain peer on "
            "`SocketAsyncEventArgs`). Ratios > 1: hpsocket's binding is faster.\n\n" + "\n\n".join(parts))


H1_ORDER = ["hps", "hps-c", "hp522", "nginx", "hyper", "wrk", "hps-http-agent"]
H1_LABEL = {"hps": "hpsocket (Rust)", "hps-c": "hpsocket (C ABI)", "hp522": "HP-Socket 5.2.2",
            "nginx": "nginx", "hyper": "hyper", "wrk": "wrk",
            "hps-http-agent": "hpsocket HttpAgent (Rust)"}


def h1_family(summary):
    """H1: HTTP/1.1 keep-alive "Hello, World!" under wrk, every server on the same load."""
    loads = [l for l in loads_of(summary, "H1") if not l.startswith("client")]
    if not loads:
        return ""
    rows = []
    for load in loads:
        for w in whos_of(summary, "H1", H1_ORDER):
            s = summary.get(("H1", load, w))
            if not s:
                continue
            rows.append([load, H1_LABEL.get(w, w), cell_text(s, "req_s"),
                         fmt(s["p99_ms"][0], 2) if s.get("p99_ms", (None,))[0] else "–",
                         cell_text(s, "req_cpu"),
                         cell_text(s, "client_busy"),
                         cell_text(s, "errors")]
                        + [fmt(ratio(summary, "H1", load, w, peer, m), 2)
                           for peer in ["nginx", "hp522"] for m in ["req_s", "req_cpu"]])
    text = ("`wrk -t1 -cN -d<secs>s --latency` on CPU 1 against each server on CPU 0 (one "
            "worker / event-loop thread, one nginx worker process), keep-alive GET `/`, every "
            "answer `200`, `Content-Type: text/plain`, 13-byte body `Hello, World!`. Requests/s "
            "and p99 latency as wrk reports them (no warm-up: they include the connects); "
            "requests per server-CPU-second from /proc/PID/task/*/schedstat of the server's "
            "processes around the run; wrk's CPU use over the run (near 1.0: the client core is "
            "the limit); errors = wrk's socket errors + non-2xx answers. Ratios > 1: the row "
            "is faster than the peer. Servers: hpsocket (Rust) = `bench/src/bin/hps_http.rs` "
            "(hpsocket-core, HTTP receive model, `send_response` in `MessageComplete`); "
            "hpsocket (C ABI) = `bench/c/hp_http.c` with our `include/HPSocket4C.h` and "
            "`libhpsocket.so`; HP-Socket 5.2.2 = the same C file against 5.2.2's "
            "`libhpsocket4c` (PyPI `HPSocket==0.9.3`); nginx (Debian) = `worker_processes 1`, "
            "`return 200 \"Hello, World!\"` with `default_type text/plain`, `access_log off`, "
            "`keepalive_requests 1000000` (the config is in `bench/run.py`); hyper = "
            "`bench/src/bin/hyper_hello.rs` (hyper 1.x `http1` on tokio's current_thread "
            "runtime; it also writes a `Date` header, nginx `Date` and `Server`).\n\n" + table(
                ["load", "server", "requests/s", "p99 ms", "requests per server-CPU-s",
                 "wrk CPU use", "errors", "/nginx", "/nginx per CPU-s", "/HP-Socket 5.2.2",
                 "/HP-Socket 5.2.2 per CPU-s"], rows))
    clients = [l for l in loads_of(summary, "H1") if l.startswith("client")]
    if clients:
        crows = []
        for load in clients:
            for w in whos_of(summary, "H1", H1_ORDER):
                s = summary.get(("H1", load, w))
                if s:
                    crows.append([load, H1_LABEL.get(w, w), cell_text(s, "req_s"),
                                  cell_text(s, "req_client_cpu"),
                                  fmt(ratio(summary, "H1", load, w, "wrk", "req_s"), 2),
                                  cell_text(s, "errors")])
        text += ("\n\nThe client side: hpsocket's HttpAgent as a load generator "
                 "(`hps_http_agent`, keep-alive GETs, one request in flight per connection) "
                 "against the nginx server above, beside wrk on the same load in the same "
                 "run.\n\n" + table(["load", "client", "requests/s",
                                       "requests per client-CPU-s", "/wrk", "errors"], crows))
    return text


W1_ORDER = ["hps", "hps-c", "hps-c-frames", "hp522", "tungstenite"]
W1_LABEL = {"hps": "hpsocket (Rust)", "hps-c": "hpsocket (C ABI, WebSocket mode)",
            "hps-c-frames": "hpsocket (C ABI, frame API)", "hp522": "HP-Socket 5.2.2",
            "tungstenite": "tokio-tungstenite"}
# The bar applies to hpsocket's WebSocket mode (the frame-API row is for comparison with 5.2.2).
W1_UNDER_TEST = ["hps", "hps-c"]


def w1_bar(summary, load, w, below):
    """W1's bar for one row: messages per server-CPU-second >= 1.0x tokio-tungstenite; a
    shortfall within the two figures' relative half-ranges is reported as noise."""
    if w not in W1_UNDER_TEST:
        return ""
    r = ratio(summary, "W1", load, w, "tungstenite", "msgs_cpu")
    if r is None:
        return "–"
    if r >= 1.0:
        return "met"
    noise = rel_noise(summary, "W1", load, w, "msgs_cpu") + rel_noise(
        summary, "W1", load, "tungstenite", "msgs_cpu")
    text = f"W1 {load} (per CPU-s): {W1_LABEL[w]} {r:.2f}x tokio-tungstenite"
    if r * (1 + noise) >= 1.0:
        below.append(text + f", short but within the noise (±{noise * 100:.0f}%)")
        return "within noise"
    below.append(text)
    return "**below**"


def w1_family(summary, below, notes=()):
    """W1: WebSocket echo, one message in flight per connection, every server on one core."""
    loads = loads_of(summary, "W1")
    if not loads:
        return ""
    rows = []
    for load in loads:
        for w in whos_of(summary, "W1", W1_ORDER):
            s = summary.get(("W1", load, w))
            if not s:
                continue
            rows.append([load, W1_LABEL.get(w, w), cell_text(s, "msgs_s"),
                         fmt(s["p99_ms"][0], 2) if s.get("p99_ms", (None,))[0] else "–",
                         cell_text(s, "msgs_cpu"), cell_text(s, "client_busy"),
                         cell_text(s, "errors")]
                        + [fmt(ratio(summary, "W1", load, w, peer, m), 2)
                           for peer in ["tungstenite", "hp522"] for m in ["msgs_s", "msgs_cpu"]]
                        + [w1_bar(summary, load, w, below)])
    text = ("`wsload` (`bench/src/bin/wsload.rs`) on CPU 1 against each server on CPU 0 (one "
            "worker / event-loop thread): N connections opened one after the other, each "
            "opening handshake done by tungstenite's client (which checks the 101 and its "
            "`Sec-WebSocket-Accept`), then every connection keeps one binary message of the "
            "given size in flight (masked with a fresh key per frame), waits for the whole "
            "echo, checks its opcode, length and every byte (each message differs from the "
            "last), and sends the next. Messages/s and p99 round trip (send to whole echo) "
            "over the measured window; messages per server-CPU-second from "
            "/proc/PID/task/*/schedstat around it; the client's CPU use over it (near 1.0: the "
            "client core is the limit); errors = connections lost or echoes wrong. Ratios > 1: "
            "the row is faster than the peer. Bar (the issue): each hpsocket server in the "
            "WebSocket mode at least tokio-tungstenite per server-CPU-second. Servers: "
            "hpsocket (Rust) = `bench/src/bin/hps_ws.rs` (hpsocket-core, HTTP receive model, "
            "`ws_mode`, `send_ws_message` from `HttpEvent::WsMessage`); hpsocket (C ABI, "
            "WebSocket mode) = `bench/c/hp_ws.c` with `HPX_HttpServer_SetWebSocketMode` and "
            "`OnWSMessage` on our `libhpsocket.so`; hpsocket (C ABI, frame API) and HP-Socket "
            "5.2.2 = the same file's frame-API build (OnUpgrade answers 101 with "
            "Sec-WebSocket-Accept from libcrypto's SHA-1, OnWSMessageHeader/Body/Complete "
            "reassemble, `HP_HttpServer_SendWSMessage` echoes) on our library and on 5.2.2's "
            "`libhpsocket4c` (PyPI `HPSocket==0.9.3`); tokio-tungstenite = "
            "`bench/src/bin/tungstenite_echo.rs` (`accept_async`, `next`/`send` per message, "
            "tokio current_thread, 64 KiB read buffer).\n\n" + table(
                ["load", "server", "messages/s", "p99 ms", "messages per server-CPU-s",
                 "client CPU use", "errors", "/tokio-tungstenite", "/tokio-tungstenite per CPU-s",
                 "/HP-Socket 5.2.2", "/HP-Socket 5.2.2 per CPU-s", "bar"], rows))
    failed = [n for n in notes if n.startswith("W1 ")]
    if failed:
        text += "\n\nRuns that produced no figure:\n\n" + "\n".join(f"- {n}" for n in failed)
    return text


def w1_section(head, summary):
    """The W1 section alone, headed by the run's date and loadavg (for a W1-only run)."""
    below = []
    body = w1_family(summary, below, head.get("notes", []))
    if not body:
        return ""
    v = head["versions"]
    a = head["args"]
    return (f"## W1: WebSocket echo\n\nRun {head['date']}, loadavg before "
            f"`{head['loadavg_before']}`, after `{head.get('loadavg_after', '?')}`, "
            f"{a['reps']} repetition(s), {min(a['warmup'], 0.3)} s warm-up + "
            f"{a.get('w1_secs', '?')} s measured per run; versions: " + "; ".join(
                f"{k} {v[k]}" for k in ["tokio-tungstenite", "tokio", "HP-Socket",
                                        "hpsocket commit"] if v.get(k)) + ".\n\n" + body
            + loadavg_note(summary, ["W1"]) + "\n\n![W1](charts/W1.png)\n")


K1_ORDER = ["hps", "kcp-go", "hps-rcvbuf", "kcp-go-rcvbuf"]
# Each row under test and the peer it is judged against: the default pair is the bar; the
# 4 MiB SO_RCVBUF pair is a diagnostic (kernel buffer drops taken out of the picture).
K1_PAIRS = {"hps": "kcp-go", "hps-rcvbuf": "kcp-go-rcvbuf"}
K1_LABEL = {w: LABEL[w] for w in K1_ORDER}


def k1_bar(summary, load, w, below):
    """K1's bar for one row: messages per server-CPU-second >= 1.0x kcp-go's and a p99 no
    worse than kcp-go's; a shortfall within the figures' relative half-ranges is noise. Only
    the default pair's shortfalls go to "Below the bar"."""
    peer = K1_PAIRS.get(w)
    if peer is None:
        return ""
    r = ratio(summary, "K1", load, w, peer, "msgs_cpu")
    p = ratio(summary, "K1", load, w, peer, "p99_ms")
    if r is None or p is None:
        return "–"
    short = []
    unsure = []
    noise_cpu = rel_noise(summary, "K1", load, w, "msgs_cpu") + rel_noise(
        summary, "K1", load, peer, "msgs_cpu")
    noise_p99 = rel_noise(summary, "K1", load, w, "p99_ms") + rel_noise(
        summary, "K1", load, peer, "p99_ms")
    if r < 1.0:
        (unsure if r * (1 + noise_cpu) >= 1.0 else short).append(
            f"per CPU-s {r:.2f}x {LABEL[peer]}")
    if p > 1.0:
        (unsure if p <= 1.0 + noise_p99 else short).append(f"p99 {p:.2f}x {LABEL[peer]}'s")
    diagnostic = w != "hps"
    text = f"K1 {load}: {LABEL[w]} " + ", ".join(short + unsure)
    if short:
        if not diagnostic:
            below.append(text)
        return "**below** (" + ", ".join(short) + ")"
    if unsure:
        if not diagnostic:
            below.append(text + ", within the noise")
        return "within noise"
    return "met"


def k1_family(summary, below, notes=()):
    """K1: ARQ (KCP) echo through the lossy relay, every server on one core."""
    loads = loads_of(summary, "K1")
    if not loads:
        return ""
    rows = []
    for load in loads:
        for w in whos_of(summary, "K1", K1_ORDER):
            s = summary.get(("K1", load, w))
            if not s:
                continue
            cpu = s.get("msgs_cpu", (None,))[0]
            peer = K1_PAIRS.get(w)
            rows.append([load, K1_LABEL.get(w, w), cell_text(s, "msgs_s"),
                         cell_text(s, "p50_ms"), cell_text(s, "p99_ms"),
                         cell_text(s, "msgs_cpu"),
                         fmt(1e6 / cpu) if cpu else "–",
                         cell_text(s, "client_busy"),
                         cell_text(s, "dgrams_in_per_msg"),
                         cell_text(s, "udp_rcvbuf_errors"), cell_text(s, "errors")]
                        + ([fmt(ratio(summary, "K1", load, w, peer, m), 2)
                            for m in ["msgs_s", "msgs_cpu", "p99_ms"]] if peer else ["", "", ""])
                        + [k1_bar(summary, load, w, below)])
    text = ("`kload` (`bench/src/bin/kload.rs`) on CPU 1 against each server on CPU 0 (one "
            "worker / event-loop thread; kcp-go with GOMAXPROCS=1). One load generator for "
            "both, at the KCP layer: every session is a UDP socket with its own KCP control "
            "block (hpsocket-core's `arq::kcp`, a port of ikcp); against hpsocket it first "
            "plays HP-Socket's 12-byte ARQ handshake, against kcp-go the first segment opens "
            "the session (no FEC, no encryption). The same KCP settings on all three: nodelay "
            "1, interval 10 ms, fast resend after 2 acks, congestion control off, windows "
            "128/128 segments, MTU 1400, message mode (kcp-go `SetStreamMode(false)`, "
            "`SetWriteDelay(false)`, its other defaults, so its acks wait for a flush or a "
            "write; ours send the acks of one read batch together, or with an answer sent from "
            "OnReceive; HP-Socket's flushes after every datagram taken in). Every session "
            "keeps one message in flight and checks every byte of the echo; a 1 MiB message "
            "is sent as 8 KCP messages of 128 KiB (a KCP message has at most 127 fragments) "
            "and its round trip ends when all of it is back. Loss: the relay at the load "
            "generator's socket boundary drops each datagram each way with probability 0.1, "
            "from a seeded generator per session and direction (the same datagrams in every "
            "run). Messages/s (for 1 MiB messages: = MiB/s one way), p50/p99 round trip over "
            "the measured window, messages per server-CPU-second and server µs per message "
            "from /proc/PID/task/*/schedstat; client CPU use (near 1.0: the client core is "
            "the limit); datagrams from the server per message; kernel UDP receive-buffer "
            "drops (`/proc/net/snmp` RcvbufErrors, host-wide, during the window: on top of "
            "the relay's loss); errors = wrong echoes or dead links. Both servers keep the "
            "kernel's default socket receive buffer (212,992 B here), which the window's "
            "bursts overflow; the `4 MiB SO_RCVBUF` rows (diagnostic: hpsocket's "
            "`SocketRecvBufferSize` setting; kcp-go's "
            "`Listener.SetReadBuffer`) show the two without those drops. Ratios > 1: "
            "the row is faster (for p99: slower) than its kcp-go row. Bar (the issue): at "
            "least kcp-go's messages per server-CPU-second and a p99 no worse, judged on the "
            "default rows.\n\n" + table(
                ["load", "server", "messages/s", "p50 ms", "p99 ms",
                 "messages per server-CPU-s", "server µs per message", "client CPU use",
                 "datagrams in per message", "kernel UDP drops", "errors", "/kcp-go",
                 "/kcp-go per CPU-s", "p99 /kcp-go", "bar"], rows))
    failed = [n for n in notes if n.startswith("K1")]
    if failed:
        text += "\n\nRuns that produced no figure:\n\n" + "\n".join(f"- {n}" for n in failed)
    return text


def k1_section(head, summary):
    """The K1 section alone, headed by the run's date and loadavg (for a K1-only run)."""
    below = []
    body = k1_family(summary, below, head.get("notes", []))
    if not body:
        return ""
    v = head["versions"]
    a = head["args"]
    return (f"## K1: ARQ (KCP) echo\n\nRun {head['date']}, loadavg before "
            f"`{head['loadavg_before']}`, after `{head.get('loadavg_after', '?')}`, "
            f"{a['reps']} repetition(s), every session's first echo, then "
            f"{min(a['warmup'], 0.3)} s warm-up + {a.get('k1_secs', '?')} s measured per run; "
            "versions: " + "; ".join(f"{k} {v[k]}" for k in ["kcp-go", "hpsocket commit"]
                                     if v.get(k)) + ".\n\n" + body
            + loadavg_note(summary, ["K1"]) + "\n\n![K1](charts/K1.png)\n")


U1_ORDER = ["hps", "hps-c", "hp522", "mmsg", "hps-rcvbuf", "hps-c-rcvbuf", "hp522-rcvbuf",
            "mmsg-rcvbuf"]
# The bar (the issue), per server-CPU-second: each hpsocket row against the peers of its own
# buffer setting.
U1_BAR = [("hp522", 1.5), ("mmsg", 0.9)]


def u1_peer(w, peer):
    return peer + ("-rcvbuf" if w.endswith("-rcvbuf") else "")


def u1_bar(summary, load, w, below):
    """U1's bar for one hpsocket row: >= 1.5x HP-Socket 5.2.2 and >= 0.9x the bare loop in
    datagrams per server-CPU-second, against the rows with the same socket buffer; a
    shortfall within the two figures' relative half-ranges is noise. Only the default-buffer
    rows' shortfalls go to "Below the bar" (the 4 MiB rows are a diagnostic)."""
    if w.split("-rcvbuf")[0] not in UNDER_TEST:
        return ""
    short, unsure = [], []
    for peer, need in U1_BAR:
        p = u1_peer(w, peer)
        r = ratio(summary, "U1", load, w, p, "msgs_cpu")
        if r is None:
            continue
        if r >= need:
            continue
        noise = rel_noise(summary, "U1", load, w, "msgs_cpu") + rel_noise(
            summary, "U1", load, p, "msgs_cpu")
        text = f"{r:.2f}x {LABEL[peer]} (bar {need}x)"
        if r * (1 + noise) >= need:
            unsure.append(text + f" ±{noise * 100:.0f}%")
        else:
            short.append(text)
    if ratio(summary, "U1", load, w, u1_peer(w, "hp522"), "msgs_cpu") is None and ratio(
            summary, "U1", load, w, u1_peer(w, "mmsg"), "msgs_cpu") is None:
        return "–"
    diagnostic = w.endswith("-rcvbuf")
    text = f"U1 {load} (per CPU-s): {LABEL[w]} " + ", ".join(short + unsure)
    if short:
        if not diagnostic:
            below.append(text + (", the last within the noise" if unsure else ""))
        return "**below** (" + ", ".join(short) + ")" + (
            "; within noise: " + ", ".join(unsure) if unsure else "")
    if unsure:
        if not diagnostic:
            below.append(text + ", within the noise")
        return "within noise (" + ", ".join(unsure) + ")"
    return "met"


def u1_family(summary, below, notes=()):
    """U1: UDP datagram echo, every server on one core with one worker thread."""
    loads = loads_of(summary, "U1")
    if not loads:
        return ""
    rows = []
    for load in loads:
        for w in whos_of(summary, "U1", U1_ORDER):
            s = summary.get(("U1", load, w))
            if not s:
                continue
            cpu = s.get("msgs_cpu", (None,))[0]
            loss = s.get("loss", (None, None))
            rows.append([load, LABEL.get(w, w), cell_text(s, "msgs_s"),
                         cell_text(s, "p50_ms"), cell_text(s, "p99_ms"),
                         cell_text(s, "msgs_cpu"), fmt(1e6 / cpu) if cpu else "–",
                         cell_text(s, "client_busy"),
                         f"{loss[0] * 100:.2f} ± {loss[1] * 100:.2f}" if loss[0] is not None
                         else "–",
                         cell_text(s, "udp_rcvbuf_errors"), cell_text(s, "errors")]
                        + [fmt(ratio(summary, "U1", load, w, u1_peer(w, peer), "msgs_cpu"), 2)
                           if not w.startswith(peer) else "" for peer in ["hp522", "mmsg"]]
                        + [u1_bar(summary, load, w, below)])
    text = ("`uload` (`bench/src/bin/uload.rs`) on CPU 1 against each server on CPU 0 (one "
            "worker thread): N peers, each its own UDP socket (its own source port, so each is "
            "one connection of a UdpServer), keeping one datagram of the given size in flight; "
            "every echo is checked whole (length, peer, sequence number, every byte). A "
            "datagram whose echo is not back within 100 ms is counted lost and the peer sends "
            "the next, so a loss costs its peer 100 ms and stalls nothing else. Peers open 64 "
            "at a time (each one datagram and its echo, so every server has made its N "
            "connections), then all send, 0.3 s of warm-up, then the measured window. "
            "Datagrams echoed per second, p50/p99 round trip, datagrams per server-CPU-second "
            "and server µs per datagram (/proc/PID/task/*/schedstat around the window), the "
            "client's CPU use (near 1.0: the client core is the limit), loss = datagrams timed "
            "out / sent in the window, kernel UDP receive-buffer drops (`/proc/net/snmp` "
            "RcvbufErrors, host-wide, during the window), errors = wrong echoes. Servers: "
            "hpsocket (Rust) = `bench/src/bin/hps_udp.rs` (hpsocket-core `UdpServer`, echo "
            "from `on_receive`); hpsocket (C ABI) and HP-Socket 5.2.2 = `bench/c/hp_udp.c` "
            "(`Create_HP_UdpServer`, `HP_Server_Send` from OnReceive) on our `libhpsocket.so` "
            "and on 5.2.2's `libhpsocket4c` (PyPI `HPSocket==0.9.3`); all three with "
            "MaxDatagramSize 1500 (the defaults, 1432 and 5.2.2's 1472, are below the larger "
            "load) and the heartbeat at 60 s (5.2.2: DetectInterval in seconds); bare "
            "recvmmsg/sendmmsg = `bench/c/mmsg_echo.c` (one blocking `recvmmsg` with "
            "MSG_WAITFORONE of up to 64 datagrams, one `sendmmsg` of them back: the ceiling "
            "of one thread on one socket). Every server runs with the kernel's default socket "
            "receive buffer (212,992 B here; 1,000 peers' 64-byte datagrams overflow it, "
            "which the loss column shows) and, as a diagnostic, with a 4 MiB `SO_RCVBUF` set "
            "by the server's own code (OnPrepareListen / `on_prepare_listen`; the bare loop: "
            "setsockopt). Ratios are per server-CPU-second, against the peer with the same "
            "buffer; > 1: the row does more work per CPU-second. Bar (the issue): each "
            "hpsocket server at least 1.5x HP-Socket 5.2.2 and 0.9x the bare loop per "
            "server-CPU-second, judged on the default-buffer rows.\n\n" + table(
                ["load", "server", "datagrams/s", "p50 ms", "p99 ms",
                 "datagrams per server-CPU-s", "server µs per datagram", "client CPU use",
                 "loss %", "kernel UDP drops", "errors", "/HP-Socket 5.2.2 per CPU-s",
                 "/bare loop per CPU-s", "bar"], rows))
    failed = [n for n in notes if n.startswith("U1")]
    if failed:
        text += "\n\nLeft out or no figure:\n\n" + "\n".join(f"- {n}" for n in failed)
    return text


def u1_section(head, summary):
    """The U1 section alone, headed by the run's date and loadavg (for a U1-only run)."""
    below = []
    body = u1_family(summary, below, head.get("notes", []))
    if not body:
        return ""
    v = head["versions"]
    a = head["args"]
    return (f"## U1: UDP datagram echo\n\nRun {head['date']}, loadavg before "
            f"`{head['loadavg_before']}`, after `{head.get('loadavg_after', '?')}`, "
            f"{a['reps']} repetition(s), every peer's first echo, then "
            f"{min(a['warmup'], 0.3)} s warm-up + {a.get('u1_secs', '?')} s measured per run; "
            "versions: " + "; ".join(f"{k} {v[k]}" for k in ["HP-Socket (U1)", "gcc",
                                                            "hpsocket commit"]
                                     if v.get(k)) + ".\n\n" + body
            + loadavg_note(summary, ["U1"]) + "\n\n![U1](charts/U1.png)\n")


def h1_section(head, summary):
    """The H1 section alone, headed by the run's date and loadavg (for an H1-only run)."""
    body = h1_family(summary)
    if not body:
        return ""
    v = head["versions"]
    return (f"## H1: HTTP/1.1 keep-alive\n\nRun {head['date']}, loadavg before "
            f"`{head['loadavg_before']}`, after `{head.get('loadavg_after', '?')}`, "
            f"{head['args']['reps']} repetition(s); versions: " + "; ".join(
                f"{k} {v[k]}" for k in ["nginx", "wrk", "hyper", "HP-Socket", "hpsocket commit"]
                if v.get(k)) + ".\n\n" + body + loadavg_note(summary, ["H1"]) + "\n")


def l1_section(head, summary):
    """The L1 section alone, headed by the run's date and loadavg (for an L1-only run)."""
    body = l1_family(summary)
    if not body:
        return ""
    return (f"## L1: the bindings' echo servers\n\nRun {head['date']}, "
            f"loadavg before `{head['loadavg_before']}`, after "
            f"`{head.get('loadavg_after', '?')}`, {head['args']['reps']} repetition(s), "
            f"{head['args']['warmup']} s warm-up + {head['args']['secs']} s measured; "
            "versions: " + "; ".join(f"{k} {v}" for k, v in head["versions"].items()
                                     if "L1" in k and v) + ".\n\n" + body
            + loadavg_note(summary, ["L1"]) + "\n")


IR_TITLE = "IR: instructions per message (callgrind)"
T2_TITLE = "T2: pingpong, 64 B messages"
C1_TITLE = "C1, C2, C3: connections"


def t2_family(summary, below):
    return throughput_family(summary, "T2", "msgs_s", "msgs_cpu", "Messages/s",
                             "Messages per server-CPU-second", below)


def dated_section(title, cells, family):
    """A section of the main report for a run of its cells alone: headed by that run's date,
    loadavg and commit, since the rest of the report is from another run."""
    def section(head, summary):
        body = family(summary, [])
        if not body:
            return ""
        a, v = head["args"], head["versions"]
        timed = "" if cells == ["IR"] else f", {a['reps']} repetition(s)" + (
            f", {a['warmup']} s warm-up + {a['secs']} s measured per run"
            if cells == ["T2"] else "")
        return (f"## {title}\n\nRun {head['date']}, loadavg before "
                f"`{head['loadavg_before']}`, after `{head.get('loadavg_after', '?')}`{timed}; "
                f"hpsocket commit {v.get('hpsocket commit', '?')}.\n\n" + body
                + loadavg_note(summary, cells) + "\n")
    return section


# Sections a run of only these cells rewrites in place (run.py), leaving the rest as it was.
SPLICED = {"T2": dated_section(T2_TITLE, ["T2"], t2_family),
           "C1": dated_section(C1_TITLE, ["C1", "C2", "C3"], conn_family),
           "C2": dated_section(C1_TITLE, ["C1", "C2", "C3"], conn_family),
           "C3": dated_section(C1_TITLE, ["C1", "C2", "C3"], conn_family),
           "IR": dated_section(IR_TITLE, ["IR"], ir_family),
           "S1": lambda head, summary: s1_section(head, summary),
           "L1": lambda head, summary: l1_section(head, summary),
           "H1": lambda head, summary: h1_section(head, summary),
           "W1": lambda head, summary: w1_section(head, summary),
           "K1": lambda head, summary: k1_section(head, summary),
           "U1": lambda head, summary: u1_section(head, summary)}


# Headings older reports gave a section.
OLD_HEADINGS = {"IR": ("## Instruction counts (callgrind)",)}


def splice_below(text, fresh, keys):
    """The report `text` with its "Below the bar" list brought up to date for a run of the
    cells `keys` alone: their old entries dropped, `fresh` (this run's) added."""
    lines = text.split("\n")
    at = next((i for i, l in enumerate(lines) if l.startswith("## Below the bar")), None)
    if at is None:
        return text
    end = next((i for i in range(at + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    cells = {c for k in keys for c in ({"C1", "C2", "C3"} if k == "C1" else {k})}
    kept = [l for l in lines[at + 1:end] if l.startswith("- ") and l != "- none"
            and l[2:].split(" ", 1)[0] not in cells]
    items = kept + [f"- {b}" for b in fresh] or ["- none"]
    return "\n".join(lines[:at + 1] + [""] + items + [""] + lines[end:]).rstrip("\n") + "\n"


def below_of(report_text):
    """The entries of a rendered report's "Below the bar" list."""
    lines = report_text.split("\n")
    at = next((i for i, l in enumerate(lines) if l.startswith("## Below the bar")), len(lines))
    return [l[2:] for l in lines[at + 1:] if l.startswith("- ") and l != "- none"]


# Cells that share one section: spliced only when run together, under the first one's key.
SPLICE_TOGETHER = [("C1", "C2", "C3")]


def splice_keys(cells):
    """The section keys a run of only `cells` replaces, or None when it cannot replace
    sections alone (a cell without its own section, or part of a shared one)."""
    if not set(cells) <= set(SPLICED):
        return None
    keys = set(cells)
    for group in SPLICE_TOGETHER:
        if keys & set(group):
            if not set(group) <= keys:
                return None
            keys = (keys - set(group)) | {group[0]}
    return sorted(keys)


def splice_section(text, section, key):
    """Replaces the `## <key>...` section of a report (up to the next `## `) with `section`,
    or inserts it before `## Not yet measured` / at the end when there is none."""
    lines = text.split("\n")
    heads = (f"## {key}:", f"## {key},") + OLD_HEADINGS.get(key, ())
    start = next((i for i, l in enumerate(lines) if l.startswith(heads)), None)
    if start is None:
        at = next((i for i, l in enumerate(lines) if l.startswith("## Not yet measured")),
                  len(lines))
        return "\n".join(lines[:at] + section.rstrip("\n").split("\n") + [""] + lines[at:])
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    return "\n".join(lines[:start] + section.rstrip("\n").split("\n") + [""] + lines[end:])


def loadavg_note(summary, cells):
    vals = [s["loadavg"][0] for (c, _, _), s in summary.items()
            if c in cells and s.get("loadavg", (None,))[0] is not None]
    if not vals:
        return ""
    return f"\n\n1-minute loadavg while these ran: {min(vals):.2f} to {max(vals):.2f} " \
           f"(2 cores; above 2, other work was competing for them)."


NOT_YET = "- none"
# How older reports begin their not-yet line (a spliced L1, H1, W1, K1 or U1 run brings it up
# to date).
STALE_NOT_YET = ("- H1 (HTTP/1.1)", "- U1 (UDP)", "- L1's C# row")


def render(head, summary, smoke=False):
    m, v = head["machine"], head["versions"]
    below = []
    out = ["# hpsocket benchmark results" + (" (smoke)" if smoke else ""), "",
           "Generated by `make bench` (`bench/run.py`); protocol in the project's bench.md. "
           "Ratios compare figures measured in the same run; absolute numbers move with the "
           "machine's load (see loadavg).", "",
           f"- date: {head['date']}; elapsed {head.get('elapsed_s', '?')} s",
           f"- machine: kernel {m['kernel']}, {m['cpu']} x {m['cpus']} CPUs, "
           f"nofile {m['nofile']}, somaxconn {m['somaxconn']}",
           f"- /proc/loadavg before: `{head['loadavg_before']}`, after: "
           f"`{head.get('loadavg_after', '?')}` (2 shared cores: other builds add noise)",
           "- topology: each server started fresh per run, pinned to CPU 0 with one worker / "
           "event-loop thread; the client pinned to CPU 1, one thread; TCP_NODELAY both sides; "
           "loopback; release builds (lto, codegen-units=1); "
           f"{head['args']['reps']} repetitions interleaved across servers (order rotated), "
           f"{head['args']['warmup']} s warm-up + {head['args']['secs']} s measured per run"
           + (f"; servers and clients at nice {head['args']['nice']}"
              if head['args'].get('nice') else ""),
           "- versions: " + "; ".join(f"{k} {val}" for k, val in v.items() if val)]
    if head.get("missing"):
        out.append(f"- not built, left out: {', '.join(head['missing'])}")
    out.append("- the servers: hpsocket (Rust) = `bench/src/bin/hps_echo.rs` on hpsocket-core; "
               "hpsocket (C ABI) = `bench/c/hp_echo.c` with our `include/HPSocket4C.h` and "
               "`libhpsocket.so`; HP-Socket 5.2.2 = the same C file against "
               "`libhpsocket4c_amd64_64.so` from PyPI `HPSocket==0.9.3` (5.2.2 defaults: 4 KiB "
               "socket buffer); bare mio, tokio (current_thread), libuv, libevent = "
               "`bench/src/bin/*.rs`, `bench/c/*.c`, all with 64 KiB reads")
    sections = [
        ("T1: pingpong, 16 KiB messages", throughput_family(
            summary, "T1", "mib_s", "mib_cpu", "MiB/s", "MiB per server-CPU-second", below)),
        (T2_TITLE, t2_family(summary, below)),
        (C1_TITLE, conn_family(summary, below)),
        ("A1: hpsocket's TcpAgent as the client", a1_family(summary, below)),
        ("P1: receive models (PUSH, PULL, PACK)", p1_family(summary)),
        ("S1: TLS echo against plain TCP and bare OpenSSL", s1_family(summary, below)),
        (IR_TITLE, ir_family(summary, below)),
        ("L1: the bindings' echo servers", l1_family(summary)),
        ("H1: HTTP/1.1 keep-alive", h1_family(summary)),
        ("W1: WebSocket echo", w1_family(summary, below, head.get("notes", []))),
        ("K1: ARQ (KCP) echo", k1_family(summary, below, head.get("notes", []))),
        ("U1: UDP datagram echo", u1_family(summary, below, head.get("notes", []))),
    ]
    charts = {"T1": "T1", "T2": "T2", "C1": "C", "A1": "A1", "P1": "P1", "H1": "H1",
              "W1": "W1", "K1": "K1", "U1": "U1"}
    families = {"T1": ["T1"], "T2": ["T2"], "C1": ["C1", "C2", "C3"], "A1": ["A1"],
                "P1": ["P1"], "S1": ["S1"], "IR": ["IR"], "L1": ["L1"], "H1": ["H1"], "W1": ["W1"],
                "K1": ["K1"], "U1": ["U1"]}
    for title, body in sections:
        if body:
            key = title.split(":")[0].split(",")[0]
            body += loadavg_note(summary, families.get(key, []))
            out += ["", f"## {title}", "", body]
            if not smoke and key in charts:
                out += ["", f"![{key}](charts/{charts[key]}.png)"]
    if not smoke:
        out += ["", "## Not yet measured", "",
                NOT_YET]
    out += ["", "## Below the bar", ""]
    out += [f"- {b}" for b in below] if below else ["- none"]
    out.append("")
    return "\n".join(out)
