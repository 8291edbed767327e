"""Read an OpenAPI 3.0 spec into the few plain facts the templates need."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(ValueError):
    """The spec cannot be generated from; the message names the spec and the place."""


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
            body = _ref_name(_json_schema(op.get("requestBody")))
            success = None
            errors: list[tuple[int, str]] = []
            shared = (raw.get("components") or {}).get("responses") or {}
            for status, declared in (op.get("responses") or {}).items():
                ref = _ref_name(declared)
                answer = shared.get(ref, declared) if ref else declared
                if str(status).startswith("2"):
                    if success is None:
                        success = _ref_name(_json_schema(answer))
                elif str(status).isdigit():
                    errors.append(
                        (int(status), " ".join(str(answer.get("description", "")).split()))
                    )
            sends_or_returns.update(n for n in (body, success) if n)
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
    # The models package holds what a call sends or returns on success; error bodies
    # (`Error`) are parsed by the hand-written persona.exceptions.
    models = tuple(sorted(n for n in schemas if n in sends_or_returns))
    return Spec(display_path, servers[0]["url"], tags, models)


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


_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_FORMATS = {"date-time": "datetime", "date": "date"}


def _field(
    model: str, json_name: str, prop: dict[str, Any], required: bool, where: str
) -> FieldInfo:
    kind = _SCALARS.get(str(prop.get("type")))
    if kind is None or "$ref" in prop or "enum" in prop:
        raise SpecError(
            f"{where}: {model}.{json_name}: only string, integer, number and boolean "
            "properties are generated so far"
        )
    fmt = prop.get("format")
    kind = _FORMATS.get(str(fmt), kind) if kind == "str" else kind
    description = " ".join(str(prop.get("description", "")).split())
    options: list[tuple[str, Any]] = [("default", None)]
    notes: list[str] = []
    if required:
        options.append(("required", True))
        notes.append("required")
    lo, hi = prop.get("minLength"), prop.get("maxLength")
    if lo is not None:
        options.append(("min_length", int(lo)))
    if hi is not None:
        options.append(("max_length", int(hi)))
    if lo is not None and hi is not None:
        notes.append(f"{lo}-{hi} characters")
    elif lo is not None:
        notes.append(f"at least {lo} characters")
    elif hi is not None:
        notes.append(f"at most {hi} characters")
    if fmt is not None:
        options.append(("format", str(fmt)))
        notes.append(f"format `{fmt}`")
    if prop.get("x-secret"):
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
        f"Optional[{kind}]",
        kind,
        tuple(options),
        doc,
        required=required,
        secret=bool(prop.get("x-secret")),
        constraints="; ".join(limits).replace(f"{lo}-{hi}", f"{lo}\u2013{hi}"),
        description=description,
    )


def models(spec_path: Path, display_path: str, spec: Spec) -> tuple[ModelInfo, ...]:
    """The model modules: each schema a call sends or returns, properties in spec order."""
    raw = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    schemas = raw["components"]["schemas"]
    out = []
    for name in spec.models:
        schema = schemas[name]
        where = f"{display_path}: components.schemas.{name}"
        required = set(schema.get("required") or ())
        fields = tuple(
            _field(name, json_name, prop or {}, json_name in required, where)
            for json_name, prop in (schema.get("properties") or {}).items()
        )
        sent = [_short(o.path) for t in spec.tags for o in t.operations if o.body_schema == name]
        got = [_short(o.path) for t in spec.tags for o in t.operations if o.success_schema == name]
        roles = []
        if sent:
            roles.append("the body of " + " and ".join(f"``{s}``" for s in sent))
        if got:
            roles.append("the answer of " + " and ".join(f"``{s}``" for s in got))
        imports = tuple(sorted({f.kind for f in fields} & {"date", "datetime"}))
        out.append(
            ModelInfo(
                name=name,
                module=snake_case(name),
                summary="; ".join(roles) or "a schema of the API",
                description=" ".join(str(schema.get("description", name)).split()),
                fields=fields,
                imports=imports,
            )
        )
    return tuple(out)


def _short(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]
