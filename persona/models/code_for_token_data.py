"""CodeForTokenData: the body of ``codeForToken``."""

from __future__ import annotations

from typing import Optional

from .base import Model, email_field, field

__all__ = ["CodeForTokenData"]


class CodeForTokenData(Model):
    """Exchanges the e-mailed one-time code for a password reset token.

    :param email: the account's e-mail address (required).
    :param code: the code from the e-mail (required; 1-64 characters; secret).
    """

    email: Optional[str] = email_field()
    code: Optional[str] = field(
        "code",
        str,
        default=None,
        required=True,
        min_length=1,
        max_length=64,
        secret=True,
        description="The one-time code from the e-mail.",
    )
