"""The runtime under generated code: field kinds (persona/models/kinds.py), their checks
in the model base, and operations of any shape (persona/core/operation.py) turned into
requests by the core, without the generator in between."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

import pytest

import persona
from persona.core.kinds import ListOf, MapOf, describe, dump, load, matches, text
from persona.core.model import Model, field
from persona.core.operation import NO_BODY, Operation, Parameter
from persona.core.request import build_request, merge_headers


class Leaf(Model):
    name: Optional[str] = field("name", str, default=None, required=True, min_length=1)


class Tree(Model):
    count: Optional[int] = field("count", int, default=None, minimum=0, maximum=10)
    ratio: Optional[float] = field("ratio", float, default=None)
    day: Optional[date] = field("day", date, default=None)
    leaves: Optional[list[Leaf]] = field("leaves", ListOf(Leaf), default=None, max_items=2)
    scores: Optional[dict[str, int]] = field("scores", MapOf(int), default=None, minimum=0)
    grid: Optional[list[list[str]]] = field(
        "grid", ListOf(ListOf(str)), default=None, enum=("x", "o")
    )
    anything: Optional[dict[str, Any]] = field("anything", MapOf(object), default=None)
    note: Optional[str] = field("note", str, default=None, required=True, nullable=True)
    pin: Optional[str] = field("pin", str, default=None, secret=True, enum=("1234", "9999"))
    code: Optional[str] = field("code", str, default=None, pattern=r"^[A-Z]{3}$")


def test_kinds_describe_and_compare() -> None:
    assert describe(ListOf(MapOf(int))) == "list[dict[str, int]]"
    assert describe(Leaf) == "Leaf"
    assert repr(ListOf(Leaf)) == "ListOf(Leaf)"
    assert repr(MapOf(str)) == "MapOf(str)"
    assert ListOf(int) == ListOf(int)
    assert ListOf(int) != ListOf(str)
    assert MapOf(int) == MapOf(int)
    assert MapOf(int) != ListOf(int)
    with pytest.raises(TypeError):
        hash(ListOf(int))


@pytest.mark.parametrize(
    ("kind", "value", "where"),
    [
        (ListOf(int), [1, 2], None),
        (ListOf(int), (1, 2), ""),
        (ListOf(int), [1, "2"], "[1]"),
        (MapOf(int), {"a": 1}, None),
        (MapOf(int), [1], ""),
        (MapOf(int), {1: 1}, "[1] (keys must be str)"),
        (MapOf(ListOf(int)), {"a": [1, True]}, "['a'][1]"),
        (float, 1, None),
        (float, True, ""),
        (int, True, ""),
        (bool, True, None),
        (date, datetime(2020, 1, 1, tzinfo=timezone.utc), ""),
        (date, date(2020, 1, 1), None),
        (object, object(), None),
    ],
)
def test_matches_says_where_a_value_is_not_of_its_kind(kind: Any, value: Any, where: Any) -> None:
    assert matches(kind, value) == where


def test_load_reads_json_into_python_and_names_the_place() -> None:
    assert load(int, 3.0, "x") == 3
    assert load(float, 2, "x") == 2.0
    assert load(date, "2026-12-04", "x") == date(2026, 12, 4)
    assert load(MapOf(object), {"a": [1, {"b": None}]}, "x") == {"a": [1, {"b": None}]}
    assert load(ListOf(Leaf, nullable=True), [{"name": "a"}, None], "x") == [Leaf(name="a"), None]
    with pytest.raises(persona.ApiValueError, match=r"^x\[1\] must not be null$"):
        load(ListOf(Leaf), [{"name": "a"}, None], "x")
    for kind, value, message in [
        (int, 3.5, "x must be a JSON integer, got number"),
        (int, True, "x must be a JSON integer, got boolean"),
        (ListOf(int), {}, "x must be a JSON array, got object"),
        (MapOf(int), [], "x must be a JSON object, got array"),
        (date, 20261204, "x must be a JSON string (RFC 3339 full-date), got number"),
        (Leaf, "a", "x must be a JSON object, got string"),
    ]:
        with pytest.raises(persona.ApiTypeError) as caught:
            load(kind, value, "x")
        assert str(caught.value) == message
    with pytest.raises(persona.ApiValueError, match=r"x\[0\]: Leaf: required property 'name'"):
        load(ListOf(Leaf), [{}], "x")
    with pytest.raises(persona.ApiValueError, match="is not an RFC 3339 full-date"):
        load(date, "2026-13-01", "x")


def test_dump_and_text_write_json_and_url_forms() -> None:
    when = datetime(2026, 12, 4, 10, tzinfo=timezone.utc)
    assert dump(ListOf(Leaf), [Leaf(name="a")]) == [{"name": "a"}]
    assert dump(MapOf(date), {"d": date(2026, 1, 2)}) == {"d": "2026-01-02"}
    assert dump(datetime, when) == "2026-12-04T10:00:00Z"
    assert dump(int, None) is None
    assert [text(bool, True), text(bool, False), text(float, 0.5), text(int, 7)] == [
        "true",
        "false",
        "0.5",
        "7",
    ]
    assert text(date, date(2026, 1, 2)) == "2026-01-02"
    assert text(datetime, when) == "2026-12-04T10:00:00Z"


def test_a_model_of_every_kind_round_trips() -> None:
    wire = {
        "count": 3,
        "ratio": 1.5,
        "day": "2026-12-04",
        "leaves": [{"name": "a"}],
        "scores": {"x": 1},
        "grid": [["x", "o"], []],
        "anything": {"k": [1, "two", None]},
        "note": None,
    }
    tree = Tree.from_dict(wire)
    assert tree.day == date(2026, 12, 4)
    assert tree.leaves == [Leaf(name="a")]
    assert tree.note is None
    tree.validate()  # a required nullable property that is null is there
    assert tree.to_dict() == wire
    assert Tree(note="n").to_dict() == {"note": "n"}
    assert Tree().to_dict() == {}  # unset: not sent
    with pytest.raises(persona.ApiValueError, match="Tree: required property 'note' is missing"):
        Tree.from_dict({})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"count": -1}, "Tree.count: must be at least 0, got -1"),
        ({"count": 11}, "Tree.count: must be at most 10, got 11"),
        ({"leaves": [Leaf(name="a")] * 3}, "Tree.leaves: must have at most 2 items, got 3"),
        ({"leaves": [Leaf(name="")]}, "Tree.leaves: [0]: Leaf.name: must not be empty"),
        ({"scores": {"a": -2}}, "Tree.scores: ['a']: must be at least 0, got -2"),
        ({"grid": [["x"], ["z"]]}, "Tree.grid: [1]: [0]: must be one of 'x', 'o', got 'z'"),
        ({"pin": "0000"}, "Tree.pin: must be one of the allowed values"),
        ({"code": "abc"}, "Tree.code: must match the pattern '^[A-Z]{3}$'"),
        ({}, "Tree.note: is required (JSON property 'note')"),
    ],
)
def test_validate_names_the_field_the_place_and_the_rule(values: Any, message: str) -> None:
    tree = Tree(note="n")
    for name, value in values.items():
        setattr(tree, name, value)
    if not values:
        tree = Tree()
    with pytest.raises(persona.ApiValueError) as caught:
        tree.validate()
    assert str(caught.value) == message
    assert "0000" not in str(caught.value)


def test_assigning_the_wrong_kind_names_the_place() -> None:
    with pytest.raises(
        persona.ApiTypeError, match=r"Tree\.scores\['a'\]: must be dict\[str, int\]"
    ):
        Tree(scores={"a": "1"})
    with pytest.raises(persona.ApiTypeError, match=r"Tree\.count: must be int, got bool"):
        Tree(count=True)
    with pytest.raises(persona.ApiTypeError, match=r"Tree\.leaves: must be list\[Leaf\], got dict"):
        Tree(leaves={"name": "a"})


# -- operations -------------------------------------------------------------------------------

ITEM = Parameter("item_id", "itemId", "path", int, required=True, minimum=1)
FLAGS = Parameter("flags", "flag", "query", ListOf(bool))
WHEN = Parameter("since", "since", "query", datetime)
TRACE = Parameter("trace", "X-Trace", "header", ListOf(str))
GET = Operation(
    "get_item",
    "/items/{itemId}",
    method="get",
    params=(ITEM, FLAGS, WHEN, TRACE),
    responses={200: Leaf, 201: Leaf, 204: NO_BODY},
)
PUT = Operation("put_item", "/items/{itemId}", Leaf, Leaf, method="PUT", params=(ITEM,))
BARE = Operation("ping", "/ping", method="HEAD", responses={204: NO_BODY})


def build(operation: Operation, body: Any = None, **params: Any) -> Any:
    headers = merge_headers({}, (), None, operation.method)
    return build_request(operation, body, params, host="http://h", headers=headers, validate=True)


def test_an_operation_knows_its_shape() -> None:
    assert repr(GET) == "Operation(get_item: GET /items/{itemId})"
    assert (GET.method, GET.safe, PUT.safe, BARE.safe) == ("GET", True, False, True)
    assert GET.response_type is Leaf
    assert PUT.responses == {200: Leaf}
    assert BARE.response_type is None
    assert repr(NO_BODY) == "NO_BODY"
    assert GET.success_model(202) is Leaf  # an undeclared success: the success model
    assert BARE.success_model(200) is NO_BODY
    assert GET.params[0].owner == "get_item"
    assert PUT.params[0].owner == "put_item"  # one Parameter, two operations: a copy each
    with pytest.raises(ValueError, match="location must be path, query or header"):
        Parameter("c", "c", "cookie", str)


def test_parameters_are_written_in_the_default_styles() -> None:
    when = datetime(2026, 12, 4, 10, 30, tzinfo=timezone.utc)
    request = build(GET, item_id=5, flags=[True, False], since=when, trace=["a", "b"])
    assert request.url == "http://h/items/5?flag=true&flag=false&since=2026-12-04T10%3A30%3A00Z"
    assert request.header("X-Trace") == "a,b"
    assert request.header("Idempotency-Key") is None
    assert request.body is None
    assert request.responses == {200: Leaf, 201: Leaf, 204: NO_BODY}
    put = build(PUT, Leaf(name="n"), item_id=5)
    assert (put.method, put.url, put.json()) == ("PUT", "http://h/items/5", {"name": "n"})
    assert put.header("Idempotency-Key")


@pytest.mark.parametrize(
    ("operation", "body", "params", "error", "message"),
    [
        (
            BARE,
            None,
            {"x": 1},
            persona.ApiTypeError,
            "unexpected keyword argument 'x' to method ping",
        ),
        (
            GET,
            None,
            {"item_id": 1, "y": 2},
            persona.ApiTypeError,
            "unexpected keyword argument 'y'",
        ),
        (GET, Leaf(name="a"), {"item_id": 1}, persona.ApiTypeError, "get_item: takes no body"),
        (PUT, None, {"item_id": 1}, persona.ApiValueError, "required parameter `body`"),
        (PUT, Leaf(), {}, persona.ApiValueError, "required parameter `item_id`"),
        (GET, None, {"item_id": 0}, persona.ApiValueError, "get_item.item_id: must be at least 1"),
        (GET, None, {"item_id": 1, "trace": ["a\nb"]}, persona.ApiValueError, "CR, LF"),
        (GET, None, {"item_id": 1, "flags": [1]}, persona.ApiTypeError, "get_item.flags[0]"),
    ],
)
def test_bad_parameters_are_refused_by_name(
    operation: Operation, body: Any, params: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        build(operation, body, **params)
    assert message in str(caught.value)


def test_an_object_cannot_be_a_parameter_and_a_path_segment_cannot_be_empty() -> None:
    where = Parameter("where", "where", "query", MapOf(str))
    op = Operation("find", "/find/{name}", method="GET", params=(where,))
    with pytest.raises(persona.ApiTypeError, match="an object cannot be sent in a query"):
        build(op, where={"a": "b"})
    name = Parameter("name", "name", "path", str, required=True)
    op = Operation("find", "/find/{name}", method="GET", params=(name,))
    with pytest.raises(persona.ApiValueError, match="must not be empty"):
        build(op, name="")
    assert build(op, name="a b/c").url == "http://h/find/a%20b%2Fc"


def test_a_safe_method_takes_no_idempotency_key() -> None:
    with pytest.raises(persona.ApiValueError, match="a GET request takes none"):
        merge_headers({}, (None, {"Idempotency-Key": "k"}), None, "GET")
    with pytest.raises(persona.ApiValueError, match="a HEAD request takes none"):
        merge_headers({}, (), "k", "HEAD")
    assert "Idempotency-Key" in merge_headers({}, (), None, "DELETE")


def test_a_secret_parameter_is_masked_wherever_the_request_is_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from persona.rest import RESTResponse
    from persona.testing import MockTransport

    token = Parameter("token", "token", "query", str, secret=True)
    key = Parameter("key", "X-Key", "header", str, secret=True)
    op = Operation(
        "peek", "/peek", method="GET", params=(token, key), responses={200: Leaf, 404: Leaf}
    )
    request = build(op, token="s3cr3t value/1", key="k3y-v4lue")
    assert request.url == "http://h/peek?token=s3cr3t%20value%2F1"  # sent as it is
    assert request.header("X-Key") == "k3y-v4lue"
    for shown in (repr(request), request.shown_url, str(request.shown_headers())):
        assert "s3cr3t" not in shown
        assert "k3y-v4lue" not in shown
    transport = MockTransport(lambda r: RESTResponse(404, json={"name": "s3cr3t value/1"}))
    client = persona.ApiClient(
        persona.Configuration(host="http://h", debug=True), transport=transport
    )
    with caplog.at_level("DEBUG", logger="persona"), pytest.raises(persona.NotFoundException) as e:
        client.call_operation(op, params={"token": "s3cr3t value/1", "key": "k3y-v4lue"})
    assert "request GET http://h/peek?token=*** " in caplog.text  # logged, masked
    assert "s3cr3t" not in caplog.text
    assert "s3cr3t" not in str(e.value)
    assert "k3y-v4lue" not in caplog.text
    assert transport.requests[0].header("X-Key") == "k3y-v4lue"


def test_the_answer_is_read_as_the_model_its_status_declares() -> None:
    from persona.rest import RESTResponse
    from persona.testing import MockTransport

    class Other(Model):
        size: Optional[int] = field("size", int, default=None, required=True)

    op = Operation(
        "upsert",
        "/things",
        Leaf,
        method="PUT",
        responses={200: Leaf, 201: Other, 204: NO_BODY, 404: Leaf},
    )
    answers = iter(
        [
            RESTResponse(200, json={"name": "a"}),
            RESTResponse(201, json={"size": 3}),
            RESTResponse(204),
            RESTResponse(202, json={"name": "b"}),  # undeclared success: the success model
        ]
    )
    client = persona.ApiClient(
        persona.Configuration(host="http://h"),
        transport=MockTransport(lambda r: next(answers), strict=False),
    )
    got = [client.call_operation(op, Leaf(name="x")) for _ in range(4)]
    assert got == [Leaf(name="a"), Other(size=3), None, Leaf(name="b")]


def test_numbers_that_json_cannot_carry_are_refused() -> None:
    with pytest.raises(
        persona.ApiValueError, match=r"Tree\.ratio: must be a finite number, got nan"
    ):
        Tree(note="n", ratio=float("nan")).validate()
    with pytest.raises(persona.ApiValueError, match=r"Tree\.ratio: must be a finite number"):
        Tree(note="n", ratio=float("-inf")).validate()
    from persona.core.request import encode_body

    with pytest.raises(persona.ApiValueError, match="cannot be encoded as JSON"):
        encode_body(Tree(note="n", ratio=float("inf")), validate=False)  # never "Infinity"
    with pytest.raises(persona.ApiValueError, match="Tree: 'ratio' is out of range"):
        Tree.from_json('{"note": null, "ratio": 1' + "0" * 400 + "}")


def test_a_dot_segment_cannot_be_a_path_parameter() -> None:
    name = Parameter("name", "name", "path", str, required=True)
    op = Operation("find", "/find/{name}", method="GET", params=(name,))
    for value in (".", ".."):
        with pytest.raises(persona.ApiValueError, match=r"must not be '\.' or '\.\.'"):
            build(op, name=value)
    assert build(op, name="...").url == "http://h/find/..."


class Vault(Model):
    pin: Optional[str] = field("pin", str, default=None, secret=True)
    codes: Optional[list[str]] = field("codes", ListOf(str), default=None, secret=True)


class Owner(Model):
    name: Optional[str] = field("name", str, default=None)
    vaults: Optional[list[Vault]] = field("vaults", ListOf(Vault), default=None)
    extra: Optional[dict[str, Any]] = field("extra", MapOf(object), default=None)


def test_secrets_of_nested_models_are_masked_like_top_level_ones() -> None:
    from persona.core.request import encode_body
    from persona.rest import RESTResponse
    from persona.testing import MockTransport

    owner = Owner(
        name="ann",
        vaults=[Vault(pin="pin-4321", codes=["code-1111", "code-2222"])],
        extra={"password": "pw-9999", "note": "hello"},
    )
    _payload, secrets = encode_body(owner, validate=True)
    assert sorted(secrets) == ["code-1111", "code-2222", "pin-4321"]
    assert Owner._masked_json_names == {"pin", "codes"}
    shown = repr(owner)
    for secret in ("pin-4321", "code-1111", "pw-9999"):
        assert secret not in shown
    assert "'note': 'hello'" in shown
    op = Operation("store", "/owners", Owner, Owner, responses={200: Owner, 400: Leaf})
    echo = MockTransport(lambda r: RESTResponse(400, data=r.body or b""), strict=False)
    client = persona.ApiClient(persona.Configuration(host="http://h"), transport=echo)
    with pytest.raises(persona.BadRequestException) as caught:
        client.call_operation(op, owner)
    for secret in ("pin-4321", "code-1111", "code-2222"):
        assert secret not in str(caught.value)
        assert secret not in (caught.value.body or "")
    assert b"pin-4321" in echo.requests[0].body  # sent as it is
