"""``Errno``: the ``errno`` of a close or a failure, an ``int`` that prints its name."""

from __future__ import annotations

import errno as _errno
import os

__all__ = ["Errno"]

# Numbers Linux gives two names, where Python's errno.errorcode keeps the one the C API and
# the other bindings do not use: 95 is EOPNOTSUPP in docs/abi.md (SendEx), Java and C#.
_PREFERRED = {_errno.EOPNOTSUPP: "EOPNOTSUPP"} if hasattr(_errno, "EOPNOTSUPP") else {}


class Errno(int):
    """An operating-system error number, as ``on_close`` gets it (``error_code``) and as
    :class:`HPSocketError` carries it (``errno``).

    It is an ``int``: it compares, hashes, formats with ``%d``/``{:d}`` and pickles as its
    number (``code == errno.ECONNRESET``, ``code == 104``, ``os.strerror(code)`` all work).
    Only ``str()`` and ``repr()`` (and ``f"{code}"``, which is ``str()``) differ::

        >>> code = Errno(104)
        >>> str(code)
        'ECONNRESET (Connection reset by peer)'
        >>> code.name, code.strerror
        ('ECONNRESET', 'Connection reset by peer')
        >>> str(Errno(0))
        '0 (no error)'
    """

    __slots__ = ()

    @property
    def name(self) -> str | None:
        """The symbolic name (``errno.errorcode``), e.g. ``"ECONNRESET"``; None for 0 and for
        numbers the platform does not name. 95 is ``"EOPNOTSUPP"`` (``errno.errorcode`` says
        ``ENOTSUP``, the same number on Linux), the name the C API documents."""
        if not self:
            return None
        return _PREFERRED.get(int(self)) or _errno.errorcode.get(int(self))

    @property
    def strerror(self) -> str:
        """The platform's description (``os.strerror``); ``"no error"`` for 0."""
        if not self:
            return "no error"
        try:
            return os.strerror(self)
        except (ValueError, OverflowError):  # out of the C int range
            return "Unknown error %d" % self

    def __str__(self) -> str:
        return "%s (%s)" % (self.name or int(self), self.strerror)

    def __repr__(self) -> str:
        name = self.name
        return "<Errno %d%s: %s>" % (self, " " + name if name else "", self.strerror)
