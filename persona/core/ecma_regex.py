"""A spec's ``pattern`` as OpenAPI means it: an ECMA-262 regular expression, searched
(not anchored) in the value, translated to Python's ``re`` where the two differ.

The differences that change what matches: ``$`` is the end of the text (Python's ``$``
also matches before a final newline); ``\\d``, ``\\w`` and ``\\b`` are ASCII (Python's
are Unicode); ``\\s`` is ECMA's whitespace set; ``.`` stops at every line terminator
(``\\r``, U+2028, U+2029 as well as ``\\n``); named groups are ``(?<name>...)``. What has
no faithful translation (``\\S`` inside a class, ``\\u{...}``, a lookbehind Python cannot
compile...) is refused with :class:`ValueError`, by the generator before any code is
written.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["compile_pattern", "translate"]

#: ECMA-262 WhiteSpace and LineTerminator: what ``\s`` matches there.
_SPACES = (
    "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_OUTSIDE = {
    "s": f"[{_SPACES}]",
    "S": f"[^{_SPACES}]",
    ".": "[^\\n\\r\\u2028\\u2029]",
    "$": "\\Z",
}


def translate(pattern: str) -> str:
    """The Python ``re`` source (compiled with ``re.ASCII``) of ECMA-262 ``pattern``;
    ValueError naming what cannot be translated."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern):
                raise ValueError("ends with a lone backslash")
            nxt = pattern[i + 1]
            i += 2
            if nxt in "sS" and not in_class:
                out.append(_OUTSIDE[nxt])
            elif nxt == "s":
                out.append(_SPACES)
            elif nxt == "S":
                raise ValueError("\\S inside a character class has no translation")
            elif nxt == "u" and pattern.startswith("{", i):
                raise ValueError("\\u{...} (a code point escape of the u flag) is not supported")
            elif nxt == "c" and i < len(pattern) and pattern[i].isalpha():
                out.append(f"\\x{ord(pattern[i]) % 32:02x}")
                i += 1
            elif nxt == "k" and pattern.startswith("<", i):
                end = pattern.index(">", i)
                out.append(f"(?P={pattern[i + 1 : end]})")
                i = end + 1
            else:
                out.append("\\" + nxt)
            continue
        i += 1
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                out.append("\\[")  # a literal in ECMA; a nested set warning in Python
                continue
            out.append(ch)
            continue
        if ch == "[":
            if pattern.startswith("^]", i):  # [^] matches any character
                out.append("[\\s\\S]")
                i += 2
                continue
            if pattern.startswith("]", i):  # [] matches nothing
                out.append("(?!)")
                i += 1
                continue
            in_class = True
            out.append(ch)
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):  # a literal "]" first in Python's syntax only
                raise ValueError("a class starting with ']' means another thing in ECMA-262")
            continue
        if ch in ".$":
            out.append(_OUTSIDE[ch])
        elif (
            ch == "(" and pattern.startswith("?<", i) and not pattern.startswith(("?<=", "?<!"), i)
        ):
            out.append("(?P<")  # a named group
            i += 2
        else:
            out.append(ch)
    if in_class:
        raise ValueError("a character class is not closed")
    return "".join(out)


def _named_group(pattern: str, i: int) -> bool:
    """Whether ``(`` before ``pattern[i]`` opens a named group (not a lookbehind)."""
    return pattern.startswith("?<", i) and not pattern.startswith(("?<=", "?<!"), i)


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """ECMA-262 ``pattern`` compiled (once per pattern); ValueError when it cannot be
    translated or compiled (the message names why, not the value it is used on)."""
    source = translate(pattern)
    try:
        return re.compile(source, re.ASCII)
    except re.error as exc:
        raise ValueError(f"is not a regular expression Python can run ({exc.msg})") from None
