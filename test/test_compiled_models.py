"""The compiled decoders (persona/core/compiled.py) read, refuse and mask exactly as the
generic, field-table driven ``from_dict`` does: property-based, over persona's own models
and every model of the fixture spec (test/fixtures/shop.yaml, generated on the fly)."""

from __future__ import annotations

import inspect
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fixture_spec import shop  # noqa: F401  (the generated fixture package)

import persona
from persona.core.compiled import source_of
from persona.core.model import Model

#: Values of every JSON kind, valid or not for any field: the decoders must agree on all.
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(
        [
            "2030-01-01T12:00:00Z",
            "2030-01-01T12:00:00+01:30",
            "2030-01-01T12:00:00",
            "2030-01-01",
            "2030-13-01",
            "available",
            "sold",
            "",
            "x\ud800y",
            "caf\u00e9",
        ]
    )
    | st.text(max_size=12)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def documents(model: type[Model]) -> st.SearchStrategy[Any]:
    """Dicts shaped like ``model``'s JSON (its property names, sometimes an unknown one),
    with values of any kind; now and then not a dict at all."""
    names = [spec.json_name for spec in model._fields]
    keys = st.sampled_from([*names, "unknown", "extra_1"])
    return st.dictionaries(keys, VALUES, max_size=len(names) + 1) | VALUES


def outcome(read: Any, obj: Any) -> tuple[Any, ...]:
    """What reading ``obj`` gives: the model's values, repr and JSON, or the error."""
    try:
        model = read(obj)
    except Exception as exc:  # the decoders must fail alike, whatever the exception
        return ("refused", type(exc), str(exc))
    values = {k: (type(v), v) for k, v in model.__dict__.items() if not _is_nan(v)}
    return ("read", type(model), values, repr(model), model.to_dict().keys())


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def check(model: type[Model], obj: Any) -> None:
    assert outcome(model.from_dict, obj) == outcome(model._from_dict_generic, obj), obj


FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

PERSONA_MODELS = [
    persona.TokenResponse,
    persona.ForgotPasswordResponse,
    persona.Error,
    persona.ForgotPasswordData,
    persona.CodeForTokenData,
    persona.UpdatePasswordData,
]


@pytest.mark.parametrize("model", PERSONA_MODELS, ids=lambda m: m.__name__)
def test_persona_models_decode_alike(model: type[Model]) -> None:
    agreeing(model)()


def test_every_fixture_spec_model_decodes_alike(shop: Any) -> None:  # noqa: F811
    models = [getattr(shop.m, name) for name in shop.m.__all__ if name != "Model"]
    assert len(models) >= 6
    for model in models:
        agreeing(model)()


def agreeing(model: type[Model]) -> Any:
    """A property test: both decoders read ``model``'s documents alike."""

    @FAST
    @given(documents(model))
    def agree(obj: Any) -> None:
        check(model, obj)

    return agree


#: Values at the edges of every kind: the same property given each, the rest valid.
EDGES: list[Any] = [
    None,
    True,
    0,
    3,
    -1,
    2**70,
    1.5,
    3.0,
    float("nan"),
    float("inf"),
    "",
    "a",
    "x\ud800y",
    "caf\u00e9",
    "2030-01-01T12:00:00Z",
    "2030-01-01T12:00:00",
    "2030-01-01",
    "available",
    [],
    ["a", None],
    {},
    {"k": None},
    {"k": "v"},
]


def base_document(model: type[Model]) -> dict[str, Any]:
    """A document with a valid value for each required property of ``model``."""
    from datetime import date, datetime

    from persona.core.kinds import ListOf, MapOf

    plain = {str: "a", int: 1, float: 1.0, bool: True, datetime: "2030-01-01T00:00:00Z"}
    plain[date] = "2030-01-01"
    doc: dict[str, Any] = {}
    for spec in model._required:
        kind = spec.type
        if isinstance(kind, ListOf):
            doc[spec.json_name] = []
        elif isinstance(kind, MapOf) or kind is object:
            doc[spec.json_name] = {}
        elif isinstance(kind, type) and issubclass(kind, Model):
            doc[spec.json_name] = base_document(kind)
        else:
            doc[spec.json_name] = plain[kind] if spec.enum is None else spec.enum[0]
    return doc


def every_model(shop: Any) -> list[type[Model]]:  # noqa: F811
    return PERSONA_MODELS + [getattr(shop.m, n) for n in shop.m.__all__ if n != "Model"]


def test_each_property_at_each_edge_decodes_alike(shop: Any) -> None:  # noqa: F811
    for model in every_model(shop):
        base = base_document(model)
        assert outcome(model.from_dict, base)[0] == "read", (model, base)
        for spec in model._fields:
            for value in EDGES:
                check(model, {**base, spec.json_name: value})
                check(model, {spec.json_name: value, **base, "unknown": 1})


def test_the_common_answer_takes_the_compiled_path_and_its_source_can_be_read() -> None:
    wire = {"token": "rst_1", "expiresAt": "2030-01-01T12:00:00Z"}
    model = persona.TokenResponse.from_dict(wire)
    assert "from_dict" in persona.TokenResponse.__dict__  # installed on first use
    source = source_of(persona.TokenResponse)
    assert source.startswith("def from_dict(cls, obj):")
    assert "if key == 'token':" in source
    assert inspect.getsource(persona.TokenResponse.from_dict) == source
    assert model == persona.TokenResponse._from_dict_generic(wire)
    assert "rst_1" not in repr(model)  # masked, as ever
