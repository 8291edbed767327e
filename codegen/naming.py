"""Python names from spec names, and spec text as Python and Markdown: the one place.

Every name the spec gives (an operationId, a tag, a schema, a property, a parameter)
becomes a Python identifier here: ``snake`` for methods, attributes, parameters and
modules, ``pascal`` for classes, ``upper`` for constants. An identifier is ASCII, never a
keyword, never one of the names its context reserves (a model's ``validate``, a method's
``self`` or ``async_req``, the names a generated module imports), and unique where it
lives (:class:`Namespace`): a later spec name that maps onto a taken one gets a
trailing ``_`` (``fooBar`` -> ``foo_bar``, then ``foo_bar`` -> ``foo_bar_``), in spec
order, so the same spec always gives the same names.

Every spec string reaches a generated file only through :func:`py_str` (a Python string
literal), :func:`doc_text` (docstring and comment text: backslashes, quotes and
unprintable characters escaped) or :func:`md_text` (Markdown: no raw HTML, no links, no
table breaks); :data:`MARKER` text is refused before it gets that far (spec.py).
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable

#: Text that would read as a generated span's marker; refused in any spec string.
MARKER = "codegen:"

# -- identifiers -------------------------------------------------------------------------------


def _ascii_words(name: str) -> list[str]:
    """The words of ``name``: camelCase, PascalCase, snake_case, kebab-case, spaces and
    punctuation all split; accents dropped; nothing but ASCII letters and digits."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    folded = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", folded)
    folded = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", folded)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", folded) if w]
    if not words and name:
        # Nothing ASCII in it ("名前"): the code points, so that it is still unique.
        words = [f"u{ord(ch):x}" for ch in name if not ch.isspace()]
    return words


def snake(name: str) -> str:
    """``findPetById``, ``find pet by id``, ``find-pet-by-id`` -> ``find_pet_by_id``.

    (Not yet checked for keywords or reserved names: see :class:`Namespace`.)"""
    words = _ascii_words(name)
    out = "_".join(w.lower() for w in words) or "x"
    return f"x_{out}" if out[0].isdigit() else out


def pascal(name: str) -> str:
    """``pet``, ``new-pet``, ``new_pet`` -> ``Pet``, ``NewPet``, ``NewPet``; a name that
    is already an ASCII identifier starting with a capital stays as it is
    (``CodeForTokenData``, ``HTTPError``)."""
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
        return name
    words = _ascii_words(name)
    out = "".join(w[:1].upper() + w[1:] for w in words) or "X"
    return f"X{out}" if out[0].isdigit() else out


def upper(name: str) -> str:
    """``forgot_pass`` -> ``FORGOT_PASS``."""
    return snake(name).upper()


def legal(name: str) -> bool:
    """Whether ``name`` may stand as a Python identifier we generate: ASCII, no keyword
    (soft keywords such as ``match`` and ``type`` are fine), no leading underscore."""
    return (
        bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name))
        and not keyword.iskeyword(name)
        and name not in ("None", "True", "False")
    )


#: What every generated model class already has: a property may not take these names.
MODEL_RESERVED = frozenset(
    {
        "validate",
        "to_dict",
        "from_dict",
        "to_json",
        "from_json",
        "to_str",
        "additional_properties",
        # names a model module's class body uses: a field named so would shadow them
        "field",
        "Model",
        "ListOf",
        "MapOf",
        "Late",
        "Any",
        "Optional",
        "TYPE_CHECKING",
        "date",
        "datetime",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "object",
        "list",
        "dict",
    }
)

#: The call options every generated method takes as keywords, and its own names.
CALL_OPTIONS = frozenset(
    {
        "timeout",
        "deadline",
        "max_retries",
        "retry_policy",
        "headers",
        "idempotency_key",
        "async_req",
        "_preload_content",
        "_return_http_data_only",
        "_request_timeout",
        "_headers",
        "_idempotency_key",
        "with_http_info",
        "params",
    }
)
PARAM_RESERVED = CALL_OPTIONS | {"self", "body", "options", "answer", "api_client"}

#: What a generated API class has besides its operations' methods.
METHOD_RESERVED = frozenset({"api_client"})

#: Names a generated API or model module imports or defines besides the spec's: a class
#: or constant of the spec's may not take them.
MODULE_RESERVED = frozenset(
    {
        "annotations",
        "TYPE_CHECKING",
        "Any",
        "Optional",
        "ApiClient",
        "AsyncApiClient",
        "ApiTypeError",
        "ListOf",
        "MapOf",
        "Late",
        "Body",
        "Operation",
        "Parameter",
        "NO_BODY",
        "OPERATIONS",
        "CallOptions",
        "SafeCallOptions",
        "Unpack",
        "api_method",
        "async_api_method",
        "with_http_info",
        "async_with_http_info",
        "Model",
        "Field",
        "field",
        "date",
        "datetime",
        "__all__",
    }
)


def runtime_public_names() -> frozenset[str]:
    """persona's hand-written public names (``ApiClient``, ``ApiException``...): a model
    or API class of the spec may not take one (they share ``persona``'s namespace)."""
    import persona

    locations = getattr(persona, "_LOCATIONS", {})
    spec_made = getattr(persona, "_SPEC_LOCATIONS", {})
    return frozenset(n for n in locations if n not in spec_made)


class Namespace:
    """The names taken in one place (a class, a module, a package's files): each spec
    name is given an identifier no other name there has, in the order asked.

    ``numbered`` renames with a number (``Pet2``) rather than a trailing ``_``; ``fold``
    compares names case-insensitively (modules and pages are files, and some
    file systems do not tell ``Pet.py`` from ``pet.py``).
    """

    def __init__(
        self, reserved: Iterable[str] = (), *, fold: bool = False, numbered: bool = False
    ) -> None:
        self.fold = fold
        self.numbered = numbered  # classes: Pet2, not Pet_ (CapWords, as ruff's N801 wants)
        self.reserved = {self._key(n) for n in reserved}
        self.taken: dict[str, str] = {}  # key -> the spec name that has it

    def _key(self, name: str) -> str:
        return name.lower() if self.fold else name

    def free(self, name: str) -> bool:
        key = self._key(name)
        return (
            legal(name)
            and key not in self.reserved
            and key not in self.taken
            and not (name.startswith("__") and name.endswith("__"))
        )

    def claim(self, wanted: str, spec_name: str) -> str:
        """``wanted`` (already snake/pascal/upper), or it with a trailing ``_`` added
        until it is free; recorded as ``spec_name``'s."""
        name = wanted.strip("_") or "x"
        if name[0].isdigit():
            name = f"x_{name}"
        if not legal(name) and not keyword.iskeyword(name):
            name = snake(name)
        name = self.next_free(name)
        self.taken[self._key(name)] = spec_name
        return name

    def next_free(self, name: str, also: str = "") -> str:
        """``name``, or the first of ``name_``, ``name__``... (``name2``, ``name3``...
        when numbered) that is free (and free with ``also`` before it, for twins)."""
        base, count = name, 1
        while not (self.free(name) and (not also or self.free(also + name))):
            count += 1
            name = f"{base}{count}" if self.numbered else name + "_"
        return name

    def add(self, name: str) -> None:
        """Mark ``name`` as taken (a name made elsewhere, such as a twin method)."""
        self.taken[self._key(name)] = name


# -- spec text as Python -------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable() or ch == " ":
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def py_str(text: str) -> str:
    """``text`` as a double-quoted Python string literal: backslashes, quotes and every
    unprintable character (controls, lone surrogates, line separators) escaped, so that
    no spec text can end the literal or the line."""
    return '"' + "".join(_escape_char(ch) for ch in text) + '"'


def doc_text(text: str) -> str:
    """``text`` for the inside of a ``\"\"\"`` docstring or a ``#`` comment: backslashes
    and unprintable characters escaped as in :func:`py_str`, and a quote escaped where it
    could meet another (at either end, or next to a quote), so that no spec text can end
    or bend the docstring; its ``__doc__`` reads as the spec wrote it."""
    out = []
    last = len(text) - 1
    for index, ch in enumerate(text):
        if ch == '"':
            lonely = 0 < index < last and text[index - 1] != '"' and text[index + 1] != '"'
            out.append('"' if lonely else '\\"')
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            # A lone surrogate is shown as its escape, as text: Python 3.13 refuses to
            # compile a docstring holding one (it cleans docstrings as UTF-8).
            out.append(f"\\\\u{ord(ch):04x}")
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def collapse(text: str) -> str:
    """Runs of whitespace (newlines included) as one space."""
    return " ".join(text.split())


# -- spec text as Markdown -----------------------------------------------------------------------

_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_MD_PLAIN = {
    "\\": "\\\\",
    "`": "\\`",
    "|": "\\|",
    "<": "&lt;",
    ">": "&gt;",
    "[": "\\[",
    "]": "\\]",
    "&": "&amp;",
}


def md_text(text: str) -> str:
    """``text`` for a Markdown page or table cell, on one line: raw HTML, links, images
    and table breaks cannot come through (``<``, ``>``, ``[``, ``]``, ``|``, ``&`` and
    backslashes escaped); a balanced ```code``` span stays code (with ``|`` escaped, as
    tables need); a line cannot start a heading, quote or list."""
    text = collapse(text)
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_md_plain(text[last : match.start()]))
        out.append("`" + match.group(1).replace("|", "\\|") + "`")
        last = match.end()
    out.append(_md_plain(text[last:]))
    shown = "".join(out)
    if shown[:1] in ("#", "-", "+", "*", "=", ">"):
        shown = "\\" + shown
    return shown


def _md_plain(text: str) -> str:
    return "".join(_MD_PLAIN.get(ch, ch if ch.isprintable() else "\ufffd") for ch in text)


def md_code(text: str) -> str:
    """``text`` as a Markdown code span (a name or a pattern), whatever it holds."""
    text = collapse(text)
    if "`" in text or not text.isprintable():
        return md_text(text)
    return "`" + text.replace("|", "\\|") + "`"


def builtin_names() -> frozenset[str]:
    return frozenset(dir(builtins))
