"""The public surface of ``persona``, pinned: adding or removing a name is a decision,
not an accident. ``import persona`` is lazy on purpose (cheap import; the reference
server and CLI are not loaded by SDK users)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import persona

PUBLIC = {
    "__version__",
    "AccountApi",
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
    "AsyncAccountApi",
    "AsyncApiClient",
    "BadRequestException",
    "CodeForTokenData",
    "Configuration",
    "ConflictException",
    "RetryPolicy",
    "Timeout",
    "ForbiddenException",
    "ForgotPasswordData",
    "Error",
    "ForgotPasswordResponse",
    "NotFoundException",
    "OpenApiException",
    "ServiceException",
    "TokenResponse",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UpdatePasswordData",
}

HOME = {
    "AccountApi": "persona.api.account_api",
    "AsyncAccountApi": "persona.api.account_api",
    "ApiClient": "persona.api_client",
    "AsyncApiClient": "persona.async_api_client",
    "ApiResponse": "persona.core.response",
    "RetryPolicy": "persona.core.policy",
    "Timeout": "persona.core.policy",
    "Configuration": "persona.configuration",
    "CodeForTokenData": "persona.models.code_for_token_data",
    "ForgotPasswordData": "persona.models.forgot_password_data",
    "Error": "persona.models.error",
    "ForgotPasswordResponse": "persona.models.forgot_password_response",
    "TokenResponse": "persona.models.token_response",
    "UpdatePasswordData": "persona.models.update_password_data",
}


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
