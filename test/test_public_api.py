"""The public surface of ``persona``, pinned: adding or removing a name is a decision,
not an accident. ``import persona`` is lazy on purpose (cheap import; the reference
server and CLI are not loaded by SDK users).

What the spec decides is derived from ``persona/openapi.yaml`` here, not written by hand:
a model per schema, an API class (and its async twin) per tag, a method and its
``_with_http_info`` twin per operation. The rest of the surface is hand-written runtime,
pinned in ``RUNTIME``."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import persona

SPEC = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "persona" / "openapi.yaml").read_text(encoding="utf-8")
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: operationId -> (HTTP method, path, tags), for every operation of the spec.
OPERATIONS = {
    operation["operationId"]: (method.upper(), path, tuple(operation.get("tags", ())))
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in HTTP_METHODS
}


def snake_case(name: str) -> str:
    """``ForgotPasswordData`` -> ``forgot_password_data``: a generated module's name."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def api_class(tag: str) -> str:
    """The API class of a tag: ``Account`` -> ``AccountApi``."""
    return re.sub(r"\W", "", tag.title()) + "Api"


MODELS = set(SPEC["components"]["schemas"])
TAGS = {tag for _, _, tags in OPERATIONS.values() for tag in tags}
API_CLASSES = {api_class(tag) for tag in TAGS} | {"Async" + api_class(tag) for tag in TAGS}

#: The hand-written public names: the runtime, whatever the spec holds.
RUNTIME = {
    "__version__",
    "ApiClient",
    "ApiClosedError",
    "ApiConnectionError",
    "ApiEventLoopError",
    "ApiException",
    "ApiResponse",
    "ApiResponseError",
    "ApiTLSError",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "AsyncApiClient",
    "BadRequestException",
    "Configuration",
    "ConflictException",
    "RetryPolicy",
    "Timeout",
    "ForbiddenException",
    "NotFoundException",
    "OpenApiException",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
}

PUBLIC = RUNTIME | MODELS | API_CLASSES

HOME = {
    "ApiClient": "persona.api_client",
    "AsyncApiClient": "persona.async_api_client",
    "ApiResponse": "persona.core.response",
    "RetryPolicy": "persona.core.policy",
    "Timeout": "persona.core.policy",
    "Configuration": "persona.configuration",
    **{model: f"persona.models.{snake_case(model)}" for model in MODELS},
    **{
        name: f"persona.api.{snake_case(api_class(tag))}"
        for tag in TAGS
        for name in (api_class(tag), "Async" + api_class(tag))
    },
}


def test_the_spec_is_read() -> None:
    assert OPERATIONS, "no operation found in persona/openapi.yaml"
    assert MODELS
    assert TAGS
    assert not (RUNTIME & (MODELS | API_CLASSES)), "a generated name is pinned by hand"


@pytest.mark.parametrize("tag", sorted(TAGS))
def test_each_api_class_has_a_method_and_its_twin_per_operation_of_its_tag(tag: str) -> None:
    expected = {
        name
        for operation_id, (_, _, tags) in OPERATIONS.items()
        if tag in tags
        for name in (operation_id, f"{operation_id}_with_http_info")
    }
    sync = getattr(persona, api_class(tag))
    assert {n for n in vars(sync) if not n.startswith("_")} == expected
    if importlib.util.find_spec("aiohttp") is not None:
        asynchronous = getattr(persona, "Async" + api_class(tag))
        assert {n for n in vars(asynchronous) if not n.startswith("_")} == expected


def test_all_is_exactly_the_public_names() -> None:
    assert set(persona.__all__) == PUBLIC
    assert len(persona.__all__) == len(PUBLIC)


@pytest.mark.parametrize("name", sorted(PUBLIC - {"__version__"}))
def test_each_public_name_is_importable_from_persona_and_from_its_module(name: str) -> None:
    value = getattr(persona, name)
    module = HOME.get(name, "persona.exceptions")
    assert getattr(importlib.import_module(module), name) is value
    assert value.__module__ == module
    assert value.__doc__


def test_models_and_api_packages_re_export_their_classes() -> None:
    from persona.api import AccountApi
    from persona.models import CodeForTokenData

    assert AccountApi is persona.AccountApi
    from persona.api import AsyncAccountApi

    assert AsyncAccountApi is persona.AsyncAccountApi
    assert CodeForTokenData is persona.CodeForTokenData


def test_version_is_a_release_string() -> None:
    from persona._version import __version__

    assert persona.__version__ == __version__
    assert all(part.isdigit() for part in __version__.split("."))


def test_api_exception_from_persona_rest_is_the_same_class() -> None:
    from persona.rest import ApiException

    assert ApiException is persona.ApiException
    assert ApiException is importlib.import_module("persona.exceptions").ApiException


def test_star_import_gives_the_public_names() -> None:
    namespace: dict[str, object] = {}
    exec("from persona import *", namespace)
    assert set(namespace) - {"__builtins__"} == PUBLIC


def test_dir_lists_the_public_names() -> None:
    assert set(dir(persona)) >= PUBLIC
    shown = {name for name in dir(persona) if not name.startswith("__")}
    assert shown == set(persona.__all__) - {"__version__"}
    for helper in ("Any", "TYPE_CHECKING", "annotations", "importlib", "core", "api", "models"):
        assert helper not in dir(persona)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'AcountApi'"):
        _ = persona.AcountApi  # type: ignore[attr-defined]
    assert not hasattr(persona, "_definitely_not_here")


def test_import_persona_is_lazy() -> None:
    code = (
        "import sys, json, persona; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('persona', 'urllib3', 'certifi', 'dateutil'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert loaded == {"persona", "persona._version"}


def test_using_the_sdk_does_not_load_the_reference_server_or_cli() -> None:
    code = (
        "import sys, json, persona; persona.AccountApi; persona.Configuration; "
        "persona.TokenResponse.from_dict({'token': 't'}); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('persona'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert "persona.api.account_api" in loaded
    assert not {m for m in loaded if m.startswith(("persona.testing", "persona.cli"))}
    assert "dateutil" not in loaded


def test_reloading_persona_gives_the_same_public_objects() -> None:
    # Also runs the module body under coverage: the pytest plugin imports the package
    # before coverage starts.
    before = {name: getattr(persona, name) for name in PUBLIC - {"__version__"}}
    importlib.reload(importlib.import_module("persona._version"))
    reloaded = importlib.reload(persona)
    assert {name: getattr(reloaded, name) for name in before} == before
    assert reloaded.__version__ == importlib.import_module("persona._version").__version__


def test_typing_protocols_of_the_api_methods_import_at_run_time() -> None:
    options = importlib.import_module("persona.core.call_options")
    assert {"AsyncOperationMethod", "CallOptions", "OperationMethod"} <= set(options.__all__)
    assert options.CallOptions.__optional_keys__ >= {"_request_timeout", "_idempotency_key"}
