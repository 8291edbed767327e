# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""UpdatePasswordData: the body of ``resetForgottenPassword``."""

from __future__ import annotations

from typing import Optional

from ..core.model import Model, field

__all__ = ["UpdatePasswordData"]


class UpdatePasswordData(Model):
    """Sets a new password with a reset token.

    :param token: The reset token from `codeForToken` (required; 1-512 characters; secret).
    :param new_password: The new password, 8-128 characters; JSON ``newPassword`` (required;
        8-128 characters; secret).
    """

    token: Optional[str] = field(
        "token",
        str,
        default=None,
        required=True,
        min_length=1,
        max_length=512,
        secret=True,
        description="The reset token from `codeForToken`.",
    )
    new_password: Optional[str] = field(
        "newPassword",
        str,
        default=None,
        required=True,
        min_length=8,
        max_length=128,
        secret=True,
        description="The new password, 8-128 characters.",
    )
