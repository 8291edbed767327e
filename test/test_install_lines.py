"""Every install line users meet (README.md, docs/, CONTRIBUTING.md, messages in the code)
installs persona: from a checkout (`.`, `".[async]"`) or by its distribution name on the
package index, `persona-account-sdk`. `pip install persona` installs an unrelated project.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DISTRIBUTION = "persona-account-sdk"
#: Not persona, and named on purpose (the bench's generated peers, test tools).
OTHERS = {"openapi-generator-cli", "openapi-python-client", "pytest", "playwright"}

_INSTALL = re.compile(r"pip3? install\s+([^`\n|&;)]+)")


def _sources() -> list[Path]:
    files = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    files += [p for p in (REPO / "CONTRIBUTING.md", REPO / "CHANGELOG.md") if p.exists()]
    files += sorted((REPO / "persona").rglob("*.py"))
    return files


def _requirements(args: str) -> list[str]:
    try:
        words = shlex.split(args, comments=True)
    except ValueError:
        words = args.split()
    found = []
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
            continue
        if word in ("-r", "-c", "--requirement", "--constraint"):
            skip_next = True
            continue
        if word == "\\" or word.startswith("-") or ("==" in word and word.split("==")[0] in OTHERS):
            continue  # a line continuation, an option, a pinned tool
        bare = word.strip("'\" ")
        if bare:
            found.append(bare)
    return found


def _lines() -> list[tuple[str, str]]:
    out = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for match in _INSTALL.finditer(text):
            out.append((f"{path.relative_to(REPO)}: {match.group(0).strip()}", match.group(1)))
    return out


def test_the_docs_and_messages_have_install_lines() -> None:
    lines = [where for where, _ in _lines()]
    assert any(DISTRIBUTION in line for line in lines), lines
    assert any("README.md" in line for line in lines)


@pytest.mark.parametrize(("where", "args"), _lines(), ids=lambda v: v if ":" in v else "")
def test_every_install_line_names_persona_by_a_name_that_installs_it(where: str, args: str) -> None:
    for requirement in _requirements(args):
        name = re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        if name in OTHERS or name.startswith(("types-", "pytest-", "opentelemetry-")):
            continue
        assert name in (".", DISTRIBUTION) or name.startswith((".", "/")), (
            f"{where}: {requirement!r} does not install persona "
            f"(use '.' from a checkout or {DISTRIBUTION!r} from the index)"
        )


def test_setup_names_the_distribution_and_keeps_the_import_name() -> None:
    setup_py = (REPO / "setup.py").read_text(encoding="utf-8")
    assert f'name="{DISTRIBUTION}"' in setup_py
    assert 'find_packages(include=["persona", "persona.*"])' in setup_py


_FENCE = re.compile(r"```(?:sh|bash|console|shell)\n(.*?)```", re.S)


def _serve_lines() -> list[str]:
    lines = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for block in _FENCE.findall(path.read_text(encoding="utf-8")):
            joined = block.replace("\\\n", " ")
            lines += [
                f"{path.name}: {line.strip()}"
                for line in joined.splitlines()
                if "persona.testing serve" in line
                and not line.lstrip().startswith(("#", "persona:"))  # comments, output
            ]
    return lines


def test_the_docs_start_the_reference_server() -> None:
    assert len(_serve_lines()) >= 3


@pytest.mark.parametrize("line", _serve_lines())
def test_every_documented_serve_keeps_an_outbox_the_flow_examples_can_read(line: str) -> None:
    # The flow examples read the mailed code from the outbox file (outbox.jsonl, or the
    # file PERSONA_OUTBOX names); a server started without one leaves them nothing to read.
    assert "--outbox" in line or "PERSONA_OUTBOX=" in line, line


def test_the_testing_page_opens_with_persona_s_fixtures() -> None:
    text = (REPO / "docs" / "Testing.md").read_text(encoding="utf-8")
    first_section = text.split("\n## ", 2)[1]
    assert first_section.startswith("Your tests: the pytest fixtures"), first_section[:60]
    first_python = text.split("```python", 1)[1].split("```", 1)[0]
    assert "persona_server" in first_python
    assert "urllib3" not in first_python


def test_the_suite_s_requirements_leave_the_optional_extras_out() -> None:
    suite = (REPO / "test-requirements.txt").read_text(encoding="utf-8").lower()
    for extra in ("fastapi", "flask", "starlette", "playwright", "selenium", "openapi-generator"):
        assert extra not in suite, f"{extra} belongs in an optional extras file"
    frameworks = (REPO / "test-requirements-frameworks.txt").read_text(encoding="utf-8")
    assert "fastapi" in frameworks
    assert "flask" in frameworks
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-requirements-frameworks.txt" in ci  # CI still runs those tests


_VENV = "python3 -m venv .venv && . .venv/bin/activate"


def _first_shell_block(path: Path, section: str) -> str:
    text = path.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = _FENCE.findall(body)
    assert blocks, f"{path.name}: no shell block under '## {section}'"
    return str(blocks[0])


@pytest.mark.parametrize(
    ("path", "section"), [("README.md", "Quick start"), ("CONTRIBUTING.md", "Setting up")]
)
def test_the_first_install_goes_into_a_virtual_environment(path: str, section: str) -> None:
    # A system Python (Debian's python3, PEP 668) refuses `pip install` outside a virtual
    # environment with "externally-managed-environment": the first command users copy
    # makes one and activates it, before anything is installed.
    lines = [line for line in _first_shell_block(REPO / path, section).splitlines() if line]
    assert lines[0].startswith(_VENV), f"{path} '## {section}' starts with {lines[0]!r}"
    assert any("pip install" in line for line in lines[1:])
    assert ".venv/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
