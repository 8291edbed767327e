"""``persona/openapi.yaml``: a valid OpenAPI 3.0.3 document that the reference server obeys.

The spec is checked with openapi-spec-validator, compared with the contract's fixed names,
and then schemathesis fuzzes a live ``ReferenceServer`` from it with all its default checks
(status codes, content types, response headers and schemas, positive data accepted,
negative data rejected, undeclared methods answered 405 with ``Allow``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from openapi_spec_validator import validate

from persona.testing import ReferenceServer

SPEC_PATH = Path(__file__).resolve().parent.parent / "persona" / "openapi.yaml"
VALID_KEY = re.compile(r"[\x21-\x7E]{1,255}")

# 25 examples per operation and phase, the same ones on every run (deterministic), so the
# whole fuzz stays within a few seconds and a failure reproduces.
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"max-examples": 25, "deterministic": True}},
)
schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)


def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.safe_load(fh)
    return spec


def test_spec_is_valid_openapi_3_0_3() -> None:
    spec = load_spec()
    validate(spec)
    assert spec["openapi"] == "3.0.3"
    assert spec["servers"] == [{"url": "http://localhost:8080/v1"}]


def test_spec_names_the_three_operations_of_the_contract() -> None:
    paths = load_spec()["paths"]
    found = {
        path: (op["operationId"], op["summary"], op["tags"])
        for path, item in paths.items()
        for op in item.values()
    }
    assert found == {
        "/account/forgotPass": ("account_forgot_pass_post", "Forgot Password", ["Account"]),
        "/account/codeForToken": (
            "account_code_for_token_post",
            "Get a password reset token",
            ["Account"],
        ),
        "/account/resetForgottenPassword": (
            "account_reset_forgotten_password_post",
            "Reset a forgotten password with a token",
            ["Account"],
        ),
    }
    assert all(list(item) == ["post"] for item in paths.values())


def test_spec_marks_secrets_and_gives_every_property_an_example() -> None:
    schemas = load_spec()["components"]["schemas"]
    secrets = {
        (model, name)
        for model, body in schemas.items()
        for name, prop in body["properties"].items()
        if prop.get("x-secret") is True
    }
    assert secrets == {
        ("CodeForTokenData", "code"),
        ("UpdatePasswordData", "token"),
        ("UpdatePasswordData", "newPassword"),
        ("TokenResponse", "token"),
    }
    for body in schemas.values():
        for prop in body["properties"].values():
            assert "example" in prop


def test_spec_constraints_match_the_contract() -> None:
    schemas = load_spec()["components"]["schemas"]

    def limits(model: str, prop: str) -> tuple[Any, Any]:
        spec = schemas[model]["properties"][prop]
        return spec.get("minLength"), spec.get("maxLength")

    assert limits("ForgotPasswordData", "email") == (3, 254)
    assert limits("CodeForTokenData", "code") == (1, 64)
    assert limits("UpdatePasswordData", "token") == (1, 512)
    assert limits("UpdatePasswordData", "newPassword") == (8, 128)
    assert schemas["TokenResponse"]["properties"]["expiresAt"]["format"] == "date-time"
    assert schemas["Error"]["required"] == ["code", "message"]


def test_every_response_declares_x_request_id_and_429_retry_after() -> None:
    spec = load_spec()
    components = spec["components"]["responses"]
    for item in spec["paths"].values():
        for status, declared in item["post"]["responses"].items():
            response = declared
            if "$ref" in declared:
                response = components[declared["$ref"].rsplit("/", 1)[1]]
            assert "X-Request-Id" in response["headers"]
            assert list(response["content"]) == ["application/json;charset=utf-8"]
            if status == "429":
                assert "Retry-After" in response["headers"]


@pytest.fixture(scope="module")
def reference() -> Iterator[ReferenceServer]:
    # A generous rate limit: the fuzzer repeats the few e-mail addresses it draws far more
    # than 5 times a minute; the limit itself is tested in test_reference_server.py.
    with ReferenceServer(accounts={"ann@example.com": "old-pass-1"}, rate_limit=10**6) as srv:
        yield srv


@schema.parametrize()
def test_reference_server_conforms_to_the_spec(
    case: schemathesis.Case, reference: ReferenceServer
) -> None:
    # Hypothesis draws the same few short keys ("0", "!") again and again; with different
    # bodies the server rightly answers 409 idempotency_conflict, which would hide the body
    # validation from the fuzzer. A valid key is swapped for a fresh valid one (the case stays
    # valid or invalid exactly as generated); replay and conflict are tested on their own.
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4().hex}"
    case.call_and_validate(base_url=reference.url)
