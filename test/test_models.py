"""The five models on their shared base: construction, type checks, contract rules,
JSON round-trips (example-based and property-based), equality and secret-safe repr."""

from __future__ import annotations

import json
import re
import string
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import persona
from persona import (
    ApiException,
    ApiTypeError,
    ApiValueError,
    CodeForTokenData,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
    UpdatePasswordData,
)
from persona.core.model import Model, format_datetime, parse_datetime

ALL_MODELS = [
    CodeForTokenData,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
    UpdatePasswordData,
]
SECRET = "s3cr3t-VALUE-xyz"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def valid_instances() -> list[Model]:
    return [
        ForgotPasswordData(email="ann@example.com"),
        CodeForTokenData(email="ann@example.com", code="123456"),
        UpdatePasswordData(token="tok-1", new_password="new-pass-1"),
        TokenResponse(token="tok-1", expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ForgotPasswordResponse(success=True, message="sent"),
    ]


# -- construction and assignment ------------------------------------------------------
@pytest.mark.parametrize("model", ALL_MODELS)
def test_every_model_can_be_built_with_no_arguments(model: type[Model]) -> None:
    instance = model()
    assert all(getattr(instance, f.name) is None for f in model._fields)
    assert instance.to_dict() == {}
    assert instance.additional_properties == {}


def test_models_are_reachable_from_persona_and_persona_models() -> None:
    from persona import models

    for model in ALL_MODELS:
        assert getattr(persona, model.__name__) is model
        assert getattr(models, model.__name__) is model


def test_unknown_keyword_at_construction_is_an_api_type_error_listing_fields() -> None:
    with pytest.raises(ApiTypeError, match=r"unexpected keyword argument 'mail'.*email"):
        ForgotPasswordData(mail="a@b.c")


def test_wrong_type_on_assignment_names_model_and_field() -> None:
    data = UpdatePasswordData()
    with pytest.raises(
        ApiTypeError, match=r"UpdatePasswordData\.new_password: must be str, got int"
    ):
        data.new_password = 12345678
    with pytest.raises(ApiTypeError, match=r"ForgotPasswordResponse\.success: must be bool"):
        ForgotPasswordResponse(success="yes")
    with pytest.raises(ApiTypeError, match=r"TokenResponse\.expires_at: must be datetime"):
        TokenResponse(expires_at="2030-01-01T00:00:00Z")
    assert data.new_password is None


def test_bool_is_not_accepted_for_a_string_field() -> None:
    with pytest.raises(ApiTypeError):
        ForgotPasswordData(email=True)


def test_type_error_is_also_a_python_type_error_and_an_api_exception() -> None:
    with pytest.raises(TypeError) as info:
        CodeForTokenData(code=5)
    assert isinstance(info.value, ApiException)
    assert info.value.status == 0
    assert info.value.path_to_item == ["code"]


def test_assigning_none_clears_a_field() -> None:
    data = ForgotPasswordData(email="ann@example.com")
    data.email = None
    assert data.email is None
    assert data.to_dict() == {}


def test_assigning_an_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no field 'emali'"):
        ForgotPasswordData().emali = "x"  # type: ignore[attr-defined]


def test_naive_datetime_is_refused_on_assignment() -> None:
    with pytest.raises(ApiValueError, match=r"TokenResponse\.expires_at: must be a timezone-aware"):
        TokenResponse(expires_at=datetime(2030, 1, 1))


def test_models_are_not_hashable() -> None:
    with pytest.raises(TypeError):
        hash(ForgotPasswordData())


# -- validate(): the contract's rules -------------------------------------------------
@pytest.mark.parametrize(
    ("model", "field", "json_name"),
    [
        (ForgotPasswordData(), "email", "email"),
        (CodeForTokenData(email="a@b.c"), "code", "code"),
        (CodeForTokenData(code="1"), "email", "email"),
        (UpdatePasswordData(token="t"), "new_password", "newPassword"),
        (UpdatePasswordData(new_password="12345678"), "token", "token"),
    ],
)
def test_validate_names_model_and_missing_required_field(
    model: Model, field: str, json_name: str
) -> None:
    with pytest.raises(ApiValueError) as info:
        model.validate()
    message = str(info.value)
    assert f"{type(model).__name__}.{field}: is required" in message
    assert json_name in message
    assert info.value.path_to_item == [field]


@pytest.mark.parametrize("model", valid_instances(), ids=lambda m: type(m).__name__)
def test_valid_models_pass_validation(model: Model) -> None:
    model.validate()


@pytest.mark.parametrize(("length", "ok"), [(0, False), (1, True), (64, True), (65, False)])
def test_code_length_boundaries_are_1_to_64(length: int, ok: bool) -> None:
    data = CodeForTokenData(email="a@b.c", code="7" * length)
    if ok:
        data.validate()
    else:
        with pytest.raises(ApiValueError, match=r"CodeForTokenData\.code: must (be|not)"):
            data.validate()


def test_length_messages_are_grammatical() -> None:
    with pytest.raises(ApiValueError) as empty:
        CodeForTokenData(email="a@b.c", code="").validate()
    assert str(empty.value) == "CodeForTokenData.code: must not be empty"
    with pytest.raises(ApiValueError) as short:
        ForgotPasswordData(email="@b").validate()
    assert str(short.value) == "ForgotPasswordData.email: must be at least 3 characters long, got 2"


@pytest.mark.parametrize(("length", "ok"), [(0, False), (1, True), (512, True), (513, False)])
def test_token_length_boundaries_are_1_to_512(length: int, ok: bool) -> None:
    data = UpdatePasswordData(token="t" * length, new_password="password")
    if ok:
        data.validate()
    else:
        with pytest.raises(ApiValueError, match=r"UpdatePasswordData\.token"):
            data.validate()


@pytest.mark.parametrize(("length", "ok"), [(7, False), (8, True), (128, True), (129, False)])
def test_new_password_length_boundaries_are_8_to_128(length: int, ok: bool) -> None:
    data = UpdatePasswordData(token="t", new_password="p" * length)
    if ok:
        data.validate()
    else:
        with pytest.raises(ApiValueError, match=r"UpdatePasswordData\.new_password"):
            data.validate()


def test_secret_length_is_not_told_in_the_error() -> None:
    with pytest.raises(ApiValueError) as info:
        UpdatePasswordData(token="t", new_password="short").validate()
    assert "got 5" not in str(info.value)
    assert "short" not in str(info.value)


def test_email_length_error_tells_the_length() -> None:
    with pytest.raises(ApiValueError, match="at most 254 characters long, got 255"):
        ForgotPasswordData(email="a@" + "b" * 253).validate()


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("a@b", True),
        ("ab", False),  # too short and no @
        ("a" * 64 + "@example.com", True),
        ("a" * 65 + "@example.com", False),
        ("a@" + "b" * 252, True),  # 254 characters
        ("a@" + "b" * 253, False),  # 255 characters
        ("ann.example.com", False),
        ("ann@@example.com", False),
        ("ann@ex@ample.com", False),
        ("@example.com", False),
        ("ann@", False),
        ("ann @example.com", False),
        ("ann@example.com\n", False),
        ("ann\t@example.com", False),
        ("ann\x00@example.com", False),
        ("ann\x7f@example.com", False),
        ("ann\x9b@example.com", False),  # a C1 control character
        ("ann\u2028@example.com", False),  # a Unicode line separator
        ("ann\ud800@example.com", False),  # a lone surrogate
        ("jos\u00e9@exampl\u00e9.com", True),  # internationalized
    ],
)
def test_email_rule(email: str, ok: bool) -> None:
    data = ForgotPasswordData(email=email)
    if ok:
        data.validate()
    else:
        with pytest.raises(ApiValueError, match=r"ForgotPasswordData\.email"):
            data.validate()


def test_lone_surrogate_in_a_secret_is_rejected_without_echoing_it() -> None:
    with pytest.raises(ApiValueError, match="lone surrogate") as info:
        CodeForTokenData(email="a@b.c", code="12\udc8034").validate()
    assert "12" not in str(info.value)


def test_validate_message_never_contains_a_field_value() -> None:
    with pytest.raises(ApiValueError) as info:
        CodeForTokenData(email="ann@example.com", code=SECRET * 10).validate()
    assert SECRET not in str(info.value)


# -- repr / str --------------------------------------------------------------------
def test_repr_masks_every_secret_field() -> None:
    models = [
        CodeForTokenData(email="ann@example.com", code=SECRET),
        UpdatePasswordData(token=SECRET, new_password=SECRET + "!"),
        TokenResponse(token=SECRET),
    ]
    for model in models:
        for text in (repr(model), str(model), model.to_str()):
            assert SECRET not in text
            assert "'***'" in text
    assert "ann@example.com" in repr(models[0])


def test_repr_shows_unset_secret_as_none_and_names_every_field() -> None:
    assert repr(UpdatePasswordData()) == "UpdatePasswordData(token=None, new_password=None)"
    assert repr(ForgotPasswordResponse(success=True, message="ok")) == (
        "ForgotPasswordResponse(success=True, message='ok')"
    )


def test_repr_masks_secret_named_additional_properties() -> None:
    model = ForgotPasswordResponse.from_dict(
        {"success": True, "resetToken": SECRET, "nested": {"password": SECRET}, "hint": "x"}
    )
    text = repr(model)
    assert SECRET not in text
    assert "'hint': 'x'" in text


# -- equality ----------------------------------------------------------------------
def test_equal_when_fields_and_additional_properties_are_equal() -> None:
    assert ForgotPasswordData(email="a@b.c") == ForgotPasswordData(email="a@b.c")
    assert ForgotPasswordData(email="a@b.c") != ForgotPasswordData(email="x@b.c")
    assert ForgotPasswordData() == ForgotPasswordData(additional_properties={})
    assert ForgotPasswordData(additional_properties={"x": 1}) != ForgotPasswordData()


def test_models_of_different_types_are_never_equal() -> None:
    assert TokenResponse(token="t") != UpdatePasswordData(token="t")
    assert ForgotPasswordData(email="a@b.c") != {"email": "a@b.c"}


def test_equal_datetimes_at_different_offsets_are_the_same_instant() -> None:
    utc = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
    paris = utc.astimezone(timezone(timedelta(hours=1)))
    assert TokenResponse(token="t", expires_at=utc) == TokenResponse(token="t", expires_at=paris)


# -- JSON -------------------------------------------------------------------------
def test_to_dict_uses_the_api_json_names() -> None:
    data = UpdatePasswordData(token="t", new_password="new-pass-1")
    assert data.to_dict() == {"token": "t", "newPassword": "new-pass-1"}
    assert json.loads(data.to_json()) == {"token": "t", "newPassword": "new-pass-1"}


def test_to_json_keeps_non_ascii_text_as_is() -> None:
    assert ForgotPasswordData(email="jos\u00e9@b.c").to_json() == '{"email": "jos\u00e9@b.c"}'


def test_from_dict_reads_json_names_and_datetime() -> None:
    token = TokenResponse.from_dict({"token": "t", "expiresAt": "2030-01-02T03:04:05Z"})
    assert token.expires_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert token.expires_at.utcoffset() == timedelta(0)
    data = UpdatePasswordData.from_dict({"token": "t", "newPassword": "p" * 8})
    assert data.new_password == "p" * 8


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2030-01-02T03:04:05Z", timedelta(0)),
        ("2030-01-02T03:04:05z", timedelta(0)),
        ("2030-01-02T03:04:05+00:00", timedelta(0)),
        ("2030-01-02T03:04:05.123456+02:00", timedelta(hours=2)),
        ("2030-01-02T03:04:05.1-05:30", timedelta(hours=-5, minutes=-30)),
        ("2030-01-02t03:04:05Z", timedelta(0)),
        ("20300102T030405Z", timedelta(0)),  # basic format: via dateutil
    ],
)
def test_datetime_with_offset_parses_aware(text: str, offset: timedelta) -> None:
    parsed = parse_datetime(text)
    assert parsed.utcoffset() == offset
    token = TokenResponse.from_dict({"token": "t", "expiresAt": text})
    assert token.expires_at == parsed


@pytest.mark.parametrize(
    "text",
    ["2030-01-02T03:04:05", "2030-01-02", "garbage", "", "2030-13-01T00:00:00Z", "9" * 40],
)
def test_datetime_without_offset_or_malformed_is_an_api_value_error(text: str) -> None:
    with pytest.raises(ApiValueError, match=r"TokenResponse: 'expiresAt'"):
        TokenResponse.from_dict({"token": "t", "expiresAt": text})


def test_format_datetime_writes_z_for_utc_and_keeps_offsets() -> None:
    assert format_datetime(datetime(2030, 1, 1, tzinfo=timezone.utc)) == "2030-01-01T00:00:00Z"
    plus2 = datetime(2030, 1, 1, 5, tzinfo=timezone(timedelta(hours=2)))
    assert format_datetime(plus2) == "2030-01-01T05:00:00+02:00"


def test_format_datetime_with_a_sub_minute_offset_is_still_rfc3339() -> None:
    odd = datetime(2030, 1, 1, 5, tzinfo=timezone(timedelta(hours=1, seconds=7)))
    text = format_datetime(odd)
    assert RFC3339.match(text), text
    assert parse_datetime(text) == odd


def test_datetime_round_trips_through_json() -> None:
    when = datetime(2030, 6, 1, 8, 30, 0, 250000, tzinfo=timezone(timedelta(hours=-7)))
    token = TokenResponse(token="t", expires_at=when)
    assert token.to_dict()["expiresAt"] == "2030-06-01T08:30:00.250000-07:00"
    again = TokenResponse.from_json(token.to_json())
    assert again == token
    assert again.expires_at.utcoffset() == timedelta(hours=-7)


def test_from_dict_accepts_null_for_optional_and_ignores_it() -> None:
    token = TokenResponse.from_dict({"token": "t", "expiresAt": None})
    assert token.expires_at is None


def test_from_dict_reports_missing_required_property() -> None:
    with pytest.raises(ApiValueError, match="TokenResponse: required property 'token' is missing"):
        TokenResponse.from_dict({"expiresAt": "2030-01-01T00:00:00Z"})
    with pytest.raises(ApiValueError, match="'success' is missing"):
        ForgotPasswordResponse.from_dict({"success": None})


@pytest.mark.parametrize(
    ("value", "json_type"),
    [(1, "number"), (0.5, "number"), ("true", "string"), ([], "array"), ({}, "object")],
)
def test_from_dict_reports_wrong_json_type(value: Any, json_type: str) -> None:
    with pytest.raises(ApiTypeError, match=f"'success' must be a JSON boolean, got {json_type}"):
        ForgotPasswordResponse.from_dict({"success": value})


def test_from_dict_refuses_a_bool_for_a_string_and_a_number_for_a_datetime() -> None:
    with pytest.raises(ApiTypeError, match="'token' must be a JSON string, got boolean"):
        TokenResponse.from_dict({"token": True})
    with pytest.raises(ApiTypeError, match=r"'expiresAt' must be a JSON string .*got number"):
        TokenResponse.from_dict({"token": "t", "expiresAt": 1700000000})


@pytest.mark.parametrize("obj", [None, [], "text", 3, True])
def test_from_dict_of_a_non_object_is_an_api_type_error(obj: Any) -> None:
    with pytest.raises(ApiTypeError, match="expected a JSON object"):
        ForgotPasswordResponse.from_dict(obj)


@pytest.mark.parametrize("text", ["", "{", "nope", b"\xff\xfe", "[1,"])
def test_from_json_of_invalid_json_is_an_api_value_error(text: Any) -> None:
    with pytest.raises(ApiValueError, match="not valid JSON"):
        ForgotPasswordResponse.from_json(text)


def test_from_json_accepts_bytes() -> None:
    assert ForgotPasswordResponse.from_json(b'{"success": false}').success is False


# -- additional_properties ----------------------------------------------------------
def test_unknown_properties_are_kept_and_re_emitted() -> None:
    wire = {"success": True, "message": "ok", "traceId": "abc", "extra": {"n": [1, 2]}}
    model = ForgotPasswordResponse.from_dict(wire)
    assert model.additional_properties == {"traceId": "abc", "extra": {"n": [1, 2]}}
    assert model.to_dict() == wire
    assert ForgotPasswordResponse.from_json(model.to_json()) == model


def test_additional_properties_can_be_set_and_are_copied() -> None:
    extra = {"locale": "fr"}
    data = ForgotPasswordData(email="a@b.c", additional_properties=extra)
    extra["locale"] = "de"
    assert data.additional_properties == {"locale": "fr"}
    assert data.to_dict() == {"email": "a@b.c", "locale": "fr"}
    data.additional_properties["tz"] = "UTC"
    assert data.to_dict()["tz"] == "UTC"


def test_additional_property_clashing_with_a_field_is_refused() -> None:
    with pytest.raises(ApiValueError, match="'newPassword' is a field of the model"):
        UpdatePasswordData(additional_properties={"newPassword": "x"})


@pytest.mark.parametrize(
    "add",
    [
        lambda extra: extra.__setitem__("newPassword", "x"),
        lambda extra: extra.update({"newPassword": "x"}),
        lambda extra: extra.update(newPassword="x"),
        lambda extra: extra.setdefault("newPassword", "x"),
        lambda extra: extra.__ior__({"token": "x"}),
        lambda extra: extra.__setitem__("new_password", "x"),  # the attribute name too
    ],
    ids=["item", "update", "update-kwargs", "setdefault", "|=", "attribute name"],
)
def test_additional_properties_refuse_a_field_however_it_is_added(add: Any) -> None:
    data = UpdatePasswordData(token="tok-1234", new_password="good-password")
    with pytest.raises(ApiValueError, match="is a field of the model"):
        add(data.additional_properties)
    assert data.additional_properties == {}
    assert data.to_dict() == {"token": "tok-1234", "newPassword": "good-password"}


def test_an_unknown_property_never_shadows_a_field_on_the_wire() -> None:
    from persona.core.response import RESTResponse
    from persona.testing import MockTransport

    sent: list[Any] = []

    def handler(request: Any) -> RESTResponse:
        sent.append(request.json())
        return RESTResponse(200, json={"success": True}, headers={"X-Request-Id": "req_1"})

    # Past every check (dict's own method on the live dict): still never sent.
    data = UpdatePasswordData(token="tok-1234", new_password="good-password")
    dict.__setitem__(data.additional_properties, "newPassword", "x")
    unset = UpdatePasswordData(token="tok-1234")
    dict.__setitem__(unset.additional_properties, "newPassword", "x")
    with persona.ApiClient(persona.Configuration(), transport=MockTransport(handler)) as client:
        api = persona.AccountApi(client)
        api.account_reset_forgotten_password_post(data)
        with pytest.raises(ApiValueError, match="new_password: is required"):
            api.account_reset_forgotten_password_post(unset)  # the field's checks still rule
    assert sent == [{"token": "tok-1234", "newPassword": "good-password"}]


def test_additional_properties_survive_copy_and_pickle() -> None:
    import copy
    import pickle

    data = ForgotPasswordData(email="a@b.c", additional_properties={"locale": "fr"})
    for again in (copy.deepcopy(data), pickle.loads(pickle.dumps(data)), copy.copy(data)):
        assert again == data
        with pytest.raises(ApiValueError):
            again.additional_properties["email"] = "b@c.d"
    copied = data.additional_properties.copy()
    with pytest.raises(ApiValueError):
        copied["email"] = "x"


def test_additional_properties_must_be_a_dict() -> None:
    with pytest.raises(ApiTypeError, match=r"additional_properties: must be dict, got list"):
        ForgotPasswordData(additional_properties=[("a", 1)])


# -- property-based ------------------------------------------------------------------
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_plain = st.characters(
    blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="@"
)
_emails = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.text(_plain, min_size=1, max_size=64),
    st.text(_plain, min_size=1, max_size=60),
)
_offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_aware = st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(9998, 12, 30), timezones=_offsets
)
# Infinity and NaN are not JSON numbers: to_json refuses them.
_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_json = st.recursive(
    _json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=12,
)
_extras = st.dictionaries(
    st.text(string.ascii_letters, min_size=1, max_size=8).filter(
        lambda k: (
            k not in {"email", "code", "token", "newPassword", "expiresAt", "success", "message"}
        )
    ),
    _json,
    max_size=3,
)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


_model_strategies = {
    ForgotPasswordData: st.builds(ForgotPasswordData, email=_emails),
    CodeForTokenData: st.builds(
        CodeForTokenData, email=_emails, code=st.text(_plain, min_size=1, max_size=64)
    ),
    UpdatePasswordData: st.builds(
        UpdatePasswordData,
        token=st.text(_plain, min_size=1, max_size=512),
        new_password=_text.filter(lambda s: len(s) >= 8),
    ),
    TokenResponse: st.builds(
        TokenResponse, token=_text, expires_at=_opt(_aware), additional_properties=_extras
    ),
    ForgotPasswordResponse: st.builds(
        ForgotPasswordResponse,
        success=st.booleans(),
        message=_opt(_text),
        additional_properties=_extras,
    ),
}
_any_model = st.one_of(*_model_strategies.values())
_fast = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_fast
@given(_any_model)
def test_property_from_dict_of_to_dict_is_identity(model: Model) -> None:
    again = type(model).from_dict(model.to_dict())
    assert again == model
    assert again.to_dict() == model.to_dict()


@_fast
@given(_any_model)
def test_property_from_json_of_to_json_is_identity(model: Model) -> None:
    assert type(model).from_json(model.to_json()) == model


@_fast
@given(_aware)
def test_property_datetimes_are_written_as_rfc3339(when: datetime) -> None:
    text = TokenResponse(token="t", expires_at=when).to_dict()["expiresAt"]
    assert RFC3339.match(text), text
    assert parse_datetime(text) == when


@settings(max_examples=50, deadline=None)
@given(
    st.one_of(
        _model_strategies[ForgotPasswordData],
        _model_strategies[CodeForTokenData],
        _model_strategies[UpdatePasswordData],
    )
)
def test_property_contract_conforming_requests_pass_validation(model: Model) -> None:
    model.validate()


_field_values = st.fixed_dictionaries(
    {},
    optional={
        name: _json | _text.map(lambda s: "2030-01-01T00:00:00" + s)
        for name in ("email", "code", "token", "newPassword", "expiresAt", "success", "message")
    },
)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ALL_MODELS), _json | _field_values)
def test_property_from_dict_of_any_json_is_a_model_or_an_api_exception(
    model: type[Model], obj: Any
) -> None:
    try:
        result = model.from_dict(obj)
    except ApiException:
        return
    assert isinstance(result, model)
    assert isinstance(repr(result), str)


def test_repr_of_extras_nested_too_deep_to_walk_names_the_keys() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    model = ForgotPasswordResponse.from_dict({"success": True, "x": deep, "token": "s3cret"})
    shown = repr(model)
    assert "additional_properties={'x': ..., 'token': ...}" in shown
    assert "s3cret" not in shown
