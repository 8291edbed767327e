"""TokenResponse: the answer of ``codeForToken``."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from .base import Model, field

__all__ = ["TokenResponse"]


class TokenResponse(Model):
    """A short-lived password reset token.

    :param token: the reset token (always present in a response; secret).
    :param expires_at: when the token expires, JSON ``expiresAt``: a timezone-aware
        ``datetime`` (optional).
    """

    token: Optional[str] = field(
        "token",
        str,
        default=None,
        required=True,
        secret=True,
        description="The password reset token.",
    )
    expires_at: Optional[datetime] = field(
        "expiresAt",
        datetime,
        default=None,
        format="date-time",
        description="When the token expires.",
    )
