"""The ``persona`` logger, and the one switch that sends it to stderr.

persona logs through ``logging.getLogger("persona")`` only, with a NullHandler so
that nothing prints unless the application (or ``PERSONA_LOG=debug``, or
``Configuration(debug=True)``) asks for it. ``http.client`` and ``urllib3`` are
never touched: their output would include bodies, and bodies carry secrets.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["enable_debug_logging", "logger"]

logger = logging.getLogger("persona")
logger.addHandler(logging.NullHandler())

_HANDLER_NAME = "persona-debug-stderr"


def enable_debug_logging() -> None:
    """Log persona's requests at DEBUG to stderr (idempotent)."""
    logger.setLevel(logging.DEBUG)
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
