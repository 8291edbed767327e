"""The names generated clients put here, kept: ``RESTClientObject``, ``RESTResponse``
and ``ApiException`` (``from persona.rest import ApiException`` keeps working).

Only ``ApiException`` is imported with this module: the other two load the transport
and the response reader, which code catching an exception does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .exceptions import ApiException

__all__ = ["ApiException", "RESTClientObject", "RESTResponse"]

if TYPE_CHECKING:  # what type checkers see; at run time, loaded on first use
    from .core.response import RESTResponse
    from .rest_client import RESTClientObject
else:
    _LAZY = {"RESTClientObject": ".rest_client", "RESTResponse": ".core.response"}

    def __getattr__(name: str) -> object:
        location = _LAZY.get(name)
        if location is None:
            raise AttributeError(f"module 'persona.rest' has no attribute {name!r}")
        value = getattr(importlib.import_module(location, __package__), name)
        globals()[name] = value  # later lookups skip this function
        return value
