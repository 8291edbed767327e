# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""The API's models: request bodies and responses, one module each."""

from ..core.model import Model
from .code_for_token_data import CodeForTokenData
from .error import Error
from .forgot_password_data import ForgotPasswordData
from .forgot_password_response import ForgotPasswordResponse
from .token_response import TokenResponse
from .update_password_data import UpdatePasswordData

__all__ = [
    "CodeForTokenData",
    "Error",
    "ForgotPasswordData",
    "ForgotPasswordResponse",
    "Model",
    "TokenResponse",
    "UpdatePasswordData",
]
