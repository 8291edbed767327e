# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""CodeForTokenData: the body of ``codeForToken``."""

from __future__ import annotations

from typing import Optional

from ..core.model import Model, field

__all__ = ["CodeForTokenData"]


class CodeForTokenData(Model):
    """Exchanges the e-mailed one-time code for a password reset token.

    :param email: The e-mail address the code was sent to: exactly one "@", a local part of 1-64
        characters, a non-empty domain, no whitespace or control characters (required; 3-254
        characters; format `email`).
    :param code: The one-time code from the e-mail (the service sends 6 digits) (required; 1-64
        characters; secret).
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
            'The e-mail address the code was sent to: exactly one "@", a '
            "local part of 1-64 characters, a non-empty domain, no "
            "whitespace or control characters."
        ),
    )
    code: Optional[str] = field(
        "code",
        str,
        default=None,
        required=True,
        min_length=1,
        max_length=64,
        secret=True,
        description=("The one-time code from the e-mail (the service sends 6 digits)."),
    )
