# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""TokenResponse: the answer of ``codeForToken``."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..core.model import Model, field

__all__ = ["TokenResponse"]


class TokenResponse(Model):
    """A short-lived password reset token.

    :param token: A reset token, single-use, for `resetForgottenPassword` (required; secret).
    :param expires_at: When the token expires (RFC 3339, with a time zone); JSON ``expiresAt``
        (format `date-time`).
    """

    token: str = field(
        "token",
        str,
        required=True,
        secret=True,
        description="A reset token, single-use, for `resetForgottenPassword`.",
    )
    expires_at: Optional[datetime] = field(
        "expiresAt",
        datetime,
        default=None,
        format="date-time",
        description="When the token expires (RFC 3339, with a time zone).",
    )
