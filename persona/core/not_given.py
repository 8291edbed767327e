"""``NOT_GIVEN``: an option left out, told apart from an option given as ``None``
(``with_options(timeout=None)`` means no per-attempt timeout)."""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["NOT_GIVEN", "NotGiven"]


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN` (an enum, so that type checkers can narrow it)."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


#: An option left out: the client's own value stays.
NOT_GIVEN: Final = NotGiven.NOT_GIVEN
