"""Read an OpenAPI 3.0 spec into the few plain facts the templates need.

What cannot be generated is never guessed at and never stops the run: each unsupported
part is a :class:`Report` naming the file, the JSON pointer of the part and the
operations skipped because of it; every other operation is generated. Only a file that is
not an OpenAPI document at all (or from which no operation can be generated) is a
:class:`SpecError`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from codegen import naming
from codegen.naming import Namespace, collapse, pascal, snake
from persona.core.ecma_regex import compile_pattern

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(ValueError):
    """The spec cannot be generated from; the message names the spec and the place."""


class Refusal(Exception):
    """One part of the spec the generator cannot express (caught, and reported)."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
        self.message = message


@dataclass(frozen=True)
class Report:
    """A part of the spec that was not generated: where, why, and what it cost."""

    pointer: str  # a JSON pointer into the spec ("#/paths/~1pets/get/requestBody")
    message: str
    operations: tuple[str, ...] = ()  # the operations skipped for it ("GET /pets (findPets)")

    def line(self, spec: str) -> str:
        skipped = f" [skipped: {'; '.join(self.operations)}]" if self.operations else ""
        return f"{spec}: {self.pointer}: {self.message}{skipped}"


def pointer(*parts: Any) -> str:
    """A JSON pointer (RFC 6901) from its parts: ``pointer("paths", "/pets")`` ->
    ``#/paths/~1pets``."""
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True)
class ParamInfo:
    attr: str  # the method's keyword
    wire: str  # the name on the wire
    location: str  # path, query or header
    annotation: str  # e.g. "int", "list[str]"
    kind: str  # the runtime kind expression, e.g. "int", "ListOf(str)"
    options: tuple[tuple[str, Any], ...]  # keyword arguments of Parameter(): rules
    doc: str
    required: bool
    description: str = ""
    notes: str = ""  # limits, for the docs' table
    example: Any = None  # the spec's example, for the docs (None: none)


@dataclass(frozen=True)
class OperationInfo:
    operation_id: str  # the Python method name (from the spec's operationId)
    method: str
    path: str
    tag: str
    summary: str
    body_schema: Optional[str]  # the body's Python type ("NewPet", "list[NewPet]", "bytes")
    success_schema: Optional[str]  # what a call returns, or None
    description: str = ""
    #: The declared error answers: (status, what it means), in the spec's order.
    errors: tuple[tuple[int, str], ...] = ()
    #: Path, query and header parameters, in the method's order (see ParamInfo).
    params: tuple[ParamInfo, ...] = ()
    body_required: bool = True
    #: Every declared status and its body's kind expression ("" for no body).
    responses: tuple[tuple[int, str], ...] = ()
    #: Whether the call takes an Idempotency-Key (every method but GET, HEAD, OPTIONS).
    keyed: bool = True
    body_description: str = ""
    #: The headers each declared status must carry (the spec's ``required: true``).
    response_headers: tuple[tuple[int, tuple[str, ...]], ...] = ()
    #: The media type of each declared status that has a body.
    media_types: tuple[tuple[int, str], ...] = ()
    constant: str = ""  # the module constant of its Operation
    wire_path: str = ""  # the path template with its literal text percent-encoded
    spec_id: str = ""  # the spec's operationId, as written
    body_kind: str = "None"  # the Operation's body argument
    success_kind: str = "None"  # the Operation's response_type argument
    default_kind: str = ""  # the model of undeclared statuses (a `default` answer)
    default_description: str = ""
    body_media_type: str = ""  # a non-JSON body's media type
    models: tuple[str, ...] = ()  # the model classes its signature and Operation name
    body_model: Optional[str] = None  # the model the body is (or lists), for docs links
    success_model: Optional[str] = None
    body_example: Any = None  # the spec's example of the body, for the docs
    success_example: Any = None

    @property
    def path_params(self) -> tuple[ParamInfo, ...]:
        """Positional, before the body: they name the resource (``get_pet(7)``)."""
        return tuple(p for p in self.params if p.location == "path")

    @property
    def keyword_params(self) -> tuple[ParamInfo, ...]:
        """Keyword-only, after the body: query and header parameters."""
        return tuple(p for p in self.params if p.location != "path")

    @property
    def returns(self) -> str:
        """The Python type a call returns: the success model, or None."""
        return self.success_schema or "None"


@dataclass(frozen=True)
class TagInfo:
    name: str
    description: str
    class_name: str
    operations: tuple[OperationInfo, ...] = field(default=())
    module: str = ""


@dataclass(frozen=True)
class FieldInfo:
    attr: str  # the Python attribute name
    json_name: str
    annotation: str  # the attribute's type, e.g. "Optional[str]"
    kind: str  # the runtime's field kind expression, e.g. "str"
    options: tuple[tuple[str, Any], ...]  # keyword arguments of field(): (name, value)
    doc: str  # the ``:param`` line's text
    required: bool = False
    secret: bool = False
    constraints: str = ""  # for the docs' table: limits and format, or ""
    description: str = ""
    example: Any = None


@dataclass(frozen=True)
class ModelInfo:
    name: str
    module: str
    summary: str  # the module docstring's text after "<Name>: "
    description: str
    fields: tuple[FieldInfo, ...]
    imports: tuple[str, ...]  # "datetime" / "date" when used
    refs: tuple[str, ...] = ()  # the other models its fields hold
    runtime: tuple[str, ...] = ()  # "ListOf" / "MapOf" / "Late" when used
    any_type: bool = False  # whether an annotation says Any
    late: tuple[tuple[str, str], ...] = ()  # (model, its module) held through Late
    schema: str = ""  # where it comes from in the spec (a JSON pointer)
    example: Any = None  # the schema's example, for the docs


@dataclass(frozen=True)
class Spec:
    path: str
    server_url: str
    tags: tuple[TagInfo, ...]
    models: tuple[str, ...]  # the model class names, sorted
    model_infos: tuple[ModelInfo, ...] = ()
    reports: tuple[Report, ...] = ()
    total: int = 0  # operations in the spec
    refused: tuple[str, ...] = ()  # the operations skipped ("GET /pets (findPets)")

    @property
    def generated(self) -> int:
        return sum(len(t.operations) for t in self.tags)

    def summary(self) -> str:
        """``<spec>: N of M operations generated, K refused``."""
        return (
            f"{self.path}: {self.generated} of {self.total} operations generated, "
            f"{len(self.refused)} refused"
        )

    def report_lines(self) -> list[str]:
        """The report, as ``python -m codegen`` prints it (empty when nothing is refused)."""
        lines = [r.line(self.path) for r in self.reports]
        if lines or self.refused:
            lines.append(self.summary() + (": " + "; ".join(self.refused) if self.refused else ""))
        return lines


def snake_case(name: str) -> str:
    """``ForgotPasswordData`` -> ``forgot_password_data`` (the model's module name)."""
    return snake(name)


# -- reading YAML as JSON would ----------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML as OpenAPI means it (YAML 1.2's JSON-like core): ``yes``/``no``/``on``/``off``
    stay text, and so do dates (``2020-01-01`` is a string, as in JSON)."""


_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_yaml(path: Path, display_path: str) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SpecError(f"{display_path}: cannot be read: {exc}") from None
    except RecursionError:
        raise SpecError(f"{display_path}: cannot be read: nested too deep") from None


# -- shapes --------------------------------------------------------------------------------------

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_FORMATS = {"date-time": "datetime", "date": "date"}


@dataclass(frozen=True)
class Shape:
    """What a schema becomes: a Python annotation, the runtime's kind expression, the
    rules (keyword arguments of ``field()`` / ``Parameter()``), and notes for the docs."""

    annotation: str
    kind: str
    options: tuple[tuple[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    model: bool = False  # a model (an object)
    secret: bool = False
    models: frozenset[str] = frozenset()  # the model classes it holds, at any depth
    nullable: bool = False
    example: Any = None


def _nullable_part(part: Shape) -> tuple[str, str]:
    """The annotation and kind arguments of a list's items (a map's values): a nullable
    part is ``Optional[...]`` and ``nullable=True`` on the container's kind."""
    if part.nullable:
        return f"Optional[{part.annotation}]", f"{part.kind}, nullable=True"
    return part.annotation, part.kind


def _range(lo: Any, hi: Any, unit: str) -> str:
    if lo is not None and hi is not None:
        return f"{lo}-{hi} {unit}"
    return f"at least {lo} {unit}" if lo is not None else f"at most {hi} {unit}"


def _json_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, bool, int))


def _json_value(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is JSON (finite numbers, string keys), as an example must be."""
    if depth > 50:
        return False
    if isinstance(value, list):
        return all(_json_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_value(v, depth + 1) for k, v in value.items())
    return _json_scalar(value)


@dataclass
class _ModelDraft:
    """A model while the spec is read: its class, where it comes from, its fields."""

    name: str
    spec_name: str
    where: str  # JSON pointer
    schema: dict[str, Any]
    fields: list[FieldInfo] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)
    error: Optional[Refusal] = None
    done: bool = False


@dataclass
class _OpDraft:
    info: OperationInfo
    label: str
    models: set[str]
    tag: str


class _Reader:
    """One reading of a spec: the names given so far, the models, the reports."""

    def __init__(self, raw: dict[str, Any], display_path: str) -> None:
        self.raw = raw
        self.display = display_path
        self.reports: dict[tuple[str, str], list[str]] = {}
        self.classes = Namespace(
            naming.MODULE_RESERVED | naming.runtime_public_names(), fold=True, numbered=True
        )
        self.model_modules = Namespace({"__init__"}, fold=True)
        self.api_modules = Namespace({"__init__"}, fold=True)
        self.models: dict[str, _ModelDraft] = {}  # by class name
        self.by_schema: dict[str, str] = {}  # components.schemas name -> class name
        self.inline: dict[int, str] = {}  # id(schema dict) -> class name of an inline model
        self.aliases_in_progress: set[str] = set()

    # -- reports ---------------------------------------------------------------------
    def report(self, refusal: Refusal, operation: str = "") -> None:
        ops = self.reports.setdefault((refusal.pointer, refusal.message), [])
        if operation and operation not in ops:
            ops.append(operation)

    # -- spec text -------------------------------------------------------------------
    def text(self, value: Any, where: str, *, name: bool = False) -> str:
        """A spec string (description, summary, name...): a string, without marker text;
        whitespace runs collapsed unless it is a ``name``."""
        if value is None:
            return ""
        if not isinstance(value, str):
            raise Refusal(where, f"must be a string, got {_yaml_type(value)}")
        if naming.MARKER in value.lower():
            raise Refusal(
                where,
                f"holds {naming.MARKER!r} marker text (refused: it could forge the marker "
                "of a generated span)",
            )
        return value if name else collapse(value)

    def scan(self, value: Any, where: str, depth: int = 0) -> None:
        """Refuse marker text anywhere in ``value`` (keys and strings, at any depth)."""
        if depth > 60:
            raise Refusal(where, "nested too deep")
        if isinstance(value, str):
            self.text(value, where, name=True)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    self.text(key, where, name=True)
                self.scan(
                    item, f"{where}/{str(key).replace('~', '~0').replace('/', '~1')}", depth + 1
                )
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.scan(item, f"{where}/{index}", depth + 1)

    # -- references ------------------------------------------------------------------
    def resolve(self, holder: Any, where: str) -> tuple[Any, str]:
        """``holder``, or what its local ``$ref`` points at (followed to the end), and
        the pointer of what was returned."""
        seen = set()
        while isinstance(holder, dict) and "$ref" in holder:
            ref = holder["$ref"]
            if not isinstance(ref, str):
                raise Refusal(where, "$ref must be a string")
            if not ref.startswith("#/"):
                raise Refusal(where, f"$ref {ref!r}: only local references (#/...) are generated")
            if ref in seen:
                raise Refusal(where, f"$ref {ref!r} refers to itself")
            seen.add(ref)
            target: Any = self.raw
            for escaped in ref[2:].split("/"):
                part = escaped.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
                if target is None:
                    raise Refusal(where, f"$ref {ref!r} is not in the spec")
            holder, where = target, ref
        return holder, where

    def schema_name(self, schema: Any) -> Optional[str]:
        """The components.schemas name a ``$ref`` schema points at, else None."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref.startswith("#/components/schemas/") and ref.count("/") == 3:
                return ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        return None

    # -- schemas ---------------------------------------------------------------------
    def is_object(self, schema: dict[str, Any], named: bool = True) -> bool:
        """Whether a schema is a model: an object with properties, an ``allOf``, or a
        named ``type: object`` with no ``additionalProperties`` schema."""
        if "allOf" in schema:
            return True
        kind = schema.get("type")
        if kind not in (None, "object"):
            return False
        if schema.get("properties"):
            return True
        extra = schema.get("additionalProperties")
        return named and kind == "object" and extra in (None, False)

    def shape(self, schema: Any, where: str, place: str, depth: int = 0) -> Shape:
        """The shape of ``schema`` (at pointer ``where``); ``place`` names an inline
        object's model (``ListPetsResponse``) should it need one."""
        if depth > 40:
            raise Refusal(where, "schema nested too deep")
        if not isinstance(schema, dict):
            raise Refusal(where, f"a schema must be a mapping, got {_yaml_type(schema)}")
        name = self.schema_name(schema)
        if name is not None:
            target, target_where = self.resolve(schema, where)
            if not isinstance(target, dict):
                raise Refusal(target_where, f"a schema must be a mapping, got {_yaml_type(target)}")
            if self.is_object(target):
                cls = self.model_for(name, target, target_where)
                return Shape(cls, cls, model=True, models=frozenset({cls}))
            # A named scalar, array or map: an alias, the same as written in place.
            if name in self.aliases_in_progress:
                raise Refusal(
                    target_where, "a schema that is only itself (an alias cycle) is not generated"
                )
            self.aliases_in_progress.add(name)
            try:
                return self.shape(target, target_where, pascal(name), depth + 1)
            finally:
                self.aliases_in_progress.discard(name)
        if "$ref" in schema:
            target, target_where = self.resolve(schema, where)
            return self.shape(target, target_where, place, depth + 1)
        self.scan(schema, where)
        for word in ("oneOf", "anyOf", "not"):
            if word in schema:
                raise Refusal(where, f"{word} is not generated (allOf is)")
        if self.is_object(schema, named=False):
            cls = self.inline_model(schema, where, place)
            shape = Shape(cls, cls, model=True, models=frozenset({cls}))
            if schema.get("nullable") is True:
                return Shape(
                    cls,
                    cls,
                    (("nullable", True),),
                    ("may be null",),
                    True,
                    models=shape.models,
                    nullable=True,
                )
            return shape
        kind = schema.get("type")
        options: list[tuple[str, Any]] = []
        notes: list[str] = []
        nullable = _flag(schema, "nullable", where)
        if nullable:
            options.append(("nullable", True))
            notes.append("may be null")
        example = _example(schema, where)
        if kind == "array":
            if "items" not in schema:
                raise Refusal(where, "an array without items is not generated")
            item = self.shape(schema["items"], f"{where}/items", place + "Item", depth + 1)
            item_annotation, item_kind = _nullable_part(item)
            options.extend(o for o in item.options if o[0] != "nullable")
            notes.extend(item.notes)
            _size_limits(schema, "Items", "items", options, notes, where)
            return Shape(
                f"list[{item_annotation}]",
                f"ListOf({item_kind})",
                tuple(options),
                tuple(notes),
                models=item.models,
                nullable=nullable,
                example=example,
                secret=item.secret,
            )
        if kind == "object" or (kind is None and "additionalProperties" in schema):
            extra = schema.get("additionalProperties", True)
            if extra is True or extra == {}:
                return Shape(
                    "dict[str, Any]",
                    "MapOf(object)",
                    tuple(options),
                    tuple(notes),
                    nullable=nullable,
                    example=example,
                )
            if extra is False:
                raise Refusal(where, "an object that may hold nothing is not generated")
            value = self.shape(extra, f"{where}/additionalProperties", place + "Value", depth + 1)
            value_annotation, value_kind = _nullable_part(value)
            options.extend(o for o in value.options if o[0] != "nullable")
            notes.extend(value.notes)
            return Shape(
                f"dict[str, {value_annotation}]",
                f"MapOf({value_kind})",
                tuple(options),
                tuple(notes),
                models=value.models,
                nullable=nullable,
                example=example,
                secret=value.secret,
            )
        enum = schema.get("enum")
        if enum is not None:
            if not isinstance(enum, list) or not enum:
                raise Refusal(f"{where}/enum", "enum must be a non-empty list")
            for index, value in enumerate(enum):
                if not _json_scalar(value):
                    raise Refusal(
                        f"{where}/enum/{index}",
                        "an enum value must be a JSON string, number, boolean or null, "
                        f"got {_yaml_type(value)}",
                    )
                if isinstance(value, str):
                    self.text(value, f"{where}/enum/{index}", name=True)
            if None in enum:
                if not nullable:
                    options.append(("nullable", True))
                    notes.append("may be null")
                    nullable = True
                enum = [v for v in enum if v is not None]
            if kind is None:
                kind = _enum_type(enum)
        if kind is None:
            # Any JSON value (no type): as it came.
            return Shape(
                "Any", "object", tuple(options), tuple(notes), nullable=True, example=example
            )
        python = _SCALARS.get(kind) if isinstance(kind, str) else None
        if python is None:
            raise Refusal(
                f"{where}/type",
                f"type {kind!r} is not generated (string, integer, number, boolean, array, "
                "object or a $ref)",
            )
        fmt = schema.get("format")
        if fmt is not None and not isinstance(fmt, str):
            raise Refusal(f"{where}/format", f"format must be a string, got {_yaml_type(fmt)}")
        if python == "str":
            python = _FORMATS.get(str(fmt), python)
            if fmt == "binary":
                raise Refusal(
                    where, "a binary string inside JSON is not generated (a non-JSON body is)"
                )
        _size_limits(schema, "Length", "length", options, notes, where)
        least = _number(schema, "minimum", where)
        most = _number(schema, "maximum", where)
        for word in ("exclusiveMinimum", "exclusiveMaximum"):
            if schema.get(word) not in (None, False):
                raise Refusal(f"{where}/{word}", f"{word} is not generated")
        if _number(schema, "multipleOf", where) is not None:
            raise Refusal(f"{where}/multipleOf", "multipleOf is not generated")
        if least is not None:
            options.append(("minimum", least))
        if most is not None:
            options.append(("maximum", most))
        if least is not None and most is not None:
            notes.append(f"{least}-{most}")
        elif least is not None:
            notes.append(f"at least {least}")
        elif most is not None:
            notes.append(f"at most {most}")
        if enum is not None:
            wanted = {"str": str, "int": int, "float": (int, float), "bool": bool}.get(python, str)
            for index, value in enumerate(enum):
                wrong = not isinstance(value, wanted) or (
                    python != "bool" and isinstance(value, bool)
                )
                if wrong:
                    raise Refusal(
                        f"{where}/enum/{index}", f"enum value {value!r} is not of type {kind}"
                    )
            values = tuple(enum)
            options.append(("enum", values))
            notes.append("one of " + ", ".join(_enum_note(v) for v in values))
        pattern = schema.get("pattern")
        if pattern is not None:
            if not isinstance(pattern, str):
                raise Refusal(
                    f"{where}/pattern", f"pattern must be a string, got {_yaml_type(pattern)}"
                )
            try:  # ECMA-262, as OpenAPI says: what cannot be translated is refused here
                compile_pattern(pattern)
            except (ValueError, RecursionError, OverflowError) as exc:
                raise Refusal(f"{where}/pattern", f"pattern {pattern!r} {exc}") from None
            options.append(("pattern", pattern))
            notes.append(f"pattern {_code(pattern)}")
        if fmt is not None and python in ("str", "datetime", "date"):
            options.append(("format", fmt))
            notes.append(f"format {_code(fmt)}")
        secret = _flag(schema, "x-secret", where)
        if secret:
            options.append(("secret", True))
        return Shape(
            python,
            python,
            tuple(options),
            tuple(notes),
            secret=secret,
            nullable=nullable,
            example=example,
        )

    # -- models ----------------------------------------------------------------------
    def model_for(self, spec_name: str, schema: dict[str, Any], where: str) -> str:
        """The class of components.schemas ``spec_name`` (built on first use)."""
        cls = self.by_schema.get(spec_name)
        if cls is None:
            cls = self.classes.claim(pascal(spec_name), spec_name)
            self.by_schema[spec_name] = cls
            self.models[cls] = _ModelDraft(cls, spec_name, where, schema)
            self.build(self.models[cls])
        return cls

    def inline_model(self, schema: dict[str, Any], where: str, place: str) -> str:
        """The class of an inline object, named from its place (``ListPetsResponse``)."""
        cls = self.inline.get(id(schema))
        if cls is None:
            cls = self.classes.claim(pascal(place), where)
            self.inline[id(schema)] = cls
            self.models[cls] = _ModelDraft(cls, place, where, schema)
            self.build(self.models[cls])
        return cls

    def build(self, draft: _ModelDraft) -> None:
        try:
            self.scan(draft.schema, draft.where)
            properties, required = self.merged(draft.schema, draft.where, set())
            attrs = Namespace(naming.MODEL_RESERVED)
            for json_name, (prop, prop_where) in properties.items():
                shape = self.shape(prop, prop_where, draft.name + pascal(json_name))
                draft.refs |= shape.models
                draft.fields.append(
                    _field(
                        attrs.claim(snake(json_name), json_name),
                        json_name,
                        prop,
                        shape,
                        json_name in required,
                        self,
                        prop_where,
                    )
                )
            missing = sorted(required - set(properties))
            if missing:
                raise Refusal(
                    f"{draft.where}/required",
                    f"required names {', '.join(map(repr, missing))}, which are not properties",
                )
        except Refusal as exc:
            draft.error = exc
        draft.done = True

    def merged(
        self, schema: dict[str, Any], where: str, seen: set[str]
    ) -> tuple[dict[str, tuple[Any, str]], set[str]]:
        """The properties (each with its pointer) and required names of an object schema,
        ``allOf`` parts merged in order (a later part's property replaces an earlier one)."""
        properties: dict[str, tuple[Any, str]] = {}
        required: set[str] = set()
        for word in ("oneOf", "anyOf", "not"):
            if word in schema:
                raise Refusal(where, f"{word} is not generated (allOf is)")
        parts = schema.get("allOf")
        if parts is not None:
            if not isinstance(parts, list) or not parts:
                raise Refusal(f"{where}/allOf", "allOf must be a non-empty list")
            for index, part in enumerate(parts):
                part_where = f"{where}/allOf/{index}"
                name = self.schema_name(part)
                target, target_where = self.resolve(part, part_where)
                if not isinstance(target, dict):
                    raise Refusal(
                        part_where, f"a schema must be a mapping, got {_yaml_type(target)}"
                    )
                if name is not None:
                    if name in seen:
                        raise Refusal(part_where, f"allOf includes {name!r} within itself")
                    seen = seen | {name}
                if not self.is_object(target) and target.get("type") != "object":
                    raise Refusal(
                        part_where, "an allOf part that is not an object is not generated"
                    )
                more, more_required = self.merged(target, target_where, seen)
                properties.update(more)
                required |= more_required
        own = schema.get("properties") or {}
        if not isinstance(own, dict):
            raise Refusal(
                f"{where}/properties", f"properties must be a mapping, got {_yaml_type(own)}"
            )
        for key, prop in own.items():
            if not isinstance(key, str):
                raise Refusal(
                    f"{where}/properties", f"property name {key!r} is not a string (quote it)"
                )
            properties[key] = (
                prop if prop is not None else {},
                f"{where}/properties/{key.replace('~', '~0').replace('/', '~1')}",
            )
        names = schema.get("required") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise Refusal(f"{where}/required", "required must be a list of property names")
        required |= set(names)
        return properties, required

    # -- operations ------------------------------------------------------------------
    def body(self, holder: Any, where: str, place: str) -> tuple[Optional[Shape], str, Any]:
        """The shape of a request or response body (None: no content), its media type,
        and its example."""
        if not isinstance(holder, dict):
            raise Refusal(where, f"must be a mapping, got {_yaml_type(holder)}")
        content = holder.get("content")
        if not content:
            return None, "", None
        if not isinstance(content, dict):
            raise Refusal(f"{where}/content", "content must be a mapping of media types")
        medias = [m for m in content if isinstance(m, str)]
        chosen = next((m for m in medias if _is_json(m)), None)
        if chosen is None:
            form = next(
                (
                    m
                    for m in medias
                    if m.lower().startswith(("multipart/", "application/x-www-form-urlencoded"))
                ),
                None,
            )
            if form is not None and len(medias) == 1:
                raise Refusal(
                    f"{where}/content/{_escape_pointer(form)}", f"a {form} body is not generated"
                )
            chosen = next(
                (
                    m
                    for m in medias
                    if not m.lower().startswith(("multipart/", "application/x-www-form-urlencoded"))
                ),
                None,
            )
            if chosen is None:
                raise Refusal(f"{where}/content", "no media type here is generated")
            self.text(chosen, f"{where}/content", name=True)
            if not re.fullmatch(
                r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+", chosen.split(";")[0].strip()
            ):
                raise Refusal(f"{where}/content", f"media type {chosen!r} is not a type/subtype")
            media = content[chosen] if isinstance(content[chosen], dict) else {}
            return Shape("bytes", f"Body(bytes, {naming.py_str(chosen)})"), chosen, None
        self.text(chosen, f"{where}/content", name=True)
        media = content[chosen]
        media_where = f"{where}/content/{_escape_pointer(chosen)}"
        if not isinstance(media, dict):
            raise Refusal(media_where, "a media type must be a mapping")
        schema = media.get("schema")
        if schema is None:
            return Shape("Any", "Body(object)", nullable=True), chosen, None
        shape = self.shape(schema, f"{media_where}/schema", place)
        example = _example(media, media_where)
        return shape, chosen, example if example is not None else shape.example

    def operation(
        self, path: str, method: str, op: Any, item: dict[str, Any], label_box: list[str]
    ) -> _OpDraft:
        where = pointer("paths", path, method)
        if not isinstance(op, dict):
            raise Refusal(where, f"an operation must be a mapping, got {_yaml_type(op)}")
        self.text(path, pointer("paths", path), name=True)
        spec_id = op.get("operationId")
        if spec_id is None:
            spec_id = f"{method} {path}"
        spec_id = self.text(spec_id, f"{where}/operationId", name=True)
        label_box[0] = f"{method.upper()} {path} ({spec_id})"
        self.scan(op, where)
        for key in ("summary", "description"):
            self.text(op.get(key), f"{where}/{key}")
        tags = op.get("tags") or ["Default"]
        if not isinstance(tags, list) or not isinstance(tags[0], str):
            raise Refusal(f"{where}/tags", "tags must be a list of names")
        tag = self.text(tags[0], f"{where}/tags/0", name=True)
        if not path.startswith("/"):
            raise Refusal(pointer("paths", path), "a path must start with /")
        place = pascal(spec_id)
        used: set[str] = set()
        # The body.
        body_shape = None
        body_media = ""
        body_example = None
        body_description = ""
        request_body = op.get("requestBody")
        body_required = True
        if request_body is not None:
            request_body, body_where = self.resolve(request_body, f"{where}/requestBody")
            if not isinstance(request_body, dict):
                raise Refusal(body_where, "requestBody must be a mapping")
            self.scan({k: v for k, v in request_body.items() if k != "content"}, body_where)
            body_place = place + "Request"
            if body_where.startswith("#/components/requestBodies/"):
                body_place = pascal(body_where.rsplit("/", 1)[-1])
            body_shape, body_media, body_example = self.body(request_body, body_where, body_place)
            body_required = _flag(request_body, "required", body_where)
            body_description = self.text(
                request_body.get("description"), f"{body_where}/description"
            )
        if body_shape is not None:
            used |= body_shape.models
            if body_shape.nullable and not body_shape.model and body_shape.kind != "Body(object)":
                raise Refusal(f"{where}/requestBody", "a nullable body is not generated")
        # The answers.
        responses_raw = op.get("responses")
        if not isinstance(responses_raw, dict) or not responses_raw:
            raise Refusal(f"{where}/responses", "an operation must declare its responses")
        responses: list[tuple[int, str]] = []
        errors: list[tuple[int, str]] = []
        response_headers: list[tuple[int, tuple[str, ...]]] = []
        media_types: list[tuple[int, str]] = []
        success: Optional[Shape] = None
        success_example = None
        default_kind = ""
        default_description = ""
        for status, declared in responses_raw.items():
            status_where = f"{where}/responses/{status}"
            answer, answer_where = self.resolve(declared, status_where)
            if not isinstance(answer, dict):
                raise Refusal(answer_where, "a response must be a mapping")
            self.scan({k: v for k, v in answer.items() if k != "content"}, answer_where)
            code = str(status)
            if code != "default" and not re.fullmatch(r"[1-5][0-9][0-9]", code):
                raise Refusal(
                    status_where,
                    f"status {code!r}: only numbered statuses and `default` are generated",
                )
            answer_place = place + (
                "Response" if code.startswith("2") else f"Response{code.title()}"
            )
            if answer_where.startswith("#/components/responses/"):  # shared: named for itself
                answer_place = pascal(answer_where.rsplit("/", 1)[-1])
            shape, media, example = self.body(answer, answer_where, answer_place)
            kind = ""
            if shape is not None:
                used |= shape.models
                kind = _body_kind(shape)
            description = self.text(answer.get("description"), f"{answer_where}/description")
            if code == "default":
                default_kind = kind or "NO_BODY"
                default_description = description
                continue
            number = int(code)
            responses.append((number, kind))
            required_headers = []
            headers = answer.get("headers") or {}
            if not isinstance(headers, dict):
                raise Refusal(f"{answer_where}/headers", "headers must be a mapping")
            for header_name, declared_header in headers.items():
                header, _ = self.resolve(declared_header, f"{answer_where}/headers/{header_name}")
                if isinstance(header, dict) and header.get("required") is True:
                    if not isinstance(header_name, str) or not re.fullmatch(
                        r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", header_name
                    ):
                        raise Refusal(
                            f"{answer_where}/headers",
                            f"header name {header_name!r} is not an HTTP token",
                        )
                    required_headers.append(header_name)
            if required_headers:
                response_headers.append((number, tuple(required_headers)))
            if media:
                media_types.append((number, media))
            if code.startswith("2"):
                if success is None and shape is not None:
                    success, success_example = shape, example
            else:
                errors.append((number, description))
        # The parameters.
        declared_params = [*(item.get("parameters") or []), *(op.get("parameters") or [])]
        params = self.params(declared_params, path, where, item)
        return _OpDraft(
            OperationInfo(
                operation_id=snake(spec_id),
                method=method.upper(),
                path=path,
                wire_path=_wire_path(path),
                tag=tag,
                summary=_headline(
                    self.text(op.get("summary"), f"{where}/summary"),
                    self.text(op.get("description"), f"{where}/description", name=True),
                    f"{method.upper()} {path}",
                ),
                body_schema=body_shape.annotation if body_shape else None,
                success_schema=success.annotation if success else None,
                description=self.text(op.get("description"), f"{where}/description"),
                errors=tuple(errors),
                params=params,
                body_required=body_required,
                responses=tuple(responses),
                response_headers=tuple(response_headers),
                media_types=tuple(media_types),
                keyed=method.upper() not in ("GET", "HEAD", "OPTIONS"),
                body_description=body_description,
                spec_id=spec_id,
                body_kind=(body_shape.kind if body_shape.model else _body_kind(body_shape))
                if body_shape
                else "None",
                success_kind=_body_kind(success) if success else "None",
                default_kind=default_kind,
                default_description=default_description,
                body_media_type=body_media
                if body_shape and body_shape.annotation == "bytes"
                else "",
                models=tuple(sorted(used)),
                body_model=_single_model(body_shape),
                success_model=_single_model(success),
                body_example=body_example,
                success_example=success_example,
            ),
            label_box[0],
            used,
            tag,
        )

    def params(
        self, declared: list[Any], path: str, where: str, item: dict[str, Any]
    ) -> tuple[ParamInfo, ...]:
        """The parameters of one operation: path ones first, then the required query and
        header ones, then the optional ones (each group in spec order)."""
        out: dict[tuple[str, str], ParamInfo] = {}
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for index, entry in enumerate(declared):
            param, param_where = self.resolve(entry, f"{where}/parameters/{index}")
            if not isinstance(param, dict):
                raise Refusal(param_where, "a parameter must be a mapping")
            name, location = param.get("name"), param.get("in")
            if not isinstance(name, str) or not name:
                raise Refusal(param_where, "a parameter must have a name")
            if not isinstance(location, str):
                raise Refusal(param_where, "a parameter must say where it goes (in)")
            found[(location, name)] = (param, param_where)  # an operation's replaces its path's
        attrs = Namespace(naming.PARAM_RESERVED)
        drafts = []
        for (location, name), (param, here) in found.items():
            self.scan(param, here)
            if location == "cookie":
                raise Refusal(here, f"cookie parameter {name!r} is not generated")
            if location not in ("path", "query", "header"):
                raise Refusal(f"{here}/in", "`in` must be path, query or header")
            if location == "header" and name.lower() in RUNTIME_HEADERS:
                continue
            if location == "header" and name.lower() in ("accept", "content-type", "authorization"):
                raise Refusal(
                    here, f"header parameter {name!r} is set by the client, not generated"
                )
            if location == "header" and not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", name):
                raise Refusal(here, f"header name {name!r} is not an HTTP token")
            if param.get("style") not in (None, "simple" if location != "query" else "form"):
                raise Refusal(
                    f"{here}/style", f"parameter {name!r}: only the default style is generated"
                )
            if location == "query" and param.get("explode") is False:
                raise Refusal(
                    f"{here}/explode",
                    f"parameter {name!r}: only exploded query arrays (the default) are generated",
                )
            if "content" in param and "schema" not in param:
                raise Refusal(
                    here, f"parameter {name!r}: a parameter with content is not generated"
                )
            if location == "path" and "{" + name + "}" not in path:
                raise Refusal(here, f"path parameter {name!r} is not in the path {path}")
            drafts.append((location, name, param, here))
        for location, name, param, here in drafts:
            required = _flag(param, "required", here) or location == "path"
            shape = self.shape(param.get("schema") or {}, f"{here}/schema", "Param")
            if shape.models:
                raise Refusal(here, f"an object cannot be a {location} parameter ({name!r})")
            if shape.annotation.startswith("dict") or shape.annotation == "Any":
                raise Refusal(
                    here,
                    f"parameter {name!r}: a map or an untyped value cannot be a "
                    f"{location} parameter",
                )
            if shape.annotation.startswith("list[list") or (
                location == "path" and shape.annotation.startswith("list")
            ):
                raise Refusal(
                    here, f"parameter {name!r}: this array cannot be a {location} parameter"
                )
            description = self.text(param.get("description"), f"{here}/description")
            attr = attrs.claim(snake(name), name)
            options: list[tuple[str, Any]] = []
            if required:
                options.append(("required", True))
            options.extend(o for o in shape.options if o[0] not in ("nullable", "secret"))
            if shape.secret or _flag(param, "x-secret", here):
                options.append(("secret", True))
            options.append(("description", description))
            doc = (description.rstrip(".") or name) + (f"; ``{name}`` in the {location}")
            notes = [n for n in shape.notes if n != "may be null"]
            doc += f" ({'; '.join(notes)})." if notes else "."
            example = _example(param, here)
            out[(location, name)] = ParamInfo(
                attr,
                name,
                location,
                shape.annotation,
                shape.kind,
                tuple(options),
                doc,
                required,
                description,
                re.sub(r"(\d)-(\d)", "\\1\u2013\\2", "; ".join(notes)),
                example if example is not None else shape.example,
            )
        for name in re.findall(r"{([^}]*)}", path):
            if ("path", name) not in out:
                raise Refusal(pointer("paths", path), f"path parameter {{{name}}} is not declared")
        if path.count("{") != path.count("}"):
            raise Refusal(pointer("paths", path), "the path's braces are unbalanced")
        order = {"path": 0, "query": 1, "header": 2}
        params = sorted(
            out.values(), key=lambda p: (p.location != "path", not p.required, order[p.location])
        )
        return tuple(params)


#: A header parameter the runtime owns: it is the ``_idempotency_key`` option of every
#: method that takes one, not a parameter of its own.
RUNTIME_HEADERS = frozenset({"idempotency-key"})


def _wire_path(path: str) -> str:
    """The path template as it goes on the wire: the text between parameters
    percent-encoded where a URL path cannot carry it as it is (``"``, ``\\``, spaces,
    non-ASCII...); the ``{name}`` parameters left for the runtime to fill."""
    from urllib.parse import quote

    parts = re.split(r"(\{[^{}]*\})", path)
    return "".join(
        part if part.startswith("{") else quote(part, safe="/:@!$&'()*+,;=-._~%") for part in parts
    )


def _headline(summary: str, description: str, fallback: str) -> str:
    """The operation's one line: its summary, else the first line (or sentence) of its
    description, at most 100 characters, else its method and path."""
    if summary:
        return summary
    first = collapse(description.strip().split("\n", 1)[0]) if description.strip() else ""
    first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".")
    if len(first) > 100:
        first = first[:100].rsplit(" ", 1)[0] + "…"
    return first or fallback


def _escape_pointer(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _is_json(media: str) -> bool:
    base = media.split(";", maxsplit=1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or (base == "*/*" and False)


def _body_kind(shape: Shape) -> str:
    """The Operation's expression for a body of ``shape``: a model class as itself, any
    other kind wrapped in ``Body(...)``."""
    if shape.model and not shape.nullable:
        return shape.kind
    if shape.kind.startswith("Body("):
        return shape.kind
    return f"Body({shape.kind})"


def _single_model(shape: Optional[Shape]) -> Optional[str]:
    if shape is None or len(shape.models) != 1:
        return None
    return next(iter(shape.models))


def _yaml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "null"
    return type(value).__name__


def _flag(holder: dict[str, Any], key: str, where: str) -> bool:
    value = holder.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Refusal(f"{where}/{key}", f"{key} must be true or false, got {_yaml_type(value)}")
    return value


def _number(schema: dict[str, Any], key: str, where: str) -> Any:
    value = schema.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Refusal(f"{where}/{key}", f"{key} must be a finite number, got {value!r}")
    return value


def _example(holder: dict[str, Any], where: str) -> Any:
    """The ``example`` (or the first of ``examples``) when it is JSON, else None."""
    value = holder.get("example")
    if value is None and isinstance(holder.get("examples"), dict):
        first = next(iter(holder["examples"].values()), None)
        if isinstance(first, dict):
            value = first.get("value")
    if value is not None and not _json_value(value):
        raise Refusal(f"{where}/example", "an example must be JSON (finite numbers, string keys)")
    return value


def _enum_type(values: list[Any]) -> Optional[str]:
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "number"
    if values and all(isinstance(v, str) for v in values):
        return "string"
    return None


def _enum_note(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return _code(str(value))


def _code(text: str) -> str:
    """``text`` as a code span for the docs' notes when it is plain, else quoted (then
    escaped as any text is): spec text never opens or closes a code span."""
    if re.fullmatch(r"[\w .:/@+\-]*", text):
        return f"`{text}`"
    return '"' + text + '"'


def _size_limits(
    schema: Any,
    keyword: str,
    option: str,
    options: list[tuple[str, Any]],
    notes: list[str],
    where: str,
) -> None:
    """``minItems``/``maxItems`` (``keyword`` "Items") or ``minLength``/``maxLength``
    ("Length") as the options ``min_items``... and a note for the docs."""
    lo, hi = schema.get(f"min{keyword}"), schema.get(f"max{keyword}")
    for key, value in ((f"min{keyword}", lo), (f"max{keyword}", hi)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise Refusal(
                f"{where}/{key}", f"{key} must be a whole number, 0 or more, got {value!r}"
            )
    if lo is not None:
        options.append((f"min_{option}", lo))
    if hi is not None:
        options.append((f"max_{option}", hi))
    if lo is not None or hi is not None:
        notes.append(_range(lo, hi, "items" if option == "items" else "characters"))


def _field(
    attr: str, json_name: str, prop: Any, shape: Shape, required: bool, reader: _Reader, where: str
) -> FieldInfo:
    """One property as a model field (received-only typing is settled later)."""
    description = reader.text(
        prop.get("description") if isinstance(prop, dict) else None, f"{where}/description"
    )
    if isinstance(prop, dict) and "$ref" in prop:
        target, _ = reader.resolve(prop, where)
        if not description and isinstance(target, dict) and not reader.is_object(target):
            description = reader.text(target.get("description"), f"{where}/description")
    options: list[tuple[str, Any]] = [("default", None)]
    notes: list[str] = []
    if required:
        options.append(("required", True))
        notes.append("required")
    options.extend(o for o in shape.options if o[0] != "secret")
    notes.extend(shape.notes)
    secret = shape.secret or (isinstance(prop, dict) and _flag(prop, "x-secret", where))
    if secret:
        options.append(("secret", True))
        notes.append("secret")
    options.append(("description", description))
    doc = description.rstrip(".") or json_name
    if attr != json_name:
        doc += f"; JSON ``{json_name}``"
    doc += f" ({'; '.join(notes)})." if notes else "."
    limits = [n for n in notes if n not in ("required", "secret")]
    example = _example(prop, where) if isinstance(prop, dict) else None
    return FieldInfo(
        attr,
        json_name,
        f"Optional[{shape.annotation}]" if shape.annotation != "Any" else "Any",
        shape.kind,
        tuple(options),
        doc,
        required=required,
        secret=secret,
        constraints=re.sub(r"(\d)-(\d)", "\\1\u2013\\2", "; ".join(limits)),
        description=description,
        example=example if example is not None else shape.example,
    )


def _received_only(f: FieldInfo) -> FieldInfo:
    """In a model only ever received (an answer's), a required, non-nullable field is
    typed as its value, never None, and has no default for type checkers: the SDK
    refuses an answer without it."""
    if not f.required or ("nullable", True) in f.options or f.annotation == "Any":
        return f
    return FieldInfo(
        f.attr,
        f.json_name,
        f.annotation[len("Optional[") : -1],
        f.kind,
        tuple(o for o in f.options if o[0] != "default"),
        f.doc,
        f.required,
        f.secret,
        f.constraints,
        f.description,
        f.example,
    )


def load(spec_path: Path, display_path: str) -> Spec:
    """Read *spec_path*; *display_path* is how generated files name it (relative, stable)."""
    raw = read_yaml(spec_path, display_path)
    if not isinstance(raw, dict) or not isinstance(raw.get("paths"), dict):
        raise SpecError(f"{display_path}: not an OpenAPI document (no `paths` mapping)")
    version = raw.get("openapi")
    if not isinstance(version, str) or not version.startswith("3.0"):
        raise SpecError(f"{display_path}: `openapi` must be 3.0.x (got {version!r})")
    reader = _Reader(raw, display_path)
    server_url = "/"
    try:
        servers = raw.get("servers") or [{"url": "/"}]
        if not isinstance(servers, list) or not isinstance(servers[0], dict):
            raise Refusal("#/servers", "servers must be a list of mappings")
        server_url = reader.text(servers[0].get("url", "/"), "#/servers/0/url", name=True)
    except Refusal as exc:
        reader.report(exc)
    tag_docs: dict[str, str] = {}
    bad_tags: dict[str, Refusal] = {}
    for index, tag in enumerate(raw.get("tags") or []):
        if not isinstance(tag, dict) or not isinstance(tag.get("name"), str):
            continue
        try:
            reader.text(tag["name"], f"#/tags/{index}/name", name=True)
            tag_docs[tag["name"]] = reader.text(
                tag.get("description"), f"#/tags/{index}/description"
            )
        except Refusal as exc:
            bad_tags[tag["name"]] = exc
    drafts: list[_OpDraft] = []
    refused: list[str] = []
    total = 0
    for path, item in raw["paths"].items():
        if not isinstance(path, str) or not isinstance(item, dict):
            reader.report(
                Refusal(pointer("paths", path), "a path item must be a mapping under a string path")
            )
            continue
        for method in METHODS:
            if method not in item:
                continue
            total += 1
            label = [f"{method.upper()} {path}"]
            try:
                draft = reader.operation(path, method, item[method], item, label)
                if draft.tag in bad_tags:
                    raise bad_tags[draft.tag]
            except Refusal as exc:
                reader.report(exc, label[0])
                refused.append(label[0])
                continue
            drafts.append(draft)
    # A model is refused if it, or a model it holds, could not be built.
    broken = _broken_models(reader.models)
    kept: list[_OpDraft] = []
    for draft in drafts:
        reach = _reach(reader.models, draft.models)
        bad = sorted(m for m in reach if m in broken)
        if bad:
            reader.report(broken[bad[0]], draft.label)
            refused.append(draft.label)
        else:
            kept.append(draft)
    if total == 0:
        raise SpecError(f"{display_path}: the spec has no operations")
    if not kept:
        lines = [
            Report(p, m, tuple(ops)).line(display_path) for (p, m), ops in reader.reports.items()
        ]
        raise SpecError(
            f"{display_path}: none of its {total} operations can be generated:\n" + "\n".join(lines)
        )
    return _assemble(reader, raw, kept, refused, total, server_url, tag_docs)


def _broken_models(models: dict[str, _ModelDraft]) -> dict[str, Refusal]:
    """The models that cannot be generated, each with the refusal that explains it (its
    own, or that of a model it holds)."""
    broken = {name: m.error for name, m in models.items() if m.error is not None}
    changed = True
    while changed:
        changed = False
        for name, model in models.items():
            if name in broken:
                continue
            for ref in sorted(model.refs):
                if ref in broken:
                    broken[name] = broken[ref]
                    changed = True
                    break
    return broken  # type: ignore[return-value]


def _reach(models: dict[str, _ModelDraft], start: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(models[name].refs if name in models else ())
    return seen


def _assemble(
    reader: _Reader,
    raw: dict[str, Any],
    kept: list[_OpDraft],
    refused: list[str],
    total: int,
    server_url: str,
    tag_docs: dict[str, str],
) -> Spec:
    by_tag: dict[str, list[_OpDraft]] = {}
    for draft in kept:
        by_tag.setdefault(draft.tag, []).append(draft)
    declared = [t for t in tag_docs if t in by_tag] + [t for t in by_tag if t not in tag_docs]
    tag_classes: dict[str, str] = {}
    for name in declared:
        cls = reader.classes.next_free(pascal(name) + "Api", also="Async")
        reader.classes.claim(cls, name)
        reader.classes.add("Async" + cls)
        tag_classes[name] = cls
    models_used = _reach(reader.models, {m for d in kept for m in d.models})
    class_names = set(reader.classes.taken) | set(models_used) | set(tag_classes.values())
    tags = []
    for name in declared:
        cls = tag_classes[name]
        methods = Namespace(naming.METHOD_RESERVED)
        constants = Namespace(
            naming.MODULE_RESERVED | class_names | {c.upper() for c in class_names}
        )
        ops = []
        for draft in by_tag[name]:
            info = draft.info
            method = info.operation_id
            while not (methods.free(method) and methods.free(method + "_with_http_info")):
                method += "_"
            methods.claim(method, info.spec_id)
            methods.add(method + "_with_http_info")
            ops.append((method, draft))
        ops.sort(key=lambda pair: pair[0])
        infos = []
        for method, draft in ops:
            info = draft.info
            short = method
            prefix, suffix = snake(name) + "_", "_" + info.method.lower()
            short = (
                short[len(prefix) :]
                if short.startswith(prefix) and len(short) > len(prefix)
                else short
            )
            short = (
                short[: -len(suffix)]
                if short.endswith(suffix) and len(short) > len(suffix)
                else short
            )
            constant = constants.claim(short.upper(), info.spec_id)
            infos.append(_replace(info, operation_id=method, constant=constant, tag=name))
        tags.append(
            TagInfo(
                name=name,
                description=tag_docs.get(name, ""),
                class_name=cls,
                operations=tuple(infos),
                module=reader.api_modules.claim(snake(cls), cls),
            )
        )
    model_infos = _model_infos(reader, models_used, tags)
    reports = tuple(Report(p, m, tuple(ops)) for (p, m), ops in reader.reports.items())
    return Spec(
        reader.display,
        server_url,
        tuple(tags),
        tuple(m.name for m in model_infos),
        model_infos,
        reports,
        total,
        tuple(refused),
    )


def _replace(info: OperationInfo, **changes: Any) -> OperationInfo:
    from dataclasses import replace

    return replace(info, **changes)


def _sccs(models: dict[str, _ModelDraft], names: set[str]) -> dict[str, int]:
    """Each model's strongly connected component (Tarjan): models of one component hold
    each other, so their kinds are bound late."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comp: dict[str, int] = {}
    counter = [0, 0]

    def visit(start: str) -> None:
        work = [(start, iter(sorted(models[start].refs & names)))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(models[child].refs & names))))
                    advanced = True
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on.discard(member)
                    comp[member] = counter[1]
                    if member == node:
                        break
                counter[1] += 1

    for name in sorted(names):
        if name not in index:
            visit(name)
    return comp


def _model_infos(reader: _Reader, used: set[str], tags: list[TagInfo]) -> tuple[ModelInfo, ...]:
    models = reader.models
    ops = [o for t in tags for o in t.operations]
    sent = _reach(models, {m for o in ops for m in _models_of(o.body_kind, used)})
    comp = _sccs(models, used)
    modules = {name: reader.model_modules.claim(snake(name), name) for name in sorted(used)}
    out = []
    for name in sorted(used):
        draft = models[name]
        fields = tuple(draft.fields if name in sent else (_received_only(f) for f in draft.fields))
        late = sorted(r for r in draft.refs if comp.get(r) == comp[name])
        late_kinds = {r: r if r == name else f"_{modules[r]}.{r}" for r in late}
        fields = tuple(_late_field(f, late_kinds) for f in fields)
        sent_by = list(dict.fromkeys(_short(o.path) for o in ops if o.body_model == name))
        got_by = list(dict.fromkeys(_short(o.path) for o in ops if o.success_model == name))
        roles = []
        if sent_by:
            roles.append("the body of " + " and ".join(f"``{s}``" for s in sent_by))
        if got_by:
            roles.append("the answer of " + " and ".join(f"``{s}``" for s in got_by))
        errors = any(name == m for o in ops for st, m in o.responses if st >= 300)
        if not roles and (errors or any(o.default_kind == name for o in ops)):
            roles.append("the body of an error answer")
        words = {k for f in fields for k in re.findall(r"\w+", f.kind)}
        imports = tuple(sorted(words & {"date", "datetime"}))
        refs = tuple(sorted((draft.refs & used) - {name} - set(late)))
        runtime = tuple(sorted(words & {"ListOf", "MapOf", "Late"}))
        description = draft.schema.get("description")
        out.append(
            ModelInfo(
                name=name,
                module=modules[name],
                summary="; ".join(roles) or "a schema of the API",
                description=collapse(description)
                if isinstance(description, str) and description.strip()
                else name,
                fields=fields,
                imports=imports,
                refs=refs,
                runtime=runtime,
                any_type=any("Any" in f.annotation for f in fields),
                late=tuple((r, modules[r]) for r in late if r != name),
                schema=draft.where,
                example=draft.schema.get("example")
                if _json_value(draft.schema.get("example"))
                else None,
            )
        )
    return tuple(out)


def _models_of(kind: str, used: set[str]) -> set[str]:
    return set(re.findall(r"\w+", kind)) & used


def _late_field(f: FieldInfo, late: dict[str, str]) -> FieldInfo:
    """``f`` with each model of its component as ``Late(lambda: Model)``: resolved at
    first use, so that a model may hold itself, or one that holds it."""
    if not late:
        return f
    kind = re.sub(
        r"\b(" + "|".join(re.escape(n) for n in late) + r")\b",
        lambda m: f"Late(lambda: {late[m.group(1)]})",
        f.kind,
    )
    return FieldInfo(
        f.attr,
        f.json_name,
        f.annotation,
        kind,
        f.options,
        f.doc,
        f.required,
        f.secret,
        f.constraints,
        f.description,
        f.example,
    )


def _short(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def models(spec_path: Path, display_path: str, spec: Spec) -> tuple[ModelInfo, ...]:
    """The model modules (read with the spec: see :func:`load`)."""
    del spec_path, display_path
    return spec.model_infos
