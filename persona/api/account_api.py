"""AccountApi and AsyncAccountApi: the three password-reset operations of the Persona
Account API, sync and async.

Each method is one :class:`~persona.core.request.Operation` handed to the client; the
client, the core and the transport do the rest. Both classes are made from the same
operations and docs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, cast

from ..api_client import ApiClient
from ..core.request import Operation
from ..core.response import ApiResponse
from ..exceptions import ApiTypeError
from ..models import (
    CodeForTokenData,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
    UpdatePasswordData,
)

if TYPE_CHECKING:
    from ..async_api_client import AsyncApiClient
    from .options import AsyncOperationMethod, OperationMethod

__all__ = [
    "CODE_FOR_TOKEN",
    "FORGOT_PASS",
    "OPERATIONS",
    "RESET_FORGOTTEN_PASSWORD",
    "AccountApi",
    "AsyncAccountApi",
]

FORGOT_PASS = Operation(
    "account_forgot_pass_post", "/account/forgotPass", ForgotPasswordData, ForgotPasswordResponse
)
CODE_FOR_TOKEN = Operation(
    "account_code_for_token_post", "/account/codeForToken", CodeForTokenData, TokenResponse
)
RESET_FORGOTTEN_PASSWORD = Operation(
    "account_reset_forgotten_password_post",
    "/account/resetForgottenPassword",
    UpdatePasswordData,
    ForgotPasswordResponse,
)
#: Every operation of the API, with its summary (the first line of its docs).
OPERATIONS = {
    FORGOT_PASS: """Forgot Password: e-mail a one-time reset code to the account.

        The answer is the same whether or not the account exists.
        Raises :class:`persona.exceptions.ApiException` (or a subclass) on failure;
        429 :class:`TooManyRequestsException` after 5 requests a minute for one e-mail.
        """,
    CODE_FOR_TOKEN: """Get a password reset token in exchange for the e-mailed code.

        Raises :class:`persona.exceptions.UnauthorizedException` (``invalid_code``) when
        the code is wrong, expired or already used, and
        :class:`TooManyRequestsException` after 10 wrong codes for one e-mail in
        15 minutes.
        """,
    RESET_FORGOTTEN_PASSWORD: """Reset a forgotten password with a token.

        Raises :class:`persona.exceptions.UnauthorizedException` (``invalid_token``) when
        the token is wrong, expired or already used.
        """,
}

OPTIONS_DOC = """
        Keyword options: ``async_req`` (return an ``ApplyResult``; ``.get()`` gives
        the result), ``_request_timeout`` (seconds, a ``(connect, read)`` pair or a
        ``Timeout``, per attempt), ``_idempotency_key`` (default: a fresh key, kept
        across retries), ``_headers`` (extra request headers), ``_preload_content``
        (False returns the undecoded :class:`persona.rest.RESTResponse`),
        ``_return_http_data_only``.
"""


def operation_method(operation: Operation, *, with_http_info: bool, doc: str) -> Callable[..., Any]:
    """The method that calls ``operation`` through ``self.api_client``."""

    def method(self: Any, body: Any = None, **options: Any) -> Any:
        return self.api_client.call_operation(
            operation, body, with_http_info=with_http_info, **options
        )

    method.__name__ = method.__qualname__ = operation.name + (
        "_with_http_info" if with_http_info else ""
    )
    method.__doc__ = doc + OPTIONS_DOC
    return method


ASYNC_OPTIONS_DOC = """
        Awaited: ``await api.method(body)``. Keyword options: ``_request_timeout``
        (seconds, a ``(connect, read)`` pair or a ``Timeout``, per attempt),
        ``_idempotency_key`` (default: a fresh key, kept across retries; pass the same
        one to retry a cancelled call safely), ``_headers`` (extra request headers),
        ``_preload_content`` (False returns the undecoded
        :class:`persona.rest.RESTResponse`), ``_return_http_data_only``.
        ``async_req`` is refused: ``asyncio.gather`` runs calls at once.
"""


def async_operation_method(
    operation: Operation, *, with_http_info: bool, doc: str
) -> Callable[..., Any]:
    """The coroutine method that calls ``operation`` through ``self.api_client``, an
    :class:`~persona.AsyncApiClient`."""

    async def method(self: Any, body: Any = None, **options: Any) -> Any:
        return await self.api_client.call_operation(
            operation, body, with_http_info=with_http_info, **options
        )

    method.__name__ = method.__qualname__ = operation.name + (
        "_with_http_info" if with_http_info else ""
    )
    method.__doc__ = doc + ASYNC_OPTIONS_DOC
    return method


def _methods(
    operation: Operation, make: Callable[..., Callable[..., Any]] = operation_method
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    doc = OPERATIONS[operation]
    summary = doc.split(":", 1)[0].split("\n", 1)[0].rstrip(".")
    return (
        make(operation, with_http_info=False, doc=doc),
        make(
            operation,
            with_http_info=True,
            doc=f"{summary}, returning ``ApiResponse(data, status, headers)``.\n",
        ),
    )


_forgot, _forgot_info = _methods(FORGOT_PASS)
_code, _code_info = _methods(CODE_FOR_TOKEN)
_reset, _reset_info = _methods(RESET_FORGOTTEN_PASSWORD)
_aforgot, _aforgot_info = _methods(FORGOT_PASS, async_operation_method)
_acode, _acode_info = _methods(CODE_FOR_TOKEN, async_operation_method)
_areset, _areset_info = _methods(RESET_FORGOTTEN_PASSWORD, async_operation_method)


class AccountApi:
    """The password-reset flow: :meth:`account_forgot_pass_post` e-mails a code,
    :meth:`account_code_for_token_post` exchanges it for a token, and
    :meth:`account_reset_forgotten_password_post` sets the new password. Each method
    has a ``*_with_http_info`` twin returning ``ApiResponse(data, status, headers)``.

    :param api_client: the client to send with; default :meth:`ApiClient.get_default`.
    """

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    account_forgot_pass_post = cast(
        "OperationMethod[ForgotPasswordData, ForgotPasswordResponse]", _forgot
    )
    account_forgot_pass_post_with_http_info = cast(
        "OperationMethod[ForgotPasswordData, ApiResponse[ForgotPasswordResponse]]", _forgot_info
    )
    account_code_for_token_post = cast("OperationMethod[CodeForTokenData, TokenResponse]", _code)
    account_code_for_token_post_with_http_info = cast(
        "OperationMethod[CodeForTokenData, ApiResponse[TokenResponse]]", _code_info
    )
    account_reset_forgotten_password_post = cast(
        "OperationMethod[UpdatePasswordData, ForgotPasswordResponse]", _reset
    )
    account_reset_forgotten_password_post_with_http_info = cast(
        "OperationMethod[UpdatePasswordData, ApiResponse[ForgotPasswordResponse]]", _reset_info
    )


class AsyncAccountApi:
    """The password-reset flow from asyncio code: the methods of :class:`AccountApi`,
    each a coroutine (``await api.account_forgot_pass_post(body)``), with the same
    models, exceptions and keyword options (``async_req`` excepted).

    :param api_client: the :class:`~persona.AsyncApiClient` to send with (required:
        an async client belongs to one event loop, so there is no default one).
    """

    def __init__(self, api_client: AsyncApiClient) -> None:
        given: Any = api_client  # checked at run time: any object may arrive here
        import inspect  # here, not at import: AccountApi's users must not pay for it

        if not inspect.iscoroutinefunction(getattr(given, "call_operation", None)):
            hint = " (use AccountApi)" if isinstance(given, ApiClient) else ""
            raise ApiTypeError(
                "AsyncAccountApi(api_client): api_client must be an AsyncApiClient, got "
                f"{type(api_client).__name__}{hint}"
            )
        self.api_client = api_client

    account_forgot_pass_post = cast(
        "AsyncOperationMethod[ForgotPasswordData, ForgotPasswordResponse]", _aforgot
    )
    account_forgot_pass_post_with_http_info = cast(
        "AsyncOperationMethod[ForgotPasswordData, ApiResponse[ForgotPasswordResponse]]",
        _aforgot_info,
    )
    account_code_for_token_post = cast(
        "AsyncOperationMethod[CodeForTokenData, TokenResponse]", _acode
    )
    account_code_for_token_post_with_http_info = cast(
        "AsyncOperationMethod[CodeForTokenData, ApiResponse[TokenResponse]]", _acode_info
    )
    account_reset_forgotten_password_post = cast(
        "AsyncOperationMethod[UpdatePasswordData, ForgotPasswordResponse]", _areset
    )
    account_reset_forgotten_password_post_with_http_info = cast(
        "AsyncOperationMethod[UpdatePasswordData, ApiResponse[ForgotPasswordResponse]]",
        _areset_info,
    )
