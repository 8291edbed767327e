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

if TYPE_CHECKING:  # what type checkers and IDEs see; kept equal to _LOCATIONS by a test
    from .api_client import ApiClient as ApiClient
    from .async_api_client import AsyncApiClient as AsyncApiClient
    from .configuration import Configuration as Configuration
    from .core.policy import RetryPolicy as RetryPolicy
    from .core.policy import Timeout as Timeout
    from .core.response import ApiResponse as ApiResponse
    from .exceptions import ApiClosedError as ApiClosedError
    from .exceptions import ApiConnectionError as ApiConnectionError
    from .exceptions import ApiEventLoopError as ApiEventLoopError
    from .exceptions import ApiException as ApiException
    from .exceptions import ApiResponseError as ApiResponseError
    from .exceptions import ApiTimeoutError as ApiTimeoutError
    from .exceptions import ApiTLSError as ApiTLSError
    from .exceptions import ApiTypeError as ApiTypeError
    from .exceptions import ApiValueError as ApiValueError
    from .exceptions import BadRequestException as BadRequestException
    from .exceptions import ConflictException as ConflictException
    from .exceptions import ForbiddenException as ForbiddenException
    from .exceptions import NotFoundException as NotFoundException
    from .exceptions import OpenApiException as OpenApiException
    from .exceptions import ServiceException as ServiceException
    from .exceptions import TooManyRequestsException as TooManyRequestsException
    from .exceptions import UnauthorizedException as UnauthorizedException

# The names of the spec's API classes and models are generated (`python -m codegen`).
# codegen:begin public-names
if TYPE_CHECKING:  # what type checkers and IDEs see of the names below
    from .api.account_api import AccountApi as AccountApi
    from .api.account_api import AsyncAccountApi as AsyncAccountApi
    from .models import CodeForTokenData as CodeForTokenData
    from .models import Error as Error
    from .models import ForgotPasswordData as ForgotPasswordData
    from .models import ForgotPasswordResponse as ForgotPasswordResponse
    from .models import TokenResponse as TokenResponse
    from .models import UpdatePasswordData as UpdatePasswordData

#: The public names the spec makes (its API classes and models) and where each lives.
_SPEC_LOCATIONS = {
    "AccountApi": ".api.account_api",
    "AsyncAccountApi": ".api.account_api",
    "CodeForTokenData": ".models",
    "Error": ".models",
    "ForgotPasswordData": ".models",
    "ForgotPasswordResponse": ".models",
    "TokenResponse": ".models",
    "UpdatePasswordData": ".models",
}
#: The async API classes: they need the ``async`` extra.
_SPEC_ASYNC_NAMES = frozenset(
    {
        "AsyncAccountApi",
    }
)
# codegen:end public-names

#: The public names and where each lives: the one list (``__all__`` is made from it).
_LOCATIONS = {
    "ApiClient": ".api_client",
    "ApiResponse": ".core.response",
    "AsyncApiClient": ".async_api_client",
    "Configuration": ".configuration",
    "RetryPolicy": ".core.policy",
    "Timeout": ".core.policy",
    "ApiClosedError": ".exceptions",
    "ApiConnectionError": ".exceptions",
    "ApiEventLoopError": ".exceptions",
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
    **_SPEC_LOCATIONS,
}

__all__ = ["__version__", *sorted(_LOCATIONS)]  # noqa: PLE0604

#: Names that need the ``async`` extra (aiohttp): touching one without it raises an
#: ImportError that names the extra. The sync client never imports aiohttp.
_NEEDS_ASYNC_EXTRA = frozenset({"AsyncApiClient"}) | _SPEC_ASYNC_NAMES


if not TYPE_CHECKING:
    # Hidden from type checkers: they see the explicit imports above, so that a misspelt
    # name (persona.ForgotPaswordData) is an error there, not an Any.
    def __getattr__(name: str) -> Any:
        return _load(name)


def _load(name: str) -> Any:
    location = _LOCATIONS.get(name)
    if location is None:
        raise AttributeError(f"module 'persona' has no attribute {name!r}")
    if name in _NEEDS_ASYNC_EXTRA:
        importlib.import_module(".transports.aiohttp_transport", __name__)
    value = getattr(importlib.import_module(location, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    # The public API only: not the helpers this module imports (Any, importlib,
    # TYPE_CHECKING, annotations) nor the subpackages loaded so far.
    return sorted({*__all__, "__doc__", "__file__", "__name__", "__path__", "__spec__"})
