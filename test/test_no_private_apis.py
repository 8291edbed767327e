"""persona reads no private attribute of a dependency or of CPython: every ``x._name``
in the package is one of persona's own names (a speed-up that leans on another
library's internals breaks with its next release)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "persona"
#: Underscore names that are documented public API of CPython.
DOCUMENTED = {"_exit", "_replace", "_asdict", "_fields"}


def _trees() -> dict[Path, ast.AST]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")}


def _own_private_names(trees: dict[Path, ast.AST]) -> set[str]:
    """Every underscore name persona itself defines: functions, classes, attributes it
    assigns, slots, class-body names, and its own modules."""
    names = {path.stem for path in PACKAGE.rglob("*.py")}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)  # __slots__ entries, object.__setattr__ names
    return {name for name in names if name.startswith("_")}


def test_no_private_attribute_of_another_library_is_read() -> None:
    trees = _trees()
    own = _own_private_names(trees) | DOCUMENTED
    foreign = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            name = node.attr
            if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
                continue
            if name not in own:
                foreign.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: .{name}")
    assert foreign == []


def test_the_check_finds_a_private_attribute() -> None:
    tree = ast.parse("import argparse\nargparse.ArgumentParser()._actions\n")
    found = [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_")
    ]
    assert found == ["_actions"]
    assert "_actions" not in _own_private_names(_trees()) | DOCUMENTED
