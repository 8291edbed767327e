"""ForgotPasswordData: the body of ``forgotPass``."""

from __future__ import annotations

from typing import Optional

from .base import Model, email_field

__all__ = ["ForgotPasswordData"]


class ForgotPasswordData(Model):
    """Asks the service to e-mail a one-time reset code to an account.

    :param email: the account's e-mail address (required; 3-254 characters).
    """

    email: Optional[str] = email_field()
