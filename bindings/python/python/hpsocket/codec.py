"""hpsocket's codecs: streaming compressors and decompressors (zlib, gzip, brotli) shaped like
:func:`zlib.compressobj` / :func:`zlib.decompressobj`, and one-shot :func:`compress` /
:func:`decompress`. The work runs with the GIL released, so other threads go on meanwhile.

::

    from hpsocket import codec

    c = codec.GZipCompressor()
    out = c.compress(b"part 1, ") + c.compress(b"part 2") + c.flush()
    assert gzip.decompress(out) == b"part 1, part 2"
    assert codec.decompress(codec.compress(b"x" * 1000, "brotli"), "brotli") == b"x" * 1000

Corrupt or truncated input raises :class:`CodecError` (a :class:`ValueError`)."""

from ._native import _codec as _impl

CodecError = _impl.CodecError
Compressor = _impl.Compressor
ZLibCompressor = _impl.ZLibCompressor
GZipCompressor = _impl.GZipCompressor
BrotliCompressor = _impl.BrotliCompressor
Decompressor = _impl.Decompressor
ZLibDecompressor = _impl.ZLibDecompressor
GZipDecompressor = _impl.GZipDecompressor
BrotliDecompressor = _impl.BrotliDecompressor
compress = _impl.compress
decompress = _impl.decompress

__all__ = [
    "CodecError",
    "Compressor",
    "ZLibCompressor",
    "GZipCompressor",
    "BrotliCompressor",
    "Decompressor",
    "ZLibDecompressor",
    "GZipDecompressor",
    "BrotliDecompressor",
    "compress",
    "decompress",
]
