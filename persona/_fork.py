"""Knowing that the process forked: a counter that the child bumps right after
``fork()``. Objects that hold sockets, threads or locks compare it with the value they
were made under and rebuild what the parent owned, so that a child never shares a
keep-alive socket (and a stream of answers) with its parent or its siblings."""

from __future__ import annotations

import os

__all__ = ["generation"]

_generation = 0


def _after_fork_in_child() -> None:
    global _generation  # noqa: PLW0603 - one counter per process is the point
    _generation += 1


if hasattr(os, "register_at_fork"):  # POSIX; there is no fork() to survive elsewhere
    os.register_at_fork(after_in_child=_after_fork_in_child)


def generation() -> int:
    """How many forks separate this process from the one that imported persona."""
    return _generation
