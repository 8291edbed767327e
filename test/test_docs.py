"""The documentation is tested like code.

- Every ```python block in README.md and docs/*.md runs as a standalone script, in a
  fresh interpreter, the way a reader runs a page: in order, against one reference server
  per page **with default settings** (the contract's rate limit of 5 ``forgotPass`` a
  minute per address included), started as the pages say (the account
  ``ann@example.com`` / ``old-pass-1``, its outbox file ``outbox.jsonl`` in the block's
  working directory, as ``serve --outbox outbox.jsonl`` makes it); ``PERSONA_HOST`` points
  at it; ``PERSONA_OUTBOX`` is not set and stdin is not a terminal, as for a script. A
  block must exit 0 without a traceback, and stand alone: ruff's undefined-name check
  (F821) runs over every block, and the flow examples, which read the mailed code from
  ``outbox.jsonl``, run once more in a directory without one, where they must stop with
  their one-line advice. A block
  preceded by ``<!-- not-run: reason -->`` is skipped, and must give its reason; one
  preceded by ``<!-- run-with: pytest -->`` is a test module, run by pytest with the
  plugins of a user's project (persona's, and pytest-asyncio for async tests), and must
  pass.
- What a page shows a block printing is compared with what it prints (see
  ``_shown_output``): a ```text block introduced by a "Prints..." line right after the
  block, or ``# comments`` on (and right under) its ``print(...)`` calls. A block that
  prints and shows nothing fails, so that an ``except`` branch that printed an error
  cannot pass for a success. Values that change from run to run are compared by shape.
- Every public name, every AccountApi method and every model field is documented, and
  every relative link between the pages (and its ``#anchor``) resolves.
- docs/AccountApi.md agrees with the generated page users follow today (the seed) on
  method names, HTTP requests, descriptions, parameters and return types, and with the
  SDK itself on paths, models and the exception raised for each status.
- Each model page's property table agrees with the model's field table.
"""

from __future__ import annotations

import ast
import dataclasses
import doctest
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

import persona
from persona import exceptions
from persona.api import account_api
from persona.configuration import DEFAULT_HOST
from persona.core.model import Model
from persona.testing import ReferenceServer

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "AccountApi.md"
ACCOUNT_API = DOCS / "AccountApi.md"

BLOCK_TIMEOUT = 60

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run\s*:?(.*?)-->\s*$")
RUN_WITH_PYTEST = re.compile(r"^\s*<!--\s*run-with:\s*pytest\s*-->\s*$")
PRINTS = re.compile(r"^Prints\b.*:\s*$")
MODELS = sorted(
    name
    for name in persona.__all__
    if isinstance(getattr(persona, name), type) and issubclass(getattr(persona, name), Model)
)


# -- reading Markdown -----------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One fenced ```python block of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    code: str
    not_run: Optional[str]  # the reason given by <!-- not-run: reason -->, or None
    pytest: bool = False  # marked <!-- run-with: pytest -->: a test module
    shown: Optional[str] = None  # the ```text block "Prints:" shows right after it

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(REPO).as_posix()}:L{self.line}"


def _python_blocks(page: Path) -> Iterator[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    previous: Optional[Block] = None  # the python block just before, if it was the last fence
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, lang = match.group(2), match.group(3).lower()
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        prev = i - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        body = "\n".join(lines[i + 1 : end]) + "\n"
        if previous is not None and lang == "text" and PRINTS.match(lines[prev].strip()):
            previous = dataclasses.replace(previous, shown=body)
        elif previous is not None:
            yield previous
            previous = None
        if lang in ("python", "py"):
            marker = NOT_RUN.match(lines[prev]) if prev >= 0 else None
            previous = Block(
                page=page,
                line=i + 1,
                code=body,
                not_run=marker.group(1).strip() if marker else None,
                pytest=prev >= 0 and bool(RUN_WITH_PYTEST.match(lines[prev])),
            )
        i = end + 1
    if previous is not None:
        yield previous


def _is_print(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "print"
    )


def _shown_output(block: Block) -> Optional[str]:
    """What the page shows ``block`` printing, or None when it shows nothing.

    A ```text block right after it, introduced by a line that starts with "Prints" and
    ends with ":", is the whole output. Otherwise the comments of its ``print(...)``
    calls are: the comment at the end of the call (``print(x)  # 42``) and the
    comment-only lines right under it, one line of output each.
    """
    if block.shown is not None:
        return block.shown
    lines = block.code.splitlines()
    comments: dict[int, tuple[int, str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(block.code).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = (token.start[1], token.string[1:].strip())
    shown: list[str] = []
    ends = sorted(
        node.end_lineno or 0 for node in ast.walk(ast.parse(block.code)) if _is_print(node)
    )
    for end in ends:
        line = lines[end - 1]
        if end in comments and comments[end][0] > len(line) - len(line.lstrip()):
            shown.append(comments[end][1])
        below = end + 1
        while below in comments and not lines[below - 1][: comments[below][0]].strip():
            shown.append(comments[below][1])
            below += 1
    return "\n".join(shown) + "\n" if shown else None


#: Values that differ from run to run, compared by shape: (pattern, what it stands for).
VOLATILE = [
    (re.compile(r"\breq_[0-9a-f]{8,}\b"), "req_<id>"),
    (re.compile(r"\b(127\.0\.0\.1|localhost):\d+"), r"\1:<port>"),
    (re.compile(r"--port \d+"), "--port <port>"),
    (re.compile(r"datetime\.datetime\((?:[^()]|\([^()]*\))*\)"), "<datetime>"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), "<datetime>"),
    (re.compile(r"\b\d+(?:\.\d+)? ms\b"), "<n> ms"),
    (re.compile(r"(?<![\w.])\d{6}(?![\w.])"), "<code>"),
]


def _tidy(text: str) -> str:
    """``text`` with volatile values replaced, trailing spaces and blank lines dropped."""
    for pattern, placeholder in VOLATILE:
        text = pattern.sub(placeholder, text)
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _output_matches(shown: str, printed: str) -> bool:
    """Whether ``printed`` is what the page ``shown``: line for line, volatile values by
    shape, and ``...`` in the page standing for any text (doctest's ELLIPSIS)."""
    return doctest.OutputChecker().check_output(_tidy(shown), _tidy(printed), doctest.ELLIPSIS)


def _prose(page: Path) -> str:
    """The page without its fenced code blocks (whose '#' lines are not headings)."""
    out, fence = [], None
    for line in page.read_text(encoding="utf-8").splitlines():
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None:
            out.append(line)
    return "\n".join(out)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    prose = _prose(page)
    for match in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", prose, re.M):
        slug = _slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    anchors.update(re.findall(r"""<a\s+(?:name|id)=["']([^"']+)["']""", prose))
    return anchors


def _tables(text: str) -> Iterator[list[list[str]]]:
    """Each Markdown table in ``text`` as rows of stripped cells (header first, no rule)."""
    rows: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if "|" in line and line.strip():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                rows.append(cells)
        elif rows:
            yield rows
            rows = []


def _sections(text: str) -> dict[str, str]:
    """The text under each ``# **method**`` heading of an API page, by method name."""
    parts = re.split(r"^# \*\*(\w+)\*\*\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _link(cell: str) -> tuple[str, str]:
    """``[**Name**](Target.md)`` -> ``("Name", "Target.md")``; plain text -> (text, "")."""
    match = re.search(r"\[\**([^\]*]+)\**\]\(([^)]*)\)", cell)
    return (match.group(1), match.group(2)) if match else (cell.strip("* "), "")


# -- 1. every python block runs -------------------------------------------------------

BLOCKS = [block for page in PAGES for block in _python_blocks(page)]


class PageServers:
    """One reference server per page, started as a reader of the pages starts one: default
    settings, the account ``ann@example.com`` / ``old-pass-1``, an outbox file. The blocks
    of a page run in order against its server; the next page gets a new one."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._page: Optional[Path] = None
        self._server: Optional[ReferenceServer] = None
        self._env: dict[str, str] = {}

    def env_for(self, page: Path) -> dict[str, str]:
        """The environment of ``page``'s blocks (its server started on first use)."""
        if page != self._page:
            self.close()
            workdir = self._tmp.mktemp(page.stem)
            outbox = workdir / "outbox.jsonl"
            self._server = ReferenceServer(
                accounts={"ann@example.com": "old-pass-1"}, outbox=str(outbox)
            ).start()
            self._page = page
            # No PERSONA_OUTBOX: a reader who started `serve --outbox outbox.jsonl` here
            # has the file in this directory and nothing in the environment.
            self._env = _block_env(self._server.url, workdir)
        return self._env

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            self._page = None


def _block_env(host: str, workdir: Path) -> dict[str, str]:
    """The environment a block runs in: no ``PERSONA_*`` but ``PERSONA_HOST``, and this
    checkout's ``persona`` first on the path (not another one the interpreter has installed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    env.update(
        PERSONA_HOST=host,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        WORKDIR=str(workdir),
    )
    return env


@pytest.fixture(scope="module")
def page_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServers]:
    servers = PageServers(tmp_path_factory)
    yield servers
    servers.close()


def _run(block: Block, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", block.code]
    if block.pytest:
        module = Path(env["WORKDIR"]) / f"test_docs_block_{block.line}.py"
        module.write_text(block.code, encoding="utf-8")
        # An unclosed client or socket fails the block, as in a project with
        # filterwarnings = error (docs/Frameworks.md promises its fixtures leave none).
        strict = [
            "-W",
            "error::ResourceWarning",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
        ]
        # The plugins of a user's project: persona's (its pytest11 entry point) and, for
        # async tests, pytest-asyncio; not the rest of this development environment
        # (hypothesis, schemathesis, ...), whose loading would cost each block seconds.
        plugins = ["-p", "persona"]
        if "pytest.mark.asyncio" in block.code:
            plugins += ["-p", "asyncio"]
        env = {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *plugins,
            *strict,
            str(module),
        ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        env=env,
        cwd=env["WORKDIR"],
        stdin=subprocess.DEVNULL,  # run as a script is: nobody at the keyboard
        check=False,
    )


#: Modules of the optional test extras a docs block may import: (extra file, modules).
OPTIONAL_MODULES = {
    "fastapi": "test-requirements-frameworks.txt",
    "starlette": "test-requirements-frameworks.txt",
    "flask": "test-requirements-frameworks.txt",
    "httpx": "test-requirements-frameworks.txt",
    "opentelemetry": "test-requirements-otel.txt",
}
#: Namespace packages made of several distributions (opentelemetry-api may be there
#: without the SDK): a block's whole module name is looked up, not its first part.
NAMESPACES = {"opentelemetry"}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _missing_extra(block: Block) -> Optional[str]:
    """Why ``block`` cannot run here: an optional module it imports is not installed."""
    for node in ast.walk(ast.parse(block.code)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            wanted = name if top in NAMESPACES else top
            if top in OPTIONAL_MODULES and not _installed(wanted):
                return f"needs {wanted}: pip install -r {OPTIONAL_MODULES[top]}"
    return None


def test_a_block_needing_a_missing_part_of_a_namespace_package_is_skipped() -> None:
    def block(code: str) -> Block:
        return Block(page=REPO / "README.md", line=1, code=code, not_run=None)

    missing = block("from opentelemetry.no_such_part import x\n")
    assert _missing_extra(missing) == (
        "needs opentelemetry.no_such_part: pip install -r test-requirements-otel.txt"
    )
    assert _missing_extra(block("import no_such_top_module\n")) is None  # not an extra
    assert _missing_extra(block("import json\n")) is None


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_python_block_runs(block: Block, page_servers: PageServers) -> None:
    if block.not_run is not None:
        pytest.skip(f"{block.id} not-run: {block.not_run}")
    missing = _missing_extra(block)
    if missing is not None:
        pytest.skip(f"{block.id}: {missing}")
    result = _run(block, page_servers.env_for(block.page))
    report = f"{block.id}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 0, report
    assert "Traceback" not in result.stderr, report
    if block.pytest:
        assert re.search(r"\b[1-9]\d* passed\b", result.stdout), report
        assert "failed" not in result.stdout, report
        return
    shown = _shown_output(block)
    if shown is None:
        assert not result.stdout.strip(), f"{report}\n--- the page does not show this output"
    else:
        assert _output_matches(shown, result.stdout), f"{report}\n--- the page shows\n{shown}"


def test_shown_output_is_read_and_compared(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\n"
        "print(1)  # 1\n"
        "print('a', 'b')\n"
        "# a b\n"
        "x = 2  # not output: not a print\n"
        "```\n\n"
        "```python\n"
        "print(2)\n"
        "```\n\n"
        "Prints (for example):\n\n"
        "```text\n"
        "2\n"
        "```\n",
        encoding="utf-8",
    )
    first, second = _python_blocks(page)
    assert _shown_output(first) == "1\na b\n"
    assert _shown_output(second) == "2\n"
    assert _output_matches(
        "forgotPass 200 req_3c34873791ba29fdfd2abc1d http://127.0.0.1:54321/v1 042917\n",
        "forgotPass 200 req_0123456789abcdef01234567 http://127.0.0.1:40001/v1 318204\n",
    )
    assert _output_matches("Configuration(host=..., ...)\n", "Configuration(host='x', a=1)\n")
    assert not _output_matches("max_retry_after=60.0\n", "max_retry_after=10.0\n")
    # An except branch that printed as well: not what the page shows.
    assert not _output_matches("True\n", "True\nException when calling ...: (429)\n")


#: ruff's undefined-name check, without the project's configuration, as JSON.
RUFF_F821 = [
    *(sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache"),
    *("--select", "F821", "--output-format", "json"),
]


def test_blocks_define_every_name_they_use(tmp_path: Path) -> None:
    """Each block stands alone: ruff's undefined-name check (F821) over every block, run or
    not, so that a name one block imports and the next forgets fails here, even when the
    run above never reaches the line that uses it."""
    files = {}
    for number, block in enumerate(BLOCKS):
        path = tmp_path / f"block_{number}.py"
        path.write_text(block.code, encoding="utf-8")
        files[str(path)] = block
    result = subprocess.run(
        [*RUFF_F821, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    found = [
        f"{files[m['filename']].page.relative_to(REPO).as_posix()}:"
        f"{files[m['filename']].line + m['location']['row']}: {m['message']}"
        for m in json.loads(result.stdout)
    ]
    assert not found, "\n".join(found)


def test_undefined_name_check_finds_one(tmp_path: Path) -> None:
    """The check above can fail: a block using ``sys`` without importing it is reported."""
    page = tmp_path / "page.md"
    page.write_text("Text.\n\n```python\nimport os\n\nsys.exit(os.sep)\n```\n", encoding="utf-8")
    (block,) = _python_blocks(page)
    result = subprocess.run(
        [*RUFF_F821, "--stdin-filename", "block.py", "-"],
        input=block.code,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        check=False,
    )
    (message,) = json.loads(result.stdout)
    assert block.line + message["location"]["row"] == 6
    assert "`sys`" in message["message"]


#: The flow examples: they read the mailed code from ``outbox.jsonl`` in the working
#: directory, which the run above always provides.
FLOW_BLOCKS = [b for b in BLOCKS if "def code_from_email" in b.code and b.not_run is None]


@pytest.fixture(scope="module")
def server_without_outbox() -> Iterator[ReferenceServer]:
    server = ReferenceServer(accounts={"ann@example.com": "old-pass-1"}).start()
    yield server
    server.stop()


def test_flow_examples_are_found() -> None:
    assert len(FLOW_BLOCKS) >= 4, [b.id for b in FLOW_BLOCKS]


@pytest.mark.parametrize("block", FLOW_BLOCKS, ids=[b.id for b in FLOW_BLOCKS])
def test_flow_example_without_an_outbox_says_how_to_get_one(
    block: Block, server_without_outbox: ReferenceServer, tmp_path: Path
) -> None:
    """Run where there is no ``outbox.jsonl`` (and nobody at the keyboard), a flow example
    stops with its one-line advice, not a traceback."""
    result = _run(block, _block_env(server_without_outbox.url, tmp_path))
    report = f"{block.id}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 1, report
    assert "Traceback" not in result.stderr, report
    assert result.stderr.strip() == (
        "No outbox file outbox.jsonl: start the reference server with --outbox outbox.jsonl"
    ), report


def test_not_run_blocks_give_a_reason() -> None:
    skipped = [b for b in BLOCKS if b.not_run is not None]
    print(f"{len(BLOCKS)} python blocks: {len(BLOCKS) - len(skipped)} run, {len(skipped)} not run")
    for block in skipped:
        print(f"  not run: {block.id}: {block.not_run}")
    assert BLOCKS, "no ```python blocks found in README.md and docs/"
    assert all(b.not_run for b in skipped), [b.id for b in skipped if not b.not_run]


# -- 2. everything public is documented; links resolve --------------------------------


def _docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


def _api_methods() -> list[str]:
    return sorted(n for n in vars(persona.AccountApi) if n.startswith("account_"))


@pytest.mark.parametrize("name", sorted(persona.__all__))
def test_public_name_is_documented(name: str) -> None:
    assert re.search(rf"(?<!\w){re.escape(name)}\b", _docs_text()), f"{name} not in docs/"


@pytest.mark.parametrize("method", _api_methods())
def test_api_method_is_documented(method: str) -> None:
    assert re.search(rf"\b{method}\b", ACCOUNT_API.read_text(encoding="utf-8")), (
        f"{method} not in docs/AccountApi.md"
    )


@pytest.mark.parametrize("model", MODELS)
def test_model_page_matches_its_fields(model: str) -> None:
    page = DOCS / f"{model}.md"
    assert page.exists(), f"docs/{model}.md is missing"
    tables = [t for t in _tables(_prose(page)) if t[0][:2] == ["Name", "JSON name"]]
    assert len(tables) == 1, f"docs/{model}.md: expected one property table (Name | JSON name)"
    header, *rows = tables[0]
    col = {name: header.index(name) for name in ("Type", "Required", "Constraints", "Secret")}
    documented = {row[0].strip("*` "): row for row in rows}
    cls = getattr(persona, model)
    assert set(documented) == {f.name for f in cls._fields}, f"docs/{model}.md: fields"
    for spec in cls._fields:
        row = documented[spec.name]
        assert row[1].strip("` ") == spec.json_name, f"{model}.{spec.name}: JSON name"
        assert spec.type.__name__ in row[col["Type"]], f"{model}.{spec.name}: type"
        assert row[col["Required"]].lower().startswith("yes" if spec.required else "no")
        assert row[col["Secret"]].lower().startswith("yes" if spec.secret else "no")
        for bound in (spec.min_length, spec.max_length):
            if bound is not None:
                assert re.search(rf"\b{bound}\b", row[col["Constraints"]]), (
                    f"{model}.{spec.name}: constraint {bound} not stated"
                )


def _relative_links(page: Path) -> Iterator[tuple[str, str]]:
    prose = re.sub(r"`[^`\n]*`", "", _prose(page))
    for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", prose):
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, mailto:, ...
            path, _, anchor = target.partition("#")
            yield path, anchor


LINKS = [(page, path, anchor) for page in PAGES for path, anchor in _relative_links(page)]


@pytest.mark.parametrize(
    ("page", "path", "anchor"),
    LINKS,
    ids=[f"{p.relative_to(REPO).as_posix()}->{t}{'#' + a if a else ''}" for p, t, a in LINKS],
)
def test_relative_link_resolves(page: Path, path: str, anchor: str) -> None:
    target = (page.parent / path).resolve() if path else page
    assert target.exists(), f"{page.name}: link to missing file {path}"
    if anchor and target.suffix == ".md":
        assert anchor in _anchors(target), f"{page.name}: no #{anchor} in {target.name}"


# -- 3. docs/AccountApi.md agrees with the seed and with the SDK ----------------------


def _method_table(text: str) -> dict[str, tuple[str, str, str, str]]:
    """``{method: (anchor, HTTP method, path, description)}`` from an API page's table."""
    table = next(t for t in _tables(text) if "Method" in t[0] and "HTTP request" in t[0])
    first = table[0].index("Method")
    out = {}
    for name_cell, request, description in (row[first : first + 3] for row in table[1:]):
        name, target = _link(name_cell)
        verb, path = re.fullmatch(r"\*\*(\w+)\*\*\s+(\S+)", request).groups()  # type: ignore[union-attr]
        out[name] = (target.partition("#")[2], verb, path, description)
    return out


def _signature_and_types(section: str) -> tuple[str, str, list[tuple[str, str]], str]:
    """The ``> Type method(args)`` line, the description under it, the Parameters rows
    and the Return type of a method's section (generated-span markers, HTML comments that
    a reader never sees, left out)."""
    section = re.sub(r"^<!-- codegen:(?:begin|end) \S+ -->\n", "", section, flags=re.M)
    match = re.search(r"^> (.+)$\s*^(.+)$", section, re.M)
    assert match is not None, "no '> signature' line followed by a description"
    signature, description = match.group(1).strip(), match.group(2).strip()
    params_text = section.split("### Parameters", 1)[1].split("###", 1)[0]
    table = next(_tables(params_text), None)  # None: "This endpoint does not need any parameter."
    params = [(row[0].strip("* "), _link(row[1])[0]) for row in table[1:]] if table else []
    return_text = section.split("### Return type", 1)[1].split("###", 1)[0]
    return signature, description, params, _link(return_text.strip().splitlines()[0])[0]


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed page {SEED} is absent (shared/ must sit beside the repo)")
    return SEED.read_text(encoding="utf-8")


def test_method_table_agrees_with_seed(seed: str) -> None:
    ours = _method_table(_prose(ACCOUNT_API))
    assert ours == _method_table(seed)
    for name, (anchor, *_) in ours.items():
        assert anchor == name


def test_readme_endpoint_table_agrees_with_api_page() -> None:
    readme = _method_table(_prose(REPO / "README.md"))
    page = _method_table(_prose(ACCOUNT_API))
    assert {k: v[1:] for k, v in readme.items()} == {k: v[1:] for k, v in page.items()}
    assert all(anchor == name for name, (anchor, *_) in readme.items())


def test_method_sections_agree_with_seed(seed: str) -> None:
    ours = _sections(_prose(ACCOUNT_API))
    theirs = _sections(seed)
    assert set(theirs) <= set(ours)
    for name in theirs:
        assert _signature_and_types(ours[name]) == _signature_and_types(theirs[name]), name


def test_method_table_agrees_with_sdk() -> None:
    operations = {
        op.name: op for op in vars(account_api).values() if isinstance(op, account_api.Operation)
    }
    table = _method_table(_prose(ACCOUNT_API))
    assert set(table) == set(operations)
    sections = _sections(_prose(ACCOUNT_API))
    for name, (_, verb, path, _) in table.items():
        op = operations[name]
        assert (verb, path) == (op.method, op.path), name
        signature, _, params, returns = _signature_and_types(sections[name])
        in_path = [p.name for p in op.params if p.location == "path"]
        keywords = [f"{p.name}={p.name}" for p in op.params if p.location != "path"]
        args = ", ".join([*in_path, *(["body"] if op.body_type else []), *keywords])
        result = f"{op.response_type.__name__} " if op.response_type else ""
        assert signature == f"{result}{name}({args})"
        expected = [(p.name, p.type.__name__) for p in op.params if p.location == "path"]
        expected += [("body", op.body_type.__name__)] if op.body_type else []
        expected += [(p.name, p.type.__name__) for p in op.params if p.location != "path"]
        assert [(n, t.strip("*")) for n, t in params] == expected
        if op.response_type:
            assert returns == op.response_type.__name__
    base = re.search(r"All URIs are relative to \*([^*]+)\*", ACCOUNT_API.read_text())
    assert base is not None
    assert base.group(1) == DEFAULT_HOST


# -- 4. the exception tables name real exceptions, for the right statuses -------------


def test_exception_tables_match_persona_exceptions() -> None:
    tables = [t for t in _tables(_prose(ACCOUNT_API)) if "Exception" in t[0]]
    assert tables, "docs/AccountApi.md has no table with an Exception column"
    checked = 0
    for header, *rows in tables:
        status_col, class_col = header.index("Status"), header.index("Exception")
        for row in rows:
            names = re.findall(r"`(\w+)`", row[class_col])
            assert names, f"no exception class in row {row}"
            for name in names:
                cls = getattr(exceptions, name, None)
                assert isinstance(cls, type), f"{name} is not in persona.exceptions"
                assert issubclass(cls, exceptions.ApiException), name
                checked += 1
            status = row[status_col].strip("* ")
            if re.fullmatch(r"[45]\d\d", status):
                expected = exceptions.exception_for_status(int(status))
                assert [expected.__name__] == names, f"status {status}: {names}"
            elif status == "5xx":
                assert names == ["ServiceException"]
    assert checked
