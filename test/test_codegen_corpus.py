"""The generator on specs nobody here wrote (test/fixtures/corpus/, see its README.md).

For each spec, as published: a package, README and docs are generated into a temporary
folder; the report must match its committed snapshot (``<name>.report.txt``) and the
generated tree its golden copy (``golden/<name>/``); at least 90 % of the operations are
generated and every other one is refused by name; the package passes ``mypy --strict``;
and every generated operation is called through ``MockTransport`` with arguments and an
answer built from the spec's schemas, checking the method, path, query, headers and body
sent, and the parsed result.

``UPDATE_CORPUS=1 python -m pytest test/test_codegen_corpus.py`` rewrites the snapshots
and golden trees (review the diff: it is what a change of the generator does to them).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("yaml")

import persona
from codegen.generate import Options, read, write
from codegen.spec import read_yaml
from persona.core import kinds
from persona.core.model import Model
from persona.core.operation import NO_BODY, Body
from persona.rest import RESTResponse
from persona.testing import MockTransport

# Its module-scoped fixture is costly: run the module on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("corpus")

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "fixtures" / "corpus"
UPDATE = os.environ.get("UPDATE_CORPUS") == "1"
HOST = "http://corpus.test"

#: spec file stem -> the generated package's name
SPECS = {"petstore-expanded": "petstore_expanded", "music-library": "music_library"}

SEEDS = {
    "README.md": "# {name}\n\n<!-- codegen:begin endpoints -->\n<!-- codegen:end endpoints -->\n"
    "\n<!-- codegen:begin models -->\n<!-- codegen:end models -->\n",
    "{package}/__init__.py": "from typing import TYPE_CHECKING\n\n"
    "# codegen:begin public-names\n# codegen:end public-names\n",
}


def generate(name: str, root: Path) -> Any:
    package = SPECS[name]
    shutil.copy(CORPUS / f"{name}.yaml", root / f"{name}.yaml")
    for rel, text in SEEDS.items():
        path = root / rel.format(package=package)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name))
    opts = Options(root, f"{name}.yaml", package)
    spec = read(opts)
    write(opts, spec)
    return spec


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".mypy" not in p.parts and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module", params=sorted(SPECS))
def corpus(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    name = request.param
    root = tmp_path_factory.mktemp(name)
    spec = generate(name, root)
    package = SPECS[name]
    sys.path.insert(0, str(root))
    try:
        yield SimpleNamespace(
            name=name,
            root=root,
            spec=spec,
            package=package,
            raw=read_yaml(root / f"{name}.yaml", name),
        )
    finally:
        sys.path.remove(str(root))
        for mod in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[mod]


def test_the_report_is_its_snapshot(corpus: Any) -> None:
    got = "".join(line + "\n" for line in corpus.spec.report_lines() or [corpus.spec.summary()])
    snapshot = CORPUS / f"{corpus.name}.report.txt"
    if UPDATE:
        snapshot.write_text(got)
    assert got == snapshot.read_text(), f"the report of {corpus.name} changed:\n{got}"


def test_the_generated_tree_is_its_golden_copy(corpus: Any) -> None:
    golden = CORPUS / "golden" / corpus.name
    got = {k: v for k, v in tree(corpus.root).items() if not k.endswith(".yaml")}
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        for rel, text in got.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_text(text)
    want = tree(golden)
    assert sorted(got) == sorted(want)
    for rel in want:
        assert got[rel] == want[rel], f"{rel} drifted from test/fixtures/corpus/golden"


def test_at_least_90_percent_generated_and_the_rest_refused_by_name(corpus: Any) -> None:
    spec = corpus.spec
    raw_total = sum(
        1
        for item in corpus.raw["paths"].values()
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace")
        if method in item
    )
    assert spec.total == raw_total
    assert spec.generated + len(spec.refused) == spec.total  # none unaccounted
    assert spec.generated >= 0.9 * spec.total, spec.report_lines()
    report = "\n".join(spec.report_lines())
    for label in spec.refused:
        assert label in report


@pytest.mark.slow
def test_the_generated_package_passes_mypy_strict_and_ruff(corpus: Any) -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO}:{corpus.root}", "MYPYPATH": f"{REPO}:{corpus.root}"}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(corpus.root / ".mypy"), "-p", corpus.package],
        capture_output=True, text=True, timeout=300, check=False, cwd=corpus.root, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    linted = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(REPO / "pyproject.toml"),
         corpus.package],
        capture_output=True, text=True, timeout=60, check=False, cwd=corpus.root,
    )  # fmt: skip
    assert linted.returncode == 0, linted.stdout


# -- every operation on the wire -------------------------------------------------------------


def resolve(raw: Any, schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        target = raw
        for part in schema["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        schema = target
    return schema


def merged(raw: Any, schema: Any) -> dict[str, Any]:
    """An allOf schema as one object schema: the parts' properties and required merged."""
    schema = resolve(raw, schema)
    props: dict[str, Any] = {}
    required: list[str] = []
    for entry in [*schema.get("allOf", ()), {k: v for k, v in schema.items() if k != "allOf"}]:
        part = merged(raw, entry) if "allOf" in resolve(raw, entry) else resolve(raw, entry)
        props.update(part.get("properties") or {})
        required.extend(part.get("required") or ())
    return {"type": "object", "properties": props, "required": required}


def sample(raw: Any, schema: Any, depth: int = 0) -> Any:
    """A JSON value the schema allows (every property given, down to a depth)."""
    schema = resolve(raw, schema) or {}
    if "allOf" in schema:
        return sample(raw, merged(raw, schema), depth)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    if "example" in schema and schema.get("type") == "string" and "pattern" in schema:
        return schema["example"]
    kind = schema.get("type")
    if kind == "array":
        count = max(1, schema.get("minItems", 1)) if depth < 3 else schema.get("minItems", 0)
        return [sample(raw, schema["items"], depth + 1) for _ in range(count)]
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        out = {
            key: sample(raw, prop, depth + 1)
            for key, prop in props.items()
            if depth < 3 or key in required
        }
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            out["extra"] = sample(raw, extra, depth + 1)
        return out
    if kind == "integer":
        return max(schema.get("minimum", 7), min(schema.get("maximum", 7), 7))
    if kind == "number":
        return max(schema.get("minimum", 2.5), min(schema.get("maximum", 2.5), 2.5))
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "2020-02-29"
        if fmt == "date-time":
            return "2026-01-02T03:04:05Z"
        if fmt == "email":
            return "ann@example.com"
        text = "a b/c?d"
        text = text + "x" * max(0, schema.get("minLength", 0) - len(text))
        return text[: schema.get("maxLength", len(text))]
    return {"any": [1, "json"]}


def params_of(raw: Any, path: str, method: str) -> dict[tuple[str, str], Any]:
    item = raw["paths"][path]
    out = {}
    for entry in [*(item.get("parameters") or []), *(item[method].get("parameters") or [])]:
        param = resolve(raw, entry)
        out[(param["in"], param["name"])] = param
    return out


def body_media(raw: Any, holder: Any) -> tuple[str, Any]:
    content = (resolve(raw, holder) or {}).get("content") or {}
    for media, value in content.items():
        if "json" in media:
            return media, value.get("schema")
    for media, value in content.items():
        return media, value.get("schema")
    return "", None


def python_value(kind: Any, value: Any) -> Any:
    if isinstance(kind, type) and issubclass(kind, Model):
        return kind.from_dict(value)
    return kinds.load(kind, value, "sample")


def json_of(kind: Any, value: Any) -> Any:
    if isinstance(kind, type) and issubclass(kind, Model):
        return value.to_dict()
    return kinds.dump(kind, value)


def test_every_generated_operation_sends_what_the_spec_says_and_reads_the_answer(
    corpus: Any,
) -> None:
    raw = corpus.raw
    calls = 0
    for tag in corpus.spec.tags:
        module = importlib.import_module(f"{corpus.package}.api.{tag.module}")
        for op in tag.operations:
            operation = getattr(module, op.constant)
            method = op.method.lower()
            spec_op = raw["paths"][op.path][method]
            declared = params_of(raw, op.path, method)
            by_wire = {(p.location, p.json_name): p for p in operation.params}
            args: list[Any] = []
            keywords: dict[str, Any] = {}
            wire: dict[tuple[str, str], Any] = {}
            for info in op.params:
                param = by_wire[(info.location, info.wire)]
                value = python_value(
                    param.type, sample(raw, declared[(info.location, info.wire)]["schema"])
                )
                wire[(info.location, info.wire)] = value
                if info.location == "path":
                    args.append(value)
                else:
                    keywords[info.attr] = value
            body_json: Any = None
            if operation.body_type is not None:
                media, schema = body_media(raw, spec_op["requestBody"])
                if isinstance(operation.body_type, Body) and operation.body_type.raw:
                    body = b"\xff\xd8\xff\xe0 not json"
                else:
                    body_json = sample(raw, schema)
                    kind = operation.body_type
                    body = python_value(kind.kind if isinstance(kind, Body) else kind, body_json)
                args.append(body)
            status = next(s for s in sorted(operation.responses) if 200 <= s <= 299)
            expected_kind = operation.responses[status]
            answer_json: Any = None
            headers = dict.fromkeys(operation.response_headers.get(status, ()), "x")
            if expected_kind is NO_BODY:
                answer = RESTResponse(status, headers=headers)
            else:
                media, schema = body_media(raw, spec_op["responses"][str(status)])
                if isinstance(expected_kind, Body) and expected_kind.raw:
                    # Bytes of a media type: the strict mock checks the Content-Type.
                    answer = RESTResponse(
                        status, headers={**headers, "Content-Type": media}, data=b"\x89PNG"
                    )
                else:
                    answer_json = sample(raw, schema)
                    answer = RESTResponse(
                        status, headers={**headers, "Content-Type": media}, json=answer_json
                    )
            transport = MockTransport(lambda request, answer=answer: answer)
            api_client = persona.ApiClient(persona.Configuration(host=HOST), transport=transport)
            api = getattr(module, tag.class_name)(api_client)
            result = getattr(api, op.operation_id)(*args, **keywords)
            (request,) = transport.requests
            where = f"{corpus.name}: {op.method} {op.path}"
            assert request.method == op.method, where
            url = request.url[len(HOST) :]
            path, _, query = url.partition("?")
            want_path = op.path
            for (location, name), value in wire.items():
                if location == "path":
                    want_path = want_path.replace(
                        "{" + name + "}", quote(kinds.text(type(value), value), safe="")
                    )
            assert path == want_path, where
            want_query = [
                f"{quote(name, safe='')}={quote(kinds.text(type(item), item), safe='')}"
                for (location, name), value in wire.items()
                if location == "query"
                for item in (value if isinstance(value, list) else [value])
            ]
            assert sorted(query.split("&") if query else []) == sorted(want_query), where
            for (location, name), value in wire.items():
                if location == "header":
                    assert request.header(name) == kinds.text(type(value), value), where
            if operation.body_type is None:
                assert request.body is None, where
            elif body_json is None:
                assert request.body == b"\xff\xd8\xff\xe0 not json", where
                assert request.header("Content-Type") == operation.body_type.media_type, where
            else:
                assert json.loads(request.body) == body_json, where
            if expected_kind is NO_BODY:
                assert result is None, where
            elif answer_json is None:
                assert result == b"\x89PNG", where
            else:
                kind = expected_kind.kind if isinstance(expected_kind, Body) else expected_kind
                assert json_of(kind, result) == answer_json, where
            calls += 1
    assert calls == corpus.spec.generated


def test_a_default_answer_and_a_list_body_hold_to_the_contract(corpus: Any) -> None:
    """The runtime a corpus spec needs: the ``default`` answer is the model of every
    undeclared error status (a strict mock checks its body), a list answer is read item
    by item, and a list or bytes body is checked before anything is sent."""
    if corpus.name != "petstore-expanded":
        pytest.skip("petstore-expanded holds the default answers")
    module = importlib.import_module(f"{corpus.package}.api.default_api")

    def call(answer: RESTResponse) -> Any:
        transport = MockTransport(lambda request: answer)
        client = persona.ApiClient(persona.Configuration(host=HOST), transport=transport)
        return module.DefaultApi(client).find_pets(limit=1)

    with pytest.raises(persona.ServiceException) as caught:
        call(RESTResponse(500, json={"code": 5, "message": "down"}))
    assert caught.value.status == 500
    with pytest.raises(persona.ApiTypeError, match="does not fit Error"):
        call(RESTResponse(500, json={"code": "five"}))
    with pytest.raises(persona.ApiTypeError, match="does not fit list"):
        call(RESTResponse(200, json=[{"id": 1}]))  # a Pet without its required name
    pets = call(RESTResponse(200, json=[{"id": 1, "name": "Rex"}]))
    assert [type(p).__name__ for p in pets] == ["Pet"]
    operation = module.FIND_PETS
    assert 418 in operation.responses
    assert 201 not in operation.responses  # an undeclared success is not the error model
    assert operation.responses.get(418).__name__ == "Error"


def test_a_body_that_is_not_one_model_is_checked_before_sending() -> None:
    from persona.core.kinds import ListOf
    from persona.core.operation import Operation
    from persona.core.request import build_request

    class Tag(Model):
        name: Any = persona.core.model.field("name", str, required=True)

    op = Operation("put_tags", "/tags", Body(ListOf(Tag)), None, method="PUT")
    headers = {"Content-Type": "application/json;charset=utf-8"}
    sent = build_request(op, [Tag(name="a")], host=HOST, headers=headers, validate=True)
    assert json.loads(sent.body) == [{"name": "a"}]
    with pytest.raises(persona.ApiTypeError, match=r"put_tags\.body\[0\]: must be list\[Tag\]"):
        build_request(op, [{"name": "a"}], host=HOST, headers=headers, validate=True)
    with pytest.raises(persona.ApiValueError, match=r"put_tags\.body: \[0\]: Tag\.name"):
        build_request(op, [Tag()], host=HOST, headers=headers, validate=True)
    jpeg = Operation("put_cover", "/cover", Body(bytes, "image/jpeg"), None, method="PUT")
    sent = build_request(jpeg, b"\xff\xd8", host=HOST, headers=headers, validate=True)
    assert (sent.body, sent.header("Content-Type")) == (b"\xff\xd8", "image/jpeg")
    with pytest.raises(persona.ApiTypeError, match=r"put_cover\.body: must be bytes, got str"):
        build_request(jpeg, "text", host=HOST, headers=headers, validate=True)
