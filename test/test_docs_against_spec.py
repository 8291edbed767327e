"""What README.md, CONTRIBUTING.md, ARCHITECTURE.md and docs/ say about the API's
operations and HTTP methods agrees with ``persona/openapi.yaml`` (and with the SDK's rule
of which methods are safe), so that a sentence written for three POST operations cannot
outlive the day the spec gains a GET.

Each kind of statement that counts or lists them is found by a pattern and checked:

- "all three operations", "the three endpoints", "the same three methods": the number of
  operations in the spec;
- "the operations are POSTs"; "`forgotPass` and `codeForToken` are POSTs": the method of
  those operations;
- "every method but POST", "Allow: POST": the methods the spec declares, on every path;
- a list of HTTP methods, "(GET, HEAD, OPTIONS)", "(POST, PUT, PATCH, DELETE)": every safe
  method, or every other one (``persona.core.operation.SAFE_METHODS``).

Prose that does not count ("No operation needs authorization", "each operation") needs
no check; the authorization sentence is checked against the spec's ``security``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import yaml

from persona.core.operation import SAFE_METHODS

REPO = Path(__file__).resolve().parents[1]
PAGES = [
    REPO / "README.md",
    REPO / "CONTRIBUTING.md",
    REPO / "ARCHITECTURE.md",
    *sorted((REPO / "docs").glob("*.md")),
]
SPEC = yaml.safe_load((REPO / "persona" / "openapi.yaml").read_text(encoding="utf-8"))
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STANDARD = {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"}
NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip


class Operation:
    """One operation of a spec: its id, method, path and the path's last segment (the
    name the docs use: ``forgotPass``)."""

    def __init__(self, operation_id: str, method: str, path: str) -> None:
        self.id = operation_id
        self.method = method.upper()
        self.path = path
        self.short = path.rstrip("/").rsplit("/", 1)[-1]


def operations_of(spec: Any) -> list[Operation]:
    return [
        Operation(operation["operationId"], method, path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def methods_by_path(operations: list[Operation]) -> dict[str, set[str]]:
    paths: dict[str, set[str]] = {}
    for operation in operations:
        paths.setdefault(operation.path, set()).add(operation.method)
    return paths


Check = Callable[["re.Match[str]", list[Operation]], Optional[str]]


def _count(match: re.Match[str], operations: list[Operation]) -> Optional[str]:
    word = match.group("n").lower()
    said = NUMBERS.get(word) or int(word)
    if said != len(operations):
        return f"counts {said} operations; the spec has {len(operations)}"
    return None


def _all_are(match: re.Match[str], operations: list[Operation]) -> Optional[str]:
    method = match.group("method")
    others = sorted(f"{o.method} {o.path}" for o in operations if o.method != method)
    return f"says every operation is a {method}; not: {', '.join(others)}" if others else None


def _named_are(match: re.Match[str], operations: list[Operation]) -> Optional[str]:
    method = match.group("method")
    by_name = {name: o for o in operations for name in (o.id, o.short)}
    problems = []
    for name in re.findall(r"`(\w+)`", match.group("names")):
        operation = by_name.get(name)
        if operation is None:
            problems.append(f"{name} is not an operation of the spec")
        elif operation.method != method:
            problems.append(f"{name} is a {operation.method}, not a {method}")
    return "; ".join(problems) or None


def _only(match: re.Match[str], operations: list[Operation]) -> Optional[str]:
    said = set(re.findall(r"[A-Z]+", match.group("methods")))
    wrong = {
        path: methods for path, methods in methods_by_path(operations).items() if methods != said
    }
    if wrong:
        shown = "; ".join(f"{path}: {', '.join(sorted(m))}" for path, m in sorted(wrong.items()))
        return f"says the methods are {', '.join(sorted(said))}; the spec declares {shown}"
    return None


def _method_list(match: re.Match[str], operations: list[Operation]) -> Optional[str]:
    listed = set(re.findall(r"\b[A-Z]+\b", match.group(0))) & STANDARD
    if listed <= SAFE_METHODS:
        expected = set(SAFE_METHODS)
    elif not listed & SAFE_METHODS:
        expected = STANDARD - SAFE_METHODS
    else:
        return None  # not a list of one kind ("every method but POST (HEAD ...")
    if listed != expected:
        return f"lists {', '.join(sorted(listed))}; the whole kind is {', '.join(sorted(expected))}"
    return None


_METHOD = r"(?:GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE)"
CLAIMS: list[tuple[str, re.Pattern[str], Check]] = [
    (
        "a count of operations",
        re.compile(
            r"\b(?:all|the|its|same|these|those)\s+(?P<n>one|two|three|four|five|six|seven|"
            r"eight|nine|ten|\d+)\s+(?:operations|endpoints|API\s+methods|methods)\b",
            re.I,
        ),
        _count,
    ),
    (
        "the method of every operation",
        re.compile(r"\boperations\s+are\s+(?P<method>[A-Z]+)s\b"),
        _all_are,
    ),
    (
        "the method of named operations",
        re.compile(r"(?P<names>`\w+`(?:,\s+`\w+`)*,?\s+and\s+`\w+`)\s+are\s+(?P<method>[A-Z]+)s\b"),
        _named_are,
    ),
    (
        "the only methods",
        re.compile(r"\bevery\s+method\s+but\s+(?P<methods>[A-Z]+(?:,?\s+(?:and\s+)?[A-Z]+)*)"),
        _only,
    ),
    ("the methods allowed", re.compile(r"\bAllow:\s+(?P<methods>[A-Z]+(?:,\s*[A-Z]+)*)"), _only),
    (
        "a list of HTTP methods",
        re.compile(rf"\b{_METHOD}\b(?:[\s,()]+(?:and\s+|or\s+)?{_METHOD}\b)+"),
        _method_list,
    ),
]


def problems_in(
    text: str, operations: list[Operation], where: str = ""
) -> Iterator[tuple[str, str]]:
    """``(where:line: the statement, the problem)`` for each statement of ``text`` that
    the spec's ``operations`` contradict; ``("...", "")`` for each one that agrees."""
    for _, pattern, check in CLAIMS:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            said = " ".join(match.group(0).split())
            yield f"{where}:{line}: {said!r}", check(match, operations) or ""


def test_docs_statements_about_operations_and_methods_agree_with_the_spec() -> None:
    operations = operations_of(SPEC)
    found = [
        (statement, problem)
        for page in PAGES
        for statement, problem in problems_in(
            page.read_text(encoding="utf-8"), operations, str(page.relative_to(REPO))
        )
    ]
    for statement, problem in found:
        print(statement, "->", problem or "agrees")
    stale = [f"{statement}: {problem}" for statement, problem in found if problem]
    assert not stale, "\n".join(stale)


# The spec as it would be after a GET was added: every check above has to notice.
GROWN = {
    "paths": {
        "/account/forgotPass": {"post": {"operationId": "account_forgot_pass_post"}},
        "/account/codeForToken": {"post": {"operationId": "account_code_for_token_post"}},
        "/account/resetForgottenPassword": {
            "post": {"operationId": "account_reset_forgotten_password_post"}
        },
        "/account/status": {"get": {"operationId": "account_status_get"}},
    }
}

STALE = [
    ("All three operations are POSTs.", 2),  # the count, and the method
    ("`forgotPass`, `codeForToken` and `status` are POSTs.", 1),
    ("The reference server answers every method but POST with 405.", 1),
    ("It answers 405 with `Allow: POST`.", 1),
    ("the same three methods as `AccountApi`", 1),
    ("a safe one (GET, HEAD) takes no key", 1),
    ("every method that may change something (POST, PUT, PATCH) gets a key", 1),
]


@pytest.mark.parametrize(("sentence", "problems"), STALE)
def test_a_statement_the_grown_spec_contradicts_is_found(sentence: str, problems: int) -> None:
    found = [problem for _, problem in problems_in(sentence, operations_of(GROWN)) if problem]
    assert len(found) == problems, found


@pytest.mark.parametrize(
    "sentence",
    [
        "`forgotPass`, `codeForToken` and `resetForgottenPassword` are POSTs.",
        "The reference server answers every method it declares; 405 otherwise.",
        "a safe one (GET, HEAD, OPTIONS) takes no key; (POST, PUT, PATCH, DELETE) get one",
        "The flow takes three calls.",
    ],
)
def test_a_statement_that_still_holds_is_not_reported(sentence: str) -> None:
    assert [p for _, p in problems_in(sentence, operations_of(GROWN)) if p] == []


def test_no_operation_needs_authorization_as_the_readme_says() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Documentation For Authorization", 1)[1].split("\n## ", 1)[0]
    assert "No operation needs authorization." in section
    assert "security" not in SPEC, "the spec now requires authorization: update the README"
    secured = [o.id for o in operations_of(SPEC) if "security" in _operation(o)]
    assert not secured, f"{secured} need authorization: update the README"


def _operation(operation: Operation) -> dict[str, Any]:
    return SPEC["paths"][operation.path][operation.method.lower()]  # type: ignore[no-any-return]
