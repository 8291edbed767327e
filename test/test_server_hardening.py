"""The reference server's hardening, over real HTTP on loopback: its parts' boundaries,
the Host names it answers, the origin its outbox trusts, its query parsing and what its
records show."""

from __future__ import annotations

import ast
import dataclasses
import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

from persona.testing import ReferenceServer

TESTING = Path(__file__).resolve().parents[1] / "persona" / "testing"
ANN = "ann@example.com"
TIMEOUT = 5
JSON = "application/json;charset=utf-8"


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="") as srv:
        yield srv


def send(
    srv: ReferenceServer,
    method: str,
    target: str,
    headers: Optional[dict[str, str]] = None,
    *,
    host: Optional[str] = "127.0.0.1",
    body: Optional[bytes] = None,
) -> tuple[int, http.client.HTTPMessage, Any]:
    """One request with the ``Host`` given (``None``: no Host header at all)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=TIMEOUT)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        reply = conn.getresponse()
        data = reply.read()
        is_json = (reply.headers.get("Content-Type") or "").startswith("application/json")
        return reply.status, reply.headers, json.loads(data) if is_json else data
    finally:
        conn.close()


def forgot_body(email: str = ANN) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/json"}, json.dumps({"email": email}).encode()


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


# -- 2. DNS rebinding: only this machine's names in Host ----------------------------------

#: Every kind of place a request can go: the API, an unknown path, the page, its API.
PLACES = [
    ("POST", "/v1/account/forgotPass"),
    ("POST", "/v1/nowhere"),
    ("GET", "/outbox"),
    ("GET", "/outbox/api/messages"),
    ("DELETE", "/outbox/api/messages"),
    ("GET", "/outbox/app.js"),
]
FOREIGN_HOSTS = [
    "evil.example",
    "evil.example:{port}",
    "127.0.0.1.evil.example",
    "localhost.evil.example:{port}",
    "10.0.0.1",
    "[::2]",
    "",
]


@pytest.mark.parametrize(("method", "path"), PLACES)
@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_a_foreign_host_is_answered_421_before_routing(
    server: ReferenceServer, method: str, path: str, host: str
) -> None:
    headers, body = forgot_body()
    status, reply_headers, data = send(
        server, method, path, headers, host=host.format(port=server.port), body=body
    )
    assert status == 421
    assert reply_headers["Content-Type"] == JSON
    assert data["code"] == "misdirected_request"
    assert "Host" in data["message"]
    # Answered before anything ran or was noted.
    assert server.outbox == []
    assert server.request_count() == 0


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.0.0.1:{port}",
        "localhost",
        "localhost:{port}",
        "LocalHost:{port}",
        "[::1]",
        "[::1]:{port}",
    ],
)
def test_this_machine_s_names_are_served(server: ReferenceServer, host: str) -> None:
    headers, body = forgot_body()
    status, _, _ = send(
        server,
        "POST",
        "/v1/account/forgotPass",
        headers,
        host=host.format(port=server.port),
        body=body,
    )
    assert status == 200
    status, _, _ = send(server, "GET", "/outbox/api/messages", host=host.format(port=server.port))
    assert status == 200


def test_the_host_of_an_absolute_target_is_checked_too(server: ReferenceServer) -> None:
    status, _, data = send(server, "GET", "http://evil.example/outbox/api/messages")
    assert (status, data["code"]) == (421, "misdirected_request")
    status, _, _ = send(
        server, "GET", f"http://localhost:{server.port}/outbox/api/messages", host="localhost"
    )
    assert status == 200


@pytest.mark.parametrize(("method", "path"), PLACES[:3])
def test_http_1_1_without_host_is_a_400(server: ReferenceServer, method: str, path: str) -> None:
    status, _, data = send(server, method, path, host=None)
    assert (status, data["code"]) == (400, "invalid_request")
    assert "Host" in data["message"]


def test_two_host_headers_are_a_400(server: ReferenceServer) -> None:
    status, _, data = send(server, "GET", "/outbox", {"Host": "localhost"})
    assert (status, data["code"]) == (400, "invalid_request")


def test_names_the_operator_allows_are_served_and_no_others() -> None:
    with ReferenceServer(outbox="", allowed_hosts=["app.test", "Dev.Example"]) as srv:
        for host in ("app.test", f"app.test:{srv.port}", "dev.example", "localhost"):
            assert send(srv, "GET", "/outbox/api/messages", host=host)[0] == 200, host
        for host in ("evil.test", "app.test.evil", "sub.app.test"):
            assert send(srv, "GET", "/outbox/api/messages", host=host)[0] == 421, host


@pytest.mark.parametrize("name", ["", "a b", "app.test:80", "http://app.test", "a/b", "*"])
def test_an_allowed_host_must_be_a_bare_name(name: str) -> None:
    with pytest.raises(ValueError, match="allowed_hosts"):
        ReferenceServer(outbox="", allowed_hosts=[name])


def test_a_server_on_all_addresses_serves_any_host_unless_names_are_given() -> None:
    with ReferenceServer(host="0.0.0.0", outbox="") as srv:
        assert send(srv, "POST", "/v1/nowhere", host="box.lan")[0] == 404
    with ReferenceServer(host="0.0.0.0", outbox="", allowed_hosts=["box.lan"]) as srv:
        assert send(srv, "POST", "/v1/nowhere", host="box.lan")[0] == 404
        assert send(srv, "POST", "/v1/nowhere", host="other.lan")[0] == 421


# -- 3. same-origin is the origin the request was sent to ---------------------------------


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]"])
@pytest.mark.parametrize(
    ("method", "path", "ok"),
    [("DELETE", "/outbox/api/messages", 200), ("POST", "/outbox/clear", 303)],
)
def test_the_page_s_own_origin_may_clear_by_any_name_it_was_opened_by(
    server: ReferenceServer, name: str, method: str, path: str, ok: int
) -> None:
    host = f"{name}:{server.port}"
    headers = {"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"}
    assert send(server, method, path, headers, host=host)[0] == ok


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("localhost:{port}", "http://127.0.0.1:{port}"),  # another name: another origin
        ("127.0.0.1:{port}", "http://localhost:{port}"),
        ("localhost:{port}", "http://localhost:1"),  # another port
        ("localhost:{port}", "https://localhost:{port}"),  # another scheme
        ("localhost:{port}", "http://evil.example"),
    ],
)
def test_any_other_origin_may_not(server: ReferenceServer, host: str, origin: str) -> None:
    host, origin = host.format(port=server.port), origin.format(port=server.port)
    for method, path in (("DELETE", "/outbox/api/messages"), ("POST", "/outbox/clear")):
        status, _, data = send(server, method, path, {"Origin": origin}, host=host)
        assert (status, data["code"]) == (403, "forbidden")


# -- 5. numeric query values: bounded, in range, each failure a 400 naming it -------------

#: Every numeric query parameter of the outbox API: (path, the other parameters it needs,
#: name, valid values, values out of its range).
NUMERIC = [
    ("/outbox/api/messages", "", "limit", ["1", "500", "07"], ["0", "501"]),
    ("/outbox/api/requests", "", "limit", ["1", "500"], ["0", "501"]),
    ("/outbox/api/messages/latest", f"email={ANN}&", "wait", ["0", "0.01"], ["31", "30.5"]),
]
BAD_NUMBERS = [
    "9" * 5000,  # int() of that many digits is an error of its own
    "0" * 4999 + "1",
    "0000019999",  # a cap read from a prefix passes this
    "-1",
    "+5",
    " 5",
    "5 ",
    "\u0665",  # ARABIC-INDIC DIGIT FIVE: str.isdigit() says yes
    "1_0",  # int() takes underscores
    "0x10",
    "1e2",
    "inf",
    "nan",
    "",
    "1.",
    ".5",
]


@pytest.mark.parametrize(("path", "needs", "name", "valid", "out_of_range"), NUMERIC)
def test_numeric_query_values_are_bounded_and_checked(
    server: ReferenceServer,
    path: str,
    needs: str,
    name: str,
    valid: list[str],
    out_of_range: list[str],
) -> None:
    from urllib.parse import quote

    for value in BAD_NUMBERS + out_of_range:
        status, _, data = send(server, "GET", f"{path}?{needs}{name}={quote(value)}")
        assert (status, data["code"]) == (400, "invalid_request"), value[:20]
        assert data["message"].startswith(f"{name}: "), value[:20]
        assert len(data["message"]) < 200  # the value is not echoed
    for value in valid:
        status, _, _ = send(server, "GET", f"{path}?{needs}{name}={value}")
        assert status in (200, 404), value  # latest: 404 when nothing came


# -- 7. recorded requests show no credentials ---------------------------------------------

CREDENTIALS = {
    "Authorization": "Bearer tok-AAAA-1111",
    "Proxy-Authorization": "Basic cHJveHk-GGGG-7777",
    "Cookie": "session=sess-BBBB-2222",
    "X-Api-Key": "key-CCCC-3333",
    "X-Auth-Token": "tok-DDDD-4444",
    "X-Client-Secret": "sec-EEEE-5555",
}


def test_recorded_requests_mask_credentials_in_their_repr(server: ReferenceServer) -> None:
    headers, body = forgot_body()
    key = "idem-key-FFFF-6666-and-more"
    sent = {**headers, **CREDENTIALS, "Idempotency-Key": key, "X-Trace": "visible-1"}
    assert send(server, "POST", "/v1/account/forgotPass", sent, body=body)[0] == 200
    (recorded,) = server.requests
    for text in (repr(server.requests), repr(recorded), str(recorded)):
        for value in CREDENTIALS.values():
            assert value not in text
            assert value.split("-")[1] not in text  # no part of it either
        assert key not in text
        assert "visible-1" in text  # other headers are shown as they came
        assert "/v1/account/forgotPass" in text
    # A test still reads what was sent.
    assert recorded.header("authorization") == CREDENTIALS["Authorization"]
    assert recorded.header("Idempotency-Key") == key
