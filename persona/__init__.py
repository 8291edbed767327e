"""persona: the Python SDK of the Persona Account API (password reset).

    import persona
    api = persona.AccountApi()
    api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))

Names are loaded on first use, so that ``import persona`` stays cheap and tools that
only need a corner of the package (the reference server, the pytest plugin, the
command line) do not pay for the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .api.account_api import AccountApi
    from .api_client import ApiClient, ApiResponse
    from .configuration import Configuration
    from .exceptions import (
        ApiClosedError,
        ApiConnectionError,
        ApiException,
        ApiResponseError,
        ApiTimeoutError,
        ApiTLSError,
        ApiTypeError,
        ApiValueError,
        BadRequestException,
        ConflictException,
        ForbiddenException,
        NotFoundException,
        OpenApiException,
        ServiceException,
        TooManyRequestsException,
        UnauthorizedException,
    )
    from .models import (
        CodeForTokenData,
        ForgotPasswordData,
        ForgotPasswordResponse,
        TokenResponse,
        UpdatePasswordData,
    )

#: Where each public name lives.
_LOCATIONS = {
    "AccountApi": ".api.account_api",
    "ApiClient": ".api_client",
    "ApiResponse": ".api_client",
    "Configuration": ".configuration",
    "ApiClosedError": ".exceptions",
    "ApiConnectionError": ".exceptions",
    "ApiException": ".exceptions",
    "ApiResponseError": ".exceptions",
    "ApiTimeoutError": ".exceptions",
    "ApiTLSError": ".exceptions",
    "ApiTypeError": ".exceptions",
    "ApiValueError": ".exceptions",
    "BadRequestException": ".exceptions",
    "ConflictException": ".exceptions",
    "ForbiddenException": ".exceptions",
    "NotFoundException": ".exceptions",
    "OpenApiException": ".exceptions",
    "ServiceException": ".exceptions",
    "TooManyRequestsException": ".exceptions",
    "UnauthorizedException": ".exceptions",
    "CodeForTokenData": ".models",
    "ForgotPasswordData": ".models",
    "ForgotPasswordResponse": ".models",
    "TokenResponse": ".models",
    "UpdatePasswordData": ".models",
}

__all__ = [
    "__version__",
    "AccountApi",
    "ApiClient",
    "ApiClosedError",
    "ApiConnectionError",
    "ApiException",
    "ApiResponse",
    "ApiResponseError",
    "ApiTLSError",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "BadRequestException",
    "CodeForTokenData",
    "Configuration",
    "ConflictException",
    "ForbiddenException",
    "ForgotPasswordData",
    "ForgotPasswordResponse",
    "NotFoundException",
    "OpenApiException",
    "ServiceException",
    "TokenResponse",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UpdatePasswordData",
]


def __getattr__(name: str) -> Any:
    location = _LOCATIONS.get(name)
    if location is None:
        raise AttributeError(f"module 'persona' has no attribute {name!r}")
    value = getattr(importlib.import_module(location, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
