"""The generator (`python -m codegen`): drift against the committed files, and its own rules.

The committed generated files and spans must be exactly what the spec produces; a run is
idempotent, removes orphans (files it produced before and no longer does), and never
rewrites a page whose markers are missing.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("yaml")

from codegen.generate import MANIFEST, Options, check, header, write

REPO = Path(__file__).resolve().parent.parent

SPEC = textwrap.dedent(
    """\
    openapi: 3.0.3
    info: {title: Pets, version: "1"}
    servers: [{url: "http://pets.test/v2"}]
    tags: [{name: Pets, description: Pets and their owners}]
    paths:
      /pets:
        post:
          tags: [Pets]
          summary: Add a pet
          operationId: add_pet
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: "#/components/schemas/NewPet"}}}
          responses:
            "201":
              description: made
              content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
            "400":
              description: bad
              content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
    components:
      schemas:
        NewPet: {type: object, properties: {name: {type: string}}}
        Pet: {type: object, properties: {id: {type: integer}}}
        Error: {type: object, properties: {code: {type: string}}}
    """
)

README = textwrap.dedent(
    """\
    # Pets

    Hand-written prose before.

    <!-- codegen:begin endpoints -->
    <!-- codegen:end endpoints -->

    Hand-written prose between.

    <!-- codegen:begin models -->
    <!-- codegen:end models -->

    Hand-written prose after.
    """
)

INIT = (
    "from typing import TYPE_CHECKING\n\n# codegen:begin public-names\n# codegen:end public-names\n"
)

PAGE = (
    "# PetsApi\n\nIntro.\n\n<!-- codegen:begin methods -->\n<!-- codegen:end methods -->\n\nEnd.\n"
)


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen", "--root", str(root), "--spec", "spec.yaml", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "spec.yaml").write_text(SPEC)
    (tmp_path / "README.md").write_text(README)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "PetsApi.md").write_text(PAGE)
    for package in ("pets", "old", "new"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(INIT)
    return tmp_path


def opts(root: Path, package: str = "pets") -> Options:
    return Options(root=root, spec="spec.yaml", package=package)


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_committed_files_are_what_the_spec_produces() -> None:
    problems = check(Options(root=REPO, spec="persona/openapi.yaml", package="persona"))
    assert not problems, (
        "generated files differ from persona/openapi.yaml; run `python -m codegen`:\n"
        + "\n".join(problems)
    )


def test_generated_spans_keep_the_prose_and_follow_the_spec(project: Path) -> None:
    write(opts(project))
    readme = (project / "README.md").read_text()
    for prose in ("Hand-written prose before.", "between.", "after."):
        assert prose in readme
    assert "*http://pets.test/v2*" in readme
    assert (
        "*PetsApi* | [**add_pet**](docs/PetsApi.md#add_pet) | **POST** /pets | Add a pet" in readme
    )
    # Every schema a call sends or gets is a model, the error body's included.
    assert (
        " - [Error](docs/Error.md)\n - [NewPet](docs/NewPet.md)\n - [Pet](docs/Pet.md)\n"
        "<!-- codegen:end models -->" in readme
    )
    page = (project / "docs" / "PetsApi.md").read_text()
    assert page.startswith("# PetsApi\n\nIntro.\n")
    assert "[**add_pet**](PetsApi.md#add_pet) | **POST** /pets | Add a pet" in page
    # An operation the page has no section for gets one, appended after the prose.
    prose, added = page.split("End.\n", 1)
    assert added.startswith(
        "\n# **add_pet**\n<!-- codegen:begin signature-add_pet -->\n> Pet add_pet(body)\n"
        "<!-- codegen:end signature-add_pet -->\n\nAdd a pet\n\n### Example\n"
    )
    # An example from the spec's examples (a placeholder where it gives none), and the
    # errors table from its declared answers.
    assert "from pets import PetsApi\nfrom pets.models import NewPet\n" in added
    assert "answer = api.add_pet(NewPet.from_dict({}))\n" in added
    assert (
        "Status | Raises | When\n------ | ------ | ----\n400 | `BadRequestException` | bad\n"
        in added
    )
    assert "<!-- codegen:begin reference-add_pet -->\n### Parameters\n" in added
    assert " **body** | [**NewPet**](NewPet.md)|  | \n" in added
    assert added.endswith(
        "<!-- codegen:end reference-add_pet -->\n\n### With HTTP info\n"
        "> ApiResponse add_pet_with_http_info(body)\n\n"
        "The same call. It returns `ApiResponse(data, status, headers)`.\n"
    )
    # A model's page did not exist: it is created with its title and generated table, and is
    # hand-written around the span from then on.
    pet = (project / "docs" / "Pet.md").read_text()
    assert pet.startswith("# Pet\n\n<!-- codegen:begin properties -->\n")
    assert "**id** | `id` | **int** | No | — | No | " in pet


def test_a_removed_operation_takes_its_section_and_its_model_page_with_it(project: Path) -> None:
    spec = project / "spec.yaml"
    spec.write_text(
        SPEC.replace(
            "components:\n",
            "  /pets/{id}:\n    delete:\n      tags: [Pets]\n      operationId: remove_pet\n"
            "      parameters: [{name: id, in: path, required: true, example: 7,"
            " schema: {type: integer}}]\n"
            "      responses:\n        '204': {description: gone}\n"
            "        '404': {description: no such pet}\n"
            "        default:\n          description: unexpected\n"
            "          content: {application/json: {schema: {$ref: '#/components/schemas/Oops'}}}\n"
            "components:\n",
        ).replace(
            "    Error:",
            "    Oops:\n      type: object\n      properties:\n"
            "        why: {type: string, example: broken}\n    Error:",
        )
    )
    write(opts(project))
    page = project / "docs" / "PetsApi.md"
    text = page.read_text()
    assert "api.remove_pet(7)\n" in text
    assert "404 | `NotFoundException` | no such pet\n" in text
    assert "any other | `ApiException` (the subclass of its status) | unexpected\n" in text
    oops = (project / "docs" / "Oops.md").read_text()
    assert '## Example\n\n```json\n{\n  "why": "broken"\n}\n```' in oops
    page.write_text(text.replace("# **remove_pet**\n", "# **remove_pet**\nMy own prose.\n"))
    spec.write_text(SPEC)
    problems = check(opts(project))
    assert "docs/PetsApi.md: differs from the spec" in problems
    assert "docs/Oops.md: orphan (the spec no longer produces it)" in problems
    write(opts(project))
    after = page.read_text()
    assert "remove_pet" not in after
    assert "My own prose." not in after  # the section went, prose and all
    assert "# **add_pet**" in after
    assert not (project / "docs" / "Oops.md").exists()
    assert check(opts(project)) == []


def test_a_second_run_changes_nothing(project: Path) -> None:
    assert write(opts(project))
    before = snapshot(project)
    assert write(opts(project)) == []
    assert snapshot(project) == before
    assert check(opts(project)) == []


def test_every_generated_file_starts_with_the_static_header(project: Path) -> None:
    write(opts(project))
    listed = [
        line for line in (project / MANIFEST).read_text().splitlines() if not line.startswith("#")
    ]
    assert listed == [
        "pets/api/__init__.py",
        "pets/api/pets_api.py",
        "pets/models/__init__.py",
        "pets/models/error.py",
        "pets/models/new_pet.py",
        "pets/models/pet.py",
    ]
    for rel in [*listed, MANIFEST]:
        first = (project / rel).read_text().splitlines()[0]
        assert (
            first
            == header("spec.yaml")
            == ("# Generated from spec.yaml by `python -m codegen`; do not edit.")
        )


def test_generated_python_is_ruff_clean(project: Path) -> None:
    write(opts(project))
    target = str(project / "pets")
    for command in (["format", "--check", "--isolated", "--line-length=100"], ["check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, target],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_check_exit_codes_and_messages(project: Path) -> None:
    first = run_cli(project, "--package", "pets", "--check")
    assert first.returncode == 1
    assert "pets/models/__init__.py: missing" in first.stderr
    assert "README.md: differs from the spec" in first.stderr
    assert "run `python -m codegen`" in first.stderr
    assert not (project / "pets" / "models").exists(), "--check must write nothing"
    assert run_cli(project, "--package", "pets").returncode == 0
    assert run_cli(project, "--package", "pets", "--check").returncode == 0
    (project / "pets/models/__init__.py").write_text("# hand edit\n")
    edited = run_cli(project, "--package", "pets", "--check")
    assert edited.returncode == 1
    assert "pets/models/__init__.py: differs from the spec" in edited.stderr


def test_a_file_no_longer_produced_is_an_orphan_removed_by_a_run(project: Path) -> None:
    write(opts(project, "old"))
    (project / "old" / "models" / "keep.py").write_text("# hand-written, not in the manifest\n")
    problems = check(opts(project, "new"))
    assert "old/models/__init__.py: orphan (the spec no longer produces it)" in problems
    changed = write(opts(project, "new"))
    assert "old/models/__init__.py: removed (orphan)" in changed
    assert not (project / "old/models/__init__.py").exists()
    # files, never folders: what the generator did not list stays
    assert (project / "old/models/keep.py").exists()
    assert check(opts(project, "new")) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t.replace("<!-- codegen:end models -->\n", ""),
        lambda t: t.replace("<!-- codegen:begin endpoints -->\n", ""),
        lambda t: t + "<!-- codegen:begin models -->\n",
    ],
    ids=["end-missing", "begin-missing", "repeated"],
)
def test_a_broken_marker_is_an_error_naming_the_file_never_a_rewrite(project: Path, damage) -> None:
    readme = project / "README.md"
    broken = damage(README)
    readme.write_text(broken)
    for args in ((), ("--check",)):
        done = run_cli(project, "--package", "pets", *args)
        assert done.returncode == 2
        assert "README.md" in done.stderr
        assert "marker" in done.stderr
    assert readme.read_text() == broken
    assert not (project / "pets" / "models").exists()


def test_the_generator_is_not_in_the_wheel() -> None:
    setup = (REPO / "setup.py").read_text()
    assert 'find_packages(include=["persona", "persona.*"])' in setup
    assert "codegen" not in (REPO / "MANIFEST.in").read_text()


def test_a_part_the_generator_cannot_express_is_reported_and_its_operation_skipped(
    project: Path,
) -> None:
    spec = project / "spec.yaml"
    union = "{id: {oneOf: [{type: integer}, {type: string}]}}"
    health = (
        "  /health:\n    get:\n      tags: [Pets]\n      operationId: health\n"
        "      responses: {'204': {description: up}}\ncomponents:\n"
    )
    spec.write_text(SPEC.replace("{id: {type: integer}}", union).replace("components:\n", health))
    strict = run_cli(project, "--package", "pets", "--strict")
    assert strict.returncode == 1
    assert "--strict" in strict.stderr
    assert not (project / "pets" / "models").exists()
    done = run_cli(project, "--package", "pets")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (
        "spec.yaml: #/components/schemas/Pet/properties/id: oneOf is not generated (allOf is) "
        "[skipped: POST /pets (add_pet)]" in done.stderr
    )
    assert "spec.yaml: 1 of 2 operations generated, 1 refused: POST /pets (add_pet)" in done.stderr
    api = (project / "pets" / "api" / "pets_api.py").read_text()
    assert "def health(" in api
    assert "add_pet" not in api
    assert not (project / "pets" / "models" / "pet.py").exists()
    # Every operation refused: a message and exit 2, nothing written.
    spec.write_text(SPEC.replace("{id: {type: integer}}", union))
    none = run_cli(project, "--package", "old")
    assert none.returncode == 2
    assert "none of its 1 operations can be generated" in none.stderr
    assert "Traceback" not in none.stderr
    assert not (project / "old" / "api").exists()


def test_generated_api_methods_are_explicit_and_show_their_parameters() -> None:
    import inspect

    import persona
    from persona.api import account_api

    source = Path(account_api.__file__).read_text(encoding="utf-8")
    assert source.startswith("# Generated from persona/openapi.yaml")
    assert "cast(" not in source
    for cls in (persona.AccountApi, persona.AsyncAccountApi):
        for name in ("account_forgot_pass_post", "account_code_for_token_post_with_http_info"):
            method = getattr(cls, name)
            assert method.__qualname__ == f"{cls.__name__}.{name}"  # a real def, not a factory's
            params = inspect.signature(method).parameters
            assert list(params) == ["self", "body", "options"]
            # the options are declared once, as a TypedDict every method unpacks
            assert params["options"].kind is inspect.Parameter.VAR_KEYWORD
            assert str(params["options"].annotation) == "Unpack[CallOptions]"
            assert ":raises TooManyRequestsException: 429" in (method.__doc__ or "") or (
                "reset_forgotten" in name
            )
