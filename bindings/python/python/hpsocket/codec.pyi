from typing import Literal, Optional, Union, final

from typing_extensions import Self, disjoint_base

_Data = Union[bytes, bytearray, memoryview]
_Format = Literal["zlib", "gzip", "deflate", "brotli"]

class CodecError(ValueError):
    """Corrupt or truncated compressed data, or a parameter out of range."""

@disjoint_base
class Compressor:
    """A streaming compressor (``zlib.compressobj``'s shape)."""

    def compress(self, data: _Data) -> bytes: ...
    def flush(self, mode: int = ...) -> bytes: ...

# A level's default is -1 (zlib's Z_DEFAULT_COMPRESSION); pyo3 shows a negative default as
# `...`, so the stubs do too (stubtest compares them).
@final
class ZLibCompressor(Compressor):
    def __new__(cls, level: int = ..., wbits: int = 15) -> Self: ...

@final
class GZipCompressor(Compressor):
    def __new__(cls, level: int = ...) -> Self: ...

@final
class BrotliCompressor(Compressor):
    def __new__(cls, quality: int = 11, window: int = 22, mode: int = 0) -> Self: ...

@disjoint_base
class Decompressor:
    """A streaming decompressor (``zlib.decompressobj``'s shape)."""

    def decompress(self, data: _Data) -> bytes: ...
    def flush(self, length: Optional[int] = ...) -> bytes: ...
    @property
    def eof(self) -> bool: ...

@final
class ZLibDecompressor(Decompressor):
    def __new__(cls, wbits: int = 15) -> Self: ...

@final
class GZipDecompressor(Decompressor):
    def __new__(cls) -> Self: ...

@final
class BrotliDecompressor(Decompressor):
    def __new__(cls) -> Self: ...

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
