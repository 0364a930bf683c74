"""HTTP helpers: :class:`Headers`, the case-insensitive, multi-valued header mapping of an
:class:`HttpMessage`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Iterable, Optional, Tuple, TypeVar, Union

__all__ = ["Headers"]

_T = TypeVar("_T")


class Headers(Mapping):
    """Read-only headers in wire order. ``h[name]`` (any case) is the first value (KeyError
    if absent), ``h.getall(name)`` every value, ``len(h)`` the number of distinct names;
    iteration yields each name once (as first sent), and ``items()`` every ``(name, value)``
    pair, repeated names included, so ``send_response(..., headers=h)`` passes them all."""

    __slots__ = ("_pairs",)

    def __init__(self, pairs: Iterable[Tuple[str, str]] = ()) -> None:
        self._pairs = [(str(n), str(v)) for n, v in pairs]

    def __getitem__(self, name: str) -> str:
        key = name.lower()
        for n, v in self._pairs:
            if n.lower() == key:
                return v
        raise KeyError(name)

    def get(self, name: str, default: Optional[_T] = None) -> Union[str, _T, None]:  # type: ignore[override]
        try:
            return self[name]
        except KeyError:
            return default

    def getall(self, name: str, default: Optional[list] = None) -> list:
        """Every value of ``name``, in wire order; ``default`` (``[]``) when absent."""
        key = name.lower()
        values = [v for n, v in self._pairs if n.lower() == key]
        if not values:
            return [] if default is None else default
        return values

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = name.lower()
        return any(n.lower() == key for n, _ in self._pairs)

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for n, _ in self._pairs:
            if n.lower() not in seen:
                seen.add(n.lower())
                yield n

    def __len__(self) -> int:
        return len({n.lower() for n, _ in self._pairs})

    def items(self):  # type: ignore[override]
        """Every ``(name, value)`` pair in wire order."""
        return list(self._pairs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._pairs == other._pairs
        return Mapping.__eq__(self, other)

    def __repr__(self) -> str:
        return "Headers(%r)" % (self._pairs,)
