# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""ForgotPasswordData: the body of ``forgotPass``."""

from __future__ import annotations

from typing import Optional

from ..core.model import Model, field

__all__ = ["ForgotPasswordData"]


class ForgotPasswordData(Model):
    """Asks the service to e-mail a one-time reset code to an account.

    :param email: The account's e-mail address: exactly one "@", a local part of 1-64
        characters, a non-empty domain, no whitespace or control characters (required; 3-254
        characters; format `email`).
    """

    email: Optional[str] = field(
        "email",
        str,
        default=None,
        required=True,
        min_length=3,
        max_length=254,
        format="email",
        description=(
            'The account\'s e-mail address: exactly one "@", a local part '
            "of 1-64 characters, a non-empty domain, no whitespace or "
            "control characters."
        ),
    )
