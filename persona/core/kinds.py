"""What a field or a parameter may hold, beyond one plain value: the value kinds of the
contract and the four things done with a value of each (check it when set, read it from
JSON, write it to JSON, write it as URL or header text).

A kind is one of ``str``, ``int``, ``float``, ``bool``, ``datetime``, ``date``,
``object`` (any JSON value), a :class:`~persona.core.model.Model` subclass, or
:class:`ListOf` / :class:`MapOf` of a kind (``ListOf(Pet)``, ``MapOf(int)``). Errors
name the place (``Pet.tags[2]``) and the rule, never the value.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Callable, Optional, Union

from ..exceptions import ApiTypeError, ApiValueError
from .rfc3339 import (
    first_non_finite,
    format_datetime,
    json_type_name,
    parse_date,
    parse_datetime,
)

__all__ = [
    "NULL_ITEM",
    "Kind",
    "Late",
    "ListOf",
    "MapOf",
    "describe",
    "dump",
    "load",
    "matches",
    "now",
    "text",
]


class _Container:
    """What :class:`ListOf` and :class:`MapOf` share: one kind inside, and whether null
    may stand in its place (``items: {nullable: true}`` in the spec; always for
    ``object``, any JSON value, null included)."""

    __slots__ = ("nullable",)

    nullable: bool

    def _inner(self) -> Kind:
        raise NotImplementedError

    def __repr__(self) -> str:
        inner = self._inner()
        nullable = ", nullable=True" if self.nullable and inner is not object else ""
        return f"{type(self).__name__}({describe(inner)}{nullable})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, _Container)
            and other._inner() == self._inner()
            and other.nullable == self.nullable
        )

    __hash__ = None  # type: ignore[assignment]


class ListOf(_Container):
    """A JSON array whose items are each of ``item`` (a kind); ``nullable``: an item may
    be null."""

    __slots__ = ("item",)

    def __init__(self, item: Kind, *, nullable: bool = False) -> None:
        self.item = item
        self.nullable = nullable or item is object

    def _inner(self) -> Kind:
        return self.item


class MapOf(_Container):
    """A JSON object with any keys, whose values are each of ``value`` (a kind)
    (``additionalProperties`` in the spec); ``nullable``: a value may be null."""

    __slots__ = ("value",)

    def __init__(self, value: Kind, *, nullable: bool = False) -> None:
        self.value = value
        self.nullable = nullable or value is object

    def _inner(self) -> Kind:
        return self.value


class Late:
    """A kind named before it exists, resolved on first use: ``Late(lambda: Node)``.

    Generated models that hold themselves (``Node.children: list[Node]``) or each other
    (``Person.employer: Company``, ``Company.staff: list[Person]``) declare such fields
    with it, so that their modules import. (A secret property inside a late-bound model
    is masked by that model's own repr, not by the holder's.)"""

    __slots__ = ("_get", "_kind")

    def __init__(self, get: Callable[[], Kind]) -> None:
        self._get = get
        self._kind: Optional[Kind] = None

    def resolve(self) -> Kind:
        kind = self._kind
        if kind is None:
            kind = self._kind = self._get()
        return kind

    def __repr__(self) -> str:
        return describe(self)

    # Compared by identity (the default): comparing must not resolve it, since a field
    # is declared (and compared) before the model it names exists.


Kind = Union[type, ListOf, MapOf, Late]


def now(kind: Kind) -> Union[type, ListOf, MapOf]:
    """``kind``, a :class:`Late` one resolved."""
    while isinstance(kind, Late):
        kind = kind.resolve()
    return kind


_JSON_NAMES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    datetime: "string (RFC 3339 date-time)",
    date: "string (RFC 3339 full-date)",
}


def describe(kind: Kind) -> str:
    """How errors name a kind: ``int``, ``list[Pet]``, ``dict[str, float]``."""
    kind = now(kind)
    if isinstance(kind, ListOf):
        return f"list[{describe(kind.item)}]"
    if isinstance(kind, MapOf):
        return f"dict[str, {describe(kind.value)}]"
    return kind.__name__


def json_name(kind: Kind) -> str:
    """How errors name the JSON a kind is read from."""
    kind = now(kind)
    if isinstance(kind, ListOf):
        return "array"
    if isinstance(kind, MapOf) or kind not in _JSON_NAMES:
        return "object"
    return _JSON_NAMES[kind]


#: How :func:`matches` ends the place of a null item the kind does not allow.
NULL_ITEM = " (null)"


def matches(kind: Kind, value: Any) -> Optional[str]:
    """None when ``value`` (a Python value) is of ``kind``; otherwise where it is not,
    relative to the value (``""`` for the value itself, ``"[2]"``, ``"['a']"``)."""
    kind = now(kind)
    if isinstance(kind, ListOf):
        if not isinstance(value, list):
            return ""
        for index, item in enumerate(value):
            if item is None:
                if kind.nullable:
                    continue
                return f"[{index}]{NULL_ITEM}"
            where = matches(kind.item, item)
            if where is not None:
                return f"[{index}]{where}"
        return None
    if isinstance(kind, MapOf):
        if not isinstance(value, dict):
            return ""
        for key, item in value.items():
            if not isinstance(key, str):
                return f"[{key!r}] (keys must be str)"
            if item is None:
                if kind.nullable:
                    continue
                return f"[{key!r}]{NULL_ITEM}"
            where = matches(kind.value, item)
            if where is not None:
                return f"[{key!r}]{where}"
        return None
    if isinstance(value, bool):
        return None if kind is bool else ""
    if kind is float:
        return None if isinstance(value, (int, float)) else ""
    if kind is date:
        return None if isinstance(value, date) and not isinstance(value, datetime) else ""
    return None if isinstance(value, kind) else ""


def load(kind: Kind, value: Any, where: str) -> Any:
    """The Python value of JSON ``value`` for ``kind``; ``where`` names it in errors
    (``Pet: 'tags'[2]``). Raises ApiTypeError / ApiValueError."""
    kind = now(kind)
    if kind is object:
        # Any JSON value, as it came; but NaN and the infinities are not JSON, and could
        # not be written back (nothing else is looked at, however deep).
        if not isinstance(value, (str, bool, int)):
            place = first_non_finite(value)
            if place is not None:
                raise ApiValueError(f"{where}{place} must be a finite number")
        return value
    if isinstance(kind, ListOf):
        if not isinstance(value, list):
            raise _wrong(kind, value, where)
        return [
            _null(kind, f"{where}[{i}]") if v is None else load(kind.item, v, f"{where}[{i}]")
            for i, v in enumerate(value)
        ]
    if isinstance(kind, MapOf):
        if not isinstance(value, dict):
            raise _wrong(kind, value, where)
        return {
            k: _null(kind, f"{where}[{k!r}]")
            if v is None
            else load(kind.value, v, f"{where}[{k!r}]")
            for k, v in value.items()
        }
    if kind is datetime or kind is date:
        if isinstance(value, str):
            try:
                return parse_datetime(value) if kind is datetime else parse_date(value)
            except ValueError as exc:
                raise ApiValueError(f"{where} {exc}") from None
        raise _wrong(kind, value, where)
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer past the largest float: JSON allows it
            raise ApiValueError(f"{where} is out of range for a number") from None
        if not math.isfinite(number):  # NaN, Infinity, 1e400: not JSON numbers
            raise ApiValueError(f"{where} must be a finite number")
        return number
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)  # 3.0 is an integer in JSON Schema
    if kind in _JSON_NAMES:
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return value
        raise _wrong(kind, value, where)
    if isinstance(kind, type) and hasattr(kind, "from_dict"):
        if not isinstance(value, dict):
            raise _wrong(kind, value, where)
        try:
            return kind.from_dict(value)
        except (ApiTypeError, ApiValueError) as exc:
            raise type(exc)(f"{where}: {exc}", path_to_item=exc.path_to_item) from None
    raise _wrong(kind, value, where)


def _null(kind: Union[ListOf, MapOf], where: str) -> Any:
    """A null item of a list (or value of a map): None when the kind allows it."""
    if not kind.nullable:
        raise ApiValueError(f"{where} must not be null")
    return None


def _wrong(kind: Kind, value: Any, where: str) -> ApiTypeError:

    return ApiTypeError(f"{where} must be a JSON {json_name(kind)}, got {json_type_name(value)}")


def dump(kind: Kind, value: Any) -> Any:
    """The JSON value of Python ``value`` of ``kind``."""
    if value is None:
        return None
    kind = now(kind)
    if isinstance(kind, ListOf):
        return [dump(kind.item, v) for v in value]
    if isinstance(kind, MapOf):
        return {k: dump(kind.value, v) for k, v in value.items()}
    if kind is datetime:
        return format_datetime(value)
    if kind is date:
        return value.isoformat()
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return value


def text(kind: Kind, value: Any) -> str:
    """``value`` as it goes into a URL or a header (before percent-encoding):
    ``true``/``false``, numbers as JSON writes them, RFC 3339 dates."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)
