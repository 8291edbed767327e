"""Decoders compiled once per model class: the code a hand-written ``from_dict`` would
have, made from the class's field table on first use (``exec`` of generated source, as
``dataclasses`` and ``attrs`` make their methods).

The compiled function reads the common answer straight through: each known property of
its plain kind (a ``str`` for a text field, RFC 3339 text for a date-time, a finite
float...) is stored without the general checks. Anything else -- an unknown property, a
value of another kind, a missing required property, a value the general path would
word an error for -- is handed, whole, to the generic ``Model._from_dict_generic``, so
that every answer is read, refused and masked exactly as the generic path does
(``test/test_compiled_models.py`` checks it, property-based, over the fixture spec's
models).

``inspect.getsource(Model.from_dict)`` shows the compiled source of a class whose
decoder has been made (it is registered with :mod:`linecache`); so does
:func:`source_of`.
"""

from __future__ import annotations

import linecache
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from .rfc3339 import parse_datetime

if TYPE_CHECKING:
    from .model import Field, Model

__all__ = ["compile_from_dict", "source_of"]

_SOURCES: dict[tuple[type, str], str] = {}


def source_of(cls: type[Model], name: str = "from_dict") -> str:
    """The compiled source of ``cls``'s ``name`` (made on first use)."""
    if (cls, name) not in _SOURCES:
        compile_from_dict(cls)
    return _SOURCES[(cls, name)]


def compile_from_dict(cls: type[Model]) -> Callable[[type[Model], Any], Model]:
    """``cls``'s compiled ``from_dict(cls, obj)``."""
    namespace: dict[str, Any] = {
        "_new": object.__new__,
        "_generic": cls._from_dict_generic.__func__,  # type: ignore[attr-defined]
        "_parse_datetime": parse_datetime,
        "_isfinite": math.isfinite,
    }
    lines = [
        "def from_dict(cls, obj):",
        "    if type(obj) is not dict or cls is not _cls:",
        "        return _generic(cls, obj)",
        "    model = _new(cls)",
        "    values = model.__dict__",
        "    for key, value in obj.items():",
    ]
    namespace["_cls"] = cls
    first = True
    for index, spec in enumerate(cls._fields):
        namespace[f"_f{index}"] = spec
        keyword = "if" if first else "elif"
        first = False
        lines.append(f"        {keyword} key == {spec.json_name!r}:")
        lines.extend(_read_one(spec, index))
    lines.append("        else:" if not first else "        if True:")
    lines.append("            return _generic(cls, obj)  # an unknown property")
    for spec in cls._required:
        lines.append(f"    if {spec.name!r} not in values:")
        lines.append("        return _generic(cls, obj)  # it words the error")
    lines.append("    return model")
    source = "\n".join(lines) + "\n"
    filename = f"<persona compiled {cls.__module__}.{cls.__qualname__}.from_dict>"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own source
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    _SOURCES[(cls, "from_dict")] = source
    function: Callable[[type[Model], Any], Model] = namespace["from_dict"]
    function.__qualname__ = f"{cls.__qualname__}.from_dict"
    function.__doc__ = cls._from_dict_generic.__doc__
    return function


def _read_one(spec: Field, index: int) -> list[str]:
    """The lines that read property ``spec`` from ``value`` (inside the loop)."""
    name = repr(spec.name)
    pad = " " * 12
    null = [f"{pad}if value is None:"]
    if spec.nullable:
        null += [f"{pad}    values[{name}] = None", f"{pad}    continue"]
    else:
        null += [f"{pad}    continue  # null: left out"]
    kind = spec.type
    if kind is str:
        # A secret's text is checked for lone surrogates, which only non-ASCII text holds.
        test = "type(value) is str" + (" and value.isascii()" if spec.secret else "")
    elif kind is bool or (kind is int and not spec.secret):
        test = f"type(value) is {kind.__name__}"
    elif kind is float and not spec.secret:
        test = "type(value) is float and _isfinite(value)"
    elif kind is datetime and not spec.secret:
        return [
            *null,
            f"{pad}if type(value) is str:",
            f"{pad}    try:",
            f"{pad}        values[{name}] = _parse_datetime(value)",
            f"{pad}        continue",
            f"{pad}    except ValueError:",
            f"{pad}        pass",
            f"{pad}return _generic(cls, obj)  # it reads or refuses it",
        ]
    else:
        # Lists, maps, nested models, dates, free-form values: the field's own reader,
        # which the generic path calls too (its errors are raised as they are).
        return [*null, f"{pad}values[{name}] = _f{index}.load(cls.__name__, value)"]
    return [
        *null,
        f"{pad}if {test}:",
        f"{pad}    values[{name}] = value",
        f"{pad}    continue",
        f"{pad}return _generic(cls, obj)  # it reads or refuses it",
    ]
