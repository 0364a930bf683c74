"""hpsocket.codec against Python's own codecs on the same data, in the same run.

Compresses and decompresses 16 MiB of mixed text (prose, log lines, JSON records, numbers,
some non-ASCII) with ``hpsocket.codec`` (the core's flate2/zlib-rs and Rust brotli) and with
the standard library's ``zlib``/``gzip`` (C zlib), plus PyPI ``brotli`` (Google's C library)
when it is installed. Each cell runs ``--reps`` times, the two sides interleaved, and prints
the median MB/s (1 MB = 10^6 bytes of uncompressed data per second, for both directions) and
the ratio ours/theirs. Every output is checked to round-trip.

    python bench/codec_bench.py [--mib 16] [--reps 3] [--brotli-quality 5,11]
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import random
import statistics
import sys
import time
import zlib

from hpsocket import codec

try:
    import brotli  # type: ignore[import-not-found]
except ImportError:
    brotli = None


def mixed_text(size: int, seed: int = 20240601) -> bytes:
    rnd = random.Random(seed)
    words = ("the of and to in is that for it as was with be by on not he this are or his "
             "from at which but have an they you were her she there been one all we their "
             "socket server client agent connection buffer worker thread event listener "
             "hpsocket reactor message header request response compress stream").split()
    intl = ["naïve", "café", "Grüße", "δέλτα", "данные", "数据", "ソケット", "✓"]
    parts: list[str] = []
    n = 0
    while n < size:
        kind = rnd.random()
        if kind < 0.45:
            s = " ".join(rnd.choice(words) for _ in range(rnd.randint(8, 30)))
            s = s.capitalize() + ". "
            if rnd.random() < 0.1:
                s += rnd.choice(intl) + " "
        elif kind < 0.75:
            s = "2024-06-%02d %02d:%02d:%02d.%03d [%s] conn=%d bytes=%d %s\n" % (
                rnd.randint(1, 30), rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59),
                rnd.randint(0, 999), rnd.choice(("INFO", "WARN", "DEBUG", "ERROR")),
                rnd.randint(1, 100000), rnd.randint(0, 1 << 20), rnd.choice(words))
        elif kind < 0.95:
            s = '{"id": %d, "name": "%s", "score": %.4f, "tags": ["%s", "%s"], "ok": %s}\n' % (
                rnd.randint(1, 10**9), rnd.choice(words) + rnd.choice(intl),
                rnd.random() * 1000, rnd.choice(words), rnd.choice(words),
                rnd.choice(("true", "false")))
        else:
            s = "%032x\n" % rnd.getrandbits(128)
        parts.append(s)
        n += len(s.encode())
    return "".join(parts).encode()[:size]


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def stream_compress(obj, data: bytes, piece: int = 64 << 10) -> bytes:
    out = [obj.compress(data[i:i + piece]) for i in range(0, len(data), piece)]
    out.append(obj.flush())
    return b"".join(out)


def stream_decompress(obj, data: bytes, piece: int = 64 << 10) -> bytes:
    out = [obj.decompress(data[i:i + piece]) for i in range(0, len(data), piece)]
    out.append(obj.flush())
    return b"".join(out)


def cells(data: bytes, brotli_qualities: list[int]):
    """(name, ours, theirs, check): ours/theirs take nothing and return output bytes; check
    verifies an output. Compressed inputs for the decompress cells are made once here."""
    z = zlib.compress(data, 6)
    g = gzip.compress(data, 6, mtime=0)
    yield ("zlib compress (level 6)", lambda: codec.compress(data, "zlib", 6),
           lambda: zlib.compress(data, 6), lambda o: zlib.decompress(o) == data)
    yield ("zlib decompress", lambda: codec.decompress(z, "zlib"),
           lambda: zlib.decompress(z), lambda o: o == data)
    yield ("zlib stream compress, 64 KiB pieces", lambda: stream_compress(codec.ZLibCompressor(6), data),
           lambda: stream_compress(zlib.compressobj(6), data), lambda o: zlib.decompress(o) == data)
    yield ("zlib stream decompress, 64 KiB pieces", lambda: stream_decompress(codec.ZLibDecompressor(), z),
           lambda: stream_decompress(zlib.decompressobj(), z), lambda o: o == data)
    yield ("gzip compress (level 6)", lambda: codec.compress(data, "gzip", 6),
           lambda: gzip.compress(data, 6), lambda o: gzip.decompress(o) == data)
    yield ("gzip decompress", lambda: codec.decompress(g, "gzip"),
           lambda: gzip.decompress(g), lambda o: o == data)
    for q in brotli_qualities:
        b = codec.compress(data, "brotli", q)
        yield ("brotli compress (quality %d)" % q, lambda q=q: codec.compress(data, "brotli", q),
               (lambda q=q: brotli.compress(data, quality=q)) if brotli else None,
               lambda o: codec.decompress(o, "brotli") == data)
        yield ("brotli decompress (quality %d data)" % q, lambda b=b: codec.decompress(b, "brotli"),
               (lambda b=b: brotli.decompress(b)) if brotli else None, lambda o: o == data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mib", type=int, default=16)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--brotli-quality", default="5,11",
                    help="comma-separated brotli qualities (quality 11 is slow: one rep)")
    args = ap.parse_args()
    data = mixed_text(args.mib << 20)
    mb = len(data) / 1e6
    print("# hpsocket.codec vs Python's codecs, %d MiB of mixed text" % args.mib)
    print("python %s, zlib %s, brotli (PyPI) %s, %s, %s" % (
        platform.python_version(), zlib.ZLIB_RUNTIME_VERSION,
        getattr(brotli, "__version__", "not installed") if brotli else "not installed",
        platform.platform(), _cpu()))
    print("load average before: %s" % _loadavg())
    print("zlib level 6 ratio %.2f, brotli q5 ratio %.2f" % (
        len(data) / len(zlib.compress(data, 6)), len(data) / len(codec.compress(data, "brotli", 5))))
    print()
    print("| cell | hpsocket.codec MB/s | Python MB/s | ours / Python |")
    print("|---|---:|---:|---:|")
    for name, ours, theirs, check in cells(data, [int(q) for q in args.brotli_quality.split(",") if q]):
        reps = 1 if "quality 11" in name and "compress" in name and "decompress" not in name else args.reps
        t_ours, t_theirs = [], []
        for _ in range(reps):
            dt, out = timed(ours)
            assert check(out), name
            t_ours.append(dt)
            if theirs is not None:
                dt, out = timed(theirs)
                assert check(out), name
                t_theirs.append(dt)
        a = mb / statistics.median(t_ours)
        if t_theirs:
            b = mb / statistics.median(t_theirs)
            print("| %s | %s | %s | %.2f |" % (name, _mbs(a), _mbs(b), a / b))
        else:
            print("| %s | %s | (no peer) | |" % (name, _mbs(a)))
        sys.stdout.flush()
    return 0


def _mbs(v: float) -> str:
    return "%.1f" % v if v >= 10 else "%.2f" % v


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
