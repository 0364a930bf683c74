#!/usr/bin/env python3
"""One PNG per cell family from bench/out/summary.json (written by run.py).

    chart.py [summary.json] [out-dir]      defaults: bench/out/summary.json, bench/charts

Grouped bars, one group per load, one bar per server or client; the error bar is the
half-range of the repetitions. Needs matplotlib (bench.mk installs it into bench/.peers/venv).
"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")  # no display on build machines
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from report import LABEL, ORDER, U1_ORDER, W1_LABEL  # noqa: E402

FAMILIES = [
    ("T1", "T1: pingpong 16 KiB (top: MiB/s; bottom: MiB per server-CPU-second)",
     [("T1", "mib_s"), ("T1", "mib_cpu")]),
    ("T2", "T2: pingpong 64 B (top: messages/s; bottom: per server-CPU-second)",
     [("T2", "msgs_s"), ("T2", "msgs_cpu")]),
    ("C", "C1/C2: open 10k connections; C3: churn (top: connections/s; bottom: per "
     "server-CPU-second)", [("C1", "conns_s"), ("C2", "conns_s"), ("C3", "conns_s"),
                           ("C1", "conns_cpu"), ("C2", "conns_cpu"), ("C3", "conns_cpu")]),
    ("A1", "A1: client side against bare mio (16 KiB: MiB/s; 64 B: messages/s)",
     [("A1", None)]),
    ("P1", "P1: receive models (16 KiB: MiB/s; 64 B: messages/s)", [("P1", None)]),
    ("H1", "H1: HTTP/1.1 keep-alive under wrk (top: requests/s; bottom: per server-CPU-second)",
     [("H1", "req_s"), ("H1", "req_cpu")]),
    ("W1", "W1: WebSocket echo, one message in flight per connection (top: messages/s; bottom: "
     "per server-CPU-second)", [("W1", "msgs_s"), ("W1", "msgs_cpu")]),
    ("K1", "K1: ARQ (KCP) echo, one message in flight per session (rows: messages/s, per "
     "server-CPU-second, p99 round trip)", [("K1", "msgs_s"), ("K1", "msgs_cpu"),
                                            ("K1", "p99_ms")]),
    ("U1", "U1: UDP datagram echo, one datagram in flight per peer (rows: datagrams/s, per "
     "server-CPU-second, p99 round trip)", [("U1", "msgs_s"), ("U1", "msgs_cpu"),
                                            ("U1", "p99_ms")]),
]
UNITS = {"mib_s": "MiB/s", "msgs_s": "messages/s", "conns_s": "connections/s",
         "mib_cpu": "MiB per server-CPU-s", "msgs_cpu": "messages per server-CPU-s",
         "conns_cpu": "connections per server-CPU-s", "req_s": "requests/s",
         "req_cpu": "requests per server-CPU-s", "p99_ms": "p99 round trip, ms"}
# hps-c-frames (W1) sits beside hps-c, the same library under the other API.
WHO_ORDER = ORDER[:2] + ["hps-c-frames"] + ORDER[2:] + ["loadgen", "hps-agent", "hps-c-agent", "hp522-agent", "hps:push",
                     "hps:pull", "hps:pack", "hp522:pull", "hp522:pack", "nginx", "hyper",
                     "wrk", "hps-http-agent", "tungstenite", "kcp-go", "hps-rcvbuf",
                     "kcp-go-rcvbuf"]
# Families whose rows need their own names (W1's C ABI rows differ by API, not by library).
FAMILY_LABEL = {"W1": {**LABEL, **W1_LABEL}}
# Families whose bars need their own order (U1: the default-buffer rows, then the 4 MiB ones).
FAMILY_ORDER = {"U1": U1_ORDER}


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "out", "summary.json")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "charts")
    with open(src) as f:
        data = json.load(f)
    os.makedirs(dst, exist_ok=True)
    cells = data["cells"]
    written = []
    for name, title, parts in FAMILIES:
        rows = {}  # metric -> panels, one figure row per metric
        for cell, metric in parts:
            cell_rows = [c for c in cells if c["cell"] == cell]
            for load in dict.fromkeys(c["load"] for c in cell_rows):
                m = metric or ("mib_s" if load.startswith("16KiB") else "msgs_s")
                group = {c["who"]: c[m] for c in cell_rows if c["load"] == load and m in c}
                if group:
                    rows.setdefault(metric, []).append((f"{cell} {load}", m, group))
        if not rows:
            continue
        ncols = max(len(p) for p in rows.values())
        fig, axes = plt.subplots(len(rows), ncols, figsize=(3.2 * ncols + 1.5, 4.2 * len(rows)),
                                 squeeze=False)
        for r, panels in enumerate(rows.values()):
            for c in range(ncols):
                ax = axes[r][c]
                if c >= len(panels):
                    ax.axis("off")
                    continue
                label, metric, group = panels[c]
                order = FAMILY_ORDER.get(name, WHO_ORDER)
                whos = [w for w in order if w in group] + sorted(set(group) - set(order))
                vals = [group[w][0] or 0 for w in whos]
                errs = [group[w][1] or 0 for w in whos]
                colors = ["tab:red" if w.startswith("hps") else "tab:gray" for w in whos]
                ax.bar(range(len(whos)), vals, yerr=errs, color=colors, capsize=3)
                ax.set_xticks(range(len(whos)))
                names = FAMILY_LABEL.get(name, LABEL)
                ax.set_xticklabels([names.get(w, w) for w in whos], rotation=60, ha="right",
                                   fontsize=7)
                ax.set_ylim(bottom=0)  # a half-range larger than the median stays on the chart
                ax.set_title(label, fontsize=9)
                ax.tick_params(axis="y", labelsize=7)
                ax.set_ylabel(UNITS.get(metric, metric), fontsize=8)
        fig.suptitle(f"{title}\n{data['head']['date']}, loadavg {data['head']['loadavg_before']}",
                     fontsize=9)
        fig.tight_layout()
        path = os.path.join(dst, f"{name}.png")
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    for p in written:
        print(f"chart: wrote {os.path.relpath(p, os.path.dirname(HERE))}")


if __name__ == "__main__":
    main()
