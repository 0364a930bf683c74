"""The bridge from the library's log records to :mod:`logging`.

The library logs what it does on its own threads (connections accepted, connecting and
closed with the reason, TLS handshake failures, refusals at ``max_connection_count`` and at
the send-queue bound). :func:`enable_logging` installs the native hook; records then go to
the logger ``"hpsocket.<Kind>"`` (``hpsocket.TcpServer``, ``hpsocket.TcpAgent``,
``hpsocket.TcpClient``, ``hpsocket.UdpServer``, ...), a child of ``"hpsocket"``.

The hook never waits for the GIL: it copies each record into a bounded queue, and one daemon
thread, ``hpsocket-log``, hands the queued records to :mod:`logging`. So a record reaches the
handlers shortly after it was logged, not during the call that logged it
(:func:`flush_logging` waits for them), and no handler can hold up a worker or a ``stop()``.
"""

from __future__ import annotations

import logging
import threading
from typing import Optional, Union

from . import _native

__all__ = ["enable_logging", "disable_logging", "flush_logging", "LOGGER_NAME"]

#: The parent of the library's loggers.
LOGGER_NAME = "hpsocket"

# The core's levels (1 ERROR .. 4 DEBUG) and logging's.
_TO_PYTHON = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}

_drainer: Optional[threading.Thread] = None
_loggers: dict = {}


def _check_level(level: Union[int, str]) -> int:
    if isinstance(level, bool) or not isinstance(level, (int, str)):
        raise TypeError("level must be an int or a level name, not %s" % type(level).__name__)
    if isinstance(level, str):
        value = logging.getLevelName(level.upper())
        if not isinstance(value, int):
            raise ValueError("unknown level name %r" % level)
        return value
    return level


def _threshold() -> int:
    """The lowest level any ``hpsocket`` logger is enabled for (children included)."""
    levels = [logging.getLogger(LOGGER_NAME).getEffectiveLevel()]
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith(LOGGER_NAME + ".") and isinstance(logger, logging.Logger):
            levels.append(logger.getEffectiveLevel())
    # logging.disable(n) turns off n and below everywhere.
    return max(min(levels), logging.Logger.manager.disable + 1)


def _core_level(threshold: int) -> int:
    """The core level that lets through every record at ``threshold`` or above (0: none)."""
    for core in (4, 3, 2, 1):
        if threshold <= _TO_PYTHON[core]:
            return core
    return 0


def enable_logging(level: Union[int, str, None] = None, *, queue_size: int = 10000) -> Optional[int]:
    """Sends the library's log records to the ``hpsocket`` loggers.

    ``level``: the lowest level to produce (``logging.INFO``, ``"DEBUG"``, ...); None takes
    the level the ``hpsocket`` logger (or the lowest of its existing children) is effectively
    enabled for now. Records below it are never formatted. The library's levels are ERROR,
    WARNING, INFO (connections opened and closed) and DEBUG. Call it again after changing
    the logging configuration to follow a new level.

    ``queue_size``: records waiting for the ``hpsocket-log`` thread; when it is full, new
    records are dropped and counted, and a WARNING on ``hpsocket`` says how many.

    Returns the level installed (``logging.DEBUG``, ``INFO``, ``WARNING`` or ``ERROR``), or
    None when the level is above ERROR (then logging is disabled).
    """
    global _drainer
    threshold = _threshold() if level is None else _check_level(level)
    if isinstance(queue_size, bool) or not isinstance(queue_size, int):
        raise TypeError("queue_size must be an int, not %s" % type(queue_size).__name__)
    if queue_size < 1:
        raise ValueError("queue_size must be at least 1, not %d" % queue_size)
    core = _core_level(threshold)
    if core == 0:
        disable_logging()
        return None
    if _native._log_enable(core, queue_size):
        thread = threading.Thread(
            target=_native._log_run, args=(_emit,), name="hpsocket-log", daemon=True
        )
        try:
            thread.start()
        except BaseException:
            _native._log_disable()
            _native._log_abandon()
            raise
        _drainer = thread
    return _TO_PYTHON[core]


def disable_logging() -> None:
    """Removes the hook: the library logs nothing from now on (each log point costs one
    atomic load again). Records logged before still reach the handlers; the ``hpsocket-log``
    thread ends once they have."""
    _native._log_disable()


def flush_logging(timeout: Optional[float] = None) -> bool:
    """Waits until every record logged before the call has reached the handlers, at most
    ``timeout`` seconds (None: no limit); True when it has. From a logging handler (on the
    ``hpsocket-log`` thread, which cannot wait for itself) it returns False at once."""
    if threading.current_thread() is _drainer:
        return False
    return _native._log_flush(timeout)


def _logger(source: str) -> logging.Logger:
    # "TcpServer#3" -> hpsocket.TcpServer; anything else -> hpsocket.
    kind = source.partition("#")[0]
    logger = _loggers.get(kind)
    if logger is None:
        name = "%s.%s" % (LOGGER_NAME, kind) if kind.isidentifier() else LOGGER_NAME
        logger = _loggers[kind] = logging.getLogger(name)
    return logger


def _thread_name(ident: int) -> str:
    for thread in threading.enumerate():
        if thread.ident == ident:
            return thread.name
    return "Thread-%d" % ident


def _emit(
    level: Optional[int], source, message: str, created: float, thread: Optional[str], ident: int
) -> None:
    """One queued record (on the ``hpsocket-log`` thread)."""
    if level is None:  # `source` records were dropped
        logging.getLogger(LOGGER_NAME).warning(
            "%d log records dropped: the queue of enable_logging(queue_size=...) was full", source
        )
        return
    pylevel = _TO_PYTHON[level]
    logger = _logger(source)
    if not logger.isEnabledFor(pylevel):
        return
    record = logger.makeRecord(
        logger.name,
        pylevel,
        "(hpsocket)",
        0,
        "%s: %s",
        (source, message),
        None,
        extra={"hpsocket_source": source},
    )
    # When and where it was logged, not when this thread got to it.
    record.created = created
    record.msecs = int((created - int(created)) * 1000) + 0.0
    record.relativeCreated = (created - getattr(logging, "_startTime", created)) * 1000.0
    record.thread = ident
    record.threadName = thread or _thread_name(ident)
    logger.handle(record)
