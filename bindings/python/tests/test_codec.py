"""hpsocket.codec: round trips, streaming in pieces, corrupt input, and interop with Python's
``zlib``/``gzip`` modules (and PyPI ``brotli`` when installed) both ways."""

from __future__ import annotations

import ast
import gzip
import pathlib
import random
import sys
import threading
import zlib

import pytest

from hpsocket import codec

try:
    import brotli  # type: ignore[import-not-found]
except ImportError:
    brotli = None

needs_brotli = pytest.mark.skipif(brotli is None, reason="PyPI brotli is not installed")

FORMATS = ["zlib", "gzip", "deflate", "brotli"]


def sample(size: int, seed: int = 7) -> bytes:
    rnd = random.Random(seed)
    words = b"alpha beta gamma delta socket server client \xce\xb4\xce\xad\xce\xbb\xcf\x84\xce\xb1 0123456789".split()
    out = bytearray()
    while len(out) < size:
        out += rnd.choice(words) + (b"\n" if rnd.random() < 0.1 else b" ")
        if rnd.random() < 0.01:
            out += rnd.randbytes(16)
    return bytes(out[:size])


DATA = sample(300_000)


def compressor(fmt: str, level: int = -1) -> codec.Compressor:
    if fmt == "zlib":
        return codec.ZLibCompressor(level)
    if fmt == "gzip":
        return codec.GZipCompressor(level)
    if fmt == "deflate":
        return codec.ZLibCompressor(level, wbits=-15)
    return codec.BrotliCompressor(quality=5 if level < 0 else level)


def decompressor(fmt: str) -> codec.Decompressor:
    return {
        "zlib": codec.ZLibDecompressor,
        "gzip": codec.GZipDecompressor,
        "deflate": lambda: codec.ZLibDecompressor(-15),
        "brotli": codec.BrotliDecompressor,
    }[fmt]()


def feed(obj, data: bytes, piece: int) -> bytes:
    method = obj.compress if isinstance(obj, codec.Compressor) else obj.decompress
    out = [method(data[i:i + piece]) for i in range(0, len(data), piece)]
    out.append(obj.flush())
    return b"".join(out)


# ----- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("data", [b"", b"x", DATA], ids=["empty", "1 byte", "300 kB"])
def test_one_shot_round_trip(fmt, data):
    packed = codec.compress(data, fmt, 5 if fmt == "brotli" else -1)
    assert isinstance(packed, bytes)
    assert codec.decompress(packed, fmt) == data
    if len(data) > 1000:
        assert len(packed) < len(data) // 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("piece", [1, 4093, 65536])
def test_streaming_in_pieces(fmt, piece):
    data = DATA if piece > 1 else DATA[:20_000]
    packed = feed(compressor(fmt), data, piece)
    assert codec.decompress(packed, fmt) == data
    d = decompressor(fmt)
    assert not d.eof
    assert feed(d, packed, piece) == data
    assert d.eof


@pytest.mark.parametrize("fmt", FORMATS)
def test_sync_flush_makes_a_decodable_prefix_and_the_object_is_reusable(fmt):
    c = compressor(fmt)
    d = decompressor(fmt)
    first = c.compress(b"hello, ") + c.flush(zlib.Z_SYNC_FLUSH)
    assert d.decompress(first) == b"hello, " and not d.eof
    rest = c.compress(b"world") + c.flush()
    assert d.decompress(rest) == b"world" and d.eof
    # After the end, both start a new stream.
    again = c.compress(b"again") + c.flush()
    assert d.decompress(again) == b"again" and d.eof
    assert c.flush(zlib.Z_NO_FLUSH) == b""
    with pytest.raises(ValueError):
        c.flush(zlib.Z_FULL_FLUSH)


def test_bytes_like_inputs():
    for data in (bytearray(DATA[:1000]), memoryview(DATA[:1000]), memoryview(DATA)[:1000]):
        assert codec.decompress(codec.compress(data)) == DATA[:1000]
        assert codec.ZLibDecompressor().decompress(bytearray(zlib.compress(DATA[:1000]))) == DATA[:1000]
    with pytest.raises(TypeError):
        codec.compress("text")
    with pytest.raises(TypeError):
        codec.ZLibCompressor().compress(5)


# ----- corrupt input and bad parameters -------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_corrupt_input_raises(fmt):
    packed = bytearray(codec.compress(DATA, fmt, 5 if fmt == "brotli" else -1))
    if fmt == "deflate":
        # Raw deflate has no checksum (Python's zlib decodes flipped bytes into garbage as
        # well): make the first block's type the reserved one.
        packed[0] |= 0x06
    else:
        for i in range(len(packed) // 3, len(packed) // 3 + 64):
            packed[i] ^= 0xA5
    with pytest.raises(codec.CodecError):
        codec.decompress(bytes(packed), fmt)
    d = decompressor(fmt)
    with pytest.raises(codec.CodecError):
        feed(d, bytes(packed), 4096)
    # The object was reset: a good stream decodes.
    assert d.decompress(codec.compress(b"ok", fmt)) == b"ok"


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_input_raises_in_one_shot(fmt):
    packed = codec.compress(DATA, fmt, 5 if fmt == "brotli" else -1)
    with pytest.raises(codec.CodecError):
        codec.decompress(packed[: len(packed) // 2], fmt)
    # Streaming: a prefix is no error, just not the end.
    d = decompressor(fmt)
    part = d.decompress(packed[: len(packed) // 2])
    assert DATA.startswith(part) and not d.eof


def test_garbage_and_bad_parameters():
    assert issubclass(codec.CodecError, ValueError)
    for fmt in FORMATS:
        with pytest.raises(codec.CodecError):
            codec.decompress(b"this is not compressed data at all" * 10, fmt)
    with pytest.raises(codec.CodecError):
        codec.decompress(zlib.compress(b"x"), "deflate")
    for bad in (lambda: codec.ZLibCompressor(10), lambda: codec.ZLibCompressor(6, 16),
                lambda: codec.GZipCompressor(-2), lambda: codec.BrotliCompressor(12),
                lambda: codec.BrotliCompressor(5, 9), lambda: codec.ZLibDecompressor(99),
                lambda: codec.compress(b"", "zlib", 10)):
        with pytest.raises(codec.CodecError):
            bad()
    with pytest.raises(ValueError):
        codec.compress(b"", "lzma")


# ----- interop with Python's codecs -----------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_zlib_interop(level):
    ours = codec.compress(DATA, "zlib", level)
    assert zlib.decompress(ours) == DATA
    assert codec.decompress(zlib.compress(DATA, level)) == DATA
    theirs = zlib.compressobj(level)
    stream = b"".join(theirs.compress(DATA[i:i + 1000]) for i in range(0, len(DATA), 1000)) + theirs.flush()
    assert feed(codec.ZLibDecompressor(), stream, 777) == DATA
    assert zlib.decompressobj().decompress(feed(codec.ZLibCompressor(level), DATA, 777)) == DATA


def test_raw_deflate_and_auto_detect_interop():
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw_stream = raw.compress(DATA) + raw.flush()
    assert codec.decompress(raw_stream, "deflate") == DATA
    assert zlib.decompress(codec.compress(DATA, "deflate"), -15) == DATA
    # wbits 47: zlib or gzip by the header, as zlib's own 32 + 15.
    assert codec.ZLibDecompressor(47).decompress(gzip.compress(DATA)) == DATA
    assert codec.ZLibDecompressor(47).decompress(zlib.compress(DATA)) == DATA


def test_gzip_interop():
    assert gzip.decompress(codec.compress(DATA, "gzip")) == DATA
    assert gzip.decompress(feed(codec.GZipCompressor(9), DATA, 5000)) == DATA
    assert codec.decompress(gzip.compress(DATA, 9), "gzip") == DATA
    assert feed(codec.GZipDecompressor(), gzip.compress(DATA, mtime=0), 333) == DATA
    # HP-Socket's gzip decompressor takes a zlib stream too.
    assert codec.decompress(zlib.compress(DATA), "gzip") == DATA


@needs_brotli
@pytest.mark.parametrize("quality", [0, 5, 11])
def test_brotli_interop(quality):
    data = DATA if quality < 11 else DATA[:50_000]
    assert brotli.decompress(codec.compress(data, "brotli", quality)) == data
    assert codec.decompress(brotli.compress(data, quality=quality), "brotli") == data
    assert brotli.decompress(feed(codec.BrotliCompressor(quality), data, 4096)) == data


# ----- threads and the package ----------------------------------------------------------------------


@pytest.mark.parametrize("call", ["one-shot", "object"])
def test_the_gil_is_released_during_the_work(call):
    """With a switch interval far longer than the test, another thread gets the GIL only
    when this one gives it up: it runs during the call only if the call released it."""
    big = DATA * 28
    go = threading.Event()
    ran = []

    def other():
        go.wait()
        ran.append(True)

    old = sys.getswitchinterval()
    t = threading.Thread(target=other)
    t.start()
    sys.setswitchinterval(1000)
    try:
        go.set()
        if call == "one-shot":
            out = codec.compress(big, "zlib", 9)
        else:
            c = codec.ZLibCompressor(9)
            out = c.compress(big) + c.flush()
        assert ran == [True]
    finally:
        sys.setswitchinterval(old)
        t.join()
    assert zlib.decompress(out) == big


def test_threads_compress_at_once():
    pieces = [sample(200_000, seed=s) for s in range(4)]
    results: dict[int, bytes] = {}

    def work(i):
        c = codec.ZLibCompressor() if i % 2 else codec.BrotliCompressor(5)
        packed = feed(c, pieces[i], 10_000)
        d = codec.ZLibDecompressor() if i % 2 else codec.BrotliDecompressor()
        results[i] = feed(d, packed, 3_000)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(pieces))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == dict(enumerate(pieces))


def test_stubs_match_the_runtime():
    stub = ast.parse((pathlib.Path(codec.__file__).with_suffix(".pyi")).read_text())
    names = {n.name for n in stub.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    assert names == set(codec.__all__)
    for node in stub.body:
        if isinstance(node, ast.ClassDef) and node.name != "CodecError":
            runtime = getattr(codec, node.name)
            have = {n for n in dir(runtime) if not n.startswith("_")}
            declared = {i.name for i in node.body if isinstance(i, ast.FunctionDef) and not i.name.startswith("_")}
            base = next((b.id for b in node.bases if isinstance(b, ast.Name)), None)
            if base in ("Compressor", "Decompressor"):
                declared |= {n for n in dir(getattr(codec, base)) if not n.startswith("_")}
            assert have == declared, (node.name, have ^ declared)
            assert runtime.__doc__
    for name in codec.__all__:
        assert getattr(codec, name).__module__ == "hpsocket.codec", name
