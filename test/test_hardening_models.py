"""Hostile data against models, requests and the strict mock (issue 27, items 7-15):
each test is about a class of input, not the one value the review found."""

from __future__ import annotations

import copy
import gc
import pickle
import re
import subprocess
import sys
from typing import Any, Optional

import pytest

import persona
from persona.core.ecma_regex import compile_pattern
from persona.core.kinds import ListOf, MapOf
from persona.core.model import Model, field
from persona.core.operation import Operation, Parameter
from persona.rest import RESTResponse
from persona.testing import MockTransport

RID = {"X-Request-Id": "req_1"}


class Doc(Model):
    """A model with a free-form value, lists, maps and numbers, as real specs have."""

    data: Optional[Any] = field("data", object, default=None)
    tags: Optional[list[str]] = field("tags", ListOf(str), default=None, max_length=3)
    maybe: Optional[list[Optional[str]]] = field("maybe", ListOf(str, nullable=True), default=None)
    counts: Optional[dict[str, int]] = field("counts", MapOf(int), default=None)
    ratio: Optional[float] = field("ratio", float, default=None)
    when: Optional[int] = field("when", int, default=None)


def nested(depth: int, leaf: Any = 1) -> Any:
    value: Any = leaf
    for i in range(depth):
        value = {"a": value} if i % 2 else [value]
    return value


# -- 7: free-form values of any depth -------------------------------------------------
@pytest.mark.parametrize("depth", [600, 5000])
def test_validate_walks_nothing_inside_a_free_form_value(depth: int) -> None:
    value = nested(depth)
    doc = Doc(data=value, tags=["a"])
    doc.validate()  # no RecursionError: no rule applies inside free-form values
    assert Doc.from_dict({"data": value}).data is value  # read as it came


def test_a_deep_free_form_value_through_a_strict_mock_call() -> None:
    deep = nested(600)

    def handler(request: Any) -> RESTResponse:
        return RESTResponse(200, json={"success": True, "detail": deep}, headers=RID)

    api = persona.AccountApi(persona.ApiClient(transport=MockTransport(handler)))
    reply = api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    assert reply.success is True
    assert reply.additional_properties["detail"] == deep


# -- 8: null where the schema does not allow it ----------------------------------------
@pytest.mark.parametrize(
    ("wire", "where"),
    [
        ({"tags": ["a", None]}, "'tags'[1]"),
        ({"counts": {"x": 1, "y": None}}, "'counts'['y']"),
    ],
)
def test_null_items_are_refused_when_read_naming_the_place(wire: Any, where: str) -> None:
    with pytest.raises(persona.ApiValueError, match=rf"^Doc: {re.escape(where)} must not be null$"):
        Doc.from_dict(wire)


def test_null_items_are_refused_when_set_and_allowed_where_nullable() -> None:
    with pytest.raises(persona.ApiValueError, match=r"^Doc\.tags\[1\]: must not be null$"):
        Doc(tags=["a", None])
    with pytest.raises(persona.ApiValueError, match=r"^Doc\.counts\['y'\]: must not be null"):
        Doc(counts={"x": 1, "y": None})
    assert Doc.from_dict({"maybe": ["a", None]}).maybe == ["a", None]
    Doc(maybe=[None]).validate()


def test_validate_refuses_a_null_item_slipped_in_after_assignment() -> None:
    doc = Doc(tags=["a"])
    assert doc.tags is not None
    doc.tags.append(None)  # type: ignore[arg-type]  # a list is mutable
    with pytest.raises(persona.ApiValueError, match=r"^Doc\.tags: \[1\]: must not be null$"):
        doc.validate()


# -- 9: numbers JSON does not have -----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"ratio": 1e400}', "'ratio'"),
        ('{"ratio": NaN}', "'ratio'"),
        ('{"ratio": -Infinity}', "'ratio'"),
        ('{"when": 1e400}', "'when'"),
        ('{"data": [1, {"x": NaN}]}', "'data'"),
        ('{"unknown": {"x": [Infinity]}}', "'unknown'"),
    ],
)
def test_non_finite_numbers_are_refused_when_read(text: str, where: str) -> None:
    with pytest.raises(persona.ApiException) as refused:
        Doc.from_json(text)
    assert isinstance(refused.value, (persona.ApiValueError, persona.ApiTypeError))
    assert str(refused.value).startswith(f"Doc: {where}")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1.0, float("-inf")]])
def test_non_finite_numbers_are_never_written(value: Any) -> None:
    doc = Doc(data=value)
    with pytest.raises(persona.ApiValueError, match="finite number"):
        doc.to_json()
    with pytest.raises(persona.ApiValueError, match="finite number"):
        Doc(ratio=float("nan")).validate()


# -- 10: reading, copying and pickling agree -------------------------------------------
def test_a_model_read_with_an_attribute_named_property_copies_and_pickles() -> None:
    wire = {"token": "t", "expiresAt": "2030-01-01T00:00:00Z", "expires_at": "then"}
    read = persona.TokenResponse.from_dict(wire)
    for again in (copy.copy(read), copy.deepcopy(read), pickle.loads(pickle.dumps(read))):
        assert again == read
        assert again.to_dict() == read.to_dict() == wire
    extra = read.additional_properties.copy()
    assert extra == {"expires_at": "then"}
    with pytest.raises(persona.ApiValueError, match="is a field of the model"):
        read.additional_properties["expiresAt"] = "x"  # assignment still checks


# -- 11: patterns are ECMA-262 ---------------------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^a$", "a\n", False),  # $ is the end of the text, not before a final newline
        ("^\\d+$", "\u0661\u0662", False),  # \d is ASCII
        ("^\\w+$", "\u00e9t\u00e9", False),  # \w is ASCII
        ("^\\s$", "\u00a0", True),  # \s is ECMA's whitespace
        ("^.$", "\r", False),  # . stops at every line terminator
        ("(?<y>a)\\k<y>", "aa", True),  # named groups
        ("^[\\x21-\\x7E]{1,255}$", "key-1\n", False),  # persona's own Idempotency-Key
    ],
)
def test_patterns_mean_what_ecma_262_says(pattern: str, text: str, matches: bool) -> None:
    assert bool(compile_pattern(pattern).search(text)) is matches

    class Keyed(Model):
        key: Optional[str] = field("key", str, default=None, pattern=pattern)

    problem = Keyed._by_name["key"].problem(text)
    assert (problem is None) is matches


@pytest.mark.parametrize("pattern", ["[\\S]", "\\u{1F600}", "(?<=a+)b", "a\\"])
def test_a_pattern_that_cannot_be_translated_is_refused_where_it_is_declared(
    pattern: str,
) -> None:
    with pytest.raises(persona.ApiValueError, match="pattern"):
        field("key", str, pattern=pattern)


# -- 12: an empty path parameter -------------------------------------------------------
@pytest.mark.parametrize("validate", [True, False])
@pytest.mark.parametrize("value", ["", []])
def test_an_empty_path_parameter_is_refused_whatever_validation_says(
    validate: bool, value: Any
) -> None:
    delete = Operation(
        "delete_thing",
        "/things/{id}",
        method="DELETE",
        params=(Parameter("id", "id", "path", ListOf(str) if value == [] else str),),
    )
    sent: list[Any] = []
    config = persona.Configuration(client_side_validation=validate)
    transport = MockTransport(sent.append, strict=False)
    with (
        persona.ApiClient(config, transport=transport) as client,
        pytest.raises(persona.ApiValueError, match="must not be empty"),
    ):
        client.call_operation(delete, None, params={"id": value})
    assert sent == []


# -- 13: a half-built client -----------------------------------------------------------
def test_a_client_made_with_a_bad_keyword_leaves_no_noise_at_collection() -> None:
    code = (
        "import gc, persona\n"
        "for make in (persona.ApiClient, persona.AsyncApiClient):\n"
        "    try:\n"
        "        make(bogus=1)\n"
        "    except TypeError:\n"
        "        pass\n"
        "    try:\n"
        "        make(transport=object())\n"
        "    except persona.ApiTypeError:\n"
        "        pass\n"
        "gc.collect()\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
    gc.collect()


# -- 14, 15: the strict mock holds answers to the whole contract ------------------------
def strict_call(response: RESTResponse) -> None:
    api = persona.AccountApi(persona.ApiClient(transport=MockTransport(lambda r: response)))
    api.account_code_for_token_post(
        persona.CodeForTokenData(email="ann@example.com", code="123456")
    )


TOKEN = b'{"token": "t", "expiresAt": "2030-01-01T00:00:00Z"}'
JSON_TYPE = {"Content-Type": "application/json;charset=utf-8", **RID}


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (RESTResponse(200, headers=JSON_TYPE, data=b"\xef\xbb\xbf" + TOKEN), "byte order mark"),
        (RESTResponse(200, headers=JSON_TYPE, data=TOKEN.decode().encode("utf-16")), "UTF-8"),
        (
            RESTResponse(200, headers=JSON_TYPE, data=b'{"token": "t", "expiresAt": NaN}'),
            "not JSON",
        ),
        (RESTResponse(200, json={"token": "t", "expiresAt": None}, headers=RID), "null at"),
        (RESTResponse(200, json={"token": "t"}), "without the X-Request-Id"),
        (RESTResponse(200, headers=RID, data=TOKEN), "no Content-Type"),
        (
            RESTResponse(200, headers={**RID, "Content-Type": "text/plain"}, data=TOKEN),
            "Content-Type 'text/plain'",
        ),
        (
            RESTResponse(429, json={"code": "rate_limited", "message": "m"}, headers=RID),
            "without the Retry-After",
        ),
        (
            RESTResponse(
                429,
                json={"code": "rate_limited", "message": "m"},
                headers={**RID, "Retry-After": "soon"},
            ),
            "Retry-After is not",
        ),
    ],
)
def test_strict_mock_refuses_answers_outside_the_contract(
    response: RESTResponse, problem: str
) -> None:
    with pytest.raises(persona.ApiTypeError, match=problem):
        strict_call(response)


def test_strict_mock_takes_what_the_contract_allows() -> None:
    strict_call(RESTResponse(200, headers=JSON_TYPE, data=TOKEN))
    strict_call(RESTResponse(200, headers={**RID, "content-type": "Application/JSON"}, data=TOKEN))
    with pytest.raises(persona.TooManyRequestsException):
        strict_call(
            RESTResponse(
                429,
                json={"code": "rate_limited", "message": "m"},
                headers={**RID, "Retry-After": "1"},
            )
        )


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    "headers",
    [{"X-Bad": "a\r\nInjected: yes"}, {"X-Bad": "a\nb"}, {"X Bad": "v"}, {"X:Bad": "v"}],
)
def test_a_header_no_server_could_send_is_refused_in_every_mode(
    strict: bool, headers: dict[str, str]
) -> None:
    response = RESTResponse(200, json={"token": "t"}, headers={**RID, **headers})
    transport = MockTransport(lambda r: response, strict=strict)
    api = persona.AccountApi(persona.ApiClient(transport=transport))
    with pytest.raises(persona.ApiTypeError, match="no server could send"):
        api.account_code_for_token_post(
            persona.CodeForTokenData(email="ann@example.com", code="123456")
        )
