"""The operations the reference server routes: method, path, body, query parameters.

:data:`CONTRACT` is the contract's table (``persona/openapi.yaml``), written out here as
:mod:`persona.testing.rules` writes out the bodies' rules: the server reads no YAML and
shares no code with the SDK, and ``test/test_server_routes.py`` checks that
:func:`from_spec` reads exactly this table from the spec. :func:`from_spec` takes a parsed
OpenAPI document, so that a test can route a changed contract
(``ReferenceServer(operations=...)``). A path answers the methods declared for it; a
declared query parameter is checked (400 naming it), an undeclared one dropped, as an
unknown body property is (a client may be newer than the server).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union
from urllib.parse import parse_qs

from persona.testing.rules import RuleViolation

__all__ = ["BASE_PATH", "CONTRACT", "OperationSpec", "QueryParam", "Routes", "from_spec"]

#: Where the API's operations are, below the server's origin.
BASE_PATH = "/v1"
#: The HTTP methods an OpenAPI path item may declare, as it spells them.
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Digits a number without a declared bound may have.
_UNBOUNDED_DIGITS = 18
QueryValue = Union[str, int, float, bool]


@dataclass(frozen=True)
class QueryParam:
    """A declared query parameter and its schema's rules (``kind``: ``string``,
    ``integer``, ``number`` or ``boolean``)."""

    name: str
    kind: str = "string"
    required: bool = False
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    min_length: Optional[int] = None
    max_length: Optional[int] = None
    enum: tuple[str, ...] = ()

    def parse(self, value: str) -> QueryValue:
        """``value`` checked and converted; :class:`RuleViolation` naming the parameter
        (never repeating the value) if it breaks a rule."""
        if self.kind == "boolean":
            if value not in ("true", "false"):
                raise RuleViolation(f"{self.name}: must be true or false")
            return value == "true"
        if self.kind in ("integer", "number"):
            return self._number(value)
        low, high = self.min_length or 0, self.max_length
        if len(value) < low or (high is not None and len(value) > high):
            raise RuleViolation(f"{self.name}: must be {low}-{high or 'any'} characters")
        if self.enum and value not in self.enum:
            raise RuleViolation(f"{self.name}: must be one of {', '.join(self.enum)}")
        return value

    def _number(self, value: str) -> QueryValue:
        # A bounded run of ASCII digits before int() or float() sees it: they accept
        # "1_0", " 5", "inf" and non-ASCII digits, and int() of thousands of digits fails.
        bounds = [abs(b) for b in (self.minimum, self.maximum) if b is not None]
        digits = len(str(int(max(bounds)))) if bounds else _UNBOUNDED_DIGITS
        fraction = r"(?:\.[0-9]{1,15})?" if self.kind == "number" else ""
        if not re.fullmatch(f"-?[0-9]{{1,{digits}}}{fraction}", value):
            raise RuleViolation(f"{self.name}: must be {_a(self.kind)}{self._range()}")
        number: Union[int, float] = int(value) if self.kind == "integer" else float(value)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise RuleViolation(f"{self.name}: must be {_a(self.kind)}{self._range()}")
        return number

    def _range(self) -> str:
        low = "" if self.minimum is None else f" from {self.minimum:g}"
        high = "" if self.maximum is None else f" to {self.maximum:g}"
        return low + high


def _a(kind: str) -> str:
    return "a whole number" if kind == "integer" else "a number"


@dataclass(frozen=True)
class OperationSpec:
    """One operation: its method, its path below :data:`BASE_PATH`, whether it takes a
    JSON body, its query parameters."""

    method: str
    path: str
    body: bool
    query: tuple[QueryParam, ...] = ()

    def parse_query(self, text: str) -> dict[str, QueryValue]:
        """The declared query parameters of the query string ``text``, checked;
        undeclared ones are dropped. :class:`RuleViolation` names the first one wrong."""
        try:
            pairs = parse_qs(text, keep_blank_values=True, max_num_fields=64)
        except ValueError:
            raise RuleViolation("query: malformed (too many parameters)") from None
        out: dict[str, QueryValue] = {}
        for param in self.query:
            values = pairs.get(param.name)
            if not values:
                if param.required:
                    raise RuleViolation(f"{param.name}: required")
                continue
            if len(values) > 1:
                raise RuleViolation(f"{param.name}: given more than once")
            out[param.name] = param.parse(values[0])
        return out


#: The contract's operations, in the spec's order.
CONTRACT: tuple[OperationSpec, ...] = (
    OperationSpec("POST", "/account/forgotPass", body=True),
    OperationSpec("POST", "/account/codeForToken", body=True),
    OperationSpec("POST", "/account/resetForgottenPassword", body=True),
)


class Routes:
    """Which operation answers a method on a path (with :data:`BASE_PATH`)."""

    def __init__(self, operations: Iterable[OperationSpec] = CONTRACT) -> None:
        """Route ``operations``; ``ValueError`` if one method of a path is declared twice."""
        self._by_path: dict[str, dict[str, OperationSpec]] = {}
        for op in operations:
            methods = self._by_path.setdefault(BASE_PATH + op.path, {})
            if op.method in methods:
                raise ValueError(f"operations: {op.method} {op.path} declared twice")
            methods[op.method] = op

    def methods(self, path: str) -> tuple[str, ...]:
        """The methods declared for ``path``, sorted (what ``Allow`` lists); none for a
        path with no operation."""
        return tuple(sorted(self._by_path.get(path, ())))

    def find(self, method: str, path: str) -> Optional[OperationSpec]:
        """The operation of ``method`` on ``path``, or ``None``."""
        return self._by_path.get(path, {}).get(method)


def from_spec(spec: Mapping[str, Any]) -> tuple[OperationSpec, ...]:
    """The operation table of a parsed OpenAPI 3 document: each declared method of each
    path, whether it has a request body, and its query parameters (``$ref`` to
    ``#/components/parameters`` followed)."""
    table = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            params = [_resolve(spec, p) for p in (*shared, *operation.get("parameters", []))]
            query = tuple(_query_param(p) for p in params if p.get("in") == "query")
            table.append(OperationSpec(method.upper(), path, "requestBody" in operation, query))
    return tuple(table)


def _resolve(spec: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise ValueError(f"spec: only local references are followed, not {ref!r}")
    target: Any = spec
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return _resolve(spec, target)


def _query_param(param: Mapping[str, Any]) -> QueryParam:
    schema: Mapping[str, Any] = param.get("schema", {})
    kind = schema.get("type", "string")
    if kind not in ("string", "integer", "number", "boolean"):
        raise ValueError(f"spec: query parameter {param['name']!r} has a {kind} schema")
    enum: Sequence[Any] = schema.get("enum", ())
    return QueryParam(
        name=param["name"],
        kind=kind,
        required=bool(param.get("required", False)),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        enum=tuple(str(value) for value in enum),
    )
