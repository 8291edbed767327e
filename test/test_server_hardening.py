"""The reference server's hardening, over real HTTP on loopback: its parts' boundaries,
the Host names it answers, the origin its outbox trusts, its query parsing and what its
records show."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

TESTING = Path(__file__).resolve().parents[1] / "persona" / "testing"


# -- 1. one context object, no private attributes of the server --------------------------


def _foreign_private_reads(source: str) -> list[str]:
    """Every ``x._name`` whose ``x`` is not ``self`` or ``cls``: a reach into another
    object's private state."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        found.append(f"{node.lineno}: .{name}")
    return sorted(found)


def test_no_part_of_the_server_reads_another_part_s_private_attributes() -> None:
    reaches = {
        path.name: _foreign_private_reads(path.read_text(encoding="utf-8"))
        for path in sorted(TESTING.glob("*.py"))
        if path.name != "server.py"
    }
    assert {name: found for name, found in reaches.items() if found} == {}


def test_the_check_sees_a_reach_through_a_chain() -> None:
    assert _foreign_private_reads("self.server.app._log('x')\napp._store\nself._ok") == [
        "1: ._log",
        "2: ._store",
    ]


def test_the_context_is_one_frozen_object() -> None:
    from persona.testing.context import ServerContext

    assert dataclasses.is_dataclass(ServerContext)
    fields = {field.name for field in dataclasses.fields(ServerContext)}
    assert {"store", "service", "outbox", "faults", "locks", "log", "stopping", "wake"} <= fields
    with pytest.raises(dataclasses.FrozenInstanceError):
        ServerContext.__new__(ServerContext).store = None  # type: ignore[misc]
