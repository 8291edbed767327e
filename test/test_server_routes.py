"""Routing of the reference server from the contract's operation table: a path answers
the methods persona/openapi.yaml declares for it, other methods get 405 with exactly those
in Allow, and a GET operation's query parameters are checked. Shown with the contract as
it is and, over real HTTP too, with a scratch copy that adds GET operations."""

from __future__ import annotations

import copy
import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from persona.testing import ReferenceServer
from persona.testing.operations import CONTRACT, Routes, from_spec

SPEC = Path(__file__).resolve().parents[1] / "persona" / "openapi.yaml"
ANN = "ann@example.com"
TIMEOUT = 5
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]


def contract() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return spec


def scratch() -> dict[str, Any]:
    """The contract plus a GET operation on a path of its own and a GET on forgotPass."""
    spec = copy.deepcopy(contract())
    spec["paths"]["/account/status"] = {
        "get": {
            "operationId": "account_status_get",
            "parameters": [
                {"$ref": "#/components/parameters/IdempotencyKey"},  # a header: not a query
                {
                    "name": "email",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 3, "maxLength": 254},
                },
                {
                    "name": "page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 10},
                },
                {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
            ],
            "responses": {"200": {"description": "ok"}},
        }
    }
    spec["paths"]["/account/forgotPass"]["get"] = {
        "operationId": "account_forgot_pass_get",
        "responses": {"200": {"description": "ok"}},
    }
    return spec


def send(
    srv: ReferenceServer, method: str, target: str, body: Optional[bytes] = None
) -> tuple[int, http.client.HTTPMessage, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=TIMEOUT)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, target, body=body, headers=headers)
        reply = conn.getresponse()
        data = reply.read()
        return reply.status, reply.headers, json.loads(data) if data else None
    finally:
        conn.close()


# -- the table ------------------------------------------------------------------------------


def test_the_operation_table_is_the_contract_s() -> None:
    assert from_spec(contract()) == CONTRACT
    assert {(op.method, op.path) for op in CONTRACT} == {
        (method.upper(), path)
        for path, item in contract()["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    }


def test_the_routes_of_a_scratch_spec_follow_it() -> None:
    routes = Routes(from_spec(scratch()))
    assert routes.methods("/v1/account/forgotPass") == ("GET", "POST")
    assert routes.methods("/v1/account/status") == ("GET",)
    assert routes.methods("/v1/account/codeForToken") == ("POST",)
    assert routes.methods("/v1/nowhere") == ()
    status = routes.find("GET", "/v1/account/status")
    assert status is not None
    assert [(p.name, p.kind, p.required) for p in status.query] == [
        ("email", "string", True),
        ("page", "integer", False),
        ("verbose", "boolean", False),
    ]
    assert routes.find("POST", "/v1/account/status") is None


# -- over HTTP, the contract as it is -------------------------------------------------------


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="") as srv:
        yield srv


@pytest.mark.parametrize("method", [m for m in METHODS if m != "POST"])
def test_each_contract_path_allows_exactly_its_declared_methods(
    server: ReferenceServer, method: str
) -> None:
    for op in CONTRACT:
        status, headers, data = send(server, method, "/v1" + op.path)
        assert status == 405, (method, op.path)
        assert headers["Allow"] == "POST"
        if method != "HEAD":
            assert data["code"] == "method_not_allowed"
            assert "POST" in data["message"]


@pytest.mark.parametrize("method", METHODS)
def test_a_path_without_operations_is_not_found_whatever_the_method(
    server: ReferenceServer, method: str
) -> None:
    status, headers, data = send(server, method, "/v1/account/nope")
    assert status == 404
    assert "Allow" not in headers
    if method != "HEAD":
        assert data["code"] == "not_found"


def test_an_injected_405_still_says_what_the_path_allows(server: ReferenceServer) -> None:
    server.inject_fault("status:405")
    status, headers, _ = send(server, "POST", "/v1/account/forgotPass", b'{"email": "a@b.c"}')
    assert (status, headers["Allow"]) == (405, "POST")


# -- over HTTP, a scratch spec with GET operations ------------------------------------------


@pytest.fixture
def scratch_server() -> Iterator[ReferenceServer]:
    operations = from_spec(scratch())
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="", operations=operations) as srv:
        yield srv


def test_a_path_with_two_operations_allows_both(scratch_server: ReferenceServer) -> None:
    body = json.dumps({"email": ANN}).encode()
    assert send(scratch_server, "POST", "/v1/account/forgotPass", body)[0] == 200
    status, _, data = send(scratch_server, "GET", "/v1/account/forgotPass")
    assert (status, data["code"]) == (501, "not_implemented")  # routed, not served here
    status, headers, _ = send(scratch_server, "PUT", "/v1/account/forgotPass", body)
    assert (status, headers["Allow"]) == (405, "GET, POST")


def test_a_get_only_path_refuses_post(scratch_server: ReferenceServer) -> None:
    status, headers, data = send(
        scratch_server, "POST", "/v1/account/status", json.dumps({"email": ANN}).encode()
    )
    assert (status, headers["Allow"], data["code"]) == (405, "GET", "method_not_allowed")
    status, headers, _ = send(scratch_server, "HEAD", f"/v1/account/status?email={ANN}")
    assert (status, headers["Allow"]) == (405, "GET")  # HEAD is not served, so not allowed


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("", "email"),  # required
        ("email=ab", "email"),  # too short
        (f"email={'a' * 250}@example.com", "email"),  # too long
        (f"email={ANN}&email={ANN}", "email"),  # twice
        (f"email={ANN}&page=0", "page"),
        (f"email={ANN}&page=11", "page"),
        (f"email={ANN}&page=00000000001", "page"),
        (f"email={ANN}&page={'9' * 5000}", "page"),
        (f"email={ANN}&page=1_0", "page"),
        (f"email={ANN}&page=x", "page"),
        (f"email={ANN}&verbose=maybe", "verbose"),
    ],
)
def test_a_get_operation_s_query_is_checked(
    scratch_server: ReferenceServer, query: str, name: str
) -> None:
    status, _, data = send(scratch_server, "GET", f"/v1/account/status?{query}")
    assert (status, data["code"]) == (400, "invalid_request")
    assert data["message"].startswith(f"{name}: ")


@pytest.mark.parametrize(
    "query",
    [
        f"email={ANN}",
        f"email={ANN}&page=1&verbose=true",
        f"email={ANN}&page=10&verbose=false",
        f"email={ANN}&unknown=1",
    ],
)
def test_a_good_query_is_routed_to_the_operation(
    scratch_server: ReferenceServer, query: str
) -> None:
    status, _, data = send(scratch_server, "GET", f"/v1/account/status?{query}")
    assert (status, data["code"]) == (501, "not_implemented")
