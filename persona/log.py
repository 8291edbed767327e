"""The ``persona`` logger, and the one switch that sends it to stderr.

persona logs through ``logging.getLogger("persona")`` only, with a NullHandler so
that nothing prints unless the application (or ``PERSONA_LOG=debug``, or
``Configuration(debug=True)``) asks for it. ``http.client`` and ``urllib3`` are
never touched: their output would include bodies, and bodies carry secrets.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["disable_stderr_logging", "enable_debug_logging", "log_to_stderr", "logger"]

logger = logging.getLogger("persona")
logger.addHandler(logging.NullHandler())

_HANDLER_NAME = "persona-debug-stderr"


def enable_debug_logging() -> None:
    """Log persona's requests at DEBUG to stderr (idempotent)."""
    log_to_stderr(logging.DEBUG)


def log_to_stderr(level: int) -> None:
    """Send the ``persona`` logger's records of ``level`` and above to stderr (idempotent)."""
    logger.setLevel(level)
    handler = next((h for h in logger.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    handler.setLevel(level)


def disable_stderr_logging() -> None:
    """Undo :func:`log_to_stderr`: remove its handler and reset the logger's level."""
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
