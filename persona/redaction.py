"""Masking secrets out of what persona shows: logs, reprs and exception messages.

Two complementary nets: by name (a JSON property or header whose name says it is
secret) and by value (the secrets a request carried, wherever a server echoes them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Optional

__all__ = [
    "MASK",
    "is_secret_name",
    "redact_headers",
    "short_key",
    "redact_json",
    "redact_url",
    "scrub",
    "scrub_body",
    "mask_response_text",
    "printable",
    "response_text",
    "valid_text",
    "scrub_json",
]

MASK = "***"

#: Secrets shorter than this are masked only where a whole JSON string equals them: a
#: fragment of one to three characters cannot be told apart from ordinary text, and
#: masking every "t" of a message would destroy it (codes have 6 characters and
#: passwords at least 8).
MIN_FRAGMENT = 4

# Names that carry credentials. "code" is secret in a request (the e-mailed code);
# an error body's "code" is a machine code, so callers pass ``extra_names`` per context.
_SECRET_NAME = re.compile(r"pass(word)?|secret|token|authorization|cookie|api[-_]?key", re.I)


def is_secret_name(name: str) -> bool:
    """Whether a JSON property or header called ``name`` holds a credential."""
    return bool(_SECRET_NAME.search(name))


def redact_json(obj: Any, extra_names: Iterable[str] = ()) -> Any:
    """A copy of a JSON value with secret-named properties replaced by ``***``."""
    names = frozenset(extra_names)
    return _redact(obj, names)


def _redact(obj: Any, names: frozenset[str]) -> Any:
    if isinstance(obj, dict):
        return {
            key: MASK
            if isinstance(key, str) and (key in names or is_secret_name(key))
            else _redact(value, names)
            for key, value in obj.items()
        }
    if isinstance(obj, list):
        return [_redact(item, names) for item in obj]
    return obj


def redact_url(url: str) -> str:
    """``url`` with the password of its user info (``user:password@``) replaced by ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:{MASK}@{hostport}{slash}{path}"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credential-bearing values replaced by ``***``, and the
    ``Idempotency-Key`` shortened (:func:`short_key`)."""
    return {
        key: MASK
        if is_secret_name(key)
        else (short_key(value) if key.lower() == "idempotency-key" else value)
        for key, value in headers.items()
    }


def short_key(key: str) -> str:
    """An Idempotency-Key as logs and errors show it: its first characters and ``...``.

    Enough to match a log line with a server's, not enough to use: whoever holds a
    codeForToken call's whole key can re-send it with guessed codes (the reference server
    counts such replays against the wrong-code limit; other servers may not).
    """
    shown = min(8, len(key) // 2)
    return key[:shown] + "..."


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret value replaced by ``***``.

    A secret is also found in its JSON-escaped forms (``\\u00e9``, ``\\"``), up to
    ``_ESCAPE_DEPTH`` levels deep, as a server may echo a request body (itself JSON)
    inside a string of its own JSON body.
    """
    return _mask_forms(text, _forms(secrets))


def _forms(secrets: Iterable[str]) -> tuple[str, ...]:
    """Every text form of the ``secrets`` to mask, longest first (built once per use)."""
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_FRAGMENT:
            forms |= _escaped_forms(secret)
    return tuple(sorted(forms, key=len, reverse=True))


def _mask_forms(text: str, forms: tuple[str, ...]) -> str:
    for form in forms:
        text = text.replace(form, MASK)
    if forms and ("\\" in text or "&" in text):
        text = _mask_escaped(text, forms)
    return text


# One escape as a common server's encoder writes it: JSON's \uXXXX (either case, a
# surrogate pair as one character), \/ and the other backslash escapes, and HTML's
# character references (named, decimal, hex; the ";" is optional for some names).
_ESCAPE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
    r"|\\u([0-9a-fA-F]{4})"
    r"|\\([\\/\"'bfnrt])"
    r"|&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?"
)
_BACKSLASHED = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape_one(match: re.Match[str]) -> str:
    high, low, code, char = match.group(1, 2, 3, 4)
    if high:
        return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))
    if code:
        return chr(int(code, 16))
    if char:
        return _BACKSLASHED.get(char, char)
    import html  # here: only text with an HTML entity needs it, and not every import

    return html.unescape(match.group(0))  # an unknown name comes back unchanged


def _unescape_spans(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` with one round of escapes undone, and for each character of the result
    the start and end in ``text`` of what it was read from."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for match in _ESCAPE.finditer(text):
        begin, end = match.span()
        if begin > pos:
            parts.append(text[pos:begin])
            starts.extend(range(pos, begin))
            ends.extend(range(pos + 1, begin + 1))
        decoded = _unescape_one(match)
        parts.append(decoded)
        starts.extend([begin] * len(decoded))
        ends.extend([end] * len(decoded))
        pos = end
    parts.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return "".join(parts), starts, ends


def _unescaped_levels(text: str) -> list[str]:
    """``text`` after 1 to ``_ESCAPE_DEPTH`` rounds of unescaping (while that changes it)."""
    levels = []
    for _ in range(_ESCAPE_DEPTH):
        decoded = _ESCAPE.sub(_unescape_one, text)
        if decoded == text:
            break
        levels.append(decoded)
        text = decoded
    return levels


def _mask_escaped(text: str, forms: tuple[str, ...]) -> str:
    """``text`` with each secret form masked where it appears once escapes are undone
    (JSON or HTML, mixed, nested): a server may escape any character of an echoed
    value, so no list of forms can be complete; the whole escaped span is masked."""
    levels = _unescaped_levels(text)
    if not any(form in level for level in levels for form in forms):
        return text  # the common case: no secret hides behind an escape
    spans: list[tuple[int, int]] = []
    current, starts, ends = text, list(range(len(text))), list(range(1, len(text) + 1))
    for _ in levels:
        current, level_starts, level_ends = _unescape_spans(current)
        starts = [starts[i] for i in level_starts]
        ends = [ends[j - 1] for j in level_ends]
        for form in forms:
            found = current.find(form)
            while found != -1:
                spans.append((starts[found], ends[found + len(form) - 1]))
                found = current.find(form, found + 1)
    out: list[str] = []
    pos = 0
    for begin, end in sorted(spans):
        if end <= pos:
            continue  # inside a span already masked
        if begin >= pos:  # otherwise it overlaps the previous span: extend that one
            out.append(text[pos:begin])
            out.append(MASK)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# What cannot be printed as is: C0 and C1 controls and DEL, lone surrogates (no
# encoding can write them), and the characters that reorder or hide text on a terminal.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)


def printable(text: str) -> str:
    """``text`` safe to print on any terminal: every control, lone surrogate or
    invisible/reordering character written as its escape (``\\x1b``, ``\\ud800``)."""
    if text.isprintable() and text.isascii():
        return text
    return _UNPRINTABLE.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def valid_text(text: str) -> str:
    """``text`` with each lone surrogate written as its JSON escape (``\\ud800``), so that
    it can be encoded (printed, logged, written) in UTF-8; everything else unchanged."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", _escape_char, text)
    return text


_ESCAPE_DEPTH = 3


def _escaped_forms(secret: str) -> set[str]:
    """``secret`` as it reads after 0 to ``_ESCAPE_DEPTH`` rounds of JSON string escaping,
    URL-encoded (``%40``, ``+`` for space) as a server may echo it in a URL or form, and
    as its UTF-8 bytes read as latin-1 (how a status line or header value is read)."""
    from urllib.parse import quote, quote_plus

    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)}
    if not secret.isascii():
        # Echoed as UTF-8 into a status line or header, which HTTP reads as latin-1.
        forms.add(secret.encode("utf-8", "replace").decode("latin-1"))
    level = {secret}
    for _ in range(_ESCAPE_DEPTH):
        level = {
            json.dumps(form, ensure_ascii=ascii_only)[1:-1]
            for form in level
            for ascii_only in (True, False)
        } - forms
        if not level:
            break
        forms |= level
    return forms


def scrub_json(obj: Any, secrets: Iterable[str]) -> Any:
    """A copy of a JSON value whose strings (keys too) have the ``secrets`` masked.

    A string equal to a secret becomes ``***`` whatever its length; longer secrets are
    also masked inside strings (see :func:`scrub`). The JSON structure is kept.
    """
    exact = frozenset(s for s in secrets if s)
    return _scrub_json(obj, exact, _forms(exact)) if exact else obj


def _scrub_json(obj: Any, exact: frozenset[str], forms: tuple[str, ...]) -> Any:
    if isinstance(obj, str):
        return MASK if obj in exact else _mask_forms(obj, forms)
    if isinstance(obj, dict):
        return {
            _scrub_json(key, exact, forms): _scrub_json(value, exact, forms)
            for key, value in obj.items()
        }
    if isinstance(obj, list):
        return [_scrub_json(item, exact, forms) for item in obj]
    return obj


def scrub_body(text: str, secrets: Iterable[str]) -> str:
    """A response body with the ``secrets`` masked: through its JSON when it is JSON (so
    the structure survives), as plain text otherwise."""
    exact = frozenset(s for s in secrets if s)
    if not exact:
        return text
    forms = _forms(exact)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return _mask_forms(text, forms)
    try:
        cleaned = _scrub_json(obj, exact, forms)
    except RecursionError:  # nested too deep to walk: mask as text
        return _mask_forms(text, forms)
    return text if cleaned == obj else json.dumps(cleaned, ensure_ascii=False)


def response_text(data: bytes) -> str:
    """A body as text, read the way ``json.loads`` reads bytes (UTF-8 with or without a
    BOM, UTF-16 or UTF-32 told by their zero bytes), undecodable bytes replaced.

    Masking works on this text: a body the SDK would accept as JSON must not be shown
    in another decoding, where its property names no longer read as names.
    """
    try:
        encoding = json.detect_encoding(data)
    except (TypeError, ValueError):  # pragma: no cover - detect_encoding reads any bytes
        encoding = "utf-8"
    text = data.decode(encoding, "replace")
    return text[1:] if text.startswith("\ufeff") else text


# A JSON property with its value, read from text that may not be whole JSON (cut short,
# bytes after it): "name" : "string, possibly unterminated", a bare value, or the start
# of an object or array (masked to the end of the text: where it ends is not known).
# Names are matched after the fact, with their JSON escapes undone ("to\u006ben" is
# "token" to a JSON decoder, so it is to the mask too).
_PROPERTY = re.compile(
    r'"((?:[^"\\]|\\.){0,200})"(\s*:\s*)("(?:[^"\\]|\\.)*(?:"|$)|[\[{].*|[^\s,}\]"]+)', re.S
)


def _property_name(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        name = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return name if isinstance(name, str) else raw


def _redact_parsed(text: str, names: frozenset[str]) -> Optional[str]:
    """``text`` with secret-named properties masked through its JSON structure, or None
    when it is not JSON (or nested too deep to walk)."""
    try:
        obj = json.loads(text)
        masked = _redact(obj, names)
    except (ValueError, RecursionError):
        return None
    return text if masked == obj else json.dumps(masked, ensure_ascii=False)


def mask_response_text(text: str, secrets: Iterable[str], names: Iterable[str]) -> str:
    """Text a server sent (a body, a reason phrase, a header value) as it may be shown:
    every secret-named JSON property's value (``names``, and names that say "token",
    "password"...) replaced by ``***`` whatever the body's shape (JSON, or not: cut
    short, bytes after it, an escaped name), and the ``secrets`` masked in every form
    (plain, JSON-escaped, URL-encoded)."""
    wanted = frozenset(names)
    if '"' in text:
        text = _mask_named(text, wanted)
    if "&" in text or "\\" in text:
        # A secret-named property may hide behind escapes (HTML: &quot;token&quot;, a
        # JSON string inside a string): then the text is shown unescaped, masked.
        for level in _unescaped_levels(text):
            masked = _mask_named(level, wanted)
            if masked != level:
                text = masked
    return scrub_body(text, secrets)


def _mask_named(text: str, wanted: frozenset[str]) -> str:
    """``text`` with the values of secret-named properties masked, through its JSON
    structure when it is JSON, property by property otherwise."""
    parsed = _redact_parsed(text, wanted)
    if parsed is not None:
        return parsed

    def mask(match: re.Match[str]) -> str:
        name = _property_name(match.group(1))
        if name in wanted or is_secret_name(name):
            return f'"{match.group(1)}"{match.group(2)}"{MASK}"'
        return match.group(0)

    return _PROPERTY.sub(mask, text)
