"""The reference server's HTTP framing and header limits, over raw sockets on loopback.

Malformed or ambiguous framing (two lengths, a length that is not ASCII digits,
Transfer-Encoding with Content-Length, bad chunk sizes) must be refused with 400 (413 for
too much) and the connection closed, because a proxy in front of the server may have read
the stream differently (request smuggling). Nothing may make the server read without bound:
not a chunk size, not chunk extensions, not trailers, not headers.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from persona.testing import ReferenceServer
from persona.testing.recording import MAX_RECORDED_BYTES

ANN = "ann@example.com"
BODY = b'{"email":"ann@example.com"}'
HEAD = (
    b"POST /v1/account/forgotPass HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
)
TIMEOUT = 5.0


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="") as srv:
        yield srv


class Exchange:
    """One answer read off a raw socket, and whether the server then closed it."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes, closed: bool) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.closed = closed

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def _read_answer(sock: socket.socket, buffer: bytes = b"") -> tuple[Exchange, bytes]:
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            raise AssertionError(f"connection closed before an answer: {buffer!r}")
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            raise AssertionError("connection closed mid-answer")
        rest += data
    status = int(lines[0].split()[1])
    return Exchange(status, headers, rest[:length], closed=False), rest[length:]


def _is_closed(sock: socket.socket, leftover: bytes) -> bool:
    """Whether the server closes the connection without sending anything more."""
    if leftover:
        return False
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
            if b"HTTP/1." in data:
                return False  # a second answer: the server read on past the refused request
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def send(server: ReferenceServer, data: bytes, *, refused: bool = True) -> Exchange:
    """Send ``data`` on a fresh connection; read one answer, then, if it should be a
    refusal, see whether the server closes the connection.

    The socket is not shut for writing: a server that waits for more (reading to end of
    stream) times out instead of answering, and the test fails.
    """
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        answer, leftover = _read_answer(sock)
        if refused:
            answer.closed = _is_closed(sock, leftover)
        return answer


def assert_refused(answer: Exchange, status: int = 400) -> None:
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/json;charset=utf-8"
    assert answer.json["code"] == ("payload_too_large" if status == 413 else "invalid_request")
    assert answer.headers.get("connection") == "close"
    assert answer.closed


# Content-Length ---------------------------------------------------------------------------

SMUGGLED = b"POST /v1/account/forgotPass HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"


def test_two_different_content_lengths_are_refused_and_the_connection_closed(
    server: ReferenceServer,
) -> None:
    # Behind a proxy that uses the second length, the bytes after the first body would be
    # a second request the proxy never saw: refuse, and do not read on.
    body = BODY + SMUGGLED
    lengths = b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(BODY), len(body))
    assert_refused(send(server, HEAD + lengths + body))
    assert server.request_count() == 1


@pytest.mark.parametrize(
    "value",
    [
        b"\xb2",  # superscript two: str.isdigit() says yes, int() says no
        b"\xd9\xa5",  # ARABIC-INDIC DIGIT FIVE in UTF-8
        b"+27",
        b"-27",
        b"27 27",
        b"27, 27",
        b"0x1b",
        b"2_7",
        b"27\x0b",
        b"\x0c27",
        b"",
    ],
    ids=repr,
)
def test_a_content_length_that_is_not_ascii_digits_is_refused(
    server: ReferenceServer, value: bytes
) -> None:
    assert_refused(send(server, HEAD + b"Content-Length: " + value + b"\r\n\r\n" + BODY))


def test_the_same_content_length_twice_is_refused(server: ReferenceServer) -> None:
    request = HEAD + b"Content-Length: 27\r\nContent-Length: 27\r\n\r\n" + BODY
    assert_refused(send(server, request))


def test_a_content_length_with_thousands_of_digits_is_too_large(server: ReferenceServer) -> None:
    # int() refuses strings over 4300 digits; the server must answer 413, not 500.
    assert_refused(send(server, HEAD + b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n"), 413)


def test_a_content_length_with_leading_zeros_and_spaces_is_fine(server: ReferenceServer) -> None:
    answer = send(server, HEAD + b"Content-Length: \t00027 \r\n\r\n" + BODY, refused=False)
    assert answer.status == 200
    assert "connection" not in answer.headers


# Transfer-Encoding ------------------------------------------------------------------------


def _chunked(*lines: bytes, version: bytes = b"HTTP/1.1") -> bytes:
    head = HEAD.replace(b"HTTP/1.1", version)
    return head + b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(lines)


def test_transfer_encoding_with_content_length_is_refused(server: ReferenceServer) -> None:
    request = (
        HEAD + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"1b\r\n" + BODY + b"\r\n0\r\n\r\n"
    )
    assert_refused(send(server, request))


@pytest.mark.parametrize(
    "encoding",
    [b"chunked, chunked", b"identity, chunked", b"gzip", b"chunked\r\nTransfer-Encoding: chunked"],
    ids=repr,
)
def test_transfer_encodings_other_than_one_chunked_are_refused(
    server: ReferenceServer, encoding: bytes
) -> None:
    request = HEAD + b"Transfer-Encoding: " + encoding + b"\r\n\r\n1b\r\n" + BODY + b"\r\n0\r\n\r\n"
    assert_refused(send(server, request))


def test_chunked_in_http_1_0_is_refused(server: ReferenceServer) -> None:
    request = _chunked(b"1b\r\n", BODY, b"\r\n0\r\n\r\n", version=b"HTTP/1.0")
    assert_refused(send(server, request))


def test_a_well_formed_chunked_body_with_extensions_and_trailers_is_read(
    server: ReferenceServer,
) -> None:
    request = _chunked(
        b"5;name=value\r\n",
        BODY[:5],
        b'\r\n016 ; a ; b="q \\" s"\r\n',
        BODY[5:],
        b"\r\n0\r\nX-Trailer: 1\r\n\r\n",
    )
    answer = send(server, request, refused=False)
    assert answer.status == 200, answer.body
    assert "connection" not in answer.headers


@pytest.mark.parametrize(
    "size_line",
    [
        b"-1",  # int("-1", 16) is -1, and read(-1) reads to end of stream
        b"-0",
        b"+1b",
        b"0x1b",
        b"1_b",
        b" 1b",
        b"1b ",
        b"\xb2",
        b"1b junk",
        b"1b;",
        b"1b;=x",
        b"",
    ],
    ids=repr,
)
def test_a_malformed_chunk_size_is_refused_at_once(
    server: ReferenceServer, size_line: bytes
) -> None:
    # The connection stays open for writing: a server that reads to end of stream
    # would never answer (the test would time out).
    answer = send(server, _chunked(size_line + b"\r\n", BODY, b"\r\n" + b"x" * 1000))
    assert_refused(answer)


def test_a_chunk_size_line_ending_in_a_bare_lf_is_refused(server: ReferenceServer) -> None:
    assert_refused(send(server, _chunked(b"1b\n", BODY, b"\r\n0\r\n\r\n")))


@pytest.mark.parametrize("size", [b"10001", b"ffffffff", b"fffffffffffffffffff", b"0" * 9 + b"1"])
def test_a_huge_or_overlong_chunk_size_is_refused_unread(
    server: ReferenceServer, size: bytes
) -> None:
    answer = send(server, _chunked(size + b"\r\n", b"x" * 1000))
    assert answer.status in (400, 413)
    assert_refused(answer, answer.status)


def test_chunk_data_must_end_exactly_at_crlf(server: ReferenceServer) -> None:
    request = _chunked(b"1b\r\n", BODY, b"XX\r\n0\r\n\r\n")
    assert_refused(send(server, request))


def test_a_long_chunk_extension_is_refused(server: ReferenceServer) -> None:
    answer = send(server, _chunked(b"1b;ext=" + b"a" * 5000 + b"\r\n", BODY, b"\r\n0\r\n\r\n"))
    assert_refused(answer)


def test_many_chunks_with_extensions_are_refused(server: ReferenceServer) -> None:
    # Each chunk line is short, but a body of one-byte chunks carrying 200 bytes of
    # extension each would make the server read 200 times the body: framing is bounded.
    chunk = b"1;e=" + b"a" * 200 + b"\r\nx\r\n"
    assert_refused(send(server, _chunked(chunk * 200, b"0\r\n\r\n")))


def test_endless_trailers_are_refused(server: ReferenceServer) -> None:
    trailers = b"X-T: " + b"t" * 1000 + b"\r\n"
    answer = send(server, _chunked(b"1b\r\n", BODY, b"\r\n0\r\n", trailers * 20))
    assert_refused(answer)


def test_the_server_serves_on_after_refusing_framing(server: ReferenceServer) -> None:
    send(server, _chunked(b"-1\r\n", b"x" * 100))
    send(server, HEAD + b"Content-Length: \xb2\r\n\r\n")
    answer = send(server, HEAD + b"Content-Length: 27\r\n\r\n" + BODY, refused=False)
    assert answer.status == 200


# Header limits ----------------------------------------------------------------------------


def test_one_huge_header_is_refused_with_431(server: ReferenceServer) -> None:
    request = HEAD + b"X-Big: " + b"b" * 20_000 + b"\r\nContent-Length: 27\r\n\r\n" + BODY
    answer = send(server, request)
    assert answer.status == 431
    assert answer.headers["content-type"] == "application/json;charset=utf-8"
    assert server.request_count() == 0  # refused before it was recorded


def test_many_headers_adding_up_past_the_limit_are_refused_with_431(
    server: ReferenceServer,
) -> None:
    # Each line is far below the stdlib's 64 KiB per line and there are fewer than its 100
    # lines, but together they are 27 KiB.
    headers = b"".join(b"X-H%d: " % i + b"h" * 300 + b"\r\n" for i in range(90))
    answer = send(server, HEAD + headers + b"Content-Length: 27\r\n\r\n" + BODY)
    assert answer.status == 431
    assert server.request_count() == 0


def test_headers_just_under_the_limit_are_accepted(server: ReferenceServer) -> None:
    headers = b"".join(b"X-H%d: " % i + b"h" * 300 + b"\r\n" for i in range(45))
    answer = send(server, HEAD + headers + b"Content-Length: 27\r\n\r\n" + BODY, refused=False)
    assert answer.status == 200


def test_what_the_server_records_is_bounded(server: ReferenceServer) -> None:
    # 404s and 405s are recorded too; every request is counted, but only the most
    # recent ones are kept, within a byte budget.
    big = b"x" * 15_000
    sent = MAX_RECORDED_BYTES // len(big) + 50
    request = b"GET /v1/nope HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + big + b"\r\n\r\n"
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        buffer = b""
        for _ in range(sent):
            sock.sendall(request)
            answer, buffer = _read_answer(sock, buffer)
            assert answer.status == 404  # no operation at that path, whatever the method
    assert server.request_count() == sent
    assert server.request_count("/v1/nope") == sent
    kept = server.requests
    assert 0 < len(kept) < sent
    assert sum(len(r.header("X-Pad") or "") for r in kept) <= MAX_RECORDED_BYTES


@pytest.mark.parametrize(
    "request_line", [b"GET /v1/account/forgotPass", b"POST /v1/nope"], ids=["405", "404"]
)
def test_ambiguous_framing_closes_the_connection_on_refused_paths_too(
    server: ReferenceServer, request_line: bytes
) -> None:
    # The body of a 404 or 405 is read and dropped to keep the connection in step; when
    # its framing is ambiguous, there is no step to keep, so the connection is closed.
    request = (
        request_line
        + b" HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 80\r\n\r\n"
        b"{}" + SMUGGLED
    )
    answer = send(server, request)
    assert answer.status in (404, 405)
    assert answer.headers.get("connection") == "close"
    assert answer.closed


# Header lines (checked as bytes before the standard library parses them) ----------------

#: A complete second request that mails a code: it must never run behind a refused one.
SMUGGLED_FORGOT = (
    b"POST /v1/account/forgotPass HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(BODY)
) + BODY


@pytest.mark.parametrize(
    "line",
    [
        b"Content-Length\r: 5\r\n",  # a bare CR inside the name
        b"X-Pad: a\rContent-Length: 5\r\n",  # a bare CR inside a value hides a header
        b"X-Pad: a\rTransfer-Encoding: chunked\r\n",
        b"Content-Length : 27\r\n",  # a space before the colon
        b"Content-Length\t: 27\r\n",  # a tab before the colon
        b"Transfer-Encoding : chunked\r\n",
        b"no colon at all\r\n",
        b"X-Pad\r\n",
        b": empty name\r\n",
        b" folded: continuation\r\n",  # obs-fold
        b"\tfolded\r\n",
        b"X-Pad: a\x00b\r\n",  # NUL in a value
        b"X-Pad: bare lf\n",  # a line ending in a bare LF
        b"X(Pad): not a token\r\n",
        b"X-Caf\xc3\xa9: non-ASCII name\r\n",
    ],
)
def test_a_malformed_header_line_is_refused_closed_and_nothing_behind_it_runs(
    server: ReferenceServer, line: bytes
) -> None:
    request = HEAD + line + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY + SMUGGLED_FORGOT
    answer = send(server, request)
    assert_refused(answer)
    assert "header" in answer.json["message"]
    assert server.outbox == []  # neither the request nor the one smuggled behind it ran
    assert server.request_count() == 0


def test_a_bare_lf_blank_line_ending_the_headers_is_refused(server: ReferenceServer) -> None:
    request = HEAD + b"Content-Length: %d\r\n\n" % len(BODY) + BODY
    assert_refused(send(server, request))
    assert server.outbox == []


def test_well_formed_header_lines_of_every_legal_shape_are_accepted(
    server: ReferenceServer,
) -> None:
    lines = (
        b"X-Empty:\r\n"
        b"X-Tabs:\tvalue\t\r\n"
        b"X-Latin1: caf\xe9\r\n"
        b"x!#$%&'*+.^_`|~: token characters\r\n"
    )
    request = HEAD + lines + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY
    answer = send(server, request, refused=False)
    assert answer.status == 200, answer.body
    assert [e.email for e in server.outbox] == [ANN]
