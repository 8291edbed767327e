"""What one API operation is, as the spec declares it: its HTTP method, path template,
parameters (path, query, header), body and answers by status. Generated API modules
declare one :class:`Operation` per method; the core builds requests and reads answers
from it, so that an operation of any shape needs no change below the generated code.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any, Optional, Union

from ..exceptions import ApiTypeError, ApiValueError
from . import kinds
from .kinds import Kind
from .model import Field, Model, _leaves, _models_in, encode_json

__all__ = [
    "JSON",
    "NO_BODY",
    "PROXY_STATUSES",
    "SAFE_METHODS",
    "Body",
    "Operation",
    "Parameter",
    "Responses",
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


#: The media type of a JSON body.
JSON = "application/json"


class _Checked:
    """A body read by :meth:`Body.from_dict`, for ``MockTransport(strict=True)``:
    ``validate()`` checks it against the contract's rules."""

    __slots__ = ("body", "value")

    def __init__(self, body: Body, value: Any) -> None:
        self.body = body
        self.value = value

    def validate(self) -> None:
        self.body.check(self.value, True)


class Body:
    """A body that is not one model: a JSON value of a kind (``Body(ListOf(Pet))``,
    ``Body(MapOf(int))``, ``Body(str)``, ``Body(object)`` for any JSON), or bytes of a
    media type (``Body(bytes, "image/jpeg")``), sent and returned as they are.

    It stands where a model class stands in an :class:`Operation` (its body and its
    answers), with what the core reads of one: ``__name__``, ``_masked_json_names``.
    """

    __slots__ = ("__name__", "_by_json", "_masked_json_names", "field", "kind", "media_type", "raw")

    def __init__(self, kind: Union[Kind, type[bytes]], media_type: str = JSON) -> None:
        self.raw = kind is bytes
        self.kind: Any = kind
        self.media_type = media_type
        self.__name__ = "bytes" if kind is bytes else kinds.describe(kind)
        #: The rules of the body's kind, as a field's (errors name it ``operation.body``).
        self.field = Field("body", object if kind is bytes else kind)
        self._by_json: dict[str, Field] = {}
        names: set[str] = set()
        for model in () if kind is bytes else _models_in(kind):
            names |= model._masked_json_names
        self._masked_json_names = frozenset(names)

    def __repr__(self) -> str:
        media = "" if self.media_type == JSON else f", {self.media_type!r}"
        return f"Body({self.__name__}{media})"

    def check(self, value: Any, validate: bool) -> None:
        """Raise ApiTypeError / ApiValueError, naming the body, for a value that is not
        of the kind (or, when ``validate``, breaks a rule of what it holds)."""
        if self.raw:
            if not isinstance(value, (bytes, bytearray)):
                raise ApiTypeError(f"{self.field.label}: must be bytes, got {type(value).__name__}")
            return
        if self.kind is not object:
            self.field.check_type(value)
        if validate:
            problem = self.field.problem(value)
            if problem:
                raise ApiValueError(f"{self.field.label}: {problem}", path_to_item=["body"])

    def encode(self, value: Any, validate: bool) -> tuple[bytes, tuple[str, ...]]:
        """The bytes of ``value`` (checked first) and the secret values it carries."""
        self.check(value, validate)
        if self.raw:
            return bytes(value), ()
        secrets: list[str] = []
        for model in _leaves(value):
            if isinstance(model, Model):
                secrets.extend(model._secret_values())
        try:
            return encode_json(kinds.dump(self.kind, value)).encode(), tuple(secrets)
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:
            problem = type(exc).__name__
        raise ApiValueError(f"{self.field.label}: cannot be encoded as JSON ({problem})")

    def read(self, obj: Any) -> Any:
        """The Python value of the JSON ``obj`` an answer carried."""
        return kinds.load(self.kind, obj, self.__name__)

    def from_dict(self, obj: Any) -> _Checked:
        """``obj`` read, to be checked by ``validate()`` (as a model's ``from_dict``
        result is, by ``MockTransport(strict=True)``)."""
        return _Checked(self, self.read(obj))


class Responses(dict):  # type: ignore[type-arg]
    """An operation's answers by status, and its ``default`` (the spec's ``default``
    response): the model of every error status it does not declare by number."""

    __slots__ = ("default",)

    def __init__(self, declared: Mapping[int, Any], default: Any = None) -> None:
        super().__init__(declared)
        self.default = default

    def _defaulted(self, status: object) -> bool:
        return (
            self.default is not None
            and isinstance(status, int)
            and not 200 <= status <= 299
            and not dict.__contains__(self, status)
        )

    def __contains__(self, status: object) -> bool:
        return dict.__contains__(self, status) or self._defaulted(status)

    def __missing__(self, status: Any) -> Any:
        if self._defaulted(status):
            return self.default
        raise KeyError(status)

    def get(self, status: Any, fallback: Any = None) -> Any:
        if status in self:  # a declared status, or one the default answers for
            return self[status]
        return fallback


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
    :param default: the model of an error status it does not declare by number (the
        spec's ``default`` answer; :data:`NO_BODY` for one without a body).
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
        body_type: Union[type[Model], Body, None] = None,
        response_type: Union[type[Model], Body, None] = None,
        *,
        method: str = "POST",
        params: tuple[Parameter, ...] = (),
        body_required: bool = True,
        responses: Optional[Mapping[int, Any]] = None,
        response_headers: Optional[Mapping[int, tuple[str, ...]]] = None,
        media_types: Optional[Mapping[int, str]] = None,
        default: Any = None,
    ) -> None:
        self.name = name
        self.path = path
        self.method = method.upper()
        self.params = tuple(param.owned_by(name) for param in params)
        self.body_type = body_type
        if isinstance(body_type, Body):
            body_type.field.owner = name  # its errors name it `operation.body`
        self.body_required = body_required and body_type is not None
        if responses is None:
            responses = {200: response_type if response_type is not None else NO_BODY}
        self.responses: Mapping[int, Any] = Responses(responses, default)
        self.response_headers: Mapping[int, tuple[str, ...]] = dict(response_headers or {})
        self.media_types: Mapping[int, str] = dict(media_types or {})
        if response_type is None:
            response_type = next(
                (m for s, m in self.responses.items() if 200 <= s <= 299 and m is not NO_BODY),
                None,
            )
        #: The model of the success answer (None when every success has no body; a
        #: :class:`Body` for a list, a map, a scalar or bytes).
        self.response_type: Any = response_type
        self.safe = self.method in SAFE_METHODS
        names: set[str] = set()
        for model in (*self.responses.values(), default):
            if model is not NO_BODY and model is not None:
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
