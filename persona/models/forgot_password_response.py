# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""ForgotPasswordResponse: the answer of ``forgotPass`` and ``resetForgottenPassword``."""

from __future__ import annotations

from typing import Optional

from ..core.model import Model, field

__all__ = ["ForgotPasswordResponse"]


class ForgotPasswordResponse(Model):
    """Whether the request was accepted.

    :param success: Whether the request was accepted (required).
    :param message: A human-readable note.
    """

    success: bool = field(
        "success",
        bool,
        required=True,
        description="Whether the request was accepted.",
    )
    message: Optional[str] = field(
        "message",
        str,
        default=None,
        description="A human-readable note.",
    )
