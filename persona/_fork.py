"""Knowing that the process forked: a counter that the child bumps right after
``fork()``. Objects that hold sockets, threads or locks compare it with the value they
were made under and rebuild what the parent owned, so that a child never shares a
keep-alive socket (and a stream of answers) with its parent or its siblings."""

from __future__ import annotations

import os
from typing import Callable

__all__ = ["generation", "in_child"]

_generation = [0]  # a list, so the fork hook changes it without a global statement
_hooks: list[Callable[[], None]] = []


def _after_fork_in_child() -> None:
    _generation[0] += 1
    for hook in _hooks:
        hook()


def in_child(hook: Callable[[], None]) -> None:
    """Run ``hook`` in every child right after ``fork()`` (e.g. to replace a lock that a
    thread of the parent may have held at that instant: in the child it would never be
    released)."""
    _hooks.append(hook)


if hasattr(os, "register_at_fork"):  # POSIX; there is no fork() to survive elsewhere
    os.register_at_fork(after_in_child=_after_fork_in_child)


def generation() -> int:
    """How many forks separate this process from the one that imported persona."""
    return _generation[0]
