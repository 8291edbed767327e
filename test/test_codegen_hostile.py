"""The generator on hostile specs: every string position holding quotes, backslashes,
markup and marker text; names that collide or that Python or the SDK reserve; keywords
that are not what they should be; recursive schemas. Each gives correct output or a clean
refusal (a report naming the place, the operation skipped), never code that runs at
import, never a traceback.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("yaml")

import persona
from codegen.generate import Options, read, write
from codegen.naming import doc_text, md_text, pascal, py_str, snake
from codegen.spec import SpecError
from persona.rest import RESTResponse
from persona.testing import MockTransport

# Its module-scoped fixture is costly: run the module on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("hostile")

REPO = Path(__file__).resolve().parent.parent
HOST = "http://hostile.test"

# Text that would run, or break out, if it reached Python or Markdown unescaped.
EVIL = (
    'x""" + __import__("os")._exit(3) + """ \\" \' \\n '
    "<script>alert(1)</script> | [a](javascript:alert(1)) `"
)
EVIL_YAML = json.dumps(EVIL)  # a YAML double-quoted scalar is JSON's string syntax
QUOTES = json.dumps("q" + '"' * 3)

HOSTILE = textwrap.dedent(
    f"""\
    openapi: 3.0.3
    info: {{title: {EVIL_YAML}, version: "1"}}
    servers: [{{url: {json.dumps("http://h.test/" + EVIL)}}}]
    tags:
      - {{name: Pets, description: {EVIL_YAML}}}
      - {{name: pets, description: lower case}}
    paths:
      /pets/{{petId}}/"quoted"\\:
        get:
          tags: [Pets]
          operationId: find pet by id
          summary: {EVIL_YAML}
          description: {EVIL_YAML}
          parameters:
            - name: petId
              in: path
              required: true
              description: {EVIL_YAML}
              schema: {{type: string, pattern: "^[a-z\\\\\\\\\\"]+$", example: abc}}
            - name: {QUOTES}
              in: query
              description: {EVIL_YAML}
              schema: {{type: string, enum: [{EVIL_YAML}, plain]}}
            - {{name: self, in: query, schema: {{type: integer}}}}
            - {{name: async_req, in: query, schema: {{type: boolean}}}}
            - {{name: _preload_content, in: query, schema: {{type: boolean}}}}
            - {{name: class, in: query, schema: {{type: integer, enum: [1, 2]}}}}
            - {{name: body, in: header, schema: {{type: string}}}}
          responses:
            "200":
              description: {EVIL_YAML}
              content: {{application/json: {{schema: {{$ref: "#/components/schemas/Evil"}}}}}}
            "404":
              description: {EVIL_YAML}
      /a:
        get: {{tags: [pets], operationId: getPet, responses: {{"204": {{description: ok}}}}}}
        post: {{tags: [pets], operationId: get_pet, responses: {{"204": {{description: ok}}}}}}
      /b:
        get: {{tags: [pets], operationId: class, responses: {{"204": {{description: ok}}}}}}
        put: {{tags: [pets], operationId: __init__, responses: {{"204": {{description: ok}}}}}}
        post: {{tags: [pets], operationId: get-an-album, responses: {{"204": {{description: ok}}}}}}
        delete: {{tags: [pets], operationId: api_client, responses: {{"204": {{description: ok}}}}}}
        patch:
          tags: [pets]
          operationId: getPet_with_http_info
          responses: {{"204": {{description: ok}}}}
      /models:
        post:
          tags: [pets]
          operationId: models
          requestBody:
            required: true
            content: {{application/json: {{schema: {{$ref: "#/components/schemas/Model"}}}}}}
          responses:
            "200":
              description: ok
              content: {{application/json: {{schema: {{$ref: "#/components/schemas/pet"}}}}}}
      /tree:
        get:
          tags: [pets]
          operationId: tree
          responses:
            "200":
              description: ok
              content: {{application/json: {{schema: {{$ref: "#/components/schemas/Node"}}}}}}
      /people:
        get:
          tags: [pets]
          operationId: people
          responses:
            "200":
              description: ok
              content: {{application/json: {{schema: {{$ref: "#/components/schemas/Person"}}}}}}
    components:
      schemas:
        Evil:
          description: {EVIL_YAML}
          type: object
          properties:
            fooBar: {{type: string, description: {EVIL_YAML}}}
            foo_bar: {{type: string}}
            validate: {{type: string}}
            self: {{type: integer}}
            field: {{type: string}}
            __init__: {{type: string}}
            class: {{type: string}}
            str: {{type: string}}
            additional_properties: {{type: string}}
            {QUOTES}: {{type: string}}
            yes: {{type: string}}
            kind: {{type: string, enum: [{EVIL_YAML}, "a\\\\b", 'c"']}}
            level: {{type: integer, enum: [1, 2, 3]}}
            ratio: {{type: number, enum: [0.5, 1]}}
            flag: {{type: boolean, enum: [true]}}
            maybe: {{enum: [a, null]}}
        Model:
          type: object
          properties: {{name: {{type: string}}}}
        ApiClient:
          type: object
          properties: {{name: {{type: string}}}}
        pet:
          type: object
          properties:
            model: {{$ref: "#/components/schemas/Model"}}
            client: {{$ref: "#/components/schemas/ApiClient"}}
            Pet: {{$ref: "#/components/schemas/Pet"}}
        Pet:
          type: object
          properties: {{name: {{type: string}}}}
        Node:
          type: object
          properties:
            name: {{type: string}}
            children: {{type: array, items: {{$ref: "#/components/schemas/Node"}}}}
        Person:
          type: object
          properties:
            name: {{type: string}}
            employer: {{$ref: "#/components/schemas/Company"}}
        Company:
          type: object
          properties:
            name: {{type: string}}
            staff: {{type: array, items: {{$ref: "#/components/schemas/Person"}}}}
    """
)


def seed(root: Path, package: str, spec: str) -> Options:
    (root / "spec.yaml").write_text(spec)
    (root / package).mkdir(parents=True, exist_ok=True)
    (root / package / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\n\n"
        "# codegen:begin public-names\n# codegen:end public-names\n"
    )
    (root / "README.md").write_text(
        "# R\n\n<!-- codegen:begin endpoints -->\n<!-- codegen:end endpoints -->\n\n"
        "<!-- codegen:begin models -->\n<!-- codegen:end models -->\n"
    )
    return Options(root, "spec.yaml", package)


def run_cli(root: Path, package: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen", "--root", str(root), "--spec", "spec.yaml",
         "--package", package, *args],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("hostile")
    opts = seed(root, "hostilesdk", HOSTILE)
    spec = read(opts)
    write(opts, spec)
    sys.path.insert(0, str(root))
    try:
        yield root, spec
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] == "hostilesdk"]:
            del sys.modules[name]


# -- the escaping functions themselves ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [EVIL, '"""', '"', "\\", "a\\", 'a"', "\x00\x1b\u2028\ud800", "\r\n\t", "'''"],
)
def test_spec_text_becomes_a_literal_and_a_docstring_that_read_back_as_written(text: str) -> None:
    assert eval(py_str(text)) == text
    source = f'def f():\n    """{doc_text(text)}"""\n'
    # The docstring's literal holds the text (a lone surrogate as its escape, which no
    # docstring can hold on Python 3.13); compiled, Python 3.13 also cleans a docstring's
    # indentation (tabs expanded), so the literal is what is compared.
    shown = re.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m[0]):04x}", text)
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    docstring = function.body[0]
    assert isinstance(docstring, ast.Expr)
    assert isinstance(docstring.value, ast.Constant)
    assert docstring.value.value == shown
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # compiles on every Python
    if sys.version_info < (3, 13):
        assert namespace["f"].__doc__ == shown
    exec(f"x = 1  # {doc_text(text)}\n", namespace)


def test_markdown_text_has_no_html_no_links_no_cell_breaks() -> None:
    shown = md_text(EVIL)
    assert "<" not in shown
    assert ">" not in shown.replace("&gt;", "")
    assert "](" not in shown.replace("\\](", "")
    assert re.search(r"(?<!\\)\|", shown) is None
    assert md_text("`a|b` <b>") == "`a\\|b` &lt;b&gt;"
    assert md_text("# title").startswith("\\#")


@pytest.mark.parametrize(
    ("name", "snaked", "pascaled"),
    [
        ("find pet by id", "find_pet_by_id", "FindPetById"),
        ("get-an-album", "get_an_album", "GetAnAlbum"),
        ("fooBar", "foo_bar", "FooBar"),
        ("HTTPError", "http_error", "HTTPError"),
        ("1st", "x_1st", "X1st"),
        ("名前", "u540d_u524d", "U540dU524d"),
        ("", "x", "X"),
    ],
)
def test_names_map_to_identifiers(name: str, snaked: str, pascaled: str) -> None:
    assert snake(name) == snaked
    assert pascal(name) == pascaled


# -- a hostile spec, generated -------------------------------------------------------------


def test_the_hostile_package_imports_and_runs_nothing_it_should_not(hostile: Any) -> None:
    root, spec = hostile
    code = (
        "import hostilesdk.api, hostilesdk.models\n"
        "from hostilesdk.api import pets_api\n"
        "print(len(pets_api.OPERATIONS))"
    )
    env = {**os.environ, "PYTHONPATH": f"{REPO}:{root}"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr  # exit 3 would be the injected os._exit
    assert done.stdout.strip() == "1"
    assert spec.reports == ()
    assert spec.generated == spec.total == 11


def test_spec_text_arrives_in_docstrings_and_literals_as_written(hostile: Any) -> None:
    api = importlib.import_module("hostilesdk.api.pets_api")
    method = api.PetsApi.find_pet_by_id
    doc = " ".join((method.__doc__ or "").split())
    assert " ".join(EVIL.split()) in doc
    assert api.FIND_PET_BY_ID.path == "/pets/{petId}/%22quoted%22%5C"  # as a URL carries it
    (wire,) = [p for p in api.FIND_PET_BY_ID.params if p.json_name.startswith('q"')]
    assert wire.json_name == 'q"""'
    models = importlib.import_module("hostilesdk.models")
    assert " ".join(EVIL.split()) in " ".join((models.Evil.__doc__ or "").split())
    assert models.Evil._by_json["kind"].enum == (EVIL, "a\\b", 'c"')


def test_colliding_and_reserved_names_are_renamed_in_spec_order(hostile: Any) -> None:
    models = importlib.import_module("hostilesdk.models")
    evil = models.Evil
    by_json = {f.json_name: f.name for f in evil._fields}
    assert by_json == {
        "fooBar": "foo_bar",
        "foo_bar": "foo_bar_",
        "validate": "validate_",
        "self": "self",
        "field": "field_",
        "__init__": "init",
        "class": "class_",
        "str": "str_",
        "additional_properties": "additional_properties_",
        'q"""': "q",
        "yes": "yes",
        "kind": "kind",
        "level": "level",
        "ratio": "ratio",
        "flag": "flag",
        "maybe": "maybe",
    }
    value = evil(foo_bar="a", foo_bar_="b", validate_="v", class_="c", level=2)
    value.validate()
    assert value.to_dict() == {
        "fooBar": "a",
        "foo_bar": "b",
        "validate": "v",
        "class": "c",
        "level": 2,
    }
    assert evil.from_dict(value.to_dict()) == value
    # Schemas named like the runtime's classes, and `pet` beside `Pet`.
    assert {"Model2", "ApiClient2", "Pet", "Pet2"} <= set(models.__all__)
    assert models.Model2 is not models.Model
    pets = importlib.import_module("hostilesdk.api.pets_api")
    lower = importlib.import_module("hostilesdk.api.pets_api2")
    assert pets.PetsApi is not lower.PetsApi2
    names = sorted(n for n in vars(lower.PetsApi2) if not n.startswith("_"))
    assert names == [
        "api_client_",
        "api_client__with_http_info",
        "class_",
        "class__with_http_info",
        "get_an_album",
        "get_an_album_with_http_info",
        "get_pet",
        "get_pet_",
        "get_pet__with_http_info",
        "get_pet_with_http_info",
        "get_pet_with_http_info_",
        "get_pet_with_http_info__with_http_info",
        "init",
        "init_with_http_info",
        "models",
        "models_with_http_info",
        "people",
        "people_with_http_info",
        "tree",
        "tree_with_http_info",
    ]
    constants = [n for n in lower.__all__ if n.isupper()]
    assert len(set(constants)) == len(constants) == 11  # ten operations and OPERATIONS


def test_reserved_parameter_names_do_not_shadow_the_call_options(hostile: Any) -> None:
    import inspect

    api = importlib.import_module("hostilesdk.api.pets_api")
    params = list(inspect.signature(api.PetsApi.find_pet_by_id).parameters)
    assert params == [
        "self",
        "pet_id",
        "q",
        "self_",
        "async_req_",
        "preload_content",
        "class_",
        "body_",
        "options",
    ]
    seen = []

    def handler(request: Any) -> RESTResponse:
        seen.append(request)
        return RESTResponse(200, json={"level": 1})

    client = persona.ApiClient(
        persona.Configuration(host=HOST), transport=MockTransport(handler, strict=True)
    )
    got = api.PetsApi(client).find_pet_by_id(
        "ab", q="plain", self_=1, async_req_=True, preload_content=False, class_=2, body_="b"
    )
    assert got.level == 1  # async_req_ and preload_content are parameters, not options
    url = seen[0].url
    assert url.startswith(HOST + "/pets/ab/%22quoted%22%5C?")
    assert "q%22%22%22=plain" in url
    assert "self=1" in url
    assert "async_req=true" in url
    assert "_preload_content=false" in url
    assert seen[0].header("body") == "b"


def test_recursive_models_import_and_round_trip(hostile: Any) -> None:
    models = importlib.import_module("hostilesdk.models")
    tree = {"name": "root", "children": [{"name": "leaf", "children": []}]}
    node = models.Node.from_dict(tree)
    assert isinstance(node.children[0], models.Node)
    assert node.to_dict() == tree
    node.validate()
    with pytest.raises(persona.ApiTypeError, match=r"list\[Node\]"):
        models.Node(children=[models.Person()])
    ann = models.Person.from_dict(
        {"name": "ann", "employer": {"name": "acme", "staff": [{"name": "bob"}]}}
    )
    assert isinstance(ann.employer, models.Company)
    assert isinstance(ann.employer.staff[0], models.Person)


def test_generated_markdown_holds_no_html_no_links_no_forged_markers(hostile: Any) -> None:
    root, _ = hostile
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text()
        assert "<script" not in text, page
        assert re.search(r"(?<!\\)\]\(javascript", text) is None, page
        assert text.count("codegen:begin") == text.count("codegen:end"), page
    readme = (root / "README.md").read_text()
    for line in readme.splitlines():
        if line.startswith("*PetsApi*"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) == 4, line


@pytest.mark.slow
def test_the_hostile_package_passes_mypy_strict_and_ruff(hostile: Any) -> None:
    root, _ = hostile
    env = {**os.environ, "PYTHONPATH": f"{REPO}:{root}", "MYPYPATH": f"{REPO}:{root}"}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(root / ".mypy"), "-p", "hostilesdk"],
        capture_output=True, text=True, timeout=300, check=False, cwd=root, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    linted = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(REPO / "pyproject.toml"),
         "hostilesdk"],
        capture_output=True, text=True, timeout=60, check=False, cwd=root,
    )  # fmt: skip
    assert linted.returncode == 0, linted.stdout


# -- refusals: reported by place, the rest generated ---------------------------------------

BASE = textwrap.dedent(
    """\
    openapi: 3.0.3
    info: {title: t, version: "1"}
    paths:
      /ok:
        get: {operationId: ok, responses: {"204": {description: fine}}}
      /x:
        get:
          operationId: victim
          parameters: [{name: n, in: query, schema: SCHEMA}]
          responses: {"204": {description: DESCRIPTION}}
    """
)


@pytest.mark.parametrize(
    ("schema", "description", "pointer", "words"),
    [
        ("{type: integer, maximum: .inf}", "d", "/schema/maximum", "must be a finite number"),
        ("{type: integer, minimum: .nan}", "d", "/schema/minimum", "must be a finite number"),
        ("{type: string, minLength: 1.5}", "d", "/schema/minLength", "must be a whole number"),
        ("{type: string, maxLength: '3'}", "d", "/schema/maxLength", "must be a whole number"),
        ("{type: string, pattern: 5}", "d", "/schema/pattern", "pattern must be a string"),
        ("{type: string, pattern: '('}", "d", "/schema/pattern", "pattern '('"),
        ("{type: string, enum: [[1]]}", "d", "/schema/enum/0", "an enum value must be"),
        ("{type: integer, enum: [a]}", "d", "/schema/enum/0", "is not of type integer"),
        ("{type: string, example: .inf}", "d", "/example", "an example must be JSON"),
        ("{type: string, nullable: yes}", "d", "/schema/nullable", "must be true or false"),
        ("{type: file}", "d", "/schema/type", "type 'file' is not generated"),
        ("{oneOf: [{type: string}]}", "d", "/schema", "oneOf is not generated"),
        ("{type: string}", "'<!-- codegen:end endpoints -->'", "/description", "marker text"),
        ("{type: string, description: 'codegen:begin x'}", "d", "/description", "marker text"),
    ],
)
def test_a_bad_keyword_is_reported_by_place_and_only_its_operation_skipped(
    tmp_path: Path, schema: str, description: str, pointer: str, words: str
) -> None:
    text = BASE.replace("SCHEMA", schema).replace("DESCRIPTION", description)
    opts = seed(tmp_path, "sdk", text)
    done = run_cli(tmp_path, "sdk")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = [x for x in done.stderr.splitlines() if "skipped" in x]
    assert line.startswith("spec.yaml: #/paths/~1x/get"), line
    assert pointer in line, line
    assert words in line, line
    assert line.endswith("[skipped: GET /x (victim)]"), line
    assert "spec.yaml: 1 of 2 operations generated, 1 refused: GET /x (victim)" in done.stderr
    api = (tmp_path / "sdk" / "api" / "default_api.py").read_text()
    assert "def ok(" in api
    assert "victim" not in api
    assert run_cli(tmp_path, "sdk", "--strict").returncode == 1
    assert run_cli(tmp_path, "sdk", "--check").returncode == 0  # the markers still hold
    del opts


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("openapi: 3.0.0\npaths: []\n", "not an OpenAPI document"),
        ("[1, 2]\n", "not an OpenAPI document"),
        ("openapi: 3.0.0\npaths: {/a: {get: {operationId: a}}}\n", "none of its 1 operations"),
        ("openapi: 3.0.0\npaths: {}\n", "has no operations"),
        ("openapi: 2.0\npaths: {}\n", "must be 3.0.x"),
        ("openapi: 3.0.0\npaths: {/a: [\n", "cannot be read"),
        ("\x00", "cannot be read"),
    ],
)
def test_a_spec_nothing_can_be_generated_from_is_a_message_and_exit_2(
    tmp_path: Path, spec: str, words: str
) -> None:
    seed(tmp_path, "sdk", spec)
    done = run_cli(tmp_path, "sdk")
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "sdk" / "api").exists()


def test_yaml_words_and_dates_stay_text(tmp_path: Path) -> None:
    spec = textwrap.dedent(
        """\
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              operationId: a
              responses:
                "200":
                  description: ok
                  content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}
        components:
          schemas:
            A:
              type: object
              properties:
                on: {type: string, enum: [yes, no, 2020-01-01]}
        """
    )
    opts = seed(tmp_path, "sdk", spec)
    parsed = read(opts)
    assert parsed.reports == ()
    (model,) = parsed.model_infos
    (only,) = model.fields
    assert only.json_name == "on"
    assert ("enum", ("yes", "no", "2020-01-01")) in only.options


def test_a_spec_error_is_never_raised_for_a_refusable_part(tmp_path: Path) -> None:
    opts = seed(
        tmp_path, "sdk", BASE.replace("SCHEMA", "{type: string}").replace("DESCRIPTION", "d")
    )
    try:
        spec = read(opts)
    except SpecError as exc:  # pragma: no cover - the assertion says it all
        pytest.fail(str(exc))
    assert spec.generated == 2
