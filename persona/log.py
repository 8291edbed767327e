"""The ``persona`` logger, and the one switch that sends it to stderr.

persona logs through ``logging.getLogger("persona")`` only, with a NullHandler so
that nothing prints unless the application (or ``PERSONA_LOG=debug``, or
``Configuration(debug=True)``) asks for it. ``http.client`` and ``urllib3`` are
never touched: their output would include bodies, and bodies carry secrets.
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Optional, TextIO

__all__ = ["disable_stderr_logging", "enable_debug_logging", "log_to_stderr", "logger"]

logger = logging.getLogger("persona")
logger.addHandler(logging.NullHandler())


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """persona's own stderr handler; remembers the logger level it replaced."""

    def __init__(self, stream: TextIO, level_before: int) -> None:
        super().__init__(stream)
        self.level_before = level_before
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def _ours() -> Optional[_StderrHandler]:
    return next((h for h in logger.handlers if isinstance(h, _StderrHandler)), None)


def enable_debug_logging() -> None:
    """Log persona's requests at DEBUG to stderr (idempotent)."""
    log_to_stderr(logging.DEBUG)


def log_to_stderr(level: int, *, formatter: Optional[logging.Formatter] = None) -> None:
    """Send the ``persona`` logger's records of ``level`` and above to stderr (idempotent).

    ``formatter`` replaces the default line format (time, level, logger, message): the
    command line prints its own, shorter lines.
    """
    handler = _ours()
    if handler is None:
        handler = _StderrHandler(sys.stderr, level_before=logger.level)
        logger.addHandler(handler)
    if formatter is not None:
        handler.setFormatter(formatter)
    logger.setLevel(level)
    handler.setLevel(level)


def disable_stderr_logging() -> None:
    """Undo :func:`log_to_stderr`: remove its handler and put back the level it replaced.

    Does nothing when persona did not turn stderr logging on: the application's own
    setting of the ``persona`` logger is left alone.
    """
    handler = _ours()
    if handler is not None:
        logger.removeHandler(handler)
        logger.setLevel(handler.level_before)


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at each record (an application, or a test
    runner, may replace it after the first record): never to a stream since closed."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


@functools.cache
def _debug_handler() -> logging.Handler:
    """The stderr handler of clients with ``debug=True`` (made on first use)."""
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def emit(level: int, debug: int, msg: str, *args: object) -> None:
    """Log ``msg % args`` on the ``persona`` logger; when ``level`` reaches ``debug`` (the
    lowest level a client's Configuration sends to stderr, 0 for none: ``debug=True`` or
    ``log_level``) also to stderr, without changing any logger's level or handlers: one
    client's setting must not change the whole process."""
    if logger.isEnabledFor(level):
        logger.log(level, msg, *args)
    if debug and level >= debug:
        _debug_handler().handle(
            logger.makeRecord(logger.name, level, "persona", 0, msg, args, None)
        )
