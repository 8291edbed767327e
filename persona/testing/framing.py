"""Strict HTTP/1.1 message framing for the reference server: where a request body ends.

A server that reads framing loosely can be made to see a different request boundary than a
proxy in front of it (request smuggling), or to read without bound. So every rule here is
strict (RFC 9112, sections 6 and 7), and anything ambiguous is refused with
:class:`FramingError` (400, or 413 for a body too large) after which the connection is
closed, because its stream can no longer be trusted:

* at most one ``Content-Length`` field, whose value is ASCII digits only (optional
  spaces or tabs around it, the field's OWS); no sign, no other Unicode digits, no lists;
* ``Transfer-Encoding`` only as a single ``chunked``, never together with a
  ``Content-Length``, and only in HTTP/1.1;
* chunk sizes are 1-8 ASCII hex digits (no sign, prefix, underscore or whitespace),
  chunk lines end in CRLF and are short, each chunk's data is followed by exactly CRLF,
  and the chunk lines together, and the trailers, are bounded;
* the header section as a whole is bounded (:class:`HeaderBudget`), not just each line;
* every header line is checked as bytes before the standard library parses it: a token
  name directly followed by ``:``, a value without CR, LF or NUL, and a CRLF ending. The
  stdlib's parser is lenient (a bare CR or LF splits a line, a line without a colon or with
  a space before it is kept as a "defect"), and a proxy in front may read such a line as a
  different header: the two would disagree on where the body ends.
"""

from __future__ import annotations

import http.client
import re
from email.message import Message
from typing import Optional, Protocol

#: Largest header section (request line excluded) the server reads, in bytes; more is 431.
MAX_HEADER_BYTES = 16 * 1024
#: Longest chunk-size line, extensions included (a real client sends a few bytes).
MAX_CHUNK_LINE = 256
#: Most bytes of chunk lines (sizes, extensions, CRLFs) a chunked body may spend.
MAX_CHUNK_OVERHEAD = 16 * 1024
#: Largest trailer section of a chunked body, in bytes.
MAX_TRAILER_BYTES = 4 * 1024

_DIGITS = re.compile(rb"[0-9]+")
# A field line (RFC 9112 section 5): token ":" OWS value OWS CRLF, the value free of CR,
# LF and NUL (obs-fold, a line starting with a space or tab, is refused with the rest).
_HEADER_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\r\n\x00]*\r\n")
# 1-8 hex digits: 8 are enough for any size a 64 KiB body allows (leading zeros and all)
# and keep int() away from huge numbers. Extensions: ";name" or ";name=value" (token or
# quoted string), RFC 9112 section 7.1.1, with optional spaces or tabs around ";" and "=".
_CHUNK_LINE = re.compile(
    rb"([0-9A-Fa-f]{1,8})"
    rb"(?:[ \t]*;[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+"
    rb"(?:[ \t]*=[ \t]*(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|\"(?:[^\"\\\r\n]|\\[^\r\n])*\"))?)*"
    rb"\r\n"
)


class Stream(Protocol):
    """What is read from: the handler's buffered request stream."""

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes (fewer only at end of stream)."""

    def readline(self, size: int = -1, /) -> bytes:
        """Read one line, at most ``size`` bytes of it."""


class FramingError(Exception):
    """The request's framing is malformed or ambiguous: answer ``status`` and close."""

    def __init__(self, status: int, message: str) -> None:
        """``message`` names the rule broken, never the bytes that broke it."""
        super().__init__(message)
        self.status = status
        self.message = message


def body_length(headers: Message, version: str, limit: int) -> Optional[int]:
    """The declared length of the body, ``None`` for a chunked body, 0 if none declared.

    Raises :class:`FramingError` for ambiguous or malformed framing (400) and for a
    declared length over ``limit`` (413).
    """
    encodings = headers.get_all("Transfer-Encoding") or []
    lengths = headers.get_all("Content-Length") or []
    if encodings:
        if lengths:
            raise FramingError(400, "Transfer-Encoding and Content-Length: send only one")
        if version != "HTTP/1.1":
            raise FramingError(400, "Transfer-Encoding: needs HTTP/1.1")
        if len(encodings) != 1 or _ows_strip(encodings[0]).lower() != "chunked":
            raise FramingError(400, "Transfer-Encoding: only a single chunked is supported")
        return None
    if not lengths:
        return 0
    if len(lengths) != 1:
        raise FramingError(400, "Content-Length: must be given once")
    # Header values arrive decoded as Latin-1; encoding back gives the bytes sent, so that
    # "\xb2" (superscript two) is not taken for a digit, as str.isdigit() would.
    raw = _ows_strip(lengths[0]).encode("latin-1", "replace")
    if not _DIGITS.fullmatch(raw):
        raise FramingError(400, "Content-Length: must be a non-negative integer")
    # Compare digit counts first: int() of a very long string is slow, or refused outright.
    if len(raw.lstrip(b"0")) > len(str(limit)) or int(raw) > limit:
        raise FramingError(413, f"body: must be at most {limit} bytes")
    return int(raw)


def read_chunked(rfile: Stream, limit: int) -> bytes:
    """Read a chunked body from ``rfile`` (at most ``limit`` bytes of data) and its trailers.

    Raises :class:`FramingError` for malformed chunks (400) or too much data (413), and
    ``ConnectionError`` when the client closes the connection mid-body.
    """
    chunks: list[bytes] = []
    total = 0
    # Chunk lines count against a budget of their own: without it, a body of one-byte
    # chunks with long extensions makes the server read ~250 bytes per byte of data.
    overhead = 0
    while True:
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        if not line:
            raise ConnectionError("client closed the connection mid-body")
        match = _CHUNK_LINE.fullmatch(line)
        if match is None:
            raise FramingError(400, "body: malformed chunked encoding")
        overhead += len(line) + 2
        if overhead > MAX_CHUNK_OVERHEAD:
            raise FramingError(400, "body: too many chunks")
        size = int(match.group(1), 16)
        if size == 0:
            break
        total += size
        if total > limit:
            raise FramingError(413, f"body: must be at most {limit} bytes")
        data = rfile.read(size)
        if len(data) < size:
            raise ConnectionError("client closed the connection mid-body")
        chunks.append(data)
        end = rfile.read(2)
        if end != b"\r\n":
            if len(end) < 2 and b"\r\n".startswith(end):
                raise ConnectionError("client closed the connection mid-body")
            raise FramingError(400, "body: chunk data must be followed by CRLF")
    _skip_trailers(rfile)
    return b"".join(chunks)


def _skip_trailers(rfile: Stream) -> None:
    """Read and drop the trailer section (bounded), up to the blank line that ends it."""
    budget = MAX_TRAILER_BYTES
    while True:
        line = rfile.readline(budget + 1)
        if line == b"\r\n":
            return
        if not line:
            raise ConnectionError("client closed the connection mid-body")
        budget -= len(line)
        if budget < 0 or not line.endswith(b"\r\n"):
            raise FramingError(400, "body: malformed or oversized chunked trailers")


def _ows_strip(value: str) -> str:
    # Only the field's optional whitespace (spaces, tabs); str.strip() would also take
    # vertical tabs, form feeds and Unicode spaces, which make the value malformed.
    return value.strip(" \t")


class HeaderBudget:
    """A read-only view of the request stream that refuses to give more than
    :data:`MAX_HEADER_BYTES` through ``readline``, and any header line that is not a
    well-formed field line (:class:`FramingError`, 400: the connection is then closed).

    ``http.server`` bounds each header line (64 KiB) and the number of lines (100), but
    not their total: 100 lines of 64 KiB each is 6.4 MB per request. The handler reads
    the header section through this view, so that a bigger one raises
    ``http.client.LineTooLong``, which the standard library answers with 431.
    """

    def __init__(self, rfile: Stream, budget: int = MAX_HEADER_BYTES) -> None:
        """Wrap ``rfile``; ``budget`` is the number of bytes allowed."""
        self._rfile = rfile
        self._budget = budget
        self._done = False

    def readline(self, limit: int = -1) -> bytes:
        """Like ``rfile.readline(limit)``, within the budget."""
        allowed = self._budget + 1 if limit < 0 else min(limit, self._budget + 1)
        line = self._rfile.readline(allowed)
        self._budget -= len(line)
        if self._budget < 0:
            raise http.client.LineTooLong("header section")
        if self._done or not line:
            return line
        if line == b"\r\n":
            self._done = True  # the blank line that ends the header section
        elif not line.endswith(b"\n") and len(line) >= allowed:
            return line  # an over-long line: the caller answers 431
        elif not _HEADER_LINE.fullmatch(line):
            raise FramingError(400, _header_line_problem(line))
        return line


def _header_line_problem(line: bytes) -> str:
    """Which rule a header line breaks (without quoting it: it may carry a credential)."""
    body = line[:-2] if line.endswith(b"\r\n") else line.rstrip(b"\n")
    if not line.endswith(b"\r\n"):
        return "header line: must end with CRLF"
    if b"\r" in body or b"\n" in body or b"\x00" in body:
        return "header line: must not contain CR, LF or NUL"
    if body[:1] in (b" ", b"\t"):
        return "header line: obsolete line folding is not accepted"
    if b":" not in body:
        return "header line: must be a name, a colon and a value"
    return "header name: must be a token directly followed by ':' (no spaces)"
