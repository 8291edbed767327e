"""Read an OpenAPI 3.0 spec into the few plain facts the templates need."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from persona.core.ecma_regex import compile_pattern

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(ValueError):
    """The spec cannot be generated from; the message names the spec and the place."""


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


@dataclass(frozen=True)
class OperationInfo:
    operation_id: str
    method: str
    path: str
    tag: str
    summary: str
    body_schema: str | None
    success_schema: str | None
    description: str = ""
    #: The declared error answers: (status, what it means), in the spec's order.
    errors: tuple[tuple[int, str], ...] = ()
    #: Path, query and header parameters, in the method's order (see ParamInfo).
    params: tuple[ParamInfo, ...] = ()
    body_required: bool = True
    #: Every declared status and its body's schema name ("" for no body).
    responses: tuple[tuple[int, str], ...] = ()
    #: Whether the call takes an Idempotency-Key (every method but GET, HEAD, OPTIONS).
    keyed: bool = True
    body_description: str = ""
    #: The headers each declared status must carry (the spec's ``required: true``).
    response_headers: tuple[tuple[int, tuple[str, ...]], ...] = ()
    #: The media type of each declared status that has a body.
    media_types: tuple[tuple[int, str], ...] = ()

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

    @property
    def constant(self) -> str:
        """The module constant of the operation: its id without the tag and the method,
        upper-cased (``account_forgot_pass_post`` -> ``FORGOT_PASS``)."""
        name = self.operation_id
        prefix, suffix = snake_case(self.tag) + "_", "_" + self.method.lower()
        name = name[len(prefix) :] if name.startswith(prefix) else name
        name = name[: -len(suffix)] if name.endswith(suffix) else name
        return name.upper()


@dataclass(frozen=True)
class TagInfo:
    name: str
    description: str
    class_name: str
    operations: tuple[OperationInfo, ...] = field(default=())


@dataclass(frozen=True)
class Spec:
    path: str
    server_url: str
    tags: tuple[TagInfo, ...]
    models: tuple[str, ...]


def snake_case(name: str) -> str:
    """``ForgotPasswordData`` -> ``forgot_password_data`` (the model's module name)."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"\W+", "_", name).lower()


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return None


def _json_schema(holder: Any) -> Any:
    content = holder.get("content") if isinstance(holder, dict) else None
    if not content:
        return None
    for media, value in content.items():
        if "json" in media:
            return value.get("schema")
    return None


def load(spec_path: Path, display_path: str) -> Spec:
    """Read *spec_path*; *display_path* is how generated files name it (relative, stable)."""
    try:
        raw = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{display_path}: cannot be read: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("paths"), dict):
        raise SpecError(f"{display_path}: not an OpenAPI document (no `paths`)")
    servers = raw.get("servers") or [{"url": "/"}]
    tag_docs = {t["name"]: t.get("description", "") for t in raw.get("tags") or []}
    by_tag: dict[str, list[OperationInfo]] = {}
    sends_or_returns: set[str] = set()
    for path, item in raw["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            where = f"{display_path}: {method.upper()} {path}"
            if not op.get("operationId"):
                raise SpecError(f"{where}: has no operationId")
            tags = op.get("tags") or ["Default"]
            request_body = _resolve(raw, op.get("requestBody"))
            body_schema = _json_schema(request_body)
            body = _ref_name(body_schema)
            if body_schema is not None and body is None:
                raise SpecError(f"{where}: requestBody: the body must be a $ref to a schema")
            success = None
            errors: list[tuple[int, str]] = []
            responses: list[tuple[int, str]] = []
            response_headers: list[tuple[int, tuple[str, ...]]] = []
            media_types: list[tuple[int, str]] = []
            for status, declared in (op.get("responses") or {}).items():
                answer = _resolve(raw, declared)
                if not str(status).isdigit():
                    raise SpecError(
                        f"{where}: response {status!r}: only numbered statuses are generated"
                    )
                schema = _json_schema(answer)
                model = _ref_name(schema)
                if schema is not None and model is None:
                    raise SpecError(
                        f"{where}: response {status}: the body must be a $ref to a schema"
                    )
                responses.append((int(status), model or ""))
                required = tuple(
                    str(name)
                    for name, header in (answer.get("headers") or {}).items()
                    if (_resolve(raw, header) or {}).get("required")
                )
                if required:
                    response_headers.append((int(status), required))
                if answer.get("content"):
                    media_types.append((int(status), str(next(iter(answer["content"])))))
                if str(status).startswith("2"):
                    if success is None:
                        success = model
                else:
                    errors.append(
                        (int(status), " ".join(str(answer.get("description", "")).split()))
                    )
            sends_or_returns.update(n for n in (body, *(m for _, m in responses)) if n)
            declared_params = [*(item.get("parameters") or []), *(op.get("parameters") or [])]
            params = _params(raw, declared_params, path, where)
            by_tag.setdefault(tags[0], []).append(
                OperationInfo(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    tag=tags[0],
                    summary=" ".join(str(op.get("summary", "")).split()),
                    body_schema=body,
                    success_schema=success,
                    description=" ".join(str(op.get("description", "")).split()),
                    errors=tuple(errors),
                    params=params,
                    body_required=bool(request_body and request_body.get("required")),
                    responses=tuple(responses),
                    response_headers=tuple(response_headers),
                    media_types=tuple(media_types),
                    keyed=method.upper() not in ("GET", "HEAD", "OPTIONS"),
                    body_description=" ".join(
                        str((request_body or {}).get("description", "")).split()
                    ),
                )
            )
    declared = list(tag_docs) + [t for t in by_tag if t not in tag_docs]
    tags = tuple(
        TagInfo(
            name=name,
            description=" ".join(str(tag_docs.get(name, "")).split()),
            class_name=re.sub(r"\W", "", name.title()) + "Api",
            operations=tuple(sorted(by_tag[name], key=lambda o: o.operation_id)),
        )
        for name in declared
        if name in by_tag
    )
    schemas = (raw.get("components") or {}).get("schemas") or {}
    # The models package holds every schema a call sends or gets, and those they refer to.
    reached = set()
    todo = sorted(sends_or_returns)
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        if name not in schemas:
            raise SpecError(f"{display_path}: #/components/schemas/{name} is missing")
        reached.add(name)
        todo.extend(_refs(schemas[name]))
    models = tuple(sorted(reached))
    return Spec(display_path, servers[0]["url"], tags, models)


def _refs(schema: Any) -> list[str]:
    """The schema names a schema refers to, at any depth."""
    found: list[str] = []
    if isinstance(schema, dict):
        name = _ref_name(schema)
        if name:
            found.append(name)
        for value in schema.values():
            found.extend(_refs(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_refs(value))
    return found


def _resolve(raw: Any, holder: Any) -> Any:
    """``holder``, or what its local ``$ref`` (``#/components/...``) points at."""
    ref = holder.get("$ref") if isinstance(holder, dict) else None
    if not isinstance(ref, str):
        return holder
    if not ref.startswith("#/"):
        raise SpecError(f"{ref}: only local references (#/...) are generated")
    target = raw
    for part in ref[2:].split("/"):
        target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            raise SpecError(f"{ref}: not found in the spec")
    return target


#: A header parameter the runtime owns: it is the ``_idempotency_key`` option of every
#: method that takes one, not a parameter of its own.
RUNTIME_HEADERS = frozenset({"idempotency-key"})


def _params(raw: Any, declared: list[Any], path: str, where: str) -> tuple[ParamInfo, ...]:
    """The parameters of one operation: path ones first, then the required query and
    header ones, then the optional ones (each group in spec order)."""
    out: dict[tuple[str, str], ParamInfo] = {}
    for item in declared:
        param = _resolve(raw, item)
        name, location = str(param.get("name", "")), str(param.get("in", ""))
        here = f"{where}: parameter {name!r}"
        if location == "cookie":
            raise SpecError(f"{here}: cookie parameters are not generated")
        if location not in ("path", "query", "header"):
            raise SpecError(f"{here}: `in` must be path, query or header")
        if location == "header" and name.lower() in RUNTIME_HEADERS:
            continue
        if param.get("style") not in (None, "simple" if location != "query" else "form"):
            raise SpecError(f"{here}: only the default style is generated")
        if location == "query" and param.get("explode") is False:
            raise SpecError(f"{here}: only exploded query arrays (the default) are generated")
        required = bool(param.get("required")) or location == "path"
        schema = _resolve(raw, param.get("schema") or {})
        shape = _shape("parameter", name, schema, where)
        if shape.model:
            raise SpecError(f"{here}: an object cannot be a {location} parameter")
        description = " ".join(str(param.get("description", "")).split())
        attr = snake_case(name.replace("-", "_"))
        options: list[tuple[str, Any]] = []
        if required:
            options.append(("required", True))
        options.extend(shape.options)
        if param.get("x-secret"):
            options.append(("secret", True))
        options.append(("description", description))
        doc = (description.rstrip(".") or name) + (f"; ``{name}`` in the {location}")
        notes = list(shape.notes)
        doc += f" ({'; '.join(notes)})." if notes else "."
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
        )
    for name in re.findall(r"{([^}]+)}", path):
        if ("path", name) not in out:
            raise SpecError(f"{where}: path parameter {{{name}}} is not declared")
    order = {"path": 0, "query": 1, "header": 2}
    params = sorted(
        out.values(), key=lambda p: (p.location != "path", not p.required, order[p.location])
    )
    attrs = [p.attr for p in params]
    if len(set(attrs)) != len(attrs) or "body" in attrs:
        raise SpecError(f"{where}: two parameters (or one and the body) share a Python name")
    return tuple(params)


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


@dataclass(frozen=True)
class ModelInfo:
    name: str
    module: str
    summary: str  # the module docstring's text after "<Name>: "
    description: str
    fields: tuple[FieldInfo, ...]
    imports: tuple[str, ...]  # "datetime" / "date" when used
    refs: tuple[str, ...] = ()  # the other models its fields hold
    runtime: tuple[str, ...] = ()  # "ListOf" / "MapOf" when used
    any_type: bool = False  # whether an annotation says Any


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
    model: bool = False  # a $ref to a model (an object)
    secret: bool = False


def _shape(owner: str, name: str, schema: Any, where: str) -> Shape:
    here = f"{where}: {owner}.{name}"
    if not isinstance(schema, dict):
        raise SpecError(f"{here}: the schema must be a mapping")
    ref = _ref_name(schema)
    if ref:
        return Shape(ref, ref, model=True)
    kind = schema.get("type")
    options: list[tuple[str, Any]] = []
    notes: list[str] = []
    if schema.get("nullable"):
        options.append(("nullable", True))
        notes.append("may be null")
    if kind == "array":
        item = _shape(owner, name + "[]", schema.get("items") or {}, where)
        item_annotation, item_kind = _nullable_part(item)
        options.extend(o for o in item.options if o[0] != "nullable")
        notes.extend(item.notes)
        _size_limits(schema, "Items", "items", options, notes)
        return Shape(
            f"list[{item_annotation}]", f"ListOf({item_kind})", tuple(options), tuple(notes)
        )
    if kind == "object" or (kind is None and "additionalProperties" in schema):
        if schema.get("properties"):
            raise SpecError(f"{here}: an inline object: give it a name in components.schemas")
        extra = schema.get("additionalProperties", True)
        if extra is True or extra == {}:
            return Shape("dict[str, Any]", "MapOf(object)", tuple(options), tuple(notes))
        value = _shape(owner, name + "{}", extra, where)
        value_annotation, value_kind = _nullable_part(value)
        options.extend(o for o in value.options if o[0] != "nullable")
        notes.extend(value.notes)
        return Shape(
            f"dict[str, {value_annotation}]",
            f"MapOf({value_kind})",
            tuple(options),
            tuple(notes),
        )
    python = _SCALARS.get(str(kind))
    if python is None:
        raise SpecError(
            f"{here}: type {kind!r} is not generated (string, integer, number, "
            "boolean, array, object or a $ref)"
        )
    fmt = schema.get("format")
    if python == "str":
        python = _FORMATS.get(str(fmt), python)
    _size_limits(schema, "Length", "length", options, notes)
    least, most = schema.get("minimum"), schema.get("maximum")
    if schema.get("exclusiveMinimum") or schema.get("exclusiveMaximum"):
        raise SpecError(f"{here}: exclusiveMinimum / exclusiveMaximum are not generated")
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
    if "enum" in schema:
        values = tuple(schema["enum"])
        options.append(("enum", values))
        notes.append("one of " + ", ".join(f"`{v}`" for v in values))
    if schema.get("pattern") is not None:
        if not isinstance(schema["pattern"], str):
            raise SpecError(f"{where}: pattern must be a string")
        try:  # ECMA-262, as OpenAPI says: what cannot be translated is refused here
            compile_pattern(schema["pattern"])
        except ValueError as exc:
            raise SpecError(f"{where}: pattern {schema['pattern']!r} {exc}") from None
        options.append(("pattern", str(schema["pattern"])))
        notes.append(f"pattern `{schema['pattern']}`")
    if fmt is not None and python in ("str", "datetime", "date"):
        options.append(("format", str(fmt)))
        notes.append(f"format `{fmt}`")
    if schema.get("x-secret"):
        options.append(("secret", True))
    return Shape(python, python, tuple(options), tuple(notes), secret=bool(schema.get("x-secret")))


def _size_limits(
    schema: Any, keyword: str, option: str, options: list[tuple[str, Any]], notes: list[str]
) -> None:
    """``minItems``/``maxItems`` (``keyword`` "Items") or ``minLength``/``maxLength``
    ("Length") as the options ``min_items``... and a note for the docs."""
    lo, hi = schema.get(f"min{keyword}"), schema.get(f"max{keyword}")
    if lo is not None:
        options.append((f"min_{option}", int(lo)))
    if hi is not None:
        options.append((f"max_{option}", int(hi)))
    if lo is not None or hi is not None:
        notes.append(_range(lo, hi, "items" if option == "items" else "characters"))


def _nullable_part(part: Shape) -> tuple[str, str]:
    """The annotation and kind arguments of a list's items (a map's values): a nullable
    part is ``Optional[...]`` and ``nullable=True`` on the container's kind."""
    if ("nullable", True) in part.options:
        return f"Optional[{part.annotation}]", f"{part.kind}, nullable=True"
    return part.annotation, part.kind


def _range(lo: Any, hi: Any, unit: str) -> str:
    if lo is not None and hi is not None:
        return f"{lo}-{hi} {unit}"
    return f"at least {lo} {unit}" if lo is not None else f"at most {hi} {unit}"


def _field(
    model: str,
    json_name: str,
    prop: dict[str, Any],
    required: bool,
    where: str,
    received_only: bool = False,
) -> FieldInfo:
    """One property as a model field. In a model only ever received (an answer's), a
    required, non-nullable field is typed as its value, never None, and has no default
    for type checkers: the SDK refuses an answer without it."""
    shape = _shape(model, json_name, prop, where)
    description = " ".join(str(prop.get("description", "")).split())
    always_there = received_only and required and not prop.get("nullable")
    options: list[tuple[str, Any]] = [] if always_there else [("default", None)]
    notes: list[str] = []
    if required:
        options.append(("required", True))
        notes.append("required")
    options.extend(o for o in shape.options if o[0] != "secret")
    notes.extend(shape.notes)
    if shape.secret or prop.get("x-secret"):
        options.append(("secret", True))
        notes.append("secret")
    options.append(("description", description))
    attr = snake_case(json_name)
    doc = description.rstrip(".") or json_name
    if attr != json_name:
        doc += f"; JSON ``{json_name}``"
    doc += f" ({'; '.join(notes)})." if notes else "."
    limits = [n for n in notes if n not in ("required", "secret")]
    return FieldInfo(
        attr,
        json_name,
        shape.annotation if always_there else f"Optional[{shape.annotation}]",
        shape.kind,
        tuple(options),
        doc,
        required=required,
        secret=shape.secret or bool(prop.get("x-secret")),
        constraints=re.sub(r"(\d)-(\d)", "\\1\u2013\\2", "; ".join(limits)),
        description=description,
    )


def models(spec_path: Path, display_path: str, spec: Spec) -> tuple[ModelInfo, ...]:
    """The model modules: each schema a call sends or returns, properties in spec order."""
    raw = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    schemas = raw["components"]["schemas"]
    sent_models = _sent_models(spec, schemas)
    out = []
    for name in spec.models:
        schema = schemas[name]
        where = f"{display_path}: components.schemas.{name}"
        required = set(schema.get("required") or ())
        fields = tuple(
            _field(
                name,
                json_name,
                prop or {},
                json_name in required,
                where,
                received_only=name not in sent_models,
            )
            for json_name, prop in (schema.get("properties") or {}).items()
        )
        sent = [_short(o.path) for t in spec.tags for o in t.operations if o.body_schema == name]
        got = [_short(o.path) for t in spec.tags for o in t.operations if o.success_schema == name]
        roles = []
        if sent:
            roles.append("the body of " + " and ".join(f"``{s}``" for s in sent))
        if got:
            roles.append("the answer of " + " and ".join(f"``{s}``" for s in got))
        if not roles and any(
            name == m for t in spec.tags for o in t.operations for st, m in o.responses if st >= 300
        ):
            roles.append("the body of an error answer")
        imports = tuple(sorted({k for f in fields for k in _words(f.kind)} & {"date", "datetime"}))
        refs = tuple(
            sorted({k for f in fields for k in _words(f.kind)} & set(spec.models) - {name})
        )
        runtime = tuple(sorted({k for f in fields for k in _words(f.kind)} & {"ListOf", "MapOf"}))
        out.append(
            ModelInfo(
                name=name,
                module=snake_case(name),
                summary="; ".join(roles) or "a schema of the API",
                description=" ".join(str(schema.get("description", name)).split()),
                fields=fields,
                imports=imports,
                refs=refs,
                runtime=runtime,
                any_type=any("Any" in f.annotation for f in fields),
            )
        )
    return tuple(out)


def _sent_models(spec: Spec, schemas: dict[str, Any]) -> set[str]:
    """The schemas a request may carry: the bodies and every schema they refer to."""
    todo = [o.body_schema for t in spec.tags for o in t.operations if o.body_schema]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(re.findall(r"#/components/schemas/([^'\"\s}]+)", repr(schemas[name])))
    return seen


def _words(expression: str) -> list[str]:
    return re.findall(r"\w+", expression)


def _short(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]
