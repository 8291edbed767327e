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


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in load_spec()["paths"].items()
        for method, op in item.items()
    ]


def test_every_operation_of_the_spec_is_a_method_of_its_api_class() -> None:
    import persona

    ops = operations()
    assert ops, "the spec declares no operation"
    for _path, _method, op in ops:
        api_class = getattr(persona, op["tags"][0].title() + "Api")
        for name in (op["operationId"], op["operationId"] + "_with_http_info"):
            assert callable(getattr(api_class, name, None)), f"{api_class.__name__}.{name}"


def test_the_models_agree_with_the_spec() -> None:
    """Each model's field table is the schema: JSON names in order, required, limits,
    format, x-secret and description (the models are generated; this guards the runtime's
    reading of what the generator writes)."""
    import persona

    schemas = load_spec()["components"]["schemas"]
    # Every schema is sent or got by a call (the error body by every error answer).
    models = sorted(schemas)
    assert models == sorted(n for n in persona.models.__all__ if n != "Model")
    for name in models:
        schema = schemas[name]
        fields = getattr(persona, name)._fields
        assert [f.json_name for f in fields] == list(schema["properties"]), name
        for f in fields:
            prop = schema["properties"][f.json_name]
            where = f"{name}.{f.json_name}"
            assert f.required == (f.json_name in schema.get("required", [])), where
            assert (f.min_length, f.max_length) == (
                prop.get("minLength"),
                prop.get("maxLength"),
            ), where
            assert f.format == prop.get("format"), where
            assert f.secret == bool(prop.get("x-secret")), where
            assert f.description == " ".join(prop.get("description", "").split()), where


def test_spec_marks_secrets_and_gives_every_property_an_example() -> None:
    schemas = load_spec()["components"]["schemas"]
    secrets = {
        (model, name)
        for model, body in schemas.items()
        for name, prop in body["properties"].items()
        if prop.get("x-secret") is True
    }
    # The contract's secrets (code, token, password) never appear in a response or a log.
    assert {name for _model, name in secrets} == {"code", "token", "newPassword"}
    for body in schemas.values():
        for prop in body["properties"].values():
            assert "example" in prop


def test_every_response_declares_x_request_id_and_429_retry_after() -> None:
    spec = load_spec()
    components = spec["components"]["responses"]
    methods = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    for item in spec["paths"].values():
        for status, declared in (
            pair for m in methods if m in item for pair in item[m]["responses"].items()
        ):
            response = declared
            if "$ref" in declared:
                response = components[declared["$ref"].rsplit("/", 1)[1]]
            assert "X-Request-Id" in response["headers"]
            if status != "204":
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
