"""The one base every model is built on: a field table drives construction, type
checks, contract checks, JSON (de)serialization, equality and a secret-safe repr.

A model module declares only its fields::

    class CodeForTokenData(Model):
        email: Optional[str] = field("email", str, required=True, format="email")
        code: Optional[str] = field("code", str, required=True, max_length=64, secret=True)

Values live in the instance ``__dict__`` under the Python name, so reading a field
is a plain attribute lookup; writing one goes through a type check.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Optional, TypeVar, Union

from ..exceptions import ApiTypeError, ApiValueError
from ..redaction import MASK, redact_json
from . import kinds
from .kinds import Kind, Late, ListOf, MapOf
from .rfc3339 import (
    first_non_finite,
    format_datetime,
    json_type_name,
    parse_date,
    parse_datetime,
)

__all__ = [
    "Field",
    "Late",
    "ListOf",
    "MapOf",
    "Model",
    "email_field",
    "field",
    "format_datetime",
    "parse_date",
    "parse_datetime",
]

M = TypeVar("M", bound="Model")

_decode = json.JSONDecoder().decode
#: Compact JSON text, as it goes on the wire, from an encoder built once (json.dumps
#: builds one per call). No circular-reference bookkeeping: a model is a dict of plain
#: values, and a cycle in additional_properties ends as a RecursionError.
encode_json = json.JSONEncoder(
    # allow_nan=False: NaN and Infinity are not JSON; a server would refuse the body.
    ensure_ascii=False,
    separators=(",", ":"),
    check_circular=False,
    allow_nan=False,
).encode
# What json.dumps(...) writes, but never NaN or Infinity (not JSON).
_to_json_text = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda cls: cls


def _characters(count: int) -> str:
    """``"1 character"``, ``"8 characters"``."""
    return f"{count} character" if count == 1 else f"{count} characters"


def _email_problem(value: str) -> Optional[str]:
    """Why ``value`` is not an e-mail address by the contract's rule, or None."""
    if value.count("@") != 1:
        return "must contain exactly one '@'"
    local, domain = value.split("@")
    if not local or not domain:
        return "must have text on both sides of '@'"
    if len(local) > 64:
        return "must have at most 64 characters before '@'"
    if value.isascii() and value.isprintable() and " " not in value:
        return None  # the common case: no C0, DEL, C1 or space, without a loop
    if any(ch.isspace() or ord(ch) < 32 or 127 <= ord(ch) <= 159 for ch in value):  # C0, DEL, C1
        return "must not contain spaces or control characters"
    return None


class Field:
    """One property of a model: its names, type, and the contract's rules for it."""

    __slots__ = (
        "description",
        "enum",
        "format",
        "json_name",
        "max_items",
        "max_length",
        "maximum",
        "min_items",
        "min_length",
        "minimum",
        "name",
        "nullable",
        "owner",
        "pattern",
        "plain",
        "required",
        "secret",
        "type",
    )

    def __init__(
        self,
        json_name: str,
        type_: Kind,
        *,
        required: bool = False,
        secret: bool = False,
        min_length: Optional[int] = None,
        max_length: Optional[int] = None,
        format: Optional[str] = None,
        description: str = "",
        minimum: Optional[float] = None,
        maximum: Optional[float] = None,
        enum: Optional[tuple[Any, ...]] = None,
        min_items: Optional[int] = None,
        max_items: Optional[int] = None,
        nullable: bool = False,
        pattern: Optional[str] = None,
    ) -> None:
        self.json_name = json_name
        if pattern is not None:
            from .ecma_regex import compile_pattern  # only models with a pattern need it

            try:  # ECMA-262, as OpenAPI says; refused now, not at the first value checked
                compile_pattern(pattern)
            except ValueError as exc:
                raise ApiValueError(f"{json_name}: pattern {pattern!r} {exc}") from None
        self.pattern = pattern
        self.type = type_
        self.required = required
        self.secret = secret
        self.min_length = min_length
        self.max_length = max_length
        self.format = format
        self.description = description
        self.minimum = minimum
        self.maximum = maximum
        self.enum = enum
        self.min_items = min_items
        self.max_items = max_items
        self.nullable = nullable
        # str, bool and datetime, the kinds of the first models, keep their fast paths;
        # every other kind goes through persona.core.kinds.
        self.plain = type_ in (str, bool, datetime)
        self.name = json_name  # replaced by the attribute name in Model.__init_subclass__
        self.owner = ""

    @property
    def label(self) -> str:
        """How errors name the field: ``Model.attribute``."""
        return f"{self.owner}.{self.name}"

    def check_type(self, value: Any) -> None:
        """Raise ApiTypeError/ApiValueError if ``value`` cannot be assigned to the field."""
        kind = self.type
        if self.plain:
            wrong = not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))  # type: ignore[arg-type]
            where = ""
        else:
            where_or_none = kinds.matches(kind, value)
            wrong, where = where_or_none is not None, where_or_none or ""
        if wrong and where.endswith(kinds.NULL_ITEM):
            raise ApiValueError(
                f"{self.label}{where[: -len(kinds.NULL_ITEM)]}: must not be null",
                path_to_item=[self.name],
            )
        if wrong:
            got = type(value).__name__ if not where else "another type"
            raise ApiTypeError(
                f"{self.label}{where}: must be {kinds.describe(kind)}, got {got}",
                path_to_item=[self.name],
                valid_classes=(kind,) if isinstance(kind, type) else (),
            )
        if self.secret and isinstance(value, str) and _has_lone_surrogate(value):
            # Refused now, not at the call that would send it: a secret cannot be sent.
            raise ApiValueError(
                f"{self.label}: must be valid Unicode text (it contains a lone surrogate)",
                path_to_item=[self.name],
            )
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise ApiValueError(
                f"{self.label}: must be a timezone-aware datetime (e.g. tzinfo=timezone.utc)",
                path_to_item=[self.name],
            )

    def problem(self, value: Any) -> Optional[str]:
        """Why ``value`` breaks the contract's rule for this field, or None.

        The limits of a list (``min_items``, ``max_items``) apply to the list; every
        other limit (length, range, ``enum``, format) to each plain value in it, as the
        spec's ``items`` says. A nested model is checked by its own rules.
        """
        if isinstance(value, str):  # the common case first: every field of a request body
            if self.enum is not None and value not in self.enum:
                return self._not_allowed(value)
            size = len(value)
            if self.min_length is not None and size < self.min_length:
                if self.min_length == 1:
                    return "must not be empty"
                got = "" if self.secret else f", got {size}"  # a secret's length is private
                return f"must be at least {_characters(self.min_length)} long{got}"
            if self.max_length is not None and size > self.max_length:
                got = "" if self.secret else f", got {size}"
                return f"must be at most {_characters(self.max_length)} long{got}"
            if _has_lone_surrogate(value):
                return "must be valid Unicode text (it contains a lone surrogate)"
            if self.pattern is not None and not _matches(self.pattern, value):
                if self.secret:
                    return "must match the contract's pattern"
                return f"must match the pattern {self.pattern!r}"
            if self.format == "email":
                return _email_problem(value)
            return None
        return self._problem_of_other(value)

    def _problem_of_other(self, value: Any, kind: Any = None) -> Optional[str]:
        """:meth:`problem` for a value that is not text. The walk follows the field's
        kind (``kind``: the part of it ``value`` is of): into the items of a ``ListOf``
        and the values of a ``MapOf``, never inside a free-form (``object``) value, to
        which no rule applies, however deep it is."""
        kind = self.type if kind is None else kind
        if kind is object:
            return None
        if isinstance(value, list) and isinstance(kind, ListOf):
            size = len(value)
            if self.min_items is not None and size < self.min_items:
                return f"must have at least {self.min_items} items, got {size}"
            if self.max_items is not None and size > self.max_items:
                return f"must have at most {self.max_items} items, got {size}"
            for index, item in enumerate(value):
                problem = self._problem_of_item(item, kind.item, kind.nullable)
                if problem:
                    return f"[{index}]: {problem}"
            return None
        if isinstance(value, dict) and isinstance(kind, MapOf):
            for key, item in value.items():
                problem = self._problem_of_item(item, kind.value, kind.nullable)
                if problem:
                    return f"[{key!r}]: {problem}"
            return None
        if isinstance(value, Model):
            try:
                value.validate()
            except ApiValueError as exc:
                return str(exc)
            return None
        if self.enum is not None and value not in self.enum:
            return self._not_allowed(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                return f"must be a finite number, got {value!r}"
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum:g}, got {value!r}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum:g}, got {value!r}"
        return None

    def _problem_of_item(self, item: Any, kind: Any, nullable: bool) -> Optional[str]:
        """Why an item of a list (or a value of a map) of ``kind`` breaks the rules."""
        if item is None:
            return None if nullable else "must not be null"
        if isinstance(item, str):
            return self.problem(item)
        return self._problem_of_other(item, kind)

    def _not_allowed(self, value: Any) -> str:
        if self.secret:
            return "must be one of the allowed values"
        allowed = ", ".join(repr(v) for v in self.enum or ())
        return f"must be one of {allowed}, got {value!r}"

    def load(self, owner: str, value: Any) -> Any:
        """The Python value of JSON ``value`` received for this field."""
        if not self.plain:
            return kinds.load(self.type, value, f"{owner}: '{self.json_name}'")
        if self.type is datetime:
            if isinstance(value, str):
                try:
                    return parse_datetime(value)
                except ValueError as exc:
                    raise ApiValueError(
                        f"{owner}: '{self.json_name}' {exc}", path_to_item=[self.json_name]
                    ) from None
        elif isinstance(value, self.type) and (self.type is bool or not isinstance(value, bool)):  # type: ignore[arg-type]  # plain: a type
            if self.secret and isinstance(value, str) and _has_lone_surrogate(value):
                # A token no request could carry back: refused where it arrives.
                raise ApiValueError(
                    f"{owner}: '{self.json_name}' must be valid Unicode text "
                    "(it contains a lone surrogate)",
                    path_to_item=[self.json_name],
                )
            return value
        raise ApiTypeError(
            f"{owner}: '{self.json_name}' must be a JSON {kinds.json_name(self.type)}, "
            f"got {json_type_name(value)}",
            path_to_item=[self.json_name],
            valid_classes=(self.type,) if isinstance(self.type, type) else (),
        )


def _shown_json(value: Any) -> str:
    """The repr of a JSON-like value with secret-named properties masked."""
    try:
        return repr(redact_json(value))
    except RecursionError:  # nested too deep to walk: name the keys only
        if isinstance(value, dict):
            return "{" + ", ".join(f"{key!r}: ..." for key in value) + "}"
        return "[...]"


def _models_in(kind: Kind) -> tuple[type[Model], ...]:
    """The model classes a kind holds: ``ListOf(Pet)`` -> ``(Pet,)``."""
    if isinstance(kind, ListOf):
        return _models_in(kind.item)
    if isinstance(kind, MapOf):
        return _models_in(kind.value)
    if isinstance(kind, type) and issubclass(kind, Model):
        return (kind,)
    return ()


def _leaves(value: Any) -> Iterator[Any]:
    """Every value inside a value of lists and maps (``value`` itself when it is
    neither)."""
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    else:
        yield value


def _matches(pattern: str, value: str) -> bool:
    from .ecma_regex import compile_pattern  # imported by Field already: a dict lookup

    return compile_pattern(pattern).search(value) is not None


def _finite(value: Any) -> bool:
    return math.isfinite(value)


def _has_lone_surrogate(value: str) -> bool:
    if value.isascii():  # only non-ASCII text can hold one
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def field(json_name: str, type_: Kind, *, default: None = None, **rules: Any) -> Any:
    """Declare a model field: a :class:`Field` with ``rules`` (its keyword arguments:
    ``required``, ``secret``, the limits...), typed as Any so that it can stand as the
    attribute's default.

    ``default=None`` is spelled out at each field because type checkers read it there:
    every field may be left out at construction (``required`` is checked on sending).
    """
    del default
    return Field(json_name, type_, **rules)


def email_field() -> Any:
    """The contract's ``email`` property, shared by the request models: required,
    3-254 characters, one ``@`` (see :func:`_email_problem`)."""
    return Field(
        "email",
        str,
        required=True,
        min_length=3,
        max_length=254,
        format="email",
        description="The account's e-mail address.",
    )


class AdditionalProperties(dict):  # type: ignore[type-arg]
    """A model's ``additional_properties``: a dict that refuses keys naming a field of
    the model, JSON or attribute name (``newPassword``, ``new_password``)."""

    __slots__ = ("model",)

    def __init__(self, model: type[Model], items: Any = ()) -> None:
        super().__init__()
        self.model = model
        self.update(items)

    def _check(self, key: Any) -> None:
        model = self.model
        if key in model._by_json or key in model._by_name:
            raise ApiValueError(
                f"{model.__name__}.additional_properties: {key!r} is a field of the model; "
                "set the field instead"
            )

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check(key)
        super().__setitem__(key, value)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._check(key)
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        items = dict(*args, **kwargs)
        for key in items:
            self._check(key)
        super().update(items)

    def __ior__(self, other: Any) -> AdditionalProperties:  # type: ignore[misc]
        self.update(other)
        return self

    def copy(self) -> AdditionalProperties:
        return _restored(self.model, self)

    def __reduce__(self) -> Any:
        # Rebuilt as it was, not through the checks: what from_dict kept from an answer
        # (a key like `expires_at` beside `expiresAt`, which the checks refuse on
        # assignment) survives copy.copy, copy.deepcopy and pickle unchanged.
        return (_restored, (self.model, dict(self)))


def _restored(model: type[Model], items: Mapping[str, Any]) -> AdditionalProperties:
    """An AdditionalProperties holding ``items`` as they are (a copy of one)."""
    restored = AdditionalProperties(model)
    dict.update(restored, items)
    return restored


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
class Model:
    """Base of the API's models. Construct with keywords; every field may be left out
    (it is None) until the model is sent, when the contract's rules are checked."""

    _fields: ClassVar[tuple[Field, ...]] = ()
    _by_name: ClassVar[dict[str, Field]] = {}
    _by_json: ClassVar[dict[str, Field]] = {}
    _required: ClassVar[tuple[Field, ...]] = ()
    _required_names: ClassVar[frozenset[str]] = frozenset()
    _secret_json_names: ClassVar[frozenset[str]] = frozenset()
    _masked_json_names: ClassVar[frozenset[str]] = frozenset()
    _secret_fields: ClassVar[tuple[Field, ...]] = ()
    _nested_fields: ClassVar[tuple[Field, ...]] = ()
    __hash__ = None  # type: ignore[assignment]  # mutable, so not hashable

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = []
        for name, value in list(vars(cls).items()):
            if isinstance(value, Field):
                value.name = name
                value.owner = cls.__name__
                fields.append(value)
                setattr(cls, name, None)  # an unset field reads as None
        cls._fields = tuple(fields)
        cls._by_name = {f.name: f for f in fields}
        cls._by_json = {f.json_name: f for f in fields}
        cls._required = tuple(f for f in fields if f.required)
        cls._required_names = frozenset(f.name for f in cls._required)
        cls._secret_fields = tuple(f for f in fields if f.secret)
        cls._secret_json_names = frozenset(f.json_name for f in cls._secret_fields)
        # Fields that hold models (at any depth of lists and maps): their secrets are
        # this model's too, to mask wherever a request or an answer is shown.
        nested = tuple(f for f in fields if not f.secret and _models_in(f.type))
        cls._nested_fields = nested
        names = set(cls._secret_json_names)
        for spec in nested:
            for model in _models_in(spec.type):
                names |= model._masked_json_names
        cls._masked_json_names = frozenset(names)

    def __init__(self, **kwargs: Any) -> None:
        extra = kwargs.pop("additional_properties", None)
        for name, value in kwargs.items():
            if name not in self._by_name:
                known = ", ".join(self._by_name)
                raise ApiTypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {name!r} "
                    f"(fields: {known})"
                )
            setattr(self, name, value)
        if extra is not None:
            self.additional_properties = extra

    def __setattr__(self, name: str, value: Any) -> None:
        spec = self._by_name.get(name)
        if spec is None:
            if name == "additional_properties":
                object.__setattr__(self, name, value)
                return
            raise AttributeError(
                f"{type(self).__name__} has no field {name!r} (fields: {', '.join(self._by_name)})"
            )
        if value is not None:
            spec.check_type(value)
        self.__dict__[name] = value

    @property
    def additional_properties(self) -> dict[str, Any]:
        """Properties the server sent that this version of the SDK does not know.

        They are kept, and sent back out by :meth:`to_dict`. A dict that refuses a key
        naming a field of the model (its JSON or attribute name), however it is added:
        such a key would skip the field's checks and shadow it on the wire.
        """
        extra = self.__dict__.get("_extra")
        if extra is None:
            extra = self.__dict__["_extra"] = AdditionalProperties(type(self))
        return extra

    @additional_properties.setter
    def additional_properties(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise ApiTypeError(
                f"{type(self).__name__}.additional_properties: must be dict, "
                f"got {type(value).__name__}"
            )
        self.__dict__["_extra"] = AdditionalProperties(type(self), value)

    def _secret_values(self) -> tuple[str, ...]:
        """The text of every secret field, in lists and maps and nested models too (to
        mask it wherever the request or its answer is shown)."""
        values = self.__dict__
        found: list[str] = []
        for spec in self._secret_fields:
            value = values.get(spec.name)
            if type(value) is str:
                found.append(value)  # the common case, without the walk
            elif value is not None:
                found.extend(t for t in _leaves(value) if isinstance(t, str))
        for spec in self._nested_fields:
            for model in _leaves(values.get(spec.name)):
                if isinstance(model, Model):
                    found.extend(model._secret_values())
        return tuple(found)

    # -- contract ----------------------------------------------------------------
    def validate(self) -> None:
        """Check the model against the contract; raise ApiValueError naming the field.

        Called before a request is sent. The message never contains a field's value.
        """
        values = self.__dict__
        for spec in self._fields:
            value = values.get(spec.name)
            if value is None:
                if spec.required and not (spec.nullable and spec.name in values):
                    raise ApiValueError(
                        f"{spec.label}: is required (JSON property '{spec.json_name}')",
                        path_to_item=[spec.name],
                    )
                continue
            problem = spec.problem(value)
            if problem:
                raise ApiValueError(f"{spec.label}: {problem}", path_to_item=[spec.name])

    # -- JSON --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict with the API's property names (camelCase)."""
        values = self.__dict__
        out: dict[str, Any] = {}
        for spec in self._fields:
            value = values.get(spec.name)
            if value is not None:
                if spec.plain:
                    out[spec.json_name] = format_datetime(value) if spec.type is datetime else value
                else:
                    out[spec.json_name] = kinds.dump(spec.type, value)
            elif spec.nullable and spec.name in values:
                out[spec.json_name] = None  # set to None on purpose: null on the wire
        extra = values.get("_extra")
        if extra:
            # A declared property is never taken from here, even if a key got in past
            # AdditionalProperties (through dict methods called on it directly).
            by_json = self._by_json
            out.update({key: value for key, value in extra.items() if key not in by_json})
        return out

    def to_json(self) -> str:
        """The model as JSON text (``json.dumps`` style; non-ASCII kept as is). A value
        JSON cannot hold (NaN, an infinity) is an ApiValueError naming where it is."""
        data = self.to_dict()
        try:
            return _to_json_text(data)
        except ValueError:
            pass  # raised below, outside the except block
        place = first_non_finite(data)
        raise ApiValueError(
            f"{type(self).__name__}{place or ''}: must be a finite number (NaN and the "
            "infinities are not JSON)"
        )

    @classmethod
    def from_dict(cls: type[M], obj: Any) -> M:
        """A model from a dict with the API's property names.

        Unknown properties are kept in ``additional_properties``. Raises ApiTypeError
        for a value of the wrong JSON type and ApiValueError for a missing required one.

        The first call compiles the class's own decoder (:mod:`persona.core.compiled`)
        and makes it the class's ``from_dict``; it reads, refuses and masks exactly as
        this generic one does, to which it hands anything out of the common way.
        """
        if cls.__dict__.get("_compiled") is not None or cls is Model:
            return cls._from_dict_generic(obj)  # compiled already: a subclass's own call
        from .compiled import compile_from_dict

        function = compile_from_dict(cls)
        type.__setattr__(cls, "_compiled", function)
        type.__setattr__(cls, "from_dict", classmethod(function))
        return function(cls, obj)  # type: ignore[return-value]

    @classmethod
    def _from_dict_generic(cls: type[M], obj: Any) -> M:
        """:meth:`from_dict`, field table driven: what the compiled decoder hands back
        anything unusual to (an unknown property, a value of another kind...)."""
        if not isinstance(obj, dict):
            raise ApiTypeError(
                f"{cls.__name__}: expected a JSON object, got {json_type_name(obj)}",
                valid_classes=(dict,),
            )
        model = cls.__new__(cls)
        values = model.__dict__
        by_json = cls._by_json
        extra: Optional[dict[str, Any]] = None
        for key, value in obj.items():
            spec = by_json.get(key)
            if spec is None:
                if extra is None:
                    extra = values["_extra"] = AdditionalProperties(cls)
                if not isinstance(value, (str, bool, int)) and value is not None:
                    place = first_non_finite(value)
                    if place is not None:  # not JSON, and could not be sent back
                        raise ApiValueError(
                            f"{cls.__name__}: '{key}'{place} must be a finite number",
                            path_to_item=[key],
                        )
                dict.__setitem__(extra, key, value)  # not a field: by_json said so
            elif value is None:
                if spec.nullable:
                    values[spec.name] = None  # null, as the contract allows
            else:
                # The common cases (a str for a str field, RFC 3339 text for a
                # date-time) skip the general check, which also words the errors.
                kind = spec.type
                # (NaN and the infinities in a number field: refused by spec.load.)
                if (
                    type(value) is kind
                    and not spec.secret
                    and (kind is not float or _finite(value))
                ):
                    values[spec.name] = value
                elif kind is datetime and type(value) is str:
                    try:
                        values[spec.name] = parse_datetime(value)
                    except ValueError:
                        values[spec.name] = spec.load(cls.__name__, value)  # raises
                else:
                    values[spec.name] = spec.load(cls.__name__, value)
        if not values.keys() >= cls._required_names:  # None is stored only for a null
            for spec in cls._required:
                if spec.name not in values:
                    raise ApiValueError(
                        f"{cls.__name__}: required property '{spec.json_name}' is missing",
                        path_to_item=[spec.json_name],
                    )
        return model

    @classmethod
    def from_json(cls: type[M], text: Union[str, bytes]) -> M:
        """A model from JSON text (see :meth:`from_dict`)."""
        problem = None
        try:
            obj = _decode(text.decode() if isinstance(text, bytes) else text)  # the common case
        except (ValueError, TypeError, AttributeError, RecursionError):
            try:
                obj = json.loads(text)  # anything else exactly as json.loads reads it
            except (ValueError, TypeError, RecursionError) as exc:
                problem = type(exc).__name__
        if problem is not None:
            # Raised here, not in the except block: the decoder's error holds the text
            # (a token, say) and would ride along as __context__.
            raise ApiValueError(f"{cls.__name__}: not valid JSON ({problem})")
        return cls.from_dict(obj)

    # -- Python protocol ----------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = self.__dict__, other.__dict__
        return all(mine.get(f.name) == theirs.get(f.name) for f in self._fields) and (
            mine.get("_extra") or {}
        ) == (theirs.get("_extra") or {})

    def __repr__(self) -> str:
        values = self.__dict__
        parts = []
        for spec in self._fields:
            value = values.get(spec.name)
            if spec.secret and value is not None:
                shown = repr(MASK)
            elif isinstance(value, (dict, list)):
                shown = _shown_json(value)  # a map of anything: secret-named keys masked
            else:
                shown = repr(value)
            parts.append(f"{spec.name}={shown}")
        extra = values.get("_extra")
        if extra:
            parts.append(f"additional_properties={_shown_json(extra)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    __str__ = __repr__

    def to_str(self) -> str:
        """The repr, secrets masked (as generated clients offer)."""
        return repr(self)
