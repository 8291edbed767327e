"""Generated spans inside hand-written files, between ``codegen:begin``/``codegen:end`` markers.

A missing, repeated or unbalanced marker is an error naming the file: the generator never
guesses where a span goes, so it can never overwrite the prose around it.
"""

from __future__ import annotations


class MarkerError(ValueError):
    """A marker is missing or unbalanced; the message names the file and the span."""


def begin(name: str, where: str = "") -> str:
    if where.endswith(".py"):
        return f"# codegen:begin {name}"
    return f"<!-- codegen:begin {name} -->"


def end(name: str, where: str = "") -> str:
    if where.endswith(".py"):
        return f"# codegen:end {name}"
    return f"<!-- codegen:end {name} -->"


def replace_span(text: str, name: str, body: str, where: str) -> str:
    """Return *text* with the span *name* holding *body*; raise MarkerError if it is not there.

    Markers are HTML comments in Markdown and ``#`` comments in Python (*where* says which).
    """
    start_mark, end_mark = begin(name, where), end(name, where)
    starts, ends = text.count(start_mark), text.count(end_mark)
    if starts != 1 or ends != 1:
        found = f"{starts} begin and {ends} end markers"
        raise MarkerError(
            f"{where}: span {name!r} needs exactly one {start_mark!r} and one {end_mark!r} "
            f"line, found {found}; add them by hand around the generated part"
        )
    head, rest = text.split(start_mark, 1)
    _, tail = rest.split(end_mark, 1)
    if "codegen:begin" in _ or "codegen:end" in _:
        raise MarkerError(f"{where}: span {name!r} holds another marker (unbalanced)")
    return f"{head}{start_mark}\n{body.strip(chr(10))}\n{end_mark}{tail}"
