"""What one API operation is, as the spec declares it: its HTTP method, path template,
parameters (path, query, header), body and answers by status. Generated API modules
declare one :class:`Operation` per method; the core builds requests and reads answers
from it, so that an operation of any shape needs no change below the generated code.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any, Optional

from ..exceptions import ApiTypeError
from .kinds import Kind
from .model import Field, Model

__all__ = [
    "NO_BODY",
    "PROXY_STATUSES",
    "SAFE_METHODS",
    "Operation",
    "Parameter",
    "answer_model",
    "check_options",
]

#: Methods that change nothing on the server: retried without an Idempotency-Key.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Statuses any proxy or gateway on the way may answer, whatever the contract says.
PROXY_STATUSES = frozenset({502, 503, 504})


class _NoBody:
    """The schema of an answer without a body (a 204, or a status declared without
    content)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_BODY"


#: In :attr:`Operation.responses`: the status is declared with no body.
NO_BODY: Any = _NoBody()


def answer_model(responses: Mapping[int, Any], status: int, success: Any) -> Any:
    """The model a 2xx ``status``'s body is read as (NO_BODY for none): the one declared
    for it, else ``success``, the operation's success model (a server may answer 201
    where 200 is declared)."""
    model = responses.get(status)
    if model is None:
        return success if success is not None else NO_BODY
    return model


class Parameter(Field):
    """One path, query or header parameter: a :class:`~persona.core.model.Field`
    (kind, limits, ``required``, ``secret``) and where it goes.

    ``json_name`` is its name on the wire; ``name`` the method's keyword.
    """

    __slots__ = ("location",)

    def __init__(self, name: str, wire_name: str, location: str, kind: Kind, **rules: Any) -> None:
        if location not in ("path", "query", "header"):
            raise ValueError(f"parameter {name}: location must be path, query or header")
        super().__init__(wire_name, kind, **rules)
        self.name = name
        self.location = location

    def owned_by(self, operation: str) -> Parameter:
        """This parameter as ``operation``'s (errors name it ``operation.name``): itself
        the first time, a copy when another operation already has it."""
        if self.owner in ("", operation):
            self.owner = operation
            return self
        twin = object.__new__(Parameter)
        for slot in (*Field.__slots__, *Parameter.__slots__):
            setattr(twin, slot, getattr(self, slot))
        twin.owner = operation
        return twin


class Operation:
    """One API operation.

    :param name: the method's name (``account_forgot_pass_post``), as errors name it.
    :param path: the path template under the host (``/pets/{petId}``).
    :param body_type: the model of the JSON body, or None when it takes none.
    :param response_type: the model of a 200 answer (a shorthand for ``responses``).
    :param method: the HTTP method.
    :param params: its path, query and header :class:`Parameter` values, in the
        method's order.
    :param body_required: whether a call must pass a body.
    :param responses: every declared status and its body's model, or :data:`NO_BODY`
        (the error statuses' model included: ``MockTransport`` checks answers against it).
    :param response_headers: the headers each status must carry (``X-Request-Id``...).
    :param media_types: the media type of each status's body.
    """

    __slots__ = (
        "body_required",
        "body_type",
        "media_types",
        "method",
        "name",
        "params",
        "path",
        "response_headers",
        "response_secret_names",
        "response_type",
        "responses",
        "safe",
    )

    def __init__(
        self,
        name: str,
        path: str,
        body_type: Optional[type[Model]] = None,
        response_type: Optional[type[Model]] = None,
        *,
        method: str = "POST",
        params: tuple[Parameter, ...] = (),
        body_required: bool = True,
        responses: Optional[Mapping[int, Any]] = None,
        response_headers: Optional[Mapping[int, tuple[str, ...]]] = None,
        media_types: Optional[Mapping[int, str]] = None,
    ) -> None:
        self.name = name
        self.path = path
        self.method = method.upper()
        self.params = tuple(param.owned_by(name) for param in params)
        self.body_type = body_type
        self.body_required = body_required and body_type is not None
        if responses is None:
            responses = {200: response_type if response_type is not None else NO_BODY}
        self.responses: Mapping[int, Any] = dict(responses)
        self.response_headers: Mapping[int, tuple[str, ...]] = dict(response_headers or {})
        self.media_types: Mapping[int, str] = dict(media_types or {})
        if response_type is None:
            response_type = next(
                (m for s, m in self.responses.items() if 200 <= s <= 299 and m is not NO_BODY),
                None,
            )
        #: The model of the success answer (None when every success has no body).
        self.response_type = response_type
        self.safe = self.method in SAFE_METHODS
        names: set[str] = set()
        for model in self.responses.values():
            if model is not NO_BODY:
                names |= model._masked_json_names
        #: The JSON names of every secret property an answer may carry (to mask them).
        self.response_secret_names = frozenset(names)

    def success_model(self, status: int) -> Any:
        """The model of a 2xx ``status`` (see :func:`answer_model`)."""
        return answer_model(self.responses, status, self.response_type)

    def __repr__(self) -> str:
        return f"Operation({self.name}: {self.method} {self.path})"


def check_options(
    operation: Operation, given: Mapping[str, Any], allowed: Set[str] = frozenset()
) -> None:
    """Refuse a keyword ``operation``'s method does not take (an option or a
    parameter), as generated clients do: ``given`` holds no name outside ``allowed``."""
    unknown = given.keys() - allowed
    if unknown:
        raise ApiTypeError(
            f"Got an unexpected keyword argument {sorted(unknown)[0]!r} to method {operation.name}"
        )
