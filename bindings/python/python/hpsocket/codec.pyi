from typing import Literal, Optional, Union

_Data = Union[bytes, bytearray, memoryview]
_Format = Literal["zlib", "gzip", "deflate", "brotli"]

class CodecError(ValueError):
    """Corrupt or truncated compressed data, or a parameter out of range."""

class Compressor:
    """A streaming compressor (``zlib.compressobj``'s shape)."""

    def compress(self, data: _Data) -> bytes: ...
    def flush(self, mode: int = ...) -> bytes: ...

class ZLibCompressor(Compressor):
    def __init__(self, level: int = ..., wbits: int = ...) -> None: ...

class GZipCompressor(Compressor):
    def __init__(self, level: int = ...) -> None: ...

class BrotliCompressor(Compressor):
    def __init__(self, quality: int = ..., window: int = ..., mode: int = ...) -> None: ...

class Decompressor:
    """A streaming decompressor (``zlib.decompressobj``'s shape)."""

    def decompress(self, data: _Data) -> bytes: ...
    def flush(self, length: Optional[int] = ...) -> bytes: ...
    @property
    def eof(self) -> bool: ...

class ZLibDecompressor(Decompressor):
    def __init__(self, wbits: int = ...) -> None: ...

class GZipDecompressor(Decompressor):
    def __init__(self) -> None: ...

class BrotliDecompressor(Decompressor):
    def __init__(self) -> None: ...

def compress(data: _Data, format: _Format = ..., level: int = ...) -> bytes: ...
def decompress(data: _Data, format: _Format = ...) -> bytes: ...

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
